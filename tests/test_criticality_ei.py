"""Economic importance: the EU 2023 scale recomputed from the study's end-use shares, and India's EI next to the EU's.

The end-use shares are a source (``eu_crm_end_uses``) read from the mirror; the tests that need them skip
when the mirror does not hold the file, and say which file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.config import load_settings
from critmin.domain.criticality import calc_economic_importance
from critmin.services.criticality import criticality_scores
from critmin.services.criticality_params import (
    END_USE_MISSING,
    eu_end_use_shares,
    eu_sector_value_added,
    oecd_industry_of_nace,
    parameter_tables,
)
from critmin.warehouse import open_warehouse

END_USE_FILE = "reference/eu_crm_2023/fact_MaterialUseShares.csv"


@pytest.fixture(scope="module")
def eu_settings(tmp_path_factory, mirror):
    """A home with the default sources and the EU 2023 end uses (skipped when the mirror lacks that file)."""
    from critmin.warehouse.build import build

    if not ((mirror / END_USE_FILE).is_file() or (mirror.parent / END_USE_FILE).is_file()):
        pytest.skip(
            f"the mirror has no {END_USE_FILE} (source eu_crm_end_uses; download it with "
            f"`critmin data build eu_crm_end_uses`)"
        )
    s = load_settings(home=tmp_path_factory.mktemp("eu-home"), mirror=mirror, offline=True)
    build(s, progress=False)
    build(s, ["eu_crm_end_uses"], progress=False)
    return s


@pytest.fixture(scope="module")
def eu_warehouse(eu_settings):
    return open_warehouse(eu_settings)


def test_without_the_end_uses_india_ei_says_how_to_get_them(built_settings):
    res = criticality_scores(built_settings, "IND", 2024, draws=0)
    rec = next(r for r in res["records"] if r["material"] == "tungsten" and r["stage"] == "extraction")
    assert rec["economic_importance_india"] is None and rec["critical_india_ei"] is None
    assert rec["inputs"]["economic_importance_india"]["note"] == END_USE_MISSING
    assert rec["economic_importance_eu"] == pytest.approx(8.7)


def test_eu_2023_ei_recomputed_with_the_manufacturing_scale(eu_warehouse):
    """EI = 10 * sum A_s Q_s / Q_max * SI_EI with the study's shares and EU-27 value added reproduces the
    published EI when Q_max is the largest manufacturing NACE sector (C28, EUR 204 bn)."""
    shares = eu_end_use_shares(eu_warehouse)
    va = eu_sector_value_added(eu_warehouse)
    mats = parameter_tables()["materials"].drop_duplicates("eu_material").set_index("eu_material")
    shares = shares[shares["eu_material"].isin(mats.index)]  # the study lists more materials than critmin scores
    q_max = va[[c.startswith("C") for c in va.index]].max()
    assert va.idxmax() == "C28"
    diffs = {}
    for mat, g in shares[shares["nace"] != ""].groupby("eu_material"):
        a = g.groupby("nace")["share"].sum().reindex(va.index).fillna(0.0)
        ei = float(calc_economic_importance(a.to_numpy(), va.to_numpy(float), mats.loc[mat, "si_ei"], q_max=q_max))
        diffs[mat] = ei - mats.loc[mat, "economic_importance"]
    d = pd.Series(diffs).abs()
    assert len(d) >= 30
    assert (d <= 0.1).sum() >= 25  # shares are printed to 1 %, EI to 0.1
    assert d.median() < 0.05
    assert d.max() < 0.75  # iron ore, selenium, fluorspar, tin: shares or sectors differ in the transcription
    # scaling by a larger Q_max (e.g. a non-manufacturing sector) would shrink every EI in proportion
    assert diffs["Titanium metal"] == pytest.approx(6.28 - 6.3, abs=0.01)


@pytest.fixture(scope="module")
def scores(eu_settings):
    return criticality_scores(eu_settings, "IND", 2024, draws=0)


def test_india_ei_from_oecd_value_added(scores, eu_warehouse):
    acc = eu_warehouse.read("industry_accounts")
    acc = acc[(acc["country"] == "IND") & (acc["year"] <= 2024)]
    q = acc[acc["year"] == acc["year"].max()].set_index("industry")["value_added_usd"].clip(lower=0)
    manuf = q[[c.startswith("C") for c in q.index]]
    shares = eu_end_use_shares(eu_warehouse)
    rec = next(r for r in scores["records"] if r["material"] == "tungsten" and r["stage"] == "extraction")
    ind = rec["inputs"]["economic_importance_india"]
    assert ind["q_max_industry"] == manuf.idxmax() and ind["q_max"] == pytest.approx(manuf.max())
    a = shares[(shares["eu_material"] == "Tungsten") & (shares["nace"] != "")]
    a = a.groupby(a["nace"].map(oecd_industry_of_nace))["share"].sum()
    expect = 10 * sum(a[i] * q[i] for i in a.index) / manuf.max() * 0.95  # SI_EI tungsten 2023
    assert rec["economic_importance_india"] == pytest.approx(expect)
    assert rec["economic_importance_eu"] == pytest.approx(8.7)
    assert rec["economic_importance"] == pytest.approx(8.7)  # the default stays the EU's published EI
    assert "proxy" in ind["end_use_source"] and "OECD" in ind["value_added_source"]


def test_both_verdicts_in_every_record(scores, eu_warehouse):
    n_india = 0
    for r in scores["records"]:
        assert "economic_importance_eu" in r and "critical_india_ei" in r
        if r["economic_importance_india"] is not None:
            n_india += 1
            assert r["critical_india_ei"] == bool(r["economic_importance_india"] >= 2.8 and r["supply_risk"] >= 1.0)
        else:
            assert r["critical_india_ei"] is None
        if r["economic_importance_eu"] is not None:
            assert r["critical_eu_ei"] == r["critical"]
    # every record whose EU material has end-use shares in the study gets India's EI, and no other
    listed = set(eu_end_use_shares(eu_warehouse)["eu_material"])
    with_shares = {(r["material"], r["stage"]) for r in scores["records"] if r["inputs"]["eu_material"] in listed}
    assert n_india == len(with_shares) > 40
    ga = next(r for r in scores["records"] if r["material"] == "gallium" and r["stage"] == "processing")
    # gallium's uses (chips, LEDs) sit in sectors that are small in India: critical on the EU's EI only
    assert ga["critical_eu_ei"] is True and ga["critical_india_ei"] is False
    assert np.isfinite(ga["economic_importance_india"]) and ga["economic_importance_india"] < 2.8


def test_blocs_have_no_india_ei(eu_settings):
    eu = criticality_scores(eu_settings, "EU27", 2024, draws=0)
    assert all(r["economic_importance_india"] is None for r in eu["records"])
