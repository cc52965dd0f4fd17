"""Ours vs published: Yotov et al. (2016), Ch. 2, Application 1 ("trade without borders").

Run:  python benchmarks/validate_yotov.py [--data DIR]   (DIR: the shared data bundle; default ../shared/data)

Prints a Markdown table (max absolute and max relative deviation per published column) for the PPML
estimates, the baseline, the conditional GE, the exact full-endowment GE and the guide's iterative
full-endowment procedure (``method="book"``). docs/gravity.md embeds its output.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.domain.policy.ge import GEModel, GEScenario
from critmin.services.gravity import estimate_trade_costs, load_panel

SIGMA = 7.0
PUBLISHED_COEF = {"ln_dist": -0.7912879, "cntg": 0.6736456, "intl_brdr": -2.47445}
COLUMNS = [  # (stage, our column, published column)
    ("baseline", "omr_bln", "omr_bln"),
    ("baseline", "imr_bln", "imr_bln"),
    ("baseline", "xi_bln", "xi_bln"),
    ("conditional", "omr_cdl", "omr_cdl"),
    ("conditional", "imr_cdl", "imr_cdl"),
    ("conditional", "xi_cdl", "xi_cdl"),
    ("conditional", "exports_cdl_pct", "change_xi_cdl"),
    ("conditional", "omr_cdl_pct", "change_omr_cdl"),
    ("conditional", "imr_cdl_pct", "change_imr_cdl"),
    ("full", "y_full", "y_full"),
    ("full", "xi_full", "xi_full"),
    ("full", "omr_full", "omr_full"),
    ("full", "imr_full", "imr_full"),
    ("full", "price_pct", "change_price_full"),
    ("full", "exports_pct", "change_xi_full"),
    ("full", "omr_pct", "change_omr_full"),
    ("full", "imr_pct", "change_imr_full"),
    ("full", "real_gdp_pct", "real_gdp_pct"),
]


def deviations(ours: pd.Series, theirs: pd.Series) -> tuple[float, float]:
    a, b = ours.to_numpy(float), theirs.to_numpy(float)
    nz = b != 0
    return float(np.max(np.abs(a - b))), float(np.max(np.abs(a[nz] / b[nz] - 1)))


def published(data: Path) -> pd.DataFrame:
    folder = data / "reference" / "yotov2016_ch2_app1_trade_without_borders"
    ref = (
        pd.read_csv(folder / "trade_without_border_full_prod.csv")
        .set_index("country")
        .join(pd.read_csv(folder / "trade_without_border_full_cons.csv").set_index("country"))
    )
    k = 1 / (1 - SIGMA)
    ref["real_gdp_pct"] = ((ref.y_full / ref.imr_full**k) / (ref.y_bln / ref.imr_bln**k) - 1) * 100
    return ref


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = ap.parse_args()
    ref = published(args.data)
    panel = load_panel(args.data / "gravity" / "yotov2016_panel.csv.gz")
    flows = panel[panel["year"] == 2006]
    costs, fit = estimate_trade_costs(flows, covariates=("ln_dist", "cntg", "intl_brdr"))
    runs = {m: GEModel(flows, costs, sigma=SIGMA, method=m).run(GEScenario.no_borders()) for m in ("exact", "book")}
    frames = {m: r.to_frame().set_index("country").loc[ref.index] for m, r in runs.items()}

    print("| quantity | ours | published | abs. deviation |")
    print("|---|---|---|---|")
    for term, value in PUBLISHED_COEF.items():
        print(f"| PPML `{term}` | {fit.coef[term]:.7f} | {value} | {abs(fit.coef[term] - value):.1e} |")
    print()
    print(
        f"GE, sigma = {SIGMA:g}, 69 countries, reference DEU. Deviation = ours - published; relative over "
        "non-zero published values. `pct` columns are % changes vs baseline."
    )
    print()
    print("| stage | column (published) | exact: max abs | exact: max rel | book: max abs | book: max rel |")
    print("|---|---|---|---|---|---|")
    for stage, ours, theirs in COLUMNS:
        ea, er = deviations(frames["exact"][ours], ref[theirs])
        ba, br = deviations(frames["book"][ours], ref[theirs])
        print(f"| {stage} | `{ours}` (`{theirs}`) | {ea:.3g} | {er:.2e} | {ba:.3g} | {br:.2e} |")
    print()
    for m, r in runs.items():
        print(f'- `method="{m}"`: {r.iterations} iterations, max market-clearing error {r.max_clearing_error:.1e}')


if __name__ == "__main__":
    main()
