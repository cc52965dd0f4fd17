"""CEPII BACI: bilateral trade flows at HS6 (``t,i,j,k,v,q``), streamed with DuckDB.

Format (CEPII, BACI readme): one CSV per year ``BACI_HS<rev>_Y<year>_V<release>.csv``
inside the release zip, columns ``t`` year, ``i`` exporter, ``j`` importer (numeric
BACI codes, not ISO), ``k`` HS6 product, ``v`` value in thousand current USD,
``q`` quantity in metric tons (missing written empty or ``NA``); and a country
table ``country_codes_V<release>.csv``.

Canonical table ``trade_flows``: ``year, exporter, importer, hs6, value_usd,
qty_t, hs_revision`` with ISO3 countries (BACI 490 "Other Asia, nes" is Taiwan,
``TWN``), HS6 as 6-character text and value in USD (``v * 1000``); stored as a
hive-partitioned dataset ``trade_flows/year=<t>/part-0.parquet``, one partition
per year file, which an incremental build carries over when the file is unchanged
(:func:`read_baci`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import duckdb
import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import RemoteFile, Source, single_path
from critmin.sources.http import sha256_of

log = logging.getLogger(__name__)

RELEASE = "V202601"
HS_REVISION = "HS17"
YEAR_FILE = re.compile(r"BACI_(HS\d\d)_Y(\d{4})_(V\d+)\w*\.csv$")
EXPECTED_HEADER = ["t", "i", "j", "k", "v", "q"]
COUNTRY_HEADER = ["country_code", "country_name", "country_iso2", "country_iso3"]
# BACI codes whose iso3 field is not an ISO code but a CEPII placeholder
ISO_OVERRIDES = {"S19": "TWN"}
#: a plausible HS6 code as an integer: chapters 01..97 (010000..979999); leading zeros may be lost
HS6_MIN, HS6_MAX = 10000, 979999
#: a value above this (thousand USD, i.e. 10^15 USD for one flow) or a quantity above this (tonnes) is absurd
MAX_VALUE_KUSD = 1e12
MAX_QTY_T = 1e12


#: The release's known files in the data bundle: name -> (bytes, sha256, data rows), copied from the bundle's
#: ``datapackage.json``. A year file listed here is verified (size, checksum, row count); any other file
#: (the publisher's full year files) "cannot be verified" and only gets the truncation check.
KNOWN_FILES: dict[str, tuple[int, str, int]] = {
    "BACI_HS17_Y2022_V202601_critical31.csv": (
        648992,
        "a8fd800a912aa6d7ca985004dc5d55d1e4909288a807541759b3581fd314ab98",
        23167,
    ),
    "BACI_HS17_Y2024_V202601_critical31.csv": (
        726189,
        "f3ed3d9f2a9bf1b920aec38f032b091541dc5e88cc25e590ea58e3d9e0a3fee0",
        21723,
    ),
}


def check_integrity(
    path: Path, known: Mapping[str, tuple[int, str, int]] = KNOWN_FILES, *, sha256: str | None = None
) -> str:
    """Truncation check and, for a known file, size and sha256; return what could be verified.

    The last byte must be a newline (a file cut mid-line may still parse, e.g.
    ``6772.8`` cut from ``6772.859``). A file in ``known`` must have its
    recorded size and sha256 (its row count is compared after the ingest);
    ``sha256`` is the file's checksum when the caller has it already.

    Raises
    ------
    DataFormatError
        Truncated file, or size / checksum different from the release's.
    """
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        if size:
            fh.seek(size - 1)
            if fh.read(1) != b"\n":
                raise DataFormatError(path, "is truncated: the last line does not end with a newline")
    if path.name not in known:
        return "cannot be verified: no known checksum for this file; last line complete"
    want_bytes, want_sha, _ = known[path.name]
    if size != want_bytes:
        raise DataFormatError(path, f"has {size} bytes; the release's file has {want_bytes} (truncated or altered)")
    got = sha256 or sha256_of(path)
    if got != want_sha:
        raise DataFormatError(path, f"sha256 {got} differs from the release's {want_sha}")
    return "verified: size and sha256 of the release's file"


def read_country_codes(path: Path) -> pd.DataFrame:
    """Parse BACI's ``country_codes_V*.csv`` into ``code, name, iso2, iso3``.

    The current code is preferred where two codes share an ISO3 (e.g. 56/58
    Belgium); ``is_current`` marks it (names ending in ``(...YYYY)`` are old).
    """
    path = Path(path)
    df = None
    for encoding in ("utf-8", "latin-1"):
        try:  # index_col=False: a row with extra fields is an error, never a silent index column
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, index_col=False)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise DataFormatError(path, f"not a readable CSV ({' '.join(str(exc).split())[:160]})") from None
    if df is None:  # latin-1 decodes any byte, so one of the two reads succeeds
        raise DataFormatError(path, "is neither UTF-8 nor Latin-1 text")
    missing = [c for c in COUNTRY_HEADER if c not in df.columns]
    if missing:
        raise DataFormatError(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(COUNTRY_HEADER)}")
    _check_row_widths(path, encoding, len(df.columns))
    bad = ~df["country_code"].str.fullmatch(r"\d{1,3}")
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise DataFormatError(
            path, f"country code {df['country_code'].iloc[i][:40]!r} is not a number", row=i + 1, field="country_code"
        )
    out = pd.DataFrame(
        {
            "code": df["country_code"].astype("int32"),
            "name": df["country_name"],
            "iso2": df["country_iso2"].replace("", None),
            "iso3": df["country_iso3"].map(lambda s: ISO_OVERRIDES.get(s, s)),
        }
    )
    out["is_current"] = ~out["name"].str.contains(r"\(\.\.\.\d{4}\)", regex=True)
    return out


def _check_row_widths(path: Path, encoding: str, width: int) -> None:
    """Every row of a small CSV has the header's number of fields (pandas would drop or shift the rest)."""
    with open(path, newline="", encoding=encoding) as fh:
        for n, row in enumerate(csv.reader(fh)):
            if row and len(row) != width:
                raise DataFormatError(path, f"{len(row)} fields where the header has {width}", row=n)


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _check_header(path: Path) -> None:
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        header = next(csv.reader(fh), None)
    if header is None:
        raise DataFormatError(path, "file is empty; expected header t,i,j,k,v,q")
    header = [h.strip().lower() for h in header]
    if header != EXPECTED_HEADER:
        missing = [c for c in EXPECTED_HEADER if c not in header]
        raise DataFormatError(
            path,
            f"header is {','.join(header)}; expected t,i,j,k,v,q"
            + (f" (missing {', '.join(missing)})" if missing else ""),
        )


