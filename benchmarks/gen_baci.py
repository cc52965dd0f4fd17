"""Generate a BACI-shaped year file at full scale, reproducibly (seeded).

Writes CEPII's native layout ``t,i,j,k,v,q`` (numeric BACI country codes, HS6
written as a number so codes below 100000 lose their leading zero, as in the
real files; ``v`` in thousand USD and ``q`` in tonnes with 3 decimals, ``q``
empty for ~5 % of rows) with:

* the real BACI country codes (current codes of the BACI country table in the
  mirror, ~230);
* ~5,000 HS6 codes spread over HS chapters 01-97, including the 30 critical
  codes of the data bundle;
* ~11 M distinct exporter x importer x product flows with realistic skew:
  exporter and importer sizes and product popularity follow Pareto laws, so a
  few large economies and common products hold most flows and value.

This is synthetic data for speed and memory measurements only, never for results.

Usage::

    python benchmarks/gen_baci.py OUT.csv [--rows 11000000] [--seed 2024] [--mirror DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
CRITICAL = [
    "250490",
    "251010",
    "251110",
    "252800",
    "252910",
    "252922",
    "260200",
    "260600",
    "270112",
    "280429",
    "280469",
    "280470",
    "280480",
    "282200",
    "283691",
    "283692",
    "711011",
    "711021",
    "720292",
    "720293",
    "740311",
    "750210",
    "810194",
    "810320",
    "810411",
    "810820",
    "811010",
    "811212",
    "811292",
    "850511",
]


def default_mirror() -> Path:
    env = os.environ.get("CRITMIN_MIRROR")
    return Path(env) if env else REPO.parent / "shared" / "data" / "raw"


def baci_country_codes(mirror: Path) -> np.ndarray:
    """Current numeric codes of the real BACI country table (old entities ``(...YYYY)`` dropped)."""
    with open(mirror / "baci" / "country_codes_V202601.csv", newline="", encoding="utf-8") as fh:
        return np.array(
            sorted(int(r["country_code"]) for r in csv.DictReader(fh) if "(..." not in r["country_name"]),
            dtype=np.int32,
        )


def hs6_codes(rng: np.random.Generator, n: int = 5000) -> np.ndarray:
    """``n`` distinct six-digit codes over chapters 01-97 (no 77), the critical codes included."""
    chapters = np.array([c for c in range(1, 98) if c != 77])
    codes = set(int(c) for c in CRITICAL)
    while len(codes) < n:
        ch = rng.choice(chapters, size=n)
        heading = rng.integers(1, 40, size=n)
        sub = rng.integers(10, 100, size=n)
        codes.update((ch * 10000 + heading * 100 + sub).tolist())
    out = np.array(sorted(codes), dtype=np.int32)
    keep = np.isin(out, [int(c) for c in CRITICAL])
    rest = out[~keep]
    rest = rng.choice(rest, size=n - keep.sum(), replace=False)
    return np.sort(np.concatenate([out[keep], rest]))


def pareto_weights(rng: np.random.Generator, n: int, alpha: float) -> np.ndarray:
    w = rng.pareto(alpha, size=n) + 1.0
    return w / w.sum()


def generate(rows: int, seed: int, mirror: Path, *, structure_seed: int | None = None) -> pa.Table:
    """A BACI-shaped table of ``rows`` distinct (i, j, k) flows.

    ``structure_seed`` fixes the product list and the exporters', importers' and products' weights
    (default: ``seed``), so the year files of one release share them, as BACI's years do: the same
    large suppliers and products recur and a dependence can persist; ``seed`` draws the year's flows.
    """
    shape = np.random.default_rng(seed if structure_seed is None else structure_seed)
    countries = baci_country_codes(mirror)
    products = hs6_codes(shape)
    nc, nk = len(countries), len(products)
    w_exp = pareto_weights(shape, nc, 1.6)
    w_imp = pareto_weights(shape, nc, 1.8)
    w_k = pareto_weights(shape, nk, 1.5)
    rng = np.random.default_rng(seed)
    keys = np.empty(0, dtype=np.int64)
    need = rows
    while need > 0:
        draw = int(need * 1.35) + 1000
        i = rng.choice(nc, size=draw, p=w_exp)
        j = rng.choice(nc, size=draw, p=w_imp)
        k = rng.choice(nk, size=draw, p=w_k)
        ok = i != j
        new = (i[ok].astype(np.int64) * nc + j[ok]) * nk + k[ok]
        keys = np.unique(np.concatenate([keys, new]))
        need = rows - len(keys)
    keys = rng.permutation(keys)[:rows]
    keys.sort()  # BACI files are sorted by i, j, k
    k = keys % nk
    ij = keys // nk
    j = ij % nc
    i = ij // nc
    size = w_exp[i] * w_imp[j] * w_k[k] * nc * nc * nk
    v = np.round(rng.lognormal(mean=2.0, sigma=2.2, size=rows) * size**0.35, 3)
    v = np.maximum(v, 0.001)
    unit_value = rng.lognormal(mean=1.0, sigma=1.5, size=rows)  # thousand USD per tonne
    q = np.round(v / unit_value, 3)
    q_missing = rng.random(rows) < 0.05
    return pa.table(
        {
            "t": pa.array(np.full(rows, 2024, dtype=np.int16)),
            "i": pa.array(countries[i]),
            "j": pa.array(countries[j]),
            "k": pa.array(products[k]),
            "v": pa.array(v),
            "q": pa.array(q, mask=q_missing),
        }
    )


def write_csv(table: pa.Table, out: Path) -> None:
    """Write ``t,i,j,k,v,q`` with 3-decimal values and empty missing ``q``, atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    con = duckdb.connect()
    con.register("flows", table)
    con.execute(f"""COPY (SELECT t, i, j, k, printf('%.3f', v) AS v,
                         CASE WHEN q IS NULL THEN '' ELSE printf('%.3f', q) END AS q FROM flows)
                    TO '{tmp.as_posix()}' (HEADER, DELIMITER ',', QUOTE '')""")
    con.close()
    os.replace(tmp, out)


def main(argv=None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=11_000_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--mirror", type=Path, default=None)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    table = generate(a.rows, a.seed, a.mirror or default_mirror())
    write_csv(table, a.out)
    print(f"wrote {a.out} ({a.rows:,} rows, {a.out.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - t0:,.1f} s")
    return a.out


if __name__ == "__main__":
    main()
