r"""Candidate suppliers for the sourcing optimiser: capacity, price, FTA tariff, missing data.

The sourcing service assembles one row per supplier from the warehouse; these pure functions
hold the rules:

* :func:`concentrate_candidates` -- copper concentrate in t Cu content, capacity
  :math:`a \cdot S_i` (share :math:`a` of the exportable surplus, see
  :func:`~critmin.domain.scenarios.market.concentrate_surplus`), one price for all;
* :func:`trade_candidates` -- other products from exports: capacity :math:`a \cdot X_i`, price the
  export unit value :math:`V_i / Q_i`, leaving out unit values below ``low`` or above ``high``
  times the world's :math:`\sum V / \sum Q`;
* :func:`apply_fta` -- the FTA's staged rate (:func:`~critmin.domain.policy.schedule.fta_rate`)
  on the partners' known tariffs;
* :func:`screen_candidates` -- unknown tariffs (left out, or 0 on request) and missing freight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from critmin.vocabulary import UnknownTariff
from critmin.domain.policy.schedule import fta_rate


def concentrate_candidates(surplus: pd.Series, *, available_share: float, price_usd_t: float) -> pd.DataFrame:
    r"""Suppliers of copper concentrate with a positive surplus.

    .. math:: \text{capacity}_i = a \cdot S_i, \qquad \text{price}_i = p

    Returns
    -------
    pandas.DataFrame
        ``partner, production_t, capacity_t, price_usd_t`` (t Cu content).
    """
    cand = pd.DataFrame({"partner": surplus.index, "production_t": surplus.to_numpy()})
    cand = cand[cand["production_t"] > 0].reset_index(drop=True)
    cand["capacity_t"] = available_share * cand["production_t"]
    cand["price_usd_t"] = price_usd_t
    return cand


@dataclass(frozen=True)
class TradeCandidates:
    """Result of :func:`trade_candidates`: the kept suppliers, the outliers left out, the world unit value."""

    candidates: pd.DataFrame
    unit_value_outliers: list[str]
    world_unit_value: float


def trade_candidates(
    flows: pd.DataFrame, *, available_share: float, low: float = 0.5, high: float = 2.0
) -> TradeCandidates:
    r"""Suppliers from their exports of the products (one year of ``trade_flows``).

    .. math::
        \text{price}_i = \frac{V_i}{Q_i}, \qquad
        \text{kept if } low \cdot \bar u \le \text{price}_i \le high \cdot \bar u,\ \
        \bar u = \frac{\sum_i V_i}{\sum_i Q_i}, \qquad
        \text{capacity}_i = a \cdot Q_i

    over exporters with a positive quantity (rows without a quantity are dropped).

    Parameters
    ----------
    flows : pandas.DataFrame
        ``exporter, value_usd, qty_t`` rows.
    """
    f = flows.dropna(subset=["qty_t"])
    g = f.groupby("exporter")[["value_usd", "qty_t"]].sum()
    g = g[g["qty_t"] > 0]
    cand = pd.DataFrame(
        {
            "partner": g.index,
            "exports_t": g["qty_t"].to_numpy(),
            "price_usd_t": (g["value_usd"] / g["qty_t"]).to_numpy(),
        }
    )
    world_uv = float(g["value_usd"].sum() / g["qty_t"].sum())
    odd = (cand["price_usd_t"] < low * world_uv) | (cand["price_usd_t"] > high * world_uv)
    outliers = cand.loc[odd, "partner"].tolist()
    cand = cand[~odd].reset_index(drop=True)
    cand["capacity_t"] = available_share * cand["exports_t"]
    return TradeCandidates(cand, outliers, world_uv)


def apply_fta(
    cand: pd.DataFrame,
    partners: Sequence[str],
    year: int,
    *,
    entry_year: int,
    phase_in_years: int,
    target_rate: float,
) -> pd.DataFrame:
    """The FTA partners' known tariffs staged by :func:`~critmin.domain.policy.schedule.fta_rate` in ``year``.

    Rows of ``partners`` with an unknown tariff stay unknown. ``tariff_basis`` of the changed
    rows names the assumption and the base rate's basis.
    """
    cand = cand.copy()
    is_f = cand["partner"].isin(partners) & cand["tariff_rate"].notna()
    cand.loc[is_f, "tariff_rate"] = [
        fta_rate(r, year, entry_year=entry_year, phase_in_years=phase_in_years, target_rate=target_rate)
        for r in cand.loc[is_f, "tariff_rate"]
    ]
    cand.loc[is_f, "tariff_basis"] = (
        f"FTA: to {target_rate:.0%} from {entry_year}, phase-in "
        f"{phase_in_years} years (assumption; "
        f"base {cand.loc[is_f, 'tariff_basis'].iloc[0] if is_f.any() else ''})"
    )
    return cand


@dataclass(frozen=True)
class ScreenedCandidates:
    """Result of :func:`screen_candidates`."""

    kept: pd.DataFrame
    all: pd.DataFrame
    unknown_tariffs: list[str]
    missing_freight: list[str]
    excluded: list[str]


def screen_candidates(cand: pd.DataFrame, *, unknown_tariff: UnknownTariff = "exclude") -> ScreenedCandidates:
    """Suppliers the optimiser can use: a known (or, on request, zero) tariff and a known freight.

    With ``unknown_tariff="zero"`` an unknown tariff becomes 0 (basis ``unknown, set to 0 on
    request``); with ``"exclude"`` the supplier is left out. Suppliers without freight are always
    left out. Both are reported.
    """
    if unknown_tariff not in ("exclude", "zero"):
        raise ValueError(f"unknown_tariff must be 'exclude' or 'zero', got {unknown_tariff!r}")
    cand = cand.copy()
    unknown = cand.loc[cand["tariff_rate"].isna(), "partner"].tolist()
    if unknown_tariff == "zero":
        cand.loc[cand["tariff_rate"].isna(), "tariff_basis"] = "unknown, set to 0 on request"
        cand["tariff_rate"] = cand["tariff_rate"].fillna(0.0)
    no_freight = cand.loc[cand["freight_usd_t"].isna(), "partner"].tolist()
    drop = set(no_freight) | (set(unknown) if unknown_tariff == "exclude" else set())
    kept = cand[~cand["partner"].isin(drop)].reset_index(drop=True)
    return ScreenedCandidates(kept, cand, unknown, no_freight, sorted(drop))
