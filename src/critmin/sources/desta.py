"""DESTA (Design of Trade Agreements): the list of treaties and their members.

Format (DESTA ``list of treaties`` CSV, as redistributed by the ``manytrade`` R
package): ``;``-separated, latin-1, text fields quoted, missing values written
``NA``. Columns ``number`` (treaty id, text such as ``3+1`` for an accession),
``base_treaty``, ``name``, ``entry_type`` (``base_treaty``, ``accession``,
``withdrawal``, ``protocol or amendment``, ``consolidated``, ``negotiation``),
``consolidated``, ``year`` (signature), ``entryforceyear``, ``language``,
``typememb``, ``regioncon``, ``wto_listed``, ``wto_name``, then ``c1..c91``
member country codes (UN M49 / ISO 3166 numeric; 158 Taiwan, 900 Kosovo, 530
Netherlands Antilles) and ``mc1..mc91`` membership-change codes.

Canonical tables: ``desta_treaties`` (one row per treaty entry; members as
``members_iso3``, ``;``-joined in c1..c91 order, and ``n_members``) and
``desta_members`` (``number, position, iso3, m49, membership_change``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources._m49 import M49_TO_ISO3
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import csv_rows, read_text

N_MEMBER_COLUMNS = 91
MEMBER_COLUMNS = [f"c{i}" for i in range(1, N_MEMBER_COLUMNS + 1)]
CHANGE_COLUMNS = [f"mc{i}" for i in range(1, N_MEMBER_COLUMNS + 1)]
TEXT_COLUMNS = ["number", "name", "entry_type", "language", "regioncon", "wto_name"]
INT_COLUMNS = ["base_treaty", "consolidated", "year", "entryforceyear", "typememb", "wto_listed"]
REQUIRED = [
    "number",
    "base_treaty",
    "name",
    "entry_type",
    "year",
    "entryforceyear",
    "typememb",
    "regioncon",
    "wto_listed",
    "wto_name",
    *MEMBER_COLUMNS,
]
ENTRY_TYPES = {"base_treaty", "accession", "withdrawal", "protocol or amendment", "consolidated", "negotiation"}
TREATY_COLUMNS = [
    "number",
    "base_treaty",
    "name",
    "entry_type",
    "consolidated",
    "year",
    "entryforceyear",
    "language",
    "typememb",
    "regioncon",
    "wto_listed",
    "wto_name",
    "members_iso3",
    "n_members",
]
MISSING = {"NA", ""}


def m49_to_iso3(code: int) -> str | None:
    """UN M49 numeric code -> ISO3 (158 -> ``TWN``, 900 -> ``XKX``, 530 -> ``ANT``), or None if unknown."""
    return M49_TO_ISO3.get(int(code))


INT_LIMIT = 2**63 - 1  # the columns are stored as 64-bit integers


def _int(path: Path, value: str, n: int, field: str) -> int | None:
    v = value.strip()
    if v in MISSING:
        return None
    try:
        out = int(v)
    except ValueError:
        try:
            f = float(v)
        except (ValueError, OverflowError):
            f = None
        if f is None or not f.is_integer():
            raise DataFormatError(path, f"{v[:40]!r} is not an integer", row=n, field=field) from None
        out = int(f)
    if abs(out) > INT_LIMIT:
        raise DataFormatError(path, f"{v[:40]!r} is out of range for an integer column", row=n, field=field)
    return out


def read_desta(path: Path) -> dict[str, pd.DataFrame]:
    """Parse DESTA's list of treaties into ``desta_treaties`` and ``desta_members``.

    Raises
    ------
    DataFormatError
        Not latin-1 text (or a re-saved UTF-8 copy), a missing column, a
        truncated line, a non-integer year or code, an unknown ``entry_type``,
        or a member code (``c<k>``) that is not a known UN M49 country code.
    """
    path = Path(path)
    text = read_text(path, encoding="latin-1", reject_utf8=True)
    header, rows = csv_rows(path, text, required=[], delimiter=";")
    if len(header) == 1 and "," in header[0]:
        raise DataFormatError(path, "header is comma-separated; expected DESTA's ';'-separated file")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataFormatError(
            path,
            f"missing column(s) {', '.join(missing[:5])}"
            f"{' ...' if len(missing) > 5 else ''}; expected DESTA columns "
            f"number, base_treaty, name, ..., c1..c91, mc1..mc91",
            field=missing[0],
        )
    idx = {c: i for i, c in enumerate(header)}
    members_cols = [c for c in MEMBER_COLUMNS if c in idx]
    treaties, members = [], []
    seen: set[str] = set()
    for n, fields in rows:
        get = {c: fields[i].strip() for c, i in idx.items()}
        number = get["number"]
        if number in MISSING:
            raise DataFormatError(path, "treaty number is missing", row=n, field="number")
        if number in seen:
            raise DataFormatError(path, f"treaty number {number!r} appears twice", row=n, field="number")
        seen.add(number)
        if get["entry_type"] not in ENTRY_TYPES:
            raise DataFormatError(
                path,
                f"entry_type {get['entry_type']!r}; expected one of {', '.join(sorted(ENTRY_TYPES))}",
                row=n,
                field="entry_type",
            )
        ints = {c: _int(path, get.get(c, "NA"), n, c) for c in INT_COLUMNS}
        for c in ("year", "entryforceyear"):
            year = ints[c]
            if year is not None and not 1900 <= year <= 2100:
                raise DataFormatError(path, f"year {year} is outside 1900-2100", row=n, field=c)
        iso: list[str] = []
        for pos, c in enumerate(members_cols, start=1):
            code = _int(path, get[c], n, c)
            if code is None:
                continue
            iso3 = m49_to_iso3(code)
            if iso3 is None:
                raise DataFormatError(path, f"member code {code} is not a known UN M49 country code", row=n, field=c)
            change = _int(path, get.get(f"mc{pos}", "NA"), n, f"mc{pos}")
            iso.append(iso3)
            members.append((number, pos, iso3, code, change))
        rec: dict[str, str | int | None] = {c: (None if get.get(c, "NA") in MISSING else get[c]) for c in TEXT_COLUMNS}
        rec.update(ints)
        rec["members_iso3"] = ";".join(iso)
        rec["n_members"] = len(iso)
        treaties.append(rec)
    if not treaties:
        raise DataFormatError(path, "has a header but no data rows")
    tdf = pd.DataFrame.from_records(treaties)[TREATY_COLUMNS]
    for c in INT_COLUMNS:
        tdf[c] = tdf[c].astype("Int64")
    tdf["n_members"] = tdf["n_members"].astype("int64")
    mdf = pd.DataFrame.from_records(members, columns=["number", "position", "iso3", "m49", "membership_change"])
    mdf["membership_change"] = mdf["membership_change"].astype("Int64")
    return {"desta_treaties": tdf, "desta_members": mdf}


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return read_desta(single_path(files, "treaties"))


_ISO = pa.Check.str_matches(r"^[A-Z]{3}$")
TREATY_SCHEMA = pa.DataFrameSchema(
    {
        "number": pa.Column(str, unique=True),
        "base_treaty": pa.Column("Int64", nullable=True),
        "name": pa.Column(str),
        "entry_type": pa.Column(str, pa.Check.isin(sorted(ENTRY_TYPES))),
        "consolidated": pa.Column("Int64", nullable=True),
        "year": pa.Column("Int64", pa.Check.in_range(1900, 2100), nullable=True),
        "entryforceyear": pa.Column("Int64", pa.Check.in_range(1900, 2100), nullable=True),
        "language": pa.Column(str, nullable=True),
        "typememb": pa.Column("Int64", nullable=True),
        "regioncon": pa.Column(str, nullable=True),
        "wto_listed": pa.Column("Int64", nullable=True),
        "wto_name": pa.Column(str, nullable=True),
        "members_iso3": pa.Column(str),
        "n_members": pa.Column("int64", pa.Check.ge(0)),
    },
    strict=True,
)

MEMBER_SCHEMA = pa.DataFrameSchema(
    {
        "number": pa.Column(str),
        "position": pa.Column("int64", pa.Check.in_range(1, N_MEMBER_COLUMNS)),
        "iso3": pa.Column(str, _ISO),
        "m49": pa.Column("int64"),
        "membership_change": pa.Column("Int64", nullable=True),
    },
    strict=True,
    unique=["number", "position"],
)

SOURCE = Source(
    name="desta",
    title="DESTA Design of Trade Agreements: list of treaties",
    publisher="DESTA project (Dür, Baccini & Elsig)",
    licence="CC BY 4.0",
    release="list of treaties v2 (1948-2020)",
    files=(
        RemoteFile(
            "treaties",
            "desta/DESTA.csv",
            "https://raw.githubusercontent.com/globalgov/manytrade/main/data-raw/agreements/DESTA/DESTA.csv",
        ),
    ),
    load=_load,
    tables=("desta_treaties", "desta_members"),
    schemas={"desta_treaties": TREATY_SCHEMA, "desta_members": MEMBER_SCHEMA},
    url_page="https://www.designoftradeagreements.org/downloads/",
)
