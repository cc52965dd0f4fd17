"""The trade chart: a bilateral picture shows the all-goods totals and the products that explain them."""

from __future__ import annotations

from critmin.report.figures_explorer import trade_figure
from critmin.services.explorer import trade_summary


def test_bilateral_chart_is_the_picture_with_its_totals(built_settings):
    res = trade_summary(built_settings, "IND", partners=["PER"], period="FY2024-25")
    fig = trade_figure(res)
    imports, exports = fig.data
    top_import = imports.y[-1]  # horizontal bars are drawn bottom-up: the total is the last label
    assert top_import.startswith("all goods (FY2024-25, tradestat_totals)")
    assert imports.x[-1] == res["total"]["by_flow"]["imports"]["value_usd"] / 1e9
    assert any(label.startswith("7108 Gold") for label in imports.y)
    titles = [a.text for a in fig.layout.annotations]
    share = res["coverage"]["imports"]["share"]
    assert f"imports: the products shown explain {share:.0%} of the FY2024-25 total" in titles
    assert exports.y[-1].startswith("all goods")


def test_world_chart_stays_by_product(built_settings):
    res = trade_summary(built_settings, "IND", mineral="copper")
    fig = trade_figure(res)
    assert [t.name for t in fig.data] == ["imports", "exports"] and fig.layout.xaxis.title.text == "HS6 product"


def test_the_brief_critical_mineral_section_charts_its_own_scope(built_settings):
    """The brief's critical-mineral trade section draws the HS6 codes it tabulates, not the all-goods picture."""
    from critmin.report.base import BriefContext
    from critmin.report.sections import trade as section

    sec = section.build(BriefContext(settings=built_settings, reporter="IND", partner="PER", year=2024))
    (fig,) = sec.figures
    assert [t.name for t in fig.data] == ["imports", "exports"] and fig.layout.xaxis.title.text == "HS6 product"


def test_the_brief_opens_with_the_picture_chart(built_settings):
    from critmin.report.base import BriefContext
    from critmin.report.sections import total_trade

    sec = total_trade.build(BriefContext(settings=built_settings, reporter="IND", partner="PER", year=2024))
    (fig,) = sec.figures
    assert any(label.startswith("7108 Gold") for label in fig.data[0].y)
    assert "IND trade with PER" in fig.layout.title.text
