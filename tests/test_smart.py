"""SMART partial equilibrium: hand-computed cases, closed-form identities, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from critmin.domain.policy.smart import (
    SmartModel,
    calc_price_effect,
    calc_smart_line,
    calc_trade_creation,
    calc_trade_diversion,
)
from critmin.errors import DataFormatError, EmptySelectionError


def _two_partner(t_new_per=0.0, **kw):
    df = pd.DataFrame(
        {
            "hs6": ["740311", "740311"],
            "partner": ["PER", "CHL"],
            "imports_usd": [100.0, 300.0],
            "tariff_old": [0.05, 0.05],
            "tariff_new": [t_new_per, 0.05],
        }
    )
    for k, v in kw.items():
        df[k] = v
    return df


# ---------------------------------------------------------------- hand-computed cases
def test_trade_creation_hand_computed_infinite_supply():
    # TC = M Em dt / (1+t0) = 100 * (-1) * (-0.05) / 1.05 = 4.7619047619...
    tc = calc_trade_creation([100.0], [0.05], [0.0], [-1.0], export_supply_elasticity=np.inf)
    assert tc[0] == pytest.approx(100 * 0.05 / 1.05, rel=1e-12)
    assert tc[0] == pytest.approx(4.761904761904762, rel=1e-12)


def test_trade_creation_hand_computed_wits_supply_elasticity():
    # with Ex = 99: denominator (1.05)(1 + 1/99) = 1.05 * 100/99 -> TC = 5 * 99 / 105 = 4.714285714...
    tc = calc_trade_creation([100.0], [0.05], [0.0], [-1.0], export_supply_elasticity=99.0)
    assert tc[0] == pytest.approx(4.714285714285714, rel=1e-12)
    # Em = -2, t 10% -> 0%, Ex = inf: 200 * -2 * -0.1 / 1.1 = 36.3636...
    tc = calc_trade_creation([200.0], [0.10], [0.0], [-2.0], export_supply_elasticity=np.inf)
    assert tc[0] == pytest.approx(40.0 / 1.1, rel=1e-12)


def test_trade_diversion_two_partner_closed_form():
    # preferred partner c (M=100, 5% -> 0), rest K (M=300, 5% unchanged), sigma = 1.5
    # phi_c = 1/1.05, ratio M_c/M_K scales by phi_c^-sigma = 1.05^1.5 = 1.0759298...
    # TD_c = M_c M_K (r - 1) / (M_c r + M_K), r = 1.05**1.5
    r = 1.05**1.5
    expected = 100 * 300 * (r - 1) / (100 * r + 300)
    td = calc_trade_diversion([100.0, 300.0], [0.05, 0.05], [0.0, 0.05], [0, 0], substitution_elasticity=1.5)
    assert td[0] == pytest.approx(expected, rel=1e-12)
    assert td[0] == pytest.approx(5.588650952155362, rel=1e-9)
    assert td[1] == pytest.approx(-expected, rel=1e-12)


def test_trade_diversion_matches_laird_yeats_for_small_changes():
    # Laird-Yeats linearisation: TD_c ~ -M_c M_K sigma pi / (M_c + M_K), pi = relative price change
    t0, t1, sigma = 0.05, 0.0499, 1.5
    pi = (1 + t1) / (1 + t0) - 1
    ly = -100 * 300 * sigma * pi / (100 + 300)
    td = calc_trade_diversion([100.0, 300.0], [t0, t0], [t1, t0], [0, 0], substitution_elasticity=sigma)
    assert td[0] == pytest.approx(ly, rel=1e-3)


def test_model_hand_computed_revenue_and_welfare():
    res = SmartModel(_two_partner(), import_demand_elasticity=-1.0, export_supply_elasticity=np.inf).run()
    f = res.to_frame().set_index("partner")
    tc = 100 * 0.05 / 1.05
    assert f.loc["PER", "trade_creation"] == pytest.approx(tc)
    assert f.loc["CHL", "trade_creation"] == 0.0
    # welfare = 0.5 * (t0 - t1) * TC
    assert f.loc["PER", "welfare"] == pytest.approx(0.5 * 0.05 * tc)
    # revenue: PER pays nothing after the cut; CHL pays 5% on its diverted-down imports
    td = f.loc["PER", "trade_diversion"]
    assert f.loc["PER", "revenue_change"] == pytest.approx(-5.0)
    assert f.loc["CHL", "revenue_change"] == pytest.approx(0.05 * (300 - td) - 15.0)
    t = res.totals()
    assert t["revenue_change"] == pytest.approx(-5.0 + 0.05 * (300 - td) - 15.0)


def test_price_effect_finite_supply():
    # dp/p = TC/(M Ex); PE = (M + TC) dp/p
    tc = calc_trade_creation([100.0], [0.05], [0.0], [-1.0], export_supply_elasticity=2.0)
    pe = calc_price_effect([100.0], tc, export_supply_elasticity=2.0)
    assert pe[0] == pytest.approx((100 + tc[0]) * tc[0] / 200.0)
    # infinite supply: no price effect
    res = SmartModel(_two_partner(), export_supply_elasticity=np.inf).run()
    assert (res.to_frame()["price_effect"] == 0).all()


# ---------------------------------------------------------------- identities
def _random_markets(seed=7, n_lines=40, n_partners=12):
    rng = np.random.default_rng(seed)
    rows = n_lines * n_partners
    df = pd.DataFrame(
        {
            "hs6": np.repeat([f"{100000 + i}" for i in range(n_lines)], n_partners),
            "partner": np.tile([f"P{j:02d}" for j in range(n_partners)], n_lines),
            "imports_usd": rng.lognormal(10, 2, rows) * (rng.random(rows) > 0.2),
            "tariff_old": rng.choice([0.0, 0.025, 0.05, 0.1, 0.3], rows),
        }
    )
    cut = rng.random(rows) < 0.3
    df["tariff_new"] = np.where(cut, df["tariff_old"] * rng.choice([0, 0.5], rows), df["tariff_old"])
    df["import_demand_elasticity"] = -rng.uniform(0.2, 4.0, rows)
    return df


def test_identities_over_many_markets():
    res = SmartModel(_random_markets()).run()
    f = res.to_frame()
    falls = f["tariff_new"] < f["tariff_old"]
    assert (f.loc[falls, "trade_creation"] >= 0).all()
    assert (f.loc[~falls, "trade_creation"] == 0).all()
    # diversion only reallocates: it sums to zero in every market
    assert np.allclose(f.groupby("hs6")["trade_diversion"].sum(), 0.0, atol=1e-6)
    # diverted trade never exceeds existing trade
    assert (f["imports_new"] >= -1e-9).all()
    # total imports change by creation + price effect only
    d_total = f.groupby("hs6")["imports_new"].sum() - f.groupby("hs6")["imports_usd"].sum()
    expect = f.groupby("hs6")["trade_creation"].sum() + f.groupby("hs6")["price_effect"].sum()
    assert np.allclose(d_total, expect, rtol=1e-9, atol=1e-6)
    # revenue identity
    assert np.allclose(f["revenue_change"], f["tariff_new"] * f["imports_new"] - f["tariff_old"] * f["imports_usd"])
    assert (f["welfare"] >= 0).all()


def test_vectorised_equals_per_line_loop():
    df = _random_markets(seed=3, n_lines=15, n_partners=6)
    df["import_demand_elasticity"] = -1.3
    res = SmartModel(df, import_demand_elasticity=-1.3).run().to_frame()
    for hs, g in df.groupby("hs6", sort=False):
        loop = pd.DataFrame(
            calc_smart_line(g["imports_usd"].tolist(), g["tariff_old"].tolist(), g["tariff_new"].tolist(), -1.3)
        )
        mine = res.loc[res["hs6"] == hs, loop.columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, loop, check_exact=False, rtol=1e-9, atol=1e-9)


def test_doubling_import_demand_elasticity_doubles_creation():
    a = SmartModel(_two_partner(), import_demand_elasticity=-1.0, export_supply_elasticity=np.inf).run()
    b = SmartModel(_two_partner(), import_demand_elasticity=-2.0, export_supply_elasticity=np.inf).run()
    assert b.totals()["trade_creation"] == pytest.approx(2 * a.totals()["trade_creation"])


def test_no_diversion_for_mfn_cut_and_more_with_higher_sigma():
    df = _two_partner()
    df["tariff_new"] = 0.0  # MFN cut for everyone: same relative prices
    f = SmartModel(df).run().to_frame()
    assert np.allclose(f["trade_diversion"], 0.0)
    low = SmartModel(_two_partner(), substitution_elasticity=1.0).run().to_frame()["trade_diversion"].iloc[0]
    high = SmartModel(_two_partner(), substitution_elasticity=3.0).run().to_frame()["trade_diversion"].iloc[0]
    assert high > low > 0


def test_utilisation_rate():
    none = SmartModel(_two_partner(utilisation=0.0)).run()
    assert none.totals()["trade_total"] == pytest.approx(0.0, abs=1e-9)
    half = SmartModel(_two_partner(utilisation=0.5)).run().to_frame()
    assert half["tariff_effective"].iloc[0] == pytest.approx(0.025)


def test_years_and_reporters_are_separate_markets():
    a = _two_partner()
    a["year"] = 0
    b = _two_partner(t_new_per=0.05)
    b["year"] = 1
    res = SmartModel(pd.concat([a, b], ignore_index=True)).run()
    by_year = res.totals(by=["year"]).set_index("year")
    assert by_year.loc[1, "trade_total"] == pytest.approx(0.0, abs=1e-9)
    assert by_year.loc[0, "trade_total"] > 0


# ---------------------------------------------------------------- bad input
def test_bad_input_names_row_and_field():
    df = _two_partner()
    df.loc[1, "imports_usd"] = -5
    with pytest.raises(DataFormatError) as e:
        SmartModel(df).run()
    assert e.value.row == 2 and e.value.field == "imports_usd"
    df = _two_partner(import_demand_elasticity=[-1.0, 1.2])
    with pytest.raises(DataFormatError, match="negative import-demand elasticity"):
        SmartModel(df).run()
    with pytest.raises(DataFormatError, match="missing column"):
        SmartModel(_two_partner().drop(columns="tariff_new"))
    with pytest.raises(DataFormatError, match="duplicate"):
        SmartModel(pd.concat([_two_partner(), _two_partner()])).run()
    with pytest.raises(EmptySelectionError):
        SmartModel(_two_partner().iloc[0:0])
    with pytest.raises(ValueError, match="negative"):
        SmartModel(_two_partner(), import_demand_elasticity=1.5)
    with pytest.raises(DataFormatError, match=r"\[0, 1\]"):
        SmartModel(_two_partner(utilisation=1.5)).run()


@hsettings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1e9), st.sampled_from([0.0, 0.025, 0.05, 0.1, 0.3]), st.floats(0, 1)),
        min_size=1,
        max_size=8,
    ),
    st.floats(0.0, 6.0),
    st.floats(-5.0, -0.05),
)
def test_property_identities(rows, sigma, em):
    df = pd.DataFrame(
        {
            "hs6": "740311",
            "partner": [f"P{i}" for i in range(len(rows))],
            "imports_usd": [r[0] for r in rows],
            "tariff_old": [r[1] for r in rows],
            "tariff_new": [r[1] * r[2] for r in rows],
        }
    )
    f = SmartModel(df, substitution_elasticity=sigma, import_demand_elasticity=em).run().to_frame()
    assert (f["trade_creation"] >= 0).all()
    assert abs(f["trade_diversion"].sum()) <= 1e-6 * max(1.0, f["imports_usd"].sum())
    assert (f["imports_new"] >= -1e-6 * max(1.0, f["imports_usd"].max())).all()
    assert (f["welfare"] >= 0).all()
