"""The FTA service's rate assembly and totals as domain functions, on hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.domain.policy.fta_rates import nz_mfn_rates, side_rates, side_tariffs
from critmin.domain.policy.fta_smart import fta_totals, smart_cost_factor
from critmin.domain.policy.schedule import SideSchedule, Staging
from critmin.services.tariffs import starter_tariffs

SIDES = (
    SideSchedule("IND", "PER", {"EIF": Staging("EIF")}, default="EIF"),
    SideSchedule("PER", "IND", {"EIF": Staging("EIF")}, default="EIF"),
)


def _lines():
    rows = []
    for y in (0, 1):
        for side, partner, total in (("IND<-PER", "PER", 10.0), ("IND<-PER", "CHL", -4.0), ("PER<-IND", "IND", 3.0)):
            rows.append(
                {
                    "side": side,
                    "reporter": side[:3],
                    "partner": partner,
                    "fta_year": y,
                    "imports_usd": 100.0,
                    "trade_creation": total * (y + 1),
                    "trade_diversion": 0.0,
                    "trade_total": total * (y + 1),
                    "revenue_change": -1.0,
                    "welfare": 0.5,
                    "tariff_old": 0.1,
                    "tariff_effective": 0.1 - 0.05 * y,
                }
            )
    return pd.DataFrame(rows)


def test_totals_give_the_balance_change():
    t = fta_totals(_lines(), SIDES, [0, 1], base_year=2024, reporter="IND").set_index("fta_year")
    assert t.loc[1, "year"] == 2025
    assert t.loc[1, "reporter_imports_change_usd"] == 20.0 and t.loc[1, "reporter_total_imports_change_usd"] == 12.0
    assert t.loc[1, "reporter_exports_change_usd"] == 6.0
    assert t.loc[1, "balance_change_usd"] == 6.0 - 20.0
    one_sided = fta_totals(_lines()[lambda d: d["side"] == "IND<-PER"], SIDES, [0], base_year=2024, reporter="IND")
    assert one_sided["partner_imports_change_usd"].iloc[0] is None and one_sided["balance_change_usd"].iloc[0] == -10.0


def test_smart_lines_factor_is_trade_weighted_at_full_phase_in():
    # last year: IND<-PER line 1.05/1.1 and PER<-IND line 1.05/1.1, equal weights
    assert smart_cost_factor(_lines(), SIDES) == pytest.approx(1.05 / 1.1)
    assert smart_cost_factor(_lines().iloc[0:0], SIDES) is None


def test_side_rates_by_importer():
    codes = ["740311", "260300"]
    chl, full, sources, notes = side_rates("CHL", codes, mfn=None, nz=None, starter=starter_tariffs(), tariff_year=2024)
    assert np.allclose(chl["rate"], 0.06) and "Ley 19.589" in sources[0]
    per = side_rates("PER", codes, mfn=None, nz=None, starter=starter_tariffs(), tariff_year=2024)
    assert per[0] is None and per[1] is None and "unknown" in per[3][0]
    ind = side_rates("IND", codes, mfn=None, nz=None, starter=starter_tariffs(), tariff_year=2024)
    assert ind[0] is None and "mfn_tariffs" in ind[3][0]


def test_nz_rates_average_the_ad_valorem_items():
    nz = pd.DataFrame({"hs6": ["040210"] * 3, "hs8": ["1", "2", "3"], "mfn_rate_pct": [5.0, 0.0, np.nan]})
    r = nz_mfn_rates(nz, ["040210", "999999"]).set_index("hs")
    assert r.loc["040210", "rate"] == pytest.approx(0.025) and "2 of 3 items" in r.loc["040210", "rate_source"]
    assert np.isnan(r.loc["999999", "rate"]) and r.loc["999999", "rate_source"] == ""


def test_side_tariffs_before_and_after():
    trade = pd.DataFrame({"hs": ["2603", "7403"], "trade_usd": [80.0, 20.0], "trade_source": ["a", "b"]})
    rates = pd.DataFrame({"hs": ["2603", "7403"], "rate": [0.025, 0.05], "rate_source": ["x", "y"]})
    side = SideSchedule("IND", "PER", {"EIF": Staging("EIF")}, default="EIF", lines=(), exclusions=("74",))
    st = side_tariffs(side, trade, rates, None, horizon=5, total_usd=200.0, total_label="t", sources=["s"])
    lines = st.lines.set_index("hs")
    assert lines.loc["2603", "rate_after"] == 0.0 and lines.loc["7403", "rate_after"] == 0.05  # excluded
    assert st.sources == ("s", "a", "b") and st.rates_known and "exclusions 74" in st.notes[-1]
    unknown = side_tariffs(side, trade, None, None, horizon=5, total_usd=None, total_label="t")
    assert not unknown.rates_known and unknown.lines["rate_before"].isna().all()


def test_india_import_lines_tradestat_first_then_hs6_then_hs4_rest():
    from critmin.domain.policy.fta_rates import india_import_lines

    ts = pd.DataFrame({"hs": ["2603", "710812"], "trade_usd": [250.0, 40.0]})
    hs6 = pd.DataFrame(
        {"hs": ["260300", "740311", "710812", "740400"], "trade_usd": [1.0, 30.0, 2.0, 5.0], "rev": ["HS22"] * 4}
    )
    hs4 = pd.DataFrame({"hs": ["2603", "7403", "7404", "7108"], "trade_usd": [9.0, 50.0, 5.0, 60.0]})
    out, notes = india_import_lines(ts, hs6, hs4, year=2024)
    got = dict(zip(out["hs"], out["trade_usd"]))
    # 260300 is under TradeStat's 2603 and 710812 is a TradeStat line; 7403 keeps 50 - 30; 7404 has no rest;
    # 7108 keeps 60 - 40 (the TradeStat HS6 line under it)
    assert got == {"2603": 250.0, "710812": 40.0, "740311": 30.0, "740400": 5.0, "7403": 20.0, "7108": 20.0}
    assert out.set_index("hs").loc["7403", "trade_source"].startswith("CEPII BACI HS22 at HS4")
    assert len(notes) == 3 and notes[0].startswith("TradeStat import reports (DGCI&S), CY2024: 2 line(s)")
