"""Small HTML helpers for brief sections: escaped tables, KPI boxes, number formats."""

from __future__ import annotations

import html
import math
from typing import Callable, Iterable, Sequence


def fmt_usd(v) -> str:
    """USD with a readable unit (bn, mn, thousand)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"{v / 1e6:,.1f} mn"
    if a >= 1e3:
        return f"{v / 1e3:,.0f} k"
    return f"{v:,.0f}"


def fmt_pct(v, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v * 100:.{digits}f}%"


def fmt_rank(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{int(v)}"


def fmt_num(v, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:,.{digits}f}"


def table(rows: Iterable[dict], columns: Sequence[tuple[str, str, Callable | None]]) -> str:
    """An HTML table; ``columns`` = (key, header, formatter or None)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h, _ in columns)
    body = []
    for r in rows:
        cells = []
        for key, _, f in columns:
            v = r.get(key)
            cells.append(f"<td>{html.escape(f(v) if f else ('' if v is None else str(v)))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def kpis(items: Sequence[tuple[str, str]]) -> str:
    return '<div class="kpis">' + "".join(
        f'<div class="kpi"><b>{html.escape(v)}</b>{html.escape(k)}</div>' for k, v in items) + "</div>"
