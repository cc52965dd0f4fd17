"""CEPII BACI: bilateral trade flows at HS6 (``t,i,j,k,v,q``), streamed with DuckDB.

Format (CEPII, BACI readme): one CSV per year ``BACI_HS<rev>_Y<year>_V<release>.csv``
inside the release zip, columns ``t`` year, ``i`` exporter, ``j`` importer (numeric
BACI codes, not ISO), ``k`` HS6 product, ``v`` value in thousand current USD,
``q`` quantity in metric tons (missing written empty or ``NA``); and a country
table ``country_codes_V<release>.csv``.

Canonical table ``trade_flows``: ``year, exporter, importer, hs6, value_usd,
qty_t, hs_revision`` with ISO3 countries (BACI 490 "Other Asia, nes" is Taiwan,
``TWN``), HS6 as 6-character text and value in USD (``v * 1000``).
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path
from typing import Mapping

import duckdb
import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import RemoteFile, Source

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
    "BACI_HS17_Y2022_V202601_critical31.csv":
        (648992, "a8fd800a912aa6d7ca985004dc5d55d1e4909288a807541759b3581fd314ab98", 23167),
    "BACI_HS17_Y2024_V202601_critical31.csv":
        (726189, "f3ed3d9f2a9bf1b920aec38f032b091541dc5e88cc25e590ea58e3d9e0a3fee0", 21723),
}


def check_integrity(path: Path, known: Mapping[str, tuple[int, str, int]] = KNOWN_FILES) -> str:
    """Truncation check and, for a known file, size and sha256; return what could be verified.

    The last byte must be a newline (a file cut mid-line may still parse, e.g.
    ``6772.8`` cut from ``6772.859``). A file in ``known`` must have its
    recorded size and sha256 (its row count is compared after the ingest).

    Raises
    ------
    DataFormatError
        Truncated file, or size / checksum different from the release's.
    """
    from critmin.sources.http import sha256_of

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
    got = sha256_of(path)
    if got != want_sha:
        raise DataFormatError(path, f"sha256 {got} differs from the release's {want_sha}")
    return "verified: size and sha256 of the release's file"


def read_country_codes(path: Path) -> pd.DataFrame:
    """Parse BACI's ``country_codes_V*.csv`` into ``code, name, iso2, iso3``.

    The current code is preferred where two codes share an ISO3 (e.g. 56/58
    Belgium); ``is_current`` marks it (names ending in ``(...YYYY)`` are old).
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFormatError(path, f"not a readable CSV ({exc})") from None
    missing = [c for c in COUNTRY_HEADER if c not in df.columns]
    if missing:
        raise DataFormatError(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(COUNTRY_HEADER)}")
    bad = ~df["country_code"].str.fullmatch(r"\d{1,3}")
    if bad.any():
        i = int(bad.idxmax())
        raise DataFormatError(path, f"country code {df.loc[i, 'country_code']!r} is not a number", row=i + 1,
                              field="country_code")
    out = pd.DataFrame({
        "code": df["country_code"].astype("int32"),
        "name": df["country_name"],
        "iso2": df["country_iso2"].replace("", None),
        "iso3": df["country_iso3"].map(lambda s: ISO_OVERRIDES.get(s, s)),
    })
    out["is_current"] = ~out["name"].str.contains(r"\(\.\.\.\d{4}\)", regex=True)
    return out


def _check_header(path: Path) -> None:
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        header = next(csv.reader(fh), None)
    if header is None:
        raise DataFormatError(path, "file is empty; expected header t,i,j,k,v,q")
    header = [h.strip().lower() for h in header]
    if header != EXPECTED_HEADER:
        missing = [c for c in EXPECTED_HEADER if c not in header]
        raise DataFormatError(path, f"header is {','.join(header)}; expected t,i,j,k,v,q"
                              + (f" (missing {', '.join(missing)})" if missing else ""))


def _accepted_codes(countries: pd.DataFrame) -> pd.DataFrame:
    """Codes a year file may use: the current code of every ISO3 (58 Belgium-Luxembourg is not)."""
    return countries[countries["is_current"] | ~countries["iso3"].duplicated(keep=False)]


