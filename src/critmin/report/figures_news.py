"""Negotiation timeline: rounds (held / planned) and agreement milestones per agreement, from a tracker."""

from __future__ import annotations

import html
import textwrap

import plotly.graph_objects as go

from critmin.domain.news.timeline import NegotiationTracker

_STATUS_STYLE = {"held": dict(symbol="circle", color="#2c7fb8"),
                 "planned": dict(symbol="circle-open", color="#d95f0e")}


def _x(date: str | None) -> str | None:
    if not date:
        return None
    return date if len(date) == 10 else date + "-15"   # a month is drawn at its middle


def _hover(quote: str, article: str | None, source: str | None) -> str:
    q = "<br>".join(textwrap.wrap(html.escape(quote or ""), 70))
    return f"“{q}”<br><i>{html.escape(article or '')} {html.escape(source or '')}</i>"


def negotiation_timeline_figure(tracker: NegotiationTracker, *, since: str | None = None,
                                active_only: bool = True) -> go.Figure:
    """One row per agreement: rounds as markers (filled held, open planned), WTO signature and
    entry-into-force dates and news milestones as diamonds; hover shows the evidence quote and source.

    Parameters
    ----------
    tracker : NegotiationTracker
    since : str, optional
        ``YYYY-MM-DD``: leave out milestones before this date (old agreements).
    active_only : bool
        Draw only agreements with rounds or news milestones (negotiations); the x axis then
        spans the rounds, and older milestones are one zoom-out away in the interactive chart.
    """
    import datetime as dt
    from dataclasses import replace

    if active_only and any(a.rounds or any("article_id" in e for e in a.events) for a in tracker.agreements):
        tracker = replace(tracker, agreements=tuple(a for a in tracker.agreements
                                                    if a.rounds or any("article_id" in e for e in a.events)))
    fig = go.Figure()
    names = [a.name for a in tracker.agreements]
    for status, style in _STATUS_STYLE.items():
        xs, ys, texts, hovers = [], [], [], []
        for a in tracker.agreements:
            for r in a.rounds:
                if r.status != status or not _x(r.start_date):
                    continue
                ev = r.evidence[0]
                xs.append(_x(r.start_date))
                ys.append(a.name)
                texts.append(f"R{r.round_number}" if r.round_number else "round")
                extra = (f"round {r.round_number or '?'} ({status}) {r.start_date}"
                         + (f" to {r.end_date}" if r.end_date and r.end_date != r.start_date else "")
                         + (f", {r.venue_city}" if r.venue_city else "")
                         + (f"<br>chapters: {', '.join(r.chapters)}" if r.chapters else "")
                         + f"<br>{len(r.evidence)} report(s)<br>")
                hovers.append(extra + _hover(ev.get("quote"), ev.get("article_id"), ev.get("source")))
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers+text", name=f"round {status}", text=texts,
                                     textposition="top center" if status == "held" else "bottom center",
                                     hovertext=hovers, hoverinfo="text",
                                     marker=dict(size=14, line=dict(width=2, color=style["color"]), **style)))
    xs, ys, texts, hovers = [], [], [], []
    for a in tracker.agreements:
        for e in a.events:
            d = e.get("date")
            if not d:
                continue
            d = d if len(d) > 4 else d + "-07-01"
            if since and d < since:
                continue
            xs.append(_x(d))
            ys.append(a.name)
            texts.append(e["kind"].replace("_", " "))
            hovers.append(f"{e['kind']} ({e.get('status') or ''}) {e.get('date')}<br>"
                          + _hover(e.get("quote"), e.get("article_id"), e.get("source")))
    if xs:
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name="milestone", hovertext=hovers, hoverinfo="text",
                                 marker=dict(symbol="diamond", size=11, color="#636363")))
    undated = [(a.name, r) for a in tracker.agreements for r in a.rounds if not r.start_date]
    note = ""
    if undated:
        note = "undated rounds: " + "; ".join(f"{n} round {r.round_number or '?'} ({r.status})" for n, r in undated)
    xaxis = dict(title="date", type="date")
    dated = [_x(r.start_date) for a in tracker.agreements for r in a.rounds if r.start_date]
    if active_only and dated:
        lo = dt.date.fromisoformat(min(dated)) - dt.timedelta(days=150)
        hi = dt.date.fromisoformat(max(dated)) + dt.timedelta(days=150)
        xaxis["range"] = [lo.isoformat(), hi.isoformat()]
    fig.update_layout(
        title=f"Trade negotiations of {tracker.reporter}" + (f" with {tracker.partner}" if tracker.partner else ""),
        xaxis=xaxis, yaxis=dict(title="", categoryorder="array", categoryarray=names[::-1]),
        height=max(320, 70 * len(names) + 160), template="plotly_white", legend=dict(orientation="h", y=-0.25),
        annotations=[dict(text=html.escape(note), xref="paper", yref="paper", x=0, y=-0.5, showarrow=False,
                          font=dict(size=10))] if note else [],
        margin=dict(l=160, b=170))
    return fig
