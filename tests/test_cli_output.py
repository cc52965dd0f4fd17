"""One number style and table files with the same columns as --json."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from critmin.cli._output import fmt_inr_crore, fmt_number, write_table_file
from critmin.errors import ConfigError


@pytest.mark.parametrize("value, shown", [
    (None, ""), (math.nan, ""), (8.0, "8"), (3.03e9, "3,030,000,000"), (0.4217, "0.42"),
    (1234.56, "1,235"), (-12.5, "-12.50"), (7, "7"), ("IND", "IND"),
])
def test_fmt_number(value, shown):
    assert fmt_number(value) == shown


def test_fmt_inr_crore():
    assert fmt_inr_crore(2.5e9) == "₹250 cr"
    assert fmt_inr_crore(None) == ""


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_table_file_has_json_columns(tmp_path, suffix):
    records = [{"partner": "PER", "share": 0.5, "value_usd": None}, {"partner": "CHL", "share": 0.25,
                                                                    "value_usd": 1e9}]
    out = write_table_file(records, tmp_path / f"t{suffix}")
    back = pd.read_csv(out) if suffix == ".csv" else pd.read_excel(out)
    assert list(back.columns) == ["partner", "share", "value_usd"]
    assert back["partner"].tolist() == ["PER", "CHL"]
    assert not list(tmp_path.glob("*.tmp*"))


def test_table_file_rejects_other_suffix(tmp_path):
    with pytest.raises(ConfigError):
        write_table_file([{"a": 1}], tmp_path / "t.json")
