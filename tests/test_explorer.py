"""Explorer services on the real warehouse: selections, empty selections, baskets, indicators."""

from __future__ import annotations

import pytest

from critmin.errors import EmptySelectionError, UnknownCodeError
from critmin.services.explorer import dependence, production, trade_summary


def test_trade_with_several_partners_adds_up(built_settings):
    both = trade_summary(built_settings, "IND", partners=["PER", "CHL"])
    per = trade_summary(built_settings, "IND", partners=["PER"])
    chl = trade_summary(built_settings, "IND", partners=["Chile"])
    assert both["partners"] == ["CHL", "PER"]
    assert both["imports_usd"] == pytest.approx(per["imports_usd"] + chl["imports_usd"])
    assert both["exports_usd"] == pytest.approx(per["exports_usd"] + chl["exports_usd"])
    assert {p["partner"] for p in both["by_partner"]} <= {"CHL", "PER"}


def test_trade_by_mineral_selects_its_codes(built_settings):
    res = trade_summary(built_settings, "IND", mineral="copper")
    assert {p["hs6"] for p in res["by_product"]} == {"740311"}
    assert res["by_product"][0]["mineral"] == "copper"
    assert res["by_product"][0]["stage"] == "refined"


def test_empty_selection_names_the_selection(built_settings):
    # the bundle has no copper ore (HS 2603) flows
    with pytest.raises(EmptySelectionError, match="mineral=copper, stage=ore"):
        dependence(built_settings, "IND", mineral="copper", stage="ore")
    with pytest.raises(EmptySelectionError, match="reporter=IND, partner=PER"):
        trade_summary(built_settings, "IND", partners=["PER"], hs=["740311"])


def test_basket_codes_are_left_out_of_a_mineral_unless_asked(built_settings):
    res = dependence(built_settings, "IND", mineral="lithium")
    assert res["products"]["baskets_excluded"] == ["253090"]
    assert "253090" not in res["products"]["hs6"] and "283691" in res["products"]["hs6"]
    # a stage whose only code is a basket keeps it (and says what it is)
    with pytest.raises(EmptySelectionError, match="253090"):
        dependence(built_settings, "IND", mineral="lithium", stage="ore")
    res = dependence(built_settings, "IND", mineral="gallium")  # only a basket code: kept
    assert res["products"]["hs6"] == ["811292"]


def test_dependence_indicators_are_consistent(built_settings):
    res = dependence(built_settings, "IND", mineral="lithium", stage="refined")
    shares = [s["share"] for s in res["suppliers"]]
    assert sum(shares) == pytest.approx(1.0)
    assert res["hhi"] == pytest.approx(sum(s * s for s in shares))
    assert 1 / len(shares) - 1e-12 <= res["hhi"] <= 1.0
    assert res["top3_share"] == pytest.approx(sum(sorted(shares, reverse=True)[:3]))
    assert res["wgi_year"] == 2023
    assert 0 <= res["wgi_weighted_hhi"] <= 10 * res["hhi"] + 1e-9
    assert 0.9 < res["wgi_coverage"] <= 1.0 + 1e-9


def test_rare_earth_magnets_show_chinas_share(built_settings):
    res = dependence(built_settings, "IND", hs=["850511"])
    assert res["china_share"] > 0.5  # China makes most of the world's permanent magnets
    assert res["suppliers"][0]["partner"] == "CHN"
    assert res["net_import_reliance"] is None and res["net_import_reliance_note"]


def test_net_import_reliance_uses_usgs_refinery_output(built_settings):
    res = dependence(built_settings, "IND", hs=["740311"])
    d = res["net_import_reliance_detail"]
    assert d["production_stage"] == "refinery" and d["production_t"] == 545_000  # USGS MCS 2026, India 2024
    m, x, p = d["imports_metal_t"], d["exports_metal_t"], d["production_t"]
    assert res["net_import_reliance"] == pytest.approx((m - x) / (p + m - x))


def test_production_errors(built_settings):
    with pytest.raises(UnknownCodeError, match="stages reported for copper"):
        production(built_settings, "copper", stage="plant")
    with pytest.raises(EmptySelectionError, match="1990"):
        production(built_settings, "copper", year=1990)
    res = production(built_settings, "copper", country="NZL")
    assert res["country"]["rank"] is None and "not listed" in res["country"]["note"]
