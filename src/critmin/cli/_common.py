"""Options and output helpers shared by every command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from critmin.config import Settings, load_settings
from critmin.errors import CritminError
from critmin.jsonable import jsonable

console = Console()
err_console = Console(stderr=True)

HomeOpt = typer.Option(None, "--home", help="State folder (default $CRITMIN_HOME or ~/.critmin).")
MirrorOpt = typer.Option(None, "--mirror", help="Read the publishers' raw files from this folder "
                                                "(default $CRITMIN_MIRROR).")
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
    """Render a DataFrame as a rich table."""
    table = Table(title=title, show_lines=False)
    for col in df.columns:
        table.add_column(str(col), justify="right" if df[col].dtype.kind in "fiu" else "left")
    from critmin.cli._output import decimals_of, fmt_number

    decimals = decimals_of(float_format)
    for _, row in df.head(max_rows).iterrows():
        table.add_row(*[fmt_number(v, decimals=decimals) for v in row])
    console.print(table)
    if len(df) > max_rows:
        console.print(f"... {len(df) - max_rows} more rows (use --json for all)")


def run_app(app: typer.Typer) -> None:
    try:
        rc = app(standalone_mode=False)  # click returns typer.Exit's code instead of raising it
    except CritminError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise SystemExit(2)
    except (typer.Exit, SystemExit) as exc:
        raise SystemExit(getattr(exc, "exit_code", getattr(exc, "code", 0)))
    except Exception as exc:  # click usage errors etc. (typer vendors its own click: match by class name)
        from critmin.cli._output import is_click_error, usage_error_line

        if is_click_error(exc, "NoArgsIsHelpError"):
            exc.show()
            raise SystemExit(2)
        if is_click_error(exc, "UsageError"):
            err_console.print(usage_error_line(exc), markup=False, highlight=False, soft_wrap=True)
            raise SystemExit(2)
        if is_click_error(exc, "ClickException"):
            exc.show()
            raise SystemExit(exc.exit_code)
        if is_click_error(exc, "Abort"):
            raise SystemExit(1)
        raise
    raise SystemExit(rc if isinstance(rc, int) else 0)
