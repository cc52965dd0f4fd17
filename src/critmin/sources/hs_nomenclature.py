"""The Harmonized System (HS 2022) nomenclature: chapters, headings and subheadings with descriptions.

Format (``datasets/harmonized-system``, from UN Comtrade's classification API, PDDL):

* ``harmonized-system.csv``: ``section, hscode, description, parent, level`` -- one row per
  code, leading zeros kept (``01``, ``0101``, ``010121``); ``level`` 2, 4 or 6; a chapter's
  parent is ``TOTAL``; one extra root row ``TOTAL, TOTAL, Total of all HS2022 commodities,
  TOTAL, 5``; chapter 99 (commodities not specified) has section ``TOTAL``.
* ``sections.csv``: ``section, name`` -- the 21 sections (Roman numerals), UTF-8 with a BOM.

Canonical table ``hs_codes``: ``code`` (text), ``level`` (2/4/6), ``description``, ``parent``
(the 2- or 4-digit code above; null for a chapter), ``section`` (Roman numeral; null for chapter
99), ``section_name``. The ``TOTAL`` root row is not a code and is dropped, so the 6,940 rows of
the file give 6,939 codes (97 chapters, 1,229 headings, 5,613 subheadings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import csv_rows, read_text

CODE_COLUMNS = ["section", "hscode", "description", "parent", "level"]
SECTION_COLUMNS = ["section", "name"]
ROOT = "TOTAL"
COLUMNS = ["code", "level", "description", "parent", "section", "section_name"]


def read_sections(path: Path) -> dict[str, str]:
    """Parse ``sections.csv`` into ``{section: name}`` (``I`` -> ``live animals; animal products``).

    Raises
    ------
    DataFormatError
        Missing columns, an empty name, a section that is not a Roman numeral or appears twice.
    """
    path = Path(path)
    header, rows = csv_rows(path, read_text(path, encoding="utf-8-sig"), required=SECTION_COLUMNS)
    ix = {c: header.index(c) for c in SECTION_COLUMNS}
    out: dict[str, str] = {}
    for n, fields in rows:
        sec, name = fields[ix["section"]].strip(), " ".join(fields[ix["name"]].split())
        if not sec or set(sec) - set("IVXLC"):
            raise DataFormatError(path, f"section {sec!r} is not a Roman numeral", row=n, field="section")
        if not name:
            raise DataFormatError(path, f"section {sec} has no name", row=n, field="name")
        if sec in out:
            raise DataFormatError(path, f"section {sec} appears twice", row=n, field="section")
        out[sec] = name
    if not out:
        raise DataFormatError(path, "has a header but no sections")
    return out


def read_hs_codes(path: Path, sections: Mapping[str, str]) -> pd.DataFrame:
    """Parse ``harmonized-system.csv`` into ``hs_codes``.

    Parameters
    ----------
    path : Path
        The nomenclature file.
    sections : mapping
        ``{section: name}`` from :func:`read_sections`.

    Returns
    -------
    DataFrame
        ``code, level, description, parent, section, section_name``, in file order.

    Raises
    ------
    DataFormatError
        Missing columns; a code that is not 2, 4 or 6 digits or does not match its level; a
        parent that is not the code's prefix or not listed before it; an unknown section; an
        empty description; a code listed twice (``row`` is the 1-based data row).
    """
    path = Path(path)
    header, rows = csv_rows(path, read_text(path, encoding="utf-8-sig"), required=CODE_COLUMNS)
    ix = {c: header.index(c) for c in CODE_COLUMNS}
    records: list[tuple] = []
    seen: dict[str, int] = {}
    for n, fields in rows:
        code = fields[ix["hscode"]].strip()
        if code == ROOT:
            continue
        level_raw = fields[ix["level"]].strip()
        if not code.isdigit() or len(code) not in (2, 4, 6):
            raise DataFormatError(
                path, f"HS code {code!r} is not 2, 4 or 6 digits (leading zeros kept)", row=n, field="hscode"
            )
        if level_raw != str(len(code)):
            raise DataFormatError(
                path, f"level {level_raw!r} does not match the {len(code)}-digit code {code}", row=n, field="level"
            )
        if code in seen:
            raise DataFormatError(
                path, f"HS code {code} appears twice (first at row {seen[code]})", row=n, field="hscode"
            )
        parent = fields[ix["parent"]].strip()
        if len(code) == 2:
            if parent != ROOT:
                raise DataFormatError(
                    path, f"chapter {code} has parent {parent!r}; expected {ROOT}", row=n, field="parent"
                )
            parent_value = None
        else:
            if parent != code[:-2]:
                raise DataFormatError(
                    path, f"parent {parent!r} of {code} is not its {len(code) - 2}-digit prefix", row=n, field="parent"
                )
            if parent not in seen:
                raise DataFormatError(path, f"parent {parent} of {code} is not listed before it", row=n, field="parent")
            parent_value = parent
        section = fields[ix["section"]].strip()
        if section == ROOT:
            section_value, section_name = None, None
        elif section in sections:
            section_value, section_name = section, sections[section]
        else:
            raise DataFormatError(path, f"section {section!r} is not in sections.csv", row=n, field="section")
        description = " ".join(fields[ix["description"]].split())
        if not description:
            raise DataFormatError(path, f"HS code {code} has no description", row=n, field="description")
        seen[code] = n
        records.append((code, len(code), description, parent_value, section_value, section_name))
    if not records:
        raise DataFormatError(path, "has a header but no HS codes")
    return pd.DataFrame.from_records(records, columns=COLUMNS).astype({"level": "int8"})


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return {"hs_codes": read_hs_codes(single_path(files, "codes"), read_sections(single_path(files, "sections")))}


HS_CODES_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^(\d{2}|\d{4}|\d{6})$"), unique=True),
        "level": pa.Column("int8", pa.Check.isin([2, 4, 6])),
        "description": pa.Column(str, pa.Check.str_length(min_value=1)),
        "parent": pa.Column(str, pa.Check.str_matches(r"^(\d{2}|\d{4})$"), nullable=True),
        "section": pa.Column(str, pa.Check.str_matches(r"^[IVXLC]+$"), nullable=True),
        "section_name": pa.Column(str, nullable=True),
    },
    strict=True,
)

SOURCE = Source(
    name="hs_nomenclature",
    title="Harmonized System 2022 nomenclature (2, 4 and 6 digits)",
    publisher="World Customs Organization (via UN Comtrade's classification API; datasets/harmonized-system)",
    licence="ODC Public Domain Dedication and License (PDDL)",
    release="HS 2022",
    files=(
        RemoteFile(
            "codes",
            "hs/harmonized-system.csv",
            "https://raw.githubusercontent.com/datasets/harmonized-system/main/data/harmonized-system.csv",
        ),
        RemoteFile(
            "sections",
            "hs/sections.csv",
            "https://raw.githubusercontent.com/datasets/harmonized-system/main/data/sections.csv",
        ),
    ),
    load=_load,
    tables=("hs_codes",),
    schemas={"hs_codes": HS_CODES_SCHEMA},
    url_page="https://github.com/datasets/harmonized-system",
)
