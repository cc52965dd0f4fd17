"""Criticality maths: textbook cases and the published EU 2017 supply-risk numbers."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from critmin.domain.criticality import (
    CriticalityModel,
    CriticalitySpec,
    calc_economic_importance,
    calc_geodep,
    calc_geopolrisk,
    calc_hhi,
    calc_hhi_wgi_t,
    calc_import_reliance,
    calc_instability,
    calc_supply_risk_eu,
    calc_wgi_scaled,
    is_critical,
)
from critmin.domain.criticality.scenario import Lever, apply_levers


# -- textbook cases ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shares, expected",
    [
        ([1.0], 1.0),  # monopoly
        ([0.25] * 4, 0.25),  # n equal firms: 1/n
        ([0.5, 0.3, 0.2], 0.38),  # 0.25 + 0.09 + 0.04
        ([0.4, 0.3, 0.2, 0.1], 0.30),
    ],
)
def test_hhi_textbook(shares, expected):
    assert calc_hhi(shares) == pytest.approx(expected)


def test_hhi_wgi_t_textbook():
    # one supplier with the worst governance (WGI -2.5 -> 10) and no restriction: HHI_WGI = 10
    assert calc_hhi_wgi_t([1.0], calc_wgi_scaled([-2.5])) == pytest.approx(10.0)
    # two equal suppliers, WGI scaled 2 and 8, t = 1.1 on the second: 0.25*2 + 0.25*8*1.1
    assert calc_hhi_wgi_t([0.5, 0.5], [2.0, 8.0], [1.0, 1.1]) == pytest.approx(0.5 + 2.2)


def test_wgi_scaling_matches_eu_rule():
    assert calc_wgi_scaled([2.5, 0.0, -2.5, 3.0]) == pytest.approx([0.0, 5.0, 10.0, 0.0])


@pytest.mark.parametrize(
    "p, m, x, expected",
    [
        (0, 100, 0, 1.0),  # no domestic production: fully import reliant
        (40, 50, 10, 0.5),  # (50-10)/(40+50-10)
        (100, 10, 30, 0.0),  # net exporter -> 0
        (0, 0, 0, 0.0),
    ],
)
def test_import_reliance_textbook(p, m, x, expected):
    assert calc_import_reliance(p, m, x) == pytest.approx(expected)


def test_economic_importance_textbook():
    # A = (0.5, 0.5), Q = (10, 5): 10 * (0.5*1 + 0.5*0.5) * 0.9 = 6.75
    assert calc_economic_importance([0.5, 0.5], [10.0, 5.0], 0.9) == pytest.approx(6.75)
    assert calc_economic_importance([1.0, 0.0], [10.0, 5.0], 1.0) == pytest.approx(10.0)


def test_critical_thresholds_inclusive():
    assert is_critical([2.8, 2.79, 5.0, np.nan], [1.0, 3.0, 0.99, 2.0]).tolist() == [True, False, False, False]


def test_supply_risk_cases():
    # both terms, IR = 1: half global, half sourcing
    assert calc_supply_risk_eu(4.0, 2.0, 1.0, 0.0, 1.0) == pytest.approx(3.0)
    # recycling and substitution scale linearly
    assert calc_supply_risk_eu(4.0, 2.0, 1.0, 0.5, 0.8) == pytest.approx(1.2)
    # "GS only" and "sourcing only" cases
    assert calc_supply_risk_eu(4.0, np.nan, np.nan, 0.0, 1.0) == pytest.approx(4.0)
    assert calc_supply_risk_eu(np.nan, 2.0, 0.3, 0.0, 1.0) == pytest.approx(2.0)


def test_geopolrisk_textbook():
    # HHI 0.5; imports 60 and 40 from countries with g = 0.5 and 0.25: 0.5 * (30 + 10) / 100
    assert calc_geopolrisk(0.5, [60, 40], [0.5, 0.25]) == pytest.approx(0.2)
    # domestic production of 100 halves it
    assert calc_geopolrisk(0.5, [60, 40], [0.5, 0.25], 100.0) == pytest.approx(0.1)
    assert calc_instability([2.5, -2.5, 0.0]) == pytest.approx([0.0, 1.0, 0.5])


def test_geodep_screen_textbook():
    flows = pd.DataFrame(
        {
            "exporter": ["CHN", "CHN", "AUS", "CHN", "USA", "IND"],
            "importer": ["IND", "USA", "IND", "IND", "IND", "USA"],
            "hs6": ["111111", "111111", "111111", "222222", "222222", "222222"],
            "value_usd": [90.0, 100.0, 10.0, 50.0, 50.0, 200.0],
        }
    )
    out = calc_geodep(flows, "IND").set_index("hs6")
    # 111111: India 90/10 -> HHI 0.82; world exports CHN 190, AUS 10 -> 0.905; no Indian exports
    assert out.loc["111111", "import_hhi"] == pytest.approx(0.82)
    assert out.loc["111111", "export_hhi"] == pytest.approx(0.9025 + 0.0025)
    assert out.loc["111111", "import_export_ratio"] == 9999.0
    assert bool(out.loc["111111", "dependent"])
    # 222222: India exports 200 > imports 100 -> substitutable
    assert out.loc["222222", "import_export_ratio"] == pytest.approx(0.5)
    assert not bool(out.loc["222222", "dependent"])


# -- published EU 2017 supply risk ---------------------------------------------------------------------
def _eu2017(shared_data) -> pd.DataFrame:
    return pd.read_csv(shared_data / "reference" / "eu_crm_2017" / "sr_components_2017.csv", na_values=["N/A"])


def _sr_case(case, gs, eu, ir, rir, si):
    return float(
        calc_supply_risk_eu(np.nan if case == "EUS only" else gs, np.nan if case == "GS only" else eu, ir, rir, si)
    )


def _complete(r) -> bool:
    need = {
        "GS only": ["HHI_WGI_t_GS"],
        "EUS only": ["HHI_WGI_t_EU28", "IR_pct"],
        "GS + EUS": ["HHI_WGI_t_GS", "HHI_WGI_t_EU28", "IR_pct"],
    }[r.supply_data_used]
    return all(pd.notna(getattr(r, c)) for c in need + ["EoL_RIR_pct", "SI_SR"])


def test_eu2017_published_supply_risk_within_rounding(shared_data):
    """Every material with complete inputs: the published SR (one decimal, ±0.05) lies within the SR
    range the published inputs allow given their own rounding (HHI and SI ±0.05, IR and EoL-RIR ±0.5 pp).
    The formula is monotone in each input, so the range is spanned by the 2^5 corners."""
    d = _eu2017(shared_data)
    matched, checked = 0, 0
    for r in d.itertuples():
        if not _complete(r):
            continue
        checked += 1
        ir = 0.0 if pd.isna(r.IR_pct) else r.IR_pct / 100
        eu = 0.0 if pd.isna(r.HHI_WGI_t_EU28) else r.HHI_WGI_t_EU28
        corners = [
            _sr_case(
                r.supply_data_used,
                r.HHI_WGI_t_GS + 0.05 * a,
                max(0.0, eu + 0.05 * b),
                min(1.0, max(0.0, ir + 0.005 * c)),
                max(0.0, r.EoL_RIR_pct / 100 + 0.005 * e),
                min(1.0, r.SI_SR + 0.05 * f),
            )
            for a, b, c, e, f in itertools.product([-1, 1], repeat=5)
        ]
        if min(corners) <= r.SR_published + 0.05 + 1e-9 and max(corners) >= r.SR_published - 0.05 - 1e-9:
            matched += 1
    assert checked == 78
    assert matched == checked


def test_eu2017_recomputed_from_rounded_inputs(shared_data):
    """Our SR from the rounded inputs equals the reference's own recomputation to its 2 decimals."""
    d = _eu2017(shared_data)
    for r in d.itertuples():
        if not _complete(r):
            continue
        ir = 0.0 if pd.isna(r.IR_pct) else r.IR_pct / 100
        ours = _sr_case(r.supply_data_used, r.HHI_WGI_t_GS, r.HHI_WGI_t_EU28, ir, r.EoL_RIR_pct / 100, r.SI_SR)
        assert ours == pytest.approx(r.SR_recomputed_from_rounded_inputs, abs=0.0051), r.material


