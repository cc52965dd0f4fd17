"""Brief section: what the agreement with the partner changes (WITS-SMART, both sides, by year)."""

from __future__ import annotations

import html

from critmin.errors import CritminError
from critmin.report.base import BriefContext, Footnote, Section

ORDER = 60


def _usd(v) -> str:
    if v is None:
        return "n/a"
    return f"USD {v / 1e6:,.2f} mn" if abs(v) >= 1e5 else f"USD {v:,.0f}"


def build(ctx: BriefContext) -> Section | None:
    from critmin.report.figures_fta import creation_diversion_figure, revenue_balance_figure
    from critmin.services.fta import fta_outlook
    from critmin.sources.tariffs import bundled_scenario

    if not ctx.partner or bundled_scenario(ctx.reporter, ctx.partner) is None:
        return None
    try:
        sim, before = fta_outlook(ctx.settings, ctx.reporter, ctx.partner, year=ctx.year)
    except CritminError:
        return None
    f = sim.final()
    r, p = html.escape(sim.reporter), html.escape(sim.partner)
    rows = "".join(
        f"<tr><td>{int(t['year'])}</td><td>{_usd(t.get('reporter_imports_change_usd'))}</td>"
        f"<td>{_usd(t.get('reporter_exports_change_usd'))}</td><td>{_usd(t.get('balance_change_usd'))}</td>"
        f"<td>{_usd(t.get('reporter_revenue_change_usd'))}</td></tr>"
        for t in sim.totals.to_dict(orient="records")
    )
    contrast, charted, charted_note = "", sim, ""
    scenario = "tariffs in force"
    if before is not None:
        b, ty = before.final(), before.parameters["tariff_year"]
        charted = before
        scenario = f"what-if: the tariffs of {ty} (not today's; the table above uses today's)"
        charted_note = (
            f"<p class='note'>The charts show the same schedule with the tariffs of {ty}, "
            f"since at today's tariffs nothing changes.</p>"
        )
        contrast = (
            f"<p>With the tariffs of {ty} (before {r}'s own later tariff cuts on these lines), the same "
            f"schedule would have raised {r}'s imports from {p} by "
            f"{_usd(b.get('reporter_imports_change_usd'))} and cut {r}'s tariff revenue by "
            f"{_usd(-(b.get('reporter_revenue_change_usd') or 0))}.</p>"
        )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in sim.notes)
    body = (
        f"<p><b>{html.escape(sim.scenario.name)}</b> ({html.escape(sim.scenario.status)}). "
        f"At full phase-in (year {f['fta_year']}), {r}'s imports from {p} change by "
        f"{_usd(f.get('reporter_imports_change_usd'))} (creation {_usd(f.get('reporter_trade_creation_usd'))}, "
        f"diversion from other suppliers {_usd(f.get('reporter_diversion_to_partner_usd'))}); {r}'s exports to "
        f"{p} change by {_usd(f.get('reporter_exports_change_usd'))}; the bilateral balance by "
        f"{_usd(f.get('balance_change_usd'))}; {r}'s tariff revenue by "
        f"{_usd(f.get('reporter_revenue_change_usd'))}.</p>{contrast}"
        f"<table><thead><tr><th>year</th><th>{r} imports from {p}</th><th>{r} exports to {p}</th>"
        f"<th>balance</th><th>{r} tariff revenue</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<p class='scope'>scenario: tariffs in force · change vs no agreement · USD</p>"
        f"<ul>{notes}</ul>{charted_note}"
    )
    return Section(
        key="fta",
        title=f"What does the agreement with {p} change?",
        html=body,
        figures=[
            creation_diversion_figure(charted, scenario=scenario),
            revenue_balance_figure(charted, scenario=scenario),
        ],
        footnotes=[
            Footnote(
                "WITS-SMART partial equilibrium (Laird and Yeats 1986; Jammes and Olarreaga 2005): "
                "TC = M·Em·Δt/[(1+t)(1−Em/Ex)], CES trade diversion with σ = 1.5, Ex = 99 (WITS defaults); "
                "revenue R = t·M; welfare ½·Δt·TC."
            ),
            Footnote(
                f"Trade: {ctx.source('trade_flows')} (table trade_flows, critical-mineral HS6 codes) and "
                f"{ctx.source('tradestat_imports')} (table tradestat_imports, HS 2603); tariffs: critmin starter table (starter_tariffs.csv, "
                "sources per row: Union Budget 2024-25/CBIC, WTO Tariff Profiles, SUNAT-MEF, NZ Customs); "
                f"schedule: {html.escape(sim.scenario.origin.rsplit('/', 1)[-1])}."
            ),
        ],
    )
