"""DuckDB connection settings: the spill folder and CRITMIN_MEMORY_LIMIT, as a user sets them."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import ibis
import pytest

from critmin.engine import duckdb_config
from critmin.errors import ConfigError


def test_memory_limit_is_applied_and_spills_go_to_the_temp_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("CRITMIN_MEMORY_LIMIT", "500MB")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    con = ibis.duckdb.connect(**duckdb_config())
    limit, temp = con.raw_sql("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert limit == "476.8 MiB"
    assert temp.startswith(str(tmp_path)) and temp.endswith("critmin-duckdb")


def test_no_limit_leaves_duckdb_default(monkeypatch):
    monkeypatch.delenv("CRITMIN_MEMORY_LIMIT", raising=False)
    assert "memory_limit" not in duckdb_config()


@pytest.mark.parametrize("value", ["lots", "3 apples", "-1GB"])
def test_a_mistyped_limit_is_a_config_error(monkeypatch, value):
    monkeypatch.setenv("CRITMIN_MEMORY_LIMIT", value)
    with pytest.raises(ConfigError, match="CRITMIN_MEMORY_LIMIT"):
        duckdb_config()


def test_cli_reports_a_mistyped_limit_in_one_line(built_settings):
    out = subprocess.run(
        [sys.executable, "-m", "critmin", "screen", "--years", "2024", "--home", str(built_settings.home)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CRITMIN_MEMORY_LIMIT": "lots"},
    )
    assert out.returncode != 0 and "CRITMIN_MEMORY_LIMIT='lots'" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
