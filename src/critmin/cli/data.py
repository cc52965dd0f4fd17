"""``critmin data build|status|sources``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, cast

import typer

from critmin.cli._common import HomeOpt, JsonOpt, MirrorOpt, console, print_json, print_table, settings_from

if TYPE_CHECKING:
    from critmin.sources.comtrade import Flow

data_app = typer.Typer(help="Build and inspect the local warehouse.", no_args_is_help=True)


@data_app.command("build")
def build_cmd(
    sources: Optional[List[str]] = typer.Argument(None, help="Sources to (re)build; default: all default sources."),
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
):
    """Fetch every source (mirror, cache or download), validate and publish atomically."""
    settings = settings_from(home, mirror)
    from critmin.services import data as svc

    wh = svc.build_warehouse(settings, sources, progress=not quiet)
    console.print(f"warehouse ready: {len(wh.tables())} tables in {wh.path}")


@data_app.command("status")
def status_cmd(home: Optional[Path] = HomeOpt, json_: bool = JsonOpt):
    """Tables, rows, sources, files and licences of the live warehouse."""
    import pandas as pd
    from critmin.services import data as svc

    status = svc.warehouse_status(settings_from(home, None))
    if json_:
        print_json(status)
        return
    console.print(f"home {status['home']}  build {status['build']}")
    df = pd.DataFrame(status["tables"])
    df["files"] = df["files"].map(lambda f: ", ".join(f))
    print_table(
        df[["table", "rows", "source", "release", "files", "licence"]],
        title="warehouse tables",
        float_format="{:,.0f}",
        max_rows=100,
    )


@data_app.command("sources")
def sources_cmd(json_: bool = JsonOpt):
    """The connectors critmin knows, with publisher, licence and files."""
    import pandas as pd
    from critmin.sources import registry

    rows = [
        {
            "source": s.name,
            "title": s.title,
            "publisher": s.publisher,
            "licence": s.licence,
            "release": s.release,
            "default": s.default,
            "files": [f.mirror_path for f in s.files],
            "urls": [f.url for f in s.files],
        }
        for s in registry().values()
    ]
    if json_:
        print_json(rows)
        return
    df = pd.DataFrame(rows)
    df["files"] = df["files"].map(", ".join)
    print_table(df[["source", "publisher", "licence", "default", "files"]], title="sources", max_rows=100)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")


@data_app.command("comtrade")
def comtrade_cmd(
    reporter: str = typer.Option(..., "--reporter", help="Reporter ISO3, e.g. IND."),
    hs: str = typer.Option(..., "--hs", help="HS codes, comma-separated (2, 4 or 6 digits)."),
    years: str = typer.Option(..., "--years", help="Years, comma-separated."),
    partner: Optional[str] = typer.Option(
        None, "--partner", help="Partner ISO3s, comma-separated; default: the World total."
    ),
    flow: str = typer.Option("import", "--flow", help="import, export, re-import or re-export."),
    home: Optional[Path] = HomeOpt,
):
    """Fetch flows from UN Comtrade with your key ($COMTRADE_API_KEY) into table comtrade_flows."""
    settings = settings_from(home, None)
    from critmin.services import data as svc

    wh = svc.fetch_comtrade_flows(
        settings,
        reporter,
        partner.split(",") if partner else None,
        [h.strip() for h in hs.split(",")],
        [int(y) for y in years.split(",")],
        flow=cast("Flow", flow),  # validated by fetch_comtrade
    )
    console.print(f"comtrade_flows: {len(wh.read('comtrade_flows')):,} rows in {wh.path}")
