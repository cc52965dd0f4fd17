"""Criticality service, CLI, chart and brief section on the warehouse built from the data mirror."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from critmin.errors import DataFormatError, UnknownCodeError
from critmin.services.criticality import build_spec, criticality_scores, parameter_tables, read_overrides, read_scenario

DRAWS = 200


@pytest.fixture(scope="module")
def baseline(built_settings):
    return criticality_scores(built_settings, "IND", 2024, draws=DRAWS, seed=1)


@pytest.fixture(scope="module")
def spec(built_settings):
    return build_spec(built_settings, "IND", 2024)[0]


def _frame(res) -> pd.DataFrame:
    return pd.DataFrame(res["records"]).set_index(["material", "stage"])


def test_scores_for_every_mineral_in_the_trade_data(baseline, warehouse):
    from critmin.services.criticality import product_map

    pm = product_map(warehouse)
    traded = set(warehouse.read("trade_flows", ["hs6"])["hs6"])
    expected = set(pm.loc[pm["hs6"].isin(traded), "mineral"])
    got = {r["material"] for r in baseline["records"]}
    assert expected <= got
    f = _frame(baseline)
    assert f["supply_risk"].notna().all()
    assert (f["supply_risk_p05"] <= f["supply_risk_p95"]).all()
    # every record names the sources of its inputs
    for r in baseline["records"]:
        assert r["inputs"]["global_supply_source"]
        assert r["inputs"]["eol_rir"]["source"] and r["inputs"]["governance"]["source"]


def test_stages_and_bottleneck(baseline):
    f = _frame(baseline).reset_index()
    assert set(f["stage"]) == {"extraction", "processing"}
    # one bottleneck per mineral, at the stage with the higher SR
    for mineral, g in f.groupby("material"):
        assert g["bottleneck"].sum() == 1
        assert g.loc[g["bottleneck"], "supply_risk"].iloc[0] == g["supply_risk"].max()
    # copper: mine and refinery stages both come from USGS
    assert {("copper", "extraction"), ("copper", "processing")} <= set(zip(f["material"], f["stage"]))


def test_known_export_restrictions_enter_t(baseline):
    f = _frame(baseline)
    notes = f.loc[("graphite", "extraction"), "inputs"]["trade_restrictions"]
    assert any(n["country"] == "CHN" and n["t"] > 1 for n in notes)
    # measures that start in 2025 do not apply to 2024
    assert not any(n["country"] == "CHN" for n in f.loc[("tungsten", "processing"), "inputs"]["trade_restrictions"])


def _t_of(frame: pd.DataFrame, item: int, country: str) -> float:
    return float(frame.loc[(frame["item"] == item) & (frame["country"] == country), "t"].iloc[0])


def test_t_rules_home_market_and_agreements(built_settings, spec):
    """EU 2023 practice: the assessing economy's producers carry t = 0.8; agreement partners 1.0
    unless asked for (then x 0.8 in sourcing only)."""
    items = spec.items.reset_index(drop=True)
    # an item where India is both a world producer and part of its own sourcing
    both = [
        i
        for i in items.index
        if (spec.global_supply.query("item == @i")["country"] == "IND").any()
        and (spec.sourcing.query("item == @i")["country"] == "IND").any()
    ]
    assert both, "India produces some traded mineral"
    i = both[0]
    assert _t_of(spec.global_supply, i, "IND") == pytest.approx(0.8)
    assert _t_of(spec.sourcing, i, "IND") == pytest.approx(0.8)
    cu = int(items.index[(items["material"] == "copper") & (items["stage"] == "processing")][0])
    assert _t_of(spec.sourcing, cu, "CHL") == pytest.approx(1.0)  # no agreement factor by default
    with_rta = build_spec(built_settings, "IND", 2024, agreements=True)[0]
    assert _t_of(with_rta.sourcing, cu, "CHL") == pytest.approx(0.8)  # India-Chile PTA in force
    assert _t_of(with_rta.global_supply, cu, "CHL") == pytest.approx(1.0)  # never in global supply
    assert _t_of(with_rta.sourcing, i, "IND") == pytest.approx(0.8)  # home producers unchanged
    low = criticality_scores(built_settings, "IND", 2024, draws=0, agreements=True)
    base = criticality_scores(built_settings, "IND", 2024, draws=0)
    assert low["agreements"] is True and base["agreements"] is False
    d = _frame(low)["supply_risk"] - _frame(base)["supply_risk"]
    assert (d <= 1e-12).all() and (d < -0.01).any()  # a lower t can only lower SR


def test_bloc_reporter_eu27(built_settings, shared_data):
    """A bloc is one importer: members' production is home supply (t = 0.8), trade between members is
    internal, and the scores rank materials much as the EU's own published assessment does."""
    from scipy.stats import spearmanr

    from critmin.services.criticality import reporter_members

    members = reporter_members("EU27")
    assert len(members) == 27 and "DEU" in members and "GBR" not in members
    spec, prov = build_spec(built_settings, "EU27", 2024)
    src, gs = spec.sourcing, spec.global_supply
    assert (src.loc[src["country"].isin(members), "t"] == 0.8).all()
    assert (gs.loc[gs["country"].isin(members), "t"] == 0.8).all()
    assert (src.groupby("item")["share"].sum().round(9) == 1).all()
    items = spec.items.reset_index(drop=True)
    cu = int(items.index[(items["material"] == "copper") & (items["stage"] == "processing")][0])
    # EU copper sourcing: its own refineries plus extra-EU imports; no member appears as an importer's partner
    assert prov[("copper", "processing")]["sourcing_source"].startswith("CEPII BACI")
    partners = set(src.loc[src["item"] == cu, "country"])
    assert partners & members and partners - members
    home = src.loc[(src["item"] == cu) & src["country"].isin(members), "share"].sum()
    assert home == pytest.approx(items.loc[cu, "domestic_fraction"])  # members enter only as producers
    res = criticality_scores(built_settings, "EU27", 2024, draws=0)
    f = pd.DataFrame(res["records"])
    bott = f[f["bottleneck"]].assign(eu=[r["eu_material"] for r in f.loc[f["bottleneck"], "inputs"]])
    ref = pd.read_csv(shared_data / "reference" / "eu_crm_2017" / "sr_components_2017.csv")
    m = bott.merge(ref.rename(columns={"material": "eu"}), on="eu").drop_duplicates("eu")
    assert len(m) >= 40
    rho = spearmanr(m["supply_risk"], m["SR_published"]).statistic
    assert rho > 0.6, rho  # 2024 data vs the EU's 2017 assessment: same ordering, broadly
    with pytest.raises(UnknownCodeError, match="blocs work"):
        criticality_scores(built_settings, "EU27", 2024, method="geodep")


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_china_export_ban_raises_supply_risk(built_settings, baseline, tmp_path):
    scen = _write(
        tmp_path,
        "ban.yaml",
        "name: China export ban\nlevers:\n  - type: export_restriction\n    supplier: CHN\n    measure: export_ban\n",
    )
    res = criticality_scores(built_settings, "IND", 2024, draws=DRAWS, seed=1, scenario=scen)
    f = _frame(res)
    china = [
        k
        for k, r in f.iterrows()
        if any(s["country"] == "CHN" for s in r["inputs"]["global_supply_top"] + r["inputs"]["sourcing_top"])
    ]
    assert len(china) > 10
    assert (f["delta_supply_risk"] >= -1e-12).all()
    assert (f.loc[china, "delta_supply_risk"] > 0).all()
    assert (
        f.loc[("rare_earths", "extraction"), "supply_risk"]
        > f.loc[("rare_earths", "extraction"), "baseline_supply_risk"]
    )