def _accepted_codes(countries: pd.DataFrame) -> pd.DataFrame:
    """Codes a year file may use: the current code of every ISO3 (58 Belgium-Luxembourg is not)."""
    return countries[countries["is_current"] | ~countries["iso3"].duplicated(keep=False)]


def _file_year(path: Path) -> int | None:
    m = YEAR_FILE.search(Path(path).name)
    return int(m.group(2)) if m else None


def _diagnose(path: Path, known_codes: set[int], year: int | None = None) -> DataFormatError:
    """Slow path, only after DuckDB refused the file: find the first bad row (``year``: every row's year)."""
    file_year = year if year is not None else _file_year(path)
    seen: set[tuple[str, str, str, str]] = set()
    with open(path, newline="", encoding="utf-8", errors="strict") as fh:
        reader = csv.reader(fh)
        next(reader)
        for n, row in enumerate(reader, start=1):
            if len(row) != 6:
                return DataFormatError(
                    path, f"has {len(row)} fields; expected 6 (t,i,j,k,v,q) — truncated or malformed line", row=n
                )
            t, i, j, k, v, q = (x.strip() for x in row)
            for name, val in (("t", t), ("i", i), ("j", j)):
                if not val.isdigit():
                    return DataFormatError(path, f"{val!r} is not an integer", row=n, field=name)
            for name, val in (("i", i), ("j", j)):
                if int(val) not in known_codes:
                    return DataFormatError(
                        path, f"country code {val} is not a current code of the BACI country table", row=n, field=name
                    )
            if not re.fullmatch(r"\d{4,6}", k):
                return DataFormatError(path, f"product code {k!r} is not an HS6 code (4-6 digits)", row=n, field="k")
            if not HS6_MIN <= int(k) <= HS6_MAX:
                return DataFormatError(
                    path, f"product code {k!r} is not a plausible HS6 code (chapters 01-97)", row=n, field="k"
                )
            for name, val, required in (("v", v, True), ("q", q, False)):
                if not required and val in ("", "NA"):
                    continue
                try:
                    x = float(val)
                except ValueError:
                    return DataFormatError(path, f"{val!r} is not a number", row=n, field=name)
                if x != x or x in (float("inf"), float("-inf")):
                    return DataFormatError(path, f"{val!r} is not a finite number", row=n, field=name)
                if x < 0:
                    return DataFormatError(
                        path, f"negative value {val}; trade values and quantities must be >= 0", row=n, field=name
                    )
                if x > (MAX_VALUE_KUSD if name == "v" else MAX_QTY_T):
                    return DataFormatError(
                        path,
                        f"absurd {'value' if name == 'v' else 'quantity'} {val} "
                        f"(above {MAX_VALUE_KUSD if name == 'v' else MAX_QTY_T:g})",
                        row=n,
                        field=name,
                    )
            if file_year is not None and int(t) != file_year:
                return DataFormatError(
                    path,
                    f"year {t} differs from the file name's year {file_year}"
                    if _file_year(path) == file_year
                    else f"year {t} differs from the file's year {file_year} (its first row)",
                    row=n,
                    field="t",
                )
            if int(i) == int(j):
                return DataFormatError(path, f"self-trade: exporter and importer are both {i}", row=n, field="j")
            key = (str(int(t)), str(int(i)), str(int(j)), k.zfill(6))
            if key in seen:
                return DataFormatError(path, f"duplicate flow (t, i, j, k) = {', '.join(key)}", row=n)
            seen.add(key)
    return DataFormatError(path, "DuckDB could not parse the file, but no bad row was found")


