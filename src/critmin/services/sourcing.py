"""Q4 -- the best sourcing mix for a mineral given FTAs, freight, currency and a supplier cap.

:func:`sourcing` assembles the candidate suppliers (:func:`sourcing_candidates`) and solves
:class:`~critmin.domain.scenarios.sourcing.SourcingModel` (or
:func:`~critmin.domain.scenarios.sourcing.minimise_concentration` /
:class:`~critmin.domain.scenarios.sourcing.CvarSourcingModel`) with and without the FTA(s).
The candidates' inputs come from the domain: tariffs from
:func:`critmin.domain.policy.tariffs.tariff_lookup` and :func:`critmin.domain.policy.schedule.fta_rate`,
freight from :func:`critmin.domain.scenarios.routes.freight_per_t`, FX premia, prices and the
concentrate surplus from :mod:`critmin.domain.scenarios.market`, supplier risk from
:mod:`critmin.domain.scenarios.supplier_risk`. User files are read by :mod:`critmin.sources.scenario_files`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from critmin.vocabulary import Objective, check, options
from critmin.config import Settings
from critmin.domain.policy import tariffs as tariff_rules
from critmin.domain.policy.schedule import fta_rate
from critmin.domain.policy.tariffs import TariffTable
from critmin.domain.scenarios import candidates, market, supplier_risk
from critmin.domain.scenarios.routes import freight_per_t
from critmin.domain.scenarios.candidates import UnknownTariff
from critmin.domain.scenarios.shocks import ShockSpec
from critmin.domain.scenarios.sourcing import (
    CvarSourcingModel,
    DisruptionScenarios,
    SourcingModel,
    SourcingSpec,
    compare_results,
    minimise_concentration,
)
from critmin.errors import EmptySelectionError
from critmin.scenario_data import load_parameters, load_ports
from critmin.services._scenario_common import (
    CONCENTRATE_HS6,
    CURRENCY_OF,
    _copper_price,
    _products,
    _warehouse,
    concentrate_surplus,
)
from critmin.services.projection import projection
from critmin.services.shock import load_shock_scenario
from critmin.sources.scenario_files import read_freight_file, read_tariff_file
from critmin.tariff_frame import validate_tariff_frame

__all__ = [
    "OBJECTIVES",
    "Objective",
    "UnknownTariff",
    "default_demand",
    "fta_rate",
    "mfn_what_if",
    "read_freight_file",
    "read_tariff_file",
    "sourcing",
    "sourcing_candidates",
    "tariff_lookup",
]

OBJECTIVES = options("objective")


def mfn_what_if(reporter: str, hs6: str, rate_pct: float, *, year: int = 2024, source: str) -> pd.DataFrame:
    """A one-row tariff frame setting a what-if MFN rate (percent) for ``hs6`` from ``year`` on."""
    return validate_tariff_frame(
        pd.DataFrame(
            [{"reporter": reporter, "partner": "WLD", "year": year, "hs": hs6, "rate": str(rate_pct), "source": source}]
        ),
        file="what-if tariff",
    )


def _default_tariff_table() -> TariffTable:
    """critmin's cited starter tariff table (``critmin/tariff_data/starter_tariffs.csv``)."""
    from critmin.services.tariffs import starter_tariffs

    return starter_tariffs()


