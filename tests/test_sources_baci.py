"""BACI connector on the real raw file and on broken copies of it."""

from __future__ import annotations

import csv
import gzip
import shutil
import zipfile

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.baci import ingest_year_file, read_baci, read_country_codes

FLOWS = "BACI_HS17_Y2024_V202601_critical31.csv"
CODES = "country_codes_V202601.csv"


@pytest.fixture()
def countries(mirror):
    return read_country_codes(mirror / "baci" / CODES)


def _ingest(path, countries, tmp_path):
    out = tmp_path / "flows.parquet"
    ingest_year_file(path, countries, out)
    return pd.read_parquet(out)


def test_real_file_matches_tidy_counterpart(mirror, shared_data, countries, tmp_path):
    got = _ingest(mirror / "baci" / FLOWS, countries, tmp_path)
    tidy = pd.read_csv(shared_data / "trade" / "baci_critical31_2024.csv.gz", dtype={"hs6": str})
    assert len(got) == len(tidy) == 21723
    key = ["exporter", "importer", "hs6"]
    exp_cols = {c for c in tidy.columns}
    assert {"exporter", "importer", "hs6"} <= exp_cols, tidy.columns
    merged = got.merge(tidy, on=key, how="outer", indicator=True, suffixes=("", "_tidy"))
    assert (merged["_merge"] == "both").all()
    assert (merged["value_usd"] - merged["value_kusd"] * 1000).abs().max() < 1e-6
    assert merged["qty_t"].isna().sum() == tidy["qty_t"].isna().sum() == 1030
    assert got["hs6"].str.len().eq(6).all()


def test_taiwan_and_current_codes(countries):
    by_code = countries.set_index("code")["iso3"]
    assert by_code[490] == "TWN"
    assert by_code[699] == "IND" and by_code[842] == "USA"
    cur = countries[countries["is_current"]]
    assert cur["iso3"].value_counts().get("BEL") == 1


def _write(path, rows, header="t,i,j,k,v,q"):
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("rows, match, field", [
    (["2024,699,604,740311,-5.0,1.0"], "negative", "v"),
    (["2024,699,604,740311,5.0,-1.0"], "negative", "q"),
    (["2024,699,999,740311,5.0,1.0"], "country code 999", "j"),
    (["2024,699,604,74x311,5.0,1.0"], "not an HS6", "k"),
    (["2024,699,604,740311,abc,1.0"], "not a number", "v"),
    (["2024,699,604,740311,5.0"], "truncated", None),
])
def test_bad_rows_are_named(tmp_path, countries, rows, match, field):
    f = _write(tmp_path / "bad.csv", ["2024,699,604,740311,1.0,1.0"] + rows)
    with pytest.raises(DataFormatError, match=match) as exc:
        _ingest(f, countries, tmp_path)
    assert exc.value.row == 2
    assert exc.value.field == field
    assert "bad.csv" in str(exc.value)
    assert not (tmp_path / "flows.parquet").exists()


def test_missing_column_and_empty_file(tmp_path, countries):
    f = _write(tmp_path / "nocol.csv", ["2024,699,604,740311,1.0"], header="t,i,j,k,v")
    with pytest.raises(DataFormatError, match="missing q"):
        _ingest(f, countries, tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        _ingest(empty, countries, tmp_path)
    only_header = _write(tmp_path / "header.csv", [])
    with pytest.raises(DataFormatError, match="no data rows"):
        _ingest(only_header, countries, tmp_path)


def test_wrong_encoding(tmp_path, countries):
    f = tmp_path / "latin.csv"
    f.write_bytes("t,i,j,k,v,q\n2024,699,604,740311,1.0,\xe9\n".encode("latin-1"))
    with pytest.raises(DataFormatError):
        _ingest(f, countries, tmp_path)


def test_lost_leading_zeros_and_na_quantities(tmp_path, countries):
    f = _write(tmp_path / "z.csv", ["2024,699,604,10121,1.5,NA", "2024,699,604,740311,2.0,  NA ",
                                    "2024,699,604,740311,2.0,"])
    df = _ingest(f, countries, tmp_path)
    assert sorted(df["hs6"]) == ["010121", "740311", "740311"]
    assert df["qty_t"].isna().all()
    assert df.loc[df["hs6"] == "010121", "value_usd"].item() == 1500.0


def test_release_zip_is_read(tmp_path, mirror):
    z = tmp_path / "BACI_HS17_V202601.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(mirror / "baci" / FLOWS, f"BACI_HS17_Y2024_V202601.csv")
        zf.write(mirror / "baci" / CODES, CODES)
    work = tmp_path / "work"
    work.mkdir()
    out = read_baci({"flows": z, "countries": mirror / "baci" / CODES}, work)
    df = pd.read_parquet(out["trade_flows"])
    assert len(df) == 21723 and set(df["hs_revision"]) == {"HS17"}


def test_country_table_errors(tmp_path):
    f = tmp_path / "cc.csv"
    f.write_text("country_code,country_name,country_iso3\n4,Afghanistan,AFG\n")
    with pytest.raises(DataFormatError, match="country_iso2"):
        read_country_codes(f)
    f.write_text("country_code,country_name,country_iso2,country_iso3\nx4,Afghanistan,AF,AFG\n")
    with pytest.raises(DataFormatError, match="row 1"):
        read_country_codes(f)
