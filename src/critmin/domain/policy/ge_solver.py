"""Vectorised solvers of the one-sector structural gravity system.

Notation (Yotov, Piermartini, Monteiro & Larch 2016, Ch. 2): ``N`` countries,
``Y_i`` output (value of production), ``E_j`` expenditure, ``T_ij = t_ij^(1-sigma)``
the bilateral trade-cost term (``exp(b'x_ij)`` from a PPML gravity regression),
``OMR_i = Pi_i^(1-sigma)`` and ``IMR_j = P_j^(1-sigma)`` the outward and inward
multilateral resistances. Structural gravity is::

    X_ij = Y_i E_j T_ij / (OMR_i IMR_j)
    OMR_i = sum_j T_ij E_j / IMR_j          (exporter i's sales add up to Y_i)
    IMR_j = sum_i T_ij Y_i / OMR_i          (importer j's purchases add up to E_j)

The system fixes the resistances only up to a scale; as in the guide, the
inward resistance of a reference country ``R`` is set to one (``IMR_R = 1``).
With the PPML fixed effects ``exp_pi_i`` (exporter) and ``exp_chi_j`` (importer,
``exp_chi_R = 1``) the same equations read ``X_ij = exp_pi_i exp_chi_j T_ij``,
``OMR_i = Y_i E_R / exp_pi_i`` and ``IMR_j = E_j / (exp_chi_j E_R)``.

Everything here is pure NumPy on ``(N,)`` vectors and ``(N, N)`` matrices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from critmin.errors import CritminError


class ConvergenceError(CritminError):
    """An iterative solver did not reach its tolerance."""


@dataclass(frozen=True)
class MRSolution:
    """Multilateral resistances and PPML-equivalent fixed effects of one solve."""

    omr: np.ndarray  # Pi_i^(1-sigma)
    imr: np.ndarray  # P_j^(1-sigma), imr[ref] == 1
    exp_pi: np.ndarray  # exporter fixed effects, exp
    exp_chi: np.ndarray  # importer fixed effects, exp, exp_chi[ref] == 1
    flows: np.ndarray  # X_ij = exp_pi_i exp_chi_j T_ij
    iterations: int


def calc_multilateral_resistances(
    y: np.ndarray, e: np.ndarray, t: np.ndarray, *, ref: int, tol: float = 1e-13, max_iter: int = 100_000
) -> MRSolution:
    """Solve the multilateral-resistance system for given output, expenditure and costs.

    This is what a PPML regression of flows with row sums ``Y`` and column sums
    ``E`` on exporter and importer fixed effects with offset ``log T`` returns
    (the PPML first-order conditions are exactly the adding-up constraints), solved
    directly by bi-proportional scaling::

        exp_chi_j <- E_j / sum_i exp_pi_i T_ij
        exp_pi_i  <- Y_i / sum_j exp_chi_j T_ij

    until the largest relative adding-up error is below ``tol``; then
    ``exp_chi`` is rescaled so that ``exp_chi_ref = 1``.

    Parameters
    ----------
    y, e : ndarray (N,)
        Output and expenditure; ``sum(y) == sum(e)`` up to rounding.
    t : ndarray (N, N)
        ``T_ij = t_ij^(1-sigma) > 0`` (exporter in rows).
    ref : int
        Index of the reference country (its ``IMR`` is one).
    """
    y = np.asarray(y, float)
    e = np.asarray(e, float)
    exp_pi = y / t.sum(axis=1)
    exp_chi = np.ones_like(e)
    for it in range(1, max_iter + 1):
        exp_chi = e / (t.T @ exp_pi)
        row = exp_pi * (t @ exp_chi)
        err = np.max(np.abs(row / y - 1.0))
        exp_pi = y / (t @ exp_chi)
        if err < tol:
            break
    else:
        raise ConvergenceError(
            f"multilateral resistances: no convergence after {max_iter} iterations (adding-up error {err:.2e})"
        )
    scale = exp_chi[ref]
    exp_chi = exp_chi / scale
    exp_pi = exp_pi * scale
    e_r = e[ref]
    return MRSolution(
        omr=y * e_r / exp_pi,
        imr=e / (exp_chi * e_r),
        exp_pi=exp_pi,
        exp_chi=exp_chi,
        flows=exp_pi[:, None] * exp_chi[None, :] * t,
        iterations=it,
    )


@dataclass(frozen=True)
class FullSolution:
    """Full-endowment equilibrium: prices, output, expenditure, resistances and flows."""

    price: np.ndarray  # p_hat_i, factory-gate price ratio counterfactual / baseline
    y: np.ndarray
    e: np.ndarray
    omr: np.ndarray
    imr: np.ndarray
    flows: np.ndarray
    iterations: int
    max_clearing_error: float  # max_i |sum_j X_ij - Y_i| / Y_i


def calc_expenditure(phi: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Expenditure that keeps each country's expenditure/output ratio and world budget balance.

    ``E_j = phi_j Y_j * sum_k Y_k / sum_k phi_k Y_k``: the guide's ``E = phi Y``,
    rescaled by one world factor so that world expenditure equals world output
    (Walras' law). Without it ``E = phi Y`` with fixed ``phi`` and moving ``Y``
    makes world spending differ from world sales and no prices clear every market.
    At baseline prices the factor is exactly one.
    """
    raw = phi * y
    return raw * (y.sum() / raw.sum())


