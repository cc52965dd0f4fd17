r"""Sourcing optimiser: how many tonnes to buy from each supplier.

Landed cost per tonne from supplier *i* (USD/t)::

    c_i = p_i (1 + tau_i) + f_i + phi_i p_i

with ``p_i`` the price, ``tau_i`` the tariff for that partner and year (after any FTA
phase-in), ``f_i`` freight per tonne and ``phi_i`` an FX-risk premium (fraction of price).

Cost-minimising LP (:class:`SourcingModel`)::

    min_x  sum_i c_i x_i
    s.t.   sum_i x_i            = D                (demand)
           x_i                 <= K_i              (capacity; dual = shadow price)
           x_i                 <= s_max D          (cap on any one supplier's share)
           sum_{i in FTA} x_i  >= m D              (optional minimum FTA share)
           x_i >= 0,  x_i = 0 for excluded countries

The shadow price of supplier *i*'s capacity is ``-dual_i`` (USD saved by one more tonne
of capacity from *i*; zero unless the capacity row binds).

Convex variant (:func:`minimise_concentration`): minimise the governance-weighted
concentration ``sum_i w_i (x_i / D)^2`` subject to the same constraints and a cost
budget ``sum_i c_i x_i <= B`` (cvxpy).

CVaR variant (:class:`CvarSourcingModel`), Rockafellar & Uryasev (2000) LP: with
scenarios *s* (probability ``pi_s``) in which supplier *i* delivers only a fraction
``a_si`` and undelivered tonnes cost ``P`` USD/t to replace, the loss is
``L_s(x) = P sum_i (1 - a_si) x_i`` and::

    min_{x, zeta, u}  c'x + lambda [ zeta + 1/(1-alpha) sum_s pi_s u_s ]
    s.t.              u_s >= L_s(x) - zeta,  u_s >= 0,  + the constraints above
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from critmin.domain.scenarios._concentration import hhi
from critmin.domain.scenarios._lp import INF, InfeasibleError, solve_lp_highs, solve_lp_scipy
from critmin.errors import DataFormatError

SUPPLIER_COLUMNS = ["partner", "capacity_t", "price_usd_t", "tariff_rate", "freight_usd_t", "fx_premium_rate"]
Solver = Literal["highs", "scipy"]
SOLVERS = ("highs", "scipy")


def calc_landed_cost(price_usd_t, tariff_rate, freight_usd_t, fx_premium_rate=0.0):
    """Landed cost per tonne: ``p (1 + tau) + f + phi p`` (works on scalars or arrays)."""
    return price_usd_t * (1.0 + tariff_rate) + freight_usd_t + fx_premium_rate * price_usd_t


def _validate_suppliers(df: pd.DataFrame, where: str = "suppliers") -> pd.DataFrame:
    missing = [c for c in SUPPLIER_COLUMNS if c not in df.columns]
    if missing:
        raise DataFormatError(where, f"missing column(s) {', '.join(missing)}; expected {', '.join(SUPPLIER_COLUMNS)}")
    out = df.copy()
    out["partner"] = out["partner"].astype(str)
    if out["partner"].duplicated().any():
        dup = out.loc[out["partner"].duplicated(), "partner"].iloc[0]
        raise DataFormatError(where, f"partner {dup!r} appears twice", field="partner")
    for col in SUPPLIER_COLUMNS[1:]:
        vals = pd.to_numeric(out[col], errors="coerce")
        bad = vals.isna() | (vals < 0)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFormatError(
                where,
                f"{col} must be a non-negative number, got {out[col].iloc[i]!r} for partner {out['partner'].iloc[i]!r}",
                row=i + 1,
                field=col,
            )
        out[col] = vals.astype(float)
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class SourcingSpec:
    """What to optimise.

    Parameters
    ----------
    suppliers : DataFrame
        One row per candidate supplier with :data:`SUPPLIER_COLUMNS`.
    demand_t : float
        Tonnes to source.
    max_share : float, optional
        Cap on any one supplier's share of demand (e.g. 0.65).
    fta_partners : sequence of str
        Partners with an FTA (used by ``min_fta_share`` and in reports).
    min_fta_share : float, optional
        Minimum share of demand from ``fta_partners``.
    excluded : sequence of str
        Partners that may not supply.
    """

    suppliers: pd.DataFrame
    demand_t: float
    max_share: float | None = None
    fta_partners: tuple[str, ...] = ()
    min_fta_share: float | None = None
    excluded: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "suppliers", _validate_suppliers(self.suppliers))
        object.__setattr__(self, "fta_partners", tuple(self.fta_partners))
        object.__setattr__(self, "excluded", tuple(self.excluded))
        if not (self.demand_t > 0):
            raise ValueError(f"demand_t must be positive, got {self.demand_t!r}")
        if self.max_share is not None and not (0 < self.max_share <= 1):
            raise ValueError(f"max_share must be in (0, 1], got {self.max_share!r}")
        if self.min_fta_share is not None and not (0 <= self.min_fta_share <= 1):
            raise ValueError(f"min_fta_share must be in [0, 1], got {self.min_fta_share!r}")

    def candidates(self) -> pd.DataFrame:
        df = self.suppliers[~self.suppliers["partner"].isin(self.excluded)]
        df = df[df["capacity_t"] > 0].reset_index(drop=True)
        if df.empty:
            raise InfeasibleError("no supplier is left after exclusions and zero capacities")
        df["landed_cost_usd_t"] = calc_landed_cost(
            df["price_usd_t"], df["tariff_rate"], df["freight_usd_t"], df["fx_premium_rate"]
        )
        df["is_fta"] = df["partner"].isin(self.fta_partners)
        return df


@dataclass(frozen=True)
class _Rows:
    A: sp.csr_matrix
    lower: np.ndarray
    upper: np.ndarray
    cap_rows: np.ndarray
    share_rows: np.ndarray | None
    fta_row: int | None


def _constraint_rows(cand: pd.DataFrame, spec: SourcingSpec, n_extra_cols: int = 0) -> _Rows:
    n = len(cand)
    D = float(spec.demand_t)
    blocks: list = []
    lower: list = []
    upper: list = []
    blocks.append(sp.csr_matrix(np.ones((1, n))))
    lower.append([D])
    upper.append([D])
    blocks.append(sp.identity(n, format="csr"))
    lower.append(np.full(n, -INF))
    upper.append(cand["capacity_t"].to_numpy())
    cap_rows = np.arange(1, 1 + n)
    share_rows = fta_row = None
    nxt = 1 + n
    if spec.max_share is not None:
        blocks.append(sp.identity(n, format="csr"))
        lower.append(np.full(n, -INF))
        upper.append(np.full(n, spec.max_share * D))
        share_rows = np.arange(nxt, nxt + n)
        nxt += n
    if spec.min_fta_share:
        fta = cand["is_fta"].to_numpy().astype(float)
        if fta.sum() == 0:
            raise InfeasibleError(
                f"min_fta_share={spec.min_fta_share} but none of the FTA partners "
                f"{', '.join(spec.fta_partners) or '(none given)'} is a candidate supplier"
            )
        blocks.append(sp.csr_matrix(fta.reshape(1, -1)))
        lower.append([spec.min_fta_share * D])
        upper.append([INF])
        fta_row = nxt
    A = sp.vstack(blocks).tocsr()
    if n_extra_cols:
        A = sp.hstack([A, sp.csr_matrix((A.shape[0], n_extra_cols))]).tocsr()
    return _Rows(
        A,
        np.concatenate([np.asarray(v, float) for v in lower]),
        np.concatenate([np.asarray(v, float) for v in upper]),
        cap_rows,
        share_rows,
        fta_row,
    )


def _check_feasible(cand: pd.DataFrame, spec: SourcingSpec) -> None:
    D = spec.demand_t
    cap = cand["capacity_t"].to_numpy()
    if spec.max_share is not None:
        cap = np.minimum(cap, spec.max_share * D)
    if cap.sum() < D * (1 - 1e-12):
        raise InfeasibleError(
            f"demand of {D:,.0f} t exceeds what the candidates may supply ({cap.sum():,.0f} t after capacity"
            + (f" and the {spec.max_share:.0%} share cap" if spec.max_share is not None else "")
            + ")"
        )


@dataclass(frozen=True)
class SourcingResult:
    """Optimal allocation (immutable). ``allocation`` has one row per candidate supplier."""

    allocation: pd.DataFrame
    total_cost_usd: float
    shadow_prices: dict
    demand_marginal_cost_usd_t: float
    objective: str
    solver: str
    demand_t: float
    max_share: float | None
    extra: dict = field(default_factory=dict)

    @property
    def hhi(self) -> float:
        return hhi(self.allocation["tonnes"])

    def to_frame(self) -> pd.DataFrame:
        return self.allocation.copy()

    def to_dict(self) -> dict:
        cols = [
            "partner",
            "tonnes",
            "share",
            "landed_cost_usd_t",
            "landed_cost_usd",
            "capacity_t",
            "tariff_rate",
            "freight_usd_t",
            "fx_premium_rate",
            "is_fta",
        ]
        alloc = self.allocation[[c for c in cols if c in self.allocation.columns]]
        return {
            "objective": self.objective,
            "solver": self.solver,
            "demand_t": self.demand_t,
            "max_share": self.max_share,
            "allocation": alloc[alloc["tonnes"] > 1e-6].to_dict(orient="records"),
            "total_cost_usd": self.total_cost_usd,
            "shadow_prices": self.shadow_prices,
            "demand_marginal_cost_usd_t": self.demand_marginal_cost_usd_t,
            "hhi": self.hhi,
            **self.extra,
        }

    def summary(self) -> str:
        a = self.allocation[self.allocation["tonnes"] > 1e-6]
        lines = [
            f"{self.objective} ({self.solver}): demand {self.demand_t:,.0f} t, "
            f"total cost USD {self.total_cost_usd:,.0f}, HHI {self.hhi:.3f}"
        ]
        for r in a.itertuples():
            lines.append(f"  {r.partner}: {r.tonnes:,.0f} t ({r.share:.1%}) at USD {r.landed_cost_usd_t:,.2f}/t")
        return "\n".join(lines)


def _result(
    cand: pd.DataFrame,
    x: np.ndarray,
    spec: SourcingSpec,
    *,
    solver: str,
    objective: str,
    row_dual: np.ndarray | None = None,
    rows: _Rows | None = None,
    extra: dict | None = None,
) -> SourcingResult:
    x = np.where(np.abs(x) < 1e-9, 0.0, x)
    alloc = cand.copy()
    alloc["tonnes"] = x
    alloc["share"] = x / spec.demand_t
    alloc["landed_cost_usd"] = x * alloc["landed_cost_usd_t"]
    shadow, demand_mc = {}, float("nan")
    if row_dual is not None and rows is not None:
        alloc["capacity_shadow_usd_t"] = -row_dual[rows.cap_rows] + 0.0
        shadow = {p: float(v) for p, v in zip(alloc["partner"], alloc["capacity_shadow_usd_t"])}
        demand_mc = float(row_dual[0])
    return SourcingResult(
        allocation=alloc,
        total_cost_usd=float(alloc["landed_cost_usd"].sum()),
        shadow_prices=shadow,
        demand_marginal_cost_usd_t=demand_mc,
        objective=objective,
        solver=solver,
        demand_t=float(spec.demand_t),
        max_share=spec.max_share,
        extra=extra or {},
    )


class SourcingModel:
    """Cost-minimising sourcing LP; ``SourcingModel(spec).solve() -> SourcingResult``."""

    def __init__(self, spec: SourcingSpec):
        self.spec = spec

    def solve(self, *, solver: Solver = "highs") -> SourcingResult:
        if solver not in SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
        cand = self.spec.candidates()
        _check_feasible(cand, self.spec)
        rows = _constraint_rows(cand, self.spec)
        c = cand["landed_cost_usd_t"].to_numpy()
        n = len(cand)
        if solver == "highs":
            sol = solve_lp_highs(c, rows.A, rows.lower, rows.upper, np.zeros(n), np.full(n, INF), what="sourcing LP")
            return _result(
                cand, sol.x, self.spec, solver="highs", objective="min landed cost", row_dual=sol.row_dual, rows=rows
            )
        x, _ = solve_lp_scipy(c, rows.A, rows.lower, rows.upper, np.zeros(n), np.full(n, INF))
        return _result(cand, x, self.spec, solver="scipy.linprog", objective="min landed cost")


def minimise_concentration(
    spec: SourcingSpec, *, cost_budget_usd: float, risk_weights: pd.Series | dict | None = None
) -> SourcingResult:
    """Minimise governance-weighted concentration ``sum_i w_i s_i^2`` within a cost budget (cvxpy).

    Parameters
    ----------
    spec : SourcingSpec
    cost_budget_usd : float
        Upper bound on ``sum_i c_i x_i``; must be at least the LP minimum cost.
    risk_weights : mapping partner -> weight, optional
        ``w_i`` (default 1 for all: plain HHI). A weight of ``1 + governance risk`` makes
        poorly governed suppliers count more in the concentration.
    """
    import cvxpy as cp

    cand = spec.candidates()
    _check_feasible(cand, spec)
    n = len(cand)
    D = float(spec.demand_t)
    w = np.ones(n)
    if risk_weights is not None:
        rw = pd.Series(risk_weights, dtype=float)
        w = cand["partner"].map(rw).fillna(1.0).to_numpy()
    c = cand["landed_cost_usd_t"].to_numpy()
    if cost_budget_usd <= 0:
        raise ValueError(f"cost_budget_usd must be positive, got {cost_budget_usd!r}")
    # solve in shares s = x / D with the budget row scaled to 1 (well-conditioned for any units)
    sh = cp.Variable(n, nonneg=True)
    cons = [cp.sum(sh) == 1, sh <= cand["capacity_t"].to_numpy() / D, (c * D / cost_budget_usd) @ sh <= 1]
    if spec.max_share is not None:
        cons.append(sh <= spec.max_share)
    if spec.min_fta_share:
        cons.append(cand["is_fta"].to_numpy().astype(float) @ sh >= spec.min_fta_share)
    prob = cp.Problem(cp.Minimize(cp.sum(cp.multiply(w, cp.square(sh)))), cons)
    try:
        prob.solve(solver="CLARABEL" if "CLARABEL" in cp.installed_solvers() else None)
    except cp.error.SolverError:
        raise InfeasibleError(
            f"concentration problem could not be solved (is the cost budget "
            f"USD {cost_budget_usd:,.0f} below the minimum cost?)"
        ) from None
    if prob.status not in ("optimal", "optimal_inaccurate"):
        raise InfeasibleError(
            f"concentration problem is {prob.status} (is the cost budget "
            f"USD {cost_budget_usd:,.0f} below the minimum cost?)"
        )
    xs = np.clip(np.asarray(sh.value, float), 0, None)
    xs *= D / xs.sum()
    return _result(
        cand,
        xs,
        spec,
        solver=f"cvxpy/{prob.solver_stats.solver_name}",
        objective="min governance-weighted concentration",
        extra={"cost_budget_usd": cost_budget_usd, "weighted_concentration": float(np.sum(w * (xs / D) ** 2))},
    )


@dataclass(frozen=True)
class DisruptionScenarios:
    """Scenarios for CVaR: ``availability`` (S x suppliers, fraction delivered, 0-1) and probabilities."""

    availability: pd.DataFrame
    probability: np.ndarray | None = None

    def probs(self) -> np.ndarray:
        S = len(self.availability)
        p = np.full(S, 1.0 / S) if self.probability is None else np.asarray(self.probability, float)
        if len(p) != S or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
            raise ValueError("scenario probabilities must be non-negative, one per scenario, and sum to 1")
        return p


class CvarSourcingModel:
    """Mean-CVaR sourcing LP (Rockafellar & Uryasev 2000), solved with HiGHS or scipy.

    Parameters
    ----------
    spec : SourcingSpec
    scenarios : DisruptionScenarios
        Columns are partners; a partner missing from the columns always delivers.
    shortfall_penalty_usd_t : float
        Cost of replacing one undelivered tonne (spot premium).
    alpha : float
        CVaR level (e.g. 0.95: mean loss in the worst 5 % of scenarios).
    risk_aversion : float
        Weight ``lambda`` of CVaR in the objective.
    """

    def __init__(
        self,
        spec: SourcingSpec,
        scenarios: DisruptionScenarios,
        *,
        shortfall_penalty_usd_t: float,
        alpha: float = 0.95,
        risk_aversion: float = 1.0,
    ):
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
        self.spec, self.scenarios = spec, scenarios
        self.penalty, self.alpha, self.lam = float(shortfall_penalty_usd_t), float(alpha), float(risk_aversion)

    def _build(self):
        cand = self.spec.candidates()
        _check_feasible(cand, self.spec)
        n = len(cand)
        avail = self.scenarios.availability.reindex(columns=cand["partner"]).fillna(1.0).to_numpy(float)
        S = avail.shape[0]
        p = self.scenarios.probs()
        loss_coef = self.penalty * (1.0 - avail)  # S x n
        rows = _constraint_rows(cand, self.spec, n_extra_cols=1 + S)
        # u_s + zeta - loss_coef_s . x >= 0
        cvar_rows = sp.hstack(
            [sp.csr_matrix(-loss_coef), sp.csr_matrix(np.ones((S, 1))), sp.identity(S, format="csr")]
        ).tocsr()
        A = sp.vstack([rows.A, cvar_rows]).tocsr()
        lower = np.concatenate([rows.lower, np.zeros(S)])
        upper = np.concatenate([rows.upper, np.full(S, INF)])
        c = np.concatenate([cand["landed_cost_usd_t"].to_numpy(), [self.lam], self.lam * p / (1.0 - self.alpha)])
        col_lower = np.concatenate([np.zeros(n), [-INF], np.zeros(S)])
        col_upper = np.full(n + 1 + S, INF)
        return cand, rows, A, lower, upper, c, col_lower, col_upper, loss_coef, p

    def solve(self, *, solver: Solver = "highs") -> SourcingResult:
        if solver not in SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
        cand, rows, A, lower, upper, c, cl, cu, loss_coef, p = self._build()
        n = len(cand)
        if solver == "highs":
            sol = solve_lp_highs(c, A, lower, upper, cl, cu, what="CVaR sourcing LP")
            z, dual = sol.x, sol.row_dual
        else:
            z, _ = solve_lp_scipy(c, A, lower, upper, cl, cu)
            dual = None
        x = z[:n]
        losses = loss_coef @ x
        var, cvar = calc_var_cvar(losses, p, self.alpha)
        extra = {
            "alpha": self.alpha,
            "risk_aversion": self.lam,
            "shortfall_penalty_usd_t": self.penalty,
            "n_scenarios": int(len(p)),
            "expected_shortfall_cost_usd": float(p @ losses),
            "var_usd": var,
            "cvar_usd": cvar,
            "zeta_usd": float(z[n]),
        }
        return _result(
            cand,
            x,
            self.spec,
            solver=solver,
            objective=f"min cost + {self.lam:g} x CVaR{self.alpha:.0%}",
            row_dual=dual,
            rows=rows if dual is not None else None,
            extra=extra,
        )


def calc_var_cvar(losses: np.ndarray, probs: np.ndarray, alpha: float) -> tuple[float, float]:
    """Value-at-risk and conditional value-at-risk of a discrete loss distribution.

    ``CVaR_alpha = min_zeta zeta + E[(L - zeta)+] / (1 - alpha)``; the minimiser is ``VaR_alpha``.
    """
    order = np.argsort(losses)
    L, p = np.asarray(losses, float)[order], np.asarray(probs, float)[order]
    cum = np.cumsum(p)
    k = int(np.searchsorted(cum, alpha - 1e-12))
    var = float(L[min(k, len(L) - 1)])
    cvar = var + float(np.sum(p * np.maximum(L - var, 0.0))) / (1.0 - alpha)
    return var, cvar


def compare_results(results: dict[str, SourcingResult]) -> pd.DataFrame:
    """Side-by-side tonnes, shares and landed costs of several results (e.g. with/without an FTA)."""
    frames = []
    for label, res in results.items():
        a = res.allocation.set_index("partner")[["tonnes", "share", "landed_cost_usd_t", "tariff_rate"]]
        frames.append(a.add_prefix(f"{label}:"))
    out = pd.concat(frames, axis=1).fillna(
        {c: 0.0 for c in pd.concat(frames, axis=1).columns if c.endswith(("tonnes", "share"))}
    )
    keep = out[[c for c in out.columns if c.endswith("tonnes")]].sum(axis=1) > 1e-6
    return out[keep].reset_index().rename(columns={"index": "partner"})


# --- many product-years as one model ------------------------------------------------------


def solve_sourcing_batch(
    suppliers: pd.DataFrame,
    demand: pd.Series,
    *,
    max_share: float | None = None,
    solver: Literal["highs", "highs-loop", "scipy"] = "highs",
) -> pd.DataFrame:
    """Solve many independent sourcing LPs (one per group, e.g. product x year) at once.

    Parameters
    ----------
    suppliers : DataFrame
        Columns ``group, partner, capacity_t, landed_cost_usd_t``.
    demand : Series
        Demand in tonnes indexed by ``group``.
    max_share : float, optional
        Share cap applied in every group (as a column upper bound ``min(K, s D)``).
    solver : {"highs", "highs-loop", "scipy"}
        ``"highs"`` builds one block-diagonal LP; ``"highs-loop"`` solves group by group;
        ``"scipy"`` uses one :func:`scipy.optimize.linprog` call on the block LP.

    Returns
    -------
    DataFrame
        ``suppliers`` with a ``tonnes`` column.
    """
    if solver not in ("highs", "highs-loop", "scipy"):
        raise ValueError(f"solver must be highs, highs-loop or scipy, got {solver!r}")
    df = suppliers.sort_values("group", kind="stable").reset_index(drop=True)
    codes, groups = pd.factorize(df["group"], sort=False)
    D = pd.Series(demand).reindex(groups).to_numpy(float)
    if np.isnan(D).any():
        raise ValueError("demand is missing for some group")
    ub = df["capacity_t"].to_numpy(float)
    if max_share is not None:
        ub = np.minimum(ub, max_share * D[codes])
    c = df["landed_cost_usd_t"].to_numpy(float)
    if solver == "highs-loop":
        x = np.empty(len(df))
        starts = np.r_[0, np.flatnonzero(np.diff(codes)) + 1, len(df)]
        for g in range(len(groups)):
            sl = slice(starts[g], starts[g + 1])
            k = starts[g + 1] - starts[g]
            sol = solve_lp_highs(c[sl], sp.csr_matrix(np.ones((1, k))), [D[g]], [D[g]], np.zeros(k), ub[sl])
            x[sl] = sol.x
    else:
        A = sp.csr_matrix((np.ones(len(df)), (codes, np.arange(len(df)))), shape=(len(groups), len(df)))
        if solver == "highs":
            x = solve_lp_highs(c, A, D, D, np.zeros(len(df)), ub, what="batch sourcing LP").x
        else:
            x, _ = solve_lp_scipy(c, A, D, D, np.zeros(len(df)), ub)
    out = df.copy()
    out["tonnes"] = x
    return out


__all__ = [
    "SUPPLIER_COLUMNS",
    "calc_landed_cost",
    "SourcingSpec",
    "SourcingModel",
    "SourcingResult",
    "minimise_concentration",
    "DisruptionScenarios",
    "CvarSourcingModel",
    "calc_var_cvar",
    "compare_results",
    "solve_sourcing_batch",
    "InfeasibleError",
]