def test_fta_with_chile_lowers_supply_risk(built_settings, tmp_path):
    scen = _write(tmp_path, "fta.yaml", "name: India-Chile CEPA\nlevers:\n  - type: fta\n    partner: CHL\n")
    res = criticality_scores(built_settings, "IND", 2024, draws=0, scenario=scen)
    f = _frame(res)
    assert (f["delta_supply_risk"] <= 1e-12).all()
    chile = [k for k, r in f.iterrows() if any(s["country"] == "CHL" for s in r["inputs"]["sourcing_top"])]
    assert chile, "India sources something from Chile in 2024"
    assert (f.loc[chile, "delta_supply_risk"] < 0).all()


def test_fta_share_shift_moves_only_the_named_mineral(built_settings, tmp_path):
    """Shifting 30 % of lithium sourcing to Chile changes lithium's SR and nothing else. (The sign
    depends on whether the shift concentrates sourcing: HHI-based SR can rise when the partner
    already has a large share.)"""
    scen = _write(
        tmp_path,
        "fta2.yaml",
        "levers:\n  - type: fta\n    partner: CHL\n    minerals: [lithium]\n    share_shift: 0.3\n    t_factor: 1.0\n",
    )
    res = criticality_scores(built_settings, "IND", 2024, draws=0, scenario=scen)
    f = _frame(res)
    lith = f.loc[("lithium", "processing")]
    assert lith["supply_risk"] != pytest.approx(lith["baseline_supply_risk"])
    others = f.drop(index=[("lithium", "processing")])
    assert (others["delta_supply_risk"].abs() < 1e-12).all()


