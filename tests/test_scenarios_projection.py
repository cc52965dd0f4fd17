"""Import-dependence projections: formula, cited starting points, published claims."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from critmin.domain.scenarios.projection import GrowthScenario, ProjectionModel, ProjectionSpec, calc_import_dependence


def test_formula_by_hand():
    spec = ProjectionSpec(2024, 100.0, 10.0, (GrowthScenario("a", 0.10, 0.0),), end_year=2026)
    p = ProjectionModel(spec).run().paths
    # 2026: demand 121, domestic 10 -> 1 - 10/121
    assert p[p["year"] == 2026]["import_dependence"].iloc[0] == pytest.approx(1 - 10 / 121)
    assert float(calc_import_dependence(10, 20)) == 0.0
    with pytest.raises(ValueError):
        ProjectionSpec(2024, 0.0, 1.0, (GrowthScenario("a", 0, 0),))


def test_copper_start_from_usgs_and_claims(built_settings):
    from critmin.services.scenarios import projection_report

    r = projection_report(built_settings, "copper")
    # USGS MCS 2026: India mine 27 kt, refinery 545 kt in 2024
    assert r["domestic_kt"] == pytest.approx(27.0) and r["demand_kt"] == pytest.approx(545.0)
    assert r["base_import_dependence"] == pytest.approx(1 - 27 / 545)
    # the published "over 90 %" today and "91-97 % by 2047" lie within the scenario band
    c2047 = next(c for c in r["claims"] if c["year"] == 2047)
    assert c2047["model_low"] <= c2047["low"] and c2047["high"] <= c2047["model_high"]
    c2025 = next(c for c in r["claims"] if c["year"] == 2025)
    assert c2025["model_low"] > c2025["low"]
    band = {k: v for k, v in r["at_2047"].items()}
    assert band["low_dependence"] < band["central"] < band["high_dependence"]


def test_projection_cli_chart(built_settings, tmp_path):
    from critmin.cli import app

    chart = tmp_path / "p.html"
    r = CliRunner().invoke(
        app,
        [
            "projection",
            "--mineral",
            "copper",
            "--json",
            "--chart",
            str(chart),
            "--home",
            str(built_settings.home),
            "--mirror",
            str(built_settings.mirror),
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out["at_2030"]) == {"low_dependence", "central", "high_dependence"}
    assert chart.exists()
    r = CliRunner().invoke(
        app,
        [
            "projection",
            "--mineral",
            "lithium",
            "--home",
            str(built_settings.home),
            "--mirror",
            str(built_settings.mirror),
        ],
    )
    assert r.exit_code != 0


def test_tradestat_cross_check(built_settings):
    from critmin.services.scenarios import projection_report

    chk = projection_report(built_settings, "copper")["tradestat_check"]["periods"]
    # TradeStat CY2024 total HS 2603 imports: USD 3,764.76 mn (DGCI&S); Pink Sheet 2024 copper mean
    assert chk["CY2024"]["imports_usd"] == pytest.approx(3_764.76e6)
    assert chk["CY2024"]["implied_cu_content_kt"] == pytest.approx(
        3_764.76e6 / (chk["CY2024"]["lme_usd_t"] * 0.965) / 1000
    )
    # the implied copper content is of the order of India's smelter output (USGS: 545 kt refined)
    assert 300 < chk["CY2024"]["implied_cu_content_kt"] < 700
