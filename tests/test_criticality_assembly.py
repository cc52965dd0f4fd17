"""The pure rules that assemble a criticality spec (domain/criticality: governance, inputs, scenario, records)
and the readers of the criticality input files (sources/criticality_inputs), on hand-made and real frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from critmin.domain.criticality.controls import RESTRICTION_COLUMNS
from critmin.domain.criticality.governance import (
    calc_hhi_wgi_t,
    calc_wgi_scaled,
    calc_wgi_scaled_sd,
    governance_scores,
    impute_missing_governance,
)
from critmin.domain.criticality.inputs import (
    InputTables,
    TradeFactorRule,
    agreement_partners,
    assemble_spec,
    check_reporter,
    measures_in_force,
    production_by_stage,
    restrictions_in_force,
    select_product_codes,
)
from critmin.domain.criticality.records import score_records
from critmin.domain.criticality.scenario import export_control_acts, scenario_levers
from critmin.errors import DataFormatError, UnknownCodeError
from critmin.sources import criticality_inputs as ci

FACTORS = {
    "factors": {"export_ban": 1.1, "export_tax": 1.1, "licensing": 1.1},
    "home_market": 0.8,
    "agreement_multiplier": 0.8,
    "source": "test factors",
}


# -- governance ----------------------------------------------------------------------------------------
def test_wgi_rescaling_clipped_and_unclipped():
    x = [2.5, 0.0, -2.5, 1.0, 3.0, -2.7]
    assert calc_wgi_scaled(x).tolist() == pytest.approx([0.0, 5.0, 10.0, 3.0, 0.0, 10.0])
    assert calc_wgi_scaled(x, clip=False).tolist() == pytest.approx([0.0, 5.0, 10.0, 3.0, -1.0, 10.4])
    assert calc_wgi_scaled_sd([0.1, 0.25]).tolist() == pytest.approx([0.2, 0.5])


def test_weighted_hhi_by_hand_and_by_segments():
    s, g, t = np.array([0.5, 0.5, 0.2, 0.8]), np.array([2.0, 8.0, 4.0, 1.0]), np.array([1.0, 1.1, 1.0, 1.0])
    assert calc_hhi_wgi_t(s[:2], g[:2], t[:2]) == pytest.approx(0.25 * 2 + 0.25 * 8 * 1.1)
    assert calc_hhi_wgi_t(s[:2], 1.0) == pytest.approx(0.5)  # plain HHI
    seg = calc_hhi_wgi_t(s, g, t, segments=[0, 2])
    assert seg.tolist() == pytest.approx([0.25 * 2 + 0.25 * 8 * 1.1, 0.04 * 4 + 0.64 * 1])
    assert calc_hhi_wgi_t([np.nan, 1.0], [5.0, 5.0]) == pytest.approx(5.0)  # NaN share counts as 0


def _gov_rows(iso3, estimates, se=0.2):
    return [
        {"iso3": iso3, "indicator": k, "estimate": e, "std_error": se}
        for k, e in zip(["va", "pv", "ge", "rq", "rl", "cc"], estimates)
    ]


def test_governance_scores_eu_and_geopolrisk():
    g = pd.DataFrame(_gov_rows("AAA", [1.0] * 6) + _gov_rows("BBB", [-1.0, -2.0, -1.0, -1.0, -1.0, -1.0]))
    eu = governance_scores(g, "eu").set_index("country")
    assert eu.loc["AAA", "score"] == pytest.approx(3.0)  # (1 - 2.5) / -0.5
    assert eu.loc["BBB", "raw"] == pytest.approx(-7 / 6)
    assert eu.loc["BBB", "score"] == pytest.approx((-7 / 6 - 2.5) / -0.5)
    assert eu.loc["AAA", "score_sd"] == pytest.approx(math.sqrt(6 * 0.04) / 6 / 0.5)
    gp = governance_scores(g, "geopolrisk").set_index("country")
    assert gp.loc["BBB", "score"] == pytest.approx((2.5 + 2.0) / 5)
    assert gp.loc["AAA", "score_sd"] == pytest.approx(0.2 / 5)


def test_governance_scores_of_the_real_table_match_the_rescaling(warehouse):
    g = warehouse.read("governance")
    g = g[g["year"] == g["year"].max()]
    eu = governance_scores(g, "eu").set_index("country")
    ind = g[g["iso3"] == "IND"]["estimate"].mean()
    assert eu.loc["IND", "score"] == pytest.approx(5 - 2 * ind)
    assert eu["score"].between(0, 10).all() and len(eu) > 150


def test_missing_governance_gets_the_median():
    gov = pd.DataFrame({"country": ["A", "B", "C"], "score": [1.0, 2.0, 6.0], "score_sd": [0.1, 0.3, 0.2], "raw": 0.0})
    out, missing = impute_missing_governance(gov, {"A", "Z"})
    assert missing == ["Z"]
    z = out.set_index("country").loc["Z"]
    assert (z["score"], z["score_sd"]) == (2.0, 0.3) and np.isnan(z["raw"])
    assert impute_missing_governance(gov, {"A"})[1] == []


# -- t_c, restrictions, agreements --------------------------------------------------------------------
def _restr(rows):
    return pd.DataFrame(rows).reindex(columns=RESTRICTION_COLUMNS).fillna({"targets": "", "stage": ""})


def test_trade_factor_rule():
    r = _restr(
        [
            {"country": "CHN", "targets": "", "t": 1.1},
            {"country": "USA", "targets": "IND;JPN", "t": 1.1},
            {"country": "KOR", "targets": "JPN", "t": 1.1},
        ]
    )
    rule = TradeFactorRule.of_item(
        r,
        members=frozenset({"IND"}),
        overrides={"AUS": (1.3, "user")},
        home_market=0.8,
        partners=frozenset({"CHL", "AUS"}),
        agreement_multiplier=0.8,
    )
    assert rule.t("CHN", sourcing=False) == rule.t("CHN", sourcing=True) == 1.1
    assert rule.t("USA", sourcing=False) == 1.0 and rule.t("USA", sourcing=True) == 1.1  # targets the reporter
    assert rule.t("KOR", sourcing=True) == 1.0  # targets someone else
    assert rule.t("IND", sourcing=True) == 0.8  # home market
    assert rule.t("CHL", sourcing=True) == pytest.approx(0.8) and rule.t("CHL", sourcing=False) == 1.0
    assert rule.t("AUS", sourcing=True) == pytest.approx(1.3 * 0.8) and rule.t("AUS", sourcing=False) == 1.3


def test_measures_in_force_by_year_and_unknown_measure():
    r = pd.DataFrame(
        {
            "country": ["IDN", "ZAF"],
            "mineral": ["nickel", "chromium"],
            "stage": ["extraction", ""],
            "measure": ["export_ban", "export_tax"],
            "date_from": ["2020-01-01", "2014-06-01"],
            "date_to": ["", "2019-12-31"],
            "targets": ["", ""],
            "source": ["a", "b"],
        }
    )
    assert measures_in_force(r, 2024, FACTORS)["country"].tolist() == ["IDN"]
    assert measures_in_force(r, 2019, FACTORS)["country"].tolist() == ["ZAF"]
    assert measures_in_force(r, 2021, FACTORS)["t"].tolist() == [1.1]
    with pytest.raises(DataFormatError, match="unknown measure"):
        measures_in_force(r.assign(measure="quota"), 2024, FACTORS)
    acts = _restr([{"country": "CHN", "mineral": "gallium", "measure": "licensing", "t": 1.1, "event_id": "E1"}])
    both = restrictions_in_force(r, acts, 2024, FACTORS)
    assert sorted(both["country"]) == ["CHN", "IDN"] and list(both.columns) == RESTRICTION_COLUMNS
    assert restrictions_in_force(r, acts.iloc[0:0], 2010, FACTORS).empty


def test_agreement_partners_in_force_by_year():
    a = pd.DataFrame(
        {
            "rta_id": [1, 2, 3],
            "status": ["In Force", "In Force", "Early announcement"],
            "eif_goods": ["2011-08-01", "2030-01-01", ""],
        }
    )
    m = pd.DataFrame({"rta_id": [1, 1, 2, 2, 3, 3], "iso3": ["IND", "JPN", "IND", "PER", "IND", "NZL"]})
    assert agreement_partners(a, m, frozenset({"IND"}), 2024) == {"JPN"}
    assert agreement_partners(a, m, frozenset({"IND"}), 2031) == {"JPN", "PER"}


def test_check_reporter():
    trade = pd.DataFrame({"exporter": ["CHN"], "importer": ["IND"]})
    gov = pd.DataFrame({"country": ["USA"]})
    for ok in ("IND", "CHN", "USA", "EU27"):
        check_reporter(ok, trade, gov, ["EU27"])
    for bad in ("ind", "INDIA", "ZZZ"):
        with pytest.raises(UnknownCodeError):
            check_reporter(bad, trade, gov, ["EU27"])


# -- mapping tables -----------------------------------------------------------------------------------
def test_product_codes_keep_products_and_baskets_only_as_a_last_resort():
    p = pd.DataFrame(
        {
            "hs6": ["260300", "740311", "850511", "850511", "280429", "811292", "811299"],
            "mineral": ["copper", "copper", "copper", "magnets", "helium", "gallium", "gallium"],
            "stage": ["ore", "refined", "product", "product", "refined", "refined", "refined"],
            "basket": [False, False, False, False, True, False, True],
        }
    )
    out = select_product_codes(p, "test")
    got = set(zip(out["hs6"], out["mineral"], out["chain_stage"]))
    assert got == {
        ("260300", "copper", "extraction"),
        ("740311", "copper", "processing"),
        ("850511", "magnets", "processing"),
        ("280429", "helium", "processing"),
        ("811292", "gallium", "processing"),
    }
    assert (out["mapping_source"] == "test").all()


def test_production_by_stage_rules():
    p = pd.DataFrame(
        {
            "mineral": ["bauxite", "bauxite", "bauxite", "helium", "copper", "copper"],
            "stage": ["mine", "mine", "mine", "production", "mine", "smelter"],
            "iso3": ["AUS", "AUS", "WLD", "USA", "CHL", "CHN"],
            "year": [2023, 2024, 2024, 2024, 2024, 2024],
            "value": [100.0, 110.0, 400.0, 5.0, 5000.0, -1.0],
            "unit": ["t"] * 6,
            "statistics_detail": ["", "", "", "", "rounded", ""],
        }
    )
    out = production_by_stage(p, 2024)
    assert set(zip(out["mineral"], out["chain_stage"], out["iso3"], out["tonnes"])) == {
        ("aluminium", "extraction", "AUS", 110.0),
        ("helium", "processing", "USA", 5.0),
    }
    assert production_by_stage(p, 2023)["tonnes"].tolist() == [100.0]


# -- the assembly on hand-made frames -----------------------------------------------------------------
def _tables(**kw) -> InputTables:
    trade = pd.DataFrame(
        {
            "exporter": ["CHN", "PER", "CHN", "IND", "CHN"],
            "importer": ["IND", "IND", "USA", "USA", "JPN"],
            "hs6": ["260300"] * 5,
            "value_usd": [300.0, 100.0, 50.0, 10.0, 40.0],
            "qty_t": [30.0, 10.0, 5.0, 1.0, 4.0],
            "mineral": ["copper"] * 5,
            "chain_stage": ["extraction"] * 5,
        }
    )
    prod = pd.DataFrame(
        {
            "mineral": ["copper"] * 3,
            "chain_stage": ["extraction"] * 3,
            "iso3": ["CHL", "PER", "IND"],
            "tonnes": [60.0, 30.0, 10.0],
            "year": [2024] * 3,
            "unit": ["t"] * 3,
        }
    )
    gov = pd.DataFrame({"country": ["CHN", "PER", "IND"], "score": [6.0, 4.0, 5.0], "score_sd": [0.1, 0.2, 0.1]})
    base = dict(
        reporter="IND",
        members=frozenset({"IND"}),
        year=2024,
        trade=trade,
        basket_codes=frozenset(),
        production=prod,
        governance=gov,
        governance_year=2023,
        restrictions=_restr([{"country": "CHN", "mineral": "copper", "measure": "export_ban", "t": 1.1}]),
        materials=pd.DataFrame(columns=["mineral", "stage"]),
        overrides=ci.empty_overrides(),
        factors=FACTORS,
        flow_rule={"default": ["baci_hs6"]},
    )
    base.update(kw)
    return InputTables(**base)


def test_assemble_spec_by_hand():
    spec, prov = assemble_spec(_tables(), method="eu")
    it = spec.items.iloc[0]
    # IR = (M - X) / (P + M - X) with P = 10 (IND), M = 40, X = 1
    assert it["import_reliance"] == pytest.approx(39 / 49)
    assert it["domestic_fraction"] == pytest.approx(10 / 50)
    src = spec.sourcing.set_index("country")
    assert src.loc["CHN", "share"] == pytest.approx(0.75 * 0.8) and src.loc["PER", "share"] == pytest.approx(0.25 * 0.8)
    assert src.loc["IND", "share"] == pytest.approx(0.2)
    assert (src.loc["CHN", "t"], src.loc["PER", "t"], src.loc["IND", "t"]) == (1.1, 1.0, 0.8)
    gs = spec.global_supply.set_index("country")
    assert gs["share"].to_dict() == pytest.approx({"CHL": 0.6, "PER": 0.3, "IND": 0.1})
    # CHL has no WGI: median score of the table, flagged in the provenance
    assert spec.governance.set_index("country").loc["CHL", "score"] == 5.0
    info = prov[("copper", "extraction")]
    assert info["governance"]["imputed_median_for"] == ["CHL"]
    assert info["trade_restrictions"][0]["country"] == "CHN" and info["t_rules"]["home_market"] == 0.8
    assert info["import_reliance"]["imports_t"] == 40.0
    gp, _ = assemble_spec(_tables(), method="geopolrisk")
    assert set(gp.sourcing["t"]) == {1.0} and gp.sourcing["share"].sum() == pytest.approx(1.0)


def test_assemble_spec_agreements_and_overrides():
    ov = pd.DataFrame(
        [
            ["copper", "", "eol_rir", "0.3", "0.2", "", "", "a study"],
            ["copper", "", "t", "1.5", "", "", "PER", "a deal"],
        ],
        columns=ci.OVERRIDE_COLUMNS,
    )
    spec, prov = assemble_spec(_tables(overrides=ov, agreements=True, agreement_partners=frozenset({"PER"})))
    it = spec.items.iloc[0]
    assert (it["eol_rir"], it["eol_rir_low"], it["eol_rir_high"]) == (0.3, 0.2, 0.3)
    src = spec.sourcing.set_index("country")
    assert src.loc["PER", "t"] == pytest.approx(1.5 * 0.8)
    assert spec.global_supply.set_index("country").loc["PER", "t"] == 1.5
    assert prov[("copper", "extraction")]["agreement_partners"] == ["PER"]


# -- scenario levers and records ----------------------------------------------------------------------
def test_scenario_levers_and_acts():
    items = pd.DataFrame(
        {"material": ["copper", "copper", "lithium"], "stage": ["extraction", "processing", "processing"]}
    )
    doc = {
        "levers": [
            {"type": "export_restriction", "supplier": "CHN", "minerals": "copper", "stages": "processing"},
            {"type": "fta", "partner": "PER", "share_shift": 0.1},
            {"type": "export_control", "act": "CN-2025-18", "action": "lift"},
        ]
    }
    lv = scenario_levers(doc, items, FACTORS, "s.yaml")
    assert [(x.kind, x.country, x.items, x.t_factor) for x in lv] == [
        ("export_restriction", "CHN", (1,), 1.1),
        ("fta", "PER", (0, 1, 2), 0.8),
    ]
    assert export_control_acts(doc, "s.yaml") == ((), ("CN-2025-18",))
    with pytest.raises(UnknownCodeError):
        scenario_levers({"levers": [{"type": "fta", "partner": "PER", "minerals": "gold"}]}, items, FACTORS, "s")
    with pytest.raises(DataFormatError, match="stages"):
        scenario_levers({"levers": [{"type": "fta", "partner": "PER", "stages": "mine"}]}, items, FACTORS, "s")
    with pytest.raises(DataFormatError, match="ISO3"):
        scenario_levers({"levers": [{"type": "fta", "partner": "Peru"}]}, items, FACTORS, "s")
    with pytest.raises(DataFormatError, match="action"):
        export_control_acts({"levers": [{"type": "export_control", "act": "X", "action": "pause"}]}, "s")


def test_score_records_flag_critical_with_each_ei():
    frame = pd.DataFrame({"material": ["a", "b"], "stage": ["processing"] * 2, "supply_risk": [1.5, np.nan]})
    prov = {
        ("a", "processing"): {"economic_importance_eu": {"value": 3.0}, "economic_importance_india": {"value": 2.0}},
        ("b", "processing"): {"economic_importance_eu": {"value": 5.0}, "economic_importance_india": None},
    }
    a, b = score_records(frame, prov, method="eu")
    assert (a["critical_eu_ei"], a["critical_india_ei"]) == (True, False)
    assert (b["critical_eu_ei"], b["critical_india_ei"], b["economic_importance_india"]) == (None, None, None)
    assert "critical_eu_ei" not in score_records(frame, prov, method="geopolrisk")[0]


# -- the readers on the real files and on broken copies -------------------------------------------------
def test_packaged_files_read():
    mats = ci.read_materials("eu2023")
    assert mats["eol_rir"].dtype.kind == "f" and {"copper", "lithium"} <= set(mats["mineral"])
    assert ci.read_materials("eu2017")["si_sr"].between(0, 1).all()
    with pytest.raises(ValueError, match="eu2023"):
        ci.read_materials("eu2020")
    assert {"factors", "home_market", "agreement_multiplier"} <= set(ci.trade_factors())
    assert {"default"} <= set(ci.read_flow_rule_doc())
    assert {"event_id", "suspends"} <= set(ci.read_export_control_scope().columns)


HEADER = "mineral,stage,parameter,value,low,high,key,source\n"


@pytest.mark.parametrize(
    "body, match",
    [
        ("", "readable"),  # empty file
        ("mineral,parameter,value\ncopper,eol_rir,0.2\n", "missing column"),
        (HEADER + "copper,,eol_rir,1.2,,,,x\n", r"\[0, 1\]"),
        (HEADER + "copper,,eol_rir,abc,,,,x\n", "expected a number"),
        (HEADER + "copper,,eol_rir,nan,,,,x\n", r"\[0, 1\]"),
        (HEADER + "copper,,t,-1,,,CHN,x\n", ">= 0"),
        (HEADER + "copper,,wgi,1,,,,x\n", "unknown parameter"),
        (HEADER + "copper,mine,eol_rir,0.1,,,,x\n", "stage"),
        (HEADER + "copper,,t,1.1,,,,x\n", "needs a key"),
        (HEADER + "copper,,eol_rir,0.1,,,,\n", "source"),
        (HEADER + 'copper,,eol_rir,"0.1\n', "readable"),  # truncated inside a quoted field
    ],
)
def test_broken_override_files(tmp_path, body, match):
    p = tmp_path / "inputs.csv"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(DataFormatError, match=match):
        ci.read_overrides(p)


def test_override_file_reads(tmp_path):
    p = tmp_path / "inputs.csv"
    p.write_text(HEADER + "copper,extraction,eol_rir,0.2,0.1,0.3,,a study\n", encoding="utf-8")
    ov = ci.read_overrides(p)
    assert list(ov.columns) == ci.OVERRIDE_COLUMNS and ov.loc[0, "value"] == "0.2"
    with pytest.raises(DataFormatError, match="not found"):
        ci.read_overrides(tmp_path / "none.csv")


@pytest.mark.parametrize(
    "text, match",
    [
        ("levers: [", "YAML"),
        ("- a\n- b\n", "levers"),
        ("levers: []\n", "levers"),
        ("levers:\n  - 3\n", "mapping"),
        ("levers:\n  - {type: tariff}\n", "type must be"),
    ],
)
def test_broken_scenario_files(tmp_path, text, match):
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataFormatError, match=match):
        ci.read_scenario_doc(p)


def test_broken_flow_rule_file(tmp_path):
    from critmin.services.criticality_flows import flow_rule

    p = tmp_path / "rule.yaml"
    p.write_bytes(b"default: [baci_hs6\n")
    with pytest.raises(DataFormatError, match="YAML"):
        ci.read_flow_rule_doc(p)
    p.write_text("default: [comtrade]\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="sources must be"):
        flow_rule(p)
