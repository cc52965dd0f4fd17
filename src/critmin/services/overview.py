"""Per-mineral overview of an importer and one partner: the brief's core tables.

For every mineral with trade data it answers: how much does the reporter import,
how concentrated are its suppliers (HHI, top-3, China, WGI-weighted HHI), what
weight does the partner have as a supplier, and where does the partner stand
among the world's producers and reserve holders (USGS).
"""

from __future__ import annotations

import math

import pandas as pd

from critmin.config import Settings
from critmin.errors import CritminError, EmptySelectionError
from critmin.services import explorer
from critmin.services.dependence_table import dependence_table, partner_production_by_mineral


def _stage_order(stage: str) -> int:
    return {"ore": 0, "intermediate": 1, "refined": 2, "product": 3}.get(stage, 9)


def traded_mineral_stages(settings: Settings, year: int) -> pd.DataFrame:
    """(mineral, stage) pairs with at least one non-basket HS6 code present in ``trade_flows``."""
    wh = explorer.ensure_tables(settings, ["trade_flows", "products", "countries"])
    with wh.duckdb() as con:
        pairs = con.execute(
            """
            SELECT DISTINCT p.mineral, p.stage
            FROM products p JOIN (SELECT DISTINCT hs6 FROM trade_flows WHERE year = ?) t USING (hs6)
            WHERE NOT p.basket""",
            [int(year)],
        ).df()
    pairs["o"] = pairs["stage"].map(_stage_order)
    return pairs.sort_values(["mineral", "o"]).drop(columns="o").reset_index(drop=True)


def _opt_float(v) -> float | None:
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else float(v)


def mineral_overview(
    settings: Settings, reporter: str = "IND", partner: str | None = "PER", *, year: int = 2024
) -> pd.DataFrame:
    """One row per (mineral, stage) the reporter imports: dependence and the partner's weight.

    Columns: ``mineral, stage, hs6, imports_usd, exports_usd, n_suppliers, hhi, top3_share,
    china_share, wgi_weighted_hhi, net_import_reliance, top_supplier, top_supplier_share``, and with
    a partner ``partner_share, partner_rank, partner_value_usd, partner_production_rank,
    partner_production_share, partner_reserves_share, production_year, production_stage,
    n_producers``. Definitions as in :func:`critmin.services.explorer.dependence` (HHI on 0-1
    shares); computed for all pairs at once by
    :func:`critmin.services.dependence_table.dependence_table`, and the partner's USGS standing
    (mine stage, or the only stage USGS reports) by
    :func:`critmin.services.dependence_table.partner_production_table`.

    Raises
    ------
    UnknownCodeError
        Unknown reporter or partner.
    EmptySelectionError
        The reporter imports none of the critical-mineral products in ``year``.
    """
    explorer.ensure_tables(
        settings, ["trade_flows", "products", "countries", "governance", "mineral_production", "mineral_reserves"]
    )
    dep = dependence_table(settings, reporter, year=year, partner=partner)
    pairs = traded_mineral_stages(settings, year)
    dep = pairs.merge(dep, on=["mineral", "stage"], how="inner")  # keeps the pairs' order
    if dep.empty:
        raise EmptySelectionError(f"{reporter} imports none of the critical-mineral products in {year}")
    standing = partner_production_by_mineral(settings, partner, minerals=dep["mineral"]) if partner else {}
    rows = []
    for r in dep.itertuples(index=False):
        row = {
            "mineral": r.mineral,
            "stage": r.stage,
            "hs6": r.hs6,
            "imports_usd": float(r.imports_usd),
            "exports_usd": float(r.exports_usd),
            "n_suppliers": int(r.n_suppliers),
            "hhi": float(r.hhi),
            "top3_share": float(r.top3_share),
            "china_share": float(r.china_share),
            "wgi_weighted_hhi": _opt_float(r.wgi_weighted_hhi),
            "net_import_reliance": _opt_float(r.net_import_reliance),
            "top_supplier": r.top_supplier,
            "top_supplier_share": float(r.top_supplier_share),
        }
        if partner:
            row.update(
                partner_share=float(r.partner_share),
                partner_rank=None if pd.isna(r.partner_rank) else int(r.partner_rank),
                partner_value_usd=float(r.partner_value_usd),
            )
            row.update(standing.get(r.mineral, {}))
        rows.append(row)
    out = pd.DataFrame(rows)
    # one HS6 set can stand for two minerals (850511 magnets and rare earths; 260600 bauxite and
    # aluminium): show it once, naming both
    names = out.groupby(["hs6", "stage"])["mineral"].transform(lambda m: " / ".join(m))
    out = out.assign(mineral=names).drop_duplicates(subset=["hs6", "stage"]).reset_index(drop=True)
    return out.sort_values("imports_usd", ascending=False, key=lambda s: s.fillna(-math.inf)).reset_index(drop=True)


def copper_ore_imports(settings: Settings, reporter: str = "IND", partner: str | None = "PER") -> dict | None:
    """India's HS 2603 copper-ore imports by partner from DGCI&S TradeStat (BACI extract lacks 2603).

    Returns ``None`` when the reporter is not India or the table is absent. Shares are of
    the TradeStat ``WLD`` total for each period.
    """
    try:
        wh = explorer.ensure_tables(settings, ["tradestat_imports"])
        t = wh.read("tradestat_imports")
    except CritminError:  # not built (e.g. the report could not be downloaded)
        return None
    t = t[(t["reporter"] == reporter) & t["hs_code"].astype(str).str.startswith("2603")]
    if t.empty:
        return None
    periods = [p for p in ("CY2024", "CY2025") if p in set(t["period"])]
    total = t[t["partner_iso3"] == "WLD"].set_index("period")["value_usd"]
    rows = []
    for p in periods:
        sub = t[(t["period"] == p) & (t["partner_iso3"] != "WLD")].sort_values("value_usd", ascending=False)
        for rank, r in enumerate(sub.itertuples(index=False), start=1):
            rows.append(
                {
                    "period": p,
                    "partner": r.partner_iso3,
                    "value_usd": float(r.value_usd),
                    "share": float(r.value_usd) / float(total[p]) if total.get(p) else None,
                    "rank": rank,
                }
            )
    df = pd.DataFrame(rows)
    out = {"periods": periods, "total_usd": {p: float(total[p]) for p in periods if p in total}, "suppliers": df}
    if partner:
        out["partner"] = df[df["partner"] == partner].to_dict(orient="records")
    return out
