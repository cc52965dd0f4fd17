"""Brief section: criticality matrix of the reporter's minerals (EU method, with bands)."""

from __future__ import annotations

import html

from critmin.report.base import BriefContext, Footnote, Section

ORDER = 40
DRAWS = 1000


def build(ctx: BriefContext) -> Section | None:
    from critmin.report.figures_criticality import criticality_matrix_figure
    from critmin.services.criticality import criticality_scores

    res = criticality_scores(ctx.settings, ctx.reporter, ctx.year, method="eu", draws=DRAWS, seed=0)
    recs = [r for r in res["records"] if r["bottleneck"]]
    if not recs:
        return None
    crit = sorted((r for r in recs if r["critical"]), key=lambda r: -r["supply_risk"])
    rows = "".join(
        f"<tr><td>{html.escape(r['material'])}</td><td>{html.escape(r['stage'])}</td>"
        f"<td>{r['supply_risk']:.2f} ({r['supply_risk_p05']:.2f}–{r['supply_risk_p95']:.2f})</td>"
        f"<td>{r['economic_importance']:.1f}</td><td>{r['critical_probability']:.0%}</td></tr>"
        for r in crit[:15]
    )
    body = (
        f"<p>{len(crit)} of {len(recs)} minerals are critical for {html.escape(res['reporter'])} in "
        f"{res['year']} under the EU method (EI ≥ 2.8 and SR ≥ 1.0 at the bottleneck stage). "
        f"Supply risk combines world production concentration (USGS) and {html.escape(res['reporter'])}'s "
        f"sourcing (BACI), weighted by governance (WGI) and export restrictions; bands are the 5–95 % "
        f"range of {DRAWS} Monte-Carlo draws. Economic importance is the EU's published value "
        f"in its 2023 assessment (a proxy until national end-use data are supplied).</p>"
        f"<table><thead><tr><th>mineral</th><th>stage</th><th>SR (5–95 %)</th><th>EI</th>"
        f"<th>P(critical)</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return Section(
        key="criticality",
        title="Which minerals are critical?",
        html=body,
        figures=[criticality_matrix_figure(res)],
        footnotes=[
            Footnote(
                "SR = [HHI_WGI,t(GS)·IR/2 + HHI_WGI,t(sourcing)·(1 − IR/2)]·(1 − EoL-RIR)·SI_SR; "
                "EC (2017) Methodology for establishing the EU list of critical raw materials (JRC guidelines)."
            ),
            Footnote(
                f"Production shares: {ctx.source('mineral_production')} (table mineral_production); sourcing: "
                f"{ctx.source('trade_flows')} (trade_flows), else {ctx.source('tradestat_imports')} "
                f"(tradestat_imports) or {ctx.source('hs4_top_flows')} (hs4_top_flows), each record naming its "
                f"source; governance: {ctx.source('governance')} (governance); EoL-RIR, SI and EI: EC (2023) Study on the critical raw materials for the EU 2023, "
                "results per material; export restrictions: China's export-control acts in force in the assessed "
                "year (export_control_events: MOFCOM/GACC announcements with their numbers) and critmin's table "
                "trade_restrictions.csv (other countries' measures, each with its regulation)."
            ),
        ],
    )
