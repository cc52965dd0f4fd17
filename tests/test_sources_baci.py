"""BACI connector on the real raw file and on broken copies of it."""

from __future__ import annotations

import shutil
import zipfile

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.baci import _ingest_clean, _parquet_is_clean, ingest_year_file, read_baci, read_country_codes

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


@pytest.mark.parametrize(
    "rows, match, field",
    [
        (["2024,699,604,740311,-5.0,1.0"], "negative", "v"),
        (["2024,699,604,740311,5.0,-1.0"], "negative", "q"),
        (["2024,699,999,740311,5.0,1.0"], "country code 999", "j"),
        (["2024,58,604,740311,5.0,1.0"], "country code 58 is not a current code", "i"),
        (["2024,699,604,74x311,5.0,1.0"], "not an HS6", "k"),
        (["2024,699,604,740311,abc,1.0"], "not a number", "v"),
        (["2024,699,604,740311,5.0"], "truncated", None),
    ],
)
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
    f = _write(
        tmp_path / "z.csv", ["2024,699,604,10121,1.5,NA", "2024,699,604,740311,2.0,  NA ", "2024,699,4,740311,2.0,"]
    )
    df = _ingest(f, countries, tmp_path)
    assert sorted(df["hs6"]) == ["010121", "740311", "740311"]
    assert df["qty_t"].isna().all()
    assert df.loc[df["hs6"] == "010121", "value_usd"].item() == 1500.0


def test_release_zip_is_read(tmp_path, mirror):
    z = tmp_path / "BACI_HS17_V202601.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(mirror / "baci" / FLOWS, "BACI_HS17_Y2024_V202601.csv")
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


GOOD = "2024,699,604,740311,1.0,1.0"


@pytest.mark.parametrize(
    "row",
    [
        "2024,699,1,740311,5.0,1.0",  # unknown code inside the code range
        "2024,9999,604,740311,5.0,1.0",  # unknown code beyond it
        "2024,-4,604,740311,5.0,1.0",  # negative code
        "2024,58,604,740311,5.0,1.0",  # superseded code (Belgium-Luxembourg)
        "2024,699,604,999,5.0,1.0",  # product code below 1000
        "2024,699,604,9999,5.0,1.0",  # chapter 00
        "2024,699,604,990000,5.0,1.0",  # chapter 99
        "2024,699,604,1234567,5.0,1.0",  # product code above 999999
        "2024,699,604,740311,-5.0,1.0",  # negative value
        "2024,699,604,740311,5.0,-1.0",  # negative quantity
        "2024,699,604,740311,,1.0",  # missing value
        ",699,604,740311,5.0,1.0",  # missing year
        "2024,699,604,,5.0,1.0",  # missing product
        "2024,699,604,740311,5.0,  NA ",  # space-padded NA
        "2024,699,604,740311,5.0",  # truncated
    ],
)
def test_fast_path_hands_unusual_rows_to_the_validating_path(tmp_path, countries, row):
    # the bad row sits in the last of several row groups, so the statistics of one group must catch it
    f = _write(tmp_path / "odd.csv", [GOOD] * 300_000 + [row])
    out = tmp_path / "fast.parquet"
    assert _ingest_clean(f, countries, out, hs_revision="HS17", threads=None) is None
    assert not out.exists() and not (tmp_path / "fast.parquet.tmp").exists()


def test_fast_path_output_on_a_clean_file(tmp_path, countries):
    f = _write(tmp_path / "ok.csv", [GOOD, "2024,490,842,10121,0.5,NA", "2024,56,4,10000,0,"])
    out = tmp_path / "fast.parquet"
    assert _ingest_clean(f, countries, out, hs_revision="HS17", threads=None) == 3
    df = pd.read_parquet(out)
    assert df.dtypes.astype(str).to_dict() == {
        "year": "int16",
        "exporter": "object",
        "importer": "object",
        "hs6": "object",
        "value_usd": "float64",
        "qty_t": "float64",
        "hs_revision": "object",
    }
    assert df.drop(columns="qty_t").values.tolist() == [
        [2024, "IND", "PER", "740311", 1000.0, "HS17"],
        [2024, "TWN", "USA", "010121", 500.0, "HS17"],
        [2024, "BEL", "AFG", "010000", 0.0, "HS17"],
    ]
    assert df["qty_t"].tolist()[0] == 1.0 and df["qty_t"].iloc[1:].isna().all()
    g = _write(tmp_path / "edges.csv", [f"2024,699,604,{k},1.0,1.0" for k in (99999, 100000, 979999, 10001)])
    assert _ingest_clean(g, countries, out, hs_revision="HS17", threads=None) == 4
    assert pd.read_parquet(out)["hs6"].tolist() == ["099999", "100000", "979999", "010001"]


