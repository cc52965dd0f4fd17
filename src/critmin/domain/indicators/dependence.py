"""Import dependence: trade balance and net import reliance."""

from __future__ import annotations

import math


def calc_trade_balance(exports: float, imports: float) -> float:
    """Trade balance :math:`B = X - M` (positive = surplus)."""
    return float(exports) - float(imports)


def calc_net_import_reliance(imports: float, exports: float, production: float) -> float:
    """Net import reliance, the share of apparent consumption met by net imports.

    .. math:: NIR = \\frac{M - X}{P + M - X}

    with ``P`` domestic production, ``M`` imports and ``X`` exports in the same
    physical unit (tonnes of contained metal). ``NIR = 1``: all consumption is
    imported; ``NIR <= 0``: net exporter (the EU method sets negative values
    to 0 when it uses the ratio; here the raw value is returned). NaN when
    apparent consumption ``P + M - X`` is not positive.

    Examples
    --------
    >>> calc_net_import_reliance(imports=80.0, exports=0.0, production=20.0)
    0.8
    """
    m, x, p = float(imports), float(exports), float(production)
    if min(m, x, p) < 0:
        raise ValueError("imports, exports and production must be >= 0")
    consumption = p + m - x
    if not consumption > 0:
        return math.nan
    return (m - x) / consumption
