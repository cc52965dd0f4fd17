"""Concentration measures for the scenario models, from :mod:`critmin.domain.indicators`."""

from __future__ import annotations

import pandas as pd

from critmin.domain.indicators import calc_hhi, calc_partner_share, calc_shares


def hhi(values) -> float:
    """HHI (0-1 scale) of non-negative ``values``: ``calc_hhi(calc_shares(values))``; NaN if all zero."""
    v = pd.Series(values, dtype="float64").fillna(0.0).clip(lower=0.0)
    if not v.sum() > 0:
        return float("nan")
    return calc_hhi(calc_shares(v))


def share_of(values: pd.Series, key) -> float:
    """Share of ``key`` in the total of ``values`` (indexed by partner); NaN if all zero."""
    v = pd.Series(values, dtype="float64").fillna(0.0).clip(lower=0.0)
    if not v.sum() > 0:
        return float("nan")
    return calc_partner_share(calc_shares(v), key)
