"""Per-mineral overview (the brief's core table) checked against the raw files."""

from __future__ import annotations

import csv

import pytest

from critmin.services.overview import copper_ore_imports, mineral_overview


@pytest.fixture(scope="module")
def overview(built_settings):
    return mineral_overview(built_settings, "IND", "PER", year=2024)


def _raw_copper_mine_2024(mirror):
    with open(mirror / "usgs" / "MCS2026_Commodities_Data.csv", encoding="cp1252", newline="") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["MCS chapter"] == "COPPER" and r["Statistics_detail"] == "Mine production"
                and r["Year"] == "2024" and r["Country"] not in ("Other countries",)]
    vals = {r["Country"]: float(r["Value"].replace(",", "")) for r in rows
            if r["Value"].replace(",", "").replace(".", "").isdigit()}
    world = next(float(r["Value"].replace(",", "")) for r in csv.DictReader(
        open(mirror / "usgs" / "MCS2026_Commodities_Data.csv", encoding="cp1252", newline=""))
        if r["MCS chapter"] == "COPPER" and r["Statistics_detail"] == "Mine production: rounded"
        and r["Year"] == "2024" and r["Country"] == "World total")
    return vals, world


def test_peru_rank_and_share_in_copper_match_usgs(overview, mirror):
    vals, world = _raw_copper_mine_2024(mirror)
    ranking = sorted(vals, key=vals.get, reverse=True)
    copper = overview[(overview["mineral"] == "copper") & (overview["stage"] == "refined")].iloc[0]
    assert copper["partner_production_rank"] == ranking.index("Peru") + 1 == 3
    assert copper["partner_production_share"] == pytest.approx(vals["Peru"] / world, rel=1e-9)


def test_india_import_values_match_raw_baci(overview, mirror):
    # India (699) imports of refined copper cathodes 740311, summed from the raw file
    total = 0.0
    with open(mirror / "baci" / "BACI_HS17_Y2024_V202601_critical31.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["j"] == "699" and r["k"] == "740311":
                total += float(r["v"]) * 1000
    copper = overview[overview["mineral"] == "copper"].iloc[0]
    assert copper["imports_usd"] == pytest.approx(total, rel=1e-12)


def test_every_row_is_consistent(overview):
    assert overview["hhi"].between(0, 1).all()
    assert (overview["top3_share"] >= overview["top_supplier_share"] - 1e-12).all()
    assert (overview["hhi"] >= overview["top_supplier_share"] ** 2 - 1e-12).all()
    # one row per HS6 set: magnets and rare earths share 850511 and appear once
    assert not overview.duplicated(subset=["hs6", "stage"]).any()


def test_copper_ore_from_tradestat(built_settings, mirror):
    ore = copper_ore_imports(built_settings, "IND", "PER")
    with open(mirror / "tradestat" / "india_imports_hs2603_by_partner_cy2024_cy2025.csv", newline="") as fh:
        raw = {r["partner_country_tradestat"]: float(r["cy2025_usd_mn"]) for r in csv.DictReader(fh)}
    assert ore["total_usd"]["CY2025"] == pytest.approx(raw["TOTAL"] * 1e6)
    peru = [r for r in ore["partner"] if r["period"] == "CY2025"][0]
    assert peru["value_usd"] == pytest.approx(raw["PERU"] * 1e6)
