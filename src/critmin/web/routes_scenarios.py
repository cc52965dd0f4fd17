"""``/shock``, ``/sourcing``, ``/contract``, ``/route``, ``/projection``: the scenario questions."""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from critmin.services import scenarios as svc
from critmin.report import figures_scenarios
from critmin.web._common import (
    YAML_BODY,
    Format,
    FormatQ,
    SettingsDep,
    body_as_file,
    body_text,
    json_response,
    respond,
    split_codes,
)

router = APIRouter(tags=["scenarios"])


def _shock(settings, text: str, year: int | None) -> dict:
    with body_as_file(text, "shock_scenario.yaml") as path:
        return svc.run_shock(settings, path, year=year).to_dict()


def _contract(settings, text: str) -> dict:
    with body_as_file(text, "contract_scenario.yaml") as path:
        return svc.run_contract(settings, path)


@router.post(
    "/shock",
    summary="Export-restriction shock: supply at risk, cover, price effect, concentration",
    openapi_extra=YAML_BODY,
)
async def shock(
    request: Request,
    settings: SettingsDep,
    year: Annotated[Optional[int], Query(description="Trade year (default: the scenario's, else the latest).")] = None,
):
    """Same JSON as ``critmin shock --scenario FILE --json``; the body is the scenario file's content
    (YAML, or the same as a JSON object; see ``examples/scenarios/``). Service
    :func:`critmin.services.scenarios.run_shock`."""
    text = await body_text(request)
    return json_response(await run_in_threadpool(_shock, settings, text, year))


@router.get("/sourcing", summary="Least-cost, least-concentrated or CVaR sourcing mix, with and without the FTA")
def sourcing(
    settings: SettingsDep,
    mineral: Annotated[str, Query(description="Mineral id, e.g. `copper`.")],
    stage: Annotated[
        str, Query(description="`concentrate`/`ore`, `intermediate`, `refined`/`cathode`, `product`.")
    ] = "concentrate",
    year: Annotated[int, Query(description="Sourcing year (tariff phase-in, price).")] = 2030,
    cap: Annotated[Optional[float], Query(ge=0, le=1, description="Max share of any one supplier (0-1).")] = 0.65,
    fta: Annotated[
        Optional[list[str]], Query(description="FTA partners, repeated or comma-separated (`PER,CHL`).")
    ] = None,
    min_fta_share: Annotated[Optional[float], Query(ge=0, le=1, description="Minimum share from FTA partners.")] = None,
    exclude: Annotated[Optional[list[str]], Query(description="Countries not allowed, e.g. `CHN`.")] = None,
    demand: Annotated[Optional[float], Query(gt=0, description="Tonnes to source (default: the projection).")] = None,
    importer: Annotated[str, Query(description="Importing country ISO3.")] = "IND",
    port: Annotated[str, Query(description="Discharge port, e.g. `Mundra`.")] = "Mundra",
    objective: Annotated[
        svc.Objective,
        Query(description="`cost` (LP), `concentration` (governance-weighted HHI) or `cvar` (random disruptions)."),
    ] = "cost",
    unknown_tariff: Annotated[
        svc.UnknownTariff,
        Query(description="Suppliers without a known tariff: left out or at 0 (reported either way)."),
    ] = "exclude",
    fta_entry: Annotated[Optional[int], Query(description="FTA entry-into-force year (default 2027).")] = None,
    phase_in: Annotated[Optional[int], Query(ge=0, description="Years to phase the tariff out (default 0).")] = None,
    format: Annotated[Format, FormatQ] = "json",
):
    """Same JSON as ``critmin sourcing --json`` with the bundled tariffs and freight (service
    :func:`critmin.services.scenarios.sourcing`; tariff, freight and shock files are CLI-only)."""
    res = svc.sourcing(
        settings,
        mineral,
        stage,
        year,
        importer=importer,
        destination=port,
        demand_t=demand,
        max_share=cap,
        fta=split_codes(fta),
        min_fta_share=min_fta_share,
        exclude=split_codes(exclude),
        tariffs=None,
        freight_table=None,
        objective=objective,
        unknown_tariff=unknown_tariff,
        fta_entry_year=fta_entry,
        fta_phase_in_years=phase_in,
        cvar_shocks=[],
    )
    return respond(res, format, lambda: figures_scenarios.sourcing_figure(res))


@router.post("/contract", summary="Copper-concentrate contract economics in USD, INR and PEN", openapi_extra=YAML_BODY)
async def contract(request: Request, settings: SettingsDep):
    """Same JSON as ``critmin contract --scenario FILE --json``; the body is the contract scenario
    (YAML or JSON, see ``examples/scenarios/contract_peru_copper.yaml``). Service
    :func:`critmin.services.scenarios.run_contract`."""
    text = await body_text(request)
    return json_response(await run_in_threadpool(_contract, settings, text))


@router.get("/route", summary="Sea distance, sailing days and chokepoints between two ports")
def route(
    origin: Annotated[str, Query(alias="from", description="Origin port (e.g. `Callao`) or supplier ISO3.")],
    destination: Annotated[str, Query(alias="to", description="Destination port (e.g. `Visakhapatnam`).")],
    speed: Annotated[Optional[float], Query(gt=0, description="Knots (default 13).")] = None,
    closed: Annotated[
        Optional[list[str]], Query(description="Chokepoints closed, repeated or comma-separated (`panama,suez`).")
    ] = None,
):
    """Same JSON as ``critmin route --json`` (service :func:`critmin.services.scenarios.route`)."""
    cl = [c.lower() for c in split_codes(closed)]
    return json_response(svc.route(origin, destination, speed_knots=speed, closed=cl, with_path=False))


@router.get("/projection", summary="Import-dependence paths to 2030 and 2047 with published claims")
def projection(
    settings: SettingsDep,
    mineral: Annotated[str, Query(description="Mineral id (the projection covers `copper`).")] = "copper",
    end_year: Annotated[int, Query(ge=2025, le=2100, description="Last projected year.")] = 2047,
    format: Annotated[Format, FormatQ] = "json",
):
    """Same JSON as ``critmin projection --json`` (service
    :func:`critmin.services.scenarios.projection_report`)."""
    res = svc.projection_report(settings, mineral, end_year=end_year)
    return respond(res, format, lambda: figures_scenarios.projection_figure(res))
