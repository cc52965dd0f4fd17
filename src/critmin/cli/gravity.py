"""``critmin gravity estimate|ge``: structural gravity estimates and GE counterfactuals."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, cast

import typer

from critmin.vocabulary import check

from critmin.cli._common import HomeOpt, JsonOpt, MirrorOpt, console, print_json, print_table, settings_from

if TYPE_CHECKING:
    from critmin.domain.policy.ge import Method
    from critmin.domain.policy.gravity import PairMode, Vcov
    from critmin.services.gravity import CostModel

gravity_app = typer.Typer(
    help="Structural gravity: PPML estimates and general-equilibrium counterfactuals (Yotov et al. 2016).",
    no_args_is_help=True,
)

PanelOpt = typer.Option(
    ...,
    "--panel",
    help="Gravity panel CSV (AGTPA format: exporter, importer, year, trade, "
    "dist, cntg, lang, clny, rta ...), .csv or .csv.gz.",
)


def _codes(text: Optional[str]) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()] if text else []


def _ints(text: Optional[str]) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma-separated list of years") from None


@gravity_app.command("estimate")
def estimate_cmd(
    panel: Path = PanelOpt,
    years: Optional[str] = typer.Option(None, "--years", help="Comma-separated years (default: every --every-th)."),
    every: int = typer.Option(4, "--every", help="Use every n-th year counted back from the last (guide: 4)."),
    covariates: str = typer.Option(
        "rta", "--covariates", help="Comma-separated regressors: panel columns, ln_dist, intl_brdr."
    ),
    fixed_effects: str = typer.Option(
        "exporter_year,importer_year,pair",
        "--fe",
        help="Fixed effects: exporter, importer, exporter_year, importer_year, pair, year.",
    ),
    border_by_year: bool = typer.Option(
        False, "--border-by-year", help="Add international-border x year dummies (globalisation)."
    ),
    pair: str = typer.Option("symmetric", "--pair", help="symmetric or directional pair effects."),
    vcov: str = typer.Option("cluster_pair", "--vcov", help="cluster_pair, hetero or iid."),
    json_: bool = JsonOpt,
):
    """PPML with high-dimensional fixed effects: coefficients and standard errors."""
    from critmin.services.gravity import estimate_gravity

    res = estimate_gravity(
        panel,
        covariates=[c.strip() for c in covariates.split(",") if c.strip()],
        fixed_effects=[f.strip() for f in fixed_effects.split(",") if f.strip()],
        years=_ints(years),
        every=every,
        border_by_year=border_by_year,
        pair=cast("PairMode", pair),  # validated by GravitySpec
        vcov=cast("Vcov", vcov),  # validated by GravitySpec
    )
    if json_:
        print_json(res.to_dict())
        return
    console.print(res.summary().splitlines()[0])
    print_table(res.to_frame(), title="PPML gravity estimates", float_format="{:,.4f}")


@gravity_app.command("ge")
def ge_cmd(
    panel: Path = PanelOpt,
    year: int = typer.Option(..., "--year", help="Year of the GE baseline."),
    sigma: float = typer.Option(7.0, "--sigma", help="Elasticity of substitution (> 1)."),
    rta_on: Optional[str] = typer.Option(None, "--rta-on", help="New agreement among these countries (A,B,C)."),
    rta_off: Optional[str] = typer.Option(None, "--rta-off", help="Remove agreements among these countries."),
    no_borders: bool = typer.Option(False, "--no-borders", help="Remove all international borders."),
    cost_factor: Optional[float] = typer.Option(
        None, "--cost-factor", help="Multiply iceberg trade costs by this factor."
    ),
    among: Optional[str] = typer.Option(None, "--among", help="With --cost-factor: only among these countries."),
    method: str = typer.Option("exact", "--method", help="Full-endowment step: exact or book."),
    reference: str = typer.Option("DEU", "--reference", help="Numeraire country (inward resistance = 1)."),
    rta_effect: Optional[float] = typer.Option(
        None, "--rta-effect", help="RTA coefficient to use (default: panel PPML estimate)."
    ),
    every: int = typer.Option(4, "--every", help="Years between panel observations for the RTA estimate."),
    costs: Optional[str] = typer.Option(
        None,
        "--costs",
        help="Trade-cost model: pair-fe (the guide's two-stage pair fixed effects; "
        "default) or cross-section (one-year PPML on distance, contiguity, "
        "language, colony, border; default for --no-borders).",
    ),
    json_: bool = JsonOpt,
):
    """GE counterfactual: % changes of real GDP, exports, resistances and factory-gate prices.

    Agreement scenarios report two conventions: "counterfactual vs baseline" and "effect of the
    agreement" = (with - without) / without.
    """
    from critmin.domain.policy.ge import GEScenario
    from critmin.services.gravity import run_ge

    chosen = [x for x in (rta_on, rta_off, no_borders or None, cost_factor) if x is not None]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --rta-on, --rta-off, --no-borders, --cost-factor")
    if rta_on:
        scenario = GEScenario.rta_on(_codes(rta_on))
    elif rta_off:
        scenario = GEScenario.rta_off(_codes(rta_off))
    elif no_borders:
        scenario = GEScenario.no_borders()
    else:
        assert cost_factor is not None, "the one option given"
        scenario = GEScenario.cost_change(cost_factor, _codes(among))
    if costs is not None:
        check("costs", costs)
    res = run_ge(
        panel,
        scenario,
        year=year,
        sigma=sigma,
        method=cast("Method", method),  # validated by GEModel
        reference=reference.upper(),
        rta_effect=rta_effect,
        every=every,
        costs=cast("CostModel | None", costs),  # checked above
    )
    if json_:
        print_json(res.records())
        return
    console.print(res.summary())
    cols = ["country", "real_gdp_pct", "exports_pct", "exports_cdl_pct", "price_pct", "omr_pct", "imr_pct"]
    df = res.to_frame()[cols].sort_values("real_gdp_pct", ascending=False)
    print_table(df, title=f"{res.scenario.label}: % change, counterfactual vs baseline", max_rows=80)
    if res.is_agreement:
        eff = res.agreement_effects()[cols + ["price_guide_pct"]].sort_values("real_gdp_pct", ascending=False)
        print_table(
            eff,
            title="effect of the agreement: % change, (with - without) / without; prices "
            "p_with / p_without - 1 (price_guide_pct: the guide's 1 - p_cfl / p_bln)",
            max_rows=80,
        )


@gravity_app.command("partners")
def partners_cmd(
    reporter: str = typer.Option("IND", "--reporter", help="ISO3 of one party."),
    partner: str = typer.Option(..., "--partner", help="ISO3 of the other party (e.g. PER, CHL, NZL)."),
    year: int = typer.Option(2019, "--year", help="Year of the goods panel (IMF DOTS and OECD accounts)."),
    rta_panel: Optional[Path] = typer.Option(
        None, "--rta-panel", help="Panel for the RTA estimate (default: warehouse gravity_panel)."
    ),
    rta_effect: Optional[float] = typer.Option(None, "--rta-effect", help="RTA coefficient to use instead."),
    cost_factor: Optional[float] = typer.Option(
        None, "--cost-factor", help="Tariff variant: iceberg-cost factor (1+t')/(1+t) on the pair."
    ),
    sigma: float = typer.Option(7.0, "--sigma", help="Elasticity of substitution (> 1)."),
    home: Optional[Path] = HomeOpt,
    mirror: Optional[Path] = MirrorOpt,
    json_: bool = JsonOpt,
):
    """GE effects of an agreement on a goods panel of ~75 economies (DOTS + OECD domestic sales), both parties
    and the largest third-country effects, as (with - without) / without."""
    from critmin.services.gravity import run_partner_ge

    out = run_partner_ge(
        settings_from(home, mirror),
        reporter.upper(),
        partner.upper(),
        year=year,
        rta_panel=rta_panel,
        rta_effect=rta_effect,
        cost_factor=cost_factor,
        sigma=sigma,
    )
    if json_:
        print_json(out)
        return
    if not out["available"]:
        console.print(out["reason"])
        raise typer.Exit(1)
    cov = out["coverage"]
    console.print(f"GE panel: {cov['n_countries']} economies; {cov['what']}")
    console.print(f"RTA effect: {out['rta_effect']['estimate']:.4f} ({out['rta_effect']['source']})")
    import pandas as pd

    for v in out["variants"]:
        rows = [{"country": c, **vals} for c, vals in v["countries"].items()] + [
            {"country": f"{t['country']} (third)", **{k: t[k] for k in t if k != "country"}}
            for t in v["third_countries"]
        ]
        print_table(
            pd.DataFrame(rows),
            title=f"{v['name']}: {v['scenario']} — % effect, (with - without) / without",
            float_format="{:,.4f}",
        )


def register(app: typer.Typer) -> None:
    app.add_typer(gravity_app, name="gravity")
