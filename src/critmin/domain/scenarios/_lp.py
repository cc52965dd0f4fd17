"""A thin, typed wrapper over HiGHS (``highspy``) for sparse LPs with row duals.

Problem form::

    minimise  c' x
    s.t.      row_lower <= A x <= row_upper
              col_lower <=   x <= col_upper
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from critmin.errors import CritminError

INF = float("inf")


class InfeasibleError(CritminError):
    """The optimisation problem has no feasible solution (e.g. demand above total capacity)."""


@dataclass(frozen=True)
class LpSolution:
    x: np.ndarray
    objective: float
    row_dual: np.ndarray
    col_dual: np.ndarray
    status: str


_BANNER_DONE = False


def _new_highs():
    """A silent ``highspy.Highs``: HiGHS prints a banner to C stdout on its first
    construction in a process, which would corrupt ``--json`` output, so the first
    instance is created with file descriptor 1 pointed at /dev/null."""
    global _BANNER_DONE
    import highspy

    if _BANNER_DONE:
        h = highspy.Highs()
    else:
        import os
        import sys

        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER_DONE = True
    h.setOptionValue("output_flag", False)
    return h


def solve_lp_highs(c, A, row_lower, row_upper, col_lower, col_upper, *, what: str = "LP") -> LpSolution:
    """Solve with HiGHS; raise :class:`InfeasibleError` unless optimal.

    Row duals follow HiGHS' sign convention for minimisation: the change of the
    optimal objective per unit increase of the binding row bound.
    """
    import highspy

    A = sp.csc_matrix(A)
    n_row, n_col = A.shape
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.col_cost_ = np.asarray(c, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(np.float64)
    h = _new_highs()
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    if status != "Optimal":
        raise InfeasibleError(
            f"{what} could not be solved: HiGHS status {status!r} "
            f"(check that demand does not exceed the allowed capacity and share caps)"
        )
    sol = h.getSolution()
    info = h.getInfo()
    return LpSolution(
        x=np.asarray(sol.col_value),
        objective=float(info.objective_function_value),
        row_dual=np.asarray(sol.row_dual),
        col_dual=np.asarray(sol.col_dual),
        status=status,
    )


def solve_lp_scipy(c, A, row_lower, row_upper, col_lower, col_upper) -> tuple[np.ndarray, float]:
    """The same LP with :func:`scipy.optimize.linprog` (reference solver)."""
    from scipy.optimize import linprog

    A = sp.csr_matrix(A)
    row_lower = np.asarray(row_lower, float)
    row_upper = np.asarray(row_upper, float)
    eq = np.isclose(row_lower, row_upper)
    ub_rows = ~eq & np.isfinite(row_upper)
    lb_rows = ~eq & np.isfinite(row_lower)
    A_ub = sp.vstack([A[ub_rows], -A[lb_rows]]).tocsr()
    b_ub = np.concatenate([row_upper[ub_rows], -row_lower[lb_rows]])
    bounds = list(
        zip(np.asarray(col_lower, float), [None if not np.isfinite(u) else u for u in np.asarray(col_upper, float)])
    )
    res = linprog(
        c,
        A_ub=A_ub if A_ub.shape[0] else None,
        b_ub=b_ub if A_ub.shape[0] else None,
        A_eq=A[eq] if eq.any() else None,
        b_eq=row_lower[eq] if eq.any() else None,
        bounds=bounds,
        method="highs",
    )
    if res.status != 0:
        raise InfeasibleError(f"linprog failed: {res.message}")
    return res.x, float(res.fun)
