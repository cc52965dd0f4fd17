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
    return (
        '<div class="kpis">'
        + "".join(f'<div class="kpi"><b>{html.escape(v)}</b>{html.escape(k)}</div>' for k, v in items)
        + "</div>"
    )


def product_label(hs6: str | None, mineral: str | None) -> str:
    """The mineral name a table shows for one HS6 code, saying so when the code is a basket.

    A basket code covers more than the mineral it is filed under (HS 270112 "bituminous coal" holds
    thermal as well as coking coal), so its label reads ``coking_coal (basket: Bituminous coal, not
    agglomerated; includes non-coking (thermal) bituminous coal)``.
    """
    from critmin.classify._tables import products_table

    if not hs6:
        return mineral or ""
    rows = products_table()
    rows = rows[rows["hs6"] == str(hs6)]
    if rows.empty or not bool(rows["basket"].any()):
        return mineral or ""
    note = next((n for n in rows["note"] if isinstance(n, str) and n), "")
    desc = rows["description"].iloc[0]
    return f"{mineral} (basket: {desc}{'; ' + note if note else ''})"


def scope_line(*, source: str, products: str, period: str, unit: str) -> str:
    """The line under every card group and table: source · product scope · period and basis · unit."""
    return (
        f'<p class="scope">{html.escape(source)} · {html.escape(products)} · {html.escape(period)} · '
        f"{html.escape(unit)}</p>"
    )
