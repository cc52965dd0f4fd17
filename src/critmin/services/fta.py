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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin.config import Settings
from critmin.domain.policy.schedule import FtaScenario, SideSchedule
from critmin.domain.policy.smart import (
    DEFAULT_EXPORT_SUPPLY_ELASTICITY, DEFAULT_IMPORT_DEMAND_ELASTICITY, DEFAULT_SUBSTITUTION_ELASTICITY, SmartModel,
)
from critmin.domain.policy.tariffs import TariffTable
from critmin.errors import CritminError, EmptySelectionError, UnknownCodeError
from critmin.sources.tariffs import (
    bundled_scenario, bundled_scenarios, read_elasticities, read_schedule, read_tariffs, starter_tariffs,
)

TRADESTAT_HS6 = "260300"  # India TradeStat HS 2603 copper ores & concentrates, added as one line


@dataclass
class FtaSimulation:
    """Results of :func:`simulate_fta` (frames in USD)."""

    scenario: FtaScenario
    reporter: str
    partner: str
    trade_year: int
    lines: pd.DataFrame           # side x line x partner x fta_year
    by_partner: pd.DataFrame      # side x fta_year x partner
    totals: pd.DataFrame          # fta_year: imports/exports change, revenue, welfare, balance
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
            "scenario": {"name": self.scenario.name, "status": self.scenario.status,
                         "base_year": self.scenario.base_year, "horizon": self.scenario.horizon,
                         "sources": list(self.scenario.sources), "origin": Path(self.scenario.origin).name},
            "reporter": self.reporter, "partner": self.partner, "trade_year": self.trade_year,
            "parameters": self.parameters,
            "final_year": self.final(),
            "by_year": self.totals.to_dict(orient="records"),
            "by_partner_final_year": self.by_partner[self.by_partner["fta_year"] == self.by_partner["fta_year"].max()]
            .to_dict(orient="records"),
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
        out.append({"reporter": a, "partner": b, "name": s.name, "status": s.status, "file": path.name,
                    "horizon": s.horizon})
    return out


def _imports(settings: Settings, year: int, importers: set[str], *, tradestat: bool) -> tuple[pd.DataFrame, list[str]]:
    from critmin.services.data import ensure_warehouse

    wh = ensure_warehouse(settings, progress=False)
    tf = wh.read("trade_flows", columns=["year", "exporter", "importer", "hs6", "value_usd"])
    tf = tf[(tf["year"] == year) & tf["importer"].isin(importers) & (tf["exporter"] != tf["importer"])]
    notes = []
    if tf.empty:
        have = sorted(wh.read("trade_flows", columns=["year"])["year"].unique().tolist())
        raise EmptySelectionError(f"no trade_flows rows for {', '.join(sorted(importers))} in {year}; "
                                  f"years in the warehouse: {have}")
    n_codes = tf["hs6"].nunique()
    notes.append(f"Trade data: warehouse table trade_flows (CEPII BACI {year}), which holds only {n_codes} "
                 f"critical-mineral HS6 codes; results cover those lines only, not the whole bilateral trade.")
    out = tf.rename(columns={"exporter": "partner", "value_usd": "imports_usd"})[
        ["importer", "hs6", "partner", "imports_usd"]]
    if tradestat and "IND" in importers and wh.has("tradestat_imports"):
        ts = wh.read("tradestat_imports")
        ts = ts[(ts["hs_code"] == "2603") & (ts["period"] == f"CY{year}") & (ts["partner_iso3"] != "WLD")
                & (ts["value_usd"] > 0)]
        if len(ts):
            add = pd.DataFrame({"importer": "IND", "hs6": TRADESTAT_HS6, "partner": ts["partner_iso3"].to_numpy(),
                                "imports_usd": ts["value_usd"].to_numpy(dtype=float)})
            out = pd.concat([out[~((out["importer"] == "IND") & (out["hs6"] == TRADESTAT_HS6))], add],
                            ignore_index=True)
            notes.append(f"India's copper ores and concentrates (HS 2603) added as line {TRADESTAT_HS6} from "
                         f"tradestat_imports (DGCI&S TradeStat, CY{year}, {len(ts)} partners); India side only.")
    if wh.has("comtrade_flows"):
        out, extra = add_comtrade_lines(out, wh.read("comtrade_flows"), year=year, importers=importers)
        notes += extra
    out = out.groupby(["importer", "hs6", "partner"], as_index=False)["imports_usd"].sum()
    return out, notes


