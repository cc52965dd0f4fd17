"""Criticality and supply-risk scores of an importer's minerals, by value-chain stage.

One function per question:

* :func:`criticality_scores` — EU (JRC 2017) or GeoPolRisk scores per mineral and stage,
  with Monte-Carlo bands and, optionally, a policy scenario;
* :func:`geodep_screen` — the CEPII GeoDep dependence screen over every HS6 product;
* :func:`parameter_tables` — the documented input tables (with sources) after user overrides
  (from :mod:`critmin.services.criticality_params`).

Inputs: sourcing shares from ``trade_flows`` (BACI), production shares from
``mineral_production`` (USGS MCS), governance from ``governance`` (WGI), and critmin's
cited parameter tables in :mod:`critmin.criticality_data` (EoL-RIR, substitution indices,
economic importance, export-restriction events, ``t`` factors), which a user CSV can override.

This module reads and orchestrates; the rules are in :mod:`critmin.domain.criticality`:

* :func:`build_spec` -> :func:`~critmin.domain.criticality.inputs.assemble_spec` (with
  :func:`~critmin.domain.criticality.governance.governance_scores`,
  :func:`~critmin.domain.criticality.trade_factors.restrictions_in_force`,
  :func:`~critmin.domain.criticality.controls.acts_in_force`,
  :func:`~critmin.domain.criticality.mapping.production_by_stage`,
  :func:`~critmin.domain.criticality.mapping.mineral_trade`);
* :func:`criticality_scores` -> :class:`~critmin.domain.criticality.model.CriticalityModel`,
  :func:`~critmin.domain.criticality.scenario.spec_with_levers`,
  :func:`~critmin.domain.criticality.scenario.compare_with_baseline`,
  :func:`~critmin.domain.criticality.records.score_records`;
* :func:`read_scenario` / :func:`scenario_acts` -> :func:`~critmin.domain.criticality.scenario.scenario_levers` /
  :func:`~critmin.domain.criticality.scenario.export_control_acts` on the file read by
  :func:`critmin.sources.criticality_inputs.read_scenario_doc`;
* :func:`geodep_screen` -> :func:`~critmin.domain.criticality.geodep.calc_geodep`,
  :func:`~critmin.domain.criticality.geodep.label_geodep`;
* :func:`product_map` -> :func:`~critmin.domain.criticality.mapping.select_product_codes`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

from critmin.vocabulary import CriticalityMethod, check, options
from critmin.classify._tables import metal_content_table, products_table
from critmin.config import Settings
from critmin.domain.criticality import CriticalityModel, CriticalitySpec, calc_geodep
from critmin.domain.criticality.economic_importance import latest_value_added
from critmin.domain.criticality.flows import PRODUCT_STAGE_TO_CHAIN
from critmin.domain.criticality.geodep import GEODEP_THRESHOLDS, label_geodep
from critmin.domain.criticality.governance import governance_scores
from critmin.domain.criticality.inputs import (
    BACI_SOURCE,
    DEFAULT_SHARE_CONCENTRATION,
    USGS_SOURCE,
    WGI_SOURCE,
    InputTables,
    assemble_spec,
)
from critmin.domain.criticality.mapping import (
    PRODUCTION_COLUMNS,
    USGS_MINERAL_ALIAS,
    USGS_PRODUCTION_IS_PROCESSING,
    USGS_STAGE_TO_CHAIN,
    check_reporter,
    mineral_trade,
    production_by_stage,
    select_product_codes,
)
from critmin.domain.criticality.records import EU_THRESHOLDS, score_records
from critmin.domain.criticality.scenario import (
    Lever,
    compare_with_baseline,
    export_control_acts,
    scenario_levers,
    spec_with_levers,
)
from critmin.domain.criticality.trade_factors import agreement_partners, restrictions_in_force
from critmin.errors import EmptySelectionError, UnknownCodeError, WarehouseError
from critmin.services.criticality_controls import acts_in_force
from critmin.services.criticality_flows import classify_headings, flow_rule, hs4_flows, tradestat_flows
from critmin.services.criticality_params import (
    DEFAULT_PARAMETERS,
    blocs,
    eu_end_use_shares,
    material_params,
    parameter_tables,
    read_overrides,
    reporter_members,
    trade_factors,
)
from critmin.sources.criticality_inputs import LEVER_TYPES, read_scenario_doc
from critmin.warehouse import Warehouse, open_warehouse

Method = CriticalityMethod
__all__ = [
    "BACI_SOURCE",
    "DEFAULT_SHARE_CONCENTRATION",
    "LEVER_TYPES",
    "METHODS",
    "Method",
    "PRODUCT_STAGE_TO_CHAIN",
    "USGS_MINERAL_ALIAS",
    "USGS_PRODUCTION_IS_PROCESSING",
    "USGS_SOURCE",
    "USGS_STAGE_TO_CHAIN",
    "WGI_SOURCE",
    "blocs",
    "build_spec",
    "criticality_scores",
    "geodep_screen",
    "material_params",
    "parameter_tables",
    "product_map",
    "read_overrides",
    "read_scenario",
    "reporter_members",
    "scenario_acts",
]
METHODS = options("method")

# -- HS6 -> (mineral, product stage): used until the `products` table is in the warehouse ----------
_FALLBACK_PRODUCTS = {
    "250490": ("graphite", "ore"),
    "251010": ("phosphate", "ore"),
    "251110": ("baryte", "ore"),
    "252800": ("boron", "ore"),
    "252910": ("feldspar", "ore"),
    "252922": ("fluorspar", "ore"),
    "260200": ("manganese", "ore"),
    "260600": ("aluminium", "ore"),
    "270112": ("coking_coal", "ore"),
    "280429": ("helium", "refined"),
    "280469": ("silicon", "refined"),
    "280470": ("phosphorus", "refined"),
    "280480": ("arsenic", "refined"),
    "282200": ("cobalt", "intermediate"),
    "283691": ("lithium", "intermediate"),
    "283692": ("strontium", "intermediate"),
    "711011": ("platinum", "refined"),
    "711021": ("palladium", "refined"),
    "720292": ("vanadium", "intermediate"),
    "720293": ("niobium", "intermediate"),
    "740311": ("copper", "refined"),
    "750210": ("nickel", "refined"),
    "810194": ("tungsten", "refined"),
    "810320": ("tantalum", "refined"),
    "810411": ("magnesium", "refined"),
    "810820": ("titanium", "refined"),
    "811010": ("antimony", "refined"),
    "811212": ("beryllium", "refined"),
    "811292": ("gallium", "refined"),
    "850511": ("magnets", "product"),
}


def product_map(warehouse: Warehouse) -> pd.DataFrame:
    """HS6 -> ``mineral`` and value-chain ``chain_stage`` (extraction/processing).

    Reads the ``products`` table when the warehouse has it, else critmin's minimal mapping of
    the 30 bundled HS6 codes; the rules (stages, product and basket codes, aliases) are
    :func:`critmin.domain.criticality.mapping.select_product_codes`.
    """
    if warehouse.has("products"):
        p = warehouse.read("products").dropna(subset=["mineral"])
        source = "table products"
    else:
        p = pd.DataFrame([(k, m, s) for k, (m, s) in _FALLBACK_PRODUCTS.items()], columns=["hs6", "mineral", "stage"])
        source = "critmin minimal HS6 mapping (until the products table is built)"
    return select_product_codes(p, source)


# -- warehouse reads --------------------------------------------------------------------------------
def _need(warehouse: Warehouse, table: str) -> pd.DataFrame:
    if not warehouse.has(table):
        raise WarehouseError(
            f"table '{table}' is needed for criticality scores and is not in the warehouse; run `critmin data build`"
        )
    frame: pd.DataFrame = warehouse.read(table)
    return frame


def _economy_value_added(warehouse: Warehouse, reporter: str, year: int) -> tuple[pd.Series, str] | None:
    """The reporter's value added by OECD industry (latest year <= ``year``), or None without the table."""
    if not warehouse.has("industry_accounts"):
        return None
    return latest_value_added(warehouse.read("industry_accounts"), reporter, year)