def test_eu2017_table19_single_terms(shared_data):
    """Table 19's 'GS only' and 'EU only' SR equal HHI · (1 − EoL-RIR) · SI_SR within rounding."""
    d = _eu2017(shared_data)
    for r in d.itertuples():
        for hhi, pub in ((r.HHI_WGI_t_GS, r.T19_SR_GS_only), (r.HHI_WGI_t_EU28, r.T19_SR_EU_only)):
            if pd.isna(hhi) or pd.isna(pub):
                continue
            hi = (hhi + 0.05) * (1 - max(0.0, r.EoL_RIR_pct / 100 - 0.005)) * min(1.0, r.SI_SR + 0.05)
            lo = max(0.0, hhi - 0.05) * (1 - r.EoL_RIR_pct / 100 - 0.005) * (r.SI_SR - 0.05)
            assert lo - 0.05 <= pub <= hi + 0.05, r.material


# -- the Monte-Carlo model ----------------------------------------------------------------------------------
def _toy_spec(method="eu") -> CriticalitySpec:
    items = pd.DataFrame(
        {
            "material": ["a", "a", "b"],
            "stage": ["extraction", "processing", "processing"],
            "import_reliance": [0.8, np.nan, 0.5],
            "domestic_fraction": [0.0, 0.0, 0.2],
            "eol_rir": [0.1, 0.1, 0.0],
            "eol_rir_low": [0.05, 0.05, 0.0],
            "eol_rir_high": [0.15, 0.15, 0.1],
            "si_sr": [0.9, 0.9, 1.0],
            "si_sr_low": [0.8, 0.8, 0.9],
            "si_sr_high": [1.0, 1.0, 1.0],
            "ei_base": [4.0, 4.0, np.nan],
            "si_ei": [0.9, 0.9, np.nan],
            "si_ei_low": [0.8, 0.8, np.nan],
            "si_ei_high": [1.0, 1.0, np.nan],
        }
    )
    gs = pd.DataFrame(
        {
            "item": [0, 0, 1, 2, 2],
            "country": ["CHN", "AUS", "CHN", "CHL", "PER"],
            "share": [0.7, 0.3, 1.0, 0.6, 0.4],
            "t": 1.0,
        }
    )
    src = pd.DataFrame(
        {"item": [0, 0, 2, 2], "country": ["CHN", "AUS", "CHL", "CHN"], "share": [0.5, 0.5, 0.5, 0.5], "t": 1.0}
    )
    gov = pd.DataFrame(
        {"country": ["CHN", "AUS", "CHL", "PER"], "score": [6.0, 1.5, 3.0, 5.0], "score_sd": [0.3, 0.2, 0.25, 0.3]}
    )
    if method == "geopolrisk":
        gov["score"] = gov["score"] / 10
        gov["score_sd"] = gov["score_sd"] / 10
    return CriticalitySpec(items=items, global_supply=gs, sourcing=src, governance=gov, method=method)


