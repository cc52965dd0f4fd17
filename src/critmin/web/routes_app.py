"""The analyst's pages: ``/app/<question>`` (form, table, chart, notes), their CSV/Excel downloads,
and the static files the pages and ``/docs`` load (plotly.js, Swagger UI) so nothing comes from a CDN.

The pages are server-rendered Jinja2 templates over the same service calls as the JSON
endpoints (see :mod:`critmin.web.questions`); forms are plain HTML ``GET`` forms, so every
result has a URL that can be bookmarked or shared.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from critmin.errors import CritminError
from critmin.tables import csv_bytes, flat_cell, fmt_number, json_tables, main_table, xlsx_bytes
from critmin.web import forms as F
from critmin.web.cache import LruCache, build_id, normalized_query
from critmin.web.forms import Field, FormError, parse_form
from critmin.web.questions import BY_SLUG, QUESTIONS, Answer, Question, footnotes

router = APIRouter(include_in_schema=False)

SHOWN_ROWS = 500
"""Rows of the main table shown on a page (the downloads hold every row)."""
SHOWN_OTHER_ROWS = 100
ANSWER_CACHE_ENTRIES = 64


@lru_cache(maxsize=1)
def templates():
    """The Jinja2 environment of the page templates (HTML autoescaped)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("critmin.web", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """An HTML response of template ``name`` with the navigation (``nav``) and ``context``."""
    context.setdefault("nav", QUESTIONS)
    context.setdefault("with_plotly", False)
    return HTMLResponse(templates().get_template(name).render(**context), status_code=status_code)


# answers ----------------------------------------------------------------------------------------


def _answers(request: Request) -> LruCache:
    cache = getattr(request.app.state, "answer_cache", None)
    if cache is None:
        cache = request.app.state.answer_cache = LruCache(ANSWER_CACHE_ENTRIES)
    return cache


def answer(request: Request, q: Question, values: dict) -> Answer:
    """The question's answer for ``values``, kept per warehouse build (a page and its downloads run once)."""
    settings = request.app.state.settings
    key = (q.slug, normalized_query(F.form_query(q.fields, values)), build_id(settings))
    cache = _answers(request)
    hit = cache.get(key)
    if hit is None:
        hit = q.run(settings, values)
        cache.put(key, hit)
    return hit


def _status(exc: Exception) -> int:
    from critmin.web.app import status_of

    if isinstance(exc, FormError):
        return 422
    if isinstance(exc, CritminError):
        return status_of(exc)
    return 400  # ValueError from a service: a bad option value


PLAIN_NUMBER_COLUMNS = re.compile(r"(^|_)(year|years|hs\d*|code|id|seed)($|_)")
"""Columns whose whole numbers are labels, shown without thousands separators (2029, 260300)."""
CELL_CHARS = 80
"""Longer cells are cut on the page (full text in the cell's tooltip and in the downloads)."""
KEY_FIGURE_CHARS = 48
NOT_KEY_FIGURES = {"backend"}  # how the answer was computed, not what it says (in the JSON)
"""Longer scalar fields are left out of the key figures (they are in the notes and the tables)."""


def _cells(rows: list[dict], columns: list[str], limit: int) -> list[list[tuple[str, bool, str]]]:
    """``(text, is_number, full_text_if_cut)`` per cell of the first ``limit`` rows, in critmin's number style."""
    out = []
    for r in rows[:limit]:
        line = []
        for c in columns:
            v = flat_cell(r.get(c))
            numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
            if numeric and float(v).is_integer() and PLAIN_NUMBER_COLUMNS.search(c.lower()):
                text = str(int(v))
            else:
                text = fmt_number(v, decimals=4 if numeric and abs(v) < 1 else 2)
            cut = len(text) > CELL_CHARS
            line.append((text[:CELL_CHARS] + "…" if cut else text, numeric, text if cut else ""))
        out.append(line)
    return out


def _key_figures(summary: dict, payload: Any) -> list[tuple[str, str]]:
    """The payload's scalar fields, and those of its one-level objects (``total imports_usd``), as text."""
    flat = {k: v for k, v in summary.items() if k not in NOT_KEY_FIGURES}
    if isinstance(payload, dict):
        for key, value in payload.items():
            if isinstance(value, dict):
                flat.update({f"{key} {k}": v for k, v in value.items() if not isinstance(v, (list, dict))})
    cells = _cells([flat], list(flat), 1)[0]
    return [
        (k, cell)
        for k, (cell, _, full) in zip(flat, cells)  # long texts are in the notes and tables
        if cell != "" and not full and len(cell) <= KEY_FIGURE_CHARS
    ]


def _columns(rows: list[dict]) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return list(cols)


def _figure_html(figure) -> str:
    fig = figure()
    fig.update_layout(autosize=True, height=480, margin=dict(l=60, r=30, t=70, b=60))
    return fig.to_html(
        include_plotlyjs=False,
        full_html=False,
        default_width="100%",
        default_height="480px",
        config={"displaylogo": False, "responsive": True},
    )


def _json_url(q: Question, query: list[tuple[str, str]]) -> str:
    """The JSON endpoint's URL for the same answer."""
    pairs = q.endpoint_query(query) if q.endpoint_query else query
    return q.endpoint + ("?" + urlencode(pairs) if pairs else "")


def question_page(request: Request, q: Question) -> HTMLResponse:
    """A question's page: the form alone, or (with a query) the form, key figures, chart, table and notes.

    A bad form value is HTTP 422 and a service error its status (400, 404, 503), with the
    one-line message above the form.
    """
    query = [(k, v) for k, v in request.query_params.multi_items()]
    ask = bool(query) or not q.fields
    context: dict[str, Any] = {
        "q": q,
        "fields": q.fields,
        "current": q.slug,
        "answered": False,
        "error": None,
        "choices": {f.name: f.choices() for f in q.fields if f.options},
    }
    try:
        values = parse_form(q.fields, query)
    except FormError as exc:
        values = F.raw_form(q.fields, query)  # the form shows what was typed, with the message
        return render("question.html.j2", 422, values=values, **{**context, "error": str(exc)})
    context["values"] = values
    for f in q.fields:  # a multiple choice lists what is chosen first (long lists hide it otherwise)
        if f.kind == "multi" and values.get(f.name):
            chosen = set(values[f.name])
            opts = context["choices"][f.name]
            context["choices"][f.name] = [o for o in opts if o[0] in chosen] + [o for o in opts if o[0] not in chosen]
    if not ask:
        return render("question.html.j2", **context)
    try:
        ans = answer(request, q, values)
        chart = _figure_html(ans.figure) if ans.figure is not None else None
    except (CritminError, ValueError) as exc:
        return render("question.html.j2", _status(exc), **{**context, "error": str(exc)})
    tables = json_tables(ans.payload)
    main = page_table(q, tables)
    rows = tables[main]
    cols = _columns(rows)
    summary = tables.get("summary") if main != "summary" else None
    if q.key_figures is not None:
        key_figures = [(k, v) for k, v in q.key_figures(ans.payload) if v]
    else:
        key_figures = _key_figures(summary[0], ans.payload) if summary else []
    others = [
        (name, _columns(t), _cells(t, _columns(t), SHOWN_OTHER_ROWS), len(t))
        for name, t in tables.items()
        if name not in (main, "summary" if summary else None)
    ]
    submitted = F.form_query(q.fields, values)
    note = [("Warehouse build", build_id(request.app.state.settings) or "none")]
    context.update(answered=True, chart=chart, with_plotly=chart is not None)
    return render(
        "question.html.j2",
        **context,
        main_name=main,
        main_columns=cols,
        main_rows=_cells(rows, cols, SHOWN_ROWS),
        main_total=len(rows),
        others=others,
        key_figures=key_figures,
        footnotes=footnotes(q, ans.payload) + note,
        query=urlencode(submitted),
        json_url=_json_url(q, submitted),
        request_body=ans.request_body,
    )


def page_table(q: Question, tables: dict[str, list[dict]]) -> str:
    """The table a page shows first and its CSV holds: the question's own, else the largest."""
    return q.table if q.table in tables else main_table(tables)


def download(request: Request, q: Question, fmt: str) -> Response:
    """The page's tables as a file: CSV (the main table) or Excel (every table, one sheet each)."""
    try:
        values = parse_form(q.fields, list(request.query_params.multi_items()))
        ans = answer(request, q, values)
    except (CritminError, ValueError) as exc:
        return Response(f"error: {exc}\n", status_code=_status(exc), media_type="text/plain; charset=utf-8")
    tables = json_tables(ans.payload)
    main = page_table(q, tables)
    if fmt == "csv":
        body, media = csv_bytes(tables[main]), "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes(tables, first=main)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="critmin-{q.slug}.{fmt}"'}
    )


