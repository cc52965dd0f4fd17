"""New Zealand Customs tariff rates per 8-digit item and preference column (May 2021 workbook).

Format (NZ Customs Service, ``Tariff_Rates_May2021_v1.xlsx``): sheet ``Sheet 1`` with the header
``line_id, HS_Code, Description, AAN, AU, CA, CN, CPT, GB, HK, KR, LDC, LLDC, MY, NML, Pac, PPP,
SG, TH, TPA, TW``; one row per line of the Working Tariff Document. Chapter, heading and text-only
rows have no rate; tariff items have an 8-digit ``HS_Code`` ``dddd.dd.dd`` (NZ's national
subdivision of HS 2017: the workbook predates HS 2022, which NZ applied from 1 January 2022).
``NML`` is the **Normal** (MFN) tariff; the other columns are preference schemes (``AU``
Australia, ``CN`` China, ``CPT`` CPTPP, ``AAN`` AANZFTA, ``LDC``/``LLDC`` least developed, ...).
There is **no India column**: NZ has no agreement with India, so Indian goods pay ``NML``.
A sheet ``PARTS`` lists the items whose rate is "Parts" (the rate of the vehicle the part is for).

Rate cells: ``Free`` (0), ``5%`` (ad valorem), ``Parts`` (depends on the goods the part is for),
or a specific duty (``50c/l al``, ``$1.87/kg``). Specific, compound and "Parts" rates are
**flagged, not converted** into a fake ad-valorem rate: their ``*_rate_pct`` is NaN (unknown).

Canonical tables
----------------
``nz_tariffs``: ``reporter`` (``NZL``), ``hs8``, ``hs6``, ``hs_edition`` (``HS2017``),
``tariff_date`` (``2021-05``), ``description``, ``mfn_text`` (the ``NML`` cell as published),
``mfn_rate_pct``, ``duty_type`` (``free``, ``ad_valorem``, ``specific``, ``compound``, ``parts``).

``nz_preferential_tariffs``: ``hs8``, ``scheme`` (column name), ``rate_text``, ``rate_pct``,
``duty_type`` (same coding), one row per item and scheme with a rate.

The zip of the Working Tariff Document (1 January 2022, text files per chapter, HS 2022, with
phase-down schedules written as text) is in the same folder and is not read here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import open_workbook, sheet, workbook_reader

SHEET = "Sheet 1"
MFN_COLUMN = "NML"
REQUIRED = ["HS_Code", "Description", MFN_COLUMN]
DUTY_TYPES = ("free", "ad_valorem", "specific", "compound", "parts")
HS_EDITION = "HS2017"
TARIFF_DATE = "2021-05"
_AD_VALOREM = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_SPECIFIC = re.compile(r"(\$\s*\d+(?:\.\d+)?|\d+(?:\.\d+)?\s*c)\s*(/|per)", re.IGNORECASE)
_HS8 = re.compile(r"\d{4}\.\d{2}\.\d{2}")


def parse_nz_rate(text: str, path: Path, row: int, field: str) -> tuple[float | None, str]:
    """``(rate_pct, duty_type)`` of one NZ rate cell; ``rate_pct`` is ``None`` unless ad valorem or free.

    Raises
    ------
    DataFormatError
        A cell that is none of ``Free``, ``n%``, ``Parts``, a specific duty (``$x/kg``, ``nc/l``) or
        a compound of those.
    """
    t = " ".join(text.split())
    if t.lower() == "free":
        return 0.0, "free"
    if t.lower() == "parts":
        return None, "parts"
    av = _AD_VALOREM.fullmatch(t)
    if av:
        v = float(av.group(1))
        if v > 1000:
            raise DataFormatError(
                path, f"rate {text!r} is not an ad-valorem rate in percent (0-1000)", row=row, field=field
            )
        return v, "ad_valorem"
    if _SPECIFIC.search(t):
        return None, "compound" if _AD_VALOREM.search(t) else "specific"
    raise DataFormatError(
        path, f"rate {text!r} is not Free, a percentage, Parts or a specific duty ($/kg, c/l)", row=row, field=field
    )


@workbook_reader
def read_nz_tariff_rates(path: str | Path) -> dict[str, pd.DataFrame]:
    """Parse the NZ Customs tariff-rates workbook into ``nz_tariffs`` and ``nz_preferential_tariffs``.

    Parameters
    ----------
    path : path-like
        ``Tariff_Rates_May2021_v1.xlsx`` as published by NZ Customs.

    Raises
    ------
    DataFormatError
        Not a workbook (or truncated), sheet or column missing, an 8-digit item without a Normal
        rate, an unreadable rate cell, a repeated item, or no tariff items.
    """
    path = Path(path)
    wb = open_workbook(path)
    try:
        ws = sheet(wb, path, SHEET)
        ws.reset_dimensions()  # the workbook's stored dimension is wrong (A1): read every row
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise DataFormatError(path, f"sheet {SHEET!r} is empty")
        header = [str(h).strip() if h is not None else "" for h in header]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise DataFormatError(
                path,
                f"missing column(s) {', '.join(missing)}; expected line_id, HS_Code, "
                f"Description, the preference columns and NML",
                field=missing[0],
            )
        i_hs, i_desc, i_mfn = (header.index(c) for c in REQUIRED)
        schemes = [(i, h) for i, h in enumerate(header) if h and h not in ("line_id", *REQUIRED)]
        items, prefs = [], []
        seen: dict[str, int] = {}
        for excel_row, values in enumerate(rows, start=2):
            values = list(values) + [None] * (len(header) - len(values))
            code = str(values[i_hs] or "").strip()
            if not _HS8.fullmatch(code):
                continue  # chapter, heading and text rows
            hs8 = code.replace(".", "")
            if hs8 in seen:
                raise DataFormatError(
                    path, f"item {code} appears twice (first at row {seen[hs8]})", row=excel_row, field="HS_Code"
                )
            seen[hs8] = excel_row
            text = str(values[i_mfn] or "").strip()
            if not text:
                raise DataFormatError(path, f"item {code} has no Normal (NML) rate", row=excel_row, field=MFN_COLUMN)
            rate, kind = parse_nz_rate(text, path, excel_row, MFN_COLUMN)
            items.append(
                ("NZL", hs8, hs8[:6], HS_EDITION, TARIFF_DATE, str(values[i_desc] or "").strip(), text, rate, kind)
            )
            for i, scheme in schemes:
                cell = str(values[i] or "").strip()
                if cell:
                    p_rate, p_kind = parse_nz_rate(cell, path, excel_row, scheme)
                    prefs.append((hs8, scheme, cell, p_rate, p_kind))
    finally:
        wb.close()
    if not items:
        raise DataFormatError(path, f"no 8-digit tariff items (dddd.dd.dd) in sheet {SHEET!r}")
    nz = pd.DataFrame.from_records(
        items,
        columns=[
            "reporter",
            "hs8",
            "hs6",
            "hs_edition",
            "tariff_date",
            "description",
            "mfn_text",
            "mfn_rate_pct",
            "duty_type",
        ],
    )
    pref = pd.DataFrame.from_records(prefs, columns=["hs8", "scheme", "rate_text", "rate_pct", "duty_type"])
    for df, col in ((nz, "mfn_rate_pct"), (pref, "rate_pct")):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return {"nz_tariffs": nz, "nz_preferential_tariffs": pref}


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return read_nz_tariff_rates(single_path(files, "rates"))


NZ_SCHEMA = pa.DataFrameSchema(
    {
        "reporter": pa.Column(str, pa.Check.equal_to("NZL")),
        "hs8": pa.Column(str, pa.Check.str_matches(r"^\d{8}$"), unique=True),
        "hs6": pa.Column(str, pa.Check.str_matches(r"^\d{6}$")),
        "hs_edition": pa.Column(str, pa.Check.equal_to(HS_EDITION)),
        "tariff_date": pa.Column(str),
        "description": pa.Column(str),
        "mfn_text": pa.Column(str),
        "mfn_rate_pct": pa.Column(float, pa.Check.in_range(0, 1000), nullable=True),
        "duty_type": pa.Column(str, pa.Check.isin(list(DUTY_TYPES))),
    },
    strict=True,
)

PREF_SCHEMA = pa.DataFrameSchema(
    {
        "hs8": pa.Column(str, pa.Check.str_matches(r"^\d{8}$")),
        "scheme": pa.Column(str),
        "rate_text": pa.Column(str),
        "rate_pct": pa.Column(float, pa.Check.in_range(0, 1000), nullable=True),
        "duty_type": pa.Column(str, pa.Check.isin(list(DUTY_TYPES))),
    },
    strict=True,
    unique=["hs8", "scheme"],
)

SOURCE = Source(
    name="nz_tariff",
    title="New Zealand Customs tariff rates per 8-digit item: Normal (MFN) and preference columns (May 2021)",
    publisher="New Zealand Customs Service",
    licence="NZ Crown copyright (CC BY 4.0 assumed)",
    release="Tariff rates May 2021 (v1), HS 2017",
    files=(
        RemoteFile(
            "rates",
            "nzcustoms/Tariff_Rates_May2021_v1.xlsx",
            "https://www.customs.govt.nz/business/tariffs/working-tariff-document/",
        ),
    ),
    load=_load,
    default=True,
    downloadable=False,  # no stable direct link to this workbook: it is read from the mirror
    tables=("nz_tariffs", "nz_preferential_tariffs"),
    schemas={"nz_tariffs": NZ_SCHEMA, "nz_preferential_tariffs": PREF_SCHEMA},
    url_page="https://www.customs.govt.nz/business/tariffs/working-tariff-document/",
)
