"""Benchmarks for the scenario optimisers (run: ``python benchmarks/bench_scenarios.py``).

1. Sourcing for 200 suppliers x 50 products x 20 years (1,000 product-years, 200,000 variables)
   solved as one block LP with HiGHS, against the obvious alternatives measured in the same run:
   solving each product-year separately (HiGHS, 1,000 solves) and one scipy ``linprog`` call.
2. Mean-CVaR sourcing with 10,000 disruption scenarios, HiGHS via critmin's sparse model
   against scipy ``linprog`` on the same LP.

Inputs are synthetic with a fixed seed (shapes only; no result is read from them).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd


def _timed(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_batch(n_sup=200, n_prod=50, n_year=20, seed=42):
    from critmin.domain.scenarios.sourcing import solve_sourcing_batch

    rng = np.random.default_rng(seed)
    groups = [f"p{p:02d}-y{y:02d}" for p in range(n_prod) for y in range(n_year)]
    sup = pd.DataFrame(
        {
            "group": np.repeat(groups, n_sup),
            "partner": np.tile([f"S{i:03d}" for i in range(n_sup)], len(groups)),
            "capacity_t": rng.uniform(10, 1000, n_sup * len(groups)),
            "landed_cost_usd_t": rng.uniform(900, 1200, n_sup * len(groups)),
        }
    )
    dem = pd.Series(rng.uniform(5_000, 20_000, len(groups)), index=groups)
    t_one, a = _timed(lambda: solve_sourcing_batch(sup, dem, max_share=0.65, solver="highs"))
    t_loop, b = _timed(lambda: solve_sourcing_batch(sup, dem, max_share=0.65, solver="highs-loop"))
    t_scipy, c = _timed(lambda: solve_sourcing_batch(sup, dem, max_share=0.65, solver="scipy"))
    cost = lambda d: float((d["tonnes"] * d["landed_cost_usd_t"]).sum())  # noqa: E731
    assert abs(cost(a) / cost(b) - 1) < 1e-8 and abs(cost(a) / cost(c) - 1) < 1e-7
    print(f"sourcing {n_sup} suppliers x {n_prod} products x {n_year} years ({len(sup):,} variables)")
    print(f"  one block LP (HiGHS)           {t_one:8.3f} s")
    print(f"  1,000 separate LPs (HiGHS)     {t_loop:8.3f} s   ratio {t_loop / t_one:6.1f}x slower")
    print(f"  one scipy.linprog call         {t_scipy:8.3f} s   ratio {t_scipy / t_one:6.1f}x slower")


def bench_cvar(n_sup=50, n_scen=10_000, seed=7):
    from critmin.domain.scenarios.sourcing import CvarSourcingModel, DisruptionScenarios, SourcingSpec

    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "partner": [f"S{i:02d}" for i in range(n_sup)],
            "capacity_t": rng.uniform(50, 200, n_sup),
            "price_usd_t": 1000.0,
            "tariff_rate": rng.choice([0.0, 0.025], n_sup),
            "freight_usd_t": rng.uniform(10, 60, n_sup),
            "fx_premium_rate": rng.uniform(0, 0.02, n_sup),
        }
    )
    p_fail = rng.uniform(0.01, 0.1, n_sup)
    av = pd.DataFrame((rng.random((n_scen, n_sup)) >= p_fail).astype(float), columns=df["partner"])
    spec = SourcingSpec(df, 2_000.0, max_share=0.3)
    m = CvarSourcingModel(spec, DisruptionScenarios(av), shortfall_penalty_usd_t=300, alpha=0.95)
    t_h, a = _timed(lambda: m.solve(solver="highs"))
    t_s, b = _timed(lambda: m.solve(solver="scipy"))
    assert abs(a.total_cost_usd / b.total_cost_usd - 1) < 1e-6
    t_c, obj_c = _timed(lambda: _cvar_cvxpy(df, av, 2_000.0, 0.3, 300.0, 0.95))
    obj_h = a.total_cost_usd + (
        a.extra["zeta_usd"]
        + np.mean(
            np.maximum(
                300.0 * (1 - av.reindex(columns=a.allocation["partner"]).to_numpy()) @ a.allocation["tonnes"].to_numpy()
                - a.extra["zeta_usd"],
                0,
            )
        )
        / 0.05
    )
    assert abs(obj_c / obj_h - 1) < 1e-5
    print(f"CVaR sourcing, {n_sup} suppliers x {n_scen:,} scenarios ({n_sup + 1 + n_scen:,} variables)")
    print(f"  HiGHS (critmin sparse model)   {t_h:8.3f} s")
    print(f"  scipy.linprog (same LP)        {t_s:8.3f} s   ratio {t_s / t_h:6.1f}x slower")
    print(f"  cvxpy formulation (Clarabel)   {t_c:8.3f} s   ratio {t_c / t_h:6.1f}x slower")


def _cvar_cvxpy(df, av, demand, cap, penalty, alpha):
    """The same mean-CVaR problem written the obvious way in cvxpy."""
    import cvxpy as cp

    from critmin.domain.scenarios.sourcing import calc_landed_cost

    c = calc_landed_cost(df["price_usd_t"], df["tariff_rate"], df["freight_usd_t"], df["fx_premium_rate"]).to_numpy()
    loss = penalty * (1 - av.to_numpy())
    S = loss.shape[0]
    x, z, u = cp.Variable(len(df), nonneg=True), cp.Variable(), cp.Variable(S, nonneg=True)
    cons = [cp.sum(x) == demand, x <= df["capacity_t"].to_numpy(), x <= cap * demand, u >= loss @ x - z]
    prob = cp.Problem(cp.Minimize(c @ x + z + cp.sum(u) / (S * (1 - alpha))), cons)
    prob.solve(solver="CLARABEL")
    return float(prob.value)


if __name__ == "__main__":
    bench_batch()
    bench_cvar()
