"""Trade costs from estimated pair fixed effects: the guide's two-stage procedure.

Yotov, Piermartini, Monteiro & Larch (2016), Ch. 2, Application 2 (after Anderson & Yotov 2016):

* **Stage 1.** Panel PPML ``X_ijt = exp(pi_it + chi_jt + mu_ij + b' z_ijt)`` with
  exporter-year, importer-year and symmetric pair fixed effects, every domestic
  pair sharing one (:class:`~critmin.domain.policy.gravity.GravityModel`). Given
  ``b``, the fixed effects are recovered exactly (:func:`calc_poisson_fixed_effects`)
  and normalised so that the domestic pair effect is zero. Pairs with no trade in
  any panel year have no pair effect (PPML separates them).
* **Stage 2.** For the baseline year, PPML of ``exp(mu_ij)`` on ``ln dist, cntg,
  lang, clny`` with exporter and importer fixed effects on the international
  pairs that have an estimated ``mu_ij``; its fitted values stand in for the
  pairs without one.

The baseline trade-cost term is ``T_ij = t_ij^(1-sigma) = exp(mu_ij + b' z_ij,year)``
(``mu_ii = 0``). Counterfactuals change ``z`` (e.g. ``rta``) and keep ``mu``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from critmin.domain.policy.ge import TradeCosts
from critmin.domain.policy.ge_solver import ConvergenceError
from critmin.domain.policy.gravity import GravityModel, GravityResults, GravitySpec, prepare_design
from critmin.errors import DataFormatError, EmptySelectionError

STAGE2_COVARIATES = ("ln_dist", "cntg", "lang", "clny")
DOMESTIC = "domestic"


def calc_poisson_fixed_effects(
    y: np.ndarray, offset: np.ndarray, groups: Sequence[np.ndarray], *, tol: float = 1e-12, max_iter: int = 100_000
) -> list[np.ndarray]:
    """Exact Poisson (PPML) fixed effects for given slope coefficients.

    With the linear index ``eta_n = offset_n + sum_k a^k_{g_k(n)}`` (``offset`` holds
    ``b'z``), the PPML first-order condition for each fixed effect is adding-up
    within its group::

        sum_{n in group} y_n = sum_{n in group} exp(eta_n)

    Iterative proportional fitting solves them: for each set ``k`` in turn,
    ``a^k_g <- a^k_g + log(sum_g y / sum_g mu)``, until the largest relative
    adding-up error of every group is below ``tol``. Every group needs
    ``sum y > 0`` (drop separated observations first).

    Parameters
    ----------
    y : ndarray (n,)
        Dependent variable (>= 0).
    offset : ndarray (n,)
        Known part of the linear index.
    groups : sequence of ndarray (n,) of int
        One integer code array (0 .. G_k - 1) per fixed-effect set.

    Returns
    -------
    list of ndarray
        Log fixed effects per set, ``a^k`` of length ``G_k``. They are identified
        only up to normalisations across sets; callers normalise.
    """
    y = np.asarray(y, float)
    offset = np.asarray(offset, float)
    sums = [np.bincount(g, y) for g in groups]
    if any((s <= 0).any() for s in sums):
        raise DataFormatError(
            "fixed effects",
            "a fixed-effect group has no positive observation (separated; drop it before recovering the effects)",
        )
    fe = [np.zeros(len(s)) for s in sums]
    fe[0] += np.log(y.mean()) - offset.mean()
    err = np.inf
    for _ in range(max_iter):
        for k, g in enumerate(groups):
            mu = np.exp(offset + sum(f[gg] for f, gg in zip(fe, groups)))
            fe[k] += np.log(sums[k] / np.bincount(g, mu, minlength=len(sums[k])))
        mu = np.exp(offset + sum(f[gg] for f, gg in zip(fe, groups)))
        err = max(float(np.max(np.abs(np.bincount(g, mu, minlength=len(s)) / s - 1.0))) for g, s in zip(groups, sums))
        if err < tol:
            return fe
    raise ConvergenceError(f"fixed effects: no convergence after {max_iter} sweeps (adding-up error {err:.1e})")


def _linear_index(df: pd.DataFrame, coef: dict) -> np.ndarray:
    out = np.zeros(len(df))
    for k, b in coef.items():
        if k not in df:
            raise DataFormatError("gravity panel", f"no column {k!r} for coefficient {k!r}", field=k)
        out += float(b) * df[k].to_numpy(float)
    return out


def recover_pair_effects(panel: pd.DataFrame, coef: dict, *, spec: GravitySpec | None = None) -> pd.Series:
    """Log pair fixed effects ``mu_ij`` of the stage-1 panel PPML, domestic pair = 0.

    Given the slope coefficients ``coef`` (e.g. ``{"rta": 0.557}``), solves the PPML
    conditions of the exporter-year, importer-year and pair effects exactly
    (:func:`calc_poisson_fixed_effects`), then moves the domestic pair's effect into
    the exporter-year effects: ``mu_ij <- mu_ij - mu_domestic``. With every
    domestic pair sharing one effect, symmetric pair effects are identified up to
    that one constant, so the normalised effects are unique. Pairs whose trade is
    zero in every panel year get no effect (they are absent from the result).

    Returns
    -------
    Series
        Indexed by the symmetric pair label (``"ARG-AUS"``; ``"domestic"`` = 0).
    """
    spec = spec or GravitySpec(covariates=tuple(coef))
    if "pair" not in spec.fixed_effects or spec.domestic != "shared":
        raise ValueError("pair effects need a specification with pair fixed effects shared by domestic pairs")
    df, _ = prepare_design(panel, spec)
    if DOMESTIC not in set(df["pair_fe"]):
        raise DataFormatError(
            "gravity panel", "no domestic flows: pair effects cannot be normalised (the domestic pair is the reference)"
        )
    df = df[df.groupby("pair_fe")[spec.dependent].transform("sum") > 0]
    for fe in ("exporter_year", "importer_year"):
        if fe not in df:
            df[fe] = (
                df["exporter" if fe.startswith("exporter") else "importer"].astype(str) + "_" + df["year"].astype(str)
            )
    df = df[
        (df.groupby("exporter_year")[spec.dependent].transform("sum") > 0)
        & (df.groupby("importer_year")[spec.dependent].transform("sum") > 0)
    ]
    codes = [pd.factorize(df[c]) for c in ("exporter_year", "importer_year", "pair_fe")]
    effects = calc_poisson_fixed_effects(
        df[spec.dependent].to_numpy(float), _linear_index(df, coef), [k[0] for k in codes]
    )
    pair = pd.Series(effects[2], index=pd.Index(codes[2][1], name="pair_fe"), name="pair_effect")
    return pair - pair[DOMESTIC]


@dataclass(frozen=True)
class TwoStageCosts:
    """Baseline trade costs from pair fixed effects (immutable).

    Attributes
    ----------
    costs : TradeCosts
        ``log T_ij = pair_fe_ij + b' z_ij`` with columns ``pair_fe`` and the stage-1 covariates.
    stage1_coef : dict
        Slope coefficients of stage 1 (e.g. ``{"rta": 0.557}``).
    pair_effects : Series
        Recovered log pair effects (domestic = 0).
    stage2 : GravityResults
        Stage-2 PPML of ``exp(pair_fe)`` on the covariates.
    pairs : DataFrame
        Baseline-year pairs: ``exporter, importer, pair_fe, source`` (``estimated``,
        ``predicted`` or ``domestic``) and the stage-1 covariates.
    """

    costs: TradeCosts
    stage1_coef: dict
    pair_effects: pd.Series = field(repr=False)
    stage2: GravityResults = field(repr=False)
    pairs: pd.DataFrame = field(repr=False)
    year: int = 0

    def to_dict(self) -> dict:
        src = self.pairs["source"].value_counts()
        return {
            "costs": "pair-fe",
            "year": self.year,
            "stage1": {k: float(v) for k, v in self.stage1_coef.items()},
            "stage2": {k: float(v) for k, v in self.stage2.coef.items()},
            "stage2_std_errors": {k: float(v) for k, v in self.stage2.std_error.items()},
            "pairs_estimated": int(src.get("estimated", 0)),
            "pairs_predicted": int(src.get("predicted", 0)),
        }


def two_stage_trade_costs(
    panel: pd.DataFrame,
    coef: dict,
    flows: pd.DataFrame,
    *,
    covariates: Iterable[str] = STAGE2_COVARIATES,
    spec: GravitySpec | None = None,
) -> TwoStageCosts:
    """The guide's two-stage trade costs for the baseline ``flows`` (one year).

    Parameters
    ----------
    panel : DataFrame
        The stage-1 panel (e.g. every fourth year), ``exporter, importer, year,
        trade`` and the stage-1 covariates.
    coef : dict
        Stage-1 slope coefficients, ``{"rta": b}``.
    flows : DataFrame
        Baseline year: complete square grid incl. domestic flows, with ``dist``
        and the stage-2 covariates and the stage-1 covariates.
    covariates : iterable of str, keyword-only
        Stage-2 regressors (default ``ln_dist, cntg, lang, clny``).

    Returns
    -------
    TwoStageCosts
        ``T_ij = exp(mu_ij + b' z_ij)``; ``mu_ij`` is the stage-1 effect where it
        exists, ``log`` of the stage-2 fitted value ``exp(pi_i + chi_j + c' x_ij)``
        otherwise, and 0 on domestic pairs.
    """
    covariates = tuple(covariates)
    pair = recover_pair_effects(panel, coef, spec=spec)
    years = flows["year"].unique() if "year" in flows else []
    if len(years) > 1:
        raise DataFormatError("baseline flows", f"one year expected, got {len(years)}")
    base, _ = prepare_design(
        flows, GravitySpec(covariates=covariates + tuple(coef), fixed_effects=("exporter", "importer", "pair"))
    )
    base["pair_effect"] = base["pair_fe"].map(pair)
    intl = (base["exporter"] != base["importer"]).to_numpy()
    fit_rows = base[intl & base["pair_effect"].notna().to_numpy()].copy()
    if fit_rows.empty:
        raise EmptySelectionError("no international pair with an estimated pair effect in the baseline year")
    fit_rows["exp_pair_effect"] = np.exp(fit_rows["pair_effect"])
    s2spec = GravitySpec(
        covariates=covariates, fixed_effects=("exporter", "importer"), vcov="cluster_pair", dependent="exp_pair_effect"
    )
    stage2 = GravityModel(fit_rows, s2spec).fit()
    c2 = {k: float(v) for k, v in stage2.coef.items()}
    cty = sorted(set(base["exporter"]) | set(base["importer"]))
    idx = {c: i for i, c in enumerate(cty)}
    fe = calc_poisson_fixed_effects(
        fit_rows["exp_pair_effect"].to_numpy(),
        _linear_index(fit_rows, c2),
        [fit_rows["exporter"].map(idx).to_numpy(), fit_rows["importer"].map(idx).to_numpy()],
    )
    if len(fe[0]) < len(cty) or len(fe[1]) < len(cty):
        raise DataFormatError(
            "baseline flows",
            "a country has no estimated pair effect as exporter or importer; stage 2 cannot predict its pairs",
        )
    pred = (
        _linear_index(base, c2)
        + fe[0][base["exporter"].map(idx).to_numpy()]
        + fe[1][base["importer"].map(idx).to_numpy()]
    )
    have = base["pair_effect"].notna().to_numpy()
    mu = np.where(~intl, 0.0, np.where(have, base["pair_effect"].to_numpy(float), pred))
    source = np.where(~intl, "domestic", np.where(have, "estimated", "predicted"))
    pairs = pd.DataFrame({"exporter": base["exporter"], "importer": base["importer"], "pair_fe": mu, "source": source})
    for k in coef:
        pairs[k] = base[k].to_numpy(float)
    costs = TradeCosts(
        pairs=pairs[["exporter", "importer", "pair_fe", *coef]],
        coef={"pair_fe": 1.0} | {k: float(v) for k, v in coef.items()},
    )
    year = int(years[0]) if len(years) else 0
    return TwoStageCosts(costs=costs, stage1_coef=dict(coef), pair_effects=pair, stage2=stage2, pairs=pairs, year=year)
