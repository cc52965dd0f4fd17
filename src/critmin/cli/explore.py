"""``critmin trade``, ``critmin dependence``, ``critmin production``: the trade & dependence explorer."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, cast

import typer

from critmin.vocabulary import describe

from critmin.periods import parse_years

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

if TYPE_CHECKING:
    from critmin.vocabulary import Backend

BackendOpt = typer.Option("duckdb", "--backend", help=f"Ibis backend: {describe('backend')}.")
YearsOpt = typer.Option(None, "--years", help="Several years, 2022,2024 or 2019-2024: the series.")


def _warn_to_stderr():
    """Show padded-HS-code and similar warnings as one readable line on stderr."""

    def show(message, category, filename, lineno, file=None, line=None):
        err_console.print(f"[yellow]warning:[/] {message}")

    warnings.showwarning = show


def _musd(x) -> str:
    return "" if x is None else f"{x / 1e6:,.2f}"


def _chart(fig_builder, result: dict, chart: Optional[Path]) -> None:
    if chart is None:
        return
    from critmin.report.charts import save_figure

    path = save_figure(fig_builder(result), chart)
    err_console.print(f"chart written to {path}")


def trade(
    reporter: str = typer.Option(..., "--reporter", "-r", help="Reporter country (ISO3, ISO2, name)."),
    partner: Optional[List[str]] = typer.Option(
        None, "--partner", "-p", help="Partner country; repeat for several; default all."
    ),
    hs: Optional[List[str]] = typer.Option(None, "--hs", help="HS6 code; repeat for several."),
    mineral: Optional[str] = typer.Option(None, "--mineral", "-m", help="Mineral id, e.g. copper."),
    stage: Optional[str] = typer.Option(None, "--stage", help=f"{describe('stage')}."),
    year: Optional[List[int]] = typer.Option(
        None, "--year", "-y", help="Year; repeat for several; default the latest."
    ),
    years: Optional[str] = YearsOpt,
    period: Optional[str] = typer.Option(
        None,
        "--period",
        help="Period of the bilateral picture (one partner): CY2024, FY2024-25; default the calendar year.",
    ),
    include_baskets: bool = typer.Option(
        False, "--include-baskets", help="Keep basket HS6 codes that also cover other goods."
    ),
    backend: str = BackendOpt,
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Imports, exports and balance of a reporter with one, several or all partners.

    With one partner, the total trade in all goods (official source), the products that explain it,
    the share they cover and where sources disagree.
    """
    import pandas as pd
    from critmin.report.figures_explorer import trade_figure
    from critmin.services.explorer import trade_summary

    _warn_to_stderr()
    res = trade_summary(
        settings_from(home, mirror),
        reporter,
        partners=partner or None,
        hs=hs or None,
        mineral=mineral,
        stage=stage,
        years=(year or None) or parse_years(years),
        include_baskets=include_baskets or None,
        period=period,
        backend=cast("Backend", backend),  # validated by Explorer.open
        progress=True,
    )
    _chart(trade_figure, res, chart)
    if json_out:
        print_json(res)
        return
    partners = ", ".join(res["partners"]) if res["partners"] else "all partners"
    if "total" in res:
        _print_picture(res)
    console.print(
        f"[bold]{res['reporter_name']} ({res['reporter']})[/] with {partners}, "
        f"{', '.join(f'CY{y}' for y in res['years'])}, {res['scope']} — {res['source']}"
    )
    if res.get("bloc"):
        console.print(res["bloc"]["note"])
    console.print(
        f"imports {_musd(res['imports_usd'])} M USD, exports {_musd(res['exports_usd'])} M USD, "
        f"balance {_musd(res['balance_usd'])} M USD"
    )
    if res["by_product"]:
        df = pd.DataFrame(res["by_product"])[["hs6", "mineral", "stage", "imports_usd", "exports_usd", "balance_usd"]]
        for c in ("imports_usd", "exports_usd", "balance_usd"):
            df[c] = df[c] / 1e6
        print_table(df.rename(columns={c: c.replace("_usd", " (M USD)") for c in df.columns}), title="by product")
    if not res["partners"] or len(res["partners"]) > 1:
        bp = pd.DataFrame(res["by_partner"])[["partner", "name", "imports_usd", "exports_usd", "balance_usd"]]
        for c in ("imports_usd", "exports_usd", "balance_usd"):
            bp[c] = bp[c] / 1e6
        print_table(
            bp.rename(columns={c: c.replace("_usd", " (M USD)") for c in bp.columns}), title="by partner", max_rows=15
        )


