"""One number style and table files with the same columns as --json."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from critmin.cli._output import fmt_inr_crore, fmt_number, write_table_file
from critmin.errors import ConfigError


@pytest.mark.parametrize(
    "value, shown",
    [
        (None, ""),
        (math.nan, ""),
        (8.0, "8"),
        (3.03e9, "3,030,000,000"),
        (0.4217, "0.42"),
        (1234.56, "1,235"),
        (-12.5, "-12.50"),
        (7, "7"),
        ("IND", "IND"),
        (Decimal("2.5"), "2.50"),
        (np.float64(0.5), "0.50"),
        (np.int64(1500), "1,500"),
        (1 + 2j, "(1+2j)"),  # not a real number: shown as text, not a float() error
    ],
)
def test_fmt_number(value, shown):
    assert fmt_number(value) == shown


def test_fmt_inr_crore():
    assert fmt_inr_crore(2.5e9) == "₹250 cr"
    assert fmt_inr_crore(None) == ""


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_table_file_has_json_columns(tmp_path, suffix):
    records = [{"partner": "PER", "share": 0.5, "value_usd": None}, {"partner": "CHL", "share": 0.25, "value_usd": 1e9}]
    out = write_table_file(records, tmp_path / f"t{suffix}")
    back = pd.read_csv(out) if suffix == ".csv" else pd.read_excel(out)
    assert list(back.columns) == ["partner", "share", "value_usd"]
    assert back["partner"].tolist() == ["PER", "CHL"]
    assert not list(tmp_path.glob("*.tmp*"))


def test_table_file_rejects_other_suffix(tmp_path):
    with pytest.raises(ConfigError):
        write_table_file([{"a": 1}], tmp_path / "t.json")


def _run(*args, home):
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src"
    env = dict(os.environ, PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""), CRITMIN_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "critmin", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_every_json_command_offers_csv_and_xlsx():
    import typer

    from critmin.cli import app

    root = typer.main.get_command(app)

    def leaves(cmd):
        subs = getattr(cmd, "commands", None)
        return [leaf for sub in subs.values() for leaf in leaves(sub)] if subs else [cmd]

    from critmin.cli._common import JsonOpt

    # every command using the shared --json option (news facts streams JSON Lines and is not a table)
    with_json = [c for c in leaves(root) if any("--json" in p.opts and p.help == JsonOpt.help for p in c.params)]
    assert with_json
    for cmd in with_json:
        opts = {o for p in cmd.params for o in p.opts}
        assert {"--csv", "--xlsx"} <= opts, cmd.name


def test_trade_csv_and_xlsx_match_json(built_settings, tmp_path):
    import json

    args = ["trade", "--reporter", "IND", "--partner", "PER"]
    res = _run(*args, "--json", home=built_settings.home)
    assert res.returncode == 0, res.stderr[-800:]
    payload = json.loads(res.stdout)
    by_product = payload["by_product"]
    csv_path, xlsx_path = tmp_path / "trade.csv", tmp_path / "trade.xlsx"
    res = _run(*args, "--csv", str(csv_path), "--xlsx", str(xlsx_path), home=built_settings.home)
    assert res.returncode == 0, res.stderr[-800:]
    assert res.stdout.strip() == ""  # the files replace the JSON on stdout
    sheets = pd.read_excel(xlsx_path, sheet_name=None)
    assert list(sheets["by_product"].columns) == list(by_product[0].keys())
    assert len(sheets["by_product"]) == len(by_product)
    written = {p.name: pd.read_csv(p) for p in tmp_path.glob("trade*.csv")}
    assert any(list(df.columns) == list(by_product[0].keys()) for df in written.values())


def test_print_table_uses_the_number_style(capsys):
    from critmin.cli import _common

    _common.console.width = 200
    df = pd.DataFrame({"partner": ["PER", None], "value": [3.03e9, math.nan], "share": [8.0, 0.4217]})
    _common.print_table(df, title="t")
    out = capsys.readouterr().out
    assert "3,030,000,000" in out and "0.42" in out
    for bad in ("None", "nan", "e+09", "8.00"):
        assert bad not in out, bad


@pytest.mark.parametrize("fmt, d", [("{:,.4f}", 4), ("{:,.0f}", 0), ("{:,.3g}", 2)])
def test_decimals_of(fmt, d):
    from critmin.cli._output import decimals_of

    assert decimals_of(fmt) == d
