"""The agreement's tariff cuts on all goods as the pair's trade-cost factor, on the real warehouse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.domain.policy.tariff_factor import CHILE_MFN_RATE, calc_cost_factor
from critmin.errors import UnknownCodeError
from critmin.services.fta import india_mfn_rates, pair_tariff_factor
from critmin.services.tariffs import starter_tariffs


@pytest.fixture(scope="module")
def per(built_settings):
    return pair_tariff_factor(built_settings, "IND", "PER", year=2024)


def _side(res, name):
    f = res.to_frame()
    return f[f["side"] == name].set_index("hs")


def test_india_peru_factor_and_coverage(per, warehouse):
    ind = per.sides["IND<-PER"]
    lines = _side(per, "IND<-PER")
    # TradeStat CY2024: gold 4,368.55 and copper ores 253.35 USD mn (the bundle's check figures)
    assert lines.loc["7108", "trade_usd"] == pytest.approx(4368.55e6)
    assert lines.loc["2603", "trade_usd"] == pytest.approx(253.35e6)
    # gold is excluded from the cuts and pays 6% since July 2024; copper ores 0% since July 2024
    assert lines.loc["7108", "category"] == "excluded" and lines.loc["7108", "rate_before"] == 0.06
    assert lines.loc["7108", "rate_after"] == 0.06
    assert lines.loc["2603", "rate_before"] == 0.0 and lines.loc["2603", "rate_after"] == 0.0
    totals = warehouse.read("india_trade_totals")
    total = totals[(totals["partner_iso3"] == "PER") & (totals["period"] == "FY2024-25")]["imports_usd"].iloc[0]
    assert total == pytest.approx(4981.09e6) and ind["total_usd"] == total
    assert ind["coverage"] == pytest.approx(ind["covered_usd"] / total)
    assert 0.92 < ind["coverage"] < 0.95
    cov = lines[lines["covered"]]
    assert ind["factor"] == pytest.approx(calc_cost_factor(cov["rate_before"], cov["rate_after"], cov["trade_usd"]))
    assert 0.999 < ind["factor"] < 1.0  # almost nothing left to cut: gold excluded, copper ores already free
    assert per.factor == pytest.approx(ind["factor"])  # Peru's side adds no covered line


def test_peru_tariff_is_stated_unknown_not_zero(per):
    side = per.sides["PER<-IND"]
    assert side["rates_known"] is False and side["factor"] is None and side["coverage"] == 0
    assert side["traded_usd"] > 0 and side["unknown_rate_usd"] == side["traded_usd"]
    assert any("Peru's applied tariff is unknown" in n for n in side["notes"])
    assert any("not assumed to be 0" in n for n in per.notes)
    assert _side(per, "PER<-IND")["rate_before"].isna().all()
    assert per.coverage == pytest.approx(per.covered_usd / per.total_usd) and per.coverage < 0.8


def test_chile_flat_rate_and_new_zealand_items(built_settings, warehouse):
    chl = pair_tariff_factor(built_settings, "IND", "CHL")
    side = chl.sides["CHL<-IND"]
    assert side["factor"] == pytest.approx(1 / (1 + CHILE_MFN_RATE))  # 6% on every line, all cut at entry
    assert side["simple_average_factor"] == pytest.approx(1 / 1.06)
    assert any("Ley 19.589" in s for s in side["sources"])
    nzl = pair_tariff_factor(built_settings, "IND", "NZL")
    lines = _side(nzl, "NZL<-IND")
    nz = warehouse.read("nz_tariffs")
    items = nz[nz["hs6"] == "870322"]["mfn_rate_pct"]
    assert lines.loc["870322", "rate_before"] == pytest.approx(items.mean() / 100)
    assert (lines["rate_after"].fillna(0) == 0).all()  # NZ's default: duty-free at entry
    eidb = nzl.sides["NZL<-IND"]
    assert 0 < eidb["coverage"] < 1 and eidb["simple_average_lines"] > 5000
    assert 0.9 < nzl.factor < 1.0 and nzl.simple_average_factor is not None


def test_tariff_year_picks_wits_or_the_cited_rates(warehouse):
    mfn = warehouse.read("mfn_tariffs")
    starter = starter_tariffs()
    r = {
        y: india_mfn_rates(mfn, starter, ["7108", "260300", "710812", "030617"], y).set_index("hs")
        for y in (2022, 2023, 2024)
    }
    assert r[2022].loc["710812", "rate"] == 0.125 and "WITS" in r[2022].loc["710812", "rate_source"]
    assert r[2023].loc["710812", "rate"] == 0.15 and "starter" in r[2023].loc["710812", "rate_source"]
    assert r[2024].loc["7108", "rate"] == 0.06 and r[2024].loc["260300", "rate"] == 0.0
    assert r[2023].loc["260300", "rate"] == 0.025
    assert r[2024].loc["030617", "wits_year"] == 2023 and r[2024].loc["030617", "hs_edition"] == "HS2022"


def test_hs4_code_without_a_cited_rate_is_the_simple_average_of_its_hs6_lines():
    mfn = pd.DataFrame(
        {
            "reporter": "IND",
            "year": 2022,
            "hs_edition": "HS2022",
            "hs6": ["800110", "800120"],
            "rate_avg": [5.0, 10.0],
            "source_file": "f.CSV",
        }
    )
    empty = starter_tariffs()
    r = india_mfn_rates(mfn, empty, ["8001", "999999"], 2022).set_index("hs")
    assert r.loc["8001", "rate"] == pytest.approx(0.075) and "simple average of 2 HS6" in r.loc["8001", "rate_source"]
    assert np.isnan(r.loc["999999", "rate"])


def test_unknown_partner(built_settings):
    with pytest.raises(UnknownCodeError, match="IND-BRA"):
        pair_tariff_factor(built_settings, "IND", "BRA")


def test_agtpa_deepening_uses_the_all_lines_factor(built_settings, shared_data):
    from critmin.services.fta import simulate_fta_ge

    panel = shared_data / "gravity" / "yotov2016_panel.csv.gz"
    ge = simulate_fta_ge(built_settings, "IND", "CHL", panel=panel)  # no SMART run needed any more
    assert ge["available"] and "deepening" in ge["scenario"] and "all traded lines" in ge["scenario"]
    rec = ge["tariff_factor"]
    assert rec["basis"] == "all-lines" and rec["smart_lines_factor"] is None
    assert f"{rec['all_lines']['factor']:.5f}" in ge["scenario"]
    assert ge["countries"]["CHL"]["exports_pct"] > 0
    with pytest.raises(ValueError, match="unknown tariff factor basis"):
        simulate_fta_ge(built_settings, "IND", "CHL", panel=panel, tariff_factor="some")


def test_cli_prints_the_factor_its_sources_and_coverage(built_settings, shared_data):
    from typer.testing import CliRunner

    from critmin.cli import app

    panel = shared_data / "gravity" / "yotov2016_panel.csv.gz"
    res = CliRunner().invoke(
        app,
        [
            "fta",
            "--reporter",
            "IND",
            "--partner",
            "CHL",
            "--ge",
            "--panel",
            str(panel),
            "--home",
            str(built_settings.home),
            "--mirror",
            str(built_settings.mirror),
        ],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "Tariff factor (all traded lines, both directions): 0.97" in out
    assert "WITS/TRAINS bulk MFN, India, 2023 (HS2022)" in out and "Ley 19.589" in out
    assert "CHL<-IND: factor 0.94340, coverage" in out and "deepening of the existing agreement" in out


def test_a_year_without_trade_data_gives_no_factor_but_the_simple_average(built_settings):
    res = pair_tariff_factor(built_settings, "IND", "NZL", year=2030)
    assert res.factor is None and res.coverage is None and res.lines_used == 0
    assert res.simple_average_factor is not None and 0.9 < res.simple_average_factor < 1.0
    early = pair_tariff_factor(built_settings, "IND", "PER", year=2024, tariff_year=2009)  # before any WITS file
    assert early.factor is None and early.sides["IND<-PER"]["rates_known"] is False
    assert any("no WITS MFN file for 2009" in n for n in early.sides["IND<-PER"]["notes"])
