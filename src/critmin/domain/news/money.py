"""A small grammar for money in news text: currencies, scale words, ranges, hedges.

Money is returned in units of the currency (never millions or crore):

    value = (sum of leading "N thousand"/"N hundred" parts + N) x product of trailing scales

so ``Rs 5,000 crore`` = 5000 x 10^7 = 5.0e10 INR, ``Rs 1.5 lakh crore`` = 1.5 x 10^5 x 10^7,
``7 thousand 280 crore`` = (7 x 1000 + 280) x 10^7 and ``US$4.69 bn`` = 4.69e9 USD.
Currencies are ISO 4217 codes; nothing is ever converted between currencies.

General-purpose quantity parsers drop ``bn`` and ``crore`` and ``dateparser``
reads ``2023-24`` as a date, hence this grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALES: dict[str, float] = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "lakh": 1e5,
    "lakhs": 1e5,
    "lac": 1e5,
    "lacs": 1e5,
    "million": 1e6,
    "millions": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "crore": 1e7,
    "crores": 1e7,
    "cr": 1e7,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "trn": 1e12,
}

# prefix symbol/code -> ISO 4217
PREFIX_CURRENCY: dict[str, str] = {
    "US$": "USD",
    "USD": "USD",
    "U.S.$": "USD",
    "US $": "USD",
    "$": "USD",
    "NZ$": "NZD",
    "NZD": "NZD",
    "A$": "AUD",
    "AU$": "AUD",
    "AUD": "AUD",
    "C$": "CAD",
    "CAD": "CAD",
    "Rs.": "INR",
    "Rs": "INR",
    "INR": "INR",
    "₹": "INR",
    "S/.": "PEN",
    "S/": "PEN",
    "PEN": "PEN",
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "GBP": "GBP",
    "CLP": "CLP",
    "¥": "JPY",
    "RMB": "CNY",
    "CNY": "CNY",
    "yuan": "CNY",
}
SUFFIX_CURRENCY: dict[str, str] = {
    "US dollars": "USD",
    "U.S. dollars": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "USD": "USD",
    "rupees": "INR",
    "rupee": "INR",
    "INR": "INR",
    "NZ dollars": "NZD",
    "New Zealand dollars": "NZD",
    "NZD": "NZD",
    "soles": "PEN",
    "sol": "PEN",
    "PEN": "PEN",
    "euros": "EUR",
    "euro": "EUR",
    "pounds": "GBP",
    "yuan": "CNY",
    "Australian dollars": "AUD",
    "AUD": "AUD",
}

HEDGES = (
    "about",
    "around",
    "approximately",
    "approx.",
    "approx",
    "ca.",
    "c.",
    "circa",
    "nearly",
    "almost",
    "roughly",
    "some",
    "close to",
    "near",
    "~",
    "≈",
    "over",
    "more than",
    "above",
    "exceeding",
    "under",
    "less than",
    "below",
    "up to",
    "at least",
    "at most",
    "just over",
    "just under",
    "an estimated",
    "estimated",
    "upwards of",
    "in excess of",
    "hovered near",
    "hovered around",
    "nearly",
)

_DASH = r"[-‐‑‒–—]"
_NUM = r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:hundred|thousand|lakhs?|lacs?|millions?|mn|mln|crores?|cr|billions?|bn|trillion|trn|tn|k|m|b)"
_SCALE_SEQ = rf"(?:\s*{_SCALE}\b\.?(?:\s+(?:{_NUM})\s*{_SCALE}\b)?(?:\s+{_SCALE}\b)?)"


def _alt(keys) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


_PREFIX = _alt(PREFIX_CURRENCY)
_SUFFIX = _alt(SUFFIX_CURRENCY)

# a minus sign right before the currency or the number ("-$1.2 bn", "US$ -1.2 bn", "−1.2 bn dollars"),
# not a hyphen inside a word ("US-$", "post-2024") nor a range dash (that joins two numbers)
_MINUS = r"(?<![\w.,$])[-−]"

MONEY_RE = re.compile(
    rf"(?P<hedge>(?:~|≈)\s*)?"
    rf"(?P<sign>{_MINUS}(?=\s?(?:{_PREFIX})?\s?\d))?"
    rf"(?:(?P<prefix>{_PREFIX})(?:\s|(?<=[A-Za-z.])-(?=\d))?)?"
    rf"(?P<sign2>(?<=[\s$€£¥₹])[-−](?=\d))?"
    rf"(?P<num>{_NUM})(?P<scale1>{_SCALE_SEQ})?"
    rf"(?:\s*(?:{_DASH}|to|and)\s*(?:(?P<prefix2>{_PREFIX})\s?)?(?P<num2>{_NUM})(?P<scale2>{_SCALE_SEQ})?)?"
    rf"(?:\s+(?P<suffix>{_SUFFIX})\b)?",
    re.UNICODE,
)


@dataclass(frozen=True)
class Money:
    """A money mention.

    ``value`` is the amount (the high end of a range) in units of
    ``currency``, negative when the text puts a minus sign before it (``-$1.2 bn``); ``low`` the low end of a stated range; ``approx`` is True for
    hedged figures and bounds; ``start``/``end`` are character offsets.
    """

    value: float
    currency: str | None
    start: int
    end: int
    text: str
    low: float | None = None
    approx: bool = False
    has_scale: bool = False


def parse_number(text: str) -> float:
    """``"5,000"`` -> 5000.0, ``"1,00,000"`` -> 100000.0 (Indian grouping)."""
    return float(text.replace(",", ""))


def _scale_value(number: float, scale_text: str | None) -> float:
    """Apply a scale sequence.

    ``1.5 lakh crore`` = 1.5 x 1e5 x 1e7; ``7 thousand 280 crore`` = (7 x 1e3 + 280) x 1e7:
    the last scale word multiplies the whole composite number.
    """
    if not scale_text:
        return number
    groups: list[list] = [[number, []]]
    for tok in re.findall(rf"{_NUM}|[A-Za-z]+", scale_text):
        if tok.lower() in SCALES:
            groups[-1][1].append(SCALES[tok.lower()])
        else:
            groups.append([parse_number(tok), []])

    def prod(xs):
        out = 1.0
        for x in xs:
            out *= x
        return out

    if len(groups) == 1:
        return number * prod(groups[0][1])
    *head, (n_last, s_last) = groups
    if not s_last:
        return sum(n * prod(s) for n, s in head) + n_last
    inner = sum(n * prod(s) for n, s in head) + n_last * prod(s_last[:-1])
    return inner * s_last[-1]


def _is_hedged(text: str, start: int) -> bool:
    before = text[max(0, start - 30) : start].rstrip().lower()
    before = re.sub(r"(?:\b(?:at|of|to|was|were|is|stood|be|by)\s*)+$", "", before).rstrip()
    before = before.rstrip("(").rstrip()
    return any(
        before.endswith(h) and (len(before) == len(h) or not before[-len(h) - 1].isalnum() or not h[0].isalnum())
        for h in HEDGES
    )


_NEGATIVE = re.compile(rf"[-−]|(?:{_PREFIX})(?:\s|(?<=[$€£¥₹]))[-−]\d")


def find_money(text: str) -> list[Money]:
    """Every money mention in ``text`` that carries a currency.

    A number without a currency of its own borrows the currency of the next
    mention when the two are joined ("from 1.15 billion to 1.0 billion
    dollars"); bare numbers (years, counts, percentages) are skipped.
    """
    # (value, currency, start, end, low, has_scale) per mention, in text order
    raw: list[tuple[float, str | None, int, int, float | None, bool]] = []
    for m in MONEY_RE.finditer(text):
        num = m.group("num")
        after = text[m.end() : m.end() + 2]
        if (
            after.startswith("%")
            or after.lstrip().startswith("%")
            or text[m.end() : m.end() + 9].lstrip().lower().startswith("per cent")
        ):
            continue
        cur = (
            (PREFIX_CURRENCY.get(m.group("prefix")) if m.group("prefix") else None)
            or (PREFIX_CURRENCY.get(m.group("prefix2")) if m.group("prefix2") else None)
            or (SUFFIX_CURRENCY.get(m.group("suffix")) if m.group("suffix") else None)
        )
        scale1 = m.group("scale1")
        # single-letter scales ("m", "b", "k") only count right after a currency-prefixed number
        if scale1 and re.fullmatch(r"\s*[kmb]\.?", scale1, re.I) and not m.group("prefix"):
            scale1 = None
        has_scale = bool(scale1 or m.group("scale2"))
        if cur is None and not has_scale:
            continue
        if re.fullmatch(r"(19|20)\d\d", num) and not has_scale and not m.group("prefix"):
            continue
        v1 = _scale_value(parse_number(num), scale1)
        low: float | None = None
        if m.group("num2"):
            scale2 = m.group("scale2") or scale1
            v2 = _scale_value(parse_number(m.group("num2")), scale2)
            if not scale1 and scale2:
                v1 = _scale_value(parse_number(num), scale2)
            joiner = text[m.end("num") + len(scale1 or "") : m.start("num2")]
            lead = text[max(0, m.start() - 12) : m.start()]
            two = (re.search(r"\band\b", joiner) and not re.search(r"between\s*$", lead)) or (
                re.search(r"\bto\b", joiner) and re.search(r"\bfrom\s*$", lead)
            )
            if two:
                # "X and Y" / "from X to Y" are two amounts, not a range
                end1 = m.start("num") + len(num) + len(m.group("scale1") or "")
                cur2 = (PREFIX_CURRENCY.get(m.group("prefix2")) if m.group("prefix2") else None) or (
                    SUFFIX_CURRENCY.get(m.group("suffix")) if m.group("suffix") else None
                )
                cur1 = (PREFIX_CURRENCY.get(m.group("prefix")) if m.group("prefix") else None) or cur2
                if not scale1 and m.group("scale2"):
                    v1 = _scale_value(parse_number(num), m.group("scale2"))
                raw.append((v1, cur1, m.start(), end1, None, has_scale))
                raw.append(
                    (
                        v2,
                        cur2 or cur1,
                        m.start("num2") - (len(m.group("prefix2")) + 0 if m.group("prefix2") else 0),
                        m.end(),
                        None,
                        has_scale,
                    )
                )
                continue
            if v2 < v1:
                v1, v2 = v2, v1
            low, v1 = v1, v2
        raw.append((v1, cur, m.start(), m.end(), low, has_scale))
    out: list[Money] = []
    for i, (val, cur, s, e, low, has_scale) in enumerate(raw):
        if cur is None:
            # borrow from the next mention if it follows closely ("from 1.15 billion to 1.0 billion dollars")
            if (
                i + 1 < len(raw)
                and raw[i + 1][1]
                and raw[i + 1][2] - e <= 12
                and re.fullmatch(r"\s*(?:to|and|or|-|–)\s*", text[e : raw[i + 1][2]] or " ")
            ):
                cur = raw[i + 1][1]
            else:
                continue
        approx = _is_hedged(text, s) or text[s:e].lstrip().startswith(("~", "≈"))
        if _NEGATIVE.match(text[s:e].lstrip("~≈ ")):
            val, low = -val, (None if low is None else -low)
        out.append(Money(val, cur, s, e, text[s:e].strip(), low, approx, has_scale))
    return out
