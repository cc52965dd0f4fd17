"""Criticality and supply-risk scores of an importer's minerals, by value-chain stage.

One function per question:

* :func:`criticality_scores` — EU (JRC 2017) or GeoPolRisk scores per mineral and stage,
  with Monte-Carlo bands and, optionally, a policy scenario;
* :func:`geodep_screen` — the CEPII GeoDep dependence screen over every HS6 product;
* :func:`parameter_tables` — the documented input tables (with sources) after user overrides
  (from :mod:`critmin.services.criticality_params`).

Inputs: sourcing shares from ``trade_flows`` (BACI), production shares from
``mineral_production`` (USGS MCS), governance from ``governance`` (WGI), and critmin's
cited parameter tables in :mod:`critmin.criticality_data` (EoL-RIR, substitution indices,
economic importance, export-restriction events, ``t`` factors), which a user CSV can override.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml

from critmin.classify._tables import metal_content_table, products_table
from critmin.config import Settings
from critmin.domain.criticality import (
    CriticalityModel,
    CriticalitySpec,
    calc_geodep,
    calc_import_reliance,
    calc_instability,
    calc_wgi_scaled,
)
from critmin.domain.criticality.eu import is_critical
from critmin.domain.criticality.scenario import Lever, apply_levers
from critmin.errors import DataFormatError, EmptySelectionError, UnknownCodeError, WarehouseError
from critmin.services.criticality_controls import acts_in_force
from critmin.services.criticality_flows import (
    StageFlows,
    classify_headings,
    flow_rule,
    flow_sources,
    hs4_flows,
    pick_flows,
    tradestat_flows,
)
from critmin.services.criticality_params import (
    DEFAULT_PARAMETERS,
    STAGES,
    apply_overrides,
    blocs,
    END_USE_MISSING,
    ei_from_economy,
    ei_from_end_uses,
    ei_from_eu_end_uses,
    eu_end_use_shares,
    material_params,
    parameter_tables,
    read_overrides,
    reporter_members,
    trade_factors,
)
from critmin.warehouse import open_warehouse

Method = Literal["eu", "geopolrisk", "geodep"]
__all__ = [
    "METHODS",
    "Method",
    "blocs",
    "build_spec",
    "criticality_scores",
    "geodep_screen",
    "parameter_tables",
    "product_map",
    "read_overrides",
    "read_scenario",
    "reporter_members",
    "scenario_acts",
]
METHODS = ("eu", "geopolrisk", "geodep")
WGI_SOURCE = "World Bank Worldwide Governance Indicators, 2024 update (table governance)"
BACI_SOURCE = "CEPII BACI HS17 (table trade_flows)"
USGS_SOURCE = "USGS Mineral Commodity Summaries 2026 data release (table mineral_production)"
DEFAULT_SHARE_CONCENTRATION = 200.0

# -- HS6 -> (mineral, product stage): used until the `products` table is in the warehouse ----------
_FALLBACK_PRODUCTS = {
    "250490": ("graphite", "ore"),
    "251010": ("phosphate", "ore"),
    "251110": ("baryte", "ore"),
    "252800": ("boron", "ore"),
    "252910": ("feldspar", "ore"),
    "252922": ("fluorspar", "ore"),
    "260200": ("manganese", "ore"),
    "260600": ("aluminium", "ore"),
    "270112": ("coking_coal", "ore"),
    "280429": ("helium", "refined"),
    "280469": ("silicon", "refined"),
    "280470": ("phosphorus", "refined"),
    "280480": ("arsenic", "refined"),
    "282200": ("cobalt", "intermediate"),
    "283691": ("lithium", "intermediate"),
    "283692": ("strontium", "intermediate"),
    "711011": ("platinum", "refined"),
    "711021": ("palladium", "refined"),
    "720292": ("vanadium", "intermediate"),
    "720293": ("niobium", "intermediate"),
    "740311": ("copper", "refined"),
    "750210": ("nickel", "refined"),
    "810194": ("tungsten", "refined"),
    "810320": ("tantalum", "refined"),
    "810411": ("magnesium", "refined"),
    "810820": ("titanium", "refined"),
    "811010": ("antimony", "refined"),
    "811212": ("beryllium", "refined"),
    "811292": ("gallium", "refined"),
    "850511": ("magnets", "product"),
}
PRODUCT_STAGE_TO_CHAIN = {
    "ore": "extraction",
    "intermediate": "processing",
    "refined": "processing",
    "product": "processing",
}
# USGS stage word -> value-chain stage; "production" is resolved per mineral below
USGS_STAGE_TO_CHAIN = {
    "mine": "extraction",
    "refinery": "processing",
    "smelter": "processing",
    "primary": "processing",
    "plant": "processing",
}
USGS_PRODUCTION_IS_PROCESSING = {"arsenic", "helium", "silicon", "titanium_metal", "sulfur", "iron_steel"}
# source mineral name -> assessed material (applied at once, not in a chain): bauxite is scored as aluminium;
# titanium is two materials, as in the EU 2023 assessment: "titanium" (ilmenite and rutile concentrates,
# USGS "Titanium Mineral Concentrates") and "titanium_metal" (sponge: USGS "Titanium Sponge Metal", HS 810820)
USGS_MINERAL_ALIAS = {"bauxite": "aluminium", "titanium_concentrates": "titanium", "titanium": "titanium_metal"}


def product_map(warehouse) -> pd.DataFrame:
    """HS6 -> ``mineral`` and value-chain ``chain_stage`` (extraction/processing).

    Reads the ``products`` table when the warehouse has it, else critmin's minimal mapping of
    the 30 bundled HS6 codes. Rules: ``ore`` -> extraction; ``intermediate`` and ``refined`` ->
    processing; ``product`` codes are kept (as processing) only for a mineral that has no
    ``intermediate``/``refined`` code (e.g. ``magnets``); a basket code (one that also covers other
    goods) is kept only for a mineral that has no non-basket code at all (e.g. ``helium``,
    ``gallium``). Mineral aliases (``bauxite`` -> ``aluminium``) follow the USGS mapping.
    """
    if warehouse.has("products"):
        p = warehouse.read("products").dropna(subset=["mineral"])
        source = "table products"
    else:
        p = pd.DataFrame([(k, m, s) for k, (m, s) in _FALLBACK_PRODUCTS.items()], columns=["hs6", "mineral", "stage"])
        source = "critmin minimal HS6 mapping (until the products table is built)"
    p = p.copy()
    if "basket" not in p:
        p["basket"] = False
    p["basket"] = p["basket"].fillna(False).astype(bool)
    p["mineral"] = p["mineral"].replace(USGS_MINERAL_ALIAS)
    p = p.drop_duplicates(["hs6", "mineral"])
    has_mid = p[p["stage"].isin(["intermediate", "refined"])].groupby("mineral").size()
    p = p[(p["stage"] != "product") | ~p["mineral"].isin(has_mid.index)]
    has_plain = p[~p["basket"]].groupby("mineral").size()
    p = p[~p["basket"] | ~p["mineral"].isin(has_plain.index)]
    p["chain_stage"] = p["stage"].map(PRODUCT_STAGE_TO_CHAIN)
    p["mapping_source"] = source
    return p.dropna(subset=["chain_stage"])[["hs6", "mineral", "stage", "chain_stage", "basket", "mapping_source"]]


# -- warehouse reads --------------------------------------------------------------------------------
def _need(warehouse, table: str) -> pd.DataFrame:
    if not warehouse.has(table):
        raise WarehouseError(
            f"table '{table}' is needed for criticality scores and is not in the warehouse; run `critmin data build`"
        )
    return warehouse.read(table)


def _economy_value_added(warehouse, reporter: str, year: int) -> tuple[pd.Series, str] | None:
    """The reporter's value added by OECD industry (latest year <= ``year``), or None without the table."""
    if not warehouse.has("industry_accounts"):
        return None
    acc = warehouse.read("industry_accounts")
    acc = acc[(acc["country"] == reporter) & (acc["year"] <= year)]
    if acc.empty:
        return None
    y = int(acc["year"].max())
    va = acc[acc["year"] == y].set_index("industry")["value_added_usd"].clip(lower=0.0)
    return va, (
        f"OECD IOT 2023 value added of {reporter} by industry (ISIC Rev.4 groupings), {y}; "
        f"Q_max = the largest of its manufacturing industries"
    )