def _print_picture(res: dict) -> None:
    """The bilateral picture: total (all goods), the products that explain it, coverage, reconciliation."""
    import pandas as pd

    t = res["total"]
    who = f"[bold]{res['reporter_name']} ({res['reporter']})[/] with {res['partners'][0]}"
    if t is None:
        console.print(
            f"{who}: no official all-goods total for {res['picture_period']} (sources: "
            f"{', '.join(res['precedence']['total'])}); product detail below is partial"
        )
    else:
        console.print(f"{who}, all goods, {t['period']} ({t['basis']}) — {t['source_title']}")
        console.print(
            f"imports {_musd(t['imports_usd'])} M USD, exports {_musd(t['exports_usd'])} M USD, "
            f"balance {_musd(t['balance_usd'])} M USD" + (f"  [dim]({t['note']})[/]" if t["note"] else "")
        )
    for flow in ("imports", "exports"):
        rows = [r for r in res["explained"] if r["flow"] == flow]
        if not rows:
            continue
        cov = res["coverage"][flow]
        share = "" if cov["share"] is None else f", {cov['share']:.1%} of the total"
        df = pd.DataFrame(rows)[["code", "description", "value_usd", "period", "source"]]
        df["value_usd"] = df["value_usd"] / 1e6
        df["description"] = df["description"].str.slice(0, 48)
        print_table(
            df.rename(columns={"value_usd": "value (M USD)"}),
            title=f"{flow} explained by product ({len(rows)} products{share})",
            max_rows=10,
        )
        if cov.get("note"):
            console.print(f"[dim]{cov['note']}[/]")
    if res["reconciliation"]:
        rec = pd.DataFrame(
            [
                {
                    "flow": c["flow"],
                    "code": c["code"],
                    "period": c["period"],
                    "source A (M USD)": f"{c['values'][0]['source']} {c['values'][0]['value_usd'] / 1e6:,.2f}",
                    "source B (M USD)": f"{c['values'][1]['source']} {c['values'][1]['value_usd'] / 1e6:,.2f}",
                    "B vs A": f"{c['gap']:+.1%}" if c["gap"] is not None else "",
                }
                for c in res["reconciliation"]
            ]
        )
        print_table(rec, title="where sources overlap (reasons in --json)", max_rows=10)