def test_seeded_bands_reproduce(built_settings, baseline):
    again = criticality_scores(built_settings, "IND", 2024, draws=DRAWS, seed=1)
    a, b = _frame(baseline), _frame(again)
    assert np.allclose(a["supply_risk_p95"], b["supply_risk_p95"], equal_nan=True)


def test_geopolrisk_and_geodep_methods(built_settings):
    g = _frame(criticality_scores(built_settings, "IND", 2024, method="geopolrisk", draws=50))
    # import-based: a stage with no import data for the reporter has no score
    assert g["supply_risk"].dropna().between(0, 1).all() and g["supply_risk"].notna().sum() >= 25
    d = criticality_scores(built_settings, "IND", 2024, method="geodep")
    df = pd.DataFrame(d["records"])
    assert df["hs6"].is_unique and len(df) >= 25
    expect = (df["import_hhi"] > 0.4) & (df["export_hhi"] > 0.4) & (df["import_export_ratio"] > 1)
    assert (df["dependent"] == expect).all()


def test_inputs_override_and_end_use_ei(built_settings, tmp_path):
    csv = _write(
        tmp_path,
        "inputs.csv",
        "mineral,stage,parameter,value,low,high,key,source\n"
        "copper,,eol_rir,0.9,0.85,0.95,,test value\n"
        "lithium,,end_use_share,0.6,,,C27,test end use\n"
        "lithium,,end_use_share,0.4,,,C29,test end use\n"
        "*,,sector_value_added,50,,,C27,test VA\n"
        "*,,sector_value_added,100,,,C29,test VA\n",
    )
    res = _frame(criticality_scores(built_settings, "IND", 2024, draws=0, inputs=csv))
    base = _frame(criticality_scores(built_settings, "IND", 2024, draws=0))
    assert res.loc[("copper", "processing"), "supply_risk"] < base.loc[("copper", "processing"), "supply_risk"]
    assert res.loc[("copper", "processing"), "inputs"]["eol_rir"]["source"] == "test value"
    # EI = 10 * (0.6*0.5 + 0.4*1) * SI_EI (lithium: 0.91 in the EU 2023 table)
    si_ei = parameter_tables()["materials"].set_index("mineral").loc["lithium", "si_ei"]
    assert si_ei == pytest.approx(0.91)
    assert res.loc[("lithium", "processing"), "economic_importance"] == pytest.approx(10 * 0.7 * si_ei)


@pytest.mark.parametrize(
    "text, field",
    [
        ("mineral,parameter,value\ncopper,eol_rir,0.5\n", None),  # no source column
        ("mineral,parameter,value,source\ncopper,eol_rir,1.5,x\n", "value"),  # out of range
        ("mineral,parameter,value,source\ncopper,recycling,0.5,x\n", "parameter"),  # unknown parameter
        ("mineral,parameter,value,source\ncopper,eol_rir,abc,x\n", "value"),  # not a number
        ("mineral,parameter,value,source\ncopper,eol_rir,0.5,\n", "source"),  # no source
        ("mineral,parameter,value,source\ncopper,t,1.2,x\n", "key"),  # t needs a supplier
    ],
)
def test_bad_inputs_file(tmp_path, text, field):
    p = _write(tmp_path, "bad.csv", text)
    with pytest.raises(DataFormatError) as exc:
        read_overrides(p)
    assert exc.value.field == field
    assert "bad.csv" in str(exc.value)


