"""Presentation helpers shared by every command: one number style, usage-error lines, table files.

Numbers print the same way everywhere (:func:`fmt_number`): thousands separators,
no trailing ``.00`` on whole numbers, no scientific notation, and an empty cell
(not ``None``/``nan``) for a missing value. Tables written with ``--csv`` or
``--xlsx`` have exactly the columns ``--json`` prints (:func:`write_table_file`).
"""

from __future__ import annotations

import math
from numbers import Number
from pathlib import Path
from typing import Any

MISSING = ""


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
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Number):
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
    if value_inr is None or (isinstance(value_inr, Number) and math.isnan(float(value_inr))):
        return MISSING
    return f"₹{fmt_number(float(value_inr) / 1e7)} cr"


def is_click_error(exc: BaseException, name: str) -> bool:
    """True if ``exc`` is click's (or typer's vendored click's) exception class ``name`` or a subclass."""
    return any(cls.__name__ == name and cls.__module__.endswith("exceptions") for cls in type(exc).__mro__)


def usage_error_line(exc) -> str:
    """One line naming a command-line usage problem (click/typer ``UsageError``), without the usage block."""
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    message = " ".join(str(message).split())
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "critmin"
    return f"error: {where}: {message} (see '{where} --help')"


def write_table_file(records: list[dict[str, Any]] | Any, path: Path) -> Path:
    """Write a table (list of JSON records or a DataFrame) to ``.csv`` or ``.xlsx`` by suffix, atomically.

    The columns are the keys of the JSON records, in order, so the file matches ``--json``.
    """
    import pandas as pd

    from critmin.errors import ConfigError
    from critmin.jsonable import jsonable

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ConfigError(f"table output must end in .csv or .xlsx, got {path.name}")
    df = records if isinstance(records, pd.DataFrame) else pd.DataFrame(jsonable(list(records)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp" + suffix)
    if suffix == ".csv":
        df.to_csv(tmp, index=False)
    else:
        df.to_excel(tmp, index=False, engine="openpyxl")
    tmp.replace(path)
    return path
