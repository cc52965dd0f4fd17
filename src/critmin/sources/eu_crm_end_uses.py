"""End uses of each raw material by NACE Rev.2 sector, from the EU 2023 criticality study.

The study (EC 2023, *Study on the critical raw materials for the EU 2023*, Grohol & Veeh,
doi 10.2873/725585) lists, per material, its applications, each application's share and the
NACE Rev.2 division it belongs to, with the EU-27 value added of that division. A public
machine-readable transcription of those tables is ``Data/fact_MaterialUseShares.csv`` of the
repository ``erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets`` (commit 555be66),
which is what this connector reads.

File layout: ``Material, Application, Share, NACE sector, VA in million €``; ``Share`` is a
percentage (``21%``; ``>0%`` means a share that rounds to 0); ``NACE sector`` is
``C25 - Manufacture of ...`` (possibly with a line break inside the quotes) or empty for uses
the study does not assign to a sector (``Other``).

Canonical tables
----------------
``eu_end_uses``: ``eu_material, application, share`` (fraction), ``nace`` (division code, empty
when none), ``value_added_meur``, ``va_consistent`` (the row's value added is its division's, as
in the rest of the file: the study's Manganese rows pair divisions with other divisions' values,
so they are kept but flagged). An exact repeat of a row (same material, application, share and
sector) is dropped: the study's tables list no use twice.

``eu_sector_value_added``: ``nace, value_added_meur`` (EUR million), one row per division, the
value the file gives most often for it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import csv_rows, read_text

REPO_FILE = (
    "https://raw.githubusercontent.com/erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets/"
    "555be664b7003436c88f04dc9e1077c69cc94c4d/Data/fact_MaterialUseShares.csv"
)
COLUMNS = ["Material", "Application", "Share", "NACE sector", "VA in million €"]
_SHARE = re.compile(r"(>)?\s*(\d+(?:\.\d+)?)\s*%")
_NACE = re.compile(r"([A-U]\d{2})\s*-")


def read_end_uses(path: Path) -> dict[str, pd.DataFrame]:
    """Parse ``fact_MaterialUseShares.csv`` into ``eu_end_uses`` and ``eu_sector_value_added``.

    Raises
    ------
    DataFormatError
        Missing column, a share that is not a percentage in 0-100, a sector without its code,
        a value added that is not a positive number, shares of one material above 105 % (rounded
        shares add up to a little more than 100 %).
    """
    path = Path(path)
    header, rows = csv_rows(path, read_text(path, encoding="utf-8-sig"), required=COLUMNS)
    at = {c: header.index(c) for c in COLUMNS}
    out, seen = [], set()
    for n, f in rows:
        material, application = f[at["Material"]].strip(), " ".join(f[at["Application"]].split())
        if not material:
            raise DataFormatError(path, "empty material", row=n, field="Material")
        m = _SHARE.fullmatch(f[at["Share"]].strip())
        if m is None or float(m.group(2)) > 100:
            raise DataFormatError(
                path, f"share {f[at['Share']][:20]!r} is not a percentage from 0% to 100%", row=n, field="Share"
            )
        share = 0.0 if m.group(1) else float(m.group(2)) / 100
        sector = " ".join(f[at["NACE sector"]].split())
        va_text = f[at["VA in million €"]].strip()
        if sector:
            code = _NACE.match(sector)
            if code is None:
                raise DataFormatError(
                    path,
                    f"sector {sector[:40]!r} does not start with a NACE code (C25 - ...)",
                    row=n,
                    field="NACE sector",
                )
            try:
                va = float(va_text)
            except ValueError:
                va = float("nan")
            if not va > 0:
                raise DataFormatError(
                    path, f"value added {va_text[:20]!r} is not a positive number", row=n, field="VA in million €"
                )
            nace = code.group(1)
        else:
            nace, va = "", float("nan")
        key = (material, application, share, nace)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            {"eu_material": material, "application": application, "share": share, "nace": nace, "value_added_meur": va}
        )
    uses = pd.DataFrame(out, columns=["eu_material", "application", "share", "nace", "value_added_meur"])
    if uses.empty:
        raise DataFormatError(path, "has a header but no data rows")
    total = uses.groupby("eu_material")["share"].sum()
    over = total[total > 1.05]  # printed to 1 %: Cobalt's shares add up to 102 % in the study
    if len(over):
        raise DataFormatError(path, f"shares of {over.index[0]} add up to {over.iloc[0]:.0%}", field="Share")
    sectors = uses[uses["nace"] != ""]
    va = sectors.groupby("nace")["value_added_meur"].agg(lambda s: s.mode().iloc[0])
    uses["va_consistent"] = [nace == "" or v == va[nace] for nace, v in zip(uses["nace"], uses["value_added_meur"])]
    return {"eu_end_uses": uses, "eu_sector_value_added": va.rename("value_added_meur").reset_index()}


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return read_end_uses(single_path(files, "end_uses"))


SOURCE = Source(
    name="eu_crm_end_uses",
    title="EU 2023 criticality study: end uses of each material by NACE Rev.2 sector, with EU-27 value added",
    publisher="European Commission (Grohol & Veeh 2023, doi 10.2873/725585), transcribed in "
    "erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets",
    licence="EC reuse policy (attribution); transcription published on GitHub",
    release="2023 study, transcription commit 555be66",
    files=(RemoteFile("end_uses", "reference/eu_crm_2023/fact_MaterialUseShares.csv", REPO_FILE),),
    load=_load,
    default=False,  # not in every mirror: `critmin data build eu_crm_end_uses` downloads it
    tables=("eu_end_uses", "eu_sector_value_added"),
    schemas={
        "eu_end_uses": pa.DataFrameSchema(
            {
                "eu_material": pa.Column(str),
                "application": pa.Column(str),
                "share": pa.Column(float, pa.Check.in_range(0, 1)),
                "nace": pa.Column(str, pa.Check.str_matches(r"^([A-U]\d{2})?$")),
                "value_added_meur": pa.Column(float, nullable=True),
                "va_consistent": pa.Column(bool),
            },
            strict=True,
        ),
        "eu_sector_value_added": pa.DataFrameSchema(
            {
                "nace": pa.Column(str, pa.Check.str_matches(r"^[A-U]\d{2}$"), unique=True),
                "value_added_meur": pa.Column(float, pa.Check.gt(0)),
            },
            strict=True,
        ),
    },
    url_page="https://single-market-economy.ec.europa.eu/sectors/raw-materials/areas-specific-interest/"
    "critical-raw-materials_en",
)
