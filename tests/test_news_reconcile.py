"""Conflict classification and the negotiation tracker (pure domain functions)."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.domain.news.reconcile import classify_pair, compare_with_reference, reconcile_facts, relative_gap
from critmin.domain.news.timeline import build_tracker

FY23 = {"kind": "FY", "start": "2023-04", "end": "2024-03"}
CY24 = {"kind": "CY", "start": "2024-01", "end": "2024-12"}


def tv(aid, reporter, partner, flow, value, period, evidence="x", approx=False, **kw):
    return {
        "article_id": aid,
        "type": "trade_value",
        "reporter": reporter,
        "partner": partner,
        "flow": flow,
        "value_usd": value,
        "period": period,
        "approx": approx,
        "projected": False,
        "evidence": evidence,
        **kw,
    }


def test_relative_gap():
    assert relative_gap(4.69e9, 3.03e9) == pytest.approx((4.69 - 3.03) / 4.69)
    assert relative_gap(0, 0) == 0


def test_causes():
    fy = tv("a", "IND", "PER", "import", 3.03e9, FY23)
    cy = tv("b", "IND", "PER", "import", 4.69e9, CY24)
    assert classify_pair(fy, cy)[0] == "fiscal_vs_calendar"
    mirror = tv("c", "PER", "IND", "export", 5.1e9, CY24)
    assert classify_pair(cy, mirror)[0] == "reporter_vs_partner"
    bound = tv("d", "IND", "PER", "export", 1.0e9, CY24, approx=True)
    exact = tv("e", "IND", "PER", "export", 0.933e9, CY24)
    cause, text = classify_pair(exact, bound)
    assert cause == "rounding" and "6.7%" in text
    svc = tv("f", "NZL", "IND", "total", 3.1e9, CY24, evidence="two-way trade in goods and services was")
    goods = tv("g", "NZL", "IND", "total", 2.4e9, CY24, evidence="merchandise trade was")
    assert classify_pair(svc, goods)[0] == "goods_vs_goods_services"
    pre = tv("h", "IND", "CHL", "import", 2.6e9, CY24, evidence="preliminary figures show imports at")
    rev = tv("i", "IND", "CHL", "import", 2.9e9, CY24, evidence="imports were")
    assert classify_pair(pre, rev)[0] == "revision"
    assert classify_pair(cy, tv("j", "IND", "PER", "import", 4.70e9, CY24))[0] == "agreement"


def test_reconcile_groups_mirror_flows_and_skips_one_article_time_series():
    facts = [
        tv("a", "IND", "PER", "total", 2.34e9, {"kind": "FY", "start": "2019-04", "end": "2020-03"}),
        tv("a", "IND", "PER", "total", 4.0e9, FY23),
        tv("b", "IND", "PER", "import", 4.69e9, CY24),
        tv("c", "PER", "IND", "export", 5.1e9, CY24),
        tv("d", "IND", "CHL", "export", 1.0e9, CY24),
    ]
    res = reconcile_facts(facts)
    causes = {(c.quantity, c.cause) for c in res.comparisons}
    assert causes == {("PER->IND flow", "reporter_vs_partner")}
    assert "reporter_vs_partner: 1" in res.summary()
    assert list(res.to_frame().columns)[:3] == ["quantity", "cause", "gap"]
    with pytest.raises(ValueError):
        reconcile_facts(facts, agree_tol=0.2, rounding_tol=0.1)


def test_reference_comparison_uses_best_overlapping_period():
    ref = pd.DataFrame(
        [
            {
                "exporter": "PER",
                "importer": "IND",
                "period_start": "2024-01",
                "period_end": "2024-12",
                "value_usd": 253.35e6,
                "scope": "HS 2603",
                "table": "tradestat_imports",
                "source": "DGCI&S",
            },
            {
                "exporter": "PER",
                "importer": "IND",
                "period_start": "2024-12",
                "period_end": "2024-12",
                "value_usd": 47.89e6,
                "scope": "HS 2603",
                "table": "tradestat_imports",
                "source": "DGCI&S",
            },
        ]
    )
    (row,) = compare_with_reference([tv("b", "IND", "PER", "import", 4.69e9, CY24)], ref)
    assert row["reference_value_usd"] == 253.35e6
    assert row["share_of_news"] == pytest.approx(253.35e6 / 4.69e9)


def rnd(aid, n, status, start=None, venue=None, published=None, chapters=()):
    return {
        "article_id": aid,
        "type": "negotiation_round",
        "agreement": "IND-PER FTA",
        "parties": ["IND", "PER"],
        "round_number": n,
        "start_date": start,
        "end_date": start,
        "venue_city": venue,
        "chapters": list(chapters),
        "status": status,
        "evidence": f"round {n}",
        "published": published,
        "source": f"https://example.org/{aid}",
    }


def test_tracker_merges_reports_and_finds_next_round():
    rounds = [
        rnd("a", 9, "held", "2025-11-03", "Lima", chapters=["goods"]),
        rnd("a", 10, "planned", "2026-01", "New Delhi"),
        rnd("b", 10, "held", "2026-01-19", "New Delhi", published="2026-01-28", chapters=["services"]),
        rnd("b", 11, "planned", None, "Lima", published="2026-01-28"),
    ]
    agreements = pd.DataFrame(
        [
            {
                "rta_id": 1,
                "name": "Chile - India",
                "type": "PSA",
                "status": "In Force",
                "parties_iso3": "CHL;IND",
                "signature_goods": pd.Timestamp("2006-03-08"),
                "eif_goods": pd.Timestamp("2007-08-17"),
            }
        ]
    )
    tr = build_tracker(rounds, reporter="IND", agreements=agreements)
    per = next(a for a in tr.agreements if "PER" in a.parties)
    assert [r.round_number for r in per.rounds] == [9, 10, 11]
    r10 = per.rounds[1]
    assert (r10.status, r10.start_date, len(r10.evidence)) == ("held", "2026-01-19", 2)
    assert per.next_round.round_number == 11 and per.last_round.round_number == 10
    chl = next(a for a in tr.agreements if "CHL" in a.parties)
    assert chl.origin == "wto_rta" and {e["kind"] for e in chl.events} == {"signature", "entry_into_force"}
    only_per = build_tracker(rounds, reporter="IND", partner="PER", agreements=agreements)
    assert [a.name for a in only_per.agreements] == ["IND-PER FTA"]
    assert "next round 11" in only_per.summary()
