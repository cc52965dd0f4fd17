"""Rule-based extraction of news facts (``SCHEMA.md``): trade values, negotiation rounds,
shares and policy measures, each with a verbatim evidence quote.

The extractor is a set of general patterns over sentences and clauses, plus a
small discourse state (the countries mentioned most recently, the previous
trade figure, the last numbered round of each agreement) to resolve
"the two nations", "this figure", "the same period" and "the next round".
It runs offline, needs no model and is deterministic.

Pipeline per article: :func:`split_sentences` -> per sentence
:func:`_trade_values`, :func:`_shares`, :func:`_rounds`, :func:`_policies`
-> de-duplication of repeated mentions (same key fields and value).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypedDict

from critmin.domain.news.clean import CleanArticle
from critmin.domain.news.gazetteer import Place, find_cities, find_places
from critmin.domain.news.money import HEDGES, Money, find_money
from critmin.domain.news.periods import MONTHS, WEEKDAYS, Period, find_date_spans, find_periods
from critmin.domain.news.vocab import ACTIVITIES, AGREEMENT_KINDS, COMMODITIES, COMMODITY_RE, find_chapters, number_word

FACT_TYPES = ("trade_value", "negotiation_round", "share", "policy_measure")

# --------------------------------------------------------------------------- sentences
_ABBREV = {
    "u.s",
    "u.k",
    "e.u",
    "ca",
    "approx",
    "rs",
    "mr",
    "mrs",
    "ms",
    "dr",
    "no",
    "st",
    "ltd",
    "inc",
    "co",
    "corp",
    "vs",
    "etc",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "govt",
    "dept",
    "min",
    "approx",
    "fig",
    "e.g",
    "i.e",
    "sr",
    "jr",
    "s/",
}


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the cleaned text
    para: int  # paragraph index
    index: int  # sentence index in the article


def split_sentences(text: str) -> list[Sentence]:
    """Split cleaned text into sentences (paragraph = line); abbreviations do not end a sentence."""
    out: list[Sentence] = []
    offset = 0
    para = 0
    for line in text.split("\n"):
        if line.strip():
            start = 0
            for m in re.finditer(r"[.!?](?:\[\d+\])*[\"”’)]*(?=\s+[\"“‘(\[]?[A-Z0-9–-])", line):
                before = line[start : m.start()]
                last = re.findall(r"([\w./]+)$", before)
                tok = last[0].lower().rstrip(".") if last else ""
                if tok in _ABBREV or re.fullmatch(r"[a-z]", tok):
                    continue
                seg = line[start : m.end()]
                if seg.strip():
                    lead = len(seg) - len(seg.lstrip())
                    out.append(Sentence(seg.strip(), offset + start + lead, para, len(out)))
                start = m.end()
            seg = line[start:]
            if seg.strip():
                lead = len(seg) - len(seg.lstrip())
                out.append(Sentence(seg.strip(), offset + start + lead, para, len(out)))
            para += 1
        offset += len(line) + 1
    return out


# --------------------------------------------------------------------------- helpers
def _clip(text: str) -> str:
    """Trim an evidence span: surrounding spaces, citation markers, trailing punctuation."""
    s = re.sub(r"(?:\s*\[\d+\])+\s*[.,;]?\s*$", "", text.strip())
    s = re.sub(r"^[\s,;:–—•*-]+", "", s)
    s = s.strip().rstrip(",;:").strip()
    s = re.sub(r"^(?:and|while|whereas|but|with)\s+", "", s) if len(s) > 40 else s
    return s


_CLAUSE_BOUNDARY = re.compile(r";|,?\s+\b(?:while|whereas|but)\b\s+|\s+[–—]\s+")


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of a sentence (split at ';', 'while', 'whereas', 'but', dashes)."""
    spans, start = [], 0
    for m in _CLAUSE_BOUNDARY.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _clause_of(spans, pos: int) -> int:
    for i, (s, e) in enumerate(spans):
        if s <= pos < e or (pos == e and i == len(spans) - 1):
            return i
    return len(spans) - 1


def _is_hedged_at(text: str, start: int) -> bool:
    before = text[max(0, start - 30) : start].rstrip().lower()
    before = re.sub(r"(?:\b(?:at|of|to|was|were|is|stood|be|by|reach|reaching)\s*)+$", "", before).rstrip()
    return any(
        before.endswith(h) and (len(before) == len(h) or not before[-len(h) - 1].isalnum() or not h[0].isalnum())
        for h in HEDGES
    )


@dataclass
class _State:
    """Discourse state carried through an article."""

    home: str
    published: dt.date | None
    recent: list[Place] = field(default_factory=list)  # places, most recent last
    last_trade: dict | None = None
    para_periods: dict[int, list[Period]] = field(default_factory=dict)
    agreement_kind: dict[frozenset, str] = field(default_factory=dict)
    last_round: dict[frozenset, int] = field(default_factory=dict)
    last_agreement: frozenset | None = None

    def recent_countries(self, n: int = 2, *, regions: bool = False) -> list[str]:
        out: list[str] = []
        for p in reversed(self.recent):
            if (p.is_region and not regions) or p.code in out:
                continue
            out.append(p.code)
            if len(out) == n:
                break
        return out

    def recent_partner(self, *, regions: bool = True, exclude: Collection[str] = frozenset()) -> str | None:
        for p in reversed(self.recent):
            if p.code == self.home or p.code in exclude or (p.is_region and not regions) or p.code == "WLD":
                continue
            return p.code
        return None


def article_home(text: str, default: str = "IND") -> str:
    """The country an article is about (the implicit reporter of "imports from Peru").

    ``default`` (the analyst's country) whenever the article mentions it; otherwise the
    most mentioned country.
    """
    counts = Counter(p.code for p in find_places(text) if not p.is_region)
    if not counts or counts.get(default):
        return default
    return counts.most_common(1)[0][0]


# --------------------------------------------------------------------------- trade values
_FLOW_RE = re.compile(
    r"(?P<balance>trade (?:deficit|surplus|balance|gap))|"
    r"(?P<total>(?:bilateral|two-way|total|overall) trade(?! (?:agreement|deal|pact|ministry|minister|talks|policy|"
    r"negotiations|relations|ties|architecture|diplomacy|strategy))|\btrade (?:between|with)\b|\btrade stood\b|"
    r"\btrade (?:volume|turnover|value)\b|\b(?<!free )trade(?= (?:stood|was|is|reached|rose|fell|grew|dwindled|"
    r"declined|increased|jumped|touched|crossed|hit|amounted|totalled|totaled|remains|remained)\b))|"
    r"(?P<export>\bexports?\b|\bexported\b|\bshipments? to\b|\boutbound shipments\b)|"
    r"(?P<import>\bimports?\b|\bimported\b|\bpurchases from\b|\binbound shipments\b)",
    re.I,
)
_FIGURE_REF = re.compile(r"\b(?:this|the|that) (?:figure|number|amount|value|total)\b|\bit\b", re.I)
_PROJECTED = re.compile(
    r"\b(?:(?:to|will|would|could|plans? to|aims? to|seeks? to|bid to) (?:double|triple)|target(?:s|ed|ing)?|aim(?:s|ed|ing)? to|to reach|"
    r"projected|forecast|expected to (?:reach|touch|cross|hit|rise|grow)|could reach|will reach|"
    r"goal|envisage[sd]?)\b",
    re.I,
)
_PAREN_EQUIV = re.compile(
    r"^\s*\(\s*(?:approx(?:imately|\.)?|about|around|ca\.|roughly|~|≈|equivalent to|or|"
    r"i\.e\.)?\s*$",
    re.I,
)
_NATIONS = re.compile(r"\b(?:the|both|two) (?:two )?(?:nations|countries|sides)\b", re.I)


