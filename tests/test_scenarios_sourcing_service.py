"""Sourcing service over the warehouse: FTA vs no FTA, tariffs (known, unknown), CLI JSON shape."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from critmin.errors import DataFormatError

EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples" / "scenarios"


def test_current_tariffs_leave_nothing_for_an_fta_on_concentrate(built_settings):
    from critmin.services.scenarios import sourcing

    # India removed the basic customs duty on copper ores and concentrates from 24 Jul 2024 (starter table)
    out = sourcing(built_settings, "copper", "concentrate", 2030, fta=["PER", "CHL"], max_share=0.65)
    assert out["fta_saving_usd"] == pytest.approx(0.0, abs=1e-3)
    assert "Union Budget 2024-25" in " ".join(out["tariff_basis"].values())
    assert all(a["tariff_rate"] == 0.0 for a in out["allocation"])


def test_fta_lowers_cost_and_shifts_to_partners(built_settings):
    from critmin.services.scenarios import read_tariff_file, sourcing

    out = sourcing(
        built_settings,
        "copper",
        "concentrate",
        2030,
        fta=["PER", "CHL"],
        max_share=0.65,
        tariffs=read_tariff_file(EXAMPLES / "tariffs_example.csv"),
    )
    wo, w = out["scenarios"]["without_fta"], out["scenarios"]["with_fta"]
    assert w["total_cost_usd"] < wo["total_cost_usd"]
    assert out["fta_saving_usd"] == pytest.approx(wo["total_cost_usd"] - w["total_cost_usd"])
    fta_t = sum(a["tonnes"] for a in w["allocation"] if a["partner"] in ("PER", "CHL"))
    fta_t0 = sum(a["tonnes"] for a in wo["allocation"] if a["partner"] in ("PER", "CHL"))
    assert fta_t > fta_t0
    assert all(a["share"] <= 0.65 + 1e-9 for a in out["allocation"])
    assert sum(a["tonnes"] for a in out["allocation"]) == pytest.approx(out["demand_t"])
    # capacity shadow prices are non-negative and zero for suppliers not at capacity
    for a in out["allocation"]:
        if a["tonnes"] < a["capacity_t"] - 1e-6:
            assert out["shadow_prices"][a["partner"]] == pytest.approx(0.0, abs=1e-6)
    assert all(v >= -1e-9 for v in out["shadow_prices"].values())
    assert out["tariff_basis"]["PER"].startswith("FTA")


def test_unknown_tariff_is_reported_not_guessed(built_settings, tmp_path):
    from critmin.services.scenarios import read_tariff_file, sourcing

    # refined copper: the starting table has MFN 5 % for 740311 only; a user file with no row for the
    # product family makes nothing unknown, so use a product with no starting rate: nickel refined
    from critmin.errors import EmptySelectionError

    with pytest.raises(EmptySelectionError, match="unknown tariff"):
        sourcing(built_settings, "nickel", "refined", 2026, demand_t=1000.0, max_share=0.65)
    out = sourcing(built_settings, "nickel", "refined", 2026, demand_t=1000.0, max_share=0.65, unknown_tariff="zero")
    assert out["unknown_tariffs"], "nickel has no tariff in the starting table"
    assert all(out["tariff_basis"][a["partner"]].startswith("unknown") for a in out["allocation"])
    # with an MFN row given in a file, nothing is unknown and its source is carried
    f = tmp_path / "t.csv"
    f.write_text(
        "reporter,partner,hs6,year,rate\nIND,WLD,750210,2024,5\nIND,WLD,283324,2024,7.5\n"
        "IND,WLD,750220,2024,5\nIND,WLD,720260,2024,5\n"
    )
    out = sourcing(built_settings, "nickel", "refined", 2026, demand_t=1000.0, tariffs=read_tariff_file(f))
    assert out["unknown_tariffs"] == []
    assert any("t.csv" in b for b in out["tariff_basis"].values())


def test_bad_tariff_file(tmp_path):
    from critmin.services.scenarios import read_tariff_file

    f = tmp_path / "t.csv"
    f.write_text("reporter,partner,hs6,year,rate\nIND,PERU,260300,2024,2.5\n")
    with pytest.raises(DataFormatError, match="ISO3"):
        read_tariff_file(f)
    f.write_text("reporter,partner,hs6,year,rate\nIND,PER,260300,2024,-1\n")
    with pytest.raises(DataFormatError, match="rate"):
        read_tariff_file(f)


def test_sourcing_cli_json(built_settings):
    from critmin.cli import app

    r = CliRunner().invoke(
        app,
        [
            "sourcing",
            "--mineral",
            "copper",
            "--stage",
            "concentrate",
            "--year",
            "2030",
            "--cap",
            "0.65",
            "--fta",
            "PER,CHL",
            "--exclude",
            "CHN",
            "--tariffs",
            str(EXAMPLES / "tariffs_example.csv"),
            "--json",
            "--home",
            str(built_settings.home),
            "--mirror",
            str(built_settings.mirror),
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {"allocation", "total_cost_usd", "shadow_prices", "hhi"} <= set(out)
    assert {"partner", "tonnes", "share", "landed_cost_usd"} <= set(out["allocation"][0])
    assert "CHN" not in {a["partner"] for a in out["allocation"]}
    # CHL has a preferential row in the file; the FTA then applies on top of it
    assert out["tariff_basis"]["CHL"].startswith("FTA")


@pytest.mark.parametrize("objective", ["concentration", "cvar"])
def test_other_objectives(built_settings, objective):
    from critmin.services.scenarios import sourcing

    base = sourcing(built_settings, "copper", "concentrate", 2030, max_share=0.65)
    out = sourcing(
        built_settings, "copper", "concentrate", 2030, max_share=0.65, objective=objective, cvar_scenarios=500
    )
    assert sum(a["tonnes"] for a in out["allocation"]) == pytest.approx(out["demand_t"], rel=1e-6)
    assert out["total_cost_usd"] >= base["total_cost_usd"] - 1e-3
    if objective == "concentration":
        assert out["hhi"] <= base["hhi"] + 1e-9
        assert out["total_cost_usd"] <= base["total_cost_usd"] * 1.02 + 1.0


def test_fta_phase_in_by_hand():
    from critmin.services.scenarios import fta_rate

    # 2.5 % cut in 5 equal steps from 2027: 2.0 % in 2027, 0.5 % in 2030, 0 from 2031
    assert fta_rate(0.025, 2026, entry_year=2027, phase_in_years=5) == pytest.approx(0.025)
    assert fta_rate(0.025, 2027, entry_year=2027, phase_in_years=5) == pytest.approx(0.020)
    assert fta_rate(0.025, 2030, entry_year=2027, phase_in_years=5) == pytest.approx(0.005)
    assert fta_rate(0.025, 2035, entry_year=2027, phase_in_years=5) == pytest.approx(0.0)
    assert fta_rate(0.025, 2027, entry_year=2027) == 0.0


def test_phase_in_reaches_the_optimiser(built_settings):
    from critmin.services.scenarios import read_tariff_file, sourcing

    out = sourcing(
        built_settings,
        "copper",
        "concentrate",
        2028,
        fta=["PER"],
        demand_t=100_000,
        fta_entry_year=2027,
        fta_phase_in_years=5,
        tariffs=read_tariff_file(EXAMPLES / "tariffs_example.csv"),
    )
    per = next(a for a in out["scenarios"]["with_fta"]["allocation"] if a["partner"] == "PER")
    assert per["tariff_rate"] == pytest.approx(0.025 * 3 / 5)


def test_cvar_with_shock_files(built_settings):
    from critmin.cli import app

    args = [
        "sourcing",
        "--mineral",
        "copper",
        "--year",
        "2030",
        "--fta",
        "PER,CHL",
        "--objective",
        "cvar",
        "--shock",
        f"{EXAMPLES / 'chile_concentrate_ban.yaml'}:0.05",
        "--shock",
        f"{EXAMPLES / 'peru_concentrate_quota.yaml'}:0.10",
        "--json",
        "--home",
        str(built_settings.home),
        "--mirror",
        str(built_settings.mirror),
    ]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["n_scenarios"] == 3  # two shocks + no shock
    assert out["cvar_usd"] >= out["expected_shortfall_cost_usd"] - 1e-6
    base = CliRunner().invoke(
        app,
        [
            "sourcing",
            "--mineral",
            "copper",
            "--year",
            "2030",
            "--fta",
            "PER,CHL",
            "--json",
            "--home",
            str(built_settings.home),
            "--mirror",
            str(built_settings.mirror),
        ],
    )
    b = json.loads(base.stdout)
    per_chl = lambda o: sum(a["tonnes"] for a in o["allocation"] if a["partner"] in ("PER", "CHL"))  # noqa: E731
    # insuring against Chilean and Peruvian disruptions moves volume away from them
    assert per_chl(out) < per_chl(b)


def test_bad_options_are_usage_errors(built_settings):
    from critmin.cli import app

    common = ["--home", str(built_settings.home), "--mirror", str(built_settings.mirror)]
    r = CliRunner().invoke(app, ["sourcing", "--mineral", "copper", "--cap", "1.5", "--json"] + common)
    assert r.exit_code == 2 and "max_share" in r.output
    r = CliRunner().invoke(app, ["sourcing", "--mineral", "copper", "--objective", "fastest"] + common)
    assert r.exit_code == 2 and "objective" in r.output
    r = CliRunner().invoke(app, ["sourcing", "--mineral", "copper", "--demand", "1e12"] + common)
    from critmin.domain.scenarios.sourcing import InfeasibleError

    assert r.exit_code != 0 and isinstance(r.exception, InfeasibleError) and "exceeds" in str(r.exception)
