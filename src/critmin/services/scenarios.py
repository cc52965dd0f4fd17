"""Scenario services, re-exported: one module per question, this one holds no logic.

The services live in

* :mod:`critmin.services.shock` -- export-restriction shocks (Q3);
* :mod:`critmin.services.sourcing` -- the sourcing mix with and without FTAs (Q4);
* :mod:`critmin.services.contract` -- concentrate contract economics and FX (Q5);
* :mod:`critmin.services.route` -- sea routes and chokepoints;
* :mod:`critmin.services.projection` -- import-dependence projections.

This module only re-exports their public names so that ``from critmin.services.scenarios import ...``
and ``from critmin.services import scenarios as svc`` keep working in front ends and tests.
"""

from __future__ import annotations

from critmin.services._scenario_common import CURRENCY_OF, STAGE_ALIASES, USGS_STAGE, concentrate_surplus
from critmin.services.contract import contract_backtest, load_contract_scenario, run_contract
from critmin.services.projection import projection, projection_report
from critmin.services.route import route, route_paths
from critmin.services.shock import load_shock_scenario, run_shock
from critmin.services.sourcing import (
    OBJECTIVES,
    Objective,
    UnknownTariff,
    default_demand,
    fta_rate,
    mfn_what_if,
    read_freight_file,
    read_tariff_file,
    sourcing,
    sourcing_candidates,
    tariff_lookup,
)

__all__ = [
    "CURRENCY_OF",
    "OBJECTIVES",
    "Objective",
    "STAGE_ALIASES",
    "USGS_STAGE",
    "UnknownTariff",
    "concentrate_surplus",
    "contract_backtest",
    "default_demand",
    "fta_rate",
    "load_contract_scenario",
    "load_shock_scenario",
    "mfn_what_if",
    "projection",
    "projection_report",
    "read_freight_file",
    "read_tariff_file",
    "route",
    "route_paths",
    "run_contract",
    "run_shock",
    "sourcing",
    "sourcing_candidates",
    "tariff_lookup",
]
