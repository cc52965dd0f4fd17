"""Export-control events connector: the real table, and broken copies."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.errors import DataFormatError
from critmin.sources.export_controls import EXPORT_CONTROL_SCHEMA, read_export_controls

REL = "policy/china_export_controls_2023_2026.csv"


@pytest.fixture(scope="module")
def events(shared_data):
    return read_export_controls(shared_data / REL)


@pytest.fixture(scope="module")
def lines(shared_data):
    return (shared_data / REL).read_text(encoding="utf-8").splitlines()


def _write(tmp_path, lines):
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_real_file(events):
    EXPORT_CONTROL_SCHEMA.validate(events)
    assert len(events) == 12
    assert (events["hs_mapping"] == "indicative").all()
    ga = events.set_index("event_id").loc["CN-2023-23"]
    assert ga["announced_date"] == pd.Timestamp("2023-07-03") and ga["effective_date"] == pd.Timestamp("2023-08-01")
    assert ga["hs_codes_indicative"] == "811292;811299;282560"
    assert not ga["verified"]
    assert events["verified"].sum() == 10  # two rows flagged as not verified against a file
    assert (events["effective_date"] >= events["announced_date"]).all()
    assert events.set_index("event_id").loc["CN-2025-56", "hs_codes_indicative"] is None


def test_missing_column(tmp_path, lines):
    head = lines[0].replace("effective_date", "in_force")
    with pytest.raises(DataFormatError, match="effective_date") as exc:
        read_export_controls(_write(tmp_path, [head] + lines[1:]))
    assert exc.value.field == "effective_date"


def test_bad_date(tmp_path, lines):
    bad = lines[2].replace("2023-10-20", "20/10/2023", 1)
    with pytest.raises(DataFormatError, match="YYYY-MM-DD") as exc:
        read_export_controls(_write(tmp_path, lines[:2] + [bad]))
    assert exc.value.row == 2 and exc.value.field == "announced_date"


def test_bad_hs_code(tmp_path, lines):
    bad = lines[2].replace("250410", "25041", 1)
    with pytest.raises(DataFormatError, match="six digits") as exc:
        read_export_controls(_write(tmp_path, lines[:2] + [bad]))
    assert exc.value.field == "hs_codes_indicative"


def test_truncated_and_duplicate(tmp_path, lines):
    with pytest.raises(DataFormatError, match="fields"):
        read_export_controls(_write(tmp_path, lines[:3] + [lines[3][:40]]))
    with pytest.raises(DataFormatError, match="twice"):
        read_export_controls(_write(tmp_path, lines[:3] + [lines[1]]))


def test_empty(tmp_path, lines):
    with pytest.raises(DataFormatError, match="no events"):
        read_export_controls(_write(tmp_path, lines[:1]))
    path = tmp_path / "e.csv"
    path.write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        read_export_controls(path)
