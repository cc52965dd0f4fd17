"""Concentration helpers, taken from :mod:`critmin.domain.indicators` when it provides them.

A tiny private fallback keeps the scenario models usable while the indicators
package is written; both compute the same textbook Herfindahl-Hirschman index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _hhi_fallback(values) -> float:
    """HHI on the 0-1 scale: ``sum_i s_i**2`` with ``s_i = v_i / sum(v)``."""
    v = np.asarray(pd.Series(values, dtype="float64").fillna(0.0), dtype="float64")
    total = v.sum()
    if total <= 0:
        return float("nan")
    s = v / total
    return float(np.sum(s * s))


def hhi(values) -> float:
    """Herfindahl-Hirschman index of ``values`` on the 0-1 scale.

    Uses ``critmin.domain.indicators`` (``calc_hhi``/``hhi``) when available,
    otherwise the local fallback. Both give ``sum_i (v_i / sum v)**2``.
    """
    try:  # pragma: no cover - depends on the indicators package being present
        from critmin.domain import indicators as _ind

        fn = getattr(_ind, "calc_hhi", None) or getattr(_ind, "hhi", None)
    except ImportError:
        fn = None
    if fn is None:
        return _hhi_fallback(values)
    try:
        out = fn(pd.Series(values, dtype="float64"))
    except Exception:
        return _hhi_fallback(values)
    out = float(out)
    return out / 10_000.0 if out > 1.0 + 1e-9 else out


def share_of(values: pd.Series, key) -> float:
    """Share of ``key`` in the total of ``values`` (indexed by partner)."""
    total = float(values.sum())
    if total <= 0:
        return float("nan")
    return float(values.get(key, 0.0)) / total
