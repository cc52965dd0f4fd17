"""The bilateral trade picture of a reporter and a partner: total, explaining detail, coverage, reconciliation.

Reads whichever of these warehouse tables are built and hands them to
:class:`critmin.domain.trade.picture.PictureModel` (which holds the rules and the
source precedence):

========================  ==========================================  ========
table                     what                                         basis
========================  ==========================================  ========
``india_trade_totals``    TradeStat country-wise, India x partner       FY
``dots_exports``          IMF DOTS goods exports FOB, every pair        CY
``tradestat_imports``     TradeStat import reports by HS code           CY
``tradestat_exports``     TradeStat EIDB exports by HS8 (to HS4)        FY
``trade_flows``           BACI HS6 (the extract's codes)                CY
``hs4_top_flows``         BACI HS4 top-200 flows per commodity-year     CY
========================  ==========================================  ========
"""

from __future__ import annotations

import duckdb
import pandas as pd

from critmin.config import Settings
from critmin.domain.trade.picture import DetailRow, Figure, PictureModel
from critmin.periods import Period, calendar_year, financial_year, parse_period
from critmin.warehouse import Warehouse

#: Tables the picture reads when present (none is required).
PICTURE_TABLES = (
    "india_trade_totals",
    "dots_exports",
    "tradestat_imports",
    "tradestat_exports",
    "trade_flows",
    "hs4_top_flows",
    "hs_codes",
)


def _query(wh: Warehouse, table: str, sql: str, params: list) -> pd.DataFrame:
    """``sql`` with ``t`` bound to ``table``'s Parquet file; empty frame when the table is absent."""
    if not wh.has(table):
        return pd.DataFrame()
    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW t AS SELECT * FROM {wh.scan_sql(table)}")
        return con.execute(sql, params).df()
    finally:
        con.close()


def _columns(wh: Warehouse, table: str) -> set[str]:
    if not wh.has(table):
        return set()
    return set(wh.columns(table))


def _descriptions(wh: Warehouse, codes: set[str]) -> dict[str, str]:
    """HS descriptions from the nomenclature table, else critmin's product table."""
    out: dict[str, str] = {}
    if codes and wh.has("hs_codes"):
        df = _query(wh, "hs_codes", "SELECT code, description FROM t WHERE code IN (SELECT unnest(?))", [sorted(codes)])
        out.update(zip(df["code"].astype(str), df["description"].astype(str)))
    from critmin.classify import product_labels

    labels = product_labels()
    for c, d in zip(labels["hs6"], labels["description"]):
        out.setdefault(c, d)
    return out


def _totals(wh: Warehouse, rep: str, par: str) -> dict[str, list[Figure]]:
    out: dict[str, list[Figure]] = {"imports": [], "exports": []}
    if rep == "IND":
        df = _query(
            wh,
            "india_trade_totals",
            "SELECT fy_start, exports_usd, imports_usd, provisional FROM t WHERE partner_iso3 = ?",
            [par],
        )
        for r in df.itertuples(index=False):
            note = "provisional (latest year reported)" if bool(getattr(r, "provisional", False)) else ""
            fy = financial_year(int(r.fy_start))
            out["exports"].append(Figure(_f(r.exports_usd), fy, "tradestat_totals", note))
            out["imports"].append(Figure(_f(r.imports_usd), fy, "tradestat_totals", note))
    df = _query(
        wh,
        "dots_exports",
        "SELECT year, exporter, importer, value_usd FROM t WHERE (exporter = ? AND importer = ?) "
        "OR (exporter = ? AND importer = ?)",
        [rep, par, par, rep],
    )
    for r in df.itertuples(index=False):
        cy = calendar_year(int(r.year))
        if r.exporter == rep:
            out["exports"].append(Figure(_f(r.value_usd), cy, "imf_dots", f"{rep}'s exports as reported (FOB)"))
        else:
            out["imports"].append(
                Figure(
                    _f(r.value_usd), cy, "imf_dots", f"{par}'s exports to {rep} (FOB), the mirror of {rep}'s imports"
                )
            )
    return out


