"""The import-dependence screen: equal to a plain-Python recomputation from the raw BACI year files."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict

import ibis
import pandas as pd
import pytest

from critmin.domain.indicators.screen import screen
from critmin.services.screen import run_screen


def _plain(mirror, year, reporter, members=None):
    """GeoDep criteria for ``reporter`` from the raw CSV with dicts and loops (no critmin code).

    ``members``: the ISO3 codes of a bloc reporter, merged into one economy (trade between them
    dropped, the bloc one exporter in the world export HHI)."""
    codes = {}
    with open(mirror / "baci" / "country_codes_V202601.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            codes.setdefault(int(r["country_code"]), r["country_iso3"])
    members = set(members or {reporter})
    rep_codes = {c for c, iso in codes.items() if iso in members}
    imp, world, own = (
        defaultdict(lambda: defaultdict(float)),
        defaultdict(lambda: defaultdict(float)),
        defaultdict(float),
    )
    with open(mirror / "baci" / f"BACI_HS17_Y{year}_V202601_critical31.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            i, j, k, v = int(r["i"]), int(r["j"]), r["k"].zfill(6), float(r["v"]) * 1000
            if i == j or v <= 0 or (i in rep_codes and j in rep_codes):
                continue
            world[k]["bloc" if i in rep_codes else i] += v
            if j in rep_codes:
                imp[k][i] += v
            if i in rep_codes:
                own[k] += v
    out = {}
    for k, sup in imp.items():
        m = sum(sup.values())
        xs = sum(world[k].values())
        hhi = sum((v / m) ** 2 for v in sup.values())
        whhi = sum((v / xs) ** 2 for v in world[k].values())
        ratio = m / own[k] if own[k] > 0 else 9999.0
        top3 = sum(sorted(sup.values(), reverse=True)[:3]) / m
        out[k] = dict(
            imports_usd=m,
            hhi=hhi,
            world_export_hhi=whhi,
            import_export_ratio=ratio,
            top3_share=top3,
            dependent=hhi > 0.4 and whhi > 0.4 and ratio > 1,
        )
    return out


@pytest.mark.parametrize("year", [2022, 2024])
def test_screen_equals_plain_recomputation(built_settings, mirror, year):
    res = run_screen(built_settings, years=[year], reporters=["IND"], limit=1000)
    from critmin.services.explorer import Explorer

    x = Explorer.open(built_settings)
    got = screen(x.table("trade_flows"), years=[year], reporters=["IND"]).to_pandas().set_index("hs6")
    want = _plain(mirror, year, "IND")
    assert set(got.index) == set(want)
    for k, w in want.items():
        for key in ("imports_usd", "hhi", "world_export_hhi", "import_export_ratio", "top3_share"):
            assert got.loc[k, key] == pytest.approx(w[key], rel=1e-9), (k, key)
        assert bool(got.loc[k, "dependent"]) == w["dependent"], k
    assert res["n_dependent"] == sum(w["dependent"] for w in want.values())


def test_a_bloc_is_screened_as_one_economy_and_leaves_the_countries_alone(built_settings, mirror, tmp_path):
    from critmin.classify.blocs import bloc_members

    res = run_screen(built_settings, years=[2024], reporters=["European Union", "IND"], parquet=tmp_path / "s")
    rows = pd.read_parquet(tmp_path / "s")
    assert set(rows["reporter"]) == {"EU27", "IND"}
    assert res["blocs"]["EU27"]["n_members"] == 27 and "extra-EU27" in res["blocs"]["EU27"]["note"]
    eu = rows[rows["reporter"] == "EU27"].set_index("hs6")
    want = _plain(mirror, 2024, "EU27", bloc_members("EU27"))
    assert set(eu.index) == set(want)
    for k, w in want.items():
        for key in ("imports_usd", "hhi", "world_export_hhi", "import_export_ratio", "top3_share"):
            assert eu.loc[k, key] == pytest.approx(w[key], rel=1e-9), (k, key)
        assert bool(eu.loc[k, "dependent"]) == w["dependent"], k
    alone = run_screen(built_settings, years=[2024], reporters=["IND"], parquet=tmp_path / "i")
    ind = pd.read_parquet(tmp_path / "i").set_index("hs6").sort_index()
    pd.testing.assert_frame_equal(rows[rows["reporter"] == "IND"].set_index("hs6").sort_index(), ind)
    assert res["rows"] == alone["rows"] + len(eu)


def test_persistence_needs_three_years_and_two_dependent():
    rows = []
    for y, dep in ((2020, True), (2021, False), (2022, True), (2023, False)):
        # one supplier (HHI 1) and one world exporter (HHI 1) when dependent; else four equal suppliers
        sups = ["S1"] if dep else ["S1", "S2", "S3", "S4"]
        rows += [(y, s, "R", "000001", 10.0) for s in sups]
    t = ibis.memtable(pd.DataFrame(rows, columns=["year", "exporter", "importer", "hs6", "value_usd"]))
    out = screen(t, years=[2020, 2021, 2022, 2023]).to_pandas().set_index("year").sort_index()
    assert out["dependent"].tolist() == [True, False, True, False]
    assert out["window_years"].tolist() == [1, 2, 3, 3]
    assert out["dependent_years"].tolist() == [1, 1, 2, 1]
    assert pd.isna(out.loc[2020, "persistent"]) and pd.isna(out.loc[2021, "persistent"])
    assert out.loc[2022, "persistent"] == True and out.loc[2023, "persistent"] == False  # noqa: E712


def test_cli_writes_a_year_partitioned_dataset(built_settings, tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "critmin",
            "screen",
            "--reporter",
            "IND",
            "--years",
            "2022,2024",
            "--parquet",
            str(tmp_path / "scr"),
            "--json",
            "--home",
            str(built_settings.home),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert sorted(p.name for p in (tmp_path / "scr").iterdir()) == ["year=2022", "year=2024"]
    back = pd.read_parquet(tmp_path / "scr")
    assert len(back) == res["rows"]
    assert {"mineral", "stage", "dependent_import_share"} <= set(res["rollup"][0])


def test_cli_unknown_year_is_one_line(built_settings):
    out = subprocess.run(
        [sys.executable, "-m", "critmin", "screen", "--years", "1990", "--home", str(built_settings.home)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "no trade data for year(s) 1990" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--reporter", "Atlantis"], "Atlantis"),
        (["--years", "2024", "--backend", "spark"], "unknown backend 'spark'"),
    ],
)
def test_cli_bad_reporter_or_backend_is_one_line(built_settings, args, message):
    out = subprocess.run(
        [sys.executable, "-m", "critmin", "screen", *args, "--home", str(built_settings.home)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0 and message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_cli_bloc_reporter_says_what_it_covers(built_settings):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "critmin",
            "screen",
            "-r",
            "EU27",
            "--years",
            "2024",
            "--home",
            str(built_settings.home),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert out.returncode == 0, out.stderr
    assert "EU27: extra-EU27 trade: the 27 members' trade with countries outside the bloc" in out.stdout
    assert " EU27 " in out.stdout
