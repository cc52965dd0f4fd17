"""Brief section (first): total bilateral trade in all goods, and the products that explain it.

Numbers come from :func:`critmin.services.trade_picture.trade_picture` for the brief's
reference year (calendar year; India's official totals are financial years, and the card
says which one is shown and how it overlaps).
"""

from __future__ import annotations

import html

from critmin.periods import calendar_year
from critmin.report.base import BriefContext, Footnote, Section
from critmin.report.html import fmt_pct, fmt_usd, kpis, scope_line, table

ORDER = 5


def build(ctx: BriefContext) -> Section | None:
    from critmin.services.trade_picture import trade_picture

    if ctx.partner is None:
        return None
    r, p = ctx.reporter, ctx.partner
    pic = trade_picture(ctx.settings, r, p, calendar_year(ctx.year))
    t = pic["total"]
    if t is None and not pic["explained"]:
        return None
    body = ""
    if t is None:
        body += (
            f"<p>No official all-goods total for {html.escape(r)}–{html.escape(p)} in CY{ctx.year} "
            f"(sources tried: {', '.join(pic['precedence']['total'])}); the products below are partial "
            f"and their sum is not a total.</p>"
        )
    else:
        body += kpis(
            [
                (f"{r} imports from {p}, all goods", fmt_usd(t["imports_usd"])),
                (f"{r} exports to {p}, all goods", fmt_usd(t["exports_usd"])),
                ("balance (exports − imports)", fmt_usd(t["balance_usd"])),
            ]
        )
        basis = "Indian financial year, April–March" if t["basis"] == "FY" else "calendar year"
        body += scope_line(
            source=t["source_title"], products="all goods", period=f"{t['period']} ({basis})", unit="current USD"
        )
        if t["note"]:
            body += f'<p class="note">{html.escape(t["note"])}</p>'
    for flow in ("imports", "exports"):
        rows = [x for x in pic["explained"] if x["flow"] == flow][:8]
        if not rows:
            continue
        cov = pic["coverage"][flow]
        share = "" if cov["share"] is None else f" — {fmt_pct(cov['share'])} of the total"
        body += (
            f"<h3>{html.escape(r)} {flow} {'from' if flow == 'imports' else 'to'} {html.escape(p)} "
            f"by product{share}</h3>"
        )
        body += table(
            rows,
            [
                ("code", "HS", None),
                ("description", "product", None),
                ("value_usd", "value (USD)", fmt_usd),
                ("period", "period", None),
                ("source_title", "source", None),
            ],
        )
        if cov.get("note"):
            body += f'<p class="note">{html.escape(cov["note"])}</p>'
    if pic["reconciliation"]:
        recs = [
            {
                "what": f"{c['flow']} HS {c['code']} {c['period']}",
                "a": f"{c['values'][0]['source']}: {fmt_usd(c['values'][0]['value_usd'])}",
                "b": f"{c['values'][1]['source']}: {fmt_usd(c['values'][1]['value_usd'])}",
                "gap": "–" if c["gap"] is None else f"{c['gap']:+.1%}",
                "why": "; ".join(c["reasons"]),
            }
            for c in pic["reconciliation"][:6]
        ]
        body += "<h3>Where sources overlap</h3>" + table(
            recs,
            [
                ("what", "flow", None),
                ("a", "source A", None),
                ("b", "source B", None),
                ("gap", "B vs A", None),
                ("why", "known reasons", None),
            ],
        )
    notes = [
        Footnote(
            "Total trade: source precedence "
            + " > ".join(pic["precedence"]["total"])
            + "; product detail: "
            + " > ".join(pic["precedence"]["detail"])
            + " (critmin.domain.trade.picture). A product nested in one already listed is not counted "
            "twice; coverage = sum of the listed products / total."
        )
    ]
    from critmin.report.figures_explorer import trade_picture_figure

    return Section(
        key="total_trade",
        title=f"Total trade: {r} and {p}, all goods",
        html=body,
        footnotes=notes,
        figures=[trade_picture_figure(pic)] if pic["explained"] else [],
    )
