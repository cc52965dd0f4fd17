"""Per-mineral overview (the brief's core table) checked against the raw files."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest

from _overview_reference import reference_overview

from critmin.engine import connect
from critmin.errors import CritminError, EmptySelectionError, UnknownCodeError
from critmin.services.dependence_table import dependence_table, mineral_stage_selections, partner_production_table
from critmin.services.explorer import dependence, production
from critmin.services.overview import copper_ore_imports, mineral_overview


@pytest.fixture(scope="module")
def overview(built_settings):
    return mineral_overview(built_settings, "IND", "PER", year=2024)


def _raw_copper_mine_2024(mirror):
    with open(mirror / "usgs" / "MCS2026_Commodities_Data.csv", encoding="cp1252", newline="") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["MCS chapter"] == "COPPER"
            and r["Statistics_detail"] == "Mine production"
            and r["Year"] == "2024"
            and r["Country"] not in ("Other countries",)
        ]
    vals = {
        r["Country"]: float(r["Value"].replace(",", ""))
        for r in rows
        if r["Value"].replace(",", "").replace(".", "").isdigit()
    }
    world = next(
        float(r["Value"].replace(",", ""))
        for r in csv.DictReader(open(mirror / "usgs" / "MCS2026_Commodities_Data.csv", encoding="cp1252", newline=""))
        if r["MCS chapter"] == "COPPER"
        and r["Statistics_detail"] == "Mine production: rounded"
        and r["Year"] == "2024"
        and r["Country"] == "World total"
    )
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


# --------------------------------------------------------------------------- batched dependence table
PAIRS = [tuple(p) for p in mineral_stage_selections()[["mineral", "stage"]].drop_duplicates().itertuples(index=False)]


@pytest.fixture(scope="module")
def ibis_con(warehouse):
    return connect(warehouse, tables=["trade_flows", "governance"])


@pytest.fixture(scope="module")
def per_pair(built_settings, ibis_con):
    """``dependence()`` of India for every (mineral, stage) pair, one call per pair (``None``: no imports)."""
    out = {}
    for mineral, stage in PAIRS:
        try:
            out[mineral, stage] = dependence(
                built_settings, "IND", mineral=mineral, stage=stage, year=2024, con=ibis_con
            )
        except EmptySelectionError:
            out[mineral, stage] = None
    return out


@pytest.fixture(scope="module")
def table(built_settings):
    return dependence_table(built_settings, "IND", year=2024, partner="PER")


def _same(a, b):
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None or pd.isna(a)
    return a == pytest.approx(b, rel=1e-9, abs=1e-12)


def _assert_row_matches(row, dep, partner: str, key) -> None:
    assert row["hs6"] == ", ".join(dep["products"]["hs6"]), key
    for col in (
        "imports_usd",
        "exports_usd",
        "imports_t",
        "exports_t",
        "hhi",
        "top3_share",
        "china_share",
        "wgi_weighted_hhi",
        "wgi_coverage",
        "net_import_reliance",
    ):
        assert _same(row[col], dep[col]), (key, col, row[col], dep[col])
    assert row["n_suppliers"] == dep["n_suppliers"] and row["wgi_year"] == dep["wgi_year"], key
    assert row["net_import_reliance_note"] == dep["net_import_reliance_note"], key
    detail = dep["net_import_reliance_detail"]
    if detail is not None:
        for col in ("imports_metal_t", "exports_metal_t", "production_t"):
            assert _same(row[col], detail[col]), (key, col)
    top = dep["suppliers"][0]
    assert (row["top_supplier"], row["top_supplier_share"]) == (top["partner"], pytest.approx(top["share"])), key
    hit = [s for s in dep["suppliers"] if s["partner"] == partner]
    assert _same(row["partner_share"], hit[0]["share"] if hit else 0.0), key
    assert _same(row["partner_value_usd"], hit[0]["value_usd"] if hit else 0.0), key
    assert pd.isna(row["partner_rank"]) if not hit else row["partner_rank"] == hit[0]["rank"], key


def test_batched_table_equals_dependence_for_every_pair(table, per_pair):
    got = table.set_index(["mineral", "stage"])
    with_imports = {k for k, v in per_pair.items() if v is not None}
    assert set(got.index) == with_imports
    assert len(with_imports) > 25
    for key in sorted(with_imports):
        _assert_row_matches(got.loc[key], per_pair[key], "PER", key)
    # the table exercises both kinds of pair: net import reliance computed (copper) and not (a note)
    assert got.loc[("copper", "refined"), "net_import_reliance"] == pytest.approx(
        per_pair["copper", "refined"]["net_import_reliance"], rel=1e-9
    )
    assert got["net_import_reliance_note"].notna().sum() > 20


@pytest.mark.parametrize("reporter", ["JPN", "ITA", "BEL", "CHN"])
def test_batched_table_equals_dependence_for_other_reporters(built_settings, ibis_con, reporter):
    # JPN: net exporter of refined copper (negative NIR); ITA: not a USGS refinery producer (P = 0, NIR = 1);
    # BEL: exports exceed imports with no production (NIR undefined, no note)
    t = dependence_table(built_settings, reporter, year=2024, partner="CHL").set_index(["mineral", "stage"])
    for key in [
        ("copper", "refined"),
        ("lithium", "refined"),
        ("nickel", "refined"),
        ("cobalt", "intermediate"),
        ("aluminium", "ore"),
        ("magnets", "product"),
    ]:
        try:
            dep = dependence(built_settings, reporter, mineral=key[0], stage=key[1], year=2024, con=ibis_con)
        except EmptySelectionError:
            assert key not in t.index
            continue
        _assert_row_matches(t.loc[key], dep, "CHL", (reporter, *key))


def test_partner_share_and_rank_where_the_partner_supplies(built_settings):
    # Chile supplies India's refined copper; the batched table gives its share and rank as dependence() does
    t = dependence_table(built_settings, "IND", year=2024, partner="Chile").set_index(["mineral", "stage"])
    dep = dependence(built_settings, "IND", mineral="copper", stage="refined", year=2024)
    chl = next(s for s in dep["suppliers"] if s["partner"] == "CHL")
    row = t.loc[("copper", "refined")]
    assert row["partner"] == "CHL"
    assert row["partner_rank"] == chl["rank"] and row["partner_share"] == pytest.approx(chl["share"], rel=1e-9)
    assert row["partner_value_usd"] == pytest.approx(chl["value_usd"], rel=1e-9)


def test_overview_equals_the_per_pair_loop(built_settings, per_pair, overview):
    ref = reference_overview(built_settings, "IND", "PER", 2024, lambda m, st: per_pair[m, st])
    pd.testing.assert_frame_equal(overview, ref, check_exact=False, rtol=1e-9)
    no_partner = mineral_overview(built_settings, "IND", None, year=2024)
    pd.testing.assert_frame_equal(
        no_partner,
        reference_overview(built_settings, "IND", None, 2024, lambda m, st: per_pair[m, st]),
        check_exact=False,
        rtol=1e-9,
    )


def test_partner_production_table_equals_production(built_settings):
    t = partner_production_table(built_settings, "PER").set_index("mineral")
    assert "copper" in t.index and t.loc["copper", "partner_production_rank"] == 3
    for mineral in ["copper", "aluminium", "arsenic", "silicon", "zinc", "cobalt", "gold", "scandium"]:
        try:
            p = production(built_settings, mineral, stage="mine", country="PER")
        except CritminError:
            assert mineral not in t.index
            continue
        row, c = t.loc[mineral], p["country"]
        assert (row["production_year"], row["production_stage"], row["n_producers"]) == (
            p["year"],
            p["stage"],
            len(p["producers"]),
        )
        assert _same(row["partner_production_rank"], c.get("rank"))
        assert _same(row["partner_production_share"], c.get("share"))
        assert _same(row["partner_reserves_share"], c.get("reserves_share"))
    # a mineral USGS lists only as a world total is a clear error in production() and absent here
    with pytest.raises(EmptySelectionError, match="only a world total for scandium"):
        production(built_settings, "scandium")
    assert "scandium" not in partner_production_table(built_settings, "PER").set_index("mineral").index


def test_reporter_without_imports_is_a_clear_error(built_settings):
    # Nauru exports but imports none of the bundle's products
    with pytest.raises(EmptySelectionError, match=r"NRU .*imports none of the critical-mineral products in 2024"):
        dependence_table(built_settings, "NRU", year=2024)
    with pytest.raises(EmptySelectionError, match="NRU"):
        mineral_overview(built_settings, "NRU", "PER", year=2024)
    with pytest.raises(EmptySelectionError, match="trade_flows covers 2022, 2024"):
        dependence_table(built_settings, "IND", year=1990)


def test_unknown_reporter_or_partner(built_settings):
    with pytest.raises(UnknownCodeError, match="XYZ"):
        dependence_table(built_settings, "XYZ", year=2024)
    with pytest.raises(UnknownCodeError, match="XYZ"):
        mineral_overview(built_settings, "XYZ", "PER", year=2024)
    with pytest.raises(UnknownCodeError, match="Narnia"):
        mineral_overview(built_settings, "IND", "Narnia", year=2024)


@pytest.mark.spark
def test_dependence_table_on_pyspark_matches_duckdb(built_settings, warehouse, table):
    pytest.importorskip("pyspark")
    import ibis
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("critmin-test-overview")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.legacy.parquet.nanosAsLong", "true")
        .getOrCreate()
    )
    try:
        con = ibis.pyspark.connect(session)
        for name in ("trade_flows", "governance"):
            con.read_parquet(str(warehouse.table_path(name)), table_name=name)
        sp = dependence_table(built_settings, "IND", year=2024, partner="PER", backend="pyspark", con=con)
    finally:
        session.stop()
    pd.testing.assert_frame_equal(sp, table, check_exact=False, rtol=1e-9, check_dtype=False)