def test_model_point_scores_follow_the_formula():
    res = CriticalityModel(_toy_spec()).run(0).to_frame()
    gs0 = 0.49 * 6 + 0.09 * 1.5
    src0 = 0.25 * 6 + 0.25 * 1.5
    assert res.loc[0, "supply_risk"] == pytest.approx((gs0 * 0.4 + src0 * 0.6) * 0.9 * 0.9)
    assert res.loc[1, "supply_risk"] == pytest.approx(6.0 * 0.9 * 0.9)  # global supply only
    assert res.loc[0, "economic_importance"] == pytest.approx(3.6)
    assert res.loc[2, "critical"] is None  # no EI
    assert res["bottleneck"].tolist() == [False, True, True]


def test_monte_carlo_is_seeded_and_brackets_the_median():
    m = CriticalityModel(_toy_spec())
    a = m.run(2000, seed=7).to_frame()
    b = m.run(2000, seed=7).to_frame()
    c = m.run(2000, seed=8).to_frame()
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["supply_risk_p50"], c["supply_risk_p50"])
    assert (a["supply_risk_p05"] < a["supply_risk_p50"]).all()
    assert (a["supply_risk_p50"] < a["supply_risk_p95"]).all()
    assert a.loc[0, "economic_importance_p05"] >= 4.0 * 0.8 - 1e-9
    assert a.loc[0, "economic_importance_p95"] <= 4.0 * 1.0 + 1e-9


def test_dirichlet_shares_sum_to_one_and_centre_on_observed():
    m = CriticalityModel(_toy_spec())
    rng = np.random.default_rng(0)
    s = m._gs.sample_shares(rng, 200.0, 5000)
    sums = np.add.reduceat(s, m._gs.starts, axis=1)
    assert np.allclose(sums, 1.0)
    assert s.mean(axis=0) == pytest.approx(m._gs.share, abs=0.01)


def test_geopolrisk_model_point():
    res = CriticalityModel(_toy_spec("geopolrisk")).run(0).to_frame()
    # item 2: HHI(0.6, 0.4) = 0.52; imports 50/50 from CHL (g .3) and CHN (g .6); domestic 20 %
    assert res.loc[2, "supply_risk"] == pytest.approx(0.52 * 0.45 * 0.8)


