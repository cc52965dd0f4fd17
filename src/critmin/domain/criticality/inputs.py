"""Assembly of a :class:`~critmin.domain.criticality.model.CriticalitySpec` from frames (pure rules, no I/O).

``assemble_spec(InputTables(...), method="eu") -> (CriticalitySpec, provenance)``. The caller reads the
tables (trade flows mapped to minerals, USGS production, governance scores, restrictions in force,
parameter tables, heading-level flows); this module holds the rules that turn them into the inputs
of the EU (JRC 2017) and GeoPolRisk scores, per (mineral, value-chain stage):

* **items** (tables mapped by :mod:`.mapping`): every (mineral, stage) with trade, plus USGS stages
  and heading-level imports of minerals with parameters;
* **global supply** ``S_c``: USGS production shares, else world export shares (a proxy), else none
  (sourcing-only case of the guidelines);
* **sourcing**: imports by partner from the first flow source with imports (:mod:`.flows`), and for
  the EU method domestic production: ``S_c = M_c / M * (1 - P / (P + M))`` for partners and ``P_c / (P + M)``
  for the reporter's own producers;
* **import reliance** ``IR = (M - X) / (P + M - X)`` clipped to [0, 1] (``IR = 1`` without domestic
  production and without tonnes);
* **trade-related variable** ``t_c`` (EU method, :mod:`.trade_factors`): the largest ``t`` of the
  restrictions in force on the supplier (acts with targets only count in sourcing when they target
  the reporter), ``home_market`` for the reporter's own producers, user overrides, and
  ``t_c x agreement_multiplier`` in sourcing for RTA partners when agreements are on;
* **parameters** and **EI** (:mod:`.parameters`, :mod:`.economic_importance`);
* **governance**: countries without WGI get the median score (:func:`.governance.impute_missing_governance`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from critmin.domain.criticality.economic_importance import (
    published_economic_importance,
    reporter_economic_importance,
    resolve_economic_importance,
)
from critmin.domain.criticality.eu import calc_import_reliance
from critmin.domain.criticality.flows import StageFlows, flow_sources, pick_flows
from critmin.domain.criticality.governance import impute_missing_governance
from critmin.domain.criticality.mapping import (
    PRODUCT_MAP_COLUMNS,
    PRODUCTION_COLUMNS,
    USGS_MINERAL_ALIAS,
    USGS_PRODUCTION_IS_PROCESSING,
    USGS_STAGE_TO_CHAIN,
    check_reporter,
    mineral_trade,
    production_by_stage,
    select_product_codes,
)
from critmin.domain.criticality.model import CriticalitySpec
from critmin.domain.criticality.parameters import apply_overrides, material_params
from critmin.domain.criticality.trade_factors import (
    TradeFactorRule,
    agreement_partners,
    measures_in_force,
    restriction_notes,
    restrictions_in_force,
)
from critmin.errors import EmptySelectionError

__all__ = [
    "BACI_SOURCE",
    "DEFAULT_SHARE_CONCENTRATION",
    "PRODUCTION_COLUMNS",
    "PRODUCT_MAP_COLUMNS",
    "USGS_MINERAL_ALIAS",
    "USGS_PRODUCTION_IS_PROCESSING",
    "USGS_SOURCE",
    "USGS_STAGE_TO_CHAIN",
    "WGI_SOURCE",
    "InputTables",
    "TradeFactorRule",
    "agreement_partners",
    "assemble_spec",
    "assessed_items",
    "check_reporter",
    "measures_in_force",
    "mineral_trade",
    "production_by_stage",
    "restriction_notes",
    "restrictions_in_force",
    "select_product_codes",
]
WGI_SOURCE = "World Bank Worldwide Governance Indicators, 2024 update (table governance)"
BACI_SOURCE = "CEPII BACI HS17 (table trade_flows)"
USGS_SOURCE = "USGS Mineral Commodity Summaries 2026 data release (table mineral_production)"
DEFAULT_SHARE_CONCENTRATION = 200.0


# -- the assembly ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InputTables:
    """Everything a criticality run reads, already selected for the reporter and year.

    Attributes
    ----------
    reporter : str
        Importer ISO3 or bloc.
    members : frozenset of str
        The reporter's economies (itself, or a bloc's members).
    year : int
        Trade year.
    trade : DataFrame
        :func:`mineral_trade`: ``exporter, importer, hs6, value_usd, qty_t, mineral, chain_stage``.
    basket_codes : frozenset of str
        HS6 codes that also cover other goods.
    production : DataFrame
        :func:`production_by_stage`.
    governance : DataFrame
        :func:`.governance.governance_scores`.
    governance_year : int
    restrictions : DataFrame
        :func:`restrictions_in_force`.
    materials, overrides : DataFrame
        The EU assessment's parameters and the user's override rows.
    factors : dict
        ``trade_restriction_factors.yaml``.
    flow_rule : dict
        The ordered flow sources per item (:func:`.flows.flow_sources`).
    heading_flows : dict
        ``{source: {(mineral, stage): StageFlows}}`` of the heading-level tables (``tradestat``, ``baci_hs4``).
    agreements : bool
        Lower ``t_c`` of RTA partners in sourcing.
    agreement_partners : frozenset of str
        Partners with an RTA in force (used when ``agreements``).
    economy_value_added : (Series, str), optional
        The reporter's value added by OECD industry and its label.
    eu_end_uses : DataFrame, optional
        :func:`.economic_importance.end_use_shares` (None when not built or not used).
    end_use_shares_missing : bool
        The reporter's EI needs the EU end-use shares and they are not built.
    """

    reporter: str
    members: frozenset[str]
    year: int
    trade: pd.DataFrame
    basket_codes: frozenset[str]
    production: pd.DataFrame
    governance: pd.DataFrame
    governance_year: int
    restrictions: pd.DataFrame
    materials: pd.DataFrame
    overrides: pd.DataFrame
    factors: Mapping[str, Any]
    flow_rule: dict[str, Any]
    heading_flows: Mapping[str, Mapping[tuple[str, str], StageFlows]] = field(default_factory=dict)
    agreements: bool = False
    agreement_partners: frozenset[str] = frozenset()
    economy_value_added: tuple[pd.Series, str] | None = None
    eu_end_uses: pd.DataFrame | None = None
    end_use_shares_missing: bool = False


def assessed_items(tables: InputTables) -> list[tuple[str, str]]:
    """Every (mineral, stage) with trade, plus USGS stages and heading-level imports of minerals with
    parameters or trade, sorted."""
    trade, prod, mats = tables.trade, tables.production, tables.materials
    trade_items = set(map(tuple, trade[["mineral", "chain_stage"]].drop_duplicates().to_numpy()))
    known_minerals = set(mats["mineral"]) | {m for m, _ in trade_items}
    prod_items = set(
        map(
            tuple,
            prod.loc[prod["mineral"].isin(known_minerals), ["mineral", "chain_stage"]].drop_duplicates().to_numpy(),
        )
    )
    heading_items = {
        k
        for flows in tables.heading_flows.values()
        for k, f in flows.items()
        if f.has_imports and k[0] in known_minerals
    }
    return sorted(trade_items | prod_items | heading_items)


def _global_supply(
    pr: pd.DataFrame, stage: str, world_flows: StageFlows | None, src_flows: StageFlows | None
) -> tuple[pd.Series, str] | None:
    """Global supply by country and its source: USGS production, else world exports by value (a proxy),
    else an empty series (the sourcing-only case); None when the item has neither supply nor sourcing."""
    if not pr.empty:
        return pr.groupby("iso3")["tonnes"].sum(), (
            f"{USGS_SOURCE}: world {stage} production by country, {int(pr['year'].iloc[0])}"
        )
    if world_flows is not None:
        return world_flows.world.set_index("exporter")["value_usd"], (
            f"proxy: world export shares by value, {world_flows.label} (no USGS production for this stage)"
        )
    if src_flows is not None:
        return pd.Series(dtype=float), (
            "none: no USGS production and no world export table for this stage; "
            "scored on sourcing only (SR = HHI_WGI,t(sourcing) x (1 - EoL_RIR) x SI_SR)"
        )
    return None


def _sourcing(
    info: dict[str, Any],
    pr: pd.DataFrame,
    members: frozenset[str],
    src_flows: StageFlows | None,
    qty_flows: StageFlows | None,
    method: str,
) -> tuple[pd.Series, float, float]:
    """The importer's sourcing shares, import reliance and domestic fraction ``P / (P + M)`` of one item.

    Domestic production (``pr`` of ``members``) plus imports by partner (values of ``src_flows``); IR from
    the tonnes of ``qty_flows``. Adds ``sourcing_note``, ``sourcing_source``, ``sourcing`` and
    ``import_reliance`` to ``info``.
    """
    dom_by = pr[pr["iso3"].isin(members)].groupby("iso3")["tonnes"].sum() if not pr.empty else pd.Series(dtype=float)
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
    if src_flows is None:
        info["sourcing_source"] = None  # "global supply only" case of the guidelines
        return src_share, ir, dom_frac
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
    return src_share, ir, dom_frac


def _top(shares: pd.Series) -> list[dict[str, Any]]:
    return [{"country": c, "share": round(float(v), 4)} for c, v in shares.sort_values(ascending=False).head(5).items()]


def _parameter_records(params: dict[str, Any], si_ei: float, ei_base: float, ei_src: str) -> dict[str, Any]:
    """Provenance of an item's EoL-RIR, SI_SR, SI_EI and EI."""
    return {
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
    }


