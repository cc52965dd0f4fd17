"""``/criticality``: criticality and supply-risk scores per mineral and value-chain stage."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Annotated, Literal, Optional

from fastapi import APIRouter, Query

from critmin.report.figures_criticality import criticality_matrix_figure
from critmin.services.criticality import Method, criticality_scores
from critmin.web._common import Format, FormatQ, SettingsDep, respond

router = APIRouter(tags=["criticality"])


def _bundled_scenarios() -> dict[str, str]:
    folder = resources.files("critmin") / "criticality_data" / "scenarios"
    try:
        return {p.name.rsplit(".", 1)[0]: str(p) for p in folder.iterdir() if p.name.endswith((".yaml", ".yml"))}
    except (FileNotFoundError, NotADirectoryError):
        return {}


SCENARIOS = _bundled_scenarios()
if TYPE_CHECKING:  # a name of a bundled scenario file, known only at run time
    ScenarioName = str
else:  # FastAPI validates and documents the choices
    ScenarioName = Literal[tuple(sorted(SCENARIOS))] if SCENARIOS else str


@router.get("/criticality", summary="Supply risk, economic importance and criticality of every mineral")
def criticality(
    settings: SettingsDep,
    reporter: Annotated[str, Query(description="Importer ISO3.")] = "IND",
    year: Annotated[int, Query(description="Trade year (production and WGI: latest up to it).")] = 2024,
    method: Annotated[
        Method, Query(description="`eu` (JRC 2017), `geopolrisk` or the `geodep` product screen.")
    ] = "eu",
    scenario: Annotated[
        Optional[ScenarioName], Query(description="A bundled policy-lever scenario; scores are recomputed under it.")
    ] = None,
    draws: Annotated[int, Query(ge=0, le=100_000, description="Monte-Carlo draws (0: point scores only).")] = 1000,
    seed: Annotated[int, Query(description="Random seed (same seed, same bands).")] = 0,
    agreements: Annotated[
        bool, Query(description="Lower t (x0.8) of partners sharing an RTA in force with the reporter.")
    ] = False,
    parameters: Annotated[
        Literal["eu2023", "eu2017"], Query(description="EU assessment whose EoL-RIR, SI and EI are used.")
    ] = "eu2023",
    format: Annotated[Format, FormatQ] = "json",
):
    """Same JSON as ``critmin criticality --json`` (service
    :func:`critmin.services.criticality.criticality_scores`)."""
    res = criticality_scores(
        settings,
        reporter.upper(),
        year,
        method=method,
        scenario=SCENARIOS[scenario] if scenario else None,
        draws=draws,
        seed=seed,
        agreements=agreements,
        parameters=parameters,
    )
    return respond(res, format, None if method == "geodep" else lambda: criticality_matrix_figure(res))
