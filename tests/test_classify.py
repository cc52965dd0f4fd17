"""Classification tables: products (HS6 -> mineral -> stage), countries and regions, metal content."""

from __future__ import annotations

import csv
import re
import warnings

import pandas as pd
import pytest

from critmin.classify import (
    STAGES,
    PaddedHSCodeWarning,
    build_country_table,
    calc_contained_metal,
    metal_factor,
    normalize_hs,
    products_for,
    products_table,
    regions_table,
    resolve_country,
    resolve_mineral,
    resolve_stage,
)
from critmin.errors import DataFormatError, EmptySelectionError, UnknownCodeError
from critmin.sources.baci import read_country_codes

# the 30 HS6 codes of the BACI extract and their material (data README)
BUNDLE_CODES = {
    "250490": "graphite",
    "251010": "phosphate",
    "251110": "baryte",
    "252800": "boron",
    "252910": "feldspar",
    "252922": "fluorspar",
    "260200": "manganese",
    "260600": "aluminium",
    "270112": "coking_coal",
    "280429": "helium",
    "280469": "silicon",
    "280470": "phosphorus",
    "280480": "arsenic",
    "282200": "cobalt",
    "283691": "lithium",
    "283692": "strontium",
    "711011": "platinum",
    "711021": "palladium",
    "720292": "vanadium",
    "720293": "niobium",
    "740311": "copper",
    "750210": "nickel",
    "810194": "tungsten",
    "810320": "tantalum",
    "810411": "magnesium",
    "810820": "titanium",
    "811010": "antimony",
    "811212": "beryllium",
    "811292": "gallium",
    "850511": "magnets",
}

CHAINS = {  # mineral -> {hs6: stage} required by the brief
    "copper": {
        "260300": "ore",
        "740100": "intermediate",
        "740200": "intermediate",
        "740311": "refined",
        "740400": "intermediate",
        "740811": "product",
    },
    "lithium": {"253090": "ore", "282520": "refined", "283691": "refined", "850650": "product", "850760": "product"},
    "nickel": {"260400": "ore", "750110": "intermediate", "750210": "refined"},
    "cobalt": {"260500": "ore", "282200": "intermediate", "810520": "refined"},
    "graphite": {"250410": "ore", "250490": "ore", "380110": "refined"},
    "rare_earths": {"280530": "refined", "284610": "intermediate", "284690": "intermediate", "850511": "product"},
    "gold": {"261690": "ore", "710812": "refined"},
    "silver": {"261610": "ore", "710691": "refined"},
}


@pytest.fixture(scope="module")
def baci_countries(mirror):
    return read_country_codes(mirror / "baci" / "country_codes_V202601.csv")


@pytest.fixture(scope="module")
def countries(baci_countries):
    return build_country_table(baci_countries)


def test_every_bundle_code_is_classified_with_its_mineral():
    table = products_table()
    for hs6, mineral in BUNDLE_CODES.items():
        rows = table[table["hs6"] == hs6]
        assert mineral in set(rows["mineral"]), (hs6, mineral)
    assert set(table.loc[table["hs6"] == "811292", "mineral"]) >= {"gallium", "germanium"}


@pytest.mark.parametrize("mineral", sorted(CHAINS))
def test_value_chains_of_the_main_minerals(mineral):
    rows = products_for(mineral=mineral)
    got = dict(zip(rows["hs6"], rows["stage"]))
    for hs6, stage in CHAINS[mineral].items():
        assert got.get(hs6) == stage, (mineral, hs6)


def test_product_table_is_well_formed():
    t = products_table()
    assert t["hs6"].str.fullmatch(r"\d{6}").all()
    assert set(t["stage"]) <= set(STAGES)
    assert t["mineral"].str.fullmatch(r"[a-z_]+").all()
    assert (t["hs_revision"] == "HS17").all()
    assert not t.duplicated(["hs6", "mineral"]).any()
    # one stage per code, whatever the mineral
    assert (t.groupby("hs6")["stage"].nunique() == 1).all()
    assert t.loc[t["hs6"] == "253090", "basket"].all()


def test_hs_codes_that_lost_a_leading_zero_are_padded_with_a_warning():
    with pytest.warns(PaddedHSCodeWarning, match="040311"):
        assert normalize_hs(40311) == "040311"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert normalize_hs("7403.11") == "740311"


def test_unknown_hs_code_names_close_matches():
    with pytest.raises(UnknownCodeError, match="740311"):
        with pytest.warns(PaddedHSCodeWarning):
            normalize_hs("40311", known=products_table()["hs6"])
    with pytest.raises(UnknownCodeError, match="six digits"):
        normalize_hs("74a311")


def test_mineral_and_stage_resolution_and_hints():
    assert resolve_mineral("Rare earths") == "rare_earths"
    assert resolve_stage("Refined") == "refined"
    with pytest.raises(UnknownCodeError, match="did you mean copper"):
        resolve_mineral("coper")
    with pytest.raises(UnknownCodeError, match="ore, intermediate, refined, product"):
        resolve_stage("smelted")
    with pytest.raises(EmptySelectionError, match="helium"):
        products_for(mineral="helium", stage="ore")


