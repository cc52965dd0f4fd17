"""The criticality matrix: economic importance (x) against supply risk (y), from a service result."""

from __future__ import annotations

import math

import plotly.graph_objects as go


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def criticality_matrix_figure(result: dict, *, label_top: int = 40) -> go.Figure:
    """EI vs SR with the EU thresholds, 5–95 % bands as error bars and scenario shifts as arrows.

    Parameters
    ----------
    result : dict
        Output of :func:`critmin.services.criticality.criticality_scores` (``eu`` or
        ``geopolrisk``; records without EI are left out).
    """
    recs = [
        r
        for r in result["records"]
        if _num(r.get("economic_importance")) is not None and _num(r.get("supply_risk")) is not None
    ]
    fig = go.Figure()
    for crit, name, color in (
        (True, "critical", "#c0392b"),
        (False, "not critical", "#2c7fb8"),
        (None, "no threshold", "#7f8c8d"),
    ):
        sel = [r for r in recs if r.get("critical") is crit]
        if not sel:
            continue
        x = [r["economic_importance"] for r in sel]
        y = [r["supply_risk"] for r in sel]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="markers+text",
                name=name,
                marker=dict(size=9, color=color),
                text=[f"{r['material']} ({r['stage'][:4]})" for r in sel][:label_top]
                + [""] * max(0, len(sel) - label_top),
                textposition="top center",
                textfont=dict(size=9),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=[
                        max(0.0, (_num(r.get("supply_risk_p95")) or r["supply_risk"]) - r["supply_risk"]) for r in sel
                    ],
                    arrayminus=[
                        max(0.0, r["supply_risk"] - (_num(r.get("supply_risk_p05")) or r["supply_risk"])) for r in sel
                    ],
                    thickness=1,
                    color=color,
                ),
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=[
                        max(
                            0.0,
                            (_num(r.get("economic_importance_p95")) or r["economic_importance"])
                            - r["economic_importance"],
                        )
                        for r in sel
                    ],
                    arrayminus=[
                        max(
                            0.0,
                            r["economic_importance"]
                            - (_num(r.get("economic_importance_p05")) or r["economic_importance"]),
                        )
                        for r in sel
                    ],
                    thickness=1,
                    color=color,
                ),
                hovertemplate="%{text}<br>EI %{x:.2f}<br>SR %{y:.2f}<extra></extra>",
            )
        )
    # scenario shifts: arrow from the baseline to the scenario position
    for r in recs:
        b_sr, b_ei = _num(r.get("baseline_supply_risk")), _num(r.get("baseline_economic_importance"))
        if b_sr is None or b_ei is None or abs(b_sr - r["supply_risk"]) < 1e-9:
            continue
        fig.add_annotation(
            x=r["economic_importance"],
            y=r["supply_risk"],
            ax=b_ei,
            ay=b_sr,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowsize=1,
            arrowwidth=1.2,
            arrowcolor="#e67e22",
            text="",
        )
    th = result.get("thresholds") or {}
    if "economic_importance" in th:
        fig.add_vline(
            x=th["economic_importance"],
            line_dash="dash",
            line_color="grey",
            annotation_text=f"EI {th['economic_importance']}",
        )
        fig.add_hline(
            y=th["supply_risk"], line_dash="dash", line_color="grey", annotation_text=f"SR {th['supply_risk']}"
        )
    title = (
        f"Criticality of minerals for {result['reporter']}, {result['year']} "
        f"({result['method']}{', scenario: ' + result['scenario'] if result.get('scenario') else ''}; "
        f"bars: 5-95% of {result['draws']} draws)"
    )
    fig.update_layout(
        template="plotly_white",
        title=title,
        xaxis_title="Economic importance (EI)",
        yaxis_title="Supply risk (SR)",
        legend_title_text="",
    )
    return fig
