"""Product search: find HS codes by description or code, expand a code, and say where its data is.

* :func:`search` -- HS 2022 codes (``hs_codes``) whose description or code matches a query,
  best matches first, each with what the warehouse holds for it;
* :func:`expand` -- a chapter or heading with its headings and six-digit subheadings;
* :func:`data_coverage` -- for one code, which trade tables have rows for it (BACI HS6, BACI HS4
  top flows, TradeStat imports and exports) and, where none does, where the data would come from.

Matching is case-insensitive on words: every query word must start a word of the description (a
trailing plural ``s`` of the query word is optional), or the query is a code (digits, dots and
spaces ignored: ``2825.20`` is ``282520``) and matches that code and the codes below it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from critmin.classify._tables import products_table
from critmin.config import Settings
from critmin.errors import ConfigError, UnknownCodeError
from critmin.warehouse import Warehouse

#: rank tiers, best first
TIERS = ("exact", "phrase", "words", "prefix", "code")


@dataclass(frozen=True)
class TradeTable:
    """A warehouse table with trade by product: its product column and period column."""

    table: str
    source: str
    column: str
    period: str
    label: str
    where_from: str


TRADE_TABLES = (
    TradeTable(
        "trade_flows",
        "baci",
        "hs6",
        "year",
        "BACI bilateral flows (HS6, every pair)",
        "CEPII BACI covers every HS6 code for every pair; the mirror extract holds a selection of "
        "critical-mineral codes: build `critmin data build baci` from the full CEPII release",
    ),
    TradeTable(
        "hs4_top_flows",
        "baci_hs4",
        "hs4",
        "year",
        "BACI HS4 top-200 flows per commodity",
        "the HS4 top-flow extract covers a fixed list of headings (2603, 7403, 7108, ...)",
    ),
    TradeTable(
        "tradestat_imports",
        "tradestat",
        "hs_code",
        "period",
        "India's imports by partner (DGCI&S TradeStat)",
        "save the TradeStat import report for this code "
        "(tradestat.commerce.gov.in/meidb) into the mirror and rebuild `tradestat`",
    ),
    TradeTable(
        "tradestat_exports",
        "tradestat_eidb",
        "hs8",
        "period",
        "India's exports by partner (TradeStat EIDB, 8 digits)",
        "TradeStat EIDB export data (8-digit ITC-HS)",
    ),
)


# --------------------------------------------------------------------------- pure matching
def normalize_query(query: str) -> str:
    """Lower case, single spaces, without surrounding punctuation."""
    return " ".join(re.findall(r"[a-z0-9]+", query.lower()))


def code_query(query: str) -> str | None:
    """The HS code a query names (``"2825.20"``, ``"2825 20"`` -> ``"282520"``), or None if it has letters."""
    q = query.strip()
    if q and re.fullmatch(r"[\d.\s]+", q):
        digits = re.sub(r"\D", "", q)
        return digits or None
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _token_matches(token: str, word: str) -> str | None:
    """``"word"`` if ``token`` is the word (plural s optional), ``"prefix"`` if it starts it, else None."""
    if word == token or (token.endswith("s") and len(token) > 3 and word == token[:-1]) or word == token + "s":
        return "word"
    if word.startswith(token) or (token.endswith("s") and len(token) > 3 and word.startswith(token[:-1])):
        return "prefix"
    return None


def match_description(query: str, description: str) -> tuple[int, int, int] | None:
    """Rank of ``description`` for a text query, or None when some query word is missing.

    Returns ``(tier, span, first)``: ``tier`` indexes :data:`TIERS` (0 the description is the
    query, 1 the query is a phrase of it, 2 every query word is a word of it, 3 every query word
    starts a word of it); ``span`` is the number of description words from the first to the last
    matched word (smaller is closer); ``first`` the position of the first matched word (a
    description that starts with the query is about it, not about something it mentions).
    """
    q = normalize_query(query)
    tokens = q.split()
    if not tokens:
        return None
    words = _words(description)
    d = " ".join(words)
    positions, whole = [], True
    for tok in tokens:
        found = None
        for i, w in enumerate(words):
            kind = _token_matches(tok, w)
            if kind == "word":
                found = (i, kind)
                break
            if kind == "prefix" and found is None:
                found = (i, kind)
        if found is None:
            return None
        positions.append(found[0])
        whole = whole and found[1] == "word"
    span, first = max(positions) - min(positions) + 1, min(positions)
    if d == q:
        return 0, span, first
    if re.search(rf"(^| ){re.escape(q)}( |$)", d):
        return 1, span, first
    return (2 if whole else 3), span, first


def rank_codes(codes: pd.DataFrame, query: str) -> pd.DataFrame:
    """The rows of ``hs_codes`` matching ``query``, best first, with ``match`` and ``score`` columns.

    A code query (digits) matches that code (tier ``exact``) and every code below it (tier
    ``code``); a text query is matched on descriptions with :func:`match_description`. Ties: closer words, then lower
    level (heading before its subheadings), then code.
    """
    digits = code_query(query)
    if digits is not None:
        hit = codes[codes["code"].str.startswith(digits)].copy()
        hit["tier"] = (hit["code"] != digits).astype(int) * TIERS.index("code")
        hit["span"] = (hit["code"].str.len() - len(digits)) // 2  # levels below the code
        hit["first"] = 0
    else:
        ranks = [match_description(query, d) for d in codes["description"]]
        keep = [r is not None for r in ranks]
        hit = codes[keep].copy()
        hit["tier"] = [r[0] for r in ranks if r is not None]
        n_tokens = len(normalize_query(query).split())
        hit["span"] = [r[1] - n_tokens for r in ranks if r is not None]  # words between the matches
        hit["first"] = [r[2] for r in ranks if r is not None]
    hit["n_words"] = 0 if digits is not None else hit["description"].str.split().str.len()
    hit = hit.sort_values(["tier", "span", "first", "n_words", "level", "code"], kind="stable")
    hit["match"] = [TIERS[t] for t in hit["tier"]]
    hit["score"] = [round(1.0 / (1 + t + 0.1 * s), 4) for t, s in zip(hit["tier"], hit["span"])]
    return hit.drop(columns=["tier", "span", "first", "n_words"]).reset_index(drop=True)


# --------------------------------------------------------------------------- warehouse
def _hs_codes(settings: Settings) -> tuple[Warehouse, pd.DataFrame]:
    from critmin.services.explorer import ensure_tables

    wh = ensure_tables(settings, ["hs_codes"], progress=False)
    codes = wh.read("hs_codes")
    codes["code"] = codes["code"].astype(str)
    return wh, codes


def _periods_by_code(wh: Warehouse, tt: TradeTable) -> dict[str, list] | None:
    """``{code: sorted periods}`` of one trade table, or None when the table is not built."""
    if not wh.has(tt.table):
        return None
    path = str(wh.table_path(tt.table)).replace("'", "''")
    con = duckdb.connect()
    try:
        cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()}
        if tt.column not in cols or tt.period not in cols:
            return None
        rows = con.execute(
            f"SELECT CAST({tt.column} AS VARCHAR), list(DISTINCT {tt.period}) FROM read_parquet('{path}') GROUP BY 1"
        ).fetchall()
    finally:
        con.close()
    return {code: sorted(periods) for code, periods in rows if code is not None}


class Coverage:
    """What the warehouse's trade tables hold, read once per request."""

    def __init__(self, wh: Warehouse):
        self.by_table = {tt.table: _periods_by_code(wh, tt) for tt in TRADE_TABLES}

    def of(self, code: str) -> dict:
        """Data available for ``code`` (2, 4 or 6 digits) in each trade table, and where to get it otherwise.

        A table at a finer level than ``code`` counts when it has any code below it; a
        coarser table (HS4 top flows for a six-digit code) counts at ``code``'s parent
        heading and says so.
        """
        tables = []
        for tt in TRADE_TABLES:
            periods = self.by_table[tt.table]
            entry = {"table": tt.table, "source": tt.source, "label": tt.label}
            if periods is None:
                tables.append(
                    {
                        **entry,
                        "built": False,
                        "available": False,
                        "codes": [],
                        "periods": [],
                        "where_from": f"table not built: run `critmin data build {tt.source}`; {tt.where_from}",
                    }
                )
                continue
            found = sorted(c for c in periods if c.startswith(code))
            note = None
            if not found:  # a coarser table: the heading (or chapter) above the code
                found = sorted(c for c in periods if code.startswith(c))
                if found:
                    note = f"at {', '.join(found)} (the code above {code}), not at {code} itself"
            got = sorted({p for c in found for p in periods[c]}, key=str)
            item = {**entry, "built": True, "available": bool(found), "codes": found, "periods": got}
            if note:
                item["note"] = note
            if not found:
                item["where_from"] = tt.where_from
            tables.append(item)
        return {"has_data": any(t["available"] for t in tables), "tables": tables}


