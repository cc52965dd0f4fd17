"""OECD IOT 2023 connector (industry_accounts) on the real extract and on broken copies."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.oecd_iot import INDUSTRY_ACCOUNTS_SCHEMA, INDUSTRY_NAMES, SOURCE, read_industry_accounts

REL = "economy/oecd_iot2023_output_va_trade_76_economies_1995_2020.csv.gz"


@pytest.fixture(scope="module")
def real_path(shared_data):
    return shared_data / REL


@pytest.fixture(scope="module")
def accounts(real_path):
    return read_industry_accounts(real_path)


def test_real_file(accounts, real_path):
    INDUSTRY_ACCOUNTS_SCHEMA.validate(accounts)
    raw = pd.read_csv(real_path)
    assert len(accounts) == len(raw)
    assert accounts["country"].nunique() == 76 and set(accounts["industry"]) == set(INDUSTRY_NAMES)
    ind = accounts[(accounts["country"] == "IND") & (accounts["year"] == 2020)]
    assert len(ind) == len(INDUSTRY_NAMES)
    first = raw[(raw["iso3"] == "IND") & (raw["year"] == 2020) & (raw["industry"] == "C24")].iloc[0]
    got = ind.set_index("industry").loc["C24"]
    assert got["value_added_usd"] == pytest.approx(first["value_added_usd_mn"] * 1e6)
    assert got["industry_name"] == "Basic metals"
    assert SOURCE.tables == ("industry_accounts",)


def _broken(tmp_path, real_path, edit, name="broken.csv"):
    with gzip.open(real_path, "rt") as fh:
        lines = [next(fh) for _ in range(50)]
    lines = edit(lines)
    p = tmp_path / name
    p.write_text("".join(lines))
    return p


@pytest.mark.parametrize(
    "edit, field",
    [
        (lambda ls: [ls[0].replace("value_added_usd_mn", "va")] + ls[1:], None),  # missing column
        (lambda ls: ls[:3] + [ls[3].replace("ARG", "XX1")] + ls[4:], "iso3"),  # bad country
        (lambda ls: ls[:3] + [ls[3].replace(",B05_06,", ",Z99,")] + ls[4:], "industry"),  # unknown industry
        (lambda ls: ls[:3] + [ls[3].replace(",8627.3,", ",-8627.3,")] + ls[4:], "output_usd_mn"),  # negative
        (lambda ls: ls[:3] + [ls[3].replace(",8627.3,", ",inf,")] + ls[4:], "output_usd_mn"),  # inf
        (lambda ls: ls[:3] + [ls[3].replace(",8627.3,", ",,")] + ls[4:], "output_usd_mn"),  # empty value
        (lambda ls: ls + [ls[1]], None),  # duplicate row
        (lambda ls: ls[:1], None),  # header only
        (lambda ls: [], None),  # empty file
        (lambda ls: ls[:5] + [ls[5][:12] + "\n"], None),  # truncated line
    ],
)
def test_broken_copies(tmp_path, real_path, edit, field):
    p = _broken(tmp_path, real_path, edit)
    with pytest.raises(DataFormatError) as exc:
        read_industry_accounts(p)
    assert "broken.csv" in str(exc.value)
    if field:
        assert exc.value.field == field


def test_negative_value_added_allowed(tmp_path, real_path):
    p = _broken(tmp_path, real_path, lambda ls: ls[:3] + [ls[3].replace(",2778.0,", ",-5.0,")] + ls[4:])
    df = read_industry_accounts(p)
    assert df["value_added_usd"].min() == pytest.approx(-5e6)