@router.get("/app")
def app_home() -> Response:
    """``/app`` is the home page."""
    from fastapi.responses import RedirectResponse

    return RedirectResponse("/", status_code=307)


BRIEF_FIELDS = (
    Field("reporter", "Reporter", "select", "IND", F.countries),
    Field("partner", "Partner", "select", "PER", F.countries, optional=True),
    Field("section", "Sections (none chosen: all)", "multi", [], F.brief_sections),
)


@router.get("/app/brief")
def brief_form() -> HTMLResponse:
    """The brief's form; it submits to ``/brief`` (the self-contained page)."""
    return render(
        "brief_form.html.j2", fields=BRIEF_FIELDS, current="brief", choices={f.name: f.choices() for f in BRIEF_FIELDS}
    )


@router.get("/app/{name}")
def page(request: Request, name: str) -> Response:
    """``/app/<question>`` is the page; ``/app/<question>.csv`` / ``.xlsx`` its table files."""
    stem, _, ext = name.partition(".")
    q = BY_SLUG.get(stem)
    if q is None or ext not in ("", "csv", "xlsx"):
        raise HTTPException(404, "Not Found")
    return download(request, q, ext) if ext else question_page(request, q)


# static files -----------------------------------------------------------------------------------

STATIC_HEADERS = {"Cache-Control": "public, max-age=86400"}


@lru_cache(maxsize=1)
def plotly_js() -> Path:
    """plotly.min.js of the installed ``plotly`` package (the version the figures are made with)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@router.get("/static/plotly.min.js")
def plotly_script() -> FileResponse:
    """plotly.js for the pages' charts (no CDN)."""
    return FileResponse(plotly_js(), media_type="text/javascript", headers=STATIC_HEADERS)


SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
    "LICENSE": "text/plain",
}
"""Swagger UI assets served from the installed ``swagger-ui-py`` package (Apache-2.0, its LICENSE beside them)."""


@lru_cache(maxsize=1)
def swagger_dir() -> Path:
    """The folder of Swagger UI's files in the installed ``swagger-ui-py`` package."""
    return Path(str(resources.files("swagger_ui") / "static"))


@router.get("/static/swagger-ui/{name}")
def swagger_asset(name: str) -> FileResponse:
    """One of :data:`SWAGGER_FILES` (any other name is 404)."""
    if name not in SWAGGER_FILES:
        raise HTTPException(404, "Not Found")
    return FileResponse(swagger_dir() / name, media_type=SWAGGER_FILES[name], headers=STATIC_HEADERS)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json`` with its script and style served locally (works offline)."""
    from fastapi.openapi.docs import get_swagger_ui_html

    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} API",
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
    )
