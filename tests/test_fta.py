"""FTA service, CLI and brief section on the warehouse built from the real data mirror."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from critmin.errors import DataFormatError, UnknownCodeError
from critmin.services.fta import list_fta_scenarios, simulate_fta

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "schedules"


@pytest.fixture(scope="module")
def chl(built_settings):
    return simulate_fta(built_settings, "IND", "CHL")


def test_chile_cepa_both_sides_and_balance(chl, warehouse):
    t = chl.totals
    # India's baseline imports from Chile on the simulated lines equal the warehouse numbers
    lines = chl.coverage["hs6_by_side"]["IND<-CHL"]
    tf = warehouse.read("trade_flows")
    tf = tf[tf["year"] == chl.trade_year]
    base = tf[(tf.importer == "IND") & (tf.exporter == "CHL") & tf.hs6.isin(lines)]["value_usd"].sum()
    ts = warehouse.read("tradestat_imports")
    ore = ts[(ts.hs_code == "2603") & (ts.partner_iso3 == "CHL") & (ts.period == "CY2024")]["value_usd"].sum()
    assert ore == pytest.approx(1245.43e6)
    assert t["reporter_imports_base_usd"].iloc[0] == pytest.approx(base + ore)
    # both sides simulated; balance = change in India's exports - change in its imports
    assert t["partner_imports_change_usd"].notna().all()
    assert np.allclose(t["balance_change_usd"], t["reporter_exports_change_usd"] - t["reporter_imports_change_usd"])
    # India cuts in five equal annual stages: effects grow to year 4 and then stay; Chile cuts at entry into force
    imp = t["reporter_imports_change_usd"].to_numpy()
    assert np.all(np.diff(imp[:5]) > 0) and imp[4] == pytest.approx(imp[5])
    assert np.allclose(t["partner_imports_change_usd"], t["partner_imports_change_usd"].iloc[0])


def test_chile_identities_per_market(chl):
    f = chl.lines
    div = f.groupby(["side", "hs6", "fta_year"])["trade_diversion"].sum()
    assert np.allclose(div, 0.0, atol=1e-4)
    assert (f.loc[f.tariff_effective < f.tariff_old, "trade_creation"] > 0).all()
    # Chile's 6% flat MFN on India's exports; India's 5% on copper cathodes
    chl_side = f[(f.side == "CHL<-IND") & (f.fta_year == 0)]
    assert np.allclose(chl_side["tariff_old"], 0.06)
    cath = f[(f.side == "IND<-CHL") & (f.hs6 == "740311") & (f.partner == "CHL")].set_index("fta_year")
    assert cath.loc[0, "tariff_new"] == pytest.approx(0.04) and cath.loc[4, "tariff_new"] == 0.0


def test_peru_copper_ore_hand_check_with_pre_2024_duty(built_settings):
    # India's copper-ore duty was 2.5% before 24 Jul 2024; TradeStat CY2024 imports from Peru USD 253.35 mn.
    sim = simulate_fta(built_settings, "IND", "PER", tariff_year=2023)
    ore = sim.lines[(sim.lines.hs6 == "260300") & (sim.lines.partner == "PER") & (sim.lines.fta_year == 0)]
    m = 253.35e6
    assert ore["imports_usd"].iloc[0] == pytest.approx(m)
    # TC = M * Em * dt / [(1 + t)(1 - Em/Ex)] with Em = -1, Ex = 99
    assert ore["trade_creation"].iloc[0] == pytest.approx(m * 0.025 / (1.025 * (1 + 1 / 99)), rel=1e-9)
    assert ore["revenue_change"].iloc[0] == pytest.approx(-0.025 * m)


def test_peru_today_no_effect_and_unknowns_reported(built_settings):
    sim = simulate_fta(built_settings, "IND", "PER")
    f = sim.final()
    assert f["reporter_imports_change_usd"] == 0.0
    assert f["reporter_exports_change_usd"] is None  # Peru's rates for India's lines unknown
    assert any("duty-free" in n for n in sim.notes)
    assert any("30 critical-mineral HS6" in n or "critical-mineral HS6 codes" in n for n in sim.notes)
    assert any("one-sided" in n for n in sim.notes)
    unk = sim.unknown_tariffs
    assert set(unk["side"]) == {"PER<-IND"} and (unk["imports_from_partner_usd"] > 0).all()


def test_user_schedule_utilisation_and_elasticities(built_settings, tmp_path):
    full = simulate_fta(built_settings, "IND", "CHL", schedule=EXAMPLES / "ind_chl_staged_with_exclusions.yaml")
    assert full.scenario.horizon == 10
    none = simulate_fta(built_settings, "IND", "CHL", utilisation=0.0)
    assert np.allclose(none.totals["reporter_imports_change_usd"], 0.0)
    el = tmp_path / "el.csv"
    el.write_text("hs6,import_demand_elasticity\n740311,-2.0\n")
    # with infinitely elastic export supply, creation is proportional to Em
    base = simulate_fta(built_settings, "IND", "CHL", import_demand_elasticity=-1.0, export_supply_elasticity=np.inf)
    doubled = simulate_fta(built_settings, "IND", "CHL", elasticities=el, export_supply_elasticity=np.inf)

    def tc(s):
        return s.lines[(s.lines.hs6 == "740311") & (s.lines.side == "IND<-CHL")]["trade_creation"].sum()

    assert tc(doubled) == pytest.approx(2 * tc(base), rel=1e-6)


def test_errors(built_settings, tmp_path):
    with pytest.raises(UnknownCodeError, match="ready scenarios"):
        simulate_fta(built_settings, "IND", "FRA")
    bad = tmp_path / "bad.yaml"
    bad.write_text("base_year: 2024\nsides:\n  - {importer: IND, partner: PER, default: Z}\n")
    with pytest.raises(DataFormatError, match="default"):
        simulate_fta(built_settings, "IND", "PER", schedule=bad)
    with pytest.raises(ValueError):
        simulate_fta(built_settings, "IND", "CHL", utilisation=1.5)
    assert {r["partner"] for r in list_fta_scenarios()} == {"PER", "CHL", "NZL"}


def test_cli_json_and_list(built_settings, tmp_path):
    from critmin.cli import app

    runner = CliRunner()
    home = ["--home", str(built_settings.home), "--mirror", str(built_settings.mirror)]
    res = runner.invoke(
        app, ["fta", "--reporter", "IND", "--partner", "CHL", "--json", "--chart", str(tmp_path / "c.html"), *home]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["final_year"]["fta_year"] == 5 and d["final_year"]["reporter_imports_change_usd"] > 0
    assert (tmp_path / "c.html").stat().st_size > 1000
    assert (tmp_path / "c_revenue_balance.html").stat().st_size > 1000
    res = runner.invoke(app, ["fta", "--list", "--json"])
    assert res.exit_code == 0 and len(json.loads(res.stdout)) == 3
    res = runner.invoke(app, ["fta", "--partner", "PER", "--year", "1999", *home])
    assert res.exit_code != 0


def test_brief_section(built_settings):
    from critmin.report.base import BriefContext
    from critmin.report.sections import fta

    sec = fta.build(BriefContext(built_settings, "IND", "PER", 2024))
    assert sec is not None and len(sec.figures) == 2
    assert "With the tariffs of 2023" in sec.html and "USD 15.07 mn" in sec.html
    assert fta.build(BriefContext(built_settings, "IND", None, 2024)) is None


def test_ge_counterpart_where_the_panel_allows(built_settings, shared_data, chl):
    from critmin.services.fta import simulate_fta_ge

    panel = shared_data / "gravity" / "yotov2016_panel.csv.gz"
    per = simulate_fta_ge(built_settings, "IND", "PER", panel=panel)
    assert per["available"] is False and "PER" in per["reason"]
    ge = simulate_fta_ge(built_settings, "IND", "CHL", panel=panel, sim=chl)
    assert ge["available"] and ge["year"] == 2006
    assert "deepening" in ge["scenario"]  # the India-Chile PTA is coded from 2005 in the panel
    assert ge["countries"]["CHL"]["exports_pct"] > 0  # lower bilateral costs raise Chile's exports


def test_existing_preferences_from_prf_rows(built_settings, tmp_path):
    # a PRF row (e.g. a CEPA rate for Japan) replaces MFN for that supplier in the baseline
    prf = tmp_path / "prf.csv"
    prf.write_text("reporter,partner,year,hs,rate,duty_type,source\nIND,JPN,2024,740311,0,PRF,test row\n")
    sim = simulate_fta(built_settings, "IND", "CHL", tariffs=prf)
    jpn = sim.lines[(sim.lines.side == "IND<-CHL") & (sim.lines.hs6 == "740311") & (sim.lines.partner == "JPN")]
    assert (jpn["tariff_old"] == 0.0).all() and (jpn["tariff_new"] == 0.0).all()
    assert (jpn["revenue_change"] == 0.0).all()


def test_comtrade_lines_fill_gaps_of_the_baci_extract():
    from critmin.services.fta import add_comtrade_lines

    trade = pd.DataFrame({"importer": ["IND"], "hs6": ["740311"], "partner": ["CHL"], "imports_usd": [5.0]})
    ct = pd.DataFrame(
        {
            "reporter": ["IND", "IND", "IND", "IND", "PER", "IND"],
            "partner": ["PER", "WLD", "CHL", "PER", "IND", "CHE"],
            "flow": ["import", "import", "import", "export", "import", "import"],
            "hs": ["7108", "7108", "740311", "7108", "870323", "7108"],
            "year": [2024, 2024, 2024, 2024, 2024, 2023],
            "value_usd": [100.0, 900.0, 7.0, 3.0, 40.0, 50.0],
        }
    )
    out, notes = add_comtrade_lines(trade, ct, year=2024, importers={"IND", "PER"})
    got = set(map(tuple, out[["importer", "hs6", "partner", "imports_usd"]].itertuples(index=False)))
    assert got == {("IND", "740311", "CHL", 5.0), ("IND", "7108", "PER", 100.0), ("PER", "870323", "IND", 40.0)}
    assert "comtrade_flows" in notes[0]
    same, none = add_comtrade_lines(trade, ct.iloc[0:0], year=2024, importers={"IND"})
    assert none == [] and same is trade


def test_fta_outlook_contrasts_with_the_earlier_tariffs_when_nothing_changes(built_settings):
    """India-Peru: India's copper-ore duty is 0 since July 2024, so today's simulation changes nothing
    and the outlook adds the same schedule at 2023 tariffs, which does raise imports from Peru."""
    from critmin.services.fta import fta_outlook

    today, before = fta_outlook(built_settings, "IND", "PER", year=2024)
    assert all(not v for k, v in today.final().items() if k.endswith("_change_usd"))
    assert before is not None and before.parameters["tariff_year"] == 2023
    assert before.final()["reporter_imports_change_usd"] > 0
    assert before.final()["reporter_revenue_change_usd"] < 0


def test_fta_ge_uses_the_partner_panel_for_india_peru(tmp_path, mirror):
    """With DOTS, OECD and the AGTPA panel built, `fta --ge` answers India-Peru (not in the AGTPA panel) for both parties."""
    from critmin.config import load_settings
    from critmin.services.fta import simulate_fta_ge
    from critmin.warehouse.build import build

    s = load_settings(home=tmp_path / "home", mirror=mirror, offline=True)
    build(s, ["imf_dots", "oecd_iot", "geodist", "wto_rta", "classification", "yotov"], progress=False)
    ge = simulate_fta_ge(s, "IND", "PER")
    assert ge["available"], ge
    assert "goods only" in ge["coverage"]["what"] and ge["coverage"]["year"] == 2019
    assert ge["rta_effect"]["estimate"] == pytest.approx(0.5571853, abs=1e-6)  # the AGTPA panel estimate
    rta = ge["variants"][0]["countries"]
    assert set(rta) == {"IND", "PER"} and rta["PER"]["exports_pct"] > 0 and rta["IND"]["real_gdp_pct"] > 0
