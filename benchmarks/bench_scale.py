"""Benchmark multi-year BACI ingest and the every-reporter dependence screen, in one run.

Generates ``--years`` BACI-shaped year files of ``--rows-per-year`` rows (seeded, realistic skew:
see ``gen_baci.py``), then, each step in a fresh subprocess, ``--repeat`` times, the compared
programs alternating (critmin, baseline, critmin, ...):

(a) ingest: critmin's BACI loader (``read_baci`` on all year files: checksums, validation, ISO3
    mapping, one Parquet partition per year written straight from its CSV) against a bare DuckDB
    ``read_csv -> Parquet`` COPY of the same files. As in an unpacked release, the release's product
    table ``product_codes_HS17_V202601.csv`` sits beside the year files (every code the files use;
    ``--no-product-table`` leaves it out, and HS6 is then written as hashed text);
(b) screen: :func:`critmin.domain.indicators.screen.screen` (every reporter x HS6 x year, GeoDep
    criteria with persistence) over the partitioned ``trade_flows``, written to Parquet on DuckDB,
    against the straightforward pandas version (groupby sums, HHI, world export HHI, ratio) on the
    same dataset, run only up to ``--pandas`` years (default 2);
(c) the slope: (a) and (b) on the first year alone and on all years, cost per extra year;
(d) incremental: ``critmin data build baci`` (the warehouse build) on all years but the last, then
    the rebuild after the last year file is added, which reads only that file.

Reported per step: the median over the repeats of the whole process's wall time (interpreter start,
imports and the work: what a user waits for), the median of the timed body alone, and the peak
resident memory (highest over the repeats). Ratios are of medians.

Usage::

    python benchmarks/bench_scale.py --years 2 --rows-per-year 500000 [--repeat 3] [--seed 2024] [--workdir DIR]

Synthetic data are used for timing only, never for results.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_baci  # noqa: E402
from bench_explorer import run_child  # noqa: E402

FIRST_YEAR = 1995
CODES = "country_codes_V202601.csv"


def make_years(n: int, rows: int, seed: int, mirror: Path, out: Path) -> list[Path]:
    """``n`` year files ``BACI_HS17_Y<year>_V202601.csv`` (a different seed per year)."""
    import numpy as np
    import pyarrow as pa

    paths = []
    for k in range(n):
        year = FIRST_YEAR + k
        path = out / f"BACI_HS17_Y{year}_V202601.csv"
        if not path.exists():
            table = gen_baci.generate(rows, seed + k, mirror, structure_seed=seed)
            table = table.set_column(0, "t", pa.array(np.full(rows, year, dtype=np.int16)))
            gen_baci.write_csv(table, path)
        paths.append(path)
    return paths


def write_product_table(paths: list[Path], out: Path) -> Path:
    """The release's ``product_codes_HS17_V202601.csv`` beside the year files: every code they use (untimed)."""
    import duckdb

    files = ", ".join(f"'{p.as_posix()}'" for p in paths)
    codes = duckdb.sql(
        f"SELECT DISTINCT lpad(CAST(k AS VARCHAR), 6, '0') FROM read_csv([{files}], header=true) ORDER BY 1"
    ).fetchall()
    out.write_text("code,description\n" + "".join(f"{c},synthetic\n" for (c,) in codes))
    return out


def timed(setup: str, body: str) -> dict:
    """:func:`run_child` plus the whole process's wall time (``process_s``)."""
    t0 = time.perf_counter()
    out = run_child(setup, body)
    out["process_s"] = time.perf_counter() - t0
    return out


def alternate(programs: dict[str, tuple[str, str]], repeat: int, before=None) -> dict[str, dict]:
    """Run each ``name: (setup, body)`` ``repeat`` times, alternating; medians and peak memory per name."""
    runs: dict[str, list[dict]] = {name: [] for name in programs}
    for _ in range(repeat):
        for name, (setup, body) in programs.items():
            if before is not None:
                before(name)
            runs[name].append(timed(setup, body))
    return {
        name: {
            "process_s": statistics.median(r["process_s"] for r in rs),
            "body_s": statistics.median(r["wall_s"] for r in rs),
            "peak_gb": max(r["peak_rss_bytes"] for r in rs) / 1e9,
            "runs_process_s": [round(r["process_s"], 3) for r in rs],
            "result": rs[-1]["result"],
        }
        for name, rs in runs.items()
    }


