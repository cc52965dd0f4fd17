"""WTO RTA connector: the real AllRTAs.xlsx export, and broken copies of it."""

from __future__ import annotations


import openpyxl
import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.wto_rta import BLOC_RECORDS, SOURCE, WTO_NAMES, read_rtas


@pytest.fixture(scope="module")
def raw_path(mirror):
    return mirror / "wto" / "AllRTAs.xlsx"


@pytest.fixture(scope="module")
def parsed(raw_path):
    return read_rtas(raw_path)


@pytest.fixture(scope="module")
def tidy(shared_data):
    return pd.read_csv(shared_data / "agreements" / "wto_rtas.csv", dtype=str, keep_default_na=False)


def test_real_file_passes_schemas(parsed):
    for table, df in parsed.items():
        SOURCE.schemas[table].validate(df)
    assert len(parsed["agreements"]) == 655
    assert parsed["agreements"]["status"].value_counts().to_dict() == {
        "In Force": 401,
        "Inactive": 213,
        "Early announcement-Under negotiation": 29,
        "Early announcement-Signed": 7,
        "In force for at least one Party": 5,
    }


def test_parties_and_dates_match_the_tidy_file(parsed, tidy):
    a = parsed["agreements"].set_index(parsed["agreements"]["rta_id"].astype(str))
    t = tidy.set_index("rta_id")
    assert set(a.index) == set(t.index)
    a = a.loc[t.index]
    assert (a["parties_iso3"].fillna("") == t["parties_iso3"]).all()
    assert (a["original_parties_iso3"].fillna("") == t["original_parties_iso3"]).all()
    for ours, theirs in [
        ("eif_goods", "entry_into_force_goods"),
        ("eif_services", "entry_into_force_services"),
        ("inactive_date", "inactive_date"),
        ("signature_goods", "signature_date_goods"),
        ("notification_goods", "notification_date_goods"),
    ]:
        assert (a[ours].dt.strftime("%Y-%m-%d").fillna("") == t[theirs]).all(), ours
    assert (a["name"] == t["name"].str.split().str.join(" ")).all()  # runs of spaces collapsed
    assert (a["coverage"].fillna("") == t["coverage"]).all()


def test_members_table_is_the_exploded_parties(parsed):
    ag, mem = parsed["agreements"], parsed["agreement_members"]
    exploded = (
        ag.dropna(subset=["parties_iso3"])
        .assign(iso3=lambda d: d["parties_iso3"].str.split(";"))
        .explode("iso3")[["rta_id", "iso3"]]
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(exploded, mem)


def test_india_records(parsed):
    ag = parsed["agreements"].set_index("rta_id")
    chile = ag.loc[625]
    assert chile["name"] == "Chile - India" and chile["status"] == "In Force"
    assert chile["eif_goods"] == pd.Timestamp("2007-08-17") and pd.isna(chile["eif_services"])
    assert chile["parties_iso3"] == "CHL;IND"
    expected_in_force = {
        438: "2010-01-01",
        715: "2010-01-01",
        173: "2011-08-01",
        544: "2011-07-01",
        520: "2009-06-01",
        517: "2021-04-01",
        1198: "2022-05-01",
        536: "2022-12-29",
        188: "2006-01-01",
        140: "1976-06-17",
        146: "1989-04-19",
    }
    for rid, eif in expected_in_force.items():
        row = ag.loc[rid]
        assert "IND" in row["parties_iso3"].split(";"), row["name"]
        assert row["eif_goods"] == pd.Timestamp(eif), row["name"]
        assert row["status"] == "In Force"
    # blocs expanded from their own records
    assert set(ag.loc[438, "parties_iso3"].split(";")) == {
        "IND",
        "BRN",
        "MMR",
        "KHM",
        "IDN",
        "LAO",
        "MYS",
        "PHL",
        "SGP",
        "VNM",
        "THA",
    }
    assert ag.loc[438, "blocs"] == "ASEAN Free Trade Area (AFTA)"
    assert ag.loc[520, "parties_iso3"] == "IND;ARG;BRA;PRY;URY"
    efta = ag.loc[598]
    assert efta["status"] == "Early announcement-Signed" and efta["eif_goods"] == pd.Timestamp("2025-10-01")
    assert set(efta["parties_iso3"].split(";")) == {"IND", "ISL", "LIE", "NOR", "CHE"}
    assert ag.loc[158, "name"] == "EU - India"
    assert ag.loc[158, "status"] == "Early announcement-Under negotiation"
    assert ag.loc[718, "status"] == "Early announcement-Under negotiation"  # India - SACU


def test_eu_is_expanded_to_27_members(parsed, tidy):
    ag = parsed["agreements"].set_index("rta_id")
    eu_deals = ag[ag["blocs"].fillna("").str.contains("European Union")]
    assert len(eu_deals) == tidy["parties_blocs_expanded"].str.contains("European Union").sum() == 51
    chile_eu = eu_deals[eu_deals["name"].str.contains("Chile")].iloc[0]
    members = chile_eu["parties_iso3"].split(";")
    assert "CHL" in members and "DEU" in members and "GBR" not in members
    assert len(members) == 28


def test_dates_are_dates(parsed):
    ag = parsed["agreements"]
    for c in ("eif_goods", "eif_services", "inactive_date", "notification_date"):
        assert str(ag[c].dtype) == "datetime64[ns]"


# ---- broken copies -------------------------------------------------------------------------------------


def _edit(raw_path, tmp_path, edit):
    wb = openpyxl.load_workbook(raw_path)
    edit(wb["AllRTAs"])
    out = tmp_path / "AllRTAs.xlsx"
    wb.save(out)
    return out


def _col(ws, name):
    return next(c.column for c in ws[1] if c.value == name)


def _row_of(ws, rta_id):
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == rta_id)