def ingest_year_file(
    csv_path: Path,
    countries: pd.DataFrame,
    out_path: Path,
    *,
    hs_revision: str = HS_REVISION,
    threads: int | None = None,
) -> int:
    """Stream one BACI year file into Parquet; return the number of rows.

    DuckDB reads the CSV in parallel chunks and writes Parquet directly, so a
    full year (~11 M rows) never sits in memory. Country codes are mapped to
    ISO3; product codes that lost leading zeros (``10121``) are padded back to
    6 characters. Any unparsable value, negative value or unknown country code
    raises :class:`DataFormatError` naming the row and field.
    """
    csv_path = Path(csv_path)
    _check_header(csv_path)
    rows = _ingest_clean(csv_path, countries, out_path, hs_revision=hs_revision, threads=threads)
    if rows is not None:
        return rows
    return _ingest_validating(csv_path, countries, out_path, hs_revision=hs_revision, threads=threads)


def _iso3_by_code(countries: pd.DataFrame) -> dict[int, str]:
    """BACI code -> ISO3 for the codes a year file may use (current codes where two share an ISO3)."""
    cc = _accepted_codes(countries)
    return {int(c): str(s) for c, s in zip(cc["code"], cc["iso3"]) if re.fullmatch(r"[A-Z0-9]{3}", str(s))}


# Columns of the fast path's output that must have no NULL (an unknown country code, a product code
# outside 010000..979999 or an empty field comes out as NULL), and those that must not be negative.
_NOT_NULL = ("year", "exporter", "importer", "hs6", "value_usd")
_NOT_NEGATIVE = ("value_usd", "qty_t")


def _parquet_is_clean(con: duckdb.DuckDBPyConnection, path: Path, not_null: tuple[str, ...] = _NOT_NULL) -> bool:
    """Whether the fast path's output passes every check, read from the Parquet statistics.

    The row-group statistics (null count, minimum) written with the file answer
    "any NULL in a required column?" and "any negative value or quantity?"
    without reading the data; if a statistic is missing the columns are scanned.
    ``not_null``: the columns that must have no NULL (a partition has no ``year``).
    """
    stats = con.execute(f"""
        SELECT path_in_schema, stats_null_count, TRY_CAST(stats_min AS DOUBLE) AS min_value, stats_min
        FROM parquet_metadata('{path.as_posix()}')""").fetchall()
    complete = True
    for col, nulls, min_value, min_text in stats:
        if col in not_null:
            if nulls is None:
                complete = False
            elif nulls:
                return False
        if col in _NOT_NEGATIVE and min_text is not None:
            if min_value is None:
                complete = False
            elif min_value < 0:
                return False
    if complete and {c for c, *_ in stats} >= set(not_null + _NOT_NEGATIVE):
        return True
    bad = con.execute(f"""
        SELECT count(*) FILTER (WHERE {" OR ".join(f"{c} IS NULL" for c in not_null)}
                                   OR {" OR ".join(f"{c} < 0" for c in _NOT_NEGATIVE)})
        FROM read_parquet('{path.as_posix()}')""").fetchall()[0][0]
    return bad == 0


def _rows_are_plausible(
    con: duckdb.DuckDBPyConnection,
    source_sql: str,
    file_year: int | None,
    *,
    exact: bool = True,
    totals: dict | None = None,
) -> bool:
    """One aggregate over the converted rows: no inf/nan/absurd value, no self-trade, no other year, no duplicate.

    ``source_sql`` yields ``year, exporter, importer, hs6, value_usd, qty_t``
    (``value_usd`` in USD), in the file's row order; with ``exact=False``, of one year. Duplicates, with
    ``exact=True`` (the validating path): ``count(*) = count(DISTINCT (year,
    exporter, importer, hs6))``. With ``exact=False`` (the fast path) the key
    check first uses the order BACI writes its files in (sorted by exporter,
    importer, product): in one streaming pass, each row is compared with the one
    before it (``lag() OVER ()``, which DuckDB runs without sorting or hashing the
    rows). If every (exporter, importer) pair forms one run of consecutive rows
    (the number of runs equals the number of distinct pairs, a small hash table)
    and the HS6 codes rise strictly within each run, no key repeats. Only a file
    in another order pays for a hashed distinct count over a 64-bit hash of the
    key (a collision can only report a duplicate that is not there, never hide
    one; a reported duplicate is left to the exact, validating path).

    ``totals``: filled, in the same pass, with what :func:`year_summary` reports
    (``rows``, ``has_quantities``, ``value_usd_total``), so a clean year is not read again.
    """
    other_year = f"OR year <> {int(file_year)}" if file_year is not None else ""
    checks = f"""count(*) FILTER (WHERE NOT isfinite(value_usd) OR value_usd > {MAX_VALUE_KUSD * 1000.0}
                                   OR (qty_t IS NOT NULL AND (NOT isfinite(qty_t) OR qty_t > {MAX_QTY_T}))
                                   OR exporter = importer {other_year}),
               count(*), count(qty_t), sum(value_usd)"""
    distinct_keys = "count(DISTINCT (year, exporter, importer, hs6))" if exact else "NULL"
    bad, rows, with_q, total, distinct = con.execute(f"SELECT {checks}, {distinct_keys} FROM {source_sql}").fetchall()[
        0
    ]
    if exact:
        dup = rows - distinct
    else:
        out_of_order, runs = con.execute(f"""
            SELECT count(*) FILTER (WHERE NOT (new_run OR hs6 > prev_hs6)), count(*) FILTER (WHERE new_run)
            FROM (SELECT hs6, prev_hs6, prev_hs6 IS NULL OR exporter IS DISTINCT FROM prev_exporter
                                        OR importer IS DISTINCT FROM prev_importer AS new_run
                  FROM (SELECT exporter, importer, hs6, lag(exporter) OVER () AS prev_exporter,
                               lag(importer) OVER () AS prev_importer, lag(hs6) OVER () AS prev_hs6
                        FROM (SELECT exporter, importer, hs6 FROM {source_sql})))""").fetchall()[0]
        pairs = con.execute(f"SELECT count(*) FROM (SELECT DISTINCT exporter, importer FROM {source_sql})").fetchall()[
            0
        ][0]
        dup = 0
        if out_of_order or runs != pairs:  # not in BACI's order: count the distinct keys
            dup = con.execute(f"""
                SELECT count(*) - count(DISTINCT hash(year, exporter, importer, hs6)) FROM {source_sql}""").fetchall()[
                0
            ][0]
    if totals is not None:
        totals.update(rows=int(rows), has_quantities=bool(with_q), value_usd_total=float(total or 0.0))
    return bad == 0 and dup == 0


