"""The --inputs path of the criticality service: end-use EI, duplicates and EI overrides."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.services.criticality import criticality_scores
from critmin.services.criticality_params import ei_from_end_uses, read_overrides

HEADER = "mineral,stage,parameter,value,low,high,key,source\n"


def _inputs(tmp_path, body: str) -> pd.DataFrame:
    p = tmp_path / "inputs.csv"
    p.write_text(HEADER + body, encoding="utf-8")
    return read_overrides(p)


def test_duplicate_end_use_rows_are_summed(tmp_path):
    ov = _inputs(
        tmp_path,
        "x,,end_use_share,0.2,,,C27,a\n"
        "x,,end_use_share,0.3,,,C27,b\n"
        "x,,end_use_share,0.5,,,C29,a\n"
        "*,,sector_value_added,50,,,C27,va\n"
        "*,,sector_value_added,100,,,C29,va\n",
    )
    base, src = ei_from_end_uses(ov, "x")
    assert base == pytest.approx(10 * (0.5 * 0.5 + 0.5 * 1.0))
    assert "a" in src and "b" in src and "va" in src


def test_duplicate_sector_value_added_names_rows(tmp_path):
    ov = _inputs(
        tmp_path,
        "x,,end_use_share,1,,,C27,a\n"
        "*,,sector_value_added,50,,,C27,va\n"
        "*,,sector_value_added,70,,,C29,va\n"
        "*,,sector_value_added,60,,,C27,va2\n",
    )
    with pytest.raises(DataFormatError) as exc:
        ei_from_end_uses(ov, "x")
    assert "C27" in str(exc.value) and "rows 2, 4" in str(exc.value)
    assert exc.value.row == 2


def test_max_q_from_full_sector_table(tmp_path):
    shares = "x,,end_use_share,1,,,C27,a\ny,,end_use_share,1,,,C29,a\n"
    va = "*,,sector_value_added,50,,,C27,va\n*,,sector_value_added,200,,,C20,va\n"
    alone = ei_from_end_uses(_inputs(tmp_path, shares + va), "x")[0]
    with_other = ei_from_end_uses(_inputs(tmp_path, shares + va + "*,,sector_value_added,100,,,C29,va\n"), "x")[0]
    # C20 (not an end use of x) sets max Q; adding a smaller sector changes nothing
    assert alone == pytest.approx(10 * 50 / 200) == pytest.approx(with_other)


def test_end_use_sector_without_value_added(tmp_path):
    ov = _inputs(tmp_path, "x,,end_use_share,1,,,C28,a\n*,,sector_value_added,50,,,C27,va\n")
    with pytest.raises(DataFormatError, match="C28"):
        ei_from_end_uses(ov, "x")


def test_ei_override_without_si_ei(built_settings, tmp_path, monkeypatch):
    import critmin.domain.criticality.inputs as inputs

    published = inputs.material_params

    def without_si_ei(mats, mineral, stage):  # copper as a material with no published SI_EI / EI
        r = dict(published(mats, mineral, stage))
        if mineral == "copper":
            r.update(
                si_ei=float("nan"), si_ei_low=float("nan"), si_ei_high=float("nan"), economic_importance=float("nan")
            )
        return r

    monkeypatch.setattr(inputs, "material_params", without_si_ei)
    base = pd.DataFrame(criticality_scores(built_settings, "IND", 2024, draws=0)["records"])
    assert base[base["material"] == "copper"]["economic_importance"].isna().all()
    p = tmp_path / "ei.csv"
    p.write_text(HEADER + "copper,,economic_importance,4.2,,,,test EI\n", encoding="utf-8")
    res = pd.DataFrame(criticality_scores(built_settings, "IND", 2024, draws=0, inputs=p)["records"])
    got = res[res["material"] == "copper"]["economic_importance"]
    assert len(got) and got.to_numpy() == pytest.approx(4.2)


def test_nace_to_oecd_concordance():
    from critmin.services.criticality_params import oecd_industry_of_nace as f

    assert [f(c) for c in ("C24", "C11", "C32", "C17", "H51", "J62", "B07", "D35", "C26")] == [
        "C24",
        "C10T12",
        "C31T33",
        "C17_18",
        "H51",
        "J62_63",
        "B07_08",
        "D",
        "C26",
    ]
    assert f("X1") is None


def test_end_use_ei_from_india_value_added(built_settings, warehouse, tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text(
        HEADER + "lithium,,end_use_share,0.5,,,C27,test\nlithium,,end_use_share,0.3,,,C29,test\n"
        "lithium,,end_use_share,0.2,,,C32,test\n",
        encoding="utf-8",
    )
    res = pd.DataFrame(criticality_scores(built_settings, "IND", 2024, draws=0, inputs=p)["records"])
    acc = warehouse.read("industry_accounts")
    ind = acc[(acc["country"] == "IND") & (acc["year"] == acc["year"].max())].set_index("industry")
    q = ind["value_added_usd"].clip(lower=0)
    # the EI scale is the largest manufacturing industry (the EU studies scale by the largest manufacturing
    # NACE sector), not India's largest industry overall (agriculture, ~5x larger)
    q_max = q[[c.startswith("C") for c in q.index]].max()
    assert q.max() > 5 * q_max
    expect = 10 * (0.5 * q["C27"] + 0.3 * q["C29"] + 0.2 * q["C31T33"]) / q_max
    si_ei = 0.91  # lithium, EU 2023
    got = res[res["material"] == "lithium"]["economic_importance"].to_numpy()
    assert len(got) and got == pytest.approx(expect * si_ei)
