"""India DGCI&S TradeStat EIDB: India's exports by 8-digit ITC-HS code and partner, FY2018-19 to FY2024-25.

Format (TradeStat "Export Import Data Bank", commodity x country export report, as scraped to
a gzipped CSV of 3.1 million rows): ``fy_start, financial_year (2022-23), hs8, description, unit,
partner_tradestat, partner_iso3, value_usd_mn, value_usd_mn_prev_fy, quantity, quantity_prev_fy``.
Values are **USD million**, in **Indian financial years** (April-March). The ``*_prev_fy``
columns repeat the previous year's report and are not used. A row with no ``value_usd_mn``
(the code had no export to that partner that year) is left out.

The totals file (``fy_start, hs8, commodity_total_usd_mn, india_total_usd_mn``) gives India's
total exports per financial year (the same figure on every row of a year).

Canonical tables
----------------
``tradestat_exports`` (written straight to Parquet with DuckDB): ``reporter`` (``IND``), ``hs8``,
``description``, ``partner_iso3`` (from :func:`critmin.countries.resolve`, source ``tradestat``,
checked against the file's own code; empty for ``UNSPECIFIED`` and ``INSTALLATIONS IN
INTERNATIONAL WATERS``), ``partner_name``, ``period`` (``FY2022-23``), ``fy_start``,
``value_usd`` (``value_usd_mn * 1e6``), ``unit``, ``quantity``. One row per
(``fy_start``, ``hs8``, ``partner_name``): two TradeStat names can share a code (``PANAMA C Z``
and ``PANAMA REPUBLIC`` are both ``PAN``).

``tradestat_export_totals``: ``period``, ``fy_start``, ``value_usd`` (India's total exports).

Trap: the scraped code list predates HS 2022, so the EIDB sum covers 96.6% of India's total
exports in FY2018-19 but only 66-70% from FY2022-23 on. State coverage from the totals table;
never present the EIDB sum as India's exports.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from critmin.countries import resolve, unknown_hint
from critmin.errors import DataFormatError
from critmin.periods import financial_year
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path

EXPORT_COLUMNS = [
    "fy_start",
    "financial_year",
    "hs8",
    "description",
    "unit",
    "partner_tradestat",
    "partner_iso3",
    "value_usd_mn",
    "quantity",
]
TOTAL_COLUMNS = ["fy_start", "hs8", "commodity_total_usd_mn", "india_total_usd_mn"]
#: TradeStat partner names with no ISO code (PACIFIC IS: the former Trust Territory, country-wise table only) (kept, with an empty ``partner_iso3``)
NO_COUNTRY = frozenset({"UNSPECIFIED", "INSTALLATIONS IN INTERNATIONAL WATERS", "PACIFIC IS"})
OUTPUT_COLUMNS = [
    "reporter",
    "hs8",
    "description",
    "partner_iso3",
    "partner_name",
    "period",
    "fy_start",
    "value_usd",
    "unit",
    "quantity",
]


def _header(path: Path, required: list[str]) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), None)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise DataFormatError(path, f"cannot be read as gzipped UTF-8 CSV ({exc})") from None
    if not header:
        raise DataFormatError(path, f"file is empty; expected header {','.join(required)}")
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataFormatError(path, f"missing column(s) {', '.join(missing)}", field=missing[0])
    return header


def _read(con: duckdb.DuckDBPyConnection, path: Path, view: str) -> None:
    """Load ``path`` as text columns into temp table ``view`` (with the file's row number ``_row``)."""
    con.execute("SET enable_progress_bar = false")
    try:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {view} AS
            SELECT row_number() OVER () + 1 AS _row, *
            FROM read_csv('{path.as_posix()}', header = true, all_varchar = true, parallel = false)""")
    except (duckdb.Error, UnicodeDecodeError) as exc:
        raise DataFormatError(
            path, f"cannot be parsed as CSV (truncated or malformed?): {str(exc).splitlines()[0]}"
        ) from None


def _first_bad(con: duckdb.DuckDBPyConnection, path: Path, view: str, column: str) -> None:
    bad = con.execute(f"""SELECT _row, "{column}" FROM {view}
        WHERE "{column}" IS NOT NULL AND (TRY_CAST("{column}" AS DOUBLE) IS NULL
              OR NOT isfinite(TRY_CAST("{column}" AS DOUBLE)) OR TRY_CAST("{column}" AS DOUBLE) < 0)
        ORDER BY _row LIMIT 1""").fetchone()
    if bad:
        raise DataFormatError(path, f"value {bad[1]!r} must be a finite number >= 0", row=int(bad[0]), field=column)


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The one number that ``sql`` (a ``count(*)`` or a ``COPY ... TO``, which counts rows written) returns."""
    row = con.execute(sql).fetchone()
    assert row is not None, "an aggregate or COPY statement returns one row"
    return int(row[0])


def _fy_labels(con, path: Path, view: str) -> dict[int, str]:
    bad = con.execute(f"""SELECT _row, fy_start FROM {view}
        WHERE TRY_CAST(fy_start AS INTEGER) IS NULL ORDER BY _row LIMIT 1""").fetchone()
    if bad:
        raise DataFormatError(path, f"fy_start {bad[1]!r} is not a year", row=int(bad[0]), field="fy_start")
    years = [int(y) for (y,) in con.execute(f"SELECT DISTINCT CAST(fy_start AS INTEGER) FROM {view}").fetchall()]
    if any(not 1950 <= y <= 2100 for y in years):
        raise DataFormatError(path, f"fy_start years {sorted(years)} out of range", field="fy_start")
    return {y: financial_year(y).label for y in years}


def read_eidb_exports(path: Path, out_path: Path) -> Path:
    """Read the EIDB export file with DuckDB and write ``tradestat_exports`` to ``out_path`` (Parquet).

    ``value_usd = value_usd_mn * 1e6``; ``period = financial_year(fy_start).label``. Partner names
    are resolved once per distinct name (source ``tradestat``) and must agree with the file's
    ``partner_iso3``.

    Raises
    ------
    DataFormatError
        Unreadable or truncated gzip, empty file, missing column, a year or value that is not a
        non-negative finite number, an ``financial_year`` that does not match ``fy_start``, an
        unknown partner name, a partner code that disagrees with the resolver, a repeated
        (year, code, partner) row, or no rows with a value.
    """
    path, out_path = Path(path), Path(out_path)
    _header(path, EXPORT_COLUMNS)
    con = duckdb.connect()
    try:
        _read(con, path, "eidb")
        if not _count(con, "SELECT count(*) FROM eidb WHERE value_usd_mn IS NOT NULL"):
            raise DataFormatError(path, "has a header but no rows with a value")
        labels = _fy_labels(con, path, "eidb")
        bad = con.execute("""SELECT _row, fy_start, financial_year FROM eidb
            WHERE financial_year IS DISTINCT FROM
                  fy_start || '-' || lpad(CAST((CAST(fy_start AS INTEGER) + 1) % 100 AS VARCHAR), 2, '0')
            ORDER BY _row LIMIT 1""").fetchone()
        if bad:
            raise DataFormatError(
                path,
                f"financial_year {bad[2]!r} does not follow fy_start {bad[1]}",
                row=int(bad[0]),
                field="financial_year",
            )
        bad = con.execute("""SELECT _row, hs8 FROM eidb WHERE NOT regexp_full_match(coalesce(hs8, ''), '\\d{8}')
            ORDER BY _row LIMIT 1""").fetchone()
        if bad:
            raise DataFormatError(path, f"HS code {bad[1]!r} is not 8 digits", row=int(bad[0]), field="hs8")
        for column in ("value_usd_mn", "quantity"):
            _first_bad(con, path, "eidb", column)
        iso3_of: dict[str, str | None] = {}
        for name, file_iso3, row in con.execute("""SELECT partner_tradestat, partner_iso3, min(_row)
                FROM eidb GROUP BY ALL ORDER BY 3""").fetchall():
            name = " ".join((name or "").split()).upper()
            if name in NO_COUNTRY:
                got = None
            else:
                got = resolve(name, source="tradestat")
                if got is None:
                    raise DataFormatError(
                        path,
                        f"unknown partner country name {name!r}; {unknown_hint(name, source='tradestat')}",
                        row=int(row),
                        field="partner_tradestat",
                    )
            if (file_iso3 or None) != got:
                raise DataFormatError(
                    path,
                    f"partner {name!r} is {file_iso3!r} in the file but {got!r} by critmin's country table",
                    row=int(row),
                    field="partner_iso3",
                )
            iso3_of[name] = got
        con.execute("CREATE TEMP TABLE names (name VARCHAR, iso3 VARCHAR)")
        con.executemany("INSERT INTO names VALUES (?, ?)", list(iso3_of.items()))
        con.execute("CREATE TEMP TABLE labels (fy INTEGER, label VARCHAR)")
        con.executemany("INSERT INTO labels VALUES (?, ?)", list(labels.items()))
        dup = con.execute("""SELECT fy_start, hs8, partner_tradestat, count(*), max(_row) FROM eidb
            GROUP BY ALL HAVING count(*) > 1 ORDER BY 5 LIMIT 1""").fetchone()
        if dup:
            raise DataFormatError(
                path,
                f"FY {dup[0]}, HS {dup[1]}, partner {dup[2]!r} appears {dup[3]} times",
                row=int(dup[4]),
                field="partner_tradestat",
            )
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_path.with_suffix(".tmp.parquet")
        rows = _count(
            con,
            f"""COPY (
            SELECT 'IND' AS reporter, e.hs8, e.description, n.iso3 AS partner_iso3,
                   upper(trim(e.partner_tradestat)) AS partner_name, l.label AS period,
                   CAST(e.fy_start AS BIGINT) AS fy_start,
                   round(CAST(e.value_usd_mn AS DOUBLE) * 1e6, 2) AS value_usd,
                   e.unit, CAST(e.quantity AS DOUBLE) AS quantity
            FROM eidb e
            JOIN names n ON n.name = upper(trim(e.partner_tradestat))
            JOIN labels l ON l.fy = CAST(e.fy_start AS INTEGER)
            WHERE e.value_usd_mn IS NOT NULL
            ORDER BY fy_start, hs8, partner_name
        ) TO '{tmp.as_posix()}' (FORMAT parquet, COMPRESSION zstd)""",
        )
    finally:
        con.close()
    if not rows:
        tmp.unlink(missing_ok=True)
        raise DataFormatError(path, "has a header but no rows with a value")
    tmp.replace(out_path)
    return out_path


def read_eidb_totals(path: Path) -> pd.DataFrame:
    """Read the EIDB totals file into ``tradestat_export_totals`` (India's total exports per FY).

    ``value_usd = india_total_usd_mn * 1e6``, one row per financial year.

    Raises
    ------
    DataFormatError
        Missing column, unreadable file, bad year or value, or two different totals for one year.
    """
    path = Path(path)
    _header(path, TOTAL_COLUMNS)
    con = duckdb.connect()
    try:
        _read(con, path, "totals")
        if not _count(con, "SELECT count(*) FROM totals"):
            raise DataFormatError(path, "has a header but no data rows")
        labels = _fy_labels(con, path, "totals")
        for column in ("commodity_total_usd_mn", "india_total_usd_mn"):
            _first_bad(con, path, "totals", column)
        per_year = con.execute("""SELECT CAST(fy_start AS INTEGER) AS fy,
                count(DISTINCT india_total_usd_mn), min(CAST(india_total_usd_mn AS DOUBLE)), min(_row)
            FROM totals GROUP BY 1 ORDER BY 1""").fetchall()
    finally:
        con.close()
    if not per_year:
        raise DataFormatError(path, "has a header but no data rows")
    records = []
    for fy, distinct, total, row in per_year:
        if distinct != 1:
            raise DataFormatError(
                path,
                f"FY starting {fy} has {distinct} different India totals",
                row=int(row),
                field="india_total_usd_mn",
            )
        records.append((labels[fy], fy, round(total * 1e6, 2)))
    return pd.DataFrame.from_records(records, columns=["period", "fy_start", "value_usd"])


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame | Path]:
    return {
        "tradestat_exports": read_eidb_exports(
            single_path(files, "exports"), Path(workdir) / "tradestat_exports.parquet"
        ),
        "tradestat_export_totals": read_eidb_totals(single_path(files, "totals")),
    }