def dependence(
    reporter: str = typer.Option(..., "--reporter", "-r", help="Importing country (ISO3, ISO2, name)."),
    hs: Optional[List[str]] = typer.Option(None, "--hs", help="HS6 code; repeat for several."),
    mineral: Optional[str] = typer.Option(None, "--mineral", "-m", help="Mineral id, e.g. copper."),
    stage: Optional[str] = typer.Option(None, "--stage", help=f"{describe('stage')}."),
    year: Optional[int] = typer.Option(None, "--year", "-y", help="Year (default the latest)."),
    years: Optional[str] = YearsOpt,
    include_baskets: bool = typer.Option(
        False, "--include-baskets", help="Keep basket HS6 codes that also cover other goods."
    ),
    backend: str = BackendOpt,
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Supplier shares, HHI, top-3 and China share, WGI-weighted HHI and net import reliance."""
    import pandas as pd
    from critmin.report.figures_explorer import dependence_figure
    from critmin.services.explorer import dependence as run

    _warn_to_stderr()
    if not (hs or mineral or stage):
        raise typer.BadParameter("give --hs, --mineral or --stage", param_hint="--hs/--mineral")
    res = run(
        settings_from(home, mirror),
        reporter,
        hs=hs or None,
        mineral=mineral,
        stage=stage,
        year=year,
        years=parse_years(years),
        include_baskets=include_baskets or None,
        backend=cast("Backend", backend),  # validated by Explorer.open
        progress=True,
    )
    _chart(dependence_figure, res, chart)
    if json_out:
        print_json(res)
        return
    what = res["products"]["mineral"] or ", ".join(res["products"]["hs6"])
    console.print(
        f"[bold]{res['reporter_name']} ({res['reporter']})[/] imports of {what}"
        f"{' (' + res['products']['stage'] + ')' if res['products']['stage'] else ''}, {res['year']}: "
        f"{_musd(res['imports_usd'])} M USD from {res['n_suppliers']} suppliers"
    )
    if res.get("bloc"):
        console.print(res["bloc"]["note"])
    sup = pd.DataFrame(res["suppliers"])[["rank", "partner", "name", "value_usd", "share"]]
    sup["value_usd"] = sup["value_usd"] / 1e6
    sup["share"] = sup["share"] * 100
    print_table(
        sup.rename(columns={"value_usd": "value (M USD)", "share": "share (%)"}), title="suppliers", max_rows=15
    )

    def fmt(v, pct=False):
        return "n/a" if v is None else (f"{v:.1%}" if pct else f"{v:.3f}")

    ind = pd.DataFrame(
        [
            ("HHI (0-1)", fmt(res["hhi"])),
            ("top-3 share", fmt(res["top3_share"], True)),
            ("China share", fmt(res["china_share"], True)),
            (f"WGI-weighted HHI (0-10, WGI {res['wgi_year']})", fmt(res["wgi_weighted_hhi"])),
            (
                "net import reliance",
                fmt(res["net_import_reliance"], True)
                + (f" ({res['net_import_reliance_note']})" if res.get("net_import_reliance_note") else ""),
            ),
            ("exports (M USD)", _musd(res["exports_usd"])),
        ],
        columns=["indicator", "value"],
    )
    print_table(ind, title="concentration and dependence")
    if res.get("series"):
        ser = pd.DataFrame(res["series"])[
            ["period", "imports_usd", "imports_usd_yoy", "hhi", "top3_share", "china_share", "top_supplier"]
        ]
        ser["imports_usd"] = ser["imports_usd"] / 1e6
        print_table(
            ser.rename(columns={"imports_usd": "imports (M USD)", "imports_usd_yoy": "change"}).fillna(""),
            title="by year (calendar years, BACI)",
        )
        if res["years_without_data"]:
            console.print(f"[yellow]no imports in year(s) {', '.join(map(str, res['years_without_data']))}[/]")


def production(
    mineral: str = typer.Option(..., "--mineral", "-m", help="Mineral id, e.g. copper."),
    stage: Optional[str] = typer.Option("mine", "--stage", help="USGS stage: mine, refinery, smelter..."),
    year: Optional[int] = typer.Option(None, "--year", "-y", help="Year (default the latest reported)."),
    years: Optional[str] = YearsOpt,
    country: Optional[str] = typer.Option(None, "--country", "-c", help="Country to highlight."),
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """World production and reserves by country (USGS), ranked with shares."""
    import pandas as pd
    from critmin.report.figures_explorer import production_figure
    from critmin.services.explorer import production as run

    res = run(
        settings_from(home, mirror),
        mineral,
        stage=stage,
        year=year,
        years=parse_years(years),
        country=country,
        progress=True,
    )
    _chart(production_figure, res, chart)
    if json_out:
        print_json(res)
        return
    console.print(
        f"[bold]{res['mineral']} {res['stage']} production {res['year']}[/] — {res['statistic']}; "
        f"world {res['world']:,.0f} {res['unit']} — {res['source']}"
    )
    df = pd.DataFrame(res["producers"])[["rank", "iso3", "country", "value", "share", "reserves", "reserves_share"]]
    tonnes = res["unit"] == "metric tons"
    scale, unit = (1e3, "kt") if tonnes else (1.0, res["unit"])
    df["rank"] = [("" if pd.isna(r) else str(int(r))) for r in df["rank"]]
    df["value"] = df["value"] / scale
    df["reserves"] = df["reserves"] / scale
    df["share"] = df["share"] * 100
    df["reserves_share"] = df["reserves_share"] * 100
    print_table(
        df.rename(
            columns={
                "value": f"production ({unit})",
                "share": "share (%)",
                "reserves": f"reserves ({unit})",
                "reserves_share": "reserves share (%)",
            }
        ),
        float_format="{:,.1f}",
    )
    if "country" in res:
        c = res["country"]
        if c.get("rank"):
            console.print(f"{c['country']} ranks {c['rank']} with {c['share']:.1%} of world {res['stage']} production.")
        else:
            console.print(c.get("note", ""))


def register(app: typer.Typer) -> None:
    app.command("trade")(trade)
    app.command("dependence")(dependence)
    app.command("production")(production)
