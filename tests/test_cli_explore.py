"""`critmin trade | dependence | production`: JSON contract, numbers recomputed from the raw BACI CSV,
readable tables, charts, first-use auto-build and bad input."""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict

import pytest

from critmin.cli import main


def run_cli(args, capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["critmin", *map(str, args)])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def cli(built_settings, mirror, capsys, monkeypatch):
    home = ["--home", built_settings.home, "--mirror", mirror]

    def call(*args):
        return run_cli([*args, *home], capsys, monkeypatch)

    return call


@pytest.fixture(scope="module")
def raw_baci(mirror):
    """The raw BACI sample and country table, read with nothing but the csv module."""
    iso = {}
    with open(mirror / "baci" / "country_codes_V202601.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            iso[row["country_code"]] = "TWN" if row["country_iso3"] == "S19" else row["country_iso3"]
    with open(mirror / "baci" / "BACI_HS17_Y2024_V202601_critical31.csv", newline="") as fh:
        rows = [dict(r, i=iso[r["i"]], j=iso[r["j"]], v=float(r["v"]) * 1000) for r in csv.DictReader(fh)]
    return rows


def test_trade_json_matches_the_raw_csv_india_peru(cli, raw_baci):
    code, out, err = cli("trade", "--reporter", "IND", "--partner", "PER", "--year", "2024", "--json")
    assert code == 0, err
    res = json.loads(out)
    for key in ("imports_usd", "exports_usd", "balance_usd", "by_product"):
        assert key in res
    imports = defaultdict(float)
    exports = defaultdict(float)
    for r in raw_baci:
        if r["t"] == "2024" and r["i"] == "PER" and r["j"] == "IND":
            imports[r["k"]] += r["v"]
        if r["t"] == "2024" and r["i"] == "IND" and r["j"] == "PER":
            exports[r["k"]] += r["v"]
    assert res["imports_usd"] == pytest.approx(sum(imports.values()), rel=1e-12, abs=1e-6)
    assert res["exports_usd"] == pytest.approx(sum(exports.values()), rel=1e-12, abs=1e-6)
    assert res["balance_usd"] == pytest.approx(sum(exports.values()) - sum(imports.values()), abs=1e-6)
    assert res["exports_usd"] > 0
    by = {p["hs6"]: p for p in res["by_product"]}
    assert set(by) == set(imports) | set(exports)
    for hs6, p in by.items():
        assert set(p) >= {"hs6", "mineral", "stage", "imports_usd", "exports_usd", "balance_usd"}
        assert p["imports_usd"] == pytest.approx(imports.get(hs6, 0.0), abs=1e-6)
        assert p["exports_usd"] == pytest.approx(exports.get(hs6, 0.0), abs=1e-6)
        assert p["balance_usd"] == pytest.approx(p["exports_usd"] - p["imports_usd"], abs=1e-6)


def test_trade_with_all_partners_matches_the_raw_csv(cli, raw_baci):
    code, out, err = cli("trade", "--reporter", "IND", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["partners"] is None
    m = sum(r["v"] for r in raw_baci if r["j"] == "IND")
    x = sum(r["v"] for r in raw_baci if r["i"] == "IND")
    assert res["imports_usd"] == pytest.approx(m, rel=1e-12)
    assert res["exports_usd"] == pytest.approx(x, rel=1e-12)
    assert sum(p["imports_usd"] for p in res["by_partner"]) == pytest.approx(m, rel=1e-12)


def test_dependence_json_matches_the_raw_csv_for_copper_cathodes(cli, raw_baci):
    code, out, err = cli("dependence", "--reporter", "IND", "--hs", "740311", "--year", "2024", "--json")
    assert code == 0, err
    res = json.loads(out)
    by = defaultdict(float)
    for r in raw_baci:
        if r["j"] == "IND" and r["k"] == "740311" and r["t"] == "2024":
            by[r["i"]] += r["v"]
    total = sum(by.values())
    shares = {k: v / total for k, v in by.items()}
    assert res["imports_usd"] == pytest.approx(total, rel=1e-12)
    got = {s["partner"]: s for s in res["suppliers"]}
    assert set(got) == set(shares)
    for p, s in shares.items():
        assert got[p]["value_usd"] == pytest.approx(by[p], rel=1e-12)
        assert got[p]["share"] == pytest.approx(s, rel=1e-12)
    ranked = sorted(shares.values(), reverse=True)
    assert res["hhi"] == pytest.approx(sum(s * s for s in shares.values()), rel=1e-12)
    assert res["top3_share"] == pytest.approx(sum(ranked[:3]), rel=1e-12)
    assert res["china_share"] == pytest.approx(shares.get("CHN", 0.0), rel=1e-12)
    for key in ("wgi_weighted_hhi", "net_import_reliance"):
        assert key in res
    assert [s["partner"] for s in res["suppliers"]][0] == max(shares, key=shares.get)


def test_dependence_by_mineral_and_stage(cli):
    code, out, err = cli("dependence", "--reporter", "IND", "--mineral", "copper", "--stage", "refined", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["products"]["mineral"] == "copper" and res["products"]["stage"] == "refined"
    assert "740311" in res["products"]["hs6"]
    assert 0 < res["net_import_reliance"] < 1


def test_readable_tables_and_charts(cli, tmp_path):
    code, out, err = cli("dependence", "--reporter", "IND", "--hs", "740311", "--chart", tmp_path / "dep.html")
    assert code == 0, err
    assert "Japan" in out and "HHI" in out and "net import reliance" in out
    html = (tmp_path / "dep.html").read_text()
    assert '<script src="http' not in html and "plotly" in html.lower() and len(html) > 1_000_000
    code, out, err = cli("trade", "--reporter", "IND", "--chart", tmp_path / "trade.svg")
    assert code == 0, err
    assert "by product" in out and "by partner" in out
    assert (tmp_path / "trade.svg").read_text().lstrip().startswith("<svg")
    code, out, err = cli("production", "--mineral", "copper", "--chart", tmp_path / "prod.xlsx")
    assert code == 2 and "unknown suffix" in err


def test_production_ranks_peru_third_in_copper_mine_output(cli):
    code, out, err = cli(
        "production", "--mineral", "copper", "--stage", "mine", "--year", "2024", "--country", "PER", "--json"
    )
    assert code == 0, err
    res = json.loads(out)
    # USGS MCS 2026: Chile 5,510 kt, DRC 2,990 kt, Peru 2,740 kt of a rounded world total of 23,000 kt
    assert [p["iso3"] for p in res["producers"][:3]] == ["CHL", "COD", "PER"]
    assert res["country"]["rank"] == 3
    assert res["country"]["value"] == 2_740_000
    assert res["country"]["share"] == pytest.approx(2740 / 23000)
    assert res["country"]["reserves"] > 0
    code, out, err = cli("production", "--mineral", "copper", "--stage", "refinery", "--country", "CHN")
    assert code == 0, err
    assert "China ranks 1" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["trade", "--reporter", "XYZ"], "unknown country 'XYZ'"),
        (["trade", "--reporter", "IND", "--partner", "Peruu"], "unknown country 'Peruu'"),
        (["dependence", "--reporter", "IND", "--hs", "999999"], "unknown HS6 code"),
        (["dependence", "--reporter", "IND", "--mineral", "coper"], "did you mean copper"),
        (["dependence", "--reporter", "IND", "--mineral", "copper", "--stage", "smelted"], "unknown stage"),
        (["trade", "--reporter", "IND", "--year", "2019"], "no trade data for year(s) 2019"),
        (["dependence", "--reporter", "IND", "--hs", "740311", "--year", "2019"], "2019"),
        (["production", "--mineral", "unobtainium"], "unknown mineral"),
    ],
)
def test_bad_input_gives_one_clear_error(cli, args, message):
    code, out, err = cli(*args)
    assert code == 2
    assert message in " ".join(err.split())


def test_hs_code_without_leading_zero_is_padded_with_a_warning(cli):
    code, out, err = cli("dependence", "--reporter", "IND", "--hs", "40311")
    assert code == 2
    text = " ".join(err.split())
    assert "read as '040311'" in text and "did you mean 740311" in text


@pytest.mark.slow
def test_first_command_builds_the_warehouse(settings, mirror, capsys, monkeypatch):
    assert not (settings.home / "warehouse").exists()
    code, out, err = run_cli(
        ["dependence", "--reporter", "IND", "--hs", "740311", "--json", "--home", settings.home, "--mirror", mirror],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert json.loads(out)["suppliers"][0]["partner"] == "JPN"
    assert (settings.home / "warehouse" / "CURRENT").exists()
