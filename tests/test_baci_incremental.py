"""``trade_flows`` as a year-partitioned dataset, incremental BACI builds, and the release product table.

A rebuild reads only the year files whose checksum changed (or that are new); the others'
partitions are carried over, and the result equals a build from scratch.
"""

from __future__ import annotations

import logging
import shutil
import zipfile

import pandas as pd
import pytest

from _baci_synthetic import write_year
from critmin.config import load_settings
from critmin.sources.baci import read_baci
from critmin.warehouse import open_warehouse
from critmin.warehouse.build import build

CODES = "country_codes_V202601.csv"
REAL = ["BACI_HS17_Y2022_V202601_critical31.csv", "BACI_HS17_Y2024_V202601_critical31.csv"]
SYNTHETIC_2023 = "BACI_HS17_Y2023_V202601_synthetic.csv"


@pytest.fixture()
def two_years(tmp_path, mirror):
    """A mirror folder with the bundle's two year files and the country table."""
    m = tmp_path / "mirror"
    (m / "baci").mkdir(parents=True)
    for name in REAL + [CODES]:
        shutil.copy(mirror / "baci" / name, m / "baci" / name)
    return m


def _ingested(caplog) -> list[int]:
    """The years the BACI loader read from their files (its log), in order."""
    return [
        int(r.getMessage().split()[1])
        for r in caplog.records
        if r.name == "critmin.sources.baci" and "ingested" in r.getMessage()
    ]


def _flows(wh) -> pd.DataFrame:
    return wh.read("trade_flows").sort_values(["year", "exporter", "importer", "hs6"]).reset_index(drop=True)


def test_trade_flows_is_one_partition_per_year(tmp_path, two_years):
    import pyarrow.parquet as pq

    wh = build(load_settings(home=tmp_path / "home", mirror=two_years, offline=True), ["baci"], progress=False)
    root = wh.table_path("trade_flows")
    assert root.is_dir() and wh.is_partitioned("trade_flows")
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet")) == [
        "year=2022/part-0.parquet",
        "year=2024/part-0.parquet",
    ]
    # the partition's file has no year column (the folder gives it), every reader gets it back, first, int16
    assert "year" not in pq.read_schema(root / "year=2024" / "part-0.parquet").names
    df = wh.read("trade_flows")
    assert list(df.columns) == ["year", "exporter", "importer", "hs6", "value_usd", "qty_t", "hs_revision"]
    assert str(df["year"].dtype) == "int16" and df.groupby("year").size().to_dict() == {2022: 23167, 2024: 21723}
    assert wh.columns("trade_flows") == list(df.columns)
    assert wh.read("trade_flows", columns=["hs6", "year"]).columns.tolist() == ["hs6", "year"]
    with wh.duckdb() as con:  # the catalogue's view, relative to the build folder
        assert con.execute(
            "SELECT typeof(year), count(*) FROM trade_flows WHERE year = 2022 GROUP BY 1"
        ).fetchall() == [("SMALLINT", 23167)]
    prov = wh.provenance_of("trade_flows")
    assert (prov["rows"] == 23167 + 21723).all()


def test_adding_a_year_file_ingests_only_that_year(tmp_path, two_years, caplog):
    caplog.set_level(logging.INFO, logger="critmin.sources.baci")
    settings = load_settings(home=tmp_path / "home", mirror=two_years, offline=True)
    first = build(settings, ["baci"], progress=False)
    assert _ingested(caplog) == [2022, 2024]
    assert not first.read("baci_years")["reused"].any()
    old_2024 = first.table_path("trade_flows") / "year=2024" / "part-0.parquet"

    write_year(two_years / "baci" / SYNTHETIC_2023, 2023, seed=7)
    caplog.clear()
    second = build(settings, ["baci"], progress=False)
    assert _ingested(caplog) == [2023]
    years = second.read("baci_years").set_index("year")
    assert years["reused"].to_dict() == {2022: True, 2023: False, 2024: True}
    # the carried-over partition is the same file (a hard link inside the home), not a copy
    new_2024 = second.table_path("trade_flows") / "year=2024" / "part-0.parquet"
    assert new_2024.stat().st_ino == old_2024.stat().st_ino
    assert list((settings.home / "tmp").iterdir()) == []

    scratch = build(load_settings(home=tmp_path / "scratch", mirror=two_years, offline=True), ["baci"], progress=False)
    pd.testing.assert_frame_equal(_flows(second), _flows(scratch))
    a, b = (w.read("baci_years").drop(columns="reused") for w in (second, scratch))
    pd.testing.assert_frame_equal(a, b)
    assert sorted(_flows(second)["year"].unique()) == [2022, 2023, 2024]


