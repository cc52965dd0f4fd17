"""CEPII GeoDist connector: the real distance and geo files, and broken copies."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.geodist import SOURCE, read_dist, read_geo


@pytest.fixture(scope="module")
def dist_path(mirror):
    return mirror / "cepii" / "dist_cepii.csv"


@pytest.fixture(scope="module")
def geo_path(mirror):
    return mirror / "cepii" / "geo_cepii.csv"


@pytest.fixture(scope="module")
def dist(dist_path):
    return read_dist(dist_path)


@pytest.fixture(scope="module")
def geo(geo_path):
    return read_geo(geo_path)


def test_real_files_pass_schemas(dist, geo):
    SOURCE.schemas["distances"].validate(dist)
    SOURCE.schemas["geo_countries"].validate(geo)
    assert dist.shape == (50176, 14)
    assert geo.shape[0] == 238 and geo["iso3"].nunique() == 225


def test_distances_match_the_tidy_file(dist, shared_data):
    tidy = pd.read_csv(shared_data / "geography" / "cepii_dist.csv.gz")
    ours = dist.astype({c: "int64" for c in dist.columns if str(dist[c].dtype) == "Int8"})
    pd.testing.assert_frame_equal(ours, tidy, check_dtype=False)
    assert dist["distw"].isna().sum() == 2215


def test_geo_matches_the_tidy_file(geo, shared_data):
    tidy = pd.read_csv(shared_data / "geography" / "cepii_geo.csv", keep_default_na=False, na_values=[""])
    assert list(geo.columns) == list(tidy.columns)
    for c in ("iso3", "iso3_cepii", "iso2", "city_en", "colonizer1", "langoff_1"):
        assert (geo[c].fillna("") == tidy[c].fillna("").str.strip()).all(), c
    for c in ("lat", "lon", "area", "dis_int"):
        assert (geo[c] - tidy[c]).abs().max() < 1e-9, c
    assert (geo["country"] == tidy["country"].str.strip()).all()


def test_old_cepii_codes_are_recoded(dist, geo):
    codes = set(dist["iso_o"])
    assert {"ROU", "COD", "TLS", "PSE", "YUG", "ANT"} <= codes
    assert not {"ROM", "ZAR", "TMP", "PAL"} & codes
    rou = geo[geo["iso3"] == "ROU"].iloc[0]
    assert rou["iso3_cepii"] == "ROM"
    ind_chl = dist[(dist["iso_o"] == "IND") & (dist["iso_d"] == "CHL")].iloc[0]
    assert 16000 < ind_chl["dist"] < 17500 and ind_chl["contig"] == 0


# ---- broken copies -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dist_text(dist_path):
    """The first 300 pairs of the real file (broken copies fail on early rows; small files keep tests fast)."""
    return "".join(dist_path.read_text(encoding="latin-1").splitlines(keepends=True)[:301])


@pytest.fixture(scope="module")
def geo_text(geo_path):
    return geo_path.read_bytes().decode("latin-1")


def _write(tmp_path, name, text, encoding="latin-1"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_truncated_dist(dist_text, tmp_path):
    cut = dist_text[: len(dist_text) // 2]
    cut = cut[: cut.rfind(";")]  # stop in the middle of a line
    with pytest.raises(DataFormatError, match=r"dist_cepii\.csv, row \d+.*truncated"):
        read_dist(_write(tmp_path, "dist_cepii.csv", cut))


def test_negative_distance(dist_text, tmp_path):
    lines = dist_text.splitlines(keepends=True)
    lines[3] = lines[3].replace(";9516.913;9516.913;", ";-9516.913;9516.913;", 1)
    with pytest.raises(DataFormatError, match="negative value -9516.913") as err:
        read_dist(_write(tmp_path, "dist_cepii.csv", "".join(lines)))
    assert (err.value.row, err.value.field) == (3, "dist")


def test_dummy_not_zero_one_and_text_distance(dist_text, tmp_path):
    lines = dist_text.splitlines(keepends=True)
    lines[2] = lines[2].replace("ABW;AFG;0;", "ABW;AFG;2;", 1)
    with pytest.raises(DataFormatError, match="dummy value 2") as err:
        read_dist(_write(tmp_path, "dist_cepii.csv", "".join(lines)))
    assert err.value.field == "contig"
    lines = dist_text.splitlines(keepends=True)
    lines[2] = lines[2].replace(";13257.81;13257.81;", ";13257,81;13257.81;", 1)
    with pytest.raises(DataFormatError, match="'13257,81' is not a number"):
        read_dist(_write(tmp_path, "dist_cepii.csv", "".join(lines)))


def test_missing_required_distance(dist_text, tmp_path):
    lines = dist_text.splitlines(keepends=True)
    lines[4] = lines[4].replace(";983.2682;983.2682;", ";.;983.2682;", 1)
    with pytest.raises(DataFormatError, match="required value is missing") as err:
        read_dist(_write(tmp_path, "dist_cepii.csv", "".join(lines)))
    assert (err.value.row, err.value.field) == (4, "dist")


def test_missing_column_and_comma_separator(dist_text, tmp_path):
    text = dist_text.replace("distcap;", "dcap;", 1)
    with pytest.raises(DataFormatError, match="missing column.*distcap"):
        read_dist(_write(tmp_path, "dist_cepii.csv", text))
    with pytest.raises(DataFormatError, match="missing column"):
        read_dist(_write(tmp_path, "dist_cepii.csv", dist_text.replace(";", ",")))


def test_unknown_country_code(dist_text, tmp_path):
    lines = dist_text.splitlines(keepends=True)
    lines[1] = lines[1].replace("ABW;ABW;", "ABW;A1W;", 1)
    with pytest.raises(DataFormatError, match="'A1W' is not a 3-letter CEPII code") as err:
        read_dist(_write(tmp_path, "dist_cepii.csv", "".join(lines)))
    assert (err.value.row, err.value.field) == (1, "iso_d")


def test_geo_wrong_encoding_and_bad_latitude(geo_text, tmp_path):
    with pytest.raises(DataFormatError, match="UTF-16"):
        read_geo(_write(tmp_path, "geo_cepii.csv", "\ufeff" + geo_text, encoding="utf-16"))
    lines = geo_text.splitlines(keepends=True)
    lines[2] = lines[2].replace(";34.51667;69.2;", ";134.51667;69.2;", 1)
    with pytest.raises(DataFormatError, match="lat 134.51667 is outside") as err:
        read_geo(_write(tmp_path, "geo_cepii.csv", "".join(lines)))
    assert (err.value.row, err.value.field) == (2, "lat")


def test_geo_negative_area(geo_text, tmp_path):
    lines = geo_text.splitlines(keepends=True)
    lines[1] = lines[1].replace(";193;", ";-193;", 1)
    with pytest.raises(DataFormatError, match="negative value -193") as err:
        read_geo(_write(tmp_path, "geo_cepii.csv", "".join(lines)))
    assert err.value.field == "area"


def test_stata_download_is_read_like_the_csv(dist, tmp_path):
    """CEPII serves .dta files; a Stata copy of the distances gives the same table."""
    stata = dist.head(500).copy()
    for c in stata.columns:
        if str(stata[c].dtype) == "Int8":
            stata[c] = stata[c].astype("int8")
    p = tmp_path / "dist_cepii.csv"  # the cache keeps the mirror's name
    stata.to_stata(p, write_index=False, version=118)
    again = read_dist(p)
    pd.testing.assert_frame_equal(again, dist.head(500), check_dtype=False)


def test_unknown_three_letter_code(dist_text, tmp_path):
    lines = dist_text.splitlines(keepends=True)
    lines[2] = lines[2].replace("ABW;AFG;", "ABW;AFX;", 1)
    with pytest.raises(DataFormatError, match="unknown country code 'AFX'") as err:
        read_dist(_write(tmp_path, "dist_cepii.csv", "".join(lines)))
    assert (err.value.row, err.value.field) == (2, "iso_d")
