"""The bilateral trade picture on the real mirror: totals, the products that explain them, coverage, sources."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.services.explorer import trade_summary
from critmin.services.trade_picture import trade_picture


def test_india_peru_financial_year_total_and_calendar_year_detail(built_settings):
    res = trade_picture(built_settings, "IND", "PER", "FY2024-25")
    t = res["total"]
    assert (t["period"], t["basis"], t["source"]) == ("FY2024-25", "FY", "tradestat_totals")
    assert t["imports_usd"] == pytest.approx(4981.09e6)
    assert t["exports_usd"] == pytest.approx(1002.26e6)
    gold = next(r for r in res["explained"] if r["flow"] == "imports" and r["code"] == "7108")
    ore = next(r for r in res["explained"] if r["flow"] == "imports" and r["code"] == "2603")
    assert gold["value_usd"] == pytest.approx(4368.55e6) and gold["source"] == "tradestat"
    assert ore["value_usd"] == pytest.approx(253.35e6) and ore["period"] == "CY2024"
    assert "not the same period" in gold["basis_note"]  # CY detail against a FY total, said so
    cov = res["coverage"]["imports"]
    assert cov["share"] == pytest.approx(cov["explained_usd"] / 4981.09e6)
    assert 0.9 < cov["share"] < 1.0
    assert "not the same period" in cov["note"]


def test_earlier_financial_year_and_chile(built_settings):
    assert trade_picture(built_settings, "IND", "PER", "FY2023-24")["total"]["imports_usd"] == pytest.approx(3114.31e6)
    chl = trade_picture(built_settings, "IND", "CHL", "FY2023-24")["total"]
    assert (chl["exports_usd"], chl["imports_usd"]) == (pytest.approx(1183.05e6), pytest.approx(1514.10e6))


def test_calendar_year_uses_the_overlapping_financial_year_and_says_so(built_settings):
    t = trade_picture(built_settings, "IND", "PER", "CY2024")["total"]
    assert t["period"] == "FY2024-25" and "share 9 months" in t["note"]


def test_other_pairs_take_their_total_from_dots(built_settings):
    res = trade_picture(built_settings, "CHN", "PER", "CY2019")
    t = res["total"]
    assert t["source"] == "imf_dots" and t["period"] == "CY2019" and "mirror" in t["note"]
    assert t["imports_usd"] > 1e9 and t["exports_usd"] > 1e9
    # a pair and period nobody covers has no total, and the detail is not passed off as one
    none = trade_picture(built_settings, "CHN", "PER", "CY2024")
    assert none["total"] is None
    assert all(c["share"] is None for c in none["coverage"].values())


def test_trade_command_json_keeps_old_keys_and_adds_the_picture(built_settings):
    res = trade_summary(built_settings, "IND", partners=["PER"], period="FY2024-25")
    assert {"imports_usd", "exports_usd", "by_product", "by_partner"} <= set(res)
    assert res["total"]["imports_usd"] == pytest.approx(4981.09e6)
    assert res["scope"].endswith("(not all goods)")
    assert res["years"] == [2024]


def test_cli_trade_json_through_the_entry_point(built_settings):
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "critmin",
            "trade",
            "--reporter",
            "India",
            "--partner",
            "Peru",
            "--period",
            "FY2024-25",
            "--json",
            "--home",
            str(built_settings.home),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["total"]["source"] == "tradestat_totals"
    assert {r["code"] for r in res["explained"] if r["flow"] == "imports"} >= {"7108", "2603"}


def test_chile_copper_ore_reconciliation_and_eidb_exports(built_settings):
    res = trade_picture(built_settings, "IND", "CHL", "CY2024")
    rec = next(c for c in res["reconciliation"] if c["code"] == "2603" and c["flow"] == "imports")
    vals = {v["source"]: v["value_usd"] for v in rec["values"]}
    assert vals["tradestat"] == pytest.approx(1245.43e6)
    assert vals["baci_hs4"] == pytest.approx(1.37e9, rel=0.01)
    assert rec["gap"] == pytest.approx(vals["baci_hs4"] / vals["tradestat"] - 1)
    assert any("CIF" in r for r in rec["reasons"])
    exports = [r for r in res["explained"] if r["flow"] == "exports"]
    eidb = [r for r in exports if r["source"] == "tradestat_eidb"]
    assert eidb and all(r["period"] == "FY2024-25" and r["level"] == 4 for r in eidb)
    assert sum(r["value_usd"] for r in eidb) > 0.9 * sum(r["value_usd"] for r in exports)
    assert all(r["description"] for r in res["explained"] if r["flow"] == "imports")  # 8-digit lines described
    cov = res["coverage"]["exports"]
    assert cov["share"] == pytest.approx(cov["explained_usd"] / res["total"]["exports_usd"])


def test_dependence_series_over_two_baci_years(built_settings):
    from critmin.services.explorer import dependence

    res = dependence(built_settings, "IND", hs=["740311"], years=[2022, 2024])
    assert res["years"] == [2022, 2024] and res["year"] == 2024
    s22, s24 = res["series"]
    assert (s22["period"], s24["period"]) == ("CY2022", "CY2024")
    assert s22["has_quantities"] is False and pd.isna(s22["imports_t"])  # the 2022 file has no quantities
    assert s24["has_quantities"] is True
    assert s24["imports_usd_yoy"] == pytest.approx(s24["imports_usd"] / s22["imports_usd"] - 1)
    assert s24["hhi_change"] == pytest.approx(s24["hhi"] - s22["hhi"])
    assert s24["imports_usd"] == pytest.approx(
        dependence(built_settings, "IND", hs=["740311"], year=2024)["imports_usd"]
    )


def test_a_heading_expands_to_its_subheadings_or_says_where_its_data_are(built_settings):
    import subprocess
    import sys

    from critmin.services.explorer import dependence

    assert dependence(built_settings, "IND", hs=["7403"])["products"]["hs6"] == ["740311"]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "critmin",
            "trade",
            "--reporter",
            "IND",
            "--hs",
            "2603",
            "--home",
            str(built_settings.home),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "260300" in out.stderr and "tradestat_imports" in out.stderr


def test_production_series_names_the_years_usgs_does_not_report(built_settings):
    from critmin.services.explorer import production

    res = production(built_settings, "copper", country="PER", years=range(2020, 2026))
    assert res["years"] == [2024, 2025] and res["years_without_data"] == [2020, 2021, 2022, 2023]
    s24, s25 = res["series"]
    assert s25["country_value_yoy"] == pytest.approx(s25["country_value"] / s24["country_value"] - 1)
    assert s24["country_rank"] == res["series"][0]["country_rank"] and s24["country_share"] > 0.1
