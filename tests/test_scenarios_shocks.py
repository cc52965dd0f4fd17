"""Export-restriction shocks: the loss is split exactly into covered + uncovered; real-data runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from typer.testing import CliRunner

from critmin.domain.scenarios.shocks import (
    ShockModel,
    ShockSpec,
    calc_loss_fraction,
    calc_price_effect,
    disruption_scenarios_from_shocks,
)
from critmin.errors import DataFormatError, EmptySelectionError, UnknownCodeError

EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples" / "scenarios"


def _flows():
    # A exports 100 t (USD 1000) to IND and 300 t to XXX; B 50 t to IND and 200 t to XXX; C 400 t to XXX
    return pd.DataFrame(
        {
            "exporter": ["AAA", "AAA", "BBB", "BBB", "CCC"],
            "importer": ["IND", "XXX", "IND", "XXX", "XXX"],
            "hs6": ["999999"] * 5,
            "value_usd": [1000.0, 3000.0, 500.0, 2000.0, 4000.0],
            "qty_t": [100.0, 300.0, 50.0, 200.0, 400.0],
        }
    )


def test_loss_fractions_and_price_formula():
    assert calc_loss_fraction("ban") == 1.0
    assert calc_loss_fraction("quota", quota_share=0.3) == pytest.approx(0.7)
    assert calc_loss_fraction("export_tax", export_tax=0.25, eps_import_demand=-1.0) == pytest.approx(1 - 1 / 1.25)
    assert calc_price_effect(0.2, 1.5, -0.5) == pytest.approx(0.1)
    with pytest.raises(ValueError):
        calc_loss_fraction("embargo")


def test_hand_worked_ban():
    spec = ShockSpec("AAA", ("999999",), severity="ban", duration_months=6, redirectable_fraction=0.1)
    r = ShockModel(spec).run(_flows())
    # half a year of 100 t / USD 1000
    assert r.loss_tonnes == pytest.approx(50.0) and r.loss_value_usd == pytest.approx(500.0)
    # spare (fallback): B 0.1 x 200 = 20 t/yr, C 0.1 x 400 = 40 t/yr -> 30 t in six months
    alt = r.alternatives.set_index("partner")
    assert alt.loc["BBB", "spare_t"] == pytest.approx(20.0) and alt.loc["CCC", "spare_t"] == pytest.approx(40.0)
    assert r.covered_tonnes == pytest.approx(30.0) and r.uncovered_tonnes == pytest.approx(20.0)
    assert alt.loc["CCC", "covered_t"] == pytest.approx(20.0)
    # world exports 1050 t, AAA removes 400 t
    assert r.world_removed_share == pytest.approx(400 / 1050)
    assert r.price_change == pytest.approx(400 / 1050 / 2.0)
    # India's supply after: AAA 0, BBB 50 + 10/0.5, CCC 20/0.5
    sup = r.importer_supply.set_index("partner")["after_t"]
    assert sup["AAA"] == pytest.approx(0.0) and sup["BBB"] == pytest.approx(70.0) and sup["CCC"] == pytest.approx(40.0)
    assert r.concentration["hhi_before"] == pytest.approx((100 / 150) ** 2 + (50 / 150) ** 2)


def test_production_basis_is_used_when_known():
    spec = ShockSpec("AAA", ("999999",), severity="quota", quota_share=0.5)
    r = ShockModel(spec).run(_flows(), production=pd.Series({"BBB": 1000.0}))
    alt = r.alternatives.set_index("partner")
    assert alt.loc["BBB", "spare_t"] == pytest.approx(1000 - 250)
    assert alt.loc["BBB", "basis"] == "production - exports"
    assert r.loss_tonnes == pytest.approx(50.0) and r.uncovered_tonnes == pytest.approx(0.0)


@hsettings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    sev=st.sampled_from(["ban", "quota", "export_tax"]),
    months=st.integers(1, 36),
    rho=st.floats(0, 1),
)
def test_covered_plus_uncovered_equals_loss(seed, sev, months, rho):
    rng = np.random.default_rng(seed)
    n = 8
    codes = [f"C{i:02d}" for i in range(n)] + ["IND"]
    rows = [
        (e, i, "111111", rng.uniform(1, 1e6), rng.uniform(1, 1e4) if rng.random() > 0.1 else np.nan)
        for e in codes[:-1]
        for i in codes
        if e != i and rng.random() > 0.3
    ]
    rows.append(("C00", "IND", "111111", 5e5, 1000.0))
    flows = pd.DataFrame(rows, columns=["exporter", "importer", "hs6", "value_usd", "qty_t"])
    prod = pd.Series(rng.uniform(0, 2e4, 3), index=["C01", "C02", "C03"])
    spec = ShockSpec(
        "C00",
        ("111111",),
        severity=sev,
        quota_share=0.4,
        export_tax=0.3,
        duration_months=months,
        redirectable_fraction=rho,
    )
    r = ShockModel(spec).run(flows, production=prod)
    assert r.covered_tonnes + r.uncovered_tonnes == pytest.approx(r.loss_tonnes, rel=1e-12, abs=1e-9)
    assert r.covered_value_usd + r.uncovered_value_usd == pytest.approx(r.loss_value_usd, rel=1e-9, abs=1e-6)
    assert r.alternatives["covered_t"].sum() == pytest.approx(r.covered_tonnes, rel=1e-9, abs=1e-9)
    assert (r.alternatives["covered_t"] <= r.alternatives["spare_in_window_t"] + 1e-9).all()
    assert r.uncovered_tonnes >= -1e-9


def test_bad_specs():
    with pytest.raises(ValueError):
        ShockSpec("AAA", ("999999",), severity="embargo")
    with pytest.raises(ValueError):
        ShockSpec("AAA", ("999999",), duration_months=0)
    with pytest.raises(EmptySelectionError):
        ShockModel(ShockSpec("AAA", ("123456",))).run(_flows())
    with pytest.raises(DataFormatError, match="qty_t"):
        ShockModel(ShockSpec("AAA", ("999999",))).run(_flows().drop(columns="qty_t"))


def test_disruption_matrix_from_shocks():
    s1 = ShockSpec("AAA", ("999999",), severity="quota", quota_share=0.25)
    m = disruption_scenarios_from_shocks([(s1, 0.1)], ["AAA", "BBB"])
    assert m.loc[0, "AAA"] == pytest.approx(0.25) and m.loc[0, "BBB"] == 1.0
    assert m["probability"].sum() == pytest.approx(1.0)


# ------------------------------------------------------------------ against the warehouse
def test_magnet_ban_on_real_flows(built_settings, warehouse):
    from critmin.services.scenarios import run_shock

    r = run_shock(built_settings, EXAMPLES / "china_magnet_ban.yaml")
    tf = warehouse.read("trade_flows")
    tf = tf[tf["year"] == tf["year"].max()]  # the shock runs on the latest year
    direct = tf[(tf["exporter"] == "CHN") & (tf["importer"] == "IND") & (tf["hs6"] == "850511")]
    assert r.loss_value_usd == pytest.approx(float(direct["value_usd"].sum()))
    assert r.covered_tonnes + r.uncovered_tonnes == pytest.approx(r.loss_tonnes)
    assert r.concentration["china_share_before"] > 0.5
    assert r.concentration["china_share_after"] == pytest.approx(0.0)
    assert r.spec.eps_supply == 0.1  # the file asks for short-run elasticities


def test_production_fallback_and_quota_on_real_data(built_settings):
    from critmin.services.scenarios import run_shock

    r = run_shock(built_settings, EXAMPLES / "china_graphite_quota.yaml")
    assert r.spec.loss_fraction == pytest.approx(0.5)
    assert "production - exports" in set(r.alternatives["basis"])  # USGS has graphite mine production
    r = run_shock(built_settings, EXAMPLES / "chile_copper_cathode_ban.yaml")
    assert r.loss_tonnes > 0 and r.covered_tonnes + r.uncovered_tonnes == pytest.approx(r.loss_tonnes)


def test_bad_scenario_files(built_settings, tmp_path):
    from critmin.services.scenarios import run_shock

    p = tmp_path / "bad.yaml"
    p.write_text("restricting: CHN\nproducts: {hs6: ['850511']}\nseverity: embargo\n")
    with pytest.raises(DataFormatError, match="severity"):
        run_shock(built_settings, p)
    p.write_text("products: {hs6: ['850511']}\n")
    with pytest.raises(DataFormatError, match="restricting"):
        run_shock(built_settings, p)
    p.write_text("restricting: CHN\nproducts: [850511\n")
    with pytest.raises(DataFormatError, match="YAML"):
        run_shock(built_settings, p)
    p.write_text("restricting: ZZZ\nproducts: {hs6: ['850511']}\n")
    with pytest.raises(UnknownCodeError):
        run_shock(built_settings, p)
    p.write_text("restricting: CHN\nproducts: {mineral: unobtainium}\n")
    with pytest.raises(UnknownCodeError):
        run_shock(built_settings, p)
    p.write_bytes("restricting: CHN\nname: caf\xe9\n".encode("latin-1"))
    with pytest.raises(DataFormatError, match="UTF-8"):
        run_shock(built_settings, p)


def test_shock_cli_json(built_settings, tmp_path):
    import json

    from critmin.cli import app

    r = CliRunner().invoke(
        app,
        [
            "shock",
            "--scenario",
            str(EXAMPLES / "indonesia_nickel_tax.yaml"),
            "--json",
            "--home",
            str(built_settings.home),
            "--mirror",
            str(built_settings.mirror),
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    loss = out["supply_at_risk"]["tonnes"]
    assert out["covered"]["tonnes"] + out["uncovered"]["tonnes"] == pytest.approx(loss)
    assert out["scenario"]["severity"] == "export_tax"


def test_concentrate_shock_uses_tradestat(built_settings, warehouse):
    from critmin.services.scenarios import run_shock

    r = run_shock(built_settings, EXAMPLES / "chile_concentrate_ban.yaml")
    ts = warehouse.read("tradestat_imports")
    chl = ts[(ts["hs_code"] == "2603") & (ts["partner_iso3"] == "CHL") & (ts["period"] == "CY2025")]["value_usd"].sum()
    assert chl == pytest.approx(1_716.83e6)
    assert r.loss_value_usd == pytest.approx(chl)
    assert r.covered_tonnes + r.uncovered_tonnes == pytest.approx(r.loss_tonnes)
    assert any("tradestat_imports CY2025" in a for a in r.assumptions)
    # Chile's share of world mine production (USGS 2025: 5,300 of ~20,000 kt by country) drives the price effect
    assert 0.2 < r.world_removed_share < 0.3


def test_negative_flow_is_rejected():
    bad = _flows()
    bad.loc[2, "qty_t"] = -1.0
    with pytest.raises(DataFormatError, match="row 3"):
        ShockModel(ShockSpec("AAA", ("999999",))).run(bad)