def tariff_lookup(
    reporter: str,
    partners: Sequence[str],
    hs6: str,
    year: int,
    *,
    tariffs: Mapping[str, float] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Tariff (fraction) per partner for one HS6 line and year, with its basis.

    :func:`critmin.domain.policy.tariffs.tariff_lookup` on critmin's starter table
    (``tariff_data/starter_tariffs.csv``), whose rows a tariff frame ``tariffs`` overrides; a
    ``{partner: rate}`` mapping (fractions) comes first. Order: mapping -> PRF -> MFN -> unknown
    (NaN, never guessed).
    """
    mapping = tariffs if isinstance(tariffs, Mapping) else None
    frame = None if isinstance(tariffs, Mapping) else tariffs
    base = _default_tariff_table()
    table = base.combine(TariffTable(frame, file="tariff table")) if frame is not None and len(frame) else base
    return tariff_rules.tariff_lookup(table, reporter, partners, hs6, year, mapping=mapping)


def _fx_premium(wh, currencies: Mapping[str, str]) -> dict[str, float]:
    """FX premium per supplier from ``fx_rates`` (:func:`critmin.domain.scenarios.market.fx_premium`)."""
    if not wh.has("fx_rates"):
        return {}
    return market.fx_premium(wh.read("fx_rates"), currencies, multiplier=load_parameters()["fx_risk"]["multiplier"])


def sourcing_candidates(
    settings: Settings,
    mineral: str,
    stage: str,
    year: int,
    *,
    importer: str = "IND",
    destination: str = "Mundra",
    fta: Sequence[str] = (),
    with_fta: bool = True,
    tariffs=None,
    freight_table: Mapping[str, float] | None = None,
    available_share: float | None = None,
    unknown_tariff: UnknownTariff = "exclude",
    fta_entry_year: int | None = None,
    fta_phase_in_years: int | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Candidate suppliers with capacity, price, tariff, freight and FX premium, plus notes.

    Copper concentrate (HS 260300): quantities are tonnes of **copper content**; capacity is
    ``available_share x`` the exportable surplus ``max(0, mine - refinery)`` (USGS), price the Pink
    Sheet LME copper price x the payable fraction, freight per tonne of concentrate divided by its
    typical grade (:func:`~critmin.domain.scenarios.candidates.concentrate_candidates`). Other
    products: gross tonnes from ``trade_flows``; capacity ``available_share x`` the supplier's
    exports, price its export unit value (:func:`~critmin.domain.scenarios.candidates.trade_candidates`).
    Then freight (:func:`~critmin.domain.scenarios.routes.freight_per_t`), tariffs
    (:func:`tariff_lookup`, :func:`~critmin.domain.scenarios.candidates.apply_fta`), FX premia
    (:func:`~critmin.domain.scenarios.market.fx_premium`) and the missing-data screen
    (:func:`~critmin.domain.scenarios.candidates.screen_candidates`).
    """
    check("unknown tariff", unknown_tariff)
    params = load_parameters()
    share = params["sourcing"]["available_share_of_mine_output"] if available_share is None else available_share
    products = _products(mineral=mineral, stage=stage)
    hs6 = products[0]
    notes: dict = {"assumptions": [], "sources": {}, "unit_value_outliers": []}
    wh = _warehouse(settings, ["trade_flows", "mineral_production", "metal_prices", "fx_rates", "geo_countries"])
    from critmin.classify.metal_content import metal_factor

    if hs6 == CONCENTRATE_HS6:
        surplus, py = concentrate_surplus(wh, year)
        lme, lme_src = _copper_price(wh, year)
        payable = params["contracts"]["copper_concentrate"]["payable_pct"]
        cand = candidates.concentrate_candidates(
            surplus.drop(index=[importer], errors="ignore"), available_share=share, price_usd_t=lme * payable
        )
        grade = metal_factor(CONCENTRATE_HS6)
        unit = "t Cu content"
        notes["assumptions"] += [
            f"capacity = {share:g} x exportable concentrate surplus = max(0, mine - refinery production), "
            f"USGS {py}, t Cu content (refinery output includes scrap and imported feed, so countries that "
            f"smelt more than they mine get no surplus)",
            f"price = {lme_src} x payable {payable} = USD {lme * payable:,.0f}/t Cu (same for every supplier)",
            f"freight per t Cu = freight per t concentrate / typical grade {grade} (classification metal_content)",
            "HS 2603 is not in the BACI extract; current Indian imports by partner are in tradestat_imports (USD only)",
        ]
        notes["sources"].update({"capacity": f"mineral_production (USGS MCS 2026, {py})", "price": lme_src})
        gross_per_unit = 1.0 / grade
    else:
        tf = wh.read("trade_flows")
        f = tf[tf["hs6"].isin(products) & (tf["exporter"] != importer)]
        fy = int(f.loc[f["year"] <= year, "year"].max())
        tc = candidates.trade_candidates(f[f["year"] == fy], available_share=share)
        cand = tc.candidates
        notes["unit_value_outliers"] = tc.unit_value_outliers
        unit = "t gross weight"
        notes["assumptions"] += [
            f"capacity = {share:g} x the supplier's {fy} exports of {', '.join(products)}",
            "price = the supplier's export unit value (BACI value / quantity); suppliers whose "
            f"unit value is below 0.5x or above 2x the world's (USD {tc.world_unit_value:,.0f}/t) are left "
            "out as quantity errors",
        ]
        notes["sources"].update({"capacity": f"trade_flows (BACI {fy})", "price": f"trade_flows (BACI {fy})"})
        gross_per_unit = 1.0
    # freight
    rate = params["freight"]["usd_per_t_per_1000nm"]
    geo = None
    if wh.has("geo_countries"):
        geo = wh.read("geo_countries")
        geo = geo[geo["maincity"] == 1] if "maincity" in geo.columns else geo
    fr = freight_per_t(cand["partner"], destination, rate, ports=load_ports(), freight_table=freight_table, geo=geo)
    cand = cand.merge(fr, on="partner", how="left")
    cand["freight_usd_t"] = cand["freight_usd_t_gross"] * gross_per_unit
    notes["assumptions"].append(
        f"freight = sea distance (searoute, critmin port table) x USD {rate}/t per "
        f"1,000 nm ({params['freight']['source']}) unless a freight table is given"
    )
    # tariffs (base) and FTA
    tl = tariff_lookup(importer, list(cand["partner"]), hs6, year, tariffs=tariffs)
    cand = cand.merge(tl, on="partner", how="left")
    fta = tuple(p.upper() for p in fta)
    fd = dict(params["tariffs"]["fta_default"])
    if fta_entry_year is not None:
        fd["entry_year"] = int(fta_entry_year)
    if fta_phase_in_years is not None:
        fd["phase_in_years"] = int(fta_phase_in_years)
    if with_fta and fta:
        cand = candidates.apply_fta(
            cand,
            fta,
            year,
            entry_year=fd["entry_year"],
            phase_in_years=fd["phase_in_years"],
            target_rate=fd["rate"],
        )
    # FX premium
    cur = {p: CURRENCY_OF[p] for p in cand["partner"] if p in CURRENCY_OF}
    prem = _fx_premium(wh, cur)
    cand["fx_premium_rate"] = cand["partner"].map(prem)
    no_fx = cand.loc[cand["fx_premium_rate"].isna(), "partner"].tolist()
    cand["fx_premium_rate"] = cand["fx_premium_rate"].fillna(params["fx_risk"]["default_premium"])
    notes["assumptions"].append(
        f"FX premium = {params['fx_risk']['multiplier']} x annualised volatility of the "
        f"supplier currency per USD, 2015-2024 (fx_rates); "
        f"{params['fx_risk']['default_premium']} where unknown"
    )
    screened = candidates.screen_candidates(cand, unknown_tariff=unknown_tariff)
    notes.update(
        {
            "unit": unit,
            "hs6": hs6,
            "unknown_tariffs": screened.unknown_tariffs,
            "missing_freight": screened.missing_freight,
            "no_fx_premium_data": no_fx,
            "excluded_missing_data": screened.excluded,
        }
    )
    if screened.kept.empty:
        raise EmptySelectionError(
            f"no candidate supplier left for {mineral} {stage} ({hs6}): unknown tariff for "
            f"{', '.join(screened.unknown_tariffs) or 'none'}; missing freight for "
            f"{', '.join(screened.missing_freight) or 'none'}. "
            f"Give rates with --tariffs FILE (reporter,partner,hs6,year,rate) or accept them as 0 with "
            f"--unknown-tariff zero (they are reported either way)"
        )
    return screened.kept, notes


def default_demand(settings: Settings, mineral: str, year: int) -> tuple[float, str]:
    """Demand (t) for a sourcing year: the central projection's imports (copper concentrate)."""
    if mineral != "copper":
        raise EmptySelectionError(f"no default demand for {mineral}; pass --demand TONNES")
    res = projection(settings, "copper", end_year=max(year, 2031))
    p = res.paths
    v = float(p[(p["scenario"] == "central") & (p["year"] == year)]["imports"].iloc[0]) * 1000.0
    return v, f"central import projection for {year} (t Cu content)"


def sourcing(
    settings: Settings,
    mineral: str,
    stage: str,
    year: int,
    *,
    importer: str = "IND",
    destination: str = "Mundra",
    demand_t: float | None = None,
    max_share: float | None = 0.65,
    fta: Sequence[str] = (),
    min_fta_share: float | None = None,
    exclude: Sequence[str] = (),
    tariffs=None,
    freight_table: Mapping[str, float] | None = None,
    available_share: float | None = None,
    objective: Objective = "cost",
    budget_slack: float = 0.02,
    cvar_scenarios: int = 1000,
    cvar_alpha: float = 0.95,
    shortfall_penalty_usd_t: float | None = None,
    seed: int = 1,
    unknown_tariff: UnknownTariff = "exclude",
    fta_entry_year: int | None = None,
    fta_phase_in_years: int | None = None,
    cvar_shocks: Sequence[tuple[str | Path | ShockSpec, float]] = (),
) -> dict:
    """Optimal sourcing with and without the FTA(s), side by side; JSON-ready dict.

    ``objective``: ``cost`` (LP, HiGHS), ``concentration`` (governance-weighted HHI within
    ``(1 + budget_slack) x`` the minimum cost, cvxpy) or ``cvar`` (mean-CVaR LP over
    ``cvar_scenarios`` random disruptions, probability from WGI political stability; or, with
    ``cvar_shocks = [(shock file or spec, probability), ...]``, the shock scenarios of
    :func:`run_shock`'s format, each cutting the restricting supplier by its loss fraction).
    """
    check("objective", objective)
    if demand_t is None:
        demand_t, demand_src = default_demand(settings, mineral, year)
    else:
        demand_src = "user"
    exclude = tuple(e.upper() for e in exclude)
    fta = tuple(p.upper() for p in fta)
    runs, notes_all = {}, {}
    labels = [("without_fta", False)] + ([("with_fta", True)] if fta else [])
    for label, flag in labels:
        cand, notes = sourcing_candidates(
            settings,
            mineral,
            stage,
            year,
            importer=importer,
            destination=destination,
            fta=fta,
            with_fta=flag,
            tariffs=tariffs,
            freight_table=freight_table,
            available_share=available_share,
            unknown_tariff=unknown_tariff,
            fta_entry_year=fta_entry_year,
            fta_phase_in_years=fta_phase_in_years,
        )
        spec = SourcingSpec(
            cand,
            demand_t,
            max_share=max_share,
            fta_partners=fta,
            min_fta_share=min_fta_share if flag else None,
            excluded=exclude,
        )
        res = SourcingModel(spec).solve()
        if objective == "concentration":
            risk = _governance_risk(settings, list(cand["partner"]))
            res = minimise_concentration(
                spec, cost_budget_usd=res.total_cost_usd * (1 + budget_slack), risk_weights=1.0 + risk
            )
        elif objective == "cvar":
            partners = list(spec.candidates()["partner"])
            if cvar_shocks:
                from critmin.domain.scenarios.shocks import disruption_scenarios_from_shocks

                specs = [
                    (sh if isinstance(sh, ShockSpec) else load_shock_scenario(sh)[0], float(p)) for sh, p in cvar_shocks
                ]
                m = disruption_scenarios_from_shocks(specs, partners)
                scen = DisruptionScenarios(m[partners], m["probability"].to_numpy())
            else:
                scen = _random_disruptions(settings, partners, cvar_scenarios, seed)
            pen = shortfall_penalty_usd_t or float(cand["price_usd_t"].median()) * 0.25
            res = CvarSourcingModel(spec, scen, shortfall_penalty_usd_t=pen, alpha=cvar_alpha).solve()
        runs[label], notes_all[label] = res, notes
    main_label = "with_fta" if fta else "without_fta"
    main = runs[main_label]
    out = main.to_dict()
    notes = notes_all[main_label]
    out.update(
        {
            "mineral": mineral,
            "stage": stage,
            "year": year,
            "importer": importer,
            "destination": destination,
            "unit": notes["unit"],
            "hs6": notes["hs6"],
            "demand_source": demand_src,
            "fta_partners": list(fta),
            "excluded": list(exclude),
            "unknown_tariffs": notes["unknown_tariffs"],
            "excluded_missing_data": notes["excluded_missing_data"],
            "unit_value_outliers": notes["unit_value_outliers"],
            "tariff_basis": dict(zip(main.allocation["partner"], main.allocation["tariff_basis"])),
            "assumptions": notes["assumptions"],
            "sources": notes["sources"],
        }
    )
    out["scenarios"] = {
        k: {"total_cost_usd": r.total_cost_usd, "hhi": r.hhi, "allocation": r.to_dict()["allocation"]}
        for k, r in runs.items()
    }
    if fta:
        cmp = compare_results(runs)
        out["comparison"] = cmp.to_dict(orient="records")
        out["fta_saving_usd"] = runs["without_fta"].total_cost_usd - runs["with_fta"].total_cost_usd
    return out


def _governance_risk(settings: Settings, partners: Sequence[str]) -> pd.Series:
    """Governance risk of each supplier from ``governance`` (:func:`critmin.domain.scenarios.supplier_risk.governance_risk`)."""
    wh = _warehouse(settings, ["governance"])
    return supplier_risk.governance_risk(wh.read("governance"), partners)


def _random_disruptions(settings: Settings, partners: Sequence[str], n: int, seed: int) -> DisruptionScenarios:
    """``n`` random disruptions from ``governance`` (:func:`critmin.domain.scenarios.supplier_risk.random_disruptions`)."""
    wh = _warehouse(settings, ["governance"])
    return supplier_risk.random_disruptions(wh.read("governance"), partners, n, seed)
