r"""Copper-concentrate contract economics in USD, INR and PEN.

Convention (LME-linked concentrate sale, TC/RC deducted; e.g. "imports copper concentrate at
LME price less internationally negotiated TC/RC", Financial Express 2017-01-19)::

    payable fraction  f   = min(payable_pct * grade, grade - min_deduction)
    payable Cu (t)    Q   = dmt * f
    payable Cu (lb)   Q_lb = Q * 2204.62262
    invoice (USD)     V   = Q * LME  -  TC * dmt  -  RC * Q_lb
    CIF (USD)         V + freight
    duty (USD)        tau * (V + freight)               (Indian duty on the assessable CIF value)
    importer cost INR (V + freight) * (1 + tau) * INR_per_USD
    mine revenue PEN  V * PEN_per_USD                   (FOB sale: freight paid by the buyer)

``dmt`` is dry metric tonnes of concentrate, ``grade`` the Cu content (0.25 = 25 %),
TC in USD/dmt, RC in USD/lb of payable copper, LME in USD/t.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np
import pandas as pd

LB_PER_T = 2204.62262185


@dataclass(frozen=True)
class ConcentrateContract:
    """Terms of one copper-concentrate shipment or annual contract."""

    dmt: float
    grade: float
    lme_usd_t: float
    payable_pct: float = 0.965
    min_deduction: float = 0.01
    tc_usd_per_dmt: float = 80.0
    rc_usd_per_lb: float = 0.08
    freight_usd_per_dmt: float = 0.0
    tariff_rate: float = 0.0
    inr_per_usd: float = float("nan")
    pen_per_usd: float = float("nan")
    clp_per_usd: float = float("nan")

    def __post_init__(self):
        for name in ("dmt", "lme_usd_t", "tc_usd_per_dmt", "rc_usd_per_lb", "freight_usd_per_dmt", "tariff_rate"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if not 0 < self.grade <= 1:
            raise ValueError(f"grade is a fraction in (0, 1] (0.25 = 25% Cu), got {self.grade!r}")
        if not 0 < self.payable_pct <= 1:
            raise ValueError(f"payable_pct is a fraction in (0, 1], got {self.payable_pct!r}")

    def with_(self, **changes) -> "ConcentrateContract":
        return replace(self, **changes)


def calc_payable_fraction(grade, payable_pct=0.965, min_deduction=0.01):
    """``min(payable_pct * grade, grade - min_deduction)``, floored at 0."""
    return np.maximum(np.minimum(payable_pct * np.asarray(grade, float), np.asarray(grade, float) - min_deduction), 0.0)


def calc_contract_value(c: ConcentrateContract) -> dict:
    """All the quantities of the module docstring for one contract, as a dict."""
    f = float(calc_payable_fraction(c.grade, c.payable_pct, c.min_deduction))
    q = c.dmt * f
    q_lb = q * LB_PER_T
    gross = q * c.lme_usd_t
    tc = c.tc_usd_per_dmt * c.dmt
    rc = c.rc_usd_per_lb * q_lb
    invoice = gross - tc - rc
    freight = c.freight_usd_per_dmt * c.dmt
    cif = invoice + freight
    duty = c.tariff_rate * cif
    landed = cif + duty
    return {
        "dmt": c.dmt,
        "grade": c.grade,
        "payable_fraction": f,
        "payable_cu_t": q,
        "payable_cu_lb": q_lb,
        "lme_usd_t": c.lme_usd_t,
        "gross_metal_value_usd": gross,
        "tc_usd": tc,
        "rc_usd": rc,
        "invoice_usd": invoice,
        "freight_usd": freight,
        "cif_usd": cif,
        "duty_usd": duty,
        "landed_cost_usd": landed,
        "landed_cost_usd_per_t_cu": landed / q if q else float("nan"),
        "inr_per_usd": c.inr_per_usd,
        "pen_per_usd": c.pen_per_usd,
        "clp_per_usd": c.clp_per_usd,
        "importer_cost_inr": landed * c.inr_per_usd,
        "mine_revenue_pen": invoice * c.pen_per_usd,
        "mine_revenue_clp": invoice * c.clp_per_usd,
    }


def fx_sensitivity(c: ConcentrateContract, *, shocks=(-0.10, -0.05, 0.05, 0.10)) -> pd.DataFrame:
    """Importer cost (INR) and mine revenue (PEN) when the rupee or the sol moves.

    A shock ``+x`` to ``inr_per_usd`` is a weaker rupee; a shock ``-x`` to ``pen_per_usd``
    is a stronger sol (fewer soles per dollar).
    """
    base = calc_contract_value(c)
    rows = [
        {
            "case": "base",
            "inr_per_usd": c.inr_per_usd,
            "pen_per_usd": c.pen_per_usd,
            "importer_cost_inr": base["importer_cost_inr"],
            "mine_revenue_pen": base["mine_revenue_pen"],
        }
    ]
    for x in shocks:
        label_inr = f"rupee {'weaker' if x > 0 else 'stronger'} {abs(x):.0%}"
        v = calc_contract_value(c.with_(inr_per_usd=c.inr_per_usd * (1 + x)))
        rows.append(
            {
                "case": label_inr,
                "inr_per_usd": c.inr_per_usd * (1 + x),
                "pen_per_usd": c.pen_per_usd,
                "importer_cost_inr": v["importer_cost_inr"],
                "mine_revenue_pen": v["mine_revenue_pen"],
            }
        )
    for x in shocks:
        label_pen = f"sol {'stronger' if x < 0 else 'weaker'} {abs(x):.0%}"
        v = calc_contract_value(c.with_(pen_per_usd=c.pen_per_usd * (1 + x)))
        rows.append(
            {
                "case": label_pen,
                "inr_per_usd": c.inr_per_usd,
                "pen_per_usd": c.pen_per_usd * (1 + x),
                "importer_cost_inr": v["importer_cost_inr"],
                "mine_revenue_pen": v["mine_revenue_pen"],
            }
        )
    df = pd.DataFrame(rows)
    df["importer_cost_change"] = df["importer_cost_inr"] / base["importer_cost_inr"] - 1
    df["mine_revenue_change"] = df["mine_revenue_pen"] / base["mine_revenue_pen"] - 1
    return df


def backtest_contract(c: ConcentrateContract, history: pd.DataFrame) -> pd.DataFrame:
    """Value the same contract every month of ``history``.

    Parameters
    ----------
    history : DataFrame
        ``month`` and any of ``lme_usd_t``, ``inr_per_usd``, ``pen_per_usd``, ``clp_per_usd``;
        missing columns keep the contract's value. Rows with a missing value are dropped.
    """
    cols = [k for k in ("lme_usd_t", "inr_per_usd", "pen_per_usd", "clp_per_usd") if k in history.columns]
    h = history.dropna(subset=cols).sort_values("month")
    rows = []
    for r in h.itertuples(index=False):
        v = calc_contract_value(c.with_(**{k: float(getattr(r, k)) for k in cols}))
        rows.append(
            {
                "month": r.month,
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
    return pd.DataFrame(rows)


#: the contract values reported per year of a path or month of a back-test
VALUE_COLUMNS = (
    "lme_usd_t",
    "inr_per_usd",
    "pen_per_usd",
    "invoice_usd",
    "landed_cost_usd",
    "importer_cost_inr",
    "mine_revenue_pen",
)
#: path currency -> contract field
FX_FIELDS = {"INR": "inr_per_usd", "PEN": "pen_per_usd", "CLP": "clp_per_usd"}


def contract_path(c: ConcentrateContract, lme_path: Mapping, fx_path: Mapping) -> list[dict]:
    """Value the contract along price and FX paths, year by year.

    Parameters
    ----------
    lme_path : mapping
        ``{year: LME USD/t}``.
    fx_path : mapping
        ``{currency: {year: units per USD}}`` for currencies of :data:`FX_FIELDS`.

    Each year of either path changes the values it gives; a year a path does not give carries its
    last value (the contract's own before the first). Values per :func:`calc_contract_value`.

    Raises
    ------
    ValueError
        A currency not in :data:`FX_FIELDS`.
    """
    for cur in fx_path:
        if cur not in FX_FIELDS:
            raise ValueError(f"fx_path currency must be one of {', '.join(FX_FIELDS)}, got {cur!r}")
    years = sorted({int(y) for y in lme_path} | {int(y) for cur in fx_path.values() for y in cur})
    lme = {int(k): v for k, v in lme_path.items()}
    fx = {cur: {int(k): v for k, v in path.items()} for cur, path in fx_path.items()}
    rows, cur_c = [], c
    for y in years:
        changes = {}
        if y in lme:
            changes["lme_usd_t"] = float(lme[y])
        for cur, p in fx.items():
            if y in p:
                changes[FX_FIELDS[cur]] = float(p[y])
        cur_c = cur_c.with_(**changes)
        v = calc_contract_value(cur_c)
        rows.append({"year": y, **{k: v[k] for k in VALUE_COLUMNS}})
    return rows


def backtest_summary(bt: pd.DataFrame) -> dict:
    r"""Range of a :func:`backtest_contract` frame and how the INR cost follows the rupee.

    ``corr_cost_inr_vs_inr_rate`` is the Pearson correlation of :math:`\ln` importer cost (INR)
    with :math:`\ln` INR per USD over the months.
    """
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
