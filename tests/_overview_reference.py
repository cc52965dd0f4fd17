"""The per-pair ``mineral_overview`` that ran before the batched dependence table.

One ``dependence()`` result and one ``production()`` call per (mineral, stage) pair. Kept in one
place as the reference: ``tests/test_overview.py`` checks the batched table against it and
``benchmarks/bench_overview.py`` times it.
"""

from __future__ import annotations

import math
from typing import Callable

import pandas as pd

from critmin.errors import CritminError, EmptySelectionError
from critmin.services.explorer import production
from critmin.services.overview import traded_mineral_stages


def reference_overview(
    settings, reporter: str, partner: str | None, year: int, dependence_of: Callable[[str, str], dict | None]
) -> pd.DataFrame:
    """Overview rows from ``dependence_of(mineral, stage)`` (``None``: the reporter imports none)."""
    rows = []
    for r in traded_mineral_stages(settings, year).itertuples(index=False):
        dep = dependence_of(r.mineral, r.stage)
        if dep is None:
            continue
        top = dep["suppliers"][0]
        row = {
            "mineral": r.mineral,
            "stage": r.stage,
            "hs6": ", ".join(dep["products"]["hs6"]),
            "imports_usd": dep["imports_usd"],
            "exports_usd": dep["exports_usd"],
            "n_suppliers": dep["n_suppliers"],
            "hhi": dep["hhi"],
            "top3_share": dep["top3_share"],
            "china_share": dep["china_share"],
            "wgi_weighted_hhi": dep.get("wgi_weighted_hhi"),
            "net_import_reliance": dep.get("net_import_reliance"),
            "top_supplier": top["partner"],
            "top_supplier_share": top["share"],
        }
        if partner:
            hit = [s for s in dep["suppliers"] if s["partner"] == partner]
            row.update(
                {
                    "partner_share": hit[0]["share"] if hit else 0.0,
                    "partner_rank": hit[0]["rank"] if hit else None,
                    "partner_value_usd": hit[0]["value_usd"] if hit else 0.0,
                }
            )
            try:
                prod = production(settings, r.mineral, stage="mine", country=partner)
            except CritminError:
                prod = None
            if prod is not None:
                c = prod.get("country") or {}
                row.update(
                    {
                        "partner_production_rank": c.get("rank"),
                        "partner_production_share": c.get("share"),
                        "partner_reserves_share": c.get("reserves_share"),
                        "production_year": prod["year"],
                        "production_stage": prod["stage"],
                        "n_producers": len(prod["producers"]),
                    }
                )
        rows.append(row)
    if not rows:
        raise EmptySelectionError(f"{reporter} imports none of the critical-mineral products in {year}")
    out = pd.DataFrame(rows)
    names = out.groupby(["hs6", "stage"])["mineral"].transform(lambda m: " / ".join(m))
    out = out.assign(mineral=names).drop_duplicates(subset=["hs6", "stage"]).reset_index(drop=True)
    return out.sort_values("imports_usd", ascending=False, key=lambda s: s.fillna(-math.inf)).reset_index(drop=True)
