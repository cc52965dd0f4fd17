"""``critmin shock | sourcing | contract | route | projection``: the scenario commands."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from critmin.vocabulary import describe

from critmin.cli._output import fmt_inr_crore, fmt_number
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


def _chart(fig, chart: Optional[Path]) -> None:
    if chart is None:
        return
    from critmin.report.charts import save_figure

    err_console.print(f"chart written to {save_figure(fig, chart)}")


def _call(fn, *args, **kwargs):
    """Call a service; a bad option value (ValueError from a model spec) becomes a usage error."""
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _split(values: Optional[List[str]]) -> list[str]:
    out = []
    for v in values or []:
        out += [x.strip().upper() for x in v.split(",") if x.strip()]
    return out


def shock(
    scenario: Path = typer.Option(..., "--scenario", "-s", help="Shock scenario YAML file."),
    year: Optional[int] = typer.Option(None, "--year", help="Trade year (default: the file's, else the latest)."),
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Export-restriction shock: supply at risk, who can cover it, price effect, new concentration."""
    import pandas as pd
    from critmin.report.figures_scenarios import shock_figure
    from critmin.services.scenarios import run_shock

    res = _call(run_shock, settings_from(home, mirror), scenario, year=year).to_dict()
    _chart(shock_figure(res) if chart else None, chart)
    if json_out:
        print_json(res)
        return
    sc, c = res["scenario"], res["concentration"]
    console.print(
        f"[bold]{sc['name']}[/]: {sc['restricting']} {sc['severity']} on {', '.join(sc['products'])}, "
        f"{sc['duration_months']} months from {sc['start'] or '?'} (loss fraction {sc['loss_fraction']:.2f})"
    )
    console.print(
        f"supply at risk for {sc['importer']}: USD {res['supply_at_risk']['value_usd']:,.0f} "
        f"({res['supply_at_risk']['tonnes']:,.0f} t); covered {res['covered']['tonnes']:,.0f} t, "
        f"uncovered {res['uncovered']['tonnes']:,.0f} t ({res['uncovered']['share_of_loss']:.0%})"
    )
    console.print(
        f"world price {res['price_effect']['price_change']:+.1%} "
        f"(removed {res['price_effect']['world_removed_share']:.1%} of world supply); "
        f"HHI {c['hhi_before']:.3f} -> {c['hhi_after']:.3f}; China share "
        f"{c['china_share_before']:.1%} -> {c['china_share_after']:.1%}"
    )
    alts = pd.DataFrame(res["alternatives"])
    print_table(
        alts[alts["covered_t"] > 0][["partner", "spare_t", "covered_t", "covered_value_usd", "basis"]],
        title="alternative suppliers",
        max_rows=15,
    )
    for a in res["assumptions"]:
        console.print(f"  - {a}")


