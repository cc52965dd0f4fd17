"""Write Plotly figures to files: self-contained HTML (plotly.js inlined), PNG or SVG.

Static images go through kaleido, which drives a Chromium; critmin points it
at the system browser (``$CRITMIN_CHROMIUM`` or ``chromium`` on PATH) through
kaleido's documented ``BROWSER_PATH`` environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path

from critmin.errors import ConfigError

SUFFIXES = (".html", ".png", ".svg")


def _use_system_chromium() -> None:
    if os.environ.get("BROWSER_PATH"):
        return
    from critmin.report.browser import find_chromium

    os.environ["BROWSER_PATH"] = find_chromium()


def save_figure(fig, path: str | Path, *, width: int = 1000, height: int = 600, scale: float = 1.0) -> Path:
    """Save ``fig`` by file suffix, atomically (tmp file + rename).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    path : str or Path
        ``.html`` (self-contained: plotly.js inlined, no CDN), ``.png`` or ``.svg``.
    width, height, scale : keyword-only
        Size of static images in pixels.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ConfigError
        Unknown suffix, or no Chromium for PNG/SVG.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(
            f"cannot write a chart to {path.name!r}: unknown suffix {path.suffix or '(none)'!r}; "
            f"use one of {', '.join(SUFFIXES)}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{suffix}")
    try:
        if suffix == ".html":
            fig.write_html(str(tmp), include_plotlyjs=True, full_html=True)
        else:
            _use_system_chromium()
            fig.write_image(str(tmp), format=suffix[1:], width=width, height=height, scale=scale)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