def _num(value, default=np.nan) -> float:
    """A parameter as float (NaN for missing or empty)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _governance(warehouse, year: int, method: str) -> tuple[pd.DataFrame, int]:
    """Per-country score and sd: WGI (mean of 6) on 0-10 (EU), or PV instability on 0-1 (GeoPolRisk)."""
    g = _need(warehouse, "governance")
    g = g[g["year"] <= year]
    if g.empty:
        raise EmptySelectionError(f"no WGI data for {year} or earlier in table governance")
    gy = int(g["year"].max())
    g = g[g["year"] == gy]
    if method == "eu":
        est = g.pivot_table(index="iso3", columns="indicator", values="estimate")
        se = g.pivot_table(index="iso3", columns="indicator", values="std_error")
        n = est.notna().sum(axis=1)
        mean = est.mean(axis=1)
        sd_mean = np.sqrt((se**2).sum(axis=1)) / n  # independent indicator errors (assumption)
        out = pd.DataFrame(
            {
                "country": mean.index,
                "score": calc_wgi_scaled(mean.to_numpy()),
                "score_sd": (sd_mean / 0.5).to_numpy(),
                "raw": mean.to_numpy(),
            }
        )
    else:
        pv = g[g["indicator"] == "pv"].set_index("iso3")
        out = pd.DataFrame(
            {
                "country": pv.index,
                "score": calc_instability(pv["estimate"].to_numpy()),
                "score_sd": (pv["std_error"] / 5.0).to_numpy(),
                "raw": pv["estimate"].to_numpy(),
            }
        )
    return out.dropna(subset=["score"]).reset_index(drop=True), gy


def _production(warehouse, year: int) -> pd.DataFrame:
    """USGS production by (mineral, chain_stage, iso3) in tonnes for the latest year <= ``year``."""
    if not warehouse.has("mineral_production"):
        return pd.DataFrame(columns=["mineral", "chain_stage", "iso3", "tonnes", "year", "unit"])
    p = warehouse.read("mineral_production")
    p = p[
        p["mineral"].notna()
        & p["iso3"].notna()
        & (p["iso3"] != "WLD")
        & ~p["statistics_detail"].str.contains("rounded", case=False, na=False)
        & (p["year"] <= year)
    ]
    p = p.assign(mineral=p["mineral"].replace(USGS_MINERAL_ALIAS))
    chain = p["stage"].map(USGS_STAGE_TO_CHAIN)
    prod_stage = np.where(p["mineral"].isin(USGS_PRODUCTION_IS_PROCESSING), "processing", "extraction")
    p = p.assign(chain_stage=chain.where(p["stage"] != "production", prod_stage))
    amount = p["value_tonnes"] if "value_tonnes" in p else p["value"]
    p = p.assign(tonnes=amount.fillna(p["value"])).dropna(subset=["tonnes", "chain_stage"])
    p = p[p["tonnes"] >= 0]
    latest = p.groupby(["mineral", "chain_stage"])["year"].transform("max")
    p = p[p["year"] == latest]
    return p.groupby(["mineral", "chain_stage", "iso3"], as_index=False).agg(
        tonnes=("tonnes", "sum"), year=("year", "first"), unit=("unit", "first")
    )


def _trade(warehouse, year: int) -> pd.DataFrame:
    t = _need(warehouse, "trade_flows")
    t = t[t["year"] == year]
    if t.empty:
        raise EmptySelectionError(
            f"no trade flows for {year} in table trade_flows "
            f"(years present: {', '.join(str(int(y)) for y in sorted(warehouse.read('trade_flows', ['year'])['year'].unique()))})"
        )
    pm = product_map(warehouse)
    t = t.merge(pm[["hs6", "mineral", "chain_stage"]], on="hs6", how="inner")
    return t[t["exporter"] != t["importer"]]


def _active_restrictions(restr: pd.DataFrame, year: int, factors: dict) -> pd.DataFrame:
    r = restr.copy()
    start = pd.to_datetime(r["date_from"]).dt.year
    end = pd.to_datetime(r["date_to"].replace("", None)).dt.year
    r = r[(start <= year) & (end.isna() | (end >= year))].copy()
    unknown = set(r["measure"]) - set(factors["factors"])
    if unknown:
        raise DataFormatError("trade_restrictions.csv", f"unknown measure(s) {sorted(unknown)}", field="measure")
    r["t"] = r["measure"].map(factors["factors"]).astype(float)
    return r


def _agreement_partners(warehouse, members: frozenset[str], year: int) -> set[str]:
    """Partners with an RTA in force with any of ``members`` (tables agreements + agreement_members)."""
    if not (warehouse.has("agreements") and warehouse.has("agreement_members")):
        return set()
    a = warehouse.read("agreements")
    m = warehouse.read("agreement_members")
    inforce = a[a["status"].astype(str).str.contains("In Force", case=False, na=False)]
    if "eif_goods" in inforce:
        eif = pd.to_datetime(inforce["eif_goods"], errors="coerce").dt.year
        inforce = inforce[eif.isna() | (eif <= year)]
    ids = set(m.loc[m["iso3"].isin(members), "rta_id"]) & set(inforce["rta_id"])
    return set(m.loc[m["rta_id"].isin(ids), "iso3"]) - set(members)


def _heading_flows(warehouse, members: frozenset[str], year: int) -> dict[str, dict]:
    """The reporter's ore and heading-level trade (TradeStat, BACI HS4) per (mineral, stage), by source."""
    products = warehouse.read("products") if warehouse.has("products") else products_table()
    hs_codes = warehouse.read("hs_codes") if warehouse.has("hs_codes") else None
    out: dict[str, dict] = {}
    if warehouse.has("tradestat_imports"):
        ts = warehouse.read("tradestat_imports")
        heads = classify_headings(ts["hs_code"].unique(), products, hs_codes, USGS_MINERAL_ALIAS)
        out["tradestat"] = tradestat_flows(ts, members, year, heads)
    if warehouse.has("hs4_top_flows"):
        f = warehouse.read("hs4_top_flows")
        totals = warehouse.read("hs4_world_totals") if warehouse.has("hs4_world_totals") else None
        heads = classify_headings(f["hs4"].unique(), products, hs_codes, USGS_MINERAL_ALIAS)
        out["baci_hs4"] = hs4_flows(f, totals, members, year, heads, metal_content_table())
    return out


