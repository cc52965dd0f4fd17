"""Criticality sourcing from the ore and heading-level trade tables (TradeStat imports, BACI HS4 top flows)."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.services.criticality import criticality_scores
from critmin.services.criticality_flows import StageFlows, classify_headings, flow_rule, flow_sources, pick_flows


@pytest.fixture(scope="module")
def scores(built_settings):
    return criticality_scores(built_settings, "IND", 2024, draws=0)


def _record(res, mineral, stage):
    hits = [r for r in res["records"] if r["material"] == mineral and r["stage"] == stage]
    assert hits, f"no record for {mineral} {stage}"
    return hits[0]


def test_headings_are_classified_by_what_the_code_is(warehouse):
    heads = classify_headings(
        ["2603", "2605", "7108", "2846", "28252000", "28369100", "8105", "7202", "2601"],
        warehouse.read("products"),
        warehouse.read("hs_codes"),
    ).set_index("code")
    assert tuple(heads.loc["2603", ["mineral", "chain_stage"]]) == ("copper", "extraction")
    assert tuple(heads.loc["2605", ["mineral", "chain_stage"]]) == ("cobalt", "extraction")
    # gold bullion and lithium compounds are refined products, not ores
    assert tuple(heads.loc["7108", ["mineral", "chain_stage"]]) == ("gold", "processing")
    assert heads.loc["7108", "other_hs6"] == "710820"  # monetary gold is in the heading, not in the products table
    assert tuple(heads.loc["28369100", ["mineral", "chain_stage"]]) == ("lithium", "processing")
    assert tuple(heads.loc["28252000", ["mineral", "chain_stage"]]) == ("lithium", "processing")
    assert tuple(heads.loc["2846", ["mineral", "chain_stage"]]) == ("rare_earths", "processing")
    assert tuple(heads.loc["8105", ["mineral", "chain_stage"]]) == ("cobalt", "processing")
    # ferro-alloys hold vanadium, niobium and nickel lines: one heading, several minerals -> not used
    assert "7202" not in heads.index
    assert "2601" not in heads.index  # no listed HS6 (iron ore is not in the products table)


def _flows(source, imports, qty=None, world=None):
    imp = pd.DataFrame(
        {
            "exporter": list(imports),
            "value_usd": list(imports.values()),
            "qty_t": qty if qty is not None else [float("nan")] * len(imports),
        }
    )
    w = pd.DataFrame({"exporter": list((world or {}).keys()), "value_usd": list((world or {}).values())})
    return StageFlows(
        source=source,
        codes=["x"],
        imports=imp,
        exports=pd.DataFrame({"qty_t": []}),
        world=w,
        label=source,
        period="CY2024",
        basis="test",
    )


def test_rule_orders_sources_and_fills_gaps_from_later_ones():
    assert flow_sources("copper", "extraction") == ("baci_hs6", "tradestat", "baci_hs4")
    rule = {"default": ["baci_hs6", "tradestat", "baci_hs4"], "items": {"copper/extraction": ["baci_hs4", "tradestat"]}}
    assert flow_sources("copper", "extraction", rule) == ("baci_hs4", "tradestat")
    assert flow_sources("gold", "processing", rule) == ("baci_hs6", "tradestat", "baci_hs4")
    ts = _flows("tradestat", {"CHL": 5.0, "IDN": 3.0})
    hs4 = _flows("baci_hs4", {"CHL": 4.0}, qty=[10.0], world={"CHL": 9.0})
    empty = _flows("baci_hs6", {})
    got = pick_flows("copper", "extraction", {"baci_hs6": empty, "tradestat": ts, "baci_hs4": hs4})
    assert got["sourcing"] is ts  # the first source with imports
    assert got["quantities"] is hs4  # tonnes from the next source that has them
    assert got["world"] is hs4
    got = pick_flows("copper", "extraction", {"tradestat": ts, "baci_hs4": hs4}, rule)
    assert got["sourcing"] is hs4


def test_the_rule_file_is_checked(tmp_path):
    assert set(flow_rule()["default"]) == {"baci_hs6", "tradestat", "baci_hs4"}
    bad = tmp_path / "rule.yaml"
    for text, match in [
        ("default: [comtrade]\n", "sources must be"),
        ("default: []\n", "sources must be"),
        ("- baci_hs6\n", "expected a mapping"),
        ("default: [baci_hs6]\nitems: {copper/extraction: tradestat}\n", "copper/extraction"),
    ]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(DataFormatError, match=match):
            flow_rule(bad)


def test_copper_extraction_sourcing_and_import_reliance_from_ore_trade(scores, warehouse):
    """India's copper-ore imports (HS 2603) give the extraction stage its sourcing and IR."""
    rec = _record(scores, "copper", "extraction")
    inp = rec["inputs"]
    assert rec["hhi_sourcing"] is not None and rec["hhi_sourcing"] > 0
    assert inp["sourcing"]["source"] == "tradestat" and inp["sourcing"]["period"] == "CY2024"
    assert inp["sourcing"]["table_codes"] == ["2603"]
    assert "TradeStat" in inp["sourcing_source"] and "2603" in inp["sourcing_source"]
    # sourcing shares are TradeStat's partner shares, scaled by the imported fraction
    ts = warehouse.read("tradestat_imports")
    ts = ts[(ts["hs_code"] == "2603") & (ts["period"] == "CY2024") & (ts["partner_iso3"] != "WLD")]
    ir = inp["import_reliance"]
    dom_frac = ir["production_t"] / (ir["production_t"] + ir["imports_t"])
    chile = float(ts.loc[ts["partner_iso3"] == "CHL", "value_usd"].sum() / ts["value_usd"].sum())
    top = {d["country"]: d["share"] for d in inp["sourcing_top"]}
    assert top["CHL"] == pytest.approx(chile * (1 - dom_frac), abs=1e-4)
    assert top["IND"] == pytest.approx(dom_frac, abs=1e-4)
    # IR from BACI HS4 tonnes of concentrate in copper content, against USGS mine production (copper content)
    f = warehouse.read("hs4_top_flows")
    f = f[(f["hs4"] == "2603") & (f["year"] == 2024)]
    m = f.loc[(f["importer"] == "IND") & (f["exporter"] != "IND"), "qty_t"].sum() * 0.27
    x = f.loc[(f["exporter"] == "IND") & (f["importer"] != "IND"), "qty_t"].sum() * 0.27
    p = 27_000.0  # USGS MCS 2026: India's copper mine production 2024, 27 kt copper content
    assert ir["production_t"] == pytest.approx(p)
    assert ir["value"] == pytest.approx((m - x) / (p + m - x))
    assert 0.9 < ir["value"] < 0.95
    assert "hs4_top_flows" in ir["source"] and "0.27" in ir["source"]


