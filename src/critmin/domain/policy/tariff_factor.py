"""An agreement's tariff cuts as one iceberg trade-cost factor for a country pair.

A structural gravity model takes the agreement's tariff cuts as a change in the bilateral
trade cost ``t_ij``: an ad-valorem tariff ``tau`` enters the consumer price as ``(1 + tau)``,
so cutting it to ``tau'`` multiplies ``t_ij`` by ``(1 + tau') / (1 + tau)``. Across the
tariff lines ``l`` of the pair's trade (both directions), weighted by the trade ``w_l``
of the baseline year:

.. math::

    f = \\frac{\\sum_l w_l \\, (1 + \\tau'_l) / (1 + \\tau_l)}{\\sum_l w_l}

Only lines whose tariff is known enter the sums. The result states the **coverage**
(covered trade / the pair's total trade per direction) and, as a labelled alternative, the
**simple average** of ``(1 + tau')/(1 + tau)`` over every MFN line of the importer's
tariff (unweighted), which does not depend on the trade data's gaps.

``tau'`` is the rate at full phase-in of the agreement's schedule
(:class:`~critmin.domain.policy.schedule.SideSchedule`): lines it lists get their staging
category, exclusions keep MFN, other lines the side's ``default`` category (or MFN without one),
and the preference is used on a share ``u`` (utilisation) of trade:
``tau' = tau * (u * s + (1 - u))`` with ``s`` the share of the base rate left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from critmin.domain.policy.schedule import SideSchedule

#: Chile applies one ad-valorem MFN rate to (almost) every line: 6% since 1 January 2003.
CHILE_MFN_RATE = 0.06
CHILE_MFN_SOURCE = (
    "Ley 19.589 (Chile, Diario Oficial 14 Nov 1998): the general ad-valorem customs duty "
    "falls by one point a year to 6% from 1 January 2003; WTO Tariff Profiles: Chile "
    "(uniform applied MFN 6%). Price bands (wheat, flour, sugar) are not modelled."
)


def calc_cost_factor(
    rate_before: Sequence[float], rate_after: Sequence[float], weights: Sequence[float] | None = None
) -> float:
    """Weighted mean trade-cost factor ``sum_l w_l (1 + tau'_l)/(1 + tau_l) / sum_l w_l``.

    Parameters
    ----------
    rate_before, rate_after : array-like
        Ad-valorem rates as fractions (0.06 = 6%), before and after the agreement.
    weights : array-like, optional
        Trade per line (equal weights when omitted: the simple average).

    Returns
    -------
    float
        NaN when there is no line or the weights sum to 0.
    """
    t0 = np.asarray(rate_before, dtype=float)
    t1 = np.asarray(rate_after, dtype=float)
    w = np.ones_like(t0) if weights is None else np.asarray(weights, dtype=float)
    if not len(t0) or not w.sum() > 0:
        return float("nan")
    if (t0 < 0).any() or (t1 < 0).any() or (w < 0).any():
        raise ValueError("rates and weights must be >= 0")
    return float(np.sum(w * (1.0 + t1) / (1.0 + t0)) / w.sum())


def rates_after(
    side: SideSchedule, hs: Sequence[str], rate_before: Sequence[float], *, year: int, utilisation: float | None = None
) -> pd.DataFrame:
    """Rates at ``year`` of the agreement (0 = entry into force) under ``side``'s schedule.

    ``tau' = tau * (u * s + (1 - u))`` where ``s`` is the share of the base rate the staging
    leaves in ``year`` (1 for excluded lines and lines without a category) and ``u`` the
    utilisation (``side.utilisation`` unless given).

    Returns
    -------
    DataFrame
        ``hs, rate_before, rate_after, share, category``.
    """
    u = side.utilisation if utilisation is None else float(utilisation)
    codes = pd.Series(list(hs), dtype=str)
    t0 = np.asarray(rate_before, dtype=float)
    shares = side.shares(codes.unique(), [year]).set_index("hs6")
    s = codes.map(shares["share"]).to_numpy(float)
    cat = codes.map(shares["category"]).fillna("MFN (no category)").to_numpy()
    return pd.DataFrame(
        {"hs": codes.to_numpy(), "rate_before": t0, "rate_after": t0 * (u * s + (1.0 - u)), "share": s, "category": cat}
    )


@dataclass(frozen=True)
class SideTariffs:
    """One direction of the pair's trade: the importer's tariff lines and its imports from the exporter.

    Attributes
    ----------
    importer, exporter : str
        ISO3; the importer cuts its tariffs on goods from the exporter.
    lines : DataFrame
        ``hs, trade_usd, rate_before, rate_after`` (fractions; NaN = unknown rate) and optional
        ``trade_source, rate_source``: the traded lines.
    total_usd : float or None
        The importer's total imports from the exporter (official total) for the coverage.
    total_label : str
        What ``total_usd`` is (source, period).
    mfn_lines : DataFrame, optional
        ``hs, rate_before, rate_after`` over every MFN line of the importer's tariff, for the
        simple-average alternative.
    rates_known : bool
        False when the importer's tariff is not available at all (e.g. Peru): the side adds
        nothing to the factor and its trade is uncovered.
    sources, notes : tuple of str
    """

    importer: str
    exporter: str
    lines: pd.DataFrame
    total_usd: float | None = None
    total_label: str = ""
    mfn_lines: pd.DataFrame | None = None
    rates_known: bool = True
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.importer}<-{self.exporter}"


@dataclass(frozen=True)
class PairTariffResult:
    """Result of :class:`PairTariffModel`: the pair's trade-weighted cost factor and its coverage."""

    factor: float | None
    coverage: float | None
    covered_usd: float
    total_usd: float | None
    lines_used: int
    simple_average_factor: float | None
    sides: dict[str, dict[str, Any]]
    lines: pd.DataFrame
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the line table)."""
        return {
            "factor": self.factor,
            "coverage": self.coverage,
            "covered_usd": self.covered_usd,
            "total_usd": self.total_usd,
            "lines_used": self.lines_used,
            "simple_average_factor": self.simple_average_factor,
            "sides": self.sides,
            "sources": list(self.sources),
            "notes": list(self.notes),
            "formula": "sum_l w_l (1 + tau'_l)/(1 + tau_l) / sum_l w_l over covered lines of both directions",
        }

    def to_frame(self) -> pd.DataFrame:
        return self.lines.copy()


def _none(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


class PairTariffModel:
    """Trade-weighted tariff factor of an agreement for a pair, both directions.

    Parameters
    ----------
    sides : sequence of SideTariffs
        One per direction (usually two).

    Notes
    -----
    Per side ``s`` with covered lines ``K_s`` (known rate, trade > 0):
    ``f_s = sum_{K_s} w (1+tau')/(1+tau) / sum_{K_s} w``, coverage ``sum_{K_s} w / total_s``.
    The pair factor pools the covered lines of both sides (weights in USD), so each direction
    counts by its covered trade. The pair coverage is covered trade over the sum of the sides'
    totals (a side with unknown rates adds its total to the denominator only). The simple
    average alternative: per side the unweighted mean over all MFN lines; for the pair the mean
    of the sides' simple averages weighted by their total trade (sides without a full tariff
    are left out; unweighted when no side has a total).
    """

    def __init__(self, sides: Sequence[SideTariffs]):
        if not sides:
            raise ValueError("at least one side is needed")
        self.sides = tuple(sides)

    def run(self) -> PairTariffResult:
        frames, out_sides = [], {}
        simple_num = simple_den = 0.0
        simples: list[float] = []
        for s in self.sides:
            df = s.lines.copy()
            for c in ("trade_source", "rate_source"):
                if c not in df:
                    df[c] = ""
            df["side"] = s.name
            df["trade_usd"] = pd.to_numeric(df["trade_usd"], errors="coerce").fillna(0.0)
            known = df["rate_before"].notna() & df["rate_after"].notna() & (df["trade_usd"] > 0)
            if not s.rates_known:
                known &= False
            df["covered"] = known
            df["cost_ratio"] = np.where(known, (1.0 + df["rate_after"]) / (1.0 + df["rate_before"]), np.nan)
            frames.append(df)
            cov = df[known]
            w = float(cov["trade_usd"].sum())
            f = calc_cost_factor(cov["rate_before"], cov["rate_after"], cov["trade_usd"]) if len(cov) else np.nan
            simple = np.nan
            if s.rates_known and s.mfn_lines is not None and len(s.mfn_lines):
                m = s.mfn_lines.dropna(subset=["rate_before", "rate_after"])
                simple = calc_cost_factor(m["rate_before"], m["rate_after"]) if len(m) else np.nan
                if np.isfinite(simple):
                    simples.append(simple)
                if np.isfinite(simple) and s.total_usd:
                    simple_num += s.total_usd * simple
                    simple_den += s.total_usd
            avg_before = float(np.average(cov["rate_before"], weights=cov["trade_usd"])) if w > 0 else None
            avg_after = float(np.average(cov["rate_after"], weights=cov["trade_usd"])) if w > 0 else None
            out_sides[s.name] = {
                "importer": s.importer,
                "exporter": s.exporter,
                "rates_known": s.rates_known,
                "factor": _none(f),
                "covered_usd": w,
                "traded_usd": float(df["trade_usd"].sum()),
                "unknown_rate_usd": float(df.loc[~known, "trade_usd"].sum()),
                "total_usd": s.total_usd,
                "total": s.total_label,
                "coverage": (w / s.total_usd) if s.total_usd else None,
                "lines_used": int(known.sum()),
                "lines_traded": int((df["trade_usd"] > 0).sum()),
                "weighted_rate_before_pct": None if avg_before is None else 100 * avg_before,
                "weighted_rate_after_pct": None if avg_after is None else 100 * avg_after,
                "simple_average_factor": _none(simple),
                "simple_average_lines": 0 if s.mfn_lines is None else int(s.mfn_lines["rate_before"].notna().sum()),
                "sources": list(s.sources),
                "notes": list(s.notes),
            }
        lines = pd.concat(frames, ignore_index=True)
        cov = lines[lines["covered"]]
        covered = float(cov["trade_usd"].sum())
        factor = calc_cost_factor(cov["rate_before"], cov["rate_after"], cov["trade_usd"]) if len(cov) else np.nan
        totals = [s.total_usd for s in self.sides]
        total = float(sum(t for t in totals if t is not None)) if all(t for t in totals) else None
        notes = tuple(
            f"{s.name}: the importer's tariff is not available; this direction's trade is not covered "
            f"(its rates are not assumed to be 0)"
            for s in self.sides
            if not s.rates_known
        )
        return PairTariffResult(
            factor=_none(factor),
            coverage=(covered / total) if total else None,
            covered_usd=covered,
            total_usd=total,
            lines_used=int(len(cov)),
            simple_average_factor=(simple_num / simple_den)
            if simple_den > 0
            else (float(np.mean(simples)) if simples else None),
            sides=out_sides,
            lines=lines,
            sources=tuple(dict.fromkeys(x for s in self.sides for x in s.sources)),
            notes=notes,
        )
