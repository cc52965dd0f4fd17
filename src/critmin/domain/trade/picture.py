r"""The bilateral trade picture: an official total, the product detail that explains it, and where sources overlap.

A reporter's trade with a partner is told in three layers, each figure carrying its
period (label and basis) and its source:

* the **total** — all goods, from the highest-ranked source that has the pair and period
  (:data:`TOTAL_PRECEDENCE`): the reporter's own statistics first, then partner-reported
  exports (IMF DOTS, FOB). A sum of product detail is never shown as a total;
* the **explained** detail — non-overlapping product rows chosen by
  :data:`DETAIL_PRECEDENCE` (:func:`choose_detail`): for every product, the figure of the
  best source that has it; a code nested in a code already chosen (``710812`` inside
  ``7108``) is left out so no value is counted twice;
* the **coverage** :math:`c_f = \sum_{p \in explained_f} v_p / T_f` for each flow ``f``
  (imports, exports), with a note when detail and total are of different period bases;
* the **reconciliation** — where two sources report the same flow, product scope and
  period (:func:`reconcile`): both values, the gap :math:`(v_b - v_a)/v_a` and the known
  reasons sources differ (:data:`REASONS`).

Source precedence is defined here once (:data:`TOTAL_PRECEDENCE`, :data:`DETAIL_PRECEDENCE`)
and used by every front end.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from critmin.periods import Period, comparison_note

FLOWS = ("imports", "exports")

#: Sources of a total (all goods) in the order they are preferred.
TOTAL_PRECEDENCE: tuple[str, ...] = ("tradestat_totals", "imf_dots")

#: Sources of product detail in the order they are preferred for the same product:
#: the reporter's own customs records (TradeStat import reports, EIDB exports), then
#: BACI HS6 (every pair of the extract's codes), then the BACI HS4 top-200 extract
#: (a flow outside the top 200 is unknown, so it ranks last).
DETAIL_PRECEDENCE: tuple[str, ...] = ("tradestat", "tradestat_eidb", "baci", "baci_hs4")

SOURCE_TITLES: dict[str, str] = {
    "tradestat_totals": "DGCI&S TradeStat, country-wise total trade (all goods)",
    "imf_dots": "IMF Direction of Trade Statistics, partner-reported goods exports (FOB)",
    "tradestat": "DGCI&S TradeStat import reports (India's customs, CIF)",
    "tradestat_eidb": "DGCI&S TradeStat EIDB exports by 8-digit ITC-HS code (FOB)",
    "baci": "CEPII BACI HS6 (reconciled mirror flows, FOB)",
    "baci_hs4": "CEPII BACI aggregated to HS4, top 200 flows per commodity-year",
}

#: Why two sources report different values for one flow.
REASONS: dict[str, str] = {
    "valuation": "importers record CIF values (cost, insurance, freight) and exporters FOB; BACI "
    "removes an estimate of freight and insurance from import values",
    "reporter": "the reporter's own customs record and the partner's mirror record differ (timing, "
    "country of origin vs consignment, confidentiality)",
    "reconciliation": "BACI reconciles the two declarations of each flow, weighting each by the "
    "reporting country's reliability",
    "hs_vintage": "the sources classify goods in different HS editions (e.g. HS 2017 vs HS 2022)",
    "period": "the periods differ in basis (calendar vs Indian financial year)",
}


@dataclass(frozen=True)
class Figure:
    """One labelled value: what it is, for which period, from which source."""

    value_usd: float | None
    period: Period
    source: str
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "value_usd": self.value_usd,
            "period": self.period.label,
            "basis": self.period.basis,
            "source": self.source,
            "source_title": SOURCE_TITLES.get(self.source, self.source),
            "note": self.note or None,
        }


@dataclass(frozen=True)
class DetailRow:
    """A product-level figure of one flow.

    ``code`` is an HS code of 2 to 8 digits in the source's own nomenclature;
    ``flow`` is ``imports`` or ``exports`` from the reporter's point of view.
    """

    code: str
    description: str
    flow: str
    value_usd: float
    period: Period
    source: str
    hs_revision: str = ""

    def __post_init__(self):
        if self.flow not in FLOWS:
            raise ValueError(f"flow {self.flow!r}; expected imports or exports")
        if not self.code.isdigit() or not 2 <= len(self.code) <= 8:
            raise ValueError(f"HS code {self.code!r} is not 2-8 digits")

    def to_dict(self, total_period: Period | None = None) -> dict:
        out = {
            "code": self.code,
            "level": len(self.code),
            "description": self.description,
            "flow": self.flow,
            "value_usd": self.value_usd,
            "period": self.period.label,
            "basis": self.period.basis,
            "source": self.source,
            "source_title": SOURCE_TITLES.get(self.source, self.source),
        }
        if self.hs_revision:
            out["hs_revision"] = self.hs_revision
        if total_period is not None:
            out["basis_note"] = comparison_note(self.period, total_period)
        return out


def scope_key(code: str) -> str:
    """The product scope of an HS code, so equal scopes compare equal.

    A six-digit code ending in ``00`` covers its whole heading (``260300`` is all
    of ``2603``); an eight-digit national line ending in ``0000`` likewise. Other
    codes are their own scope.
    """
    c = code
    while len(c) > 4 and c.endswith("00"):
        c = c[:-2]
    return c


def _nested(a: str, b: str) -> bool:
    """Whether the scopes of ``a`` and ``b`` overlap (one is a prefix of the other)."""
    a, b = scope_key(a), scope_key(b)
    return a.startswith(b) or b.startswith(a)


def _rank(source: str) -> int:
    return DETAIL_PRECEDENCE.index(source) if source in DETAIL_PRECEDENCE else len(DETAIL_PRECEDENCE)


def choose_detail(rows: Iterable[DetailRow], period: Period | None = None) -> list[DetailRow]:
    """Non-overlapping product rows per flow, the best-ranked source winning each product.

    Rows are taken in order of (flow, source rank, code length, -value); a row is
    kept when no kept row of the same flow has an overlapping scope
    (:func:`scope_key`). Among rows of one source, periods matching ``period``
    exactly are preferred to other periods.

    Returns the kept rows, largest value first within each flow (equal values by code, so the
    order does not depend on the order the engine returned the rows in).
    """

    def order(r: DetailRow):
        same = 0 if period is None or r.period == period else 1
        return (r.flow, _rank(r.source), same, len(scope_key(r.code)), -r.value_usd, r.code, r.period)

    kept: list[DetailRow] = []
    for r in sorted(rows, key=order):
        if any(k.flow == r.flow and _nested(k.code, r.code) for k in kept):
            continue
        kept.append(r)
    return sorted(kept, key=lambda r: (FLOWS.index(r.flow), -r.value_usd, r.code))  # ties: by code, so runs agree


@dataclass(frozen=True)
class Comparison:
    """Two sources' values for the same flow, scope and calendar year."""

    flow: str
    scope: str
    description: str
    a: DetailRow
    b: DetailRow

    @property
    def gap(self) -> float | None:
        """:math:`(v_b - v_a) / v_a`, the second source relative to the first."""
        return None if not self.a.value_usd else (self.b.value_usd - self.a.value_usd) / self.a.value_usd

    def reasons(self) -> list[str]:
        keys = []
        pair = {self.a.source, self.b.source}
        if pair & {"tradestat", "tradestat_eidb"} and pair & {"baci", "baci_hs4"}:
            keys += ["valuation", "reporter", "reconciliation"]
        if self.a.hs_revision and self.b.hs_revision and self.a.hs_revision != self.b.hs_revision:
            keys.append("hs_vintage")
        if self.a.period.basis != self.b.period.basis:
            keys.append("period")
        return [REASONS[k] for k in keys]

    def to_dict(self) -> dict:
        return {
            "flow": self.flow,
            "code": self.scope,
            "description": self.description,
            "period": self.a.period.label,
            "basis": self.a.period.basis,
            "values": [
                {
                    "source": r.source,
                    "source_title": SOURCE_TITLES.get(r.source, r.source),
                    "code": r.code,
                    "value_usd": r.value_usd,
                    "period": r.period.label,
                    "hs_revision": r.hs_revision or None,
                }
                for r in (self.a, self.b)
            ],
            "gap": self.gap,
            "reasons": self.reasons(),
        }


