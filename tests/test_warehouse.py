"""Warehouse: atomic publish, idempotent rebuild, failed build keeps the old one, provenance."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from critmin.config import load_settings
from critmin.errors import DataFormatError, WarehouseError
from critmin.warehouse import open_warehouse
from critmin.warehouse.build import build


def _mirror_copy(tmp_path, mirror):
    dest = tmp_path / "mirror"
    shutil.copytree(mirror / "baci", dest / "baci")
    return dest


def test_no_warehouse_is_a_clear_error(settings):
    with pytest.raises(WarehouseError, match="critmin data build"):
        open_warehouse(settings)


def test_build_publishes_tables_with_provenance(settings, shared_data):
    wh = build(settings, ["baci"], progress=False)
    assert {"trade_flows", "baci_years", "baci_countries"} <= set(wh.tables())
    prov = wh.provenance_of("trade_flows")
    assert set(prov["file"]) == {
        "BACI_HS17_Y2022_V202601_critical31.csv",
        "BACI_HS17_Y2024_V202601_critical31.csv",
        "country_codes_V202601.csv",
    }
    assert (prov["rows"] == 21723 + 23167).all()
    assert prov["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert prov["licence"].iloc[0].startswith("Etalab")
    # the DuckDB catalogue has a view per table
    with wh.duckdb() as con:
        n = con.execute("SELECT count(*) FROM trade_flows").fetchone()[0]
    assert n == 21723 + 23167


def test_rebuild_is_idempotent(settings):
    a = build(settings, ["baci"], progress=False).read("trade_flows")
    b = build(settings, ["baci"], progress=False).read("trade_flows")
    pd.testing.assert_frame_equal(a, b)
    # old builds are pruned: at most two kept
    builds = list((settings.warehouse_dir / "builds").iterdir())
    assert len(builds) <= 2


def test_failed_build_keeps_previous_warehouse(tmp_path, mirror):
    m = _mirror_copy(tmp_path, mirror)
    s = load_settings(home=tmp_path / "home", mirror=m, offline=True)
    before = build(s, ["baci"], progress=False)
    rows_before = len(before.read("trade_flows"))
    # truncate the flows file mid-line
    f = m / "baci" / "BACI_HS17_Y2024_V202601_critical31.csv"
    text = f.read_text()
    f.write_text(text[: len(text) // 2].rsplit("\n", 1)[0] + "\n2024,4,68")
    with pytest.raises(DataFormatError):
        build(s, ["baci"], progress=False)
    after = open_warehouse(s)
    assert after.path == before.path
    assert len(after.read("trade_flows")) == rows_before
    assert not list((s.warehouse_dir / "builds").glob("*.partial"))


def test_two_homes_do_not_interfere(tmp_path, mirror):
    a = load_settings(home=tmp_path / "a", mirror=mirror)
    b = load_settings(home=tmp_path / "b", mirror=mirror)
    build(a, ["baci"], progress=False)
    with pytest.raises(WarehouseError):
        open_warehouse(b)


def test_timestamps_are_stored_in_microseconds(warehouse):
    """Every engine can read the tables: Spark rejects nanosecond Parquet timestamps."""
    import pyarrow.dataset as ds

    for t in warehouse.tables():  # a file, or a partitioned table's folder
        for field in ds.dataset(warehouse.table_path(t), format="parquet", partitioning="hive").schema:
            if str(field.type).startswith("timestamp"):
                assert field.type.unit in ("us", "ms"), (t, field.name, field.type)
