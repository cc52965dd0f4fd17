"""``critmin criticality``: criticality and supply-risk scores per mineral and value-chain stage."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, cast

import typer

from critmin.vocabulary import check, describe

if TYPE_CHECKING:
    import pandas as pd

    from critmin.services.criticality import Method

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


def criticality(
    reporter: str = typer.Option("IND", "--reporter", "-r", help="Importer ISO3."),
    year: int = typer.Option(2024, "--year", "-y", help="Trade year (production and WGI: latest up to it)."),
    method: str = typer.Option("eu", "--method", help="eu (JRC 2017), geopolrisk or geodep."),
    scenario: Optional[Path] = typer.Option(None, "--scenario", help="Policy-lever YAML file."),
    draws: int = typer.Option(1000, "--draws", help="Monte-Carlo draws (0: point scores only)."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same bands)."),
    inputs: Optional[Path] = typer.Option(None, "--inputs", help="CSV overriding parameters (with sources)."),
    parameters: str = typer.Option(
        "eu2023", "--parameters", help=f"EU assessment whose EoL-RIR, SI and EI are used: {describe('parameters')}."
    ),
    agreements: bool = typer.Option(
        False, "--agreements", help="Lower t (x0.8) of partners sharing an RTA in force with the reporter."
    ),
    json_out: bool = JsonOpt,
    chart: Optional[Path] = ChartOpt,
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
) -> None:
    """Supply risk, economic importance and criticality of every mineral for an importer."""
    import pandas as pd
    from critmin.services.criticality import criticality_scores

    check("method", method)
    check("parameters", parameters)
    if draws < 0:
        raise typer.BadParameter("must be >= 0", param_hint="--draws")
    res = criticality_scores(
        settings_from(home, mirror),
        reporter.upper(),
        year,
        method=cast("Method", method),  # checked above
        scenario=scenario,
        draws=draws,
        seed=seed,
        inputs=inputs,
        agreements=agreements,
        parameters=parameters,
    )
    if chart is not None:
        if method == "geodep":
            err_console.print("[yellow]warning:[/] no matrix chart for the geodep screen")
        else:
            from critmin.report.charts import save_figure
            from critmin.report.figures_criticality import criticality_matrix_figure

            path = save_figure(criticality_matrix_figure(res), chart)
            err_console.print(f"chart written to {path}")
    if json_out:
        print_json(res)
        return
    df = pd.DataFrame(res["records"])
    if method == "geodep":
        cols = [
            "hs6",
            "material",
            "stage",
            "import_hhi",
            "export_hhi",
            "import_export_ratio",
            "top_supplier",
            "dependent",
        ]
    else:
        cols = [
            "material",
            "stage",
            "supply_risk",
            "supply_risk_p05",
            "supply_risk_p95",
            "economic_importance",
            "critical",
            "bottleneck",
        ] + (["delta_supply_risk"] if res.get("scenario") else [])
        if method == "eu" and "economic_importance_india" in df and df["economic_importance_india"].notna().any():
            cols[6:6] = ["economic_importance_india", "critical_india_ei"]
        df = df.sort_values("supply_risk", ascending=False)
    title = f"{res['method']} criticality, {res['reporter']} {res['year']}"
    if res.get("scenario"):
        title += f", scenario {res['scenario']}"
    if method != "geodep":
        df, cols = _compact(df, cols)
    print_table(df[cols], title=title + " (--json for every field)", max_rows=80)


def _compact(df: pd.DataFrame, cols: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The EU/GeoPolRisk table for a terminal: the Monte-Carlo band in one column, yes/no flags, short headers."""
    import pandas as pd

    df = df.copy()
    if "supply_risk_p05" in cols:
        band = [
            f"{lo:.2f}–{hi:.2f}" if pd.notna(lo) and pd.notna(hi) else ""
            for lo, hi in zip(df["supply_risk_p05"], df["supply_risk_p95"])
        ]
        i = cols.index("supply_risk_p05")
        cols = [c for c in cols if c not in ("supply_risk_p05", "supply_risk_p95")]
        if any(band):
            df["SR 5-95%"] = band
            cols.insert(i, "SR 5-95%")
    for c in ("critical", "critical_india_ei", "bottleneck"):
        if c in df:
            df[c] = ["yes" if v is True else "no" if v is False else "" for v in df[c]]
    if console.width < 100:
        cols = [c for c in cols if c != "bottleneck"]  # in --json; too wide for a narrow terminal
    short = {
        "material": "material",
        "supply_risk": "SR",
        "economic_importance": "EI EU",
        "economic_importance_india": "EI IND",
        "critical_india_ei": "crit IND",
        "critical": "crit EU",
        "bottleneck": "bottleneck",
        "delta_supply_risk": "ΔSR",
    }
    df = df.rename(columns=short)
    return df, [short.get(c, c) for c in cols]


def register(app: typer.Typer) -> None:
    app.command("criticality")(criticality)
