"""``critmin fta``: WITS-SMART simulation of a trade agreement (India-Peru, India-Chile, India-NZ, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from critmin.cli._common import ChartOpt, HomeOpt, JsonOpt, MirrorOpt, console, print_json, print_table, settings_from


def fta_cmd(
    reporter: str = typer.Option("IND", "--reporter", help="ISO3 of the reporter (default IND)."),
    partner: Optional[str] = typer.Option(None, "--partner", help="ISO3 of the partner (PER, CHL, NZL, ...)."),
    schedule: Optional[Path] = typer.Option(
        None, "--schedule", help="Phase-in schedule YAML (default: the bundled scenario)."
    ),
    year: int = typer.Option(2024, "--year", help="Trade-data (baseline) year."),
    tariff_year: Optional[int] = typer.Option(
        None, "--tariff-year", help="Year of the baseline applied tariffs (default --year)."
    ),
    tariffs: Optional[Path] = typer.Option(
        None, "--tariffs", help="Extra tariff rows: critmin tariff CSV or a WITS tariff download."
    ),
    elasticities: Optional[Path] = typer.Option(
        None, "--elasticities", help="Import-demand elasticities per HS6 (critmin or wiiw CSV)."
    ),
    utilisation: Optional[float] = typer.Option(None, "--utilisation", help="Preference-utilisation rate 0-1."),
    sigma: float = typer.Option(1.5, "--sigma", help="Substitution elasticity (WITS default 1.5)."),
    export_supply: float = typer.Option(99.0, "--export-supply", help="Export-supply elasticity (WITS default 99)."),
    import_demand: float = typer.Option(
        -1.0, "--import-demand", help="Import-demand elasticity for lines without one (negative)."
    ),
    ge: bool = typer.Option(
        False, "--ge", help="Also run the structural-gravity GE model where the panel covers both countries."
    ),
    panel: Optional[Path] = typer.Option(
        None, "--panel", help="Gravity panel CSV for --ge (default: the warehouse table gravity_panel)."
    ),
    lines: bool = typer.Option(False, "--lines", help="Include every line x partner x year row in --json."),
    list_: bool = typer.Option(False, "--list", help="List the ready scenarios and exit."),
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
    json_: bool = JsonOpt,
):
    """Trade creation, diversion, tariff revenue, welfare and the bilateral balance of an FTA (WITS-SMART)."""
    import pandas as pd
    from critmin.services.fta import list_fta_scenarios, simulate_fta

    if list_:
        rows = list_fta_scenarios()
        if json_:
            print_json(rows)
        else:
            print_table(pd.DataFrame(rows), title="ready FTA scenarios")
        return
    if not partner:
        raise typer.BadParameter("--partner is required (e.g. PER, CHL, NZL)", param_hint="--partner")
    settings = settings_from(home, mirror)
    sim = simulate_fta(
        settings,
        reporter,
        partner,
        year=year,
        tariff_year=tariff_year,
        schedule=schedule,
        tariffs=tariffs,
        elasticities=elasticities,
        utilisation=utilisation,
        substitution_elasticity=sigma,
        export_supply_elasticity=export_supply,
        import_demand_elasticity=import_demand,
        ge=ge,
        panel=panel,
    )
    charts = []
    if chart is not None:
        from critmin.report.figures_fta import creation_diversion_figure, revenue_balance_figure, write_figure

        second = chart.with_name(f"{chart.stem}_revenue_balance{chart.suffix}")
        charts = [
            write_figure(creation_diversion_figure(sim), chart),
            write_figure(revenue_balance_figure(sim), second),
        ]
    if json_:
        print_json(sim.to_dict(lines=lines))
        return
    console.print(
        f"[bold]{sim.scenario.name}[/] ({sim.scenario.status}); trade year {sim.trade_year}, "
        f"years 0-{sim.scenario.horizon}"
    )
    t = sim.totals
    show = {
        "year": "year",
        "reporter_imports_change_usd": f"{sim.reporter} imports from {sim.partner}",
        "reporter_exports_change_usd": f"{sim.reporter} exports to {sim.partner}",
        "balance_change_usd": "balance",
        "reporter_revenue_change_usd": f"{sim.reporter} revenue",
        "partner_revenue_change_usd": f"{sim.partner} revenue",
        "reporter_welfare_usd": f"{sim.reporter} welfare",
    }
    cols = [c for c in show if c in t]
    t = t.assign(year=t["year"].astype(str))
    print_table(t[cols].rename(columns=show), title="change vs baseline, USD", float_format="{:,.0f}")
    bp = sim.by_partner[sim.by_partner["fta_year"] == sim.by_partner["fta_year"].max()]
    bp = bp.reindex(bp["trade_total"].abs().sort_values(ascending=False).index)
    print_table(
        bp[["side", "partner", "imports_usd", "trade_creation", "trade_diversion", "trade_total", "revenue_change"]],
        title="by partner, full phase-in, USD",
        float_format="{:,.0f}",
        max_rows=15,
    )
    if len(sim.unknown_tariffs):
        print_table(sim.unknown_tariffs, title="lines left out: tariff unknown", float_format="{:,.0f}")
    if sim.ge is not None:
        if sim.ge.get("available"):
            run = sim.ge
            head = f"[bold]Structural gravity GE[/] ({run['panel']}, {run['year']}, sigma {run['sigma']:g})"
            for v in run.get("variants") or [{"name": "", "scenario": run["scenario"], "countries": run["countries"]}]:
                console.print(f"{head}{' ' + v['name'] if v['name'] else ''}: {v['scenario']}")
                print_table(
                    pd.DataFrame(v["countries"]).T.reset_index(names="country"),
                    title="GE % changes",
                    float_format="{:,.4f}",
                )
        else:
            console.print(f"GE not run: {sim.ge['reason']}")
        tf = (sim.ge.get("tariff_factor") or {}).get("all_lines") or {}
        if tf.get("factor") is not None:
            cov = "n/a" if tf["coverage"] is None else f"{100 * tf['coverage']:.1f}%"
            console.print(
                f"Tariff factor (all traded lines, both directions): {tf['factor']:.5f} over "
                f"{tf['lines_used']} lines, {cov} of the pair's trade; sources: {'; '.join(tf['sources'])}"
            )
            for side, d in tf["sides"].items():
                f = "unknown" if d["factor"] is None else f"{d['factor']:.5f}"
                c = "n/a" if d["coverage"] is None else f"{100 * d['coverage']:.1f}%"
                console.print(f"  {side}: factor {f}, coverage {c} of {d['total']}")
            for n in tf.get("notes", []):
                console.print(f"  - {n}")
    for n in sim.notes:
        console.print(f"- {n}")
    for chart in charts:
        console.print(f"chart written to {chart}")


def register(app: typer.Typer) -> None:
    app.command("fta", help="Simulate a trade agreement with WITS-SMART (both sides, year by year).")(fta_cmd)