def _merge_equivalents(text: str, monies: list[Money]) -> list[tuple[Money, Money | None]]:
    """Pair ``NZ$3.14 billion (approx US$1.9 billion)``: (original money, USD equivalent)."""
    out: list[tuple[Money, Money | None]] = []
    i = 0
    while i < len(monies):
        m = monies[i]
        if i + 1 < len(monies):
            n = monies[i + 1]
            gap = text[m.end : n.start]
            if m.currency != "USD" and n.currency == "USD" and _PAREN_EQUIV.match(gap):
                out.append((m, n))
                i += 2
                continue
        out.append((m, None))
        i += 1
    return out


class _MoneyFields(TypedDict, total=False):
    """The value columns of a trade fact: USD value, and the original amount when not in USD."""

    value_usd: float | None
    value_orig: float
    currency_orig: str | None
    range_low: float


def _money_fields(m: Money, usd: Money | None) -> _MoneyFields:
    d: _MoneyFields
    if m.currency == "USD":
        d = {"value_usd": m.value}
    elif usd is not None:
        d = {"value_usd": usd.value, "value_orig": m.value, "currency_orig": m.currency}
    else:
        d = {"value_usd": None, "value_orig": m.value, "currency_orig": m.currency}
    if m.low is not None:
        d["range_low"] = m.low
    return d


def _assign_periods(text: str, items: list[tuple[int, int]], periods: list[Period]) -> list[Period | None]:
    """Give each money span (start, end) a period: periods are assigned to the nearest
    money in their clause; a money left without one takes the nearest period of its clause,
    then of the preceding clauses, then of the following ones."""
    spans = _clauses(text)
    real = [p for p in periods if not p.same_period_ref]
    out: list[Period | None] = [None] * len(items)
    iclause = [_clause_of(spans, s) for s, _ in items]
    for p in real:
        pc = _clause_of(spans, p.pos)
        cands = [k for k in range(len(items)) if iclause[k] == pc]
        if not cands:
            continue

        def dist(k):
            s, e = items[k]
            return p.pos - e if p.pos >= e else (s - p.end_pos) + 0.5

        best = min(cands, key=dist)
        if out[best] is None:
            out[best] = p
    for k in range(len(items)):
        if out[k] is not None:
            continue
        c = iclause[k]
        s, e = items[k]
        same = [p for p in real if _clause_of(spans, p.pos) == c]
        if same:
            out[k] = min(same, key=lambda p: abs(p.pos - s))
            continue
        before = [p for p in real if _clause_of(spans, p.pos) < c]
        after = [p for p in real if _clause_of(spans, p.pos) > c]
        if before:
            out[k] = before[-1]
        elif after:
            out[k] = after[0]
    return out


# capitalised words after "to/from/with" that are not place names: articles, period words, months, weekdays
_NOT_PLACES = (
    {"the", "a", "an", "its", "their", "fy", "q1", "q2", "q3", "q4", "rs", "us", "usd", "inr"}
    | set(MONTHS)
    | set(WEEKDAYS)
)


def _names_unknown_place(text: str) -> bool:
    """True when ``text`` opens with a capitalised name that the gazetteer does not know
    ("to Ruritania", "from Wakanda"): the counterpart is named but unknown, so it must stay
    unknown rather than fall back to the world or to a recent country."""
    m = re.match(r"\s*([A-Z][\w'’.-]*)", text)
    if not m or m.group(1).lower().strip(".") in _NOT_PLACES or m.group(1).isupper() and len(m.group(1)) <= 4:
        return False
    return not [p for p in find_places(text[: m.end() + 40], include_world=True) if p.start <= m.start(1)]


def _resolve_parties(
    window: str,
    flow: str,
    state: _State,
    sent_places: list[Place],
    window_offset: int,
    money_pos: int,
    prev: dict | None,
    after_money: str = "",
) -> tuple[str | None, str | None]:
    """Reporter and partner of a flow from the words before the money in its clause
    (and a "to/from <country>" right after it: "exported $4.3 billion worth of goods to India")."""
    places = [p for p in find_places(window) if p.code != "WLD"]
    home = state.home
    fm = None
    for m in _FLOW_RE.finditer(window):
        fm = m
    if flow in ("export", "import") and fm is not None:
        after = window[fm.end() :]
        before = window[: fm.start()]
        tm = re.match(r"\s*(?:of [\w\s-]{0,40}?)?(?:to|from|into|with)\s+(?:the\s+)?", after)
        partner = None
        if tm:
            ps = [p for p in find_places(after[tm.end() :]) if p.start == 0]
            partner = ps[0].code if ps else None
            if partner is None and _names_unknown_place(after[tm.end() :]):
                return None, None  # "exports to Ruritania": the partner is named but unknown
        if partner is None and fm.end() >= len(window.rstrip()) - 40:
            am = re.match(
                r"\s*(?:worth\s+of\s+[\w\s]{0,25}?|of\s+[\w\s]{0,25}?)?\s*(?:to|from|into)\s+(?:the\s+)?", after_money
            )
            if am:
                ps = [p for p in find_places(after_money[am.end() :]) if p.start == 0]
                partner = ps[0].code if ps else None
                if partner is None and _names_unknown_place(after_money[am.end() :]):
                    return None, None
        bp = [p for p in find_places(before) if p.code != "WLD"]
        reporter = None
        if bp and before[bp[-1].end :].strip(" '’s") == "":
            reporter = bp[-1].code  # "India's exports", "New Zealand exports"
        if partner is None and reporter is None and prev is not None:
            return prev["reporter"], prev["partner"]
        explicit_reporter = reporter is not None
        if reporter is None:
            reporter = home if partner != home else (state.recent_partner(exclude={home}) or home)
        product_flow = (
            bool(
                re.search(
                    r"(?:\b(?:total|overall|merchandise|goods)|" + COMMODITY_RE.pattern[2:-2] + r")\s+$", before, re.I
                )
            )
            if fm is not None
            else False
        )
        if (
            partner is None
            and (explicit_reporter or product_flow)
            and prev is None
            and not [p for p in sent_places if p.code not in (reporter, "WLD")]
        ):
            partner = "WLD"  # "India imported copper ore worth $X", "magnet imports rose to ...": all partners
        if partner is None:
            others = [p.code for p in sent_places if p.code not in (reporter, "WLD") and p.start < money_pos]
            partner = others[-1] if others else (prev["partner"] if prev else state.recent_partner(exclude={reporter}))
        return reporter, partner
    if flow in ("total", "balance"):
        known = [(p.start, p.end) for p in find_places(window, include_world=True)]
        if any(
            _names_unknown_place(window[m.end() :])
            for m in re.finditer(r"\b(?:with|and|between)\s+(?:the\s+)?", window)
            if not any(a <= m.start() < b for a, b in known)
        ):  # not the "and" of "Latin America and the Caribbean"
            return None, None  # "trade with Ruritania": named but unknown
        codes = []
        for p in places:
            if p.code not in codes:
                codes.append(p.code)
        if fm is not None and _NATIONS.search(window[fm.start() : fm.end() + 40]):
            two = state.recent_countries(2)
            if len(two) == 2:
                return two[1], two[0]
        if len(codes) >= 2:
            # "trade between India and Peru", "India's trade with LAC"
            return codes[-2], codes[-1]
        if len(codes) == 1:
            c = codes[0]
            if c == home:
                others = [p.code for p in sent_places if p.code not in (home, "WLD")]
                if others:  # "According to New Zealand's ministry, trade with India ..."
                    return others[0], home
                other = state.recent_partner(exclude={home})
                return (home, other) if other else (home, None)
            return home, c
        if prev is not None:
            return prev["reporter"], prev["partner"]
        others = [p.code for p in sent_places if p.code not in (home, "WLD") and p.start < money_pos]
        if others:
            return home, others[-1]
        return home, state.recent_partner()
    return None, None


