"""The brief's contract: unknown sections are errors, missing sections are announced, --strict exits 3,
one reference year per brief, cards and charts name the same scenario."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from critmin.cli import app
from critmin.cli._common import run_app
from critmin.report import brief as brief_mod
from critmin.report.base import BriefContext, Section

SRC = Path(__file__).resolve().parents[1] / "src"


def test_unknown_section_is_a_one_line_error(tmp_path):
    out = tmp_path / "b.html"
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run(
        [sys.executable, "-m", "critmin", "brief", "--section", "nosuch", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert "nosuch" in res.stderr and "trade" in res.stderr
    assert not out.exists()


def test_help_lists_every_section():
    result = CliRunner().invoke(app, ["brief", "--help"], terminal_width=300)
    for key in brief_mod.section_keys():
        assert key in result.output, key


def _fake(name, build):
    return types.SimpleNamespace(__name__=f"critmin.report.sections.{name}", build=build, ORDER=1)


def test_strict_exits_3_and_the_top_says_what_is_missing(built_settings, tmp_path, monkeypatch, capsys):
    def broken(ctx):
        raise ValueError("no data for this pair")

    fakes = [_fake("okay", lambda ctx: Section(key="okay", title="Fine", html="<p>fine</p>")), _fake("broken", broken)]
    monkeypatch.setattr(brief_mod, "discover_sections", lambda: fakes)
    out = tmp_path / "b.html"
    monkeypatch.setattr(
        sys, "argv", ["critmin", "brief", "--out", str(out), "--strict", "--home", str(built_settings.home)]
    )
    with pytest.raises(SystemExit) as exc:
        run_app(app)
    assert exc.value.code == 3
    page = out.read_text()
    top = page.index('id="incomplete"')
    assert top < page.index('<section id="okay"')
    assert "broken" in page[top : top + 300]


def test_without_strict_a_missing_section_exits_0(built_settings, tmp_path, monkeypatch):
    fakes = [_fake("broken", lambda ctx: 1 / 0)]
    monkeypatch.setattr(brief_mod, "discover_sections", lambda: fakes)
    monkeypatch.setattr(
        sys, "argv", ["critmin", "brief", "--out", str(tmp_path / "b.html"), "--home", str(built_settings.home)]
    )
    with pytest.raises(SystemExit) as exc:
        run_app(app)
    assert exc.value.code == 0


def test_period_label_marks_other_years(built_settings):
    ctx = BriefContext(built_settings, "IND", "PER", 2023)
    assert ctx.period_label(2023) == "2023"
    assert "not the reference year 2023" in ctx.period_label(2024, "projection start")


def _kpi_labels(html: str) -> list[str]:
    return re.findall(r'<div class="kpi"><b>[^<]*</b>([^<]*)</div>', html)


def test_scenario_cards_for_2023_show_no_unlabelled_other_year(built_settings):
    from critmin.report.sections import scenarios

    sec = scenarios.build(BriefContext(built_settings, "IND", "PER", 2023))
    labels = _kpi_labels(sec.html)
    assert labels
    for label in labels:
        for year in re.findall(r"\b20[12]\d\b", label):
            if year not in ("2023", "2030", "2047"):  # 2030/2047 are the scenario horizons, named as such
                assert "not the reference year 2023" in label, label
    # the sourcing card names its tariff case, and a chart with that same case is drawn
    sourcing_card = next(lbl for lbl in labels if lbl.startswith("least-cost sourcing"))
    assert scenarios.TODAY in sourcing_card
    titles = [f.layout.title.text for f in sec.figures if f.layout.title.text]
    assert any(scenarios.TODAY in t for t in titles)
    assert any("what-if: the 2023 duty of 2.5%" in t for t in titles)
    # the duty paragraph quotes the tariff table's sources for both duties, not text in the section
    assert "in 2030: 0.0% (MFN: Union Budget 2024-25" in sec.html
    assert "re-applies the 2023 rate of 2.5% (MFN: Business Standard" in sec.html


def test_the_scenario_design_comes_from_its_file(built_settings, monkeypatch):
    import copy

    from critmin.report.sections import scenarios
    from critmin.services import brief_scenarios

    changed = copy.deepcopy(brief_scenarios.design())
    changed["copper_concentrate"].update(year=2031, max_share=0.5, closed_passage="panama")
    monkeypatch.setattr(brief_scenarios, "design", lambda: changed)
    sec = scenarios.build(BriefContext(built_settings, "IND", "PER", 2024))
    labels = _kpi_labels(sec.html)
    assert any(lbl.startswith("least-cost sourcing 2031") for lbl in labels), labels
    assert "Closing the Panama Canal passage" in sec.html
    assert any("in 2031; FTA partners PER, CHL; no supplier above 50.0% of supply" in f.text for f in sec.footnotes)


def test_basket_codes_say_so():
    from critmin.report.html import product_label

    label = product_label("270112", "coking_coal")
    assert "basket" in label and "Bituminous coal" in label and "thermal" in label
    assert product_label("250410", "graphite") == "graphite"


def test_trade_section_states_source_scope_period_unit(built_settings):
    from critmin.report.sections import trade

    sec = trade.build(BriefContext(built_settings, "IND", "PER", 2024))
    scope = re.search(r'<p class="scope">(.*?)</p>', sec.html).group(1)
    for needle in ("BACI", "critical-mineral HS6 codes", "not all goods", "CY2024", "USD"):
        assert needle in scope, (needle, scope)
    if "270112" in sec.html:
        assert "basket" in sec.html


def _figure_section(ctx):
    import plotly.graph_objects as go

    return Section(key="chart", title="A chart", figures=[go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))])


def test_no_mode_bar_and_a4_page_rule(built_settings, tmp_path, monkeypatch):
    monkeypatch.setattr(brief_mod, "discover_sections", lambda: [_fake("chart", _figure_section)])
    out = tmp_path / "b.html"
    brief_mod.write_brief(BriefContext(built_settings, "IND", "PER", 2024), out)
    page = out.read_text()
    assert '"displayModeBar": false' in page
    assert "size: A4" in page
    brief_mod.write_brief(BriefContext(built_settings, "IND", "PER", 2024, paper="Letter"), out)
    assert "size: Letter" in out.read_text()
    with pytest.raises(Exception, match="paper"):
        brief_mod.write_brief(BriefContext(built_settings, "IND", "PER", 2024, paper="B5"), out)


@pytest.mark.skipif(
    not any(__import__("shutil").which(c) for c in ("chromium", "chromium-browser", "google-chrome")),
    reason="needs Chromium",
)
@pytest.mark.parametrize("paper, width_pt", [("A4", 595), ("Letter", 612)])
def test_pdf_page_size(built_settings, tmp_path, monkeypatch, paper, width_pt):
    monkeypatch.setattr(brief_mod, "discover_sections", lambda: [_fake("chart", _figure_section)])
    out = tmp_path / "b.pdf"
    brief_mod.write_brief(BriefContext(built_settings, "IND", "PER", 2024, paper=paper), out)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", out.read_bytes())
    assert boxes, "no page box found"
    assert all(abs(float(w) - width_pt) < 2 for w, _ in boxes), boxes


def test_partner_weight_lists_every_usgs_ranked_mineral(built_settings):
    from critmin.report.sections import minerals
    from critmin.services.dependence_table import partner_production_by_mineral

    sec = minerals.build(BriefContext(built_settings, "IND", "PER", 2024))
    ranked = [
        m for m, v in partner_production_by_mineral(built_settings, "PER").items() if v.get("partner_production_rank")
    ]
    assert "silver" in ranked and "zinc" in ranked
    part = sec.html[sec.html.index("every mineral USGS ranks it in") :]
    for m in ranked:
        assert f"<td>{m}</td>" in part, m


def test_fta_charts_name_their_tariff_scenario(built_settings):
    from critmin.report.sections import fta

    sec = fta.build(BriefContext(built_settings, "IND", "PER", 2024))
    if sec is None:
        pytest.skip("no bundled IND-PER schedule")
    assert "scenario: tariffs in force" in sec.html
    for fig in sec.figures:
        assert "scenario:" in fig.layout.title.text, fig.layout.title.text
    if "The charts show the same schedule with the tariffs of" in sec.html:
        assert all("what-if" in f.layout.title.text for f in sec.figures)


def test_copper_ore_table_uses_the_reference_year(built_settings):
    from critmin.report.sections import minerals

    sec = minerals.build(BriefContext(built_settings, "IND", "PER", 2024))
    m = re.search(r"Total (CY\d{4})([^:]*):", sec.html)
    assert m, "copper-ore total missing"
    assert m.group(1) == "CY2024" or "not the reference year CY2024" in m.group(2), m.group(0)


@pytest.mark.parametrize(
    "values, unit",
    [([3500.0, 2900.0], "thousand USD"), ([1.4e10], "billion USD"), ([0.0], "USD"), ([2e6, None], "million USD")],
)
def test_trade_chart_unit_suits_the_values(values, unit):
    from critmin.report.figures_explorer import usd_scale

    assert usd_scale(values)[1] == unit


def test_provenance_has_one_row_per_table(warehouse):
    prov = warehouse.provenance()
    rows = brief_mod.provenance_rows(prov)
    tables = [r["table"] for r in rows]
    assert len(tables) == len(set(tables)) == prov["table"].nunique()
    multi = [r for r in rows if r["n_files"] > 1]
    assert all("," in r["file"] for r in multi)
    assert all(len(r["files"]) == len(r["hashes"]) == r["n_files"] for r in rows)


def test_provenance_table_lays_files_out_one_per_line(warehouse):
    """A fixed-layout table with a wide file column: long file lists do not wrap letter by letter."""
    from critmin.report.base import BriefContext

    rows = brief_mod.provenance_rows(warehouse.provenance())
    page = brief_mod.render_html(BriefContext(settings=None), [], {}, warehouse.provenance())
    assert "table-layout: fixed" in page and '<col class="c-file">' in page
    multi = next(r for r in rows if r["n_files"] > 1)
    assert "".join(f"<span>{f}</span>" for f in multi["files"]) in page
