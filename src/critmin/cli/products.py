"""``critmin products``: find HS codes by description, expand a code, and see which tables have its data."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from critmin.cli._common import HomeOpt, JsonOpt, MirrorOpt, console, print_json, print_table, settings_from

products_app = typer.Typer(
    help="Find HS 2022 codes by description or code and see where their data is.", no_args_is_help=True
)


def _tables_with_data(hit: dict) -> str:
    got = [t["table"] + (" (parent)" if t.get("note") else "") for t in hit.get("data", []) if t["available"]]
    return ", ".join(got) if got else "none"


def _minerals(hit: dict) -> str:
    return ", ".join(sorted({m["mineral"] for m in hit.get("minerals", [])}))


def _print_where_from(hits: list[dict]) -> None:
    missing = [h for h in hits if not h["has_data"]]
    for h in missing[:5]:
        console.print(
            f"[yellow]{h['code']}[/]: no data in the warehouse; it would come from: "
            + " | ".join(h.get("where_from", []))
        )
    if len(missing) > 5:
        console.print(f"... and {len(missing) - 5} more codes without data (use --json for all)")


def _render_expanded(res: dict) -> None:
    import pandas as pd

    console.print(
        f"[bold]{res['code']}[/] {res['description']} (HS{res['level']}, section {res['section']}); "
        f"data in: {_tables_with_data(res)}"
    )
    if res["codes"]:
        df = pd.DataFrame(
            [
                {"code": c["code"], "level": c["level"], "description": c["description"], "has_data": c["has_data"]}
                for c in res["codes"]
            ]
        )
        print_table(df, title=f"codes under {res['code']} ({len(res['hs6'])} six-digit)", max_rows=120)
    if not res["has_data"]:
        _print_where_from([res])


@products_app.command("search")
def search_cmd(
    query: Optional[str] = typer.Argument(None, help="Words of an HS description ('lithium hydroxide') or a code."),
    hs: Optional[str] = typer.Option(None, "--hs", help="Expand this code instead (2603 -> its six-digit codes)."),
    limit: int = typer.Option(20, "--limit", "-n", help="At most this many hits."),
    json_out: bool = JsonOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """HS codes whose description or code matches QUERY, best first, with the tables that hold their data."""
    import pandas as pd
    from critmin.services.products import expand, search

    settings = settings_from(home, mirror)
    if hs is not None:
        res = expand(settings, hs)
        if json_out:
            print_json(res)
        else:
            _render_expanded(res)
        return
    if query is None:
        raise typer.BadParameter(
            "give a query, e.g. critmin products search 'lithium hydroxide', or --hs CODE", param_hint="QUERY"
        )
    res = search(settings, query, limit=limit)
    if json_out:
        print_json(res)
        return
    if not res["hits"]:
        console.print(f"no HS 2022 code matches {query!r}; try fewer or shorter words")
        return
    df = pd.DataFrame(
        [
            {
                "code": h["code"],
                "level": h["level"],
                "description": h["description"],
                "match": h["match"],
                "mineral": _minerals(h),
                "data in": _tables_with_data(h),
            }
            for h in res["hits"]
        ]
    )
    print_table(df, title=f"HS codes matching {query!r} ({res['matches']} in all)", max_rows=limit)
    _print_where_from(res["hits"])


@products_app.command("expand")
def expand_cmd(
    code: str = typer.Argument(..., help="A 2-, 4- or 6-digit HS code: 26 (chapter), 2603 (heading)."),
    json_out: bool = JsonOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """The codes under CODE (a heading's six-digit codes; a chapter's headings and subheadings)."""
    from critmin.services.products import expand

    res = expand(settings_from(home, mirror), code)
    if json_out:
        print_json(res)
        return
    _render_expanded(res)


def register(app: typer.Typer) -> None:
    app.add_typer(products_app, name="products")
