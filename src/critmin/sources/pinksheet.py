"""World Bank Commodity Price Data (The Pink Sheet), monthly: metal prices.

Format (World Bank, ``CMO-Historical-Data-Monthly.xlsx``, sheet ``Monthly Prices``):
a few title rows, then one row of series names (``Aluminum``, ``Iron ore, cfr spot``,
``Copper``...), one row of units in parentheses (``($/mt)``, ``($/dmtu)``,
``($/troy oz)``), then one row per month labelled ``1960M01`` in column A.
Prices are nominal US dollars; ``…`` or ``...`` marks a missing value.

Canonical table ``metal_prices``: ``series`` (critmin mineral id), ``month``
(first day of the month), ``price`` (float, nominal USD), ``unit`` (``$/mt``,
``$/dmtu`` dry metric ton unit, ``$/troy oz``) and ``name`` (the Pink Sheet's
series name). Months with a missing value are left out.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import open_workbook, sheet, workbook_reader

SHEET = "Monthly Prices"
# Pink Sheet series name -> critmin series id
METALS: dict[str, str] = {
    "Aluminum": "aluminium",
    "Iron ore, cfr spot": "iron_ore",
    "Copper": "copper",
    "Lead": "lead",
    "Tin": "tin",
    "Nickel": "nickel",
    "Zinc": "zinc",
    "Gold": "gold",
    "Platinum": "platinum",
    "Silver": "silver",
}
MISSING = {"…", "...", "..", "", "n.a.", "na"}
MONTH_RE = re.compile(r"^(\d{4})M(\d{2})$")
COLUMNS = ["series", "month", "price", "unit", "name"]


def _clean(cell) -> str:
    return re.sub(r"\s+", " ", str(cell)).strip().rstrip("*").strip() if cell is not None else ""


@workbook_reader
def read_pinksheet(path: Path) -> pd.DataFrame:
    """Parse the Pink Sheet monthly workbook into the ``metal_prices`` table.

    Parameters
    ----------
    path : Path
        ``CMO-Historical-Data-Monthly.xlsx``.

    Returns
    -------
    DataFrame
        ``series, month, price, unit, name``, one row per metal and month.

    Raises
    ------
    DataFormatError
        Not a workbook, no ``Monthly Prices`` sheet, a metal column or its unit
        missing, a bad month label, a non-numeric or negative price (``row`` is
        the worksheet row, ``field`` the series name).
    """
    path = Path(path)
    wb = open_workbook(path)
    try:
        return _read(path, sheet(wb, path, SHEET))
    except (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError) as exc:
        raise DataFormatError(
            path, f"workbook is damaged ({exc.__class__.__name__}: {exc}); truncated or not the publisher's file"
        ) from None
    finally:
        wb.close()


def _read(path: Path, ws) -> pd.DataFrame:
    rows = ws.iter_rows(values_only=True)
    cols: dict[str, int] | None = None
    units: dict[str, str] = {}
    recs = []
    r = 0
    for row in rows:
        r += 1
        if cols is None:
            names = [_clean(c) for c in row]
            if "Copper" in names and "Gold" in names:
                missing = [m for m in METALS if m not in names]
                if missing:
                    raise DataFormatError(
                        path, f"sheet {SHEET!r} has no column(s) {', '.join(missing)}", row=r, field=missing[0]
                    )
                cols = {m: names.index(m) for m in METALS}
                unit_row = next(rows, None)
                r += 1
                for m, i in cols.items():
                    u = _clean(unit_row[i] if unit_row is not None and i < len(unit_row) else None)
                    if not (u.startswith("(") and u.endswith(")")):
                        raise DataFormatError(
                            path, f"unit {u!r} under {m!r} is not a '($/...)' unit label", row=r, field=m
                        )
                    units[m] = u[1:-1].strip()
            elif r > 20:
                break
            continue
        label = _clean(row[0] if row else None)
        if not label and all(c is None for c in row):
            continue
        match = MONTH_RE.match(label)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise DataFormatError(path, f"month label {label!r} is not of the form 1960M01", row=r, field="A")
        month = date(int(match.group(1)), int(match.group(2)), 1)
        for m, i in cols.items():
            v = row[i] if i < len(row) else None
            if v is None or (isinstance(v, str) and v.strip().lower() in MISSING):
                continue
            if isinstance(v, str):
                try:
                    v = float(v.replace(",", "").strip())
                except ValueError:
                    raise DataFormatError(path, f"price {v!r} is not a number", row=r, field=m) from None
            elif isinstance(v, bool) or not isinstance(v, (int, float)):
                raise DataFormatError(path, f"price {v!r} is not a number", row=r, field=m)
            if v < 0:
                raise DataFormatError(path, f"negative price {v}; prices must be >= 0", row=r, field=m)
            recs.append((METALS[m], month, float(v), units[m], m))
    if cols is None:
        raise DataFormatError(path, f"sheet {SHEET!r} has no header row naming the series (Copper, Gold, ...)")
    if not recs:
        raise DataFormatError(path, f"sheet {SHEET!r} has no monthly price rows")
    df = pd.DataFrame.from_records(recs, columns=COLUMNS)
    df["month"] = pd.to_datetime(df["month"])
    return df.sort_values(["series", "month"], kind="stable").reset_index(drop=True)


def load_pinksheet(paths: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    """``Source.load``: the Pink Sheet workbook -> ``metal_prices``."""
    return {"metal_prices": read_pinksheet(single_path(paths, "monthly"))}


METAL_PRICES_SCHEMA = pa.DataFrameSchema(
    {
        "series": pa.Column(str, pa.Check.isin(sorted(set(METALS.values())))),
        "month": pa.Column("datetime64[ns]", pa.Check.in_range(pd.Timestamp("1960-01-01"), pd.Timestamp("2100-12-01"))),
        "price": pa.Column(float, pa.Check.ge(0)),
        "unit": pa.Column(str, pa.Check.str_startswith("$/")),
        "name": pa.Column(str),
    },
    strict=True,
    unique=["series", "month"],
)

SOURCE = Source(
    name="pinksheet",
    title="World Bank Commodity Price Data (The Pink Sheet), monthly metal prices",
    publisher="World Bank",
    licence="CC BY 4.0",
    release="monthly (mirror copy updated 2026-06-02)",
    files=(
        RemoteFile(
            "monthly",
            "worldbank/CMO-Historical-Data-Monthly.xlsx",
            "https://thedocs.worldbank.org/en/doc/74e8be41ceb20fa0da750cda2f6b9e4e-0050012026/related/"
            "CMO-Historical-Data-Monthly.xlsx",
        ),
    ),
    load=load_pinksheet,
    tables=("metal_prices",),
    schemas={"metal_prices": METAL_PRICES_SCHEMA},
    url_page="https://www.worldbank.org/en/research/commodity-markets",
)