def _trade_values(sent: Sentence, state: _State, art_id: str) -> list[dict]:
    text = sent.text
    monies = find_money(text)
    if not monies:
        return []
    periods = find_periods(text, published=state.published)
    same_ref = any(p.same_period_ref for p in periods)
    pairs = _merge_equivalents(text, monies)
    spans = _clauses(text)
    items = [(m.start, (u or m).end) for m, u in pairs]
    assigned = _assign_periods(text, items, periods)
    sent_places = [p for p in find_places(text) if p.code != "WLD"]
    facts: list[dict] = []
    prev: dict | None = None
    prev_end = 0
    for k, (m, usd) in enumerate(pairs):
        c = _clause_of(spans, m.start)
        cstart = spans[c][0]
        wstart = max(cstart, prev_end) if prev is not None and prev_end > cstart else cstart
        window = text[wstart : m.start]
        flow = None
        for fmatch in _FLOW_RE.finditer(window):
            flow = next(g for g, v in fmatch.groupdict().items() if v)
        inherited = None
        if flow is None:
            if prev is not None:
                inherited = prev
            elif _FIGURE_REF.search(window) and state.last_trade is not None:
                inherited = state.last_trade
            else:
                # a trade word earlier in the sentence ("Trade between X and Y ..., reaching $Z")
                lead = text[: m.start]
                fl = [g for fm_ in _FLOW_RE.finditer(lead) for g, v in fm_.groupdict().items() if v]
                if not fl:
                    prev_end = (usd or m).end
                    continue
                flow = fl[-1]
                window = lead
        if inherited is not None and flow is None:
            flow, reporter, partner = inherited["flow"], inherited["reporter"], inherited["partner"]
        else:
            assert flow is not None, "a flow word is in the window or the lead; else the loop went on"
            reporter, partner = _resolve_parties(
                window,
                flow,
                state,
                sent_places,
                wstart,
                m.start,
                prev
                if prev is not None and prev["flow"] == flow
                else (prev if prev is not None and not find_places(window) else None),
                after_money=text[(usd or m).end : (usd or m).end + 60],
            )
        if reporter is None or partner is None or reporter == partner:
            prev_end = (usd or m).end
            continue
        period = assigned[k]
        if re.match(
            r"[\s,]*(?:in the same period\s+)?(?:a year (?:earlier|ago|before)|the year before|"
            r"the previous year|in the year-ago period)",
            text[(usd or m).end :],
        ):
            ref_p = next((p for p in periods if not p.same_period_ref), None)
            if ref_p is not None:
                y0, y1 = int(ref_p.start[:4]) - 1, int(ref_p.end[:4]) - 1
                period = Period(ref_p.kind, f"{y0:04d}{ref_p.start[4:]}", f"{y1:04d}{ref_p.end[4:]}")
        if period is None and same_ref:
            ctx = [p for p in state.para_periods.get(sent.para, []) if not p.same_period_ref]
            distinct: list[Period] = []
            for p in ctx:
                if all((p.kind, p.start) != (q.kind, q.start) for q in distinct):
                    distinct.append(p)
            if distinct:
                later = [j for j, (mm, _) in enumerate(pairs) if j > k]
                period = distinct[0] if later and len(distinct) > 1 else distinct[-1]
        proj = bool(_PROJECTED.search(text[cstart : m.start]))
        value_fields = _money_fields(m, usd)
        if flow == "balance":
            value_usd, value_orig = value_fields.get("value_usd"), value_fields.get("value_orig")
            if re.search(r"\bdeficit\b", window, re.I) and value_usd:
                value_fields["value_usd"] = -abs(value_usd)
            if value_orig and re.search(r"\bdeficit\b", window, re.I):
                value_fields["value_orig"] = -abs(value_orig)
        ev_start = wstart if wstart > cstart else cstart
        ev_end = (usd or m).end
        if (
            period is not None
            and period.pos >= ev_end
            and period.end_pos - ev_end < 60
            and _clause_of(spans, period.pos) == c
        ):
            ev_end = period.end_pos
        if ev_end < len(text) and text[ev_end : ev_end + 1] == ")":
            ev_end += 1
        fact = {
            "article_id": art_id,
            "type": "trade_value",
            "reporter": reporter,
            "partner": partner,
            "flow": flow,
            **value_fields,
            "period": period.to_dict() if period is not None else None,
            "approx": bool(m.approx or _is_hedged_at(text, m.start) or (usd is not None and usd.approx)),
            "projected": proj,
            "evidence": _clip(text[ev_start:ev_end]),
        }
        facts.append(fact)
        prev = fact
        prev_end = ev_end
    if facts:
        state.last_trade = facts[-1]
    return facts


# --------------------------------------------------------------------------- shares
_PCT_RE = re.compile(
    r"(?:(?:between\s+)?(?P<lo>\d+(?:\.\d+)?)\s*(?:%|per ?cent|percent)?\s*(?:and|to|-|–)\s*)?"
    r"(?P<pct>\d+(?:\.\d+)?)\s*(?:%|per ?cent\b|percent\b)",
    re.I,
)
_GROWTH_BEFORE = re.compile(
    r"(?:\b(?:up|down|by|rose|risen|grew|grown|growth of|increase of|decrease of|jump(?:ed)?|"
    r"surge[ds]?|fell|fallen|declined?|CAGR of|rate of|stake of|interest of)\s*)$",
    re.I,
)
_GROWTH_AFTER = re.compile(
    r"^\s*(?:growth|increase|rise|jump|decline|drop|higher|lower|more|less|stake|equity|"
    r"tariffs?|duty|duties|year-on-year|y-o-y|yoy|annual|cagr|interest|returns?|of (?:goods|tariff lines|"
    r"its (?:output|production|revenue)))\b",
    re.I,
)
_TARIFF_CONTEXT = re.compile(r"\b(?:tariffs?|duty|duties|tariff lines)\b[^.]{0,30}$", re.I)
_SHARE_PROJ = re.compile(
    r"\b(?:projected|forecast|expected|estimated to|will|would|set to|likely to|target|aims?)\b", re.I
)


@dataclass(frozen=True)
class _Pct:
    """A percentage mention: span, low end of a range, value."""

    s: int
    e: int
    lo: float | None
    pct: float

    def start(self) -> int:
        return self.s

    def end(self) -> int:
        return self.e


_FRACTIONS = {
    "half": 50.0,
    "a third": 100 / 3,
    "one third": 100 / 3,
    "two thirds": 200 / 3,
    "a quarter": 25.0,
    "one quarter": 25.0,
    "three quarters": 75.0,
}
_FRAC_RE = re.compile(
    r"\b(?P<frac>half|a third|one[- ]third|two[- ]thirds|a quarter|one[- ]quarter|three[- ]quarters)"
    r"(?=\s+of\s+(?:the\s+)?(?:world|global|its|their|[A-Z]\w+['’]s))",
    re.I,
)


def _listed_commodities(after: str) -> list[str]:
    """Commodities listed right after a percentage ("for lithium, cobalt and nickel")."""
    ms = list(COMMODITY_RE.finditer(after[:120]))
    out: list[str] = []
    for i, mm in enumerate(ms):
        slug = COMMODITIES.get(mm.group(0).lower()) or COMMODITIES.get(mm.group(0))
        if not slug or slug == "total":
            break
        if i and not re.fullmatch(r"\s*(?:,|and|or|, and|, or)\s*", after[ms[i - 1].end() : mm.start()]):
            break
        out.append(slug)
    return list(dict.fromkeys(out))


