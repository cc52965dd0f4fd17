r"""Market inputs of the scenario models: copper price, concentrate surplus, production, FX risk.

Pure functions over the warehouse's canonical frames (``metal_prices``, ``mineral_production``,
``fx_rates``); the scenario services read the tables and pass them in.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from critmin.errors import EmptySelectionError, UnknownCodeError


def copper_annual_price(prices: pd.DataFrame, year: int) -> tuple[float, str]:
    r"""Copper price (USD/t) for a calendar year, and its basis.

    .. math:: p_y = \frac{1}{12} \sum_{m \in y} p_m

    when year ``y`` has all 12 months of the Pink Sheet copper series; otherwise the mean of
    the last 12 months of the series, held flat.

    Parameters
    ----------
    prices : pandas.DataFrame
        ``metal_prices`` rows: ``series, month, price``.
    year : int

    Raises
    ------
    EmptySelectionError
        The frame has no copper series.
    """
    cu = prices[prices["series"] == "copper"].sort_values("month")
    if cu.empty:
        raise EmptySelectionError("metal_prices has no copper series")
    yrs = cu["month"].dt.year
    full = cu.groupby(yrs)["price"].agg(["mean", "count"])
    full = full[full["count"] == 12]
    if year in full.index:
        return float(full.loc[year, "mean"]), f"Pink Sheet copper {year} average"
    last = cu.tail(12)
    return float(last["price"].mean()), (
        f"Pink Sheet copper, mean of the last 12 months "
        f"({last['month'].iloc[0]:%Y-%m} to {last['month'].iloc[-1]:%Y-%m}), held flat"
    )


def contained_copper_t(value_usd, lme_usd_t: float, payable_pct: float):
    r"""Tonnes of copper content a concentrate import value pays for (TC/RC ignored).

    .. math:: q = \frac{V}{p_{LME} \times \text{payable}}
    """
    return value_usd / (lme_usd_t * payable_pct)


def _producers(production: pd.DataFrame, mineral: str) -> pd.DataFrame:
    """Country rows (not ``WLD``, ISO3 and tonnes known) of ``mineral`` in ``mineral_production``."""
    mp = production
    return mp[(mp["mineral"] == mineral) & mp["iso3"].notna() & (mp["iso3"] != "WLD") & mp["value_tonnes"].notna()]


def production_year(years: pd.Series, year: int) -> int:
    """The production year used for ``year``: the latest ``<= year``, else the earliest available."""
    return int(years[years <= year].max()) if (years <= year).any() else int(years.min())


def production_by_country(production: pd.DataFrame, mineral: str, stage: str, year: int) -> tuple[pd.Series, int]:
    """USGS production (t) by country of ``mineral`` at ``stage`` in the year :func:`production_year` picks.

    Returns
    -------
    (pandas.Series, int)
        Tonnes by ISO3 (empty when there is no row), and the year used (``-1`` when none).
    """
    sel = _producers(production, mineral)
    sel = sel[sel["stage"] == stage]
    if sel.empty:
        return pd.Series(dtype=float), -1
    py = production_year(sel["year"], year)
    return sel[sel["year"] == py].groupby("iso3")["value_tonnes"].sum(), py


def concentrate_surplus(production: pd.DataFrame, year: int) -> tuple[pd.Series, int]:
    r"""Exportable copper-concentrate surplus by country (t Cu) and the USGS year used.

    .. math:: S_i = \max(0,\ \text{mine}_i - \text{refinery}_i)

    for the latest year ``<= year`` with mine production (else the latest year); a country with
    mine but no refinery row counts its whole mine output.

    Parameters
    ----------
    production : pandas.DataFrame
        ``mineral_production`` rows: ``mineral, stage, iso3, year, value_tonnes``.

    Raises
    ------
    EmptySelectionError
        No copper mine production at all.
    """
    cu = _producers(production, "copper")
    mine_all = cu[cu["stage"] == "mine"]
    if mine_all.empty:
        raise EmptySelectionError("mineral_production has no copper mine production")
    py = (
        int(mine_all.loc[mine_all["year"] <= year, "year"].max())
        if (mine_all["year"] <= year).any()
        else int(mine_all["year"].max())
    )
    mine = mine_all[mine_all["year"] == py].groupby("iso3")["value_tonnes"].sum()
    ref = cu[(cu["stage"] == "refinery") & (cu["year"] == py)].groupby("iso3")["value_tonnes"].sum()
    return (mine - ref.reindex(mine.index).fillna(0.0)).clip(lower=0.0), py


def fx_premium(
    fx: pd.DataFrame,
    currencies: Mapping[str, str],
    *,
    multiplier: float,
    start: str = "2015-01-01",
    end: str = "2025-01-01",
    min_months: int = 24,
) -> dict[str, float]:
    r"""FX risk premium (fraction of the price) per supplier from its currency's monthly volatility.

    .. math:: \pi_i = k \cdot \sqrt{12}\ \operatorname{sd}_m\!\left(\ln x_{c(i),m} - \ln x_{c(i),m-1}\right)

    with :math:`x` the units of the supplier's currency per USD (``fx_rates``, months in
    ``[start, end)``) and :math:`k` the ``multiplier``; 0 for USD suppliers. Suppliers whose
    currency has ``min_months`` months or fewer get no entry.

    Parameters
    ----------
    fx : pandas.DataFrame
        ``fx_rates`` rows: ``currency, month, units_per_usd``.
    currencies : mapping
        Supplier ISO3 -> ISO 4217 currency.
    """
    fx = fx[(fx["month"] >= start) & (fx["month"] < end)]
    out = {}
    for iso, cur in currencies.items():
        s = fx[fx["currency"] == cur].sort_values("month")["units_per_usd"]
        if len(s) > min_months and cur != "USD":
            vol = float(np.log(s).diff().std() * math.sqrt(12))
            out[iso] = multiplier * vol
        elif cur == "USD":
            out[iso] = 0.0
    return out


def latest_fx_rate(fx: pd.DataFrame, currency: str, month: str | None = None) -> tuple[float, str]:
    """Units of ``currency`` per USD in ``month`` (latest ``<=``), else in the latest complete month.

    The last month of the FX series from 2025 on rests on a few days, so without ``month`` the
    month before it is used.

    Raises
    ------
    UnknownCodeError
        ``currency`` is not in the frame.
    """
    s = fx[fx["currency"] == currency].sort_values("month")
    if s.empty:
        raise UnknownCodeError("currency", currency, where="fx_rates")
    if month:
        s = s[s["month"] <= pd.Timestamp(month)]
    row = s.iloc[-2] if len(s) > 1 and s["month"].iloc[-1] >= pd.Timestamp("2025-01-01") and not month else s.iloc[-1]
    return float(row["units_per_usd"]), f"fx_rates {currency} {row['month']:%Y-%m}"
