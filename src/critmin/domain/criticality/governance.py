"""Governance of supplier countries for criticality: WGI rescaling and governance-weighted concentration.

The one place of two rules of the EU method (JRC 2017 guidelines, Blengini et al. 2017):

* **WGI rescaling** (:func:`calc_wgi_scaled`): the mean of the six Worldwide Governance Indicators
  estimates (about -2.5 best ... 2.5 worst, standard-normal units) onto 0-10, 10 the worst governance,
  ``WGI_scaled = (WGI - 2.5) / (-0.5) = 5 - 2 * WGI``; **clipped** to [0, 10] by default, unclipped with
  ``clip=False`` (an estimate beyond +-2.5 then maps slightly outside [0, 10]);
* **governance- and trade-weighted HHI** (:func:`calc_hhi_wgi_t`): ``HHI_WGI,t = sum_c S_c^2 * WGI_c * t_c``
  (``t_c = 1`` gives the plain governance-weighted HHI ``sum_c S_c^2 * WGI_c``).

:func:`governance_scores` turns one year of table ``governance`` into the per-country score and
standard deviation a :class:`~critmin.domain.criticality.model.CriticalitySpec` takes (EU: rescaled WGI;
GeoPolRisk: political instability ``g = (2.5 - PV) / 5``, see :mod:`.geopolrisk`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from critmin.domain.criticality.geopolrisk import calc_instability

#: WGI estimates lie on about [-2.5, 2.5]; ``(WGI - WGI_CENTER) / WGI_STEP`` maps them onto [0, 10], 10 = worst
WGI_CENTER = 2.5
WGI_STEP = -0.5
WGI_SCALE_MAX = 10.0
#: the WGI political-stability indicator (table ``governance``, column ``indicator``), GeoPolRisk's ``PV``
PV_INDICATOR = "pv"
#: the standard deviation of g = (2.5 - PV) / 5 is sd(PV) / 5
INSTABILITY_STEP = 5.0


def calc_wgi_scaled(wgi_estimate: Any, *, clip: bool = True) -> np.ndarray:
    """Rescale WGI estimates to the EU method's 0-10 scale, 10 the worst governance.

    .. math:: WGI_{scaled} = (WGI - 2.5) / (-0.5) = 5 - 2 \\cdot WGI

    Parameters
    ----------
    wgi_estimate : array_like
        Mean of the six WGI dimension estimates (standard-normal units, about -2.5 ... 2.5).
    clip : bool, default True
        Clip the result to [0, 10] (the EU scale). ``False`` leaves estimates beyond +-2.5 slightly
        outside it (the convention of the dependence indicators).

    Returns
    -------
    ndarray
        The rescaled scores, same shape as ``wgi_estimate``.
    """
    x = np.asarray(wgi_estimate, dtype=float)
    scaled = (x - WGI_CENTER) / WGI_STEP
    return np.clip(scaled, 0.0, WGI_SCALE_MAX) if clip else scaled


def calc_wgi_scaled_sd(wgi_std_error: Any) -> np.ndarray:
    """Standard deviation of :func:`calc_wgi_scaled` from that of the WGI mean: ``sd / 0.5`` (unclipped).

    .. math:: sd(WGI_{scaled}) = sd(\\overline{WGI}) / 0.5
    """
    return np.asarray(wgi_std_error, dtype=float) / -WGI_STEP


def calc_hhi_wgi_t(shares: Any, wgi_scaled: Any, t: Any = 1.0, axis: int = -1, *, segments: Any = None) -> np.ndarray:
    """Governance- and trade-weighted concentration ``HHI_WGI,t = Σ_c S_c² · WGI_c · t_c``.

    .. math:: HHI_{WGI,t} = \\sum_c S_c^2 \\cdot (WGI_c \\cdot t_c)

    Shares are used as given (not renormalised); NaN shares count as 0. The scores are not clipped
    here: pass :func:`calc_wgi_scaled` (clipped by default).

    Parameters
    ----------
    shares : array_like
        Country shares ``S_c`` in [0, 1] along ``axis`` (they should sum to 1).
    wgi_scaled : array_like
        WGI on the 0–10 scale (see :func:`calc_wgi_scaled`), broadcast against ``shares``; 1 gives the
        plain HHI ``Σ_c S_c²``.
    t : array_like, default 1.0
        Trade-restriction factor ``t_c``, broadcast against ``shares``; 1 gives the plain
        governance-weighted HHI ``Σ_c S_c² · WGI_c``.
    axis : int, default -1
        The country axis.
    segments : array_like of int, optional
        Start index of each group along ``axis`` (entries of several items in one array, sorted by
        item): one sum per group (:func:`numpy.add.reduceat`) instead of one in all.

    Returns
    -------
    ndarray
        0 (atomistic supply from the best-governed countries) … 10 (one worst-governed
        supplier) times the largest ``t_c``; one value per group with ``segments``.
    """
    s = np.nan_to_num(np.asarray(shares, dtype=float))
    terms = s * s * (np.asarray(wgi_scaled, dtype=float) * np.asarray(t, dtype=float))
    out: np.ndarray = (
        np.sum(terms, axis=axis) if segments is None else np.add.reduceat(terms, np.asarray(segments), axis=axis)
    )
    return out


def governance_scores(governance: pd.DataFrame, method: str) -> pd.DataFrame:
    """Per-country governance score and its standard deviation from one year of table ``governance``.

    * ``eu``: ``score = calc_wgi_scaled(mean_k WGI_k)`` over the six indicators ``k`` (clipped to 0-10),
      ``score_sd = sqrt(Σ_k se_k²) / n / 0.5`` (independent indicator errors, an assumption);
    * ``geopolrisk``: ``score = (2.5 - PV) / 5`` clipped to 0-1 (:func:`.geopolrisk.calc_instability`),
      ``score_sd = se(PV) / 5``.

    Returns
    -------
    DataFrame
        ``country, score, score_sd, raw`` (``raw``: the WGI mean or the PV estimate); countries without
        a score are left out.
    """
    g = governance
    if method == "eu":
        est = g.pivot_table(index="iso3", columns="indicator", values="estimate")
        se = g.pivot_table(index="iso3", columns="indicator", values="std_error")
        n = est.notna().sum(axis=1)
        mean = est.mean(axis=1)
        sd_mean = np.sqrt((se**2).sum(axis=1)) / n  # independent indicator errors (assumption)
        out = pd.DataFrame(
            {
                "country": mean.index,
                "score": calc_wgi_scaled(mean.to_numpy()),
                "score_sd": calc_wgi_scaled_sd(sd_mean.to_numpy()),
                "raw": mean.to_numpy(),
            }
        )
    else:
        pv = g[g["indicator"] == PV_INDICATOR].set_index("iso3")
        out = pd.DataFrame(
            {
                "country": pv.index,
                "score": calc_instability(pv["estimate"].to_numpy()),
                "score_sd": (pv["std_error"] / INSTABILITY_STEP).to_numpy(),
                "raw": pv["estimate"].to_numpy(),
            }
        )
    return out.dropna(subset=["score"]).reset_index(drop=True)


def impute_missing_governance(scores: pd.DataFrame, countries: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """Give ``countries`` without a score the median score and the largest standard deviation.

    Returns the completed ``country, score, score_sd, raw`` table (``raw`` NaN for imputed rows) and the
    imputed countries, sorted.
    """
    missing = sorted(countries - set(scores["country"]))
    if not missing:
        return scores, missing
    fill = pd.DataFrame(
        {"country": missing, "score": scores["score"].median(), "score_sd": scores["score_sd"].max(), "raw": np.nan}
    )
    return pd.concat([scores, fill], ignore_index=True), missing