def _governance(warehouse: Warehouse, year: int, method: str) -> tuple[pd.DataFrame, int]:
    """Per-country score and sd of the latest WGI year <= ``year`` (:func:`governance_scores`)."""
    g = _need(warehouse, "governance")
    g = g[g["year"] <= year]
    if g.empty:
        raise EmptySelectionError(f"no WGI data for {year} or earlier in table governance")
    gy = int(g["year"].max())
    return governance_scores(g[g["year"] == gy], method), gy


def _production(warehouse: Warehouse, year: int) -> pd.DataFrame:
    """USGS production by (mineral, chain_stage, iso3) in tonnes for the latest year <= ``year``."""
    if not warehouse.has("mineral_production"):
        return pd.DataFrame(columns=PRODUCTION_COLUMNS)
    return production_by_stage(warehouse.read("mineral_production"), year)


def _trade(warehouse: Warehouse, year: int, pm: pd.DataFrame) -> pd.DataFrame:
    t = _need(warehouse, "trade_flows")
    t = t[t["year"] == year]
    if t.empty:
        years = sorted(warehouse.read("trade_flows", ["year"])["year"].unique())
        raise EmptySelectionError(
            f"no trade flows for {year} in table trade_flows (years present: {', '.join(str(int(y)) for y in years)})"
        )
    return mineral_trade(t, pm)


