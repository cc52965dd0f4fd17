"""Pink Sheet connector: the real monthly workbook against the tidy bundle, and broken copies."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.pinksheet import METALS, read_pinksheet

RAW = "worldbank/CMO-Historical-Data-Monthly.xlsx"


@pytest.fixture(scope="module")
def prices(mirror):
    return read_pinksheet(mirror / RAW)


@pytest.fixture(scope="module")
def head_rows(mirror):
    """Title rows, series and unit rows and the first 30 months of the real sheet."""
    wb = openpyxl.load_workbook(mirror / RAW, read_only=True)
    rows = [list(r) for _, r in zip(range(36), wb["Monthly Prices"].iter_rows(values_only=True))]
    wb.close()
    return rows


def _workbook(tmp_path, rows, title="Monthly Prices"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    path = tmp_path / "CMO-Historical-Data-Monthly.xlsx"
    wb.save(path)
    return path


def _col(head_rows, name):
    return [str(c).strip() if c else "" for c in head_rows[4]].index(name)


def test_matches_tidy_bundle(prices, shared_data):
    tidy = pd.read_csv(shared_data / "prices/pinksheet_metals_monthly.csv")
    tidy = tidy.assign(series=tidy["commodity"].replace({"aluminum": "aluminium"}), month=pd.to_datetime(tidy["month"]))
    assert len(prices) == len(tidy) == 7970
    m = prices.merge(tidy, on=["series", "month"], how="outer", indicator=True, suffixes=("", "_t"))
    assert (m["_merge"] == "both").all()
    assert (m["price"] == m["price_t"]).all()
    assert (m["unit"] == m["unit_t"]).all()
    assert (m["name"] == m["commodity_name"]).all()


def test_series_units_and_sample_prices(prices):
    units = prices.groupby("series")["unit"].unique().map(list).to_dict()
    assert units["copper"] == ["$/mt"] and units["iron_ore"] == ["$/dmtu"] and units["gold"] == ["$/troy oz"]
    assert set(prices["series"]) == set(METALS.values())

    def p(series, month):
        return prices.loc[(prices.series == series) & (prices.month == month), "price"].item()

    assert p("copper", "1960-01-01") == 715.4
    assert p("copper", "2026-05-01") == 13543.19
    assert p("gold", "2025-12-01") == 4309.23
    assert prices["month"].min() == pd.Timestamp("1960-01-01")
    assert prices["month"].max() == pd.Timestamp("2026-05-01")
    assert not prices.duplicated(["series", "month"]).any()


def test_missing_marks_are_skipped(tmp_path, head_rows):
    rows = [list(r) for r in head_rows]
    rows[6][_col(head_rows, "Tin")] = "…"
    out = read_pinksheet(_workbook(tmp_path, rows))
    assert len(out[out.series == "tin"]) == len(rows) - 7
    assert len(out[out.series == "copper"]) == len(rows) - 6


def test_truncated_workbook(tmp_path, mirror):
    data = (mirror / RAW).read_bytes()
    path = tmp_path / "CMO-Historical-Data-Monthly.xlsx"
    path.write_bytes(data[: len(data) - 1000])
    with pytest.raises(DataFormatError, match="not a readable .xlsx workbook"):
        read_pinksheet(path)


def test_csv_saved_as_workbook(tmp_path):
    path = tmp_path / "CMO-Historical-Data-Monthly.xlsx"
    path.write_bytes("month,copper\n1960M01,715.4\n".encode("latin-1"))
    with pytest.raises(DataFormatError, match="not a readable .xlsx workbook"):
        read_pinksheet(path)


def test_missing_sheet(tmp_path, head_rows):
    with pytest.raises(DataFormatError, match="sheet 'Monthly Prices' is missing; sheets present: Monthly Indices"):
        read_pinksheet(_workbook(tmp_path, head_rows, title="Monthly Indices"))


def test_missing_metal_column(tmp_path, head_rows):
    rows = [list(r) for r in head_rows]
    rows[4][_col(head_rows, "Nickel")] = "Nickel alloy"
    with pytest.raises(DataFormatError, match="no column.*Nickel") as exc:
        read_pinksheet(_workbook(tmp_path, rows))
    assert exc.value.field == "Nickel"


def test_negative_price(tmp_path, head_rows):
    rows = [list(r) for r in head_rows]
    rows[10][_col(head_rows, "Copper")] = -700.0
    with pytest.raises(DataFormatError, match="negative price") as exc:
        read_pinksheet(_workbook(tmp_path, rows))
    assert (exc.value.row, exc.value.field) == (11, "Copper")


def test_bad_month_label_and_text_price(tmp_path, head_rows):
    rows = [list(r) for r in head_rows]
    rows[8][0] = "1960-03"
    with pytest.raises(DataFormatError, match="month label '1960-03' is not of the form 1960M01") as exc:
        read_pinksheet(_workbook(tmp_path, rows))
    assert exc.value.row == 9
    rows = [list(r) for r in head_rows]
    rows[9][_col(head_rows, "Gold")] = "n/a?"
    with pytest.raises(DataFormatError, match="price 'n/a\\?' is not a number") as exc:
        read_pinksheet(_workbook(tmp_path, rows))
    assert (exc.value.row, exc.value.field) == (10, "Gold")


def test_bad_unit_row(tmp_path, head_rows):
    rows = [list(r) for r in head_rows]
    rows[5][_col(head_rows, "Zinc")] = None
    with pytest.raises(DataFormatError, match="unit '' under 'Zinc'") as exc:
        read_pinksheet(_workbook(tmp_path, rows))
    assert exc.value.row == 6


def test_damaged_sheet_inside_an_intact_zip(tmp_path, mirror):
    import zipfile

    path = tmp_path / "CMO-Historical-Data-Monthly.xlsx"
    with zipfile.ZipFile(mirror / RAW) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "xl/worksheets/sheet2.xml":  # "Monthly Prices"
                data = data[: len(data) // 2]
            zout.writestr(name, data)
    with pytest.raises(DataFormatError, match="workbook is damaged .*ParseError"):
        read_pinksheet(path)
