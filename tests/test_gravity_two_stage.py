"""The guide's two-stage trade costs (Yotov et al. 2016, Ch. 2, Application 2, "impact of RTAs").

Published numbers: the Stata log of the application (``RTAsEffects.log`` of the guide's replication
files): stage-1 ``RTA`` and pair effects ``PAIR_FE1..`` (pair ids in order, domestic pair omitted = 0),
stage-2 coefficients.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.domain.policy.ge import GEModel, GEScenario
from critmin.domain.policy.gravity_costs import calc_poisson_fixed_effects, recover_pair_effects, two_stage_trade_costs
from critmin.domain.policy.gravity_panel import select_years
from critmin.errors import DataFormatError
from critmin.services.gravity import load_panel, pair_fe_trade_costs

PUBLISHED_RTA = 0.5571853
# PAIR_FE1..PAIR_FE8 of the stage-1 ppml (pair_id 1..8 of the panel; ARG-AUS, ARG-AUT, ...)
PUBLISHED_PAIR_FE = [-7.5535, -7.436111, -7.88218, -6.64445, -6.373408, -4.685402, -8.852248, -3.660572]
PUBLISHED_STAGE2 = {"ln_dist": -0.8475027, "cntg": 0.2940831, "lang": 0.3632659, "clny": 0.2394163}
NAFTA = ("CAN", "MEX", "USA")


@pytest.fixture(scope="module")
def panel(shared_data):
    return load_panel(shared_data / "gravity" / "yotov2016_panel.csv.gz")


@pytest.fixture(scope="module")
def two_stage(panel):
    return pair_fe_trade_costs(panel, year=1994)


def test_poisson_fixed_effects_solve_the_adding_up_conditions():
    rng = np.random.default_rng(7)
    n_i, n_j = 6, 5
    i = np.repeat(np.arange(n_i), n_j)
    j = np.tile(np.arange(n_j), n_i)
    offset = rng.normal(size=i.size)
    y = rng.poisson(np.exp(2.0 + 0.3 * i - 0.2 * j + offset)).astype(float)
    fe = calc_poisson_fixed_effects(y, offset, [i, j])
    mu = np.exp(offset + fe[0][i] + fe[1][j])
    np.testing.assert_allclose(np.bincount(i, mu), np.bincount(i, y), rtol=1e-11)
    np.testing.assert_allclose(np.bincount(j, mu), np.bincount(j, y), rtol=1e-11)


def test_poisson_fixed_effects_reject_a_group_without_trade():
    y = np.array([0.0, 0.0, 1.0, 2.0])
    with pytest.raises(DataFormatError, match="separated"):
        calc_poisson_fixed_effects(y, np.zeros(4), [np.array([0, 0, 1, 1])])


def test_stage1_pair_effects_match_the_published_ones(panel, two_stage):
    two, info = two_stage
    assert info["stage1"]["rta"] == pytest.approx(PUBLISHED_RTA, abs=1e-6)
    assert info["stage1_years"] == [1986, 1990, 1994, 1998, 2002, 2006]
    assert info["rta_panel"]["n_separated"] == 84  # 7 pairs that never trade, 6 years, both ways
    ids = panel[panel["exporter"] < panel["importer"]].drop_duplicates("pair_id").sort_values("pair_id")
    labels = (ids["exporter"] + "-" + ids["importer"]).to_numpy()
    ours = two.pair_effects.reindex(labels).dropna().to_numpy()[: len(PUBLISHED_PAIR_FE)]
    np.testing.assert_allclose(ours, PUBLISHED_PAIR_FE, atol=2e-6)  # the log prints 7 digits
    assert two.pair_effects["domestic"] == 0.0
    assert len(two.pair_effects) == 69 * 68 // 2 - 7 + 1


def test_stage2_coefficients_match_the_published_ones(two_stage):
    two, info = two_stage
    for k, v in PUBLISHED_STAGE2.items():
        assert info["stage2"][k] == pytest.approx(v, abs=1e-6), k
    assert info["pairs_predicted"] == 14 and info["pairs_estimated"] == 69 * 68 - 14
    p = two.pairs
    assert (p.loc[p.source == "domestic", "pair_fe"] == 0).all()
    pred = p[p.source == "predicted"]
    assert set(pred.exporter) <= {"CMR", "MAC", "MMR", "MWI", "NER", "NPL", "PAN"}
    # stage-2 predictions are symmetric pairs of a symmetric model: NER-PAN == PAN-NER
    m = pred.set_index(["exporter", "importer"])["pair_fe"]
    assert m[("NER", "PAN")] == pytest.approx(m[("PAN", "NER")], rel=1e-9)


def test_pair_effects_need_domestic_flows(panel):
    intl = select_years(panel, every=4)
    intl = intl[intl["exporter"] != intl["importer"]]
    with pytest.raises(DataFormatError, match="domestic"):
        recover_pair_effects(intl, {"rta": 0.5})


def test_two_stage_needs_stage1_covariates_in_the_baseline(panel):
    flows = panel[panel["year"] == 1994].drop(columns=["rta"])
    with pytest.raises(DataFormatError, match="rta"):
        two_stage_trade_costs(select_years(panel, every=4), {"rta": 0.5}, flows)


@pytest.fixture(scope="module")
def nafta(panel, two_stage):
    two, _ = two_stage
    flows = panel[panel["year"] == 1994]
    out = {}
    for method in ("exact", "book"):
        out[method] = GEModel(flows, two.costs, sigma=7.0, method=method).run(GEScenario.rta_off(NAFTA))
    return out


def test_nafta_effect_of_the_agreement_conventions(nafta):
    res = nafta["exact"]
    vs = res.to_frame().set_index("country")
    eff = res.agreement_effects().set_index("country")
    # removing an agreement: effect = with/without - 1 = 1 / (1 + change vs baseline) - 1
    for col in ("exports_pct", "real_gdp_pct", "price_pct", "imr_pct", "omr_pct"):
        np.testing.assert_allclose(eff[col], 100 * (1 / (1 + vs[col] / 100) - 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(eff["price_guide_pct"], -vs["price_pct"], atol=1e-12)
    members = eff.loc[list(NAFTA)]
    assert (members["exports_pct"] > 10).all() and (members["real_gdp_pct"] > 0).all()
    others = eff.drop(index=list(NAFTA))
    assert (others["real_gdp_pct"] < 0.05).all() and others["exports_pct"].median() < 0
    assert res.max_clearing_error < 1e-10


def test_nafta_book_and_exact_agree_closely(nafta):
    a = nafta["exact"].agreement_effects().set_index("country").loc[list(NAFTA)]
    b = nafta["book"].agreement_effects().set_index("country").loc[list(NAFTA)]
    assert np.max(np.abs(a["exports_pct"] - b["exports_pct"])) < 1.0
    assert np.max(np.abs(a["real_gdp_pct"] - b["real_gdp_pct"])) < 0.1


def test_rta_on_effect_equals_change_vs_baseline(panel, two_stage):
    two, _ = two_stage
    res = GEModel(panel[panel["year"] == 1994], two.costs, sigma=7.0).run(GEScenario.rta_on(["IND", "JPN"]))
    pd.testing.assert_series_equal(
        res.agreement_effects()["exports_pct"], res.to_frame()["exports_pct"], check_names=False
    )
    with pytest.raises(ValueError, match="not an agreement"):
        GEModel(panel[panel["year"] == 1994], two.costs, sigma=7.0).run(
            GEScenario.cost_change(0.9, ["IND", "JPN"])
        ).agreement_effects()