EXPORTS_SCHEMA = pa.DataFrameSchema(
    {
        "reporter": pa.Column(str, pa.Check.equal_to("IND")),
        "hs8": pa.Column(str, pa.Check.str_matches(r"^\d{8}$")),
        "description": pa.Column(str, nullable=True),
        "partner_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "partner_name": pa.Column(str),
        "period": pa.Column(str, pa.Check.str_matches(r"^FY\d{4}-\d{2}$")),
        "fy_start": pa.Column(int),
        "value_usd": pa.Column(float, pa.Check.ge(0)),
        "unit": pa.Column(str, nullable=True),
        "quantity": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    strict=True,
    unique=["fy_start", "hs8", "partner_name"],
)

TOTALS_SCHEMA = pa.DataFrameSchema(
    {
        "period": pa.Column(str, pa.Check.str_matches(r"^FY\d{4}-\d{2}$")),
        "fy_start": pa.Column(int),
        "value_usd": pa.Column(float, pa.Check.gt(0)),
    },
    strict=True,
    unique=["fy_start"],
)

SOURCE = Source(
    name="tradestat_eidb",
    title="India DGCI&S TradeStat EIDB: India's exports by 8-digit ITC-HS code and partner, FY2018-19 to FY2024-25",
    publisher="DGCI&S, Ministry of Commerce and Industry, Government of India",
    licence="attribution (Source: DGCI&S); open licence not confirmed",
    release="EIDB commodity x country export reports, FY2018-19 to FY2024-25",
    files=(
        RemoteFile(
            "exports",
            "tradestat/india_exports_hs8_by_partner_fy2018_2024.csv.gz",
            "https://tradestat.commerce.gov.in/eidb/commodity_wise_all_countries_export",
        ),
        RemoteFile(
            "totals",
            "tradestat/india_exports_hs8_totals_fy2018_2024.csv.gz",
            "https://tradestat.commerce.gov.in/eidb/commodity_wise_export",
        ),
    ),
    load=_load,
    tables=("tradestat_exports", "tradestat_export_totals"),
    schemas={"tradestat_exports": EXPORTS_SCHEMA, "tradestat_export_totals": TOTALS_SCHEMA},
    url_page="https://tradestat.commerce.gov.in/eidb/",
    downloadable=False,
    default=True,
)
