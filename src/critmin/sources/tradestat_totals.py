"""India DGCI&S TradeStat FTSPCC: India's total goods exports and imports with every partner, by financial year.

Format (the country-wise total-trade page ``ftspcc/ttrade_country_wise`` as saved to JSON):
``{"years": ["2010-2011", ...], "totals": {"exp": [...], "imp": [...]}, "countries":
[{"name": "CHINA P RP", "exp": [...], "imp": [...]}, ...]}``: one value per year, in **USD
million**, **Indian financial years** (April-March, the March cumulative table). The last year
on the page is provisional.

Canonical table ``india_trade_totals``: ``reporter`` (``IND``), ``partner_iso3`` (from
:func:`critmin.countries.resolve`, source ``tradestat``; ``WLD`` for the all-partner totals,
empty for ``UNSPECIFIED`` and ``PACIFIC IS``), ``partner_name``, ``period`` (``FY2024-25``), ``fy_start``,
``exports_usd``, ``imports_usd`` (USD, the page's millions x 1e6), ``provisional`` (the
last year). One row per (``fy_start``, ``partner_name``); ``PANAMA C Z`` and ``PANAMA
REPUBLIC`` are both ``PAN``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Mapping

import pandas as pd
import pandera.pandas as pa

from critmin.countries import resolve, unknown_hint
from critmin.errors import DataFormatError
from critmin.periods import financial_year
from critmin.sources.base import RemoteFile, Source
from critmin.sources.tradestat_eidb import NO_COUNTRY

COLUMNS = ["reporter", "partner_iso3", "partner_name", "period", "fy_start", "exports_usd", "imports_usd",
           "provisional"]


def _values(path: Path, values, n_years: int, where: str) -> list[float]:
    if not isinstance(values, list) or len(values) != n_years:
        raise DataFormatError(path, f"{where}: expected a list of {n_years} values (one per year)")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise DataFormatError(path, f"{where}: value {v!r} must be a finite number >= 0 (USD million)")
        out.append(round(float(v) * 1e6, 2))
    return out


def read_tradestat_country_wise(path: Path) -> pd.DataFrame:
    """Parse the TradeStat country-wise total-trade JSON into ``india_trade_totals``.

    ``exports_usd = exp * 1e6`` and ``imports_usd = imp * 1e6`` per partner and year;
    ``period = financial_year(start).label`` (``2024-2025`` -> ``FY2024-25``); the last
    year is ``provisional``.

    Raises
    ------
    DataFormatError
        Not JSON, a missing key, a year that is not ``YYYY-YYYY``, a list of the wrong
        length, a value that is not a finite non-negative number, an unknown partner name
        or a partner listed twice.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFormatError(path, f"is not valid UTF-8 JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DataFormatError(path, "expected a JSON object with keys years, totals, countries")
    missing = [k for k in ("years", "totals", "countries") if k not in data]
    if missing:
        raise DataFormatError(path, f"missing key(s) {', '.join(missing)}", field=missing[0])
    years = data["years"]
    if not isinstance(years, list) or not years:
        raise DataFormatError(path, "'years' must be a non-empty list like ['2010-2011', ...]", field="years")
    periods = []
    for y in years:
        a, _, b = str(y).partition("-")
        if not (a.isdigit() and b.isdigit() and int(b) == int(a) + 1):
            raise DataFormatError(path, f"year {y!r} is not a financial year like 2024-2025", field="years")
        periods.append(financial_year(int(a)))
    partners = [{"name": "TOTAL", **data["totals"]}] if isinstance(data["totals"], dict) else None
    if partners is None or not isinstance(data["countries"], list) or not data["countries"]:
        raise DataFormatError(path, "'totals' must be an object and 'countries' a non-empty list")
    records = []
    seen: set[str] = set()
    for i, entry in enumerate(partners + data["countries"]):
        if not isinstance(entry, dict) or not {"name", "exp", "imp"} <= entry.keys():
            raise DataFormatError(path, f"partner entry {i} needs keys name, exp, imp", row=i or None,
                                  field="countries")
        name = " ".join(str(entry["name"]).split()).upper()
        iso3 = None if name in NO_COUNTRY else resolve(name, source="tradestat")
        if iso3 is None and name not in NO_COUNTRY:
            raise DataFormatError(path, f"unknown partner country name {name!r}; "
                                        f"{unknown_hint(name, source='tradestat')}", row=i, field="name")
        if name in seen:
            raise DataFormatError(path, f"partner {name!r} is listed twice", row=i, field="name")
        seen.add(name)
        exp = _values(path, entry["exp"], len(years), f"{name} exports")
        imp = _values(path, entry["imp"], len(years), f"{name} imports")
        for k, period in enumerate(periods):
            records.append(("IND", iso3, name, period.label, period.year, exp[k], imp[k], k == len(years) - 1))
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def _load(files: Mapping[str, Path], workdir: Path) -> dict[str, pd.DataFrame]:
    return {"india_trade_totals": read_tradestat_country_wise(files["country_wise"])}


SCHEMA = pa.DataFrameSchema({
    "reporter": pa.Column(str, pa.Check.equal_to("IND")),
    "partner_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
    "partner_name": pa.Column(str),
    "period": pa.Column(str, pa.Check.str_matches(r"^FY\d{4}-\d{2}$")),
    "fy_start": pa.Column(int),
    "exports_usd": pa.Column(float, pa.Check.ge(0)),
    "imports_usd": pa.Column(float, pa.Check.ge(0)),
    "provisional": pa.Column(bool),
}, strict=True, unique=["fy_start", "partner_name"])

SOURCE = Source(
    name="tradestat_totals",
    title="India DGCI&S TradeStat: India's total goods exports and imports by partner, FY2010-11 to FY2025-26",
    publisher="DGCI&S, Ministry of Commerce and Industry, Government of India",
    licence="attribution (Source: DGCI&S); open licence not confirmed",
    release="FTSPCC country-wise total trade, March cumulative tables; last year provisional",
    files=(
        RemoteFile("country_wise", "tradestat/india_trade_country_wise_fy2010_2025.json",
                   "https://tradestat.commerce.gov.in/ftspcc/ttrade_country_wise"),
    ),
    load=_load,
    tables=("india_trade_totals",),
    schemas={"india_trade_totals": SCHEMA},
    url_page="https://tradestat.commerce.gov.in/ftspcc/",
    downloadable=False,
)