def add_comtrade_lines(trade: pd.DataFrame, comtrade: pd.DataFrame, *, year: int,
                       importers: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """Add the importers' Comtrade import lines (``comtrade_flows``) that the BACI extract lacks.

    Rows with ``flow == "import"``, a named partner (not ``WLD``), ``year`` and a
    positive value are added for (importer, HS code) pairs not already in ``trade``
    (HS codes of 4 or 6 digits; a 4-digit code is simulated as one line). This is
    how gold (7108), silver (7106) or India's exports to Peru (Peru's reported
    imports from India) enter when the user has fetched them with
    ``critmin data build comtrade``.
    """
    c = comtrade[(comtrade["flow"] == "import") & (comtrade["year"] == year) & comtrade["reporter"].isin(importers)
                 & (comtrade["partner"] != "WLD") & (comtrade["partner"] != comtrade["reporter"])
                 & (comtrade["value_usd"] > 0) & comtrade["hs"].astype(str).str.fullmatch(r"\d{4}|\d{6}")]
    if c.empty:
        return trade, []
    c = pd.DataFrame({"importer": c["reporter"].to_numpy(), "hs6": c["hs"].astype(str).to_numpy(),
                      "partner": c["partner"].to_numpy(), "imports_usd": c["value_usd"].to_numpy(dtype=float)})
    have = set(zip(trade["importer"], trade["hs6"]))
    new = c[[(i, h) not in have for i, h in zip(c["importer"], c["hs6"])]]
    if new.empty:
        return trade, []
    codes = sorted(set(new["importer"] + " " + new["hs6"]))
    note = (f"Added from comtrade_flows (UN Comtrade, reporter-declared imports, CIF, {year}): "
            f"{len(codes)} importer x HS line(s) absent from the BACI extract ({', '.join(codes[:12])}"
            f"{', ...' if len(codes) > 12 else ''}).")
    return pd.concat([trade, new], ignore_index=True), [note]


def _side_input(side: SideSchedule, trade: pd.DataFrame, table: TariffTable, scenario: FtaScenario,
                tariff_year: int, elasticities: pd.DataFrame | None, utilisation: float | None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SMART input rows (all years) for one side, and the lines with unknown tariffs."""
    imp = trade[trade["importer"] == side.importer]
    pref_lines = imp.loc[(imp["partner"] == side.partner) & (imp["imports_usd"] > 0), "hs6"].unique()
    imp = imp[imp["hs6"].isin(pref_lines)]
    empty_unknown = pd.DataFrame(columns=["side", "hs6", "imports_from_partner_usd", "note"])
    if imp.empty:
        return imp.assign(tariff_old=[], tariff_new=[]), empty_unknown
    mfn = table.rates(side.importer, pref_lines, tariff_year)
    known = mfn[mfn["known"]].set_index("hs6")["rate"]
    unknown = mfn[~mfn["known"]]
    from_partner = imp[imp["partner"] == side.partner].set_index("hs6")["imports_usd"]
    unknown_df = pd.DataFrame({
        "side": f"{side.importer}<-{side.partner}", "hs6": unknown["hs6"].to_numpy(),
        "imports_from_partner_usd": from_partner.reindex(unknown["hs6"]).to_numpy(),
        "note": [n or f"no {side.importer} rate for this line in the tariff table" for n in unknown["note"]]})
    imp = imp[imp["hs6"].isin(known.index)].copy()
    imp["tariff_old"] = imp["hs6"].map(known).astype(float)
    # existing preferential rates (PRF rows) for any exporter replace MFN
    prf = table.frame[(table.frame["reporter"] == side.importer) & (table.frame["duty_type"] == "PRF")]
    for exporter in sorted(set(prf["partner"]) & set(imp["partner"])):
        mask = (imp["partner"] == exporter).to_numpy()
        r = table.rates(side.importer, imp.loc[mask, "hs6"], tariff_year, partner=exporter, duty_type="PRF")
        r = r[r["known"]].set_index("hs6")["rate"]
        new = imp.loc[mask, "hs6"].map(r)
        imp.loc[mask, "tariff_old"] = np.where(new.notna(), new, imp.loc[mask, "tariff_old"])
    if elasticities is not None:
        el = elasticities
        if "reporter" in el.columns:
            el = el[el["reporter"] == side.importer]
        imp["import_demand_elasticity"] = imp["hs6"].map(el.set_index("hs6")["import_demand_elasticity"])
    shares = side.shares(imp["hs6"].unique(), scenario.years())
    rows = imp.merge(shares.rename(columns={"year": "fta_year"}), on="hs6", how="left")
    is_pref = (rows["partner"] == side.partner).to_numpy()
    rows["tariff_new"] = np.where(is_pref, rows["tariff_old"] * rows["share"], rows["tariff_old"])
    rows["utilisation"] = np.where(is_pref, side.utilisation if utilisation is None else utilisation, 1.0)
    rows["side"] = f"{side.importer}<-{side.partner}"
    rows["reporter"] = side.importer
    rows["year"] = scenario.base_year + rows["fta_year"]
    return rows, unknown_df


def simulate_fta(settings: Settings, reporter: str, partner: str, *, year: int = 2024,
                 tariff_year: int | None = None, schedule: str | Path | None = None, tariffs: str | Path | None = None,
                 elasticities: str | Path | None = None, utilisation: float | None = None,
                 substitution_elasticity: float = DEFAULT_SUBSTITUTION_ELASTICITY,
                 export_supply_elasticity: float = DEFAULT_EXPORT_SUPPLY_ELASTICITY,
                 import_demand_elasticity: float = DEFAULT_IMPORT_DEMAND_ELASTICITY,
                 tradestat: bool = True, ge: bool = False, panel: str | Path | None = None) -> FtaSimulation:
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

    Returns
    -------
    FtaSimulation
    """
    reporter, partner = reporter.upper(), partner.upper()
    if reporter == partner:
        raise ValueError("reporter and partner must differ")
    if utilisation is not None and not 0.0 <= utilisation <= 1.0:
        raise ValueError(f"utilisation must be in [0, 1], got {utilisation}")
    scenario = read_schedule(schedule) if schedule else bundled_scenario(reporter, partner)
    if scenario is None:
        pairs = ", ".join(f"{a}-{b}" for a, b in bundled_scenarios())
        raise UnknownCodeError("FTA scenario", f"{reporter}-{partner}",
                               hint=f"ready scenarios: {pairs}; pass --schedule FILE for others")
    sides = [s for s in scenario.sides if {s.importer, s.partner} == {reporter, partner}]
    if not sides:
        raise UnknownCodeError("schedule side", f"{reporter}-{partner}", where=Path(scenario.origin).name,
                               hint="the schedule has no side whose importer/partner are these countries")
    table = starter_tariffs()
    if tariffs:
        table = table.combine(read_tariffs(tariffs))
    el = read_elasticities(elasticities, reporter=None) if elasticities else None
    trade, notes = _imports(settings, year, {s.importer for s in sides}, tradestat=tradestat)

    inputs, unknowns = [], []
    for side in sides:
        rows, unknown = _side_input(side, trade, table, scenario, tariff_year or year, el, utilisation)
        unknowns.append(unknown)
        if len(rows):
            inputs.append(rows)
        else:
            notes.append(f"{side.importer} side: no HS6 line with both trade from {side.partner} and a known "
                         f"{side.importer} tariff; nothing to simulate on this side.")
    unknown_df = pd.concat(unknowns, ignore_index=True) if unknowns else pd.DataFrame()
    if not inputs:
        raise EmptySelectionError(f"no line to simulate for {reporter}-{partner} in {year}: no trade with known "
                                  f"tariffs (unknown-tariff lines: {len(unknown_df)})")
    data = pd.concat(inputs, ignore_index=True)
    res = SmartModel(data, substitution_elasticity=substitution_elasticity,
                     export_supply_elasticity=export_supply_elasticity,
                     import_demand_elasticity=import_demand_elasticity,
                     keys=("reporter", "fta_year")).run()
    lines = res.to_frame()
    cols = ["imports_usd", "trade_creation", "trade_diversion", "price_effect", "trade_total", "revenue_change",
            "welfare"]
    by_partner = lines.groupby(["side", "fta_year", "year", "partner"], as_index=False)[cols].sum()

    totals = []
    simulated = set(lines["side"])
    for y in scenario.years():
        ly = lines[lines["fta_year"] == y]
        rec: dict[str, Any] = {"fta_year": y, "year": scenario.base_year + y}
        for side in sides:
            name = f"{side.importer}<-{side.partner}"
            s = ly[ly["side"] == name]
            pref = s[s["partner"] == side.partner]
            others = s[s["partner"] != side.partner]
            tag = "reporter" if side.importer == reporter else "partner"
            ok = name in simulated
            for key, value in (("imports_base_usd", pref["imports_usd"].sum()),
                               ("trade_creation_usd", pref["trade_creation"].sum()),
                               ("diversion_to_partner_usd", pref["trade_diversion"].sum()),
                               ("diversion_from_others_usd", others["trade_diversion"].sum()),
                               ("imports_change_usd", pref["trade_total"].sum()),
                               ("total_imports_change_usd", s["trade_total"].sum()),
                               ("revenue_change_usd", s["revenue_change"].sum()),
                               ("welfare_usd", s["welfare"].sum())):
                rec[f"{tag}_{key}"] = float(value) if ok else None
        d_imp = rec.get("reporter_imports_change_usd")
        d_exp = rec.get("partner_imports_change_usd")
        rec["reporter_exports_change_usd"] = d_exp
        rec["balance_change_usd"] = (d_exp or 0.0) - (d_imp or 0.0)
        totals.append(rec)
    totals_df = pd.DataFrame(totals)

    if not any(s.importer == partner and f"{s.importer}<-{s.partner}" in simulated for s in sides):
        notes.append(f"Balance is one-sided: {partner}'s tariff cuts on {reporter}'s exports could not be simulated "
                     f"(no schedule side or no known {partner} tariffs for the traded lines).")
    if el is None:
        notes.append(f"Import-demand elasticity: uniform {import_demand_elasticity} on every line (critmin default, "
                     f"an assumption; pass --elasticities with Kee-Nicita-Olarreaga or wiiw per-HS6 values). "
                     f"Trade creation scales in proportion.")
    notes.append(f"SMART parameters: substitution elasticity {substitution_elasticity}, export-supply elasticity "
                 f"{export_supply_elasticity} (WITS defaults 1.5 and 99).")
    notes.append("Baseline tariffs: applied MFN rates for every partner unless the tariff table has PRF rows; "
                 "existing preferences (e.g. India's ASEAN, Japan, Korea, Australia agreements) are not in the "
                 "starter table.")
    if len(unknown_df):
        usd = float(pd.to_numeric(unknown_df["imports_from_partner_usd"], errors="coerce").fillna(0).sum())
        notes.append(f"{len(unknown_df)} line(s) left out because the tariff is unknown "
                     f"(USD {usd:,.0f} of trade with the preferred partner); see unknown_tariffs.")
    notes += list(scenario.notes)
    for s in sides:
        notes += [f"{s.importer}: {n}" for n in s.notes]
    zero = lines[(lines["fta_year"] == 0) & (lines["partner"] == lines["reporter"].map(
        {s.importer: s.partner for s in sides})) & (lines["tariff_old"] == 0)]
    if len(zero):
        notes.append("Lines already duty-free for the preferred partner, so the agreement changes nothing there: "
                     + ", ".join(f"{r.reporter} {r.hs6}" for r in zero.itertuples()) + ".")
    coverage = {
        "lines_simulated": int(lines["hs6"].nunique()),
        "rows": int(len(lines)),
        "sides": [f"{s.importer}<-{s.partner}" for s in sides],
        "hs6_by_side": {side: sorted(g["hs6"].unique().tolist()) for side, g in lines.groupby("side")},
    }
    params = {"tariff_year": tariff_year or year, "substitution_elasticity": substitution_elasticity,
              "export_supply_elasticity": export_supply_elasticity,
              "import_demand_elasticity_default": import_demand_elasticity,
              "elasticities_file": str(elasticities) if elasticities else None,
              "utilisation": {f"{s.importer}<-{s.partner}": (s.utilisation if utilisation is None else utilisation)
                              for s in sides},
              "tariffs_file": str(tariffs) if tariffs else None}
    sim = FtaSimulation(scenario, reporter, partner, year, lines, by_partner, totals_df, unknown_df, coverage,
                        notes, params)
    if ge:
        sim.ge = simulate_fta_ge(settings, reporter, partner, panel=panel, sim=sim)
    return sim


def fta_outlook(settings: Settings, reporter: str, partner: str, *,
                year: int = 2024) -> tuple[FtaSimulation, FtaSimulation | None]:
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


def simulate_fta_ge(settings: Settings, reporter: str, partner: str, *, panel: str | Path | None = None,
                    sim: FtaSimulation | None = None) -> dict[str, Any]:
    """Structural-gravity GE counterpart of the agreement (Yotov et al. 2016 panel), where the data allow.

    Uses :func:`critmin.services.gravity.run_ge` on the AGTPA panel (``panel`` file, else the
    warehouse table ``gravity_panel``), last panel year. If the pair has no agreement in that
    year the scenario is ``rta_on`` (RTA effect from the panel PPML); if it already has one
    (India-Chile PTA, coded from 2005), the deepening is mapped to an iceberg trade-cost change
    between the pair equal to the trade-weighted tariff factor ``(1 + t1)/(1 + t0)`` of the SMART
    lines at full phase-in (both sides). Returns ``available: False`` with the reason when the
    panel is missing or does not cover both countries (it has 69 countries: IND and CHL, not
    PER or NZL).
    """
    from critmin.domain.policy.ge import GEScenario
    from critmin.services.gravity import load_panel, run_ge

    if panel is None:
        partner_ge = _partner_panel_ge(settings, reporter, partner, sim)
        if partner_ge is not None:
            return partner_ge
    if panel is not None:
        df = load_panel(Path(panel))
        origin = Path(panel).name
    else:
        from critmin.services.data import ensure_warehouse

        wh = ensure_warehouse(settings, progress=False)
        if not wh.has("gravity_panel"):
            return {"available": False,
                    "reason": "no gravity panel: pass --panel FILE (AGTPA panel, e.g. yotov2016_panel.csv.gz) "
                              "or run `critmin data build yotov`"}
        df = wh.read("gravity_panel")
        origin = "warehouse table gravity_panel"
    countries = set(df["exporter"]) | set(df["importer"])
    missing = [c for c in (reporter, partner) if c not in countries]
    if missing:
        return {"available": False,
                "reason": f"{', '.join(missing)} not in the gravity panel ({len(countries)} countries)"}
    year = int(df["year"].max())
    pair = df[(df["year"] == year) & (((df["exporter"] == reporter) & (df["importer"] == partner))
                                      | ((df["exporter"] == partner) & (df["importer"] == reporter)))]
    has_rta = bool(len(pair) and pair["rta"].max() == 1)
    if not has_rta:
        scenario = GEScenario.rta_on([reporter, partner])
        how = f"new agreement: rta switched on for {reporter}-{partner} (RTA effect estimated on the panel)"
    else:
        if sim is None:
            return {"available": False, "reason": f"{reporter}-{partner} already has an agreement in the panel "
                                                  f"({year}); a SMART run is needed to size the deepening"}
        factor = _smart_cost_factor(sim)
        if factor is None:
            return {"available": False, "reason": "no preferential trade to size the trade-cost change"}
        scenario = GEScenario.cost_change(factor, [reporter, partner])
        how = (f"deepening of the existing agreement: iceberg trade costs between {reporter} and {partner} x "
               f"{factor:.5f} (trade-weighted tariff factor of the SMART lines at full phase-in)")
    res = run_ge(df, scenario, year=year)
    f = res.to_frame().set_index("country")
    cols = ["real_gdp_pct", "exports_pct", "imr_pct", "omr_pct", "price_pct"]
    return {"available": True, "panel": origin, "year": year, "sigma": res.sigma, "scenario": how,
            "countries": {c: {k: float(f.loc[c, k]) for k in cols} for c in (reporter, partner)},
            "world_real_gdp_pct_mean": float(f["real_gdp_pct"].mean()),
            "cost_model": {k: v for k, v in res.cost_model.items() if k in ("year", "coefficients", "rta_panel")},
            "note": "aggregate manufacturing trade of 69 countries, 1986-2006 (Yotov et al. 2016); "
                    "not the critical-mineral lines of the SMART run"}


def _smart_cost_factor(sim: "FtaSimulation | None") -> float | None:
    """Trade-weighted tariff factor :math:`\\sum_l w_l (1 + t'_l)/(1 + t_l)` of the SMART lines at full phase-in.

    Lines of each side's imports from its agreement partner, weighted by their imports; ``None``
    without preferential trade.
    """
    if sim is None or sim.lines.empty:
        return None
    last = sim.lines[(sim.lines["fta_year"] == sim.lines["fta_year"].max())
                     & (sim.lines["partner"] == sim.lines["reporter"].map(
                         {s.importer: s.partner for s in sim.scenario.sides}))]
    w = last["imports_usd"].to_numpy(float)
    if not w.sum() > 0:
        return None
    return float(np.average((1 + last["tariff_effective"]) / (1 + last["tariff_old"]), weights=w))


def _partner_panel_ge(settings: Settings, reporter: str, partner: str, sim: "FtaSimulation | None") -> dict | None:
    """GE on the partner panel (IMF DOTS 2019 + OECD domestic sales + GeoDist + WTO RTAs) when it is built.

    The RTA effect is the AGTPA panel estimate (warehouse ``gravity_panel``); the tariff variant uses
    the SMART lines' trade-weighted tariff factor. ``None`` when the panel's tables are not built.
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
    try:
        out = run_partner_ge(settings, reporter, partner, cost_factor=_smart_cost_factor(sim))
    except CritminError as exc:
        return {"available": False, "reason": str(exc), "panel": "partner panel (IMF DOTS 2019, OECD IOT)"}
    out = dict(out)
    out.setdefault("panel", "partner panel: IMF DOTS 2019 goods exports FOB, OECD IOT domestic goods sales, "
                            "CEPII GeoDist, WTO RTAs")
    return out