def _ingest_clean(
    csv_path: Path,
    countries: pd.DataFrame,
    out_path: Path,
    *,
    hs_revision: str,
    threads: int | None,
    partition_year: int | None = None,
    products: "set[str] | None" = None,
    totals: dict | None = None,
) -> int | None:
    """Fast path for a well-formed file: one typed streaming pass, then a check of the output's statistics.

    Columns are read as doubles; ``t``, ``i``, ``j``, ``k`` must be whole numbers
    (``740311.6`` or ``2024.6`` gives NULL) and are cast to unsigned integers,
    so a negative code is an error. Country
    codes are mapped through a constant list of an ``ENUM`` of the ISO3 codes
    (the Parquet writer then takes the enum's dictionary as it is instead of
    hashing 22 M strings; the file holds plain strings); an unknown code gives
    NULL. Six-digit product codes are cast as they are, shorter ones padded with
    zeros (``lpad`` on every row costs ~10 %), and a code outside
    ``010000..979999`` (HS chapters 01-97) gives NULL. After the COPY, the
    Parquet row-group statistics show whether any required column has a NULL or
    any value or quantity is negative (:func:`_parquet_is_clean`). Returns the
    row count, or ``None`` when anything is unusual (a parse error, a bad value,
    an unknown code, a space-padded ``NA``...): the caller then runs the
    validating path, which gives the exact error.

    With ``partition_year`` the output is one partition of the ``year=`` dataset:
    no ``year`` column, and a row of any other year gives a NULL exporter (so the
    check fails and the validating path names the row).

    With ``products`` (the release's product table) the HS6 text is cast to an
    ``ENUM`` of those codes, as the ISO3 codes are: the writer skips hashing
    the strings (writing HS6 as text otherwise costs ~25 % of a bare DuckDB
    copy), and a code not in the table gives NULL, so a clean result also means
    every code is in the table. ``hs_revision`` is a one-member ``ENUM``.
    """
    iso = _iso3_by_code(countries)
    top = max(iso) + 1
    members = ", ".join(f"'{s}'" for s in sorted(set(iso.values())))
    items = ", ".join(f"'{iso[c]}'" if c in iso else "NULL" for c in range(top))
    src = f"""read_csv('{csv_path.as_posix()}', header=true, delim=',', quote='"',
                columns={{'t':'DOUBLE','i':'DOUBLE','j':'DOUBLE','k':'DOUBLE','v':'DOUBLE','q':'DOUBLE'}},
                nullstr=['NA', ''], auto_detect=false, strict_mode=true)"""
    tmp = out_path.with_name(out_path.name + ".tmp")
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads={int(threads)}")
        con.execute(f"CREATE TYPE iso3 AS ENUM ({members})")
        con.execute(f"CREATE TYPE revision AS ENUM ('{_sql_text(hs_revision)}')")
        hs6 = f"""CASE WHEN r.k BETWEEN 100000 AND {HS6_MAX} THEN CAST(r.k AS VARCHAR)
                       WHEN r.k BETWEEN {HS6_MIN} AND 99999 THEN lpad(CAST(r.k AS VARCHAR), 6, '0') END"""
        if products:
            codes = ", ".join(f"'{_sql_text(c)}'" for c in sorted(products))
            con.execute(f"CREATE TYPE hs6code AS ENUM ({codes})")
            hs6 = f"TRY_CAST({hs6} AS hs6code)"
        con.execute(f"CREATE MACRO iso3_of(c) AS ([{items}]::iso3[])[c + 1]")
        # a code read as a number must be whole (740311.6 is not a code): else NULL, and the check fails
        con.execute("CREATE MACRO whole(x) AS CASE WHEN x = trunc(x) THEN CAST(x AS UINTEGER) END")
        if partition_year is None:
            year_and_exporter = "CAST(r.t AS SMALLINT) AS year, iso3_of(r.i) AS exporter"
        else:
            year_and_exporter = f"CASE WHEN r.t = {int(partition_year)} THEN iso3_of(r.i) END AS exporter"
        rows = con.execute(f"""
            COPY (
              WITH r AS (SELECT whole(t) AS t, whole(i) AS i, whole(j) AS j, whole(k) AS k, v, q FROM {src})
              SELECT {year_and_exporter}, iso3_of(r.j) AS importer, {hs6} AS hs6,
                     r.v * 1000.0 AS value_usd, r.q AS qty_t, '{_sql_text(hs_revision)}'::revision AS hs_revision
              FROM r
            ) TO '{tmp.as_posix()}' (FORMAT parquet, COMPRESSION snappy)""").fetchall()[0][0]
        not_null: tuple[str, ...]
        if partition_year is None:
            written, year, not_null = f"read_parquet('{tmp.as_posix()}')", _file_year(csv_path), _NOT_NULL
        else:
            written = f"(SELECT {int(partition_year)} AS year, * FROM read_parquet('{tmp.as_posix()}'))"
            year, not_null = partition_year, tuple(c for c in _NOT_NULL if c != "year")
        clean = (
            bool(rows)
            and _parquet_is_clean(con, tmp, not_null)
            and _rows_are_plausible(con, written, year, exact=False, totals=totals)
        )
    except (duckdb.Error, UnicodeDecodeError):
        tmp.unlink(missing_ok=True)
        return None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    if not clean:
        tmp.unlink(missing_ok=True)
        return None
    tmp.replace(out_path)
    return int(rows)


