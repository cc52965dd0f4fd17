"""GeoPolRisk: import-based geopolitical supply risk (as implemented in ``geopolrisk-py``).

Reference
---------
Gemechu, E.D., Helbig, C., Sonnemann, G., Thorenz, A., Tuma, A. (2016), *Import-based
indicator for the geopolitical supply risk of raw materials in life cycle sustainability
assessments*, J. Industrial Ecology 20(1); Koyamparambath, A. et al. (2024),
Resources, Conservation and Recycling 209, 107801; ``geopolrisk-py`` documentation,
"Background", Equation 1::

    GeoPolRisk_Ac = HHI_A · Σ_i ( g_i · f_Aic / (p_Ac + F_Ac) )

``HHI_A`` is the (0–1) Herfindahl–Hirschman index of world production of ``A``;
``f_Aic`` the imports of ``A`` by economy ``c`` from ``i``; ``F_Ac = Σ_i f_Aic``;
``p_Ac`` the domestic production of ``c``; ``g_i`` the political instability of ``i``,
the WGI "Political Stability and Absence of Violence" estimate rescaled to 0–1,
``g = (2.5 − PV) / 5`` (1 = most unstable).
"""

from __future__ import annotations

import numpy as np


def calc_instability(pv_estimate):
    """``g = (2.5 − PV) / 5`` clipped to [0, 1] from the WGI political-stability estimate."""
    return np.clip((2.5 - np.asarray(pv_estimate, dtype=float)) / 5.0, 0.0, 1.0)


def calc_geopolrisk(hhi_production, imports, instability, domestic_production=0.0, axis: int = -1):
    """GeoPolRisk score ``HHI · Σ_i g_i f_i / (p + F)`` (0–1).

    Parameters
    ----------
    hhi_production : array_like
        HHI of world production shares (0–1).
    imports : array_like
        Imports ``f_i`` by partner along ``axis`` (one unit, e.g. tonnes).
    instability : array_like
        ``g_i`` in [0, 1], broadcast against ``imports``.
    domestic_production : array_like, default 0
        ``p`` in the unit of ``imports``.
    """
    f = np.nan_to_num(np.asarray(imports, dtype=float))
    total = f.sum(axis=axis)
    denom = total + np.asarray(domestic_production, dtype=float)
    weighted = np.sum(f * np.asarray(instability, dtype=float), axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        wta = np.where(denom > 0, weighted / denom, 0.0)
    return np.asarray(hhi_production, dtype=float) * wta