def sourcing(
    mineral: str = typer.Option(..., "--mineral", "-m", help="Mineral id, e.g. copper."),
    stage: str = typer.Option(
        "concentrate", "--stage", help="concentrate/ore, intermediate, refined/cathode, product."
    ),
    year: int = typer.Option(2030, "--year", "-y", help="Sourcing year (tariff phase-in, price)."),
    cap: Optional[float] = typer.Option(0.65, "--cap", help="Max share of any one supplier (0-1)."),
    fta: Optional[List[str]] = typer.Option(None, "--fta", help="FTA partners, e.g. PER,CHL."),
    min_fta_share: Optional[float] = typer.Option(None, "--min-fta-share", help="Minimum share from FTA partners."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", help="Countries not allowed, e.g. CHN."),
    demand: Optional[float] = typer.Option(None, "--demand", help="Tonnes to source (default: projection)."),
    importer: str = typer.Option("IND", "--importer"),
    port: str = typer.Option("Mundra", "--port", help="Discharge port."),
    tariffs: Optional[Path] = typer.Option(None, "--tariffs", help="Tariff CSV: reporter,partner,hs6,year,rate (%)."),
    freight: Optional[Path] = typer.Option(None, "--freight", help="Freight CSV: partner,usd_per_t."),
    objective: str = typer.Option("cost", "--objective", help=f"{describe('objective')}."),
    unknown_tariff: str = typer.Option(
        "exclude", "--unknown-tariff", help=f"{describe('unknown tariff')} (reported either way)."
    ),
    shock: Optional[List[str]] = typer.Option(
        None, "--shock", help="For --objective cvar: FILE:PROBABILITY (shock scenario file); repeat for several."
    ),
    fta_entry: Optional[int] = typer.Option(None, "--fta-entry", help="FTA entry-into-force year (default 2027)."),
    phase_in: Optional[int] = typer.Option(None, "--phase-in", help="Years to phase the tariff out (default 0)."),
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Least-cost (or least-concentrated, or CVaR) sourcing mix, with and without the FTA."""
    import pandas as pd
    from critmin.report.figures_scenarios import sourcing_figure
    from critmin.services import scenarios as svc

    tariff_frame = svc.read_tariff_file(tariffs) if tariffs else None
    shocks = []
    for item in shock or []:
        path, _, prob = item.rpartition(":")
        try:
            shocks.append((Path(path), float(prob)))
        except ValueError:
            raise typer.BadParameter(f"--shock expects FILE:PROBABILITY, got {item!r}") from None
    freight_table = svc.read_freight_file(freight) if freight else None
    res = _call(
        svc.sourcing,
        settings_from(home, mirror),
        mineral,
        stage,
        year,
        importer=importer,
        destination=port,
        demand_t=demand,
        max_share=cap,
        fta=_split(fta),
        min_fta_share=min_fta_share,
        exclude=_split(exclude),
        tariffs=tariff_frame,
        freight_table=freight_table,
        objective=objective,
        unknown_tariff=unknown_tariff,
        fta_entry_year=fta_entry,
        fta_phase_in_years=phase_in,
        cvar_shocks=shocks,
    )
    _chart(sourcing_figure(res) if chart else None, chart)
    if json_out:
        print_json(res)
        return
    console.print(
        f"[bold]{res['objective']}[/]: {res['mineral']} {res['stage']} ({res['hs6']}), {res['year']}, "
        f"demand {res['demand_t']:,.0f} {res['unit']} ({res['demand_source']})"
    )
    for label, sc in res["scenarios"].items():
        df = pd.DataFrame(sc["allocation"])[["partner", "tonnes", "share", "landed_cost_usd_t", "tariff_rate"]]
        df["share"] = (100 * df["share"]).round(1).astype(str) + " %"
        df["tariff_rate"] = (100 * df["tariff_rate"]).round(2).astype(str) + " %"
        print_table(df, title=f"{label.replace('_', ' ')}: total USD {sc['total_cost_usd']:,.0f}, HHI {sc['hhi']:.3f}")
    if "fta_saving_usd" in res:
        console.print(f"FTA saving: USD {res['fta_saving_usd']:,.0f}")
    sp = {k: v for k, v in res["shadow_prices"].items() if v > 1e-9}
    console.print(
        "shadow prices (USD saved per extra tonne of capacity): "
        + (", ".join(f"{k} {v:,.2f}" for k, v in sp.items()) or "none binding")
    )
    if res["unknown_tariffs"]:
        console.print(
            f"[yellow]unknown tariff[/] for {', '.join(res['unknown_tariffs'])} "
            f"({'excluded' if unknown_tariff == 'exclude' else 'set to 0'})"
        )
    if res["excluded_missing_data"]:
        console.print(f"left out for missing data: {', '.join(res['excluded_missing_data'])}")
    for a in res["assumptions"]:
        console.print(f"  - {a}")


def contract(
    scenario: Path = typer.Option(..., "--scenario", "-s", help="Contract scenario YAML file."),
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Copper-concentrate contract economics in USD, INR and PEN, FX sensitivity and back-test."""
    import pandas as pd
    from critmin.report.figures_scenarios import contract_figure
    from critmin.services.scenarios import run_contract

    res = _call(run_contract, settings_from(home, mirror), scenario)
    if chart is not None and "backtest" in res:
        _chart(contract_figure(res), chart)
    if json_out:
        print_json(res)
        return
    c = res["contract"]
    rows = [
        (k, c[k])
        for k in (
            "dmt",
            "grade",
            "payable_cu_t",
            "lme_usd_t",
            "gross_metal_value_usd",
            "tc_usd",
            "rc_usd",
            "invoice_usd",
            "freight_usd",
            "duty_usd",
            "landed_cost_usd",
            "inr_per_usd",
            "importer_cost_inr",
            "pen_per_usd",
            "mine_revenue_pen",
        )
    ]
    shown = [(k, fmt_inr_crore(v) if k.endswith("_inr") else fmt_number(v)) for k, v in rows]
    print_table(pd.DataFrame(shown, columns=["item", "value"]), title=res.get("name") or "contract")
    sens = pd.DataFrame(res["sensitivity"])
    sens = pd.DataFrame(
        {
            "case": sens["case"],
            "INR crore": sens["importer_cost_inr"] / 1e7,
            "cost change %": 100 * sens["importer_cost_change"],
            "PEN million": sens["mine_revenue_pen"] / 1e6,
            "revenue change %": 100 * sens["mine_revenue_change"],
        }
    )
    print_table(sens, title="FX sensitivity")
    if "backtest" in res:
        b = res["backtest"]
        console.print(
            f"back-test {b['start']}..{b['end']} ({b['months']} months): importer cost "
            f"{fmt_inr_crore(b['importer_cost_inr']['min'])} to {fmt_inr_crore(b['importer_cost_inr']['max'])}"
            f"; mine revenue PEN {fmt_number(b['mine_revenue_pen']['min'] / 1e6)} to "
            f"{fmt_number(b['mine_revenue_pen']['max'] / 1e6)} million"
        )
    if "path" in res:
        pth = pd.DataFrame(res["path"])
        pth = pd.DataFrame(
            {
                "year": pth["year"].astype(str),
                "LME USD/t": pth["lme_usd_t"],
                "INR/USD": pth["inr_per_usd"],
                "PEN/USD": pth["pen_per_usd"],
                "INR crore": pth["importer_cost_inr"] / 1e7,
                "PEN million": pth["mine_revenue_pen"] / 1e6,
            }
        )
        print_table(pth, title="price / FX path")
    console.print(f"convention: {res['convention']}")


def route(
    origin: str = typer.Option(..., "--from", help="Origin port (e.g. Callao) or supplier ISO3."),
    destination: str = typer.Option(..., "--to", help="Destination port (e.g. Visakhapatnam)."),
    speed: Optional[float] = typer.Option(None, "--speed", help="Knots (default 13)."),
    closed: Optional[List[str]] = typer.Option(None, "--closed", help="Chokepoints closed, e.g. panama,suez."),
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
) -> None:
    """Sea distance, sailing days and chokepoints between two ports (offline, searoute)."""
    from critmin.report.figures_scenarios import route_map_figure
    from critmin.services.scenarios import route as route_svc

    cl = [c.lower() for c in _split(closed)]
    res = _call(route_svc, origin, destination, speed_knots=speed, closed=cl, with_path=chart is not None)
    if chart is not None:
        paths = [res] + ([route_svc(origin, destination, speed_knots=speed, with_path=True)] if cl else [])
        _chart(route_map_figure(paths, title=f"{res['from']} -> {res['to']}"), chart)
        res.pop("path", None)
    if json_out:
        print_json(res)
        return
    console.print(
        f"[bold]{res['from']} -> {res['to']}[/]: {res['distance_km']:,.0f} km ({res['distance_nm']:,.0f} nm), "
        f"{res['days']:.1f} days at {res['speed_knots']:g} kn"
    )
    console.print("chokepoints: " + (", ".join(res["chokepoint_names"]) or "none"))
    if cl:
        console.print(
            f"closed: {', '.join(cl)}; +{res['extra_km']:,.0f} km, +{res['extra_days']:.1f} days vs the "
            f"open route ({', '.join(res['baseline']['chokepoint_names'])})"
        )


def projection(
    mineral: str = typer.Option("copper", "--mineral", "-m"),
    end_year: int = typer.Option(2047, "--end-year"),
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Import-dependence paths to 2030 and 2047 with scenario bands and published claims."""
    import pandas as pd
    from critmin.report.figures_scenarios import projection_figure
    from critmin.services.scenarios import projection_report

    res = _call(projection_report, settings_from(home, mirror), mineral, end_year=end_year)
    _chart(projection_figure(res) if chart else None, chart)
    if json_out:
        print_json(res)
        return
    console.print(
        f"[bold]{mineral}[/] {res['base_year']}: demand {res['demand_kt']:,.0f} kt, domestic "
        f"{res['domestic_kt']:,.0f} kt -> import dependence {res['base_import_dependence']:.1%}"
    )
    p = pd.DataFrame(res["paths"])
    tab = p[p["year"].isin([res["base_year"], 2030, end_year])].pivot(
        index="scenario", columns="year", values="import_dependence"
    )
    tab.columns = [str(c) for c in tab.columns]
    print_table(tab.reset_index(), title="import dependence", float_format="{:.1%}")
    chk = res.get("tradestat_check") or {}
    for period, v in (chk.get("periods") or {}).items():
        console.print(
            f"  TradeStat HS 2603 {period}: USD {v['imports_usd'] / 1e6:,.0f} mn -> about "
            f"{v['implied_cu_content_kt']:,.0f} kt Cu at LME {v['lme_usd_t']:,.0f}"
        )
    for c in res["claims"]:
        lo = "" if c["model_low"] is None else f"model {c['model_low']:.1%}-{c['model_high']:.1%}"
        console.print(
            f"  published {c['year']}: {c['low']:.0%}{'-' + format(c['high'], '.0%') if c['high'] else '+'}"
            f" ({c['source']}); {lo}"
        )


def register(app: typer.Typer) -> None:
    app.command("shock")(shock)
    app.command("sourcing")(sourcing)
    app.command("contract")(contract)
    app.command("route")(route)
    app.command("projection")(projection)
