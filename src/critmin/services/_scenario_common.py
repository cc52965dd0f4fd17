"""Shared pieces of the scenario services: warehouse access, product selection, parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
import yaml

from critmin.config import Settings
from critmin.errors import DataFormatError, EmptySelectionError, UnknownCodeError
from critmin.scenario_data import load_parameters


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


def _read_yaml(path: str | Path) -> dict:
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(p, "scenario file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataFormatError(p, "not UTF-8 text; save the scenario file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFormatError(
            p, f"not valid YAML: {getattr(exc, 'problem', exc)}", row=(mark.line + 1) if mark else None
        ) from None
    if not isinstance(data, dict):
        raise DataFormatError(p, "expected a YAML mapping (key: value lines) at the top level")
    return data


def _num(data: Mapping, key: str, file, *, default=None, lo=None, hi=None, required=False) -> float | None:
    if key not in data or data[key] is None:
        if required:
            raise DataFormatError(file, f"missing required field '{key}'", field=key)
        return default
    try:
        v = float(data[key])
    except (TypeError, ValueError):
        raise DataFormatError(file, f"expected a number, got {data[key]!r}", field=key) from None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise DataFormatError(file, f"{v} is outside the allowed range [{lo}, {hi}]", field=key)
    return v


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
    mp = wh.read("metal_prices")
    cu = mp[mp["series"] == "copper"].sort_values("month")
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


def concentrate_surplus(wh, year: int) -> tuple[pd.Series, int]:
    """Exportable copper-concentrate surplus by country: ``max(0, mine - refinery production)`` (t Cu).

    USGS ``mineral_production`` for the latest year <= ``year``; a country with mine but no refinery
    row counts its whole mine output.
    """
    mp = wh.read("mineral_production")
    cu = mp[(mp["mineral"] == "copper") & mp["iso3"].notna() & (mp["iso3"] != "WLD") & mp["value_tonnes"].notna()]
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
