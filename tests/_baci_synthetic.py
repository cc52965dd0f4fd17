"""Small seeded BACI-shaped year files (CEPII layout ``t,i,j,k,v,q``) for tests that need years the bundle lacks.

Synthetic data for checking the code against a recomputation, never for results. Real BACI
country codes; a dominant exporter per product (so some products are concentrated) that
changes now and then between years (so the persistence rule has cases either way); product
codes below 100000 written without their leading zero, as in the publisher's files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: current BACI codes (ISO3): CHN, IND, USA, AUS, BRA, CHL, PER, ZAF, JPN, KOR, DEU, CAN
COUNTRIES = [156, 699, 842, 36, 76, 152, 604, 710, 392, 410, 276, 124]
PRODUCTS = [10121, 260300, 260600, 280469, 282200, 740311, 750210, 810194, 811010, 850511]


def write_year(path: Path, year: int, seed: int, *, density: float = 0.35) -> Path:
    """Write one year file ``path`` (``BACI_HS17_Y<year>_V202601*.csv``) and return it.

    Every (exporter, importer, product) flow, exporter != importer, exists with
    probability ``density``; values are lognormal (thousand USD, 3 decimals), the
    product's dominant exporter shipping ~30x more; ``q`` is empty or ``NA`` for
    some rows.
    """
    rng = np.random.default_rng(seed)
    lines = ["t,i,j,k,v,q"]
    for k in PRODUCTS:
        dominant = COUNTRIES[(PRODUCTS.index(k) + (year if rng.random() < 0.3 else 0)) % len(COUNTRIES)]
        for i in COUNTRIES:
            for j in COUNTRIES:
                if i == j or rng.random() > density:
                    continue
                v = float(rng.lognormal(1.0, 1.5)) * (30.0 if i == dominant else 1.0)
                r = rng.random()
                q = "" if r < 0.05 else "NA" if r < 0.1 else f"{v / 3:.3f}"
                lines.append(f"{year},{i},{j},{k},{max(v, 0.001):.3f},{q}")
    path.write_text("\n".join(lines) + "\n")
    return path