def ingest(paths: list[Path], mirror: Path, work: Path, repeat: int) -> dict:
    files = [str(p) for p in paths]
    dataset = work / "critmin"

    def fresh(name):  # remove the output of the program about to run
        if name == "critmin":
            shutil.rmtree(dataset, ignore_errors=True)
            dataset.mkdir()
        else:
            (work / "bare.parquet").unlink(missing_ok=True)

    res = alternate(
        {
            "critmin": (
                "from pathlib import Path\nimport pyarrow.dataset as ds\nfrom critmin.sources.baci import read_baci",
                f"""
            out = read_baci({{"flows": [Path(p) for p in {files!r}],
                             "countries": Path({str(mirror / "baci" / CODES)!r})}}, Path({str(dataset)!r}))
            rows = ds.dataset(out["trade_flows"], format="parquet", partitioning="hive").count_rows()
            result = [rows, str(out["trade_flows"])]
        """,
            ),
            "bare": (
                "import duckdb",
                f"""
            con = duckdb.connect()
            result = con.execute(\"\"\"COPY (SELECT * FROM read_csv({files!r}, header=true))
                                     TO {str(work / "bare.parquet")!r} (FORMAT parquet)\"\"\").fetchone()[0]
        """,
            ),
        },
        repeat,
        before=fresh,
    )
    ours, bare = res["critmin"], res["bare"]
    rows, parquet = ours["result"]
    return {
        "rows": rows,
        "parquet": parquet,
        "critmin_s": ours["process_s"],
        "bare_duckdb_s": bare["process_s"],
        "ratio": ours["process_s"] / bare["process_s"],
        "critmin_body_s": ours["body_s"],
        "bare_body_s": bare["body_s"],
        "body_ratio": ours["body_s"] / bare["body_s"],
        "rows_per_s": rows / ours["process_s"],
        "critmin_peak_gb": ours["peak_gb"],
        "bare_peak_gb": bare["peak_gb"],
        "runs": {"critmin": ours["runs_process_s"], "bare": bare["runs_process_s"]},
    }


def screen(dataset: Path, years: list[int], work: Path, with_pandas: bool, repeat: int) -> dict:
    out_dir = work / "screen"
    # a year-partitioned dataset (or, from an older loader, one file) read as the warehouse reads it
    scan = (
        f"(SELECT CAST(year AS SMALLINT) AS year, * EXCLUDE (year) FROM "
        f"read_parquet('{dataset}', hive_partitioning=true))"
        if dataset.is_dir()
        else f"read_parquet('{dataset}')"
    )
    programs = {
        "critmin": (
            "import ibis\nfrom critmin.domain.indicators.screen import screen\nfrom critmin.engine import duckdb_config",
            f"""
        con = ibis.duckdb.connect(**duckdb_config())
        con.raw_sql({"CREATE VIEW trade_flows AS SELECT * FROM " + scan!r})
        expr = screen(con.table("trade_flows"), years={years!r})
        con.raw_sql("COPY (" + ibis.to_sql(expr, dialect="duckdb") + ") TO '{out_dir}' "
                    "(FORMAT parquet, PARTITION_BY (year), OVERWRITE_OR_IGNORE)").fetchall()
        result = con.raw_sql("SELECT count(*) FROM read_parquet('{out_dir}/*/*.parquet')").fetchone()[0]
    """,
        )
    }
    if with_pandas:
        programs["pandas"] = (
            "import numpy as np, pandas as pd",
            f"""
            f = pd.read_parquet({str(dataset)!r}, columns=["year", "exporter", "importer", "hs6", "value_usd"])
            f["year"] = f["year"].astype("int16")  # a hive partition key comes back as a category
            f = f[(f.exporter != f.importer) & (f.value_usd > 0)]
            g = f.groupby(["year", "importer", "hs6"])["value_usd"]
            m = g.sum().rename("imports")
            hhi = (f.assign(v2=f.value_usd ** 2).groupby(["year", "importer", "hs6"])["v2"].sum() / m ** 2)
            x = f.groupby(["year", "hs6", "exporter"])["value_usd"].sum()
            whhi = (x ** 2).groupby(level=[0, 1]).sum() / x.groupby(level=[0, 1]).sum() ** 2
            own = x.rename_axis(["year", "hs6", "importer"])
            res = pd.concat([m, hhi.rename("hhi")], axis=1).reset_index()
            res = res.merge(whhi.rename("whhi").reset_index(), on=["year", "hs6"])
            res = res.merge(own.rename("exports").reset_index(), on=["year", "hs6", "importer"], how="left")
            res["ratio"] = np.where(res.exports > 0, res.imports / res.exports, 9999.0)
            res["dependent"] = (res.hhi > 0.4) & (res.whhi > 0.4) & (res.ratio > 1)
            res.to_parquet({str(work / "pandas.parquet")!r})
            result = len(res)
        """,
        )
    res = alternate(
        programs, repeat, before=lambda name: shutil.rmtree(out_dir, ignore_errors=True) if name == "critmin" else None
    )
    ours = res["critmin"]
    out = {
        "rows": ours["result"],
        "critmin_s": ours["process_s"],
        "critmin_body_s": ours["body_s"],
        "critmin_peak_gb": ours["peak_gb"],
        "input_rows_per_s": None,
        "runs": {"critmin": ours["runs_process_s"]},
    }
    if with_pandas:
        plain = res["pandas"]
        out.update(
            pandas_s=plain["process_s"],
            pandas_body_s=plain["body_s"],
            pandas_peak_gb=plain["peak_gb"],
            ratio_vs_pandas=plain["process_s"] / ours["process_s"],
            body_ratio_vs_pandas=plain["body_s"] / ours["body_s"],
            pandas_rows=plain["result"],
        )
        out["runs"]["pandas"] = plain["runs_process_s"]
    return out


