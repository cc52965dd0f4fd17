"""The trade-picture model: source precedence, non-overlapping detail, coverage and reconciliation."""

import pytest

from critmin.domain.trade.picture import (
    DetailRow,
    Figure,
    PictureModel,
    choose_detail,
    pick_total,
    reconcile,
    scope_key,
)
from critmin.periods import calendar_year, financial_year

CY24, FY24 = calendar_year(2024), financial_year(2024)


def row(code, value, source, flow="imports", period=CY24, rev=""):
    return DetailRow(code, f"hs {code}", flow, value, period, source, rev)


def test_scope_key_whole_heading():
    assert scope_key("260300") == "2603"
    assert scope_key("71081200") == "710812"
    assert scope_key("710812") == "710812"
    assert scope_key("2603") == "2603"


def test_choose_detail_best_source_wins_and_nested_codes_are_not_counted_twice():
    rows = [
        row("2603", 253e6, "tradestat"),
        row("260300", 260e6, "baci"),
        row("2603", 255e6, "baci_hs4"),
        row("7108", 4368e6, "tradestat"),
        row("710812", 4000e6, "baci"),
        row("740311", 5e6, "baci"),
        row("2603", 1e6, "tradestat_eidb", flow="exports", period=FY24),
    ]
    kept = choose_detail(rows, CY24)
    got = {(r.flow, r.code, r.source) for r in kept}
    assert got == {
        ("imports", "2603", "tradestat"),
        ("imports", "7108", "tradestat"),
        ("imports", "740311", "baci"),
        ("exports", "2603", "tradestat_eidb"),
    }
    assert [r.code for r in kept if r.flow == "imports"] == ["7108", "2603", "740311"]  # largest first


def test_pick_total_prefers_exact_period_then_overlapping_with_note():
    fy = Figure(4981.09e6, FY24, "tradestat_totals")
    dots = Figure(4000e6, CY24, "imf_dots")
    assert pick_total([fy, dots], CY24) is dots
    assert pick_total([fy, dots], FY24) is fy
    near = pick_total([fy, Figure(1.0, financial_year(2023), "tradestat_totals")], CY24)
    assert near.period == FY24 and "not the same period" in near.note  # 9 months shared beats 3
    assert pick_total([fy], calendar_year(2030)) is None


def test_coverage_and_basis_note():
    model = PictureModel(
        "IND",
        "PER",
        FY24,
        totals={
            "imports": [Figure(4981.09e6, FY24, "tradestat_totals")],
            "exports": [Figure(1002.26e6, FY24, "tradestat_totals")],
        },
        detail=[row("7108", 4368.55e6, "tradestat"), row("2603", 253.35e6, "tradestat")],
    )
    res = model.run().to_dict()
    assert res["total"]["imports_usd"] == pytest.approx(4981.09e6)
    assert res["total"]["balance_usd"] == pytest.approx(1002.26e6 - 4981.09e6)
    cov = res["coverage"]["imports"]
    assert cov["share"] == pytest.approx((4368.55 + 253.35) / 4981.09)
    assert "not the same period" in cov["note"]
    assert res["coverage"]["exports"]["share"] == 0.0
    assert res["explained"][0]["basis_note"]


def test_no_total_means_no_share():
    res = PictureModel("CHN", "PER", CY24, detail=[row("2603", 5e9, "baci")]).run().to_dict()
    assert res["total"] is None
    assert res["coverage"]["imports"]["share"] is None
    assert "not a total" in res["coverage"]["imports"]["note"]


def test_reconcile_same_scope_and_period_only():
    rows = [
        row("2603", 1.25e9, "tradestat"),
        row("2603", 1.37e9, "baci_hs4", rev="HS22"),
        row("260300", 1.36e9, "baci", rev="HS17"),
        row("7108", 9e9, "tradestat"),
        row("2603", 9.9e9, "baci", period=calendar_year(2022)),
    ]
    comps = reconcile(rows)
    assert len(comps) == 3  # tradestat-baci, tradestat-baci_hs4, baci-baci_hs4 for 2603 CY2024
    first = comps[0].to_dict()
    assert first["code"] == "2603" and first["period"] == "CY2024"
    ts_hs4 = next(c for c in comps if {c.a.source, c.b.source} == {"tradestat", "baci_hs4"})
    assert ts_hs4.a.source == "tradestat"
    assert ts_hs4.gap == pytest.approx(1.37 / 1.25 - 1)
    assert any("CIF" in r for r in ts_hs4.reasons())
    hs = next(c for c in comps if {c.a.source, c.b.source} == {"baci", "baci_hs4"})
    assert any("HS edition" in r for r in hs.reasons())


def test_detail_row_rejects_bad_codes():
    with pytest.raises(ValueError):
        row("26O3", 1.0, "baci")
    with pytest.raises(ValueError):
        row("2603", 1.0, "baci", flow="both")


def test_series_changes_with_gaps():
    from critmin.domain.indicators.series import with_changes

    s = with_changes(
        [
            {"year": 2024, "v": 150.0, "hhi": 0.5},
            {"year": 2022, "v": 100.0, "hhi": 0.4},
            {"year": 2025, "v": None, "hhi": 0.45},
        ],
        relative=["v"],
        absolute=["hhi"],
    )
    assert [r["year"] for r in s] == [2022, 2024, 2025]
    assert s[0]["v_yoy"] is None and s[0]["years_apart"] is None
    assert s[1]["v_yoy"] == pytest.approx(0.5) and s[1]["years_apart"] == 2
    assert s[1]["hhi_change"] == pytest.approx(0.1)
    assert s[2]["v_yoy"] is None and s[2]["hhi_change"] == pytest.approx(-0.05)


def test_order_does_not_depend_on_input_order():
    rows = [row(c, 5.0, "tradestat_eidb", flow="exports", period=FY24) for c in ("8703", "3004", "7305")] + [
        row("2603", 5.0, "tradestat"),
        row("2603", 5.0, "baci_hs4"),
        row("260300", 5.0, "baci"),
    ]
    for perm in (rows, rows[::-1], rows[2:] + rows[:2]):
        assert [(r.flow, r.code) for r in choose_detail(perm, CY24)] == [
            ("imports", "2603"),
            ("exports", "3004"),
            ("exports", "7305"),
            ("exports", "8703"),
        ]
        assert [(c.a.source, c.b.source) for c in reconcile(perm)] == [
            ("tradestat", "baci"),
            ("tradestat", "baci_hs4"),
            ("baci", "baci_hs4"),
        ]
