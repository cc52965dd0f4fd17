"""GE solver and scenarios on synthetic economies (fixed seed): adding-up, normalisation, invariances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.domain.policy.ge import GEModel, GEScenario, TradeCosts
from critmin.domain.policy.ge_solver import (
    calc_full_endowment,
    calc_full_endowment_book,
    calc_market_clearing_error,
    calc_multilateral_resistances,
)
from critmin.errors import DataFormatError, UnknownCodeError


def economy(n=12, seed=7):
    rng = np.random.default_rng(seed)
    names = [f"C{i:02d}" for i in range(n)]
    xy = rng.uniform(0, 100, size=(n, 2))
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)) + 1.0
    np.fill_diagonal(dist, 0.5)
    size = rng.lognormal(3, 1, n)
    t = np.exp(-0.8 * np.log(dist) - 2.0 * (1 - np.eye(n)))
    x = size[:, None] * size[None, :] * t * rng.lognormal(0, 0.3, (n, n))
    rta = (rng.uniform(size=(n, n)) < 0.2).astype(float)
    rta = np.triu(rta, 1) + np.triu(rta, 1).T
    i, j = np.meshgrid(range(n), range(n), indexing="ij")
    pairs = pd.DataFrame(
        {
            "exporter": np.array(names)[i.ravel()],
            "importer": np.array(names)[j.ravel()],
            "trade": x.ravel(),
            "ln_dist": np.log(dist).ravel(),
            "intl_brdr": (i != j).ravel().astype(float),
            "rta": rta.ravel(),
        }
    )
    costs = TradeCosts(
        pairs[["exporter", "importer", "ln_dist", "intl_brdr", "rta"]], {"ln_dist": -0.8, "intl_brdr": -2.0, "rta": 0.5}
    )
    return pairs, costs, names


def test_multilateral_resistances_reproduce_output_and_expenditure():
    pairs, costs, names = economy()
    m = GEModel(pairs, costs, sigma=5, reference="C03")
    sol = m.baseline()
    assert np.allclose(sol.flows.sum(axis=1), m.y, rtol=1e-12)
    assert np.allclose(sol.flows.sum(axis=0), m.e, rtol=1e-12)
    assert sol.imr[3] == pytest.approx(1.0, abs=1e-14)
    # structural form X = Y E T / (OMR IMR)
    assert np.allclose(sol.flows, m.y[:, None] * m.e[None, :] * m.t0 / (sol.omr[:, None] * sol.imr[None, :]))


def test_no_change_in_costs_changes_nothing():
    pairs, costs, names = economy()
    res = GEModel(pairs, costs, sigma=5, reference="C00").run(GEScenario.cost_change(1.0))
    f = res.to_frame()
    for col in ("real_gdp_pct", "exports_pct", "omr_pct", "imr_pct", "price_pct", "exports_cdl_pct"):
        assert np.max(np.abs(f[col])) < 1e-8, col


@pytest.mark.parametrize("sigma", [2.0, 5.0, 11.0])
def test_exact_full_endowment_clears_markets_for_any_sigma(sigma):
    pairs, costs, names = economy(seed=3)
    res = GEModel(pairs, costs, sigma=sigma, reference="C01").run(GEScenario.cost_change(0.8))
    assert res.max_clearing_error < 1e-10
    f = res.to_frame()
    # world output equals world expenditure; reference country's price index unchanged
    assert f.e_full.sum() == pytest.approx(f.y_full.sum(), rel=1e-12)
    assert f.set_index("country").loc["C01", "imr_full"] == pytest.approx(1.0, abs=1e-12)
    # lower trade costs everywhere: every country's exports and real GDP rise
    assert (f.exports_pct > 0).all() and (f.real_gdp_pct > 0).all()


def test_rta_scenario_helps_members_and_diverts_from_others():
    pairs, costs, names = economy(seed=5)
    members = ("C02", "C05", "C09")
    p = costs.pairs.copy()
    among = p.exporter.isin(members) & p.importer.isin(members)
    p.loc[among, "rta"] = 0.0
    costs = TradeCosts(p, costs.coef)
    f = GEModel(pairs, costs, sigma=6, reference="C00").run(GEScenario.rta_on(members)).to_frame().set_index("country")
    assert (f.loc[list(members), "real_gdp_pct"] > 0).all()
    assert (f.drop(list(members)).real_gdp_pct < 0).all()
    # rta_off on the same countries afterwards undoes it: costs equal the baseline
    back = GEModel(pairs, costs, sigma=6, reference="C00").run(GEScenario.rta_off(members)).to_frame()
    assert np.max(np.abs(back.real_gdp_pct)) < 1e-8


def test_cost_factor_applies_to_listed_pairs_only():
    pairs, costs, names = economy()
    log_t = costs.counterfactual(GEScenario.cost_change(1.1, ["C00", "C01"]), sigma=5)
    diff = log_t - costs.log_t()
    p = costs.pairs
    hit = p.exporter.isin(["C00", "C01"]) & p.importer.isin(["C00", "C01"]) & (p.exporter != p.importer)
    assert np.allclose(diff[hit.to_numpy()], (1 - 5) * np.log(1.1))
    assert np.allclose(diff[~hit.to_numpy()], 0)


def test_book_and_exact_agree_on_small_shocks():
    pairs, costs, names = economy()
    y, e = pairs.groupby("exporter").trade.sum().to_numpy(), pairs.groupby("importer").trade.sum().to_numpy()
    m = GEModel(pairs, costs, sigma=5, reference="C00")
    t1 = m.t0 * np.where(np.eye(len(names)) == 1, 1.0, 1.01)
    ex = calc_full_endowment(y, e, m.t0, t1, sigma=5, ref=0)
    bk = calc_full_endowment_book(y, e, m.t0, t1, sigma=5, ref=0)
    assert np.max(np.abs(ex.price - bk.price)) < 1e-3
    assert calc_market_clearing_error(m.baseline().exp_pi, ex.price, y, e / y, t1, sigma=5) < 1e-10


def test_bad_inputs_are_named():
    pairs, costs, names = economy(n=4)
    with pytest.raises(ValueError, match="sigma"):
        GEModel(pairs, costs, sigma=1.0)
    with pytest.raises(ValueError, match="method"):
        GEModel(pairs, costs, sigma=5, reference="C00", method="fast")
    with pytest.raises(UnknownCodeError, match="DEU"):
        GEModel(pairs, costs, sigma=5)  # default reference not in the data
    with pytest.raises(DataFormatError, match="C00 -> C00"):
        GEModel(pairs.iloc[1:], costs, sigma=5, reference="C00")
    neg = pairs.copy()
    neg.loc[0, "trade"] = -1
    with pytest.raises(DataFormatError, match="negative"):
        GEModel(neg, costs, sigma=5, reference="C00")
    with pytest.raises(UnknownCodeError, match="PER"):
        GEModel(pairs, costs, sigma=5, reference="C00").run(GEScenario.rta_on(["C01", "PER"]))
    with pytest.raises(ValueError, match="two countries"):
        GEScenario.rta_on(["C01"])
    with pytest.raises(ValueError, match="factor"):
        GEScenario.cost_change(0)
    with pytest.raises(ValueError, match="intl_brdr"):
        GEModel(pairs, TradeCosts(costs.pairs, {"ln_dist": -1.0}), sigma=5, reference="C00").run(
            GEScenario.no_borders()
        )


def test_ras_solution_matches_a_ppml_fit_with_offset():
    """The resistances solver returns what PPML with exporter and importer effects and offset log T gives."""
    import pyfixest as pf

    pairs, costs, names = economy(n=8)
    d = pairs.assign(off=costs.log_t())
    from pyfixest.demeaners import MapDemeaner

    fit = pf.fepois(
        "trade ~ 1 | exporter + importer",
        data=d,
        offset="off",
        iwls_tol=1e-14,
        iwls_maxiter=500,
        demeaner=MapDemeaner(fixef_tol=1e-14),
    )
    ours = calc_multilateral_resistances(
        d.groupby("exporter").trade.sum().to_numpy(),
        d.groupby("importer").trade.sum().to_numpy(),
        np.exp(d.off.to_numpy()).reshape(8, 8),
        ref=0,
    )
    assert np.allclose(ours.flows.ravel(), fit.predict(type="response"), rtol=1e-6)
