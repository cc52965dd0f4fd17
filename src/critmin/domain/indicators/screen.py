r"""The import-dependence screen for every reporter x HS6 x year, as one Ibis expression graph.

For reporter ``r``, product ``k`` and year ``t``, with :math:`v_{irk t}` the value
exporter ``i`` ships to ``r`` (self-trade excluded) and :math:`M = \sum_i v_i`:

* ``imports_usd`` :math:`= M`, ``n_suppliers``;
* ``hhi`` :math:`= \sum_i v_i^2 / M^2`; ``top3_share`` (sum of the three largest
  :math:`v_i` over :math:`M`); ``china_share`` :math:`= v_{CHN} / M`;
* ``world_export_hhi`` :math:`= \sum_i X_{ik t}^2 / (\sum_i X_{ik t})^2` with
  :math:`X_{ikt}` exporter ``i``'s exports of ``k`` to every destination;
* ``import_export_ratio`` :math:`= M / X_{rkt}` (9999 when the reporter exports none);
* the CEPII GeoDep criteria (Lefebvre and Wibaux 2024; see
  :mod:`critmin.domain.criticality.geodep`): ``c1`` hhi > 0.4, ``c2`` world export
  HHI > 0.4, ``c3`` ratio > 1, ``dependent`` = all three;
* persistence: ``dependent_years`` = the number of years in the window
  :math:`[t-2, t]` in which the product is ``dependent``, ``window_years`` = the
  number of those years in the screened period, and ``persistent`` =
  ``dependent_years >= 2``, NULL (not assessed) where ``window_years < 3``.

Nothing executes until the caller runs the expression (DuckDB, PySpark, any Ibis
backend). Flows must be unique per (year, exporter, importer, hs6), which BACI is
and the BACI connector checks.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import ibis
from ibis.expr.types import Table

from critmin.domain.criticality.geodep import GEODEP_THRESHOLD, NO_EXPORTS_RATIO
from critmin.domain.indicators.expressions import as_bloc

WINDOW = 3
MIN_DEPENDENT_YEARS = 2


def screen(
    flows: Table,
    *,
    years: Sequence[int],
    reporters: Sequence[str] | None = None,
    threshold: float = GEODEP_THRESHOLD,
    top_n: int = 3,
    focus: str = "CHN",
) -> Table:
    """The screen table: one row per (year, reporter, hs6) with imports.

    Parameters
    ----------
    flows : Table
        ``year, exporter, importer, hs6, value_usd`` (``trade_flows``).
    years : list of int
        The years screened (the persistence window counts only these).
    reporters : list of str, optional
        Importers to screen; default every importer. World export HHI always uses every exporter.

    Returns
    -------
    Table
        ``year, reporter, hs6, imports_usd, n_suppliers, hhi, top3_share, china_share,
        top_supplier, world_export_hhi, exports_usd, import_export_ratio, c1_import_concentrated,
        c2_world_exports_concentrated, c3_not_substitutable, dependent, dependent_years,
        window_years, persistent``.
    """
    yrs = sorted({int(y) for y in years})
    f = flows.filter(flows.year.isin(yrs), flows.exporter != flows.importer, flows.value_usd > 0)
    f = f.select("year", "exporter", "importer", "hs6", "value_usd")
    imp = f if reporters is None else f.filter(f.importer.isin(list(reporters)))
    rank = ibis.row_number().over(
        ibis.window(group_by=[imp.year, imp.importer, imp.hs6], order_by=[ibis.desc(imp.value_usd), imp.exporter])
    )
    imp = imp.mutate(rank=rank)
    m = imp.group_by(["year", "importer", "hs6"]).aggregate(
        imports_usd=imp.value_usd.sum(),
        n_suppliers=imp.exporter.count(),
        sumsq=(imp.value_usd * imp.value_usd).sum(),
        top_usd=ibis.ifelse(imp["rank"] < top_n, imp.value_usd, 0.0).sum(),
        focus_usd=ibis.ifelse(imp.exporter == focus, imp.value_usd, 0.0).sum(),
        top_supplier=ibis.ifelse(imp["rank"] == 0, imp.exporter, ibis.null("string")).max(),
    )
    x = f.group_by(["year", "hs6", "exporter"]).aggregate(x=f.value_usd.sum())
    w = x.group_by(["year", "hs6"]).aggregate(xs=x.x.sum(), xsq=(x.x * x.x).sum())
    w = w.select("year", "hs6", world_export_hhi=w.xsq / (w.xs * w.xs))
    own = x.select(oyear="year", ohs6="hs6", oexp="exporter", exports_usd="x")
    j = m.inner_join(w, ["year", "hs6"])
    j = j.left_join(own, [j.year == own.oyear, j.hs6 == own.ohs6, j.importer == own.oexp])
    exports = j.exports_usd.fill_null(0.0)
    out = j.select(
        "year",
        reporter=j.importer,
        hs6=j.hs6,
        imports_usd=j.imports_usd,
        n_suppliers=j.n_suppliers,
        hhi=j.sumsq / (j.imports_usd * j.imports_usd),
        top3_share=j.top_usd / j.imports_usd,
        china_share=j.focus_usd / j.imports_usd,
        top_supplier=j.top_supplier,
        world_export_hhi=j.world_export_hhi,
        exports_usd=exports,
        import_export_ratio=ibis.ifelse(exports > 0, j.imports_usd / exports, NO_EXPORTS_RATIO),
    )
    out = out.mutate(
        c1_import_concentrated=out.hhi > threshold,
        c2_world_exports_concentrated=out.world_export_hhi > threshold,
        c3_not_substitutable=out.import_export_ratio > 1.0,
    )
    out = out.mutate(
        dependent=out.c1_import_concentrated & out.c2_world_exports_concentrated & out.c3_not_substitutable
    )
    win = ibis.window(group_by=[out.reporter, out.hs6], order_by=out.year, range=(-(WINDOW - 1), 0))
    out = out.mutate(dependent_years=out.dependent.cast("int32").sum().over(win))
    window_years = sum(ibis.ifelse((out.year - k).isin(yrs), 1, 0) for k in range(WINDOW))
    out = out.mutate(window_years=window_years.cast("int8"))
    assessed = out.window_years == WINDOW
    return out.mutate(
        persistent=ibis.ifelse(assessed, out.dependent_years >= MIN_DEPENDENT_YEARS, ibis.null("boolean"))
    )


def screen_reporters(
    flows: Table,
    *,
    years: Sequence[int],
    countries: Sequence[str] | None = None,
    blocs: Mapping[str, Sequence[str]] | None = None,
) -> Table:
    """The screen for countries and blocs together: the rows of every reporter, one table.

    Countries are screened on ``flows`` as they are (``countries=None`` and no
    ``blocs``: every importer). A bloc is screened on its own view of the world,
    :func:`~critmin.domain.indicators.expressions.as_bloc`: its members are one
    economy on both sides, so its imports are extra-bloc imports, its suppliers
    are non-members, its own exports are extra-bloc exports, and the world export
    HHI of a product counts the bloc as one exporter,
    :math:`H^{X}_{k} = \\sum_{e} X_{ek}^2 / (\\sum_e X_{ek})^2` over exporters
    ``e`` with the members merged (intra-bloc trade is not world trade from the
    bloc's point of view); the members' flows of a product with one partner are summed into one
    flow. Each bloc's rows are its own; a country's rows do not
    change when a bloc is added to the request.
    """
    parts = []
    if countries or not blocs:
        parts.append(screen(flows, years=years, reporters=list(countries) if countries else None))
    for code, members in sorted((blocs or {}).items()):
        merged = as_bloc(flows.filter(flows.year.isin(list(years))), code, members)
        # the members' flows of one product from one partner are now one flow (the screen needs unique keys)
        merged = merged.group_by(["year", "exporter", "importer", "hs6"]).aggregate(value_usd=merged.value_usd.sum())
        parts.append(screen(merged, years=years, reporters=[code]))
    return parts[0] if len(parts) == 1 else ibis.union(*parts)


def rollup(screened: Table, products: Table) -> Table:
    """Mineral x stage roll-up of the screen per (year, reporter).

    ``products`` maps ``hs6`` to ``mineral`` and ``stage`` (critmin's product table; an
    HS6 of several minerals counts in each). Returns ``year, reporter, mineral, stage,
    imports_usd, n_products, n_dependent, dependent_import_share`` (the import value of
    dependent products over all the mineral-stage's imports) and ``n_persistent``.
    """
    j = screened.inner_join(products, "hs6")
    return j.group_by(["year", "reporter", "mineral", "stage"]).aggregate(
        imports_usd=j.imports_usd.sum(),
        n_products=j.hs6.nunique(),
        n_dependent=j.dependent.cast("int32").sum(),
        dependent_import_share=ibis.ifelse(j.dependent, j.imports_usd, 0.0).sum() / j.imports_usd.sum(),
        n_persistent=j.persistent.cast("int32").sum(),
    )
