"""Criticality and supply-risk scoring (pure maths; no I/O).

* :mod:`.eu` — EU method (JRC 2017 guidelines): ``HHI_WGI,t``, IR, SR, EI, thresholds.
* :mod:`.geopolrisk` — import-based GeoPolRisk score (geopolrisk-py).
* :mod:`.geodep` — CEPII GeoDep product screen.
* :mod:`.model` — ``CriticalityModel(spec).run(draws, seed)`` with Monte-Carlo bands.
* :mod:`.scenario` — policy levers (export restriction, FTA) applied to a spec's inputs.
* :mod:`.governance` — the one WGI rescaling and the one governance-weighted HHI.
* :mod:`.inputs` — ``assemble_spec``: a spec from the frames a run reads (shares, IR, ``t_c``).
* :mod:`.parameters`, :mod:`.economic_importance` — an item's parameters, overrides and EI.
* :mod:`.records` — the records a run reports.
"""

from critmin.domain.criticality.eu import (
    EI_THRESHOLD,
    SR_THRESHOLD,
    calc_economic_importance,
    calc_hhi,
    calc_import_reliance,
    calc_supply_risk_eu,
    is_critical,
)
from critmin.domain.criticality.geodep import calc_geodep
from critmin.domain.criticality.geopolrisk import calc_geopolrisk, calc_instability
from critmin.domain.criticality.governance import calc_hhi_wgi_t, calc_wgi_scaled
from critmin.domain.criticality.model import CriticalityModel, CriticalityResult, CriticalitySpec

__all__ = [
    "EI_THRESHOLD",
    "SR_THRESHOLD",
    "calc_economic_importance",
    "calc_hhi",
    "calc_hhi_wgi_t",
    "calc_import_reliance",
    "calc_supply_risk_eu",
    "calc_wgi_scaled",
    "is_critical",
    "calc_geodep",
    "calc_geopolrisk",
    "calc_instability",
    "CriticalityModel",
    "CriticalityResult",
    "CriticalitySpec",
]
