"""China's export-control acts on critical minerals, 2023-2026 (MOFCOM / GACC announcements).

Format (a table compiled from the official announcements, one row per act):
``event_id, authority, announcement, announced_date, effective_date, materials,
hs_codes_indicative, measure_type, scope_note, source_url, provenance_file, verified_from``.
Dates are ISO ``YYYY-MM-DD``; ``materials`` and ``hs_codes_indicative`` are ``;``-separated
lists; ``verified_from`` names the file the row was checked against, or starts with
``not verified``. The HS codes are **not part of the acts**: they are a rough mapping made
by the compiler (an act names materials, items and technical parameters, not HS lines).

Canonical table ``export_control_events``: every input column, with ``announced_date`` and
``effective_date`` as dates, ``hs_codes_indicative`` kept as text (each code checked to be six
digits), ``hs_mapping`` = ``indicative`` on every row, and ``verified`` (bool) from ``verified_from``.
For ``measure_type == "suspension"`` the effective date is the end of the suspension.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import csv_rows, read_text

COLUMNS = [
    "event_id",
    "authority",
    "announcement",
    "announced_date",
    "effective_date",
    "materials",
    "hs_codes_indicative",
    "measure_type",
    "scope_note",
    "source_url",
    "provenance_file",
    "verified_from",
]
REQUIRED_TEXT = ("event_id", "authority", "announcement", "materials", "measure_type")
DATES = ("announced_date", "effective_date")
OUTPUT = [*COLUMNS[:7], "hs_mapping", *COLUMNS[7:], "verified"]


def _date(path: Path, raw: str, n: int, field: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DataFormatError(path, f"{raw!r} is not a date YYYY-MM-DD", row=n, field=field) from None


def read_export_controls(path: Path) -> pd.DataFrame:
    """Parse the export-control events table into ``export_control_events``.

    Parameters
    ----------
    path : Path
        ``china_export_controls_2023_2026.csv``.

    Returns
    -------
    DataFrame
        One row per act, dates as ``datetime64``, ``hs_mapping == "indicative"``, ``verified`` bool.

    Raises
    ------
    DataFormatError
        Missing columns; an empty id, authority, announcement, materials or measure type; a
        date that is not ``YYYY-MM-DD`` or is missing; an HS code that is not six digits; a
        URL that is not http(s); an event id listed twice (``row`` is the 1-based data row).
    """
    path = Path(path)
    header, rows = csv_rows(path, read_text(path, encoding="utf-8-sig"), required=COLUMNS)
    ix = {c: header.index(c) for c in COLUMNS}
    records: list[dict] = []
    seen: dict[str, int] = {}
    for n, f in rows:
        rec: dict = {c: " ".join(f[ix[c]].split()) for c in COLUMNS}
        for c in REQUIRED_TEXT:
            if not rec[c]:
                raise DataFormatError(path, f"empty {c}", row=n, field=c)
        for c in DATES:
            rec[c] = _date(path, rec[c], n, c)
        codes = [c.strip() for c in rec["hs_codes_indicative"].split(";") if c.strip()]
        bad = [c for c in codes if not re.fullmatch(r"\d{6}", c)]
        if bad:
            raise DataFormatError(path, f"HS code {bad[0]!r} is not six digits", row=n, field="hs_codes_indicative")
        rec["hs_codes_indicative"] = ";".join(codes) or None
        if rec["source_url"] and not re.match(r"https?://", rec["source_url"]):
            raise DataFormatError(path, f"source URL {rec['source_url']!r} is not http(s)", row=n, field="source_url")
        for c in ("scope_note", "source_url", "provenance_file", "verified_from"):
            rec[c] = rec[c] or None
        if rec["event_id"] in seen:
            raise DataFormatError(
                path,
                f"event {rec['event_id']} appears twice (first at row {seen[rec['event_id']]})",
                row=n,
                field="event_id",
            )
        seen[rec["event_id"]] = n
        rec["hs_mapping"] = "indicative"
        rec["verified"] = bool(rec["verified_from"]) and not rec["verified_from"].lower().startswith("not verified")
        records.append(rec)
    if not records:
        raise DataFormatError(path, "has a header but no events")
    df = pd.DataFrame.from_records(records, columns=OUTPUT)
    for c in DATES:
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return {"export_control_events": read_export_controls(single_path(files, "events"))}


_DATE_RANGE = pa.Check.in_range(pd.Timestamp("2000-01-01"), pd.Timestamp("2100-12-31"))
EXPORT_CONTROL_SCHEMA = pa.DataFrameSchema(
    {
        "event_id": pa.Column(str, unique=True),
        "authority": pa.Column(str),
        "announcement": pa.Column(str),
        "announced_date": pa.Column("datetime64[ns]", checks=_DATE_RANGE),
        "effective_date": pa.Column("datetime64[ns]", checks=_DATE_RANGE),
        "materials": pa.Column(str),
        "hs_codes_indicative": pa.Column(str, pa.Check.str_matches(r"^\d{6}(;\d{6})*$"), nullable=True),
        "hs_mapping": pa.Column(str, pa.Check.equal_to("indicative")),
        "measure_type": pa.Column(str),
        "scope_note": pa.Column(str, nullable=True),
        "source_url": pa.Column(str, nullable=True),
        "provenance_file": pa.Column(str, nullable=True),
        "verified_from": pa.Column(str, nullable=True),
        "verified": pa.Column(bool),
    },
    strict=True,
)

SOURCE = Source(
    name="export_controls",
    title="China's export-control acts on critical minerals, 2023-2026 (MOFCOM/GACC announcements)",
    publisher="Ministry of Commerce of the People's Republic of China (MOFCOM), General Administration of Customs",
    licence="facts of official acts; table compiled from the announcements (HS mapping indicative)",
    release="12 events, 2023-07 to 2026-04",
    files=(
        RemoteFile(
            "events",
            "policy/china_export_controls_2023_2026.csv",
            "http://exportcontrol.mofcom.gov.cn/article/zcfg/gnzcfg/zcfggzqd/",
        ),
    ),
    load=_load,
    tables=("export_control_events",),
    schemas={"export_control_events": EXPORT_CONTROL_SCHEMA},
    url_page="http://exportcontrol.mofcom.gov.cn/",
    downloadable=False,
)
