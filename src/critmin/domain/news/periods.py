"""A small grammar for periods and dates in news text.

Periods (what a trade figure covers):

* India's fiscal year runs April to March: ``FY 2023-24``, ``2023-24``, ``FY24``,
  ``fiscal 2023-2024`` all give ``{"kind": "FY", "start": "2023-04", "end": "2024-03"}``;
  a split year ``Y1-Y2`` with ``Y2 = Y1 + 1`` is a fiscal year.
* A calendar year (``in 2024``, ``year ended December 2024``) gives kind ``CY``.
* A single month gives kind ``month`` (start = end).
* Anything else (a quarter, ``April-September 2024``, several years) is ``other``
  with the first and last month.

Dates (when a negotiating round was held) are ``YYYY-MM-DD`` or ``YYYY-MM``;
relative dates ("on Thursday", "in February this year", "next month") are
resolved against the publication date. ``by July 2025`` is a bound, not a date.

``dateparser`` turns ``2023-24`` into a date and cannot read fiscal years or
ranges, hence this grammar.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
DASH = r"[-‐‑‒–—/]"
_DASHCH = r"\-‐‑‒–—/"
_MON = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_YEAR = r"(?:19|20)\d{2}"


@dataclass(frozen=True)
class Period:
    """A period a figure refers to (months inclusive)."""

    kind: str  # FY, CY, month, other
    start: str  # YYYY-MM
    end: str  # YYYY-MM
    pos: int = -1  # character offset of the mention
    end_pos: int = -1
    same_period_ref: bool = False

    def to_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end}

    @property
    def last_year(self) -> int:
        return int(self.end[:4])

    def months(self) -> set[str]:
        y, m = int(self.start[:4]), int(self.start[5:])
        ey, em = int(self.end[:4]), int(self.end[5:])
        out = set()
        while (y, m) <= (ey, em):
            out.add(f"{y:04d}-{m:02d}")
            m += 1
            if m == 13:
                y, m = y + 1, 1
        return out


def fiscal_year(start_year: int) -> Period:
    """India's fiscal year beginning in April of ``start_year``."""
    return Period("FY", f"{start_year:04d}-04", f"{start_year + 1:04d}-03")


def calendar_year(year: int) -> Period:
    return Period("CY", f"{year:04d}-01", f"{year:04d}-12")


def _full_year(two_or_four: str, ref: int) -> int:
    v = int(two_or_four)
    if len(two_or_four) == 4:
        return v
    century = ref // 100 * 100
    return century + v


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS[key] if key in MONTHS else MONTHS[key[:3]]


_FY_RE = re.compile(
    rf"\b(?:FY|fiscal(?:\s+year)?|financial\s+year|fiscal)\s*['’]?\s*(?P<y1>{_YEAR}|\d{{2}})"
    rf"(?:\s*{DASH}\s*(?P<y2>{_YEAR}|\d{{2}}))?(?![\d])",
    re.I,
)
_SPLIT_RE = re.compile(rf"(?<![\d{_DASHCH}])(?P<y1>{_YEAR})\s*{DASH}\s*(?P<y2>{_YEAR}|\d{{2}})(?![\d{_DASHCH}])")
_YEAR_ENDED_RE = re.compile(
    rf"\byear\s+(?:ended|ending|to)\s+(?:(?:\d{{1,2}}\s+)?(?P<mon>{_MON})(?:\s+\d{{1,2}},?)?)\s+(?P<y>{_YEAR})", re.I
)
_MONTH_RANGE_RE = re.compile(
    rf"\b(?:between\s+)?(?P<m1>{_MON})\s*(?:{DASH}|to|and|through)\s*(?P<m2>{_MON}),?\s+(?P<y>{_YEAR})\b"
)
_QUARTER_RE = re.compile(
    rf"\b(?:Q(?P<q>[1-4])|(?P<qw>first|second|third|fourth)\s+quarter(?:\s+of)?)\s*(?:FY\s*)?(?P<y>{_YEAR})\b", re.I
)
_HALF_RE = re.compile(rf"\b(?:H(?P<h>[12])|(?P<hw>first|second)\s+half(?:\s+of)?)\s+(?P<y>{_YEAR})\b", re.I)
_MONTH_YEAR_RE = re.compile(rf"(?<!\d\s)\b(?P<mon>{_MON})\s+(?P<y>{_YEAR})\b")
_YEAR_RANGE_RE = re.compile(rf"\bbetween\s+(?P<y1>{_YEAR})\s+and\s+(?P<y2>{_YEAR})\b")
_YEAR_RE = re.compile(rf"(?<![\d$.,/{_DASHCH}])(?P<y>{_YEAR})(?![\d%]|\s*{DASH}\s*\d|\s*(?:crore|billion|million))")
_TRAILING_RE = re.compile(
    rf"\b(?:four quarters|12 months|twelve months)\s+(?:to|ending|ended|through)\s+"
    rf"(?:the\s+end\s+of\s+)?(?P<mon>{_MON})\s+(?P<y>{_YEAR})\b",
    re.I,
)
_SAME_PERIOD_RE = re.compile(r"\b(?:during|in|over)\s+(?:the\s+)?same\s+period\b", re.I)
_DAY_MONTH_RE = re.compile(rf"\b{_MON}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}|\b\d{{1,2}}\s+{_MON}\s+{_YEAR}")


