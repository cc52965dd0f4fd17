"""The FastAPI application: routers per topic and one error handler for critmin's errors."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from critmin.config import Settings, load_settings
from critmin.errors import (ConfigError, CritminError, DataFormatError, EmptySelectionError, UnknownCodeError,
                            WarehouseError)

STATUS = [
    (UnknownCodeError, 400),     # a country, HS, mineral or port code critmin does not know
    (ConfigError, 400),          # a bad option value
    (EmptySelectionError, 404),  # a valid query that selects no data
    (DataFormatError, 422),      # a scenario body (or data file) with the wrong format
    (WarehouseError, 503),       # the warehouse is not built: run `critmin data build`
]


def status_of(exc: CritminError) -> int:
    """HTTP status of a critmin error (400 for any kind not listed in :data:`STATUS`)."""
    for kind, code in STATUS:
        if isinstance(exc, kind):
            return code
    return 400


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _critmin_error(request: Request, exc: CritminError) -> JSONResponse:
    return _error(status_of(exc), str(exc))


async def _value_error(request: Request, exc: ValueError) -> JSONResponse:
    return _error(400, str(exc))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    parts = []
    for e in exc.errors():
        loc = [str(x) for x in e.get("loc", ()) if not isinstance(x, int)]  # no list positions
        where = f"{loc[0]} parameter '{'.'.join(loc[1:])}'" if len(loc) > 1 else ".".join(loc)
        parts.append(f"{where}: {e.get('msg')}" + (f" (got {e['input']!r})" if e.get("input") is not None else ""))
    return _error(422, "; ".join(parts) or "invalid request")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return _error(500, f"internal error ({type(exc).__name__}): {exc}")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The critmin web app (JSON API + HTML pages) over the warehouse of ``settings``.

    Parameters
    ----------
    settings : Settings, optional
        Where the warehouse lives; default :func:`critmin.config.load_settings` (environment).

    Returns
    -------
    FastAPI
        Endpoints ``/trade``, ``/dependence``, ``/production``, ``/criticality``, ``/fta``,
        ``/fta/scenarios``, ``/shock`` (POST), ``/sourcing``, ``/contract`` (POST), ``/route``,
        ``/projection``, ``/negotiations``, ``/news/facts``, ``/news/conflicts``, ``/data/status``,
        ``/api/products/search``, ``/api/products/expand``,
        and the pages ``/`` and ``/brief``. Errors come back as ``{"error": message}``.
    """
    from critmin.web import (routes_criticality, routes_data, routes_explorer, routes_fta, routes_news,
                             routes_pages, routes_products, routes_scenarios)

    app = FastAPI(title="critmin", version=_version(),
                  description="Critical-mineral supply security and trade-agreement analytics. Each endpoint "
                              "returns the same JSON as the matching `critmin ... --json` command; errors "
                              "come back as `{\"error\": message}`.")
    app.state.settings = settings if settings is not None else load_settings()
    for module in (routes_pages, routes_explorer, routes_criticality, routes_fta, routes_scenarios, routes_news,
                   routes_data, routes_products):
        app.include_router(module.router)
    app.add_exception_handler(CritminError, _critmin_error)
    app.add_exception_handler(ValueError, _value_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("critmin")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        return "0"