def test_bad_inputs_encoding(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("mineral,parameter,value,source\ncopper,eol_rir,0.5,S\xe3o Paulo\n".encode("latin-1"))
    with pytest.raises(DataFormatError, match="UTF-8"):
        read_overrides(p)


@pytest.mark.parametrize(
    "text, match",
    [
        ("levers: []\n", "levers"),
        ("levers:\n  - type: embargo\n    supplier: CHN\n", "type"),
        ("levers:\n  - type: export_restriction\n    supplier: China\n", "ISO3"),
        ("levers:\n  - type: export_restriction\n    supplier: CHN\n    share_cut: 2\n", "share"),
        ("levers: [unclosed\n", "YAML"),
    ],
)
def test_bad_scenario_file(spec, tmp_path, text, match):
    p = _write(tmp_path, "s.yaml", text)
    with pytest.raises(DataFormatError, match=match):
        read_scenario(p, spec)


def test_unknown_mineral_and_reporter(built_settings, spec, tmp_path):
    p = _write(tmp_path, "s.yaml", "levers:\n  - type: fta\n    partner: CHL\n    minerals: [unobtainium]\n")
    with pytest.raises(UnknownCodeError, match="unobtainium"):
        read_scenario(p, spec)
    with pytest.raises(UnknownCodeError):
        criticality_scores(built_settings, "XYZ", 2024, draws=0)


@pytest.mark.parametrize("edition", ["eu2023", "eu2017"])
def test_parameter_tables_cite_sources(edition):
    t = parameter_tables(parameters=edition)
    assert (t["materials"]["source"].str.len() > 10).all()
    assert (t["trade_restrictions"]["source"].str.len() > 10).all()
    m = t["materials"]
    assert ((m["eol_rir_low"] <= m["eol_rir"]) & (m["eol_rir"] <= m["eol_rir_high"])).all()
    assert ((m["si_sr_low"] <= m["si_sr"]) & (m["si_sr"] <= m["si_sr_high"])).all()
    assert m[["eol_rir", "si_sr", "si_ei"]].apply(lambda c: c.between(0, 1)).all().all()
    assert not m.duplicated(["mineral", "stage"]).any()


def test_parameter_editions(built_settings):
    """eu2023 (default) and eu2017 differ where the EU's published parameters changed, e.g. cobalt's
    end-of-life recycling input rate (0 % in 2017, 22 % in 2023), which lowers its supply risk."""
    new = _frame(criticality_scores(built_settings, "IND", 2024, draws=0))
    old = _frame(criticality_scores(built_settings, "IND", 2024, draws=0, parameters="eu2017"))
    co_new, co_old = new.loc[("cobalt", "extraction")], old.loc[("cobalt", "extraction")]
    assert co_new["inputs"]["eol_rir"]["value"] == pytest.approx(0.22)
    assert co_old["inputs"]["eol_rir"]["value"] == pytest.approx(0.0)
    assert co_new["supply_risk"] < co_old["supply_risk"]
    assert "2023" in co_new["inputs"]["eol_rir"]["source"] and "2017" in co_old["inputs"]["eol_rir"]["source"]
    # arsenic and strontium have published parameters only in 2023
    assert new.loc[("strontium", "extraction"), "economic_importance"] == pytest.approx(6.5 * 1)
    assert pd.isna(old.loc[("strontium", "extraction"), "economic_importance"])
    with pytest.raises(ValueError, match="parameters must be one of"):
        parameter_tables(parameters="eu2020")


def test_cli_json_and_chart(built_settings, tmp_path):
    from critmin.cli import app

    chart = tmp_path / "matrix.html"
    r = CliRunner().invoke(
        app,
        [
            "criticality",
            "--reporter",
            "IND",
            "--year",
            "2024",
            "--draws",
            "50",
            "--seed",
            "3",
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
    out = json.loads(r.stdout[r.stdout.index("{") :])
    rec = out["records"][0]
    for key in (
        "supply_risk",
        "economic_importance",
        "critical",
        "supply_risk_p05",
        "supply_risk_p50",
        "supply_risk_p95",
        "economic_importance_p05",
        "inputs",
    ):
        assert key in rec
    html = chart.read_text(encoding="utf-8")
    assert "Supply risk" in html and len(html) > 100_000  # plotly.js inlined


def test_brief_section_renders(built_settings):
    from critmin.report.base import BriefContext
    from critmin.report.sections import criticality

    sec = criticality.build(BriefContext(settings=built_settings))
    assert sec is not None and sec.figures and "critical" in sec.html


def test_empty_year_and_bad_options(built_settings):
    from critmin.errors import EmptySelectionError

    with pytest.raises(EmptySelectionError, match="1990"):
        criticality_scores(built_settings, "IND", 1990, draws=0)
    with pytest.raises(ValueError, match="method"):
        criticality_scores(built_settings, "IND", 2024, method="hhi")
    with pytest.raises(ValueError, match="draws"):
        criticality_scores(built_settings, "IND", 2024, draws=-1)


def test_cli_rejects_unknown_method(built_settings):
    from critmin.cli import app

    r = CliRunner().invoke(app, ["criticality", "--method", "nope", "--home", str(built_settings.home)])
    assert r.exit_code != 0
    assert "unknown method 'nope'" in str(r.exception)  # the real entry point: tests/test_vocabulary.py