def _item_row(
    mineral: str, stage: str, ir: float, dom_frac: float, params: dict[str, Any], ei_base: float, si_ei: float
) -> dict[str, Any]:
    """One row of the spec's ``items`` table (:data:`critmin.domain.criticality.model.ITEM_COLUMNS`)."""
    return {
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


def assemble_spec(
    tables: InputTables, *, method: str = "eu", share_concentration: float = DEFAULT_SHARE_CONCENTRATION
) -> tuple[CriticalitySpec, dict]:
    """The :class:`CriticalitySpec` of a run and per-item provenance (the ``inputs`` records).

    See the module docstring for the rules. ``method`` is ``eu`` or ``geopolrisk`` (GeoPolRisk: ``t_c = 1``,
    sourcing shares of imports only).

    Raises
    ------
    EmptySelectionError
        No item has supply data.
    """
    if method not in ("eu", "geopolrisk"):
        raise ValueError(f"method must be 'eu' or 'geopolrisk' here, got {method!r}")
    eu = method == "eu"
    reporter, members, year = tables.reporter, tables.members, tables.year
    trade, prod, restr, factors = tables.trade, tables.production, tables.restrictions, tables.factors
    fta = set(tables.agreement_partners) if (eu and tables.agreements) else set()
    home_t = float(factors.get("home_market", 1.0))
    rule = tables.flow_rule

    key = ["mineral", "chain_stage"]
    empty_trade = trade.iloc[0:0]
    trade_by = dict(tuple(trade.groupby(key)))
    inside_i, inside_x = trade["importer"].isin(members), trade["exporter"].isin(members)
    imp_by = dict(tuple(trade[inside_i & ~inside_x].groupby(key)))  # trade between members is internal
    exp_by = dict(tuple(trade[inside_x & ~inside_i].groupby(key)))
    prod_by = dict(tuple(prod[prod["tonnes"] > 0].groupby(key)))
    restr_by = dict(tuple(restr.groupby("mineral")))
    item_rows: list[dict] = []
    gs_rows: list[dict] = []
    src_rows: list[dict] = []
    provenance: dict[tuple[str, str], dict] = {}
    for mineral, stage in assessed_items(tables):
        w = trade_by.get((mineral, stage), empty_trade)
        hs = sorted(w["hs6"].unique())
        info: dict[str, Any] = {
            "hs6": hs,
            "basket_hs6": sorted(w.loc[w["hs6"].isin(tables.basket_codes), "hs6"].unique()),
        }
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
        candidates: dict[str, StageFlows | None] = {
            "baci_hs6": baci,
            **{name: flows.get((mineral, stage)) for name, flows in tables.heading_flows.items()},
        }
        pick = pick_flows(mineral, stage, candidates, rule)
        info["flow_sources"] = list(flow_sources(mineral, stage, rule))
        pr = prod_by.get((mineral, stage), prod.iloc[0:0])
        supply = _global_supply(pr, stage, pick["world"], pick["sourcing"])
        if supply is None:
            continue
        gs, info["global_supply_source"] = supply
        gs = gs[gs > 0]
        gs_share = gs / gs.sum() if len(gs) else gs
        src_share, ir, dom_frac = _sourcing(info, pr, members, pick["sourcing"], pick["quantities"], method)
        params = dict(material_params(tables.materials, mineral, stage))
        params, t_over = apply_overrides(params, tables.overrides, mineral, stage)
        if "import_reliance_source" in params:
            ir = params["import_reliance"]
            info["import_reliance"] = {"value": ir, "source": params["import_reliance_source"]}
        ei_base, si_ei, ei_src = resolve_economic_importance(
            params, tables.overrides, mineral, tables.economy_value_added
        )
        info["economic_importance_eu"] = published_economic_importance(params)
        info["economic_importance_india"] = reporter_economic_importance(
            params, tables.economy_value_added, tables.eu_end_uses, shares_missing=tables.end_use_shares_missing
        )
        item_rows.append(_item_row(mineral, stage, ir, dom_frac, params, ei_base, si_ei))
        idx = len(item_rows) - 1
        # trade-restriction factors t_c
        act = restr_by.get(mineral, restr.iloc[0:0])
        act = act[act["stage"].isin(["", stage])]
        t_rule = TradeFactorRule.of_item(
            act,
            members=members,
            overrides=t_over,
            home_market=home_t,
            partners=frozenset(fta),
            agreement_multiplier=float(factors["agreement_multiplier"]),
        )
        for c, v in gs_share.items():
            gs_rows.append(
                {"item": idx, "country": c, "share": float(v), "t": t_rule.t(c, sourcing=False) if eu else 1.0}
            )
        for c, v in src_share.items():
            src_rows.append(
                {"item": idx, "country": c, "share": float(v), "t": t_rule.t(c, sourcing=True) if eu else 1.0}
            )
        info.update(
            {
                "global_supply_top": _top(gs_share),
                "sourcing_top": _top(src_share),
                **_parameter_records(params, si_ei, ei_base, ei_src),
                "trade_restrictions": restriction_notes(act if eu else act.iloc[0:0], t_over),
                "agreement_partners": sorted(fta & set(src_share.index)) if eu else [],
                "t_rules": {
                    "home_market": home_t,
                    "agreements_applied": bool(tables.agreements),
                    "agreement_multiplier": factors["agreement_multiplier"],
                    "source": factors["source"],
                }
                if eu
                else None,
                "governance": {
                    "year": tables.governance_year,
                    "source": WGI_SOURCE,
                    "measure": "mean of 6 WGI estimates rescaled (WGI - 2.5) / -0.5 to 0-10"
                    if eu
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
    gov, missing = impute_missing_governance(tables.governance, set(gs_df["country"]) | set(src_df["country"]))
    for info in provenance.values():
        info["governance"]["imputed_median_for"] = missing
    spec = CriticalitySpec(
        items=items_df,
        global_supply=gs_df,
        sourcing=src_df,
        governance=gov[["country", "score", "score_sd"]],
        method="eu" if eu else "geopolrisk",
        share_concentration=share_concentration,
        renormalise_shares=True,
    )  # trade tables are complete; levers move suppliers
    return spec, provenance
