"""BACI HS4 top-200 extract on the real files and on broken copies of them."""

from __future__ import annotations

import gzip

import pytest

from critmin.errors import DataFormatError
from critmin.sources.baci_hs4 import SOURCE, read_baci_hs4, read_top_flows

FLOWS = "trade/baci_hs22_hs4_top200_flows_2022_2024.csv.gz"
TOTALS = "trade/baci_hs22_hs4_world_totals_2022_2024.csv"


@pytest.fixture(scope="module")
def tables(shared_data):
    return read_baci_hs4({"flows": shared_data / FLOWS, "totals": shared_data / TOTALS}, None)


def test_chile_to_india_copper_ore_2024(tables):
    f = tables["hs4_top_flows"]
    row = f[(f.year == 2024) & (f.hs4 == "2603") & (f.exporter == "CHL") & (f.importer == "IND")]
    assert len(row) == 1
    assert row["value_usd"].item() == pytest.approx(1.37e9, rel=0.01)


def test_tables_pass_their_schemas_and_coverage_is_a_share(tables):
    for name, df in tables.items():
        SOURCE.schemas[name].validate(df)
    t = tables["hs4_world_totals"]
    assert len(t) == 48 and t["coverage"].between(0.5, 1.0).all()
    ore = t[(t.hs4 == "2603") & (t.year == 2024)]
    assert 0.99 <= ore["coverage"].item() <= 1.0
    assert (tables["hs4_top_flows"].groupby(["year", "hs4"]).size() <= 200).all()


def test_title_says_absent_flows_are_unknown():
    assert "top 200 flows per commodity-year: a flow absent is unknown, not zero" in SOURCE.title


def _copy(shared_data, tmp_path, edit):
    lines = gzip.open(shared_data / FLOWS, "rt").read().splitlines()
    lines = edit(lines)
    out = tmp_path / "flows.csv"
    out.write_text("\n".join(lines) + "\n")
    return out


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda ls: [ls[0].replace("qty_t", "tonnes")] + ls[1:], "missing column"),
        (lambda ls: ls[:1], "no data rows"),
        (lambda ls: ls[:1] + [ls[1].replace("ARE", "XXQ", 1)] + ls[2:], "unknown country"),
        (lambda ls: ls[:1] + [ls[1].rsplit(",", 2)[0] + ",inf,1"] + ls[2:], "finite number"),
        (lambda ls: ls[:1] + [ls[1].rsplit(",", 2)[0] + ",-5,1"] + ls[2:], "finite number"),
        (lambda ls: ls[:1] + [ls[1].replace("2022", "2022.5", 1)] + ls[2:], "not a valid year"),
        (lambda ls: ls[:2] + ls[1:], "duplicate flow"),
    ],
)
def test_broken_copies_raise_data_format_error(shared_data, tmp_path, edit, match):
    with pytest.raises(DataFormatError, match=match):
        read_top_flows(_copy(shared_data, tmp_path, edit))


def test_truncated_gzip_raises_data_format_error(shared_data, tmp_path):
    data = (shared_data / FLOWS).read_bytes()
    out = tmp_path / "flows.csv.gz"
    out.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError):
        read_top_flows(out)