@pytest.mark.parametrize(
    "column, value, clean",
    [
        ("value_usd", -1.0, False),
        ("qty_t", -1.0, False),
        ("qty_t", None, True),
        ("exporter", None, False),
        ("hs6", None, False),
        ("year", None, False),
        ("value_usd", 0.0, True),
    ],
)
def test_output_check_without_parquet_statistics(tmp_path, column, value, clean):
    # a file written without statistics makes the check scan the columns instead
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {
        "year": pa.array([2024, 2024], pa.int16()),
        "exporter": ["IND", "IND"],
        "importer": ["PER", "PER"],
        "hs6": ["740311", "740311"],
        "value_usd": [1.0, 2.0],
        "qty_t": [1.0, 2.0],
        "hs_revision": ["HS17"] * 2,
    }
    col = cols[column].to_pylist() if isinstance(cols[column], pa.Array) else list(cols[column])
    col[1] = value
    cols[column] = pa.array(col, cols["year"].type if column == "year" else None)
    path = tmp_path / "nostats.parquet"
    pq.write_table(pa.table(cols), path, write_statistics=False)
    con = duckdb.connect()
    assert (
        con.execute(
            f"SELECT count(*) FROM parquet_metadata('{path.as_posix()}') WHERE stats_null_count IS NOT NULL"
        ).fetchone()[0]
        == 0
    )
    assert _parquet_is_clean(con, path) is clean
    pq.write_table(pa.table(cols), path)  # and the same with statistics
    assert _parquet_is_clean(con, path) is clean


FLOWS_2022 = "BACI_HS17_Y2022_V202601_critical31.csv"


def test_every_year_file_of_the_mirror_is_one_table(tmp_path, mirror):
    work = tmp_path / "work"
    work.mkdir()
    flows = [mirror / "baci" / FLOWS_2022, mirror / "baci" / FLOWS]
    out = read_baci({"flows": flows, "countries": mirror / "baci" / CODES}, work)
    df = pd.read_parquet(out["trade_flows"])
    assert df.groupby("year").size().to_dict() == {2022: 23167, 2024: 21723}
    years = out["baci_years"].set_index("year")
    assert years.loc[2022, "has_quantities"] == False  # noqa: E712  (numpy bool)
    assert years.loc[2024, "has_quantities"] == True  # noqa: E712
    assert df.loc[df["year"] == 2022, "qty_t"].isna().all()
    assert years.loc[2024, "rows"] == 21723 and years.loc[2022, "file"] == FLOWS_2022
    assert years.loc[2024, "value_usd_total"] == pytest.approx(df.loc[df["year"] == 2024, "value_usd"].sum())


def test_a_mix_of_csv_and_zip_is_read(tmp_path, mirror):
    z = tmp_path / "BACI_HS17_V202601.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(mirror / "baci" / FLOWS_2022, "BACI_HS17_Y2022_V202601.csv")
    work = tmp_path / "work"
    work.mkdir()
    out = read_baci({"flows": [z, mirror / "baci" / FLOWS], "countries": mirror / "baci" / CODES}, work)
    assert list(out["baci_years"]["year"]) == [2022, 2024]


def test_the_same_year_twice_is_refused(tmp_path, mirror):
    copy = tmp_path / "BACI_HS17_Y2024_V202601.csv"
    shutil.copy(mirror / "baci" / FLOWS, copy)
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(DataFormatError, match="same year"):
        read_baci({"flows": [copy, mirror / "baci" / FLOWS], "countries": mirror / "baci" / CODES}, work)


@pytest.mark.parametrize(
    "row, match, field",
    [
        ("2024,699,604,740312,inf,1.0", "not a finite number", "v"),
        ("2024,699,604,740312,nan,1.0", "not a finite number", "v"),
        ("2024,699,604,740312,1e308,1.0", "absurd value", "v"),
        ("2024,699,604,740312,5.0,1e300", "absurd quantity", "q"),
        ("2024,699,604,740311.6,5.0,1.0", "not an HS6", "k"),
        ("2024,699,604,990101,5.0,1.0", "not a plausible HS6", "k"),
        ("2024.6,699,604,740312,5.0,1.0", "not an integer", "t"),
        ("2024,699,699,740312,5.0,1.0", "self-trade", "j"),
        ("2024,699,604,740311,2.0,1.0", "duplicate flow", None),
        ("2023,699,604,740312,5.0,1.0", "differs from the file name's year 2024", "t"),
    ],
)
def test_implausible_rows_are_named(tmp_path, countries, row, match, field):
    f = _write(tmp_path / "BACI_HS17_Y2024_V202601.csv", ["2024,699,604,740311,1.0,1.0", row])
    out = tmp_path / "fast.parquet"
    assert _ingest_clean(f, countries, out, hs_revision="HS17", threads=None) is None
    with pytest.raises(DataFormatError, match=match) as exc:
        _ingest(f, countries, tmp_path)
    assert exc.value.row == 2 and exc.value.field == field
    assert "BACI_HS17_Y2024_V202601.csv" in str(exc.value)