def _agreement_partners(warehouse: Warehouse, members: frozenset[str], year: int) -> set[str]:
    """Partners with an RTA in force with any of ``members`` (tables agreements + agreement_members)."""
    if not (warehouse.has("agreements") and warehouse.has("agreement_members")):
        return set()
    return agreement_partners(warehouse.read("agreements"), warehouse.read("agreement_members"), members, year)


def _heading_flows(warehouse: Warehouse, members: frozenset[str], year: int) -> dict[str, dict]:
    """The reporter's ore and heading-level trade (TradeStat, BACI HS4) per (mineral, stage), by source."""
    products = warehouse.read("products") if warehouse.has("products") else products_table()
    hs_codes = warehouse.read("hs_codes") if warehouse.has("hs_codes") else None
    out: dict[str, dict] = {}
    if warehouse.has("tradestat_imports"):
        ts = warehouse.read("tradestat_imports")
        heads = classify_headings(ts["hs_code"].unique(), products, hs_codes, USGS_MINERAL_ALIAS)
        out["tradestat"] = tradestat_flows(ts, members, year, heads)
    if warehouse.has("hs4_top_flows"):
        f = warehouse.read("hs4_top_flows")
        totals = warehouse.read("hs4_world_totals") if warehouse.has("hs4_world_totals") else None
        heads = classify_headings(f["hs4"].unique(), products, hs_codes, USGS_MINERAL_ALIAS)
        out["baci_hs4"] = hs4_flows(f, totals, members, year, heads, metal_content_table())
    return out


