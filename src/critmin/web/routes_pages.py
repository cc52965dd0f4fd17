"""HTML pages: ``/`` (the app's home: questions and the index of the endpoints) and ``/brief`` (the brief)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from critmin.web._common import SettingsDep

router = APIRouter(tags=["pages"])


def _section_keys() -> tuple[str, ...]:
    from critmin.report.brief import discover_sections

    return tuple(m.__name__.rsplit(".", 1)[-1] for m in discover_sections())


SECTIONS = _section_keys()
if TYPE_CHECKING:  # a brief section's module name, known only at run time
    SectionName = str
else:  # FastAPI validates and documents the choices
    SectionName = Literal[SECTIONS] if SECTIONS else str

EXAMPLES = {
    "/trade": "/trade?reporter=IND&partner=PER&year=2024",
    "/dependence": "/dependence?reporter=IND&mineral=copper&year=2024",
    "/production": "/production?mineral=copper&stage=mine",
    "/criticality": "/criticality?reporter=IND&year=2024&method=eu&draws=200",
    "/fta": "/fta?reporter=IND&partner=PER",
    "/fta/scenarios": "/fta/scenarios",
    "/sourcing": "/sourcing?mineral=copper&stage=concentrate&year=2030&fta=PER,CHL",
    "/route": "/route?from=Callao&to=Visakhapatnam",
    "/projection": "/projection?mineral=copper",
    "/negotiations": "/negotiations?reporter=IND",
    "/news/facts": "/news/facts?merged=true",
    "/news/conflicts": "/news/conflicts",
    "/data/status": "/data/status",
    "/api/products/search": "/api/products/search?q=lithium%20hydroxide",
    "/api/products/expand": "/api/products/expand?code=2603",
    "/brief": "/brief?reporter=IND&partner=PER&year=2024",
}


@router.get("/", response_class=HTMLResponse, summary="Home page: the questions (forms) and the index of the endpoints")
def index(request: Request) -> HTMLResponse:
    """The app's home page: the questions (pages with forms) and every JSON endpoint with an example link."""
    from critmin.web.routes_app import render

    endpoints = []
    for path, operations in request.app.openapi()["paths"].items():
        for method, op in operations.items():
            if path == "/":
                continue
            endpoints.append(
                (method.upper(), path, op.get("summary", ""), EXAMPLES.get(path) if method == "get" else None)
            )
    return render("home.html.j2", endpoints=endpoints, current="")


@router.get("/brief", response_class=HTMLResponse, summary="The self-contained HTML brief (works offline)")
def brief(
    request: Request,
    settings: SettingsDep,
    reporter: Annotated[str, Query(description="ISO3 of the importing country.")] = "IND",
    partner: Annotated[Optional[str], Query(description="ISO3 of the partner country.")] = "PER",
    year: Annotated[int, Query(description="Reference year of the trade data.")] = 2024,
    section: Annotated[
        Optional[list[SectionName]], Query(description="Only these sections (repeat for several); default all.")
    ] = None,
) -> HTMLResponse:
    """The page ``critmin brief`` writes (charts with plotly.js inlined, no CDN), built on request.

    Sections that could not be built are listed in the ``X-Critmin-Failed-Sections`` header.
    The last few pages are kept in memory per warehouse build, so a repeated request is instant
    and a rebuilt warehouse gives a fresh page.
    """
    from critmin.report.base import BriefContext
    from critmin.report.brief import write_brief
    from critmin.services.data import ensure_warehouse
    from critmin.services.reference import check_country

    wh = ensure_warehouse(settings, progress=False)
    reporter = check_country(settings, reporter)
    partner = check_country(settings, partner) if partner else None
    key = (wh.path.name, reporter, partner, year, tuple(section or ()))
    cache = _brief_cache(request)
    if key not in cache:
        ctx = BriefContext(settings=settings, reporter=reporter, partner=partner, year=year)
        with tempfile.TemporaryDirectory(prefix="critmin-brief-") as tmp:
            res = write_brief(ctx, Path(tmp) / "brief.html", only=section, provenance=wh.provenance())
            cache[key] = (res.path.read_text(encoding="utf-8"), sorted(res.failed))
        while len(cache) > BRIEF_CACHE_SIZE:
            cache.pop(next(iter(cache)))
    page, failed = cache[key]
    headers = {"X-Critmin-Failed-Sections": ", ".join(failed)} if failed else None
    return HTMLResponse(page, headers=headers)


BRIEF_CACHE_SIZE = 8


def _brief_cache(request: Request) -> dict:
    if not hasattr(request.app.state, "brief_cache"):
        request.app.state.brief_cache = {}
    return request.app.state.brief_cache
