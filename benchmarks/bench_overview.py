"""Benchmark the brief's per-mineral overview: one batched table against the per-pair loop, in one run.

(a) ``mineral_overview(IND, PER, 2024)``: the current implementation
    (:func:`critmin.services.dependence_table.dependence_table`, a handful of
    grouped Ibis queries, and one read of the USGS tables) against the loop it
    replaced (one :func:`~critmin.services.explorer.dependence` and one
    :func:`~critmin.services.explorer.production` call per (mineral, stage)
    pair), kept below as ``loop_mineral_overview``. Both results are checked
    equal before timing.
(b) ``dependence_table`` alone against ``dependence()`` called for every pair.
(c) ``critmin brief --reporter IND --partner PER --out <tmp>.html`` end to end, each in a fresh
    Python process (imports included), with the current overview and with the loop patched in.

The warehouse is built from the real data mirror (``CRITMIN_MIRROR``, default
``../shared/data/raw`` next to the repository) into a temporary ``CRITMIN_HOME``.

Usage::

    python benchmarks/bench_overview.py [--repeat 5] [--brief-repeat 3] [--no-brief]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the per-pair reference implementation


def loop_mineral_overview(
    settings, reporter: str = "IND", partner: str | None = "PER", *, year: int = 2024
) -> pd.DataFrame:
    """The per-pair implementation of ``mineral_overview`` before the batched table (tests/_overview_reference)."""
    from _overview_reference import reference_overview

    from critmin.engine import connect
    from critmin.errors import EmptySelectionError
    from critmin.services import explorer

    wh = explorer.ensure_tables(
        settings, ["trade_flows", "products", "countries", "governance", "mineral_production", "mineral_reserves"]
    )
    con = connect(wh)

    def dependence_of(mineral: str, stage: str) -> dict | None:
        try:
            return explorer.dependence(settings, reporter, mineral=mineral, stage=stage, year=year, con=con)
        except EmptySelectionError:
            return None

    return reference_overview(settings, reporter, partner, year, dependence_of)


def loop_dependence(settings, reporter: str, year: int) -> int:
    """``dependence()`` for every (mineral, stage) pair of the product table; returns the pairs with imports."""
    from critmin.engine import connect
    from critmin.errors import EmptySelectionError
    from critmin.services import explorer
    from critmin.services.dependence_table import mineral_stage_selections

    wh = explorer.ensure_tables(settings, ["trade_flows", "countries", "products"])
    con = connect(wh, tables=[t for t in ("trade_flows", "governance") if wh.has(t)])
    n = 0
    for m, s in mineral_stage_selections()[["mineral", "stage"]].drop_duplicates().itertuples(index=False):
        try:
            explorer.dependence(settings, reporter, mineral=m, stage=s, year=year, con=con)
            n += 1
        except EmptySelectionError:
            pass
    return n


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def brief_child(variant: str, out: str, home: str) -> None:
    """Run ``critmin brief`` in this process, with the loop patched in for ``variant == "loop"``."""
    t0 = time.perf_counter()
    if variant == "loop":
        import critmin.services.overview as overview

        overview.mineral_overview = loop_mineral_overview
    from critmin.cli import app

    try:
        app(["brief", "--reporter", "IND", "--partner", "PER", "--out", out, "--home", home], standalone_mode=False)
    finally:
        print(f"BRIEF_SECONDS {time.perf_counter() - t0:.3f}", file=sys.stderr)


def time_brief(variant: str, home: Path, out: Path) -> tuple[float, float]:
    """Wall time of a fresh process running the brief, and the time inside it after interpreter start."""
    env = {**os.environ, "CRITMIN_HOME": str(home)}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--_brief-child", variant, "--_out", str(out), "--_home", str(home)],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"brief ({variant}) failed:\n{proc.stderr[-3000:]}")
    inner = float(next(line.split()[1] for line in proc.stderr.splitlines() if line.startswith("BRIEF_SECONDS")))
    return wall, inner


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--brief-repeat", type=int, default=3)
    ap.add_argument("--no-brief", action="store_true")
    ap.add_argument("--_brief-child", dest="brief_child", help=argparse.SUPPRESS)
    ap.add_argument("--_out", dest="out", help=argparse.SUPPRESS)
    ap.add_argument("--_home", dest="home", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.brief_child:
        brief_child(args.brief_child, args.out, args.home)
        return

    from critmin.config import load_settings
    from critmin.services.dependence_table import dependence_table
    from critmin.services.overview import mineral_overview
    from critmin.warehouse.build import build

    mirror = Path(os.environ.get("CRITMIN_MIRROR") or REPO.parent / "shared" / "data" / "raw")
    with tempfile.TemporaryDirectory(prefix="critmin-bench-overview-") as tmp:
        home = Path(tmp) / "home"
        settings = load_settings(home=home, mirror=mirror, offline=True)
        t0 = time.perf_counter()
        build(settings, progress=False)
        print(f"warehouse built from {mirror} in {time.perf_counter() - t0:.1f} s")

        # same result first (also warms caches and imports for both)
        new = mineral_overview(settings, "IND", "PER", year=2024)
        old = loop_mineral_overview(settings, "IND", "PER", year=2024)
        pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-9)
        print(f"mineral_overview: {len(new)} rows, identical to the per-pair loop (rtol 1e-9)")

        # interleave the two so machine load affects both alike
        t_new, t_old = [], []
        for _ in range(args.repeat):
            t_old += timed(lambda: loop_mineral_overview(settings, "IND", "PER", year=2024), 1)
            t_new += timed(lambda: mineral_overview(settings, "IND", "PER", year=2024), 1)
        mo, mn = statistics.median(t_old), statistics.median(t_new)
        print(f"\n(a) mineral_overview IND/PER 2024, median of {args.repeat}:")
        print(f"    per-pair loop   {mo:7.3f} s  (min {min(t_old):.3f})")
        print(f"    batched         {mn:7.3f} s  (min {min(t_new):.3f})")
        print(f"    ratio           {mo / mn:7.1f}x")

        n_pairs = loop_dependence(settings, "IND", 2024)
        t_dt, t_dl = [], []
        for _ in range(args.repeat):
            t_dl += timed(lambda: loop_dependence(settings, "IND", 2024), 1)
            t_dt += timed(lambda: dependence_table(settings, "IND", year=2024, partner="PER"), 1)
        do, dn = statistics.median(t_dl), statistics.median(t_dt)
        print(f"\n(b) dependence for every (mineral, stage) pair ({n_pairs} with imports), median of {args.repeat}:")
        print(f"    dependence() per pair   {do:7.3f} s")
        print(f"    dependence_table        {dn:7.3f} s")
        print(f"    ratio                   {do / dn:7.1f}x")

        if not args.no_brief:
            out = Path(tmp) / "brief.html"
            runs = {"loop": [], "batched": []}
            for _ in range(args.brief_repeat):
                for variant in ("loop", "batched"):
                    runs[variant].append(time_brief(variant, home, out))
            print(f"\n(c) critmin brief --reporter IND --partner PER, fresh process, median of {args.brief_repeat}:")
            for variant, label in (("loop", "per-pair overview"), ("batched", "batched overview")):
                wall = statistics.median(w for w, _ in runs[variant])
                inner = statistics.median(i for _, i in runs[variant])
                print(f"    {label:18s} {wall:7.2f} s wall ({inner:.2f} s after interpreter start)")
            ratio = statistics.median(w for w, _ in runs["loop"]) / statistics.median(w for w, _ in runs["batched"])
            print(f"    ratio              {ratio:7.2f}x")


if __name__ == "__main__":
    main()
