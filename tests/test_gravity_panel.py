"""Gravity panel builder, AGTPA panel reader and PPML specification checks."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from critmin.domain.policy.gravity import GravityModel, GravitySpec, prepare_design
from critmin.domain.policy.gravity_panel import build_gravity_panel, calc_pair_id, select_years
from critmin.errors import DataFormatError, EmptySelectionError
from critmin.sources.yotov import read_yotov_panel

COUNTRIES = ["IND", "PER", "CHL", "NZL", "CHN", "AUS", "USA", "JPN"]


@pytest.fixture(scope="module")
def baci_2024(mirror):
    from critmin.sources.baci import read_country_codes

    codes = read_country_codes(mirror / "baci" / "country_codes_V202601.csv")
    iso = dict(zip(codes.code, codes.iso3))
    raw = pd.read_csv(mirror / "baci" / "BACI_HS17_Y2024_V202601_critical31.csv", dtype={"k": str})
    return pd.DataFrame({"exporter": raw.i.map(iso), "importer": raw.j.map(iso), "year": raw.t, "trade": raw.v * 1000})


@pytest.fixture(scope="module")
def wto(mirror):
    from critmin.sources.wto_rta import read_rtas

    return read_rtas(mirror / "wto" / "AllRTAs.xlsx")


@pytest.fixture(scope="module")
def geodist(mirror):
    from critmin.sources.geodist import read_dist

    return read_dist(mirror / "cepii" / "dist_cepii.csv")


def test_panel_from_baci_wto_and_geodist(baci_2024, wto, geodist):
    p = build_gravity_panel(
        baci_2024,
        countries=COUNTRIES,
        distances=geodist,
        agreements=wto["agreements"],
        agreement_members=wto["agreement_members"],
    )
    # complete international grid, zeros where BACI has no flow, no domestic rows (BACI has none)
    assert len(p) == len(COUNTRIES) * (len(COUNTRIES) - 1)
    assert (p.exporter != p.importer).all()
    assert (p.trade >= 0).all() and (p.trade == 0).sum() > 0
    sums = baci_2024[baci_2024.exporter.isin(COUNTRIES) & baci_2024.importer.isin(COUNTRIES)].trade.sum()
    assert p.trade.sum() == pytest.approx(sums)
    rta = p.set_index(["exporter", "importer"]).rta
    assert rta[("IND", "CHL")] == 1 and rta[("CHL", "IND")] == 1  # Chile-India PTA, in force 2007
    assert rta[("CHL", "PER")] == 1 and rta[("AUS", "NZL")] == 1
    assert rta[("IND", "USA")] == 0 and rta[("CHN", "USA")] == 0
    g = p.set_index(["exporter", "importer"])
    assert g.loc[("AUS", "NZL"), "cntg"] == 0 and g.loc[("AUS", "NZL"), "lang"] == 1
    assert g.loc[("PER", "CHL"), "cntg"] == 1
    assert g.loc[("IND", "PER"), "dist"] == pytest.approx(g.loc[("PER", "IND"), "dist"], rel=0.01)
    assert (p.pair_id == calc_pair_id(p.importer, p.exporter)).all()


def test_domestic_flows_kept_only_where_present():
    t = pd.DataFrame(
        {
            "exporter": ["A", "A", "B", "A"],
            "importer": ["B", "A", "A", "A"],
            "year": [2000, 2000, 2001, 2001],
            "trade": [1.0, 5.0, 2.0, 6.0],
        }
    )
    p = build_gravity_panel(t)
    assert len(p) == 2 * 2 + 2  # A->B, B->A in 2000 and 2001, plus A->A in both years; no B->B
    assert not ((p.exporter == "B") & (p.importer == "B")).any()
    assert p[(p.exporter == "B") & (p.year == 2000)].trade.iloc[0] == 0.0


def test_panel_builder_rejects_bad_input():
    t = pd.DataFrame({"exporter": ["A"], "importer": ["B"], "year": [2000], "trade": [-1.0]})
    with pytest.raises(DataFormatError, match="negative"):
        build_gravity_panel(t)
    with pytest.raises(DataFormatError, match="trade"):
        build_gravity_panel(t.drop(columns="trade"))
    with pytest.raises(EmptySelectionError):
        build_gravity_panel(t.assign(trade=1.0), years=[1999])


def test_every_fourth_year_counts_back_from_the_last():
    df = pd.DataFrame({"year": range(1986, 2007)})
    assert sorted(select_years(df, every=4).year) == [1986, 1990, 1994, 1998, 2002, 2006]
    with pytest.raises(EmptySelectionError, match="1985"):
        select_years(df, years=[1985])


@pytest.fixture(scope="module")
def yotov(shared_data):
    return read_yotov_panel(shared_data / "gravity" / "yotov2016_panel.csv.gz")


def test_reader_parses_the_bundle(yotov):
    assert len(yotov) == 99_981
    assert yotov.exporter.nunique() == 69 and set(yotov.year) == set(range(1986, 2007))
    assert "ROM" in set(yotov.exporter)
    assert yotov.trade.dtype == float and yotov.rta.dtype == np.int8


@pytest.mark.parametrize(
    "mutate,match",
    [
        (lambda s: s.replace("trade,", "value,", 1), "missing column"),
        (lambda s: s.replace(",ARG,12339,1986,61288.59026286057", ",ARG,12339,1986,abc", 1), "row 1, field 'trade'"),
        (lambda s: s.replace("ARG,AUS,1,1986,27.76487390676141", "ARG,AUS,1,1986,-27.7", 1), "negative"),
        (lambda s: s.replace("ARG,AUS,1,1986", "ARG,aus,1,1986", 1), "row 2, field 'importer'"),
        (lambda s: s.replace("\n", "\nARG,ARG,12339,1986,1,1,0,0,0,0,0,0,0,0,0,0,0\n", 1), "duplicate"),
        (lambda s: "", "readable"),
    ],
)
def test_reader_names_the_bad_row_and_field(shared_data, tmp_path, mutate, match):
    with gzip.open(shared_data / "gravity" / "yotov2016_panel.csv.gz", "rt") as fh:
        text = "".join(fh.readline() for _ in range(50))
    bad = tmp_path / "panel.csv"
    bad.write_text(mutate(text))
    with pytest.raises(DataFormatError, match=match) as err:
        read_yotov_panel(bad)
    assert "panel.csv" in str(err.value)


def test_truncated_gzip_is_a_data_format_error(shared_data, tmp_path):
    data = (shared_data / "gravity" / "yotov2016_panel.csv.gz").read_bytes()
    bad = tmp_path / "panel.csv.gz"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(DataFormatError, match="panel.csv.gz"):
        read_yotov_panel(bad)


def test_spec_options_are_validated_up_front():
    with pytest.raises(ValueError, match="fixed effect"):
        GravitySpec(fixed_effects=("exporter_time",))
    with pytest.raises(ValueError, match="vcov"):
        GravitySpec(vcov="robust")
    with pytest.raises(ValueError, match="pair"):
        GravitySpec(pair="both")


def test_symmetric_pairs_and_shared_domestic_effect(yotov):
    d, covs = prepare_design(yotov[yotov.year == 2006], GravitySpec(covariates=("rta", "intl_brdr")))
    assert d.pair_fe.nunique() == 69 * 68 // 2 + 1
    assert (d.loc[d.exporter == d.importer, "pair_fe"] == "domestic").all()
    own, _ = prepare_design(yotov[yotov.year == 2006], GravitySpec(domestic="own", pair="directional"))
    assert own.pair_fe.nunique() == 69 * 69


def test_separation_is_detected_and_dropped():
    """A pair that never trades is perfectly predicted by its pair effect (PPML estimate -> -inf):
    it is dropped and counted, and the estimate equals the one without it."""
    rng = np.random.default_rng(11)
    rows = []
    names = [f"C{i}" for i in range(6)]
    for y in range(2000, 2006):
        for i in names:
            for j in names:
                rta = int(i < "C3" and j < "C3" and i != j and y >= 2003)
                rows.append((i, j, y, rta, rng.lognormal(2 + 0.4 * rta, 0.3)))
    df = pd.DataFrame(rows, columns=["exporter", "importer", "year", "rta", "trade"])
    never = df.exporter.isin(["C4", "C5"]) & df.importer.isin(["C4", "C5"]) & (df.exporter != df.importer)
    df.loc[never, "trade"] = 0.0
    spec = GravitySpec(covariates=("rta",))
    res = GravityModel(df, spec).fit()
    ref = GravityModel(df[~never], spec).fit()
    assert res.n_separated == 12
    assert res.coef["rta"] == pytest.approx(ref.coef["rta"], rel=1e-8)
    assert res.coef["rta"] == pytest.approx(0.4, abs=0.1)
    assert list(res.to_frame().columns) == ["term", "estimate", "std_error", "z", "p_value"]


def test_missing_covariate_is_named(yotov):
    with pytest.raises(DataFormatError, match="tariff"):
        GravityModel(
            yotov[yotov.year == 2006], GravitySpec(covariates=("tariff",), fixed_effects=("exporter", "importer"))
        ).fit()


def test_panel_from_the_warehouse(built_settings):
    from critmin.services.gravity import panel_from_warehouse

    p = panel_from_warehouse(built_settings, countries=["IND", "CHL", "PER", "AUS", "USA"])
    assert len(p) == 5 * 4 * 2 and set(p.year) == {2022, 2024}  # a panel: every year of trade_flows
    assert {"dist", "cntg", "lang", "clny", "rta"} <= set(p.columns)
    g = p[p.year == 2024].set_index(["exporter", "importer"])
    assert g.loc[("IND", "CHL"), "rta"] == 1 and g.loc[("IND", "USA"), "rta"] == 0 and g.loc[("USA", "PER"), "rta"] == 1
    assert g.loc[("CHL", "PER"), "cntg"] == 1
    with pytest.raises(EmptySelectionError):
        panel_from_warehouse(built_settings, hs6=["999999"])