def calc_market_clearing_error(
    exp_pi0: np.ndarray, price: np.ndarray, y0: np.ndarray, phi: np.ndarray, t1: np.ndarray, *, sigma: float
) -> float:
    """Largest relative excess demand ``|sum_j X'_ij - p_i Y_i| / (p_i Y_i)``.

    With CES demand ``X'_ij = a_i T'_ij E'_j / sum_k a_k T'_kj``,
    ``a_i = exp_pi_i p_i^(1-sigma)`` and ``E'`` from :func:`calc_expenditure`; computed
    from the prices alone, independently of the resistances' solver.
    """
    a = exp_pi0 * price ** (1.0 - sigma)
    y1 = price * y0
    e1 = calc_expenditure(phi, y1)
    share = a[:, None] * t1 / (t1.T @ a)[None, :]
    demand = share @ e1
    return float(np.max(np.abs(demand / y1 - 1.0)))


def calc_full_endowment(
    y0: np.ndarray,
    e0: np.ndarray,
    t0: np.ndarray,
    t1: np.ndarray,
    *,
    sigma: float,
    ref: int,
    tol: float = 1e-12,
    max_iter: int = 100_000,
) -> FullSolution:
    """Exact full-endowment general equilibrium after a change of trade costs ``T0 -> T1``.

    Endowments ``Q_i`` and the preference weights ``beta_i`` are fixed; the
    factory-gate prices move, ``Y'_i = p_i Y_i``, and expenditure keeps its ratio
    to output, ``E'_j = phi_j Y'_j`` with ``phi_j = E_j / Y_j`` (the guide's
    treatment of trade imbalances), rescaled by one world factor so that world
    spending equals world output (:func:`calc_expenditure`). Market clearing with CES demand gives::

        p_i Y_i = a_i sum_j T1_ij E'_j / sum_k a_k T1_kj,   a_i = exp_pi_i p_i^(1-sigma)

    i.e. ``p_i^sigma = (exp_pi_i / Y_i) sum_j T1_ij phi_j p_j Y_j / sum_k exp_pi_k p_k^(1-sigma) T1_kj``,
    iterated to a fixed point (a contraction for ``sigma > 1``). Prices are
    normalised each step so that the reference country's inward resistance is
    unchanged (``IMR'_ref = 1``, the guide's normalisation). Equivalently
    ``OMR'_i / OMR_i = p_i^sigma``.

    Returns prices, output, expenditure, the counterfactual resistances and flows
    and the largest market-clearing error.
    """
    if sigma <= 1:
        raise ValueError(f"sigma must be > 1, got {sigma}")
    y0 = np.asarray(y0, float)
    e0 = np.asarray(e0, float)
    base = calc_multilateral_resistances(y0, e0, t0, ref=ref)
    exp_pi0, e_r0 = base.exp_pi, e0[ref]
    phi = e0 / y0
    p = np.ones_like(y0)
    err = np.inf
    for it in range(1, max_iter + 1):
        a = exp_pi0 * p ** (1.0 - sigma)
        denom = t1.T @ a  # proportional to IMR'_j
        rhs = (exp_pi0 / y0) * (t1 @ (calc_expenditure(phi, p * y0) / denom))
        p_new = rhs ** (1.0 / sigma)
        # normalise: IMR'_ref = sum_i exp_pi_i p_i^(1-sigma) T1_i,ref / E_R = 1
        imr_ref = (t1[:, ref] @ (exp_pi0 * p_new ** (1.0 - sigma))) / e_r0
        p_new = p_new * imr_ref ** (1.0 / (sigma - 1.0))
        err = np.max(np.abs(p_new / p - 1.0))
        p = p_new
        if err < tol:
            break
    else:
        raise ConvergenceError(
            f"full-endowment prices: no convergence after {max_iter} iterations (last relative change {err:.2e})"
        )
    y1 = p * y0
    e1 = calc_expenditure(phi, y1)
    a = exp_pi0 * p ** (1.0 - sigma)
    imr1 = (t1.T @ a) / e_r0
    omr1 = t1 @ (e1 / imr1)
    flows = y1[:, None] * e1[None, :] * t1 / (omr1[:, None] * imr1[None, :])
    clearing = calc_market_clearing_error(exp_pi0, p, y0, phi, t1, sigma=sigma)
    return FullSolution(
        price=p, y=y1, e=e1, omr=omr1, imr=imr1, flows=flows, iterations=it, max_clearing_error=clearing
    )


