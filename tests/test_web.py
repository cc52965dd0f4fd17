"""The web front end: every endpoint returns the CLI's --json on real data; errors are 4xx with a message."""

from __future__ import annotations

import json
from pathlib import Path

import warnings

import pytest
import yaml
from typer.testing import CliRunner

with warnings.catch_warnings():  # starlette's note about its httpx-based test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from critmin.cli import app as cli_app
from critmin.web import create_app

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "scenarios"
ARTICLES = Path(__file__).resolve().parent / "data" / "news_heldout" / "articles"


@pytest.fixture(scope="module")
def client(built_settings):
    return TestClient(create_app(built_settings))


def cli_json(settings, *args: str, home: bool = True, mirror: bool = True):
    """Run ``critmin ARGS --json`` and parse its standard output."""
    extra = ["--json"]
    if home:
        extra += ["--home", str(settings.home)]
    if mirror:
        extra += ["--mirror", str(settings.mirror)]
    res = CliRunner().invoke(cli_app, [*args, *extra])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def same(a, b) -> bool:
    """Equal JSON, floats to 1e-9 relative (DuckDB's parallel sums may differ in the last bit)."""
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == pytest.approx(b, rel=1e-9, abs=1e-12)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_same_is_strict_beyond_rounding():
    assert same({"x": [1.0, "a", None]}, {"x": [1.0 + 1e-15, "a", None]})
    assert not same({"x": 1.0}, {"x": 1.001}) and not same({"x": 1}, {"y": 1}) and not same([1], [1, 2])
    assert not same({"x": None}, {"x": 0.0})


def get_json(client, url: str, status: int = 200):
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def test_trade_equals_cli_and_service(client, built_settings):
    from critmin.services.explorer import trade_summary
    from critmin.web._common import jsonable

    web = get_json(client, "/trade?reporter=IND&partner=PER&year=2024")
    assert same(web, cli_json(built_settings, "trade", "--reporter", "IND", "--partner", "PER", "--year", "2024"))
    service = json.loads(
        json.dumps(jsonable(trade_summary(built_settings, "IND", partners=["PER"], years=[2024])), default=str)
    )
    assert same(web, service)
    assert web["reporter"] == "IND" and web["partners"] == ["PER"] and web["imports_usd"] + web["exports_usd"] > 0


CASES = [
    (
        "/trade?reporter=IND&partner=PER&partner=CHL&mineral=copper&stage=refined",
        ["trade", "-r", "IND", "-p", "PER", "-p", "CHL", "-m", "copper", "--stage", "refined"],
    ),
    ("/dependence?reporter=IND&mineral=copper&year=2024", ["dependence", "-r", "IND", "-m", "copper", "-y", "2024"]),
    ("/dependence?reporter=IND&hs=740311&hs=740200", ["dependence", "-r", "IND", "--hs", "740311", "--hs", "740200"]),
    (
        "/production?mineral=copper&stage=mine&country=PER",
        ["production", "-m", "copper", "--stage", "mine", "-c", "PER"],
    ),
    (
        "/criticality?reporter=IND&year=2024&method=eu&draws=20&seed=3",
        ["criticality", "-r", "IND", "-y", "2024", "--method", "eu", "--draws", "20", "--seed", "3"],
    ),
    ("/criticality?method=geodep&draws=0", ["criticality", "--method", "geodep", "--draws", "0"]),
    (
        "/criticality?reporter=EU27&draws=0&parameters=eu2017&agreements=true",
        ["criticality", "-r", "EU27", "--draws", "0", "--parameters", "eu2017", "--agreements"],
    ),
    ("/fta?reporter=IND&partner=PER&year=2024", ["fta", "--reporter", "IND", "--partner", "PER", "--year", "2024"]),
    (
        "/sourcing?mineral=copper&stage=concentrate&year=2030&fta=PER,CHL&exclude=CHN",
        ["sourcing", "-m", "copper", "--stage", "concentrate", "-y", "2030", "--fta", "PER,CHL", "--exclude", "CHN"],
    ),
    ("/projection?mineral=copper&end_year=2047", ["projection", "-m", "copper", "--end-year", "2047"]),
    ("/negotiations?reporter=IND&partner=CHL", ["negotiations", "-r", "IND", "-p", "CHL"]),
]


@pytest.mark.parametrize("url,args", CASES, ids=[c[0].split("?")[0] + str(i) for i, c in enumerate(CASES)])
def test_endpoint_equals_cli(client, built_settings, url, args):
    web = get_json(client, url)
    assert same(web, cli_json(built_settings, *args))
    assert web  # a real answer, not an empty object