def reconcile(rows: Iterable[DetailRow]) -> list[Comparison]:
    """Every pair of sources reporting the same flow, product scope and period.

    The first value of a pair is the better-ranked source (:data:`DETAIL_PRECEDENCE`).
    """
    by_key: dict[tuple, list[DetailRow]] = {}
    for r in rows:
        by_key.setdefault((r.flow, scope_key(r.code), r.period), []).append(r)
    out = []
    for (flow, scope, _), group in by_key.items():
        group = sorted(group, key=lambda r: _rank(r.source))
        first: dict[str, DetailRow] = {}
        for r in group:
            first.setdefault(r.source, r)
        srcs = list(first.values())
        for i in range(len(srcs)):
            for j in range(i + 1, len(srcs)):
                out.append(Comparison(flow, scope, srcs[i].description or srcs[j].description, srcs[i], srcs[j]))
    return sorted(
        out,
        key=lambda c: (
            FLOWS.index(c.flow),
            -max(c.a.value_usd, c.b.value_usd),
            c.scope,
            _rank(c.a.source),
            _rank(c.b.source),
        ),
    )


@dataclass(frozen=True)
class PictureModel:
    """Inputs of one reporter-partner picture.

    ``totals`` maps a flow to the candidate totals (any sources, any periods);
    ``detail`` holds the candidate product rows.
    """

    reporter: str
    partner: str
    period: Period
    totals: dict[str, list[Figure]] = field(default_factory=dict)
    detail: Sequence[DetailRow] = ()

    def run(self) -> "PictureResult":
        totals = {f: pick_total(self.totals.get(f, []), self.period) for f in FLOWS}
        explained = choose_detail(self.detail, self.period)
        coverage = {}
        for f in FLOWS:
            coverage[f] = _coverage(totals[f], [r for r in explained if r.flow == f])
        return PictureResult(self, totals, explained, coverage, reconcile(self.detail))


