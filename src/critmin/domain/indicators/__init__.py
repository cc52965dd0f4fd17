"""Concentration and dependence indicators: pure ``calc_*`` functions and Ibis expressions."""

from critmin.domain.indicators.concentration import (
    calc_governance_weighted_hhi,
    calc_hhi,
    calc_partner_share,
    calc_shares,
    calc_top_n_share,
    calc_wgi_risk,
)
from critmin.domain.indicators.dependence import calc_net_import_reliance, calc_trade_balance

__all__ = [
    "calc_governance_weighted_hhi",
    "calc_hhi",
    "calc_net_import_reliance",
    "calc_partner_share",
    "calc_shares",
    "calc_top_n_share",
    "calc_trade_balance",
    "calc_wgi_risk",
]
