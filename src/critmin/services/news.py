"""News and negotiation intelligence: ingest articles, list facts, explain conflicts, track
negotiations. One function per user question; front ends print what these return.

Warehouse tables written by :func:`ingest_articles`:

``news_articles``
    ``article_id, title, published, source, sources, origins, content_sha256, n_chars,
    n_removed_lines, text, ingested_at`` (one row per distinct article; a duplicate read
    from another source adds to ``sources``/``origins``).
``news_facts``
    ``fact_id, fact_key, article_id, type, published, source, evidence, fact_json``
    (one row per fact and article; ``fact_key`` is equal for the same fact reported by
    several articles, ``fact_json`` the fact in the schema of ``SCHEMA.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from critmin.config import Settings
from critmin.domain.news.clean import CleanArticle, clean_html, clean_text
from critmin.domain.news.extract import FACT_TYPES, extract_facts
from critmin.domain.news.reconcile import compare_agreement_dates, compare_with_reference, flow_key, reconcile_facts
from critmin.domain.news.timeline import NegotiationTracker, build_tracker
from critmin.errors import EmptySelectionError, UnknownCodeError, WarehouseError
from critmin.sources.news import SOURCE, RawArticle, read_articles
from critmin.warehouse import open_warehouse, replace_tables

ARTICLE_COLUMNS = [
    "article_id",
    "title",
    "published",
    "source",
    "sources",
    "origins",
    "content_sha256",
    "n_chars",
    "n_removed_lines",
    "text",
    "ingested_at",
]
FACT_COLUMNS = ["fact_id", "fact_key", "article_id", "type", "published", "source", "evidence", "fact_json"]


#: what each TradeStat import report's HS code covers (for the scope of a reference figure)
TRADESTAT_SCOPES = {
    "2603": "copper ores and concentrates",
    "7108": "gold",
    "2846": "rare-earth compounds",
    "28252000": "lithium oxide and hydroxide",
    "28369100": "lithium carbonates",
    "2605": "cobalt ores and concentrates",
    "8105": "cobalt mattes and metal",
}


def _norm_ws(s: str) -> str:
    return " ".join(s.split())


def clean_article(raw: RawArticle) -> CleanArticle:
    """Clean a raw article (HTML through trafilatura, text through the line cleaner)."""
    if raw.kind == "html":
        return clean_html(raw.raw, article_id=raw.article_id, source=raw.source)
    return clean_text(raw.raw, article_id=raw.article_id, source=raw.source)


def fact_key(f: dict) -> str:
    """A key equal for the same fact reported by different articles (values rounded to 3 digits)."""

    def r(x):
        return None if x is None else float(f"{float(x):.3g}")

    t = f["type"]
    if t == "trade_value":
        k = [
            t,
            repr(flow_key(f)) if f["flow"] != "total" else sorted([f["reporter"], f["partner"]]),
            f["flow"],
            r(f.get("value_usd")),
            r(f.get("value_orig")),
            f.get("currency_orig"),
            f.get("period"),
            bool(f.get("projected")),
        ]
    elif t == "share":
        k = [
            t,
            f["subject"],
            f.get("partner"),
            f["measure"],
            f["scope"],
            f.get("year"),
            bool(f.get("projected")),
            r(f["share_pct"]),
        ]
    elif t == "negotiation_round":
        k = [t, sorted(f["parties"]), f["round_number"], f.get("start_date"), f.get("status")]
    else:
        k = [t, f["kind"], f["country"], sorted(f.get("partners") or []), r(f.get("amount")), f.get("currency")]
    return hashlib.sha1(json.dumps(k, sort_keys=True, default=str).encode()).hexdigest()[:16]


def process_article(raw: RawArticle) -> tuple[dict, list[dict]]:
    """Clean one article and extract its facts; return (article row, facts).

    Facts whose evidence is not verbatim in the cleaned text are dropped (none
    should be: the cleaner keeps whole lines and quotes are spans of them).
    """
    art = clean_article(raw)
    facts = extract_facts(art)
    norm = _norm_ws(art.text)
    facts = [f for f in facts if _norm_ws(f["evidence"]) in norm]
    published = art.date.isoformat() if art.date else None
    # no SOURCE header and no URL: the article is attributed to its file name
    source = art.source or raw.source or f"file:{Path(raw.origin).name}"
    for f in facts:
        f["source"] = source
        f["published"] = published
    row = {
        "article_id": art.article_id,
        "title": art.title,
        "published": published,
        "source": source,
        "sources": source or "",
        "origins": raw.origin,
        "content_sha256": hashlib.sha256(norm.lower().encode()).hexdigest(),
        "n_chars": len(art.text),
        "n_removed_lines": len(art.removed),
        "text": art.text,
        "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    return row, facts


def _read_existing(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    try:
        wh = open_warehouse(settings)
    except WarehouseError:
        return pd.DataFrame(columns=ARTICLE_COLUMNS), pd.DataFrame(columns=FACT_COLUMNS), pd.DataFrame()
    arts = wh.read("news_articles") if wh.has("news_articles") else pd.DataFrame(columns=ARTICLE_COLUMNS)
    facts = wh.read("news_facts") if wh.has("news_facts") else pd.DataFrame(columns=FACT_COLUMNS)
    prov = wh.provenance()
    prov = prov[prov["table"].isin(["news_articles", "news_facts"])]
    return arts, facts, prov


def _join(a: str | None, b: str | None) -> str:
    items = [x for x in (a or "").split(";") + (b or "").split(";") if x]
    return ";".join(dict.fromkeys(items))


def ingest_articles(settings: Settings, items: Sequence[str], *, progress=None) -> dict:
    """Read, clean and extract articles, merge them into ``news_articles``/``news_facts`` and
    publish a new warehouse build (every other table is carried over).

    Parameters
    ----------
    settings : Settings
    items : sequence of str
        Files, folders or URLs.
    progress : callable, optional
        Called with each article id as it is processed.

    Returns
    -------
    dict
        ``articles_read, articles_new, duplicates, facts_new, facts_by_type, articles_total, facts_total``.
    """
    raws = read_articles(items, settings)
    if not raws:
        raise EmptySelectionError("no articles to ingest")
    arts, facts, prev_prov = _read_existing(settings)
    arts = arts.reindex(columns=ARTICLE_COLUMNS)
    facts = facts.reindex(columns=FACT_COLUMNS)
    art_rows = {r["article_id"]: r for r in arts.to_dict("records")}
    by_hash = {r["content_sha256"]: r["article_id"] for r in art_rows.values()}
    fact_rows = [r for r in facts.to_dict("records")]
    n_new = n_dup = n_facts = 0
    by_type = {t: 0 for t in FACT_TYPES}
    for raw in raws:
        if progress:
            progress(raw.article_id)
        row, fs = process_article(raw)
        h = row["content_sha256"]
        if h in by_hash:
            keep = art_rows[by_hash[h]]
            keep["sources"] = _join(keep["sources"], row["sources"])
            keep["origins"] = _join(keep["origins"], row["origins"])
            n_dup += 1
            continue
        aid = row["article_id"]
        if aid in art_rows:  # same id, new content: the new version replaces the old one
            by_hash.pop(art_rows[aid]["content_sha256"], None)
            fact_rows = [r for r in fact_rows if r["article_id"] != aid]
        art_rows[aid] = row
        by_hash[h] = aid
        n_new += 1
        for i, f in enumerate(fs):
            fact_rows.append(
                {
                    "fact_id": f"{aid}#{i}",
                    "fact_key": fact_key(f),
                    "article_id": aid,
                    "type": f["type"],
                    "published": f.get("published"),
                    "source": f.get("source"),
                    "evidence": f["evidence"],
                    "fact_json": json.dumps(f, ensure_ascii=False),
                }
            )
            by_type[f["type"]] += 1
            n_facts += 1
    arts_df = pd.DataFrame(list(art_rows.values()), columns=ARTICLE_COLUMNS).astype(
        {"n_chars": "int64", "n_removed_lines": "int64"}
    )
    facts_df = pd.DataFrame(fact_rows, columns=FACT_COLUMNS)
    for c in ("title", "published", "source", "sources", "origins", "text"):
        arts_df[c] = arts_df[c].astype("string")
    for c in ("published", "source"):
        facts_df[c] = facts_df[c].astype("string")
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    batch = ";".join(r.origin for r in raws)
    sha = hashlib.sha256(batch.encode()).hexdigest()
    prov = pd.DataFrame(
        [
            {
                "table": t,
                "source": SOURCE.name,
                "title": SOURCE.title,
                "publisher": SOURCE.publisher,
                "release": SOURCE.release,
                "file": batch[:2000],
                "url": "",
                "sha256": sha,
                "origin": "ingest",
                "fetched_at": now,
                "built_at": now,
                "rows": n,
                "licence": SOURCE.licence,
            }
            for t, n in (("news_articles", len(arts_df)), ("news_facts", len(facts_df)))
        ]
    )
    prov = pd.concat([prev_prov, prov], ignore_index=True) if len(prev_prov) else prov
    replace_tables(settings, {"news_articles": arts_df, "news_facts": facts_df}, prov)
    return {
        "articles_read": len(raws),
        "articles_new": n_new,
        "duplicates": n_dup,
        "facts_new": n_facts,
        "facts_by_type": by_type,
        "articles_total": len(arts_df),
        "facts_total": len(facts_df),
    }


def _facts_table(settings: Settings) -> pd.DataFrame:
    wh = open_warehouse(settings)
    if not wh.has("news_facts"):
        raise WarehouseError("no news facts in the warehouse; run `critmin news ingest PATH...` first")
    return wh.read("news_facts")


def list_facts(
    settings: Settings, *, types: Iterable[str] | None = None, article: str | None = None, merged: bool = False
) -> list[dict]:
    """Facts in the schema of ``SCHEMA.md`` (plus ``source`` and ``published``).

    Parameters
    ----------
    types : iterable of str, optional
        Keep these fact types only.
    article : str, optional
        Keep one article's facts.
    merged : bool
        One object per distinct fact over all articles, with ``article_ids`` and ``sources``
        listing every article and source that reports it.
    """
    types = list(types or [])
    bad = [t for t in types if t not in FACT_TYPES]
    if bad:
        raise UnknownCodeError("fact type", bad[0], hint=f"expected one of {', '.join(FACT_TYPES)}")
    df = _facts_table(settings)
    if types:
        df = df[df["type"].isin(types)]
    if article:
        df = df[df["article_id"] == article]
        if df.empty:
            raise EmptySelectionError(f"no facts for article {article!r}")
    out = [json.loads(s) for s in df["fact_json"]]
    keys = list(df["fact_key"])
    sources_by_key: dict[str, list] = {}
    for k, f in zip(keys, out):
        sources_by_key.setdefault(k, []).append((f["article_id"], f.get("source")))
    for k, f in zip(keys, out):
        f["sources"] = list(dict.fromkeys(s for _, s in sources_by_key[k] if s))
    if not merged:
        return out
    seen: dict[str, dict] = {}
    for k, f in zip(keys, out):
        if k not in seen:
            g = dict(f)
            g["article_ids"] = list(dict.fromkeys(a for a, _ in sources_by_key[k]))
            seen[k] = g
    return list(seen.values())


def trade_reference(settings: Settings) -> pd.DataFrame:
    """Official flows to set beside news figures: BACI 2024 (30 critical-mineral HS6 codes)
    summed by exporter and importer, and India TradeStat HS 2603 imports by partner."""
    wh = open_warehouse(settings)
    frames = []
    if wh.has("trade_flows"):
        con = wh.duckdb()
        try:
            df = con.execute(
                "SELECT year, exporter, importer, sum(value_usd) AS value_usd, count(DISTINCT hs6) AS n "
                "FROM trade_flows GROUP BY 1, 2, 3"
            ).df()
        finally:
            con.close()
        if len(df):
            frames.append(
                pd.DataFrame(
                    {
                        "exporter": df["exporter"],
                        "importer": df["importer"],
                        "period_start": df["year"].astype(int).astype(str) + "-01",
                        "period_end": df["year"].astype(int).astype(str) + "-12",
                        "value_usd": df["value_usd"],
                        "scope": "critical-mineral HS6 subset (BACI extract)",
                        "table": "trade_flows",
                        "source": "CEPII BACI HS17 V202601",
                    }
                )
            )
    if wh.has("tradestat_imports"):
        ts = wh.read("tradestat_imports")
        ts = ts[ts["partner_iso3"] != "WLD"]
        per = ts["period"].astype(str)
        start = per.where(~per.str.startswith("CY"), per.str[2:] + "-01")
        end = per.where(~per.str.startswith("CY"), per.str[2:] + "-12")
        frames.append(
            pd.DataFrame(
                {
                    "exporter": ts["partner_iso3"],
                    "importer": ts["reporter"],
                    "period_start": start,
                    "period_end": end,
                    "value_usd": ts["value_usd"],
                    "scope": "HS "
                    + ts["hs_code"].astype(str)
                    + " "
                    + ts["hs_code"].astype(str).map(TRADESTAT_SCOPES).fillna("(TradeStat import report)"),
                    "table": "tradestat_imports",
                    "source": "DGCI&S TradeStat (India, imports)",
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=["exporter", "importer", "period_start", "period_end", "value_usd", "scope", "table", "source"]
        )
    return pd.concat(frames, ignore_index=True)


def find_conflicts(settings: Settings, *, include_agreements: bool = False, reference: bool = True) -> dict:
    """Facts that describe the same quantity, why their values differ, and official statistics
    of the same flow where the warehouse has them.

    Returns
    -------
    dict
        ``comparisons`` (one per pair: quantity, cause, gap, both facts with sources and
        evidence, explanation), ``summary`` (counts per cause), ``reference``
        (news figures beside BACI/TradeStat values of the same flow and period) and
        ``agreement_dates`` (agreement dates in the news beside the WTO RTA record).
    """
    facts = list_facts(settings)
    res = reconcile_facts(facts, include_agreements=include_agreements)
    comps = []
    for c in res.comparisons:
        comps.append(
            {
                "quantity": c.quantity,
                "cause": c.cause,
                "gap": c.gap,
                "explanation": c.explanation,
                "a": {k: v for k, v in c.a.items() if k != "sources"},
                "b": {k: v for k, v in c.b.items() if k != "sources"},
            }
        )
    refs = (
        compare_with_reference(list_facts(settings, types=["trade_value"], merged=True), trade_reference(settings))
        if reference
        else []
    )
    counts = res.to_frame()["cause"].value_counts().to_dict() if comps else {}
    wh = open_warehouse(settings)
    dates = (
        compare_agreement_dates(list_facts(settings, types=["policy_measure"], merged=True), wh.read("agreements"))
        if reference and wh.has("agreements")
        else []
    )
    return {"comparisons": comps, "summary": counts, "reference": refs, "agreement_dates": dates}


def negotiations(settings: Settings, *, reporter: str = "IND", partner: str | None = None) -> NegotiationTracker:
    """The negotiation tracker of ``reporter`` (WTO RTA records + rounds and milestones in the news)."""
    from critmin.domain.news.gazetteer import REGION_CODES

    for code, name in ((reporter, "--reporter"), (partner, "--partner")):
        if code is not None and not (len(code) == 3 and code.isalpha() and code.isupper()) and code not in REGION_CODES:
            raise UnknownCodeError("country", code, where=name, hint="expected an ISO3 code such as IND or PER")
    wh = open_warehouse(settings)
    facts = list_facts(settings, types=["negotiation_round", "policy_measure"]) if wh.has("news_facts") else []
    rounds = [f for f in facts if f["type"] == "negotiation_round"]
    events = [
        f for f in facts if f["type"] == "policy_measure" and f["kind"] in ("negotiation_launch", "trade_agreement")
    ]
    agreements = wh.read("agreements") if wh.has("agreements") else None
    tracker = build_tracker(rounds, reporter=reporter, partner=partner, agreements=agreements, policy_events=events)
    if not tracker.agreements:
        raise EmptySelectionError(
            f"no agreements or negotiations for {reporter}"
            + (f" with {partner}" if partner else "")
            + " in the WTO RTA table or the ingested news"
        )
    return tracker


def latest_facts(settings: Settings, *, n: int = 10) -> list[dict]:
    """The ``n`` most recently published facts (undated articles last)."""
    facts = list_facts(settings, merged=True)
    facts.sort(key=lambda f: (f.get("published") or "", f["article_id"]), reverse=True)
    return facts[:n]
