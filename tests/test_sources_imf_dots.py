"""IMF DOTS connector: the real file against the bundle's tidy copy, and broken copies."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources import get_source
from critmin.sources.imf_dots import read_dots

RAW = "imf/imf_dots_txg_fob_usd_2019_2020.csv.gz"


@pytest.fixture(scope="module")
def dots(mirror):
    return read_dots(mirror / RAW)


@pytest.fixture(scope="module")
def raw_lines(mirror):
    return gzip.decompress((mirror / RAW).read_bytes()).decode("utf-8").splitlines()


def _write(tmp_path, lines, name="dots.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_matches_tidy_copy(dots, shared_data):
    tidy = pd.read_csv(shared_data / "trade/imf_dots_exports_fob_pairs_2019_2020.csv.gz", keep_default_na=False)
    flows = dots["dots_exports"]
    assert len(flows) == len(tidy) == 48052
    m = flows.merge(
        tidy,
        left_on=["year", "exporter", "importer"],
        right_on=["year", "exporter_iso3", "importer_iso3"],
        how="outer",
        indicator=True,
    )
    assert (m["_merge"] == "both").all()
    assert ((m["value_usd"] - m["exports_fob_usd_mn"] * 1e6).abs() < 1).all()


def test_groups_dropped_world_totals_kept(dots):
    flows, world = dots["dots_exports"], dots["dots_export_totals"]
    assert flows["exporter"].str.fullmatch(r"[A-Z]{3}").all() and flows["importer"].str.fullmatch(r"[A-Z]{3}").all()
    assert "WLD" not in set(flows["importer"])
    ind = world[world.exporter == "IND"].set_index("year")["value_usd"]
    assert ind[2019] == pytest.approx(324_863.0e6)
    to_per = flows.loc[(flows.exporter == "IND") & (flows.importer == "PER") & (flows.year == 2019), "value_usd"]
    assert to_per.item() == pytest.approx(751.3e6)
    # partner values do not exceed the world total (same reporter, same year)
    s = flows.groupby(["year", "exporter"])["value_usd"].sum()
    joined = world.set_index(["year", "exporter"])["value_usd"].reindex(s.index).dropna()
    assert (s.reindex(joined.index) <= joined * 1.01 + 1e6).mean() > 0.95


def test_connector_declares_tables():
    src = get_source("imf_dots")
    assert set(src.tables) == {"dots_exports", "dots_export_totals"} == set(src.schemas)


def test_plain_csv_header_only_sample(tmp_path, raw_lines):
    out = read_dots(_write(tmp_path, raw_lines[:200]))
    assert len(out["dots_exports"]) > 0


def test_truncated_gzip(tmp_path, mirror):
    data = (mirror / RAW).read_bytes()
    path = tmp_path / "dots.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match="damaged|truncated"):
        read_dots(path)


def test_truncated_line(tmp_path, raw_lines):
    lines = raw_lines[:50] + [raw_lines[50].rsplit(",", 2)[0]]
    with pytest.raises(DataFormatError, match="fields") as exc:
        read_dots(_write(tmp_path, lines))
    assert exc.value.row == 50


def test_missing_column(tmp_path, raw_lines):
    lines = [line.replace(",from,", ",origin,", 1) for line in raw_lines[:20]]
    with pytest.raises(DataFormatError, match="from") as exc:
        read_dots(_write(tmp_path, lines))
    assert exc.value.field == "from"


@pytest.mark.parametrize("bad", ["-5.0", "inf", "nan", "abc"])
def test_bad_value(tmp_path, raw_lines, bad):
    lines = raw_lines[:10] + ["999,PE,CL," + bad + ",1.0"]
    with pytest.raises(DataFormatError) as exc:
        read_dots(_write(tmp_path, lines))
    assert exc.value.row == 10 and exc.value.field == "2019"


def test_unknown_country(tmp_path, raw_lines):
    lines = raw_lines[:10] + ["999,QQ,CL,1.0,1.0"]
    with pytest.raises(DataFormatError, match="unknown country code 'QQ'") as exc:
        read_dots(_write(tmp_path, lines))
    assert exc.value.field == "from"


def test_duplicate_pair(tmp_path, raw_lines):
    lines = raw_lines[:10] + [raw_lines[3]]
    with pytest.raises(DataFormatError, match="twice"):
        read_dots(_write(tmp_path, lines))


def test_empty_file(tmp_path):
    path = tmp_path / "dots.csv"
    path.write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        read_dots(path)
