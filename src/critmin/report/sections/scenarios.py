"""Brief section: supply scenarios for copper concentrate (sourcing with/without FTA, route, projection)."""

from __future__ import annotations

from html import escape

from critmin.report.base import BriefContext, Footnote, Section
from critmin.report.html import fmt_num, fmt_pct, fmt_usd, kpis, table

ORDER = 70

TODAY = "duties in force"


def build(ctx: BriefContext) -> Section | None:
    from critmin.report.figures_scenarios import projection_figure, route_map_figure, sourcing_figure
    from critmin.services.brief_scenarios import copper_concentrate, design

    if ctx.reporter != design()["copper_concentrate"]["reporter"]:
        return None
    run = copper_concentrate(ctx.settings, ctx.partner)
    fta, src, what_if, proj = run["fta"], run["sourcing"], run["sourcing_what_if"], run["projection"]
    rt, rt_closed, now, before = run["route"], run["route_closed"], run["duty_now"], run["duty_what_if"]
    year = run["design"]["year"]
    what_if_label = f"what-if: the {before['year']} duty of {fmt_pct(before['rate'])}"
    base = ctx.period_label(proj["base_year"], "projection start")
    end = run["design"]["projection_end_year"]
    at_end = proj[f"at_{end}"]
    claims = [c for c in proj["claims"] if c["year"] == end and c.get("high") is not None]
    items = [
        (f"copper-concentrate import dependence, {base}", fmt_pct(proj["base_import_dependence"])),
        (f"{end} (scenario band)", f"{fmt_pct(min(at_end.values()))}–{fmt_pct(max(at_end.values()))}"),
        (f"least-cost sourcing {year} with FTA ({', '.join(fta)}), {TODAY}", fmt_usd(src["total_cost_usd"])),
        ("FTA saving at today's duty", fmt_usd(src.get("fta_saving_usd"))),
        (f"FTA saving, {what_if_label}", fmt_usd(what_if.get("fta_saving_usd"))),
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
            f"Closing the {run['closed_passage_name']} passage sends "
            f"{rt['from']}–{rt['to']} cargo via "
            f"{', '.join(rt_closed['chokepoint_names']) or 'the open ocean (no listed chokepoint)'}: {rt_closed['extra_km']:+,.0f} km, "
            f"{rt_closed['extra_days']:+.1f} days."
        )
        + "</p>"
    )
    body += (
        "<p>"
        + escape(
            f"{ctx.reporter}'s MFN duty on HS {run['design']['hs6']} in {now['year']}: {fmt_pct(now['rate'])} "
            f"({now['basis']}). The what-if re-applies the {before['year']} rate of {fmt_pct(before['rate'])} "
            f"({before['basis']})."
        )
        + "</p>"
    )
    if src["unknown_tariffs"]:
        body += "<p>" + escape(f"Unknown tariffs (left out): {', '.join(src['unknown_tariffs'])}.") + "</p>"
    d = run["design"]
    notes = [
        Footnote(
            f"Scenario design (critmin's assumptions, scenario_data/brief_scenarios.yaml): {d['mineral']} "
            f"{d['stage']} for {d['reporter']} in {year}; FTA partners {', '.join(fta)}; no supplier above "
            f"{fmt_pct(d['max_share'])} of supply; what-if duty of {before['year']}; route to {d['destination']} "
            f"with the {run['closed_passage_name']} passage closed."
        ),
        Footnote("Sourcing: " + "; ".join(src["assumptions"])),
        Footnote("Tariffs: " + "; ".join(sorted(set(src["tariff_basis"].values())))),
        Footnote(
            f"Projection: starting point {proj['sources']['starting_point']}; growth rates: {proj['sources']['growth']}"
            + "".join(
                f"; published claim for {c['year']}: {fmt_pct(c['low'])}–{fmt_pct(c['high'])} ({c['source']})"
                for c in claims
            )
            + "."
        ),
        Footnote(f"Route: {rt['source']}; {rt['speed_knots']:g} knots."),
    ]
    return Section(
        key="scenarios",
        title="Copper concentrate: sourcing, routes and dependence scenarios",
        html=body,
        figures=[
            sourcing_figure(src, scenario=TODAY),
            sourcing_figure(what_if, scenario=what_if_label),
            projection_figure(proj),
            route_map_figure([rt, rt_closed], title=f"Sea routes to {rt['to']}"),
        ],
        footnotes=notes,
    )
