"""Tariff table, WITS/TRAINS readers, elasticities, phase-in schedules: parsing, lookups, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.domain.policy.schedule import FtaScenario, Staging
from critmin.domain.policy.tariffs import TariffTable
from critmin.errors import DataFormatError
from critmin.services.tariffs import (
    bundled_scenario,
    read_elasticities,
    read_schedule,
    read_tariff_csv,
    read_tariffs,
    read_wits_tariffs,
    starter_tariffs,
)


def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


# ---------------------------------------------------------------- starter table
def test_starter_table_is_valid_and_cited():
    t = starter_tariffs()
    f = t.frame
    assert {"IND", "PER", "CHL", "NZL"} <= set(f["reporter"])
    assert (f.loc[f["rate"].notna(), "source"].str.len() > 10).all()
    # Chile is a flat 6% on every chapter
    chl = t.rates("CHL", ["260300", "740311", "870323", "300490", "620342"], 2024)
    assert chl["known"].all() and np.allclose(chl["rate"], 0.06)


def test_india_copper_ore_duty_before_and_after_budget_2024():
    t = starter_tariffs()
    assert t.rates("IND", ["260300"], 2023)["rate_pct"].iloc[0] == 2.5
    assert t.rates("IND", ["260300"], 2024)["rate_pct"].iloc[0] == 0.0
    gold = t.rates("IND", ["710812"], 2024)
    assert gold["rate_pct"].iloc[0] == 6.0 and gold["matched_hs"].iloc[0] == "7108"


def test_unknown_rates_are_reported_not_guessed():
    r = starter_tariffs().rates("IND", ["850511", "999999", "251010"], 2024)
    assert not r["known"].any()
    assert r["rate"].isna().all()
    # a line with no row at all before the first tariff year is unknown too
    assert not starter_tariffs().rates("IND", ["740311"], 2020)["known"].any()


def test_longest_prefix_and_latest_year_win():
    t = TariffTable(
        pd.DataFrame(
            {
                "reporter": ["PER"] * 4,
                "partner": ["WLD"] * 4,
                "year": [2020, 2020, 2023, 2020],
                "hs": ["74", "7403", "7403", "740311"],
                "rate": ["11", "6", "4", ""],
                "source": ["s"] * 3 + [""],
            }
        )
    )
    r = t.rates("PER", ["740311", "740319", "740400"], 2024).set_index("hs6")
    assert np.isnan(r.loc["740311", "rate"])  # explicit unknown at HS6 beats the heading
    assert r.loc["740319", "rate_pct"] == 4.0  # latest year of the heading
    assert r.loc["740400", "rate_pct"] == 11.0  # chapter fallback
    assert t.rates("PER", ["740319"], 2021)["rate_pct"].iloc[0] == 6.0


def test_combine_overrides_rows():
    base = starter_tariffs()
    extra = TariffTable(
        pd.DataFrame(
            {
                "reporter": ["IND"],
                "partner": ["WLD"],
                "year": [2024],
                "hs": ["850511"],
                "rate": ["7.5"],
                "source": ["user check"],
            }
        )
    )
    t = base.combine(extra)
    assert t.rates("IND", ["850511"], 2024)["rate_pct"].iloc[0] == 7.5
    assert len(t) == len(base)


# ---------------------------------------------------------------- critmin CSV
def test_read_tariff_csv_and_errors(tmp_path):
    ok = _write(
        tmp_path,
        "t.csv",
        "reporter,partner,year,hs,rate,source\nPER,WLD,2024,0801,6,arancel\nPER,IND,2024,260300,0,offer\n",
    )
    t = read_tariff_csv(ok)
    assert t.frame["hs"].tolist() == ["0801", "260300"]  # leading zero kept
    assert t.frame["duty_type"].tolist() == ["MFN", "PRF"]
    bad_cases = {
        "reporter,partner,year,hs,rate,source\nPERU,WLD,2024,0801,6,x\n": ("reporter", 1),
        "reporter,partner,year,hs,rate,source\nPER,WLD,2024,0801,6,x\nPER,WLD,2024,801,6,x\n": ("hs", 2),
        "reporter,partner,year,hs,rate,source\nPER,WLD,2024,0801,-1,x\n": ("rate", 1),
        "reporter,partner,year,hs,rate,source\nPER,WLD,2024,0801,six,x\n": ("rate", 1),
        "reporter,partner,year,hs,rate,source\nPER,WLD,20x4,0801,6,x\n": ("year", 1),
        "reporter,partner,year,hs,rate,source\nPER,WLD,2024,0801,6,\n": ("source", 1),
    }
    for i, (text, (field, row)) in enumerate(bad_cases.items()):
        with pytest.raises(DataFormatError) as e:
            read_tariff_csv(_write(tmp_path, f"bad{i}.csv", text))
        assert e.value.field == field and e.value.row == row, text
    with pytest.raises(DataFormatError, match="missing column"):
        read_tariff_csv(_write(tmp_path, "nocol.csv", "reporter,year,hs,rate\nPER,2024,0801,6\n"))
    with pytest.raises(DataFormatError, match="truncated"):
        read_tariff_csv(_write(tmp_path, "trunc.csv", "reporter,partner,year,hs,rate,source\nPER,WLD,2024\n"))
    with pytest.raises(DataFormatError, match="empty"):
        read_tariff_csv(_write(tmp_path, "empty.csv", ""))
    with pytest.raises(DataFormatError, match="not valid utf-8"):
        read_tariff_csv(
            _write(
                tmp_path,
                "latin.csv",
                "reporter,partner,year,hs,rate,source\nPER,WLD,2024,0801,6,Perú\n",
                encoding="latin-1",
            )
        )


# ---------------------------------------------------------------- WITS downloads
WITS_AQ = (
    "Selected Nomen,Native Nomen,Reporter,Reporter Name,Product,Product Name,Partner,Partner Name,Tariff Year,"
    "Trade Year,Trade Source,DutyType,Simple Average,Weighted Average,Standard Deviation,Minimum Rate,Maximum Rate\n"
    "H5,H5,PER,Peru,870323,Vehicles,WLD,World,2023,2023,WTO,MFN,0,0,0,0,0\n"
    "H5,H5,PER,Peru,620342,Trousers,WLD,World,2023,2023,WTO,MFN,11,11,0,11,11\n"
    "H5,H5,PER,Peru,300490,Medicaments,WLD,World,2023,2023,WTO,MFN,,,,,\n"
    "H5,H5,PER,Peru,Total,All products,WLD,World,2023,2023,WTO,MFN,2.1,1.0,3.6,0,11\n"
)

TRAINS_BULK = (
    "NomenCode,Reporter_ISO_N,Year,ProductCode,Sum_Of_Rates,Min_Rate,Max_Rate,SimpleAverage,Nbr_NA_Lines,"
    "Nbr_Free_Lines,Nbr_AVE_Lines,Nbr_Dutiable_Lines,TotalNoOfValidLines,TotalNoOfLines,EstCode\n"
    "H5,604,2023,260300,0,0,0,0,0,1,0,0,1,1,\n"
    "H5,152,2023,10121,6,6,6,6,0,0,0,1,1,1,\n"
)


def test_read_wits_advanced_query_export(tmp_path):
    t = read_wits_tariffs(_write(tmp_path, "wits.csv", WITS_AQ))
    f = t.frame.set_index("hs")
    assert len(f) == 3  # the Total row is an aggregate
    assert f.loc["620342", "rate"] == 11.0 and f.loc["620342", "reporter"] == "PER"
    assert np.isnan(f.loc["300490", "rate"])  # missing stays unknown
    assert "WITS/TRAINS download wits.csv" in f.loc["870323", "source"]
    auto = read_tariffs(_write(tmp_path, "auto.csv", WITS_AQ)).frame
    pd.testing.assert_frame_equal(auto.drop(columns="source"), t.frame.drop(columns="source"))


def test_read_trains_bulk_numeric_reporters(tmp_path):
    t = read_wits_tariffs(_write(tmp_path, "bulk.csv", TRAINS_BULK), duty_type="MFN")
    f = t.frame
    assert f["reporter"].tolist() == ["PER", "CHL"]
    assert f["hs"].tolist() == ["260300", "010121"]  # lost leading zero restored
    assert (f["duty_type"] == "MFN").all()


def test_wits_reader_errors(tmp_path):
    with pytest.raises(DataFormatError, match="not a WITS tariff export"):
        read_wits_tariffs(_write(tmp_path, "x.csv", "a,b,c\n1,2,3\n"))
    bad = WITS_AQ.replace("PER,Peru,620342", "PER,Peru,62A342")
    with pytest.raises(DataFormatError) as e:
        read_wits_tariffs(_write(tmp_path, "y.csv", bad))
    assert e.value.row == 2 and e.value.field == "Product"
    with pytest.raises(DataFormatError, match="M49"):
        read_wits_tariffs(_write(tmp_path, "z.csv", TRAINS_BULK.replace(",604,", ",999,")))


# ---------------------------------------------------------------- elasticities
def test_read_elasticities_both_layouts(tmp_path):
    e = read_elasticities(_write(tmp_path, "e.csv", "hs6,import_demand_elasticity\n740311,-1.8\n260300,-0.6\n"))
    assert dict(zip(e["hs6"], e["import_demand_elasticity"])) == {"260300": -0.6, "740311": -1.8}
    wiiw = (
        "iso3,iso2,country,sector,hs2,product,elasticity,elasticity_sign,se,p\n"
        "IND,IN,India,Manufacturing,74,740311,-2.0,-2.0,0.1,0\n"
        "IND,IN,India,Manufacturing,74,740311,-1.0,-1.0,0.1,0\n"
        "PER,PE,Peru,Manufacturing,74,740311,-9.0,-9.0,0.1,0\n"
    )
    e = read_elasticities(_write(tmp_path, "w.csv", wiiw), reporter="IND")
    assert e["import_demand_elasticity"].tolist() == [-1.5] and "reporter" not in e
    both = read_elasticities(tmp_path / "w.csv")
    assert dict(zip(both["reporter"], both["import_demand_elasticity"])) == {"IND": -1.5, "PER": -9.0}
    with pytest.raises(DataFormatError, match="negative"):
        read_elasticities(_write(tmp_path, "p.csv", "hs6,import_demand_elasticity\n740311,1.8\n"))


# ---------------------------------------------------------------- schedules
def test_staging_shares_follow_fta_wording():
    b5 = Staging("B5", years=5)
    assert np.allclose(b5.share(np.arange(7)), [0.8, 0.6, 0.4, 0.2, 0.0, 0.0, 0.0])
    assert np.allclose(Staging("EIF", years=0).share([0, 3]), [0.0, 0.0])
    half = Staging("R50", years=2, target=0.5, start=1)
    assert np.allclose(half.share([0, 1, 2, 5]), [1.0, 0.75, 0.5, 0.5])
    assert np.allclose(Staging("X", shares=(0.9, 0.5)).share([0, 1, 4]), [0.9, 0.5, 0.5])


def test_nzl_scenario_excludes_copper_and_aluminium():
    s = bundled_scenario("IND", "NZL")
    ind = s.side("IND")
    sh = ind.shares(["740311", "760110", "260300", "040210"], [0, 9]).set_index(["hs6", "year"])
    assert sh.loc[("740311", 9), "excluded"] and sh.loc[("740311", 9), "share"] == 1.0
    assert sh.loc[("760110", 9), "excluded"]
    assert sh.loc[("260300", 0), "share"] == pytest.approx(0.9) and sh.loc[("260300", 9), "share"] == 0.0
    assert s.side("NZL").shares(["870323"], [0])["share"].iloc[0] == 0.0


def test_all_bundled_scenarios_load():
    for pair in [("IND", "PER"), ("IND", "CHL"), ("IND", "NZL"), ("PER", "IND")]:
        s = bundled_scenario(*pair)
        assert s is not None and {x.importer for x in s.sides} == set(pair)
    assert bundled_scenario("IND", "FRA") is None


def test_schedule_errors_name_the_field(tmp_path):
    good = "base_year: 2024\nhorizon: 3\nsides:\n  - {importer: IND, partner: PER, default: A, categories: {A: {years: 2}}}\n"
    assert read_schedule(_write(tmp_path, "ok.yaml", good)).years() == [0, 1, 2, 3]
    cases = {
        "horizon: 3\nsides: []\n": "base_year",
        "base_year: 2024\nsides: []\n": "sides",
        good.replace("PER", "PERU"): "sides[0].partner",
        good.replace("default: A", "default: B"): "sides[0].default",
        good.replace("years: 2", "years: two"): "sides[0].categories.A.years",
        good + "    lines: {'7403': Z}\n": None,
    }
    for i, (text, field) in enumerate(cases.items()):
        with pytest.raises(DataFormatError) as e:
            read_schedule(_write(tmp_path, f"s{i}.yaml", text))
        if field:
            assert e.value.field == field, text
    with pytest.raises(DataFormatError, match="YAML"):
        read_schedule(_write(tmp_path, "broken.yaml", "base_year: [2024\n"))
    with pytest.raises(DataFormatError, match="HS code"):
        FtaScenario.from_dict(
            {"base_year": 2024, "sides": [{"importer": "IND", "partner": "PER", "exclusions": [4]}]}, origin="x"
        )


def test_tariffs_connector_is_optional_and_loads_the_starter_table(settings):
    from critmin.sources import get_source
    from critmin.warehouse import open_warehouse
    from critmin.warehouse.build import build

    assert get_source("tariffs").default is False
    build(settings, ["tariffs"], progress=False)
    t = open_warehouse(settings).read("tariff_rates")
    assert len(t) == len(starter_tariffs()) and t["hs"].str.fullmatch(r"\d{2}|\d{4}|\d{6}").all()