def _commodity(text: str, pos: int = 0) -> str | None:
    """The commodity named nearest to the percentage at ``pos`` (after it preferred)."""
    found = []
    for m in COMMODITY_RE.finditer(text):
        slug = COMMODITIES.get(m.group(0).lower()) or COMMODITIES.get(m.group(0))
        if slug:
            d = m.start() - pos if m.start() >= pos else (pos - m.end()) * 1.5
            found.append((slug != "total", -d, slug))
    if not found:
        return None
    return max(found)[2]


def _activity(text: str, pos: int = 0) -> str | None:
    """The share activity named in a clause: import dependence if named at all, else the
    activity word nearest to the percentage at ``pos``."""
    best, best_d = None, None
    for slug, pat in ACTIVITIES:
        for m in pat.finditer(text):
            if slug == "import_dependence":
                return slug
            d = pos - m.end() if m.end() <= pos else (m.start() - pos) * 1.5
            if best_d is None or d < best_d:
                best, best_d = slug, d
    return best


def _shares(sent: Sentence, state: _State, art_id: str) -> list[dict]:
    text = sent.text
    out: list[dict] = []
    prev: dict | None = None
    spans = _clauses(text)
    prev_pct_end = 0
    hits = [
        _Pct(m.start(), m.end(), float(m.group("lo")) if m.group("lo") else None, float(m.group("pct")))
        for m in _PCT_RE.finditer(text)
    ]
    hits += [
        _Pct(m.start(), m.end("frac"), None, _FRACTIONS[re.sub(r"[- ]", " ", m.group("frac").lower())])
        for m in _FRAC_RE.finditer(text)
    ]
    hits.sort(key=lambda h: h.s)
    for m in hits:
        lead = text[max(0, m.start() - 25) : m.start()]
        tail = text[m.end() : m.end() + 30]
        if _GROWTH_BEFORE.search(lead) or _GROWTH_AFTER.match(tail) or _TARIFF_CONTEXT.search(lead):
            continue
        c = _clause_of(spans, m.start())
        cs, ce = spans[c]
        clause = text[cs:ce]
        rel = m.start() - cs
        ctx = clause
        commodity = _commodity(ctx, rel)
        activity = _activity(ctx, rel)
        np_after = re.match(
            r"\s*of\s+(?:the\s+)?(?:world['’]s|global|its|their|[A-Z]\w+['’]s)?\s*([\w\s-]{0,40})",
            clause[m.end() - cs :],
        )
        if np_after:
            # "... and nearly 90 per cent of processing": the activity named right after the share wins
            head = re.split(r"\b(?:and|but|while|,)\b", np_after.group(1))[0]
            named = _activity(head, 0)
            if named and named != "import_dependence" and not (named == "imports" and activity == "import_dependence"):
                activity = named
        if np_after and activity == "production":
            for word, act in (
                ("mined", "mining"),
                ("mine ", "mining"),
                ("refined", "refining"),
                ("processed", "processing"),
            ):
                if word in np_after.group(1).lower() + " ":
                    activity = act
        # "100% import dependent for lithium, cobalt and nickel": one share per listed commodity
        listed = _listed_commodities(clause[m.end() - cs :])
        if re.search(r"\btotal (?:imports|exports)\b", ctx, re.I):
            commodity = commodity if commodity not in (None, "critical_mineral") else "total"
        if (commodity is None or activity is None) and prev is not None:
            commodity, activity = commodity or prev["_commodity"], activity or prev["_activity"]
        if commodity is None or activity is None:
            continue
        if commodity == "critical_mineral" and activity not in ("import_dependence", "imports", "exports"):
            commodity = "critical_mineral"
        scope = {"import_dependence": "import", "imports": "import", "exports": "export"}.get(activity, "world")
        places = [p for p in find_places(clause) if p.code != "WLD"]
        seg_from = max(0, prev_pct_end - cs) if prev_pct_end > cs else 0
        before = [p for p in places if seg_from <= p.start < rel] or [p for p in places if p.start < rel]
        partner = None
        subject = None
        if scope in ("import", "export"):
            poss = re.search(
                r"\bof\s+(?:the\s+)?(?P<who>[A-Z][\w .&-]{1,40}?)['’]s?\s+(?:total\s+)?(?:imports|exports|"
                r"\w+\s+(?:imports|exports)|import|export)",
                clause[rel:],
            )
            if poss:
                ps = find_places(poss.group("who"))
                subject = ps[0].code if ps else None
            fm = re.search(
                r"\b(?:imports?|exports?|sourced?|sources|comes?|coming)\s+(?:\w+\s+){0,3}?(?:from|to)\s+"
                r"(?P<who>[A-Z][\w .&-]{1,40})",
                clause,
            )
            if fm:
                ps = find_places(fm.group("who"))
                if ps and ps[0].code != subject:
                    partner = ps[0].code
            if subject is None:
                cand = [p for p in before if p.code != partner]
                subject = cand[0].code if cand else None
            elif poss and partner is None:
                # "Peru ..., accounting for 12% of India's gold imports": the supplier is the subject
                sup = [p for p in before if p.code not in (subject,) and not p.is_region]
                partner = sup[0].code if sup else None
        else:
            subject = before[0].code if before else (places[0].code if places else None)
        if subject is None and prev is not None:
            subject = prev["subject"]
        if subject is None:
            subject = state.home if scope != "world" else None
        if subject is None:
            continue
        measure = f"{commodity}_{activity}" if commodity != "total" or activity in ("imports", "exports") else None
        if measure is None:
            continue
        year_re = r"\b(?:by|in|for|of|until|till)\s+(?:FY\s*)?((?:19|20)\d\d)(?:\s*[-–‑]\s*(\d\d))?\b"
        ym = re.search(year_re, text[m.start() : min(ce, m.end() + 60)]) or re.search(
            year_re, text[max(cs, m.start() - 40) : m.start()]
        )
        year = None
        if ym:
            year = int(ym.group(1)) + (1 if ym.group(2) else 0)
        projected = bool(_SHARE_PROJ.search(text[max(cs, m.start() - 50) : m.start()])) or bool(
            ym and re.match(r"by", ym.group(0))
        )
        lo, pct = m.lo, m.pct
        if lo is not None and lo >= pct:
            lo = None
        fact = {
            "article_id": art_id,
            "type": "share",
            "subject": subject,
            "partner": partner,
            "measure": measure,
            "share_pct": pct,
            "scope": scope,
            "year": year,
            "projected": projected,
            "approx": _is_hedged_at(text, m.start())
            or bool(
                re.search(
                    r"\b(?:less than|more than|over|under|"
                    r"nearly|about|around|roughly)\s*$",
                    text[: m.start()],
                    re.I,
                )
            ),
            "evidence": _clip(clause if len(clause) < 260 else text[max(cs, m.start() - 120) : m.end() + 40]),
            "_commodity": commodity,
            "_activity": activity,
        }
        if lo is not None:
            fact["range_low"] = lo
        out.append(fact)
        if len(listed) > 1 and commodity in listed:
            for other in listed:
                if other != commodity:
                    out.append({**fact, "measure": f"{other}_{activity}", "_commodity": other})
        prev = fact
        prev_pct_end = m.end()
    for f in out:
        f.pop("_commodity")
        f.pop("_activity")
    return out


