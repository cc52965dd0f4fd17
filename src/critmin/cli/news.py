"""``critmin news ingest|facts|conflicts`` and ``critmin negotiations``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from critmin.cli._output import fmt_money, fmt_number
from critmin.cli._common import (
    ChartOpt,
    HomeOpt,
    JsonOpt,
    MirrorOpt,
    console,
    err_console,
    print_json,
    print_table,
    settings_from,
)

news_app = typer.Typer(
    help="News and negotiation intelligence: ingest articles, list facts, explain conflicts.", no_args_is_help=True
)


@news_app.command("ingest")
def ingest(
    paths: List[str] = typer.Argument(..., help="Article files (.txt, .md, .html), folders or URLs."),
    json_out: bool = JsonOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Clean articles, extract facts and store both in the warehouse (duplicates merged)."""
    from critmin.services.news import ingest_articles

    res = ingest_articles(
        settings_from(home, mirror), paths, progress=None if json_out else (lambda a: err_console.print(f"  {a}"))
    )
    if json_out:
        print_json(res)
        return
    console.print(
        f"{res['articles_read']} article(s) read: {res['articles_new']} new, {res['duplicates']} "
        f"duplicate(s); {res['facts_new']} fact(s) extracted "
        f"({', '.join(f'{k} {v}' for k, v in res['facts_by_type'].items())}). "
        f"Warehouse: {res['articles_total']} articles, {res['facts_total']} facts."
    )


