"""A bloc (EU27) as a reporter: its members as one economy, extra-bloc trade only."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from critmin.classify.blocs import bloc_members, resolve_bloc
from critmin.services.explorer import dependence, trade_summary
from critmin.warehouse import open_warehouse


@pytest.mark.parametrize("text", ["EU27", "eu27", "EU", "European Union", "european  union"])
def test_bloc_spellings_resolve(text):
    assert resolve_bloc(text) == "EU27"


def test_a_country_is_not_a_bloc():
    assert resolve_bloc("IND") is None and bloc_members("IND") == frozenset({"IND"})


def _extra_eu_imports(settings, hs6: set[str], year: int):
    """Plain pandas: members' imports from non-members, by supplier."""
    f = open_warehouse(settings).read("trade_flows")
    eu = bloc_members("EU27")
    f = f[(f["year"] == year) & f["hs6"].isin(hs6) & f["importer"].isin(eu) & ~f["exporter"].isin(eu)]
    return f.groupby("exporter")["value_usd"].sum().sort_values(ascending=False)


def test_bloc_dependence_equals_members_extra_bloc_imports(built_settings):
    res = dependence(built_settings, "EU", mineral="copper", stage="refined", year=2024)
    by = _extra_eu_imports(built_settings, set(res["products"]["hs6"]), 2024)
    assert res["reporter"] == "EU27" and res["bloc"]["n_members"] == 27
    assert res["imports_usd"] == pytest.approx(by.sum(), rel=1e-12)
    assert [s["partner"] for s in res["suppliers"][:3]] == list(by.index[:3])
    assert not set(s["partner"] for s in res["suppliers"]) & bloc_members("EU27")
    shares = by / by.sum()
    assert res["hhi"] == pytest.approx(float((shares**2).sum()), rel=1e-12)
    # production is the sum of the members USGS lists, and says so
    detail = res["net_import_reliance_detail"]
    assert detail["production_basis"].startswith("sum of ") and "DEU" in detail["production_basis"]


def test_bloc_trade_leaves_out_trade_between_members(built_settings):
    res = trade_summary(built_settings, "EU27", mineral="lithium")
    by = _extra_eu_imports(built_settings, set(res["products"]["hs6"]), res["years"][0])
    assert res["imports_usd"] == pytest.approx(by.sum(), rel=1e-12)
    assert "extra-EU27" in res["bloc"]["note"]
    assert trade_summary(built_settings, "IND", mineral="lithium")["bloc"] is None


@pytest.mark.slow
def test_bloc_reporter_through_the_command_line(built_settings):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "critmin",
            "dependence",
            "--reporter",
            "European Union",
            "--mineral",
            "lithium",
            "--json",
            "--home",
            str(built_settings.home),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["reporter"] == "EU27"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "critmin",
            "dependence",
            "--reporter",
            "EU28",
            "--mineral",
            "lithium",
            "--home",
            str(built_settings.home),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "EU28" in bad.stderr
