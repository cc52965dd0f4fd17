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
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
"""OpenAPI description of a scenario body given as YAML text or a JSON object."""


MAX_YAML_ALIASES = 100
"""Most YAML aliases (``*name``) a request body may use (an alias bomb expands exponentially)."""
MAX_YAML_DEPTH = 64
"""Deepest nesting of YAML/JSON collections a request body may have."""


async def body_text(request: Request) -> str:
    """The raw request body as text (YAML; JSON is valid YAML), checked by :func:`check_yaml_limits`."""
    from critmin.errors import DataFormatError

    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DataFormatError("request body", "expected UTF-8 text (a YAML or JSON scenario)") from None
    check_yaml_limits(text, "request body")
    return text


MAX_YAML_NODES = 100_000
"""Most values a request body may expand to once its aliases are resolved."""


def check_yaml_limits(
    text: str,
    name: str,
    *,
    max_aliases: int = MAX_YAML_ALIASES,
    max_depth: int = MAX_YAML_DEPTH,
    max_nodes: int = MAX_YAML_NODES,
) -> None:
    """Refuse YAML whose aliases or nesting would make it costly to load or answer.

    Reads the event stream only (nothing is built) and counts the size each anchor
    expands to, so the check costs O(len(text)) and an alias bomb (each level
    repeating the one before) is caught before it expands.

    Raises
    ------
    DataFormatError
        More than ``max_aliases`` aliases, more than ``max_nodes`` values once expanded,
        nesting deeper than ``max_depth``, or YAML the parser rejects (with its line).
    """
    import yaml

    from critmin.errors import DataFormatError

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    aliases = 0
    anchors: dict[str, int] = {}
    stack: list[list] = []  # open collections: [anchor, expanded size]

    def add(n: int) -> None:
        if stack:
            stack[-1][1] += n
            if stack[-1][1] > max_nodes:
                raise DataFormatError(
                    name, f"expands to over {max_nodes:,} values (YAML aliases); write the values out"
                )

    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > max_aliases:
                    raise DataFormatError(name, f"more than {max_aliases} YAML aliases (*name); write the values out")
                add(anchors.get(event.anchor, 1))
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor:
                    anchors[event.anchor] = 1
                add(1)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                stack.append([event.anchor, 1])
                if len(stack) > max_depth:
                    raise DataFormatError(name, f"nested too deep (over {max_depth} levels)")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, size = stack.pop()
                if anchor:
                    anchors[anchor] = size
                add(size)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise DataFormatError(
            name, f"not valid YAML: {problem}", row=mark.line + 1 if mark is not None else None
        ) from None


Format = Literal["json", "chart"]
FormatQ = Query(
    description="`json` (default): the result; `chart`: a self-contained HTML page with the "
    "result's chart (plotly.js inlined, works offline)."
)


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
