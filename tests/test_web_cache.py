"""JSON responses cached per warehouse build: the cached answer is the uncached one, a new build
invalidates it, errors and pages are never cached, the LRU stays bounded and thread-safe."""

from __future__ import annotations

import shutil
import threading
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from critmin.web import create_app
from critmin.web.cache import LruCache, build_id, normalized_query


@pytest.fixture()
def home_copy(built_settings, tmp_path):
    """A private copy of the built home (these tests publish new builds)."""
    from critmin.config import load_settings

    home = tmp_path / "home"
    shutil.copytree(built_settings.home, home)
    return load_settings(home=home, mirror=built_settings.mirror, offline=True)


URLS = [
    "/dependence?reporter=IND&mineral=copper&year=2024",
    "/production?mineral=copper&country=PER",
    "/data/status",
    "/route?from=Callao&to=Visakhapatnam",
]


@pytest.mark.parametrize("url", URLS)
def test_cached_response_equals_uncached(home_copy, url):
    client = TestClient(create_app(home_copy))
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-critmin-cache"] == "miss" and second.headers["x-critmin-cache"] == "hit"
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    fresh = TestClient(create_app(home_copy)).get(url)  # a new app has an empty cache: computed again
    assert fresh.headers["x-critmin-cache"] == "miss" and close(fresh.json(), first.json())


def close(a, b) -> bool:
    """Equal JSON, floats to 1e-9 relative (DuckDB's parallel sums may differ in the last bit)."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == pytest.approx(b, rel=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return a == b


def test_query_order_and_blank_values_share_an_entry(home_copy):
    client = TestClient(create_app(home_copy))
    a = client.get("/production?mineral=copper&country=PER")
    b = client.get("/production?country=PER&mineral=copper&year=")
    assert b.headers["x-critmin-cache"] == "hit" and a.content == b.content
    assert normalized_query("b=2&a=1&a=0&c=") == (("a", "1"), ("a", "0"), ("b", "2"))


def test_new_build_invalidates(home_copy):
    from critmin.warehouse import open_warehouse, replace_tables

    client = TestClient(create_app(home_copy))
    before_id = build_id(home_copy)
    r1 = client.get("/production?mineral=copper")
    assert client.get("/production?mineral=copper").headers["x-critmin-cache"] == "hit"
    wh = open_warehouse(home_copy)
    prod = wh.read("mineral_production")
    changed = prod.copy()
    sel = (changed["mineral"] == "copper") & (changed["stage"] == "mine") & (changed["iso3"] == "PER")
    assert sel.any()
    changed.loc[sel, "value_tonnes"] = changed.loc[sel, "value_tonnes"] * 2  # a different published number
    replace_tables(home_copy, {"mineral_production": changed}, wh.provenance_of("mineral_production"))
    assert build_id(home_copy) != before_id
    r2 = client.get("/production?mineral=copper")
    assert r2.headers["x-critmin-cache"] == "miss"
    per = lambda r: next(p for p in r.json()["producers"] if p["iso3"] == "PER")["value"]  # noqa: E731
    assert per(r2) == 2 * per(r1)


def test_errors_pages_and_posts_are_not_cached(home_copy):
    client = TestClient(create_app(home_copy))
    for _ in range(2):
        r = client.get("/dependence?reporter=ZZZ&mineral=copper")
        assert r.status_code == 400 and r.headers["x-critmin-cache"] == "miss"
        r = client.post("/contract", content="grade: 0.26\n")
        assert r.status_code == 422 and "x-critmin-cache" not in r.headers
        page = client.get("/app/production?mineral=copper")
        assert page.status_code == 200 and "x-critmin-cache" not in page.headers


def test_empty_home_is_never_cached(tmp_path):
    from critmin.config import load_settings

    client = TestClient(create_app(load_settings(home=tmp_path / "home", offline=True)))
    for _ in range(2):
        r = client.get("/data/status")
        assert r.status_code == 503 and "x-critmin-cache" not in r.headers


def test_lru_is_bounded_by_entries_and_bytes():
    c = LruCache(3)
    for i in range(5):
        c.put(i, i)
    assert len(c) == 3 and 0 not in c and 4 in c
    c.get(2)
    c.put(5, 5)
    assert 2 in c and 3 not in c  # 3 was the least recently used
    b = LruCache(100, max_bytes=10, size=len)
    b.put("a", b"12345")
    b.put("b", b"123456")
    assert "a" not in b and "b" in b
    b.put("huge", b"x" * 11)
    assert "huge" not in b and "b" in b


def test_lru_is_thread_safe():
    c = LruCache(50)
    errors = []

    def work(t):
        try:
            for i in range(2000):
                c.put((t, i % 80), i)
                c.get((t, (i * 7) % 80))
        except Exception as exc:  # noqa: BLE001 - any error is the failure
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors and len(c) == 50
