"""A result's tables as the front ends show and write them: the JSON payload cut into named tables.

The command line (``--csv``/``--xlsx``) and the web app's downloads both use these functions,
so a table file has exactly the columns of the ``--json`` output, whichever front end wrote it.
"""

from __future__ import annotations

import io
import math
from decimal import Decimal
from numbers import Real
from typing import Any

MISSING = ""


def _pd_na():
    try:
        import pandas as pd

        return pd.NA
    except ImportError:  # pragma: no cover
        return None


def fmt_number(value: Any, *, decimals: int = 2) -> str:
    """Format one cell in critmin's number style.

    Parameters
    ----------
    value : Any
        A number, ``None``/NaN (shown as an empty cell) or anything else (``str(value)``).
    decimals : int
        Decimals for non-whole numbers below 1,000 in magnitude; numbers of 1,000 or more
        print without decimals, whole numbers without a ``.00``.

    Returns
    -------
    str
        e.g. ``3,030,000,000``, ``8``, ``0.42``, ``1,234``, ``""`` for a missing value.
    """
    if value is None or value is _pd_na():
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (Real, Decimal)):  # the numbers float() takes (not complex)
        v = float(value)
        if math.isnan(v):
            return MISSING
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        if v.is_integer() or abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:,.{decimals}f}"
    return str(value)


def fmt_inr_crore(value_inr: Any) -> str:
    """Format an INR amount in crore (1 crore = 10⁷ rupees): ``₹1,234 cr``; empty if missing."""
    if value_inr is None or (isinstance(value_inr, (Real, Decimal)) and math.isnan(float(value_inr))):
        return MISSING
    return f"₹{fmt_number(float(value_inr) / 1e7)} cr"


def fmt_money(value: Any, currency: str | None = "USD") -> str:
    """An amount with its scale and currency: ``USD 4.98 bn``, ``USD 253.35 mn``, ``USD 8,232``;
    INR in crore (:func:`fmt_inr_crore`); empty if missing."""
    if value is None or (isinstance(value, (Real, Decimal)) and math.isnan(float(value))):
        return MISSING
    if currency == "INR":
        return fmt_inr_crore(value)
    scale, word = (1e9, " bn") if abs(value) >= 1e9 else (1e6, " mn") if abs(value) >= 1e6 else (1, "")
    return f"{currency or 'USD'} {fmt_number(value / scale)}{word}"


def flat_cell(v: Any) -> Any:
    """A list cell of a JSON record as ``a; b`` text (CSV and Excel cells hold no lists)."""
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}={x}" for k, x in v.items())
    return v


def json_tables(obj: Any) -> dict[str, list[dict]]:
    """The tables in a command's ``--json`` payload, by name.

    A list of records is one table (``table``); in a dict, every list of records is a table under its
    key, and the scalar fields together form a one-row ``summary`` table.
    """
    from critmin.jsonable import jsonable

    data = jsonable(obj)
    if isinstance(data, list):
        return {"table": [r if isinstance(r, dict) else {"value": r} for r in data]}
    if not isinstance(data, dict):
        return {"table": [{"value": data}]}
    tables: dict[str, list[dict]] = {}
    scalars = {k: v for k, v in data.items() if not isinstance(v, (list, dict))}
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            tables[str(key)] = value
    if scalars:
        tables["summary"] = [scalars]
    return tables or {"table": [data]}


def main_table(tables: dict[str, list[dict]]) -> str:
    """Name of the table a single-table file holds: the one with the most rows (first on ties)."""
    return max(tables, key=lambda k: len(tables[k]))


def table_frame(records: list[dict[str, Any]] | Any):
    """A DataFrame of JSON records (or a DataFrame) with list and dict cells flattened to text.

    The columns are the records' keys in order, so a file written from it matches ``--json``.
    """
    import pandas as pd

    from critmin.jsonable import jsonable

    df = records if isinstance(records, pd.DataFrame) else pd.DataFrame(jsonable(list(records)))
    return df.apply(lambda col: col.map(flat_cell) if col.dtype == object else col)


def csv_bytes(records: list[dict[str, Any]] | Any) -> bytes:
    """One table as UTF-8 CSV with a header row (see :func:`table_frame`)."""
    return table_frame(records).to_csv(index=False).encode("utf-8")


def xlsx_bytes(tables: dict[str, list[dict]], *, first: str | None = None) -> bytes:
    """Tables as an Excel workbook, one sheet per table: ``first`` (default :func:`main_table`) first."""
    import pandas as pd

    main = first if first in tables else main_table(tables)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name in [main, *[n for n in tables if n != main]]:
            table_frame(tables[name]).to_excel(xw, sheet_name=name[:31], index=False)
    return buf.getvalue()
