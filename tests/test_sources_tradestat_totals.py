"""TradeStat country-wise totals: the real JSON (against the bundle's tidy copy and published checks), broken copies."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from critmin.countries import resolve
from critmin.errors import DataFormatError
from critmin.sources.tradestat_totals import NOT_COUNTRIES, SOURCE, read_country_wise


@pytest.fixture(scope="module")
def raw_path(mirror):
    return mirror / "tradestat" / "india_trade_country_wise_fy2010_2025.json"


@pytest.fixture(scope="module")
def parsed(raw_path):
    return read_country_wise(raw_path)


def test_real_file_passes_schema_and_published_checks(parsed):
    SOURCE.schemas["india_trade_totals"].validate(parsed)
    t = parsed.dropna(subset=["partner_iso3"]).set_index(["partner_iso3", "period"]).sort_index()
    assert t.loc[("PER", "FY2024-25"), "imports_usd"] == pytest.approx(4981.09e6)
    assert t.loc[("PER", "FY2024-25"), "exports_usd"] == pytest.approx(1002.26e6)
    assert t.loc[("PER", "FY2023-24"), "imports_usd"] == pytest.approx(3114.31e6)
    assert t.loc[("CHL", "FY2023-24"), "exports_usd"] == pytest.approx(1183.05e6)
    assert t.loc[("CHL", "FY2023-24"), "imports_usd"] == pytest.approx(1514.10e6)
    assert (parsed["fy_start"].min(), parsed["fy_start"].max()) == (2010, 2025)
    assert set(parsed.loc[parsed["provisional"], "period"]) == {"FY2025-26"}


def test_matches_the_tidy_copy(parsed, shared_data):
    tidy = pd.read_csv(shared_data / "trade" / "india_total_trade_by_partner_fy2010_2025.csv.gz")
    tidy = tidy.groupby(["partner_iso3", "fy_start_year"], as_index=False)[["export_usd_mn", "import_usd_mn"]].sum()
    ours = parsed[parsed["partner_iso3"].notna() & (parsed["partner_iso3"] != "WLD")]
    m = ours.merge(tidy, left_on=["partner_iso3", "fy_start"], right_on=["partner_iso3", "fy_start_year"])
    assert len(m) >= 0.95 * len(ours)
    assert (m["exports_usd"] / 1e6 - m["export_usd_mn"]).abs().max() < 0.01
    assert (m["imports_usd"] / 1e6 - m["import_usd_mn"]).abs().max() < 0.01


def test_partners_add_up_to_the_world_total(parsed):
    fy = parsed[parsed["period"] == "FY2024-25"]
    world = fy.loc[fy["partner_iso3"] == "WLD", "imports_usd"].iloc[0]
    partners = fy.loc[fy["partner_iso3"] != "WLD", "imports_usd"].sum()
    assert partners == pytest.approx(world, rel=0.01)


def test_every_name_of_the_check_table_resolves_to_its_iso3(shared_data):
    ref = pd.read_csv(
        shared_data / "reference" / "tradestat_partner_names_to_iso3.csv", dtype=str, keep_default_na=False
    )
    wrong = [
        (r.partner_tradestat, r.iso3, resolve(r.partner_tradestat, source="tradestat"))
        for r in ref.itertuples()
        if r.iso3
        and r.partner_tradestat not in NOT_COUNTRIES
        and resolve(r.partner_tradestat, source="tradestat") != r.iso3
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("countries"), "'years' and 'countries'"),
        (lambda d: d["years"].__setitem__(0, "2010"), "is not a financial year"),
        (lambda d: d["countries"][0]["exp"].pop(), "expected a list of 16 values"),
        (lambda d: d["countries"][0]["imp"].__setitem__(3, -5), "must be a finite number >= 0"),
        (lambda d: d["countries"][0]["imp"].__setitem__(3, "n/a"), "is not a number"),
        (lambda d: d["countries"][1].__setitem__("name", "ATLANTIS"), "unknown partner name 'ATLANTIS'"),
        (lambda d: d["countries"].append(dict(d["countries"][0])), "appears twice"),
    ],
)
def test_broken_copies_are_rejected(raw_path, tmp_path, mutate, message):
    doc = json.loads(raw_path.read_text())
    mutate(doc)
    bad = tmp_path / "country_wise.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(DataFormatError, match=message):
        read_country_wise(bad)


def test_truncated_file_is_rejected(raw_path, tmp_path):
    bad = tmp_path / "cut.json"
    bad.write_bytes(raw_path.read_bytes()[:5000])
    with pytest.raises(DataFormatError, match="is not a JSON document"):
        read_country_wise(bad)
