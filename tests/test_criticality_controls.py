"""China's export-control acts as dated events for t_c: the acts in force in the assessed year, and scenarios."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.errors import DataFormatError, UnknownCodeError
from critmin.services.criticality import build_spec, criticality_scores, scenario_acts
from critmin.services.criticality_controls import acts_in_force, in_force_days, read_scope
from critmin.services.criticality_params import trade_factors


@pytest.fixture(scope="module")
def events(warehouse):
    return warehouse.read("export_control_events")


def _acts(events, year, **kw):
    a = acts_in_force(events, year, trade_factors(), **kw)
    return set(zip(a["event_id"], a["mineral"]))


def test_acts_follow_their_in_force_dates(events):
    assert _acts(events, 2022) == set()
    y23 = _acts(events, 2023)  # Ga/Ge from 1 Aug 2023, graphite from 1 Dec 2023
    assert {("CN-2023-23", "gallium"), ("CN-2023-23", "germanium"), ("CN-2023-39", "graphite")} == y23
    y24 = _acts(events, 2024)
    assert y23 < y24 and ("CN-2024-33", "antimony") in y24 and ("CN-2024-46", "gallium") in y24
    assert not any(e.startswith("CN-2025") for e, _ in y24)
    y25 = _acts(events, 2025)
    assert {
        ("CN-2025-18", "rare_earths"),
        ("CN-2025-18", "magnets"),
        ("CN-2025-57", "rare_earths"),
        ("CN-2025-10", "tungsten"),
    } <= y25


def test_a_suspension_removes_only_its_days(events):
    start = pd.Timestamp("2025-11-08")
    window = [(pd.Timestamp("2026-04-17"), pd.Timestamp("2026-11-10"))]
    # 2026: 1 Jan-16 Apr (106 days) and 10 Nov-31 Dec (52 days) remain
    assert in_force_days(start, window, 2026) == 106 + 52
    assert in_force_days(start, [(pd.Timestamp("2026-01-01"), pd.Timestamp("2027-01-01"))], 2026) == 0
    assert in_force_days(start, [], 2024) == 0 and in_force_days(start, [], 2025) == 54
    # CN-2025-57 is suspended for part of 2026 only, so it still counts in 2026
    assert ("CN-2025-57", "rare_earths") in _acts(events, 2026)
    # No. 58 (graphite anode) is not a rare-earth measure: the suspension does not name it
    scope = read_scope()
    susp = scope.loc[scope["event_id"] == "CN-2026-SUSP", "suspends"].iloc[0].split(";")
    assert "CN-2025-57" in susp and "CN-2025-58" not in susp


def test_scope_and_scenario_acts_are_checked(events, tmp_path):
    scope = read_scope()
    bad = scope.copy()
    bad.loc[0, "event_id"] = "CN-1999-1"
    with pytest.raises(DataFormatError, match="CN-1999-1"):
        acts_in_force(events, 2024, trade_factors(), scope=bad)
    bad = scope.copy()
    bad.loc[0, "measure"] = "embargo"
    with pytest.raises(DataFormatError, match="measure"):
        acts_in_force(events, 2024, trade_factors(), scope=bad)
    with pytest.raises(UnknownCodeError, match="CN-2030-1"):
        acts_in_force(events, 2024, trade_factors(), add=("CN-2030-1",))
    p = tmp_path / "s.yaml"
    p.write_text("levers:\n  - type: export_control\n    action: add\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="act"):
        scenario_acts(p)
    p.write_text("levers:\n  - type: export_control\n    act: CN-2025-18\n    action: repeal\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="action"):
        scenario_acts(p)


def _t(spec, table: str, material: str, stage: str, country: str) -> float:
    items = spec.items.reset_index(drop=True)
    i = int(items.index[(items["material"] == material) & (items["stage"] == stage)][0])
    frame = getattr(spec, table)
    return float(frame.loc[(frame["item"] == i) & (frame["country"] == country), "t"].iloc[0])


def test_t_of_china_2022_vs_2024(built_settings):
    """Graphite (No. 39, Dec 2023), gallium and germanium (No. 23, Aug 2023): t_CHN = 1.0 in 2022, 1.1 in 2024."""
    s22, p22 = build_spec(built_settings, "IND", 2022)
    s24, p24 = build_spec(built_settings, "IND", 2024)
    for material, stage, act in [
        ("graphite", "extraction", "2023 No.39"),
        ("gallium", "processing", "2023 No.23"),
        ("germanium", "processing", "2023 No.23"),
    ]:
        assert _t(s22, "global_supply", material, stage, "CHN") == pytest.approx(1.0)
        assert _t(s24, "global_supply", material, stage, "CHN") == pytest.approx(1.1)
        assert _t(s24, "sourcing", material, stage, "CHN") == pytest.approx(1.1)
        assert not [n for n in p22[(material, stage)]["trade_restrictions"] if n["country"] == "CHN"]
        notes = [
            n for n in p24[(material, stage)]["trade_restrictions"] if n["country"] == "CHN" and n["targets"] == "all"
        ]
        assert [n["act"] for n in notes] == [act]
        assert notes[0]["in_force_date"] in ("2023-08-01", "2023-12-01")
        assert notes[0]["event_id"].startswith("CN-2023")
    graphite = [n for n in p24[("graphite", "extraction")]["trade_restrictions"] if n["country"] == "CHN"][0]
    assert graphite["url"].startswith("http://exportcontrol.mofcom.gov.cn/") and graphite["url"] in graphite["source"]
    # the acts aimed at the United States (No. 46) do not enter India's sourcing
    assert _t(s24, "sourcing", "antimony", "processing", "CHN") == pytest.approx(1.1)  # No. 33 applies to all


def test_scenario_adds_and_lifts_acts(built_settings, tmp_path):
    p = tmp_path / "acts.yaml"
    p.write_text(
        "name: acts\nlevers:\n  - type: export_control\n    act: CN-2023-39\n    action: lift\n"
        "  - type: export_control\n    act: CN-2025-18\n",
        encoding="utf-8",
    )
    assert scenario_acts(p) == (("CN-2025-18",), ("CN-2023-39",))
    res = criticality_scores(built_settings, "IND", 2024, draws=0, scenario=p)
    f = pd.DataFrame(res["records"]).set_index(["material", "stage"])
    gr = f.loc[("graphite", "extraction")]
    assert gr["delta_supply_risk"] < 0  # China's graphite licensing lifted: t 1.1 -> 1.0
    assert not [n for n in gr["inputs"]["trade_restrictions"] if n.get("event_id") == "CN-2023-39"]
    re_ = f.loc[("rare_earths", "extraction")]
    assert re_["delta_supply_risk"] > 0  # the April 2025 rare-earth act applied in 2024
    assert any(
        n.get("event_id") == "CN-2025-18" and "added by the scenario" in n["source"]
        for n in re_["inputs"]["trade_restrictions"]
    )
    untouched = f.drop(index=[i for i in f.index if i[0] in ("graphite", "rare_earths", "magnets")])
    assert (untouched["delta_supply_risk"].abs() < 1e-12).all()
