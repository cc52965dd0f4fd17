"""``/fta``: WITS-SMART simulation of a trade agreement; ``/fta/scenarios``: the ready scenarios."""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, Query

from critmin.report.figures_fta import creation_diversion_figure
from critmin.services.fta import list_fta_scenarios, simulate_fta
from critmin.web._common import Format, FormatQ, SettingsDep, json_response, respond

router = APIRouter(tags=["fta"])


@router.get("/fta/scenarios", summary="The ready FTA scenarios")
def fta_scenarios():
    """Same JSON as ``critmin fta --list --json``."""
    return json_response(list_fta_scenarios())


@router.get("/fta", summary="Trade creation, diversion, tariff revenue, welfare and balance of an FTA")
def fta(
    settings: SettingsDep,
    partner: Annotated[str, Query(description="ISO3 of the partner (`PER`, `CHL`, `NZL`, ...).")],
    reporter: Annotated[str, Query(description="ISO3 of the reporter.")] = "IND",
    year: Annotated[int, Query(description="Trade-data (baseline) year.")] = 2024,
    tariff_year: Annotated[
        Optional[int], Query(description="Year of the baseline applied tariffs (default `year`).")
    ] = None,
    utilisation: Annotated[Optional[float], Query(ge=0, le=1, description="Preference-utilisation rate 0-1.")] = None,
    sigma: Annotated[float, Query(description="Substitution elasticity (WITS default 1.5).")] = 1.5,
    export_supply: Annotated[float, Query(description="Export-supply elasticity (WITS default 99).")] = 99.0,
    import_demand: Annotated[
        float, Query(description="Import-demand elasticity for lines without one (negative).")
    ] = -1.0,
    lines: Annotated[bool, Query(description="Include every line x partner x year row.")] = False,
    format: Annotated[Format, FormatQ] = "json",
):
    """Same JSON as ``critmin fta --json`` with the bundled schedule and tariffs (service
    :func:`critmin.services.fta.simulate_fta`; the GE option and file inputs are CLI-only)."""
    sim = simulate_fta(
        settings,
        reporter,
        partner,
        year=year,
        tariff_year=tariff_year,
        utilisation=utilisation,
        substitution_elasticity=sigma,
        export_supply_elasticity=export_supply,
        import_demand_elasticity=import_demand,
    )
    return respond(sim.to_dict(lines=lines), format, lambda: creation_diversion_figure(sim))