def _ingest_validating(
    csv_path: Path,
    countries: pd.DataFrame,
    out_path: Path,
    *,
    hs_revision: str,
    threads: int | None,
    partition_year: int | None = None,
) -> int:
    """Validate the whole file first (exact error on the first bad row), then convert it.

    With ``partition_year`` every row must be of that year and the output has no ``year`` column.
    """
    year = partition_year if partition_year is not None else _file_year(csv_path)
    codes = set(_accepted_codes(countries)["code"])
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads={int(threads)}")
    con.register("cc", _accepted_codes(countries)[["code", "iso3"]])
    src = f"""read_csv('{csv_path.as_posix()}', header=true, delim=',', quote='"',
                columns={{'t':'INTEGER','i':'INTEGER','j':'INTEGER','k':'VARCHAR','v':'DOUBLE','q':'VARCHAR'}},
                nullstr=['NA', ''], auto_detect=false, strict_mode=true)"""
    tmp = out_path.with_name(out_path.name + ".tmp")
    try:
        con.execute(f"CREATE TEMP VIEW raw AS SELECT t, i, j, k, v, NULLIF(NULLIF(trim(q), 'NA'), '') AS q FROM {src}")
        bad = con.execute(f"""
            SELECT count(*) FILTER (WHERE v < 0 OR TRY_CAST(q AS DOUBLE) < 0),
                   count(*) FILTER (WHERE NOT regexp_full_match(trim(k), '\\d{{4,6}}')
                                       OR TRY_CAST(trim(k) AS INTEGER) NOT BETWEEN {HS6_MIN} AND {HS6_MAX}),
                   count(*) FILTER (WHERE i NOT IN (SELECT code FROM cc) OR j NOT IN (SELECT code FROM cc)),
                   count(*) FILTER (WHERE q IS NOT NULL AND TRY_CAST(q AS DOUBLE) IS NULL),
                   count(*) FILTER (WHERE t IS NULL OR i IS NULL OR j IS NULL OR k IS NULL OR v IS NULL)
            FROM raw""").fetchall()[0]
        plausible = _rows_are_plausible(
            con,
            "(SELECT t AS year, i AS exporter, j AS importer, lpad(trim(k), 6, '0') AS hs6, "
            "v * 1000.0 AS value_usd, TRY_CAST(q AS DOUBLE) AS qty_t FROM raw)",
            year,
        )
        if any(bad) or not plausible:
            raise _diagnose(csv_path, codes, year)
        first = "" if partition_year is not None else "CAST(r.t AS SMALLINT) AS year, "
        con.execute(f"""
            COPY (
              SELECT {first}e.iso3 AS exporter, m.iso3 AS importer,
                     lpad(trim(r.k), 6, '0') AS hs6, r.v * 1000.0 AS value_usd,
                     CAST(r.q AS DOUBLE) AS qty_t, '{hs_revision}' AS hs_revision
              FROM raw r JOIN cc e ON r.i = e.code JOIN cc m ON r.j = m.code
            ) TO '{tmp.as_posix()}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1000000)""")
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{tmp.as_posix()}')").fetchall()[0][0]
    except (duckdb.InvalidInputException, duckdb.ConversionException, UnicodeDecodeError) as exc:
        tmp.unlink(missing_ok=True)
        try:
            raise _diagnose(csv_path, codes, year) from None
        except UnicodeDecodeError:
            raise DataFormatError(csv_path, f"is not UTF-8 text ({exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    if rows == 0:
        tmp.unlink(missing_ok=True)
        raise DataFormatError(csv_path, "has a header but no data rows")
    tmp.replace(out_path)
    return rows


@dataclass(frozen=True)
class YearFile:
    """One year file of the input: a CSV, or a member of a release zip (extracted only to be ingested)."""

    name: str
    path: Path  # the CSV, or the zip holding it
    member: str | None
    year: int
    sha256: str

    @property
    def release(self) -> str | None:
        m = YEAR_FILE.search(self.name)
        return m.group(3) if m else None

    @property
    def hs_revision(self) -> str:
        m = YEAR_FILE.search(self.name)
        return m.group(1) if m else HS_REVISION

    def extract(self, workdir: Path) -> Path:
        """The CSV on disk: the file itself, or the zip member streamed into ``workdir``."""
        if self.member is None:
            return self.path
        dest = Path(workdir) / self.name
        with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        return dest


def _first_year(fh, path: Path) -> int:
    """The ``t`` of the first data row of an open year file (when its name gives no year)."""
    reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline=""))
    next(reader, None)
    row = next(reader, None)
    if not row or not row[0].strip().isdigit():
        raise DataFormatError(
            path, "has no data row with a year (t) and its name gives none (BACI_HS??_Y<year>_V*.csv)", row=1, field="t"
        )
    return int(row[0].strip())


