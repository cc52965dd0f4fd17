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


def trade_figure(result: dict, *, top: int = 15) -> go.Figure:
    """Grouped bars of imports and exports by HS6 product (USD, in the unit that suits the largest bar)."""
    rows = sorted(result["by_product"], key=lambda r: -(r["imports_usd"] + r["exports_usd"]))[:top]
    labels = [f"{r['hs6']} {r['mineral'] or ''}".strip() for r in rows]
    div, unit = usd_scale([r["imports_usd"] for r in rows] + [r["exports_usd"] for r in rows])
    fig = go.Figure([
        go.Bar(name="imports", x=labels, y=[(r["imports_usd"] or 0.0) / div for r in rows]),
        go.Bar(name="exports", x=labels, y=[(r["exports_usd"] or 0.0) / div for r in rows]),
    ])
    partners = ", ".join(result["partners"]) if result["partners"] else "world"
    fig.update_layout(barmode="group", template="plotly_white",
                      title=f"{result['reporter']} trade with {partners}, {', '.join(map(str, result['years']))}",
                      yaxis_title=unit, xaxis_title="HS6 product")
    return fig


def dependence_figure(result: dict, *, top: int = 10) -> go.Figure:
    """Horizontal bars of supplier shares, with HHI, top-3 and China shares in the title."""
    sup = result["suppliers"][:top]
    fig = go.Figure(go.Bar(x=[s["share"] * 100 for s in sup][::-1],
                           y=[f"{s['partner']} {s['name']}" for s in sup][::-1], orientation="h",
                           text=[f"{s['share']:.1%}" for s in sup][::-1], textposition="auto"))
    what = result["products"]["mineral"] or ", ".join(result["products"]["hs6"][:4])
    fig.update_layout(template="plotly_white", xaxis_title="share of imports (%)",
                      title=(f"{result['reporter']} imports of {what}, {result['year']}: "
                             f"HHI {result['hhi']:.2f}, top-3 {result['top3_share']:.0%}, "
                             f"China {result['china_share']:.0%} (shares of import value)"))
    return fig


def production_figure(result: dict, *, top: int = 12) -> go.Figure:
    """Ranked producers' share of world production (%), with reserves share when known."""
    rows = [r for r in result["producers"] if r["share"] is not None][:top]
    names = [r["country"] for r in rows][::-1]
    fig = go.Figure(go.Bar(name="production", x=[r["share"] * 100 for r in rows][::-1], y=names, orientation="h"))
    if any(r.get("reserves_share") is not None for r in rows):
        fig.add_bar(name="reserves", x=[(r.get("reserves_share") or 0) * 100 for r in rows][::-1], y=names,
                    orientation="h")
    fig.update_layout(template="plotly_white", barmode="group", xaxis_title="share of world total (%)",
                      title=f"{result['mineral']} {result['stage']} production {result['year']} (USGS)")
    return fig
