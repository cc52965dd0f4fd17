"""Concentration and trade aggregates as Ibis expressions (any Ibis backend: DuckDB, PySpark).

These build lazy expressions over a ``trade_flows``-shaped table (``year,
exporter, importer, hs6, value_usd, qty_t``); nothing executes until the
caller calls ``.execute()``/``.to_pandas()``.
"""

from __future__ import annotations

from typing import Collection, Sequence

import ibis
from ibis.expr.types import Table

from critmin.domain.indicators.concentration import WGI_SCALE_CENTER, WGI_SCALE_STEP


def select_flows(
    flows: Table,
    *,
    years: Sequence[int] | None = None,
    hs6: Sequence[str] | None = None,
    importers: Sequence[str] | None = None,
    exporters: Sequence[str] | None = None,
) -> Table:
    """Filter flows by year, product and country lists (``None`` = no filter)."""
    preds = []
    if years is not None:
        preds.append(flows.year.isin([int(y) for y in years]))
    if hs6 is not None:
        preds.append(flows.hs6.isin(list(hs6)))
    if importers is not None:
        preds.append(flows.importer.isin(list(importers)))
    if exporters is not None:
        preds.append(flows.exporter.isin(list(exporters)))
    return flows.filter(*preds) if preds else flows


def as_bloc(flows: Table, code: str, members: Collection[str]) -> Table:
    """Flows with a bloc's members taken as one economy.

    Member codes become ``code`` on both sides, and the flows between members
    (now ``code`` to ``code``) are dropped: a bloc's imports are its extra-bloc imports,
    :math:`M_{bloc} = \\sum_{i \\in bloc} \\sum_{j \\notin bloc} M_{ij}`.
    """
    m = sorted(members)
    f = flows.mutate(
        exporter=ibis.ifelse(flows.exporter.isin(m), code, flows.exporter),
        importer=ibis.ifelse(flows.importer.isin(m), code, flows.importer),
    )
    return f.filter(f.exporter != f.importer)


def _reporter_flows(flows: Table, reporter: str, partners: Sequence[str] | None) -> Table:
    """Flows into or out of ``reporter``, with ``partners`` only when given."""
    inbound = flows.importer == reporter
    outbound = flows.exporter == reporter
    if partners is not None:
        inbound = inbound & flows.exporter.isin(list(partners))
        outbound = outbound & flows.importer.isin(list(partners))
    return flows.filter(inbound | outbound)


def trade_by_product(flows: Table, reporter: str, *, partners: Sequence[str] | None = None) -> Table:
    """Imports, exports and balance of ``reporter`` by HS6 (with ``partners`` or the world).

    Returns a table ``hs6, imports_usd, exports_usd, balance_usd, imports_t,
    exports_t`` where :math:`balance = X - M`.
    """
    t = _reporter_flows(flows, reporter, partners)
    t = t.mutate(
        m=ibis.ifelse(t.importer == reporter, t.value_usd, 0.0),
        x=ibis.ifelse(t.exporter == reporter, t.value_usd, 0.0),
        mq=ibis.ifelse(t.importer == reporter, t.qty_t, 0.0),
        xq=ibis.ifelse(t.exporter == reporter, t.qty_t, 0.0),
    )
    g = t.group_by("hs6").aggregate(
        imports_usd=t.m.sum(), exports_usd=t.x.sum(), imports_t=t.mq.sum(), exports_t=t.xq.sum()
    )
    return g.mutate(balance_usd=g.exports_usd - g.imports_usd).order_by("hs6")


def trade_by_year(flows: Table, reporter: str, *, partners: Sequence[str] | None = None) -> Table:
    """Imports and exports of ``reporter`` by year (with ``partners`` or the world): ``year, imports_usd, exports_usd``."""
    t = _reporter_flows(flows, reporter, partners)
    t = t.mutate(
        m=ibis.ifelse(t.importer == reporter, t.value_usd, 0.0), x=ibis.ifelse(t.exporter == reporter, t.value_usd, 0.0)
    )
    return t.group_by("year").aggregate(imports_usd=t.m.sum(), exports_usd=t.x.sum()).order_by("year")


def trade_by_partner(flows: Table, reporter: str, *, partners: Sequence[str] | None = None) -> Table:
    """Imports, exports and balance of ``reporter`` by partner country."""
    t = _reporter_flows(flows, reporter, partners)
    t = t.mutate(
        partner=ibis.ifelse(t.importer == reporter, t.exporter, t.importer),
        m=ibis.ifelse(t.importer == reporter, t.value_usd, 0.0),
        x=ibis.ifelse(t.exporter == reporter, t.value_usd, 0.0),
    )
    g = t.group_by("partner").aggregate(imports_usd=t.m.sum(), exports_usd=t.x.sum())
    return g.mutate(balance_usd=g.exports_usd - g.imports_usd)