# -- assembling the inputs ------------------------------------------------------------------------------
def _check_reporter(reporter: str, trade: pd.DataFrame, gov: pd.DataFrame) -> None:
    known = set(trade["exporter"]) | set(trade["importer"]) | set(gov["country"])
    if reporter in blocs():
        return
    if not (isinstance(reporter, str) and len(reporter) == 3 and reporter.isupper()):
        raise UnknownCodeError(
            "country", reporter, hint=f"expected an ISO3 code such as IND or a bloc ({', '.join(blocs())})"
        )
    if reporter not in known:
        raise UnknownCodeError(
            "country", reporter, where="trade_flows and governance", hint="expected an ISO3 code present in the data"
        )


def build_spec(
    settings: Settings,
    reporter: str = "IND",
    year: int = 2024,
    *,
    method: str = "eu",
    inputs: str | Path | None = None,
    agreements: bool | None = None,
    parameters: str = DEFAULT_PARAMETERS,
    share_concentration: float = DEFAULT_SHARE_CONCENTRATION,
    add_acts: tuple[str, ...] = (),
    lift_acts: tuple[str, ...] = (),
) -> tuple[CriticalitySpec, dict]:
    """Resolve every input of a criticality run from the warehouse and the parameter tables.

    Trade-related variable ``t_c`` (EU method): 1.1 for a supplier with an export restriction in
    force in the assessed year -- China's export-control acts as dated events (table
    ``export_control_events``, scope in ``export_control_scope.csv``; ``add_acts`` / ``lift_acts``
    are event ids a scenario adds or lifts, see :func:`critmin.services.criticality_controls.acts_in_force`)
    and other countries' measures (``trade_restrictions.csv``) --, ``home_market`` (0.8) for the reporter's own
    producers in global supply and in sourcing (as the EU 2023 assessment treats EU member
    states), 1.0 otherwise; with ``agreements=True`` partners sharing an RTA in force with the
    reporter get ``t_c x agreement_multiplier`` (0.8) in sourcing. ``None`` takes the default of
    ``trade_restriction_factors.yaml`` (off, as in the EU 2023 assessment).

    Returns
    -------
    (CriticalitySpec, dict)
        The spec for :class:`CriticalityModel`, and per-item provenance (``inputs`` records).
    """
    if method not in ("eu", "geopolrisk"):
        raise ValueError(f"method must be 'eu' or 'geopolrisk' here, got {method!r}")
    wh = open_warehouse(settings)
    tables = parameter_tables(inputs, parameters=parameters)
    mats, ov = tables["materials"], tables["overrides"]
    factors = trade_factors()
    gov, gov_year = _governance(wh, year, method)
    trade = _trade(wh, year)
    pm_all = product_map(wh)
    _check_reporter(reporter, trade, gov)
    members = reporter_members(reporter)
    prod = _production(wh, year)
    china = acts_in_force(_need(wh, "export_control_events"), year, factors, add=tuple(add_acts), lift=tuple(lift_acts))
    other = _active_restrictions(tables["trade_restrictions"], year, factors).reindex(columns=china.columns)
    restr = (
        pd.concat([f for f in (other, china) if not f.empty], ignore_index=True)
        if not (other.empty and china.empty)
        else china
    ).fillna({"targets": "", "stage": ""})
    if agreements is None:
        agreements = bool(factors.get("agreement_partners_in_baseline", False))
    fta = _agreement_partners(wh, members, year) if (method == "eu" and agreements) else set()
    home_t = float(factors.get("home_market", 1.0))
    economy_va = _economy_value_added(wh, reporter, year)
    eu_uses = eu_end_use_shares(wh) if economy_va is not None and reporter not in blocs() else None

    # items: every (mineral, stage) with trade data, plus USGS stages of minerals with parameters
    trade_items = set(map(tuple, trade[["mineral", "chain_stage"]].drop_duplicates().to_numpy()))
    known_minerals = set(mats["mineral"]) | {m for m, _ in trade_items}
    prod_items = set(
        map(
            tuple,
            prod.loc[prod["mineral"].isin(known_minerals), ["mineral", "chain_stage"]].drop_duplicates().to_numpy(),
        )
    )
    rule = flow_rule()
    heading = _heading_flows(wh, members, year)
    heading_items = {
        k for flows in heading.values() for k, f in flows.items() if f.has_imports and k[0] in known_minerals
    }
    items = sorted(trade_items | prod_items | heading_items)

    key = ["mineral", "chain_stage"]
    empty_trade = trade.iloc[0:0]
    trade_by = dict(tuple(trade.groupby(key)))
    basket_codes = set(pm_all.loc[pm_all["basket"], "hs6"])
    inside_i, inside_x = trade["importer"].isin(members), trade["exporter"].isin(members)
    imp_by = dict(tuple(trade[inside_i & ~inside_x].groupby(key)))  # trade between members is internal
    exp_by = dict(tuple(trade[inside_x & ~inside_i].groupby(key)))
    prod_by = dict(tuple(prod[prod["tonnes"] > 0].groupby(key)))
    restr_by = dict(tuple(restr.groupby("mineral")))
    item_rows, gs_rows, src_rows, provenance = [], [], [], {}
    for i, (mineral, stage) in enumerate(items):
        w = trade_by.get((mineral, stage), empty_trade)
        hs = sorted(w["hs6"].unique())
        info: dict = {"hs6": hs, "basket_hs6": sorted(w.loc[w["hs6"].isin(basket_codes), "hs6"].unique())}
        baci = None
        if hs:
            baci = StageFlows(
                source="baci_hs6",
                codes=hs,
                imports=imp_by.get((mineral, stage), empty_trade)[["exporter", "value_usd", "qty_t"]],
                exports=exp_by.get((mineral, stage), empty_trade)[["qty_t"]],
                world=w.groupby("exporter", as_index=False)["value_usd"].sum(),
                label=f"{BACI_SOURCE} imports of {reporter}, HS6 {', '.join(hs)}, {year}",
                period=f"CY{year}",
                basis="calendar year, BACI reconciled values (USD) and quantities (tonnes, gross weight)",
            )
        pick = pick_flows(
            mineral,
            stage,
            {"baci_hs6": baci, **{name: flows.get((mineral, stage)) for name, flows in heading.items()}},
            rule,
        )
        src_flows, qty_flows, world_flows = pick["sourcing"], pick["quantities"], pick["world"]
        info["flow_sources"] = list(flow_sources(mineral, stage, rule))
        # global supply: USGS production shares, else world export shares (proxy)
        pr = prod_by.get((mineral, stage), prod.iloc[0:0])
        if not pr.empty:
            gs = pr.groupby("iso3")["tonnes"].sum()
            info["global_supply_source"] = (
                f"{USGS_SOURCE}: world {stage} production by country, {int(pr['year'].iloc[0])}"
            )
        elif world_flows is not None:
            gs = world_flows.world.set_index("exporter")["value_usd"]
            info["global_supply_source"] = (
                f"proxy: world export shares by value, {world_flows.label} (no USGS production for this stage)"
            )
        elif src_flows is not None:
            gs = pd.Series(dtype=float)  # sourcing-only case of the guidelines
            info["global_supply_source"] = (
                "none: no USGS production and no world export table for this stage; "
                "scored on sourcing only (SR = HHI_WGI,t(sourcing) x (1 - EoL_RIR) x SI_SR)"
            )
        else:
            continue
        gs = gs[gs > 0]
        gs_share = gs / gs.sum() if len(gs) else gs
        # importer sourcing: domestic production + imports by partner (first source of the rule with imports)
        dom_by = (
            pr[pr["iso3"].isin(members)].groupby("iso3")["tonnes"].sum() if not pr.empty else pd.Series(dtype=float)
        )
        dom_t = float(dom_by.sum())
        src_share = pd.Series(dtype=float)
        ir = np.nan
        dom_frac = 0.0
        if src_flows is not None and qty_flows is None and dom_t > 0:
            info["sourcing_note"] = (
                f"{src_flows.label} has no quantities and no other source has them, so import "
                f"reliance (tonnes against domestic production) is unknown: global supply only"
            )
            src_flows = None
        if src_flows is not None:
            by_partner = src_flows.imports.groupby("exporter")["value_usd"].sum()
            by_partner = by_partner[by_partner > 0]
            if qty_flows is not None:
                m_t = float(qty_flows.imports["qty_t"].sum(skipna=True)) * qty_flows.qty_factor
                x_t = float(qty_flows.exports["qty_t"].sum(skipna=True)) * qty_flows.qty_factor
                ir = float(calc_import_reliance(dom_t, m_t, x_t))
                ir_src = (
                    f"P: {USGS_SOURCE if dom_t > 0 else 'no domestic production reported (0)'}; "
                    f"M, X: {qty_flows.label} quantities ({qty_flows.qty_note})"
                )
            else:  # no tonnes anywhere, but no domestic production either: every tonne used is imported
                m_t = x_t = np.nan
                ir = 1.0
                ir_src = (
                    f"P: no domestic production reported (0), so IR = 1 whatever the unit; M: {src_flows.label} "
                    f"(values; no quantities); exports are not in the source and are taken as 0"
                )
            dom_frac = dom_t / (dom_t + m_t) if (dom_t > 0 and (dom_t + m_t) > 0) else 0.0
            if method == "eu":
                src_share = by_partner / by_partner.sum() * (1 - dom_frac)
                if dom_frac > 0:
                    src_share = pd.concat([src_share, dom_by[dom_by > 0] / (dom_t + m_t)])
            else:
                src_share = by_partner / by_partner.sum()
            info["sourcing_source"] = src_flows.label + (f"; domestic production {USGS_SOURCE}" if dom_t > 0 else "")
            info["sourcing"] = src_flows.record()
            info["import_reliance"] = {
                "value": ir,
                "production_t": dom_t,
                "imports_t": None if np.isnan(m_t) else m_t,
                "exports_t": None if np.isnan(x_t) else x_t,
                "formula": "IR = (M - X) / (P + M - X), clipped to [0, 1]",
                "period": qty_flows.period if qty_flows is not None else src_flows.period,
                "source": ir_src,
            }
        else:
            info["sourcing_source"] = None  # "global supply only" case of the guidelines
        params = dict(material_params(mats, mineral, stage))
        params, t_over = apply_overrides(params, ov, mineral, stage)
        if "import_reliance_source" in params:
            ir = params["import_reliance"]
            info["import_reliance"] = {"value": ir, "source": params["import_reliance_source"]}
        ei_val = params.get("economic_importance", np.nan)
        si_ei = params.get("si_ei", np.nan)
        ei_src = params.get(
            "economic_importance_source", f"{params.get('ei_basis', '')}: {params.get('source', '')}".strip(": ")
        )
        from_end_use = ei_from_end_uses(ov, mineral)
        if from_end_use is None and economy_va is not None:
            from_end_use = ei_from_economy(ov, mineral, *economy_va)
        if from_end_use is not None:
            ei_base, ei_src = from_end_use
            ei_src = f"EI = 10 * sum(A_s Q_s) / max(Q_s) * SI_EI from --inputs: {ei_src}"
            if np.isnan(si_ei):
                si_ei = params["si_ei_low"] = params["si_ei_high"] = 1.0
        elif "economic_importance_source" in params and np.isnan(si_ei) and not np.isnan(ei_val):
            # an EI given by the user is final (after substitution) even where no SI_EI is published
            ei_base, si_ei = ei_val, 1.0
            params["si_ei_low"] = params["si_ei_high"] = 1.0
        else:
            ei_base = ei_val / si_ei if (si_ei and not np.isnan(si_ei) and not np.isnan(ei_val)) else np.nan
        info["economic_importance_eu"] = {
            "value": _num(params.get("economic_importance")),
            "source": f"{params.get('ei_basis', '')}: {params.get('source', '')}".strip(": ")
            if not np.isnan(_num(params.get("economic_importance"), np.nan))
            else None,
        }
        india = (
            ei_from_eu_end_uses(params.get("eu_material"), *economy_va, shares=eu_uses) if eu_uses is not None else None
        )
        pub_si = _num(params.get("si_ei"), np.nan)
        info["economic_importance_india"] = (
            (
                {"value": None, "note": END_USE_MISSING}
                if eu_uses is None and economy_va is not None and reporter not in blocs()
                else None
            )
            if india is None
            else {
                "value": None if np.isnan(india["ei_base"] * pub_si) else india["ei_base"] * pub_si,
                **india,
                "si_ei": None if np.isnan(pub_si) else pub_si,
                "formula": "EI = 10 * sum_i A_i Q_i / Q_max * SI_EI; A: EU 2023 end-use shares (NACE -> OECD industry), "
                "Q: the reporter's value added by industry, Q_max: its largest manufacturing industry",
            }
        )
        item_rows.append(
            {
                "material": mineral,
                "stage": stage,
                "import_reliance": ir,
                "domestic_fraction": dom_frac,
                "eol_rir": params["eol_rir"],
                "eol_rir_low": params["eol_rir_low"],
                "eol_rir_high": params["eol_rir_high"],
                "si_sr": params["si_sr"],
                "si_sr_low": params["si_sr_low"],
                "si_sr_high": params["si_sr_high"],
                "ei_base": ei_base,
                "si_ei": si_ei,
                "si_ei_low": params.get("si_ei_low", si_ei),
                "si_ei_high": params.get("si_ei_high", si_ei),
            }
        )
        idx = len(item_rows) - 1
        # trade-restriction factors t_c
        t_notes = []
        act = restr_by.get(mineral, restr.iloc[0:0])
        act = act[act["stage"].isin(["", stage])]

        by_country: dict[str, list] = {}
        for r in act.itertuples(index=False):
            by_country.setdefault(r.country, []).append(r)

        def t_of(country: str, sourcing: bool) -> float:
            if country in members:  # the assessing economy's own producers
                return t_over[country][0] if country in t_over else home_t
            t = 1.0
            for r in by_country.get(country, ()):
                targets = [x for x in r.targets.split(";") if x]
                if targets and not (sourcing and members & set(targets)):
                    continue
                t = max(t, r.t)
            if country in t_over:
                t = t_over[country][0]
            if method == "eu" and sourcing and country in fta:
                t *= factors["agreement_multiplier"]
            return t

        for c, s in gs_share.items():
            gs_rows.append(
                {"item": idx, "country": c, "share": float(s), "t": t_of(c, False) if method == "eu" else 1.0}
            )
        for c, s in src_share.items():
            src_rows.append(
                {"item": idx, "country": c, "share": float(s), "t": t_of(c, True) if method == "eu" else 1.0}
            )
        for r in act.itertuples(index=False):
            if method == "eu":
                note = {
                    "country": r.country,
                    "measure": r.measure,
                    "t": r.t,
                    "since": r.date_from,
                    "targets": r.targets or "all",
                    "source": r.source,
                }
                if isinstance(r.event_id, str):
                    note.update(
                        {"act": r.announcement, "event_id": r.event_id, "url": r.url, "in_force_date": r.in_force_date}
                    )
                t_notes.append(note)
        for c, (v, s) in t_over.items():
            t_notes.append({"country": c, "measure": "user override", "t": v, "source": s})
        info.update(
            {
                "global_supply_top": [
                    {"country": c, "share": round(float(s), 4)}
                    for c, s in gs_share.sort_values(ascending=False).head(5).items()
                ],
                "sourcing_top": [
                    {"country": c, "share": round(float(s), 4)}
                    for c, s in src_share.sort_values(ascending=False).head(5).items()
                ],
                "eol_rir": {
                    "value": params["eol_rir"],
                    "low": params["eol_rir_low"],
                    "high": params["eol_rir_high"],
                    "source": params.get("eol_rir_source", params.get("source")),
                },
                "si_sr": {
                    "value": params["si_sr"],
                    "low": params["si_sr_low"],
                    "high": params["si_sr_high"],
                    "source": params.get("si_sr_source", params.get("source")),
                },
                "si_ei": {"value": si_ei, "source": params.get("si_ei_source", params.get("source"))},
                "economic_importance": {
                    "value": None if np.isnan(ei_base * si_ei) else ei_base * si_ei,
                    "source": ei_src
                    if not np.isnan(ei_base)
                    else "no published EI input for this material; supply end_use_share and "
                    "sector_value_added rows with --inputs",
                },
                "eu_material": params.get("eu_material") or None,
                "note": params.get("note") or None,
                "trade_restrictions": t_notes,
                "agreement_partners": sorted(fta & set(src_share.index)) if method == "eu" else [],
                "t_rules": {
                    "home_market": home_t,
                    "agreements_applied": bool(agreements),
                    "agreement_multiplier": factors["agreement_multiplier"],
                    "source": factors["source"],
                }
                if method == "eu"
                else None,
                "governance": {
                    "year": gov_year,
                    "source": WGI_SOURCE,
                    "measure": "mean of 6 WGI estimates rescaled (WGI - 2.5) / -0.5 to 0-10"
                    if method == "eu"
                    else "political stability (pv) rescaled (2.5 - PV) / 5 to 0-1",
                },
            }
        )
        provenance[(mineral, stage)] = info
    if not item_rows:
        raise EmptySelectionError(f"no mineral has supply data for {reporter} in {year}")
    items_df = pd.DataFrame(item_rows)
    gs_df = pd.DataFrame(gs_rows, columns=["item", "country", "share", "t"])
    src_df = pd.DataFrame(src_rows, columns=["item", "country", "share", "t"])
    # governance for every country that appears; countries without WGI get the median (flagged)
    needed = set(gs_df["country"]) | set(src_df["country"])
    missing = sorted(needed - set(gov["country"]))
    if missing:
        fill = pd.DataFrame(
            {"country": missing, "score": gov["score"].median(), "score_sd": gov["score_sd"].max(), "raw": np.nan}
        )
        gov = pd.concat([gov, fill], ignore_index=True)
    for info in provenance.values():
        info["governance"]["imputed_median_for"] = missing
    spec = CriticalitySpec(
        items=items_df,
        global_supply=gs_df,
        sourcing=src_df,
        governance=gov[["country", "score", "score_sd"]],
        method=method,
        share_concentration=share_concentration,
        renormalise_shares=True,
    )  # trade tables are complete; levers move suppliers
    return spec, provenance


