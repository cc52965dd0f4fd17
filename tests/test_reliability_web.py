"""The web app is read-only: a GET never builds or fetches; bounded bodies; no internals in a 500."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from critmin.config import load_settings
from critmin.web import create_app

FIRST_REQUESTS = [
    "/trade?reporter=IND",
    "/dependence?reporter=IND&mineral=copper",
    "/production?mineral=copper",
    "/criticality",
    "/fta?reporter=IND&partner=PER&year=2024",
    "/data/status",
    "/brief",
    "/sourcing?mineral=copper",
]


def _files(root):
    return sorted(p.relative_to(root) for p in root.rglob("*")) if root.exists() else []


def test_eight_concurrent_first_requests_on_an_empty_home(tmp_path, mirror):
    """Mirror set and online: still nothing is built, fetched or written; every answer is a 503."""
    home = tmp_path / "home"
    app = create_app(load_settings(home=home, mirror=mirror, offline=False))

    def get(url):
        with TestClient(app, raise_server_exceptions=False) as client:
            r = client.get(url)
            return url, r.status_code, r.json()["error"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(get, FIRST_REQUESTS))
    for url, status, error in answers:
        assert status == 503, (url, status, error)
        assert "critmin data build" in error, (url, error)
    assert _files(home) == []


def test_a_missing_table_names_the_command_that_builds_it(tmp_path, mirror):
    from critmin.warehouse.build import build

    s = load_settings(home=tmp_path / "home", mirror=mirror, offline=True)
    build(s, ["wgi"], progress=False)
    before = _files(s.home)
    client = TestClient(create_app(s), raise_server_exceptions=False)
    r = client.get("/trade?reporter=IND")
    assert r.status_code == 503
    assert "`critmin data build baci" in r.json()["error"] and "trade_flows" in r.json()["error"]
    r = client.get("/production?mineral=copper")
    assert r.status_code == 503 and "usgs" in r.json()["error"].split("critmin data build")[1]
    assert _files(s.home) == before


def test_read_only_settings_never_build_in_services(settings):
    from critmin.errors import WarehouseError
    from critmin.services.data import ensure_tables, ensure_warehouse

    ro = settings.with_(read_only=True)
    with pytest.raises(WarehouseError, match="critmin data build"):
        ensure_warehouse(ro)
    with pytest.raises(WarehouseError, match="critmin data build baci"):
        ensure_tables(ro, ["trade_flows"])
    assert not settings.home.exists()


def test_an_internal_error_shows_no_internals(built_settings, monkeypatch):
    import critmin.services.explorer as explorer

    def boom(*a, **k):
        raise RuntimeError("SELECT secret FROM internal_query_tree")

    monkeypatch.setattr(explorer, "production", boom)
    r = TestClient(create_app(built_settings), raise_server_exceptions=False).get("/production?mineral=copper")
    assert r.status_code == 500
    error = r.json()["error"]
    assert error.startswith("internal error (reference ")
    assert "secret" not in error and "RuntimeError" not in error


def test_a_huge_year_is_a_4xx_not_a_500(client_built):
    for url in (
        "/trade?reporter=IND&year=99999999999999999999",
        "/fta?reporter=IND&partner=PER&year=99999999999999999999",
        "/dependence?reporter=IND&mineral=copper&year=-99999999999999999999",
    ):
        r = client_built.get(url)
        assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:300])
        assert len(r.text) < 2000


@pytest.fixture(scope="module")
def client_built(built_settings):
    return TestClient(create_app(built_settings), raise_server_exceptions=False)


def test_request_body_over_the_limit_is_413(built_settings):
    client = TestClient(create_app(built_settings, max_body_bytes=10_000), raise_server_exceptions=False)
    r = client.post("/shock", content=b"a: 1\n" * 5_000, headers={"content-type": "application/yaml"})
    assert r.status_code == 413 and "10,000 bytes" in r.json()["error"]

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(50):
            yield b"# padding padding padding padding padding padding padding padding\n" * 10

    r = client.post("/shock", content=chunks(), headers={"content-type": "application/yaml"})
    assert r.status_code == 413


def test_yaml_alias_bomb_is_refused_quickly(client_built):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    r = client_built.post("/shock", content=bomb.encode(), headers={"content-type": "application/yaml"})
    assert r.status_code == 422, r.text[:300]
    assert "aliases" in r.json()["error"] and len(r.content) < 2000


def test_yaml_limits_count_expansion_not_text(built_settings):
    from critmin.errors import DataFormatError
    from critmin.web._common import check_yaml_limits

    check_yaml_limits("base: &b {x: 1, y: 2}\nother: *b\nlist: [*b, *b]\n", "ok")  # a few aliases are fine
    with pytest.raises(DataFormatError, match="more than 3 YAML aliases"):
        check_yaml_limits("a: &a 1\nb: [*a, *a, *a, *a]\n", "body", max_aliases=3)
    with pytest.raises(DataFormatError, match="over 50 values"):
        check_yaml_limits("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a, *a]\n", "body", max_nodes=50)
    with pytest.raises(DataFormatError, match="row 2"):
        check_yaml_limits("a: [1, 2\nb: }\n", "body")


def test_yaml_nesting_bomb_is_refused(client_built):
    deep = "[" * 5_000 + "]" * 5_000
    r = client_built.post("/shock", content=deep.encode(), headers={"content-type": "application/yaml"})
    assert r.status_code == 422 and "deep" in r.json()["error"]


def test_a_bad_value_is_echoed_truncated(client_built):
    long = "X" * 30_000
    r = client_built.get(f"/trade?reporter=IND&year={long}")
    assert 400 <= r.status_code < 500
    assert len(r.text) < 1_000