def build_spec(
    settings: Settings,
    reporter: str = "IND",
    year: int = 2024,
    *,
    method: str = "eu",
    inputs: str | Path | None = None,
    agreements: bool | None = None,
    parameters: str = DEFAULT_PARAMETERS,
    share_concentration: float = DEFAULT_SHARE_CONCENTRATION,
    add_acts: tuple[str, ...] = (),
    lift_acts: tuple[str, ...] = (),
) -> tuple[CriticalitySpec, dict]:
    """Read every input of a criticality run from the warehouse and the parameter tables, and assemble the spec.

    The rules are :func:`critmin.domain.criticality.inputs.assemble_spec`. Trade-related variable ``t_c``
    (EU method): 1.1 for a supplier with an export restriction in force in the assessed year -- China's
    export-control acts as dated events (table ``export_control_events``, scope in
    ``export_control_scope.csv``; ``add_acts`` / ``lift_acts`` are event ids a scenario adds or lifts, see
    :func:`critmin.domain.criticality.controls.acts_in_force`) and other countries' measures
    (``trade_restrictions.csv``) --, ``home_market`` (0.8) for the reporter's own producers in global supply
    and in sourcing (as the EU 2023 assessment treats EU member states), 1.0 otherwise; with
    ``agreements=True`` partners sharing an RTA in force with the reporter get ``t_c x agreement_multiplier``
    (0.8) in sourcing. ``None`` takes the default of ``trade_restriction_factors.yaml`` (off, as in the EU
    2023 assessment).

    Returns
    -------
    (CriticalitySpec, dict)
        The spec for :class:`CriticalityModel`, and per-item provenance (``inputs`` records).
    """
    if method not in ("eu", "geopolrisk"):
        raise ValueError(f"method must be 'eu' or 'geopolrisk' here, got {method!r}")
    wh = open_warehouse(settings)
    tables = parameter_tables(inputs, parameters=parameters)
    factors = trade_factors()
    gov, gov_year = _governance(wh, year, method)
    pm = product_map(wh)
    trade = _trade(wh, year, pm)
    bloc_names = blocs()
    check_reporter(reporter, trade, gov, list(bloc_names))
    members = reporter_members(reporter)
    acts = acts_in_force(_need(wh, "export_control_events"), year, factors, add=tuple(add_acts), lift=tuple(lift_acts))
    if agreements is None:
        agreements = bool(factors.get("agreement_partners_in_baseline", False))
    fta = _agreement_partners(wh, members, year) if (method == "eu" and agreements) else set()
    economy_va = _economy_value_added(wh, reporter, year)
    own_ei = economy_va is not None and reporter not in bloc_names
    eu_uses = eu_end_use_shares(wh) if own_ei else None
    inputs_tables = InputTables(
        reporter=reporter,
        members=members,
        year=year,
        trade=trade,
        basket_codes=frozenset(pm.loc[pm["basket"], "hs6"]),
        production=_production(wh, year),
        governance=gov,
        governance_year=gov_year,
        restrictions=restrictions_in_force(tables["trade_restrictions"], acts, year, factors),
        materials=tables["materials"],
        overrides=tables["overrides"],
        factors=factors,
        flow_rule=flow_rule(),
        heading_flows=_heading_flows(wh, members, year),
        agreements=bool(agreements),
        agreement_partners=frozenset(fta),
        economy_value_added=economy_va,
        eu_end_uses=eu_uses,
        end_use_shares_missing=own_ei and eu_uses is None,
    )
    return assemble_spec(inputs_tables, method=method, share_concentration=share_concentration)


