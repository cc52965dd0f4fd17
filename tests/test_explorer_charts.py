"""save_figure writes self-contained HTML, PNG and SVG atomically; figure builders take service results."""

from __future__ import annotations

import shutil

import plotly.graph_objects as go
import pytest

from critmin.errors import ConfigError
from critmin.report.charts import save_figure
from critmin.report.figures_explorer import production_figure
from critmin.services.explorer import production


def test_html_is_self_contained(tmp_path):
    path = save_figure(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), tmp_path / "out" / "fig.html")
    html = path.read_text()
    assert "<script src=" not in html  # plotly.js inlined, nothing fetched from a CDN
    assert "Plotly.newPlot" in html or "plotly" in html.lower()
    assert not list((tmp_path / "out").glob(".*tmp*"))


def test_unknown_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown suffix '\.jpg'.*\.html, \.png, \.svg"):
        save_figure(go.Figure(), tmp_path / "fig.jpg")
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("google-chrome")), reason="PNG export needs a Chromium for kaleido"
)
def test_png_of_a_production_chart(built_settings, tmp_path):
    fig = production_figure(production(built_settings, "copper", stage="mine"))
    path = save_figure(fig, tmp_path / "copper.png", width=600, height=400)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5_000
