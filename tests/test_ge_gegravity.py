"""Cross-check of baseline and conditional GE against gegravity (OneSectorGE) on the same data and costs.

gegravity's full-endowment step keeps baseline output shares, so it is not a reference for that stage.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from critmin.domain.policy.ge import GEModel, GEScenario
from critmin.services.gravity import estimate_trade_costs, load_panel

pytestmark = pytest.mark.slow  # the fast loop is pytest -m 'not slow'

gg = pytest.importorskip("gegravity")
SIGMA = 7.0


@pytest.fixture(scope="module")
def both(shared_data):
    panel = load_panel(shared_data / "gravity" / "yotov2016_panel.csv.gz")
    flows = panel[panel.year == 2006]
    costs, _ = estimate_trade_costs(flows, covariates=("ln_dist", "cntg", "intl_brdr"))
    ours = GEModel(flows, costs, sigma=SIGMA).run(GEScenario.no_borders()).to_frame().set_index("country")

    data = costs.pairs.merge(flows[["exporter", "importer", "trade"]], on=["exporter", "importer"])
    data["Y"] = data.groupby("exporter")["trade"].transform("sum")
    data["E"] = data.groupby("importer")["trade"].transform("sum")
    data["year"] = "2006"
    coeffs = pd.DataFrame({"var": list(costs.coef), "coef": list(costs.coef.values()), "se": 0.0})
    base = gg.BaselineData(
        data,
        imp_var_name="importer",
        exp_var_name="exporter",
        year_var_name="year",
        trade_var_name="trade",
        expend_var_name="E",
        output_var_name="Y",
    )
    model = gg.OneSectorGE(
        base,
        year="2006",
        reference_importer="DEU",
        sigma=SIGMA,
        cost_variables=list(costs.coef),
        cost_coeff_values=gg.CostCoeffs(coeffs, identifier_col="var", coeff_col="coef", stderr_col="se"),
        quiet=True,
    )
    experiment = data.copy()
    experiment["intl_brdr"] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # omr_rescale: gegravity's starting-value scale; with the default (1) its root finder fails on this panel
        model.build_baseline(omr_rescale=1000, mr_tolerance=1e-12)
        model.define_experiment(experiment)
        model.simulate(ge_tolerance=1e-12)
    return ours, model


def test_baseline_and_conditional_resistances_agree_to_1e_6(both):
    ours, model = both
    mr = model.country_mr_terms.loc[ours.index]
    k = 1 / (1 - SIGMA)
    world = ours.y_bln.sum()
    # gegravity reports P_j = IMR^(1/(1-sigma)) and Pi_i with world output in the denominator
    pairs = [
        (ours.imr_bln**k, mr["baseline imr"]),
        (ours.imr_cdl**k, mr["conditional imr"]),
        ((ours.omr_bln / world) ** k, mr["baseline omr"]),
        ((ours.omr_cdl / world) ** k, mr["conditional omr"]),
    ]
    for a, b in pairs:
        assert np.max(np.abs(a / b - 1)) < 1e-6


def test_baseline_exports_agree_to_1e_6(both):
    ours, model = both
    agg = model.aggregate_trade_results.loc[ours.index]
    assert np.max(np.abs(ours.xi_bln / agg["baseline modeled foreign exports"] - 1)) < 1e-6