_FY_MONTHS_RE = re.compile(
    rf"\b(?P<m1>{_MON})\s*(?:{DASH}|to|through)\s*(?P<m2>{_MON}),?\s+(?:of\s+|in\s+)?(?:the\s+)?"
    rf"(?:FY\s*|fiscal\s+(?:year\s+)?|financial\s+year\s+)?(?P<y1>{_YEAR})\s*{DASH}\s*(?P<y2>\d{{2}}|{_YEAR})\b"
)
_RELATIVE_YEAR_RE = re.compile(
    r"\b(?P<w>last|previous|this|current|next)\s+(?P<f>fiscal(?:\s+year)?|financial\s+year|"
    r"calendar\s+year|year)\b",
    re.I,
)


def find_periods(text: str, *, published: dt.date | None = None) -> list[Period]:
    """Every period mention in ``text``, in order, without overlaps.

    Full dates ("November 3, 2025") are not periods; ``during the same
    period`` is returned as a marker with ``same_period_ref=True``. With the
    publication date, ``last year`` is the previous calendar year and ``last
    fiscal`` the previous Indian fiscal year; ``April-January of 2024-25`` is the
    months of that fiscal year.
    """
    if not re.search(r"\d", text) and "same period" not in text and not (published and _RELATIVE_YEAR_RE.search(text)):
        return []
    taken: list[tuple[int, int]] = []
    out: list[Period] = []

    def free(s, e):
        return all(e <= a or s >= b for a, b in taken)

    def add(p: Period, s: int, e: int):
        if free(s, e):
            taken.append((s, e))
            out.append(Period(p.kind, p.start, p.end, s, e, p.same_period_ref))

    for m in _DAY_MONTH_RE.finditer(text):
        taken.append((m.start(), m.end()))  # dates are not periods
    for pat in _SPAN_PATTERNS:
        for m in pat.finditer(text):
            taken.append((m.start(), m.end()))
    for m in _FY_MONTHS_RE.finditer(text):
        y1 = int(m.group("y1"))
        if _full_year(m.group("y2"), y1) != y1 + 1:
            continue
        m1, m2 = _month(m.group("m1")), _month(m.group("m2"))
        sy = y1 if m1 >= 4 else y1 + 1
        ey = y1 if m2 >= 4 else y1 + 1
        if (m1, m2) == (4, 3):
            add(fiscal_year(y1), m.start(), m.end())
        elif (ey, m2) >= (sy, m1):
            add(
                Period("month" if (sy, m1) == (ey, m2) else "other", f"{sy:04d}-{m1:02d}", f"{ey:04d}-{m2:02d}"),
                m.start(),
                m.end(),
            )
    if published is not None:
        for m in _RELATIVE_YEAR_RE.finditer(text):
            k = {"last": -1, "previous": -1, "this": 0, "current": 0, "next": 1}[m.group("w").lower()]
            if m.group("f").lower().startswith(("fiscal", "financial")):
                cur = published.year if published.month >= 4 else published.year - 1
                add(fiscal_year(cur + k), m.start(), m.end())
            elif k != 0:
                add(calendar_year(published.year + k), m.start(), m.end())
    for m in _TRAILING_RE.finditer(text):
        y, mon = int(m.group("y")), _month(m.group("mon"))
        sy, sm = (y - 1, mon + 1) if mon < 12 else (y, 1)
        add(Period("other", f"{sy:04d}-{sm:02d}", f"{y:04d}-{mon:02d}"), m.start(), m.end())
    for m in _YEAR_ENDED_RE.finditer(text):
        y, mon = int(m.group("y")), _month(m.group("mon"))
        if mon == 12:
            add(calendar_year(y), m.start(), m.end())
        elif mon == 3:
            add(fiscal_year(y - 1), m.start(), m.end())
        else:
            sy, sm = (y, mon + 1) if mon < 12 else (y + 1, 1)
            add(Period("other", f"{y - 1:04d}-{sm:02d}", f"{y:04d}-{mon:02d}"), m.start(), m.end())
    for m in _FY_RE.finditer(text):
        y1s, y2s = m.group("y1"), m.group("y2")
        y1 = _full_year(y1s, 2000)
        if y2s:
            y2 = _full_year(y2s, y1)
            if y2 == y1 + 1:
                add(fiscal_year(y1), m.start(), m.end())
            elif y2 > y1 + 1:
                add(Period("other", f"{y1:04d}-04", f"{y2:04d}-03"), m.start(), m.end())
        else:
            # FY24 / FY2024 name the year in which the fiscal year ends
            add(fiscal_year(y1 - 1), m.start(), m.end())
    for m in _SPLIT_RE.finditer(text):
        y1 = int(m.group("y1"))
        y2 = _full_year(m.group("y2"), y1)
        if y2 == y1 + 1:
            add(fiscal_year(y1), m.start(), m.end())
        elif y2 > y1 + 1:
            add(Period("other", f"{y1:04d}-01", f"{y2:04d}-12"), m.start(), m.end())
    for m in _YEAR_RANGE_RE.finditer(text):
        add(Period("other", f"{m.group('y1')}-01", f"{m.group('y2')}-12"), m.start(), m.end())
    for m in _MONTH_RANGE_RE.finditer(text):
        y, m1, m2 = int(m.group("y")), _month(m.group("m1")), _month(m.group("m2"))
        if (m1, m2) == (1, 12):
            add(calendar_year(y), m.start(), m.end())
        elif m2 >= m1:
            add(Period("other", f"{y:04d}-{m1:02d}", f"{y:04d}-{m2:02d}"), m.start(), m.end())
        else:
            add(Period("other", f"{y - 1:04d}-{m1:02d}", f"{y:04d}-{m2:02d}"), m.start(), m.end())
    for m in _QUARTER_RE.finditer(text):
        q = (
            int(m.group("q"))
            if m.group("q")
            else ["first", "second", "third", "fourth"].index(m.group("qw").lower()) + 1
        )
        y = int(m.group("y"))
        add(Period("other", f"{y:04d}-{3 * q - 2:02d}", f"{y:04d}-{3 * q:02d}"), m.start(), m.end())
    for m in _HALF_RE.finditer(text):
        h = int(m.group("h")) if m.group("h") else (1 if m.group("hw").lower() == "first" else 2)
        y = int(m.group("y"))
        add(Period("other", f"{y:04d}-{6 * h - 5:02d}", f"{y:04d}-{6 * h:02d}"), m.start(), m.end())
    for m in _MONTH_YEAR_RE.finditer(text):
        y, mon = int(m.group("y")), _month(m.group("mon"))
        add(Period("month", f"{y:04d}-{mon:02d}", f"{y:04d}-{mon:02d}"), m.start(), m.end())
    for m in _YEAR_RE.finditer(text):
        add(calendar_year(int(m.group("y"))), m.start(), m.end())
    for m in _SAME_PERIOD_RE.finditer(text):
        add(Period("other", "0000-01", "0000-01", same_period_ref=True), m.start(), m.end())
    out.sort(key=lambda p: p.pos)
    return out


