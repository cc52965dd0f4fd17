"""NZ Customs tariff-rates connector: the real May 2021 workbook and broken copies."""

from __future__ import annotations

import openpyxl
import pytest

from critmin.errors import DataFormatError
from critmin.sources.nz_tariff import SOURCE, parse_nz_rate, read_nz_tariff_rates


@pytest.fixture(scope="module")
def workbook(mirror):
    return mirror / "nzcustoms" / "Tariff_Rates_May2021_v1.xlsx"


@pytest.fixture(scope="module")
def tables(workbook):
    return read_nz_tariff_rates(workbook)


@pytest.fixture(scope="module")
def sample_rows(workbook):
    wb = openpyxl.load_workbook(workbook, read_only=True)
    ws = wb["Sheet 1"]
    ws.reset_dimensions()
    rows = [list(r) for _, r in zip(range(40), ws.iter_rows(values_only=True))]
    wb.close()
    return rows


def _write(rows, path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet 1"
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_real_workbook(tables):
    nz, pref = tables["nz_tariffs"], tables["nz_preferential_tariffs"]
    SOURCE.schemas["nz_tariffs"].validate(nz)
    SOURCE.schemas["nz_preferential_tariffs"].validate(pref)
    assert len(nz) == 7934 and nz["hs6"].nunique() == 5390
    kinds = nz["duty_type"].value_counts().to_dict()
    assert kinds == {"free": 4852, "ad_valorem": 3039, "parts": 37, "specific": 6}
    # specific and "Parts" duties are flagged, not turned into an ad-valorem rate
    assert nz.loc[nz["duty_type"].isin(["specific", "parts"]), "mfn_rate_pct"].isna().all()
    r = nz.set_index("hs8")
    assert r.loc["74071009", "mfn_rate_pct"] == 5.0 and r.loc["74071001", "mfn_rate_pct"] == 0.0
    assert r.loc["22085006", "duty_type"] == "specific" and r.loc["22085006", "mfn_text"] == "50c/l al"
    assert "IN" not in set(pref["scheme"]) and "IND" not in set(pref["scheme"])  # no agreement with India
    assert {"AU", "CN", "CPT"} <= set(pref["scheme"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Free", (0.0, "free")),
        ("5%", (5.0, "ad_valorem")),
        ("2.500000%", (2.5, "ad_valorem")),
        ("Parts", (None, "parts")),
        ("$1.87/kg", (None, "specific")),
        ("50c/l al", (None, "specific")),
        ("5% + $2/kg", (None, "compound")),
    ],
)
def test_rate_cells(text, expected):
    assert parse_nz_rate(text, "f.xlsx", 2, "NML") == expected


@pytest.mark.parametrize("text", ["-5%", "five", "n/a"])
def test_bad_rate_cell(text):
    with pytest.raises(DataFormatError, match="not Free, a percentage"):
        parse_nz_rate(text, "f.xlsx", 2, "NML")


def test_truncated_workbook(workbook, tmp_path):
    cut = tmp_path / workbook.name
    cut.write_bytes(workbook.read_bytes()[: workbook.stat().st_size // 2])
    with pytest.raises(DataFormatError, match="xlsx|workbook"):
        read_nz_tariff_rates(cut)


def test_missing_column(sample_rows, tmp_path):
    i = sample_rows[0].index("NML")
    rows = [r[:i] + r[i + 1 :] for r in sample_rows]
    with pytest.raises(DataFormatError, match="missing column.*NML"):
        read_nz_tariff_rates(_write(rows, tmp_path / "x.xlsx"))


def test_bad_value_names_row_and_column(sample_rows, tmp_path):
    i = sample_rows[0].index("NML")
    rows = [list(r) for r in sample_rows]
    row = next(k for k, r in enumerate(rows) if r[1] == "0101.29.00")
    rows[row][i] = "-5%"
    with pytest.raises(DataFormatError, match="-5%") as e:
        read_nz_tariff_rates(_write(rows, tmp_path / "x.xlsx"))
    assert e.value.row == row + 1 and e.value.field == "NML"


def test_item_without_rate_and_empty_sheet(sample_rows, tmp_path):
    i = sample_rows[0].index("NML")
    rows = [list(r) for r in sample_rows]
    rows[4][i] = None
    with pytest.raises(DataFormatError, match="no Normal"):
        read_nz_tariff_rates(_write(rows, tmp_path / "x.xlsx"))
    with pytest.raises(DataFormatError, match="no 8-digit tariff items"):
        read_nz_tariff_rates(_write(sample_rows[:3], tmp_path / "y.xlsx"))


def test_damaged_zip_header(workbook, tmp_path):
    data = bytearray(workbook.read_bytes())
    central = data.rfind(b"PK\x01\x02")  # last central-directory entry: its compression method
    data[central + 10 : central + 12] = (99).to_bytes(2, "little")
    bad = tmp_path / workbook.name
    bad.write_bytes(bytes(data))
    with pytest.raises(DataFormatError, match="workbook"):
        read_nz_tariff_rates(bad)