def _stream_sha256(fh) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def year_files(path: Path, sha256: str | None = None) -> list[YearFile]:
    """The year files of one input (a CSV, or every ``BACI_HS??_Y????_V*.csv`` of a zip), with checksums.

    Nothing is extracted: a zip member's sha256 is computed while streaming it.
    ``sha256``: the CSV's checksum when the caller has it already (the build's fetch).
    """
    path = Path(path)
    if path.suffix.lower() != ".zip":
        year = _file_year(path)
        if year is None:
            with open(path, "rb") as fh:
                year = _first_year(fh, path)
        return [YearFile(path.name, path, None, year, sha256 or sha256_of(path))]
    files = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            name = Path(info.filename).name
            match = YEAR_FILE.search(name)
            if match:
                with zf.open(info) as fh:
                    sha = _stream_sha256(fh)
                files.append(YearFile(name, path, info.filename, int(match.group(2)), sha))
    if not files:
        raise DataFormatError(path, "zip holds no BACI_HS??_Y????_V*.csv year file")
    return sorted(files, key=lambda f: f.name)


def _as_list(paths: "Path | list[Path]") -> list[Path]:
    return [Path(p) for p in paths] if isinstance(paths, (list, tuple)) else [Path(paths)]


def ingest_year_partition(
    csv_path: Path,
    countries: pd.DataFrame,
    dataset: Path,
    *,
    year: int,
    hs_revision: str = HS_REVISION,
    threads: int | None = None,
    products: "set[str] | None" = None,
    totals: dict | None = None,
) -> Path:
    """Stream one year file into its partition ``dataset/year=<year>/part-0.parquet``; return that file.

    The same checks and conversion as :func:`ingest_year_file`, written by
    DuckDB straight from the CSV; the partition's file holds every column but
    ``year`` (the folder name gives it, hive style), and every row must be of
    ``year``. With ``products`` (the release's product table) every product
    code must be in it (:func:`check_products` names the first that is not).
    ``totals``: filled with the partition's ``rows``, ``has_quantities`` and
    ``value_usd_total`` when the fast path computed them (left empty otherwise).
    """
    csv_path = Path(csv_path)
    _check_header(csv_path)
    out = Path(dataset) / f"year={int(year)}" / "part-0.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    y = int(year)
    if (
        _ingest_clean(
            csv_path,
            countries,
            out,
            hs_revision=hs_revision,
            threads=threads,
            partition_year=y,
            products=products,
            totals=totals,
        )
        is None
    ):
        if totals is not None:
            totals.clear()  # the validating path writes the partition again
        _ingest_validating(csv_path, countries, out, hs_revision=hs_revision, threads=threads, partition_year=y)
        if products is not None:
            check_products(out, csv_path, products)
    return out


def year_summary(part: Path, source_file: str, year: int | None = None) -> dict:
    """One ``baci_years`` row of an ingested year file (Parquet): year, file, rows, has_quantities, total.

    ``has_quantities`` is true when any row has a quantity (``qty_t`` not NULL);
    ``value_usd_total`` is :math:`\\sum v \\cdot 1000` over the file. ``year``:
    the partition's year (a partition file has no ``year`` column).
    """
    con = duckdb.connect()
    try:
        first = "min(year)" if year is None else str(int(year))
        year, rows, with_q, total = con.execute(f"""
            SELECT {first}, count(*), count(qty_t), sum(value_usd)
            FROM read_parquet('{Path(part).as_posix()}')""").fetchall()[0]
    finally:
        con.close()
    return {
        "year": int(year),
        "file": source_file,
        "rows": int(rows),
        "has_quantities": bool(with_q),
        "value_usd_total": float(total),
    }


