"""Speed of the gravity estimator and the GE solver against the obvious alternatives, in one run.

Run:  python benchmarks/bench_gravity.py [--data DIR] [--sm-years N]

1. PPML with exporter-year, importer-year and pair fixed effects on the full AGTPA panel
   (69 x 69 x 21 = 99,981 rows) with pyfixest (critmin.GravityModel), and on the last N years
   (default 2) both with critmin and with statsmodels GLM Poisson on explicit dummy columns
   (statsmodels needs a dense design: 100k rows x ~5,200 dummies does not fit in memory on the
   full panel, so the ratio is measured on the subset, same data for both).
2. GE counterfactual ("trade without borders", 2006, sigma = 7): critmin's solver (baseline,
   conditional and exact full endowment) against gegravity's OneSectorGE on the same data and
   trade costs; the baseline and conditional resistances and exports must agree to 1e-6.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def best_of(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def bench_ppml(panel: pd.DataFrame, sm_years: int, sm_countries: int | None) -> None:
    import statsmodels.api as sm

    from critmin.domain.policy.gravity import GravityModel, GravitySpec, prepare_design

    spec = GravitySpec(covariates=("rta",))
    GravityModel(
        panel[panel.year == 2006], GravitySpec(covariates=("rta",), fixed_effects=("exporter", "importer"))
    ).fit()
    t_full, res_full = best_of(lambda: GravityModel(panel, spec).fit(), 2)
    print(
        f"PPML 3 HDFE, full panel ({len(panel):,} rows): critmin/pyfixest {t_full:.2f} s, "
        f"rta = {res_full.coef['rta']:.6f} ({res_full.n_separated} separated obs. dropped)"
    )

    years = sorted(panel.year.unique())[-sm_years:]
    sub = panel[panel.year.isin(years)]
    if sm_countries:
        # the largest exporters by output in the last year
        top = sub[sub.year == years[-1]].groupby("exporter")["trade"].sum().nlargest(sm_countries).index
        sub = sub[sub.exporter.isin(top) & sub.importer.isin(top)]
    t_ours, res = best_of(lambda: GravityModel(sub, spec).fit(), 3)
    design, _ = prepare_design(sub, spec)
    # the same separated observations out (pairs with zero trade in every year kept by the subset)
    keep = design.groupby("pair_fe")["trade"].transform("sum") > 0
    design = design[keep]

    def statsmodels_fit():
        dummies = pd.get_dummies(design[["exporter_year", "importer_year", "pair_fe"]], drop_first=True, dtype=float)
        x = pd.concat([design[["rta"]].astype(float), dummies], axis=1)
        x.insert(0, "const", 1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sm.GLM(design["trade"].to_numpy(), x, family=sm.families.Poisson()).fit(tol=1e-10), x.shape

    t_sm, (sm_res, shape) = best_of(statsmodels_fit, 1)
    label = f", {sm_countries} largest countries" if sm_countries else ""
    print(
        f"PPML 3 HDFE, years {years[0]}-{years[-1]}{label} ({len(sub):,} rows; statsmodels design {shape[0]:,} x "
        f"{shape[1]:,}): critmin {t_ours:.2f} s, statsmodels GLM {t_sm:.1f} s -> {t_sm / t_ours:.0f}x faster; "
        f"rta {res.coef['rta']:.8f} vs {sm_res.params['rta']:.8f} "
        f"(|diff| {abs(res.coef['rta'] - sm_res.params['rta']):.1e})"
    )


def gegravity_case(flows: pd.DataFrame, costs, *, year: str, reference: str, sigma: float):
    """gegravity's input table for one cross-section (trade, output Y, expenditure E, critmin's cost terms)
    and ``run(experiment)``: a function that solves the baseline and the experiment with gegravity."""
    import gegravity as gg

    data = costs.pairs.merge(flows[["exporter", "importer", "trade"]], on=["exporter", "importer"])
    data["Y"] = data.groupby("exporter")["trade"].transform("sum")
    data["E"] = data.groupby("importer")["trade"].transform("sum")
    data["year"] = year
    coeffs = pd.DataFrame({"var": list(costs.coef), "coef": list(costs.coef.values()), "se": 0.0})

    def run(experiment: pd.DataFrame):
        def solve():
            base = gg.BaselineData(
                data,
                imp_var_name="importer",
                exp_var_name="exporter",
                year_var_name="year",
                trade_var_name="trade",
                expend_var_name="E",
                output_var_name="Y",
            )
            m = gg.OneSectorGE(
                base,
                year=year,
                reference_importer=reference,
                sigma=sigma,
                cost_variables=list(costs.coef),
                quiet=True,
                cost_coeff_values=gg.CostCoeffs(coeffs, identifier_col="var", coeff_col="coef", stderr_col="se"),
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m.build_baseline(omr_rescale=1000, mr_tolerance=1e-12)
                m.define_experiment(experiment)
                m.simulate(ge_tolerance=1e-12)
            return m

        return solve

    return data, run


def bench_ge(panel: pd.DataFrame) -> None:
    from critmin.domain.policy.ge import GEModel, GEScenario
    from critmin.services.gravity import estimate_trade_costs

    flows = panel[panel.year == 2006].copy()
    costs, _ = estimate_trade_costs(flows, covariates=("ln_dist", "cntg", "intl_brdr"))
    t_ours, ours = best_of(lambda: GEModel(flows, costs, sigma=7.0).run(GEScenario.no_borders()), 20)
    ours = ours.to_frame().set_index("country")

    data, run = gegravity_case(flows, costs, year="2006", reference="DEU", sigma=7.0)
    experiment = data.copy()
    experiment["intl_brdr"] = 0.0
    gegravity_run = run(experiment)

    t_gg, m = best_of(gegravity_run, 1)
    mr = m.country_mr_terms.loc[ours.index]
    agg = m.aggregate_trade_results.loc[ours.index]
    k = 1 / (1 - 7.0)
    world = ours.y_bln.sum()
    checks = {
        "baseline IMR": (ours.imr_bln**k, mr["baseline imr"]),
        "conditional IMR": (ours.imr_cdl**k, mr["conditional imr"]),
        "baseline OMR": ((ours.omr_bln / world) ** k, mr["baseline omr"]),
        "conditional OMR": ((ours.omr_cdl / world) ** k, mr["conditional omr"]),
        "baseline exports": (ours.xi_bln, agg["baseline modeled foreign exports"]),
    }
    print(
        f"GE no borders, 2006, 69 countries: critmin {t_ours * 1e3:.1f} ms (baseline + conditional + exact "
        f"full endowment), gegravity {t_gg:.1f} s -> {t_gg / t_ours:.0f}x faster"
    )
    for name, (a, b) in checks.items():
        print(f"  {name:<18} max relative difference vs gegravity {np.max(np.abs(a / b - 1)):.1e}")


def main() -> None:
    ap = argparse.ArgumentParser(description="critmin gravity benchmarks")
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--sm-years", type=int, default=2)
    ap.add_argument(
        "--sm-countries", type=int, default=None, help="restrict the statsmodels comparison to the N largest countries"
    )
    args = ap.parse_args()
    from critmin.services.gravity import load_panel

    panel = load_panel(args.data / "gravity" / "yotov2016_panel.csv.gz")
    bench_ge(panel)
    bench_ppml(panel, args.sm_years, args.sm_countries)


if __name__ == "__main__":
    main()
