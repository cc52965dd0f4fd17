"""The analyst's pages without a browser: same payload and columns as the JSON endpoints, offline
markup, pickers from the vocabularies, one-line errors with 4xx."""

from __future__ import annotations

import csv
import html
import io
import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from critmin.tables import json_tables
from critmin.web import create_app
from critmin.web.questions import BY_SLUG, QUESTIONS
from critmin.web.routes_app import page_table

QUERIES = {
    "trade": "reporter=IND&partner=PER&year=2024&basis=FY",
    "dependence": "reporter=IND&mineral=copper&year=2024",
    "production": "mineral=copper&stage=mine&country=PER",
    "criticality": "reporter=IND&method=eu&year=2024&draws=0",
    "fta": "reporter=IND&partner=PER&year=2024",
    "sourcing": "mineral=copper&stage=concentrate&year=2030&fta=PER&fta=CHL",
    "route": "from=Callao&to=Visakhapatnam&closed=panama",
    "projection": "mineral=copper&end_year=2040",
    "negotiations": "reporter=IND",
    "status": "",
}


@pytest.fixture(scope="module")
def client(built_settings):
    return TestClient(create_app(built_settings))


@pytest.mark.parametrize("slug", list(QUERIES))
def test_page_table_and_downloads_match_the_json_endpoint(client, slug):
    q = BY_SLUG[slug]
    r = client.get(f"/app/{slug}?{QUERIES[slug]}")
    assert r.status_code == 200, r.text[-500:]
    json_url = html.unescape(re.search(r'same data as JSON: <a href="([^"]+)"', r.text).group(1))
    assert json_url.startswith(q.endpoint)
    payload = client.get(json_url)
    assert payload.status_code == 200, payload.text[:300]
    tables = json_tables(payload.json())
    main = page_table(q, tables)
    columns = list(dict.fromkeys(k for row in tables[main] for k in row))
    shown = re.findall(r"<th>([^<]*)</th>", r.text.split('id="result"')[1].split("</thead>")[0])
    assert [html.unescape(c) for c in shown] == columns
    result = r.text.split('id="result"')[1].split("</table>")[0]
    assert result.count("<tr>") - 1 == min(len(tables[main]), 500) > 0
    got = client.get(f"/app/{slug}.csv?{QUERIES[slug]}")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[0] == columns and len(rows) - 1 == len(tables[main])
    x = client.get(f"/app/{slug}.xlsx?{QUERIES[slug]}")
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(x.content), read_only=True)
    assert wb.sheetnames[0] == main[:31] and set(wb.sheetnames) == {n[:31] for n in tables}
    if q.charted:
        assert 'src="/static/plotly.min.js"' in r.text and "Plotly.newPlot" in r.text


def test_trade_page_sends_the_period_of_its_basis(client):
    r = client.get(f"/app/trade?{QUERIES['trade']}")
    assert "period=FY2024-25" in html.unescape(r.text)


def test_trade_page_leads_with_labelled_all_goods_totals(client):
    text = html.unescape(client.get(f"/app/trade?{QUERIES['trade']}").text)
    figures = text.split('id="result"')[0]
    assert "imports, all goods, FY2024-25 (tradestat_totals)" in figures and "USD 4.98 bn" in figures
    assert "imports explained by the products listed" in figures
    assert figures.index("all goods") < figures.index("critical minerals")


def test_bloc_reporters_are_offered_and_answered(client):
    page = client.get("/app/dependence").text
    assert '<option value="EU27"' in page
    r = client.get("/app/dependence?reporter=EU27&mineral=lithium&year=2024")
    assert r.status_code == 200 and "extra-EU27 trade" in html.unescape(r.text)