def test_a_changed_file_is_read_again_and_a_removed_one_dropped(tmp_path, two_years, caplog):
    caplog.set_level(logging.INFO, logger="critmin.sources.baci")
    settings = load_settings(home=tmp_path / "home", mirror=two_years, offline=True)
    write_year(two_years / "baci" / SYNTHETIC_2023, 2023, seed=7)
    build(settings, ["baci"], progress=False)
    write_year(two_years / "baci" / SYNTHETIC_2023, 2023, seed=8)  # same name, other content
    (two_years / "baci" / REAL[0]).unlink()
    caplog.clear()
    wh = build(settings, ["baci"], progress=False)
    assert _ingested(caplog) == [2023]
    assert wh.read("baci_years")["year"].tolist() == [2023, 2024]
    assert sorted(p.name for p in wh.table_path("trade_flows").iterdir()) == ["year=2023", "year=2024"]


def test_a_damaged_partition_is_not_carried_over(tmp_path, two_years, caplog):
    import pyarrow.parquet as pq

    caplog.set_level(logging.INFO, logger="critmin.sources.baci")
    settings = load_settings(home=tmp_path / "home", mirror=two_years, offline=True)
    wh = build(settings, ["baci"], progress=False)
    part = wh.table_path("trade_flows") / "year=2022" / "part-0.parquet"
    half = pq.read_table(part).slice(0, 100)
    part.unlink()
    pq.write_table(half, part)
    caplog.clear()
    again = build(settings, ["baci"], progress=False)
    assert _ingested(caplog) == [2022]
    assert (again.read("trade_flows")["year"] == 2022).sum() == 23167


def test_a_new_release_replaces_every_year(tmp_path, mirror, caplog):
    """Other version string in the file names: nothing of the previous release is reused."""
    caplog.set_level(logging.INFO, logger="critmin.sources.baci")
    settings = load_settings(home=tmp_path / "home", mirror=mirror, offline=True)
    previous = build(settings, ["baci"], progress=False)
    renamed = []
    for name in REAL:
        dest = tmp_path / name.replace("V202601", "V202701")
        shutil.copy(mirror / "baci" / name, dest)
        renamed.append(dest)
    work = tmp_path / "work"
    work.mkdir()
    caplog.clear()
    out = read_baci({"flows": renamed, "countries": mirror / "baci" / CODES}, work, previous=previous)
    assert _ingested(caplog) == [2022, 2024]
    assert not out["baci_years"]["reused"].any()
    # the same files under their own names are reused
    caplog.clear()
    work2 = tmp_path / "work2"
    work2.mkdir()
    out = read_baci(
        {"flows": [mirror / "baci" / n for n in REAL], "countries": mirror / "baci" / CODES},
        work2,
        previous=open_warehouse(settings),
    )
    assert _ingested(caplog) == [] and out["baci_years"]["reused"].all()


def test_zip_members_are_hashed_without_extracting_and_extracts_removed(tmp_path, mirror, caplog):
    caplog.set_level(logging.INFO, logger="critmin.sources.baci")
    z = tmp_path / "BACI_HS17_V202601.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in REAL:
            zf.write(mirror / "baci" / name, name)
    work = tmp_path / "work"
    work.mkdir()
    out = read_baci({"flows": z, "countries": mirror / "baci" / CODES}, work)
    assert sorted(p.name for p in work.iterdir()) == ["trade_flows"]  # no extracted CSV left behind
    years = out["baci_years"]
    assert years["integrity"].str.startswith("verified").all()
    from critmin.sources.http import sha256_of

    assert years["sha256"].tolist() == [sha256_of(mirror / "baci" / n) for n in REAL]


