"""Group facts that describe the same quantity and explain why reported values differ.

Two ``trade_value`` facts describe the same quantity when they concern the same
flow between the same two countries (a mirror pair counts: India's imports from
Peru and Peru's exports to India are the same shipments seen from both sides)
and their periods overlap (or one has no period). When the values differ by
more than the tolerance, the likely cause is classified, in this order:

==========================  ===============================================================
cause                       rule
==========================  ===============================================================
``reporter_vs_partner``     one fact is the importer's record, the other the exporter's
                            (CIF vs FOB valuation, timing, re-exports, confidentiality)
``fiscal_vs_calendar``      one period is India's fiscal year (Apr-Mar), the other a calendar
                            year or month range that only partly overlaps it
``goods_vs_goods_services`` one figure says it includes services, the other does not
``different_scope_or_period``  periods differ in another way, or one figure has no period,
                            or it covers a product subset
``rounding``                the relative gap is at most ``rounding_tol`` (default 10 %) and
                            at least one figure is hedged or a bound ("under US$1 billion")
``revision``                same period and reporter; one figure is called preliminary,
                            provisional, revised or estimated, or the sources differ
==========================  ===============================================================

The relative gap is :math:`|a - b| / \\max(|a|, |b|)`. Facts whose values agree
within ``agree_tol`` (2 %, the scorer's tolerance) corroborate each other.

Shares (same subject, partner, measure, scope, year and projection flag) are
compared the same way (``rounding`` or ``revision``/``different_scope_or_period``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Cause = Literal[
    "agreement",
    "reporter_vs_partner",
    "fiscal_vs_calendar",
    "goods_vs_goods_services",
    "different_scope_or_period",
    "rounding",
    "revision",
]
CAUSES: tuple[str, ...] = (
    "agreement",
    "reporter_vs_partner",
    "fiscal_vs_calendar",
    "goods_vs_goods_services",
    "different_scope_or_period",
    "rounding",
    "revision",
)

_EXPLAIN = {
    "agreement": "the figures agree within {tol:.0%}",
    "reporter_vs_partner": "one figure is {a_rep}'s record and the other {b_rep}'s mirror record of the same "
    "shipments; importers value at CIF, exporters at FOB, and timing, re-exports and "
    "confidential lines differ",
    "fiscal_vs_calendar": "{a_per} and {b_per} overlap only partly (India's fiscal year runs April-March)",
    "goods_vs_goods_services": "one figure includes trade in services, the other is goods (merchandise) only",
    "different_scope_or_period": "the figures cover different periods or products ({a_per} vs {b_per})",
    "rounding": "the gap ({gap:.1%}) is within rounding of a hedged or bound figure",
    "revision": "same period and reporter: a preliminary or earlier figure and a revised or later one",
}
_PRELIM = re.compile(r"\b(?:preliminary|provisional|revised|estimated?|estimates?|quick estimates?|advance)\b", re.I)
_SERVICES = re.compile(r"\b(?:goods and services|services)\b", re.I)


def _months(period: dict | None) -> set[str]:
    if period is None:
        return set()
    y, m = int(period["start"][:4]), int(period["start"][5:7])
    ey, em = int(period["end"][:4]), int(period["end"][5:7])
    out = set()
    while (y, m) <= (ey, em):
        out.add(f"{y:04d}-{m:02d}")
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def period_label(period: dict | None) -> str:
    """``FY2023-24``, ``CY2024``, ``2025-03`` or ``2024-04..2024-09``; ``no period`` for None."""
    if period is None:
        return "no period"
    k, s, e = period["kind"], period["start"], period["end"]
    if k == "FY":
        return f"FY{s[:4]}-{e[2:4]}"
    if k == "CY":
        return f"CY{s[:4]}"
    if k == "month":
        return s
    return f"{s}..{e}"


def flow_key(f: dict) -> tuple:
    """The quantity a trade fact measures, mirror-invariant.

    ``("total", frozenset({A, B}))`` for two-way trade; ``("flow", exporter,
    importer)`` for a one-way flow; ``("balance", reporter, partner)``.
    """
    if f["flow"] == "total":
        return ("total", frozenset((f["reporter"], f["partner"])))
    if f["flow"] == "import":
        return ("flow", f["partner"], f["reporter"])
    if f["flow"] == "export":
        return ("flow", f["reporter"], f["partner"])
    return ("balance", f["reporter"], f["partner"])


def _value(f: dict) -> tuple[float | None, str]:
    if f.get("value_usd") is not None:
        return float(f["value_usd"]), "USD"
    if f.get("value_orig") is not None:
        return float(f["value_orig"]), str(f.get("currency_orig"))
    return None, ""


def relative_gap(a: float, b: float) -> float:
    """:math:`|a-b| / \\max(|a|,|b|)` (0 when both are 0)."""
    m = max(abs(a), abs(b))
    return 0.0 if m == 0 else abs(a - b) / m


def classify_pair(a: dict, b: dict, *, agree_tol: float = 0.02, rounding_tol: float = 0.10) -> tuple[str, str]:
    """Classify why two facts about the same quantity differ; return ``(cause, explanation)``."""
    va, ca = _value(a)
    vb, cb = _value(b)
    gap = relative_gap(va, vb) if va is not None and vb is not None and ca == cb else float("nan")
    fmt = {
        "tol": agree_tol,
        "gap": gap,
        "a_per": period_label(a.get("period")),
        "b_per": period_label(b.get("period")),
        "a_rep": a.get("reporter", a.get("subject", "")),
        "b_rep": b.get("reporter", b.get("subject", "")),
    }
    if gap == gap and gap <= agree_tol and a.get("period") == b.get("period"):
        cause = "agreement"
    elif a["type"] == "trade_value" and a["flow"] in ("import", "export") and a["reporter"] != b["reporter"]:
        cause = "reporter_vs_partner"
    elif (
        a.get("period")
        and b.get("period")
        and {a["period"]["kind"], b["period"]["kind"]} & {"FY"}
        and a["period"]["kind"] != b["period"]["kind"]
    ):
        cause = "fiscal_vs_calendar"
    elif a["type"] == "trade_value" and bool(_SERVICES.search(a.get("evidence", ""))) != bool(
        _SERVICES.search(b.get("evidence", ""))
    ):
        cause = "goods_vs_goods_services"
    elif a.get("period") != b.get("period") or a.get("product") != b.get("product"):
        cause = "different_scope_or_period"
    elif gap == gap and gap <= rounding_tol and (a.get("approx") or b.get("approx")):
        cause = "rounding"
    elif (
        _PRELIM.search(a.get("evidence", ""))
        or _PRELIM.search(b.get("evidence", ""))
        or a.get("source") != b.get("source")
    ):
        cause = "revision"
    else:
        cause = "rounding" if gap == gap and gap <= rounding_tol else "revision"
    return cause, _EXPLAIN[cause].format(**fmt)


def _overlap(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return True
    return bool(_months(a) & _months(b))


def _near(a: dict, b: dict, *, months: int = 24) -> bool:
    """Periods whose starts are at most ``months`` apart (neighbouring years reported by different sources)."""
    ya, ma = int(a["start"][:4]), int(a["start"][5:7])
    yb, mb = int(b["start"][:4]), int(b["start"][5:7])
    return abs((ya * 12 + ma) - (yb * 12 + mb)) <= months


@dataclass(frozen=True)
class Comparison:
    """Two reports of one quantity and why they differ."""

    quantity: str
    a: dict
    b: dict
    cause: str
    explanation: str
    gap: float | None


@dataclass(frozen=True)
class ReconcileResult:
    """All comparisons; ``.to_frame()`` one row per pair, ``.summary()`` counts per cause."""

    comparisons: tuple[Comparison, ...]
    references: tuple[dict, ...] = field(default=())

    def conflicts(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.cause != "agreement"]

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for c in self.comparisons:
            va, cur = _value(c.a)
            vb, _ = _value(c.b)
            rows.append(
                {
                    "quantity": c.quantity,
                    "cause": c.cause,
                    "gap": c.gap,
                    "currency": cur,
                    "value_a": va,
                    "period_a": period_label(c.a.get("period")),
                    "source_a": c.a.get("source"),
                    "article_a": c.a.get("article_id"),
                    "evidence_a": c.a.get("evidence"),
                    "value_b": vb,
                    "period_b": period_label(c.b.get("period")),
                    "source_b": c.b.get("source"),
                    "article_b": c.b.get("article_id"),
                    "evidence_b": c.b.get("evidence"),
                    "explanation": c.explanation,
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "quantity",
                "cause",
                "gap",
                "currency",
                "value_a",
                "period_a",
                "source_a",
                "article_a",
                "evidence_a",
                "value_b",
                "period_b",
                "source_b",
                "article_b",
                "evidence_b",
                "explanation",
            ],
        )

    def summary(self) -> str:
        df = self.to_frame()
        if df.empty:
            return "no facts describe the same quantity"
        counts = df["cause"].value_counts()
        return "; ".join(f"{k}: {v}" for k, v in counts.items())


def quantity_label(f: dict) -> str:
    """Readable name of the quantity of a trade fact ("PER->IND goods flow")."""
    k = flow_key(f)
    if k[0] == "total":
        a, b = sorted(k[1])
        return f"{a}-{b} total trade"
    if k[0] == "flow":
        return f"{k[1]}->{k[2]} flow"
    return f"{k[1]} balance with {k[2]}"


def reconcile_facts(
    facts: list[dict], *, agree_tol: float = 0.02, rounding_tol: float = 0.10, include_agreements: bool = True
) -> ReconcileResult:
    """Compare every pair of facts that describe the same quantity.

    Parameters
    ----------
    facts : list of dict
        Facts in the schema (``trade_value`` and ``share`` are compared), each
        optionally with ``source`` (publisher URL) and ``article_id``.
    agree_tol, rounding_tol : float
        Relative gaps under which figures agree, or may differ by rounding.
    include_agreements : bool
        Keep pairs that agree (corroboration) in the result.

    Returns
    -------
    ReconcileResult
    """
    if not 0 <= agree_tol <= rounding_tol:
        raise ValueError(f"need 0 <= agree_tol <= rounding_tol, got {agree_tol}, {rounding_tol}")
    trade = [f for f in facts if f.get("type") == "trade_value" and not f.get("projected")]
    groups: dict[tuple, list[dict]] = {}
    for f in trade:
        groups.setdefault(flow_key(f), []).append(f)
    comps: list[Comparison] = []
    for key, fs in groups.items():
        for i in range(len(fs)):
            for j in range(i + 1, len(fs)):
                a, b = fs[i], fs[j]
                if (
                    a.get("article_id") == b.get("article_id")
                    and a.get("period") == b.get("period")
                    and a.get("evidence") == b.get("evidence")
                ):
                    continue
                disjoint = not _overlap(a.get("period"), b.get("period"))
                if disjoint and (a.get("article_id") == b.get("article_id") or not _near(a["period"], b["period"])):
                    continue  # a time series stated by one article, or periods far apart
                va, ca = _value(a)
                vb, cb = _value(b)
                if va is None or vb is None or ca != cb:
                    continue
                if disjoint:
                    cause = "different_scope_or_period"
                    text = (
                        f"different periods ({period_label(a['period'])} vs {period_label(b['period'])}): "
                        f"not the same quantity, the gap is change over time"
                    )
                else:
                    cause, text = classify_pair(a, b, agree_tol=agree_tol, rounding_tol=rounding_tol)
                if cause == "agreement" and not include_agreements:
                    continue
                comps.append(Comparison(quantity_label(a), a, b, cause, text, relative_gap(va, vb)))
    shares = [f for f in facts if f.get("type") == "share"]
    sgroups: dict[tuple, list[dict]] = {}
    for f in shares:
        sgroups.setdefault(
            (f["subject"], f.get("partner"), f["measure"], f["scope"], f.get("year"), bool(f.get("projected"))), []
        ).append(f)
    for key, fs in sgroups.items():
        for i in range(len(fs)):
            for j in range(i + 1, len(fs)):
                a, b = fs[i], fs[j]
                gap = relative_gap(a["share_pct"], b["share_pct"])
                if gap <= agree_tol:
                    if include_agreements:
                        comps.append(
                            Comparison(
                                f"{key[0]} {key[2]} share",
                                a,
                                b,
                                "agreement",
                                _EXPLAIN["agreement"].format(tol=agree_tol),
                                gap,
                            )
                        )
                    continue
                hedged = (
                    a.get("approx")
                    or b.get("approx")
                    or a.get("range_low") is not None
                    or b.get("range_low") is not None
                )
                cause = "rounding" if hedged and gap <= rounding_tol else "different_scope_or_period"
                comps.append(
                    Comparison(
                        f"{key[0]} {key[2]} share",
                        a,
                        b,
                        cause,
                        _EXPLAIN[cause].format(gap=gap, a_per=a.get("year"), b_per=b.get("year")),
                        gap,
                    )
                )
    comps.sort(key=lambda c: (c.cause == "agreement", c.quantity))
    return ReconcileResult(tuple(comps))


def compare_with_reference(facts: list[dict], reference: pd.DataFrame) -> list[dict]:
    """Set news trade figures beside official statistics of the same flow and overlapping period.

    Parameters
    ----------
    facts : list of dict
        ``trade_value`` facts.
    reference : DataFrame
        Official flows with columns ``exporter, importer, period_start, period_end
        (YYYY-MM), value_usd, scope, table, source`` (e.g. BACI 2024 for 30
        critical-mineral HS6 codes; India TradeStat HS 2603 copper ore).

    Returns
    -------
    list of dict
        One row per (fact, reference) pair with ``share_of_news`` = reference / news value;
        a reference that covers a product subset explains part, not all, of the figure.
    """
    out: list[dict] = []
    if reference is None or reference.empty:
        return out
    for f in facts:
        if f.get("type") != "trade_value" or f.get("flow") not in ("import", "export") or f.get("projected"):
            continue
        if f.get("value_usd") is None:
            continue
        _, exporter, importer = flow_key(f)
        months = _months(f.get("period"))
        if f.get("period") is None:
            continue
        sel = reference[(reference["exporter"] == exporter) & (reference["importer"] == importer)]
        best: dict[str, tuple] = {}
        for r in sel.itertuples(index=False):
            rm = _months({"start": r.period_start, "end": r.period_end})
            n = len(rm & months)
            if n and (r.table not in best or n > best[r.table][0]):
                best[r.table] = (n, r)
        for n, r in best.values():
            overlap = n / max(len(months), 1)
            out.append(
                {
                    "article_id": f.get("article_id"),
                    "source": f.get("source"),
                    "evidence": f["evidence"],
                    "exporter": exporter,
                    "importer": importer,
                    "period": period_label(f.get("period")),
                    "news_value_usd": float(f["value_usd"]),
                    "reference_table": r.table,
                    "reference_scope": r.scope,
                    "reference_period": f"{r.period_start}..{r.period_end}",
                    "reference_value_usd": float(r.value_usd),
                    "reference_source": r.source,
                    "period_overlap": overlap,
                    "share_of_news": float(r.value_usd) / float(f["value_usd"]) if f["value_usd"] else None,
                    "explanation": (
                        f"official {r.scope} ({r.table}) = {float(r.value_usd) / 1e9:.2f} bn USD, "
                        f"{float(r.value_usd) / float(f['value_usd']):.0%} of the news figure; "
                        + (
                            "the news figure covers all goods, the reference a product subset"
                            if r.scope != "all goods"
                            else "same scope"
                        )
                        + ("" if overlap == 1 else f"; periods overlap {overlap:.0%}")
                    ),
                }
            )
    return out


def compare_agreement_dates(facts: list[dict], agreements: pd.DataFrame) -> list[dict]:
    """Set the date a news article gives for a trade agreement beside the WTO RTA record.

    A ``trade_agreement`` fact with a date is matched to WTO records with the same party set.
    The news date agrees when its year equals the year of signature or of entry into force
    (goods); otherwise the gap is reported with the likely reason (the article may date a
    framework agreement, an announcement, or the other stage).
    """
    out: list[dict] = []
    if agreements is None or agreements.empty:
        return out
    recs = []
    for row in agreements.to_dict("records"):
        ps = frozenset(str(row.get("parties_iso3") or "").split(";")) - {""}
        recs.append((ps, row))
    for f in facts:
        if f.get("type") != "policy_measure" or f.get("kind") != "trade_agreement" or not f.get("date"):
            continue
        parties = frozenset([f["country"], *(f.get("partners") or [])])
        year = int(str(f["date"])[:4])
        for ps, row in recs:
            if ps != parties:
                continue
            sig = row.get("signature_goods")
            eif = row.get("eif_goods")
            sig_s = None if sig is None or pd.isna(sig) else pd.Timestamp(sig).date().isoformat()
            eif_s = None if eif is None or pd.isna(eif) else pd.Timestamp(eif).date().isoformat()
            years = {int(d[:4]) for d in (sig_s, eif_s) if d}
            agree = year in years
            out.append(
                {
                    "article_id": f.get("article_id"),
                    "source": f.get("source"),
                    "evidence": f.get("evidence"),
                    "news_date": f["date"],
                    "rta_id": row.get("rta_id"),
                    "rta_name": row.get("name"),
                    "rta_type": row.get("type"),
                    "signature": sig_s,
                    "entry_into_force": eif_s,
                    "agrees": agree,
                    "explanation": (
                        "the news date matches the WTO record"
                        if agree
                        else f"the article dates the agreement {f['date']}; the WTO records signature "
                        f"{sig_s or 'n/a'} and entry into force {eif_s or 'n/a'} ({row.get('name')}, "
                        f"{row.get('type')}); the article may date a framework agreement, an "
                        f"announcement or another stage"
                    ),
                }
            )
    return out
