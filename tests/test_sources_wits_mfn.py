"""WITS/TRAINS bulk MFN connector: India's 14 real files and broken copies."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.wits_mfn import SOURCE, read_wits_mfn, read_wits_mfn_files


@pytest.fixture(scope="module")
def files(mirror):
    return sorted((mirror / "wits").glob("JobID-*_MFN_H*_IND_*.CSV"))


@pytest.fixture(scope="module")
def mfn(files):
    return read_wits_mfn_files(files)


@pytest.fixture(scope="module")
def file_2022(files):
    return next(p for p in files if p.name.endswith("_2022.CSV"))


def test_real_files_schema_years_and_editions(mfn):
    SOURCE.schemas["mfn_tariffs"].validate(mfn)
    assert sorted(mfn["year"].unique()) == list(range(2010, 2024))
    edition = mfn.groupby("year")["hs_edition"].unique().map(lambda e: list(e))
    assert edition[2010] == ["HS2007"] and edition[2014] == ["HS2012"] and edition[2021] == ["HS2017"]
    assert edition[2022] == ["HS2022"] and edition[2023] == ["HS2022"]
    assert (mfn["reporter"] == "IND").all()
    assert mfn.groupby("year").size()[2022] == 5613


def test_real_rates_and_traps(mfn):
    r = mfn.set_index(["year", "hs6"])
    assert r.loc[(2022, "260300"), "rate_avg"] == 2.5  # copper ores before the July 2024 cut
    assert r.loc[(2021, "710812"), "rate_avg"] == 12.5  # stale: cut to 7.5% + cess in Feb 2021
    y22 = mfn[mfn["year"] == 2022].set_index("hs6")[["rate_avg", "rate_min", "rate_max"]]
    y23 = mfn[mfn["year"] == 2023].set_index("hs6")[["rate_avg", "rate_min", "rate_max"]]
    assert y22.equals(y23)  # 2023 = 2022 carried forward
    # lines without any ad-valorem rate stay unknown, never 0
    specific = r.loc[(2022, "080211")]
    assert specific["rate_avg"] != specific["rate_avg"] and specific["lines"] == 1
    assert (mfn["rate_min"].fillna(0) <= mfn["rate_max"].fillna(0)).all()


def _copy(src, tmp_path, edit):
    lines = src.read_text().splitlines(keepends=True)
    out = tmp_path / src.name
    out.write_text("".join(edit(lines)))
    return out


def test_truncated_file(file_2022, tmp_path):
    def cut(lines):
        text = "".join(lines[:50])
        return [text[: text.rfind(",") - 3]]

    with pytest.raises(DataFormatError, match="fields; expected 14"):
        read_wits_mfn(_copy(file_2022, tmp_path, cut))


def test_missing_column(file_2022, tmp_path):
    def drop(lines):
        return [",".join(f for i, f in enumerate(line.rstrip("\n").split(",")) if i != 5) + "\n" for line in lines]

    with pytest.raises(DataFormatError, match="Min_Rate") as e:
        read_wits_mfn(_copy(file_2022, tmp_path, drop))
    assert "JobID-70504" in str(e.value)


@pytest.mark.parametrize(
    "value, message", [("    -2.50", "finite rate >= 0"), ("nan", "finite rate >= 0"), ("abc", "not a number")]
)
def test_bad_rate(file_2022, tmp_path, value, message):
    def bad(lines):
        f = lines[3].split(",")
        f[7] = value
        return lines[:3] + [",".join(f)] + lines[4:]

    with pytest.raises(DataFormatError, match=message) as e:
        read_wits_mfn(_copy(file_2022, tmp_path, bad))
    assert e.value.row == 3 and e.value.field == "SimpleAverage"


def test_unknown_reporter_and_edition(file_2022, tmp_path):
    with pytest.raises(DataFormatError, match="not a known UN M49 code"):
        read_wits_mfn(_copy(file_2022, tmp_path, lambda ls: [ls[0]] + [x.replace(",356,", ",999,") for x in ls[1:]]))
    with pytest.raises(DataFormatError, match="not an HS edition"):
        read_wits_mfn(_copy(file_2022, tmp_path, lambda ls: [ls[0]] + [x.replace("H6,", "H9,", 1) for x in ls[1:]]))


def test_empty_and_header_only(file_2022, tmp_path):
    empty = tmp_path / "JobID-1_MFN_H6_IND_2022.CSV"
    empty.write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        read_wits_mfn(empty)
    with pytest.raises(DataFormatError, match="no HS product rows"):
        read_wits_mfn(_copy(file_2022, tmp_path, lambda ls: ls[:1]))


def test_same_year_twice(file_2022, tmp_path):
    twin = tmp_path / "JobID-2_MFN_H6_IND_2022.CSV"
    twin.write_bytes(file_2022.read_bytes())
    with pytest.raises(DataFormatError, match="one file per reporter and year"):
        read_wits_mfn_files([file_2022, twin])


def test_line_counts_must_be_whole_numbers(file_2022, tmp_path):
    for value in ("1.5", "9" * 30):

        def bad(lines, value=value):
            f = lines[2].split(",")
            f[13] = value + "\n"
            return lines[:2] + [",".join(f)] + lines[3:]

        with pytest.raises(DataFormatError, match="whole number of lines") as e:
            read_wits_mfn(_copy(file_2022, tmp_path, bad))
        assert e.value.field == "TotalNoOfLines"


def test_the_shared_reader_gives_the_same_rates_as_read_wits_tariffs(file_2022):
    from critmin.services.tariffs import read_wits_tariffs

    table = read_wits_tariffs(file_2022, duty_type="MFN").frame.set_index("hs")["rate"]
    mfn = read_wits_mfn(file_2022).set_index("hs6")["rate_avg"]
    pd.testing.assert_series_equal(table.rename("r"), mfn.rename("r"), check_names=False, check_index_type=False)