def _minerals() -> dict[str, list[dict]]:
    """``{hs6: [{mineral, stage}]}`` from critmin's product classification."""
    out: dict[str, list[dict]] = {}
    for r in products_table().itertuples():
        out.setdefault(str(r.hs6), []).append({"mineral": r.mineral, "stage": r.stage})
    return out


def _hit(row, coverage: Coverage, minerals: dict[str, list[dict]]) -> dict:
    out = {
        "code": row.code,
        "level": int(row.level),
        "description": row.description,
        "parent": row.parent if isinstance(row.parent, str) else None,
        "section": row.section if isinstance(row.section, str) else None,
    }
    if hasattr(row, "match"):
        out["match"], out["score"] = row.match, float(row.score)
    if row.code in minerals:
        out["minerals"] = minerals[row.code]
    cov = coverage.of(row.code)
    out["has_data"] = cov["has_data"]
    out["data"] = cov["tables"]
    if not cov["has_data"]:
        out["where_from"] = list(dict.fromkeys(t["where_from"] for t in cov["tables"] if "where_from" in t))
    return out


def search(settings: Settings, query: str, limit: int = 20) -> dict:
    """HS codes matching ``query``, best first, with the data the warehouse has for each.

    Parameters
    ----------
    settings : Settings
        Where the warehouse lives (``hs_codes`` is built on first use).
    query : str
        Words of a description (``"lithium hydroxide"``) or a code (``"2603"``, ``"2825.20"``).
    limit : int
        At most this many hits (>= 1).

    Returns
    -------
    dict
        ``{"query", "matches" (number of matching codes), "hits": [{code, level, description,
        parent, section, match, score, [minerals: [{mineral, stage}]], has_data, data: [{table, source,
        built, available, codes, periods, [note], [where_from]}], [where_from: [str]]}]}``.
        ``match`` is one of :data:`TIERS`; ``score = 1 / (1 + tier + 0.1 gap)`` with ``tier`` the
        index in :data:`TIERS` and ``gap`` the number of description words between the matched
        words (for a code query, the levels below the code): 1.0 for an exact match.

    Raises
    ------
    ConfigError
        Empty query or ``limit < 1``.
    """
    if not normalize_query(query):
        raise ConfigError("empty product query; give words or a code, e.g. 'lithium hydroxide'")
    if limit < 1:
        raise ConfigError(f"limit must be >= 1, got {limit}")
    wh, codes = _hs_codes(settings)
    ranked = rank_codes(codes, query)
    coverage, minerals = Coverage(wh), _minerals()
    hits = [_hit(r, coverage, minerals) for r in ranked.head(limit).itertuples(index=False)]
    return {"query": query, "matches": int(len(ranked)), "hits": hits}