def _file_year(path: Path) -> int | None:
    m = YEAR_FILE.search(Path(path).name)
    return int(m.group(2)) if m else None


def _diagnose(path: Path, known_codes: set[int]) -> DataFormatError:
    """Slow path, only after DuckDB refused the file: find the first bad row."""
    file_year = _file_year(path)
    seen: set[tuple[str, str, str, str]] = set()
    with open(path, newline="", encoding="utf-8", errors="strict") as fh:
        reader = csv.reader(fh)
        next(reader)
        for n, row in enumerate(reader, start=1):
            if len(row) != 6:
                return DataFormatError(path, f"has {len(row)} fields; expected 6 (t,i,j,k,v,q) — truncated "
                                             f"or malformed line", row=n)
            t, i, j, k, v, q = (x.strip() for x in row)
            for name, val in (("t", t), ("i", i), ("j", j)):
                if not val.isdigit():
                    return DataFormatError(path, f"{val!r} is not an integer", row=n, field=name)
            for name, val in (("i", i), ("j", j)):
                if int(val) not in known_codes:
                    return DataFormatError(path, f"country code {val} is not a current code of the BACI "
                                                 f"country table",
                                           row=n, field=name)
            if not re.fullmatch(r"\d{4,6}", k):
                return DataFormatError(path, f"product code {k!r} is not an HS6 code (4-6 digits)", row=n,
                                       field="k")
            if not HS6_MIN <= int(k) <= HS6_MAX:
                return DataFormatError(path, f"product code {k!r} is not a plausible HS6 code (chapters 01-97)",
                                       row=n, field="k")
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
                    return DataFormatError(path, f"negative value {val}; trade values and quantities must "
                                                 f"be >= 0", row=n, field=name)
                if x > (MAX_VALUE_KUSD if name == "v" else MAX_QTY_T):
                    return DataFormatError(path, f"absurd {'value' if name == 'v' else 'quantity'} {val} "
                                                 f"(above {MAX_VALUE_KUSD if name == 'v' else MAX_QTY_T:g})",
                                           row=n, field=name)
            if file_year is not None and int(t) != file_year:
                return DataFormatError(path, f"year {t} differs from the file name's year {file_year}", row=n,
                                       field="t")
            if int(i) == int(j):
                return DataFormatError(path, f"self-trade: exporter and importer are both {i}", row=n,
                                       field="j")
            key = (str(int(t)), str(int(i)), str(int(j)), k.zfill(6))
            if key in seen:
                return DataFormatError(path, f"duplicate flow (t, i, j, k) = {', '.join(key)}", row=n)
            seen.add(key)
    return DataFormatError(path, "DuckDB could not parse the file, but no bad row was found")


def ingest_year_file(csv_path: Path, countries: pd.DataFrame, out_path: Path, *,
                     hs_revision: str = HS_REVISION, threads: int | None = None) -> int:
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


