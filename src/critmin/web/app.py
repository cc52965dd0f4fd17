"""The FastAPI application: routers per topic and one error handler for critmin's errors."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from critmin.config import Settings, load_settings
from critmin.errors import (
    ConfigError,
    CritminError,
    DataFormatError,
    EmptySelectionError,
    UnknownCodeError,
    WarehouseError,
    echo,
)

STATUS = [
    (UnknownCodeError, 400),  # a country, HS, mineral or port code critmin does not know
    (ConfigError, 400),  # a bad option value
    (EmptySelectionError, 404),  # a valid query that selects no data
    (DataFormatError, 422),  # a scenario body (or data file) with the wrong format
    (WarehouseError, 503),  # the warehouse is not built: run `critmin data build`
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
        parts.append(f"{where}: {e.get('msg')}" + (f" (got {echo(e['input'])})" if e.get("input") is not None else ""))
    return _error(422, "; ".join(parts) or "invalid request")


log = logging.getLogger("critmin.web")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """HTTP 500 with a reference only: the traceback goes to the server log, never to the client."""
    ref = uuid.uuid4().hex[:12]
    log.error(
        "internal error %s on %s %s",
        ref,
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return _error(500, f"internal error (reference {ref}); the server log has the details")


MAX_BODY_BYTES = 1_000_000
"""Largest request body accepted (a scenario is a few KB)."""


def create_app(settings: Settings | None = None, *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The critmin web app (JSON API + HTML pages) over the warehouse of ``settings``.

    Parameters
    ----------
    settings : Settings, optional
        Where the warehouse lives; default :func:`critmin.config.load_settings` (environment).
        The app always serves it read-only (``settings.read_only``): a GET never builds,
        fetches or writes; a table that is not built is HTTP 503 naming the command that
        builds it.
    max_body_bytes : int
        Larger request bodies are refused with HTTP 413 (default :data:`MAX_BODY_BYTES`).

    Returns
    -------
    FastAPI
        Endpoints ``/trade``, ``/dependence``, ``/production``, ``/criticality``, ``/fta``,
        ``/fta/scenarios``, ``/shock`` (POST), ``/sourcing``, ``/contract`` (POST), ``/route``,
        ``/projection``, ``/negotiations``, ``/news/facts``, ``/news/conflicts``, ``/data/status``,
        ``/api/products/search``, ``/api/products/expand``,
        the pages ``/``, ``/app/<question>`` (form, table, chart, notes, CSV/Excel downloads) and
        ``/brief``, and ``/docs`` (Swagger UI served locally). Errors come back as ``{"error": message}``.
        Successful JSON answers to ``GET`` are cached per warehouse build
        (:class:`critmin.web.cache.JsonResponseCache`).
    """
    from critmin.web import (
        routes_app,
        routes_criticality,
        routes_data,
        routes_explorer,
        routes_fta,
        routes_news,
        routes_pages,
        routes_products,
        routes_scenarios,
    )
    from critmin.web.cache import JsonResponseCache

    app = FastAPI(
        title="critmin",
        version=_version(),
        description="Critical-mineral supply security and trade-agreement analytics. Each endpoint "
        "returns the same JSON as the matching `critmin ... --json` command; errors "
        'come back as `{"error": message}`.',
        docs_url=None,
        redoc_url=None,
    )  # /docs is served with local Swagger UI files (routes_app)
    settings = settings if settings is not None else load_settings()
    app.state.settings = settings.with_(read_only=True)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(YearRange)
    app.add_middleware(JsonResponseCache, settings_of=lambda: app.state.settings)
    for module in (
        routes_app,
        routes_pages,
        routes_explorer,
        routes_criticality,
        routes_fta,
        routes_scenarios,
        routes_news,
        routes_data,
        routes_products,
    ):
        app.include_router(module.router)
    # FastAPI's decorator form registers each handler with its own exception type (Starlette's
    # add_exception_handler types every handler as taking a bare Exception)
    app.exception_handler(CritminError)(_critmin_error)
    app.exception_handler(ValueError)(_value_error)
    app.exception_handler(HTTPException)(_http_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(Exception)(_unexpected)
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("critmin")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        return "0"


class BodyLimit:
    """ASGI middleware: refuse a request body over ``max_bytes`` with HTTP 413.

    A declared ``Content-Length`` over the limit is refused before reading; a
    streamed (chunked) body is counted as it arrives and cut at the limit.
    """

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = True
            if too_big:
                return await self._refuse(scope, receive, send)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:  # a streamed body: answered by the HTTPException handler
                    raise HTTPException(413, f"request body over {self.max_bytes:,} bytes")
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, scope, receive, send):
        response = _error(413, f"request body over {self.max_bytes:,} bytes")
        await response(scope, receive, send)


YEARS = (1, 9999)
"""Range of every ``year`` / ``*_year`` query parameter (a bigger number is no year, and overflows engines)."""


def is_year_name(name: str) -> bool:
    return name == "year" or name.endswith("_year") or name == "years"


class YearRange:
    """ASGI middleware: a ``year`` or ``*_year`` query value outside :data:`YEARS` is HTTP 422.

    The pages under ``/app/`` check their own fields (and show the message on the page).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("query_string") and not scope["path"].startswith("/app/"):
            from urllib.parse import parse_qsl

            for name, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
                if not is_year_name(name):
                    continue
                for part in value.split(","):
                    part = part.strip()
                    if part.lstrip("+-").isdigit() and len(part) < 12 and YEARS[0] <= int(part) <= YEARS[1]:
                        continue
                    if part.lstrip("+-").isdigit() or len(part) > 12:
                        response = _error(
                            422,
                            f"query parameter '{name}': expected a year from {YEARS[0]} "
                            f"to {YEARS[1]} (got {echo(part, 24)})",
                        )
                        return await response(scope, receive, send)
        await self.app(scope, receive, send)
