"""Warehouse housekeeping: a moved home keeps its catalogue; a handle survives rebuilds."""

from __future__ import annotations

import shutil

from critmin.config import load_settings
from critmin.warehouse import open_warehouse
from critmin.warehouse.build import build


def test_catalogue_survives_moving_the_home(tmp_path, mirror):
    s = load_settings(home=tmp_path / "a", mirror=mirror, offline=True)
    build(s, ["wgi"], progress=False)
    shutil.move(str(tmp_path / "a"), str(tmp_path / "b"))
    moved = load_settings(home=tmp_path / "b", mirror=mirror, offline=True)
    wh = open_warehouse(moved)
    with wh.duckdb() as con:
        n = con.execute("SELECT count(*) FROM governance").fetchone()[0]
    assert n == len(wh.read("governance")) > 0
    assert str(tmp_path / "a") not in (wh.path / "catalog.duckdb").read_bytes().decode("latin-1")


def test_a_handle_reopens_after_its_build_is_pruned(settings):
    first = build(settings, ["wgi"], progress=False)
    held = open_warehouse(settings)
    old = held.path
    build(settings, ["wgi"], progress=False)
    build(settings, ["wgi"], progress=False)  # two rebuilds: the held build is pruned
    assert not old.exists()
    assert held.path != old and held.path == open_warehouse(settings).path
    assert len(held.read("governance")) == len(first.read("governance"))
    with held.duckdb() as con:
        assert con.execute("SELECT count(*) FROM governance").fetchone()[0] > 0
