"""Benchmark the explorer's data path on a generated full-scale BACI year, in one run.

(a) Ingest: ``critmin.sources.baci.ingest_year_file`` (validation, ISO3 mapping,
    HS padding, Parquet) against a bare DuckDB ``read_csv -> Parquet`` COPY of the
    same file. Each runs in a fresh subprocess; wall time and the subprocess's
    peak resident memory (``getrusage`` max RSS) are reported.
    Targets: ratio <= 1.5x, peak memory < 2 GB.
(b) Concentration: HHI, top-3 share and China's share for every importer x HS6
    pair with the Ibis/DuckDB expressions of
    :mod:`critmin.domain.indicators.expressions`, against pandas on the same
    Parquet file (both timed from the file to the result table): a vectorised
    groupby (sum, transform, sort, cumcount) and the straightforward
    ``groupby(...).apply(per-group function)``; the latter is timed on a
    sample of groups and extrapolated (it takes minutes at full scale).
    Target: >= 10x.

Usage::

    python benchmarks/bench_explorer.py [--rows 11000000] [--workdir DIR] [--seed 2024] [--repeat 1]

Synthetic data (see ``gen_baci.py``) are used for timing only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_baci  # noqa: E402

CHILD_PRELUDE = textwrap.dedent("""
    import json, resource, sys, time
""")
CHILD_REPORT = textwrap.dedent("""
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    try:  # Linux: the high-water mark of this process's own memory (ru_maxrss can carry the parent's over fork)
        with open("/proc/self/status") as fh:
            rss = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        pass
    print(json.dumps({"wall_s": wall, "peak_rss_bytes": rss, "result": result}))