def pick_total(candidates: Sequence[Figure], period: Period) -> Figure | None:
    """The total for ``period``: the best-ranked source with exactly that period, else with an overlapping one.

    A total of another basis that overlaps ``period`` (FY2024-25 for CY2024) is used
    only when no total of the period itself exists, and carries a note saying so.
    """

    def rank(f: Figure) -> int:
        return TOTAL_PRECEDENCE.index(f.source) if f.source in TOTAL_PRECEDENCE else len(TOTAL_PRECEDENCE)

    usable = [f for f in candidates if f.value_usd is not None]
    exact = sorted((f for f in usable if f.period == period), key=rank)
    if exact:
        return exact[0]
    near = [f for f in usable if f.period.overlaps(period)]
    if not near:
        return None

    def overlap_days(f: Figure) -> int:
        return (min(f.period.end, period.end) - max(f.period.start, period.start)).days

    best = sorted(near, key=lambda f: (rank(f), -overlap_days(f)))[0]
    return replace(best, note=comparison_note(best.period, period) or "")


def _coverage(total: Figure | None, rows: list[DetailRow]) -> dict:
    explained = float(sum(r.value_usd for r in rows))
    out: dict = {"explained_usd": explained, "n_products": len(rows)}
    if total is None or not total.value_usd:
        out.update(
            share=None,
            note="no official total for this pair and period: the detail is partial and its sum is not a total",
        )
        return out
    notes = sorted({n for r in rows if (n := comparison_note(r.period, total.period))})
    out.update(
        share=explained / total.value_usd,
        total_usd=total.value_usd,
        total_period=total.period.label,
        note="; ".join(notes) if notes else None,
    )
    return out


@dataclass(frozen=True)
class PictureResult:
    model: PictureModel
    totals: dict[str, Figure | None]
    explained: list[DetailRow]
    coverage: dict[str, dict]
    comparisons: list[Comparison]

    def to_dict(self) -> dict:
        t_imp, t_exp = self.totals["imports"], self.totals["exports"]
        ref = t_imp if t_imp is not None else t_exp
        total = None
        if ref is not None:
            imports_usd = t_imp.value_usd if t_imp else None
            exports_usd = t_exp.value_usd if t_exp else None
            total = {
                "imports_usd": imports_usd,
                "exports_usd": exports_usd,
                "balance_usd": (
                    exports_usd - imports_usd if exports_usd is not None and imports_usd is not None else None
                ),
                "period": ref.period.label,
                "basis": ref.period.basis,
                "source": ref.source,
                "source_title": SOURCE_TITLES.get(ref.source, ref.source),
                "note": ref.note or None,
                "by_flow": {f: (fig.to_dict() if (fig := self.totals[f]) else None) for f in FLOWS},
            }
        ref_period = ref.period if ref is not None else self.model.period
        return {
            "reporter": self.model.reporter,
            "partner": self.model.partner,
            "period": self.model.period.label,
            "basis": self.model.period.basis,
            "total": total,
            "explained": [r.to_dict(ref_period) for r in self.explained],
            "coverage": self.coverage,
            "reconciliation": [c.to_dict() for c in self.comparisons],
            "precedence": {"total": list(TOTAL_PRECEDENCE), "detail": list(DETAIL_PRECEDENCE)},
        }
