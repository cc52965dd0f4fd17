"""Benchmark multi-year BACI ingest and the every-reporter dependence screen, in one run.

Generates ``--years`` BACI-shaped year files of ``--rows-per-year`` rows (seeded, realistic skew:
see ``gen_baci.py``), then, each step in a fresh subprocess (wall time and peak resident memory):

(a) ingest: critmin's BACI loader (``read_baci`` on all year files: validation, ISO3 mapping, one
    Parquet) against a bare DuckDB ``read_csv -> Parquet`` COPY of the same files;
(b) screen: :func:`critmin.domain.indicators.screen.screen` (every reporter x HS6 x year, GeoDep
    criteria with persistence) written to Parquet on DuckDB, against the straightforward pandas
    version (groupby sums, HHI, world export HHI, ratio) on the same Parquet, run only when
    ``--pandas`` (default: up to 2 years);
(c) the slope: (a) and (b) on the first year alone and on all years, cost per extra year.

Usage::

    python benchmarks/bench_scale.py --years 2 --rows-per-year 500000 [--seed 2024] [--workdir DIR]

Synthetic data are used for timing only, never for results.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_baci  # noqa: E402
from bench_explorer import run_child  # noqa: E402

FIRST_YEAR = 1995


def make_years(n: int, rows: int, seed: int, mirror: Path, out: Path) -> list[Path]:
    """``n`` year files ``BACI_HS17_Y<year>_V202601.csv`` (a different seed per year)."""
    import numpy as np
    import pyarrow as pa

    paths = []
    for k in range(n):
        year = FIRST_YEAR + k
        path = out / f"BACI_HS17_Y{year}_V202601.csv"
        if not path.exists():
            table = gen_baci.generate(rows, seed + k, mirror)
            table = table.set_column(0, "t", pa.array(np.full(rows, year, dtype=np.int16)))
            gen_baci.write_csv(table, path)
        paths.append(path)
    return paths


def ingest(paths: list[Path], mirror: Path, work: Path) -> dict:
    files = [str(p) for p in paths]
    critmin = run_child("from pathlib import Path\nfrom critmin.sources.baci import read_baci", f"""
        out = read_baci({{"flows": [Path(p) for p in {files!r}],
                         "countries": Path({str(mirror / 'baci' / 'country_codes_V202601.csv')!r})}},
                        Path({str(work)!r}))
        import pyarrow.parquet as pq
        result = [pq.ParquetFile(out["trade_flows"]).metadata.num_rows, str(out["trade_flows"])]
    """)
    bare = run_child("import duckdb", f"""
        con = duckdb.connect()
        result = con.execute(\"\"\"COPY (SELECT * FROM read_csv({files!r}, header=true))
                                 TO {str(work / 'bare.parquet')!r} (FORMAT parquet)\"\"\").fetchone()[0]
    """)
    rows, parquet = critmin["result"]
    return {"rows": rows, "parquet": parquet, "critmin_s": critmin["wall_s"], "bare_duckdb_s": bare["wall_s"],
            "ratio": critmin["wall_s"] / bare["wall_s"], "rows_per_s": rows / critmin["wall_s"],
            "critmin_peak_gb": critmin["peak_rss_bytes"] / 1e9, "bare_peak_gb": bare["peak_rss_bytes"] / 1e9}


def screen(parquet: Path, years: list[int], work: Path, with_pandas: bool) -> dict:
    ours = run_child("import ibis\nfrom critmin.domain.indicators.screen import screen", f"""
        con = ibis.duckdb.connect()
        flows = con.read_parquet({str(parquet)!r}, table_name="trade_flows")
        expr = screen(flows, years={years!r})
        con.raw_sql("COPY (" + ibis.to_sql(expr, dialect="duckdb") + ") TO '{work / 'screen'}' "
                    "(FORMAT parquet, PARTITION_BY (year), OVERWRITE_OR_IGNORE)").fetchall()
        result = con.raw_sql("SELECT count(*) FROM read_parquet('{work / 'screen'}/*/*.parquet')").fetchone()[0]
    """)
    out = {"rows": ours["result"], "critmin_s": ours["wall_s"], "critmin_peak_gb": ours["peak_rss_bytes"] / 1e9,
           "input_rows_per_s": None}
    if with_pandas:
        plain = run_child("import numpy as np, pandas as pd", f"""
            f = pd.read_parquet({str(parquet)!r}, columns=["year", "exporter", "importer", "hs6", "value_usd"])
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
            res.to_parquet({str(work / 'pandas.parquet')!r})
            result = len(res)
        """)
        out.update(pandas_s=plain["wall_s"], pandas_peak_gb=plain["peak_rss_bytes"] / 1e9,
                   ratio_vs_pandas=plain["wall_s"] / ours["wall_s"], pandas_rows=plain["result"])
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--rows-per-year", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--pandas", type=int, default=2, help="run the pandas screen up to this many years")
    ap.add_argument("--mirror", type=Path, default=None)
    a = ap.parse_args(argv)
    mirror = a.mirror or gen_baci.default_mirror()
    root = a.workdir or Path(tempfile.mkdtemp(prefix="critmin-bench-scale-"))
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    paths = make_years(a.years, a.rows_per_year, a.seed, mirror, data)
    report: dict = {"years": a.years, "rows_per_year": a.rows_per_year, "seed": a.seed}
    for label, subset in (("one_year", paths[:1]), ("all_years", paths)):
        work = root / label
        work.mkdir(exist_ok=True)
        ing = ingest(subset, mirror, work)
        yrs = [FIRST_YEAR + k for k in range(len(subset))]
        scr = screen(Path(ing["parquet"]), yrs, work, with_pandas=len(subset) <= a.pandas)
        scr["input_rows_per_s"] = ing["rows"] / scr["critmin_s"]
        report[label] = {"ingest": ing, "screen": scr}
        if a.years == 1:
            break
    if a.years > 1:
        extra = a.years - 1
        for step in ("ingest", "screen"):
            one, all_ = report["one_year"][step]["critmin_s"], report["all_years"][step]["critmin_s"]
            report[f"{step}_slope_s_per_year"] = (all_ - one) / extra
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
