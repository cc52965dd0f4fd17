"""Brief section: where the negotiations stand (timeline) and the latest facts from the news."""

from __future__ import annotations

import html

from critmin.report.base import BriefContext, Footnote, Section

ORDER = 90


def _money(f: dict) -> str:
    v = f.get("value_usd")
    cur = "USD"
    if v is None:
        v, cur = f.get("value_orig"), f.get("currency_orig") or ""
    return "" if v is None else f"{cur} {float(v) / 1e9:,.2f} bn"


def _describe(f: dict) -> str:
    from critmin.domain.news.reconcile import period_label

    t = f["type"]
    if t == "trade_value":
        verb = {
            "import": "imports from",
            "export": "exports to",
            "total": "trade with",
            "balance": "trade balance with",
        }[f["flow"]]
        return (
            f"{f['reporter']} {verb} {f['partner']}: "
            f"{_money(f)} ({period_label(f.get('period'))}){' projected' if f.get('projected') else ''}"
        )
    if t == "negotiation_round":
        return (
            f"{f['agreement']} round {f.get('round_number') or '?'} {f['status']} "
            f"{f.get('start_date') or ''} {f.get('venue_city') or ''}"
        )
    if t == "share":
        return f"{f['subject']} {f['measure']} {f['share_pct']:g}% ({f['scope']}{', ' + str(f['year']) if f.get('year') else ''})"
    return f"{f['country']} {f['kind']}{' with ' + ', '.join(f['partners']) if f.get('partners') else ''} ({f.get('status') or ''})"


def _round_cell(r) -> str:
    if r is None:
        return "—"
    return html.escape(f"{r.round_number or '?'} ({r.start_date or '—'}, {r.venue_city or '—'})")


def build(ctx: BriefContext) -> Section | None:
    from critmin.errors import CritminError
    from critmin.report.figures_news import negotiation_timeline_figure
    from critmin.services.news import find_conflicts, latest_facts, negotiations
    from critmin.warehouse import open_warehouse

    wh = open_warehouse(ctx.settings)
    try:
        tracker = negotiations(ctx.settings, reporter=ctx.reporter)
    except CritminError:
        tracker = None
    parts = []
    if wh.has("news_facts"):
        facts = latest_facts(ctx.settings, n=12)
        conf = find_conflicts(ctx.settings)
    else:
        facts, conf = [], {"comparisons": [], "reference": []}
        parts.append(
            "<p class='note'>No news articles have been ingested yet, so this section shows the WTO "
            "RTA record only. Add articles with <code>critmin news ingest PATH...</code> or "
            "<code>critmin brief --news PATH</code> to track negotiation rounds and reported "
            "figures.</p>"
        )
    if tracker is not None:
        rows = []
        for a in tracker.agreements:
            if a.status != "under negotiation":
                continue
            last, nxt = a.last_round, a.next_round
            shown = nxt or last
            ev = shown.evidence[0] if shown else None
            rows.append(
                f"<tr><td>{html.escape(a.name)}</td><td>{_round_cell(last)}</td><td>{_round_cell(nxt)}</td>"
                f"<td>{html.escape(', '.join(last.chapters) if last else '')}</td>"
                f"<td><q>{html.escape(ev['quote'] if ev else '')}</q> [{html.escape(ev['article_id'] if ev else '')}]"
                f"</td></tr>"
            )
        if rows:
            parts.append(
                "<table><thead><tr><th>agreement</th><th>last round held</th><th>next round</th>"
                "<th>chapters (last round)</th><th>evidence</th></tr></thead><tbody>"
                + "".join(rows)
                + "</tbody></table>"
            )
    if facts:
        parts.append(
            "<h4>Latest facts</h4><table><thead><tr><th>fact</th><th>evidence</th><th>source</th></tr>"
            "</thead><tbody>"
            + "".join(
                f"<tr><td>{html.escape(_describe(f))}</td><td><q>{html.escape(f['evidence'])}</q></td>"
                f"<td>{html.escape(', '.join(f.get('article_ids') or [f['article_id']]))}</td></tr>"
                for f in facts
            )
            + "</tbody></table>"
        )
    if conf["comparisons"]:
        parts.append(
            "<h4>Figures that disagree, and why</h4><ul>"
            + "".join(
                f"<li>{html.escape(c['quantity'])}: {html.escape(_describe(c['a']))} [{html.escape(c['a']['article_id'])}]"
                f" vs {html.escape(_describe(c['b']))} [{html.escape(c['b']['article_id'])}] — "
                f"<b>{html.escape(c['cause'].replace('_', ' '))}</b>: {html.escape(c['explanation'])}</li>"
                for c in conf["comparisons"][:10]
            )
            + "</ul>"
        )
    if conf["reference"]:
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{html.escape(r['exporter'])}→{html.escape(r['importer'])} {html.escape(r['period'])}: news "
                f"{r['news_value_usd'] / 1e9:.2f} bn USD vs {html.escape(r['reference_table'])} "
                f"{r['reference_value_usd'] / 1e9:.3f} bn ({html.escape(r['reference_scope'])}, "
                f"{r['share_of_news']:.0%} of the news figure)</li>"
                for r in conf["reference"][:8]
            )
            + "</ul>"
        )
    figures = [negotiation_timeline_figure(tracker, since="2000-01-01")] if tracker is not None else []
    return Section(
        key="news",
        title="Where do the negotiations stand, and what do the news say?",
        html="".join(parts),
        figures=figures,
        footnotes=[
            Footnote(
                "Facts extracted from ingested articles (tables news_articles, news_facts) by critmin's "
                "rule-based extractor; every fact carries a verbatim evidence quote and its source."
            ),
            Footnote(
                f"Agreements in force or notified: {ctx.source('agreements')} (table agreements). Reference "
                f"flows: {ctx.source('trade_flows')} (trade_flows, critical-mineral HS6 codes) and "
                f"{ctx.source('tradestat_imports')} (tradestat_imports, HS 2603)."
            ),
            Footnote("Relative gap = |a − b| / max(|a|, |b|); causes classified by rule (docs/news.md)."),
        ],
    )
