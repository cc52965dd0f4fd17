r"""Supplier risk from governance indicators: weights for the concentration objective, random disruptions.

Both read the World Governance Indicators frame (``governance``: ``iso3, indicator, year,
percentile_rank``) of its latest year.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from critmin.domain.scenarios.sourcing import DisruptionScenarios


def governance_risk(governance: pd.DataFrame, partners: Sequence[str], *, missing: float = 0.5) -> pd.Series:
    r"""Governance risk in [0, 1] per supplier.

    .. math:: r_i = 1 - \frac{1}{100 K} \sum_k \text{percentile}_{i,k}

    the mean WGI percentile rank over the indicators :math:`k` of the latest year;
    ``missing`` for a supplier without WGI rows.
    """
    g = governance[governance["year"] == governance["year"].max()]
    r = 1.0 - g.groupby("iso3")["percentile_rank"].mean() / 100.0
    return pd.Series({p: float(r.get(p, missing)) for p in partners})


def random_disruptions(
    governance: pd.DataFrame, partners: Sequence[str], n: int, seed: int, *, base_probability: float = 0.1
) -> DisruptionScenarios:
    r"""``n`` random disruption scenarios; a failed supplier delivers nothing.

    .. math:: P(\text{supplier } i \text{ fails}) = p_0 \left(1 - \frac{\text{pv}_i}{100}\right)

    with :math:`\text{pv}_i` its WGI political-stability percentile of the latest year (50 where
    missing) and :math:`p_0` = ``base_probability``; draws from ``numpy.random.default_rng(seed)``.
    """
    g = governance
    g = g[(g["indicator"] == "pv") & (g["year"] == g["year"].max())].set_index("iso3")["percentile_rank"]
    p_fail = np.array([base_probability * (1 - float(g.get(p, 50.0)) / 100.0) for p in partners])
    rng = np.random.default_rng(seed)
    fail = rng.random((n, len(partners))) < p_fail
    return DisruptionScenarios(pd.DataFrame(np.where(fail, 0.0, 1.0), columns=list(partners)))
