"""Options and output helpers shared by every command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from critmin.config import Settings, load_settings
from critmin.errors import CritminError
from critmin.jsonable import jsonable

if TYPE_CHECKING:
    from click.exceptions import ClickException

console = Console()
err_console = Console(stderr=True)

HomeOpt = typer.Option(None, "--home", help="State folder (default $CRITMIN_HOME or ~/.critmin).")
MirrorOpt = typer.Option(
    None, "--mirror", help="Read the publishers' raw files from this folder (default $CRITMIN_MIRROR)."
)
JsonOpt = typer.Option(False, "--json", help="Print machine-readable JSON.")
ChartOpt = typer.Option(None, "--chart", help="Write a chart; .html, .png or .svg by suffix.")


def settings_from(home: Optional[Path], mirror: Optional[Path]) -> Settings:
    return load_settings(home=home, mirror=mirror)


def print_json(obj: Any) -> None:
    """Print JSON (NaN becomes null, NumPy scalars become Python numbers); with ``--csv``/``--xlsx``
    write the same records as table files instead."""
    from critmin.cli._output import table_files_requested, write_json_tables

    files = table_files_requested()
    if files is not None:
        for path in write_json_tables(obj, *files):
            err_console.print(f"wrote {path}")
        return
    sys.stdout.write(json.dumps(jsonable(obj), indent=2, default=str) + "\n")


def print_table(df, title: str | None = None, *, float_format: str = "{:,.2f}", max_rows: int = 40) -> None:
    """Render a DataFrame as a rich table (header rule, no vertical borders, so wide tables fit a terminal;
    the first column, the row's name, is not wrapped)."""
    from rich import box

    table = Table(title=title, show_lines=False, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for i, col in enumerate(df.columns):
        table.add_column(str(col), justify="right" if df[col].dtype.kind in "fiu" else "left", no_wrap=i == 0)
    from critmin.cli._output import decimals_of, fmt_number

    decimals = decimals_of(float_format)
    for _, row in df.head(max_rows).iterrows():
        table.add_row(*[fmt_number(v, decimals=decimals) for v in row])
    console.print(table)
    if len(df) > max_rows:
        console.print(f"... {len(df) - max_rows} more rows (use --json for all)")


EXIT_ERROR = 2
"""Exit code of a critmin error (bad input, missing data, another build running)."""
EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells expect."""


def run_app(app: typer.Typer) -> None:
    """Run the typer app; every failure ends as one line on stderr and a non-zero exit code.

    * a critmin error: its message, exit 2;
    * Ctrl-C (``KeyboardInterrupt``, also inside click): "interrupted", exit 130; a build
      interrupted this way publishes nothing;
    * a file-system error (read-only home, disk full): the path and reason, exit 2;
    * anything else: the exception's type and a short message, exit 1. Set
      ``CRITMIN_DEBUG=1`` to see the traceback.
    """
    import os

    click_errors, aborts = _click_exception_types()
    try:
        check_year_args(sys.argv[1:])
        code = app(standalone_mode=False)  # typer returns the code of typer.Exit / Ctrl-C (130)
    except CritminError as exc:
        _one_line(str(exc))
        raise SystemExit(EXIT_ERROR)
    except KeyboardInterrupt as exc:
        _one_line(f"interrupted ({exc or 'Ctrl-C'}); the live warehouse is unchanged", kind="stopped")
        raise SystemExit(EXIT_INTERRUPTED)
    except (typer.Exit, SystemExit) as exc:
        raise SystemExit(getattr(exc, "exit_code", getattr(exc, "code", 0)))
    except aborts as exc:
        if isinstance(exc.__context__, KeyboardInterrupt) or isinstance(exc.__cause__, KeyboardInterrupt):
            _one_line("interrupted (Ctrl-C); the live warehouse is unchanged", kind="stopped")
            raise SystemExit(EXIT_INTERRUPTED)
        raise SystemExit(1)
    except click_errors as exc:  # usage errors: one line naming the problem, exit 2
        from critmin.cli._output import is_click_error, usage_error_line

        if is_click_error(exc, "UsageError") and not is_click_error(exc, "NoArgsIsHelpError"):
            err_console.print(usage_error_line(exc), markup=False, highlight=False, soft_wrap=True)
            raise SystemExit(2)
        exc.show()
        raise SystemExit(exc.exit_code)
    except ValueError as exc:  # a bad combination of options (e.g. reporter == partner), as the web's 400
        from critmin.errors import echo

        _one_line(echo(str(exc), 300).strip("'\""))
        raise SystemExit(EXIT_ERROR)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        _one_line(f"cannot use{where}: {exc.strerror or exc}")
        raise SystemExit(EXIT_ERROR)
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on request
        if _caused_by_interrupt(exc):  # Ctrl-C inside an import or a library that re-raised it wrapped
            _one_line("interrupted (Ctrl-C); the live warehouse is unchanged", kind="stopped")
            raise SystemExit(EXIT_INTERRUPTED)
        if os.environ.get("CRITMIN_DEBUG"):
            raise
        from critmin.errors import echo

        _one_line(
            f"internal error ({type(exc).__name__}): {echo(str(exc), 300)}; set CRITMIN_DEBUG=1 for the traceback"
        )
        raise SystemExit(1)
    if code == EXIT_INTERRUPTED:
        _one_line("interrupted (Ctrl-C); the live warehouse is unchanged", kind="stopped")
    raise SystemExit(code if isinstance(code, int) and not isinstance(code, bool) else 0)


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is in the exception's cause/context chain."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def _click_exception_types() -> tuple[tuple[type[ClickException], ...], tuple[type[Exception], ...]]:
    """Usage-error and abort classes of click and of the click that typer bundles.

    typer's bundled ``ClickException`` is a copy, not a subclass, of click's, with the same
    ``show()`` and ``exit_code``.
    """
    import click

    errors: list[type[ClickException]] = [click.exceptions.ClickException]
    aborts: list[type[Exception]] = [click.exceptions.Abort]
    try:
        from typer._click import exceptions as bundled
    except ImportError:
        pass
    else:
        errors.append(getattr(bundled, "ClickException", click.exceptions.ClickException))
        aborts.append(getattr(bundled, "Abort", click.exceptions.Abort))
    return tuple(errors), tuple(aborts)


YEARS = (1, 9999)
"""Range of every ``--year`` / ``--*-year`` option (a bigger number is no year, and overflows engines)."""


YEAR_OPTIONS = ("--year", "-y")
"""Options that take a year; so does every ``--*-year`` option."""


def check_year_args(args: list[str]) -> None:
    """Refuse a year option whose value is an integer outside :data:`YEARS`.

    ``--year 99999999999999999999`` is no year (and overflows the query engines): it is a
    one-line :class:`~critmin.errors.ConfigError` before any command runs. Values that are
    not integers are left to the command's own parsing.
    """
    from critmin.errors import ConfigError, echo

    for i, arg in enumerate(args):
        name, value = arg, None
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif i + 1 < len(args):
            value = args[i + 1]
        if value is None or not (name in YEAR_OPTIONS or (name.startswith("--") and name.endswith("-year"))):
            continue
        for part in value.split(","):
            part = part.strip()
            if part.lstrip("+-").isdigit() and not (len(part) < 12 and YEARS[0] <= int(part) <= YEARS[1]):
                raise ConfigError(f"{name}: expected a year from {YEARS[0]} to {YEARS[1]}, got {echo(part, 24)}")


def _one_line(message: str, *, kind: str = "error") -> None:
    from rich.markup import escape

    text = " ".join(message.split())
    try:
        err_console.print(f"[bold red]{kind}:[/] {escape(text)}", soft_wrap=True, highlight=False)
    except Exception:  # noqa: BLE001 - a message rich cannot render (markup in the text)
        sys.stderr.write(f"{kind}: {text}\n")
