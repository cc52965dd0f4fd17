"""The records a criticality run reports: scores per (material, stage) with their inputs (pure rules).

For the EU method each record also says whether the material is critical with the EU's published EI
(the default proxy) and with the reporter's own EI (from its value added):
``critical = EI >= 2.8 and SR >= 1.0`` (:func:`critmin.domain.criticality.eu.is_critical`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from critmin.domain.criticality.eu import EI_THRESHOLD, SR_THRESHOLD, is_critical

#: the EU method's thresholds, as reported with the scores
EU_THRESHOLDS = {"economic_importance": EI_THRESHOLD, "supply_risk": SR_THRESHOLD}


def _critical_or_none(ei: float | None, sr: float) -> bool | None:
    return None if ei is None or pd.isna(sr) else bool(is_critical(ei, sr))


def score_records(frame: pd.DataFrame, provenance: dict[tuple[str, str], dict], *, method: str) -> list[dict[str, Any]]:
    """One dict per row of ``frame`` (a :class:`~.model.CriticalityResult` frame) with its ``inputs``.

    EU method: ``economic_importance_eu`` (published) and ``economic_importance_india`` (the reporter's
    own, ``None`` when not computed), and ``critical_eu_ei`` / ``critical_india_ei`` with each
    (``None`` where the EI or the SR is missing).
    """
    records = []
    for row in frame.to_dict("records"):
        row["inputs"] = provenance[(row["material"], row["stage"])]
        if method == "eu":  # EI of the EU (published, the default proxy) and of the reporter's own economy
            ei_eu = row["inputs"]["economic_importance_eu"]["value"]
            ei_in = (row["inputs"]["economic_importance_india"] or {}).get("value")
            sr = row["supply_risk"]
            row["economic_importance_eu"] = ei_eu
            row["economic_importance_india"] = ei_in
            row["critical_eu_ei"] = _critical_or_none(ei_eu, sr)
            row["critical_india_ei"] = _critical_or_none(ei_in, sr)
        records.append(row)
    return records
