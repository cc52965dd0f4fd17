"""Concentration and dependence maths: textbook cases, and the Ibis expressions against them."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from critmin.domain.indicators import (
    calc_governance_weighted_hhi,
    calc_hhi,
    calc_net_import_reliance,
    calc_partner_share,
    calc_shares,
    calc_top_n_share,
    calc_trade_balance,
    calc_wgi_risk,
)
from critmin.domain.indicators import expressions as ex


@pytest.mark.parametrize("n", [1, 2, 4, 10, 37])
def test_hhi_of_n_equal_shares_is_one_over_n(n):
    assert calc_hhi(calc_shares(np.ones(n))) == pytest.approx(1 / n)


def test_hhi_monopoly_and_hand_computed_cases():
    assert calc_hhi([1.0]) == 1.0
    assert calc_hhi([1.0, 0.0, 0.0]) == 1.0
    # 0.5^2 + 0.3^2 + 0.2^2 = 0.25 + 0.09 + 0.04
    assert calc_hhi([0.5, 0.3, 0.2]) == pytest.approx(0.38)
    # values 60, 30, 10 -> shares .6, .3, .1 -> .36 + .09 + .01
    assert calc_hhi(calc_shares([60, 30, 10])) == pytest.approx(0.46)
    with pytest.raises(ValueError, match="sum to"):
        calc_hhi([50, 50])


def test_shares_keep_labels_and_reject_bad_values():
    s = calc_shares(pd.Series({"JPN": 75.0, "CHN": 25.0}))
    assert s.to_dict() == {"JPN": 0.75, "CHN": 0.25}
    assert calc_partner_share(s, "CHN") == 0.25
    assert calc_partner_share(s, "PER") == 0.0
    with pytest.raises(ValueError, match=">= 0"):
        calc_shares([1.0, -1.0])
    with pytest.raises(ValueError, match="zero"):
        calc_shares([0.0, 0.0])


def test_top_n_share():
    s = calc_shares([10, 40, 20, 30])
    assert calc_top_n_share(s, 3) == pytest.approx(0.9)
    assert calc_top_n_share(s, 1) == pytest.approx(0.4)
    assert calc_top_n_share(s, 10) == pytest.approx(1.0)


def test_wgi_rescaling_follows_the_eu_method():
    # (WGI - 2.5) / (-0.5): best governance 2.5 -> 0, worst -2.5 -> 10, average 0 -> 5
    assert calc_wgi_risk([2.5, -2.5, 0.0, 1.0]).tolist() == pytest.approx([0.0, 10.0, 5.0, 3.0])


def test_governance_weighted_hhi_by_hand():
    shares = pd.Series({"A": 0.5, "B": 0.3, "C": 0.2})
    g = pd.Series({"A": 2.0, "B": 6.0, "C": 10.0})
    # .25*2 + .09*6 + .04*10 = .5 + .54 + .4
    assert calc_governance_weighted_hhi(shares, g) == pytest.approx(1.44)
    # a supplier without a score is left out
    assert calc_governance_weighted_hhi(shares, g.drop("C")) == pytest.approx(1.04)
    # a monopolist with the worst governance gives the maximum, 10
    assert calc_governance_weighted_hhi(pd.Series({"X": 1.0}), pd.Series({"X": 10.0})) == 10.0


def test_net_import_reliance_and_balance():
    assert calc_net_import_reliance(imports=80, exports=0, production=20) == pytest.approx(0.8)
    assert calc_net_import_reliance(imports=100, exports=0, production=0) == 1.0
    assert calc_net_import_reliance(imports=10, exports=30, production=100) == pytest.approx(-20 / 80)
    assert np.isnan(calc_net_import_reliance(imports=0, exports=10, production=10))
    assert calc_trade_balance(exports=5.0, imports=8.0) == -3.0
    with pytest.raises(ValueError):
        calc_net_import_reliance(imports=-1, exports=0, production=1)


def _synthetic_flows(seed: int = 7, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    countries = ["CHN", "JPN", "PER", "CHL", "IND", "DEU", "USA", "COD"]
    return pd.DataFrame(
        {
            "year": np.int16(2024),
            "exporter": rng.choice(countries, n),
            "importer": rng.choice(["IND", "DEU", "USA"], n),
            "hs6": rng.choice(["740311", "283691", "850511"], n),
            "value_usd": rng.lognormal(10, 2, n),
            "qty_t": rng.lognormal(3, 1, n),
        }
    )


def test_ibis_concentration_matches_the_pure_functions():
    df = _synthetic_flows()
    t = ibis.memtable(df)
    sh = ex.supplier_shares(t, by=["importer", "hs6"])
    got = ex.concentration(sh, by=["importer", "hs6"]).to_pandas().set_index(["importer", "hs6"])
    for (imp, hs6), grp in df.groupby(["importer", "hs6"]):
        v = grp.groupby("exporter")["value_usd"].sum()
        s = calc_shares(v)
        row = got.loc[(imp, hs6)]
        assert row["hhi"] == pytest.approx(calc_hhi(s), rel=1e-12)
        assert row["top3_share"] == pytest.approx(calc_top_n_share(s, 3), rel=1e-12)
        assert row["chn_share"] == pytest.approx(calc_partner_share(s, "CHN"), abs=1e-15)
        assert row["n_suppliers"] == len(v)
    ranks = sh.to_pandas().sort_values(["importer", "hs6", "rank"])
    assert (ranks.groupby(["importer", "hs6"])["rank"].first() == 1).all()


def test_ibis_governance_weighted_hhi_matches_the_pure_function():
    df = _synthetic_flows(seed=3)
    gov = pd.DataFrame(
        [
            (c, 2023, ind, est)
            for c, est in [("CHN", -0.5), ("JPN", 1.4), ("PER", -0.3), ("CHL", 0.9), ("DEU", 1.5), ("USA", 1.2)]
            for ind in ("va", "pv", "ge", "rq", "rl", "cc")
        ],
        columns=["iso3", "year", "indicator", "estimate"],
    )
    t, g = ibis.memtable(df), ibis.memtable(gov)
    sh = ex.supplier_shares(t.filter(t.importer == "IND"), by=["importer"])
    got = ex.governance_weighted_hhi(sh, ex.governance_risk(g, 2023), by=["importer"]).to_pandas().iloc[0]
    v = df[df.importer == "IND"].groupby("exporter")["value_usd"].sum()
    s = calc_shares(v)
    risk = calc_wgi_risk(gov.groupby("iso3")["estimate"].mean())
    assert got["wgi_weighted_hhi"] == pytest.approx(calc_governance_weighted_hhi(s, risk), rel=1e-12)
    assert got["wgi_coverage"] == pytest.approx(s.drop(["IND", "COD"], errors="ignore").sum(), rel=1e-12)


def test_concentration_is_the_same_to_the_last_bit_whatever_the_row_order():
    """Float sums depend on the order of the terms; the indicators must not (parallel engines reorder rows)."""
    import ibis
    import numpy as np
    import pandas as pd

    from critmin.domain.indicators import expressions as ex

    vals = np.concatenate([[1e15], np.random.default_rng(0).random(50) * 7.3])
    seen = set()
    for seed in range(6):
        perm = np.random.default_rng(seed).permutation(len(vals))
        df = pd.DataFrame(
            {
                "year": 2024,
                "exporter": [f"E{i % 7}" for i in perm],
                "importer": "IND",
                "hs6": [f"{i % 5:06d}" for i in perm],
                "value_usd": vals[perm],
                "qty_t": vals[perm] / 3,
            }
        )
        v = ex.supplier_values(ibis.memtable(df))
        c = ex.concentration(v).to_pandas().iloc[0]
        risk = ibis.memtable(pd.DataFrame({"iso3": [f"E{i}" for i in range(7)], "g": np.linspace(1, 9, 7)}))
        w = ex.governance_weighted_hhi(ex.supplier_shares(ibis.memtable(df)), risk).to_pandas().iloc[0]
        seen.add((c["hhi"].hex(), c["value_usd"].hex(), c["top3_share"].hex(), w["wgi_weighted_hhi"].hex()))
    assert len(seen) == 1, seen
