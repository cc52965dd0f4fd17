"""Negotiation timeline: rounds (held / planned) and agreement milestones per agreement, from a tracker."""

from __future__ import annotations

import html
import textwrap

import plotly.graph_objects as go

from critmin.domain.news.timeline import NegotiationTracker

_STATUS_STYLE = {"held": dict(symbol="circle", color="#2c7fb8"), "planned": dict(symbol="circle-open", color="#d95f0e")}


def _x(date: str) -> str:
    """The x position of a day (``YYYY-MM-DD``) or a month (``YYYY-MM``, drawn at its middle)."""
    return date if len(date) == 10 else date + "-15"


def _hover(quote: str | None, article: str | None, source: str | None) -> str:
    q = "<br>".join(textwrap.wrap(html.escape(quote or ""), 70))
    return f"“{q}”<br><i>{html.escape(article or '')} {html.escape(source or '')}</i>"


def _is_news(e: dict) -> bool:
    return "article_id" in e


def negotiation_timeline_figure(
    tracker: NegotiationTracker, *, since: str | None = None, active_only: bool = False
) -> go.Figure:
    """Two panels sharing one row per agreement.

    Left, the agreements' history: WTO signature (open diamond) and entry into force (filled
    diamond) from ``since`` on. Right, the current negotiations: rounds (filled held, open
    planned, labelled ``R<n>``) and news milestones, over the months the rounds and news span.
    Agreements under negotiation come first, then those in force by date. Hover shows the
    evidence quote and source; undated rounds are listed under the chart.

    Parameters
    ----------
    tracker : NegotiationTracker
    since : str, optional
        ``YYYY-MM-DD``: leave out WTO milestones before this date.
    active_only : bool
        Draw only agreements with rounds or news (no agreement that is only in force).
    """
    import datetime as dt

    from plotly.subplots import make_subplots

    agreements = [a for a in tracker.agreements if not active_only or a.rounds or any(_is_news(e) for e in a.events)]

    def first_date(a) -> str:
        ds = [e["date"] for e in a.events if e.get("date") and not _is_news(e)]
        return min(ds) if ds else "9999"

    active = [a for a in agreements if a.rounds or any(_is_news(e) for e in a.events)]
    rest = sorted((a for a in agreements if a not in active), key=first_date, reverse=True)
    names = [a.name for a in active + rest]
    recent = [_x(r.start_date) for a in agreements for r in a.rounds if r.start_date] + [
        _x(e["date"]) for a in agreements for e in a.events if _is_news(e) and e.get("date") and len(e["date"]) == 10
    ]
    if recent:
        lo = dt.date.fromisoformat(min(recent)) - dt.timedelta(days=75)
        hi = dt.date.fromisoformat(max(recent)) + dt.timedelta(days=75)
    else:
        hi = dt.date.today()
        lo = hi - dt.timedelta(days=365)
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        column_widths=[0.45, 0.55],
        horizontal_spacing=0.03,
        subplot_titles=(
            "agreements: signature and entry into force (WTO RTA database)",
            f"negotiations: rounds and news, {lo:%b %Y} to {hi:%b %Y}",
        ),
    )
    # left: history
    for kind, symbol, label in (("signature", "diamond-open", "signed"), ("entry_into_force", "diamond", "in force")):
        xs, ys, hovers = [], [], []
        for a in agreements:
            for e in a.events:
                d = e.get("date")
                if _is_news(e) or e.get("kind") != kind or not d or (since and d < since):
                    continue
                xs.append(_x(d if len(d) > 4 else d + "-07-01"))
                ys.append(a.name)
                hovers.append(f"{a.name}: {label} {d}")
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="markers",
                    name=label,
                    hovertext=hovers,
                    hoverinfo="text",
                    marker=dict(symbol=symbol, size=10, color="#4d4d4d", line=dict(width=1.5, color="#4d4d4d")),
                ),
                row=1,
                col=1,
            )
    # right: rounds and news milestones
    for status, style in _STATUS_STYLE.items():
        xs, ys, texts, hovers = [], [], [], []
        for a in agreements:
            for r in a.rounds:
                if r.status != status or not r.start_date:
                    continue
                ev = r.evidence[0]
                xs.append(_x(r.start_date))
                ys.append(a.name)
                texts.append(f"R{r.round_number}" if r.round_number else "round")
                extra = (
                    f"round {r.round_number or '?'} ({status}) {r.start_date}"
                    + (f" to {r.end_date}" if r.end_date and r.end_date != r.start_date else "")
                    + (f", {r.venue_city}" if r.venue_city else "")
                    + (f"<br>chapters: {', '.join(r.chapters)}" if r.chapters else "")
                    + f"<br>{len(r.evidence)} report(s)<br>"
                )
                hovers.append(extra + _hover(ev.get("quote"), ev.get("article_id"), ev.get("source")))
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="markers+text",
                    name=f"round {status}",
                    text=texts,
                    textposition="middle right",
                    textfont=dict(size=10),
                    hovertext=hovers,
                    hoverinfo="text",
                    marker=dict(size=12, line=dict(width=2, color=style["color"]), **style),
                ),
                row=1,
                col=2,
            )
    xs, ys, hovers = [], [], []
    for a in agreements:
        for e in a.events:
            d = e.get("date")
            if not _is_news(e) or not d:
                continue
            x = _x(d if len(d) > 4 else d + "-07-01")
            if not (lo.isoformat() <= x <= hi.isoformat()):
                continue
            xs.append(x)
            ys.append(a.name)
            hovers.append(
                f"{e['kind']} ({e.get('status') or ''}) {d}<br>"
                + _hover(e.get("quote"), e.get("article_id"), e.get("source"))
            )
    if xs:
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers",
                name="news milestone",
                hovertext=hovers,
                hoverinfo="text",
                marker=dict(symbol="star", size=11, color="#7b3294"),
            ),
            row=1,
            col=2,
        )
    undated = [(a.name, r) for a in agreements for r in a.rounds if not r.start_date]
    note = (
        (
            "undated rounds (not drawn): "
            + "; ".join(f"{n} round {r.round_number or '?'} ({r.status})" for n, r in undated)
        )
        if undated
        else ""
    )
    history = [
        e["date"]
        for a in agreements
        for e in a.events
        if e.get("date") and not _is_news(e) and (not since or e["date"] >= since)
    ]
    left_lo = since or (f"{int(min(history)[:4]) - 1}-01-01" if history else None)
    height = 170 + 30 * max(len(names), 2) + (25 if note else 0)
    fig.update_layout(
        title=f"Trade agreements and negotiations of {tracker.reporter}"
        + (f" with {tracker.partner}" if tracker.partner else ""),
        height=height,
        template="plotly_white",
        margin=dict(l=130, r=30, t=90, b=90 + (25 if note else 0)),
        legend=dict(
            orientation="h", x=0, y=-0.06 * 14 / max(len(names), 6), yanchor="top", xanchor="left", font=dict(size=10)
        ),
        yaxis=dict(title="", categoryorder="array", categoryarray=names[::-1], tickfont=dict(size=10)),
        xaxis=dict(type="date", range=[left_lo, dt.date.today().isoformat()] if left_lo else None),
        xaxis2=dict(type="date", range=[lo.isoformat(), hi.isoformat()], dtick="M2", tickformat="%b %Y"),
    )
    for ann in fig.layout.annotations:
        ann.font = dict(size=11)
    if note:
        fig.add_annotation(
            text=html.escape(note),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-75,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font=dict(size=10),
        )
    return fig
