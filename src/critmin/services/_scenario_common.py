"""Shared pieces of the scenario services: warehouse access, product selection, parameters, reference codes.

The rules live in the domain (:mod:`critmin.domain.scenarios.market`); the two wrappers here read the
warehouse tables they need and pass them in.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from critmin.config import Settings
from critmin.domain.scenarios import market
from critmin.errors import UnknownCodeError
from critmin.scenario_data import load_parameters

#: copper ores and concentrates: TradeStat reports the heading (HS 2603), the models use its one HS6 line.
#: The BACI extract has no world HS 2603 trade, so the shock and sourcing services take India's
#: imports from ``tradestat_imports`` and suppliers' capacity from the USGS mine - refinery surplus.
CONCENTRATE_HS4 = "2603"
CONCENTRATE_HS6 = "260300"

STAGE_ALIASES = {
    "concentrate": "ore",
    "concentrates": "ore",
    "ore": "ore",
    "cathode": "refined",
    "refined": "refined",
    "intermediate": "intermediate",
    "product": "product",
}


USGS_STAGE = {"ore": "mine", "refined": "refinery"}


CURRENCY_OF = {
    "PER": "PEN",
    "CHL": "CLP",
    "AUS": "AUD",
    "IDN": "IDR",
    "BRA": "BRL",
    "CAN": "CAD",
    "MEX": "MXN",
    "ZAF": "ZAR",
    "CHN": "CNY",
    "USA": "USD",
    "PNG": "PGK",
    "TZA": "TZS",
    "PHL": "PHP",
    "MYS": "MYR",
    "SAU": "SAR",
    "OMN": "OMR",
    "NAM": "NAD",
    "ZMB": "ZMW",
    "COD": "CDF",
    "RUS": "RUB",
    "KAZ": "KZT",
    "POL": "PLN",
    "KOR": "KRW",
    "JPN": "JPY",
    "DEU": "EUR",
    "MOZ": "MZN",
    "ETH": "ETB",
    "IND": "INR",
}


def _warehouse(settings: Settings, tables: Sequence[str]):
    from critmin.services.explorer import ensure_tables

    return ensure_tables(settings, tables)


def _elasticities(mineral: str | None, choice) -> tuple[float, float, str]:
    params = load_parameters()["elasticities"]
    if isinstance(choice, Mapping):
        return float(choice["supply"]), float(choice["demand"]), str(choice.get("source", "user scenario"))
    key = choice or "long_run"
    if key not in ("long_run", "short_run"):
        raise ValueError(f"elasticity must be long_run, short_run or a mapping, got {key!r}")
    tab = params[key]
    e = tab.get(mineral or "", tab["default"])
    return float(e["supply"]), float(e["demand"]), f"{key}: {e['source']}"


def _products(mineral=None, stage=None, hs=None) -> list[str]:
    from critmin.classify import products_for

    if stage is not None:
        st = STAGE_ALIASES.get(str(stage).lower())
        if st is None:
            raise UnknownCodeError("stage", stage, hint=f"expected one of {', '.join(STAGE_ALIASES)}")
        stage = st
    return list(dict.fromkeys(products_for(mineral=mineral, stage=stage, hs=hs)["hs6"]))


def _copper_price(wh, year: int) -> tuple[float, str]:
    """Copper price of ``year`` from ``metal_prices`` (:func:`critmin.domain.scenarios.market.copper_annual_price`)."""
    return market.copper_annual_price(wh.read("metal_prices"), year)


def concentrate_surplus(wh, year: int):
    """Exportable copper-concentrate surplus from ``mineral_production``
    (:func:`critmin.domain.scenarios.market.concentrate_surplus`): ``(t Cu by ISO3, USGS year)``."""
    return market.concentrate_surplus(wh.read("mineral_production"), year)
