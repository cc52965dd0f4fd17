"""Presentation helpers shared by every command: one number style, usage-error lines, table files.

Numbers print the same way everywhere (:func:`fmt_number`): thousands separators,
no trailing ``.00`` on whole numbers, no scientific notation, and an empty cell
(not ``None``/``nan``) for a missing value. Tables written with ``--csv`` or
``--xlsx`` have exactly the columns ``--json`` prints (:func:`write_table_file`).
"""

from __future__ import annotations

import functools
import inspect
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from critmin.tables import MISSING as MISSING, fmt_inr_crore as fmt_inr_crore, fmt_money as fmt_money  # re-exported
from critmin.tables import fmt_number as fmt_number, json_tables, main_table, table_frame

# these live in critmin.tables (shared with the web app) and are re-exported here


def decimals_of(float_format: str) -> int:
    """Decimals asked for by a format like ``"{:,.4f}"`` (2 when it names none, e.g. ``"{:,.3g}"``)."""
    import re

    m = re.search(r"\.(\d+)f", float_format)
    return int(m.group(1)) if m else 2


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
    from critmin.errors import ConfigError

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ConfigError(f"table output must end in .csv or .xlsx, got {path.name}")
    df = table_frame(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp" + suffix)
    if suffix == ".csv":
        df.to_csv(tmp, index=False)
    else:
        df.to_excel(tmp, index=False, engine="openpyxl")
    tmp.replace(path)
    return path


# --csv / --xlsx on every command that has --json ------------------------------------------------

_TABLE_FILES: ContextVar[tuple[Optional[Path], Optional[Path]] | None] = ContextVar("critmin_table_files", default=None)


def write_json_tables(obj: Any, csv_path: Optional[Path], xlsx_path: Optional[Path]) -> list[Path]:
    """Write the tables of a ``--json`` payload: the largest to ``csv_path`` (others beside it as
    ``<stem>-<name>.csv``), all of them as sheets of ``xlsx_path``. Returns the files written."""
    tables = json_tables(obj)
    main = main_table(tables)
    written: list[Path] = []
    if csv_path is not None:
        csv_path = Path(csv_path)
        written.append(write_table_file(tables[main], csv_path))
        for name, rows in tables.items():
            if name != main:
                written.append(write_table_file(rows, csv_path.with_name(f"{csv_path.stem}-{name}.csv")))
    if xlsx_path is not None:
        from critmin.errors import ConfigError
        from critmin.tables import xlsx_bytes

        xlsx_path = Path(xlsx_path)
        if xlsx_path.suffix.lower() != ".xlsx":
            raise ConfigError(f"--xlsx file must end in .xlsx, got {xlsx_path.name}")
        xlsx_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = xlsx_path.with_name(xlsx_path.name + ".tmp.xlsx")
        tmp.write_bytes(xlsx_bytes(tables))
        tmp.replace(xlsx_path)
        written.append(xlsx_path)
    return written


def table_files_requested() -> tuple[Optional[Path], Optional[Path]] | None:
    """``(csv, xlsx)`` paths when the running command was given ``--csv``/``--xlsx``, else ``None``."""
    return _TABLE_FILES.get()


def add_table_file_options(func: Callable, json_param: str) -> Callable:
    """Give a command with a ``--json`` flag the options ``--csv FILE`` and ``--xlsx FILE``.

    With either option the command runs as with ``--json``, and its JSON payload is written as table
    files with the same columns (see :func:`write_json_tables`) instead of being printed.
    """
    sig = inspect.signature(func)
    if "csv_file" in sig.parameters:
        return func

    @functools.wraps(func)
    def wrapper(*args, csv_file: Optional[Path] = None, xlsx_file: Optional[Path] = None, **kwargs):
        if csv_file is None and xlsx_file is None:
            return func(*args, **kwargs)
        kwargs[json_param] = True
        token = _TABLE_FILES.set((csv_file, xlsx_file))
        try:
            return func(*args, **kwargs)
        finally:
            _TABLE_FILES.reset(token)

    extra = [
        inspect.Parameter(
            "csv_file",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Optional[Path],
            default=typer.Option(None, "--csv", help="Write the table(s) as CSV, same columns as --json."),
        ),
        inspect.Parameter(
            "xlsx_file",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Optional[Path],
            default=typer.Option(None, "--xlsx", help="Write the table(s) as an Excel workbook, one sheet per table."),
        ),
    ]
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in sig.parameters.values()]
    wrapper.__signature__ = sig.replace(parameters=params + extra)  # type: ignore[attr-defined]  # inspect honours a set __signature__
    wrapper.__annotations__ = {
        **getattr(func, "__annotations__", {}),
        "csv_file": Optional[Path],
        "xlsx_file": Optional[Path],
    }
    return wrapper


def add_table_file_options_everywhere(app: typer.Typer, json_opt: Any) -> None:
    """Apply :func:`add_table_file_options` to every command of ``app`` (and its groups) that has ``json_opt``."""
    for info in app.registered_commands:
        cb = info.callback
        if cb is None:
            continue
        name = next((n for n, p in inspect.signature(cb).parameters.items() if p.default is json_opt), None)
        if name:
            info.callback = add_table_file_options(cb, name)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            add_table_file_options_everywhere(group.typer_instance, json_opt)


# option help that points to `critmin codes` -------------------------------------------------------

CODE_LISTS = {"--mineral": "minerals", "--port": "ports", "--from": "ports", "--to": "ports", "--section": "sections"}


def point_help_to_codes(app: typer.Typer) -> None:
    """Append "valid values: critmin codes X" to the help of every option that takes a listed code."""
    infos = list(app.registered_commands)
    for info in infos:
        if info.callback is None:
            continue
        for param in inspect.signature(info.callback).parameters.values():
            opt = param.default
            decls = getattr(opt, "param_decls", None) or ()
            target = next((CODE_LISTS[d] for d in decls if d in CODE_LISTS), None)
            if target is None:
                continue
            pointer = f"Valid values: critmin codes {target}."
            if pointer not in (opt.help or ""):
                opt.help = f"{(opt.help or '').rstrip()} {pointer}".strip()
    for group in app.registered_groups:
        if group.typer_instance is not None:
            point_help_to_codes(group.typer_instance)
