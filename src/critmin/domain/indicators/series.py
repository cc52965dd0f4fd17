"""Year series of indicators with their year-on-year changes."""

from __future__ import annotations

from typing import Sequence


def with_changes(rows: Sequence[dict], *, relative: Sequence[str] = (), absolute: Sequence[str] = ()) -> list[dict]:
    """Add year-on-year changes to a series sorted by ``year``.

    For each key ``k`` in ``relative``: ``k_yoy`` :math:`= v_t / v_{t-1} - 1`; for
    each key in ``absolute`` (shares, HHI): ``k_change`` :math:`= v_t - v_{t-1}`.
    The previous row is the previous year *present*; ``years_apart`` says how
    many calendar years separate them (a series with gaps says so). The first
    row and changes from or to a missing value are ``None``.
    """
    out: list[dict] = []
    prev: dict | None = None
    for r in sorted(rows, key=lambda r: r["year"]):
        r = dict(r)
        r["years_apart"] = None if prev is None else int(r["year"]) - int(prev["year"])
        for k in relative:
            a, b = (None if prev is None else prev.get(k)), r.get(k)
            r[f"{k}_yoy"] = None if a in (None, 0) or b is None else b / a - 1.0
        for k in absolute:
            a, b = (None if prev is None else prev.get(k)), r.get(k)
            r[f"{k}_change"] = None if a is None or b is None else b - a
        out.append(r)
        prev = r
    return out
