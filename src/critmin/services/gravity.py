"""Structural gravity questions: estimate trade-cost effects, run GE counterfactuals.

Services read the panel (``sources.yotov.read_yotov_panel`` for a file, or a
DataFrame such as one from ``build_gravity_panel``), call the domain models and
return their result objects. Front ends print them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterable, Literal

import numpy as np
import pandas as pd

from critmin.domain.policy.ge import GEModel, GEResults, GEScenario, TradeCosts
from critmin.domain.policy.gravity import GravityModel, GravityResults, GravitySpec, prepare_design
from critmin.domain.policy.gravity_panel import select_years
from critmin.errors import EmptySelectionError
from critmin.sources.yotov import read_yotov_panel

PanelLike = pd.DataFrame | str | Path
BOOK_BORDER_COSTS = ("ln_dist", "cntg", "intl_brdr")
RTA_COSTS = ("ln_dist", "cntg", "lang", "clny", "intl_brdr")


def load_panel(panel: PanelLike) -> pd.DataFrame:
    """A panel DataFrame as given, or parsed from a CSV file."""
    if isinstance(panel, pd.DataFrame):
        return panel
    return read_yotov_panel(Path(panel))


def estimate_gravity(panel: PanelLike, *, covariates: Iterable[str] = ("rta",),
                     fixed_effects: Iterable[str] = ("exporter_year", "importer_year", "pair"),
                     years: Iterable[int] | None = None, every: int | None = 4, last_year: int | None = None,
                     border_by_year: bool = False, pair: Literal["symmetric", "directional"] = "symmetric",
                     domestic: Literal["shared", "own"] = "shared",
                     vcov: Literal["cluster_pair", "hetero", "iid"] = "cluster_pair") -> GravityResults:
    """PPML gravity estimates of trade-cost effects on a panel.

    Defaults follow the guide: every fourth year (1986, 1990, ..., 2006 on the
    AGTPA panel), exporter-year, importer-year and symmetric pair fixed effects
    (domestic pairs share one), standard errors clustered by pair.
    """
    df = select_years(load_panel(panel), years=years, every=None if years else every, last=last_year)
    spec = GravitySpec(covariates=tuple(covariates), fixed_effects=tuple(fixed_effects), pair=pair,
                       domestic=domestic, border_by_year=border_by_year, vcov=vcov)
    return GravityModel(df, spec).fit()


def estimate_trade_costs(flows: pd.DataFrame, *, covariates: Iterable[str],
                         fixed: dict | None = None) -> tuple[TradeCosts, GravityResults]:
    """Cross-section PPML ``trade ~ covariates | exporter + importer`` for one year.

    ``fixed`` holds coefficients known from elsewhere (e.g. the panel RTA effect);
    they enter as an offset and are carried into the trade-cost model unchanged.
    """
    fixed = dict(fixed or {})
    covs = tuple(c for c in covariates if c not in fixed)
    spec = GravitySpec(covariates=covs + tuple(fixed), fixed_effects=("exporter", "importer"), vcov="hetero")
    design, _ = prepare_design(flows, spec)
    design["_offset"] = sum((b * design[k].astype(float) for k, b in fixed.items()), start=0.0) \
        if fixed else 0.0
    fit_spec = dataclasses.replace(spec, covariates=covs, offset="_offset" if fixed else None)
    res = GravityModel(design, fit_spec).fit()
    coef = {k: float(v) for k, v in res.coef.items()} | {k: float(v) for k, v in fixed.items()}
    pairs = design[["exporter", "importer", *coef]].copy()
    return TradeCosts(pairs=pairs, coef=coef), res


def run_ge(panel: PanelLike, scenario: GEScenario, *, year: int, sigma: float = 7.0,
           method: Literal["exact", "book"] = "exact", reference: str = "DEU",
           covariates: Iterable[str] | None = None, rta_effect: float | None = None,
           every: int = 4) -> GEResults:
    """General-equilibrium effects of ``scenario`` in ``year``.

    Trade costs come from a cross-section PPML on ``year`` with exporter and
    importer fixed effects. ``no_borders`` uses the guide's Ch. 2 App. 1
    covariates ``ln_dist, cntg, intl_brdr``; agreement scenarios add ``lang,
    clny`` and the RTA effect, which is ``rta_effect`` if given, else the panel
    estimate (every ``every``-th year up to ``year``, exporter-year, importer-year
    and pair fixed effects); ``cost_change`` uses the estimated covariates with
    ``rta``.
    """
    df = load_panel(panel)
    flows = df[df["year"] == year]
    if flows.empty:
        raise EmptySelectionError(f"no flows in {year}; the panel covers {df['year'].min()}-{df['year'].max()}")
    fixed: dict = {}
    info: dict = {}
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
            info["rta_panel"] = {"estimate": rta_effect, "std_error": float(panel_fit.std_error["rta"]),
                                 "years": list(panel_fit.years), "n_obs": panel_fit.n_obs}
        fixed["rta"] = float(rta_effect)
    costs, res = estimate_trade_costs(flows, covariates=covariates, fixed=fixed)
    info |= {"year": year, "coefficients": costs.coef, "std_errors": {k: float(v) for k, v in res.std_error.items()},
             "fixed": list(fixed)}
    out = GEModel(flows, costs, sigma=sigma, reference=reference, method=method).run(scenario)
    return dataclasses.replace(out, cost_model=info)


def panel_from_warehouse(settings, *, countries: Iterable[str] | None = None, years: Iterable[int] | None = None,
                         hs6: Iterable[str] | None = None) -> pd.DataFrame:
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
    return build_gravity_panel(trade[["exporter", "importer", "year", "trade"]], years=years, countries=countries,
                               distances=dist, agreements=ag, agreement_members=mem)
