"""HS nomenclature connector: the real files, and broken copies."""

from __future__ import annotations

import pytest

from critmin.errors import DataFormatError
from critmin.sources.hs_nomenclature import HS_CODES_SCHEMA, read_hs_codes, read_sections


@pytest.fixture(scope="module")
def sections(mirror):
    return read_sections(mirror / "hs/sections.csv")


@pytest.fixture(scope="module")
def codes(mirror, sections):
    return read_hs_codes(mirror / "hs/harmonized-system.csv", sections)


@pytest.fixture(scope="module")
def raw_lines(mirror):
    return (mirror / "hs/harmonized-system.csv").read_text(encoding="utf-8").splitlines()


def _write(tmp_path, lines):
    path = tmp_path / "harmonized-system.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_real_file(codes, sections):
    # 6,940 rows in the file: 6,939 codes plus the TOTAL root row
    assert len(codes) == 6939
    assert codes["level"].value_counts().to_dict() == {6: 5613, 4: 1229, 2: 97}
    assert len(sections) == 21 and sections["V"] == "Mineral products"
    HS_CODES_SCHEMA.validate(codes)
    row = codes.set_index("code").loc["282520"]
    assert row["description"] == "Lithium oxide and hydroxide" and row["parent"] == "2825"
    assert row["section"] == "VI"
    assert codes.set_index("code").loc["0101", "parent"] == "01"  # leading zeros kept
    ch99 = codes.set_index("code").loc["99"]
    assert ch99["section"] is None and ch99["parent"] is None


def test_parents_are_prefixes(codes):
    sub = codes[codes.level > 2]
    assert (sub["code"].str[:-2] == sub["parent"]).all()
    assert set(sub["parent"]) <= set(codes["code"])


def test_missing_column(tmp_path, raw_lines, sections):
    lines = [raw_lines[0].replace("description", "text")] + raw_lines[1:20]
    with pytest.raises(DataFormatError, match="description") as exc:
        read_hs_codes(_write(tmp_path, lines), sections)
    assert exc.value.field == "description"


def test_truncated(tmp_path, raw_lines, sections):
    lines = raw_lines[:30] + ['I,010130,"Asses; live']
    with pytest.raises(DataFormatError, match="truncated|malformed"):
        read_hs_codes(_write(tmp_path, lines), sections)


def test_code_that_lost_its_leading_zero(tmp_path, raw_lines, sections):
    lines = raw_lines[:5] + ["I,10121,Horses,0101,6"]
    with pytest.raises(DataFormatError, match="2, 4 or 6 digits") as exc:
        read_hs_codes(_write(tmp_path, lines), sections)
    assert exc.value.row == 5 and exc.value.field == "hscode"


def test_level_mismatch_and_bad_parent(tmp_path, raw_lines, sections):
    with pytest.raises(DataFormatError, match="level"):
        read_hs_codes(_write(tmp_path, raw_lines[:5] + ["I,010190,Horses,0101,4"]), sections)
    with pytest.raises(DataFormatError, match="prefix"):
        read_hs_codes(_write(tmp_path, raw_lines[:5] + ["I,010190,Horses,0102,6"]), sections)


def test_unknown_section(tmp_path, raw_lines, sections):
    with pytest.raises(DataFormatError, match="section 'XXX'"):
        read_hs_codes(_write(tmp_path, raw_lines[:5] + ["XXX,010190,Horses,0101,6"]), sections)


def test_duplicate_code(tmp_path, raw_lines, sections):
    with pytest.raises(DataFormatError, match="twice"):
        read_hs_codes(_write(tmp_path, raw_lines[:5] + [raw_lines[3]]), sections)


def test_empty_files(tmp_path, sections):
    path = tmp_path / "sections.csv"
    path.write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        read_sections(path)
    with pytest.raises(DataFormatError, match="no HS codes"):
        read_hs_codes(_write(tmp_path, ["section,hscode,description,parent,level"]), sections)
