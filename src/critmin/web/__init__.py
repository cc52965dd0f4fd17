"""critmin's web front end: the analyst's pages and a FastAPI JSON API over :mod:`critmin.services`.

Like the CLI, it holds no analysis: each endpoint parses its query parameters, calls one
service function and returns that function's JSON (the same shape as the CLI's ``--json``);
each page (:mod:`critmin.web.questions`, :mod:`critmin.web.routes_app`) shows the same payload
as a form, a table, a chart, notes and CSV/Excel downloads.
Build the app with :func:`create_app`; run it with ``critmin serve``.
"""

from critmin.web.app import create_app

__all__ = ["create_app"]
