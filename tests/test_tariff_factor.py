"""The pair's trade-weighted tariff factor (domain): formula, staging, coverage, unknown sides."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from critmin.domain.policy.schedule import FtaScenario
from critmin.domain.policy.tariff_factor import (
    CHILE_MFN_RATE,
    PairTariffModel,
    SideTariffs,
    calc_cost_factor,
    rates_after,
)

SCHEDULE = FtaScenario.from_dict(
    {
        "base_year": 2024,
        "horizon": 5,
        "sides": [
            {
                "importer": "IND",
                "partner": "PER",
                "default": "B5",
                "utilisation": 1.0,
                "categories": {"EIF": {"years": 0}, "B5": {"years": 5}, "H": {"years": 2, "target": 0.5}},
                "lines": {"2603": "EIF", "8703": "H"},
                "exclusions": ["7108"],
            }
        ],
    }
)


def test_formula_by_hand():
    # two lines: 10% -> 0 on 300, 5% -> 5% on 100: (300/1.1 + 100) / 400
    f = calc_cost_factor([0.10, 0.05], [0.0, 0.05], [300.0, 100.0])
    assert f == pytest.approx((300 / 1.1 + 100) / 400)
    assert calc_cost_factor([0.06], [0.0]) == pytest.approx(1 / 1.06)
    assert math.isnan(calc_cost_factor([], []))
    with pytest.raises(ValueError):
        calc_cost_factor([-0.1], [0.0])


def test_rates_after_follow_the_schedule_at_full_phase_in():
    side = SCHEDULE.sides[0]
    out = rates_after(side, ["260300", "710812", "870323", "030617"], [0.025, 0.15, 0.70, 0.30], year=5)
    r = out.set_index("hs")
    assert r.loc["260300", "rate_after"] == 0.0  # listed: EIF
    assert r.loc["710812", "rate_after"] == 0.15  # excluded: MFN
    assert r.loc["870323", "rate_after"] == pytest.approx(0.35)  # listed: halved
    assert r.loc["030617", "rate_after"] == 0.0 and r.loc["030617", "category"] == "B5"  # default rule
    half = rates_after(side, ["030617"], [0.30], year=5, utilisation=0.5)
    assert half["rate_after"].iloc[0] == pytest.approx(0.15)


def _lines(hs, trade, before, after):
    return pd.DataFrame({"hs": hs, "trade_usd": trade, "rate_before": before, "rate_after": after})


def test_pair_factor_pools_both_sides_and_states_coverage():
    ind = SideTariffs(
        "IND",
        "CHL",
        _lines(
            ["260300", "740311", "999999"], [600.0, 200.0, 100.0], [0.0, 0.05, float("nan")], [0.0, 0.0, float("nan")]
        ),
        total_usd=1000.0,
        total_label="FY",
        mfn_lines=pd.DataFrame({"hs": ["a", "b"], "rate_before": [0.1, 0.0], "rate_after": [0.0, 0.0]}),
    )
    chl = SideTariffs(
        "CHL",
        "IND",
        _lines(["870323"], [300.0], [CHILE_MFN_RATE], [0.0]),
        total_usd=500.0,
        mfn_lines=pd.DataFrame({"hs": ["x"], "rate_before": [0.06], "rate_after": [0.0]}),
    )
    res = PairTariffModel([ind, chl]).run()
    expected = (600 + 200 / 1.05 + 300 / 1.06) / 1100
    assert res.factor == pytest.approx(expected)
    assert res.coverage == pytest.approx(1100 / 1500) and res.lines_used == 3
    s = res.sides["IND<-CHL"]
    assert s["factor"] == pytest.approx((600 + 200 / 1.05) / 800) and s["coverage"] == pytest.approx(0.8)
    assert s["unknown_rate_usd"] == 100.0
    simple_ind, simple_chl = (1 / 1.1 + 1) / 2, 1 / 1.06
    assert res.simple_average_factor == pytest.approx((1000 * simple_ind + 500 * simple_chl) / 1500)


def test_a_side_with_unknown_tariffs_is_stated_not_zero():
    ind = SideTariffs("IND", "PER", _lines(["260300"], [100.0], [0.025], [0.0]), total_usd=400.0)
    per = SideTariffs(
        "PER", "IND", _lines(["300490"], [50.0], [float("nan")], [float("nan")]), total_usd=100.0, rates_known=False
    )
    res = PairTariffModel([ind, per]).run()
    assert res.factor == pytest.approx(1 / 1.025)  # India's side only
    assert res.coverage == pytest.approx(100 / 500)
    assert res.sides["PER<-IND"]["factor"] is None and res.sides["PER<-IND"]["coverage"] == 0
    assert any("not assumed to be 0" in n for n in res.notes)
    none = PairTariffModel([per]).run()
    assert none.factor is None and none.coverage == 0
