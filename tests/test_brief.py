"""The main job: the brief renders offline, with charts drawn in headless Chromium, and as PDF."""

from __future__ import annotations

import re
import shutil

import pytest
from typer.testing import CliRunner

from critmin.cli import app
from critmin.report.base import BriefContext
from critmin.report.brief import write_brief

pytestmark = pytest.mark.slow  # the fast loop is pytest -m 'not slow'

needs_chromium = pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")),
    reason="Chromium is installed by scripts/setup.sh",
)


@pytest.fixture(scope="module")
def brief_html(built_settings, tmp_path_factory, warehouse):
    out = tmp_path_factory.mktemp("brief") / "brief.html"
    res = write_brief(BriefContext(built_settings, "IND", "PER", 2024), out, provenance=warehouse.provenance())
    return res, out


def test_every_section_builds(brief_html):
    res, _ = brief_html
    assert res.failed == {}, res.failed
    assert res.sections, "no section was built"


def test_brief_is_self_contained(brief_html):
    _, out = brief_html
    page = out.read_text()
    # no script or stylesheet is fetched from the network
    assert not re.search(r"<script[^>]+src=\"https?://", page)
    assert not re.search(r"<link[^>]+href=\"https?://", page)
    assert "Data sources and licences" in page
    assert "Etalab" in page  # BACI licence footnote


@needs_chromium
def test_charts_render_in_headless_chromium(brief_html):
    from critmin.report.browser import dump_dom

    _, out = brief_html
    dom = dump_dom(out)
    n_divs = len(re.findall(r'class="plotly-graph-div"', out.read_text()))
    assert n_divs > 0
    # plotly draws an <svg class="main-svg"> per chart once its script ran
    assert dom.count('class="main-svg"') >= n_divs


@needs_chromium
def test_pdf_brief_via_cli(built_settings, tmp_path):
    out = tmp_path / "brief.pdf"
    result = CliRunner().invoke(
        app,
        [
            "brief",
            "--reporter",
            "IND",
            "--partner",
            "PER",
            "--out",
            str(out),
            "--home",
            str(built_settings.home),
            "--strict",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-"
    assert out.stat().st_size > 20_000


def test_unknown_partner_is_a_clear_error(built_settings, tmp_path):
    result = CliRunner().invoke(
        app, ["brief", "--partner", "PERU", "--out", str(tmp_path / "b.html"), "--home", str(built_settings.home)]
    )
    assert result.exit_code != 0
    assert "unknown country 'PERU'" in str(result.exception) or "PERU" in result.output
    assert not (tmp_path / "b.html").exists()


def test_brief_opens_with_total_bilateral_trade(brief_html):
    res, out = brief_html
    assert res.sections[0] == "total_trade"
    text = out.read_text()
    first = text.index('<section id="total_trade">')
    assert first < text.index('<section id="trade">')
    assert first < text.index("4.98 bn") < text.index('<section id="trade">')
    assert "FY2024-25 (Indian financial year, April–March)" in text
    assert "Gold (including gold plated with platinum)" in text