def test_endpoints_without_home(client, built_settings):
    assert get_json(client, "/fta/scenarios") == cli_json(built_settings, "fta", "--list", home=False, mirror=False)
    web = get_json(client, "/route?from=Callao&to=Visakhapatnam&closed=panama")
    cli = cli_json(
        built_settings,
        "route",
        "--from",
        "Callao",
        "--to",
        "Visakhapatnam",
        "--closed",
        "panama",
        home=False,
        mirror=False,
    )
    assert same(web, cli)
    assert web["extra_km"] >= 0 and web["distance_km"] > 10_000
    status = get_json(client, "/data/status")
    assert status == cli_json(built_settings, "data", "status", mirror=False)
    assert "trade_flows" in {t["table"] for t in status["tables"]}


@pytest.mark.parametrize("name", ["china_graphite_quota.yaml", "peru_concentrate_quota.yaml"])
def test_shock_body_yaml_or_json_equals_cli(client, built_settings, name):
    path = EXAMPLES / name
    r = client.post("/shock", content=path.read_text(encoding="utf-8"), headers={"content-type": "application/yaml"})
    assert r.status_code == 200, r.text
    web, cli = r.json(), cli_json(built_settings, "shock", "--scenario", str(path))
    assert web["sources"].pop("file") == "shock_scenario.yaml" and cli["sources"].pop("file") == name
    assert same(web, cli)
    as_json = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    r2 = client.post("/shock", json=as_json)
    assert r2.status_code == 200, r2.text
    assert r2.json()["supply_at_risk"] == r.json()["supply_at_risk"]
    assert r2.json()["scenario"] == r.json()["scenario"]


def test_contract_body_equals_cli(client, built_settings):
    path = EXAMPLES / "contract_peru_copper.yaml"
    r = client.post("/contract", content=path.read_text(encoding="utf-8"))
    assert r.status_code == 200, r.text
    assert same(r.json(), cli_json(built_settings, "contract", "--scenario", str(path)))
    assert r.json()["contract"]["dmt"] == 100000


@pytest.mark.parametrize(
    "url,status,needle",
    [
        ("/trade?reporter=XXQ&partner=PER", 400, "XXQ"),
        ("/trade?reporter=IND&partner=QQQ", 400, "QQQ"),
        ("/trade?reporter=IND&hs=999999", 400, "999999"),
        ("/dependence?reporter=IND&mineral=unobtainium", 400, "unobtainium"),
        ("/dependence?reporter=IND", 400, "give hs, mineral or stage"),
        ("/production?mineral=unobtainium", 400, "unobtainium"),
        ("/criticality?method=magic", 422, "magic"),
        ("/criticality?reporter=ZZZ&draws=0", 400, "ZZZ"),
        ("/trade?reporter=IND&stage=ingot", 422, "ingot"),
        ("/fta?partner=ATL", 400, "ATL"),
        ("/route?from=Atlantis&to=Mundra", 400, "Atlantis"),
        ("/projection?mineral=unobtainium", 400, "unobtainium"),
        ("/sourcing?mineral=copper&objective=cheapest", 422, "cheapest"),
        ("/brief?reporter=IND&partner=PRU", 400, "PRU"),
        ("/news/facts?type=rumour", 422, "rumour"),
        ("/brief?section=horoscope", 422, "horoscope"),
    ],
)
def test_bad_input_is_4xx_naming_the_code(client, url, status, needle):
    r = client.get(url)
    assert r.status_code == status, r.text
    assert needle in r.json()["error"]


def test_unknown_path_and_docs(client):
    r = client.get("/nope")
    assert r.status_code == 404 and r.json() == {"error": "Not Found"}
    assert client.get("/docs").status_code == 200


def test_bad_scenario_bodies(client):
    r = client.post("/shock", content="name: no products\nrestricting: CHN\n")
    assert 400 <= r.status_code < 500, r.text
    msg = r.json()["error"]
    assert "request body" in msg and "critmin-web-" not in msg
    r = client.post("/contract", content="grade: 0.26\n")
    assert r.status_code == 422 and "dmt" in r.json()["error"]
    r = client.post("/shock", content=b"\xff\xfe not text")
    assert r.status_code == 422 and "UTF-8" in r.json()["error"]


def test_empty_home_says_how_to_build(tmp_path):
    from critmin.config import load_settings

    client = TestClient(create_app(load_settings(home=tmp_path / "home", offline=True)))
    r = client.get("/data/status")
    assert r.status_code == 503 and "critmin data build" in r.json()["error"]
    r = client.get("/trade?reporter=IND")  # the app never builds: the command that builds the table is named
    assert r.status_code == 503 and "critmin data build baci" in r.json()["error"]


def test_unexpected_error_is_json_without_traceback(built_settings, monkeypatch):
    import critmin.services.explorer as explorer

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(explorer, "production", boom)
    r = TestClient(create_app(built_settings), raise_server_exceptions=False).get("/production?mineral=copper")
    assert r.status_code == 500
    assert r.json()["error"].startswith("internal error (reference ")  # details in the log, not the body
    assert "disk on fire" not in r.text