def calc_full_endowment_book(
    y0: np.ndarray,
    e0: np.ndarray,
    t0: np.ndarray,
    t1: np.ndarray,
    *,
    sigma: float,
    ref: int,
    tol: float = 0.01,
    max_iter: int = 1000,
) -> FullSolution:
    """The guide's iterative full-endowment procedure (Yotov et al. 2016, Ch. 2, Step III.b).

    Reproduces the Stata loop of the published applications step by step:
    start from the conditional solution, scale the flows by the first-order
    change of factory-gate prices and resistances,
    ``X^(s) = Xhat^(s-1) p_i p_j / (dOMR_i dIMR_j)``, refit exporter and importer
    effects with the counterfactual costs (here: the exact PPML solution,
    :func:`calc_multilateral_resistances`), update ``Y = sum_j Xhat``,
    ``E = phi Y`` and ``p_i = ((exp_pi^s/exp_pi^(s-1)) / (E_R^s/E_R^(s-1)))^(1/(1-sigma))``,
    and stop when both the standard deviation and the maximum of the change of
    ``p`` between iterations are below ``tol`` (0.01 in the guide). The final
    figures are the guide's: ``p = ((exp_pi^S/exp_pi^0)/(E_R^S/E_R^0))^(1/(1-sigma))``,
    ``Y = p Y0``, ``E = phi Y``, ``OMR = Y E_R^S / exp_pi^S``,
    ``IMR = E^S / (exp_chi^S E_R^S)`` and ``X = Y E T1 / (OMR IMR)``.

    The procedure stops short of an exact equilibrium (its output does not clear
    markets); use :func:`calc_full_endowment` for that. Offered to reproduce the
    published tables.
    """
    y0 = np.asarray(y0, float)
    e0 = np.asarray(e0, float)
    k = 1.0 / (1.0 - sigma)
    phi = e0 / y0
    base = calc_multilateral_resistances(y0, e0, t0, ref=ref)
    cdl = calc_multilateral_resistances(y0, e0, t1, ref=ref)
    # s = 0 (baseline) and s = 1 (conditional)
    exp_pi = {0: base.exp_pi, 1: cdl.exp_pi}
    e_r = {0: e0[ref], 1: e0[ref]}
    omr = {0: y0 * e0[ref] / base.exp_pi, 1: y0 * e0[ref] / cdl.exp_pi}
    imr = {0: e0 / (base.exp_chi * e0[ref]), 1: e0 / (cdl.exp_chi * e0[ref])}
    exp_chi = {0: base.exp_chi, 1: cdl.exp_chi}
    tradehat = {1: cdl.flows}
    e_s = {0: e0, 1: e0}
    change_pi = {0: np.zeros_like(y0), 1: ((exp_pi[1] / exp_pi[0]) / (e_r[1] / e_r[0])) ** k}
    change_pj = {1: change_pi[1]}  # importer-side price: the same country's price
    change_omr = {1: np.ones_like(y0)}
    change_imr = {1: np.ones_like(y0)}
    s = 3
    sd_dif = max_dif = 1.0
    n = 0
    while sd_dif > tol or max_dif > tol:
        n += 1
        if n > max_iter:
            raise ConvergenceError(f"book full-endowment loop: no convergence after {max_iter} iterations")
        s1, s2, s3 = s - 1, s - 2, s - 3
        trade = (
            tradehat[s2]
            * change_pi[s2][:, None]
            * change_pj[s2][None, :]
            / (change_omr[s2][:, None] * change_imr[s2][None, :])
        )
        fit = calc_multilateral_resistances(trade.sum(axis=1), trade.sum(axis=0), t1, ref=ref)
        tradehat[s1] = fit.flows
        y_s = fit.flows.sum(axis=1)
        e_s[s1] = phi * y_s
        e_r[s1] = e_s[s1][ref]
        # Stata's fixed effects: exporter effects absorb the scale, exp_chi_R = 1
        exp_pi[s1] = fit.exp_pi
        exp_chi[s1] = fit.exp_chi
        change_pi[s1] = ((exp_pi[s1] / exp_pi[s2]) / (e_r[s1] / e_r[s2])) ** k
        change_pj[s1] = change_pi[s1]
        omr[s1] = y_s * e_r[s1] / exp_pi[s1]
        change_omr[s1] = omr[s1] / omr[s2]
        imr[s1] = e_s[s1] / (exp_chi[s1] * e_r[s1])
        change_imr[s1] = imr[s1] / imr[s2]
        dif = change_pi[s2] - change_pi[s3]
        sd_dif = float(np.std(dif, ddof=1))
        max_dif = float(abs(np.max(dif)))
        s += 1
    big_s = s - 2
    price = ((exp_pi[big_s] / exp_pi[0]) / (e_r[big_s] / e_r[0])) ** k
    y_full = price * y0
    e_full = phi * y_full
    omr_full = y_full * e_r[big_s] / exp_pi[big_s]
    imr_full = e_s[big_s] / (exp_chi[big_s] * e_r[big_s])
    flows = y_full[:, None] * e_full[None, :] * t1 / (omr_full[:, None] * imr_full[None, :])
    clearing = calc_market_clearing_error(base.exp_pi, price, y0, phi, t1, sigma=sigma)
    return FullSolution(
        price=price,
        y=y_full,
        e=e_full,
        omr=omr_full,
        imr=imr_full,
        flows=flows,
        iterations=n,
        max_clearing_error=clearing,
    )
