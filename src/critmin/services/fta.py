"""What does a trade agreement change? SMART partial equilibrium for both sides of an FTA.

One function per question:

* :func:`simulate_fta` -- run a phase-in schedule (bundled for India-Peru,
  India-Chile and India-New Zealand, or a user YAML) through WITS-SMART on the
  warehouse trade data, for the reporter's imports from the partner and, where
  the partner's tariffs are known, for the partner's imports from the reporter,
  year by year; totals include the change in the bilateral trade balance.
* :func:`list_fta_scenarios` -- the ready scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.vocabulary import TariffFactorBasis, check, options
from critmin.config import Settings
from critmin.domain.policy.schedule import FtaScenario
from critmin.domain.policy.smart import (
    DEFAULT_EXPORT_SUPPLY_ELASTICITY,
    DEFAULT_IMPORT_DEMAND_ELASTICITY,
    DEFAULT_SUBSTITUTION_ELASTICITY,
    SmartModel,
)
from critmin.domain.policy.fta_rates import india_import_lines, india_mfn_rates, side_rates, side_tariffs
from critmin.domain.policy.fta_smart import (
    add_comtrade_lines,
    fta_totals,
    replace_line,
    smart_cost_factor,
    smart_side_input,
)
from critmin.domain.policy.tariff_factor import PairTariffModel
from critmin.errors import CritminError, EmptySelectionError, UnknownCodeError
from critmin.periods import financial_year
from critmin.services._scenario_common import CONCENTRATE_HS4, CONCENTRATE_HS6
from critmin.services.tariffs import (
    bundled_scenario,
    bundled_scenarios,
    read_elasticities,
    read_schedule,
    read_tariffs,
    starter_tariffs,
)

__all__ = [
    "TARIFF_FACTOR_BASES",
    "FtaSimulation",
    "TariffFactorBasis",
    "add_comtrade_lines",
    "fta_outlook",
    "india_mfn_rates",
    "list_fta_scenarios",
    "pair_tariff_factor",
    "simulate_fta",
    "simulate_fta_ge",
]

TRADESTAT_HS6 = CONCENTRATE_HS6  # India TradeStat HS 2603 copper ores & concentrates, added as one line


@dataclass
class FtaSimulation:
    """Results of :func:`simulate_fta` (frames in USD)."""

    scenario: FtaScenario
    reporter: str
    partner: str
    trade_year: int
    lines: pd.DataFrame  # side x line x partner x fta_year
    by_partner: pd.DataFrame  # side x fta_year x partner
    totals: pd.DataFrame  # fta_year: imports/exports change, revenue, welfare, balance
    unknown_tariffs: pd.DataFrame  # side x hs6 with the trade that could not be simulated
    coverage: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    ge: dict[str, Any] | None = None

    def final(self) -> dict[str, float]:
        """Totals in the last simulated year (full phase-in)."""
        rec = self.totals.to_dict(orient="records")[-1]
        return {k: (int(v) if k in ("fta_year", "year") else v) for k, v in rec.items()}

    def to_dict(self, *, lines: bool = False) -> dict[str, Any]:
        out = {
            "scenario": {
                "name": self.scenario.name,
                "status": self.scenario.status,
                "base_year": self.scenario.base_year,
                "horizon": self.scenario.horizon,
                "sources": list(self.scenario.sources),
                "origin": Path(self.scenario.origin).name,
            },
            "reporter": self.reporter,
            "partner": self.partner,
            "trade_year": self.trade_year,
            "parameters": self.parameters,
            "final_year": self.final(),
            "by_year": self.totals.to_dict(orient="records"),
            "by_partner_final_year": self.by_partner[
                self.by_partner["fta_year"] == self.by_partner["fta_year"].max()
            ].to_dict(orient="records"),
            "unknown_tariffs": self.unknown_tariffs.to_dict(orient="records"),
            "coverage": self.coverage,
            "notes": self.notes,
        }
        if self.ge is not None:
            out["ge"] = self.ge
        if lines:
            out["lines"] = self.lines.to_dict(orient="records")
        return out


def list_fta_scenarios() -> list[dict[str, Any]]:
    """The bundled scenarios: pair, name, status, file."""
    out = []
    for (a, b), path in bundled_scenarios().items():
        s = read_schedule(path)
        out.append(
            {"reporter": a, "partner": b, "name": s.name, "status": s.status, "file": path.name, "horizon": s.horizon}
        )
    return out


def _imports(settings: Settings, year: int, importers: set[str], *, tradestat: bool) -> tuple[pd.DataFrame, list[str]]:
    from critmin.services.data import ensure_warehouse

    wh = ensure_warehouse(settings, progress=False)
    tf = wh.read("trade_flows", columns=["year", "exporter", "importer", "hs6", "value_usd"])
    tf = tf[(tf["year"] == year) & tf["importer"].isin(importers) & (tf["exporter"] != tf["importer"])]
    notes = []
    if tf.empty:
        have = sorted(wh.read("trade_flows", columns=["year"])["year"].unique().tolist())
        raise EmptySelectionError(
            f"no trade_flows rows for {', '.join(sorted(importers))} in {year}; years in the warehouse: {have}"
        )
    n_codes = tf["hs6"].nunique()
    notes.append(
        f"Trade data: warehouse table trade_flows (CEPII BACI {year}), which holds only {n_codes} "
        f"critical-mineral HS6 codes; results cover those lines only, not the whole bilateral trade."
    )
    out = tf.rename(columns={"exporter": "partner", "value_usd": "imports_usd"})[
        ["importer", "hs6", "partner", "imports_usd"]
    ]
    if tradestat and "IND" in importers and wh.has("tradestat_imports"):
        ts = wh.read("tradestat_imports")
        ts = ts[
            (ts["hs_code"] == CONCENTRATE_HS4)
            & (ts["period"] == f"CY{year}")
            & (ts["partner_iso3"] != "WLD")
            & (ts["value_usd"] > 0)
        ]
        if len(ts):
            out = replace_line(
                out, "IND", TRADESTAT_HS6, ts["partner_iso3"].to_numpy(), ts["value_usd"].to_numpy(float)
            )
            notes.append(
                f"India's copper ores and concentrates (HS 2603) added as line {TRADESTAT_HS6} from "
                f"tradestat_imports (DGCI&S TradeStat, CY{year}, {len(ts)} partners); India side only."
            )
    if wh.has("comtrade_flows"):
        out, extra = add_comtrade_lines(out, wh.read("comtrade_flows"), year=year, importers=importers)
        notes += extra
    out = out.groupby(["importer", "hs6", "partner"], as_index=False)["imports_usd"].sum()
    return out, notes


def _scenario_sides(scenario: FtaScenario | None, reporter: str, partner: str) -> tuple[FtaScenario, list]:
    """The given schedule, else the bundled one for the pair, and its sides between the two countries."""
    scenario = scenario or bundled_scenario(reporter, partner)
    if scenario is None:
        pairs = ", ".join(f"{a}-{b}" for a, b in bundled_scenarios())
        raise UnknownCodeError(
            "FTA scenario", f"{reporter}-{partner}", hint=f"ready scenarios: {pairs}; pass --schedule FILE for others"
        )
    sides = [s for s in scenario.sides if {s.importer, s.partner} == {reporter, partner}]
    if not sides:
        raise UnknownCodeError(
            "schedule side",
            f"{reporter}-{partner}",
            where=Path(scenario.origin).name,
            hint="the schedule has no side whose importer/partner are these countries",
        )
    return scenario, sides


def simulate_fta(
    settings: Settings,
    reporter: str,
    partner: str,
    *,
    year: int = 2024,
    tariff_year: int | None = None,
    schedule: str | Path | None = None,
    tariffs: str | Path | None = None,
    elasticities: str | Path | None = None,
    utilisation: float | None = None,
    substitution_elasticity: float = DEFAULT_SUBSTITUTION_ELASTICITY,
    export_supply_elasticity: float = DEFAULT_EXPORT_SUPPLY_ELASTICITY,
    import_demand_elasticity: float = DEFAULT_IMPORT_DEMAND_ELASTICITY,
    tradestat: bool = True,
    ge: bool = False,
    panel: str | Path | None = None,
    tariff_factor: "TariffFactorBasis" = "all-lines",
) -> FtaSimulation:
    """Simulate an FTA between ``reporter`` and ``partner`` with WITS-SMART, year by year.

    Parameters
    ----------
    settings : Settings
    reporter, partner : str
        ISO3 codes (e.g. ``IND``, ``PER``).
    year : int, keyword-only
        Trade-data year (the baseline).
    tariff_year : int, keyword-only, optional
        Year whose applied tariffs form the baseline (default ``year``); e.g. 2023 shows
        India's copper-ore duty before the July 2024 exemption.
    schedule : path, optional
        Phase-in schedule YAML; default the bundled scenario for the pair.
    tariffs : path, optional
        Extra tariff rows (critmin CSV or WITS download) that override the starter table.
    elasticities : path, optional
        Import-demand elasticities per HS6 (critmin CSV or wiiw CSV); lines not in it
        use ``import_demand_elasticity``.
    utilisation : float, optional
        Preference-utilisation rate overriding the schedule's.
    substitution_elasticity, export_supply_elasticity, import_demand_elasticity : float
        SMART parameters (WITS defaults 1.5 and 99; critmin default -1.0).
    tradestat : bool
        Add India's HS 2603 copper-ore imports from ``tradestat_imports``.
    ge : bool
        Also run the structural-gravity GE model (see :func:`simulate_fta_ge`).
    panel : path, optional
        Gravity panel CSV for ``ge`` (default the warehouse table ``gravity_panel``).
    tariff_factor : {"all-lines", "smart-lines"}, keyword-only
        How ``ge`` sizes the tariff variant: the agreement's cuts on all traded lines weighted by
        the pair's trade (:func:`pair_tariff_factor`, default) or the SMART critical-mineral lines.

    Returns
    -------
    FtaSimulation
    """
    reporter, partner = reporter.upper(), partner.upper()
    if reporter == partner:
        raise ValueError("reporter and partner must differ")
    check("tariff factor basis", tariff_factor)
    if utilisation is not None and not 0.0 <= utilisation <= 1.0:
        raise ValueError(f"utilisation must be in [0, 1], got {utilisation}")
    scenario, sides = _scenario_sides(read_schedule(schedule) if schedule else None, reporter, partner)
    table = starter_tariffs()
    if tariffs:
        table = table.combine(read_tariffs(tariffs))
    el = read_elasticities(elasticities, reporter=None) if elasticities else None
    trade, notes = _imports(settings, year, {s.importer for s in sides}, tradestat=tradestat)

    inputs, unknowns = [], []
    for side in sides:
        rows, unknown = smart_side_input(side, trade, table, scenario, tariff_year or year, el, utilisation)
        unknowns.append(unknown)
        if len(rows):
            inputs.append(rows)
        else:
            notes.append(
                f"{side.importer} side: no HS6 line with both trade from {side.partner} and a known "
                f"{side.importer} tariff; nothing to simulate on this side."
            )
    unknown_df = pd.concat(unknowns, ignore_index=True) if unknowns else pd.DataFrame()
    if not inputs:
        raise EmptySelectionError(
            f"no line to simulate for {reporter}-{partner} in {year}: no trade with known "
            f"tariffs (unknown-tariff lines: {len(unknown_df)})"
        )
    data = pd.concat(inputs, ignore_index=True)
    res = SmartModel(
        data,
        substitution_elasticity=substitution_elasticity,
        export_supply_elasticity=export_supply_elasticity,
        import_demand_elasticity=import_demand_elasticity,
        keys=("reporter", "fta_year"),
    ).run()
    lines = res.to_frame()
    cols = [
        "imports_usd",
        "trade_creation",
        "trade_diversion",
        "price_effect",
        "trade_total",
        "revenue_change",
        "welfare",
    ]
    by_partner = lines.groupby(["side", "fta_year", "year", "partner"], as_index=False)[cols].sum()

    totals_df = fta_totals(lines, sides, scenario.years(), base_year=scenario.base_year, reporter=reporter)
    simulated = set(lines["side"])

    if not any(s.importer == partner and f"{s.importer}<-{s.partner}" in simulated for s in sides):
        notes.append(
            f"Balance is one-sided: {partner}'s tariff cuts on {reporter}'s exports could not be simulated "
            f"(no schedule side or no known {partner} tariffs for the traded lines)."
        )
    if el is None:
        notes.append(
            f"Import-demand elasticity: uniform {import_demand_elasticity} on every line (critmin default, "
            f"an assumption; pass --elasticities with Kee-Nicita-Olarreaga or wiiw per-HS6 values). "
            f"Trade creation scales in proportion."
        )
    notes.append(
        f"SMART parameters: substitution elasticity {substitution_elasticity}, export-supply elasticity "
        f"{export_supply_elasticity} (WITS defaults 1.5 and 99)."
    )
    notes.append(
        "Baseline tariffs: applied MFN rates for every partner unless the tariff table has PRF rows; "
        "existing preferences (e.g. India's ASEAN, Japan, Korea, Australia agreements) are not in the "
        "starter table."
    )
    if len(unknown_df):
        usd = float(pd.to_numeric(unknown_df["imports_from_partner_usd"], errors="coerce").fillna(0).sum())
        notes.append(
            f"{len(unknown_df)} line(s) left out because the tariff is unknown "
            f"(USD {usd:,.0f} of trade with the preferred partner); see unknown_tariffs."
        )
    notes += list(scenario.notes)
    for s in sides:
        notes += [f"{s.importer}: {n}" for n in s.notes]
    zero = lines[
        (lines["fta_year"] == 0)
        & (lines["partner"] == lines["reporter"].map({s.importer: s.partner for s in sides}))
        & (lines["tariff_old"] == 0)
    ]
    if len(zero):
        notes.append(
            "Lines already duty-free for the preferred partner, so the agreement changes nothing there: "
            + ", ".join(f"{r.reporter} {r.hs6}" for r in zero.itertuples())
            + "."
        )
    coverage = {
        "lines_simulated": int(lines["hs6"].nunique()),
        "rows": int(len(lines)),
        "sides": [f"{s.importer}<-{s.partner}" for s in sides],
        "hs6_by_side": {side: sorted(g["hs6"].unique().tolist()) for side, g in lines.groupby("side")},
    }
    params = {
        "tariff_year": tariff_year or year,
        "substitution_elasticity": substitution_elasticity,
        "export_supply_elasticity": export_supply_elasticity,
        "import_demand_elasticity_default": import_demand_elasticity,
        "elasticities_file": str(elasticities) if elasticities else None,
        "utilisation": {
            f"{s.importer}<-{s.partner}": (s.utilisation if utilisation is None else utilisation) for s in sides
        },
        "tariffs_file": str(tariffs) if tariffs else None,
    }
    sim = FtaSimulation(
        scenario, reporter, partner, year, lines, by_partner, totals_df, unknown_df, coverage, notes, params
    )
    if ge:
        ge_out = simulate_fta_ge(settings, reporter, partner, panel=panel, sim=sim, tariff_factor=tariff_factor)
        sim = replace(sim, ge=ge_out)
    return sim


def fta_outlook(
    settings: Settings, reporter: str, partner: str, *, year: int = 2024
) -> tuple[FtaSimulation, FtaSimulation | None]:
    """The agreement at today's tariffs and, if that changes nothing, at the previous year's tariffs.

    When every change of :func:`simulate_fta` at ``year``'s tariffs is zero (the lines are already
    duty-free, e.g. India's copper ores since July 2024), the same schedule is also simulated with
    the applied tariffs of ``year - 1``, to show what the earlier unilateral cut already gave away.

    Returns
    -------
    (FtaSimulation, FtaSimulation or None)
        Today's simulation, and the contrast at ``year - 1`` tariffs (``None`` when today's
        simulation changes something or the earlier tariffs are not known).
    """
    sim = simulate_fta(settings, reporter, partner, year=year)
    if any(abs(v or 0) > 0 for k, v in sim.final().items() if k.endswith("_change_usd")):
        return sim, None
    try:
        return sim, simulate_fta(settings, reporter, partner, year=year, tariff_year=year - 1)
    except CritminError:
        return sim, None


def simulate_fta_ge(
    settings: Settings,
    reporter: str,
    partner: str,
    *,
    panel: str | Path | None = None,
    sim: FtaSimulation | None = None,
    tariff_factor: "TariffFactorBasis" = "all-lines",
) -> dict[str, Any]:
    """Structural-gravity GE counterpart of the agreement (Yotov et al. 2016 panel), where the data allow.

    Uses :func:`critmin.services.gravity.run_ge` on the AGTPA panel (``panel`` file, else the
    warehouse table ``gravity_panel``), last panel year. If the pair has no agreement in that
    year the scenario is ``rta_on`` (RTA effect from the panel PPML); if it already has one
    (India-Chile PTA, coded from 2005), the deepening is mapped to an iceberg trade-cost change
    between the pair equal to the tariff factor ``sum_l w_l (1 + t'_l)/(1 + t_l)`` at full
    phase-in: with ``tariff_factor="all-lines"`` (default) the agreement's cuts on every traded
    line with a known rate, weighted by the pair's trade in both directions
    (:func:`pair_tariff_factor`); with ``"smart-lines"`` the SMART critical-mineral lines only.
    Both factors are in the output (``tariff_factor``). Returns ``available: False`` with the
    reason when the panel is missing or does not cover both countries (it has 69 countries:
    IND and CHL, not PER or NZL).
    """
    from critmin.domain.policy.ge import GEScenario
    from critmin.services.gravity import load_panel, run_ge

    check("tariff factor basis", tariff_factor)
    if panel is None:
        partner_ge = _partner_panel_ge(settings, reporter, partner, sim, tariff_factor)
        if partner_ge is not None:
            return partner_ge
    if panel is not None:
        df = load_panel(Path(panel))
        origin = Path(panel).name
    else:
        from critmin.services.data import ensure_warehouse

        wh = ensure_warehouse(settings, progress=False)
        if not wh.has("gravity_panel"):
            return {
                "available": False,
                "reason": "no gravity panel: pass --panel FILE (AGTPA panel, e.g. yotov2016_panel.csv.gz) "
                "or run `critmin data build yotov`",
            }
        df = wh.read("gravity_panel")
        origin = "warehouse table gravity_panel"
    countries = set(df["exporter"]) | set(df["importer"])
    missing = [c for c in (reporter, partner) if c not in countries]
    if missing:
        return {
            "available": False,
            "reason": f"{', '.join(missing)} not in the gravity panel ({len(countries)} countries)",
        }
    year = int(df["year"].max())
    pair = df[
        (df["year"] == year)
        & (
            ((df["exporter"] == reporter) & (df["importer"] == partner))
            | ((df["exporter"] == partner) & (df["importer"] == reporter))
        )
    ]
    has_rta = bool(len(pair) and pair["rta"].max() == 1)
    if not has_rta:
        scenario = GEScenario.rta_on([reporter, partner])
        how = f"new agreement: rta switched on for {reporter}-{partner} (RTA effect estimated on the panel)"
    else:
        factor, sized, factor_rec = _tariff_factor_for_ge(settings, reporter, partner, sim, tariff_factor)
        if factor is None:
            return {
                "available": False,
                "tariff_factor": factor_rec,
                "reason": f"{reporter}-{partner} already has an agreement in the panel ({year}) and no "
                f"preferential trade with a known tariff sizes the deepening ({tariff_factor})",
            }
        scenario = GEScenario.cost_change(factor, [reporter, partner])
        how = f"deepening of the existing agreement: {sized}"
    res = run_ge(df, scenario, year=year)
    f = res.to_frame().set_index("country")
    cols = ["real_gdp_pct", "exports_pct", "imr_pct", "omr_pct", "price_pct"]
    extra = {"tariff_factor": factor_rec} if has_rta else {}
    return {
        "available": True,
        "panel": origin,
        "year": year,
        "sigma": res.sigma,
        "scenario": how,
        **extra,
        "countries": {c: {k: float(f.loc[c, k]) for k in cols} for c in (reporter, partner)},
        "world_real_gdp_pct_mean": float(f["real_gdp_pct"].mean()),
        "cost_model": {k: v for k, v in res.cost_model.items() if k in ("year", "coefficients", "rta_panel")},
        "note": "aggregate manufacturing trade of 69 countries, 1986-2006 (Yotov et al. 2016); "
        "not the critical-mineral lines of the SMART run",
    }


def _smart_cost_factor(sim: "FtaSimulation | None") -> float | None:
    """:func:`critmin.domain.policy.fta_smart.smart_cost_factor` of a simulation's lines (``None`` without one)."""
    if sim is None:
        return None
    return smart_cost_factor(sim.lines, sim.scenario.sides)


def _partner_panel_ge(
    settings: Settings,
    reporter: str,
    partner: str,
    sim: "FtaSimulation | None",
    basis: "TariffFactorBasis" = "all-lines",
) -> dict | None:
    """GE on the partner panel (IMF DOTS 2019 + OECD domestic sales + GeoDist + WTO RTAs) when it is built.

    The RTA effect is the AGTPA panel estimate (warehouse ``gravity_panel``); the tariff variant uses
    the factor chosen by ``basis`` (:func:`_tariff_factor_for_ge`), both factors reported under
    ``tariff_factor``. ``None`` when the panel's tables are not built.
    """
    from critmin.errors import CritminError
    from critmin.services.gravity import run_partner_ge
    from critmin.warehouse import open_warehouse

    try:
        wh = open_warehouse(settings)
    except CritminError:
        return None
    # the AGTPA panel (``gravity_panel``, `critmin data build yotov`) gives the RTA effect; without it the
    # AGTPA path below says what to build
    if not (wh.has("dots_exports") and wh.has("industry_accounts") and wh.has("gravity_panel")):
        return None
    factor, how, factor_rec = _tariff_factor_for_ge(settings, reporter, partner, sim, basis)
    try:
        out = run_partner_ge(settings, reporter, partner, cost_factor=factor, cost_factor_how=how)
    except CritminError as exc:
        return {
            "available": False,
            "reason": str(exc),
            "panel": "partner panel (IMF DOTS 2019, OECD IOT)",
            "tariff_factor": factor_rec,
        }
    out = dict(out)
    out["tariff_factor"] = factor_rec
    out.setdefault(
        "panel",
        "partner panel: IMF DOTS 2019 goods exports FOB, OECD IOT domestic goods sales, CEPII GeoDist, WTO RTAs",
    )
    return out


# --------------------------------------------------------------------------- the agreement's tariff cuts on all goods
TARIFF_FACTOR_BASES = options("tariff factor basis")
_PERIOD_NOTE = (
    "period basis mismatch: the India import lines are calendar-year (TradeStat CY, BACI) while the "
    "total is the Indian financial year (April-March)"
)


def _india_imports_by_line(con, exporter: str, year: int, have: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """India's imports from ``exporter`` by HS line (:func:`critmin.domain.policy.fta_rates.india_import_lines`).

    Tables not in ``have`` (the warehouse's tables) contribute nothing.
    """
    empty = {
        "tradestat_imports": ["hs", "trade_usd"],
        "trade_flows": ["hs", "trade_usd", "rev"],
        "hs4_top_flows": ["hs", "trade_usd"],
    }

    def q(sql, *args):
        table = next(t for t in empty if f"FROM {t}" in sql)
        if table not in have:
            return pd.DataFrame({c: pd.Series(dtype=float if c == "trade_usd" else object) for c in empty[table]})
        return con.execute(sql, list(args)).df()

    ts = q(
        """SELECT CASE WHEN length(hs_code) = 4 THEN hs_code ELSE substr(hs_code, 1, 6) END AS hs,
                     sum(value_usd) AS trade_usd FROM tradestat_imports
              WHERE period = ? AND partner_iso3 = ? AND value_usd > 0 GROUP BY 1""",
        f"CY{year}",
        exporter,
    )
    tf = q(
        """SELECT hs6 AS hs, sum(value_usd) AS trade_usd, min(hs_revision) AS rev FROM trade_flows
              WHERE year = ? AND importer = 'IND' AND exporter = ? AND value_usd > 0 GROUP BY 1""",
        year,
        exporter,
    )
    h4 = q(
        """SELECT hs4 AS hs, sum(value_usd) AS trade_usd FROM hs4_top_flows
              WHERE year = ? AND importer = 'IND' AND exporter = ? AND value_usd > 0 GROUP BY 1""",
        year,
        exporter,
    )
    return india_import_lines(ts, tf, h4, year=year)


def _india_exports_by_hs6(con, importer: str, year: int) -> pd.DataFrame:
    out = con.execute(
        """SELECT substr(hs8, 1, 6) AS hs, sum(value_usd) AS trade_usd FROM tradestat_exports
                         WHERE fy_start = ? AND partner_iso3 = ? AND value_usd > 0 GROUP BY 1 ORDER BY 1""",
        [year, importer],
    ).df()
    out["trade_source"] = f"TradeStat EIDB India's exports by HS8 summed to HS6, {financial_year(year).label}"
    return out


def pair_tariff_factor(
    settings: Settings,
    reporter: str,
    partner: str,
    *,
    scenario: FtaScenario | None = None,
    year: int = 2024,
    tariff_year: int | None = None,
):
    """The agreement's tariff cuts on all goods as one trade-cost factor for the pair.

    ``f = sum_l w_l (1 + tau'_l)/(1 + tau_l) / sum_l w_l`` over the HS lines of both directions
    with a known rate (:class:`~critmin.domain.policy.tariff_factor.PairTariffModel`); ``tau'`` at
    full phase-in of ``scenario`` (default the bundled one): listed lines by their staging,
    exclusions at MFN, other lines by the side's default category.

    Weights (trade year ``year``):

    * India's imports from the partner: TradeStat import reports (CY) for their HS codes, then
      BACI HS6 ``trade_flows``, then the rest of BACI HS4 top flows; the total is India's
      imports from the partner in the financial year starting in ``year`` (``india_trade_totals``).
    * The partner's imports from India: India's exports by HS8 (TradeStat EIDB, FY) summed to HS6;
      total from ``india_trade_totals``.

    Rates: India from ``mfn_tariffs`` (WITS) with the cited starter rates first
    (:func:`india_mfn_rates`); New Zealand from ``nz_tariffs``; Chile the flat 6%; Peru unknown.

    Returns
    -------
    PairTariffResult
    """
    from critmin.services.data import ensure_warehouse

    reporter, partner = reporter.upper(), partner.upper()
    scenario, sides = _scenario_sides(scenario, reporter, partner)
    tariff_year = int(tariff_year or year)
    wh = ensure_warehouse(settings, progress=False)
    mfn = wh.read("mfn_tariffs") if wh.has("mfn_tariffs") else None
    nz = wh.read("nz_tariffs") if wh.has("nz_tariffs") else None
    starter = starter_tariffs()
    totals = wh.read("india_trade_totals") if wh.has("india_trade_totals") else None
    out = []
    with wh.duckdb() as con:
        for side in sides:
            other = side.partner if side.importer == "IND" else side.importer
            if "IND" not in (side.importer, side.partner):
                raise EmptySelectionError(
                    f"{side.importer}<-{side.partner}: the pair trade weights come from "
                    f"India's statistics; no side with India"
                )
            tot = None if totals is None else totals[(totals["partner_iso3"] == other) & (totals["fy_start"] == year)]
            notes: list[str] = []
            if side.importer == "IND":
                trade, tnotes = _india_imports_by_line(con, side.partner, year, set(wh.tables()))
                notes += tnotes
                total = float(tot["imports_usd"].iloc[0]) if tot is not None and len(tot) else None
                label = (
                    f"India's total imports from {side.partner}, {financial_year(year).label} (TradeStat "
                    f"country-wise); {_PERIOD_NOTE}"
                )
            else:
                trade = (
                    _india_exports_by_hs6(con, side.importer, year)
                    if wh.has("tradestat_exports")
                    else pd.DataFrame(columns=["hs", "trade_usd", "trade_source"])
                )
                total = float(tot["exports_usd"].iloc[0]) if tot is not None and len(tot) else None
                label = (
                    f"India's total exports to {side.importer}, {financial_year(year).label} (TradeStat "
                    f"country-wise); EIDB covers only 66-70% of India's exports from FY2022-23"
                )
            rates, full, sources, rnotes = side_rates(
                side.importer, trade["hs"], mfn=mfn, nz=nz, starter=starter, tariff_year=tariff_year
            )
            out.append(
                side_tariffs(
                    side,
                    trade,
                    rates,
                    full,
                    horizon=scenario.horizon,
                    total_usd=total,
                    total_label=label,
                    sources=sources,
                    notes=notes + rnotes,
                )
            )
    return PairTariffModel(out).run()


def _tariff_factor_for_ge(
    settings: Settings, reporter: str, partner: str, sim: "FtaSimulation | None", basis: TariffFactorBasis
) -> tuple[float | None, str, dict]:
    """(factor, how it was sized, the record for the output) for the GE tariff variant."""
    check("tariff factor basis", basis)
    smart = _smart_cost_factor(sim)
    rec: dict[str, Any] = {
        "basis": basis,
        "smart_lines_factor": smart,
        "smart_lines_note": "trade-weighted factor of the SMART critical-mineral lines only (comparison)",
    }
    try:
        year = sim.trade_year if sim else 2024
        tariff_year = (sim.parameters.get("tariff_year") if sim else None) or year
        res = pair_tariff_factor(
            settings, reporter, partner, scenario=sim.scenario if sim else None, year=year, tariff_year=tariff_year
        )
        rec["all_lines"] = res.to_dict() | {"trade_year": year, "tariff_year": tariff_year}
        all_lines = res.factor
        unknown = [k for k, v in res.sides.items() if not v["rates_known"]]
        if unknown:
            rec["all_lines"]["notes"].append(
                f"The GE model takes one factor for both directions of the pair; {', '.join(unknown)} has no known "
                f"tariff, so the factor is sized on the other direction's lines only."
            )
    except CritminError as exc:
        rec["all_lines"] = {"factor": None, "reason": str(exc)}
        all_lines = None
    if basis == "smart-lines":
        how = (
            (
                f"iceberg trade costs between {reporter} and {partner} x {smart:.5f}: trade-weighted tariff factor "
                f"of the SMART critical-mineral lines at full phase-in"
            )
            if smart is not None
            else ""
        )
        return smart, how, rec
    if all_lines is None:
        return None, "", rec
    a = rec["all_lines"]
    cov = "n/a" if a["coverage"] is None else f"{100 * a['coverage']:.1f}%"
    how = (
        f"iceberg trade costs between {reporter} and {partner} x {all_lines:.5f}: the agreement's tariff cuts on "
        f"all traded lines with a known rate, weighted by the pair's trade (both directions; {a['lines_used']} "
        f"lines, {cov} of the pair's total trade)"
    )
    return all_lines, how, rec
