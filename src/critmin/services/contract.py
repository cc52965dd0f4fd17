"""Q5 -- how does a stronger Sol (or rupee) change a long-term concentrate contract?

:func:`run_contract` values a :class:`~critmin.domain.scenarios.contracts.ConcentrateContract`
at warehouse prices and FX rates, with its FX sensitivity and a historical back-test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
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
    """Value the contract along user price/FX paths (``{year: value}``); gaps carry the last value."""
    years = sorted({int(y) for y in lme_path} | {int(y) for cur in fx_path.values() for y in cur})
    field_of = {"INR": "inr_per_usd", "PEN": "pen_per_usd", "CLP": "clp_per_usd"}
    for cur in fx_path:
        if cur not in field_of:
            raise DataFormatError(
                where, f"fx_path currency must be one of {', '.join(field_of)}, got {cur!r}", field="fx_path"
            )
    rows, cur_c = [], c
    for y in years:
        changes = {}
        if y in {int(k) for k in lme_path}:
            changes["lme_usd_t"] = float({int(k): v for k, v in lme_path.items()}[y])
        for cur, path in fx_path.items():
            p = {int(k): v for k, v in path.items()}
            if y in p:
                changes[field_of[cur]] = float(p[y])
        cur_c = cur_c.with_(**changes)
        v = ct.calc_contract_value(cur_c)
        rows.append(
            {
                "year": y,
                **{
                    k: v[k]
                    for k in (
                        "lme_usd_t",
                        "inr_per_usd",
                        "pen_per_usd",
                        "invoice_usd",
                        "landed_cost_usd",
                        "importer_cost_inr",
                        "mine_revenue_pen",
                    )
                },
            }
        )
    return rows


def contract_backtest(
    settings: Settings, contract: ct.ConcentrateContract, *, start: str = "2015-01", end: str = "2025-01"
) -> dict:
    """Value ``contract`` in every month with Pink Sheet copper and fx_rates INR and PEN."""
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
    bt = ct.backtest_contract(contract, h)
    cost, rev = bt["importer_cost_inr"], bt["mine_revenue_pen"]
    return {
        "months": len(bt),
        "start": f"{bt['month'].iloc[0]:%Y-%m}",
        "end": f"{bt['month'].iloc[-1]:%Y-%m}",
        "importer_cost_inr": {"min": float(cost.min()), "max": float(cost.max()), "mean": float(cost.mean())},
        "mine_revenue_pen": {"min": float(rev.min()), "max": float(rev.max()), "mean": float(rev.mean())},
        "corr_cost_inr_vs_inr_rate": float(np.corrcoef(np.log(cost), np.log(bt["inr_per_usd"]))[0, 1]),
        "series": bt.assign(month=bt["month"].dt.strftime("%Y-%m")).to_dict(orient="records"),
    }