def test_known_year_files_are_verified_and_others_cannot_be(tmp_path, mirror):
    from critmin.sources.baci import check_integrity

    assert check_integrity(mirror / "baci" / FLOWS).startswith("verified")
    other = tmp_path / "BACI_HS17_Y2024_V202601.csv"
    shutil.copy(mirror / "baci" / FLOWS, other)
    assert check_integrity(other).startswith("cannot be verified")
    work = tmp_path / "work"
    work.mkdir()
    out = read_baci({"flows": [mirror / "baci" / FLOWS_2022, other], "countries": mirror / "baci" / CODES}, work)
    assert out["baci_years"]["integrity"].str.split(":").str[0].tolist() == ["verified", "cannot be verified"]


def test_truncated_or_altered_known_file_is_refused(tmp_path, mirror):
    from critmin.sources.baci import check_integrity

    data = (mirror / "baci" / FLOWS).read_bytes()
    cut = tmp_path / FLOWS
    cut.write_bytes(data[:-3])  # cut inside the last line: it still parses
    with pytest.raises(DataFormatError, match="truncated"):
        check_integrity(cut)
    cut.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 1])  # one whole line missing
    with pytest.raises(DataFormatError, match="bytes"):
        check_integrity(cut)
    cut.write_bytes(data.replace(b"2024,", b"2024,", 1)[:-2] + b"9\n")  # same size, one digit changed
    with pytest.raises(DataFormatError, match="sha256"):
        check_integrity(cut)


def test_product_codes_are_checked_against_the_release_table(tmp_path, mirror):
    flows = pd.read_csv(mirror / "baci" / FLOWS, dtype=str)
    codes = sorted(flows["k"].str.zfill(6).unique())
    work = tmp_path / "work"
    work.mkdir()
    for table, ok in ((codes, True), (codes[1:], False)):
        z = tmp_path / "BACI_HS17_V202601.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.write(mirror / "baci" / FLOWS, "BACI_HS17_Y2024_V202601.csv")
            zf.writestr("product_codes_HS17_V202601.csv", "code,description\n" + "\n".join(f"{c},x" for c in table))
        args = ({"flows": z, "countries": mirror / "baci" / CODES}, work)
        if ok:
            assert read_baci(*args)["baci_years"]["rows"].tolist() == [21723]
        else:
            with pytest.raises(DataFormatError, match=f"{codes[0].lstrip('0')}' is not in the release's product") as e:
                read_baci(*args)
            assert e.value.field == "k" and e.value.row >= 1


def test_country_table_row_with_extra_fields_is_an_error_not_an_index(tmp_path):
    """A damaged row with more fields than the header once made pandas take the first column as the index,
    and the error path then crashed on a label lookup."""
    f = tmp_path / "cc.csv"
    f.write_text(
        "country_code,country_name,country_iso2,country_iso3\n4,Afghanistan,AF,AFG\nx8,Albania,AL,ALB,extra,fields\n"
    )
    with pytest.raises(DataFormatError):
        read_country_codes(f)
    f.write_bytes(b"country_code,country_name,country_iso2,country_iso3\n4,Afgh\x89nistan,AF,AFG,1,2,3\n")
    with pytest.raises(DataFormatError, match="7 fields where the header has 4"):
        read_country_codes(f)


@pytest.mark.parametrize(
    "rows, error",
    [
        # BACI's order (exporter, importer, product): the key check is one streaming comparison
        (["2024,4,8,740311,1.0,1.0", "2024,4,8,740312,1.0,1.0", "2024,4,32,740311,1.0,1.0"], None),
        # another order, every key once: the check falls back to counting distinct keys, and passes
        (["2024,4,32,740311,1.0,1.0", "2024,4,8,740312,1.0,1.0", "2024,4,8,740311,1.0,1.0"], None),
        # the pair 4->8 in two runs, a key repeated across them: a duplicate the order check alone cannot see
        (["2024,4,8,740311,1.0,1.0", "2024,4,32,740311,1.0,1.0", "2024,4,8,740311,2.0,1.0"], "duplicate flow"),
        # a repeated key next to itself
        (["2024,4,8,740311,1.0,1.0", "2024,4,8,740311,2.0,1.0"], "duplicate flow"),
    ],
)
def test_duplicate_keys_are_found_in_any_row_order(tmp_path, countries, rows, error):
    from critmin.sources.baci import ingest_year_partition

    f = _write(tmp_path / "BACI_HS17_Y2024_V202601.csv", rows)
    if error is None:
        totals: dict = {}
        part = ingest_year_partition(f, countries, tmp_path / "ds", year=2024, totals=totals)
        assert totals["rows"] == len(rows) == len(pd.read_parquet(part))  # the fast path took it
    else:
        with pytest.raises(DataFormatError, match=error):
            ingest_year_partition(f, countries, tmp_path / "ds", year=2024)
