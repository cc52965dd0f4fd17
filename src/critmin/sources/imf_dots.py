"""IMF Direction of Trade Statistics (DOTS): goods exports FOB for every reporter-partner pair.

Format (IMF SDMX JSON API, indicator ``TXG_FOB_USD``, annual, as written to CSV by an SDMX
client): ``,from,to,2019,2020`` -- a leading unnamed row-index column, ``from`` the reporting
(exporting) economy, ``to`` the partner, then one column per year in **USD million**. Codes
are IMF codes: an economy is an ISO 3166-1 alpha-2 code (``PE``, ``CN``; ``AN`` Netherlands
Antilles is still used), anything else is an IMF group (``W00`` world, ``XR43``, ``1C_092``,
``F6``, ``_X`` ...; they contain a digit, an underscore or are not two letters).

Canonical tables:

* ``dots_exports``: ``year, exporter, importer, value_usd`` for every pair of economies
  (ISO3 via :func:`critmin.countries.iso3_of_iso2`), ``value_usd = USD million x 1e6``.
  IMF groups on either side are dropped; zero flows are kept as the IMF reports them.
* ``dots_export_totals``: ``year, exporter, value_usd``, each economy's exports to ``W00``
  (the world), so that the share of a partner in a reporter's exports can be stated.

Values are as reported by the exporter (FOB); the same pair seen from the importer (CIF)
is a different IMF indicator and is not in this file. An empty cell (not reported) is skipped.
"""

from __future__ import annotations

import gzip
import math
import re
import zlib
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.countries import iso3_of_iso2
from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import csv_rows

REQUIRED = ["from", "to"]
YEAR_COLUMN = re.compile(r"^\d{4}$")
WORLD = "W00"
COLUMNS = ["year", "exporter", "importer", "value_usd"]


def _text(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise DataFormatError(
                path, f"gzip data is damaged ({exc.__class__.__name__}: {exc}); truncated or not the publisher's file"
            ) from None
    if not data.strip():
        raise DataFormatError(path, "file is empty")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFormatError(path, f"byte 0x{data[exc.start]:02x} at line {line} is not valid UTF-8") from None


def is_economy_code(code: str) -> bool:
    """True for an IMF code naming one economy (two capital letters), False for an IMF group."""
    return bool(re.fullmatch(r"[A-Z]{2}", code))


def read_dots(path: Path) -> dict[str, pd.DataFrame]:
    """Parse the DOTS exports CSV (``.csv`` or ``.csv.gz``) into ``dots_exports`` and ``dots_export_totals``.

    ``value_usd = value_usd_mn * 1e6`` (rounded to the dollar).

    Parameters
    ----------
    path : Path
        The IMF file.

    Returns
    -------
    dict of DataFrame
        ``{"dots_exports": year, exporter, importer, value_usd;
        "dots_export_totals": year, exporter, value_usd}``.

    Raises
    ------
    DataFormatError
        Damaged or empty file, missing ``from``/``to`` or year columns, a two-letter code
        that is not an ISO alpha-2 code, a value that is not a finite number >= 0, or a
        pair listed twice (``row`` is the 1-based data row).
    """
    path = Path(path)
    header, rows = csv_rows(path, _text(path), required=REQUIRED)
    years = [c for c in header if YEAR_COLUMN.match(c)]
    if not years:
        raise DataFormatError(path, "no year column; expected columns such as 2019, 2020 (USD million)")
    ix_from, ix_to = header.index("from"), header.index("to")
    ix_years = [(int(y), header.index(y)) for y in years]
    pairs: list[tuple] = []
    totals: list[tuple] = []
    seen: dict[tuple[str, str], int] = {}
    for n, fields in rows:
        codes = []
        for ix, name in ((ix_from, "from"), (ix_to, "to")):
            code = fields[ix].strip().upper()
            if not code:
                raise DataFormatError(path, "empty country code", row=n, field=name)
            if is_economy_code(code):
                iso3 = iso3_of_iso2(code)
                if iso3 is None:
                    raise DataFormatError(
                        path,
                        f"unknown country code {code!r}: not an ISO 3166-1 alpha-2 code "
                        f"critmin knows (add it to critmin/country_names.csv)",
                        row=n,
                        field=name,
                    )
                codes.append(iso3)
            else:
                codes.append(code)
        key = (fields[ix_from].strip(), fields[ix_to].strip())
        if key in seen:
            raise DataFormatError(
                path, f"pair {key[0]} -> {key[1]} appears twice (first at row {seen[key]})", row=n, field="to"
            )
        seen[key] = n
        exporter, importer = codes
        economy_exporter = is_economy_code(key[0].upper())
        if not economy_exporter:
            continue
        target = pairs if is_economy_code(key[1].upper()) else totals if key[1].upper() == WORLD else None
        if target is None:
            continue
        for year, ix in ix_years:
            raw = fields[ix].strip()
            if raw == "":
                continue
            try:
                value = float(raw)
            except ValueError:
                raise DataFormatError(path, f"{raw!r} is not a number (USD million)", row=n, field=str(year)) from None
            if not math.isfinite(value) or value < 0:
                raise DataFormatError(
                    path, f"value {raw} must be a finite number >= 0 (USD million)", row=n, field=str(year)
                )
            usd = round(value * 1e6)
            if target is pairs:
                pairs.append((year, exporter, importer, float(usd)))
            else:
                totals.append((year, exporter, float(usd)))
    if not pairs:
        raise DataFormatError(path, "no rows between two economies (only IMF groups, or no data rows)")
    flows = pd.DataFrame.from_records(pairs, columns=COLUMNS).astype({"year": "int16"})
    flows = flows.sort_values(["year", "exporter", "importer"], kind="stable").reset_index(drop=True)
    world = pd.DataFrame.from_records(totals, columns=["year", "exporter", "value_usd"]).astype({"year": "int16"})
    world = world.sort_values(["year", "exporter"], kind="stable").reset_index(drop=True)
    return {"dots_exports": flows, "dots_export_totals": world}


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return read_dots(single_path(files, "exports"))


ISO3 = pa.Check.str_matches(r"^[A-Z]{3}$")
DOTS_EXPORTS_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column("int16", pa.Check.in_range(1948, 2100)),
        "exporter": pa.Column(str, ISO3),
        "importer": pa.Column(str, ISO3),
        "value_usd": pa.Column(float, pa.Check.ge(0)),
    },
    strict=True,
    unique=["year", "exporter", "importer"],
)
DOTS_TOTALS_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column("int16", pa.Check.in_range(1948, 2100)),
        "exporter": pa.Column(str, ISO3),
        "value_usd": pa.Column(float, pa.Check.ge(0)),
    },
    strict=True,
    unique=["year", "exporter"],
)

SOURCE = Source(
    name="imf_dots",
    title="IMF Direction of Trade Statistics: goods exports FOB by partner",
    publisher="International Monetary Fund",
    licence="IMF data terms (copying and redistribution with attribution)",
    release="TXG_FOB_USD, annual 2019-2020",
    files=(
        RemoteFile(
            "exports",
            "imf/imf_dots_txg_fob_usd_2019_2020.csv.gz",
            "https://data.imf.org/?sk=9d6028d4-f14a-464c-a2f2-59b2cd424b85",
        ),
    ),
    load=_load,
    tables=("dots_exports", "dots_export_totals"),
    schemas={"dots_exports": DOTS_EXPORTS_SCHEMA, "dots_export_totals": DOTS_TOTALS_SCHEMA},
    url_page="https://data.imf.org/?sk=9d6028d4-f14a-464c-a2f2-59b2cd424b85",
    downloadable=False,
)
