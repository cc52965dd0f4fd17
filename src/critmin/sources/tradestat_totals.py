"""India DGCI&S TradeStat (FTSPCC): India's total goods exports and imports with every partner, by financial year.

Format (the country-wise total-trade page, saved as JSON): ``years`` (``"2010-2011"``
... one label per Indian financial year, April-March), ``totals {exp: [...], imp: [...]}``
(India with the world) and ``countries [{name, exp: [...], imp: [...]}]`` with
TradeStat's upper-case partner names (``CHINA P RP``, ``U S A``) and values in
**USD million**, one per year; ``source_update_note`` says which year is provisional
(the latest reported).

Canonical table ``india_trade_totals``: ``reporter`` (``IND``), ``partner_iso3``
(``WLD`` for the world total; empty for :data:`NOT_COUNTRIES`), ``partner_name``, ``period`` (``FY2024-25``),
``fy_start`` (2024), ``exports_usd``, ``imports_usd`` (USD: millions x 1e6) and
``provisional`` (the last year of the file).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.countries import resolve, unknown_hint
from critmin.errors import DataFormatError
from critmin.periods import financial_year
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path

YEAR = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")
#: TradeStat partner entries that are no country: kept with their name and no ISO3 (their trade is part of
#: India's total with the world, so dropping them would make the partners' sum fall short of it)
NOT_COUNTRIES = {"UNSPECIFIED": "partner not specified", "PACIFIC IS": "Pacific Islands (historic, no ISO code)"}
COLUMNS = [
    "reporter",
    "partner_iso3",
    "partner_name",
    "period",
    "fy_start",
    "exports_usd",
    "imports_usd",
    "provisional",
]


def _values(path: Path, where: str, raw, n: int) -> list[float | None]:
    if not isinstance(raw, list) or len(raw) != n:
        raise DataFormatError(
            path,
            f"{where}: expected a list of {n} values (one per year), got "
            f"{type(raw).__name__}{'' if not isinstance(raw, list) else f' of {len(raw)}'}",
        )
    out: list[float | None] = []
    for i, v in enumerate(raw):
        if v is None or v == "":
            out.append(None)
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise DataFormatError(
                path, f"{where}, value {i + 1}: {str(v)[:40]!r} is not a number (USD million)"
            ) from None
        if not math.isfinite(x) or x < 0:
            raise DataFormatError(path, f"{where}, value {i + 1}: {v} must be a finite number >= 0 (USD million)")
        out.append(x * 1e6)
    return out


def read_country_wise(path: Path) -> pd.DataFrame:
    """Parse TradeStat's country-wise JSON into ``india_trade_totals``.

    Raises
    ------
    DataFormatError
        Not JSON, missing ``years``/``countries``, a year label that is not
        ``YYYY-YYYY`` (consecutive), a value list of the wrong length, a value that
        is not a finite number >= 0, an unknown or repeated partner name.
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFormatError(path, f"is not a JSON document ({str(exc)[:80]})") from None
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("years"), list)
        or not isinstance(doc.get("countries"), list)
    ):
        raise DataFormatError(path, "expected a JSON object with 'years' and 'countries' lists")
    starts = []
    for i, label in enumerate(doc["years"]):
        m = YEAR.match(str(label))
        if not m or int(m.group(2)) != int(m.group(1)) + 1:
            raise DataFormatError(
                path, f"year {i + 1}: {str(label)[:20]!r} is not a financial year like 2024-2025", field="years"
            )
        starts.append(int(m.group(1)))
    if not starts:
        raise DataFormatError(path, "'years' is empty")
    n, last = len(starts), max(starts)
    entries: list[tuple[str | None, str, dict, str]] = []
    totals = doc.get("totals")
    if isinstance(totals, dict):
        entries.append(("WLD", "WORLD", totals, "totals"))
    seen: dict[str, str] = {}  # name -> where first seen
    for k, c in enumerate(doc["countries"]):
        if not isinstance(c, dict) or "name" not in c:
            raise DataFormatError(path, f"countries[{k}] has no 'name'", field="countries")
        name = " ".join(str(c["name"]).split()).upper()
        iso3 = None if name in NOT_COUNTRIES else resolve(name, source="tradestat")
        if iso3 is None and name not in NOT_COUNTRIES:
            raise DataFormatError(
                path,
                f"countries[{k}]: unknown partner name {name!r}; {unknown_hint(name, source='tradestat')}",
                field="name",
            )
        if name in seen:
            raise DataFormatError(
                path, f"countries[{k}]: partner {name!r} appears twice (first as {seen[name]})", field="name"
            )
        seen[name] = f"countries[{k}]"
        entries.append((iso3, name, c, f"countries[{k}] ({name})"))
    records = []
    for iso3, name, obj, where in entries:
        exp = _values(path, f"{where} exp", obj.get("exp"), n)
        imp = _values(path, f"{where} imp", obj.get("imp"), n)
        for y, x, mv in zip(starts, exp, imp):
            if x is None and mv is None:
                continue
            records.append(("IND", iso3, name, financial_year(y).label, y, x, mv, y == last))
    if not records:
        raise DataFormatError(path, "has no partner values")
    df = pd.DataFrame.from_records(records, columns=COLUMNS)
    # two TradeStat entries of one country (PANAMA REPUBLIC and the historic PANAMA C Z) are summed
    keyed = df[df["partner_iso3"].notna()]
    if keyed.duplicated(["partner_iso3", "fy_start"]).any():
        agg = keyed.groupby(["reporter", "partner_iso3", "period", "fy_start", "provisional"], as_index=False).agg(
            partner_name=("partner_name", " + ".join),
            exports_usd=("exports_usd", lambda v: v.sum(min_count=1)),
            imports_usd=("imports_usd", lambda v: v.sum(min_count=1)),
        )
        df = pd.concat([agg, df[df["partner_iso3"].isna()]], ignore_index=True)[COLUMNS]
    return df.sort_values(["partner_iso3", "fy_start"], na_position="last", ignore_index=True)


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return {"india_trade_totals": read_country_wise(single_path(files, "country_wise"))}


SCHEMA = pa.DataFrameSchema(
    {
        "reporter": pa.Column(str, pa.Check.equal_to("IND")),
        "partner_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "partner_name": pa.Column(str),
        "period": pa.Column(str, pa.Check.str_matches(r"^FY\d{4}-\d{2}$")),
        "fy_start": pa.Column(int, pa.Check.in_range(1950, 2100)),
        "exports_usd": pa.Column(float, pa.Check.ge(0), nullable=True),
        "imports_usd": pa.Column(float, pa.Check.ge(0), nullable=True),
        "provisional": pa.Column(bool),
    },
    strict=True,
    unique=["partner_name", "fy_start"],
)  # partner_iso3 too where set (checked in the reader)

SOURCE = Source(
    name="tradestat_totals",
    title="India DGCI&S TradeStat: total goods exports and imports with every partner (Indian financial years)",
    publisher="DGCI&S, Ministry of Commerce and Industry, Government of India",
    licence="attribution (Source: DGCI&S); open licence not confirmed",
    release="country-wise total trade, FY2010-11 to FY2025-26 (last year provisional)",
    files=(
        RemoteFile(
            "country_wise",
            "tradestat/india_trade_country_wise_fy2010_2025.json",
            "https://tradestat.commerce.gov.in/ftspcc/ttrade_country_wise",
        ),
    ),
    load=_load,
    tables=("india_trade_totals",),
    schemas={"india_trade_totals": SCHEMA},
    url_page="https://tradestat.commerce.gov.in/ftspcc/",
    downloadable=False,
)
