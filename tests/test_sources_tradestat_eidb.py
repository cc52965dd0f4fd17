"""TradeStat EIDB exports connector: the real 3.1 M-row file, its totals, and broken copies."""

from __future__ import annotations

import gzip

import duckdb
import pytest

from critmin.errors import DataFormatError
from critmin.sources.tradestat_eidb import SOURCE, read_eidb_exports, read_eidb_totals


@pytest.fixture(scope="module")
def folder(mirror):
    return mirror / "tradestat"


@pytest.fixture(scope="module")
def exports(folder, tmp_path_factory):
    return read_eidb_exports(
        folder / "india_exports_hs8_by_partner_fy2018_2024.csv.gz",
        tmp_path_factory.mktemp("eidb") / "tradestat_exports.parquet",
    )


@pytest.fixture(scope="module")
def totals(folder):
    return read_eidb_totals(folder / "india_exports_hs8_totals_fy2018_2024.csv.gz")


def test_real_totals(totals):
    SOURCE.schemas["tradestat_export_totals"].validate(totals)
    assert list(totals["period"]) == [f"FY{y}-{(y + 1) % 100:02d}" for y in range(2018, 2025)]
    assert totals.set_index("period").loc["FY2018-19", "value_usd"] == pytest.approx(330_078.09e6)


@pytest.mark.slow
def test_real_exports_schema_on_a_sample(exports):
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{exports.as_posix()}')")
    n, non_null = duckdb.sql(
        f"SELECT count(*), count(partner_iso3) FROM read_parquet('{exports.as_posix()}')"
    ).fetchall()[0]
    assert n == 2_501_749 and 0 < n - non_null < 0.001 * n
    SOURCE.schemas["tradestat_exports"].validate(rel.limit(50_000).df())
    assert list(rel.columns) == [
        "reporter",
        "hs8",
        "description",
        "partner_iso3",
        "partner_name",
        "period",
        "fy_start",
        "value_usd",
        "unit",
        "quantity",
    ]


def test_coverage_falls_from_96_6_to_66_70_percent(exports, totals):
    sums = dict(
        duckdb.sql(f"SELECT period, sum(value_usd) FROM read_parquet('{exports.as_posix()}') GROUP BY 1").fetchall()
    )
    cover = {p: sums[p] / v for p, v in zip(totals["period"], totals["value_usd"])}
    assert cover["FY2018-19"] == pytest.approx(0.966, abs=0.0005)
    for p in ("FY2022-23", "FY2023-24", "FY2024-25"):
        assert 0.655 <= cover[p] <= 0.70, (p, cover[p])


def test_partner_codes_agree_with_the_resolver(exports):
    pairs = duckdb.sql(f"SELECT DISTINCT partner_name, partner_iso3 FROM read_parquet('{exports.as_posix()}')").df()
    assert pairs.set_index("partner_name").loc["PERU", "partner_iso3"] == "PER"
    assert set(pairs.loc[pairs["partner_iso3"].isna(), "partner_name"]) <= {
        "UNSPECIFIED",
        "INSTALLATIONS IN INTERNATIONAL WATERS",
    }


# ---- broken copies -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def head_lines(folder):
    with gzip.open(folder / "india_exports_hs8_by_partner_fy2018_2024.csv.gz", "rt", encoding="utf-8") as fh:
        return [next(fh) for _ in range(200)]


def _gz(tmp_path, lines, name="exports.csv.gz"):
    p = tmp_path / name
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.writelines(lines)
    return p


def test_small_copy_reads(head_lines, tmp_path):
    out = read_eidb_exports(_gz(tmp_path, head_lines), tmp_path / "o.parquet")
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{out.as_posix()}')").fetchall()[0][0] > 0


def test_truncated_gzip(head_lines, tmp_path):
    p = _gz(tmp_path, head_lines * 50)
    p.write_bytes(p.read_bytes()[:-400])
    with pytest.raises(DataFormatError, match="exports.csv.gz"):
        read_eidb_exports(p, tmp_path / "o.parquet")


def test_missing_column(head_lines, tmp_path):
    lines = [",".join(line.rstrip("\n").split(",")[:7]) + "\n" for line in head_lines]
    with pytest.raises(DataFormatError, match="missing column.*value_usd_mn"):
        read_eidb_exports(_gz(tmp_path, lines), tmp_path / "o.parquet")


@pytest.mark.parametrize("bad", ["-3.5", "abc", "inf", "nan"])
def test_bad_value(head_lines, tmp_path, bad):
    fields = head_lines[5].split(",")
    fields[7] = bad
    lines = head_lines[:5] + [",".join(fields)] + head_lines[6:]
    with pytest.raises(DataFormatError) as err:
        read_eidb_exports(_gz(tmp_path, lines), tmp_path / "o.parquet")
    assert err.value.row == 6 and err.value.field == "value_usd_mn"


def test_unknown_country_and_code_mismatch(head_lines, tmp_path):
    fields = head_lines[3].split(",")
    fields[5] = "ATLANTIS"
    with pytest.raises(DataFormatError, match="unknown partner country name 'ATLANTIS'"):
        read_eidb_exports(_gz(tmp_path, head_lines[:3] + [",".join(fields)] + head_lines[4:]), tmp_path / "o.parquet")
    fields = head_lines[3].split(",")
    fields[6] = "XXX"
    with pytest.raises(DataFormatError, match="in the file but"):
        read_eidb_exports(_gz(tmp_path, head_lines[:3] + [",".join(fields)] + head_lines[4:]), tmp_path / "o.parquet")


def test_empty_and_header_only(head_lines, tmp_path):
    with pytest.raises(DataFormatError, match="empty"):
        read_eidb_exports(_gz(tmp_path, []), tmp_path / "o.parquet")
    with pytest.raises(DataFormatError, match="no rows"):
        read_eidb_exports(_gz(tmp_path, head_lines[:1]), tmp_path / "o.parquet")


def test_totals_disagreeing_within_a_year(folder, tmp_path):
    with gzip.open(folder / "india_exports_hs8_totals_fy2018_2024.csv.gz", "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(50)]
    lines[1] = lines[1].rsplit(",", 1)[0] + ",1.0\n"
    with pytest.raises(DataFormatError, match="different India totals"):
        read_eidb_totals(_gz(tmp_path, lines, "totals.csv.gz"))
