"""The EU 2023 end-use shares connector: the publisher layout's quirks and bad input."""

from __future__ import annotations

import pytest

from critmin.errors import DataFormatError
from critmin.sources.eu_crm_end_uses import read_end_uses

HEAD = "Material,Application,Share,NACE sector,VA in million €\n"
C25 = '"C25 - Manufacture of fabricated metal products, except machinery and equipment",163568'
C29 = '"C29 - Manufacture of motor\nvehicles, trailers and semi-trailers",194448'


def _write(tmp_path, body: str):
    p = tmp_path / "fact_MaterialUseShares.csv"
    p.write_text(HEAD + body, encoding="utf-8")
    return p


def test_layout_quirks(tmp_path):
    """Percent shares, '>0%', a sector name broken over two lines, uses without a sector, an exact repeat."""
    out = read_end_uses(
        _write(
            tmp_path,
            f"Magnesium,Construction,13%,{C25}\nMagnesium,Construction,13%,{C25}\n"
            f"Magnesium,Automotive,48%,{C29}\nCopper,Plant,>0%,{C25}\n"
            "Cobalt,Other,6%,,\n",
        )
    )
    uses = out["eu_end_uses"]
    assert list(uses["eu_material"]) == ["Magnesium", "Magnesium", "Copper", "Cobalt"]  # the repeat is dropped
    assert list(uses["share"]) == [0.13, 0.48, 0.0, 0.06]
    assert list(uses["nace"]) == ["C25", "C29", "C25", ""]
    assert uses["va_consistent"].all()
    assert dict(zip(out["eu_sector_value_added"]["nace"], out["eu_sector_value_added"]["value_added_meur"])) == {
        "C25": 163568.0,
        "C29": 194448.0,
    }


def test_a_row_with_another_sectors_value_added_is_flagged(tmp_path):
    out = read_end_uses(
        _write(
            tmp_path,
            f"Aluminium,Construction,21%,{C25}\nTin,Tinplate,13%,{C25}\n"
            'Manganese,Transport,10%,"C25 - Manufacture of fabricated metal products",55777\n',
        )
    )
    uses = out["eu_end_uses"].set_index("eu_material")
    assert not uses.loc["Manganese", "va_consistent"] and uses.loc["Tin", "va_consistent"]


@pytest.mark.parametrize(
    "body, needle",
    [
        (f"Aluminium,Construction,21 percent,{C25}\n", "not a percentage"),
        (f"Aluminium,Construction,121%,{C25}\n", "not a percentage"),
        ("Aluminium,Construction,21%,Manufacture of metal products,163568\n", "NACE code"),
        ('Aluminium,Construction,21%,"C25 - Manufacture",-5\n', "not a positive number"),
        (f"Aluminium,A,60%,{C25}\nAluminium,B,60%,{C29}\n", "add up to 120%"),
        (f",Construction,21%,{C25}\n", "empty material"),
        ("", "no data rows"),
    ],
)
def test_bad_input_names_the_problem(tmp_path, body, needle):
    with pytest.raises(DataFormatError, match=needle):
        read_end_uses(_write(tmp_path, body))


def test_missing_column(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("Material,Application,Share\nAluminium,Construction,21%\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="NACE sector"):
        read_end_uses(p)


def test_the_real_file_when_the_mirror_has_it(mirror):
    path = mirror.parent / "reference" / "eu_crm_2023" / "fact_MaterialUseShares.csv"
    if not path.is_file():
        pytest.skip(f"the mirror has no {path.name} (download it with `critmin data build eu_crm_end_uses`)")
    out = read_end_uses(path)
    uses = out["eu_end_uses"]
    assert set(uses.loc[~uses["va_consistent"], "eu_material"]) == {"Manganese"}
    assert out["eu_sector_value_added"].set_index("nace")["value_added_meur"].idxmax() == "C28"