def test_truncated_workbook(raw_path, tmp_path):
    bad = tmp_path / "AllRTAs.xlsx"
    bad.write_bytes(raw_path.read_bytes()[:20000])
    with pytest.raises(DataFormatError, match=r"AllRTAs\.xlsx.*not a readable \.xlsx"):
        read_rtas(bad)


def test_csv_saved_as_xlsx(tmp_path):
    bad = tmp_path / "AllRTAs.xlsx"
    bad.write_text("RTA ID;RTA Name\n1;x\n", encoding="utf-16")
    with pytest.raises(DataFormatError, match="not a readable .xlsx"):
        read_rtas(bad)


def test_missing_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    bad = tmp_path / "AllRTAs.xlsx"
    wb.save(bad)
    with pytest.raises(DataFormatError, match="sheet 'AllRTAs' is missing"):
        read_rtas(bad)


def test_missing_column(raw_path, tmp_path):
    bad = _edit(raw_path, tmp_path, lambda ws: ws.delete_cols(_col(ws, "Status")))
    with pytest.raises(DataFormatError, match="lacks column.*Status") as err:
        read_rtas(bad)
    assert err.value.field == "Status"


def test_unknown_country_name(raw_path, tmp_path):
    def edit(ws):
        r = _row_of(ws, 625)
        ws.cell(r, _col(ws, "Current signatories")).value = "Chile; Atlantis"

    with pytest.raises(DataFormatError, match="unknown WTO party name 'Atlantis'") as err:
        read_rtas(_edit(raw_path, tmp_path, edit))
    assert err.value.field == "Current signatories" and err.value.row is not None


def test_bad_date(raw_path, tmp_path):
    def edit(ws):
        ws.cell(_row_of(ws, 625), _col(ws, "Date of Entry into Force (G)")).value = "soon"

    with pytest.raises(DataFormatError, match="'soon' is not a date") as err:
        read_rtas(_edit(raw_path, tmp_path, edit))
    assert err.value.field == "Date of Entry into Force (G)"


def test_duplicate_id_and_unknown_status(raw_path, tmp_path):
    def dup(ws):
        ws.cell(_row_of(ws, 625), 1).value = 869

    with pytest.raises(DataFormatError, match="RTA ID 869 appears twice"):
        read_rtas(_edit(raw_path, tmp_path, dup))

    def status(ws):
        ws.cell(_row_of(ws, 625), _col(ws, "Status")).value = "Maybe"

    with pytest.raises(DataFormatError, match="status 'Maybe'"):
        read_rtas(_edit(raw_path, tmp_path, status))


def test_missing_bloc_record(raw_path, tmp_path):
    bad = _edit(raw_path, tmp_path, lambda ws: ws.delete_rows(_row_of(ws, BLOC_RECORDS["European Union"])))
    with pytest.raises(DataFormatError, match="bloc 'European Union'.*RTA ID 869"):
        read_rtas(bad)


def test_name_table_covers_every_party_in_the_file(raw_path):
    wb = openpyxl.load_workbook(raw_path, read_only=True)
    rows = list(wb["AllRTAs"].iter_rows(values_only=True))
    h = rows[0]
    names = set()
    for r in rows[1:]:
        for c in ("Current signatories", "Original signatories"):
            names.update(x.strip() for x in (r[h.index(c)] or "").split(";") if x.strip())
    assert names <= set(WTO_NAMES) | set(BLOC_RECORDS)
    assert len(set(WTO_NAMES.values())) == len(WTO_NAMES)  # no two names share a code


def test_damaged_sheet_inside_a_valid_zip(raw_path, tmp_path):
    """The zip opens but the worksheet XML stops half-way (a damaged copy): the error names the file."""
    import zipfile

    bad = tmp_path / "AllRTAs.xlsx"
    with zipfile.ZipFile(raw_path) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    with pytest.raises(DataFormatError, match=r"AllRTAs\.xlsx.*truncated or damaged"):
        read_rtas(bad)
