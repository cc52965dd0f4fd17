"""Charts of an FTA simulation (plotly): creation vs diversion by partner, revenue and balance by year."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go

from critmin.services.fta import FtaSimulation


def creation_diversion_figure(sim: FtaSimulation, *, top: int = 12, scenario: str | None = None) -> go.Figure:
    """Trade creation and diversion by exporting partner, full phase-in year, both sides."""
    bp = sim.by_partner[sim.by_partner["fta_year"] == sim.by_partner["fta_year"].max()].copy()
    bp["label"] = bp["partner"] + " (" + bp["side"].str.split("<-").str[0] + " market)"
    bp["size"] = bp["trade_creation"].abs() + bp["trade_diversion"].abs()
    bp = bp.sort_values("size", ascending=False).head(top).sort_values("size")
    fig = go.Figure()
    fig.add_bar(y=bp["label"], x=bp["trade_creation"] / 1e3, name="trade creation", orientation="h")
    fig.add_bar(y=bp["label"], x=bp["trade_diversion"] / 1e3, name="trade diversion", orientation="h")
    fig.update_layout(
        barmode="relative",
        title=f"{sim.scenario.name}: creation vs diversion by partner "
        f"(year {int(bp['fta_year'].max()) if len(bp) else 0}, USD thousand)"
        + (f"<br><sub>scenario: {scenario}</sub>" if scenario else ""),
        xaxis_title="USD thousand",
        height=150 + 28 * max(len(bp), 1),
        template="plotly_white",
    )
    return fig


def revenue_balance_figure(sim: FtaSimulation, *, scenario: str | None = None) -> go.Figure:
    """Tariff-revenue change (both sides) and the reporter's trade-balance change, by year of the phase-in."""
    t = sim.totals
    fig = go.Figure()
    for col, name in (
        ("reporter_revenue_change_usd", f"{sim.reporter} tariff revenue"),
        ("partner_revenue_change_usd", f"{sim.partner} tariff revenue"),
        ("balance_change_usd", f"{sim.reporter} trade balance with {sim.partner}"),
        ("reporter_imports_change_usd", f"{sim.reporter} imports from {sim.partner}"),
        ("reporter_exports_change_usd", f"{sim.reporter} exports to {sim.partner}"),
    ):
        if col in t and t[col].notna().any():
            fig.add_scatter(x=t["year"], y=t[col] / 1e3, mode="lines+markers", name=name)
    fig.update_layout(
        title=f"{sim.scenario.name}: revenue and balance by year (USD thousand)"
        + (f"<br><sub>scenario: {scenario}</sub>" if scenario else ""),
        xaxis_title="year",
        yaxis_title="change, USD thousand",
        template="plotly_white",
    )
    return fig


def write_figure(fig: go.Figure, path: str | Path) -> Path:
    """Write a figure by suffix (.html self-contained; .png/.svg via kaleido), atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".png", ".svg"):
        raise ValueError(f"chart file must end in .html, .png or .svg, got {path.name!r}")
    tmp = path.with_name(path.name + ".tmp" + suffix)
    if suffix == ".html":
        fig.write_html(tmp, include_plotlyjs=True, full_html=True)
    else:
        fig.write_image(tmp)
    tmp.replace(path)
    return path
