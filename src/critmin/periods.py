"""Reporting periods: calendar years, Indian financial years and months, always labelled.

Trade statistics come in different period bases: BACI, IMF DOTS and TradeStat's
import reports use calendar years (``CY2024`` = January-December 2024); India's
TradeStat country-wise and EIDB tables use Indian financial years (``FY2024-25`` =
1 April 2024 to 31 March 2025); monthly reports use months (``2024-12``). A figure
carries its period label, and two figures are compared only on the same basis or
with the difference stated (:func:`comparison_note`).

Labels (the canonical text form, used in every table's ``period`` column):

=========  ==============  ============================
basis      label           span
=========  ==============  ============================
``CY``     ``CY2024``      2024-01-01 .. 2024-12-31
``FY``     ``FY2024-25``   2024-04-01 .. 2025-03-31
``month``  ``2024-12``     2024-12-01 .. 2024-12-31
=========  ==============  ============================

:func:`parse_period` also reads ``2024`` (a calendar year), ``FY2024``/``FY24-25``/
``2024-25``/``2024-2025`` (a financial year starting in 2024) and ``Dec 2024``. Without
the ``FY`` prefix, ``YYYY-MM`` with ``MM`` in 01-12 is a month (``2011-12`` is December
2011; write ``FY2011-12`` for the financial year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from critmin.errors import ConfigError
from critmin.vocabulary import PeriodBasis

Basis = PeriodBasis
BASIS_NAMES: dict[str, str] = {
    "CY": "calendar year (January-December)",
    "FY": "Indian financial year (April-March)",
    "month": "calendar month",
}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period.

    Attributes
    ----------
    start, end : date
        First and last day (inclusive).
    basis : {"CY", "FY", "month"}
    """

    start: date
    end: date
    basis: str

    @property
    def label(self) -> str:
        if self.basis == "CY":
            return f"CY{self.start.year}"
        if self.basis == "FY":
            return f"FY{self.start.year}-{(self.start.year + 1) % 100:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def year(self) -> int:
        """The calendar year of a CY or month; the starting year of a FY."""
        return self.start.year

    @property
    def basis_name(self) -> str:
        return BASIS_NAMES[self.basis]

    def overlaps(self, other: "Period") -> bool:
        return self.start <= other.end and other.start <= self.end

    def __str__(self) -> str:
        return self.label


def calendar_year(year: int) -> Period:
    """``CY<year>``: 1 January to 31 December."""
    return Period(date(int(year), 1, 1), date(int(year), 12, 31), "CY")


def financial_year(start_year: int) -> Period:
    """India's financial year starting 1 April ``start_year`` (``FY2024-25`` for 2024)."""
    y = int(start_year)
    return Period(date(y, 4, 1), date(y + 1, 3, 31), "FY")


def month(year: int, month_number: int) -> Period:
    """One calendar month."""
    y, m = int(year), int(month_number)
    if not 1 <= m <= 12:
        raise ConfigError(f"month {m} is not 1-12")
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return Period(date(y, m, 1), date.fromordinal(nxt.toordinal() - 1), "month")


_CY = re.compile(r"^(?:CY\s*)?(\d{4})$", re.I)
_FY = re.compile(r"^(?:FY\s*)?(\d{2}|\d{4})\s*[-/–]\s*(\d{2}|\d{4})$", re.I)
_FY_SHORT = re.compile(r"^FY\s*(\d{4})$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_NAME = re.compile(r"^([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")


def _full_year(text: str) -> int:
    y = int(text)
    return y + 2000 if len(text) == 2 else y


def parse_period(value: "str | int | Period") -> Period:
    """Read a period label (see the module docstring for the accepted forms).

    ``FY2024`` is the financial year *starting* in April 2024 (``FY2024-25``), the
    convention of TradeStat's ``fy_start`` columns; write ``FY2023-24`` to be explicit.

    Raises
    ------
    ConfigError
        Text that is no period, or a financial year whose two years are not consecutive.
    """
    if isinstance(value, Period):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return calendar_year(value)
    text = str(value).strip()
    if m := _CY.match(text):
        return calendar_year(int(m.group(1)))
    if m := _FY_SHORT.match(text):
        return financial_year(int(m.group(1)))
    if (m := _MONTH.match(text)) and not text[:2].upper() == "FY" and 1 <= int(m.group(2)) <= 12:
        return month(int(m.group(1)), int(m.group(2)))
    if m := _FY.match(text):
        a, b = _full_year(m.group(1)), _full_year(m.group(2))
        if len(m.group(2)) == 2 and len(m.group(1)) == 4:
            b = a + 1 if (a + 1) % 100 == int(m.group(2)) else -1
        if b != a + 1:
            raise ConfigError(f"period {text!r}: a financial year spans two consecutive years (e.g. FY2024-25)")
        return financial_year(a)
    if (m := _MONTH_NAME.match(text)) and m.group(1).lower() in _MONTHS:
        return month(int(m.group(2)), _MONTHS.index(m.group(1).lower()) + 1)
    raise ConfigError(
        f"period {text!r} is not a period; expected e.g. 2024 or CY2024 (calendar year), "
        f"FY2024-25 (Indian financial year, April-March) or 2024-12 (month)"
    )


def parse_years(text: "str | int | Iterable[int | str] | None") -> list[int] | None:
    """Years from ``2024``, ``2022,2024``, ``2019-2024`` or a list; ``None`` stays ``None``.

    Raises
    ------
    ConfigError
        A year that is not a four-digit number, or a range whose end precedes its start.
    """
    if text is None:
        return None
    parts: list[str] = []
    if isinstance(text, (list, tuple, set)):
        for t in text:
            parts.extend(str(t).split(","))
    else:
        parts = str(text).split(",")
    years: list[int] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        m = re.fullmatch(r"(\d{4})\s*(?:-|–|\.\.)\s*(\d{4})", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if b < a:
                raise ConfigError(f"year range {part!r} ends before it starts")
            years.extend(range(a, b + 1))
        elif re.fullmatch(r"\d{4}", part):
            years.append(int(part))
        else:
            raise ConfigError(f"year {part!r} is not a four-digit year; expected e.g. 2024, 2022,2024 or 2019-2024")
    return sorted(set(years))


def comparison_note(a: Period, b: Period) -> str | None:
    """What a reader must know before comparing figures of periods ``a`` and ``b``; None if nothing.

    Same basis: nothing (a difference between two years of one basis is change over
    time). Different bases: a sentence naming both bases and how far they overlap
    (CY2024 and FY2024-25 share nine months, April-December 2024).
    """
    if a.basis == b.basis:
        return None
    overlap_start, overlap_end = max(a.start, b.start), min(a.end, b.end)
    if overlap_start > overlap_end:
        shared = "they do not overlap"
    else:
        months = (overlap_end.year - overlap_start.year) * 12 + overlap_end.month - overlap_start.month + 1
        shared = f"they share {months} month{'s' if months != 1 else ''} ({overlap_start:%b %Y}-{overlap_end:%b %Y})"
    return (
        f"{a.label} is {_article(a.basis_name)} {a.basis_name} and {b.label} {_article(b.basis_name)} "
        f"{b.basis_name}: {shared}, so the two figures are not the same period"
    )


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"
