"""critmin's cited parameter tables for criticality scores, and user overrides of them.

* :func:`parameter_tables` — EoL-RIR, substitution indices and EI per mineral from an EU
  assessment (``eu2023`` or ``eu2017``), the export-restriction events, and the user's overrides;
* :func:`eu_end_use_shares` / :func:`eu_sector_value_added` — the EU 2023 study's tables from the warehouse;
* :func:`blocs` / :func:`reporter_members` — economies assessed as one importer (``EU27``).

The files are read by :mod:`critmin.sources.criticality_inputs` (``read_overrides``, ``trade_factors``);
the rules (parameters of an item, overrides, EI formulas) are
:mod:`critmin.domain.criticality.parameters` and :mod:`critmin.domain.criticality.economic_importance`,
re-exported here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin.domain.criticality.economic_importance import (
    END_USE_MISSING,
    END_USE_SOURCE,
    EU_END_USE_NAMES,
    ei_base_from_shares,
    ei_from_economy,
    ei_from_end_uses,
    ei_from_eu_end_uses,
    end_use_shares,
    is_manufacturing,
    manufacturing_max,
    oecd_industry_of_nace,
)
from critmin.domain.criticality.parameters import apply_overrides, material_params
from critmin.sources.criticality_inputs import (
    DATA_PACKAGE,
    DEFAULT_PARAMETERS,
    OVERRIDE_COLUMNS,
    OVERRIDE_PARAMETERS,
    PARAMETER_EDITIONS,
    STAGES,
    UNIT_INTERVAL,
    empty_overrides,
    read_materials,
    read_overrides,
    read_trade_restrictions,
    trade_factors,
)
from critmin.warehouse import Warehouse

__all__ = [
    "DATA_PACKAGE",
    "DEFAULT_PARAMETERS",
    "END_USE_MISSING",
    "END_USE_SOURCE",
    "EU_END_USE_NAMES",
    "OVERRIDE_COLUMNS",
    "OVERRIDE_PARAMETERS",
    "PARAMETER_EDITIONS",
    "STAGES",
    "UNIT_INTERVAL",
    "apply_overrides",
    "blocs",
    "ei_base_from_shares",
    "ei_from_economy",
    "ei_from_end_uses",
    "ei_from_eu_end_uses",
    "eu_end_use_shares",
    "eu_sector_value_added",
    "is_manufacturing",
    "manufacturing_max",
    "material_params",
    "oecd_industry_of_nace",
    "parameter_tables",
    "read_overrides",
    "reporter_members",
    "trade_factors",
]


def parameter_tables(
    overrides: str | Path | pd.DataFrame | None = None, *, parameters: str = DEFAULT_PARAMETERS
) -> dict[str, pd.DataFrame]:
    """critmin's cited parameter tables, with the user's overrides next to ``materials``.

    ``parameters`` picks the EU assessment whose published EoL-RIR, SI_SR, SI_EI and EI fill the
    ``materials`` table: ``eu2023`` (default, the latest list) or ``eu2017``.
    """
    mats = read_materials(parameters)
    ov = read_overrides(overrides) if isinstance(overrides, (str, Path)) else overrides
    return {
        "materials": mats,
        "trade_restrictions": read_trade_restrictions(),
        "overrides": ov if ov is not None else empty_overrides(),
    }


def eu_end_use_shares(warehouse: Warehouse) -> pd.DataFrame | None:
    """The EU 2023 study's end-use shares per material and NACE division (table ``eu_end_uses``, see
    :func:`critmin.domain.criticality.economic_importance.end_use_shares`); ``None`` when it is not built."""
    if not warehouse.has("eu_end_uses"):
        return None
    return end_use_shares(warehouse.read("eu_end_uses"))


def eu_sector_value_added(warehouse: Warehouse) -> pd.Series | None:
    """EU-27 value added (EUR million) per NACE Rev.2 division that the EU 2023 study used for EI
    (table ``eu_sector_value_added``); ``None`` when it is not built."""
    if not warehouse.has("eu_sector_value_added"):
        return None
    va: pd.Series = warehouse.read("eu_sector_value_added").set_index("nace")["value_added_meur"].astype(float)
    return va


def blocs() -> dict[str, dict]:
    """Economies assessed as one importer (``classify/blocs.yaml``), e.g. ``EU27``."""
    from critmin.classify.blocs import blocs as _blocs

    return _blocs()


def reporter_members(reporter: str) -> frozenset[str]:
    """The ISO3 codes a reporter stands for: its members for a bloc, else the reporter itself."""
    from critmin.classify.blocs import bloc_members

    return bloc_members(reporter)