""")


def run_child(setup: str, body: str) -> dict:
    """Run ``setup`` (imports, untimed) then ``body`` (timed) in a fresh Python.

    Returns the body's wall time, the process's peak RSS and the body's ``result``.
    """
    code = (
        CHILD_PRELUDE + textwrap.dedent(setup) + "\nt0 = time.perf_counter()\n" + textwrap.dedent(body) + CHILD_REPORT
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark step failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def bench_ingest(csv_path: Path, mirror: Path, work: Path, repeat: int, with_validating: bool = True) -> dict:
    critmin_setup = """
        from pathlib import Path
        from critmin.sources.baci import ingest_year_file, read_country_codes
    """
    critmin_body = f"""
        countries = read_country_codes(Path({str(mirror / "baci" / "country_codes_V202601.csv")!r}))
        result = ingest_year_file(Path({str(csv_path)!r}), countries, Path({str(work / "critmin.parquet")!r}))
    """
    validating_body = f"""
        countries = read_country_codes(Path({str(mirror / "baci" / "country_codes_V202601.csv")!r}))
        result = _ingest_validating(Path({str(csv_path)!r}), countries, Path({str(work / "validating.parquet")!r}),
                                    hs_revision="HS17", threads=None)
    """
    validating_setup = critmin_setup.replace("ingest_year_file,", "ingest_year_file, _ingest_validating,")
    bare_setup = "import duckdb"
    bare_body = f"""
        con = duckdb.connect()
        result = con.execute(\"\"\"COPY (SELECT * FROM read_csv({str(csv_path)!r}, header=true))
                                 TO {str(work / "bare.parquet")!r} (FORMAT parquet)\"\"\").fetchone()[0]
    """
    runs = {"critmin": [], "bare": [], "validating": []}
    steps = [("bare", bare_setup, bare_body), ("critmin", critmin_setup, critmin_body)]
    if with_validating:
        steps.append(("validating", validating_setup, validating_body))
    for _ in range(repeat):
        for name, setup, body in steps:
            runs[name].append(run_child(setup, body))
    runs = {k: v for k, v in runs.items() if v}
    best = {k: min(v, key=lambda r: r["wall_s"]) for k, v in runs.items()}
    return {
        "rows": best["critmin"]["result"],
        "critmin_s": best["critmin"]["wall_s"],
        "bare_duckdb_s": best["bare"]["wall_s"],
        "ratio": best["critmin"]["wall_s"] / best["bare"]["wall_s"],
        "validating_path_s": best["validating"]["wall_s"] if "validating" in best else None,
        "critmin_peak_rss_gb": max(r["peak_rss_bytes"] for r in runs["critmin"]) / 1e9,
        "bare_peak_rss_gb": max(r["peak_rss_bytes"] for r in runs["bare"]) / 1e9,
    }


def bench_concentration(parquet: Path, repeat: int, apply_groups: int = 20_000) -> dict:
    ibis_setup = """
        import ibis
        from critmin.domain.indicators import expressions as ex
    """
    ibis_body = f"""
        con = ibis.duckdb.connect()
        flows = con.read_parquet({str(parquet)!r}, table_name="trade_flows")
        values = ex.supplier_values(flows, by=["importer", "hs6"])
        res = ex.concentration(values, by=["importer", "hs6"], top_n=3, focus="CHN").to_pandas()
        res = res.sort_values(["importer", "hs6"]).reset_index(drop=True)
        res.to_parquet({str(parquet.with_name("conc_ibis.parquet"))!r})
        result = len(res)
    """
    pandas_setup = "import pandas as pd"
    pandas_body = f"""
        df = pd.read_parquet({str(parquet)!r}, columns=["importer", "exporter", "hs6", "value_usd"])
        t1 = time.perf_counter()
        v = df.groupby(["importer", "hs6", "exporter"], observed=True, sort=False)["value_usd"].sum().reset_index()
        v["share"] = v["value_usd"] / v.groupby(["importer", "hs6"], sort=False)["value_usd"].transform("sum")
        v["share2"] = v["share"] ** 2
        v["chn"] = v["share"].where(v["exporter"] == "CHN", 0.0)
        v = v.sort_values(["importer", "hs6", "value_usd"], ascending=[True, True, False])
        v["top3"] = v["share"].where(v.groupby(["importer", "hs6"], sort=False).cumcount() < 3, 0.0)
        res = v.groupby(["importer", "hs6"]).agg(value_usd=("value_usd", "sum"), n_suppliers=("exporter", "size"),
                                                  hhi=("share2", "sum"), top3_share=("top3", "sum"),
                                                  chn_share=("chn", "sum")).reset_index()
        compute_s = time.perf_counter() - t1
        res.to_parquet({str(parquet.with_name("conc_pandas.parquet"))!r})
        result = {{"groups": len(res), "compute_s": compute_s}}
    """
    apply_body = f"""
        df = pd.read_parquet({str(parquet)!r}, columns=["importer", "exporter", "hs6", "value_usd"])
        keys = df[["importer", "hs6"]].drop_duplicates().sort_values(["importer", "hs6"])
        sample = keys.iloc[::max(1, len(keys) // {apply_groups})]
        part = df.merge(sample, on=["importer", "hs6"])

        def indicators(g):
            v = g.groupby("exporter")["value_usd"].sum()
            s = v / v.sum()
            return pd.Series({{"hhi": (s ** 2).sum(), "top3_share": s.nlargest(3).sum(),
                              "chn_share": s.get("CHN", 0.0)}})

        t1 = time.perf_counter()
        res = part.groupby(["importer", "hs6"])[["exporter", "value_usd"]].apply(indicators)
        per_group = (time.perf_counter() - t1) / len(res)
        result = {{"sampled_groups": len(res), "groups": len(keys), "per_group_s": per_group,
                  "extrapolated_s": per_group * len(keys)}}
    """
    runs = {"ibis": [], "pandas": []}
    for _ in range(repeat):
        runs["ibis"].append(run_child(ibis_setup, ibis_body))
        runs["pandas"].append(run_child(pandas_setup, pandas_body))
    apply_run = run_child(pandas_setup, apply_body) if apply_groups else None
    bi = min(runs["ibis"], key=lambda r: r["wall_s"])
    bp = min(runs["pandas"], key=lambda r: r["wall_s"])
    import pandas as pd

    a = pd.read_parquet(parquet.with_name("conc_ibis.parquet"))
    b = pd.read_parquet(parquet.with_name("conc_pandas.parquet")).sort_values(["importer", "hs6"])
    b = b.reset_index(drop=True)
    max_diff = max(float((a[c] - b[c]).abs().max()) for c in ("hhi", "top3_share", "chn_share"))
    return {
        "groups": bi["result"],
        "ibis_duckdb_s": bi["wall_s"],
        "pandas_s": bp["wall_s"],
        "pandas_compute_only_s": bp["result"]["compute_s"],
        "speedup": bp["wall_s"] / bi["wall_s"],
        "ibis_peak_rss_gb": bi["peak_rss_bytes"] / 1e9,
        "pandas_peak_rss_gb": bp["peak_rss_bytes"] / 1e9,
        "max_abs_difference": max_diff,
        "pandas_apply": None
        if apply_run is None
        else {**apply_run["result"], "speedup": apply_run["result"]["extrapolated_s"] / bi["wall_s"]},
    }


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=11_000_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--workdir", type=Path, default=None, help="keep generated files here (default: temp)")
    ap.add_argument("--repeat", type=int, default=1, help="repetitions; the best time is reported")
    ap.add_argument("--mirror", type=Path, default=None)
    ap.add_argument(
        "--skip-validating",
        action="store_true",
        help="do not also time the validating (pre-optimisation, two-pass) ingest path",
    )
    ap.add_argument(
        "--apply-groups", type=int, default=20_000, help="groups timed for the pandas groupby-apply baseline (0 = skip)"
    )
    a = ap.parse_args(argv)
    mirror = a.mirror or gen_baci.default_mirror()
    tmp = None
    if a.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="critmin-bench-")
        work = Path(tmp.name)
    else:
        work = a.workdir
        work.mkdir(parents=True, exist_ok=True)
    csv_path = work / f"BACI_HS17_Y2024_V202601_synthetic_{a.rows}_{a.seed}.csv"
    if not csv_path.exists():
        # in a child process, so that this process stays small while the others are measured
        subprocess.run(
            [
                sys.executable,
                str(HERE / "gen_baci.py"),
                str(csv_path),
                "--rows",
                str(a.rows),
                "--seed",
                str(a.seed),
                "--mirror",
                str(mirror),
            ],
            check=True,
        )
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    ing = bench_ingest(csv_path, mirror, work, a.repeat, not a.skip_validating)
    print(
        f"(a) ingest {ing['rows']:,} rows: critmin {ing['critmin_s']:.2f} s vs bare DuckDB COPY "
        f"{ing['bare_duckdb_s']:.2f} s -> ratio {ing['ratio']:.2f}x (target <= 1.5x); "
        f"peak RSS critmin {ing['critmin_peak_rss_gb']:.2f} GB (target < 2 GB), "
        f"bare {ing['bare_peak_rss_gb']:.2f} GB",
        flush=True,
    )
    if ing["validating_path_s"] is not None:
        print(
            f"    the validating path alone (the implementation before the one-pass fast path) takes "
            f"{ing['validating_path_s']:.2f} s -> ratio {ing['validating_path_s'] / ing['bare_duckdb_s']:.2f}x",
            flush=True,
        )
    conc = bench_concentration(work / "critmin.parquet", a.repeat, a.apply_groups)
    print(
        f"(b) HHI + top-3 + China share for {conc['groups']:,} importer x HS6 pairs: Ibis/DuckDB "
        f"{conc['ibis_duckdb_s']:.2f} s vs pandas groupby {conc['pandas_s']:.2f} s "
        f"({conc['pandas_compute_only_s']:.2f} s after loading) -> speedup {conc['speedup']:.1f}x "
        f"(target >= 10x); same results (max abs difference {conc['max_abs_difference']:.1e}); "
        f"peak RSS Ibis {conc['ibis_peak_rss_gb']:.2f} GB, pandas {conc['pandas_peak_rss_gb']:.2f} GB",
        flush=True,
    )
    ap_ = conc["pandas_apply"]
    if ap_:
        print(
            f"    vs pandas groupby-apply with a per-group function (timed on {ap_['sampled_groups']:,} of "
            f"{ap_['groups']:,} groups, {ap_['per_group_s'] * 1e3:.2f} ms each, extrapolated to "
            f"{ap_['extrapolated_s']:,.0f} s) -> speedup {ap_['speedup']:.0f}x",
            flush=True,
        )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    result = {"rows": a.rows, "ingest": ing, "concentration": conc}
    print(json.dumps(result, indent=2))
    if tmp is not None:
        tmp.cleanup()
    return result


if __name__ == "__main__":
    main()
