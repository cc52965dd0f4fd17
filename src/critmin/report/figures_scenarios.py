"""Figures for the scenario models (Plotly); they draw results, they compute nothing.

The route map is a plain equirectangular plot (longitude x latitude) drawn over the Natural
Earth 1 shaded-relief raster (public domain, 0.5 degree, the copy that ships inside the
Cartopy package), with searoute's marine network on top. Everything is embedded in the
figure, so it renders offline: Plotly geo maps would fetch their topojson base map from a
CDN. Without Cartopy installed the map falls back to the network alone.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

from critmin.domain.scenarios.routes import CHOKEPOINT_NAMES

_CHOKEPOINT_XY = {  # label positions (lon, lat) for the route map
    "panama": (-79.7, 9.1),
    "magellan": (-70.5, -53.5),
    "cape_of_good_hope": (18.5, -34.6),
    "malacca": (100.5, 3.0),
    "suez": (32.5, 30.5),
    "bab_el_mandeb": (43.4, 12.6),
    "hormuz": (56.4, 26.6),
    "gibraltar": (-5.6, 36.0),
    "sunda": (105.8, -6.0),
    "torres": (142.3, -10.3),
    "lombok": (115.7, -8.6),
}


def shock_figure(res: dict) -> go.Figure:
    """Covered tonnes by alternative supplier and the uncovered rest (a shock ``to_dict``)."""
    alts = [a for a in res["alternatives"] if a["covered_t"] > 0][:12]
    names = [a["partner"] for a in alts] + ["uncovered"]
    vals = [a["covered_t"] for a in alts] + [res["uncovered"]["tonnes"]]
    colors = ["#4C78A8"] * len(alts) + ["#E45756"]
    sc = res["scenario"]
    fig = go.Figure(go.Bar(x=names, y=vals, marker_color=colors))
    fig.update_layout(
        title=f"{sc['name']}: who covers {res['supply_at_risk']['tonnes']:,.0f} t lost by "
        f"{sc['importer']} (price {res['price_effect']['price_change']:+.0%})",
        yaxis_title="tonnes over the shock window",
        template="plotly_white",
    )
    return fig


def sourcing_figure(res: dict, *, scenario: str | None = None) -> go.Figure:
    """Tonnes by supplier, with and without the FTA side by side; ``scenario`` names the tariff case in the title."""
    fig = go.Figure()
    for label, sc in res["scenarios"].items():
        fig.add_bar(
            name=f"{label.replace('_', ' ')} (USD {sc['total_cost_usd'] / 1e6:,.0f} mn)",
            x=[a["partner"] for a in sc["allocation"]],
            y=[a["tonnes"] for a in sc["allocation"]],
        )
    fig.update_layout(
        barmode="group",
        template="plotly_white",
        yaxis_title=res.get("unit", "tonnes"),
        title=f"Least-cost sourcing of {res['mineral']} {res['stage']}, {res['year']} "
        f"(cap {res['max_share'] or 1:.0%} per supplier)"
        + (f"<br><sub>scenario: {scenario}</sub>" if scenario else ""),
    )
    return fig


def contract_figure(res: dict) -> go.Figure:
    """Back-test: importer cost in INR and mine revenue in PEN, month by month."""
    s = res["backtest"]["series"]
    months = [r["month"] for r in s]
    fig = go.Figure()
    fig.add_scatter(x=months, y=[r["importer_cost_inr"] / 1e7 for r in s], name="importer cost, INR crore")
    fig.add_scatter(x=months, y=[r["mine_revenue_pen"] / 1e6 for r in s], name="mine revenue, PEN million", yaxis="y2")
    fig.update_layout(
        template="plotly_white",
        title=f"{res.get('name') or 'contract'}: historical back-test",
        yaxis=dict(title="INR crore"),
        yaxis2=dict(title="PEN million", overlaying="y", side="right"),
    )
    return fig


def projection_figure(res: dict) -> go.Figure:
    """Import-dependence paths with the scenario band and the published claims."""
    paths = res["paths"]
    names = list(dict.fromkeys(p["scenario"] for p in paths))
    years = sorted({p["year"] for p in paths})
    by = {n: [p["import_dependence"] for p in paths if p["scenario"] == n] for n in names}
    lo = np.min(np.vstack(list(by.values())), axis=0)
    hi = np.max(np.vstack(list(by.values())), axis=0)
    fig = go.Figure()
    fig.add_scatter(
        x=years + years[::-1],
        y=list(hi) + list(lo[::-1]),
        fill="toself",
        line=dict(width=0),
        fillcolor="rgba(76,120,168,0.2)",
        name="scenario band",
        hoverinfo="skip",
    )
    for n in names:
        fig.add_scatter(x=years, y=by[n], mode="lines", name=n.replace("_", " "))
    for c in res.get("claims", []):
        if c.get("high") is not None:
            fig.add_scatter(
                x=[c["year"], c["year"]],
                y=[c["low"], c["high"]],
                mode="lines+markers",
                line=dict(color="black", width=3),
                name=f"published {c['year']}",
            )
        else:
            fig.add_scatter(
                x=[c["year"]],
                y=[c["low"]],
                mode="markers",
                marker=dict(symbol="triangle-up", size=10),
                name=f"published {c['year']} (lower bound)",
            )
    fig.update_layout(
        template="plotly_white",
        yaxis=dict(title="import dependence", tickformat=".0%"),
        title=f"{res['mineral'].title()} concentrate import dependence, {years[0]}-{years[-1]}",
    )
    return fig


@lru_cache(maxsize=1)
def _network_lines() -> tuple[list, list]:
    from searoute.data.marnet_dict import edge_list

    xs, ys, seen = [], [], set()
    for a, nbrs in edge_list.items():
        for b in nbrs:
            key = (a, b) if a <= b else (b, a)
            if key in seen or abs(a[0] - b[0]) > 180:
                continue
            seen.add(key)
            xs += [round(a[0], 1), round(b[0], 1), None]
            ys += [round(a[1], 1), round(b[1], 1), None]
    return xs, ys


NATURAL_EARTH_CREDIT = "Base map: Natural Earth 1 shaded relief (public domain), as shipped with Cartopy"


@lru_cache(maxsize=1)
def natural_earth_image() -> str | None:
    """The Natural Earth 1 shaded-relief raster (720 x 360 px, plate carrée, -180..180 x 90..-90)
    as a ``data:`` URI, read from the Cartopy package's data folder without importing Cartopy;
    ``None`` when Cartopy is not installed."""
    import base64
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("cartopy")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        png = Path(root) / "data" / "raster" / "natural_earth" / "50-natural-earth-1-downsampled.png"
        if png.is_file():
            return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    return None


def _degrees(values: list[int], east: str, west: str) -> list[str]:
    return [f"{abs(v)}°{east if v > 0 else west if v < 0 else ''}" for v in values]


def route_map_figure(routes: list[dict], *, title: str = "Sea routes") -> go.Figure:
    """Equirectangular map of routes (dicts with ``path``) over the Natural Earth relief and
    searoute's marine network; lines are broken where they cross the antimeridian."""
    xs, ys = _network_lines()
    fig = go.Figure()
    base = natural_earth_image()
    if base is not None:
        fig.add_layout_image(
            source=base,
            xref="x",
            yref="y",
            x=-180,
            y=90,
            sizex=360,
            sizey=180,
            sizing="stretch",
            layer="below",
            opacity=0.9,
        )
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="lines",
        line=dict(color="rgba(60,60,60,0.12)" if base else "rgba(150,150,150,0.35)", width=0.6),
        hoverinfo="skip",
        name="shipping network",
    )
    used = set()
    for r in routes:
        p = np.asarray(r["path"], float)
        lon = p[:, 0].copy()
        # break the line where it crosses the antimeridian
        jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180)
        x, y = list(lon), list(p[:, 1])
        for j in jumps[::-1]:
            x.insert(j + 1, None)
            y.insert(j + 1, None)
        fig.add_scatter(
            x=x,
            y=y,
            mode="lines",
            line=dict(width=2.5),
            name=f"{r['from']} -> {r['to']}: {r['distance_km']:,.0f} km, {r['days']:.1f} d"
            + (f" ({', '.join(r['closed'])} closed)" if r.get("closed") else ""),
        )
        fig.add_scatter(
            x=[p[0, 0], p[-1, 0]],
            y=[p[0, 1], p[-1, 1]],
            mode="markers+text",
            text=[r["from"], r["to"]],
            textposition="top center",
            marker=dict(size=7, color="black"),
            showlegend=False,
        )
        used |= set(r["chokepoints"])
    if used:
        cps = [c for c in _CHOKEPOINT_XY if c in used]
        fig.add_scatter(
            x=[_CHOKEPOINT_XY[c][0] for c in cps],
            y=[_CHOKEPOINT_XY[c][1] for c in cps],
            mode="markers+text",
            text=[CHOKEPOINT_NAMES[c] for c in cps],
            textposition="bottom center",
            marker=dict(symbol="x", size=9, color="#E45756"),
            name="chokepoints",
        )
    lons, lats = list(range(-180, 181, 60)), list(range(-60, 61, 30))
    fig.update_layout(
        template="plotly_white",
        title=title,
        xaxis=dict(
            range=[-180, 180],
            title=None,
            zeroline=False,
            showgrid=False,
            tickvals=lons,
            ticktext=_degrees(lons, "E", "W"),
        ),
        yaxis=dict(
            range=[-65, 75],
            title=None,
            scaleanchor="x",
            zeroline=False,
            showgrid=False,
            tickvals=lats,
            ticktext=_degrees(lats, "N", "S"),
        ),
        legend=dict(orientation="h", y=-0.08),
    )
    if base is not None:
        fig.add_annotation(
            text=NATURAL_EARTH_CREDIT,
            xref="paper",
            yref="paper",
            x=1,
            y=0,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=9, color="#555"),
        )
    return fig