def test_spec_validates_method_and_columns():
    spec = _toy_spec()
    with pytest.raises(ValueError, match="method"):
        CriticalitySpec(
            items=spec.items,
            global_supply=spec.global_supply,
            sourcing=spec.sourcing,
            governance=spec.governance,
            method="nope",
        )
    with pytest.raises(ValueError, match="lacks columns"):
        CriticalitySpec(
            items=spec.items.drop(columns="si_sr"),
            global_supply=spec.global_supply,
            sourcing=spec.sourcing,
            governance=spec.governance,
        )


# -- policy levers ----------------------------------------------------------------------------------------
def test_export_restriction_raises_and_fta_lowers_supply_risk():
    spec = _toy_spec()
    base = CriticalityModel(spec).run(0).to_frame()["supply_risk"]
    gs, src = apply_levers(spec.global_supply, spec.sourcing, [Lever("export_restriction", "CHN", (0, 1, 2), 1.1)])
    up = CriticalityModel(CriticalitySpec(spec.items, gs, src, spec.governance)).run(0).to_frame()["supply_risk"]
    assert (up > base).all()
    gs, src = apply_levers(
        spec.global_supply, spec.sourcing, [Lever("fta", "CHL", (0, 1, 2), 0.8, apply_to_global=False)]
    )
    down = CriticalityModel(CriticalitySpec(spec.items, gs, src, spec.governance)).run(0).to_frame()["supply_risk"]
    assert down[2] < base[2] and down[0] == pytest.approx(base[0]) and down[1] == pytest.approx(base[1])


def test_share_moves_keep_shares_normalised():
    spec = _toy_spec()
    _, src = apply_levers(
        spec.global_supply,
        spec.sourcing,
        [
            Lever("export_restriction", "CHN", (0, 2), 1.1, share_change=0.5),
            Lever("fta", "PER", (0, 2), 0.8, share_change=0.2, apply_to_global=False),
        ],
    )
    sums = src.groupby("item")["share"].sum()
    assert np.allclose(sums, 1.0)
    item2 = src[src["item"] == 2].set_index("country")["share"]
    # CHN: 0.5 -> 0.25 after the cut, CHL 0.75; then 20 % of non-PER share moves to PER (new partner)
    assert item2["PER"] == pytest.approx(0.2)
    assert item2["CHN"] == pytest.approx(0.25 * 0.8)


def test_lever_validation():
    with pytest.raises(ValueError):
        Lever("embargo", "CHN", (0,), 1.1)
    with pytest.raises(ValueError):
        Lever("fta", "CHL", (0,), 0.8, share_change=1.5)


def test_model_without_sourcing_data_is_global_supply_only():
    spec = _toy_spec()
    empty = spec.sourcing.iloc[0:0]
    res = (
        CriticalityModel(CriticalitySpec(spec.items, spec.global_supply, empty, spec.governance))
        .run(200, seed=0)
        .to_frame()
    )
    assert res["hhi_sourcing"].isna().all()
    assert res.loc[1, "supply_risk"] == pytest.approx(6.0 * 0.9 * 0.9)
    assert res["supply_risk_p50"].notna().all()


def test_truncated_shares_used_as_given_unless_renormalised():
    spec = _toy_spec()
    gs = pd.DataFrame({"item": [0, 1, 2], "country": ["CHN", "CHN", "CHL"], "share": [0.7, 0.6, 0.6], "t": 1.0})
    as_given = CriticalityModel(CriticalitySpec(spec.items, gs, spec.sourcing, spec.governance))
    res = as_given.run(0).to_frame()
    assert res.loc[1, "supply_risk"] == pytest.approx(0.36 * 6.0 * 0.9 * 0.9)  # GS only: 0.6² · 6, no renorm
    renorm = (
        CriticalityModel(CriticalitySpec(spec.items, gs, spec.sourcing, spec.governance, renormalise_shares=True))
        .run(0)
        .to_frame()
    )
    assert renorm.loc[1, "supply_risk"] == pytest.approx(6.0 * 0.9 * 0.9)
    # draws keep the given total share of the listed suppliers
    s = as_given._gs.sample_shares(np.random.default_rng(0), 200.0, 10)
    assert np.allclose(s.sum(axis=0) / 10, [0.7, 0.6, 0.6])
    mc = as_given.run(2000, seed=3).to_frame()
    assert mc.loc[1, "supply_risk_p50"] == pytest.approx(res.loc[1, "supply_risk"], rel=0.15)
