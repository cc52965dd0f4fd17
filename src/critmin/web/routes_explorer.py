"""``/trade``, ``/dependence``, ``/production``: the trade and dependence explorer."""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, HTTPException, Query

from critmin.periods import parse_years
from critmin.report import figures_explorer
from critmin.services import explorer
from critmin.web._common import Format, FormatQ, SettingsDep, respond

router = APIRouter(tags=["explorer"])

from critmin.vocabulary import Stage  # noqa: E402

Backend = explorer.Backend

HsQ = Query(description="HS6 code; repeat for several (`?hs=740311&hs=740200`).")
MineralQ = Query(description="Mineral id, e.g. `copper`, `lithium`, `rare_earths`.")
StageQ = Query(description="Value-chain stage of the HS6 codes.")
BasketsQ = Query(description="Keep basket HS6 codes that also cover other goods.")
YearsQ = Query(description="Several years: `2022,2024` or a range `2019-2024`; gives the series.")
BackendQ = Query(description="Ibis backend that runs the query.")


@router.get("/trade", summary="Imports, exports and balance of a reporter with its partners")
def trade(
    settings: SettingsDep,
    reporter: Annotated[str, Query(description="Reporter country: ISO3, ISO2 or name, e.g. `IND`.")],
    partner: Annotated[
        Optional[list[str]], Query(description="Partner country; repeat for several; default all partners.")
    ] = None,
    hs: Annotated[Optional[list[str]], HsQ] = None,
    mineral: Annotated[Optional[str], MineralQ] = None,
    stage: Annotated[Optional[Stage], StageQ] = None,
    year: Annotated[Optional[list[int]], Query(description="Year; repeat for several; default the latest.")] = None,
    years: Annotated[Optional[str], YearsQ] = None,
    period: Annotated[
        Optional[str], Query(description="Period of the bilateral picture with one partner: `CY2024`, `FY2024-25`.")
    ] = None,
    include_baskets: Annotated[bool, BasketsQ] = False,
    backend: Annotated[Backend, BackendQ] = "duckdb",
    format: Annotated[Format, FormatQ] = "json",
):
    """Same JSON as ``critmin trade --json`` (service :func:`critmin.services.explorer.trade_summary`)."""
    res = explorer.trade_summary(
        settings,
        reporter,
        partners=partner or None,
        hs=hs or None,
        mineral=mineral,
        stage=stage,
        years=(year or None) or parse_years(years),
        include_baskets=include_baskets or None,
        period=period,
        backend=backend,
    )
    return respond(res, format, lambda: figures_explorer.trade_figure(res))


@router.get("/dependence", summary="Supplier shares, HHI, top-3 and China share, WGI-weighted HHI, net import reliance")
def dependence(
    settings: SettingsDep,
    reporter: Annotated[str, Query(description="Importing country: ISO3, ISO2 or name, e.g. `IND`.")],
    hs: Annotated[Optional[list[str]], HsQ] = None,
    mineral: Annotated[Optional[str], MineralQ] = None,
    stage: Annotated[Optional[Stage], StageQ] = None,
    year: Annotated[Optional[int], Query(description="Year (default the latest).")] = None,
    years: Annotated[Optional[str], YearsQ] = None,
    include_baskets: Annotated[bool, BasketsQ] = False,
    backend: Annotated[Backend, BackendQ] = "duckdb",
    format: Annotated[Format, FormatQ] = "json",
):
    """Same JSON as ``critmin dependence --json`` (service :func:`critmin.services.explorer.dependence`).

    Give at least one of ``hs``, ``mineral`` or ``stage``.
    """
    if not (hs or mineral or stage):
        raise HTTPException(400, "give hs, mineral or stage to select the imported products")
    res = explorer.dependence(
        settings,
        reporter,
        hs=hs or None,
        mineral=mineral,
        stage=stage,
        year=year,
        years=parse_years(years),
        include_baskets=include_baskets or None,
        backend=backend,
    )
    return respond(res, format, lambda: figures_explorer.dependence_figure(res))


@router.get("/production", summary="World production and reserves by country (USGS), ranked with shares")
def production(
    settings: SettingsDep,
    mineral: Annotated[str, Query(description="Mineral id, e.g. `copper`.")],
    stage: Annotated[str, Query(description="USGS stage: `mine`, `refinery`, `smelter`...")] = "mine",
    year: Annotated[Optional[int], Query(description="Year (default the latest reported).")] = None,
    country: Annotated[Optional[str], Query(description="Country to highlight (ISO3).")] = None,
    format: Annotated[Format, FormatQ] = "json",
):
    """Same JSON as ``critmin production --json`` (service :func:`critmin.services.explorer.production`)."""
    res = explorer.production(settings, mineral, stage=stage, year=year, country=country)
    return respond(res, format, lambda: figures_explorer.production_figure(res))