def ordered_sum(values) -> ibis.Value:
    """Sum of a column within each group, added in ascending order of the values.

    A plain ``SUM`` on a parallel engine adds partial sums in whatever order the threads
    finish, so the last digits of a float result can change from run to run; sorting the
    terms first makes the result a function of the data only (the same bits every run and
    on every engine that follows IEEE 754 doubles).
    """
    return values.collect().sort().sums()


def supplier_values(
    flows: Table, *, by: Sequence[str] = ("importer",), partner: str = "exporter", value: str = "value_usd"
) -> Table:
    """Value (and quantity) of each partner within each group of ``by``: ``*by, partner, value_usd, qty_t``.

    Values and quantities are summed in a fixed order (:func:`ordered_sum`), so every
    indicator built on them is the same to the last digit from run to run.
    """
    return flows.group_by([*by, partner]).aggregate(value_usd=ordered_sum(flows[value]), qty_t=ordered_sum(flows.qty_t))


def supplier_shares(
    flows: Table, *, by: Sequence[str] = ("importer",), partner: str = "exporter", value: str = "value_usd"
) -> Table:
    """Each partner's value and share within each group of ``by``.

    .. math:: s_{gi} = v_{gi} / \\sum_j v_{gj}

    (the group total summed in a fixed order, as in :func:`ordered_sum`).

    Returns ``*by, partner, value_usd, qty_t, share, rank`` (rank 1 = largest).
    """
    by = list(by)
    v = supplier_values(flows, by=by, partner=partner, value=value)
    w_total = ibis.window(group_by=[v[c] for c in by]) if by else ibis.window()
    w_rank = ibis.window(group_by=[v[c] for c in by] if by else None, order_by=[ibis.desc(v.value_usd), v[partner]])
    return v.mutate(
        share=v.value_usd / v.value_usd.collect().over(w_total).sort().sums(), rank=ibis.row_number().over(w_rank) + 1
    )


def concentration(
    values: Table, *, by: Sequence[str] = ("importer",), partner: str = "exporter", top_n: int = 3, focus: str = "CHN"
) -> Table:
    """HHI, top-n share and one partner's share per group, without window functions.

    ``values`` has one row per group and partner with ``value_usd``
    (:func:`supplier_values` or :func:`supplier_shares`). With
    :math:`T = \\sum_i v_i`:

    .. math::

        HHI = \\sum_i (v_i / T)^2 = \\sum_i v_i^2 / T^2, \\quad
        top_n = \\sum_{\\text{n largest}} v_i / T, \\quad s_{focus} = v_{focus} / T

    Returns ``*by, value_usd, n_suppliers, hhi, top<n>_share, <focus>_share``.
    """
    v = values
    total = ordered_sum(v.value_usd)
    return v.group_by(list(by)).aggregate(
        value_usd=total,
        n_suppliers=v[partner].count(),
        hhi=ordered_sum(v.value_usd * v.value_usd) / (total * total),
        # the n largest: sort the negated values ascending and take the first n (one sort per group)
        **{
            f"top{top_n}_share": -((-v.value_usd).collect().sort()[:top_n].sums()) / total,
            f"{focus.lower()}_share": ordered_sum(ibis.ifelse(v[partner] == focus, v.value_usd, 0.0)) / total,
        },
    )


def governance_risk(governance: Table, year: int) -> Table:
    """``iso3, wgi_mean, g`` for one WGI year: mean of the six estimates, rescaled to 0-10 (10 = worst).

    .. math:: g = (\\overline{WGI} - 2.5) / (-0.5)
    """
    gv = governance.filter(governance.year == int(year), governance.estimate.notnull())
    m = gv.group_by("iso3").aggregate(wgi_mean=gv.estimate.mean(), n_indicators=gv.indicator.nunique())
    return m.mutate(g=(m.wgi_mean - WGI_SCALE_CENTER) / WGI_SCALE_STEP)


def governance_weighted_hhi(
    shares: Table, risk: Table, *, by: Sequence[str] = ("importer",), partner: str = "exporter"
) -> Table:
    """:math:`HHI_{WGI} = \\sum_i s_i^2 g_i` per group, and the value share of suppliers with a score."""
    j = shares.left_join(risk, shares[partner] == risk.iso3)
    return j.group_by(list(by)).aggregate(
        wgi_weighted_hhi=ordered_sum(ibis.ifelse(j.g.notnull(), j.share * j.share * j.g, 0.0)),
        wgi_coverage=ordered_sum(ibis.ifelse(j.g.notnull(), j.share, 0.0)),
    )
