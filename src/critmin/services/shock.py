"""Q3 -- what if a country restricts exports of a mineral? Export-restriction shocks.

:func:`run_shock` reads ``trade_flows`` and ``mineral_production`` (or, for copper concentrate,
``tradestat_imports``, ``metal_prices`` and ``mineral_production``) and runs
:class:`~critmin.domain.scenarios.shocks.ShockModel`; the market inputs come from
:mod:`critmin.domain.scenarios.market`. Scenario files are read by
:func:`critmin.sources.scenario_files.read_shock_file`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

import pandas as pd

from critmin.config import Settings
from critmin.domain.scenarios import market
from critmin.domain.scenarios.shocks import SEVERITIES, ShockModel, ShockResult, ShockSpec
from critmin.errors import DataFormatError, EmptySelectionError, UnknownCodeError
from critmin.scenario_data import load_parameters
from critmin.services._scenario_common import (
    CONCENTRATE_HS4,
    CONCENTRATE_HS6,
    USGS_STAGE,
    _copper_price,
    _elasticities,
    _products,
    _warehouse,
)
from critmin.sources.scenario_files import read_shock_file


def load_shock_scenario(path: str | Path) -> tuple[ShockSpec, dict]:
    """Read a shock scenario YAML file into a :class:`ShockSpec` (plus the run options).

    Format (see ``examples/scenarios/*.yaml`` and ``docs/scenarios.md``)::

        name: China bans rare-earth magnet exports
        restricting: CHN
        importer: IND
        products: {mineral: rare_earths, stage: product}    # or {hs6: ["850511"]}
        severity: ban            # or {type: quota, quota_share: 0.5} / {type: export_tax, rate: 0.25}
        start: 2025-04
        duration_months: 12
        year: 2024               # trade year
        assumptions: {redirectable_fraction: 0.2, elasticity: long_run}

    The file is parsed by :func:`critmin.sources.scenario_files.read_shock_file`; products are
    resolved by the HS classification, missing assumptions come from ``parameters.yaml``.
    """
    d = read_shock_file(path)
    prod = d["products"]
    mineral = prod["mineral"]
    products = _products(mineral=mineral, stage=prod["stage"], hs=prod["hs6"])
    if mineral is None:
        from critmin.classify import products_for

        ms = products_for(hs=products)["mineral"].unique()
        mineral = ms[0] if len(ms) == 1 else None
    sev = d["severity"]
    kind = sev["type"]
    if kind not in SEVERITIES:
        raise DataFormatError(path, f"severity must be one of {', '.join(SEVERITIES)}, got {kind!r}", field="severity")
    a = d["assumptions"]
    es, ed, esrc = _elasticities(mineral, a["elasticity"])
    p = load_parameters()
    redirectable = a["redirectable_fraction"]
    eps_import = a["eps_import_demand"]
    spec = ShockSpec(
        restricting=str(d["restricting"]).upper(),
        products=tuple(products),
        severity=kind,
        quota_share=sev["quota_share"],
        export_tax=sev["rate"],
        start=str(d.get("start", "")),
        duration_months=int(d["duration_months"]),
        importer=str(d.get("importer", p["shock"]["importer"])).upper(),
        redirectable_fraction=p["shock"]["redirectable_fraction"] if redirectable is None else redirectable,
        eps_supply=es,
        eps_demand=ed,
        eps_import_demand=p["elasticities"]["export_tax_import_demand"] if eps_import is None else eps_import,
        name=str(d.get("name", Path(path).stem)),
        sources={
            "elasticities": esrc,
            "trade": "trade_flows (CEPII BACI)",
            "production": "mineral_production (USGS MCS 2026)",
            "file": str(Path(path).name),
        },
    )
    return spec, {"year": d.get("year"), "mineral": mineral}


def _production_for(wh, products: Sequence[str], year: int) -> tuple[pd.Series | None, str]:
    """USGS production by country of the products' one mineral and stage
    (:func:`critmin.domain.scenarios.market.production_by_country`), with its basis."""
    from critmin.classify import products_for

    if not wh.has("mineral_production"):
        return None, "mineral_production table absent"
    prods = products_for(hs=list(products))
    stages = {USGS_STAGE.get(s) for s in prods["stage"]}
    minerals = set(prods["mineral"])
    if len(stages) != 1 or None in stages or len(minerals) != 1:
        return None, f"no USGS production stage for {', '.join(sorted(set(prods['stage'])))}"
    production, py = market.production_by_country(
        wh.read("mineral_production"), str(minerals.pop()), str(stages.pop()), year
    )
    if production.empty:
        return None, "USGS has no production for this mineral and stage"
    return production, f"USGS {py}"


def run_shock(settings: Settings, scenario: str | Path | ShockSpec, *, year: int | None = None) -> ShockResult:
    """Run an export-restriction shock (file or spec) against the warehouse."""
    opts: dict = {}
    if isinstance(scenario, ShockSpec):
        spec = scenario
    else:
        spec, opts = load_shock_scenario(scenario)
    if set(spec.products) == {CONCENTRATE_HS6}:
        return _concentrate_shock(settings, spec, year=year or opts.get("year"))
    wh = _warehouse(settings, ["trade_flows", "mineral_production"])
    flows = wh.read("trade_flows")
    year = int(year or opts.get("year") or flows["year"].max())
    f = flows[(flows["year"] == year) & flows["hs6"].isin(spec.products)]
    if f.empty:
        raise EmptySelectionError(f"trade_flows has no flows for {', '.join(spec.products)} in {year}")
    known = set(flows["exporter"]) | set(flows["importer"])
    for who, code in (("restricting", spec.restricting), ("importer", spec.importer)):
        if code not in known:
            raise UnknownCodeError("country", code, where=f"the scenario field '{who}'", hint="use ISO3 codes")
    production, basis = _production_for(wh, spec.products, year)
    res = ShockModel(spec).run(f, production)
    note = f"trade year {year} (calendar year); production basis: {basis}"
    return replace(res, period=f"CY{year}", assumptions=[*res.assumptions, note])


def _concentrate_shock(settings: Settings, spec: ShockSpec, *, year=None) -> ShockResult:
    """A shock on copper concentrate (HS 2603), which the BACI extract lacks.

    * India's imports by partner: ``tradestat_imports`` (DGCI&S, calendar year, USD); tonnes of
      copper content = value / (Pink Sheet copper mean of that year x payable 0.965);
    * spare capacity of each other producer = redirectable fraction x its exportable surplus
      ``max(0, mine - refinery production)`` (USGS; no world concentrate trade is available);
    * world supply for the price effect = USGS mine production by country.
    """
    if spec.importer != "IND":
        raise EmptySelectionError("copper-concentrate shocks use India's TradeStat imports; importer must be IND")
    wh = _warehouse(settings, ["tradestat_imports", "mineral_production", "metal_prices"])
    ts = wh.read("tradestat_imports")
    ts = ts[ts["hs_code"] == CONCENTRATE_HS4]  # the table holds other reports too
    periods = sorted(p for p in ts["period"].unique() if str(p).startswith("CY"))
    period = f"CY{int(year)}" if year else periods[-1]
    if period not in periods:
        raise EmptySelectionError(f"tradestat_imports has no {period}; available: {', '.join(periods)}")
    yr = int(period[2:])
    imp = ts[(ts["period"] == period) & (ts["partner_iso3"] != "WLD") & (ts["value_usd"] > 0)]
    price, price_src = _copper_price(wh, yr)
    payable = load_parameters()["contracts"]["copper_concentrate"]["payable_pct"]
    flows = pd.DataFrame(
        {
            "exporter": imp["partner_iso3"].to_numpy(),
            "importer": "IND",
            "hs6": CONCENTRATE_HS6,
            "value_usd": imp["value_usd"].to_numpy(),
            "qty_t": market.contained_copper_t(imp["value_usd"].to_numpy(), price, payable),
        }
    )
    production = wh.read("mineral_production")
    prod, py = market.production_by_country(production, "copper", "mine", yr)
    surplus, _ = market.concentrate_surplus(production, yr)
    spare = pd.DataFrame(
        {
            "partner": surplus.index,
            "spare_t": spec.redirectable_fraction * surplus.to_numpy(),
            "basis": f"{spec.redirectable_fraction:g} x USGS {py} (mine - refinery) production",
        }
    )
    res = ShockModel(spec).run(flows, spare=spare, world_supply=prod)
    notes = [
        f"copper concentrate: India's imports from tradestat_imports {period} (DGCI&S TradeStat, USD); tonnes are "
        f"copper content = value / ({price_src} x payable {payable})",
        f"spare capacity = {spec.redirectable_fraction:g} x the exportable concentrate surplus max(0, mine - "
        f"refinery production), USGS {py} (the bundle has no world concentrate trade); world supply for the "
        f"price effect = USGS mine production",
    ]
    return replace(res, period=period, assumptions=[*res.assumptions, *notes])
