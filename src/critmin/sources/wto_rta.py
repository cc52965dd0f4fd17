"""WTO Regional Trade Agreements database (RTA-IS export ``AllRTAs.xlsx``).

Format (WTO RTA database, "All RTAs" export): sheet ``AllRTAs``, one row per
agreement record with ``RTA ID``, ``RTA Name``, ``Coverage``, ``Type``,
``Notification``, ``Status``, dates of signature, notification and entry into
force for goods ``(G)`` and services ``(S)``, ``Inactive Date``, ``RTA
Composition``, ``Region``, ``Current signatories`` and ``Original
signatories`` (WTO member names, ``;``-separated, which may name a bloc such as
``European Union`` or ``Southern Common Market (MERCOSUR)``).

Canonical tables
----------------
``agreements``: ``rta_id, name, coverage, type, status, notification_date,
eif_goods, eif_services, inactive_date, parties_iso3`` plus the signature and
notification dates per side, ``composition``, ``region``, ``parties`` (WTO
names as published), ``blocs`` (bloc names that were expanded) and
``original_parties_iso3``. Dates are ``datetime64`` (day). Party names are
resolved with :func:`critmin.countries.resolve` (source ``wto``: ``Chinese
Taipei`` -> ``TWN``, ``Kosovo (under UNSC res. 1244)`` -> ``XKX``).
``agreement_members``: ``rta_id, iso3`` (one row per current party).

Bloc expansion: a bloc named among the parties is replaced by the *current
signatories of the bloc's own record in the same file* (European Union = RTA
869, EFTA = 152, AFTA = 1170, MERCOSUR = 130, GCC = 17, SACU = 7, CACM = 151,
EAEU = 909). Expanding ``Original signatories`` with current bloc membership is
an approximation for old agreements.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree
from typing import Mapping

import pandas as pd
import pandera.pandas as pa

from critmin.countries import resolve, source_aliases, unknown_hint
from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import open_workbook, sheet, workbook_reader

SHEET = "AllRTAs"

#: bloc name as the WTO writes it -> RTA ID of the bloc's own record.
BLOC_RECORDS: dict[str, int] = {
    "European Union": 869,
    "European Free Trade Association (EFTA)": 152,
    "ASEAN Free Trade Area (AFTA)": 1170,
    "Southern Common Market (MERCOSUR)": 130,
    "Gulf Cooperation Council (GCC)": 17,
    "Southern African Customs Union (SACU)": 7,
    "Central American Common Market (CACM)": 151,
    "Eurasian Economic Union (EAEU)": 909,
}

#: WTO member and territory names (as in the RTA database) -> ISO3, from critmin's alias table
#: (``critmin/country_aliases.csv``, source ``wto``). Party names are resolved with
#: :func:`critmin.countries.resolve` (source ``wto``), which also knows canonical names.
WTO_NAMES: dict[str, str] = source_aliases("wto")

#: publisher's column -> canonical column
COLUMNS: dict[str, str] = {
    "RTA ID": "rta_id",
    "RTA Name": "name",
    "Coverage": "coverage",
    "Type": "type",
    "Notification": "notification",
    "Status": "status",
    "Date of Signature (G)": "signature_goods",
    "Date of Signature (S)": "signature_services",
    "Date of Notification (G)": "notification_goods",
    "Date of Notification (S)": "notification_services",
    "Date of Entry into Force (G)": "eif_goods",
    "Date of Entry into Force (S)": "eif_services",
    "Inactive Date": "inactive_date",
    "RTA Composition": "composition",
    "Region": "region",
    "Current signatories": "parties",
    "Original signatories": "original_parties",
}
DATE_COLUMNS = [
    "signature_goods",
    "signature_services",
    "notification_goods",
    "notification_services",
    "eif_goods",
    "eif_services",
    "inactive_date",
]
TEXT_COLUMNS = [
    "name",
    "coverage",
    "type",
    "notification",
    "status",
    "composition",
    "region",
    "parties",
    "original_parties",
]
OUTPUT_COLUMNS = [
    "rta_id",
    "name",
    "coverage",
    "type",
    "notification",
    "status",
    "notification_date",
    "signature_goods",
    "signature_services",
    "notification_goods",
    "notification_services",
    "eif_goods",
    "eif_services",
    "inactive_date",
    "composition",
    "region",
    "parties",
    "blocs",
    "parties_iso3",
    "original_parties_iso3",
]
STATUSES = {
    "In Force",
    "Inactive",
    "In force for at least one Party",
    "Early announcement-Signed",
    "Early announcement-Under negotiation",
}


def _names(cell: str | None) -> list[str]:
    return [x.strip() for x in (cell or "").split(";") if x.strip()]


def _date(path: Path, value, n: int, field: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d-%b-%Y", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                pass
    raise DataFormatError(path, f"{value!r} is not a date", row=n, field=field)


def _expand(
    path: Path, names: list[str], blocs: Mapping[str, list[str]], n: int, field: str
) -> tuple[list[str], list[str]]:
    """Party names -> ISO3 codes (blocs replaced by their members, order kept, no duplicates)."""
    out: list[str] = []
    used: list[str] = []
    for name in names:
        if name in BLOC_RECORDS:
            if name not in blocs:
                raise DataFormatError(
                    path,
                    f"bloc {name!r} is a party but its own record (RTA ID "
                    f"{BLOC_RECORDS[name]}) is missing or has no current signatories",
                    row=n,
                    field=field,
                )
            codes = blocs[name]
            used.append(name)
        elif (code := resolve(name, source="wto")) is not None:
            codes = [code]
        else:
            raise DataFormatError(
                path,
                f"unknown WTO party name {name!r}; expected a bloc in "
                f"critmin.sources.wto_rta.BLOC_RECORDS or a country: "
                f"{unknown_hint(name, source='wto')}",
                row=n,
                field=field,
            )
        out.extend(c for c in codes if c not in out)
    return out, used


@workbook_reader
def read_rtas(path: Path) -> dict[str, pd.DataFrame]:
    """Parse the WTO ``AllRTAs.xlsx`` export into ``agreements`` and ``agreement_members``.

    ``notification_date`` is the goods notification date, or the services one
    when only services were notified.

    Raises
    ------
    DataFormatError
        Unreadable or truncated workbook, sheet or column missing, duplicate
        or non-integer RTA ID, a cell that should be a date and is not, an
        unknown status or party name (the row and column are given).
    """
    path = Path(path)
    wb = open_workbook(path)
    try:
        ws = sheet(wb, path, SHEET)
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise DataFormatError(path, f"sheet {SHEET!r} is empty", field=SHEET)
        header = [str(h).strip() if h is not None else "" for h in header]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise DataFormatError(path, f"sheet {SHEET!r} lacks column(s) {', '.join(missing)}", field=missing[0])
        idx = {c: header.index(c) for c in COLUMNS}
        raw: list[tuple[int, dict]] = []
        n = 0
        try:
            for n, values in enumerate(rows, start=1):
                if values is None or all(v is None for v in values):
                    continue
                rec = {COLUMNS[c]: (values[i] if i < len(values) else None) for c, i in idx.items()}
                raw.append((n, rec))
        except (zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError, KeyError, ValueError) as exc:
            raise DataFormatError(
                path,
                f"sheet {SHEET!r} cannot be read past this row ({exc.__class__.__name__}: "
                f"{exc}); truncated or damaged workbook",
                row=n + 1,
            ) from None
    finally:
        wb.close()
    if not raw:
        raise DataFormatError(path, f"sheet {SHEET!r} has a header but no agreement rows", field=SHEET)

    seen: set[int] = set()
    for n, rec in raw:
        rid = rec["rta_id"]
        if isinstance(rid, float) and rid.is_integer():
            rid = int(rid)
        if isinstance(rid, str) and rid.strip().isdigit():
            rid = int(rid.strip())
        if not isinstance(rid, int) or isinstance(rid, bool):
            raise DataFormatError(path, f"RTA ID {rid!r} is not an integer", row=n, field="RTA ID")
        if rid in seen:
            raise DataFormatError(path, f"RTA ID {rid} appears twice", row=n, field="RTA ID")
        seen.add(rid)
        rec["rta_id"] = rid
        for c in TEXT_COLUMNS:
            v = rec[c]
            rec[c] = " ".join(str(v).split()) if v is not None and str(v).strip() else None
        if rec["status"] not in STATUSES:
            raise DataFormatError(
                path, f"status {rec['status']!r}; expected one of {', '.join(sorted(STATUSES))}", row=n, field="Status"
            )
        for c in DATE_COLUMNS:
            src = next(k for k, v in COLUMNS.items() if v == c)
            rec[c] = _date(path, rec[c], n, src)

    # members of each bloc, from the bloc's own record (which names countries only)
    by_id = {rec["rta_id"]: (n, rec) for n, rec in raw}
    blocs: dict[str, list[str]] = {}
    for bloc, rid in BLOC_RECORDS.items():
        if rid in by_id and by_id[rid][1]["parties"]:
            n, rec = by_id[rid]
            blocs[bloc], _ = _expand(path, _names(rec["parties"]), {}, n, "Current signatories")

    records: list[dict] = []
    members: list[tuple[int, str]] = []
    for n, rec in raw:
        iso, used = _expand(path, _names(rec["parties"]), blocs, n, "Current signatories")
        orig, _ = _expand(path, _names(rec["original_parties"]), blocs, n, "Original signatories")
        rec["parties_iso3"] = ";".join(iso) or None
        rec["original_parties_iso3"] = ";".join(orig) or None
        rec["blocs"] = ";".join(used) or None
        rec["notification_date"] = rec["notification_goods"] or rec["notification_services"]
        records.append(rec)
        members.extend((rec["rta_id"], c) for c in iso)
    agreements = pd.DataFrame.from_records(records)[OUTPUT_COLUMNS]
    agreements["rta_id"] = agreements["rta_id"].astype("int64")
    for c in [*DATE_COLUMNS, "notification_date"]:
        agreements[c] = pd.to_datetime(agreements[c]).astype("datetime64[ns]")
    agreement_members = pd.DataFrame.from_records(members, columns=["rta_id", "iso3"])
    agreement_members["rta_id"] = agreement_members["rta_id"].astype("int64")
    return {"agreements": agreements, "agreement_members": agreement_members}


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return read_rtas(single_path(files, "rtas"))


AGREEMENT_SCHEMA = pa.DataFrameSchema(
    {
        "rta_id": pa.Column("int64", unique=True),
        "name": pa.Column(str),
        "coverage": pa.Column(str, pa.Check.isin(["Goods", "Services", "Goods & Services"]), nullable=True),
        "type": pa.Column(str, nullable=True),
        "notification": pa.Column(str, nullable=True),
        "status": pa.Column(str, pa.Check.isin(sorted(STATUSES))),
        **{c: pa.Column("datetime64[ns]", nullable=True) for c in ["notification_date", *DATE_COLUMNS]},
        "composition": pa.Column(str, nullable=True),
        "region": pa.Column(str, nullable=True),
        "parties": pa.Column(str, nullable=True),
        "blocs": pa.Column(str, nullable=True),
        "parties_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}(;[A-Z]{3})*$"), nullable=True),
        "original_parties_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}(;[A-Z]{3})*$"), nullable=True),
    },
    strict=True,
)

MEMBER_SCHEMA = pa.DataFrameSchema(
    {
        "rta_id": pa.Column("int64"),
        "iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
    },
    strict=True,
    unique=["rta_id", "iso3"],
)

SOURCE = Source(
    name="wto_rta",
    title="WTO Regional Trade Agreements database",
    publisher="World Trade Organization",
    licence="WTO terms of use (attribution)",
    release="export of October 2025",
    files=(RemoteFile("rtas", "wto/AllRTAs.xlsx", "https://rtais.wto.org/UI/ExportAllRTAList.aspx"),),
    load=_load,
    tables=("agreements", "agreement_members"),
    schemas={"agreements": AGREEMENT_SCHEMA, "agreement_members": MEMBER_SCHEMA},
    url_page="https://rtais.wto.org/UI/PublicMaintainRTAHome.aspx",
)