@pytest.fixture(scope="module")
def news_client(tmp_path_factory, mirror):
    from critmin.config import load_settings
    from critmin.services.news import ingest_articles
    from critmin.warehouse.build import build

    s = load_settings(home=tmp_path_factory.mktemp("webnews"), mirror=mirror, offline=True)
    build(s, ["wto_rta", "tradestat", "baci"], progress=False)
    res = ingest_articles(s, [str(ARTICLES)])
    assert res["facts_new"] > 0
    return s, TestClient(create_app(s))


def test_news_facts_and_conflicts(news_client):
    from critmin.services.news import list_facts

    s, client = news_client
    facts = get_json(client, "/news/facts")
    res = CliRunner().invoke(cli_app, ["news", "facts", "--json", "--home", str(s.home)])
    assert res.exit_code == 0, res.output
    assert same(facts, [json.loads(line) for line in res.stdout.splitlines() if line.strip()])
    trade = get_json(client, "/news/facts?type=trade_value&merged=true")
    assert trade and {f["type"] for f in trade} == {"trade_value"}
    assert len(trade) == len(list_facts(s, types=["trade_value"], merged=True))
    conflicts = get_json(client, "/news/conflicts?all=true")
    assert same(conflicts, cli_json(s, "news", "conflicts", "--all"))
    assert set(conflicts) >= {"comparisons", "summary", "reference"}


@pytest.fixture(scope="module")
def brief_page(client):
    return client.get("/brief?reporter=IND&partner=PER&year=2024")


def test_brief_page_is_self_contained(brief_page):
    assert brief_page.status_code == 200, brief_page.text[:500]
    assert brief_page.headers["content-type"].startswith("text/html")
    page = brief_page.text
    assert "Data sources and licences" in page
    assert 'src="http' not in page and "<script src=" not in page
    assert page.count("Plotly") > 10  # plotly.js is inlined
    assert "Peru" in page


def test_brief_is_cached_per_warehouse_build(client, brief_page):
    again = client.get("/brief?reporter=IND&partner=PER&year=2024")
    assert again.status_code == 200 and again.text == brief_page.text
    assert len(client.app.state.brief_cache) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/trade?reporter=IND&partner=PER&format=chart",
        "/dependence?reporter=IND&mineral=copper&format=chart",
        "/production?mineral=copper&format=chart",
        "/criticality?draws=0&format=chart",
        "/fta?partner=PER&format=chart",
        "/sourcing?mineral=copper&fta=PER&format=chart",
        "/projection?format=chart",
        "/negotiations?reporter=IND&partner=CHL&format=chart",
    ],
)
def test_chart_pages_work_offline(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert "Plotly.newPlot" in r.text and 'src="http' not in r.text


def test_no_chart_for_the_geodep_screen(client):
    r = client.get("/criticality?method=geodep&draws=0&format=chart")
    assert r.status_code == 400 and "no chart" in r.json()["error"]


def test_index_lists_endpoints_and_links_the_brief(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for path in (
        "/trade",
        "/dependence",
        "/production",
        "/criticality",
        "/fta",
        "/shock",
        "/sourcing",
        "/contract",
        "/route",
        "/projection",
        "/negotiations",
        "/news/facts",
        "/news/conflicts",
        "/data/status",
    ):
        assert f" {path}</code>" in r.text, path
    assert 'href="/brief?reporter=IND&amp;partner=PER&amp;year=2024"' in r.text


def test_openapi_has_descriptions_and_enums(client):
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/criticality"]["get"]["parameters"]}
    assert params["method"]["schema"]["enum"] == ["eu", "geopolrisk", "geodep"]
    assert set(params["scenario"]["schema"]["anyOf"][0]["enum"]) >= {"china_export_ban"}
    for path, item in spec["paths"].items():
        for op in item.values():
            for p in op.get("parameters", []):
                assert p.get("description"), (path, p["name"])
    trade = {p["name"]: p for p in spec["paths"]["/trade"]["get"]["parameters"]}
    assert trade["stage"]["schema"]["anyOf"][0]["enum"] == ["ore", "intermediate", "refined", "product"]
    assert "application/yaml" in spec["paths"]["/shock"]["post"]["requestBody"]["content"]


def test_serve_help():
    res = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert res.exit_code == 0, res.output
    assert "--port" in res.output and "--host" in res.output


def test_serve_answers_over_http(built_settings):
    """``critmin serve`` on a free loopback port answers, then stops (bounded: at most 30 s)."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable,
        "-c",
        "from critmin.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--home",
        str(built_settings.home),
        "--mirror",
        str(built_settings.mirror),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, answer = time.monotonic() + 30, None
        while answer is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/fta/scenarios", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None, "the server did not answer"
        assert answer.status_code == 200 and {r["partner"] for r in answer.json()} >= {"PER"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