# --------------------------------------------------------------------------- negotiation rounds
_ORD = (
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
    r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|\d{1,2}(?:st|nd|rd|th)"
)
_CARD = r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|\d{1,2}"
_ROUND_RE = re.compile(
    rf"\b(?:the\s+)?(?P<ord>{_ORD})\s+(?:and\s+final\s+|formal\s+|full\s+)?(?:[A-Z]{{2,5}}\s+|negotiating\s+|"
    rf"negotiation\s+|trade\s+)?round\b|"
    rf"\bround\s+(?P<num>\d{{1,2}})\b|"
    rf"\b(?P<card>{_CARD})\s+rounds\b|"
    rf"\b(?P<next>next|upcoming|following|subsequent)\s+(?:formal\s+|full\s+)?round\b|"
    rf"\b(?P<special>special)\s+round\b",
    re.I,
)
_NEGOTIATION_CTX = re.compile(r"\bnegotiat\w*|\btalks\b|\bFTA\b|\bCEPA\b|\bagreement\b|\bpact\b|\bdeal\b", re.I)
_PLANNED = re.compile(
    r"\b(?:next|upcoming|scheduled|will|would|shall|to be held|to take place|expected|proposed|"
    r"planned|slated|due|is set to|are set to)\b",
    re.I,
)
_CHAPTER_CUE = re.compile(
    r"\b(?:agenda|covered|covering|covers?|spanned|spanning|discussed|discussions?|focus(?:ed)?|"
    r"included|including|chapters?|issues|talks (?:on|covered)|areas|take up|taking up|took up|"
    r"taken up|address(?:ed|ing)?|negotiators)\b",
    re.I,
)
_VIRTUAL = re.compile(r"\b(?:virtual(?:ly)?|video[- ]?conference|online)\b", re.I)


def _agreement_kind(text: str) -> str | None:
    for kind, pat in AGREEMENT_KINDS:
        if pat.search(text):
            return kind
    return None


def _agreement_name(parties: frozenset, kind: str) -> str:
    ps = sorted(parties)
    if "IND" in parties:
        ps = ["IND"] + [p for p in ps if p != "IND"]
    return "-".join(ps) + f" {kind}"


def _rounds(sent: Sentence, state: _State, art_id: str, sentences: list[Sentence]) -> list[dict]:
    text = sent.text
    matches = list(_ROUND_RE.finditer(text))
    if not matches:
        return []
    para_text = " ".join(s.text for s in sentences if s.para == sent.para)
    near = " ".join(s.text for s in sentences[max(0, sent.index - 2) : sent.index + 3])
    if not _NEGOTIATION_CTX.search(near):
        return []
    out = []
    for i, m in enumerate(matches):
        seg_start = matches[i - 1].end() if i > 0 else 0
        seg_end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        seg = text[seg_start:seg_end]
        # the parties named in the round's own clause ("...; talks with Peru move to 11th round"), else the sentence's
        cl = _clauses(text)
        cs, ce = cl[_clause_of(cl, m.start())]
        scope = text[cs:ce] if len(cl) > 1 else text
        places = [
            p
            for p in find_places(scope)
            if not p.is_region or p.code in ("EU", "EFTA", "ASEAN", "GCC", "MERCOSUR", "EAEU", "SACU")
        ]
        codes = []
        for p in places:
            if p.code not in codes and p.code != "WLD":
                codes.append(p.code)
        if m.group("next") and state.last_agreement is not None:
            parties = state.last_agreement
        elif len(codes) >= 2:
            parties = (
                frozenset(codes[:2])
                if state.home not in codes
                else frozenset([state.home] + [c for c in codes if c != state.home][:1])
            )
        elif len(codes) == 1:
            other = state.home if codes[0] != state.home else state.recent_partner(exclude={codes[0]}, regions=False)
            parties = frozenset([codes[0], other]) if other else frozenset(codes)
        elif _NATIONS.search(text):
            parties = frozenset(state.recent_countries(2))
        elif state.last_agreement is not None:
            parties = state.last_agreement
        else:
            continue
        if len(parties) < 2:
            continue
        kind = _agreement_kind(text) or state.agreement_kind.get(parties) or _agreement_kind(para_text) or "FTA"
        if kind == "BTA" and re.search(r"\bbilateral trade agreement\b", text) and not re.search(r"\bBTA\b", text):
            kind = "FTA"
        state.agreement_kind.setdefault(parties, kind)
        number = None
        status = "held"
        if m.group("ord"):
            number = number_word(m.group("ord"))
        elif m.group("num"):
            number = int(m.group("num"))
        elif m.group("card"):
            number = number_word(m.group("card"))
            if not re.search(
                r"\b(?:completed|held|concluded|done|finished|over)\b",
                text[m.end() : m.end() + 40] + text[max(0, m.start() - 40) : m.start()],
                re.I,
            ):
                continue
        elif m.group("next"):
            last = state.last_round.get(parties)
            number = last + 1 if last else None
            status = "planned"
        if _PLANNED.search(text[max(seg_start, m.start() - 60) : m.end() + 60]) and not m.group("card"):
            if not re.search(
                r"(?<!be )\b(?:held|conducted|concluded|completed|took place|wrapped up)\b", seg, re.I
            ) or m.group("next"):
                status = "planned"
        future = status == "planned"
        dates = [d for d in find_date_spans(seg, published=state.published, future=future)]
        start_date = end_date = None
        if dates:
            rel = m.start() - seg_start
            # the date nearest to the round mention (after it preferred), full dates before months
            best = min(
                dates,
                key=lambda d: (
                    abs(d.pos - rel) * (1 if d.pos >= rel else 1.5) - (1000 if len(d.start or "") == 10 else 0)
                ),
            )
            if not best.is_bound:
                start_date, end_date = best.start, best.end
        if status == "held" and start_date and state.published is not None:
            if start_date[: len(start_date)] > state.published.isoformat()[: len(start_date)]:
                status = "planned"
        venue = None
        if _VIRTUAL.search(seg):
            venue = "virtual"
        else:
            cities = find_cities(seg)
            if cities:
                venue = cities[0][0]
        chapters = find_chapters(seg) if _CHAPTER_CUE.search(seg) else []
        if not m.group("card") and not m.group("next"):
            for s in sentences[sent.index + 1 : sent.index + 4]:
                if _ROUND_RE.search(s.text) or s.para > sent.para + 1:
                    break
                if _CHAPTER_CUE.search(s.text):
                    chapters += [c for c in find_chapters(s.text) if c not in chapters]
        fact = {
            "article_id": art_id,
            "type": "negotiation_round",
            "agreement": _agreement_name(parties, kind),
            "parties": sorted(parties),
            "round_number": number,
            "start_date": start_date,
            "end_date": end_date,
            "venue_city": venue,
            "chapters": chapters,
            "status": status,
            "evidence": _clip(seg.strip() if len(seg) < 300 else text[max(0, m.start() - 150) : m.end() + 100]),
        }
        out.append(fact)
        state.last_agreement = parties
        if number is not None:
            state.last_round[parties] = max(number, state.last_round.get(parties, 0))
    return out


