"""Figures for the trade & dependence explorer, built from the services' result dicts."""

from __future__ import annotations

import plotly.graph_objects as go


def usd_scale(values) -> tuple[float, str]:
    """``(divisor, axis label)`` so the largest value reads as a plain number: bn, mn or thousand USD."""
    peak = max((abs(v or 0.0) for v in values), default=0.0)
    if peak >= 1e9:
        return 1e9, "billion USD"
    if peak >= 1e6:
        return 1e6, "million USD"
    if peak >= 1e3:
        return 1e3, "thousand USD"
    return 1.0, "USD"


def trade_picture_figure(result: dict, *, top: int = 8) -> go.Figure:
    """The bilateral picture: for each flow, the all-goods total and the products that explain it.

    ``result`` is a ``trade`` answer with one partner or a
    :func:`critmin.services.trade_picture.trade_picture` dict (``total``, ``explained``, ``coverage``).

    One horizontal bar per product (the ``top`` largest per flow, each labelled with its code,
    period and source) under a bar for the official total; the title says how much of each
    total the products cover. Periods may differ between the total (e.g. FY) and the detail
    (e.g. CY); the labels say which.
    """
    from plotly.subplots import make_subplots

    flows = [
        f
        for f in ("imports", "exports")
        if (result.get("total") or {}).get("by_flow", {}).get(f)
        or any(r["flow"] == f for r in result.get("explained") or [])
    ]
    n_rows = max(len(flows), 1)
    fig = make_subplots(
        rows=n_rows, cols=1, vertical_spacing=0.16, subplot_titles=[_flow_title(result, f) for f in flows] or [""]
    )
    values = [r["value_usd"] for r in result.get("explained") or []] + [
        ((result.get("total") or {}).get("by_flow", {}).get(f) or {}).get("value_usd") or 0 for f in flows
    ]
    div, unit = usd_scale(values)
    for i, flow in enumerate(flows, start=1):
        rows = sorted((r for r in result.get("explained") or [] if r["flow"] == flow), key=lambda r: -r["value_usd"])[
            :top
        ]
        total = (result.get("total") or {}).get("by_flow", {}).get(flow)
        labels = [f"{r['code']} {_short(r.get('description'))} ({r['period']}, {r['source']})" for r in rows]
        vals = [r["value_usd"] / div for r in rows]
        colors = ["#4c78a8" if flow == "imports" else "#f58518"] * len(rows)
        if total:
            labels.insert(0, f"all goods ({total['period']}, {total['source']})")
            vals.insert(0, total["value_usd"] / div)
            colors.insert(0, "#555")
        fig.add_trace(
            go.Bar(
                x=vals[::-1],
                y=labels[::-1],
                orientation="h",
                marker_color=colors[::-1],
                name=flow,
                showlegend=False,
                text=[f"{v:,.2f}" for v in vals[::-1]],
                textposition="outside",
                cliponaxis=False,
            ),
            row=i,
            col=1,
        )
        fig.update_xaxes(title_text=unit, row=i, col=1)
    partner = result.get("partner") or (result["partners"][0] if result.get("partners") else "world")
    fig.update_layout(
        template="plotly_white",
        height=160 + n_rows * 28 * (top + 1),
        margin=dict(l=330),
        title=f"{result['reporter']} trade with {partner}: all goods and the products that explain it",
    )
    for ann in fig.layout.annotations:
        ann.font = dict(size=11)
    return fig


def _short(text: str | None, n: int = 28) -> str:
    text = (text or "").split(";")[0].split(",")[0].strip()
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _flow_title(result: dict, flow: str) -> str:
    cov = (result.get("coverage") or {}).get(flow) or {}
    if cov.get("share") is not None:
        return f"{flow}: the products shown explain {cov['share']:.0%} of the {cov.get('total_period')} total"
    return f"{flow} (no all-goods total for the period)"


def trade_figure(result: dict, *, top: int = 15) -> go.Figure:
    """The chart of a ``trade`` answer: with a bilateral picture (one partner, an official total or
    product detail) that picture (:func:`trade_picture_figure`), else :func:`trade_by_product_figure`."""
    if result.get("explained") and (result.get("total") or result.get("coverage")):
        return trade_picture_figure(result)
    return trade_by_product_figure(result, top=top)


def trade_by_product_figure(result: dict, *, top: int = 15) -> go.Figure:
    """Grouped bars of imports and exports by HS6 product of the selection (USD, in the unit that suits
    the largest bar)."""
    rows = sorted(result["by_product"], key=lambda r: -(r["imports_usd"] + r["exports_usd"]))[:top]
    labels = [f"{r['hs6']} {r['mineral'] or ''}".strip() for r in rows]
    div, unit = usd_scale([r["imports_usd"] for r in rows] + [r["exports_usd"] for r in rows])
    fig = go.Figure(
        [
            go.Bar(name="imports", x=labels, y=[(r["imports_usd"] or 0.0) / div for r in rows]),
            go.Bar(name="exports", x=labels, y=[(r["exports_usd"] or 0.0) / div for r in rows]),
        ]
    )
    partners = ", ".join(result["partners"]) if result["partners"] else "world"
    fig.update_layout(
        barmode="group",
        template="plotly_white",
        title=f"{result['reporter']} trade with {partners}, {', '.join(map(str, result['years']))}",
        yaxis_title=unit,
        xaxis_title="HS6 product",
    )
    return fig


def dependence_figure(result: dict, *, top: int = 10) -> go.Figure:
    """Horizontal bars of supplier shares, with HHI, top-3 and China shares in the title."""
    sup = result["suppliers"][:top]
    fig = go.Figure(
        go.Bar(
            x=[s["share"] * 100 for s in sup][::-1],
            y=[f"{s['partner']} {s['name']}" for s in sup][::-1],
            orientation="h",
            text=[f"{s['share']:.1%}" for s in sup][::-1],
            textposition="auto",
        )
    )
    what = result["products"]["mineral"] or ", ".join(result["products"]["hs6"][:4])
    fig.update_layout(
        template="plotly_white",
        xaxis_title="share of imports (%)",
        title=(
            f"{result['reporter']} imports of {what}, {result['year']}: "
            f"HHI {result['hhi']:.2f}, top-3 {result['top3_share']:.0%}, "
            f"China {result['china_share']:.0%} (shares of import value)"
        ),
    )
    return fig


def production_figure(result: dict, *, top: int = 12) -> go.Figure:
    """Ranked producers' share of world production (%), with reserves share when known."""
    rows = [r for r in result["producers"] if r["share"] is not None][:top]
    names = [r["country"] for r in rows][::-1]
    fig = go.Figure(go.Bar(name="production", x=[r["share"] * 100 for r in rows][::-1], y=names, orientation="h"))
    if any(r.get("reserves_share") is not None for r in rows):
        fig.add_bar(
            name="reserves", x=[(r.get("reserves_share") or 0) * 100 for r in rows][::-1], y=names, orientation="h"
        )
    fig.update_layout(
        template="plotly_white",
        barmode="group",
        xaxis_title="share of world total (%)",
        title=f"{result['mineral']} {result['stage']} production {result['year']} (USGS)",
    )
    return fig
