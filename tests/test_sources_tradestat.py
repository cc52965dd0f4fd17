"""India TradeStat connector: the real HS 2603 extract, and broken copies."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.tradestat import SOURCE, TRADESTAT_COUNTRIES, read_tradestat


@pytest.fixture(scope="module")
def raw_path(mirror):
    return mirror / "tradestat" / "india_imports_hs2603_by_partner_cy2024_cy2025.csv"


@pytest.fixture(scope="module")
def parsed(raw_path):
    return read_tradestat(raw_path)


@pytest.fixture(scope="module")
def tidy(shared_data):
    return pd.read_csv(shared_data / "trade" / "india_tradestat_hs2603_2024_2025.csv", dtype={"hs_code": str})


def test_real_file_passes_schema(parsed):
    SOURCE.schemas["tradestat_imports"].validate(parsed)
    assert len(parsed) == 21 * 4
    assert set(parsed["period"]) == {"2024-12", "2025-12", "CY2024", "CY2025"}
    assert (parsed["reporter"] == "IND").all() and (parsed["flow"] == "import").all()


def test_values_are_usd_and_match_the_tidy_file(parsed, tidy):
    wide = parsed.pivot(index="partner_iso3", columns="period", values="value_usd")
    t = tidy.set_index("partner_iso3")
    for period, col in [
        ("2024-12", "dec2024_usd_mn"),
        ("2025-12", "dec2025_usd_mn"),
        ("CY2024", "cy2024_usd_mn"),
        ("CY2025", "cy2025_usd_mn"),
    ]:
        diff = (wide.loc[t.index, period] - t[col] * 1e6).abs()
        assert diff.max() < 0.01, period
    assert wide.loc["WLD", "CY2025"] == pytest.approx(5_264_410_000)
    assert wide.loc["CHL", "CY2024"] == pytest.approx(1_245_430_000)


def test_partner_total_close_to_reported_total(parsed):
    """Partners listed sum to the TOTAL row (the six all-zero partners were left out of the extract)."""
    cy = parsed[parsed["period"] == "CY2025"].set_index("partner_iso3")["value_usd"]
    partners = cy.drop("WLD").sum()
    assert partners == pytest.approx(cy["WLD"], rel=1e-4)


def test_names_map_like_the_tidy_file(parsed, tidy):
    ours = parsed.drop_duplicates("partner_name").set_index("partner_name")["partner_iso3"]
    assert (ours.loc[tidy["partner_country_tradestat"]].to_numpy() == tidy["partner_iso3"].to_numpy()).all()
    assert TRADESTAT_COUNTRIES["CHINA P RP"] == "CHN" and TRADESTAT_COUNTRIES["U S A"] == "USA"


# ---- broken copies -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_text(raw_path):
    return raw_path.read_text(encoding="utf-8")


def _write(tmp_path, text, encoding="utf-8"):
    p = tmp_path / "india_imports.csv"
    p.write_bytes(text.encode(encoding))
    return p


def test_truncated_file(raw_text, tmp_path):
    lines = raw_text.splitlines(keepends=True)
    cut = "".join(lines[:6]) + "2603,import,INDONESIA,36.82"
    with pytest.raises(DataFormatError, match=r"india_imports\.csv, row 6.*truncated") as err:
        read_tradestat(_write(tmp_path, cut))
    assert err.value.row == 6


def test_wrong_encoding(raw_text, tmp_path):
    text = raw_text.replace("PERU", "PÉRU")
    with pytest.raises(DataFormatError, match="not valid utf-8"):
        read_tradestat(_write(tmp_path, text, encoding="latin-1"))


def test_unknown_partner_name(raw_text, tmp_path):
    text = raw_text.replace("PAPUA N GNA", "ATLANTIS")
    with pytest.raises(DataFormatError, match="unknown partner country name 'ATLANTIS'") as err:
        read_tradestat(_write(tmp_path, text))
    assert (err.value.row, err.value.field) == (14, "partner_country_tradestat")


def test_missing_column_and_no_period(raw_text, tmp_path):
    with pytest.raises(DataFormatError, match="missing column.*partner_country_tradestat"):
        read_tradestat(_write(tmp_path, raw_text.replace("partner_country_tradestat", "partner", 1)))
    header, rest = raw_text.split("\n", 1)
    header = header.replace("_usd_mn", "_inr_cr")
    with pytest.raises(DataFormatError, match="no period value column"):
        read_tradestat(_write(tmp_path, header + "\n" + rest))


def test_negative_and_text_values(raw_text, tmp_path):
    with pytest.raises(DataFormatError, match="must be a finite number >= 0") as err:
        read_tradestat(_write(tmp_path, raw_text.replace("CHILE,210.69", "CHILE,-210.69")))
    assert (err.value.row, err.value.field) == (4, "dec2024_usd_mn")
    with pytest.raises(DataFormatError, match="'n/a' is not a number"):
        read_tradestat(_write(tmp_path, raw_text.replace("CHILE,210.69", "CHILE,n/a")))


def test_duplicate_partner(raw_text, tmp_path):
    lines = raw_text.splitlines(keepends=True)
    text = "".join(lines[:5] + [lines[4]] + lines[5:])
    with pytest.raises(DataFormatError, match=r"partner 'CHILE' \(CHL\) appears twice.*first at row 4") as err:
        read_tradestat(_write(tmp_path, text))
    assert err.value.row == 5


# ---- every import report in the mirror -----------------------------------------------------------------


@pytest.fixture(scope="module")
def all_reports(mirror):
    return sorted((mirror / "tradestat").glob("india_imports_*_by_partner_*.csv"))


def test_every_report_is_read_with_basis(all_reports):
    from critmin.sources.tradestat import read_tradestat_files

    assert len(all_reports) >= 2
    df = read_tradestat_files(all_reports)
    SOURCE.schemas["tradestat_imports"].validate(df)
    assert {"2603", "7108", "2846", "28252000", "28369100", "2605", "8105"} <= set(df["hs_code"])
    assert (df.loc[df["period"].str.startswith("CY"), "basis"] == "CY").all()
    assert (df.loc[~df["period"].str.startswith("CY"), "basis"] == "month").all()
    gold_peru = df.query("hs_code == '7108' and partner_iso3 == 'PER' and period == 'CY2024'")["value_usd"]
    assert gold_peru.item() == pytest.approx(4_368.55e6)
    copper_peru = df.query("hs_code == '2603' and partner_iso3 == 'PER' and period == 'CY2024'")["value_usd"]
    assert copper_peru.item() == pytest.approx(253.35e6)
    assert "HS 2603" not in SOURCE.title and SOURCE.files[0].many


def test_same_row_in_two_files_names_both(raw_path, tmp_path):
    from critmin.sources.tradestat import read_tradestat_files

    copy = tmp_path / "india_imports_copy_by_partner.csv"
    copy.write_bytes(raw_path.read_bytes())
    with pytest.raises(
        DataFormatError,
        match=r"india_imports_copy_by_partner\.csv.*also in "
        r"india_imports_hs2603_by_partner_cy2024_cy2025\.csv",
    ):
        read_tradestat_files([raw_path, copy])