def incremental(paths: list[Path], mirror: Path, work: Path) -> dict:
    """``build(["baci"])`` on all years but the last, then the rebuild once the last file is added."""
    src = work / "mirror" / "baci"
    src.mkdir(parents=True, exist_ok=True)
    shutil.copy(mirror / "baci" / CODES, src / CODES)
    for p in paths[:-1] + sorted(paths[0].parent.glob("product_codes_*.csv")):
        (src / p.name).unlink(missing_ok=True)
        (src / p.name).symlink_to(p)
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    setup = "from critmin.config import load_settings\nfrom critmin.warehouse.build import build"
    body = f"""
        wh = build(load_settings(home={str(home)!r}, mirror={str(work / "mirror")!r}, offline=True), ["baci"],
                   progress=False)
        y = wh.read("baci_years")
        read = y.loc[~y["reused"], "year"] if "reused" in y else y["year"]  # an older loader reads every year
        result = [int(y["rows"].sum()), sorted(int(v) for v in read)]
    """
    first = timed(setup, body)
    (src / paths[-1].name).unlink(missing_ok=True)
    (src / paths[-1].name).symlink_to(paths[-1])
    second = timed(setup, body)
    # end to end, as a user runs it: the screen service on the built warehouse, every year, written to Parquet
    shutil.rmtree(work / "screen", ignore_errors=True)
    e2e = timed(
        "from pathlib import Path\nfrom critmin.config import load_settings\nfrom critmin.services.screen import run_screen",
        f"""
        res = run_screen(load_settings(home={str(home)!r}, mirror={str(work / "mirror")!r}, offline=True),
                         parquet=Path({str(work / "screen")!r}))
        result = [res["rows"], res["n_dependent"], res["n_persistent"], len(res["years"])]
    """,
    )
    return {
        "build_s": first["process_s"],
        "rebuild_after_one_more_year_s": second["process_s"],
        "years_read_by_rebuild": second["result"][1],
        "rows_after": second["result"][0],
        "rebuild_peak_gb": second["peak_rss_bytes"] / 1e9,
        "screen_service_s": e2e["process_s"],
        "screen_service_peak_gb": e2e["peak_rss_bytes"] / 1e9,
        "screen_service_rows_dependent_persistent_years": e2e["result"],
    }


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--rows-per-year", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="alternating runs per step (medians reported)")
    ap.add_argument("--pandas", type=int, default=2, help="run the pandas screen up to this many years")
    ap.add_argument("--mirror", type=Path, default=None)
    ap.add_argument("--memory-limit", default=None, help="CRITMIN_MEMORY_LIMIT for every step (e.g. 3GB)")
    ap.add_argument("--skip-one-year", action="store_true", help="measure all years only (no slope)")
    ap.add_argument(
        "--no-product-table",
        action="store_true",
        help="leave out the release's product table (then HS6 is written as hashed text)",
    )
    a = ap.parse_args(argv)
    if a.memory_limit:
        os.environ["CRITMIN_MEMORY_LIMIT"] = a.memory_limit  # inherited by every step's process
    mirror = a.mirror or gen_baci.default_mirror()
    root = a.workdir or Path(tempfile.mkdtemp(prefix="critmin-bench-scale-"))
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    paths = make_years(a.years, a.rows_per_year, a.seed, mirror, data)
    table = data / "product_codes_HS17_V202601.csv"
    table.unlink(missing_ok=True)
    if not a.no_product_table:
        write_product_table(paths, table)
    report: dict = {
        "years": a.years,
        "rows_per_year": a.rows_per_year,
        "seed": a.seed,
        "repeat": a.repeat,
        "product_table": not a.no_product_table,
        "memory_limit": a.memory_limit,
    }
    cases = (("all_years", paths),) if a.skip_one_year else (("one_year", paths[:1]), ("all_years", paths))
    for label, subset in cases:
        work = root / label
        work.mkdir(exist_ok=True)
        ing = ingest(subset, mirror, work, a.repeat)
        yrs = [FIRST_YEAR + k for k in range(len(subset))]
        scr = screen(Path(ing["parquet"]), yrs, work, len(subset) <= a.pandas, a.repeat)
        scr["input_rows_per_s"] = ing["rows"] / scr["critmin_s"]
        report[label] = {"ingest": ing, "screen": scr}
        if a.years == 1:
            break
    if a.years > 1 and not a.skip_one_year:
        extra = a.years - 1
        for step in ("ingest", "screen"):
            for kind in ("critmin_s", "critmin_body_s"):
                one, all_ = report["one_year"][step][kind], report["all_years"][step][kind]
                report[f"{step}_slope_{kind.removeprefix('critmin_')}_per_year"] = (all_ - one) / extra
    if a.years > 1:
        report["incremental"] = incremental(paths, mirror, root / "incremental")
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
