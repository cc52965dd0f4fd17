"""One item's published parameters and the user's overrides of them (pure rules).

A material's EoL-RIR, SI_SR, SI_EI and EI come from the EU assessment's table (the stage-specific
row before the all-stages row), else from critmin's stated defaults; a user's override row replaces
a value and its range and names its source; ``t`` rows are per-supplier trade factors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: critmin's stated defaults for a material without a published row
MATERIAL_DEFAULTS: dict[str, Any] = {
    "eol_rir": 0.0,
    "eol_rir_low": 0.0,
    "eol_rir_high": 0.1,
    "si_sr": 1.0,
    "si_sr_low": 0.8,
    "si_sr_high": 1.0,
    "si_ei": np.nan,
    "si_ei_low": np.nan,
    "si_ei_high": np.nan,
    "economic_importance": np.nan,
    "source": "critmin default (no published value): EoL-RIR 0 (range 0-0.1), SI_SR 1 (range 0.8-1); EI unknown",
    "eu_material": None,
    "note": "",
}
#: override parameters that feed the EI formula rather than replace a parameter
EI_INPUT_PARAMETERS = ("end_use_share", "sector_value_added")


def as_number(value: Any, default: float = np.nan) -> float:
    """A parameter as float (``default``, NaN unless given, for missing or empty values)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def material_params(mats: pd.DataFrame, mineral: str, stage: str) -> dict[str, Any]:
    """Published parameters of one mineral and stage (the stage-specific row first), or :data:`MATERIAL_DEFAULTS`."""
    rows = mats[(mats["mineral"] == mineral) & (mats["stage"].isin([stage, ""]))]
    if rows.empty:
        return dict(MATERIAL_DEFAULTS)
    r = rows.sort_values("stage", ascending=False).iloc[0]  # stage-specific row first
    out: dict[str, Any] = r.to_dict()
    return out


def apply_overrides(
    params: dict[str, Any], ov: pd.DataFrame, mineral: str, stage: str
) -> tuple[dict[str, Any], dict[str, tuple[float, str]]]:
    """Apply the user's override rows to one item's parameters.

    A row ``parameter, value, low, high, source`` of the mineral (stage empty or equal) sets
    ``params[parameter] = value``, ``params[parameter_low] = low or value``, ``params[parameter_high] = high or
    value`` and ``params[parameter_source] = source``; ``t`` rows are returned per supplier (``key``) as
    ``(t, source)``; ``end_use_share`` and ``sector_value_added`` rows are EI inputs and left out.

    Returns
    -------
    (dict, dict)
        The parameters (``params``, updated in place) and the per-supplier ``t`` overrides.
    """
    sel = ov[(ov["mineral"] == mineral) & (ov["stage"].isin(["", stage]))]
    t_over: dict[str, tuple[float, str]] = {}
    for r in sel.itertuples(index=False):
        if r.parameter == "t":
            t_over[str(r.key)] = (float(r.value), str(r.source))
            continue
        if r.parameter in EI_INPUT_PARAMETERS:
            continue
        params[str(r.parameter)] = float(r.value)
        params[f"{r.parameter}_low"] = float(r.low) if r.low else float(r.value)
        params[f"{r.parameter}_high"] = float(r.high) if r.high else float(r.value)
        params[f"{r.parameter}_source"] = r.source
    return params, t_over