def _parquet_is_clean(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Whether the fast path's output passes every check, read from the Parquet statistics.

    The row-group statistics (null count, minimum) written with the file answer
    "any NULL in a required column?" and "any negative value or quantity?"
    without reading the data; if a statistic is missing the columns are scanned.
    """
    stats = con.execute(f"""
        SELECT path_in_schema, stats_null_count, TRY_CAST(stats_min AS DOUBLE) AS min_value, stats_min
        FROM parquet_metadata('{path.as_posix()}')""").fetchall()
    complete = True
    for col, nulls, min_value, min_text in stats:
        if col in _NOT_NULL:
            if nulls is None:
                complete = False
            elif nulls:
                return False
        if col in _NOT_NEGATIVE and min_text is not None:
            if min_value is None:
                complete = False
            elif min_value < 0:
                return False
    if complete and {c for c, *_ in stats} >= set(_NOT_NULL + _NOT_NEGATIVE):
        return True
    bad = con.execute(f"""
        SELECT count(*) FILTER (WHERE {' OR '.join(f'{c} IS NULL' for c in _NOT_NULL)}
                                   OR {' OR '.join(f'{c} < 0' for c in _NOT_NEGATIVE)})
        FROM read_parquet('{path.as_posix()}')""").fetchone()[0]
    return bad == 0


def _rows_are_plausible(con: duckdb.DuckDBPyConnection, source_sql: str, file_year: int | None) -> bool:
    """One aggregate over the converted rows: no inf/nan/absurd value, no self-trade, no other year, no duplicate.

    ``source_sql`` yields ``year, exporter, importer, hs6, value_usd, qty_t``
    (``value_usd`` in USD). Duplicates: ``count(*) = count(DISTINCT (year,
    exporter, importer, hs6))``.
    """
    other_year = f"OR year <> {int(file_year)}" if file_year is not None else ""
    bad, dup = con.execute(f"""
        SELECT count(*) FILTER (WHERE NOT isfinite(value_usd) OR value_usd > {MAX_VALUE_KUSD * 1000.0}
                                   OR (qty_t IS NOT NULL AND (NOT isfinite(qty_t) OR qty_t > {MAX_QTY_T}))
                                   OR exporter = importer {other_year}),
               count(*) - count(DISTINCT (year, exporter, importer, hs6))
        FROM {source_sql}""").fetchone()
    return bad == 0 and dup == 0


def _ingest_clean(csv_path: Path, countries: pd.DataFrame, out_path: Path, *, hs_revision: str,
                  threads: int | None) -> int | None:
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
        con.execute(f"CREATE MACRO iso3_of(c) AS ([{items}]::iso3[])[c + 1]")
        # a code read as a number must be whole (740311.6 is not a code): else NULL, and the check fails
        con.execute("CREATE MACRO whole(x) AS CASE WHEN x = trunc(x) THEN CAST(x AS UINTEGER) END")
        rows = con.execute(f"""
            COPY (
              WITH r AS (SELECT whole(t) AS t, whole(i) AS i, whole(j) AS j, whole(k) AS k, v, q FROM {src})
              SELECT CAST(r.t AS SMALLINT) AS year, iso3_of(r.i) AS exporter, iso3_of(r.j) AS importer,
                     CASE WHEN r.k BETWEEN 100000 AND {HS6_MAX} THEN CAST(r.k AS VARCHAR)
                          WHEN r.k BETWEEN {HS6_MIN} AND 99999 THEN lpad(CAST(r.k AS VARCHAR), 6, '0') END AS hs6,
                     r.v * 1000.0 AS value_usd, r.q AS qty_t, '{hs_revision}' AS hs_revision
              FROM r
            ) TO '{tmp.as_posix()}' (FORMAT parquet, COMPRESSION snappy)""").fetchone()[0]
        clean = (bool(rows) and _parquet_is_clean(con, tmp)
                 and _rows_are_plausible(con, f"read_parquet('{tmp.as_posix()}')", _file_year(csv_path)))
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


def _ingest_validating(csv_path: Path, countries: pd.DataFrame, out_path: Path, *, hs_revision: str,
                       threads: int | None) -> int:
    """Validate the whole file first (exact error on the first bad row), then convert it."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads={int(threads)}")
    con.register("cc", _accepted_codes(countries)
                 [["code", "iso3"]])
    src = f"""read_csv('{csv_path.as_posix()}', header=true, delim=',', quote='"',
                columns={{'t':'INTEGER','i':'INTEGER','j':'INTEGER','k':'VARCHAR','v':'DOUBLE','q':'VARCHAR'}},
                nullstr=['NA', ''], auto_detect=false, strict_mode=true)"""
    tmp = out_path.with_name(out_path.name + ".tmp")
    try:
        con.execute(f"CREATE TEMP VIEW raw AS SELECT t, i, j, k, v, NULLIF(NULLIF(trim(q), 'NA'), '') AS q "
                    f"FROM {src}")
        bad = con.execute(f"""
            SELECT count(*) FILTER (WHERE v < 0 OR TRY_CAST(q AS DOUBLE) < 0),
                   count(*) FILTER (WHERE NOT regexp_full_match(trim(k), '\\d{{4,6}}')
                                       OR TRY_CAST(trim(k) AS INTEGER) NOT BETWEEN {HS6_MIN} AND {HS6_MAX}),
                   count(*) FILTER (WHERE i NOT IN (SELECT code FROM cc) OR j NOT IN (SELECT code FROM cc)),
                   count(*) FILTER (WHERE q IS NOT NULL AND TRY_CAST(q AS DOUBLE) IS NULL),
                   count(*) FILTER (WHERE t IS NULL OR i IS NULL OR j IS NULL OR k IS NULL OR v IS NULL)
            FROM raw""").fetchone()
        plausible = _rows_are_plausible(
            con, "(SELECT t AS year, i AS exporter, j AS importer, lpad(trim(k), 6, '0') AS hs6, "
                 "v * 1000.0 AS value_usd, TRY_CAST(q AS DOUBLE) AS qty_t FROM raw)", _file_year(csv_path))
        if any(bad) or not plausible:
            raise _diagnose(csv_path, set(_accepted_codes(countries)["code"]))
        con.execute(f"""
            COPY (
              SELECT CAST(r.t AS SMALLINT) AS year, e.iso3 AS exporter, m.iso3 AS importer,
                     lpad(trim(r.k), 6, '0') AS hs6, r.v * 1000.0 AS value_usd,
                     CAST(r.q AS DOUBLE) AS qty_t, '{hs_revision}' AS hs_revision
              FROM raw r JOIN cc e ON r.i = e.code JOIN cc m ON r.j = m.code
            ) TO '{tmp.as_posix()}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1000000)""")
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{tmp.as_posix()}')").fetchone()[0]
    except (duckdb.InvalidInputException, duckdb.ConversionException, UnicodeDecodeError) as exc:
        tmp.unlink(missing_ok=True)
        try:
            raise _diagnose(csv_path, set(_accepted_codes(countries)["code"])) from None
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


