"""The analyst's questions as pages: each one a form, one service call, its figure and its footnotes.

A :class:`Question` holds no analysis: ``run`` calls the same service function, with the same
options, as the JSON endpoint of the same name, and returns that endpoint's JSON payload
together with the figure builder the CLI's ``--chart`` uses. The footnotes are read from the
payload (source, scope, period and basis, unit, notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Sequence

from critmin.config import Settings
from critmin.web import forms as F
from critmin.tables import fmt_money
from critmin.web.forms import Field

FigureBuilder = Callable[[], Any]


@dataclass(frozen=True)
class Answer:
    """What a page shows: the JSON payload (as the endpoint returns it) and an optional figure."""

    payload: Any
    figure: FigureBuilder | None = None
    request_body: str | None = None  # for a POST endpoint: the body that gives the same payload


@dataclass(frozen=True)
class Question:
    """One page of the app.

    Attributes
    ----------
    slug : str
        The page is ``/app/<slug>``; its table downloads are ``/app/<slug>.csv`` and ``.xlsx``.
    title, ask : str
        Navigation label and the question the page answers.
    endpoint : str
        The JSON endpoint that returns the same payload (shown on the page).
    fields : sequence of Field
        The form.
    run : callable
        ``run(settings, values) -> Answer``.
    period, unit : callable, optional
        Footnote text for the period (with its basis) and the unit, from the payload.
    charted : bool
        Whether the answer has a figure.
    table : str, optional
        The payload's table the page shows first and the CSV holds (default: the one with the
        most rows, as ``--csv`` writes).
    endpoint_query : callable, optional
        The JSON endpoint's query pairs from the form's, where they differ (default: the same).
    key_figures : callable, optional
        ``(label, text)`` pairs shown above the chart, each label saying what the figure covers
        (default: the payload's scalar fields).
    method : {"GET", "POST"}
        The JSON endpoint's method; a POST page shows the request body it sent.
    """

    slug: str
    title: str
    ask: str
    endpoint: str
    fields: Sequence[Field]
    run: Callable[[Settings, dict], Answer]
    period: Callable[[Any], str | None] = lambda p: None
    unit: Callable[[Any], str | None] = lambda p: None
    charted: bool = True
    table: str | None = None
    endpoint_query: Callable[[list], list] | None = None
    key_figures: Callable[[Any], list[tuple[str, str]]] | None = None
    method: Literal["GET", "POST"] = "GET"


def _cy(year) -> str | None:
    from critmin.periods import calendar_year

    return None if year is None else f"{calendar_year(int(year)).label} (calendar year)"


def _cy_and(year, more: str) -> str | None:
    """:func:`_cy` of ``year`` followed by ``more``; ``None`` when there is no year."""
    cy = _cy(year)
    return None if cy is None else cy + more


# the explorer ----------------------------------------------------------------------------------


def _picture_period(v: dict) -> str | None:
    """The bilateral picture's period (``CY2024`` or ``FY2024-25``) from the form's year and basis."""
    from critmin.periods import calendar_year, financial_year

    if not (v.get("partner") and v.get("year")):
        return None
    return (financial_year if v.get("basis") == "FY" else calendar_year)(int(v["year"])).label


def _trade_endpoint_query(pairs: list) -> list:
    """``/trade`` takes the period itself (``period=FY2024-25``) where the page asks year + basis."""
    period = _picture_period(dict(pairs))
    return [(k, x) for k, x in pairs if k != "basis"] + ([("period", period)] if period else [])


def _trade(s: Settings, v: dict) -> Answer:
    from critmin.report.figures_explorer import trade_figure
    from critmin.services.explorer import trade_summary

    period = _picture_period(v)
    res = trade_summary(
        s,
        v["reporter"],
        partners=[v["partner"]] if v["partner"] else None,
        mineral=v["mineral"],
        stage=v["stage"],
        years=[v["year"]] if v["year"] else None,
        period=period,
    )
    return Answer(res, lambda: trade_figure(res))


def _trade_period(p: dict) -> str:
    detail = ", ".join(f"CY{y}" for y in p.get("years") or []) + " (calendar years, product detail)"
    total = p.get("total")
    if total:
        return f"all-goods total {total['period']} ({total['basis']}); {detail}"
    return detail


def _trade_key_figures(p: dict) -> list[tuple[str, str]]:
    """All-goods totals first (period and source in the label), then the product detail's scope."""
    out = []
    total = p.get("total") or {}
    for flow, f in (total.get("by_flow") or {}).items():
        if f:
            out.append((f"{flow}, all goods, {f['period']} ({f['source']})", fmt_money(f["value_usd"])))
    if total.get("balance_usd") is not None:
        out.append((f"balance, all goods, {total['period']}", fmt_money(total["balance_usd"])))
    for flow, c in (p.get("coverage") or {}).items():
        if c and c.get("share") is not None:
            out.append((f"{flow} explained by the products listed", f"{c['share']:.0%}"))
    years = ", ".join(f"CY{y}" for y in p.get("years") or [])
    out.append((f"imports, {p.get('scope')}, {years}", fmt_money(p.get("imports_usd"))))
    out.append((f"exports, {p.get('scope')}, {years}", fmt_money(p.get("exports_usd"))))
    if p.get("bloc"):
        out.append(("reporter", p["bloc"]["note"]))
    return out


TRADE = Question(
    "trade",
    "Trade picture",
    "What does a country trade with a partner (or the world), and which products explain it?",
    "/trade",
    [
        Field("reporter", "Reporter", "select", "IND", F.reporters),
        Field("partner", "Partner", "select", "PER", F.countries, optional=True, help="Leave empty for all partners."),
        Field("year", "Year", "int", 2024, min=1988, max=2100),
        Field(
            "basis",
            "Basis of the all-goods total",
            "select",
            "CY",
            lambda: (("CY", "calendar year (CY)"), ("FY", "Indian financial year (FY, April-March)")),
        ),
        Field("mineral", "Mineral", "select", None, F.minerals, optional=True),
        Field("stage", "Stage", "select", None, F.trade_stages, optional=True),
    ],
    _trade,
    period=_trade_period,
    unit=lambda p: "USD (current)",
    endpoint_query=_trade_endpoint_query,
    key_figures=_trade_key_figures,
)


def _dependence(s: Settings, v: dict) -> Answer:
    from critmin.report.figures_explorer import dependence_figure
    from critmin.services.explorer import dependence

    if not (v["mineral"] or v["stage"]):
        raise F.FormError("choose a mineral or a stage to select the imported products")
    res = dependence(s, v["reporter"], mineral=v["mineral"], stage=v["stage"], year=v["year"])
    return Answer(res, lambda: dependence_figure(res))


DEPENDENCE = Question(
    "dependence",
    "Dependence",
    "How dependent is a country on imports of a mineral, from whom, how concentrated?",
    "/dependence",
    [
        Field("reporter", "Importer", "select", "IND", F.reporters),
        Field("mineral", "Mineral", "select", "copper", F.minerals, optional=True),
        Field("stage", "Stage", "select", None, F.trade_stages, optional=True),
        Field("year", "Year", "int", 2024, optional=True, min=1988, max=2100),
    ],
    _dependence,
    period=lambda p: _cy(p.get("year")),
    unit=lambda p: "USD (current); shares of import value; HHI 0-1",
)


def _production(s: Settings, v: dict) -> Answer:
    from critmin.report.figures_explorer import production_figure
    from critmin.services.explorer import production

    res = production(s, v["mineral"], stage=v["stage"], year=v["year"], country=v["country"])
    return Answer(res, lambda: production_figure(res))


PRODUCTION = Question(
    "production",
    "Production",
    "Who mines or refines a mineral, with what share of the world and of reserves?",
    "/production",
    [
        Field("mineral", "Mineral", "select", "copper", F.minerals),
        Field("stage", "USGS stage", "text", "mine", help="mine, refinery, smelter, plant..."),
        Field("year", "Year", "int", None, optional=True, min=1900, max=2100, help="Empty: the latest reported."),
        Field("country", "Country to highlight", "select", "PER", F.countries, optional=True),
    ],
    _production,
    period=lambda p: _cy_and(p.get("year"), f"; reserves {p['reserves_year']}" if p.get("reserves_year") else ""),
    unit=lambda p: p.get("unit"),
)


# criticality, FTA --------------------------------------------------------------------------------


def _criticality(s: Settings, v: dict) -> Answer:
    from critmin.report.figures_criticality import criticality_matrix_figure
    from critmin.services.criticality import criticality_scores
    from critmin.web.routes_criticality import SCENARIOS

    res = criticality_scores(
        s,
        v["reporter"].upper(),
        v["year"],
        method=v["method"],
        scenario=SCENARIOS[v["scenario"]] if v["scenario"] else None,
        draws=v["draws"],
        seed=0,
        agreements=v["agreements"],
        parameters=v["parameters"],
    )
    return Answer(res, None if v["method"] == "geodep" else (lambda: criticality_matrix_figure(res)))


def _methods():
    from critmin.services.criticality import Method

    return F.literal_options(Method)()


CRITICALITY = Question(
    "criticality",
    "Criticality",
    "Which minerals are critical for a country: supply risk against economic importance?",
    "/criticality",
    [
        Field("reporter", "Importer", "select", "IND", F.reporters),
        Field("method", "Method", "select", "eu", _methods),
        Field("year", "Trade year", "int", 2024, min=1988, max=2100),
        Field("scenario", "Policy scenario", "select", None, F.criticality_scenarios, optional=True),
        Field("parameters", "EU parameters", "select", "eu2023", F.literal_options(Literal["eu2023", "eu2017"])),
        Field("agreements", "Lower t for RTA partners", "bool", False),
        Field("draws", "Monte-Carlo draws", "int", 200, min=0, max=100_000, help="0: point scores only."),
    ],
    _criticality,
    period=lambda p: _cy_and(p.get("year"), "; production and WGI: latest up to it"),
    unit=lambda p: "scores (EU method: supply risk and economic importance, thresholds in the summary)",
)


def _fta(s: Settings, v: dict) -> Answer:
    from critmin.report.figures_fta import creation_diversion_figure
    from critmin.services.fta import simulate_fta

    sim = simulate_fta(
        s, v["reporter"], v["partner"], year=v["year"], utilisation=v["utilisation"], substitution_elasticity=v["sigma"]
    )
    return Answer(sim.to_dict(), lambda: creation_diversion_figure(sim))


FTA = Question(
    "fta",
    "FTA",
    "What does a trade agreement change: imports, diversion, tariff revenue, welfare?",
    "/fta",
    [
        Field("reporter", "Reporter", "select", "IND", F.fta_side("reporter")),
        Field("partner", "Partner", "select", "PER", F.fta_side("partner")),
        Field("year", "Baseline trade year", "int", 2024, min=1988, max=2100),
        Field("utilisation", "Preference utilisation (0-1)", "float", None, optional=True, min=0, max=1),
        Field("sigma", "Substitution elasticity", "float", 1.5, min=0.01, max=50),
    ],
    _fta,
    period=lambda p: f"baseline {_cy(p.get('trade_year'))}; agreement years in by_year",
    unit=lambda p: "USD (current), WITS-SMART partial equilibrium",
)


# scenarios --------------------------------------------------------------------------------------


def _sourcing(s: Settings, v: dict) -> Answer:
    from critmin.report.figures_scenarios import sourcing_figure
    from critmin.services import scenarios as svc

    res = svc.sourcing(
        s,
        v["mineral"],
        v["stage"],
        v["year"],
        importer=v["importer"],
        destination=v["port"],
        demand_t=None,
        max_share=v["cap"],
        fta=[c.upper() for c in v["fta"]],
        min_fta_share=None,
        exclude=[c.upper() for c in v["exclude"]],
        tariffs=None,
        freight_table=None,
        objective=v["objective"],
        unknown_tariff="exclude",
        fta_entry_year=None,
        fta_phase_in_years=None,
        cvar_shocks=[],
    )
    return Answer(res, lambda: sourcing_figure(res))


def _objectives():
    from critmin.services.scenarios import Objective

    return F.literal_options(Objective)()


SOURCING = Question(
    "sourcing",
    "Sourcing",
    "What is the best sourcing mix for a mineral, with and without the FTA, under a cap?",
    "/sourcing",
    [
        Field("mineral", "Mineral", "select", "copper", F.minerals),
        Field("stage", "Stage", "select", "concentrate", F.sourcing_stages),
        Field("year", "Sourcing year", "int", 2030, min=2000, max=2100),
        Field("importer", "Importer", "select", "IND", F.countries),
        Field("port", "Discharge port", "select", "Mundra", F.ports),
        Field("cap", "Max share of one supplier (0-1)", "float", 0.65, min=0, max=1),
        Field("fta", "FTA partners", "multi", ["PER", "CHL"], F.countries),
        Field("exclude", "Excluded suppliers", "multi", [], F.countries),
        Field("objective", "Objective", "select", "cost", _objectives),
    ],
    _sourcing,
    period=lambda p: f"sourcing year {p.get('year')}",
    unit=lambda p: f"{p.get('unit')}; costs in USD",
)


def _shock_scenario(v: dict) -> dict:
    """The shock scenario file (as ``POST /shock`` and ``critmin shock --scenario`` read it) from the form."""
    severity: Any = v["severity"]
    if v["severity"] == "quota":
        severity = {"type": "quota", "quota_share": v["severity_value"] if v["severity_value"] is not None else 0.5}
    elif v["severity"] == "export_tax":
        severity = {"type": "export_tax", "rate": v["severity_value"] if v["severity_value"] is not None else 0.25}
    products = {"mineral": v["mineral"]} | ({"stage": v["stage"]} if v["stage"] else {})
    return {
        "name": f"{v['restricting']} {v['severity'].replace('_', ' ')} on {v['mineral']}"
        + (f" ({v['stage']})" if v["stage"] else ""),
        "restricting": v["restricting"],
        "importer": v["importer"],
        "products": products,
        "severity": severity,
        "start": v["start"],
        "duration_months": v["duration_months"],
        "year": v["year"],
        "assumptions": {"redirectable_fraction": v["redirectable_fraction"], "elasticity": v["elasticity"]},
    }


def _shock(s: Settings, v: dict) -> Answer:
    import yaml

    from critmin.report.figures_scenarios import shock_figure
    from critmin.services import scenarios as svc
    from critmin.web._common import body_as_file

    text = yaml.safe_dump(_shock_scenario(v), sort_keys=False, allow_unicode=True)
    with body_as_file(text, "shock_scenario.yaml") as path:
        res = svc.run_shock(s, path).to_dict()
    return Answer(res, lambda: shock_figure(res), request_body=text)


SHOCK = Question(
    "shock",
    "Export restriction",
    "What does an export restriction do to our supply, and who can replace it?",
    "/shock",
    [
        Field("restricting", "Restricting country", "select", "CHN", F.countries),
        Field("importer", "Importer", "select", "IND", F.countries),
        Field("mineral", "Mineral", "select", "rare_earths", F.minerals),
        Field("stage", "Stage", "select", "product", F.trade_stages, optional=True),
        Field(
            "severity",
            "Measure",
            "select",
            "ban",
            lambda: (("ban", "export ban"), ("quota", "export quota"), ("export_tax", "export tax")),
        ),
        Field(
            "severity_value",
            "Quota share or tax rate (0-1)",
            "float",
            None,
            optional=True,
            min=0,
            max=1,
            help="Quota: share of exports still allowed (default 0.5); tax: ad valorem rate (default 0.25).",
        ),
        Field("start", "Start (YYYY-MM)", "text", "2025-04"),
        Field("duration_months", "Months", "int", 12, min=1, max=120),
        Field("year", "Trade year", "int", 2024, min=1995, max=2100),
        Field(
            "redirectable_fraction", "Redirectable share of other suppliers' exports (0-1)", "float", 0.2, min=0, max=1
        ),
        Field(
            "elasticity",
            "Elasticities",
            "select",
            "short_run",
            lambda: (("short_run", "short run (assumption)"), ("long_run", "long run (cited)")),
        ),
    ],
    _shock,
    period=lambda p: f"trade data {p.get('period')} (calendar year)" if isinstance(p, dict) else None,
    unit=lambda p: "tonnes (product weight) and USD (current); price change relative",
    method="POST",
    key_figures=lambda p: [
        (
            f"supply at risk, {p['period']} trade",
            f"{fmt_money(p['supply_at_risk']['value_usd'])}, {p['supply_at_risk']['tonnes']:,.0f} t",
        ),
        ("covered by other suppliers", f"{p['covered']['tonnes']:,.0f} t"),
        ("uncovered share of the loss", f"{p['uncovered']['share_of_loss']:.0%}"),
        ("world price change (partial equilibrium)", f"{p['price_effect']['price_change']:+.0%}"),
        (
            "supplier HHI before, after",
            f"{p['concentration']['hhi_before']:.2f}, {p['concentration']['hhi_after']:.2f}",
        ),
    ],
)


def _route(s: Settings, v: dict) -> Answer:
    from critmin.report.figures_scenarios import route_map_figure
    from critmin.services import scenarios as svc

    full = svc.route(v["from"], v["to"], speed_knots=v["speed"], closed=list(v["closed"]), with_path=True)
    payload = {k: x for k, x in full.items() if k != "path"}  # the endpoint's JSON has no path
    return Answer(payload, lambda: route_map_figure([full], title=f"Sea route {full['from']} -> {full['to']}"))


ROUTE = Question(
    "route",
    "Route",
    "How far, how many days and through which chokepoints does a cargo sail?",
    "/route",
    [
        Field("from", "From port", "select", "Callao", F.ports),
        Field("to", "To port", "select", "Visakhapatnam", F.ports),
        Field("speed", "Speed (knots)", "float", None, optional=True, min=1, max=40, help="Empty: the default speed."),
        Field("closed", "Closed chokepoints", "multi", [], F.chokepoints),
    ],
    _route,
    unit=lambda p: "km, nautical miles, days at the speed shown",
)


def _projection(s: Settings, v: dict) -> Answer:
    from critmin.report.figures_scenarios import projection_figure
    from critmin.services import scenarios as svc

    res = svc.projection_report(s, v["mineral"], end_year=v["end_year"])
    return Answer(res, lambda: projection_figure(res))


def _projection_minerals():
    from critmin.scenario_data import load_parameters

    return tuple((m, m) for m in load_parameters()["projection"])


PROJECTION = Question(
    "projection",
    "Projection",
    "How import-dependent will the country be in 2030 and 2047?",
    "/projection",
    [
        Field("mineral", "Mineral", "select", "copper", _projection_minerals),
        Field("end_year", "Last year", "int", 2047, min=2025, max=2100),
    ],
    _projection,
    period=lambda p: f"base year {p.get('base_year')} to the last year (calendar years)",
    unit=lambda p: "kt copper content; import dependence 0-1",
)


# news -------------------------------------------------------------------------------------------


def _negotiations(s: Settings, v: dict) -> Answer:
    from critmin.report.figures_news import negotiation_timeline_figure
    from critmin.services import news

    tracker = news.negotiations(
        s, reporter=v["reporter"].upper(), partner=v["partner"].upper() if v["partner"] else None
    )
    return Answer(tracker.to_dict(), lambda: negotiation_timeline_figure(tracker))


NEGOTIATIONS = Question(
    "negotiations",
    "Negotiations",
    "Where do a country's agreements and negotiations stand?",
    "/negotiations",
    [
        Field("reporter", "Country", "select", "IND", F.countries),
        Field("partner", "Partner", "select", None, F.countries, optional=True),
    ],
    _negotiations,
    period=lambda p: "dates of each agreement, round and event as reported in its source",
)


def _facts(s: Settings, v: dict) -> Answer:
    from critmin.services import news

    return Answer(news.list_facts(s, types=v["type"] or None, merged=v["merged"]))


FACTS = Question(
    "facts",
    "News facts",
    "What do the ingested articles report, with evidence and source?",
    "/news/facts",
    [
        Field("type", "Fact types", "multi", [], F.fact_types),
        Field("merged", "One line per distinct fact", "bool", True),
    ],
    _facts,
    period=lambda p: "as dated in each article",
    charted=False,
)


def _conflicts(s: Settings, v: dict) -> Answer:
    from critmin.services import news

    return Answer(news.find_conflicts(s, include_agreements=v["all"]))


CONFLICTS = Question(
    "conflicts",
    "Conflicts",
    "Which reported figures describe the same quantity but disagree, and why?",
    "/news/conflicts",
    [Field("all", "Also pairs that agree", "bool", False)],
    _conflicts,
    period=lambda p: "as dated in each article",
    charted=False,
    table="comparisons",
)


def _status(s: Settings, v: dict) -> Answer:
    from critmin.services.data import warehouse_status

    return Answer(warehouse_status(s))


STATUS = Question(
    "status",
    "Data status",
    "Which tables does the warehouse hold, from which files, under which licences?",
    "/data/status",
    [],
    _status,
    charted=False,
    table="tables",
)


QUESTIONS: tuple[Question, ...] = (
    TRADE,
    DEPENDENCE,
    PRODUCTION,
    CRITICALITY,
    FTA,
    SHOCK,
    SOURCING,
    ROUTE,
    PROJECTION,
    NEGOTIATIONS,
    FACTS,
    CONFLICTS,
    STATUS,
)
BY_SLUG = {q.slug: q for q in QUESTIONS}


MAX_SOURCES = 12


def nested_sources(payload: Any, *, depth: int = 4, rows: int = 200) -> list[str]:
    """Distinct ``source`` / ``*_source`` texts inside a payload's records (up to :data:`MAX_SOURCES`).

    A text's table detail (``" (table trade_flows) imports of IND, ..."``) is cut, so the same
    publication used for many rows is named once.
    """
    found: dict[str, None] = {}

    def walk(obj: Any, level: int) -> None:
        if isinstance(obj, dict):
            for key, value in obj.items():
                if isinstance(value, str) and (key == "source" or key.endswith("_source")):
                    found.setdefault(value.split(" (table ")[0].strip())
                elif level < depth:
                    walk(value, level + 1)
        elif isinstance(obj, list):
            for item in obj[:rows]:
                walk(item, level + 1)

    walk(payload, 0)
    names = sorted(found)
    more = len(names) - MAX_SOURCES
    return names[:MAX_SOURCES] + ([f"and {more} more (see the tables)"] if more > 0 else [])


def footnotes(q: Question, payload: Any) -> list[tuple[str, str]]:
    """``(label, text)`` footnotes of a payload: source, scope, period and basis, unit, notes.

    Read from the payload's own fields (``source``, ``sources``, ``scope``, ``notes``,
    ``assumptions``, the all-goods ``total``) and the question's period and unit texts.
    """
    out: list[tuple[str, str]] = []
    p = payload if isinstance(payload, dict) else {}
    sources = []
    if p.get("source"):
        sources.append(str(p["source"]))
    if isinstance(p.get("total"), dict) and p["total"].get("source_title"):
        sources.append(f"all-goods total: {p['total']['source_title']}")
    if isinstance(p.get("sources"), dict):
        sources += [f"{k}: {x}" for k, x in p["sources"].items() if isinstance(x, str)]
    elif isinstance(p.get("sources"), str):
        sources.append(p["sources"])
    if isinstance(p.get("scenario"), dict) and p["scenario"].get("sources"):
        sources += [str(x) for x in p["scenario"]["sources"]]
    if not sources:
        sources = nested_sources(payload)
    if sources:
        out.append(("Source", "; ".join(sources)))
    if p.get("scope"):
        out.append(("Scope", str(p["scope"])))
    elif isinstance(p.get("products"), dict) and p["products"].get("hs6"):
        prods = p["products"]
        out.append(
            (
                "Scope",
                f"{len(prods['hs6'])} HS6 codes"
                + (f" of {prods['mineral']}" if prods.get("mineral") else "")
                + (f" at stage {prods['stage']}" if prods.get("stage") else ""),
            )
        )
    if isinstance(p.get("bloc"), dict) and p["bloc"].get("note"):
        out.append(("Reporter", str(p["bloc"]["note"])))
    period = q.period(payload)
    if period:
        out.append(("Period", period))
    unit = q.unit(payload) if isinstance(payload, dict) else None
    if unit:
        out.append(("Unit", str(unit)))
    for key in ("notes", "assumptions"):
        if isinstance(p.get(key), list):
            out += [("Note", str(x)) for x in p[key] if isinstance(x, str)]
    if isinstance(p.get("total"), dict) and p["total"].get("note"):
        out.append(("Note", str(p["total"]["note"])))
    return out