# --------------------------------------------------------------------------- policy measures
_W = r"(?:[\w’'-]+\s+)"
POLICY_TRIGGERS: list[tuple[str, re.Pattern, str]] = [
    (
        "export_restriction_easing",
        re.compile(
            rf"\b(?:lift(?:ed|s|ing)?|eas(?:ed|es|ing)|relax(?:ed|es|ing)?|suspend(?:ed|s|ing)?|paus(?:ed|es))\s+{_W}{{0,3}}"
            rf"(?:export (?:restrictions?|bans?|controls?|curbs?)|(?:restrictions?|bans?|controls?|curbs?) on {_W}{{0,3}}"
            r"exports?)|\bexport licen[cs]es? (?:were |was |have been )?(?:approved|granted)",
            re.I,
        ),
        "ended",
    ),
    (
        "export_restriction",
        re.compile(
            r"\bexport (?:restrictions?|bans?|controls?|curbs?|quotas?|licen[cs]ing|licen[cs]e requirements?|permits?)\b|"
            rf"\b(?:restrictions?|curbs?|ban|controls?) on {_W}{{0,3}}exports?\b|\bbann?(?:ed|s)? (?:the )?exports?\b|"
            r"\brestrict(?:ed|s|ing)? exports?\b|\b(?:halt|stop|curb|ban)(?:s|ped|ted|ed|ing)?\s+exports?\b",
            re.I,
        ),
        "in_force",
    ),
    (
        "import_tariff",
        re.compile(
            rf"\b(?:rais(?:e|ed|es|ing)|hik(?:e|ed|es|ing)|cut|cuts|cutting|slash(?:ed|es|ing)?|reduc(?:e|ed|es|ing)|"
            rf"impos(?:e|ed|es|ing)|lev(?:y|ied|ies|ying)|increas(?:e|ed|es|ing)|remov(?:e|ed|es|ing)|exempt(?:ed|s|ing)?|"
            rf"lift(?:ed|s|ing)?|scrap(?:ped|s|ping)?|waiv(?:e|ed|es|ing)|extend(?:ed|s|ing)?)\s+{_W}{{0,3}}"
            rf"(?:import |customs |basic |safeguard |anti-dumping |countervailing )?"
            r"(?:dut(?:y|ies)|tariffs?)\b|\b(?:import|customs) dut(?:y|ies) (?:on|hike|cut|exemption)|\bduty exemption\b|"
            r"\breciprocal tariffs?\b|\btariffs? (?:imposed|levied) by\b",
            re.I,
        ),
        "in_force",
    ),
    (
        "partnership_membership",
        re.compile(
            rf"\b(?:joined|join(?:s|ing)?|became (?:a )?(?:member|part) of|admitted (?:to|into)|inducted into)\s+"
            rf"(?:the\s+)?{_W}{{0,6}}?(?:Partnership|Initiative|Alliance|Club|Forum|Coalition|Quad|Framework)\b"
        ),
        "in_force",
    ),
    ("import_tariff_mention", re.compile(r"\btariffs\b(?! lines)", re.I), "in_force"),
    (
        "mou",
        re.compile(
            r"\bMoUs?\b|\bMOUs?\b|\bmemorand(?:um|a) of (?:understanding|cooperation)\b|\bletters? of intent\b|"
            r"\bframework arrangement\b",
            re.I,
        ),
        "in_force",
    ),
    (
        "production_incentive",
        re.compile(
            r"\bproduction[- ]linked incentive\b|\bPLI\b|\b(?:production|manufacturing|incentive|subsidy) schemes?\b|"
            r"\bscheme(?:\s+[\w,]+){0,5}?\s+to\s+(?:boost|promote|incentivi[sz]e|support|encourage)\b|"
            r"\bSemicon India\b",
            re.I,
        ),
        "announced",
    ),
    ("mission", re.compile(r"\bNational [A-Z][\w ]{0,40}?Mission\b|\bMission\b"), "announced"),
    ("joint_venture", re.compile(r"\bjoint ventures?\b|\bJVs?\b", re.I), "in_force"),
    (
        "overseas_acquisition",
        re.compile(
            r"\bacquir(?:e|ed|es|ing)\s+(?:[\w’',.-]+\s+){0,4}(?:mines?|blocks?|assets?|tenements?|stakes?|concessions?|"
            r"hectares|acres|deposits?|licen[cs]es|interests?|projects?)\b|"
            r"\b(?:exploration|mining) (?:rights|licen[cs]es|leases)\b",
            re.I,
        ),
        "in_force",
    ),
    (
        "investment_commitment",
        re.compile(
            r"\b(?:pledged|committed|commits|commit|pledges|pledge|commitment of|will invest|to invest|"
            r"announced an investment)\b",
            re.I,
        ),
        "announced",
    ),
    (
        "auction",
        re.compile(
            rf"\bauction(?:s|ed|ing)?\b(?= {_W}{{0,4}}(?:blocks?|mines?))|"
            r"\bblocks? (?:were |are |will be )?auction\w*",
            re.I,
        ),
        "in_force",
    ),
    ("stockpile", re.compile(r"\bstockpil(?:e|es|ing)\b", re.I), "announced"),
    (
        "legislation",
        re.compile(
            r"\bamendments? (?:to|of|in) the [A-Z][\w ,()&-]{2,80}?\bAct\b|\b[A-Z][\w ]{2,60} (?:Amendment )?(?:Act|Bill)"
            r"(?:,? \d{4})? (?:was |has been |were )?(?:passed|enacted|amended|notified)\b|"
            r"\b(?:passed|enacted) (?:a |the )?(?:new )?(?:law|legislation|bill)\b",
            re.I,
        ),
        "in_force",
    ),
    (
        "domestic_capacity",
        re.compile(
            rf"\b(?:commission(?:ed|s|ing)?|inaugurat(?:ed|es)|set up|sets up|establish(?:ed|es)|open(?:ed|s))\s+"
            rf"(?:a |an |the |its |India’s |India's )?{_W}{{0,4}}(?:plant|facility|refinery|smelter|unit|factory|"
            r"processing (?:plant|unit|facility))\b",
            re.I,
        ),
        "in_force",
    ),
    (
        "trade_agreement",
        re.compile(
            rf"\b(?:signed|inked|concluded|ratified|implemented|sealed)\s+(?:a |an |the |their |its )?{_W}{{0,4}}?"
            r"(?:trade agreement|FTA|CEPA|CECA|CETA|TEPA|ECTA|PTA|BTA|trade deal|trade pact|economic partnership "
            r"agreement)\b|\b(?:FTA|CEPA|CECA|CETA|TEPA|ECTA|PTA|trade agreement|trade deal|pact)\s+(?:was|were|has been|"
            r"had been)\s+(?:signed|concluded|implemented|ratified)\b|\b(?:entered|came|comes|enters) into force\b",
            re.I,
        ),
        "in_force",
    ),
    (
        "negotiation_launch",
        re.compile(
            rf"\b(?:agreed|decided|agree|decide)\s+to\s+(?:re)?(?:commence|launch|start|begin|resume|restart|initiate|"
            rf"relaunch)\s+{_W}{{0,3}}?(?:negotiations|talks)\b|\b(?:launched|resumed|relaunched|recommenced|restarted)\s+"
            rf"(?:the\s+)?{_W}{{0,3}}?(?:negotiations|talks)\b|\b(?:negotiations|talks)\s+(?:were|was|have been|had been)\s+"
            r"(?:formally\s+)?(?:launched|resumed|relaunched)\b|\blaunch of (?:the )?(?:\w+ ){0,3}negotiations\b",
            re.I,
        ),
        "announced",
    ),
]
_GOVERNMENT = re.compile(
    r"\b(?:the )?(?:government|Centre|Union Cabinet|Cabinet|finance ministry|commerce ministry|"
    r"mines ministry)\b"
)
# cheap pre-filter: a trigger pattern runs only when one of its key stems occurs in the sentence
_TRIGGER_STEMS: dict[str, tuple[str, ...]] = {
    "export_restriction_easing": ("export",),
    "export_restriction": ("export",),
    "import_tariff": ("dut", "tariff"),
    "import_tariff_mention": ("tariffs",),
    "partnership_membership": ("join", "member", "admitted", "inducted", "part of"),
    "mou": ("mou", "memorand", "letter", "framework arrangement"),
    "production_incentive": ("scheme", "pli", "incentive", "semicon"),
    "mission": ("mission",),
    "joint_venture": ("joint venture", "jv"),
    "overseas_acquisition": ("acquir", "rights", "licen", "lease"),
    "investment_commitment": ("pledg", "commit", "invest"),
    "auction": ("auction",),
    "stockpile": ("stockpil",),
    "legislation": (" act", "law", "legislation", "bill"),
    "domestic_capacity": ("plant", "facility", "refiner", "smelter", "unit", "factory"),
    "trade_agreement": ("sign", "ink", "conclu", "ratif", "implement", "seal", "into force"),
    "negotiation_launch": ("negotiat", "talks"),
}
_AGREEMENT_WORD = re.compile(
    r"\b(?:agreement|pact|deal|FTA|CEPA|CECA|CETA|TEPA|ECTA|PTA|BTA)\b\)?[^.;]{0,40}?"
    r"\b(?:which|that|will|would|aims?|aimed|seeks?|to)\b[^.;]{0,30}$"
)
_INTENT = re.compile(r"\b(?:encourag(?:e|es|ing)|aim(?:s|ed)? (?:to|at)|intend(?:s|ed)? to|objective is to)\b", re.I)
_DOMESTIC_KINDS = {"production_incentive", "mission", "legislation", "auction", "stockpile", "domestic_capacity"}
_SYMMETRIC = {"mou", "trade_agreement", "negotiation_launch", "joint_venture"}
_STATUS_WORDS: list[tuple[str, re.Pattern]] = [
    ("ended", re.compile(r"\b(?:lifted|suspended|expired|scrapped|revoked|withdrawn|ended)\b", re.I)),
    (
        "proposed",
        re.compile(
            r"\b(?:explor(?:ing|es|e)|consider(?:ing|s|ed)?|propos\w+|fast-tracked|being negotiated|plans? to|planning|"
            r"mull\w*|may|could|would|seeks?|seeking|draft)\b",
            re.I,
        ),
    ),
    (
        "announced",
        re.compile(
            r"\b(?:approved|announced|rolled out|being rolled out|rolling out|decided|agreed|"
            r"unveiled|cleared|will)\b",
            re.I,
        ),
    ),
    (
        "in_force",
        re.compile(
            r"\b(?:signed|joined|commissioned|imposed|implemented|in force|in effect|completed|"
            r"launched|introduced)\b",
            re.I,
        ),
    ),
]


