"""``critmin news ingest|facts|conflicts`` and ``critmin negotiations``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import pandas as pd
import typer

from critmin.cli._common import ChartOpt, HomeOpt, JsonOpt, MirrorOpt, console, err_console, print_json, \
    print_table, settings_from

news_app = typer.Typer(help="News and negotiation intelligence: ingest articles, list facts, explain conflicts.",
                       no_args_is_help=True)


@news_app.command("ingest")
def ingest(
    paths: List[str] = typer.Argument(..., help="Article files (.txt, .md, .html), folders or URLs."),
    json_out: bool = JsonOpt, home: Optional[Path] = HomeOpt, mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Clean articles, extract facts and store both in the warehouse (duplicates merged)."""
    from critmin.services.news import ingest_articles

    res = ingest_articles(settings_from(home, mirror), paths,
                          progress=None if json_out else (lambda a: err_console.print(f"  {a}")))
    if json_out:
        print_json(res)
        return
    console.print(f"{res['articles_read']} article(s) read: {res['articles_new']} new, {res['duplicates']} "
                  f"duplicate(s); {res['facts_new']} fact(s) extracted "
                  f"({', '.join(f'{k} {v}' for k, v in res['facts_by_type'].items())}). "
                  f"Warehouse: {res['articles_total']} articles, {res['facts_total']} facts.")


@news_app.command("facts")
def facts(
    types: Optional[List[str]] = typer.Option(None, "--type", "-t",
                                              help="trade_value, negotiation_round, share or policy_measure "
                                                   "(repeat for several)."),
    article: Optional[str] = typer.Option(None, "--article", help="One article id."),
    merged: bool = typer.Option(False, "--merged", help="One line per distinct fact over all articles."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per fact per line (JSON Lines)."),
    home: Optional[Path] = HomeOpt, mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Facts extracted from the ingested articles, each with its evidence quote and sources."""
    from critmin.services.news import list_facts

    out = list_facts(settings_from(home, mirror), types=types, article=article, merged=merged)
    if json_out:
        for f in out:
            sys.stdout.write(json.dumps(f, ensure_ascii=False) + "\n")
        return
    rows = []
    for f in out:
        body = {k: v for k, v in f.items() if k not in ("article_id", "type", "evidence", "sources", "source",
                                                       "published", "article_ids", "note")}
        rows.append({"article": f["article_id"], "type": f["type"],
                     "fact": json.dumps(body, ensure_ascii=False)[:110], "evidence": f["evidence"][:80]})
    print_table(pd.DataFrame(rows), title=f"{len(out)} facts", max_rows=60)


@news_app.command("conflicts")
def conflicts(
    all_pairs: bool = typer.Option(False, "--all", help="Also list pairs that agree (corroboration)."),
    json_out: bool = JsonOpt, home: Optional[Path] = HomeOpt, mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Reported figures that describe the same quantity but differ, with the likely cause."""
    from critmin.services.news import find_conflicts

    res = find_conflicts(settings_from(home, mirror), include_agreements=all_pairs)
    if json_out:
        print_json(res)
        return
    rows = []
    for c in res["comparisons"]:
        a, b = c["a"], c["b"]
        va = a.get("value_usd") if a.get("value_usd") is not None else a.get("value_orig", a.get("share_pct"))
        vb = b.get("value_usd") if b.get("value_usd") is not None else b.get("value_orig", b.get("share_pct"))
        rows.append({"quantity": c["quantity"], "cause": c["cause"],
                     "a": f"{_fmt(va)} {_per(a)} [{a['article_id']}]", "b": f"{_fmt(vb)} {_per(b)} [{b['article_id']}]",
                     "why": c["explanation"][:90]})
    print_table(pd.DataFrame(rows), title="conflicting figures", max_rows=60)
    if res["reference"]:
        ref = pd.DataFrame(res["reference"])[["exporter", "importer", "period", "news_value_usd", "reference_table",
                                               "reference_value_usd", "share_of_news", "reference_scope"]]
        print_table(ref, title="news figures vs official statistics of the same flow", float_format="{:,.3g}")
    for d in res.get("agreement_dates", []):
        from rich.markup import escape

        console.print(escape(f"{d['rta_name']} [{d['article_id']}]: {d['explanation']}"))


def _fmt(v) -> str:
    if v is None:
        return "?"
    v = float(v)
    return f"{v / 1e9:.3g} bn" if abs(v) >= 1e8 else (f"{v / 1e6:.3g} mn" if abs(v) >= 1e5 else f"{v:.3g}")


def _per(f: dict) -> str:
    from critmin.domain.news.reconcile import period_label

    if f["type"] == "share":
        return str(f.get("year") or "")
    return period_label(f.get("period"))


def negotiations(
    reporter: str = typer.Option("IND", "--reporter", "-r", help="ISO3 of the negotiating country."),
    partner: Optional[str] = typer.Option(None, "--partner", "-p", help="ISO3 of one partner."),
    json_out: bool = JsonOpt, chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt, mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Agreements and negotiations of a country: rounds, dates, venues, chapters, status, next round."""
    from critmin.services.news import negotiations as negotiations_service

    tracker = negotiations_service(settings_from(home, mirror), reporter=reporter.upper(),
                                   partner=partner.upper() if partner else None)
    if chart is not None:
        from critmin.report.charts import save_figure
        from critmin.report.figures_news import negotiation_timeline_figure

        path = save_figure(negotiation_timeline_figure(tracker), chart)
        err_console.print(f"chart written to {path}")
    if json_out:
        print_json(tracker.to_dict())
        return
    df = tracker.to_frame()
    cols = ["agreement", "agreement_status", "round_number", "start_date", "end_date", "venue_city", "status",
            "chapters", "n_sources"]
    print_table(df[cols], title=f"negotiations of {tracker.reporter}" + (f" with {tracker.partner}" if tracker.partner
                                                                           else ""), max_rows=80)
    for a in tracker.agreements:
        nxt = a.next_round
        if nxt is not None:
            console.print(f"next round of {a.name}: {nxt.round_number or '?'} "
                          f"{nxt.start_date or 'date not given'} {nxt.venue_city or ''} "
                          f"(evidence: “{nxt.evidence[0]['quote']}”, {nxt.evidence[0]['article_id']})")


def register(app: typer.Typer) -> None:
    app.add_typer(news_app, name="news")
    app.command("negotiations")(negotiations)
