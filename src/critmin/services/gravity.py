"""Structural gravity questions: estimate trade-cost effects, run GE counterfactuals.

Services read the panel (``sources.yotov.read_yotov_panel`` for a file, or a
DataFrame such as one from ``build_gravity_panel``), call the domain models and
return their result objects. Front ends print them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterable, TypeAlias

import numpy as np
import pandas as pd

from critmin.vocabulary import CostModel, check, options
from critmin.domain.policy.ge import GEModel, GEResults, GEScenario, Method, TradeCosts
from critmin.domain.policy.gravity import (
    DomesticMode,
    GravityModel,
    GravityResults,
    GravitySpec,
    PairMode,
    Vcov,
    prepare_design,
)
from critmin.domain.policy.gravity_costs import STAGE2_COVARIATES, TwoStageCosts, two_stage_trade_costs
from critmin.domain.policy.gravity_panel import select_years
from critmin.errors import EmptySelectionError
from critmin.sources.yotov import read_yotov_panel

PanelLike: TypeAlias = "pd.DataFrame | str | Path"
BOOK_BORDER_COSTS = ("ln_dist", "cntg", "intl_brdr")
RTA_COSTS = ("ln_dist", "cntg", "lang", "clny", "intl_brdr")


def load_panel(panel: PanelLike) -> pd.DataFrame:
    """A panel DataFrame as given, or parsed from a CSV file."""
    if isinstance(panel, pd.DataFrame):
        return panel
    return read_yotov_panel(Path(panel))


def estimate_gravity(
    panel: PanelLike,
    *,
    covariates: Iterable[str] = ("rta",),
    fixed_effects: Iterable[str] = ("exporter_year", "importer_year", "pair"),
    years: Iterable[int] | None = None,
    every: int | None = 4,
    last_year: int | None = None,
    border_by_year: bool = False,
    pair: PairMode = "symmetric",
    domestic: DomesticMode = "shared",
    vcov: Vcov = "cluster_pair",
) -> GravityResults:
    """PPML gravity estimates of trade-cost effects on a panel.

    Defaults follow the guide: every fourth year (1986, 1990, ..., 2006 on the
    AGTPA panel), exporter-year, importer-year and symmetric pair fixed effects
    (domestic pairs share one), standard errors clustered by pair.
    """
    df = select_years(load_panel(panel), years=years, every=None if years else every, last=last_year)
    spec = GravitySpec(
        covariates=tuple(covariates),
        fixed_effects=tuple(fixed_effects),
        pair=pair,
        domestic=domestic,
        border_by_year=border_by_year,
        vcov=vcov,
    )
    return GravityModel(df, spec).fit()


def estimate_trade_costs(
    flows: pd.DataFrame, *, covariates: Iterable[str], fixed: dict | None = None
) -> tuple[TradeCosts, GravityResults]:
    """Cross-section PPML ``trade ~ covariates | exporter + importer`` for one year.

    ``fixed`` holds coefficients known from elsewhere (e.g. the panel RTA effect);
    they enter as an offset and are carried into the trade-cost model unchanged.
    """
    fixed = dict(fixed or {})
    covs = tuple(c for c in covariates if c not in fixed)
    spec = GravitySpec(covariates=covs + tuple(fixed), fixed_effects=("exporter", "importer"), vcov="hetero")
    design, _ = prepare_design(flows, spec)
    design["_offset"] = sum((b * design[k].astype(float) for k, b in fixed.items()), start=0.0) if fixed else 0.0
    fit_spec = dataclasses.replace(spec, covariates=covs, offset="_offset" if fixed else None)
    res = GravityModel(design, fit_spec).fit()
    coef = {k: float(v) for k, v in res.coef.items()} | {k: float(v) for k, v in fixed.items()}
    pairs = design[["exporter", "importer", *coef]].copy()
    return TradeCosts(pairs=pairs, coef=coef), res


COST_MODELS = options("costs")


def pair_fe_trade_costs(
    panel: PanelLike,
    *,
    year: int,
    rta_effect: float | None = None,
    every: int = 4,
    covariates: Iterable[str] = STAGE2_COVARIATES,
) -> tuple[TwoStageCosts, dict]:
    """The guide's two-stage trade costs for the baseline ``year`` (Ch. 2, App. 2).

    Stage 1 is the panel PPML with exporter-year, importer-year and symmetric pair
    fixed effects (domestic pairs share one) on every ``every``-th year counted back
    from the panel's last year (1986, 1990, ..., 2006 on the AGTPA panel), whatever
    the baseline year; its pair effects are recovered exactly with domestic = 0.
    With ``rta_effect`` given, stage 1 is not estimated: the fixed effects are
    recovered for that RTA coefficient. Stage 2 runs on ``year``.

    Returns the costs and a provenance dict (``rta_panel`` when stage 1 was estimated).
    """
    df = load_panel(panel)
    flows = df[df["year"] == year]
    if flows.empty:
        raise EmptySelectionError(f"no flows in {year}; the panel covers {df['year'].min()}-{df['year'].max()}")
    stage1_panel = select_years(df, every=every)
    info: dict = {}
    if rta_effect is None:
        fit = GravityModel(stage1_panel, GravitySpec(covariates=("rta",))).fit()
        coef = {"rta": float(fit.coef["rta"])}
        info["rta_panel"] = {
            "estimate": coef["rta"],
            "std_error": float(fit.std_error["rta"]),
            "years": list(fit.years),
            "n_obs": fit.n_obs,
            "n_separated": fit.n_separated,
        }
    else:
        coef = {"rta": float(rta_effect)}
        info["rta_fixed"] = coef["rta"]
    two = two_stage_trade_costs(stage1_panel, coef, flows, covariates=covariates)
    info |= two.to_dict()
    info["coefficients"] = dict(two.costs.coef)
    info["stage1_years"] = sorted(int(y) for y in stage1_panel["year"].unique())
    return two, info


def run_ge(
    panel: PanelLike,
    scenario: GEScenario,
    *,
    year: int,
    sigma: float = 7.0,
    method: Method = "exact",
    reference: str = "DEU",
    covariates: Iterable[str] | None = None,
    rta_effect: float | None = None,
    every: int = 4,
    costs: CostModel | None = None,
) -> GEResults:
    """General-equilibrium effects of ``scenario`` in ``year``.

    ``costs="pair-fe"`` (the default except for ``no_borders``): the guide's two-stage
    costs, ``T_ij = exp(mu_ij + b rta_ij)`` with the pair effects ``mu_ij`` of the panel
    PPML and stage-2 predictions where a pair has none (:func:`pair_fe_trade_costs`);
    ``b`` is ``rta_effect`` if given, else the panel estimate. Pair effects absorb the
    border, so ``no_borders`` always uses the cross-section model.

    ``costs="cross-section"``: a cross-section PPML on ``year`` with exporter and
    importer fixed effects. ``no_borders`` uses the guide's Ch. 2 App. 1 covariates
    ``ln_dist, cntg, intl_brdr``; agreement scenarios add ``lang, clny`` and the RTA
    effect, which is ``rta_effect`` if given, else the panel estimate (every
    ``every``-th year up to ``year``, exporter-year, importer-year and pair fixed
    effects); ``cost_change`` uses the estimated covariates with ``rta``.

    ``GEResults.cost_model`` says which model was used (``costs``) and holds its coefficients.
    """
    if costs is None:
        costs = "cross-section" if scenario.kind == "no_borders" else "pair-fe"
    check("costs", costs)
    if costs == "pair-fe" and scenario.kind == "no_borders":
        raise ValueError(
            "no_borders needs an international-border term: use costs='cross-section' "
            "(pair fixed effects absorb the border)"
        )
    df = load_panel(panel)
    flows = df[df["year"] == year]
    if flows.empty:
        raise EmptySelectionError(f"no flows in {year}; the panel covers {df['year'].min()}-{df['year'].max()}")
    if costs == "pair-fe":
        two, info = pair_fe_trade_costs(
            df,
            year=year,
            rta_effect=rta_effect,
            every=every,
            covariates=STAGE2_COVARIATES if covariates is None else covariates,
        )
        info["costs_label"] = (
            f"pair-fe: two-stage pair fixed effects (stage 1 panel PPML, years "
            f"{info['stage1_years'][0]}-{info['stage1_years'][-1]} every {every}, "
            f"rta = {info['stage1']['rta']:.6f}; stage 2 on {year}, "
            f"{info['pairs_predicted']} pairs predicted)"
        )
        out = GEModel(flows, two.costs, sigma=sigma, reference=reference, method=method).run(scenario)
        return dataclasses.replace(out, cost_model=info)
    fixed: dict = {}
    info = {}
    if covariates is None:
        if scenario.kind == "no_borders":
            covariates = BOOK_BORDER_COSTS
        elif scenario.kind in ("rta_on", "rta_off"):
            covariates = RTA_COSTS
        else:
            covariates = RTA_COSTS + ("rta",)
    covariates = tuple(covariates)
    if scenario.kind in ("rta_on", "rta_off") and "rta" not in covariates:
        if rta_effect is None:
            panel_fit = estimate_gravity(df[df["year"] <= year], every=every, last_year=year)
            rta_effect = float(panel_fit.coef["rta"])
            info["rta_panel"] = {
                "estimate": rta_effect,
                "std_error": float(panel_fit.std_error["rta"]),
                "years": list(panel_fit.years),
                "n_obs": panel_fit.n_obs,
            }
        fixed["rta"] = float(rta_effect)
    tc, res = estimate_trade_costs(flows, covariates=covariates, fixed=fixed)
    info |= {
        "costs": "cross-section",
        "year": year,
        "coefficients": tc.coef,
        "std_errors": {k: float(v) for k, v in res.std_error.items()},
        "fixed": list(fixed),
        "costs_label": f"cross-section: PPML on {year} ({', '.join(tc.coef)})",
    }
    out = GEModel(flows, tc, sigma=sigma, reference=reference, method=method).run(scenario)
    return dataclasses.replace(out, cost_model=info)


def panel_from_warehouse(
    settings,
    *,
    countries: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    hs6: Iterable[str] | None = None,
) -> pd.DataFrame:
    """A gravity panel from the warehouse: BACI ``trade_flows`` summed over HS6 codes, the grid completed
    with zeros, GeoDist ``distances`` and WTO ``agreements``/``agreement_members`` RTA dummies where those
    tables exist.

    BACI has no domestic flows, so the panel has none: a GE model on it describes trade in the selected
    goods among the selected countries, not whole economies.
    """
    from critmin.domain.policy.gravity_panel import build_gravity_panel
    from critmin.warehouse import open_warehouse

    wh = open_warehouse(settings)
    trade = wh.read("trade_flows", columns=["year", "exporter", "importer", "hs6", "value_usd"])
    if hs6 is not None:
        codes = set(hs6)
        trade = trade[trade["hs6"].isin(codes)]
        if trade.empty:
            raise EmptySelectionError(f"no BACI flows for HS6 {', '.join(sorted(codes))}")
    trade = trade.rename(columns={"value_usd": "trade"}).astype({"year": "int64"})
    have = set(wh.tables())
    dist = wh.read("distances") if "distances" in have else None
    ag = wh.read("agreements") if "agreements" in have else None
    mem = wh.read("agreement_members") if "agreement_members" in have else None
    return build_gravity_panel(
        trade[["exporter", "importer", "year", "trade"]],
        years=years,
        countries=countries,
        distances=dist,
        agreements=ag,
        agreement_members=mem,
    )


def panel_rta_effect(panel: PanelLike, *, every: int = 4) -> dict:
    """The panel RTA estimate used for agreement counterfactuals on other data.

    PPML with exporter-year, importer-year and symmetric pair fixed effects (domestic pairs share
    one) on every ``every``-th year of ``panel`` (the guide's specification; 0.557 on the AGTPA panel).
    Returns ``estimate, std_error, years, n_obs, source``.
    """
    fit = estimate_gravity(panel, every=every)
    origin = Path(panel).name if not isinstance(panel, pd.DataFrame) else "panel DataFrame"
    return {
        "estimate": float(fit.coef["rta"]),
        "std_error": float(fit.std_error["rta"]),
        "years": list(fit.years),
        "n_obs": fit.n_obs,
        "source": f"{origin}: PPML, exporter-year, importer-year and pair FE, years "
        f"{fit.years[0]}-{fit.years[-1]} every {every}",
    }


def partner_panel_from_warehouse(
    settings, *, year: int = 2019, countries: Iterable[str] | None = None
) -> tuple[pd.DataFrame, dict]:
    """The one-year goods GE panel of India's partners from the warehouse.

    Reads ``dots_exports`` (IMF DOTS), ``industry_accounts`` (OECD input-output tables),
    ``distances`` (GeoDist) and ``agreements``/``agreement_members`` (WTO RTAs) and builds the panel
    with :func:`~critmin.domain.policy.gravity_panel.build_partner_panel`.
    """
    from critmin.domain.policy.gravity_panel import build_partner_panel
    from critmin.warehouse import open_warehouse

    wh = open_warehouse(settings)
    have = set(wh.tables())
    need = ("dots_exports", "industry_accounts", "distances", "agreements", "agreement_members")
    missing = [t for t in need if t not in have]
    if missing:
        raise EmptySelectionError(
            f"the partner GE panel needs warehouse table(s) {', '.join(missing)}; build them with `critmin data build`"
        )
    return build_partner_panel(
        wh.read("dots_exports"),
        wh.read("industry_accounts"),
        year=year,
        distances=wh.read("distances"),
        agreements=wh.read("agreements"),
        agreement_members=wh.read("agreement_members"),
        countries=countries,
    )


PARTY_KEYS = ("real_gdp_pct", "exports_pct", "imports_pct", "price_pct")


def simulate_partner_ge(
    panel: pd.DataFrame,
    reporter: str,
    partner: str,
    *,
    rta: dict,
    cost_factor: float | None = None,
    cost_factor_how: str = "",
    sigma: float = 7.0,
    reference: str = "DEU",
    top: int = 5,
    coverage: dict | None = None,
) -> dict:
    """GE effects of an agreement between ``reporter`` and ``partner`` on a one-year panel.

    Trade costs are the two-stage pair-effect costs (:func:`two_stage_trade_costs`) with the RTA
    coefficient fixed at ``rta["estimate"]`` (a one-year panel cannot identify it next to pair
    effects). Variants, each stated as the **effect of the agreement**, ``(with - without)/without``:

    * ``rta``: the agreement as the panel RTA effect ``b``: ``rta_on`` for the pair, or, where the
      pair already has ``rta = 1`` (e.g. only through the GSTP, or a partial-scope agreement to be
      deepened), one more RTA effect on top: ``T_ij x exp(b)``;
    * ``tariffs`` (when ``cost_factor`` is given): iceberg trade costs between the two times
      ``cost_factor`` = trade-weighted ``(1 + tau') / (1 + tau)`` of the agreement's tariff cuts.

    Returns a dict: ``available, year, sigma, coverage, rta_effect, cost_model, variants`` where each
    variant has ``name, scenario, countries`` (both parties: ``real_gdp_pct`` (welfare),
    ``exports_pct``, ``imports_pct``, ``price_pct``) and ``third_countries`` (the ``top`` largest
    real-GDP effects in absolute value).
    """
    countries = set(panel["exporter"])
    missing = [c for c in (reporter, partner) if c not in countries]
    if missing:
        return {
            "available": False,
            "reason": f"{', '.join(missing)} not in the GE panel ({len(countries)} economies)",
            "coverage": coverage,
        }
    years = sorted(panel["year"].unique())
    if len(years) != 1:
        raise EmptySelectionError(f"a one-year panel is expected, got years {years}")
    b = float(rta["estimate"])
    two = two_stage_trade_costs(panel, {"rta": b}, panel)
    model = GEModel(panel, two.costs, sigma=sigma, reference=reference, method="exact")
    pair = panel[(panel["exporter"] == reporter) & (panel["importer"] == partner)]
    in_force = bool(len(pair) and pair["rta"].iloc[0] == 1)
    scenarios = []
    if in_force:
        # the pair already has rta = 1 (often only a partial-scope or plurilateral agreement such as the
        # GSTP): the new agreement is one more RTA effect on top, T_ij x exp(b), i.e. t_ij x exp(b/(1-sigma))
        scenarios.append(
            (
                "rta",
                GEScenario.cost_change(float(np.exp(b / (1.0 - sigma))), [reporter, partner]),
                f"new agreement on top of the agreement(s) already coded in force for {reporter}-"
                f"{partner} (rta = 1 in the WTO data): T_ij x exp({b:.4f}) on the pair",
            )
        )
    else:
        scenarios.append(
            (
                "rta",
                GEScenario.rta_on([reporter, partner]),
                f"new agreement: rta switched on for {reporter}-{partner}, coefficient {b:.4f}",
            )
        )
    if cost_factor is not None:
        scenarios.append(
            (
                "tariffs",
                GEScenario.cost_change(cost_factor, [reporter, partner]),
                cost_factor_how or f"iceberg trade costs between {reporter} and {partner} x {cost_factor:.5f}",
            )
        )
    variants = []
    for name, sc, how in scenarios:
        res = model.run(sc)
        if res.is_agreement:
            eff = res.agreement_effects().set_index("country")
        else:  # a cost cut: the counterfactual is "with", the baseline "without"
            eff = res.to_frame().set_index("country")
        third = eff.drop(index=[reporter, partner])
        third = third.reindex(third["real_gdp_pct"].abs().sort_values(ascending=False).index[:top])
        variants.append(
            {
                "name": name,
                "scenario": how,
                "convention": "effect of the agreement: (with - without) / without",
                "countries": {c: {k: float(eff.loc[c, k]) for k in PARTY_KEYS} for c in (reporter, partner)},
                "third_countries": [
                    {"country": c, **{k: float(third.loc[c, k]) for k in PARTY_KEYS}} for c in third.index
                ],
                "max_clearing_error": res.max_clearing_error,
            }
        )
    return {
        "available": True,
        "year": int(years[0]),
        "sigma": sigma,
        "coverage": coverage,
        "rta_effect": rta,
        "agreement_in_force": in_force,
        "cost_model": two.to_dict()
        | {
            "costs_label": "pair-fe: pair effects recovered on the one-year panel "
            "with the RTA coefficient fixed; stage 2 predictions "
            "for pairs that do not trade"
        },
        "variants": variants,
    }


def run_partner_ge(
    settings,
    reporter: str,
    partner: str,
    *,
    year: int = 2019,
    rta_panel: PanelLike | None = None,
    rta_effect: float | None = None,
    cost_factor: float | None = None,
    cost_factor_how: str = "",
    sigma: float = 7.0,
    top: int = 5,
) -> dict:
    """India's (any reporter's) agreement with ``partner`` in GE on the warehouse's partner panel.

    The RTA coefficient is ``rta_effect`` if given, else the panel estimate on ``rta_panel`` (a
    file or DataFrame; default: the warehouse table ``gravity_panel``, the AGTPA panel), see
    :func:`panel_rta_effect`. ``cost_factor`` adds the tariff variant (``cost_factor_how`` says how it was
    sized). See :func:`simulate_partner_ge`.
    """
    panel, coverage = partner_panel_from_warehouse(settings, year=year)
    if rta_effect is not None:
        rta = {"estimate": float(rta_effect), "source": "given (--rta-effect)"}
    else:
        if rta_panel is None:
            from critmin.warehouse import open_warehouse

            wh = open_warehouse(settings)
            if not wh.has("gravity_panel"):
                raise EmptySelectionError(
                    "no panel for the RTA estimate: pass --rta-panel FILE (the AGTPA panel, "
                    "yotov2016_panel.csv.gz), --rta-effect B, or run `critmin data build yotov`"
                )
            rta_panel = wh.read("gravity_panel")
        rta = panel_rta_effect(load_panel(rta_panel))
    return simulate_partner_ge(
        panel,
        reporter,
        partner,
        rta=rta,
        cost_factor=cost_factor,
        cost_factor_how=cost_factor_how,
        sigma=sigma,
        top=top,
        coverage=coverage,
    )