def test_gold_bullion_is_processing_and_other_reporters_use_hs4(scores, built_settings):
    gold = _record(scores, "gold", "processing")
    assert gold["inputs"]["sourcing"]["table_codes"] == ["7108"]
    assert gold["inputs"]["sourcing"]["other_hs6_in_heading"] == ["710820"]
    assert "7108" not in str(_record(scores, "gold", "extraction")["inputs"].get("sourcing_source"))
    eu = criticality_scores(built_settings, "EU27", 2024, draws=0)
    cu = _record(eu, "copper", "extraction")["inputs"]
    assert cu["sourcing"]["source"] == "baci_hs4"  # TradeStat is India's own statistics only
    assert "top-200" in cu["sourcing"]["basis"] and "% of world trade" in cu["sourcing"]["basis"]


def test_ore_sources_only_fill_items_without_baci_hs6(scores):
    # lithium compounds are in BACI HS6, so TradeStat's LiOH/Li2CO3 lines are not used for them
    li = _record(scores, "lithium", "processing")["inputs"]
    assert li["sourcing"]["source"] == "baci_hs6"
    for r in scores["records"]:
        if r["inputs"].get("sourcing"):
            assert r["inputs"]["sourcing"]["period"] == "CY2024"


def test_titanium_metal_is_its_own_material(scores, built_settings):
    """Titanium sponge (HS 810820, USGS sponge production) is scored as titanium metal with the EU 2023
    study's own parameters for it; titanium ore (ilmenite, rutile) keeps the ore's."""
    metal = _record(scores, "titanium_metal", "processing")
    inp = metal["inputs"]
    assert inp["eu_material"] == "Titanium metal"
    assert metal["economic_importance"] == pytest.approx(6.3)  # published EI 2023, SI_EI 1.00
    assert inp["si_sr"]["value"] == pytest.approx(1.0) and inp["eol_rir"]["value"] == pytest.approx(0.01)
    assert inp["hs6"] == ["810820"]
    assert {r["stage"] for r in scores["records"] if r["material"] == "titanium"} == {"extraction"}
    ore = _record(scores, "titanium", "extraction")
    assert ore["inputs"]["eu_material"] == "Titanium" and ore["economic_importance"] == pytest.approx(5.4)
    # the shares differ: ore from mineral-concentrate mines, metal from sponge plants
    ore_top = ore["inputs"]["global_supply_top"][0]["country"]
    assert metal["inputs"]["global_supply_top"][0]["country"] == "CHN"
    assert metal["inputs"]["global_supply_top"][0]["share"] > 0.5 > ore["inputs"]["global_supply_top"][0]["share"]
    assert ore_top in {"CHN", "MOZ", "ZAF", "AUS"}
    # the EU 2017 study did not assess titanium metal: left unscored, never given the ore's values
    old = criticality_scores(built_settings, "IND", 2024, draws=0, parameters="eu2017")
    m17 = _record(old, "titanium_metal", "processing")
    assert m17["economic_importance"] is None or pd.isna(m17["economic_importance"])
    assert m17["critical"] is None and m17["inputs"]["eu_material"] is None
