"""Brief section: the partner's weight in each critical mineral, and the reporter's dependence."""

from __future__ import annotations

import plotly.graph_objects as go

from critmin.report.base import BriefContext, Footnote, Section
from critmin.report.html import fmt_num, fmt_pct, fmt_rank, fmt_usd, product_label, scope_line, table

ORDER = 20


def _dependence_figure(df, reporter: str) -> go.Figure:
    d = df.head(20)
    fig = go.Figure(
        go.Scatter(
            x=d["china_share"] * 100,
            y=d["hhi"],
            mode="markers+text",
            text=d["mineral"],
            textposition="top center",
            marker=dict(
                size=(d["imports_usd"] / d["imports_usd"].max()) ** 0.5 * 40 + 6,
                color=d["wgi_weighted_hhi"],
                colorscale="OrRd",
                showscale=True,
                colorbar=dict(title="WGI-weighted HHI"),
            ),
            hovertemplate="%{text}<br>China %{x:.1f}%<br>HHI %{y:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        template="plotly_white",
        height=560,
        title=f"{reporter}'s import concentration by mineral (bubble size: import value)",
        xaxis_title="China's share of import value (%)",
        yaxis_title="HHI of suppliers (0–1)",
    )
    return fig


def _labelled(records: list[dict]) -> list[dict]:
    """Rows whose mineral label says when the HS6 code is a basket."""
    return [dict(r, mineral=product_label(r.get("hs6"), r.get("mineral"))) for r in records]


def _usgs_ranks_table(ctx: BriefContext, partner: str) -> str:
    """Every mineral USGS ranks ``partner`` in (mine production), traded with the reporter or not."""
    from critmin.services.dependence_table import partner_production_by_mineral

    ranks = partner_production_by_mineral(ctx.settings, partner)
    rows = sorted(
        ({"mineral": m, **v} for m, v in ranks.items() if v.get("partner_production_rank")),
        key=lambda x: (x["partner_production_rank"], x["mineral"]),
    )
    if not rows:
        return ""
    p = partner
    return (
        f"<h3>{p} in the world: every mineral USGS ranks it in (mine production)</h3>"
        + scope_line(
            source=ctx.source("mineral_production"),
            products="all minerals in the USGS tables, whether or not in the trade extract",
            period="calendar year: the latest USGS year not flagged as an estimate, per mineral (column year)",
            unit="rank and share of world output; reserves share",
        )
        + table(
            rows,
            [
                ("mineral", "mineral", None),
                ("partner_production_rank", f"{p} world rank", fmt_rank),
                ("partner_production_share", "share of world output", fmt_pct),
                ("partner_reserves_share", "share of reserves", fmt_pct),
                ("production_year", "year", None),
                ("n_producers", "countries listed", None),
            ],
        )
    )


def build(ctx: BriefContext) -> Section | None:
    from critmin.services.overview import copper_ore_imports, mineral_overview

    df = mineral_overview(ctx.settings, ctx.reporter, ctx.partner, year=ctx.year)
    r, p = ctx.reporter, ctx.partner
    cols = [
        ("mineral", "mineral", None),
        ("stage", "stage", None),
        ("hs6", "HS6", None),
        ("imports_usd", "imports (USD)", fmt_usd),
        ("n_suppliers", "suppliers", None),
        ("hhi", "HHI", fmt_num),
        ("top3_share", "top-3 (value)", fmt_pct),
        ("china_share", "China (share of value)", fmt_pct),
        ("wgi_weighted_hhi", "WGI-wt HHI", fmt_num),
        ("net_import_reliance", "NIR", fmt_pct),
        ("top_supplier", "top supplier", None),
        ("top_supplier_share", "its share", fmt_pct),
    ]
    body = (
        f"<p>{r}'s imports of each mineral in {ctx.year}, by value-chain stage: how many suppliers, "
        f"how concentrated (HHI on 0–1 shares), China's share, governance-weighted HHI (WGI rescaled "
        f"0–10, higher = worse), and net import reliance where USGS reports domestic production.</p>"
        + scope_line(
            source=f"{ctx.source('trade_flows')} (trade); {ctx.source('mineral_production')} (production)",
            products="critical-mineral HS6 codes by value-chain stage",
            period=f"CY{ctx.year} (calendar year)",
            unit="current USD; shares of import value",
        )
        + table(_labelled(df.to_dict(orient="records")), cols)
    )
    if p:
        weight_cols = [
            ("mineral", "mineral", None),
            ("stage", "stage", None),
            ("partner_share", f"{p} share of {r} imports", fmt_pct),
            ("partner_rank", f"{p} rank as supplier", fmt_rank),
            ("partner_production_rank", f"{p} world rank (USGS)", fmt_rank),
            ("partner_production_share", f"{p} share of world output", fmt_pct),
            ("partner_reserves_share", f"{p} share of reserves", fmt_pct),
        ]
        has = df[(df["partner_share"] > 0) | df["partner_production_rank"].notna()]
        rest = sorted(set(df["mineral"]) - set(has["mineral"]))
        body += (
            f"<h3>{p}'s weight in each mineral</h3>"
            + table(has.to_dict(orient="records"), weight_cols)
            + (
                f"<p class='note'>{p} neither supplies {r} nor is listed by USGS as a producer of: "
                f"{', '.join(rest)}.</p>"
                if rest
                else ""
            )
        )
    if p:
        body += _usgs_ranks_table(ctx, p)
    ore = copper_ore_imports(ctx.settings, r, p)
    notes = [
        Footnote(
            "Dependence: shares of the reporter's import value by supplier (BACI trade_flows); "
            "HHI = Σ s², top-3 = sum of the three largest shares; WGI-weighted HHI = Σ s²·g with "
            f"g = (2.5 − mean WGI estimate) × 2 on 0–10 ({ctx.source('governance')}, "
            f"{ctx.licence('governance')}; JRC 2017 EU CRM method); NIR = (M − X)/(P + M − X) in contained "
            f"metal, P from {ctx.source('mineral_production')} ({ctx.licence('mineral_production')})."
        ),
        Footnote(
            f"Producer ranks and shares: {ctx.source('mineral_production')} "
            "(world mine production and reserves tables)."
        ),
    ]
    if ore is not None and len(ore["suppliers"]):
        from critmin.periods import calendar_year

        wanted = calendar_year(ctx.year).label
        latest = wanted if wanted in list(ore["periods"]) else ore["periods"][-1]
        shown = latest if latest == wanted else f"{latest} (not the reference year {wanted}, which TradeStat lacks)"
        sup = ore["suppliers"]
        top = sup[sup["period"] == latest].head(8).to_dict(orient="records")
        body += (
            f"<h3>Copper ores and concentrates (HS 2603), {r}'s imports by partner, {latest}</h3>"
            f"<p>BACI's extract has no HS 2603; India's official TradeStat figures fill the gap. "
            f"Total {shown}: USD {fmt_usd(ore['total_usd'].get(latest))}.</p>"
            + table(
                top,
                [
                    ("rank", "rank", None),
                    ("partner", "partner", None),
                    ("value_usd", "imports (USD)", fmt_usd),
                    ("share", "share", fmt_pct),
                ],
            )
        )
        notes.append(
            Footnote(
                "Copper ore: DGCI&S TradeStat (Ministry of Commerce and Industry, Government of "
                "India), table tradestat_imports, HS 2603, calendar years, USD; licence to be "
                "confirmed (attribution)."
            )
        )
    return Section(
        key="minerals",
        title=f"Dependence by mineral and {p or 'partner'}'s weight",
        html=body,
        figures=[_dependence_figure(df, r)],
        footnotes=notes,
    )