def test_contained_metal_factors():
    assert calc_contained_metal(1.0, "lithium_metal", basis="lce") == pytest.approx(5.323)
    assert calc_contained_metal(1.0, "282520", basis="lce") == pytest.approx(0.880)
    assert calc_contained_metal(1.0, "lithium_carbonate", basis="lce") == 1.0
    # stoichiometry: Li2CO3 -> Li and back to LCE is the identity
    li = calc_contained_metal(1000.0, "283691")
    assert calc_contained_metal(li, "lithium_metal", basis="lce") == pytest.approx(1000.0, rel=1e-3)
    assert calc_contained_metal([100.0, 200.0], "copper_concentrate").tolist() == pytest.approx([27.0, 54.0])
    assert 0.25 <= metal_factor("260300") <= 0.30
    assert metal_factor("740311") == pytest.approx(0.9999)
    with pytest.raises(UnknownCodeError, match="copper_cathode"):
        metal_factor("copper_cathod")
    with pytest.raises(UnknownCodeError, match="lithium"):
        calc_contained_metal(1.0, "740311", basis="lce")
    with pytest.raises(ValueError, match=">= 0"):
        calc_contained_metal(-1.0, "740311")


def test_every_baci_country_code_maps_to_iso3_and_regions(countries, baci_countries):
    assert len(countries) == len(baci_countries) == 238
    assert countries["iso3"].str.fullmatch(r"[A-Z0-9]{3}").all()
    for col in ("region", "m49_region", "m49_subregion"):
        assert countries[col].ne("").all() and countries[col].notna().all(), col
    wb = {
        "East Asia & Pacific",
        "Europe & Central Asia",
        "Latin America & Caribbean",
        "Middle East & North Africa",
        "North America",
        "South Asia",
        "Sub-Saharan Africa",
    }
    assert set(countries["region"]) == wb
    by = countries.set_index("baci_code")
    assert by.loc[604, ["iso3", "region", "m49_subregion"]].tolist() == [
        "PER",
        "Latin America & Caribbean",
        "Latin America and the Caribbean",
    ]
    assert by.loc[699, ["iso3", "region", "m49_subregion"]].tolist() == ["IND", "South Asia", "Southern Asia"]
    assert by.loc[490, ["iso3", "name"]].tolist() == ["TWN", "Taiwan"]
    assert by.loc[384, "name"] == "Côte d'Ivoire"  # BACI's double-encoded name repaired
    assert by.loc[156, "m49_subregion"] == "Eastern Asia"


def test_every_code_in_the_raw_baci_file_maps(mirror, countries):
    codes = set()
    with open(mirror / "baci" / "BACI_HS17_Y2024_V202601_critical31.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            codes.add(int(row["i"]))
            codes.add(int(row["j"]))
    table = countries.set_index("baci_code")
    missing = codes - set(table.index)
    assert not missing
    assert table.loc[sorted(codes), "region"].notna().all()


def test_region_table_is_consistent():
    r = regions_table()
    assert r["iso3"].is_unique
    assert set(r["m49_region"]) == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    sub = r.groupby("m49_subregion")["m49_region"].nunique()
    assert (sub == 1).all()


def test_country_resolution(countries):
    assert resolve_country("per", countries) == "PER"
    assert resolve_country("PE", countries) == "PER"
    assert resolve_country(604, countries) == "PER"
    assert resolve_country("Peru", countries) == "PER"
    assert resolve_country("56", countries) == "BEL"
    # other spellings through the shared name resolver
    assert resolve_country("Viet Nam", countries) == "VNM"
    assert resolve_country("Korea, Republic of", countries) == "KOR"
    assert resolve_country("Democratic Republic of the Congo", countries) == "COD"
    with pytest.raises(UnknownCodeError, match="Peru|PER"):
        resolve_country("Peruu", countries)


def test_country_without_region_is_a_data_format_error(baci_countries):
    bad = pd.concat(
        [
            baci_countries,
            pd.DataFrame([{"code": 999, "name": "Atlantis", "iso2": "XA", "iso3": "ATL", "is_current": True}]),
        ],
        ignore_index=True,
    )
    with pytest.raises(DataFormatError, match="ATL"):
        build_country_table(bad.astype({"code": "int32"}))


def test_classification_tables_in_the_warehouse(warehouse):
    c = warehouse.read("countries")
    p = warehouse.read("products")
    assert len(c) == 238 and c["baci_code"].is_unique
    assert set(BUNDLE_CODES) <= set(p["hs6"])
    prov = warehouse.provenance_of("countries")
    assert (prov["source"] == "classification").all()
    # every code in trade_flows has a product row, every flow country a region
    flows = warehouse.read("trade_flows", columns=["exporter", "importer", "hs6"])
    assert set(flows["hs6"]) <= set(p["hs6"])
    assert set(flows["exporter"]) | set(flows["importer"]) <= set(c["iso3"])
    assert re.fullmatch(r"HS\d\d", p["hs_revision"].iloc[0])
