"""DESTA connector: the real list of treaties, and broken copies of it."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.desta import SOURCE, m49_to_iso3, read_desta


@pytest.fixture(scope="module")
def raw_path(mirror):
    return mirror / "desta" / "DESTA.csv"


@pytest.fixture(scope="module")
def parsed(raw_path):
    return read_desta(raw_path)


@pytest.fixture(scope="module")
def tidy(shared_data):
    return pd.read_csv(shared_data / "agreements" / "desta.csv", dtype=str, keep_default_na=False)


def test_real_file_passes_schemas(parsed):
    for table, df in parsed.items():
        SOURCE.schemas[table].validate(df)
    assert len(parsed["desta_treaties"]) == 1217


def test_matches_the_tidy_file(parsed, tidy):
    t = parsed["desta_treaties"]
    assert list(t["number"]) == list(tidy["number"])
    assert list(t["members_iso3"]) == list(tidy["members_iso3"])
    for c in ("name", "entry_type", "language", "regioncon", "wto_name", "year", "entryforceyear", "base_treaty"):
        ours = t[c].astype("string").fillna("")
        assert (ours.to_numpy() == tidy[c].to_numpy()).all(), c


def test_members_long_table(parsed):
    t, m = parsed["desta_treaties"], parsed["desta_members"]
    assert m.groupby("number").size().reindex(t["number"], fill_value=0).tolist() == t["n_members"].tolist()
    first = m[m["number"] == "1"]
    assert first["iso3"].tolist() == ["AFG", "IND"] and first["m49"].tolist() == [4, 356]


def test_special_codes():
    assert m49_to_iso3(158) == "TWN"
    assert m49_to_iso3(900) == "XKX"
    assert m49_to_iso3(530) == "ANT"
    assert m49_to_iso3(356) == "IND"
    assert m49_to_iso3(1) is None


def test_india_treaties(parsed):
    t = parsed["desta_treaties"]
    india = t[t["members_iso3"].str.split(";").map(lambda s: "IND" in s)]
    names = " | ".join(india["name"])
    for expected in ("Afghanistan India", "Chile India", "India Japan", "India Singapore"):
        assert expected in names


# ---- broken copies -------------------------------------------------------------------------------------


def _write(tmp_path, text, encoding="latin-1"):
    p = tmp_path / "DESTA.csv"
    p.write_bytes(text.encode(encoding))
    return p


@pytest.fixture(scope="module")
def raw_text(raw_path):
    return raw_path.read_bytes().decode("latin-1")


def test_truncated_file(raw_text, tmp_path):
    lines = raw_text.splitlines(keepends=True)
    cut = "".join(lines[:10]) + lines[10][:60]
    with pytest.raises(DataFormatError, match=r"DESTA\.csv, row 10.*truncated") as err:
        read_desta(_write(tmp_path, cut))
    assert err.value.row == 10


def test_wrong_encoding(raw_text, tmp_path):
    with pytest.raises(DataFormatError, match="UTF-16"):
        read_desta(_write(tmp_path, "\ufeff" + raw_text, encoding="utf-16"))
    resaved = raw_text.replace("Afghanistan India", "Afghanistan Indía", 1)
    with pytest.raises(DataFormatError, match="UTF-8 encoded; expected the publisher's latin-1"):
        read_desta(_write(tmp_path, resaved, encoding="utf-8"))


def test_comma_separated_copy(tidy, tmp_path):
    p = tmp_path / "DESTA.csv"
    tidy.head(5).to_csv(p, index=False, encoding="latin-1")
    with pytest.raises(DataFormatError, match="comma-separated"):
        read_desta(p)


def test_missing_column(raw_text, tmp_path):
    text = raw_text.replace('"entryforceyear"', '"entry_force_year"', 1)
    with pytest.raises(DataFormatError, match="missing column.*entryforceyear") as err:
        read_desta(_write(tmp_path, text))
    assert err.value.field == "entryforceyear"


def test_unknown_country_code(raw_text, tmp_path):
    lines = raw_text.splitlines(keepends=True)
    lines[1] = lines[1].replace(";4;356;", ";4;999;", 1)
    with pytest.raises(DataFormatError, match="member code 999 is not a known UN M49") as err:
        read_desta(_write(tmp_path, "".join(lines)))
    assert (err.value.row, err.value.field) == (1, "c2")


def test_bad_year_and_entry_type(raw_text, tmp_path):
    lines = raw_text.splitlines(keepends=True)
    lines[1] = lines[1].replace(";2003;2003;", ";20x3;2003;", 1)
    with pytest.raises(DataFormatError, match="'20x3' is not an integer") as err:
        read_desta(_write(tmp_path, "".join(lines)))
    assert err.value.field == "year"
    lines = raw_text.splitlines(keepends=True)
    lines[2] = lines[2].replace('"base_treaty"', '"treaty"', 1)
    with pytest.raises(DataFormatError, match="entry_type 'treaty'") as err:
        read_desta(_write(tmp_path, "".join(lines)))
    assert err.value.row == 2


def test_empty_and_header_only(raw_text, tmp_path):
    with pytest.raises(DataFormatError, match="empty"):
        read_desta(_write(tmp_path, ""))
    with pytest.raises(DataFormatError, match="no data rows"):
        read_desta(_write(tmp_path, raw_text.splitlines(keepends=True)[0]))


def test_an_integer_beyond_64_bits_is_a_row_error(raw_text, tmp_path):
    lines = raw_text.splitlines(keepends=True)
    sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
    head = lines[0].rstrip("\r\n").split(sep)
    fields = lines[1].rstrip("\r\n").split(sep)
    fields[[h.strip('"') for h in head].index("year")] = "9" * 30
    text = lines[0] + sep.join(fields) + "\n" + "".join(lines[2:])
    with pytest.raises(DataFormatError, match="out of range") as err:
        read_desta(_write(tmp_path, text))
    assert err.value.field == "year"
