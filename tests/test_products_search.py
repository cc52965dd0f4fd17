"""Product search: ranking on the real HS 2022 nomenclature, expansion, data coverage, CLI, subprocess and web."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from critmin.cli import app as cli_app
from critmin.config import load_settings
from critmin.errors import ConfigError, UnknownCodeError
from critmin.services.products import code_query, expand, match_description, rank_codes, search
from critmin.warehouse import open_warehouse

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(scope="module")
def small(tmp_path_factory, mirror):
    """A warehouse with the HS nomenclature, the BACI extract and the TradeStat HS 2603 report only."""
    from critmin.warehouse.build import build

    s = load_settings(home=tmp_path_factory.mktemp("products"), mirror=mirror, offline=True)
    build(s, ["hs_nomenclature", "baci", "tradestat"], progress=False)
    return s


@pytest.fixture(scope="module")
def hs_codes(small):
    return open_warehouse(small).read("hs_codes")


def _table(hit, name):
    return next(t for t in hit["data"] if t["table"] == name)


# ----------------------------------------------------------------------- pure ranking
def test_match_tiers():
    assert match_description("copper ores and concentrates", "Copper ores and concentrates")[0] == 0
    assert match_description("copper ores", "Copper ores and concentrates")[0] == 1
    assert match_description("lithium hydroxide", "Lithium oxide and hydroxide")[0] == 2
    assert match_description("lith hydrox", "Lithium oxide and hydroxide")[0] == 3
    assert match_description("cobalt ore", "Cobalt ores and concentrates")[0] in (1, 2)  # plural s optional
    assert match_description("nickel", "Lithium oxide and hydroxide") is None


def test_code_query():
    assert code_query("2825.20") == "282520" and code_query(" 2603 ") == "2603"
    assert code_query("lithium 2825") is None and code_query("") is None


def test_rank_on_real_nomenclature(hs_codes):
    ranked = rank_codes(hs_codes, "lithium hydroxide")
    assert ranked["code"].iloc[0] == "282520"
    ranked = rank_codes(hs_codes, "COPPER ORES")
    assert list(ranked["code"][:2]) == ["2603", "260300"]  # heading before its subheading
    ranked = rank_codes(hs_codes, "cobalt")
    assert {"2605", "260500", "8105", "2822"} <= set(ranked["code"])
    assert (ranked["match"].map(["exact", "phrase", "words", "prefix", "code"].index).diff().dropna() >= 0).all()
    ranked = rank_codes(hs_codes, "26")
    assert ranked["code"].iloc[0] == "26" and ranked["code"].str.startswith("26").all()
    assert len(ranked) == 1 + (hs_codes["code"].str.startswith("26") & (hs_codes["code"] != "26")).sum()


# ----------------------------------------------------------------------- service
def test_search_lithium_hydroxide(small):
    res = search(small, "lithium hydroxide")
    top = res["hits"][0]
    assert top["code"] == "282520" and top["description"] == "Lithium oxide and hydroxide"
    assert top["parent"] == "2825" and top["section"] == "VI"
    assert {"mineral": "lithium", "stage": "refined"} in top["minerals"]
    assert {t["table"] for t in top["data"]} == {
        "trade_flows",
        "hs4_top_flows",
        "tradestat_imports",
        "tradestat_exports",
    }


def test_coverage_follows_the_tables(small):
    wh = open_warehouse(small)
    baci = set(wh.read("trade_flows", columns=["hs6"])["hs6"])
    ts = set(wh.read("tradestat_imports", columns=["hs_code"])["hs_code"])
    res = search(small, "copper", limit=200)
    for hit in res["hits"]:
        c = hit["code"]
        in_baci = any(h.startswith(c) for h in baci)
        in_ts = any(h.startswith(c) or c.startswith(h) for h in ts)
        assert _table(hit, "trade_flows")["available"] == in_baci, c
        assert _table(hit, "tradestat_imports")["available"] == in_ts, c
        assert hit["has_data"] == (in_baci or in_ts), c
        assert ("where_from" in hit) == (not hit["has_data"])
    refined = next(h for h in res["hits"] if h["code"] == "740311")
    assert 2024 in _table(refined, "trade_flows")["periods"]


def test_coarser_table_and_missing_table(small):
    ore = next(h for h in search(small, "copper ores")["hits"] if h["code"] == "260300")
    ts = _table(ore, "tradestat_imports")
    assert ts["available"] and ts["codes"] == ["2603"] and "not at 260300" in ts["note"]
    assert "CY2024" in ts["periods"]
    top4 = _table(ore, "hs4_top_flows")
    assert top4["built"] is False and "critmin data build baci_hs4" in top4["where_from"]


def test_no_data_says_where_from(small):
    horses = search(small, "horses pure-bred")["hits"][0]
    assert horses["code"] == "010121" and horses["has_data"] is False
    assert any("BACI" in w for w in horses["where_from"])


def test_search_limits_and_bad_input(small):
    assert len(search(small, "ores", limit=3)["hits"]) == 3
    assert search(small, "ores", limit=3)["matches"] > 3
    assert search(small, "xyzzy")["hits"] == []
    with pytest.raises(ConfigError, match="empty"):
        search(small, "  ")
    with pytest.raises(ConfigError, match="limit"):
        search(small, "copper", limit=0)


def test_expand(small, hs_codes):
    res = expand(small, "2603")
    assert res["hs6"] == ["260300"] and res["description"] == "Copper ores and concentrates"
    ch = expand(small, "26")
    expected = hs_codes[hs_codes["code"].str.startswith("26") & (hs_codes["level"] == 6)]["code"].tolist()
    assert ch["hs6"] == expected and len(expected) == 37
    assert {c["code"] for c in ch["codes"] if c["level"] == 4} >= {"2601", "2603", "2617"}
    assert expand(small, "2825.20")["hs6"] == ["282520"]


def test_expand_unknown_code(small):
    with pytest.raises(UnknownCodeError, match="2699.*did you mean 26") as exc:
        expand(small, "2699")
    assert "\n" not in str(exc.value)
    with pytest.raises(UnknownCodeError, match="2-, 4- or 6-digit"):
        expand(small, "copper")


# ----------------------------------------------------------------------- front ends
def _cli_json(settings, *args):
    res = CliRunner().invoke(cli_app, [*args, "--json", "--home", str(settings.home), "--mirror", str(settings.mirror)])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_cli_search_and_expand_equal_the_service(small):
    assert _cli_json(small, "products", "search", "lithium hydroxide") == json.loads(
        json.dumps(search(small, "lithium hydroxide"))
    )
    assert _cli_json(small, "products", "expand", "2603")["hs6"] == ["260300"]
    assert _cli_json(small, "products", "search", "--hs", "2603") == _cli_json(small, "products", "expand", "2603")


def test_cli_table_output(small):
    res = CliRunner().invoke(
        cli_app, ["products", "search", "tellurium", "--home", str(small.home), "--mirror", str(small.mirror)]
    )
    assert res.exit_code == 0, res.output
    assert "280450" in res.stdout and "no data in the warehouse" in res.stdout
    # lithium hydroxide is in TradeStat's import reports (national line 28252000)
    res = CliRunner().invoke(
        cli_app,
        ["products", "search", "lithium hydroxide", "--json", "--home", str(small.home), "--mirror", str(small.mirror)],
    )
    assert "tradestat_imports" in res.stdout


def _run(settings, *args):
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "CRITMIN_HOME": str(settings.home),
        "CRITMIN_MIRROR": str(settings.mirror),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "critmin", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_subprocess_search_and_unknown_code(small):
    out = _run(small, "products", "search", "lithium hydroxide", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["hits"][0]["code"] == "282520"
    bad = _run(small, "products", "expand", "2699")
    assert bad.returncode == 2 and bad.stdout == ""
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown HS code '2699'" in lines[0]


def test_web_search_and_expand(small):
    from critmin.web import create_app

    client = TestClient(create_app(small))
    r = client.get("/api/products/search", params={"q": "lithium hydroxide", "limit": 5})
    assert r.status_code == 200
    assert r.json() == _cli_json(small, "products", "search", "lithium hydroxide", "--limit", "5")
    assert client.get("/api/products/expand", params={"code": "2603"}).json()["hs6"] == ["260300"]
    r = client.get("/api/products/expand", params={"code": "2699"})
    assert r.status_code == 400 and "2699" in r.json()["error"]
    assert client.get("/api/products/search", params={"q": "copper", "limit": 0}).status_code == 422