# -- scenarios ---------------------------------------------------------------------------------------
LEVER_TYPES = ("export_restriction", "fta", "export_control")


def _scenario_doc(path: Path) -> dict:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFormatError(path, "file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFormatError(path, f"not valid UTF-8 YAML ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("levers"), list) or not doc["levers"]:
        raise DataFormatError(path, "expected a mapping with a non-empty list 'levers'", field="levers")
    for i, lv in enumerate(doc["levers"], start=1):
        if not isinstance(lv, dict):
            raise DataFormatError(path, "each lever must be a mapping", row=i)
        if lv.get("type") not in LEVER_TYPES:
            raise DataFormatError(
                path, f"type must be one of {', '.join(LEVER_TYPES)}, got {lv.get('type')!r}", row=i, field="type"
            )
    return doc


def scenario_acts(path: str | Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The export-control acts a scenario adds and lifts (levers ``type: export_control``).

    A lever ``{type: export_control, act: CN-2025-18, action: add}`` applies the act in the assessed
    year whatever its dates; ``action: lift`` leaves it out. Returns ``(add, lift)`` event ids.
    """
    path = Path(path)
    add, lift = [], []
    for i, lv in enumerate(_scenario_doc(path)["levers"], start=1):
        if lv["type"] != "export_control":
            continue
        act, action = lv.get("act"), lv.get("action", "add")
        if not isinstance(act, str) or not act:
            raise DataFormatError(
                path,
                "an export_control lever needs 'act' (an event id of table export_control_events, e.g. CN-2025-18)",
                row=i,
                field="act",
            )
        if action not in ("add", "lift"):
            raise DataFormatError(path, f"action must be add or lift, got {action!r}", row=i, field="action")
        (add if action == "add" else lift).append(act)
    return tuple(add), tuple(lift)


def read_scenario(path: str | Path, spec: CriticalitySpec) -> tuple[str, list[Lever]]:
    """Parse a scenario YAML file into levers on the spec (see ``docs/criticality.md``).

    ``export_control`` levers (acts added or lifted) are not levers on the spec: they change which
    acts are in force, and :func:`criticality_scores` rebuilds the spec with them
    (:func:`scenario_acts`).
    """
    path = Path(path)
    doc = _scenario_doc(path)
    factors = trade_factors()
    items = spec.items
    levers = []
    for i, lv in enumerate(doc["levers"], start=1):
        if not isinstance(lv, dict):
            raise DataFormatError(path, "each lever must be a mapping", row=i)
        kind = lv.get("type")
        if kind == "export_control":
            continue
        country = lv.get("supplier" if kind == "export_restriction" else "partner")
        if not (isinstance(country, str) and len(country) == 3 and country.isupper()):
            raise DataFormatError(
                path,
                f"expected an ISO3 code, got {country!r}",
                row=i,
                field="supplier" if kind == "export_restriction" else "partner",
            )
        minerals = lv.get("minerals", "all")
        stages = lv.get("stages", "all")
        mask = np.ones(len(items), dtype=bool)
        if minerals != "all":
            minerals = [minerals] if isinstance(minerals, str) else list(minerals)
            unknown = set(minerals) - set(items["material"])
            if unknown:
                raise UnknownCodeError(
                    "mineral",
                    sorted(unknown)[0],
                    where=str(path),
                    hint=f"minerals in this run: {', '.join(sorted(items['material'].unique()))}",
                )
            mask &= items["material"].isin(minerals).to_numpy()
        if stages != "all":
            stages = [stages] if isinstance(stages, str) else list(stages)
            if set(stages) - set(STAGES):
                raise DataFormatError(path, f"stages must be among {STAGES}", row=i, field="stages")
            mask &= items["stage"].isin(stages).to_numpy()
        try:
            if kind == "export_restriction":
                measure = lv.get("measure", "export_ban")
                if measure not in factors["factors"]:
                    raise DataFormatError(
                        path, f"measure must be one of {sorted(factors['factors'])}", row=i, field="measure"
                    )
                t_factor = float(lv.get("t_factor", factors["factors"][measure]))
                share = float(lv.get("share_cut", 0.0))
            else:
                t_factor = float(lv.get("t_factor", factors["agreement_multiplier"]))
                share = float(lv.get("share_shift", 0.0))
            lever = Lever(
                kind=kind,
                country=country,
                items=tuple(np.flatnonzero(mask).tolist()),
                t_factor=t_factor,
                share_change=share,
                apply_to_global=(kind == "export_restriction"),
            )
        except (TypeError, ValueError) as exc:
            raise DataFormatError(path, str(exc), row=i) from None
        levers.append(lever)
    return str(doc.get("name", path.stem)), levers


# -- the questions ---------------------------------------------------------------------------------------
def criticality_scores(
    settings: Settings,
    reporter: str = "IND",
    year: int = 2024,
    *,
    method: Method = "eu",
    scenario: str | Path | None = None,
    draws: int = 1000,
    seed: int | None = 0,
    inputs: str | Path | None = None,
    agreements: bool | None = None,
    parameters: str = DEFAULT_PARAMETERS,
    share_concentration: float = DEFAULT_SHARE_CONCENTRATION,
) -> dict:
    """Criticality of every mineral in the data for an importer, per value-chain stage.

    Parameters
    ----------
    settings : Settings
    reporter : str, default "IND"
        Importer ISO3.
    year : int, default 2024
        Trade year; production and WGI use the latest year up to it.
    method : {"eu", "geopolrisk", "geodep"}
        EU CRM method (JRC 2017), GeoPolRisk, or the CEPII GeoDep product screen.
    scenario : path, optional
        Policy-lever YAML; scores are recomputed under it (same seed) and the shift reported.
    draws : int, default 1000
        Monte-Carlo draws (0 = point scores only).
    seed : int, optional
    inputs : path, optional
        User CSV overriding parameters (EoL-RIR, SI, EI, IR, ``t``, end-use shares...).
    agreements : bool, optional
        Lower ``t_c`` of partners that share an RTA in force with the reporter (EU method; see
        :func:`build_spec`). Default: off, as the EU 2023 assessment applied it.
    parameters : {"eu2023", "eu2017"}
        EU assessment whose published EoL-RIR, SI and EI are used (see :func:`parameter_tables`).

    Returns
    -------
    dict
        ``{"method", "reporter", "year", "draws", "seed", "scenario", "records": [...]}``; one record
        per mineral and stage with ``supply_risk``, ``economic_importance``, ``critical``, the
        ``*_p05/p50/p95`` bands and the ``inputs`` used with their sources.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if draws < 0:
        raise ValueError("draws must be >= 0")
    if method == "geodep":
        if scenario is not None:
            raise ValueError("scenarios apply to the eu and geopolrisk methods, not geodep")
        return geodep_screen(settings, reporter, year)
    spec, prov = build_spec(
        settings,
        reporter,
        year,
        method=method,
        inputs=inputs,
        agreements=agreements,
        parameters=parameters,
        share_concentration=share_concentration,
    )
    base = CriticalityModel(spec).run(draws, seed=seed).to_frame()
    scen_name = None
    frame = base
    if scenario is not None:
        scen_name, levers = read_scenario(scenario, spec)
        add, lift = scenario_acts(scenario)
        base_spec = spec
        if add or lift:  # acts added or lifted change t_c: resolve the inputs again with them
            base_spec, prov = build_spec(
                settings,
                reporter,
                year,
                method=method,
                inputs=inputs,
                agreements=agreements,
                parameters=parameters,
                share_concentration=share_concentration,
                add_acts=add,
                lift_acts=lift,
            )
        gs, src = apply_levers(base_spec.global_supply, base_spec.sourcing, levers)
        spec2 = CriticalitySpec(
            items=base_spec.items,
            global_supply=gs,
            sourcing=src,
            governance=base_spec.governance,
            method=base_spec.method,
            share_concentration=base_spec.share_concentration,
            renormalise_shares=base_spec.renormalise_shares,
        )
        frame = CriticalityModel(spec2).run(draws, seed=seed).to_frame()
        for col in ("supply_risk", "economic_importance", "critical", "supply_risk_p05", "supply_risk_p95"):
            frame[f"baseline_{col}"] = base[col].to_numpy()
        frame["delta_supply_risk"] = frame["supply_risk"] - frame["baseline_supply_risk"]
    records = []
    for row in frame.to_dict("records"):
        row["inputs"] = prov[(row["material"], row["stage"])]
        if method == "eu":  # EI of the EU (published, the default proxy) and of the reporter's own economy
            ei_eu = row["inputs"]["economic_importance_eu"]["value"]
            ei_in = (row["inputs"]["economic_importance_india"] or {}).get("value")
            sr = row["supply_risk"]
            row["economic_importance_eu"] = ei_eu
            row["economic_importance_india"] = ei_in
            row["critical_eu_ei"] = None if ei_eu is None or pd.isna(sr) else bool(is_critical(ei_eu, sr))
            row["critical_india_ei"] = None if ei_in is None or pd.isna(sr) else bool(is_critical(ei_in, sr))
        records.append(row)
    return {
        "method": method,
        "reporter": reporter,
        "year": year,
        "draws": draws,
        "seed": seed,
        "scenario": scen_name,
        "parameters": parameters,
        "agreements": next(iter(prov.values()))["t_rules"]["agreements_applied"] if method == "eu" else None,
        "thresholds": {"economic_importance": 2.8, "supply_risk": 1.0} if method == "eu" else None,
        "records": records,
    }


def geodep_screen(settings: Settings, reporter: str = "IND", year: int = 2024) -> dict:
    """CEPII GeoDep screen (criteria 1-3) over every HS6 product the reporter imports."""
    wh = open_warehouse(settings)
    t = _need(wh, "trade_flows")
    t = t[t["year"] == year]
    if t.empty:
        raise EmptySelectionError(f"no trade flows for {year} in table trade_flows")
    if reporter not in set(t["importer"]):
        hint = (
            "the geodep screen takes one economy; blocs work with --method eu or geopolrisk"
            if reporter in blocs()
            else None
        )
        raise UnknownCodeError("country", reporter, where=f"importers of trade_flows {year}", hint=hint)
    out = calc_geodep(t, reporter)
    pm = product_map(wh)
    pm = (
        pm.groupby("hs6")
        .agg(material=("mineral", lambda m: ";".join(sorted(set(m)))), stage=("chain_stage", "first"))
        .reset_index()
    )
    out = out.merge(pm, on="hs6", how="left")
    out["method"] = "geodep"
    out["critical"] = out["dependent"]
    out["c4_persistence"] = None  # needs three years of all-pairs trade
    out["inputs"] = [
        {
            "source": f"{BACI_SOURCE}, {year}",
            "criteria": "import HHI > 0.4, world-export HHI > 0.4, "
            "imports/exports > 1 (Vicard & Wibaux 2023; CEPII GeoDep)",
            "c4": "not assessed (one year)",
        }
    ] * len(out)
    return {
        "method": "geodep",
        "reporter": reporter,
        "year": year,
        "draws": 0,
        "seed": None,
        "scenario": None,
        "thresholds": {"import_hhi": 0.4, "export_hhi": 0.4, "import_export_ratio": 1.0},
        "records": out.to_dict("records"),
    }
