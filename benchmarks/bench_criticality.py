"""Benchmark: vectorised Monte-Carlo criticality vs a per-draw Python loop.

All materials x stages (66 items, the size of the India 2024 run) x 10,000 draws in one
vectorised NumPy run (:meth:`CriticalityModel.sample`), against the obvious alternative: a
Python loop over draws that, for every draw and item, samples Dirichlet shares and WGI scores
and evaluates the EU supply-risk formula. Inputs are synthetic, generated with a fixed seed in
the shape of the real run (about 200 countries, up to 40 producers and 60 partners per item).

Run: ``python benchmarks/bench_criticality.py [--draws 10000] [--loop-draws 1000]``.
Prints seconds and the per-draw speed ratio measured in this run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from critmin.domain.criticality import CriticalityModel, CriticalitySpec, calc_supply_risk_eu


def synthetic_spec(n_items: int = 66, n_countries: int = 200, seed: int = 42) -> CriticalitySpec:
    rng = np.random.default_rng(seed)
    countries = [f"C{i:03d}" for i in range(n_countries)]
    items = pd.DataFrame(
        {
            "material": [f"m{i // 2}" for i in range(n_items)],
            "stage": ["extraction", "processing"] * (n_items // 2),
            "import_reliance": rng.uniform(0, 1, n_items),
            "domestic_fraction": rng.uniform(0, 0.3, n_items),
            "eol_rir": rng.uniform(0, 0.5, n_items),
        }
    )
    items["eol_rir_low"] = (items["eol_rir"] - 0.05).clip(0, 1)
    items["eol_rir_high"] = (items["eol_rir"] + 0.05).clip(0, 1)
    items["si_sr"] = rng.uniform(0.8, 1.0, n_items)
    items["si_sr_low"] = (items["si_sr"] - 0.1).clip(0, 1)
    items["si_sr_high"] = (items["si_sr"] + 0.1).clip(0, 1)
    items["ei_base"] = rng.uniform(2, 8, n_items)
    items["si_ei"] = rng.uniform(0.8, 1.0, n_items)
    items["si_ei_low"] = (items["si_ei"] - 0.1).clip(0, 1)
    items["si_ei_high"] = (items["si_ei"] + 0.1).clip(0, 1)

    def block(max_n):
        rows = []
        for i in range(n_items):
            k = int(rng.integers(3, max_n))
            cs = rng.choice(n_countries, k, replace=False)
            sh = rng.pareto(1.2, k) + 1e-3
            for c, s in zip(cs, sh / sh.sum()):
                rows.append({"item": i, "country": countries[c], "share": s, "t": 1.1 if rng.random() < 0.05 else 1.0})
        return pd.DataFrame(rows)

    gov = pd.DataFrame(
        {"country": countries, "score": rng.uniform(1, 8, n_countries), "score_sd": rng.uniform(0.1, 0.5, n_countries)}
    )
    return CriticalitySpec(items=items, global_supply=block(40), sourcing=block(60), governance=gov)


def loop_sample(spec: CriticalitySpec, draws: int, seed: int = 0) -> np.ndarray:
    """The per-draw Python loop: the same distributions, one draw and one item at a time."""
    rng = np.random.default_rng(seed)
    it = spec.items
    gov = spec.governance.set_index("country")
    kappa = spec.share_concentration
    blocks = [{i: g for i, g in b.groupby("item")} for b in (spec.global_supply, spec.sourcing)]
    out = np.empty((draws, len(it)))
    for d in range(draws):
        score = dict(zip(gov.index, np.clip(gov["score"] + gov["score_sd"] * rng.standard_normal(len(gov)), 0, 10)))
        for i, r in enumerate(it.itertuples(index=False)):
            hhi = []
            for b in blocks:
                g = b.get(i)
                if g is None:
                    hhi.append(np.nan)
                    continue
                s = rng.dirichlet(kappa * g["share"].to_numpy() / g["share"].sum())
                w = np.array([score[c] for c in g["country"]]) * g["t"].to_numpy()
                hhi.append(float(np.sum(s * s * w)))
            rir = rng.uniform(r.eol_rir_low, r.eol_rir_high)
            si = rng.uniform(r.si_sr_low, r.si_sr_high)
            out[d, i] = calc_supply_risk_eu(hhi[0], hhi[1], r.import_reliance, rir, si)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--loop-draws", type=int, default=1_000)
    args = ap.parse_args()
    spec = synthetic_spec()
    model = CriticalityModel(spec)
    model.sample(100, seed=0)  # warm-up
    t0 = time.perf_counter()
    sr_vec, _ = model.sample(args.draws, seed=0)
    t_vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    sr_loop = loop_sample(spec, args.loop_draws, seed=0)
    t_loop = time.perf_counter() - t0
    per_vec, per_loop = t_vec / args.draws, t_loop / args.loop_draws
    n_entries = len(spec.global_supply) + len(spec.sourcing)
    print(
        f"items: {len(spec.items)} (materials x stages), share entries: {n_entries}, countries: {len(spec.governance)}"
    )
    print(f"vectorised NumPy: {args.draws:,} draws in {t_vec:.2f} s ({per_vec * 1e3:.3f} ms/draw)")
    print(f"per-draw loop:    {args.loop_draws:,} draws in {t_loop:.2f} s ({per_loop * 1e3:.3f} ms/draw)")
    print(f"speed ratio (per draw, loop / vectorised): {per_loop / per_vec:.0f}x")
    # same distributions: medians agree within Monte-Carlo error
    diff = np.nanmax(np.abs(np.nanmedian(sr_vec, 0) - np.nanmedian(sr_loop, 0)) / np.nanmedian(sr_vec, 0))
    print(f"largest relative difference of item medians, vectorised vs loop: {diff:.3%}")


if __name__ == "__main__":
    main()
