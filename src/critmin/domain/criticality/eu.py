"""EU criticality method (JRC 2017 guidelines; used for the 2017, 2020 and 2023 EU lists).

Reference
---------
European Commission (2017), *Methodology for establishing the EU list of critical
raw materials: guidelines*, Publications Office of the EU, doi:10.2873/769526
(Blengini, G.A., Nuss, P., Dewulf, J., Nita, V., Talens Peirò, L., Vidal-Legaz, B.,
Latunussa, C., Mancini, L., Blagoeva, D., Pennington, D., Pellegrini, M., Van Maercke, A.,
Solar, S., Grohol, M., Ciupagea, C.), and the JRC background report *Assessment of the
Methodology for Establishing the EU List of Critical Raw Materials* (2017).

Equations (numbering as in the guidelines, sections on Supply Risk and Economic Importance)

* Supply risk::

    SR = [ HHI_WGI,t(GS) · IR/2 + HHI_WGI,t(EUsourcing) · (1 − IR/2) ] · (1 − EoL_RIR) · SI_SR

* Governance-weighted concentration, for global supply (GS) or the importer's
  actual sourcing (domestic production + imports by partner)::

    HHI_WGI,t = Σ_c (S_c)² · WGI_c · t_c

  with ``S_c`` the share of country ``c`` (0–1), ``WGI_c`` the average of the six WGI
  dimensions rescaled to 0–10 with 10 the worst governance,
  ``WGI_scaled = (WGI − 2.5) / (−0.5)``, and ``t_c`` the trade-restriction factor
  (1 without restriction; raised for export taxes, quotas and prohibitions; lowered
  where a trade agreement with the assessing economy applies).
* Import reliance::

    IR = (Import − Export) / (Domestic production + Import − Export),  IR < 0 set to 0

* Economic importance::

    EI = Σ_s (A_s · Q_s) · SI_EI

  with ``A_s`` the share of end use of the material in (NACE Rev. 2, 2-digit)
  sector ``s``, ``Q_s`` the value added of that sector and ``SI_EI`` the substitution
  index for EI. As in the guidelines the sum is scaled to 0–10 by the value added of
  the largest manufacturing sector: ``EI = 10 · Σ_s A_s · Q_s / max_{s in C10-C33} Q_s · SI_EI``.
* A material is critical when ``EI ≥ 2.8`` and ``SR ≥ 1.0``. SR is assessed at the
  extraction and the processing stage; the stage with the higher SR (the bottleneck)
  counts.

When only one of the two HHI terms is available (the guidelines' "GS only" or
"EU sourcing only" cases) the SR uses that term alone.
"""

from __future__ import annotations

import numpy as np

from critmin.domain.criticality.governance import calc_hhi_wgi_t, calc_wgi_scaled  # noqa: F401  (re-exported)
from critmin.domain.indicators.concentration import calc_hhi  # noqa: F401  (re-exported; one HHI)

EI_THRESHOLD = 2.8
SR_THRESHOLD = 1.0


def calc_import_reliance(production, imports, exports):
    """Import reliance ``IR = (M − X) / (P + M − X)``, clipped to [0, 1].

    A net exporter (``M < X``) has ``IR = 0`` (the guidelines set negative IR to 0).
    When ``P + M − X ≤ 0`` the result is 0.

    Parameters
    ----------
    production, imports, exports : array_like
        Domestic production ``P``, imports ``M`` and exports ``X`` in one unit.
    """
    p, m, x = (np.asarray(v, dtype=float) for v in (production, imports, exports))
    net = m - x
    denom = p + net
    with np.errstate(divide="ignore", invalid="ignore"):
        ir = np.where(denom > 0, net / denom, 0.0)
    return np.clip(ir, 0.0, 1.0)


def calc_supply_risk_eu(hhi_global, hhi_sourcing, import_reliance, eol_rir, si_sr):
    """EU supply risk ``SR = [HHI_GS·IR/2 + HHI_src·(1 − IR/2)] · (1 − EoL_RIR) · SI_SR``.

    Vectorised over any broadcastable shapes. A NaN ``hhi_sourcing`` (no sourcing data)
    gives the guidelines' "GS only" case ``SR = HHI_GS · (1 − EoL_RIR) · SI_SR``; a NaN
    ``hhi_global`` gives the sourcing-only case; a NaN ``import_reliance`` with both terms
    present gives NaN.

    Parameters
    ----------
    hhi_global, hhi_sourcing : array_like
        ``HHI_WGI,t`` of global supply and of the importer's sourcing (0–10).
    import_reliance : array_like
        IR in [0, 1].
    eol_rir : array_like
        End-of-life recycling input rate in [0, 1].
    si_sr : array_like
        Substitution index for supply risk in [0, 1] (1 = not substitutable).
    """
    gs = np.asarray(hhi_global, dtype=float)
    src = np.asarray(hhi_sourcing, dtype=float)
    ir = np.asarray(import_reliance, dtype=float)
    both = gs * ir / 2.0 + src * (1.0 - ir / 2.0)
    term = np.where(np.isnan(src), gs, np.where(np.isnan(gs), src, both))
    return term * (1.0 - np.asarray(eol_rir, dtype=float)) * np.asarray(si_sr, dtype=float)


def calc_economic_importance(
    end_use_shares, sector_value_added, si_ei, *, scale: float = 10.0, q_max: float | None = None
):
    """EU economic importance ``EI = scale · Σ_s A_s · Q_s / Q_max · SI_EI``.

    ``Q_max`` is the value added of the largest sector the scale refers to: the EU studies scale by
    the largest **manufacturing** NACE 2-digit sector (EU 2023: C28 machinery, EUR 204 bn), not by the
    largest sector of the whole economy; pass it as ``q_max``. Without it, ``max_s Q_s`` of the given
    sectors is used.

    Parameters
    ----------
    end_use_shares : array_like, shape (..., S)
        ``A_s``: share of the material's end use in each sector (sum to 1).
    sector_value_added : array_like, shape (S,)
        ``Q_s``: value added of each sector (any currency unit).
    si_ei : array_like
        Substitution index for EI (0–1), broadcast against the leading shape.
    scale : float, default 10
        The value the largest sector maps to (0–10 scale of the guidelines).
    q_max : float, optional
        The normalising value added ``Q_max`` (same unit as ``Q_s``).
    """
    a = np.asarray(end_use_shares, dtype=float)
    q = np.asarray(sector_value_added, dtype=float)
    top = q_max if q_max is not None else (np.nanmax(q) if q.size else np.nan)
    if not np.isfinite(top) or top <= 0:
        return np.full(a.shape[:-1], np.nan)
    return scale * np.sum(a * (q / top), axis=-1) * np.asarray(si_ei, dtype=float)


def is_critical(
    economic_importance, supply_risk, *, ei_threshold: float = EI_THRESHOLD, sr_threshold: float = SR_THRESHOLD
):
    """``EI ≥ 2.8 and SR ≥ 1.0`` (EU thresholds); False where either is NaN."""
    ei = np.asarray(economic_importance, dtype=float)
    sr = np.asarray(supply_risk, dtype=float)
    with np.errstate(invalid="ignore"):
        return (ei >= ei_threshold) & (sr >= sr_threshold)
