"""``critmin serve``: the web front end (the analyst's pages, JSON API and HTML brief) with uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from critmin.cli._common import HomeOpt, MirrorOpt, console, settings_from


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Serve the JSON API (same JSON as --json), the index page and the HTML brief; docs at /docs."""
    import uvicorn

    from critmin.web import create_app

    app = create_app(settings_from(home, mirror))
    console.print(f"critmin web front end on http://{host}:{port}/ (API docs at /docs); Ctrl+C to stop")
    uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
