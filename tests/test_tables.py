"""critmin.tables: a --json payload cut into the tables both front ends write (CSV, Excel)."""

from __future__ import annotations

import csv
import io

import openpyxl

from critmin.tables import csv_bytes, json_tables, main_table, xlsx_bytes

PAYLOAD = {
    "reporter": "IND",
    "year": 2024,
    "hhi": float("nan"),
    "suppliers": [
        {"partner": "JPN", "share": 0.72, "codes": ["740311", "740200"]},
        {"partner": "COG", "share": 0.17, "codes": []},
    ],
    "series": [{"year": 2024, "value": 1.0}],
    "products": {"mineral": "copper"},
}


def test_tables_of_a_payload():
    tables = json_tables(PAYLOAD)
    assert list(tables) == ["suppliers", "series", "summary"]
    assert tables["summary"] == [{"reporter": "IND", "year": 2024, "hhi": None}]  # NaN -> null, as --json
    assert main_table(tables) == "suppliers"
    assert json_tables([1, 2]) == {"table": [{"value": 1}, {"value": 2}]}


def test_csv_has_the_record_keys_and_flat_cells():
    rows = list(csv.reader(io.StringIO(csv_bytes(json_tables(PAYLOAD)["suppliers"]).decode())))
    assert rows == [["partner", "share", "codes"], ["JPN", "0.72", "740311; 740200"], ["COG", "0.17", ""]]


def test_xlsx_one_sheet_per_table_chosen_first():
    tables = json_tables(PAYLOAD)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(tables)), read_only=True)
    assert wb.sheetnames == ["suppliers", "series", "summary"]
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(tables, first="series")), read_only=True)
    assert wb.sheetnames[0] == "series"
    header = next(wb["suppliers"].iter_rows(max_row=1, values_only=True))
    assert list(header) == ["partner", "share", "codes"]
