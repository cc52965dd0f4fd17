"""``critmin brief``: the main job — a self-contained HTML (or PDF) brief."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from critmin.cli._common import HomeOpt, MirrorOpt, console, err_console, settings_from


class Paper(str, Enum):
    A4 = "A4"
    Letter = "Letter"


def brief_cmd(
    reporter: str = typer.Option("IND", "--reporter", help="ISO3 of the importing country."),
    partner: Optional[str] = typer.Option("PER", "--partner", help="ISO3 of the partner country."),
    year: int = typer.Option(2024, "--year", help="Reference year of the trade data."),
    out: Path = typer.Option(Path("brief.html"), "--out", help="Output file: .html or .pdf."),
    section: Optional[List[str]] = typer.Option(
        None,
        "--section",
        help="Only these sections (repeatable): total_trade, trade, minerals, criticality, fta, scenarios, news.",
    ),
    paper: Paper = typer.Option(Paper.A4, "--paper", help="PDF page size.", case_sensitive=False),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 3) if any section could not be built."),
    news: Optional[List[str]] = typer.Option(
        None, "--news", help="Ingest these article files, folders or URLs first (repeatable)."
    ),
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
):
    """Write the brief: bilateral trade, the partner's weight in each mineral, dependence,
    and every capability's section, with source and licence footnotes for every number."""
    from critmin.report.base import BriefContext
    from critmin.report.brief import write_brief
    from critmin.services.data import ensure_warehouse
    from critmin.services.reference import check_country

    from critmin.report.brief import section_keys

    if section:
        unknown = sorted(set(section) - set(section_keys()))
        if unknown:
            from critmin.errors import ConfigError

            raise ConfigError(f"unknown --section {', '.join(unknown)}; choose from {', '.join(section_keys())}")
    settings = settings_from(home, mirror)
    wh = ensure_warehouse(settings)
    reporter = check_country(settings, reporter)
    partner = check_country(settings, partner) if partner else None
    if news:
        from critmin.services.news import ingest_articles

        with console.status("ingesting news articles"):
            ingest_articles(settings, news)
        wh = ensure_warehouse(settings)
    ctx = BriefContext(settings=settings, reporter=reporter, partner=partner, year=year, paper=paper.value)
    with console.status("building the brief"):
        res = write_brief(ctx, out, only=section, provenance=wh.provenance())
    console.print(f"brief written to {res.path} ({len(res.sections)} sections: {', '.join(res.sections)})")
    for key, why in res.failed.items():
        err_console.print(f"[yellow]section {key} not available:[/] {why}")
    if strict and res.failed:
        raise typer.Exit(3)


def register(app: typer.Typer) -> None:
    app.command("brief")(brief_cmd)