def _f(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _detail(wh: Warehouse, rep: str, par: str, period: Period) -> list[DetailRow]:
    rows: list[DetailRow] = []
    # calendar-year detail for a FY is the year it starts in (9 of its 12 months); FY detail for a CY likewise
    years = [period.year]
    raw: list[tuple[str, str, float, Period, str, str]] = []  # code, flow, value, period, source, revision
    if rep == "IND":
        df = _query(
            wh,
            "tradestat_imports",
            "SELECT hs_code, period, sum(value_usd) AS v FROM t WHERE partner_iso3 = ? AND flow = 'import' "
            "AND period IN (SELECT unnest(?)) GROUP BY ALL",
            [par, [f"CY{y}" for y in years]],
        )
        raw += [
            (str(r.hs_code), "imports", float(r.v), parse_period(r.period), "tradestat", "")
            for r in df.itertuples(index=False)
        ]
        df = _query(
            wh,
            "tradestat_exports",
            "SELECT substr(hs8, 1, 4) AS hs4, fy_start, sum(value_usd) AS v FROM t WHERE partner_iso3 = ? "
            "AND fy_start IN (SELECT unnest(?)) GROUP BY ALL HAVING sum(value_usd) > 0",
            [par, years],
        )
        raw += [
            (str(r.hs4), "exports", float(r.v), financial_year(int(r.fy_start)), "tradestat_eidb", "")
            for r in df.itertuples(index=False)
        ]
    rev = "hs_revision" in _columns(wh, "trade_flows")
    df = _query(
        wh,
        "trade_flows",
        "SELECT hs6, year, exporter, " + ("any_value(hs_revision)" if rev else "''") + " AS rev, "
        "sum(value_usd) AS v FROM t WHERE ((exporter = ? AND importer = ?) OR (exporter = ? AND importer = ?)) "
        "AND year IN (SELECT unnest(?)) GROUP BY hs6, year, exporter",
        [par, rep, rep, par, years],
    )
    raw += [
        (
            str(r.hs6),
            "imports" if r.exporter == par else "exports",
            float(r.v),
            calendar_year(int(r.year)),
            "baci",
            str(r.rev),
        )
        for r in df.itertuples(index=False)
    ]
    df = _query(
        wh,
        "hs4_top_flows",
        "SELECT hs4, year, exporter, sum(value_usd) AS v FROM t WHERE ((exporter = ? AND importer = ?) OR "
        "(exporter = ? AND importer = ?)) AND year IN (SELECT unnest(?)) GROUP BY ALL",
        [par, rep, rep, par, years],
    )
    raw += [
        (
            str(r.hs4),
            "imports" if r.exporter == par else "exports",
            float(r.v),
            calendar_year(int(r.year)),
            "baci_hs4",
            "HS22",
        )
        for r in df.itertuples(index=False)
    ]
    codes = {c for c, *_ in raw}
    names = _descriptions(wh, codes | {c[:n] for c in codes for n in (6, 4) if len(c) > n})
    # a national 8-digit line is described by its HS6 subheading (or heading) where the nomenclature has no line
    names.update({c: names.get(c[:6]) or names.get(c[:4], "") for c in codes if len(c) > 6 and not names.get(c)})
    for code, flow, value, per, source, revision in raw:
        if value > 0:
            rows.append(DetailRow(code, names.get(code, ""), flow, value, per, source, revision))
    return rows


def trade_picture(
    settings: Settings, reporter: str, partner: str, period="CY2024", *, warehouse: Warehouse | None = None
) -> dict:
    """Total trade of ``reporter`` with ``partner`` in ``period``, the product detail that explains it, and
    where sources disagree.

    Parameters
    ----------
    settings : Settings
    reporter, partner : str
        ISO3 codes (resolved by the caller).
    period : str, int or Period
        ``CY2024``, ``FY2024-25``, ``2024`` (a calendar year)...
    warehouse : Warehouse, optional
        An open warehouse (default: the live one, built on first use).

    Returns
    -------
    dict
        ``total {imports_usd, exports_usd, balance_usd, period, basis, source, note}`` (``None``
        when no source has an all-goods total for the pair), ``explained [{code, level,
        description, flow, value_usd, period, basis, source, basis_note}]``, ``coverage
        {imports, exports: {share, explained_usd, total_usd, note}}``, ``reconciliation``
        and the ``precedence`` used. See :mod:`critmin.domain.trade.picture`.
    """
    if warehouse is None:
        from critmin.services.explorer import ensure_tables

        warehouse = ensure_tables(settings, ())
    per = parse_period(period)
    model = PictureModel(
        reporter,
        partner,
        per,
        totals=_totals(warehouse, reporter, partner),
        detail=_detail(warehouse, reporter, partner, per),
    )
    return model.run().to_dict()
