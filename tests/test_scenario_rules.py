"""The scenario services' rules as pure domain functions, and the scenario-file readers, on hand-made inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from critmin.domain.policy.schedule import Staging, fta_rate
from critmin.domain.policy.tariffs import TariffTable, tariff_lookup
from critmin.domain.scenarios import market, supplier_risk
from critmin.errors import DataFormatError, EmptySelectionError, UnknownCodeError
from critmin.sources import scenario_files


# ---------------------------------------------------------------- one staging formula
@pytest.mark.parametrize("years", [0, 1, 3, 5])
@pytest.mark.parametrize("target", [0.0, 0.5])
def test_fta_rate_is_the_staging_formula(years, target):
    base, entry = 0.025, 2027
    for y in range(2024, 2036):
        via_staging = base * float(Staging("X", years=years, target=target).share(y - entry))
        assert fta_rate(base, y, entry_year=entry, phase_in_years=years, target_rate=base * target) == pytest.approx(
            via_staging, abs=1e-15
        )


def test_fta_rate_and_the_service_name_are_one_function():
    from critmin.services.scenarios import fta_rate as service_fta_rate

    assert service_fta_rate is fta_rate
    # 6 % to 2 % in 4 stages from 2027: 5 %, 4 %, 3 %, 2 %
    got = [fta_rate(0.06, y, entry_year=2027, phase_in_years=4, target_rate=0.02) for y in range(2026, 2032)]
    assert got == pytest.approx([0.06, 0.05, 0.04, 0.03, 0.02, 0.02])


def test_staging_progress():
    s = Staging("B4", years=4, start=1)
    assert np.allclose(s.progress([0, 1, 2, 4, 9]), [0.0, 0.25, 0.5, 1.0, 1.0])
    assert np.allclose(s.share([0, 1, 2, 4, 9]), [1.0, 0.75, 0.5, 0.0, 0.0])


# ---------------------------------------------------------------- tariff lookup order
def _table():
    return TariffTable(
        pd.DataFrame(
            {
                "reporter": ["IND", "IND", "IND"],
                "partner": ["WLD", "PER", "WLD"],
                "year": [2020, 2022, 2025],
                "hs": ["2603", "260300", "2603"],
                "rate": ["2.5", "1", "0"],
                "duty_type": ["MFN", "PRF", "MFN"],
                "source": ["budget", "agreement", "later budget"],
            }
        )
    )


def test_tariff_lookup_order_mapping_prf_mfn_unknown():
    out = tariff_lookup(_table(), "IND", ["CHL", "PER", "AUS"], "260300", 2024, mapping={"aus": 0.07}).set_index(
        "partner"
    )
    assert out.loc["AUS", "tariff_rate"] == pytest.approx(0.07) and out.loc["AUS", "tariff_basis"] == "user mapping"
    assert out.loc["PER", "tariff_rate"] == pytest.approx(0.01) and out.loc["PER", "tariff_basis"] == "PRF: agreement"
    assert out.loc["CHL", "tariff_rate"] == pytest.approx(0.025) and out.loc["CHL", "tariff_basis"] == "MFN: budget"
    unknown = tariff_lookup(_table(), "IND", ["CHL"], "740311", 2024)
    assert np.isnan(unknown["tariff_rate"].iloc[0]) and unknown["tariff_basis"].iloc[0] == "unknown"
    # before the preference and the MFN row exist, nothing is known
    assert tariff_lookup(_table(), "IND", ["PER"], "260300", 2019)["tariff_basis"].iloc[0] == "unknown"


def test_service_tariff_lookup_overrides_the_starter_table():
    from critmin.services.scenarios import mfn_what_if, tariff_lookup as service_lookup

    base = service_lookup("IND", ["PER"], "260300", 2023)
    assert base["tariff_rate"].iloc[0] == pytest.approx(0.025)  # starter table: 2.5 % before July 2024
    what_if = service_lookup(
        "IND", ["PER"], "260300", 2023, tariffs=mfn_what_if("IND", "260300", 4.0, year=2023, source="s")
    )
    assert what_if["tariff_rate"].iloc[0] == pytest.approx(0.04) and what_if["tariff_basis"].iloc[0] == "MFN: s"


# ---------------------------------------------------------------- market inputs
def _prices(months: int, start="2023-01-01", price=9000.0, step=10.0):
    m = pd.date_range(start, periods=months, freq="MS")
    return pd.DataFrame({"series": "copper", "month": m, "price": price + step * np.arange(months)})


def test_copper_annual_price_full_year_else_last_twelve_months():
    p = _prices(20)  # 2023-01 .. 2024-08
    v, src = market.copper_annual_price(p, 2023)
    assert v == pytest.approx(9000 + 10 * 5.5) and src == "Pink Sheet copper 2023 average"
    v, src = market.copper_annual_price(p, 2024)  # 8 months only: the last 12 months, held flat
    assert v == pytest.approx(9000 + 10 * np.arange(8, 20).mean()) and "held flat" in src and "2023-09" in src
    with pytest.raises(EmptySelectionError):
        market.copper_annual_price(p.assign(series="nickel"), 2023)


def test_contained_copper():
    assert market.contained_copper_t(965_000.0, 10_000.0, 0.965) == pytest.approx(100.0)


def _production():
    rows = [
        ("copper", "mine", "CHL", 2023, 5000.0),
        ("copper", "refinery", "CHL", 2023, 2000.0),
        ("copper", "mine", "CHN", 2023, 1700.0),
        ("copper", "refinery", "CHN", 2023, 12000.0),
        ("copper", "mine", "PER", 2023, 2600.0),
        ("copper", "mine", "WLD", 2023, 22000.0),
        ("copper", "mine", "CHL", 2024, 5300.0),
        ("copper", "refinery", "CHL", 2024, 1900.0),
    ]
    return pd.DataFrame(rows, columns=["mineral", "stage", "iso3", "year", "value_tonnes"])


def test_concentrate_surplus_is_mine_minus_refinery_floored_at_zero():
    s, year = market.concentrate_surplus(_production(), 2023)
    assert year == 2023 and s.to_dict() == {"CHL": 3000.0, "CHN": 0.0, "PER": 2600.0}
    s, year = market.concentrate_surplus(_production(), 2030)  # latest year <= 2030
    assert year == 2024 and s.to_dict() == {"CHL": 3400.0}
    s, year = market.concentrate_surplus(_production(), 2000)  # nothing that early: the latest year
    assert year == 2024
    with pytest.raises(EmptySelectionError):
        market.concentrate_surplus(_production().assign(stage="refinery"), 2023)


def test_production_by_country_year_rule():
    prod, year = market.production_by_country(_production(), "copper", "mine", 2023)
    assert year == 2023 and prod.to_dict() == {"CHL": 5000.0, "CHN": 1700.0, "PER": 2600.0}  # WLD left out
    assert market.production_by_country(_production(), "copper", "mine", 2000)[1] == 2023  # earliest
    assert market.production_by_country(_production(), "nickel", "mine", 2023)[0].empty


def test_fx_premium_is_annualised_log_volatility_times_multiplier():
    months = pd.date_range("2015-01-01", "2024-12-01", freq="MS")
    pen = 3.0 * np.exp(0.01 * np.sin(np.arange(len(months))))
    fx = pd.concat(
        [
            pd.DataFrame({"currency": "PEN", "month": months, "units_per_usd": pen}),
            pd.DataFrame({"currency": "CLP", "month": months[:20], "units_per_usd": 900.0}),
            pd.DataFrame(
                {"currency": "PEN", "month": pd.date_range("2025-01-01", periods=3, freq="MS"), "units_per_usd": 9.0}
            ),
        ]
    )
    out = market.fx_premium(fx, {"PER": "PEN", "CHL": "CLP", "USA": "USD"}, multiplier=0.5)
    expected = 0.5 * np.std(np.diff(np.log(pen)), ddof=1) * math.sqrt(12)  # 2025 months are outside the window
    assert out["PER"] == pytest.approx(expected, rel=1e-12)
    assert out["USA"] == 0.0 and "CHL" not in out  # too short a series


def test_latest_fx_rate_skips_a_partial_last_month():
    fx = pd.DataFrame(
        {
            "currency": "INR",
            "month": pd.to_datetime(["2024-11-01", "2024-12-01", "2025-01-01"]),
            "units_per_usd": [84.0, 85.0, 86.0],
        }
    )
    assert market.latest_fx_rate(fx, "INR") == (85.0, "fx_rates INR 2024-12")
    assert market.latest_fx_rate(fx, "INR", "2024-11-15")[0] == 84.0
    with pytest.raises(UnknownCodeError):
        market.latest_fx_rate(fx, "PEN")


def test_supplier_risk_from_governance():
    g = pd.DataFrame(
        {
            "iso3": ["CHL", "CHL", "PER", "PER", "CHL"],
            "indicator": ["pv", "ge", "pv", "ge", "pv"],
            "year": [2023, 2023, 2023, 2023, 2022],
            "percentile_rank": [60.0, 80.0, 20.0, 40.0, 0.0],
        }
    )
    r = supplier_risk.governance_risk(g, ["CHL", "PER", "AUS"])
    assert r.to_dict() == pytest.approx({"CHL": 0.3, "PER": 0.7, "AUS": 0.5})
    d = supplier_risk.random_disruptions(g, ["CHL", "PER"], 20_000, seed=3)
    failed = (d.availability == 0.0).mean()
    assert failed["CHL"] == pytest.approx(0.1 * 0.4, abs=0.006) and failed["PER"] == pytest.approx(0.1 * 0.8, abs=0.008)


# ---------------------------------------------------------------- scenario files
def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_shock_file_is_plain_data(tmp_path):
    d = scenario_files.read_shock_file(
        _write(tmp_path, "s.yaml", "restricting: CHN\nproducts: 850511\nseverity: {type: quota, quota_share: 0.4}\n")
    )
    assert d["products"] == {"mineral": None, "stage": None, "hs6": ["850511"]}
    assert d["severity"] == {"type": "quota", "quota_share": 0.4, "rate": 0.0}
    assert d["duration_months"] == 12 and d["assumptions"]["redirectable_fraction"] is None
    for text, field in [
        ("restricting: CHN\nproducts: {hs6: ['850511']}\nseverity: {type: quota, quota_share: 2}\n", "quota_share"),
        ("restricting: CHN\nproducts: {hs6: ['850511']}\nduration_months: 0\n", "duration_months"),
        (
            "restricting: CHN\nproducts: {hs6: ['850511']}\nassumptions: {redirectable_fraction: x}\n",
            "redirectable_fraction",
        ),
        ("restricting: CHN\nproducts: 3.5\n", None),
    ]:
        with pytest.raises(DataFormatError) as e:
            scenario_files.read_shock_file(_write(tmp_path, "bad.yaml", text))
        if field:
            assert e.value.field == field
    with pytest.raises(DataFormatError, match="not found"):
        scenario_files.read_shock_file(tmp_path / "missing.yaml")
    with pytest.raises(DataFormatError, match="mapping"):
        scenario_files.read_shock_file(_write(tmp_path, "list.yaml", "- a\n- b\n"))


def test_contract_and_freight_files(tmp_path):
    assert scenario_files.read_contract_file(_write(tmp_path, "c.yaml", "dmt: 1000\ngrade: 0.25\n"))["dmt"] == 1000
    with pytest.raises(DataFormatError, match="grade"):
        scenario_files.read_contract_file(_write(tmp_path, "c2.yaml", "dmt: 1000\n"))
    f = scenario_files.read_freight_file(_write(tmp_path, "f.csv", "partner,usd_per_t\nper,31.5\nCHL,28\n"))
    assert f == {"PER": 31.5, "CHL": 28.0}
    with pytest.raises(DataFormatError) as e:
        scenario_files.read_freight_file(_write(tmp_path, "f2.csv", "partner,usd_per_t\nPER,-1\n"))
    assert e.value.field == "usd_per_t"
    with pytest.raises(DataFormatError, match="missing column"):
        scenario_files.read_freight_file(_write(tmp_path, "f3.csv", "partner\nPER\n"))
    t = scenario_files.read_tariff_file(
        _write(tmp_path, "t.csv", "reporter,partner,hs6,year,rate\nIND,PER,260300,2024,1.5\n")
    )
    assert t[["hs", "rate", "duty_type", "source"]].iloc[0].tolist() == ["260300", 1.5, "PRF", "user file t.csv"]
