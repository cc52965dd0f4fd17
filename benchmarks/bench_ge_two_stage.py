"""Speed of the two-stage trade costs and of the GE solve with them, against the obvious alternatives.

Run:  python benchmarks/bench_ge_two_stage.py [--data DIR]

1. Pair-effect recovery on the guide's stage-1 panel (AGTPA, 1986-2006 every 4 years, 28,482 rows,
   RTA coefficient given): critmin's exact recovery (``recover_pair_effects``) against pyfixest's
   ``fixef()`` after the same fit, with the largest deviation from the guide's printed pair effects.
   gegravity has no two-stage cost recovery (it takes the costs as given), so pyfixest is the alternative.
2. GE with the two-stage costs: NAFTA removed from the 1994 AGTPA baseline (69 countries) and an
   India-New Zealand agreement on the 2019 partner panel (75 economies; DOTS + OECD domestic sales
   read from the bundle's tidy copies, GeoDist and WTO RTAs through their connectors): critmin
   (baseline, conditional, exact full endowment) against gegravity's OneSectorGE on the same data and
   costs; the conditional resistances must agree.
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from bench_gravity import best_of, gegravity_case

PUBLISHED_PAIR_FE = [-7.5535, -7.436111, -7.88218, -6.64445, -6.373408, -4.685402, -8.852248, -3.660572]
SIGMA = 7.0


def bench_recovery(panel: pd.DataFrame) -> None:
    from critmin.domain.policy.gravity import GravityModel, GravitySpec
    from critmin.domain.policy.gravity_costs import recover_pair_effects
    from critmin.domain.policy.gravity_panel import select_years

    p = select_years(panel, every=4)
    fit = GravityModel(p, GravitySpec(covariates=("rta",))).fit()
    b = {"rta": float(fit.coef["rta"])}
    t_ours, ours = best_of(lambda: recover_pair_effects(p, b), 5)

    import pyfixest as pf
    from critmin.domain.policy.gravity import prepare_design

    design, _ = prepare_design(p, GravitySpec(covariates=("rta",)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pf.fepois("trade ~ rta | exporter_year + importer_year + pair_fe", data=design, vcov="iid")
    t_pf, raw = best_of(lambda: model.fixef(), 1)
    # pyfixest omits the reference level of the pair effects (its value is 0)
    pfx = pd.Series(raw["C(pair_fe)"], dtype=float).reindex(ours.index, fill_value=0.0)
    pfx = pfx - pfx["domestic"]
    ids = p[p["exporter"] < p["importer"]].drop_duplicates("pair_id").sort_values("pair_id")
    labels = (ids["exporter"] + "-" + ids["importer"]).to_numpy()
    first = [lab for lab in labels if lab in ours.index][: len(PUBLISHED_PAIR_FE)]
    dev_ours = np.max(np.abs(ours[first].to_numpy() - PUBLISHED_PAIR_FE))
    dev_pf = np.max(np.abs(pfx.reindex(first).to_numpy() - PUBLISHED_PAIR_FE))
    print(
        f"pair-effect recovery, {len(p):,} rows, {len(ours):,} pair effects: critmin {t_ours * 1e3:.0f} ms, "
        f"pyfixest fixef() {t_pf * 1e3:.0f} ms -> {t_pf / t_ours:.1f}x; max |dev| vs the guide's PAIR_FE1-8: "
        f"critmin {dev_ours:.1e}, pyfixest {dev_pf:.1e}; max |critmin - pyfixest| over all pairs "
        f"{np.max(np.abs(ours - pfx)):.2f}"
    )


def gegravity_conditional(flows: pd.DataFrame, costs, experiment_rta: np.ndarray, reference: str):
    data, run = gegravity_case(flows, costs, year="0", reference=reference, sigma=SIGMA)
    experiment = data.copy()
    experiment["rta"] = experiment_rta
    return run(experiment)


def bench_ge_case(label: str, flows: pd.DataFrame, costs, scenario, members) -> None:
    from critmin.domain.policy.ge import GEModel

    t_ours, res = best_of(lambda: GEModel(flows, costs, sigma=SIGMA).run(scenario), 10)
    ours = res.to_frame().set_index("country")
    pairs = costs.pairs
    among = (
        pairs["exporter"].isin(members) & pairs["importer"].isin(members) & (pairs["exporter"] != pairs["importer"])
    ).to_numpy()
    rta = pairs["rta"].to_numpy(float).copy()
    rta[among] = 1.0 if scenario.kind == "rta_on" else 0.0
    t_gg, m = best_of(gegravity_conditional(flows, costs, rta, "DEU"), 1)
    mr = m.country_mr_terms.loc[ours.index]
    k = 1 / (1 - SIGMA)
    dev = np.max(np.abs(ours.imr_cdl**k / mr["conditional imr"] - 1))
    print(
        f"GE {label}: critmin {t_ours * 1e3:.1f} ms (baseline + conditional + exact full endowment), "
        f"gegravity {t_gg:.1f} s -> {t_gg / t_ours:.0f}x faster; conditional IMR max rel. diff {dev:.1e}"
    )


def partner_panel(data: Path) -> pd.DataFrame:
    from critmin.config import load_settings
    from critmin.domain.policy.gravity_panel import build_partner_panel
    from critmin.warehouse.build import build

    d = pd.read_csv(data / "trade" / "imf_dots_exports_fob_pairs_2019_2020.csv.gz")
    dots = pd.DataFrame(
        {
            "year": d["year"],
            "exporter": d["exporter_iso3"],
            "importer": d["importer_iso3"],
            "value_usd": d["exports_fob_usd_mn"] * 1e6,
        }
    )
    e = pd.read_csv(data / "economy" / "oecd_iot2023_output_va_trade_76_economies_1995_2020.csv.gz")
    ia = pd.DataFrame(
        {
            "country": e["iso3"],
            "year": e["year"],
            "industry": e["industry"],
            "output_usd": e["output_usd_mn"] * 1e6,
            "exports_usd": e["exports_usd_mn"] * 1e6,
            "domestic_sales_usd": e["domestic_sales_usd_mn"] * 1e6,
        }
    )
    with tempfile.TemporaryDirectory() as home:
        wh = build(
            load_settings(home=Path(home), mirror=data / "raw", offline=True), ["geodist", "wto_rta"], progress=False
        )
        panel, _ = build_partner_panel(
            dots,
            ia,
            year=2019,
            distances=wh.read("distances"),
            agreements=wh.read("agreements"),
            agreement_members=wh.read("agreement_members"),
        )
    return panel


def main() -> None:
    ap = argparse.ArgumentParser(description="critmin two-stage GE benchmarks")
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = ap.parse_args()
    from critmin.domain.policy.ge import GEScenario
    from critmin.domain.policy.gravity_costs import two_stage_trade_costs
    from critmin.services.gravity import load_panel, pair_fe_trade_costs

    panel = load_panel(args.data / "gravity" / "yotov2016_panel.csv.gz")
    bench_recovery(panel)
    t_two, (two, info) = best_of(lambda: pair_fe_trade_costs(panel, year=1994), 1)
    print(f"two-stage costs, AGTPA 1994 (stage-1 PPML + exact recovery + stage 2): {t_two:.2f} s")
    flows = panel[panel["year"] == 1994]
    bench_ge_case(
        "NAFTA removed, AGTPA 1994, 69 countries",
        flows,
        two.costs,
        GEScenario.rta_off(["CAN", "MEX", "USA"]),
        ["CAN", "MEX", "USA"],
    )
    pp = partner_panel(args.data)
    t_pp, two_p = best_of(lambda: two_stage_trade_costs(pp, {"rta": info["stage1"]["rta"]}, pp), 3)
    print(f"two-stage costs, partner panel 2019 ({pp['exporter'].nunique()} economies, RTA given): {t_pp * 1e3:.0f} ms")
    bench_ge_case(
        f"IND-NZL agreement, partner panel 2019, {pp['exporter'].nunique()} economies",
        pp,
        two_p.costs,
        GEScenario.rta_on(["IND", "NZL"]),
        ["IND", "NZL"],
    )


if __name__ == "__main__":
    main()
