"""Helpers shared by the routers: settings dependency, JSON responses, request bodies as files."""

from __future__ import annotations

import json
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Callable, Iterator, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from critmin.config import Settings
from critmin.errors import CritminError
from critmin.jsonable import jsonable


def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]
"""The :class:`~critmin.config.Settings` the app was created with (a FastAPI dependency)."""


def json_response(obj: Any, status_code: int = 200) -> Response:
    """A JSON response of ``obj`` (NaN -> null; dates and other objects as strings)."""
    body = json.dumps(jsonable(obj), default=str, ensure_ascii=False)
    return Response(body, status_code=status_code, media_type="application/json")


def split_codes(values: list[str] | None) -> list[str]:
    """Upper-cased codes from repeated and/or comma-separated query values (``?fta=PER,CHL&fta=NZL``)."""
    out: list[str] = []
    for v in values or []:
        out += [x.strip().upper() for x in v.split(",") if x.strip()]
    return out


@contextmanager
def body_as_file(text: str, name: str) -> Iterator[Path]:
    """Write a request body to a temporary file ``name`` for a service that reads files.

    Errors raised while the file is in use name it as ``request body (name)`` instead of
    the temporary path.
    """
    with tempfile.TemporaryDirectory(prefix="critmin-web-") as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        try:
            yield path
        except CritminError as exc:
            if exc.args:
                exc.args = (str(exc).replace(str(path), f"request body ({name})"),) + exc.args[1:]
            raise


YAML_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/yaml": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}}},
    }
}
"""OpenAPI description of a scenario body given as YAML text or a JSON object."""


async def body_text(request: Request) -> str:
    """The raw request body as text (YAML; JSON is valid YAML)."""
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from critmin.errors import DataFormatError

        raise DataFormatError("request body", "expected UTF-8 text (a YAML or JSON scenario)") from None


Format = Literal["json", "chart"]
FormatQ = Query(description="`json` (default): the result; `chart`: a self-contained HTML page with the "
                            "result's chart (plotly.js inlined, works offline).")


def respond(result: Any, fmt: str, figure: Callable[[], Any] | None = None) -> Response:
    """The JSON of ``result``, or with ``fmt == "chart"`` an offline HTML page of ``figure()``."""
    if fmt != "chart":
        return json_response(result)
    if figure is None:
        from fastapi import HTTPException

        raise HTTPException(400, "this result has no chart; use format=json")
    fig = figure()
    page = fig.to_html(include_plotlyjs=True, full_html=True)
    return HTMLResponse(page)