def _year_files(path: Path, workdir: Path) -> list[Path]:
    """The year CSVs of a release: the file itself, or the members of a zip (extracted by streaming)."""
    if path.suffix.lower() != ".zip":
        return [path]
    files = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if YEAR_FILE.search(Path(info.filename).name):
                dest = workdir / Path(info.filename).name
                with zf.open(info) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                files.append(dest)
    if not files:
        raise DataFormatError(path, "zip holds no BACI_HS??_Y????_V*.csv year file")
    return sorted(files)


def _as_list(paths: "Path | list[Path]") -> list[Path]:
    return [Path(p) for p in paths] if isinstance(paths, (list, tuple)) else [Path(paths)]


def year_summary(part: Path, source_file: str) -> dict:
    """One ``baci_years`` row of an ingested year file (Parquet): year, file, rows, has_quantities, total.

    ``has_quantities`` is true when any row has a quantity (``qty_t`` not NULL);
    ``value_usd_total`` is :math:`\\sum v \\cdot 1000` over the file.
    """
    con = duckdb.connect()
    try:
        year, rows, with_q, total = con.execute(f"""
            SELECT min(year), count(*), count(qty_t), sum(value_usd)
            FROM read_parquet('{Path(part).as_posix()}')""").fetchone()
    finally:
        con.close()
    return {"year": int(year), "file": source_file, "rows": int(rows), "has_quantities": bool(with_q),
            "value_usd_total": float(total)}


PRODUCT_FILE = re.compile(r"product_codes_HS\d\d_V\d+\.csv$")


