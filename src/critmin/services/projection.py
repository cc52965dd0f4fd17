"""Import-dependence projections (:class:`~critmin.domain.scenarios.projection.ProjectionModel`).

Starting points from ``mineral_production`` (USGS) or the cited parameters; the TradeStat
cross-check converts India's HS 2603 import value to copper content with
:func:`critmin.domain.scenarios.market.contained_copper_t`.
"""

from __future__ import annotations

from typing import Mapping


from critmin.config import Settings
from critmin.domain.scenarios import market
from critmin.domain.scenarios.projection import (
    GrowthScenario,
    ProjectionModel,
    ProjectionResult,
    ProjectionSpec,
    calc_import_dependence,
)
from critmin.errors import EmptySelectionError, UnknownCodeError
from critmin.scenario_data import load_parameters
from critmin.services._scenario_common import CONCENTRATE_HS4, _copper_price, _warehouse


def projection(
    settings: Settings | None,
    mineral: str = "copper",
    *,
    end_year: int = 2047,
    scenarios: Mapping[str, Mapping[str, float]] | None = None,
) -> ProjectionResult:
    """Import-dependence paths for copper concentrate with the cited starting points.

    Starting points: India's mine and refinery production from ``mineral_production``
    (USGS) when the warehouse has them, else the cited values in ``parameters.yaml``.
    """
    par = load_parameters()["projection"]
    if mineral not in par:
        raise UnknownCodeError("projection mineral", mineral, hint=f"available: {', '.join(par)}")
    p = par[mineral]
    base_year, dom, dem = p["base_year"], p["domestic_mine_kt"] * 1.0, p["smelter_feed_kt"] * 1.0
    if settings is not None:
        try:
            wh = _warehouse(settings, ["mineral_production"])
            mp = wh.read("mineral_production")
            sel = mp[(mp["mineral"] == mineral) & (mp["iso3"] == "IND") & (mp["year"] == base_year)]
            mine = sel.loc[sel["stage"] == "mine", "value_tonnes"].sum()
            ref = sel.loc[sel["stage"] == "refinery", "value_tonnes"].sum()
            if mine > 0 and ref > 0:
                dom, dem = mine / 1000.0, ref / 1000.0
        except Exception:  # noqa: BLE001 - fall back to the cited constants
            pass
    sc = scenarios or p["scenarios"]
    spec = ProjectionSpec(
        base_year=base_year,
        demand_0=dem,
        domestic_0=dom,
        end_year=end_year,
        scenarios=tuple(
            GrowthScenario(k, float(v["demand_growth"]), float(v["domestic_growth"])) for k, v in sc.items()
        ),
    )
    return ProjectionModel(spec).run()


def _tradestat_check(settings: Settings) -> dict | None:
    """India's HS 2603 imports (TradeStat, USD) and the copper content they imply at the year's LME price.

    ``implied kt Cu = value_usd / (LME annual mean x payable fraction) / 1000`` (TC/RC ignored), a
    cross-check of the smelter-feed starting point (USGS refinery output also includes scrap).
    """
    try:
        wh = _warehouse(settings, ["tradestat_imports", "metal_prices"])
    except Exception:  # noqa: BLE001 - the cross-check is optional
        return None
    if not (wh.has("tradestat_imports") and wh.has("metal_prices")):
        return None
    ts = wh.read("tradestat_imports")
    tot = ts[(ts["hs_code"] == CONCENTRATE_HS4) & (ts["partner_iso3"] == "WLD") & ts["period"].str.startswith("CY")]
    payable = load_parameters()["contracts"]["copper_concentrate"]["payable_pct"]
    out = {}
    for r in tot.itertuples():
        year = int(r.period[2:])
        try:
            price, src = _copper_price(wh, year)
        except EmptySelectionError:
            continue
        out[r.period] = {
            "imports_usd": float(r.value_usd),
            "lme_usd_t": price,
            "implied_cu_content_kt": float(market.contained_copper_t(float(r.value_usd), price, payable)) / 1000.0,
        }
    return {
        "periods": out,
        "source": "tradestat_imports (DGCI&S TradeStat, HS 2603, total of all partners); "
        "metal_prices (Pink Sheet copper)",
        "formula": "value / (LME annual mean x 0.965 payable) / 1000; TC/RC ignored",
    }


def projection_report(settings: Settings | None, mineral: str = "copper", *, end_year: int = 2047) -> dict:
    """Projection paths plus the published claims they are compared with."""
    res = projection(settings, mineral, end_year=end_year)
    par = load_parameters()["projection"][mineral]
    s = res.spec
    claims = res.compare_claims(par.get("news_claims", []), end_year=end_year)
    check = _tradestat_check(settings) if mineral == "copper" and settings is not None else None
    return {
        "tradestat_check": check,
        "mineral": mineral,
        "base_year": s.base_year,
        "demand_kt": s.demand_0,
        "domestic_kt": s.domestic_0,
        "base_import_dependence": float(calc_import_dependence(s.demand_0, s.domestic_0)),
        "scenarios": [
            {"name": g.name, "demand_growth": g.demand_growth, "domestic_growth": g.domestic_growth}
            for g in s.scenarios
        ],
        "at_2030": res.at(2030) if end_year >= 2030 else {},
        f"at_{end_year}": res.at(end_year),
        "claims": claims,
        "paths": res.paths.to_dict(orient="records"),
        "sources": {
            "starting_point": par["source"],
            "growth": "critmin assumptions chosen to span the published range (parameters.yaml)",
        },
    }