@news_app.command("facts")
def facts(
    types: Optional[List[str]] = typer.Option(
        None, "--type", "-t", help="trade_value, negotiation_round, share or policy_measure (repeat for several)."
    ),
    article: Optional[str] = typer.Option(None, "--article", help="One article id."),
    merged: bool = typer.Option(False, "--merged", help="One line per distinct fact over all articles."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per fact per line (JSON Lines)."),
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Facts extracted from the ingested articles, each with its evidence quote and sources."""
    import pandas as pd
    from critmin.services.news import list_facts

    out = list_facts(settings_from(home, mirror), types=types, article=article, merged=merged)
    if json_out:
        for f in out:
            sys.stdout.write(json.dumps(f, ensure_ascii=False) + "\n")
        return
    rows = [
        {
            "article": f.get("article_id") or ", ".join(f.get("article_ids") or []),
            "type": f["type"],
            "fact": fact_text(f),
            "evidence": _clip(f.get("evidence") or "", 90),
        }
        for f in out
    ]
    print_table(pd.DataFrame(rows), title=f"{len(out)} facts (--json for every field)", max_rows=60)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _period_text(p: dict | None) -> str:
    """``{"kind": "FY", "start": "2019-04", "end": "2020-03"}`` -> ``FY2019-20``; CY -> ``CY2024``."""
    if not p:
        return "period not stated"
    start, end, kind = p.get("start") or "", p.get("end") or "", p.get("kind")
    if kind == "FY" and start[5:] == "04" and end[5:] == "03":
        return f"FY{start[:4]}-{end[2:4]}"
    if kind == "CY" and start[5:] == "01" and end[5:] == "12" and start[:4] == end[:4]:
        return f"CY{start[:4]}"
    return start if start == end else f"{start} to {end}"


def fact_text(f: dict) -> str:
    """One fact in words, e.g. ``IND-PER total trade USD 2.34 bn, FY2019-20`` (every field is in --json)."""
    t = f["type"]
    hedge = "about " if f.get("approx") else ""
    proj = " (projected)" if f.get("projected") else ""
    if t == "trade_value":
        sep = "-" if f.get("flow") in ("total", "balance") else " → " if f.get("flow") == "export" else " ← "
        orig = (
            f" (stated as {fmt_money(f['value_orig'], f.get('currency_orig'))})"
            if f.get("value_orig") is not None and f.get("currency_orig") not in (None, "USD")
            else ""
        )
        return (
            f"{f['reporter']}{sep}{f['partner']} {f['flow']}: {hedge}{fmt_money(f.get('value_usd'), 'USD')}"
            f"{orig}, {_period_text(f.get('period'))}{proj}"
        )
    if t == "negotiation_round":
        when = f.get("start_date") or "date not stated"
        if f.get("end_date") and f.get("end_date") != f.get("start_date"):
            when += f" to {f['end_date']}"
        where = f", {f['venue_city']}" if f.get("venue_city") else ""
        n = f.get("round_number")
        return f"{f['agreement']} round {n if n is not None else '?'} {f.get('status')}: {when}{where}"
    if t == "share":
        partner = f" from {f['partner']}" if f.get("partner") else ""
        year = f", {f['year']}" if f.get("year") else ""
        return (
            f"{f['subject']}{partner}: {hedge}{fmt_number(f['share_pct'])}% {f['measure']} ({f['scope']}){year}{proj}"
        )
    if t == "policy_measure":
        parts = f" with {', '.join(f['partners'])}" if f.get("partners") else ""
        amount = f", {fmt_money(f['amount'], f.get('currency'))}" if f.get("amount") is not None else ""
        subj = f" on {f['subject']}" if f.get("subject") else ""
        date = f", {f['date']}" if f.get("date") else ""
        return f"{f['country']} {f['kind']}{subj}{parts} ({f.get('status')}){amount}{date}"
    return json.dumps({k: v for k, v in f.items() if k not in ("evidence", "sources")}, ensure_ascii=False)


@news_app.command("conflicts")
def conflicts(
    all_pairs: bool = typer.Option(False, "--all", help="Also list pairs that agree (corroboration)."),
    json_out: bool = JsonOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Reported figures that describe the same quantity but differ, with the likely cause."""
    import pandas as pd
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
        rows.append(
            {
                "quantity": c["quantity"],
                "cause": c["cause"],
                "a": f"{_fmt(va)} {_per(a)} [{a['article_id']}]",
                "b": f"{_fmt(vb)} {_per(b)} [{b['article_id']}]",
                "why": c["explanation"][:90],
            }
        )
    print_table(pd.DataFrame(rows), title="conflicting figures", max_rows=60)
    if res["reference"]:
        ref = pd.DataFrame(res["reference"])[
            [
                "exporter",
                "importer",
                "period",
                "news_value_usd",
                "reference_table",
                "reference_value_usd",
                "share_of_news",
                "reference_scope",
            ]
        ]
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
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Agreements and negotiations of a country: rounds, dates, venues, chapters, status, next round."""
    from critmin.services.news import negotiations as negotiations_service

    tracker = negotiations_service(
        settings_from(home, mirror), reporter=reporter.upper(), partner=partner.upper() if partner else None
    )
    if chart is not None:
        from critmin.report.charts import save_figure
        from critmin.report.figures_news import negotiation_timeline_figure

        path = save_figure(negotiation_timeline_figure(tracker), chart)
        err_console.print(f"chart written to {path}")
    if json_out:
        print_json(tracker.to_dict())
        return
    df = tracker.to_frame()
    cols = [
        "agreement",
        "agreement_status",
        "round_number",
        "start_date",
        "end_date",
        "venue_city",
        "status",
        "chapters",
        "n_sources",
    ]
    print_table(
        df[cols],
        title=f"negotiations of {tracker.reporter}" + (f" with {tracker.partner}" if tracker.partner else ""),
        max_rows=80,
    )
    for a in tracker.agreements:
        nxt = a.next_round
        if nxt is not None:
            console.print(
                f"next round of {a.name}: {nxt.round_number or '?'} "
                f"{nxt.start_date or 'date not given'} {nxt.venue_city or ''} "
                f"(evidence: “{nxt.evidence[0]['quote']}”, {nxt.evidence[0]['article_id']})"
            )


def register(app: typer.Typer) -> None:
    app.add_typer(news_app, name="news")
    app.command("negotiations")(negotiations)
