"""The goods GE panel of India's partners (IMF DOTS 2019 + OECD domestic sales + GeoDist + WTO RTAs).

The DOTS and OECD warehouse tables are built by their own connectors; here the bundle's tidy copies are
read into the agreed table columns (``dots_exports``, ``industry_accounts``) by a small test-only reader.
"""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.domain.policy.gravity_panel import build_partner_panel, calc_domestic_goods_sales
from critmin.errors import DataFormatError, EmptySelectionError
from critmin.services.gravity import load_panel, panel_rta_effect, simulate_partner_ge

PARTNERS = ("PER", "CHL", "NZL")


@pytest.fixture(scope="module")
def dots(shared_data):
    d = pd.read_csv(shared_data / "trade" / "imf_dots_exports_fob_pairs_2019_2020.csv.gz")
    return pd.DataFrame(
        {
            "year": d["year"],
            "exporter": d["exporter_iso3"],
            "importer": d["importer_iso3"],
            "value_usd": d["exports_fob_usd_mn"] * 1e6,
        }
    )


@pytest.fixture(scope="module")
def accounts(shared_data):
    e = pd.read_csv(shared_data / "economy" / "oecd_iot2023_output_va_trade_76_economies_1995_2020.csv.gz")
    return pd.DataFrame(
        {
            "country": e["iso3"],
            "year": e["year"],
            "industry": e["industry"],
            "output_usd": e["output_usd_mn"] * 1e6,
            "exports_usd": e["exports_usd_mn"] * 1e6,
            "domestic_sales_usd": e["domestic_sales_usd_mn"] * 1e6,
        }
    )


@pytest.fixture(scope="module")
def geo(warehouse):
    return {
        "distances": warehouse.read("distances"),
        "agreements": warehouse.read("agreements"),
        "agreement_members": warehouse.read("agreement_members"),
    }


@pytest.fixture(scope="module")
def partner_panel(dots, accounts, geo):
    return build_partner_panel(dots, accounts, year=2019, **geo)


@pytest.fixture(scope="module")
def rta(shared_data):
    return panel_rta_effect(load_panel(shared_data / "gravity" / "yotov2016_panel.csv.gz"))


def test_partner_panel_coverage(partner_panel, dots, accounts):
    panel, cov = partner_panel
    n = cov["n_countries"]
    assert n == 75 and cov["excluded"] == {"TWN": "no DOTS exports reported"}
    assert {"IND", *PARTNERS} <= set(cov["countries"]) and len(panel) == n * n
    assert "goods only" in cov["what"] and "2019" in cov["what"] and "FOB" in cov["what"]
    g = panel.set_index(["exporter", "importer"])
    ia = accounts[
        (accounts.year == 2019) & (accounts.country == "IND") & accounts.industry.str[0].isin(["A", "B", "C"])
    ]
    assert g.loc[("IND", "IND"), "trade"] == pytest.approx((ia.output_usd - ia.exports_usd).sum(), rel=1e-6)
    d = dots[(dots.year == 2019) & (dots.exporter == "IND") & (dots.importer == "PER")]
    assert g.loc[("IND", "PER"), "trade"] == pytest.approx(d.value_usd.iloc[0])
    assert g.loc[("IND", "CHL"), "rta"] == 1 and g.loc[("IND", "NZL"), "rta"] == 0
    assert g.loc[("CHL", "PER"), "cntg"] == 1 and g["dist"].notna().all()


def test_domestic_sales_reject_bad_accounts(accounts):
    with pytest.raises(EmptySelectionError):
        calc_domestic_goods_sales(accounts, year=1980)
    with pytest.raises(DataFormatError, match="exports_usd"):
        calc_domestic_goods_sales(accounts.drop(columns=["exports_usd"]), year=2019)
    bad = accounts.copy()
    bad.loc[(bad.country == "PER") & (bad.year == 2019), "domestic_sales_usd"] = -1.0
    with pytest.raises(DataFormatError, match="PER"):
        calc_domestic_goods_sales(bad, year=2019)


def test_partner_panel_rejects_bad_dots(dots, accounts, geo):
    bad = dots.copy()
    bad.loc[bad.index[0], "value_usd"] = -5.0
    with pytest.raises(DataFormatError, match="value_usd"):
        build_partner_panel(bad, accounts, year=2019, **geo)
    with pytest.raises(EmptySelectionError):
        build_partner_panel(dots, accounts, year=2001, **geo)
    with pytest.raises(DataFormatError, match="importer"):
        build_partner_panel(dots.drop(columns=["importer"]), accounts, year=2019, **geo)


@pytest.mark.parametrize("partner", PARTNERS)
def test_india_partner_agreements_in_ge(partner_panel, rta, partner):
    panel, cov = partner_panel
    out = simulate_partner_ge(panel, "IND", partner, rta=rta, cost_factor=0.97, coverage=cov)
    assert out["available"] and out["year"] == 2019 and out["coverage"]["n_countries"] == 75
    assert out["rta_effect"]["estimate"] == pytest.approx(0.5572, abs=1e-4) and "pair FE" in out["rta_effect"]["source"]
    by = {v["name"]: v for v in out["variants"]}
    assert set(by) == {"rta", "tariffs"}
    for v in by.values():
        both = v["countries"]
        assert set(both) == {"IND", partner}
        for c in both.values():
            assert c["real_gdp_pct"] > 0 and c["exports_pct"] > 0 and c["imports_pct"] > 0
        # the smaller economy gains more, in proportion
        assert both[partner]["real_gdp_pct"] > both["IND"]["real_gdp_pct"]
        assert len(v["third_countries"]) == 5
        assert all(t["real_gdp_pct"] <= 0 for t in v["third_countries"])
        assert v["max_clearing_error"] < 1e-9
    # a 3% iceberg cut is a smaller shock than the RTA effect exp(0.557) ~ t x 0.911 at sigma 7
    assert by["tariffs"]["countries"][partner]["exports_pct"] < by["rta"]["countries"][partner]["exports_pct"]


def test_no_tariff_change_changes_nothing(partner_panel, rta):
    panel, cov = partner_panel
    out = simulate_partner_ge(panel, "IND", "NZL", rta=rta, cost_factor=1.0)
    tar = out["variants"][1]["countries"]
    assert max(abs(x) for c in tar.values() for x in c.values()) < 1e-9


def test_partner_outside_the_panel(partner_panel, rta):
    panel, cov = partner_panel
    out = simulate_partner_ge(panel, "IND", "TWN", rta=rta, coverage=cov)
    assert out["available"] is False and "TWN" in out["reason"]


def test_cli_partners(built_settings):
    """With the DOTS and OECD warehouse tables: GE for both parties; without them: a clear error."""
    import json

    from typer.testing import CliRunner

    from critmin.cli import app
    from critmin.warehouse import open_warehouse

    wh = open_warehouse(built_settings)
    r = CliRunner().invoke(
        app,
        [
            "gravity",
            "partners",
            "--partner",
            "PER",
            "--rta-effect",
            "0.5",
            "--home",
            str(built_settings.home),
            "--json",
        ],
    )
    if wh.has("dots_exports") and wh.has("industry_accounts"):
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        assert out["available"] and set(out["variants"][0]["countries"]) == {"IND", "PER"}
        assert "goods only" in out["coverage"]["what"]
    else:
        assert r.exit_code != 0
        assert "dots_exports" in str(r.exception)
