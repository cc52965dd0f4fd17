"""``critmin screen``: the import-dependence screen (GeoDep criteria) for every reporter x HS6 x year."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, cast

import typer

from critmin.vocabulary import describe

from critmin.cli._common import (
    HomeOpt,
    JsonOpt,
    MirrorOpt,
    console,
    err_console,
    print_json,
    print_table,
    settings_from,
)
from critmin.periods import parse_years

if TYPE_CHECKING:
    from critmin.vocabulary import Backend


def screen(
    years: Optional[str] = typer.Option(None, "--years", help="Years, 2022,2024 or 1995-2024; default all."),
    reporter: Optional[List[str]] = typer.Option(
        None,
        "--reporter",
        "-r",
        help="Importer to screen (ISO3, name, or a bloc such as EU27: its members as one economy); "
        "repeat for several; default every country.",
    ),
    parquet: Optional[Path] = typer.Option(
        None, "--parquet", help="Write the full screen as a Parquet dataset partitioned by year (year=YYYY/ folders)."
    ),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Write the dependent products to a CSV file."),
    limit: int = typer.Option(20, "--limit", min=1, help="Dependent products listed (largest imports first)."),
    backend: str = typer.Option("duckdb", "--backend", help=f"Ibis backend: {describe('backend')}."),
    json_out: bool = JsonOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Import HHI, top-3 and China share, world export HHI, import/export ratio and the GeoDep flag
    with its 3-year persistence rule, for every reporter x HS6 x year; with the mineral/stage roll-up."""
    import pandas as pd
    from critmin.services.screen import run_screen

    res = run_screen(
        settings_from(home, mirror),
        years=parse_years(years),
        reporters=reporter or None,
        parquet=parquet,
        backend=cast("Backend", backend),  # validated by Explorer.open
        limit=limit,
    )
    if csv is not None:
        pd.DataFrame(res["dependent"]).to_csv(csv, index=False)
        err_console.print(f"dependent products written to {csv}")
    if res["written"]:
        err_console.print(f"screen written to {res['written']} ({res['rows']:,} rows, partitioned by year)")
    if json_out:
        print_json(res)
        return
    console.print(f"[bold]Import-dependence screen[/], CY{', CY'.join(map(str, res['years']))} — {res['source']}")
    console.print(
        f"{res['rows']:,} reporter x HS6 x year rows; {res['n_dependent']:,} dependent, "
        f"{res['n_persistent']:,} persistent ({res['criteria']})"
    )
    for scope in res["blocs"].values():
        console.print(f"{scope['code']}: {scope['note']}")
    if res["years_without_data"]:
        console.print(f"[yellow]no data for {', '.join(map(str, res['years_without_data']))}[/]")
    if res["dependent"]:
        df = pd.DataFrame(res["dependent"])[
            [
                "year",
                "reporter",
                "hs6",
                "imports_usd",
                "hhi",
                "world_export_hhi",
                "import_export_ratio",
                "top_supplier",
                "persistent",
            ]
        ]
        df["imports_usd"] = df["imports_usd"] / 1e6
        df["year"] = df["year"].astype(str)
        df["persistent"] = df["persistent"].map({True: "yes", False: "no"}).fillna("n/a")
        print_table(df.rename(columns={"imports_usd": "imports (M USD)"}), title="dependent products")


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)
