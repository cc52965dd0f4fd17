"""Copper-concentrate contract maths on a worked example; FX sensitivity and back-test."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from critmin.domain.scenarios.contracts import (
    LB_PER_T,
    ConcentrateContract,
    calc_contract_value,
    calc_payable_fraction,
    fx_sensitivity,
)
from critmin.errors import DataFormatError

EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples" / "scenarios"


def _worked():
    return ConcentrateContract(
        dmt=10_000,
        grade=0.28,
        lme_usd_t=9_000,
        payable_pct=0.965,
        min_deduction=0.01,
        tc_usd_per_dmt=80,
        rc_usd_per_lb=0.08,
        freight_usd_per_dmt=30,
        tariff_rate=0.025,
        inr_per_usd=83.0,
        pen_per_usd=3.75,
        clp_per_usd=900.0,
    )


def test_worked_example_by_hand():
    v = calc_contract_value(_worked())
    # payable: min(0.965 x 28 %, 28 % - 1 unit) = min(27.02 %, 27 %) = 27 % -> 2,700 t Cu
    assert v["payable_fraction"] == pytest.approx(0.27)
    assert v["payable_cu_t"] == pytest.approx(2_700.0)
    assert LB_PER_T == pytest.approx(1 / 0.45359237e-3)
    assert v["gross_metal_value_usd"] == pytest.approx(24_300_000.0)  # 2,700 x 9,000
    assert v["tc_usd"] == pytest.approx(800_000.0)  # 80 x 10,000
    assert v["rc_usd"] == pytest.approx(476_198.486, rel=1e-8)  # 0.08 x 2,700 x 2,204.62262
    assert v["invoice_usd"] == pytest.approx(23_023_801.514, rel=1e-9)
    assert v["cif_usd"] == pytest.approx(23_323_801.514, rel=1e-9)  # + 30 x 10,000 freight
    assert v["duty_usd"] == pytest.approx(583_095.038, rel=1e-8)  # 2.5 % of CIF
    assert v["landed_cost_usd"] == pytest.approx(23_906_896.552, rel=1e-9)
    assert v["importer_cost_inr"] == pytest.approx(1_984_272_413.8, rel=1e-9)
    assert v["mine_revenue_pen"] == pytest.approx(86_339_255.68, rel=1e-9)


def test_payable_rule_switches_at_low_grade():
    # at 40 % the 96.5 % rule deducts 1.4 units (> 1): payable 38.6 %
    assert float(calc_payable_fraction(0.40)) == pytest.approx(0.386)
    assert float(calc_payable_fraction(0.20)) == pytest.approx(0.19)
    assert float(calc_payable_fraction(0.005)) == 0.0


def test_fx_sensitivity_directions():
    s = fx_sensitivity(_worked(), shocks=(-0.1, 0.1)).set_index("case")
    assert s.loc["rupee weaker 10%", "importer_cost_change"] == pytest.approx(0.10)
    assert s.loc["sol stronger 10%", "mine_revenue_change"] == pytest.approx(-0.10)
    assert s.loc["sol stronger 10%", "importer_cost_change"] == pytest.approx(0.0)


def test_invalid_terms():
    with pytest.raises(ValueError, match="grade"):
        ConcentrateContract(dmt=1, grade=28, lme_usd_t=9000)
    with pytest.raises(ValueError):
        ConcentrateContract(dmt=-1, grade=0.2, lme_usd_t=9000)


def test_backtest_over_warehouse(built_settings):
    from critmin.services.scenarios import contract_backtest

    b = contract_backtest(built_settings, _worked(), start="2015-01", end="2024-12")
    assert b["months"] == 120
    # the importer's INR cost moves with the rupee and copper; revenue in PEN stays positive
    assert b["mine_revenue_pen"]["min"] > 0
    assert b["importer_cost_inr"]["max"] > b["importer_cost_inr"]["min"]
    first = b["series"][0]
    assert first["month"] == "2015-01"
    assert 60 < first["inr_per_usd"] < 65 and 2.9 < first["pen_per_usd"] < 3.1  # Jan 2015 rates


def test_contract_cli(built_settings, tmp_path):
    from critmin.cli import app

    r = CliRunner().invoke(
        app,
        [
            "contract",
            "--scenario",
            str(EXAMPLES / "contract_peru_copper.yaml"),
            "--json",
            "--home",
            str(built_settings.home),
            "--mirror",
            str(built_settings.mirror),
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    c = out["contract"]
    assert c["payable_cu_t"] == pytest.approx(100_000 * 0.25)
    assert c["invoice_usd"] == pytest.approx(
        c["payable_cu_t"] * c["lme_usd_t"] - 21.25 * 100_000 - 0.02125 * c["payable_cu_lb"]
    )
    assert out["sources"]["INR"].startswith("fx_rates INR 2024-12")
    assert out["backtest"]["months"] == 121
    table = CliRunner().invoke(
        app,
        [
            "contract",
            "--scenario",
            str(EXAMPLES / "contract_peru_copper.yaml"),
            "--home",
            str(built_settings.home),
            "--mirror",
            str(built_settings.mirror),
        ],
    )
    assert table.exit_code == 0, table.output
    crore = f"₹{c['importer_cost_inr'] / 1e7:,.0f} cr"
    assert crore in table.stdout and f"{c['importer_cost_inr']:,.0f}" not in table.stdout


def test_bad_contract_file(built_settings, tmp_path):
    from critmin.services.scenarios import run_contract

    p = tmp_path / "c.yaml"
    p.write_text("dmt: 1000\n")
    with pytest.raises(DataFormatError, match="grade"):
        run_contract(built_settings, p)
    p.write_text("dmt: 1000\ngrade: lots\n")
    with pytest.raises(DataFormatError, match="grade"):
        run_contract(built_settings, p)


def test_contract_paths(built_settings):
    from critmin.services.scenarios import run_contract

    d = {
        "dmt": 1000,
        "grade": 0.26,
        "lme_usd_t": 10_000,
        "tc_usd_per_dmt": 0,
        "rc_usd_per_lb": 0,
        "fx": {"INR": 85, "PEN": 3.7, "CLP": 900},
        "lme_path": {2026: 11_000, 2028: 12_000},
        "fx_path": {"PEN": {2027: 3.5}},
    }
    path = {r["year"]: r for r in run_contract(built_settings, d)["path"]}
    # 250 t payable Cu (26 % - 1 unit) x LME, no TC/RC
    assert path[2026]["invoice_usd"] == pytest.approx(250 * 11_000)
    assert path[2027]["mine_revenue_pen"] == pytest.approx(250 * 11_000 * 3.5)  # stronger sol, LME carried
    assert path[2028]["importer_cost_inr"] == pytest.approx(250 * 12_000 * 85)
    with pytest.raises(DataFormatError, match="fx_path"):
        run_contract(built_settings, {**d, "fx_path": {"EUR": {2026: 1}}})