PRODUCT_FILE = re.compile(r"product_codes_HS\d\d_V\d+\.csv$")


def release_products(paths: list[Path]) -> set[str] | None:
    """The HS6 codes of the release's product table (``product_codes_HS17_V*.csv``), if any.

    Looked up in each release zip, and beside each year CSV (an unpacked
    release: ``product_codes_<rev>_<release>.csv`` in the year file's folder).
    The table has columns ``code, description``; codes are padded to 6 digits.
    ``None`` when there is none (then only the plausible range is checked).
    """

    def codes(fh, where: Path, name: str) -> set[str]:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="latin-1")
        if "code" not in df.columns:
            raise DataFormatError(where, f"{name}: missing column code")
        return set(df["code"].str.strip().str.zfill(6))

    for p in paths:
        if p.suffix.lower() != ".zip":
            m = YEAR_FILE.search(p.name)
            beside = p.parent / f"product_codes_{m.group(1)}_{m.group(3)}.csv" if m else None
            if beside is not None and beside.is_file():
                with open(beside, "rb") as fh:
                    return codes(fh, beside, beside.name)
            continue
        with zipfile.ZipFile(p) as zf:
            for info in zf.infolist():
                if PRODUCT_FILE.search(Path(info.filename).name):
                    with zf.open(info) as member:
                        return codes(member, p, info.filename)
    return None


def check_products(part: Path, csv_path: Path, products: set[str]) -> None:
    """Every product code of an ingested year file must be in the release's product table.

    One DuckDB aggregate over the Parquet output; only when it fails is the CSV
    read row by row to name the first unknown code.
    """
    con = duckdb.connect()
    try:
        con.register("products", pd.DataFrame({"code": sorted(products)}))
        n = con.execute(f"""SELECT count(*) FROM read_parquet('{Path(part).as_posix()}')
                            WHERE hs6 NOT IN (SELECT code FROM products)""").fetchall()[0][0]
    finally:
        con.close()
    if not n:
        return
    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for row_no, row in enumerate(reader, start=1):
            if row[3].strip().zfill(6) not in products:
                raise DataFormatError(
                    csv_path, f"product code {row[3]!r} is not in the release's product table", row=row_no, field="k"
                )


#: Version of the conversion from a year file to its partition; part of ``baci_years.inputs_sha256``,
#: so a change of the conversion rules re-reads every year.
INGEST_VERSION = "partition-1"
YEAR_COLUMNS = [
    "year",
    "file",
    "rows",
    "has_quantities",
    "value_usd_total",
    "integrity",
    "sha256",
    "inputs_sha256",
    "reused",
]


def inputs_sha256(countries_sha256: str, products: set[str] | None) -> str:
    """What a partition depends on besides its year file: the country table, the product table, the rules.

    :math:`\\mathrm{sha256}(\\text{version} \\,|\\, \\mathrm{sha256}(\\text{country table}) \\,|\\,
    \\text{sorted product codes})`.
    """
    text = "|".join([INGEST_VERSION, countries_sha256, ",".join(sorted(products)) if products else "-"])
    return hashlib.sha256(text.encode()).hexdigest()


def _reusable(previous, key: str) -> dict[tuple[int, str, str], tuple[dict, list[Path]]]:
    """Partitions of the live build that may be carried over: ``(year, file, sha256) -> (row, files)``.

    A partition qualifies when ``baci_years`` records its year file with that
    checksum and the same :func:`inputs_sha256`, and the partition's files hold
    the recorded number of rows.
    """
    import pyarrow.parquet as pq

    if previous is None or not (previous.has("baci_years") and previous.has("trade_flows")):
        return {}
    root = previous.table_path("trade_flows")
    years = previous.read("baci_years")
    if not root.is_dir() or not {"sha256", "inputs_sha256"} <= set(years.columns):
        return {}
    out = {}
    for row in years.to_dict(orient="records"):
        files = sorted((root / f"year={int(row['year'])}").glob("*.parquet"))
        if row["inputs_sha256"] != key or not files:
            continue
        if sum(pq.ParquetFile(f).metadata.num_rows for f in files) == int(row["rows"]):
            out[(int(row["year"]), row["file"], row["sha256"])] = (row, files)
    return out


def _carry_partition(files: list[Path], dest: Path) -> None:
    """Hard-link (same file system: no bytes copied) or copy a previous build's partition files."""
    dest.mkdir(parents=True)
    for f in files:
        try:
            os.link(f, dest / f.name)
        except OSError:
            shutil.copy2(f, dest / f.name)


