"""Supply concentration: shares, Herfindahl-Hirschman index, top-n share, governance-weighted HHI.

Pure functions on arrays or labelled Series (labels are preserved). Shares are
fractions in [0, 1]; the HHI is therefore in (0, 1] (multiply by 10,000 for the
"points" convention of competition authorities).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: WGI estimates are roughly N(0, 1) on [-2.5, 2.5]; the EU method maps them to [0, 10], 10 = worst.
WGI_SCALE_CENTER = 2.5
WGI_SCALE_STEP = -0.5


def _as_values(values) -> pd.Series:
    s = values.astype(float) if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=float))
    if s.isna().any():
        raise ValueError("values contain NaN; drop or fill them first")
    if (s < 0).any():
        raise ValueError("values must be >= 0 (trade values and production cannot be negative)")
    return s


def calc_shares(values) -> pd.Series:
    """Shares of each supplier in the total.

    .. math:: s_i = v_i / \\sum_j v_j

    Parameters
    ----------
    values : array-like or Series
        Non-negative values (trade value, production...). Labels are kept.

    Returns
    -------
    Series
        Shares summing to 1.

    Raises
    ------
    ValueError
        Negative or NaN values, or a zero total (shares undefined).
    """
    s = _as_values(values)
    total = s.sum()
    if not total > 0:
        raise ValueError("the total is zero; shares are undefined")
    return s / total


def calc_hhi(shares) -> float:
    """Herfindahl-Hirschman index of concentration.

    .. math:: HHI = \\sum_i s_i^2

    Ranges from ``1/n`` (``n`` equal suppliers) to 1 (a monopoly).

    Parameters
    ----------
    shares : array-like
        Shares in [0, 1] summing to 1 (use :func:`calc_shares` on values).

    Examples
    --------
    >>> calc_hhi([0.25, 0.25, 0.25, 0.25])
    0.25
    """
    s = _as_values(shares)
    if not np.isclose(s.sum(), 1.0, atol=1e-6):
        raise ValueError(f"shares sum to {s.sum():.6g}, not 1; pass values through calc_shares first")
    return float((s**2).sum())


def calc_top_n_share(shares, n: int = 3) -> float:
    """Combined share of the ``n`` largest suppliers: :math:`\\sum_{i \\le n} s_{(i)}`."""
    if n < 1:
        raise ValueError("n must be >= 1")
    s = _as_values(shares)
    return float(s.sort_values(ascending=False).head(n).sum())


def calc_partner_share(shares: pd.Series, partner: str) -> float:
    """Share of one labelled supplier (0 when absent), e.g. China's share."""
    return float(shares.get(partner, 0.0))


def calc_wgi_risk(estimate):
    """Rescale WGI estimates to the EU criticality method's 0-10 scale, 10 = worst governance.

    .. math:: g = (WGI - 2.5) / (-0.5) = 5 - 2 \\cdot WGI

    where ``WGI`` is the mean of the six indicators' estimates (JRC 2017
    guidelines, Blengini et al. 2017, EUR 28654; the scaling reproduces the
    published ``HHI_WGI`` of the 2017 EU assessment). Values are not clipped:
    an estimate beyond +-2.5 maps slightly outside [0, 10].
    """
    x = estimate.astype(float) if isinstance(estimate, pd.Series) else np.asarray(estimate, dtype=float)
    return (x - WGI_SCALE_CENTER) / WGI_SCALE_STEP


def calc_governance_weighted_hhi(shares: pd.Series, risk: pd.Series) -> float:
    """Governance-weighted HHI of the EU criticality method.

    .. math:: HHI_{WGI} = \\sum_i s_i^2 \\, g_i

    with ``s_i`` in [0, 1] and ``g_i`` the 0-10 governance risk of
    :func:`calc_wgi_risk`; the result is on a 0-10 scale. Suppliers without a
    governance score are left out of the sum (report the value coverage next
    to the result).

    Parameters
    ----------
    shares : Series
        Shares indexed by supplier.
    risk : Series
        ``g_i`` indexed by supplier.
    """
    g = risk.reindex(shares.index)
    ok = g.notna()
    return float((shares[ok] ** 2 * g[ok]).sum())
