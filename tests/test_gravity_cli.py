"""``critmin gravity estimate|ge`` on the AGTPA panel: the JSON contract scripts rely on."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from critmin.cli import app

KEYS = {"country", "real_gdp_pct", "exports_pct", "omr_pct", "imr_pct", "price_pct"}


@pytest.fixture(scope="module")
def panel_file(shared_data):
    return str(shared_data / "gravity" / "yotov2016_panel.csv.gz")


def test_ge_no_borders_json_contract(panel_file, shared_data):
    r = CliRunner().invoke(
        app,
        [
            "gravity",
            "ge",
            "--panel",
            panel_file,
            "--year",
            "2006",
            "--sigma",
            "7",
            "--no-borders",
            "--method",
            "book",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 69 and all(set(row) == KEYS | {"costs"} for row in rows)
    assert {row["costs"] for row in rows} == {"cross-section"}  # the border needs the cross-section model
    import pandas as pd

    ref = pd.read_csv(
        shared_data / "reference" / "yotov2016_ch2_app1_trade_without_borders" / "trade_without_border_full_prod.csv"
    ).set_index("country")
    ours = {row["country"]: row for row in rows}
    assert ours["ARG"]["price_pct"] == pytest.approx(ref.loc["ARG", "change_price_full"], rel=1e-3)
    assert ours["USA"]["exports_pct"] == pytest.approx(ref.loc["USA", "change_xi_full"], rel=1e-3)


def test_ge_rta_on_members_gain(panel_file):
    r = CliRunner().invoke(
        app,
        [
            "gravity",
            "ge",
            "--panel",
            panel_file,
            "--year",
            "2006",
            "--sigma",
            "7",
            "--rta-on",
            "IND,AUS,JPN",
            "--rta-effect",
            "0.5",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    rows = {row["country"]: row for row in json.loads(r.stdout)}
    for c in ("IND", "AUS", "JPN"):
        assert rows[c]["real_gdp_pct"] > 0 and rows[c]["exports_pct"] > 0
    assert rows["USA"]["real_gdp_pct"] < 0


def test_ge_nafta_two_stage_costs_and_both_conventions(panel_file):
    r = CliRunner().invoke(
        app,
        [
            "gravity",
            "ge",
            "--panel",
            panel_file,
            "--year",
            "1994",
            "--sigma",
            "7",
            "--rta-off",
            "CAN,MEX,USA",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    rows = {row["country"]: row for row in json.loads(r.stdout)}
    assert len(rows) == 69 and {row["costs"] for row in rows.values()} == {"pair-fe"}
    for c in ("CAN", "MEX", "USA"):
        vs, eff = rows[c], rows[c]["effect_of_agreement"]
        assert set(eff) == KEYS - {"country"}
        assert vs["exports_pct"] < 0 < eff["exports_pct"]  # removing NAFTA lowers, NAFTA raises exports
        assert eff["exports_pct"] == pytest.approx(100 / (1 + vs["exports_pct"] / 100) - 100, rel=1e-9)
        assert eff["real_gdp_pct"] > 0


def test_ge_cost_model_option(panel_file):
    base = [
        "gravity",
        "ge",
        "--panel",
        panel_file,
        "--year",
        "2006",
        "--sigma",
        "7",
        "--rta-on",
        "IND,AUS",
        "--rta-effect",
        "0.5",
    ]
    r = CliRunner().invoke(app, base + ["--costs", "cross-section"])
    assert r.exit_code == 0, r.output
    assert "trade costs: cross-section" in r.output and "effect of the agreement" in r.output
    r = CliRunner().invoke(app, base + ["--costs", "gravity"])
    assert r.exit_code != 0 and "unknown costs 'gravity'; expected pair-fe or cross-section" in str(r.exception)
    r = CliRunner().invoke(
        app, ["gravity", "ge", "--panel", panel_file, "--year", "2006", "--no-borders", "--costs", "pair-fe"]
    )
    assert r.exit_code != 0 and "border" in str(r.exception)


def test_ge_needs_exactly_one_scenario(panel_file):
    r = CliRunner().invoke(
        app, ["gravity", "ge", "--panel", panel_file, "--year", "2006", "--no-borders", "--rta-on", "IND,CHL"]
    )
    assert r.exit_code != 0
    assert "exactly one" in r.output


def test_ge_unknown_country_is_a_clear_error(panel_file):
    from critmin.errors import UnknownCodeError

    r = CliRunner().invoke(
        app,
        [
            "gravity",
            "ge",
            "--panel",
            panel_file,
            "--year",
            "2006",
            "--rta-on",
            "IND,PER",
            "--rta-effect",
            "0.5",
            "--json",
        ],
    )
    assert r.exit_code != 0
    assert isinstance(r.exception, UnknownCodeError) and "PER" in str(r.exception)


def test_estimate_json(panel_file):
    r = CliRunner().invoke(
        app,
        [
            "gravity",
            "estimate",
            "--panel",
            panel_file,
            "--years",
            "2006",
            "--covariates",
            "ln_dist,cntg,intl_brdr",
            "--fe",
            "exporter,importer",
            "--vcov",
            "hetero",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["coefficients"]["ln_dist"] == pytest.approx(-0.7912879, abs=1e-4)
    assert out["coefficients"]["intl_brdr"] == pytest.approx(-2.47445, abs=1e-4)
    assert out["std_errors"]["ln_dist"] > 0 and out["n_obs"] == 4761