def read_baci(
    paths: Mapping[str, "Path | list[Path]"],
    workdir: Path,
    *,
    previous=None,
    checksums: Mapping[Path, str] | None = None,
) -> dict[str, pd.DataFrame | Path]:
    """Load the BACI release into ``trade_flows`` (a year-partitioned dataset), ``baci_years``, ``baci_countries``.

    ``paths["flows"]`` is one path or a list of paths, any mix of year CSVs and
    release zips. Each year file becomes one partition
    ``trade_flows/year=<t>/part-0.parquet``, written by DuckDB straight from the
    CSV (a zip member is extracted, ingested and deleted, one at a time), so
    memory and temporary disk do not grow with the number of years.

    Incremental: ``previous`` is the live warehouse (or ``None``). A year file
    whose name, sha256 and :func:`inputs_sha256` equal what its ``baci_years``
    row records, and whose partition holds the recorded rows, is not read again:
    its partition is hard-linked into the new build (``reused`` true). A new
    release has other file names (``_V<release>``), so every year is read again;
    years absent from the input are not carried over. ``checksums`` (path ->
    sha256, from the build's fetch) spares hashing the input files a second time.

    A year whose file has no quantity at all (the 2022 file of the mirror) keeps
    ``qty_t`` NULL, which ``baci_years.has_quantities`` reports.
    """
    countries_path = single_path(paths, "countries")
    countries = read_country_codes(countries_path)
    workdir = Path(workdir)
    inputs = _as_list(paths["flows"])
    products = release_products(inputs)
    files: list[YearFile] = []
    known = {Path(k): v for k, v in (checksums or {}).items()}
    for p in inputs:
        files.extend(year_files(p, known.get(p)))
    names = [f.name for f in files]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DataFormatError(files[names.index(dup[0])].path, "year file given twice (mirror and zip?)")
    seen = [f.year for f in files]
    if len(set(seen)) != len(seen):
        raise DataFormatError(files[0].path, f"two year files hold the same year ({sorted(seen)})")
    key = inputs_sha256(known.get(countries_path) or sha256_of(countries_path), products)
    reusable = _reusable(previous, key)
    dataset = workdir / "trade_flows"
    shutil.rmtree(dataset, ignore_errors=True)  # a previous call in the same folder
    dataset.mkdir(parents=True)
    years = []
    for f in sorted(files, key=lambda f: f.year):
        hit = reusable.get((f.year, f.name, f.sha256))
        if hit is not None:
            row, parts = hit
            _carry_partition(parts, dataset / f"year={f.year}")
            log.info("baci %s (%s): unchanged, partition carried over", f.year, f.name)
            years.append({**{c: row[c] for c in YEAR_COLUMNS if c in row}, "reused": True})
            continue
        csv_path = f.extract(workdir)
        try:
            integrity = check_integrity(csv_path, sha256=f.sha256)
            totals: dict = {}
            part = ingest_year_partition(
                csv_path, countries, dataset, year=f.year, hs_revision=f.hs_revision, products=products, totals=totals
            )
        finally:
            if f.member is not None:
                csv_path.unlink(missing_ok=True)
        summary = {"year": f.year, "file": f.name, **totals} if totals else year_summary(part, f.name, f.year)
        if f.name in KNOWN_FILES and summary["rows"] != KNOWN_FILES[f.name][2]:
            raise DataFormatError(
                f.path, f"has {summary['rows']} rows; the release's file has {KNOWN_FILES[f.name][2]}"
            )
        log.info("baci %s (%s): ingested %s rows", f.year, f.name, summary["rows"])
        years.append({**summary, "integrity": integrity, "sha256": f.sha256, "inputs_sha256": key, "reused": False})
    baci_years = pd.DataFrame(years, columns=YEAR_COLUMNS).astype({"reused": bool, "has_quantities": bool})
    baci_years = baci_years.sort_values("year").reset_index(drop=True)
    return {"trade_flows": dataset, "baci_years": baci_years, "baci_countries": countries}


YEARS_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(1988, 2100), unique=True),
        "file": pa.Column(str),
        "rows": pa.Column(int, pa.Check.gt(0)),
        "has_quantities": pa.Column(bool),
        "value_usd_total": pa.Column(float, pa.Check.ge(0)),
        "integrity": pa.Column(str),
        "sha256": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{64}$")),
        "inputs_sha256": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{64}$")),
        "reused": pa.Column(bool),
    },
    strict=True,
)

COUNTRY_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column("int32", unique=True),
        "name": pa.Column(str),
        "iso2": pa.Column(str, nullable=True),
        "iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3}$")),
        "is_current": pa.Column(bool),
    },
    strict=True,
)

SOURCE = Source(
    name="baci",
    title="CEPII BACI bilateral trade flows (HS6)",
    publisher="CEPII",
    licence="Etalab Open Licence 2.0",
    release=f"{HS_REVISION} {RELEASE}",
    files=(
        RemoteFile(
            "flows",
            f"baci/BACI_{HS_REVISION}_Y*_{RELEASE}*.csv",
            f"https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_{HS_REVISION}_{RELEASE}.zip",
            many=True,
        ),
        RemoteFile(
            "countries",
            f"baci/country_codes_{RELEASE}.csv",
            f"https://www.cepii.fr/DATA_DOWNLOAD/baci/data/country_codes_{RELEASE}.csv",
        ),
    ),
    load=read_baci,
    incremental=True,
    tables=("trade_flows", "baci_years", "baci_countries"),
    schemas={"baci_years": YEARS_SCHEMA, "baci_countries": COUNTRY_SCHEMA},
    url_page="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
)
