"""The ``critmin`` command (typer + rich).

Each module in this package that defines ``register(app)`` adds its commands;
modules are discovered, so a new front-end command needs no edit here.
Front ends hold no analysis: they parse options, call :mod:`critmin.services`
and print tables, JSON or charts.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    help="critmin: critical-mineral supply security and trade-agreement analytics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from critmin import __version__

        typer.echo(f"critmin {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the critmin version and exit."
    ),
) -> None:
    """critmin: critical-mineral supply security and trade-agreement analytics."""


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)


_register_all()


def _add_table_file_options() -> None:
    from critmin.cli._common import JsonOpt
    from critmin.cli._output import add_table_file_options_everywhere, point_help_to_codes

    add_table_file_options_everywhere(app, JsonOpt)
    point_help_to_codes(app)


_add_table_file_options()


def main() -> None:
    """Entry point: run the app, turning critmin errors into one clear line and exit code 2."""
    from critmin.cli._common import run_app

    run_app(app)
