"""The analyst's pages in a real browser: headless Chromium fills each form, submits it, and checks
that the table has rows, the Plotly chart rendered and the downloads hold the table's columns.

The server is ``critmin serve`` (uvicorn) in a subprocess over a built warehouse with the held-out
news articles ingested. Every request the browser makes to another host is blocked and recorded:
the pages must work offline. Full-page screenshots go to ``$CRITMIN_WEB_SHOTS`` (default
``/tmp/web-shots``).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")

pytestmark = pytest.mark.slow

ARTICLES = Path(__file__).resolve().parent / "data" / "news_heldout" / "articles"
SHOTS = Path(os.environ.get("CRITMIN_WEB_SHOTS", "/tmp/web-shots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_settings, tmp_path_factory):
    """``critmin serve`` on a free port over a copy of the built home with news ingested."""
    from critmin.config import load_settings
    from critmin.services.news import ingest_articles

    home = tmp_path_factory.mktemp("webapp") / "home"
    shutil.copytree(built_settings.home, home)
    s = load_settings(home=home, mirror=built_settings.mirror, offline=True)
    ingest_articles(s, [str(ARTICLES)])
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[1] / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "critmin",
            "serve",
            "--port",
            str(port),
            "--home",
            str(home),
            "--mirror",
            str(built_settings.mirror),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(base + "/fta/scenarios", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"critmin serve did not start: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium on this machine (scripts/setup.sh installs Debian's chromium)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    """A fresh page whose requests to any other host are blocked and listed in ``page.outside``."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.outside = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            return route.continue_()
        pg.outside.append(route.request.url)
        return route.abort()

    pg.route("**/*", guard)
    yield pg
    ctx.close()


# page -> form values to enter (select: option value or list of values; checkbox: True/False; else typed text)
PAGES = {
    "trade": {"reporter": "IND", "partner": "PER", "year": "2024", "basis": "CY"},
    "dependence": {"reporter": "IND", "mineral": "copper", "year": "2024"},
    "production": {"mineral": "copper", "stage": "mine", "country": "PER"},
    "criticality": {"reporter": "IND", "method": "eu", "year": "2024", "draws": "100"},
    "fta": {"reporter": "IND", "partner": "PER", "year": "2024"},
    "shock": {
        "restricting": "CHN",
        "mineral": "graphite",
        "stage": "ore",
        "severity": "quota",
        "severity_value": "0.5",
    },
    "sourcing": {"mineral": "copper", "stage": "concentrate", "year": "2030", "port": "Mundra", "fta": ["PER", "CHL"]},
    "route": {"from": "Callao", "to": "Visakhapatnam", "closed": ["magellan"]},
    "projection": {"mineral": "copper", "end_year": "2047"},
    "negotiations": {"reporter": "IND", "partner": "PER"},
    "facts": {"merged": True},
    "conflicts": {"all": True},
    "status": {},
}


def fill(pg, values: dict) -> None:
    for name, value in values.items():
        el = pg.locator(f"form.question [name='{name}']").first
        tag = el.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag.startswith("select"):
            el.select_option(value)
        elif tag.endswith(":checkbox"):
            el.set_checked(bool(value))
        else:
            el.fill(str(value))


def assert_offline(pg) -> None:
    bad = pg.eval_on_selector_all(
        "script[src], link[href], img[src], iframe[src]",
        "els => els.map(e => e.getAttribute('src') || e.getAttribute('href')).filter(u => /^(https?:)?\\/\\//.test(u))",
    )
    assert not bad, f"page loads from another host: {bad}"
    assert not pg.outside, f"requests left the machine: {pg.outside}"


@pytest.mark.parametrize("slug", list(PAGES))
def test_page_form_table_chart_downloads(page, server, slug):
    from critmin.web.questions import BY_SLUG

    q = BY_SLUG[slug]
    page.goto(f"{server}/app/{slug}")
    assert page.locator("nav a[href='/app/trade']").count() == 1  # the shared navigation
    if q.fields:
        fill(page, PAGES[slug])
        with page.expect_navigation():
            page.click("form.question button[type=submit]")
    assert page.locator(".error").count() == 0, page.locator(".error").inner_text()
    rows = page.locator("table#result tbody tr")
    assert rows.count() > 0
    columns = page.locator("table#result thead th").all_inner_texts()
    if q.charted:
        page.wait_for_selector("#chart .plotly svg.main-svg", timeout=30_000)
    assert page.locator("#footnotes dt").count() >= 1
    # the form keeps what was asked
    for name, value in PAGES[slug].items():
        if isinstance(value, str):
            assert page.locator(f"form.question [name='{name}']").first.input_value() == value
    # downloads: same columns as the table on the page (and as the JSON endpoint)
    csv_href = page.get_attribute("a#csv", "href")
    r = page.request.get(server + csv_href)
    assert r.status == 200 and r.headers["content-type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(r.text())))
    assert header == columns
    xr = page.request.get(server + page.get_attribute("a#xlsx", "href"))
    assert xr.status == 200
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(xr.body()), read_only=True)
    first = next(wb.worksheets[0].iter_rows(max_row=1, values_only=True))
    assert list(first) == columns
    assert_offline(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{slug}.png"), full_page=True)


def test_bad_input_shows_one_line_error(page, server):
    r = page.goto(f"{server}/app/dependence?reporter=IND&mineral=copper&year=19x")
    assert r.status == 422
    msg = page.locator(".error").inner_text()
    assert "Year" in msg and "19x" in msg and "Traceback" not in page.content()
    r = page.goto(f"{server}/app/dependence?reporter=IND&mineral=&stage=&year=2024")
    assert r.status == 422 and "mineral or a stage" in page.locator(".error").inner_text()
    r = page.goto(f"{server}/app/production?mineral=copper&stage=moonbeam")  # the service's own error
    assert r.status == 400 and "moonbeam" in page.locator(".error").inner_text()
    assert page.locator("form.question [name='stage']").input_value() == "moonbeam"  # the form keeps the input


def test_home_docs_and_brief_offline(page, server):
    page.goto(server + "/")
    assert page.locator(".cards .card").count() >= len(PAGES)
    assert_offline(page)
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .information-container h2", timeout=30_000)
    assert "critmin" in page.locator(".swagger-ui .information-container h2").inner_text()
    assert_offline(page)
    page.screenshot(path=str(SHOTS / "docs.png"))
    page.goto(server + "/app/brief")
    page.select_option("form.question [name='section']", ["total_trade", "trade"])
    with page.expect_navigation(timeout=120_000):
        page.click("form.question button[type=submit]")
    assert "/brief?" in page.url
    page.wait_for_selector(".plotly svg.main-svg", timeout=60_000)
    assert_offline(page)
    page.screenshot(path=str(SHOTS / "brief.png"), full_page=True)
