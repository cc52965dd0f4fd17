"""WGI connector: the real workbook against the tidy bundle, and broken copies."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.wgi import read_wgi

RAW = "wgi/wgidataset.xlsx"


@pytest.fixture(scope="module")
def gov(mirror):
    return read_wgi(mirror / RAW)


@pytest.fixture(scope="module")
def head_rows(mirror):
    """Header and the first 40 data rows of the real workbook."""
    wb = openpyxl.load_workbook(mirror / RAW, read_only=True)
    rows = [list(r) for _, r in zip(range(41), wb[wb.sheetnames[0]].iter_rows(values_only=True))]
    wb.close()
    return rows


def _workbook(tmp_path, rows, title="Sheet1"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    path = tmp_path / "wgidataset.xlsx"
    wb.save(path)
    return path


def test_matches_tidy_bundle(gov, shared_data):
    tidy = pd.read_csv(shared_data / "governance/wgi_1996_2023.csv.gz")
    assert len(gov) == len(tidy) == 30974
    m = gov.merge(tidy, on=["iso3", "year", "indicator"], how="outer", indicator=True, suffixes=("", "_t"))
    assert (m["_merge"] == "both").all()
    assert (m["wgi_code"] == m["wgi_code_t"]).all()
    for col in ["estimate", "std_error", "percentile_rank", "percentile_rank_lower", "percentile_rank_upper"]:
        assert ((m[col] - m[f"{col}_t"]).abs().fillna(0) < 1e-9).all(), col
        assert (m[col].isna() == m[f"{col}_t"].isna()).all(), col
    assert (m["n_sources"].astype("float").fillna(-1) == m["n_sources_t"].fillna(-1)).all()


def test_sample_values(gov):
    def val(iso3, year, ind, col="estimate"):
        return gov.loc[(gov.iso3 == iso3) & (gov.year == year) & (gov.indicator == ind), col].item()

    assert val("AFG", 1996, "cc") == pytest.approx(-1.291704773902893)
    assert val("AFG", 1996, "cc", "percentile_rank") == pytest.approx(4.301075458526611)
    assert val("ALB", 1996, "cc", "n_sources") == 3
    assert set(gov["indicator"]) == {"va", "pv", "ge", "rq", "rl", "cc"}
    assert sorted(gov["year"].unique())[:4] == [1996, 1998, 2000, 2002] and gov["year"].max() == 2023


def test_codes_are_recoded(gov):
    codes = set(gov["iso3"])
    assert {"ROU", "COD", "TLS", "PSE", "AND", "XKX"} <= codes
    assert not {"ROM", "ZAR", "TMP", "WBG", "PAL", "ADO", "KSV"} & codes
    assert set(gov.loc[gov.iso3 == "COD", "wgi_code"]) == {"ZAR"}
    assert not gov.duplicated(["iso3", "year", "indicator"]).any()


def test_all_missing_rows_are_dropped_and_partial_kept(tmp_path, head_rows):
    rows = [head_rows[0], head_rows[1][:5] + [".."] * 6, head_rows[2][:5] + [0.5, "..", "..", "..", "..", ".."]]
    out = read_wgi(_workbook(tmp_path, rows))
    assert len(out) == 1 and out["estimate"].item() == 0.5 and pd.isna(out["std_error"].item())


def test_truncated_workbook(tmp_path, mirror):
    data = (mirror / RAW).read_bytes()
    path = tmp_path / "wgidataset.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match="not a readable .xlsx workbook.*truncated"):
        read_wgi(path)


def test_text_file_instead_of_workbook(tmp_path):
    path = tmp_path / "wgidataset.xlsx"
    path.write_text("code,year,indicator\nAFG,1996,cc\n", encoding="utf-16")
    with pytest.raises(DataFormatError, match="wgidataset.xlsx: is not a readable .xlsx workbook"):
        read_wgi(path)


def test_missing_column(tmp_path, head_rows):
    rows = [[c for i, c in enumerate(r) if i != 8] for r in head_rows]  # drop pctrank
    with pytest.raises(DataFormatError, match="lacks column.*pctrank") as exc:
        read_wgi(_workbook(tmp_path, rows))
    assert exc.value.field == "pctrank"


def test_no_wgi_sheet(tmp_path):
    with pytest.raises(DataFormatError, match="no sheet has the WGI long-layout header.*Other"):
        read_wgi(_workbook(tmp_path, [["a", "b"], [1, 2]], title="Other"))


def test_negative_standard_error(tmp_path, head_rows):
    rows = [list(r) for r in head_rows]
    rows[5][6] = -0.3
    with pytest.raises(DataFormatError, match="negative std error") as exc:
        read_wgi(_workbook(tmp_path, rows))
    assert (exc.value.row, exc.value.field) == (6, "stddev")


def test_unknown_indicator_and_bad_code(tmp_path, head_rows):
    rows = [list(r) for r in head_rows]
    rows[3][4] = "xx"
    with pytest.raises(DataFormatError, match="indicator 'xx' is not one of") as exc:
        read_wgi(_workbook(tmp_path, rows))
    assert exc.value.row == 4
    rows = [list(r) for r in head_rows]
    rows[7][1] = "A1"
    with pytest.raises(DataFormatError, match="'A1' is not a 3-letter code") as exc:
        read_wgi(_workbook(tmp_path, rows))
    assert (exc.value.row, exc.value.field) == (8, "code")


def test_non_numeric_value(tmp_path, head_rows):
    rows = [list(r) for r in head_rows]
    rows[2][5] = "high"
    with pytest.raises(DataFormatError, match="'high' is not a number") as exc:
        read_wgi(_workbook(tmp_path, rows))
    assert (exc.value.row, exc.value.field) == (3, "estimate")


# --- wide layout (one sheet per indicator, editions up to 2023) ------------

WIDE_NAMES = {
    "va": "VoiceandAccountability",
    "pv": "Political StabilityNoViolence",
    "ge": "GovernmentEffectiveness",
    "rq": "RegulatoryQuality",
    "rl": "RuleofLaw",
    "cc": "ControlofCorruption",
}
MEASURES = [
    ("Estimate", "estimate"),
    ("StdErr", "std_error"),
    ("NumSrc", "n_sources"),
    ("Rank", "percentile_rank"),
    ("Lower", "percentile_rank_lower"),
    ("Upper", "percentile_rank_upper"),
]


def _wide_workbook(tmp_path, gov, codes, years, *, skip=()):
    """Lay real WGI values out as the pre-2024 workbook: 13 title rows, a year row, a header row."""
    wb = openpyxl.Workbook()
    wb.active.title = "Introduction"
    for ind, title in WIDE_NAMES.items():
        if ind in skip:
            continue
        ws = wb.create_sheet(title)
        for _ in range(13):
            ws.append(["Worldwide Governance Indicators"])
        ws.append([None, None] + [y if j == 0 else None for y in years for j in range(6)])
        ws.append(["Country/Territory", "Code"] + [m for _ in years for m, _c in MEASURES])
        for code in codes:
            row = [code.title(), code]
            for y in years:
                sel = gov[(gov.wgi_code == code) & (gov.year == y) & (gov.indicator == ind)]
                for _m, col in MEASURES:
                    v = sel[col].item() if len(sel) else None
                    row.append("#N/A" if v is None or pd.isna(v) else float(v))
            ws.append(row)
    path = tmp_path / "wgidataset.xlsx"
    wb.save(path)
    return path


def test_wide_layout_reads_every_indicator_sheet(tmp_path, gov):
    codes, years = ["PER", "CHL", "ROM", "IND", "ABW"], [1996, 2022, 2023]
    out = read_wgi(_wide_workbook(tmp_path, gov, codes, years))
    expected = gov[gov.wgi_code.isin(codes) & gov.year.isin(years)]
    assert len(out) == len(expected) > 0
    assert set(out["indicator"]) == set(WIDE_NAMES)
    assert "ROU" in set(out["iso3"])
    m = out.merge(expected, on=["iso3", "year", "indicator"], suffixes=("", "_long"))
    assert len(m) == len(out)
    for col in ["estimate", "std_error", "percentile_rank", "percentile_rank_upper"]:
        assert ((m[col] - m[f"{col}_long"]).abs().fillna(0) < 1e-12).all()
        assert (m[col].isna() == m[f"{col}_long"].isna()).all()


def test_wide_layout_missing_indicator_sheet(tmp_path, gov):
    with pytest.raises(DataFormatError, match="indicator sheet.*missing for rl") as exc:
        read_wgi(_wide_workbook(tmp_path, gov, ["PER"], [2023], skip=("rl",)))
    assert exc.value.field == "ruleoflaw"
