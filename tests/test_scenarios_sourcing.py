"""Sourcing optimiser: hand-solved cases, a second solver, convex and CVaR variants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from critmin.domain.scenarios.sourcing import (
    CvarSourcingModel,
    DisruptionScenarios,
    InfeasibleError,
    SourcingModel,
    SourcingSpec,
    calc_landed_cost,
    calc_var_cvar,
    compare_results,
    minimise_concentration,
    solve_sourcing_batch,
)
from critmin.errors import DataFormatError


def _three():
    return pd.DataFrame(
        {
            "partner": ["PER", "CHL", "AUS"],
            "capacity_t": [100.0, 80.0, 50.0],
            "price_usd_t": [100.0] * 3,
            "tariff_rate": [0.0, 0.025, 0.025],
            "freight_usd_t": [10.0, 12.0, 5.0],
            "fx_premium_rate": [0.0, 0.0, 0.0],
        }
    )


def test_landed_cost_formula():
    assert calc_landed_cost(100.0, 0.025, 12.0, 0.01) == pytest.approx(100 * 1.025 + 12 + 1.0)


def test_hand_solved_with_share_cap():
    # costs: AUS 107.5 < PER 110 < CHL 114.5; demand 150, cap 65% = 97.5 t
    # by hand: AUS at capacity 50, PER at the cap 97.5, CHL the rest 2.5
    res = SourcingModel(SourcingSpec(_three(), 150.0, max_share=0.65)).solve()
    a = res.allocation.set_index("partner")["tonnes"]
    assert a["AUS"] == pytest.approx(50.0)
    assert a["PER"] == pytest.approx(97.5)
    assert a["CHL"] == pytest.approx(2.5)
    assert res.total_cost_usd == pytest.approx(50 * 107.5 + 97.5 * 110 + 2.5 * 114.5)
    # one more tonne of Australian capacity replaces a Chilean tonne: 114.5 - 107.5
    assert res.shadow_prices["AUS"] == pytest.approx(7.0)
    # Peru is held by the share cap, not its capacity
    assert res.shadow_prices["PER"] == pytest.approx(0.0)
    assert res.demand_marginal_cost_usd_t == pytest.approx(114.5)
    assert res.hhi == pytest.approx((50 / 150) ** 2 + (97.5 / 150) ** 2 + (2.5 / 150) ** 2)


def test_hand_solved_without_cap_and_with_exclusion():
    res = SourcingModel(SourcingSpec(_three(), 120.0)).solve()
    a = res.allocation.set_index("partner")["tonnes"]
    assert (a["AUS"], a["PER"], a["CHL"]) == pytest.approx((50.0, 70.0, 0.0))
    res = SourcingModel(SourcingSpec(_three(), 120.0, excluded=("AUS",))).solve()
    a = res.allocation.set_index("partner")["tonnes"]
    assert (a["PER"], a["CHL"]) == pytest.approx((100.0, 20.0))
    # Peru's capacity now binds: one more tonne from Peru saves 114.5 - 110
    assert res.shadow_prices["PER"] == pytest.approx(4.5)


def test_minimum_fta_share():
    res = SourcingModel(SourcingSpec(_three(), 100.0, fta_partners=("CHL",), min_fta_share=0.3)).solve()
    a = res.allocation.set_index("partner")["tonnes"]
    assert a["CHL"] == pytest.approx(30.0)
    assert a["AUS"] == pytest.approx(50.0)
    assert a["PER"] == pytest.approx(20.0)


def test_infeasible_and_bad_input():
    with pytest.raises(InfeasibleError, match="exceeds"):
        SourcingModel(SourcingSpec(_three(), 1000.0)).solve()
    with pytest.raises(InfeasibleError):
        SourcingModel(SourcingSpec(_three(), 100.0, max_share=0.3)).solve()  # 3 x 30 < 100
    bad = _three()
    bad.loc[1, "capacity_t"] = -5
    with pytest.raises(DataFormatError, match="capacity_t"):
        SourcingSpec(bad, 10.0)
    with pytest.raises(DataFormatError, match="missing column"):
        SourcingSpec(_three().drop(columns="freight_usd_t"), 10.0)
    with pytest.raises(ValueError):
        SourcingModel(SourcingSpec(_three(), 10.0)).solve(solver="cplex")


@hsettings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 12))
def test_highs_matches_scipy(seed, n):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "partner": [f"P{i:02d}" for i in range(n)],
            "capacity_t": rng.uniform(10, 100, n),
            "price_usd_t": rng.uniform(90, 110, n),
            "tariff_rate": rng.choice([0, 0.025, 0.05], n),
            "freight_usd_t": rng.uniform(2, 30, n),
            "fx_premium_rate": rng.uniform(0, 0.02, n),
        }
    )
    cap = max(0.5, 1.2 / n)
    demand = 0.6 * float(np.minimum(df["capacity_t"], 1e9).sum()) * min(1.0, cap * n / 1.2)
    spec = SourcingSpec(df, demand, max_share=cap)
    try:
        a = SourcingModel(spec).solve(solver="highs")
    except InfeasibleError:
        return
    b = SourcingModel(spec).solve(solver="scipy")
    assert a.total_cost_usd == pytest.approx(b.total_cost_usd, rel=1e-7)


def test_concentration_variant():
    # identical costs: with a loose budget, min sum s_i^2 subject to caps gives equal-as-possible shares
    df = _three().assign(tariff_rate=0.0, freight_usd_t=0.0)
    spec = SourcingSpec(df, 150.0)
    res = minimise_concentration(spec, cost_budget_usd=1e9)
    a = res.allocation.set_index("partner")["tonnes"]
    assert a["AUS"] == pytest.approx(50.0, rel=1e-3)
    assert a["PER"] == pytest.approx(50.0, rel=1e-3) and a["CHL"] == pytest.approx(50.0, rel=1e-3)
    # a risk weight of 2 on PER halves its optimal share relative to an unweighted supplier
    res_w = minimise_concentration(SourcingSpec(df, 90.0), cost_budget_usd=1e9, risk_weights={"PER": 2.0})
    w = res_w.allocation.set_index("partner")["tonnes"]
    # by hand: x_i proportional to 1 / w_i -> PER 18, CHL 36, AUS 36
    assert (w["PER"], w["CHL"], w["AUS"]) == pytest.approx((18.0, 36.0, 36.0), rel=1e-3)
    # the budget is respected
    lp = SourcingModel(SourcingSpec(_three(), 150.0)).solve()
    r2 = minimise_concentration(SourcingSpec(_three(), 150.0), cost_budget_usd=lp.total_cost_usd * 1.005)
    assert r2.total_cost_usd <= lp.total_cost_usd * 1.005 + 1e-3
    assert r2.hhi < lp.hhi
    with pytest.raises(InfeasibleError):
        minimise_concentration(SourcingSpec(_three(), 150.0), cost_budget_usd=lp.total_cost_usd * 0.9)


def test_var_cvar_hand():
    losses = np.array([0.0, 10.0, 20.0, 100.0])
    var, cvar = calc_var_cvar(losses, np.full(4, 0.25), 0.75)
    assert var == pytest.approx(20.0)
    assert cvar == pytest.approx(100.0)  # mean of the worst 25 %
    var, cvar = calc_var_cvar(losses, np.full(4, 0.25), 0.5)
    assert cvar == pytest.approx(60.0)  # mean of the worst half


def test_cvar_lp_hand_and_second_solver():
    # PER fails in 1 of 4 scenarios; with a big penalty and lambda, CVaR_0.75 pushes volume off PER
    av = pd.DataFrame({"PER": [1, 0, 1, 1], "CHL": [1, 1, 1, 1], "AUS": [1, 1, 1, 1]}, dtype=float)
    spec = SourcingSpec(_three(), 120.0)
    m0 = CvarSourcingModel(spec, DisruptionScenarios(av), shortfall_penalty_usd_t=50, alpha=0.75, risk_aversion=0.0)
    r0 = m0.solve()
    assert r0.allocation.set_index("partner")["tonnes"]["PER"] == pytest.approx(70.0)  # pure cost
    m1 = CvarSourcingModel(spec, DisruptionScenarios(av), shortfall_penalty_usd_t=50, alpha=0.75, risk_aversion=1.0)
    r1 = m1.solve()
    # by hand: moving a tonne PER -> CHL costs 4.5 and cuts CVaR_0.75 by 50 -> PER goes to 0
    a = r1.allocation.set_index("partner")["tonnes"]
    assert a["PER"] == pytest.approx(0.0, abs=1e-6) and a["CHL"] == pytest.approx(70.0)
    assert r1.extra["cvar_usd"] == pytest.approx(0.0, abs=1e-6)
    assert r0.extra["cvar_usd"] == pytest.approx(70 * 50)
    r2 = m1.solve(solver="scipy")
    assert r2.total_cost_usd == pytest.approx(r1.total_cost_usd, rel=1e-7)


def test_cvar_objective_equals_rockafellar_uryasev_value():
    rng = np.random.default_rng(7)
    n, S = 6, 400
    df = pd.DataFrame(
        {
            "partner": [f"P{i}" for i in range(n)],
            "capacity_t": rng.uniform(40, 80, n),
            "price_usd_t": 100.0,
            "tariff_rate": 0.0,
            "freight_usd_t": rng.uniform(0, 20, n),
            "fx_premium_rate": 0.0,
        }
    )
    av = pd.DataFrame((rng.random((S, n)) > 0.1).astype(float), columns=df["partner"])
    spec = SourcingSpec(df, 150.0, max_share=0.5)
    r = CvarSourcingModel(spec, DisruptionScenarios(av), shortfall_penalty_usd_t=30, alpha=0.9).solve()
    # at the optimum zeta is a VaR and the LP's CVaR term equals the discrete CVaR of the losses
    assert r.extra["cvar_usd"] == pytest.approx(
        r.extra["zeta_usd"]
        + np.mean(
            np.maximum(
                30 * (1 - av.reindex(columns=r.allocation["partner"]).to_numpy()) @ r.allocation["tonnes"].to_numpy()
                - r.extra["zeta_usd"],
                0,
            )
        )
        / 0.1,
        rel=1e-6,
    )


def test_batch_equals_separate_solves():
    rng = np.random.default_rng(3)
    groups, n = 12, 8
    rows = []
    for g in range(groups):
        for i in range(n):
            rows.append((f"g{g}", f"P{i}", rng.uniform(10, 50), rng.uniform(90, 120)))
    sup = pd.DataFrame(rows, columns=["group", "partner", "capacity_t", "landed_cost_usd_t"])
    dem = pd.Series({f"g{g}": rng.uniform(50, 150) for g in range(groups)})
    a = solve_sourcing_batch(sup, dem, max_share=0.4)
    b = solve_sourcing_batch(sup, dem, max_share=0.4, solver="highs-loop")
    c = solve_sourcing_batch(sup, dem, max_share=0.4, solver="scipy")
    cost = lambda d: float((d["tonnes"] * d["landed_cost_usd_t"]).sum())  # noqa: E731
    assert cost(a) == pytest.approx(cost(b), rel=1e-9)
    assert cost(a) == pytest.approx(cost(c), rel=1e-7)
    assert a.groupby("group")["tonnes"].sum().to_numpy() == pytest.approx(dem.sort_index().to_numpy())


def test_compare_results_side_by_side():
    base = _three()
    fta = base.assign(tariff_rate=[0.0, 0.0, 0.025])
    r1 = SourcingModel(SourcingSpec(base, 120.0)).solve()
    r2 = SourcingModel(SourcingSpec(fta, 120.0)).solve()
    cmp = compare_results({"without_fta": r1, "with_fta": r2})
    assert {"partner", "without_fta:tonnes", "with_fta:tonnes"} <= set(cmp.columns)
    assert cmp["without_fta:tonnes"].sum() == pytest.approx(120.0)
    assert cmp["with_fta:tonnes"].sum() == pytest.approx(120.0)