def test_product_table_beside_the_year_files_types_hs6_and_is_checked(tmp_path, mirror):
    """An unpacked release: ``product_codes_HS17_V202601.csv`` next to the year CSV is the product table."""
    import pyarrow.parquet as pq

    from critmin.errors import DataFormatError

    folder = tmp_path / "release"
    folder.mkdir()
    year_file = folder / "BACI_HS17_Y2024_V202601.csv"
    shutil.copy(mirror / "baci" / REAL[1], year_file)
    flows = pd.read_csv(year_file, dtype=str)
    codes = sorted(flows["k"].str.zfill(6).unique())
    table = folder / "product_codes_HS17_V202601.csv"
    table.write_text("code,description\n" + "\n".join(f"{c},x" for c in codes) + "\n")
    args = {"flows": [year_file], "countries": mirror / "baci" / CODES}
    with_table = read_baci(args, tmp_path / "a")["trade_flows"]
    part = with_table / "year=2024" / "part-0.parquet"
    # the enum-typed columns are written as plain strings: readers see the same table as without the table
    assert {f.name: str(f.type) for f in pq.read_schema(part)}["hs6"] == "string"
    table.unlink()
    without = read_baci(args, tmp_path / "b")["trade_flows"]
    pd.testing.assert_frame_equal(pd.read_parquet(part), pd.read_parquet(without / "year=2024" / "part-0.parquet"))
    table.write_text("code,description\n" + "\n".join(f"{c},x" for c in codes[1:]) + "\n")
    with pytest.raises(DataFormatError, match=f"product code .*{codes[0].lstrip('0')}.* not in the release"):
        read_baci(args, tmp_path / "c")


def test_building_another_source_carries_the_dataset_over(tmp_path, mirror):
    settings = load_settings(home=tmp_path / "home", mirror=mirror, offline=True)
    first = build(settings, ["baci"], progress=False)
    before = first.table_path("trade_flows") / "year=2022" / "part-0.parquet"
    wh = build(settings, ["wgi"], progress=False)
    assert wh.path != first.path and {"trade_flows", "governance"} <= set(wh.tables())
    after = wh.table_path("trade_flows") / "year=2022" / "part-0.parquet"
    assert after.stat().st_ino == before.stat().st_ino  # linked, not copied
    pd.testing.assert_frame_equal(_flows(wh), _flows(first))
    with wh.duckdb() as con:
        assert con.execute("SELECT count(*) FROM trade_flows").fetchone()[0] == 23167 + 21723


def test_a_build_hashes_each_year_file_once(tmp_path, two_years, monkeypatch):
    """The loader takes the fetch's checksums (and records them) instead of hashing the files again."""
    import critmin.sources.baci as baci

    def refuse(path):
        raise AssertionError(f"{path} hashed a second time")

    monkeypatch.setattr(baci, "sha256_of", refuse)
    wh = build(load_settings(home=tmp_path / "home", mirror=two_years, offline=True), ["baci"], progress=False)
    prov = wh.provenance_of("trade_flows").set_index("file")["sha256"]
    years = wh.read("baci_years").set_index("file")["sha256"]
    assert years.to_dict() == {f: prov[f] for f in REAL}


def test_the_year_summary_comes_from_the_checking_pass(tmp_path, mirror, monkeypatch):
    """A clean year's rows, quantities flag and total are taken from the check's aggregate, not a second read,
    and equal what reading the written partition gives."""
    from critmin.sources import baci

    reads = []
    real_summary = baci.year_summary
    monkeypatch.setattr(baci, "year_summary", lambda *a, **k: reads.append(a) or real_summary(*a, **k))
    paths = {"flows": [mirror / "baci" / name for name in REAL], "countries": mirror / "baci" / CODES}
    out = read_baci(paths, tmp_path / "work")
    assert reads == []  # both bundle years took the fast path
    for row in out["baci_years"].to_dict(orient="records"):
        part = tmp_path / "work" / "trade_flows" / f"year={row['year']}" / "part-0.parquet"
        again = real_summary(part, row["file"], row["year"])
        assert row["rows"] == again["rows"] and row["has_quantities"] == again["has_quantities"]
        assert row["value_usd_total"] == pytest.approx(again["value_usd_total"], rel=1e-12)
    assert out["baci_years"]["has_quantities"].tolist() == [False, True]  # the 2022 file has no quantities


def test_a_file_that_fails_the_fast_path_is_summarised_from_its_partition(tmp_path, mirror, monkeypatch):
    from critmin.sources import baci

    bad = tmp_path / "in" / "BACI_HS17_Y2024_V202601_edited.csv"
    bad.parent.mkdir()
    lines = (mirror / "baci" / REAL[1]).read_text().splitlines()
    padded = ",".join(lines[50].split(",")[:5] + [" NA"])  # a space-padded NA: only the validating path reads it
    bad.write_text("\n".join(lines[:50] + [padded] + lines[51:]) + "\n")
    reads = []
    real_summary = baci.year_summary
    monkeypatch.setattr(baci, "year_summary", lambda *a, **k: reads.append(a) or real_summary(*a, **k))
    out = read_baci({"flows": [bad], "countries": mirror / "baci" / CODES}, tmp_path / "work")
    assert len(reads) == 1 and out["baci_years"]["rows"].tolist() == [len(lines) - 1]