def release_products(paths: list[Path]) -> set[str] | None:
    """The HS6 codes of the release's product table (``product_codes_HS17_V*.csv`` in a release zip), if any.

    The table has columns ``code, description``; codes are padded to 6 digits.
    ``None`` when no given zip holds one (then only the plausible range is checked).
    """
    for p in paths:
        if p.suffix.lower() != ".zip":
            continue
        with zipfile.ZipFile(p) as zf:
            for info in zf.infolist():
                if PRODUCT_FILE.search(Path(info.filename).name):
                    with zf.open(info) as fh:
                        df = pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="latin-1")
                    if "code" not in df.columns:
                        raise DataFormatError(p, f"{info.filename}: missing column code")
                    return set(df["code"].str.strip().str.zfill(6))
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
                            WHERE hs6 NOT IN (SELECT code FROM products)""").fetchone()[0]
    finally:
        con.close()
    if not n:
        return
    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for row_no, row in enumerate(reader, start=1):
            if row[3].strip().zfill(6) not in products:
                raise DataFormatError(csv_path, f"product code {row[3]!r} is not in the release's product table",
                                      row=row_no, field="k")


def read_baci(paths: Mapping[str, "Path | list[Path]"], workdir: Path) -> dict[str, pd.DataFrame | Path]:
    """Load the BACI release into ``trade_flows`` (Parquet), ``baci_years`` and ``baci_countries``.

    ``paths["flows"]`` is one path or a list of paths, any mix of year CSVs and
    release zips (whose year files are unpacked). Every year goes into one
    ``trade_flows`` table; a year whose file has no quantity at all (the 2022
    file of the mirror) keeps ``qty_t`` NULL, which ``baci_years.has_quantities``
    reports.
    """
    countries = read_country_codes(paths["countries"])
    workdir = Path(workdir)
    year_files: list[Path] = []
    products = release_products(_as_list(paths["flows"]))
    for p in _as_list(paths["flows"]):
        year_files.extend(_year_files(p, workdir))
    names = [f.name for f in year_files]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DataFormatError(year_files[names.index(dup[0])], "year file given twice (mirror and zip?)")
    parts, years = [], []
    for i, f in enumerate(sorted(year_files, key=lambda f: f.name)):
        m = YEAR_FILE.search(f.name)
        rev = m.group(1) if m else HS_REVISION
        part = workdir / f"trade_flows_{i}.parquet"
        integrity = check_integrity(f)
        rows = ingest_year_file(f, countries, part, hs_revision=rev)
        if products is not None:
            check_products(part, f, products)
        if f.name in KNOWN_FILES and rows != KNOWN_FILES[f.name][2]:
            raise DataFormatError(f, f"has {rows} rows; the release's file has {KNOWN_FILES[f.name][2]}")
        parts.append(part)
        years.append({**year_summary(part, f.name), "integrity": integrity})
    seen = [y["year"] for y in years]
    if len(set(seen)) != len(seen):
        raise DataFormatError(year_files[0], f"two year files hold the same year ({sorted(seen)})")
    if len(parts) == 1:
        out = parts[0]
    else:
        out = workdir / "trade_flows.parquet"
        con = duckdb.connect()
        files = ", ".join(f"'{p.as_posix()}'" for p in parts)
        con.execute(f"COPY (SELECT * FROM read_parquet([{files}])) TO '{out.as_posix()}' (FORMAT parquet)")
        con.close()
    baci_years = pd.DataFrame(years, columns=["year", "file", "rows", "has_quantities", "value_usd_total",
                                              "integrity"])
    baci_years = baci_years.sort_values("year").reset_index(drop=True)
    return {"trade_flows": out, "baci_years": baci_years, "baci_countries": countries}


YEARS_SCHEMA = pa.DataFrameSchema({
    "year": pa.Column(int, pa.Check.in_range(1988, 2100), unique=True),
    "file": pa.Column(str),
    "rows": pa.Column(int, pa.Check.gt(0)),
    "has_quantities": pa.Column(bool),
    "value_usd_total": pa.Column(float, pa.Check.ge(0)),
    "integrity": pa.Column(str),
}, strict=True)

COUNTRY_SCHEMA = pa.DataFrameSchema({
    "code": pa.Column("int32", unique=True),
    "name": pa.Column(str),
    "iso2": pa.Column(str, nullable=True),
    "iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3}$")),
    "is_current": pa.Column(bool),
}, strict=True)

SOURCE = Source(
    name="baci",
    title="CEPII BACI bilateral trade flows (HS6)",
    publisher="CEPII",
    licence="Etalab Open Licence 2.0",
    release=f"{HS_REVISION} {RELEASE}",
    files=(
        RemoteFile("flows", f"baci/BACI_{HS_REVISION}_Y*_{RELEASE}*.csv",
                   f"https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_{HS_REVISION}_{RELEASE}.zip", many=True),
        RemoteFile("countries", f"baci/country_codes_{RELEASE}.csv",
                   f"https://www.cepii.fr/DATA_DOWNLOAD/baci/data/country_codes_{RELEASE}.csv"),
    ),
    load=read_baci,
    tables=("trade_flows", "baci_years", "baci_countries"),
    schemas={"baci_years": YEARS_SCHEMA, "baci_countries": COUNTRY_SCHEMA},
    url_page="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
)