def _policy_status(kind: str, clause: str, trigger_pos: int, default: str) -> str:
    """Status from the verb nearest to the trigger (before it preferred); ``default`` if none."""
    best, best_d = default, None
    for status, pat in _STATUS_WORDS:
        if kind == "export_restriction" and status == "ended":
            continue
        for m in pat.finditer(clause):
            d = trigger_pos - m.end() if m.end() <= trigger_pos else (m.start() - trigger_pos) * 2 + 10
            if best_d is None or d < best_d:
                best, best_d = status, d
    return best


def _policy_date(clause: str, published: dt.date | None) -> str | None:
    spans = find_date_spans(clause, published=published)
    for d in spans:
        if not d.is_bound:
            return d.start
    ym = re.search(r"\b(?:in|since|from|on)\s+((?:19|20)\d\d)\b(?!\s*[-–‑]\s*\d)", clause)
    return ym.group(1) if ym else None


def _policies(sent: Sentence, state: _State, art_id: str) -> list[dict]:
    text = sent.text
    out = []
    places = find_places(text)
    taken: list[tuple[int, int]] = []
    low = text.lower()
    for kind, pat, default_status in POLICY_TRIGGERS:
        if not any(stem in low for stem in _TRIGGER_STEMS.get(kind, ("",))):
            continue
        for m in pat.finditer(text):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            if kind not in ("mission", "production_incentive") and _INTENT.search(
                text[max(0, m.start() - 80) : m.start()]
            ):
                continue  # a goal of a scheme or agreement ("The Mission will encourage PSUs to acquire ...")
            if kind in ("import_tariff", "import_tariff_mention") and _AGREEMENT_WORD.search(
                text[max(0, m.start() - 80) : m.start()]
            ):
                continue  # tariff cuts of a trade agreement belong to the agreement ("... CETA, which will cut tariffs")
            actor = None
            # 1. possessive or adjective right before the trigger ("China's restrictions", "U.S. tariffs")
            before = text[max(0, m.start() - 40) : m.start()]
            bp = [p for p in find_places(before) if not p.is_world]
            if bp and re.fullmatch(
                r"['’]s\s+(?:[\w-]+\s+){0,2}|\s+|[-‐]\w+\s+(?:[\w-]+\s+){0,1}|"
                r"\s+(?:will|would|has|have|had|is|are|was|were|also|to)\s+(?:\w+\s+)?",
                before[bp[-1].end :] or " ",
            ):
                actor = bp[-1].code
            # "<Country> tariffs" after the trigger word itself
            if actor is None:
                after = text[m.end() : m.end() + 40]
                am = re.match(r"\s*(?:imposed\s+|levied\s+)?(?:from|by)\s+(?:the\s+)?", after)
                if am:
                    ap = [p for p in find_places(after[am.end() :]) if p.start == 0]
                    if ap:
                        actor = ap[0].code
            # 2. the subject of the sentence: its first actor mention before the trigger
            if actor is None:
                subjects = [p for p in places if p.start < m.start() and not p.is_world]
                if subjects:
                    actor = subjects[0].code
            if kind == "import_tariff" and actor is None:
                tm = re.search(r"\b(?P<who>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)\s+(?:tariffs?|duties)\b", text)
                if tm:
                    ps = find_places(tm.group("who"))
                    actor = ps[0].code if ps else None
            if kind == "import_tariff_mention":
                # bare "tariffs": a measure only when a jurisdiction is attached ("U.S. tariffs")
                if not (bp and re.fullmatch(r"['’]s\s+|\s+|[-‐]imposed\s+", before[bp[-1].end :] or " ")):
                    continue
                kind = "import_tariff"
            if actor is None and (kind in _DOMESTIC_KINDS or _GOVERNMENT.search(text[: m.start()])):
                actor = state.home
            if actor is None and kind in ("trade_agreement", "negotiation_launch") and _NATIONS.search(text):
                two = state.recent_countries(2)
                actor = two[1] if len(two) == 2 else None
            if actor is None:
                continue
            if (
                kind == "partnership_membership"
                and actor in ("USA",)
                and re.search(r"US-led|U\.S\.-led", text[max(0, m.start() - 5) : m.end()])
            ):
                pass
            # partners
            partners: list[str] = []
            clause_end = len(text)
            nxt = re.search(r";|,\s+(?:while|but|and)\s+(?=[A-Z])", text[m.end() :])
            if nxt:
                clause_end = m.end() + nxt.start()
            after_places = [p for p in find_places(text[m.end() : clause_end]) if not p.is_world]
            if kind in _SYMMETRIC:
                cand = [p.code for p in places if p.start < m.start() and not p.is_world] + [
                    p.code for p in after_places
                ]
                if kind == "joint_venture" or kind == "mou":
                    cand = [
                        p.code
                        for p in after_places
                        if re.search(
                            r"\b(?:with|in|between|and)\s+(?:the\s+)?$",
                            text[max(0, m.end() + p.start - 12) : m.end() + p.start],
                        )
                    ]
                    # co-subjects: "Japan and India signed an MoU"
                    pre = [p for p in places if p.end <= m.start() and not p.is_world]
                    for p1, p2 in zip(pre, pre[1:]):
                        if re.fullmatch(r"\s*(?:,|and|&)\s*", text[p1.end : p2.start]):
                            cand += [p1.code, p2.code]
                if _NATIONS.search(text[: m.start()]) and kind in ("trade_agreement", "negotiation_launch"):
                    cand += state.recent_countries(2)
                partners = [c for c in dict.fromkeys(cand) if c != actor]
                lead = "IND" if "IND" in partners else (state.home if state.home in partners else None)
                if lead is not None and actor != lead:
                    partners = [actor] + [c for c in partners if c != lead]
                    actor = lead
            elif kind in (
                "export_restriction",
                "export_restriction_easing",
                "import_tariff",
                "overseas_acquisition",
                "investment_commitment",
            ):
                tgt = re.search(
                    r"\b(?:against|targeting|on (?:imports|goods|products|shipments) from|on exports to|"
                    r"in|to)\s+(?:the\s+)?",
                    text[m.end() : clause_end],
                )
                if kind in ("overseas_acquisition", "investment_commitment"):
                    partners = list(dict.fromkeys(p.code for p in places if p.code != actor and not p.is_world))
                elif (
                    tgt
                    and kind in ("export_restriction", "import_tariff")
                    and not re.match(r"(?:in|to)\b", tgt.group(0).strip())
                ):
                    partners = [p.code for p in after_places if p.code != actor][:3]
                elif kind == "import_tariff" and (
                    om := re.match(
                        r"\s*on\s+(?:imports\s+from\s+|goods\s+from\s+)?(?:the\s+)?", text[m.end() : clause_end]
                    )
                ):
                    tp = [p for p in find_places(text[m.end() + om.end() : clause_end]) if p.start == 0]
                    partners = [tp[0].code] if tp and tp[0].code != actor else []
                elif kind in ("export_restriction", "export_restriction_easing") and re.search(
                    r"exports?\b", m.group(0)
                ):
                    dm = re.match(r"\s*(?:of\s+[\w\s-]{1,40}?\s+)?to\s+(?:the\s+)?", text[m.end() : clause_end])
                    if dm:
                        tp = [p for p in find_places(text[m.end() + dm.end() : clause_end]) if p.start == 0]
                        partners = [tp[0].code] if tp else []
            span_start = max(0, m.start() - 120)
            cstart = max(
                [0]
                + [
                    mm.end()
                    for mm in re.finditer(r"[;,]\s|\b(?:and|while|but)\s", text[: m.start()])
                    if mm.end() <= m.start() and mm.end() >= span_start
                ]
            )
            # a measure's sentence subject belongs to the evidence when it is close
            if places and places[0].start < m.start() and m.start() - places[0].start < 140:
                cstart = min(cstart, places[0].start)
            clause = text[cstart:clause_end]
            amount = currency = amount_usd = None
            if kind in (
                "production_incentive",
                "mission",
                "investment_commitment",
                "overseas_acquisition",
                "stockpile",
                "domestic_capacity",
                "joint_venture",
                "auction",
            ):
                ms = [mm for mm in find_money(text) if mm.end <= clause_end and mm.start >= cstart - 60]
                if ms:
                    pairs = _merge_equivalents(text, ms)
                    first, usd = pairs[0]
                    amount, currency = first.value, first.currency
                    if usd is not None:
                        amount_usd = usd.value
            status = _policy_status(kind, clause, m.start() - cstart, default_status)
            subj = (
                _commodity(clause, m.start() - cstart)
                if kind in ("export_restriction", "export_restriction_easing", "import_tariff")
                else None
            )
            fact = {
                "article_id": art_id,
                "type": "policy_measure",
                "country": actor,
                "kind": kind,
                "partners": partners,
                "amount": amount,
                "currency": currency,
                "date": _policy_date(clause, state.published),
                "status": status,
                "evidence": _clip(clause if len(clause) < 300 else text[max(0, m.start() - 100) : m.end() + 120]),
            }
            if amount_usd is not None:
                fact["amount_usd"] = amount_usd
            if subj and subj != "total":
                fact["subject"] = subj.replace("_", " ")
            out.append(fact)
            taken.append((m.start(), m.end()))
    return out


