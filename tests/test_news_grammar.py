"""Money and period grammar: scale words, crore/lakh, ranges, hedges, fiscal years, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from critmin.domain.news.money import find_money
from critmin.domain.news.periods import find_date_spans, find_periods, parse_date


@pytest.mark.parametrize(
    "text, value, currency",
    [
        ("a Rs 5,000 crore scheme", 5.0e10, "INR"),
        ("₹7 thousand 280 crore", 7.28e10, "INR"),
        ("Rs 1.5 lakh crore", 1.5e12, "INR"),
        ("INR 45 lakh", 4.5e6, "INR"),
        ("US$4.69 billion", 4.69e9, "USD"),
        ("USD 3 bn", 3e9, "USD"),
        ("2.34 billion dollars", 2.34e9, "USD"),
        ("NZ$718 million", 7.18e8, "NZD"),
        ("$933 mn", 9.33e8, "USD"),
        ("A$2.5bn", 2.5e9, "AUD"),
    ],
)
def test_money_scales_and_currencies(text, value, currency):
    (m,) = find_money(text)
    assert m.value == pytest.approx(value)
    assert m.currency == currency


def test_money_ranges_changes_and_hedges():
    (r,) = find_money("remains within the ~US$1–2 billion range")
    assert (r.low, r.value, r.approx) == (1e9, 2e9, True)
    a, b = find_money("declined from 1.15 billion to 1.0 billion dollars")
    assert (a.value, a.currency, b.value) == (1.15e9, "USD", 1e9)
    (u,) = find_money("exports remained under US$1 billion")
    assert u.approx
    (e,) = find_money("imports were US$2.60 billion")
    assert not e.approx


def test_numbers_that_are_not_money_are_skipped():
    assert find_money("in 2024, 45 rounds and 90% of tariff lines") == []


@pytest.mark.parametrize(
    "text, kind, start, end",
    [
        ("in the fiscal year 2019-2020", "FY", "2019-04", "2020-03"),
        ("By FY 2023-2024", "FY", "2023-04", "2024-03"),
        ("in FY 2023‑24", "FY", "2023-04", "2024-03"),  # non-breaking hyphen
        ("in 2022-23", "FY", "2022-04", "2023-03"),
        ("FY24 exports", "FY", "2023-04", "2024-03"),
        ("for the year ended December 2024", "CY", "2024-01", "2024-12"),
        ("in the year ending March 2025", "FY", "2024-04", "2025-03"),
        ("in calendar year 2024", "CY", "2024-01", "2024-12"),
        ("in March 2025", "month", "2025-03", "2025-03"),
        ("during April-September 2024", "other", "2024-04", "2024-09"),
        ("in Q2 2024", "other", "2024-04", "2024-06"),
        ("January-December 2025", "CY", "2025-01", "2025-12"),
        ("between 2019 and 2023", "other", "2019-01", "2023-12"),
    ],
)
def test_periods(text, kind, start, end):
    (p,) = find_periods(text)
    assert (p.kind, p.start, p.end) == (kind, start, end)


def test_a_full_date_is_not_a_period():
    assert find_periods("from November 3 to 5, 2025") == []


def test_date_spans_and_relative_dates():
    pub = dt.date(2025, 11, 7)  # a Friday
    (d,) = find_date_spans("from November 3 to 5, 2025", published=pub)
    assert (d.start, d.end) == ("2025-11-03", "2025-11-05")
    (d,) = find_date_spans("30 October to 2 November 2025", published=pub)
    assert (d.start, d.end) == ("2025-10-30", "2025-11-02")
    (d,) = find_date_spans("eight rounds completed by July 2025", published=pub)
    assert d.is_bound
    (d,) = find_date_spans("talks held on Thursday", published=pub)
    assert d.start == "2025-11-06"
    (d,) = find_date_spans("the next round on Thursday", published=pub, future=True)
    assert d.start == "2025-11-13"
    (d,) = find_date_spans("in February this year", published=pub)
    assert d.start == "2025-02"
    (d,) = find_date_spans("a round in January", published=pub, future=True)
    assert d.start == "2026-01"
    assert parse_date("Updated: July 15, 2025 15:32") == dt.date(2025, 7, 15)
