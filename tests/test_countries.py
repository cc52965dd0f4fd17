"""The shared country-name resolver (critmin.countries): its tables, the normaliser, the
per-source layering, and that every connector resolves the names of the real files as before."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, strategies as st

from critmin import countries
from critmin.countries import normalise_name, resolve, resolve_or_raise
from critmin.errors import DataFormatError, UnknownCodeError

BEFORE = json.loads((Path(__file__).parent / "data" / "country_tables_before.json").read_text(encoding="utf-8"))


# ---- tables ------------------------------------------------------------------------------------------


def test_tables_are_consistent():
    """Every alias names a code of the canonical table, known sources, and no spelling maps to two codes."""
    assert countries.check_tables() == []


def test_canonical_codes_are_the_m49_codes_plus_world():
    from critmin.sources._m49 import M49_TO_ISO3

    table = {c: k for c, _, k in countries.country_table()}
    assert set(table) == set(M49_TO_ISO3.values()) | {"WLD"}
    assert table["WLD"] == "aggregate" and table["SUN"] == "historical" and table["PER"] == "country"
    assert countries.name_of("per") == "Peru" and countries.name_of("XXX") is None


def test_every_alias_maps_to_a_canonical_code():
    codes = set(countries.canonical_names())
    assert countries.aliases()
    for a in countries.aliases():
        assert a.iso3 in codes, a
        assert set(a.sources) <= {*countries.SOURCES, countries.COMMON}, a


def test_check_tables_reports_a_contradiction(monkeypatch):
    """The consistency check is not vacuous: a contradicting alias row is reported."""
    bad = countries.aliases() + (
        countries.Alias("CHL", "Peru", ("usgs",), ""),
        countries.Alias("ZZZ", "Atlantis", ("wto",), ""),
    )
    monkeypatch.setattr(countries, "aliases", lambda: bad)
    problems = countries.check_tables()
    assert any("'Peru' -> CHL contradicts the canonical name of PER" in p for p in problems)
    assert any("source usgs already maps" in p for p in problems)
    assert any("'Atlantis' -> ZZZ, which is not in country_names.csv" in p for p in problems)


# ---- the normaliser --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Peru", "peru"),
        ("  PERU  ", "peru"),
        ("Côte d’Ivoire", "cote d ivoire"),  # accents and curly apostrophe
        ("COTE D' IVOIRE", "cote d ivoire"),  # TradeStat spacing
        ("Sao Tomé and Principe", "sao tome and principe"),
        ("Türkiye", "turkiye"),
        ("The Bahamas", "bahamas"),  # "the"
        ("Kuwait, the State of", "kuwait state of"),
        ("the United States", "united states"),
        ("St. Kitts & Nevis", "saint kitts and nevis"),  # St. and &
        ("Saint Kitts and Nevis", "saint kitts and nevis"),
        ("CONGO D. REP.", "congo d republic"),  # Rep.
        ("Dem. Rep. of the Congo", "democratic republic of congo"),
        ("FIJI IS", "fiji islands"),  # a non-initial "Is"
        ("Guinea-Bissau", "guinea bissau"),
        ("U.S.", "u s"),
        ("U S A", "u s a"),
        ("Congo (Kinshasa)", "congo kinshasa"),  # parentheses kept as words here
        ("Bosnia   and\tHerzegovina", "bosnia and herzegovina"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


@given(st.text(max_size=40))
def test_normalise_name_is_idempotent(text):
    once = normalise_name(text)
    assert normalise_name(once) == once
    assert once == once.strip() and "  " not in once


# ---- resolve ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, source, expected",
    [
        ("Peru", None, "PER"),
        ("PERU", "tradestat", "PER"),
        ("peru", "news", "PER"),
        ("Congo (Kinshasa)", "usgs", "COD"),
        ("Congo (Brazzaville)", "usgs", "COG"),
        ("CONGO D. REP.", "tradestat", "COD"),
        ("Democratic Republic of the Congo", "wto", "COD"),
        ("Congo", "wto", "COG"),
        ("DRC", "news", "COD"),
        ("Korea, Republic of", "usgs", "KOR"),
        ("Korea, South", "usgs", "KOR"),
        ("KOREA DP RP", "tradestat", "PRK"),
        ("U S A", "tradestat", "USA"),
        ("the United States", "news", "USA"),
        ("United States of America", "wto", "USA"),
        ("Chinese Taipei", "wto", "TWN"),
        ("Burma", "usgs", "MMR"),
        ("Côte d’Ivoire", "usgs", "CIV"),
        ("COTE D' IVOIRE", "tradestat", "CIV"),
        ("Ivory Coast", "wto", "CIV"),
        ("The Gambia", "wto", "GMB"),
        ("Gambia", "usgs", "GMB"),
        ("St. Lucia", None, "LCA"),
        ("Saint Lucia", "wto", "LCA"),
        ("Bosnia & Herzegovina", None, "BIH"),
        ("Kosovo (under UNSC res. 1244)", "wto", "XKX"),
        ("Falkland Islands (Islas Malvinas)", None, "FLK"),
        ("Peru (Republic of)", "usgs", "PER"),  # a qualifier that does not disambiguate is dropped
        ("World total", "usgs", "WLD"),
        ("TOTAL", "tradestat", "WLD"),
        ("Viet Nam", None, "VNM"),
        ("Vietnam", "wto", "VNM"),
    ],
)
def test_resolve(name, source, expected):
    assert resolve(name, source=source) == expected


def test_a_qualifier_that_disambiguates_is_never_dropped():
    """ "Congo (Kinshasa)" is not "Congo" (= COG in WTO's spelling) for a source that does not know it."""
    assert resolve("Congo (Kinshasa)", source="wto") is None
    assert resolve("Virgin Islands (U.S.)") is None
    assert resolve("Congo (Kinshasa)") == "COD"  # no source: USGS's spelling is used


def test_source_quirks_stay_with_their_source():
    assert resolve("U S A", source="usgs") is None and resolve("U S A") == "USA"
    assert resolve("Korea", source="news") == "KOR"
    assert resolve("Korea", source="usgs") is None and resolve("Korea", source="wto") is None
    assert resolve("Congo (Kinshasa)", source="tradestat") is None


def test_unknown_name_raises_naming_the_source_and_the_alias_file():
    with pytest.raises(UnknownCodeError) as err:
        resolve_or_raise("Atlantis", source="wto", where="AllRTAs.xlsx, row 7, field 'Current signatories'")
    msg = str(err.value)
    assert "unknown country 'Atlantis' in AllRTAs.xlsx, row 7, field 'Current signatories'" in msg
    assert "not a wto country name" in msg and "critmin/country_aliases.csv" in msg
    assert "'<ISO3>,Atlantis,wto,<note>'" in msg
    assert err.value.kind == "country" and err.value.code == "Atlantis"
    assert resolve("Atlantis") is None


def test_unknown_source_is_refused():
    with pytest.raises(ValueError, match="source 'comtrade'; expected one of usgs, wto, tradestat, news"):
        resolve("Peru", source="comtrade")
    with pytest.raises(ValueError, match="source 'x'"):
        countries.source_aliases("x")


# ---- the four old tables moved without a change ------------------------------------------------------------


def test_connector_tables_are_the_old_tables():
    from critmin.domain.news.gazetteer import COUNTRY_NAMES
    from critmin.sources.tradestat import TRADESTAT_COUNTRIES
    from critmin.sources.usgs import COUNTRY_ISO3
    from critmin.sources.wto_rta import WTO_NAMES

    assert COUNTRY_ISO3 == BEFORE["usgs"]
    assert WTO_NAMES == BEFORE["wto"]
    assert BEFORE["tradestat"].items() <= TRADESTAT_COUNTRIES.items()  # later spellings added, none changed
    assert COUNTRY_NAMES == BEFORE["news"]


@pytest.mark.parametrize("source", ["usgs", "wto", "tradestat"])
def test_resolver_reproduces_every_old_entry(source):
    wrong = {n: (c, resolve(n, source=source)) for n, c in BEFORE[source].items() if resolve(n, source=source) != c}
    assert wrong == {}


def test_resolver_reproduces_every_old_news_country_name():
    """Capitals ("Beijing") and state enterprises ("Codelco") stay in the gazetteer: they are not country names."""
    from critmin.domain.news.gazetteer import CAPITALS, STATE_ENTERPRISES

    names = {n: c for n, c in BEFORE["news"].items() if n not in CAPITALS and n not in STATE_ENTERPRISES}
    assert len(names) > 100
    assert {n: c for n, c in names.items() if resolve(n, source="news") != c} == {}
    assert countries.source_aliases("news") == names


def test_gazetteer_matching_is_unchanged():
    from critmin.domain.news.gazetteer import find_places

    text = "Talks between the United States, the DRC and Peru; Latin America watches Beijing and Codelco."
    assert [(p.code, p.text) for p in find_places(text)] == [
        ("USA", "United States"),
        ("COD", "DRC"),
        ("PER", "Peru"),
        ("LAC", "Latin America"),
        ("CHN", "Beijing"),
        ("CHL", "Codelco"),
    ]
    # canonical names that are common words are not scanned for
    assert find_places("Jordan and Chad met in Georgia") == []


# ---- the real files resolve exactly as before -------------------------------------------------------------


def test_usgs_names_in_the_real_file_resolve_as_before(mirror):
    from critmin.sources.usgs import AGGREGATE_NAMES, read_mcs

    tables = read_mcs(mirror / "usgs" / "MCS2026_Commodities_Data.csv")
    pairs = set()
    for df in tables.values():
        pairs |= set(zip(df["country"], df["iso3"]))
    names = {n for n, _ in pairs}
    assert len(names) > 80 and "Congo (Kinshasa)" in names
    expected = {(n, None if n in AGGREGATE_NAMES else BEFORE["usgs"][n]) for n in names}
    assert pairs == expected


def test_wto_party_names_in_the_real_file_resolve_as_before(mirror):
    from critmin.sources.wto_rta import BLOC_RECORDS

    wb = openpyxl.load_workbook(mirror / "wto" / "AllRTAs.xlsx", read_only=True)
    try:
        rows = wb["AllRTAs"].iter_rows(values_only=True)
        header = list(next(rows))
        cols = [header.index("Current signatories"), header.index("Original signatories")]
        names = {x.strip() for r in rows for i in cols for x in (r[i] or "").split(";") if x.strip()}
    finally:
        wb.close()
    countries_named = names - set(BLOC_RECORDS)
    assert len(countries_named) > 150 and names & set(BLOC_RECORDS)
    assert {n: resolve(n, source="wto") for n in countries_named} == {n: BEFORE["wto"][n] for n in countries_named}
    assert all(resolve(b, source="wto") is None for b in BLOC_RECORDS)  # blocs stay with wto_rta


def test_tradestat_partner_names_in_the_real_file_resolve_as_before(mirror):
    from critmin.sources.tradestat import read_tradestat

    df = read_tradestat(mirror / "tradestat" / "india_imports_hs2603_by_partner_cy2024_cy2025.csv")
    pairs = set(zip(df["partner_name"], df["partner_iso3"]))
    assert len(pairs) > 10 and ("TOTAL", "WLD") in pairs
    assert pairs == {(n, BEFORE["tradestat"][n]) for n, _ in pairs}


# ---- connector error paths name the alias file -----------------------------------------------------------


def test_tradestat_unknown_partner_names_the_alias_file(mirror, tmp_path):
    from critmin.sources.tradestat import read_tradestat

    src = mirror / "tradestat" / "india_imports_hs2603_by_partner_cy2024_cy2025.csv"
    bad = tmp_path / "imports.csv"
    bad.write_text(src.read_text(encoding="utf-8").replace("PAPUA N GNA", "ATLANTIS"), encoding="utf-8")
    with pytest.raises(DataFormatError, match="unknown partner country name 'ATLANTIS'") as err:
        read_tradestat(bad)
    assert "not a tradestat country name" in str(err.value) and "critmin/country_aliases.csv" in str(err.value)
    assert err.value.field == "partner_country_tradestat"


def test_usgs_unknown_country_names_the_alias_file():
    from critmin.sources.usgs import country_iso3

    assert country_iso3("Other countries", where="x") is None
    assert country_iso3("Congo (Kinshasa)", where="x") == "COD"
    with pytest.raises(
        UnknownCodeError,
        match=r"unknown country 'Atlantis' in f\.csv, row 3.*not a usgs "
        r"country name.*critmin/country_aliases\.csv",
    ):
        country_iso3("Atlantis", where="f.csv, row 3, field 'Country'")


def test_alpha2_codes_resolve_to_iso3():
    from critmin.countries import iso3_of_iso2

    assert iso3_of_iso2("PE") == "PER" and iso3_of_iso2("nz") == "NZL" and iso3_of_iso2("XK") == "XKX"
    assert iso3_of_iso2("TW") == "TWN" and iso3_of_iso2("CS") == "SCG"
    assert iso3_of_iso2("W00") is None