def _check_code(code: str, codes: pd.DataFrame) -> str:
    digits = code_query(str(code))
    known = set(codes["code"])
    if digits is None or digits not in known:
        given = re.sub(r"\D", "", str(code)) or str(code)
        if given.isdigit():  # the nearest codes of the same length, sharing the longest prefix
            same = [c for c in known if len(c) == len(given)]
            close = sorted(same, key=lambda c: (-len(os.path.commonprefix([c, given])), abs(int(c) - int(given))))[:3]
        else:
            close = []
        hint = f"did you mean {', '.join(close)}?" if close else "give a 2-, 4- or 6-digit HS 2022 code"
        raise UnknownCodeError("HS code", code, hint=hint)
    return digits


def expand(settings: Settings, code: str) -> dict:
    """A chapter or heading with the codes below it (a six-digit code gives itself).

    Parameters
    ----------
    settings : Settings
    code : str
        ``"2603"`` (heading -> its six-digit subheadings), ``"26"`` (chapter -> its headings and
        their subheadings), ``"282520"``.

    Returns
    -------
    dict
        ``{"code", "level", "description", "section", "has_data", "data", "codes": [{code, level,
        description, parent, has_data, ...}], "hs6": [six-digit codes]}``.

    Raises
    ------
    UnknownCodeError
        ``code`` is not an HS 2022 code (close codes suggested).
    """
    wh, codes = _hs_codes(settings)
    digits = _check_code(code, codes)
    coverage, minerals = Coverage(wh), _minerals()
    top = codes[codes["code"] == digits].iloc[0]
    below = codes[codes["code"].str.startswith(digits) & (codes["code"] != digits)]
    children = [_hit(r, coverage, minerals) for r in below.itertuples(index=False)]
    for c in children:
        c.pop("data", None)  # per-table detail only for the code asked about
    cov = coverage.of(digits)
    hs6 = [c["code"] for c in children if c["level"] == 6] or ([digits] if len(digits) == 6 else [])
    return {
        "code": digits,
        "level": int(top["level"]),
        "description": top["description"],
        "section": top["section"] if isinstance(top["section"], str) else None,
        "has_data": cov["has_data"],
        "data": cov["tables"],
        "codes": children,
        "hs6": hs6,
    }
