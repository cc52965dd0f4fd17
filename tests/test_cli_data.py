"""``critmin data`` commands."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from critmin.cli import app
from critmin.errors import ConfigError

runner = CliRunner()


def test_status_json_lists_tables_with_provenance(built_settings):
    res = runner.invoke(app, ["data", "status", "--home", str(built_settings.home), "--json"])
    assert res.exit_code == 0, res.output
    status = json.loads(res.output)
    tables = {t["table"]: t for t in status["tables"]}
    assert tables["trade_flows"]["rows"] == 21723 + 23167  # the 2024 and 2022 year files
    assert tables["trade_flows"]["licence"].startswith("Etalab")
    for t in (
        "mineral_production",
        "governance",
        "metal_prices",
        "fx_rates",
        "agreements",
        "distances",
        "tradestat_imports",
        "countries",
        "products",
    ):
        assert t in tables, t
        assert tables[t]["rows"] > 0


def test_sources_lists_every_connector():
    res = runner.invoke(app, ["data", "sources", "--json"])
    assert res.exit_code == 0
    names = {s["source"] for s in json.loads(res.output)}
    assert {"baci", "usgs", "wgi", "pinksheet", "fx", "wto_rta", "desta", "geodist", "tradestat", "comtrade"} <= names


def test_comtrade_without_key_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    res = runner.invoke(
        app, ["data", "comtrade", "--reporter", "IND", "--hs", "2603", "--years", "2024", "--home", str(tmp_path)]
    )
    assert isinstance(res.exception, ConfigError)
    assert "COMTRADE_API_KEY" in str(res.exception)
