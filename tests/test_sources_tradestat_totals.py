"""TradeStat country-wise totals connector: the real JSON, the tidy copy, the name check table, broken copies."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from critmin.countries import resolve
from critmin.errors import DataFormatError
from critmin.sources.tradestat_totals import SOURCE, read_tradestat_country_wise


@pytest.fixture(scope="module")
def raw_path(mirror):
    return mirror / "tradestat" / "india_trade_country_wise_fy2010_2025.json"


@pytest.fixture(scope="module")
def parsed(raw_path):
    return read_tradestat_country_wise(raw_path)


def _mn(parsed, partner, period, column):
    return parsed.query("partner_iso3 == @partner and period == @period")[column].item() / 1e6


def test_real_file_passes_schema(parsed):
    SOURCE.schemas["india_trade_totals"].validate(parsed)
    assert parsed["period"].min() == "FY2010-11" and parsed["period"].max() == "FY2025-26"
    assert set(parsed.loc[parsed["provisional"], "period"]) == {"FY2025-26"}


def test_peru_and_chile_check_figures(parsed):
    assert _mn(parsed, "PER", "FY2024-25", "exports_usd") == pytest.approx(1_002.26)
    assert _mn(parsed, "PER", "FY2024-25", "imports_usd") == pytest.approx(4_981.09)
    assert _mn(parsed, "PER", "FY2023-24", "imports_usd") == pytest.approx(3_114, abs=1)
    assert _mn(parsed, "CHL", "FY2023-24", "exports_usd") == pytest.approx(1_183.05)
    assert _mn(parsed, "CHL", "FY2023-24", "imports_usd") == pytest.approx(1_514.10)


def test_matches_the_tidy_copy(parsed, shared_data):
    tidy = pd.read_csv(shared_data / "trade" / "india_total_trade_by_partner_fy2010_2025.csv.gz",
                       keep_default_na=False, na_values=[""])
    assert len(tidy) == len(parsed)
    t = tidy.set_index(["fy_start_year", "partner_tradestat"])
    ours = parsed.set_index(["fy_start", "partner_name"]).loc[t.index]
    assert (ours["exports_usd"].to_numpy() / 1e6 - t["export_usd_mn"].to_numpy()).__abs__().max() < 0.006
    assert (ours["imports_usd"].to_numpy() / 1e6 - t["import_usd_mn"].to_numpy()).__abs__().max() < 0.006
    assert (ours["partner_iso3"].fillna("").to_numpy() == t["partner_iso3"].fillna("").to_numpy()).all()
    assert (ours["provisional"].to_numpy() == (t["data_status"] == "provisional").to_numpy()).all()


def test_every_check_table_name_resolves(shared_data):
    ref = pd.read_csv(shared_data / "reference" / "tradestat_partner_names_to_iso3.csv", keep_default_na=False)
    wrong = {r.partner_tradestat: (r.iso3, resolve(r.partner_tradestat, source="tradestat"))
             for r in ref.itertuples() if r.iso3 and resolve(r.partner_tradestat, source="tradestat") != r.iso3}
    assert len(ref) == 246 and wrong == {}


# ---- broken copies -------------------------------------------------------------------------------------

@pytest.fixture
def data(raw_path):
    return json.loads(raw_path.read_text(encoding="utf-8"))


def _write(tmp_path, obj):
    p = tmp_path / "country_wise.json"
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    return p


def test_truncated_and_empty(raw_path, tmp_path):
    with pytest.raises(DataFormatError, match="not valid UTF-8 JSON"):
        read_tradestat_country_wise(_write(tmp_path, raw_path.read_text(encoding="utf-8")[:5000]))
    with pytest.raises(DataFormatError, match="not valid UTF-8 JSON"):
        read_tradestat_country_wise(_write(tmp_path, ""))


def test_missing_key(data, tmp_path):
    del data["countries"]
    with pytest.raises(DataFormatError, match="missing key.*countries"):
        read_tradestat_country_wise(_write(tmp_path, data))


@pytest.mark.parametrize("bad", [-1.0, "12.3", None])
def test_bad_value(data, tmp_path, bad):
    data["countries"][3]["imp"][2] = bad
    with pytest.raises(DataFormatError, match="imports: value"):
        read_tradestat_country_wise(_write(tmp_path, data))


def test_wrong_length_and_unknown_country(data, tmp_path):
    data["countries"][0]["exp"].pop()
    with pytest.raises(DataFormatError, match="list of 16 values"):
        read_tradestat_country_wise(_write(tmp_path, data))
    data["countries"][0]["exp"].append(1.0)
    data["countries"][5]["name"] = "ATLANTIS"
    with pytest.raises(DataFormatError, match="unknown partner country name 'ATLANTIS'"):
        read_tradestat_country_wise(_write(tmp_path, data))
