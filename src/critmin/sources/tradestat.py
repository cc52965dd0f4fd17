"""India DGCI&S TradeStat: imports of HS headings by partner country (every import report in the mirror).

Format (DGCI&S TradeStat / MEIDB "commodity-wise all countries" import report,
as extracted to CSV): one row per partner, columns ``hs_code, trade_type,
partner_country_tradestat`` (DGCI&S upper-case country names such as
``CHINA P RP``, ``U S A``, ``PAPUA N GNA``), then one value column per period in
**USD million** (``dec2024_usd_mn, dec2025_usd_mn, cy2024_usd_mn,
cy2025_usd_mn``) and ``source``. The ``TOTAL`` row is the all-partner total.

Canonical table ``tradestat_imports`` (long): ``reporter`` (``IND``),
``hs_code``, ``partner_name``, ``partner_iso3`` (from :func:`critmin.countries.resolve`,
source ``tradestat``; ``WLD`` for ``TOTAL``),
``period`` (``2024-12``, ``2025-12``, ``CY2024``, ``CY2025``), ``value_usd``
(USD, i.e. the report's millions x 1e6), ``flow`` (``import``) and ``basis``
(``month`` for a December column, ``CY`` for a calendar-year column).

Every file matching ``tradestat/india_imports_*_by_partner_*.csv`` is read (HS 2603
copper ores; HS 7108 gold, 2846 rare-earth compounds, 28252000 LiOH, 28369100 Li2CO3 (8-digit), 2605
cobalt ores, 8105 cobalt). The same (HS, partner, period) in two files is an error
naming both files.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Mapping

import pandas as pd
import pandera.pandas as pa

from critmin.countries import resolve, source_aliases, unknown_hint
from critmin.errors import DataFormatError
from critmin.sources.base import RemoteFile, Source
from critmin.sources.csvutil import csv_rows, read_text

#: DGCI&S partner names (upper case, as TradeStat prints them) -> ISO3, from critmin's alias
#: table (``critmin/country_aliases.csv``, source ``tradestat``). Partner names are resolved with
#: :func:`critmin.countries.resolve` (source ``tradestat``), which also knows canonical names.
TRADESTAT_COUNTRIES: dict[str, str] = {k.upper(): v for k, v in source_aliases("tradestat").items()}

ID_COLUMNS = ["hs_code", "trade_type", "partner_country_tradestat"]
VALUE_COLUMN = re.compile(
    r"^(?:(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|(?P<cy>cy))"
    r"(?P<year>\d{4})_usd_mn$"
)
MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
COLUMNS = ["reporter", "hs_code", "partner_name", "partner_iso3", "period", "value_usd", "flow", "basis"]


def _period(column: str) -> str:
    m = VALUE_COLUMN.match(column)
    assert m is not None
    if m.group("cy"):
        return f"CY{m.group('year')}"
    return f"{m.group('year')}-{MONTHS[m.group('mon')]:02d}"


def read_tradestat(path: Path) -> pd.DataFrame:
    """Parse a TradeStat partner-wise import extract into ``tradestat_imports``.

    ``value_usd = value_usd_mn * 1e6``. Period columns are recognised by name:
    ``<mon><yyyy>_usd_mn`` gives a month ``yyyy-mm`` and ``cy<yyyy>_usd_mn`` a
    calendar year ``CY<yyyy>``.

    Raises
    ------
    DataFormatError
        Missing columns, no period column, a value that is not a number or is
        negative, an unknown partner name (the row and the name are given).
    """
    path = Path(path)
    text = read_text(path, encoding="utf-8")
    header, rows = csv_rows(path, text, required=ID_COLUMNS)
    value_cols = [c for c in header if VALUE_COLUMN.match(c)]
    if not value_cols:
        raise DataFormatError(
            path, "no period value column; expected columns like dec2024_usd_mn or cy2024_usd_mn (USD million)"
        )
    idx = {c: header.index(c) for c in header}
    records = []
    seen: dict[tuple[str, str, str], int] = {}
    for n, fields in rows:
        hs = fields[idx["hs_code"]].strip()
        if not re.fullmatch(r"\d{2,8}", hs):
            raise DataFormatError(path, f"HS code {hs!r} is not 2-8 digits", row=n, field="hs_code")
        flow = fields[idx["trade_type"]].strip().lower()
        if flow not in ("import", "export"):
            raise DataFormatError(path, f"trade type {flow!r}; expected import or export", row=n, field="trade_type")
        name = " ".join(fields[idx["partner_country_tradestat"]].split()).upper()
        iso3 = resolve(name, source="tradestat")
        if iso3 is None:
            raise DataFormatError(
                path,
                f"unknown partner country name {name!r}; {unknown_hint(name, source='tradestat')}",
                row=n,
                field="partner_country_tradestat",
            )
        key = (hs, iso3, flow)
        if key in seen:
            raise DataFormatError(
                path,
                f"partner {name!r} ({iso3}) appears twice for HS {hs} (first at row {seen[key]})",
                row=n,
                field="partner_country_tradestat",
            )
        seen[key] = n
        for col in value_cols:
            raw = fields[idx[col]].strip()
            if raw == "":
                continue
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                raise DataFormatError(path, f"{raw!r} is not a number (USD million)", row=n, field=col) from None
            if not math.isfinite(value) or value < 0:
                raise DataFormatError(path, f"value {raw} must be a finite number >= 0 (USD million)", row=n, field=col)
            period = _period(col)
            records.append(
                (
                    "IND",
                    hs,
                    name,
                    iso3,
                    period,
                    round(value * 1e6, 2),
                    flow,
                    "CY" if period.startswith("CY") else "month",
                )
            )
    if not records:
        raise DataFormatError(path, "has a header but no data rows")
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def read_tradestat_files(paths: "list[Path] | Path") -> pd.DataFrame:
    """Parse every TradeStat import report and stack them into one ``tradestat_imports`` table.

    Raises
    ------
    DataFormatError
        Any file's own problem (see :func:`read_tradestat`), no file at all, or the same
        (HS code, partner, period, flow) in two files (both files are named).
    """
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not paths:
        raise DataFormatError(Path("tradestat/india_imports_*_by_partner_*.csv"), "no TradeStat import report found")
    frames = []
    owner: dict[tuple[str, str, str, str], Path] = {}
    for path in paths:
        df = read_tradestat(path)
        for key in zip(df["hs_code"], df["partner_iso3"], df["period"], df["flow"]):
            if key in owner:
                raise DataFormatError(
                    path,
                    f"HS {key[0]}, partner {key[1]}, period {key[2]} is also in {owner[key].name}",
                    field="hs_code",
                )
            owner[key] = path
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _load(files: Mapping[str, "Path | list[Path]"], workdir: Path) -> dict[str, pd.DataFrame]:
    return {"tradestat_imports": read_tradestat_files(files["imports"])}


TRADESTAT_SCHEMA = pa.DataFrameSchema(
    {
        "reporter": pa.Column(str, pa.Check.equal_to("IND")),
        "hs_code": pa.Column(str, pa.Check.str_matches(r"^\d{2,8}$")),
        "partner_name": pa.Column(str),
        "partner_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "period": pa.Column(str, pa.Check.str_matches(r"^(\d{4}-\d{2}|CY\d{4})$")),
        "value_usd": pa.Column(float, pa.Check.ge(0)),
        "flow": pa.Column(str, pa.Check.isin(["import", "export"])),
        "basis": pa.Column(str, pa.Check.isin(["CY", "month"])),
    },
    strict=True,
    unique=["hs_code", "partner_iso3", "period", "flow"],
)

SOURCE = Source(
    name="tradestat",
    title="India DGCI&S TradeStat: imports by partner of copper ores, gold, rare earths, lithium and cobalt",
    publisher="DGCI&S, Ministry of Commerce and Industry, Government of India",
    licence="attribution (Source: DGCI&S); open licence not confirmed",
    release="Dec-2025 edition, revised values",
    files=(
        RemoteFile(
            "imports",
            "tradestat/india_imports_*_by_partner_*.csv",
            "https://tradestat.commerce.gov.in/meidb/commodity_wise_all_countries_import",
            many=True,
        ),
    ),
    load=_load,
    tables=("tradestat_imports",),
    schemas={"tradestat_imports": TRADESTAT_SCHEMA},
    url_page="https://tradestat.commerce.gov.in/meidb/",
    downloadable=False,
)
