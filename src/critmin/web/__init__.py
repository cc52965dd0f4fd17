"""critmin's web front end: a FastAPI JSON API over :mod:`critmin.services` and a few HTML pages.

Like the CLI, it holds no analysis: each endpoint parses its query parameters, calls one
service function and returns that function's JSON (the same shape as the CLI's ``--json``).
Build the app with :func:`create_app`; run it with ``critmin serve``.
"""

from critmin.web.app import create_app

__all__ = ["create_app"]