# --------------------------------------------------------------------------- article
def _same_value(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 0.005 * max(abs(a), abs(b))


def _trade_key_equal(a: dict, b: dict) -> bool:
    if a["flow"] != b["flow"] or a["period"] != b["period"] or a["projected"] != b["projected"]:
        return False
    if a["flow"] == "total":
        if {a["reporter"], a["partner"]} != {b["reporter"], b["partner"]}:
            return False
    elif (a["reporter"], a["partner"]) != (b["reporter"], b["partner"]):
        return False
    return _same_value(a.get("value_usd"), b.get("value_usd")) and _same_value(a.get("value_orig"), b.get("value_orig"))


def _dedupe(facts: list[dict]) -> list[dict]:
    """Repeated mentions of the same fact are one fact (the first mention's evidence is kept)."""
    out: list[dict] = []
    for f in facts:
        dup = None
        for g in out:
            if g["type"] != f["type"]:
                continue
            t = f["type"]
            if t == "trade_value" and _trade_key_equal(f, g):
                dup = g
            elif (
                t == "share"
                and (f["subject"], f.get("partner"), f["measure"], f["scope"], f["year"], f["projected"])
                == (g["subject"], g.get("partner"), g["measure"], g["scope"], g["year"], g["projected"])
                and _same_value(f["share_pct"], g["share_pct"])
            ):
                dup = g
            elif (
                t == "negotiation_round"
                and set(f["parties"]) == set(g["parties"])
                and (
                    (f["round_number"] is not None and f["round_number"] == g["round_number"])
                    or (
                        f["round_number"] is None
                        and g["round_number"] is None
                        and f["start_date"] == g["start_date"]
                        and f["status"] == g["status"]
                    )
                )
            ):
                dup = g
            elif t == "policy_measure" and f["kind"] == g["kind"]:
                fp = set(f["partners"]) | ({f["country"]} if f["kind"] in _SYMMETRIC else set())
                gp = set(g["partners"]) | ({g["country"]} if g["kind"] in _SYMMETRIC else set())
                if (
                    (f["kind"] in _SYMMETRIC or f["country"] == g["country"])
                    and (fp == gp or not f["partners"])
                    and (
                        f.get("amount") is None
                        or g.get("amount") is None
                        or _same_value(f.get("amount"), g.get("amount"))
                    )
                    and (not f.get("subject") or not g.get("subject") or f["subject"] == g["subject"])
                ):
                    dup = g
            if dup is not None:
                break
        if dup is None:
            out.append(f)
        else:
            for k, v in f.items():
                if dup.get(k) in (None, []) and v not in (None, []):
                    dup[k] = v
    return out


def extract_facts(article: CleanArticle, *, home: str | None = None) -> list[dict]:
    """Extract the schema's facts from one cleaned article.

    Parameters
    ----------
    article : CleanArticle
    home : str, optional
        ISO3 of the country the article is about (implicit reporter); the
        most mentioned country by default, India on a tie.

    Returns
    -------
    list of dict
        One JSON-ready dict per fact, in the order of the text, each with a
        verbatim ``evidence`` quote of the cleaned text.
    """
    from critmin.domain.news.gazetteer import _find_places

    _find_places.cache_clear()  # the cache serves repeated look-ups within one article only
    state = _State(home=home or article_home(article.text), published=article.date)
    sentences = split_sentences(article.text)
    facts: list[dict] = []
    aid = article.article_id
    # a headline repeats the body in fewer words: read it last so that body facts come first
    # leading headline lines (one line, no final full stop: title, kicker, section name)
    title_sents = []
    for para in sorted({s.para for s in sentences}):
        ps = [s for s in sentences if s.para == para]
        if len(ps) == 1 and ps[0].text.strip()[-1:] not in '.!?"”' and len(ps[0].text.split()) <= 25:
            title_sents += ps
        else:
            break
    body = [s for s in sentences if s not in title_sents]
    for sent in body + title_sents:
        state.para_periods.setdefault(sent.para, [])
        facts += _rounds(sent, state, aid, sentences)
        facts += _trade_values(sent, state, aid)
        facts += _shares(sent, state, aid)
        facts += _policies(sent, state, aid)
        state.para_periods[sent.para] += find_periods(sent.text)
        state.recent += find_places(sent.text)
    facts = _dedupe(facts)
    order = {t: i for i, t in enumerate(FACT_TYPES)}
    facts.sort(key=lambda f: order[f["type"]])
    return facts
