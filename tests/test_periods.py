"""Period labels and bases: calendar years, Indian financial years, months."""

import pytest

from critmin.errors import ConfigError
from critmin.periods import calendar_year, comparison_note, financial_year, month, parse_period, parse_years


@pytest.mark.parametrize(
    "text,label",
    [
        ("2024", "CY2024"),
        (2024, "CY2024"),
        ("CY2024", "CY2024"),
        ("cy 2024", "CY2024"),
        ("FY2024-25", "FY2024-25"),
        ("2024-25", "FY2024-25"),
        ("2024-2025", "FY2024-25"),
        ("FY24-25", "FY2024-25"),
        ("FY2024", "FY2024-25"),
        ("FY1999-00", "FY1999-00"),
        ("2024-12", "2024-12"),
        ("Dec 2024", "2024-12"),
        ("December 2024", "2024-12"),
    ],
)
def test_labels_round_trip(text, label):
    p = parse_period(text)
    assert p.label == label
    assert parse_period(p.label) == p


def test_financial_year_spans_april_to_march():
    fy = financial_year(2024)
    assert (fy.start.isoformat(), fy.end.isoformat()) == ("2024-04-01", "2025-03-31")
    assert month(2024, 2).end.day == 29 and month(2023, 2).end.day == 28


@pytest.mark.parametrize("bad", ["FY2024-26", "2024-13", "twenty", "24", ""])
def test_bad_periods_are_one_line_errors(bad):
    with pytest.raises(ConfigError, match="period"):
        parse_period(bad)


def test_comparison_note_names_both_bases_and_the_overlap():
    assert comparison_note(calendar_year(2023), calendar_year(2024)) is None
    note = comparison_note(financial_year(2023), calendar_year(2024))
    assert "FY2023-24" in note and "CY2024" in note and "3 months (Jan 2024-Mar 2024)" in note
    assert "do not overlap" in comparison_note(financial_year(2020), calendar_year(2024))


def test_parse_years():
    assert parse_years("2022,2024") == [2022, 2024]
    assert parse_years("2019-2021") == [2019, 2020, 2021]
    assert parse_years(["2024", 2022]) == [2022, 2024]
    assert parse_years(None) is None
    with pytest.raises(ConfigError, match="four-digit"):
        parse_years("20x4")
    with pytest.raises(ConfigError, match="ends before"):
        parse_years("2024-2020")