@pytest.mark.parametrize("path", ["/", "/docs", "/app/brief"] + [f"/app/{q.slug}" for q in QUESTIONS])
def test_no_page_loads_from_another_host(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert not re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', r.text), path


def test_static_files_are_local(client):
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    from plotly.offline import get_plotlyjs_version

    assert f"plotly.js v{get_plotlyjs_version()}" in js.text[:300]  # the bundle the figures are made for
    docs = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in docs and "/static/swagger-ui/swagger-ui.css" in docs
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        assert client.get(f"/static/swagger-ui/{name}").status_code == 200
    assert client.get("/static/swagger-ui/../../etc/passwd").status_code == 404
    assert client.get("/static/swagger-ui/index.html").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_pickers_come_from_the_vocabularies(client):
    from critmin.classify.products import known_minerals
    from critmin.countries import country_table
    from critmin.scenario_data import load_ports

    page = client.get("/app/sourcing").text
    options = set(re.findall(r'<option value="([^"]*)"', page))
    assert {iso3 for iso3, _, kind in country_table() if kind == "country"} <= options
    assert set(known_minerals()) <= options
    assert set(load_ports()["port"]) <= options


@pytest.mark.parametrize(
    "query, status, needle",
    [
        ("/app/dependence?reporter=IND&mineral=copper&year=19x", 422, "expected a whole number"),
        ("/app/dependence?reporter=ATLANTIS&mineral=copper", 422, "not one of the choices"),
        ("/app/dependence?reporter=IND&mineral=&stage=", 422, "mineral or a stage"),
        ("/app/production?mineral=copper&stage=moonbeam", 400, "moonbeam"),
        ("/app/fta?reporter=IND&partner=PER&utilisation=3", 422, "from 0 to 1"),
        ("/app/route.csv?from=Callao&to=Atlantis", 422, "Atlantis"),
    ],
)
def test_bad_input_is_one_line_on_the_page(client, query, status, needle):
    r = client.get(query)
    assert r.status_code == status, r.text[-300:]
    assert needle in html.unescape(r.text) and "Traceback" not in r.text
    if ".csv" not in query:
        assert '<div class="error" role="alert">' in r.text and "<form" in r.text


def test_form_keeps_the_bad_value(client):
    r = client.get("/app/trade?reporter=IND&partner=PER&year=99999")
    assert r.status_code == 422 and 'name="year" type="number"' in r.text and 'value="99999"' in r.text
    assert "from 1988 to 2100" in r.text and "application/json" not in r.headers["content-type"]


def test_unknown_page_is_404(client):
    assert client.get("/app/horoscope").status_code == 404
    assert client.get("/app/trade.pdf").status_code == 404


def test_empty_home_page_says_how_to_build(tmp_path):
    from critmin.config import load_settings

    c = TestClient(create_app(load_settings(home=tmp_path / "home", offline=True)))
    r = c.get("/app/dependence?reporter=IND&mineral=copper")
    assert r.status_code == 503 and "critmin data build" in html.unescape(r.text)


def test_shock_page_posts_the_scenario_it_shows(client):
    """The export-restriction page builds a scenario file from its form; POSTing that file to /shock gives
    the same answer, and the page shows supply at risk with its period."""
    query = (
        "restricting=CHN&importer=IND&mineral=graphite&stage=ore&severity=quota&severity_value=0.5"
        "&start=2025-01&duration_months=6&year=2024&redirectable_fraction=0.2&elasticity=short_run"
    )
    r = client.get(f"/app/shock?{query}")
    assert r.status_code == 200, r.text[-400:]
    text = html.unescape(r.text)
    body = re.search(r'<details id="request-body">.*?<pre>(.*?)</pre>', text, re.S).group(1)
    assert "quota_share: 0.5" in body and "restricting: CHN" in body
    posted = client.post("/shock", content=body.encode(), headers={"content-type": "application/yaml"})
    assert posted.status_code == 200, posted.text[:300]
    payload = posted.json()
    assert payload["period"] == "CY2024" and payload["scenario"]["quota_share"] == 0.5
    assert "supply at risk, CY2024 trade" in text and "POST /shock" in text
    rows = list(csv.DictReader(io.StringIO(client.get(f"/app/shock.csv?{query}").text)))
    assert [row["partner"] for row in rows] == [a["partner"] for a in payload["alternatives"]]
    bad = client.get(f"/app/shock?{query.replace('severity_value=0.5', 'severity_value=3')}")
    assert bad.status_code == 422 and "from 0 to 1" in bad.text


@pytest.mark.parametrize("slug", ["production", "criticality"])
def test_footnotes_of_a_payload_without_a_year_name_no_period(slug):
    """The period footnote needs the payload's year; without one there is no period line (not an error)."""
    from critmin.web.questions import footnotes

    q = BY_SLUG[slug]
    assert not [t for label, t in footnotes(q, {"source": "USGS"}) if label == "Period"]
    assert ("Period", "CY2024 (calendar year)") in [
        (label, t.split(";")[0]) for label, t in footnotes(q, {"source": "USGS", "year": 2024})
    ]