# --------------------------------------------------------------------------- dates
@dataclass(frozen=True)
class DateSpan:
    """Start and end of an event as ``YYYY-MM-DD`` or ``YYYY-MM`` strings."""

    start: str | None
    end: str | None
    pos: int = -1
    is_bound: bool = False


def _iso(y: int, m: int, d: int | None = None) -> str:
    return f"{y:04d}-{m:02d}" + (f"-{d:02d}" if d else "")


_D = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
_SPAN_PATTERNS = [
    # from November 3 to 5, 2025 / November 3-5, 2025 / between October 27 and 30, 2025
    re.compile(
        rf"(?:\b(?:from|between)\s+)?(?P<m1>{_MON})\s+{_D.format('d1')}\s*(?:{DASH}|to|and|until|till)\s*"
        rf"(?:(?P<m2>{_MON})\s+)?{_D.format('d2')},?\s+(?P<y>{_YEAR})"
    ),
    # 3-5 November 2025 / from 3 to 5 November 2025 / 30 October to 2 November 2025
    re.compile(
        rf"(?:\b(?:from|between)\s+)?{_D.format('d1')}\s*(?:(?P<m1>{_MON})\s*)?(?:{DASH}|to|and|until|till)\s*"
        rf"{_D.format('d2')}\s+(?P<m2>{_MON}),?\s+(?P<y>{_YEAR})"
    ),
    # without a year (resolved with the publication date): from May 26 to 28 / 26-28 May
    re.compile(
        rf"(?:\b(?:from|between)\s+)?(?P<m1>{_MON})\s+{_D.format('d1')}\s*(?:{DASH}|to|and|until|till)\s*"
        rf"(?:(?P<m2>{_MON})\s+)?{_D.format('d2')}\b(?!,?\s+(?:19|20)\d\d)(?P<y>)"
    ),
    re.compile(
        rf"(?:\b(?:from|between)\s+)?{_D.format('d1')}\s*(?:(?P<m1>{_MON})\s*)?(?:{DASH}|to|and|until|till)\s*"
        rf"{_D.format('d2')}\s+(?P<m2>{_MON})\b(?!,?\s+(?:19|20)\d\d)(?P<y>)"
    ),
    # November 3, 2025 / 3 November 2025
    re.compile(rf"(?P<m1>{_MON})\s+{_D.format('d1')},?\s+(?P<y>{_YEAR})"),
    re.compile(rf"\b{_D.format('d1')}\s+(?P<m1>{_MON}),?\s+(?P<y>{_YEAR})"),
]
_MONTH_ONLY = re.compile(
    rf"(?P<bound>\b(?:by|before|until|till|no later than)\s+(?:the\s+end\s+of\s+)?)?"
    rf"\b(?P<m1>{_MON})(?:\s+(?P<y>{_YEAR})|\s+(?P<this>this|next|last)\s+year)?\b"
)
_REL_MONTH = re.compile(r"\b(?P<w>this|next|last)\s+month\b", re.I)
_WEEKDAY = re.compile(
    r"\b(?:on\s+|last\s+|next\s+|this\s+)?(?P<d>Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)\b"
)


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def find_date_spans(text: str, *, published: dt.date | None = None, future: bool = False) -> list[DateSpan]:
    """Event dates in ``text`` in order.

    Parameters
    ----------
    text : str
    published : datetime.date, optional
        Publication date, used for relative dates and for a month without a year.
    future : bool
        Whether the sentence speaks of a future event (a weekday then means
        the next such day; a month without a year the next such month).
    """
    out: list[DateSpan] = []
    taken: list[tuple[int, int]] = []

    def free(s, e):
        return all(e <= a or s >= b for a, b in taken)

    for pat in _SPAN_PATTERNS:
        for m in pat.finditer(text):
            if not free(m.start(), m.end()):
                continue
            gd = m.groupdict()
            m1 = _month(gd["m1"]) if gd.get("m1") else None
            m2 = _month(gd["m2"]) if gd.get("m2") else None
            d1 = int(gd["d1"])
            d2 = int(gd["d2"]) if gd.get("d2") else None
            if m1 is None:
                m1 = m2
            if m2 is None:
                m2 = m1
            assert m1 is not None and m2 is not None, "every span pattern names a month"
            if gd.get("y"):
                y = int(gd["y"])
            elif published is None:
                continue
            else:
                y = published.year
                if future and m1 < published.month:
                    y += 1
                if not future and m1 > published.month:
                    y -= 1
            try:
                dt.date(y, m1, d1)
                if d2:
                    dt.date(y, m2, d2)
            except (ValueError, TypeError):
                continue
            taken.append((m.start(), m.end()))
            lead = text[max(0, m.start() - 20) : m.start()].lower()
            bound = bool(re.search(r"\b(?:by|before|until|no later than)\s*$", lead))
            out.append(DateSpan(_iso(y, m1, d1), _iso(y, m2, d2) if d2 else _iso(y, m1, d1), m.start(), bound))
    for m in _MONTH_ONLY.finditer(text):
        if not free(m.start("m1"), m.end()):
            continue
        name = m.group("m1")
        if (
            name.lower().rstrip(".") == "may"
            and not m.group("y")
            and not re.search(
                r"\b(?:in|by|from|until|till|since|during|early|mid|late|end of)\s+$",
                text[max(0, m.start("m1") - 10) : m.start("m1")],
            )
        ):
            continue  # the verb "may"
        mon = _month(name)
        if m.group("y"):
            y = int(m.group("y"))
        elif published is None:
            continue
        elif m.group("this"):
            y = published.year + {"this": 0, "next": 1, "last": -1}[m.group("this").lower()]
        else:
            y = published.year
            if future and mon < published.month:
                y += 1
            if not future and mon > published.month:
                y -= 1
        taken.append((m.start(), m.end()))
        out.append(DateSpan(_iso(y, mon), _iso(y, mon), m.start("m1"), bool(m.group("bound"))))
    if published is not None:
        for m in _REL_MONTH.finditer(text):
            k = {"this": 0, "next": 1, "last": -1}[m.group("w").lower()]
            y, mon = _add_months(published.year, published.month, k)
            out.append(DateSpan(_iso(y, mon), _iso(y, mon), m.start()))
        for m in _WEEKDAY.finditer(text):
            wd = WEEKDAYS[m.group("d").lower()]
            word = m.group(0).split()[0].lower()
            if future or word == "next":
                delta = (wd - published.weekday()) % 7 or 7
                day = published + dt.timedelta(days=delta)
            else:
                delta = (published.weekday() - wd) % 7
                if word == "last" and delta == 0:
                    delta = 7
                day = published - dt.timedelta(days=delta)
            out.append(DateSpan(day.isoformat(), day.isoformat(), m.start()))
    out.sort(key=lambda d: d.pos)
    return out


_PUB_PATTERNS = [
    re.compile(rf"(?P<m>{_MON})\s+(?P<d>\d{{1,2}}),?\s+(?P<y>{_YEAR})"),
    re.compile(rf"(?P<d>\d{{1,2}})\s+(?P<m>{_MON}),?\s+(?P<y>{_YEAR})"),
    re.compile(rf"(?P<y>{_YEAR})-(?P<mn>\d{{2}})-(?P<d>\d{{2}})"),
]


def parse_date(text: str) -> dt.date | None:
    """A full calendar date in ``text`` ("July 15, 2025", "15 July 2025", "2025-07-15"), or None."""
    for pat in _PUB_PATTERNS:
        m = pat.search(text)
        if m:
            gd = m.groupdict()
            mon = int(gd["mn"]) if gd.get("mn") else _month(gd["m"])
            try:
                return dt.date(int(gd["y"]), mon, int(gd["d"]))
            except ValueError:
                continue
    return None
