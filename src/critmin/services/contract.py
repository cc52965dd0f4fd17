"""Q5 -- how does a stronger Sol (or rupee) change a long-term concentrate contract?

:func:`run_contract` values a :class:`~critmin.domain.scenarios.contracts.ConcentrateContract`
at warehouse prices and FX rates, with its FX sensitivity and a historical back-test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd

from critmin.config import Settings
from critmin.domain.scenarios import contracts as ct
from critmin.domain.scenarios import market
from critmin.errors import DataFormatError, EmptySelectionError
from critmin.scenario_data import load_parameters
from critmin.services._scenario_common import _warehouse
from critmin.sources.scenario_files import number_field as _num
from critmin.sources.scenario_files import read_contract_file


def _latest_fx(wh, currency: str, month: str | None = None) -> tuple[float, str]:
    """Units of ``currency`` per USD from ``fx_rates`` (:func:`critmin.domain.scenarios.market.latest_fx_rate`)."""
    return market.latest_fx_rate(wh.read("fx_rates"), currency, month)


def load_contract_scenario(path: str | Path) -> dict:
    """Read a contract scenario YAML (see ``examples/scenarios/contract_peru_copper.yaml``).

    :func:`critmin.sources.scenario_files.read_contract_file`; ``dmt`` and ``grade`` are required.
    """
    return read_contract_file(path)


def run_contract(settings: Settings, scenario: str | Path | Mapping) -> dict:
    """Concentrate contract economics, FX sensitivity and a historical back-test."""
    d = load_contract_scenario(scenario) if not isinstance(scenario, Mapping) else dict(scenario)
    where = scenario if not isinstance(scenario, Mapping) else "contract scenario"
    par = load_parameters()["contracts"]["copper_concentrate"]
    wh = _warehouse(settings, ["metal_prices", "fx_rates"])
    sources = {"tc_rc": par["tc_rc_source"]}
    lme = d.get("lme_usd_t", "latest")
    if lme == "latest":
        cu = wh.read("metal_prices")
        cu = cu[cu["series"] == "copper"].sort_values("month")
        lme = float(cu["price"].iloc[-1])
        sources["lme"] = f"Pink Sheet copper {cu['month'].iloc[-1]:%Y-%m}"
    else:
        lme = _num(d, "lme_usd_t", where, lo=0)
        sources["lme"] = "scenario"
    fx = d.get("fx") or {}
    rates = {}
    for cur in ("INR", "PEN", "CLP"):
        v = fx.get(cur, "latest")
        if v == "latest":
            rates[cur], sources[cur] = _latest_fx(wh, cur)
        else:
            rates[cur] = _num(fx, cur, where, lo=0)
            sources[cur] = "scenario"
    c = ct.ConcentrateContract(
        dmt=_num(d, "dmt", where, lo=0),
        grade=_num(d, "grade", where, lo=0, hi=1),
        lme_usd_t=lme,
        payable_pct=_num(d, "payable_pct", where, default=par["payable_pct"], lo=0, hi=1),
        min_deduction=_num(d, "min_deduction", where, default=par["min_deduction_units"], lo=0),
        tc_usd_per_dmt=_num(d, "tc_usd_per_dmt", where, default=par["tc_usd_per_dmt"], lo=0),
        rc_usd_per_lb=_num(d, "rc_usd_per_lb", where, default=par["rc_usd_per_lb"], lo=0),
        freight_usd_per_dmt=_num(d, "freight_usd_per_dmt", where, default=0.0, lo=0),
        tariff_rate=_num(d, "tariff_rate", where, default=0.0, lo=0, hi=1),
        inr_per_usd=rates["INR"],
        pen_per_usd=rates["PEN"],
        clp_per_usd=rates["CLP"],
    )
    value = ct.calc_contract_value(c)
    shocks = tuple(d.get("sensitivity", (-0.10, -0.05, 0.05, 0.10)))
    sens = ct.fx_sensitivity(c, shocks=shocks)
    out = {
        "name": d.get("name", ""),
        "contract": value,
        "sensitivity": sens.to_dict(orient="records"),
        "sources": sources,
        "convention": "payable Cu = dmt x min(payable% x grade, grade - min deduction); invoice = payable Cu x LME "
        "- TC x dmt - RC x payable lb; importer cost = (invoice + freight) x (1 + tariff) x INR/USD; "
        "mine revenue = invoice x PEN/USD",
    }
    if d.get("lme_path") or d.get("fx_path"):
        out["path"] = _contract_path(c, d.get("lme_path") or {}, d.get("fx_path") or {}, where)
    bt = d.get("backtest")
    if bt:
        out["backtest"] = contract_backtest(
            settings, c, start=str(bt.get("start", "2015-01")), end=str(bt.get("end", "2025-01"))
        )
    return out


def _contract_path(c: ct.ConcentrateContract, lme_path: Mapping, fx_path: Mapping, where) -> list[dict]:
    """The contract along user price/FX paths (:func:`critmin.domain.scenarios.contracts.contract_path`)."""
    for cur in fx_path:
        if cur not in ct.FX_FIELDS:
            raise DataFormatError(
                where, f"fx_path currency must be one of {', '.join(ct.FX_FIELDS)}, got {cur!r}", field="fx_path"
            )
    return ct.contract_path(c, lme_path, fx_path)


def contract_backtest(
    settings: Settings, contract: ct.ConcentrateContract, *, start: str = "2015-01", end: str = "2025-01"
) -> dict:
    """Value ``contract`` in every month with Pink Sheet copper and fx_rates INR and PEN.

    :func:`critmin.domain.scenarios.contracts.backtest_contract`, summarised by
    :func:`~critmin.domain.scenarios.contracts.backtest_summary`.
    """
    wh = _warehouse(settings, ["metal_prices", "fx_rates"])
    mp = wh.read("metal_prices")
    cu = mp[mp["series"] == "copper"][["month", "price"]].rename(columns={"price": "lme_usd_t"})
    fx = wh.read("fx_rates")
    fx = fx[fx["currency"].isin(["INR", "PEN"])].pivot(index="month", columns="currency", values="units_per_usd")
    fx = fx.rename(columns={"INR": "inr_per_usd", "PEN": "pen_per_usd"}).reset_index()
    h = cu.merge(fx, on="month")
    h = h[(h["month"] >= pd.Timestamp(start)) & (h["month"] <= pd.Timestamp(end))]
    if h.empty:
        raise EmptySelectionError(f"no months with copper price and INR/PEN rates between {start} and {end}")
    return ct.backtest_summary(ct.backtest_contract(contract, h))
