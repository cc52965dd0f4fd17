"""IEA outlook connector: the real demand and supply tables, and broken copies."""

from __future__ import annotations

import pytest

from critmin.errors import DataFormatError
from critmin.sources.iea_outlook import IEA_DEMAND_SCHEMA, IEA_SUPPLY_SCHEMA, read_iea_demand, read_iea_supply

DEMAND = "outlook/iea_demand_by_mineral_scenario_kt.csv"
SUPPLY = "outlook/iea_supply_by_country_stage_kt.csv"


@pytest.fixture(scope="module")
def demand(shared_data):
    return read_iea_demand(shared_data / DEMAND)


@pytest.fixture(scope="module")
def supply(shared_data):
    return read_iea_supply(shared_data / SUPPLY)


def _lines(shared_data, rel):
    return (shared_data / rel).read_text(encoding="utf-8").splitlines()


def _write(tmp_path, lines, name="iea.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_demand_real_file(demand):
    IEA_DEMAND_SCHEMA.validate(demand)
    assert len(demand) == 1264
    assert set(demand["scenario"]) == {"observed", "STEPS", "APS", "NZE"}
    assert set(demand.loc[demand.scenario == "observed", "year"]) == {2024}
    cu = demand[(demand.mineral == "Copper") & (demand.scenario == "observed")].set_index("measure")["value_kt"]
    assert cu["totalClean"] == pytest.approx(7737.022798473832)
    # totals are identities, so summing across measures would double count
    tot = (
        demand[demand.measure != "clean_tech_sector"]
        .pivot_table(index=["mineral", "scenario", "year"], columns="measure", values="value_kt")
        .dropna(subset=["totalDemand"])
    )
    assert ((tot.totalClean + tot.otherUses - tot.totalDemand).abs() <= 1e-6 * tot.totalDemand).all()
    assert demand.loc[demand.measure == "clean_tech_sector", "sector"].notna().all()
    assert demand.loc[demand.measure != "clean_tech_sector", "sector"].isna().all()


def test_supply_real_file(supply):
    IEA_SUPPLY_SCHEMA.validate(supply)
    assert len(supply) == 340  # 348 rows less 8 footnote rows
    assert not supply["country"].str.startswith("Notes").any()
    assert supply.loc[supply.country == "World", "iso3"].eq("WLD").all()
    assert supply.loc[supply.country == "Rest of world", "iso3"].isna().all()
    row = supply[(supply.mineral == "Copper") & (supply.stage == "mining") & (supply.year == 2024)]
    assert row.set_index("iso3")["value_kt"]["CHL"] == 5476.0
    # countries plus rest of world come within 3.5% of the World row
    world = supply[supply.iso3 == "WLD"].set_index(["mineral", "stage", "year"])["value_kt"]
    parts = supply[supply.iso3 != "WLD"].groupby(["mineral", "stage", "year"])["value_kt"].sum()
    assert ((parts - world).abs() / world).max() < 0.035


def test_missing_column(tmp_path, shared_data):
    lines = _lines(shared_data, DEMAND)
    lines[0] = lines[0].replace("scenario", "case")
    with pytest.raises(DataFormatError, match="scenario") as exc:
        read_iea_demand(_write(tmp_path, lines[:20]))
    assert exc.value.field == "scenario"


def test_truncated(tmp_path, shared_data):
    lines = _lines(shared_data, SUPPLY)[:30]
    lines[-1] = lines[-1].rsplit(",", 1)[0]
    with pytest.raises(DataFormatError, match="fields"):
        read_iea_supply(_write(tmp_path, lines))


@pytest.mark.parametrize("bad", ["-1", "inf", "nan", "lots", ""])
def test_bad_value(tmp_path, shared_data, bad):
    lines = _lines(shared_data, SUPPLY)[:5] + [f"Copper,mining,Peru,2045,{bad}"]
    with pytest.raises(DataFormatError) as exc:
        read_iea_supply(_write(tmp_path, lines))
    assert exc.value.row == 5 and exc.value.field == "kt"


def test_unknown_country(tmp_path, shared_data):
    lines = _lines(shared_data, SUPPLY)[:5] + ["Copper,mining,Atlantis,2024,5.0"]
    with pytest.raises(DataFormatError, match="Atlantis") as exc:
        read_iea_supply(_write(tmp_path, lines))
    assert exc.value.field == "country"


def test_unknown_scenario_and_stray_sector(tmp_path, shared_data):
    head = _lines(shared_data, DEMAND)[:3]
    with pytest.raises(DataFormatError, match="scenario 'SDS'"):
        read_iea_demand(_write(tmp_path, head + ["demand,Copper,totalClean,,SDS,2030,1.0"]))
    with pytest.raises(DataFormatError, match="sector"):
        read_iea_demand(_write(tmp_path, head + ["demand,Copper,totalClean,Wind,STEPS,2030,1.0"]))


def test_duplicate_and_empty(tmp_path, shared_data):
    lines = _lines(shared_data, DEMAND)
    with pytest.raises(DataFormatError, match="twice"):
        read_iea_demand(_write(tmp_path, lines[:5] + [lines[2]]))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        read_iea_supply(empty)
