"""``critmin codes``: the valid values other commands' options take."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from critmin.cli import app


@pytest.mark.parametrize(
    "what, key, expected",
    [
        ("minerals", "mineral", "copper"),
        ("stages", "stage", "refined"),
        ("ports", "port", "Visakhapatnam"),
        ("scenarios", "partner", "PER"),
        ("sections", "section", "scenarios"),
    ],
)
def test_codes_lists(what, key, expected):
    res = CliRunner().invoke(app, ["codes", what, "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert expected in [r[key] for r in rows]


def test_codes_csv(tmp_path):
    out = tmp_path / "m.csv"
    res = CliRunner().invoke(app, ["codes", "minerals", "--csv", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text().splitlines()[0] == "mineral"


def test_code_options_point_to_codes():
    import typer

    root = typer.main.get_command(app)
    sourcing = root.commands["sourcing"]
    helps = {o: p.help for p in sourcing.params for o in p.opts}
    assert "critmin codes minerals" in helps["--mineral"]
    assert "critmin codes ports" in helps["--port"]
