"""USGS MCS 2026 connector: the real data release against the tidy bundle, and broken copies."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from critmin.errors import DataFormatError, UnknownCodeError
from critmin.sources import usgs
from critmin.sources.usgs import parse_bounds, parse_value, read_mcs, stage_of

RAW = "usgs/MCS2026_Commodities_Data.csv"
KEY_MINERALS = ["copper", "lithium", "nickel", "cobalt", "graphite", "rare_earths", "gold", "silver"]


@pytest.fixture(scope="module")
def mcs(mirror):
    return read_mcs(mirror / RAW)


@pytest.fixture(scope="module")
def tidy(shared_data):
    t = pd.read_csv(shared_data / "minerals/usgs_mcs2026.csv.gz", dtype=str, keep_default_na=False)
    return t[t["section"].str.startswith("World") & t["statistics"].isin(["Production", "Reserves"])]


def _lines(mirror) -> list[str]:
    return (mirror / RAW).read_bytes().decode("cp1252").split("\r\n")


def _write(tmp_path, lines: list[str], encoding: str = "cp1252"):
    path = tmp_path / "MCS2026_Commodities_Data.csv"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


# --- the real file ---------------------------------------------------------


def test_row_counts_match_tidy_world_tables(mcs, tidy):
    assert len(mcs["mineral_production"]) == (tidy["statistics"] == "Production").sum() == 2354
    assert len(mcs["mineral_reserves"]) == (tidy["statistics"] == "Reserves").sum() == 729


@pytest.mark.parametrize("table,statistic", [("mineral_production", "Production"), ("mineral_reserves", "Reserves")])
def test_iso3_values_and_text_match_tidy(mcs, tidy, table, statistic):
    ours = mcs[table]
    t = tidy[tidy["statistics"] == statistic]
    key = ["commodity", "country", "statistics_detail", "year"]
    t = t.assign(year=t["year"].astype(int), statistics_detail=t["statistics_detail"].str.strip())
    merged = ours.merge(t, on=key, how="outer", indicator=True, suffixes=("", "_tidy"))
    assert (merged["_merge"] == "both").all()
    assert (merged["iso3"].fillna("") == merged["iso3_tidy"]).all()
    assert (merged["value_text"] == merged["value_tidy"]).all()
    tidy_num = pd.to_numeric(merged["value_numeric"].replace("", None))
    assert ((merged["value"] - tidy_num).abs().fillna(0) < 1e-9).all()
    assert (merged["value"].isna() == tidy_num.isna()).all()
    assert (merged["unit"] == merged["unit_tidy"].str.strip()).all()


@pytest.mark.parametrize("mineral", KEY_MINERALS)
def test_world_production_and_reserves_of_key_minerals(mcs, mineral):
    prod, res = mcs["mineral_production"], mcs["mineral_reserves"]
    world = prod[(prod["mineral"] == mineral) & (prod["iso3"] == "WLD") & (prod["stage"] == "mine")]
    assert sorted(world["year"]) == [2024, 2025]
    assert world["value_tonnes"].notna().all() and (world["value_tonnes"] > 0).all()
    wres = res[(res["mineral"] == mineral) & (res["iso3"] == "WLD")]
    assert len(wres) == 1
    assert wres["value_min"].iloc[0] > 0  # nickel and rare earths are '>' bounds


def test_published_figures_with_units(mcs):
    prod, res = mcs["mineral_production"], mcs["mineral_reserves"]

    def one(df, **kw):
        sel = df
        for k, v in kw.items():
            sel = sel[sel[k] == v]
        assert len(sel) == 1, kw
        return sel.iloc[0]

    cu = one(prod, mineral="copper", iso3="WLD", stage="mine", year=2024)
    assert (cu["value"], cu["unit"], cu["value_tonnes"]) == (23_000, "thousand metric tons", 23_000_000)
    cu_ref = one(prod, mineral="copper", iso3="WLD", stage="refinery", year=2024)
    assert cu_ref["value_tonnes"] == 27_600_000
    assert one(prod, mineral="lithium", iso3="WLD", year=2024)["value_tonnes"] == 222_000
    assert one(prod, mineral="gold", iso3="PER", year=2024)["value_tonnes"] == 108
    assert one(res, mineral="copper", iso3="PER")["value_tonnes"] == 85_000_000
    ni = one(res, mineral="nickel", iso3="WLD")
    assert pd.isna(ni["value"]) and ni["value_text"] == ">140,000,000" and ni["value_min"] == 140_000_000
    us_li = one(prod, mineral="lithium", iso3="USA", year=2024)
    assert us_li["value_text"] == "W" and pd.isna(us_li["value"])
    assert cu["basis"] == "Data in thousand metric tons, copper content, unless otherwise specified"
    pd_kg = prod[(prod["mineral"] == "palladium") & (prod["unit"] == "kilograms") & prod["value"].notna()]
    assert ((pd_kg["value_tonnes"] - pd_kg["value"] / 1000).abs() < 1e-9).all()


def test_peru_ranks_third_among_copper_mine_producers_2024(mcs):
    prod = mcs["mineral_production"]
    cu = prod[
        (prod["mineral"] == "copper")
        & (prod["stage"] == "mine")
        & (prod["year"] == 2024)
        & prod["iso3"].notna()
        & (prod["iso3"] != "WLD")
    ].sort_values("value", ascending=False)
    assert list(cu["iso3"].head(3)) == ["CHL", "COD", "PER"]


def test_estimate_flag(mcs):
    prod = mcs["mineral_production"]
    cu = prod[(prod["mineral"] == "copper") & (prod["iso3"] == "CHL") & (prod["stage"] == "mine")]
    assert dict(zip(cu["year"], cu["is_estimate"])) == {2024: False, 2025: True}
    li_chn = prod[(prod["mineral"] == "lithium") & (prod["iso3"] == "CHN") & (prod["year"] == 2024)]
    assert li_chn["is_estimate"].item()  # "Estimated." note on a 2024 figure
    sulfur_us = prod[(prod["commodity"] == "Sulfur") & (prod["iso3"] == "USA") & (prod["year"] == 2025)]
    assert not sulfur_us["is_estimate"].item()  # "Reported." 2025 figure


def test_key_minerals_have_one_series_per_country_stage_and_year(mcs):
    """So that summing value_tonnes by iso3 never double counts for them (docs/sources.md lists the rest)."""
    prod, res = mcs["mineral_production"], mcs["mineral_reserves"]
    prod = prod[prod["mineral"].isin(KEY_MINERALS) & prod["iso3"].notna()]
    assert not prod.duplicated(["mineral", "iso3", "stage", "year"]).any()
    res = res[res["mineral"].isin(KEY_MINERALS) & res["iso3"].notna()]
    assert not res.duplicated(["mineral", "iso3", "year"]).any()


def test_every_key_commodity_is_mapped_and_stages_are_known(mcs):
    prod = mcs["mineral_production"]
    assert prod["mineral"].notna().all()
    assert set(prod["stage"]) <= {"mine", "refinery", "smelter", "plant", "primary", "production"}
    assert set(prod.loc[prod["mineral"] == "copper", "stage"]) == {"mine", "refinery"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("5,510", 5510.0),
        ("0.5", 0.5),
        ("68\xa0", 68.0),
        ("W", None),
        ("—", None),
        ("50–300", None),
        (">50", None),
        ("Large", None),
        ("1,23", None),
    ],
)
def test_parse_value(text, expected):
    assert parse_value(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("500–17,000", (500, 17000)),
        ("330 - 390", (330, 390)),
        ("<1,000", (None, 1000)),
        (">50", (50, None)),
        ("—", (0, 0)),
        ("NA", (None, None)),
        ("7", (7, 7)),
    ],
)
def test_parse_bounds(text, expected):
    assert parse_bounds(text) == expected


@pytest.mark.parametrize(
    "detail,stage",
    [
        ("Mine production: rounded", "mine"),
        ("Alumina, refinery production", "refinery"),
        ("Smelter production", "smelter"),
        ("Raw steel", "production"),
        ("Production—crude ore", "production"),
    ],
)
def test_stage_of(detail, stage):
    assert stage_of(detail) == stage


# --- broken copies ---------------------------------------------------------


def _row_of(lines, needle):
    """Index (== 1-based data row, header is line 0) of the first line containing needle."""
    return next(i for i, line in enumerate(lines) if needle in line)


def test_truncated_file(tmp_path, mirror):
    data = (mirror / RAW).read_bytes()
    cut = data.index(b"Rounded to the nearest 5,000 tons")  # inside a quoted Notes field
    path = tmp_path / "MCS2026_Commodities_Data.csv"
    path.write_bytes(data[:cut])
    with pytest.raises(DataFormatError, match="truncated") as exc:
        read_mcs(path)
    assert exc.value.row == 1 and "MCS2026_Commodities_Data.csv" in str(exc.value)


def test_short_row_is_reported_with_its_number(tmp_path, mirror):
    lines = _lines(mirror)
    i = _row_of(lines, "COPPER,World Mine and Refinery")
    lines[i] = ",".join(lines[i].split(",")[:5])
    with pytest.raises(DataFormatError, match="has 5 fields; expected 12") as exc:
        read_mcs(_write(tmp_path, lines))
    assert exc.value.row == i


def test_utf8_copy_is_refused(tmp_path, mirror):
    path = _write(tmp_path, _lines(mirror), encoding="utf-8")
    with pytest.raises(DataFormatError, match="UTF-8 encoded; expected the publisher's cp1252"):
        read_mcs(path)


def test_undecodable_byte_names_the_line(tmp_path, mirror):
    data = bytearray((mirror / RAW).read_bytes())
    pos = data.index(b"Chile")
    data[pos] = 0x81  # undefined in Windows-1252
    path = tmp_path / "MCS2026_Commodities_Data.csv"
    path.write_bytes(bytes(data))
    line = data[:pos].count(b"\n") + 1
    with pytest.raises(DataFormatError, match=f"byte 0x81 at line {line} is not valid cp1252"):
        read_mcs(path)


def test_missing_column(tmp_path, mirror):
    lines = _lines(mirror)
    lines[0] = lines[0].replace("Country,", "Nation,")
    with pytest.raises(DataFormatError, match="missing column.*Country") as exc:
        read_mcs(_write(tmp_path, lines))
    assert exc.value.field == "Country"


def test_negative_production(tmp_path, mirror):
    lines = _lines(mirror)
    i = _row_of(lines, 'Chile,Production,Mine production,thousand metric tons,2024,"5,510"')
    lines[i] = lines[i].replace('"5,510"', '"-5,510"')
    with pytest.raises(DataFormatError, match="negative production") as exc:
        read_mcs(_write(tmp_path, lines))
    assert (exc.value.row, exc.value.field) == (i, "Value")


def test_unknown_country(tmp_path, mirror):
    lines = _lines(mirror)
    i = _row_of(lines, 'Chile,Production,Mine production,thousand metric tons,2024,"5,510"')
    lines[i] = lines[i].replace("Chile,", "Atlantis,", 1)
    with pytest.raises(UnknownCodeError, match=f"unknown country 'Atlantis'.*row {i}, field 'Country'"):
        read_mcs(_write(tmp_path, lines))


def test_bad_year(tmp_path, mirror):
    lines = _lines(mirror)
    i = _row_of(lines, 'Chile,Production,Mine production,thousand metric tons,2024,"5,510"')
    lines[i] = lines[i].replace("thousand metric tons,2024,", "thousand metric tons,20x4,")
    with pytest.raises(DataFormatError, match="not a four-digit year") as exc:
        read_mcs(_write(tmp_path, lines))
    assert (exc.value.row, exc.value.field) == (i, "Year")


# --- warehouse build ------------------------------------------------------

MY_SOURCES = ["usgs", "wgi", "pinksheet", "fx"]
MY_TABLES = {"mineral_production", "mineral_reserves", "governance", "metal_prices", "fx_rates"}


def test_build_publishes_every_table(settings):
    from critmin.warehouse.build import build

    wh = build(settings, MY_SOURCES, progress=False)
    assert MY_TABLES <= set(wh.tables())
    assert len(wh.read("mineral_production")) == 2354
    assert len(wh.read("governance")) == 30974
    assert len(wh.read("metal_prices")) == 7970
    assert len(wh.read("fx_rates")) == 119578
    prov = wh.provenance()
    assert set(prov.loc[prov["table"].isin(MY_TABLES), "source"]) == set(MY_SOURCES)
    assert usgs.SOURCE.files[0].url in set(prov["url"])


def test_failed_build_leaves_previous_warehouse_intact(tmp_path, mirror):
    from critmin.config import load_settings
    from critmin.warehouse import open_warehouse
    from critmin.warehouse.build import build

    local = tmp_path / "mirror"
    for d in ("usgs", "worldbank", "fx"):
        shutil.copytree(mirror / d, local / d)
    s = load_settings(home=tmp_path / "home", mirror=local, offline=True)
    sources = ["usgs", "pinksheet", "fx"]  # WGI left out only to keep the test quick
    before = build(s, sources, progress=False)
    old = before.read("mineral_reserves")

    csv_path = local / RAW
    csv_path.chmod(0o644)
    lines = csv_path.read_bytes().decode("cp1252").split("\r\n")
    i = _row_of(lines, 'Chile,Production,Mine production,thousand metric tons,2024,"5,510"')
    lines[i] = lines[i].replace('"5,510"', '"-5,510"')
    csv_path.write_bytes("\r\n".join(lines).encode("cp1252"))
    with pytest.raises(DataFormatError, match="negative production"):
        build(s, sources, progress=False)

    after = open_warehouse(s)
    assert after.path == before.path
    pd.testing.assert_frame_equal(after.read("mineral_reserves"), old)
    assert MY_TABLES - {"governance"} <= set(after.tables())
    assert not list((s.warehouse_dir / "builds").glob("*.partial"))
