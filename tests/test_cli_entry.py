"""Usage errors through the real entry point (``python -m critmin`` in a subprocess): one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from critmin import __version__
from critmin.cli import app

SRC = Path(__file__).resolve().parents[1] / "src"


def _run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "critmin", *args], capture_output=True, text=True, env=env, timeout=120
    )


def _command_paths() -> list[list[str]]:
    """Every leaf command of the app, as argument lists (e.g. ``["news", "ingest"]``)."""
    root = typer.main.get_command(app)
    paths = []

    def walk(cmd, prefix):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in sorted(subs.items()):
                walk(sub, prefix + [name])
        else:
            paths.append(prefix)

    walk(root, [])
    return paths


def test_version():
    res = _run("--version")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"critmin {__version__}"


@pytest.mark.parametrize(
    "args, needle",
    [
        (["no-such-command"], "No such command"),
        (["brief", "--year"], "requires an argument"),
        (["brief", "--year", "twenty"], "--year"),
    ],
)
def test_usage_error_is_one_line_exit_2(args, needle):
    res = _run(*args)
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], res.stderr


@pytest.mark.slow
def test_every_command_rejects_an_unknown_option_in_one_line():
    paths = _command_paths()
    assert len(paths) > 5
    for path in paths:
        res = _run(*path, "--no-such-option")
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert res.returncode == 2, (path, res.stderr[-500:])
        assert "Traceback" not in res.stderr, path
        assert len(lines) == 1 and "--no-such-option" in lines[0], (path, res.stderr[-500:])


def test_the_command_line_starts_without_the_data_stack():
    """`critmin --help` must not pay for pandas, NumPy, DuckDB, Arrow, Ibis, Plotly or spaCy: each command
    imports what it needs when it runs."""
    code = (
        "import sys, critmin.cli; print(','.join(m for m in ('pandas', 'numpy', 'duckdb', 'pyarrow', 'ibis', "
        "'plotly', 'spacy', 'fastapi', 'requests') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