# -- scenarios ---------------------------------------------------------------------------------------
def scenario_acts(path: str | Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The export-control acts a scenario adds and lifts (levers ``type: export_control``).

    A lever ``{type: export_control, act: CN-2025-18, action: add}`` applies the act in the assessed
    year whatever its dates; ``action: lift`` leaves it out. Returns ``(add, lift)`` event ids
    (:func:`critmin.domain.criticality.scenario.export_control_acts`).
    """
    path = Path(path)
    return export_control_acts(read_scenario_doc(path), path)


def read_scenario(path: str | Path, spec: CriticalitySpec) -> tuple[str, list[Lever]]:
    """Parse a scenario YAML file into levers on the spec (see ``docs/criticality.md``).

    ``export_control`` levers (acts added or lifted) are not levers on the spec: they change which
    acts are in force, and :func:`criticality_scores` rebuilds the spec with them
    (:func:`scenario_acts`). The rules are :func:`critmin.domain.criticality.scenario.scenario_levers`.
    """
    path = Path(path)
    doc = read_scenario_doc(path)
    return str(doc.get("name", path.stem)), scenario_levers(doc, spec.items, trade_factors(), path)


# -- the questions ---------------------------------------------------------------------------------------
def criticality_scores(
    settings: Settings,
    reporter: str = "IND",
    year: int = 2024,
    *,
    method: Method = "eu",
    scenario: str | Path | None = None,
    draws: int = 1000,
    seed: int | None = 0,
    inputs: str | Path | None = None,
    agreements: bool | None = None,
    parameters: str = DEFAULT_PARAMETERS,
    share_concentration: float = DEFAULT_SHARE_CONCENTRATION,
) -> dict:
    """Criticality of every mineral in the data for an importer, per value-chain stage.

    Parameters
    ----------
    settings : Settings
    reporter : str, default "IND"
        Importer ISO3.
    year : int, default 2024
        Trade year; production and WGI use the latest year up to it.
    method : {"eu", "geopolrisk", "geodep"}
        EU CRM method (JRC 2017), GeoPolRisk, or the CEPII GeoDep product screen.
    scenario : path, optional
        Policy-lever YAML; scores are recomputed under it (same seed) and the shift reported.
    draws : int, default 1000
        Monte-Carlo draws (0 = point scores only).
    seed : int, optional
    inputs : path, optional
        User CSV overriding parameters (EoL-RIR, SI, EI, IR, ``t``, end-use shares...).
    agreements : bool, optional
        Lower ``t_c`` of partners that share an RTA in force with the reporter (EU method; see
        :func:`build_spec`). Default: off, as the EU 2023 assessment applied it.
    parameters : {"eu2023", "eu2017"}
        EU assessment whose published EoL-RIR, SI and EI are used (see :func:`parameter_tables`).

    Returns
    -------
    dict
        ``{"method", "reporter", "year", "draws", "seed", "scenario", "records": [...]}``; one record
        per mineral and stage with ``supply_risk``, ``economic_importance``, ``critical``, the
        ``*_p05/p50/p95`` bands and the ``inputs`` used with their sources.
    """
    check("method", method)
    if draws < 0:
        raise ValueError("draws must be >= 0")
    if method == "geodep":
        if scenario is not None:
            raise ValueError("scenarios apply to the eu and geopolrisk methods, not geodep")
        return geodep_screen(settings, reporter, year)
    resolve = partial(
        build_spec,
        settings,
        reporter,
        year,
        method=method,
        inputs=inputs,
        agreements=agreements,
        parameters=parameters,
        share_concentration=share_concentration,
    )
    spec, prov = resolve()
    base = CriticalityModel(spec).run(draws, seed=seed).to_frame()
    scen_name = None
    frame = base
    if scenario is not None:
        scen_name, levers = read_scenario(scenario, spec)
        add, lift = scenario_acts(scenario)
        base_spec = spec
        if add or lift:  # acts added or lifted change t_c: resolve the inputs again with them
            base_spec, prov = resolve(add_acts=add, lift_acts=lift)
        scored = CriticalityModel(spec_with_levers(base_spec, levers)).run(draws, seed=seed).to_frame()
        frame = compare_with_baseline(scored, base)
    records = score_records(frame, prov, method=method)
    return {
        "method": method,
        "reporter": reporter,
        "year": year,
        "draws": draws,
        "seed": seed,
        "scenario": scen_name,
        "parameters": parameters,
        "agreements": next(iter(prov.values()))["t_rules"]["agreements_applied"] if method == "eu" else None,
        "thresholds": dict(EU_THRESHOLDS) if method == "eu" else None,
        "records": records,
    }


def geodep_screen(settings: Settings, reporter: str = "IND", year: int = 2024) -> dict:
    """CEPII GeoDep screen (criteria 1-3) over every HS6 product the reporter imports."""
    wh = open_warehouse(settings)
    t = _need(wh, "trade_flows")
    t = t[t["year"] == year]
    if t.empty:
        raise EmptySelectionError(f"no trade flows for {year} in table trade_flows")
    if reporter not in set(t["importer"]):
        hint = (
            "the geodep screen takes one economy; blocs work with --method eu or geopolrisk"
            if reporter in blocs()
            else None
        )
        raise UnknownCodeError("country", reporter, where=f"importers of trade_flows {year}", hint=hint)
    out = label_geodep(calc_geodep(t, reporter), product_map(wh), f"{BACI_SOURCE}, {year}")
    return {
        "method": "geodep",
        "reporter": reporter,
        "year": year,
        "draws": 0,
        "seed": None,
        "scenario": None,
        "thresholds": dict(GEODEP_THRESHOLDS),
        "records": out.to_dict("records"),
    }
