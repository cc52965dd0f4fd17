"""Brief section: supply scenarios for copper concentrate (sourcing with/without FTA, route, projection)."""

from __future__ import annotations

from html import escape

from critmin.report.base import BriefContext, Footnote, Section
from critmin.report.html import fmt_num, fmt_pct, fmt_usd, kpis, table

ORDER = 70

_PORT_OF = {"PER": "Matarani", "CHL": "Antofagasta"}
TODAY = "duties in force"
WHAT_IF = "what-if: the pre-24-Jul-2024 2.5 % duty"


def build(ctx: BriefContext) -> Section | None:
    from critmin.report.figures_scenarios import projection_figure, route_map_figure, sourcing_figure
    from critmin.services.scenarios import mfn_what_if, projection_report, route, sourcing

    if ctx.reporter != "IND":
        return None
    fta = ["PER", "CHL"] if ctx.partner in (None, "PER", "CHL") else [ctx.partner]
    src = sourcing(ctx.settings, "copper", "concentrate", 2030, fta=fta, max_share=0.65)
    what_if = sourcing(
        ctx.settings,
        "copper",
        "concentrate",
        2030,
        fta=fta,
        max_share=0.65,
        tariffs=mfn_what_if("IND", "260300", 2.5, source="what-if: the pre-24-Jul-2024 2.5 % BCD"),
    )
    proj = projection_report(ctx.settings, "copper")
    origin = _PORT_OF.get(fta[0], fta[0])
    rt = route(origin, "Visakhapatnam", with_path=True)
    rt_closed = route(origin, "Visakhapatnam", closed=["magellan"], with_path=True)
    base = ctx.period_label(proj["base_year"], "projection start")
    items = [
        (f"copper-concentrate import dependence, {base}", fmt_pct(proj["base_import_dependence"])),
        ("2047 (scenario band)", f"{fmt_pct(min(proj['at_2047'].values()))}–{fmt_pct(max(proj['at_2047'].values()))}"),
        (f"least-cost sourcing 2030 with FTA ({', '.join(fta)}), {TODAY}", fmt_usd(src["total_cost_usd"])),
        ("FTA saving at today's duty", fmt_usd(src.get("fta_saving_usd"))),
        (f"FTA saving, {WHAT_IF}", fmt_usd(what_if.get("fta_saving_usd"))),
        (f"{rt['from']} → {rt['to']}", f"{rt['distance_km']:,.0f} km, {rt['days']:.0f} days"),
    ]
    rows = [
        {
            "partner": a["partner"],
            "tonnes": a["tonnes"],
            "share": a["share"],
            "cost": a["landed_cost_usd_t"],
            "shadow": src["shadow_prices"].get(a["partner"], 0.0),
        }
        for a in src["allocation"]
    ]
    body = kpis(items) + table(
        rows,
        [
            ("partner", "supplier", None),
            ("tonnes", "t Cu", lambda v: f"{v:,.0f}"),
            ("share", "share", fmt_pct),
            ("cost", "landed USD/t Cu", fmt_num),
            ("shadow", "value of 1 t more capacity (USD)", fmt_num),
        ],
    )
    body += (
        "<p>"
        + escape(
            f"Closing the Magellan passage sends {rt['from']}–{rt['to']} cargo via "
            f"{', '.join(rt_closed['chokepoint_names']) or 'the open ocean (no listed chokepoint)'}: {rt_closed['extra_km']:+,.0f} km, "
            f"{rt_closed['extra_days']:+.1f} days."
        )
        + "</p>"
    )
    body += (
        "<p>"
        + escape(
            "India's basic customs duty on copper ores and concentrates has been 0 % since "
            "24 July 2024 (Union Budget 2024-25; starter tariff table), so a tariff cut under an FTA "
            "does not change the landed cost of concentrate; the what-if restores the earlier 2.5 %."
        )
        + "</p>"
    )
    if src["unknown_tariffs"]:
        body += "<p>" + escape(f"Unknown tariffs (left out): {', '.join(src['unknown_tariffs'])}.") + "</p>"
    notes = [
        Footnote("Sourcing: " + "; ".join(src["assumptions"])),
        Footnote("Tariffs: " + "; ".join(sorted(set(src["tariff_basis"].values())))),
        Footnote(
            f"Projection: starting point {proj['sources']['starting_point']}; growth rates are critmin "
            f"assumptions spanning the published 91–97 % by 2047 claim."
        ),
        Footnote("Route: searoute (Eurostat marine network) between critmin's port coordinates; 13 knots."),
    ]
    return Section(
        key="scenarios",
        title="Copper concentrate: sourcing, routes and dependence scenarios",
        html=body,
        figures=[
            sourcing_figure(src, scenario=TODAY),
            sourcing_figure(what_if, scenario=WHAT_IF),
            projection_figure(proj),
            route_map_figure([rt, rt_closed], title="Sea routes to Visakhapatnam"),
        ],
        footnotes=notes,
    )
