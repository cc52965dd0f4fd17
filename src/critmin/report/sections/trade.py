"""Brief section: bilateral trade and balance in critical-mineral products."""

from __future__ import annotations

from critmin.errors import EmptySelectionError
from critmin.report.base import BriefContext, Footnote, Section
from critmin.report.html import fmt_usd, kpis, product_label, scope_line, table

ORDER = 10


def _baci_note(ctx: BriefContext, codes: list[str]) -> str:
    files = [f for f in ctx.files("trade_flows") if str(ctx.year) in f] or ctx.files("trade_flows")
    ore = any(c.startswith("2603") for c in codes)
    return (
        f"Trade: {ctx.source('trade_flows')}, table trade_flows (file {', '.join(files)}), "
        "values in current USD = BACI v × 1000, FOB-reconciled mirror flows; balance = exports − imports. "
        f"Covers the {len(codes)} critical-mineral HS6 codes with trade in the data"
        + ("" if ore else " (no HS 2603 copper ore)")
        + f". Licence: {ctx.licence('trade_flows')}."
    )


def build(ctx: BriefContext) -> Section | None:
    from critmin.report.figures_explorer import trade_by_product_figure
    from critmin.services.explorer import trade_summary

    if not ctx.partner:
        return None
    world = trade_summary(ctx.settings, ctx.reporter, years=[ctx.year])
    try:
        bil = trade_summary(ctx.settings, ctx.reporter, partners=[ctx.partner], years=[ctx.year])
    except EmptySelectionError:
        bil = None
    r, p = ctx.reporter, ctx.partner
    items = [
        (f"{r} imports from the world", fmt_usd(world["imports_usd"])),
        (f"{r} exports to the world", fmt_usd(world["exports_usd"])),
    ]
    body = ""
    figures = []
    if bil is None:
        body = f"<p>BACI records no {r}–{p} trade in these products in {ctx.year}.</p>"
    else:
        items += [
            (f"{r} imports from {p}", fmt_usd(bil["imports_usd"])),
            (f"{r} exports to {p}", fmt_usd(bil["exports_usd"])),
            ("bilateral balance", fmt_usd(bil["balance_usd"])),
        ]
        rows = sorted(bil["by_product"], key=lambda x: -(x["imports_usd"] + x["exports_usd"]))
        rows = [dict(x, mineral=product_label(x.get("hs6"), x.get("mineral"))) for x in rows]
        body = table(
            rows,
            [
                ("hs6", "HS6", None),
                ("mineral", "mineral", None),
                ("stage", "stage", None),
                ("imports_usd", f"{r} imports (USD)", fmt_usd),
                ("exports_usd", f"{r} exports (USD)", fmt_usd),
                ("balance_usd", "balance (USD)", fmt_usd),
            ],
        )
        figures.append(trade_by_product_figure(bil))  # this section's scope: the critical-mineral codes
    world_rows = world["by_partner"][:10]
    selected = list((world.get("products") or {}).get("hs6") or [])
    codes = sorted({x["hs6"] for x in world.get("by_product") or []})  # the codes the data holds
    baskets = [c for c in codes if product_label(c, "") != ""]
    scope = scope_line(
        source=ctx.source("trade_flows"),
        products=f"{len(codes)} critical-mineral HS6 codes with trade in the data (of "
        f"{len(selected)} in critmin's product table), not all goods"
        + (f"; baskets (cover other goods too): HS {', '.join(baskets)}" if baskets else ""),
        period=f"CY{ctx.year} (calendar year)",
        unit="current USD",
    )
    body = (
        kpis(items)
        + scope
        + body
        + f"<h3>{r}'s largest partners in these products</h3>"
        + table(
            world_rows,
            [
                ("partner", "partner", None),
                ("name", "name", None),
                ("imports_usd", "imports (USD)", fmt_usd),
                ("exports_usd", "exports (USD)", fmt_usd),
                ("balance_usd", "balance (USD)", fmt_usd),
            ],
        )
    )
    return Section(
        key="trade",
        title=f"Trade in critical minerals: {r} and {p}, {ctx.year}",
        html=body,
        figures=figures,
        footnotes=[Footnote(_baci_note(ctx, codes))],
    )
