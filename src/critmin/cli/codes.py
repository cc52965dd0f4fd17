"""``critmin codes``: the valid values of the options other commands take (minerals, stages, ports, ...)."""

from __future__ import annotations

from enum import Enum

import typer

from critmin.cli._common import JsonOpt, print_json, print_table


class CodeList(str, Enum):
    minerals = "minerals"
    stages = "stages"
    ports = "ports"
    scenarios = "scenarios"
    sections = "sections"


def code_rows(what: str) -> list[dict]:
    """Rows of one list of valid option values."""
    if what == "minerals":
        from critmin.classify.products import known_minerals

        return [{"mineral": m} for m in known_minerals()]
    if what == "stages":
        from critmin.classify.products import STAGES

        return [{"stage": s} for s in STAGES]
    if what == "ports":
        from critmin.scenario_data import load_ports

        return load_ports().to_dict(orient="records")
    if what == "scenarios":
        from critmin.services.fta import list_fta_scenarios

        return list_fta_scenarios()
    from critmin.report.brief import section_keys

    return [{"section": k} for k in section_keys()]


def codes_cmd(
    what: CodeList = typer.Argument(
        ..., help="Which list: minerals, stages, ports, scenarios (FTA schedule files) or sections (of the brief)."
    ),
    json_out: bool = JsonOpt,
):
    """List the valid values of --mineral, --stage, ports, FTA scenario files and brief sections."""
    import pandas as pd

    rows = code_rows(what.value)
    if json_out:
        print_json(rows)
        return
    print_table(pd.DataFrame(rows), title=what.value, max_rows=500)


def register(app: typer.Typer) -> None:
    app.command("codes")(codes_cmd)
