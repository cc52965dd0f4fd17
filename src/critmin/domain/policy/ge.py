"""General-equilibrium counterfactuals with structural gravity (Yotov et al. 2016, Ch. 2).

``GEModel(flows, costs, sigma=...).run(scenario) -> GEResults``.

Three stages, each a solve of the structural gravity system in
:mod:`critmin.domain.policy.ge_solver`:

1. **baseline**: output ``Y_i`` and expenditure ``E_j`` are the row and column
   sums of the observed flows (domestic flows included); resistances solve the
   system with the baseline costs ``T_ij = exp(b'x_ij)``; baseline flows are the
   fitted ones, ``X_ij = exp_pi_i exp_chi_j T_ij`` (what PPML with exporter and
   importer effects returns);
2. **conditional**: same ``Y`` and ``E``, counterfactual costs ``T'``;
3. **full endowment**: factory-gate prices adjust, ``Y' = p Y``, ``E' = phi Y'``;
   ``method="exact"`` solves market clearing to ``1e-12``,
   ``method="book"`` runs the guide's iterative procedure (which stops short of
   an equilibrium but reproduces the published tables).

The inward resistance of the reference country (default Germany, ``DEU``) is
the numeraire, as in the guide. Reported changes are ``100 * (cfl / bln - 1)``;
resistances in ``OMR^(1/(1-sigma))`` and ``IMR^(1/(1-sigma))``; real GDP is
``Y / IMR^(1/(1-sigma)) = Y / P``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import pandas as pd

from critmin.domain.policy.ge_solver import calc_full_endowment, calc_full_endowment_book, calc_multilateral_resistances
from critmin.errors import DataFormatError, EmptySelectionError, UnknownCodeError

ScenarioKind = Literal["no_borders", "rta_on", "rta_off", "cost_change"]
Method = Literal["exact", "book"]


@dataclass(frozen=True)
class GEScenario:
    """A change of bilateral trade costs.

    Use the constructors: :meth:`no_borders`, :meth:`rta_on`, :meth:`rta_off`,
    :meth:`cost_change`.
    """

    kind: ScenarioKind
    countries: tuple[str, ...] = ()
    factor: float = 1.0
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in get_args(ScenarioKind):
            raise ValueError(f"scenario kind must be one of {get_args(ScenarioKind)}; got {self.kind!r}")
        if self.kind in ("rta_on", "rta_off") and len(self.countries) < 2:
            raise ValueError(f"{self.kind} needs at least two countries, got {list(self.countries)}")
        if self.kind == "cost_change" and not self.factor > 0:
            raise ValueError(f"trade-cost factor must be > 0, got {self.factor}")

    @classmethod
    def no_borders(cls) -> "GEScenario":
        """Remove international borders: the ``intl_brdr`` term set to zero for every pair."""
        return cls("no_borders", label="no international borders")

    @classmethod
    def rta_on(cls, countries) -> "GEScenario":
        """A new agreement among ``countries``: ``rta = 1`` for every pair of them (i != j)."""
        c = tuple(countries)
        return cls("rta_on", c, label=f"agreement among {', '.join(c)}")

    @classmethod
    def rta_off(cls, countries) -> "GEScenario":
        """Remove agreements among ``countries``: ``rta = 0`` for every pair of them."""
        c = tuple(countries)
        return cls("rta_off", c, label=f"no agreement among {', '.join(c)}")

    @classmethod
    def cost_change(cls, factor: float, countries=()) -> "GEScenario":
        """Multiply iceberg trade costs ``t_ij`` by ``factor`` between ``countries`` (default: all
        international pairs), i.e. ``T_ij = t_ij^(1-sigma)`` by ``factor^(1-sigma)``."""
        c = tuple(countries)
        where = f" among {', '.join(c)}" if c else ""
        return cls("cost_change", c, factor=float(factor), label=f"trade costs x {factor:g}{where}")


@dataclass(frozen=True)
class TradeCosts:
    """Bilateral trade costs ``log T_ij = sum_k b_k x_ijk``.

    Attributes
    ----------
    pairs : DataFrame
        ``exporter, importer`` and one column per coefficient.
    coef : dict
        ``{covariate: b_k}`` (e.g. from :class:`~critmin.domain.policy.gravity.GravityResults`).
    """

    pairs: pd.DataFrame
    coef: dict

    def log_t(self, pairs: pd.DataFrame | None = None) -> np.ndarray:
        p = self.pairs if pairs is None else pairs
        out = np.zeros(len(p))
        for k, b in self.coef.items():
            if k not in p:
                raise DataFormatError("trade costs", f"no column {k!r} for coefficient {k!r}", field=k)
            out += float(b) * p[k].to_numpy(float)
        return out

    def counterfactual(self, scenario: GEScenario, *, sigma: float) -> np.ndarray:
        """``log T'`` under ``scenario``."""
        p = self.pairs.copy()
        intl = (p["exporter"] != p["importer"]).to_numpy()
        extra = np.zeros(len(p))
        members = set(scenario.countries)
        among = intl & p["exporter"].isin(members).to_numpy() & p["importer"].isin(members).to_numpy()
        if scenario.kind == "no_borders":
            if "intl_brdr" not in self.coef:
                raise ValueError("no_borders needs an 'intl_brdr' term in the trade-cost model")
            p["intl_brdr"] = 0.0
        elif scenario.kind in ("rta_on", "rta_off"):
            if "rta" not in self.coef:
                raise ValueError(f"{scenario.kind} needs an 'rta' term in the trade-cost model")
            p["rta"] = p["rta"].astype(float)
            p.loc[among, "rta"] = 1.0 if scenario.kind == "rta_on" else 0.0
        else:
            sel = among if members else intl
            extra[sel] = (1.0 - sigma) * np.log(scenario.factor)
        return self.log_t(p) + extra


@dataclass(frozen=True)
class GEResults:
    """Baseline, conditional and full-endowment results of one scenario (immutable)."""

    scenario: GEScenario
    sigma: float
    method: str
    reference: str
    countries: tuple[str, ...]
    levels: pd.DataFrame = field(repr=False)  # per country, levels of every stage
    max_clearing_error: float = float("nan")
    iterations: int = 0
    cost_model: dict = field(default_factory=dict)  # how trade costs were obtained (coefficients, spec)

    def to_frame(self) -> pd.DataFrame:
        """Per country: levels and % changes (counterfactual vs baseline).

        Columns: ``country, y_bln, y_full, e_bln, e_full, xi_bln, xi_cdl, xi_full``,
        ``mi_bln, mi_cdl, mi_full`` (international imports), ``omr_bln, omr_cdl, omr_full,
        imr_bln, imr_cdl, imr_full, price_pct, exports_cdl_pct, exports_pct, imports_cdl_pct,
        imports_pct, omr_cdl_pct, omr_pct, imr_cdl_pct, imr_pct, real_gdp_pct``.
        """
        return self.levels.copy()

    @property
    def is_agreement(self) -> bool:
        """True for ``rta_on`` / ``rta_off``: scenarios with a with- and a without-agreement state."""
        return self.scenario.kind in ("rta_on", "rta_off")

    def agreement_effects(self) -> pd.DataFrame:
        """Effect of the agreement, ``100 (with / without - 1)``: how published tables state it.

        For ``rta_on`` the counterfactual is "with" and the baseline "without"
        (the same numbers as :meth:`to_frame`); for ``rta_off`` the baseline is
        "with" and the counterfactual "without", so each change is
        ``100 (bln / cfl - 1)``, not the negative of the counterfactual change.
        Factory-gate prices: ``100 (p_with / p_without - 1)``, both relative to the
        numeraire (the reference country's inward resistance is 1 in both
        states); the guide's Stata tables print the first-order
        ``100 (1 - p_cfl / p_bln)`` instead (``price_guide_pct``).

        Columns: ``country, exports_pct, exports_cdl_pct, imports_pct, real_gdp_pct, price_pct,
        price_guide_pct, omr_pct, imr_pct``.
        """
        if not self.is_agreement:
            raise ValueError(f"{self.scenario.kind} is not an agreement scenario; use to_frame()")
        f = self.levels
        k = 1.0 / (1.0 - self.sigma)
        on = self.scenario.kind == "rta_on"

        def eff(cfl, bln):
            return 100.0 * ((cfl / bln) if on else (bln / cfl)) - 100.0

        p_hat = 1.0 + f["price_pct"] / 100.0
        return pd.DataFrame(
            {
                "country": f["country"],
                "exports_pct": eff(f.xi_full, f.xi_bln),
                "exports_cdl_pct": eff(f.xi_cdl, f.xi_bln),
                "imports_pct": eff(f.mi_full, f.mi_bln),
                "real_gdp_pct": eff(f.y_full / f.imr_full**k, f.y_bln / f.imr_bln**k),
                "price_pct": eff(p_hat, 1.0),
                "price_guide_pct": 100.0 * ((p_hat - 1.0) if on else (1.0 - p_hat)),
                "omr_pct": eff(f.omr_full**k, f.omr_bln**k),
                "imr_pct": eff(f.imr_full**k, f.imr_bln**k),
            }
        )

    def records(self) -> list[dict]:
        """The script contract: ``country, real_gdp_pct, exports_pct, omr_pct, imr_pct, price_pct``
        (counterfactual vs baseline), plus ``costs`` (the trade-cost model, where known) and, for
        agreement scenarios, ``effect_of_agreement`` (the same keys, :meth:`agreement_effects`)."""
        cols = ["country", "real_gdp_pct", "exports_pct", "omr_pct", "imr_pct", "price_pct"]
        out = self.levels[cols].to_dict(orient="records")
        costs = self.cost_model.get("costs")
        if costs:
            for r in out:
                r["costs"] = costs
        if self.is_agreement:
            eff = self.agreement_effects().set_index("country")[cols[1:]]
            for r in out:
                r["effect_of_agreement"] = {k: float(v) for k, v in eff.loc[r["country"]].items()}
        return out

    def summary(self) -> str:
        f = self.levels
        lines = [
            f"GE counterfactual: {self.scenario.label}; sigma = {self.sigma:g}; full endowment: "
            f"{self.method}; reference {self.reference}; {len(f)} countries"
        ]
        if self.cost_model.get("costs"):
            lines.append(f"  trade costs: {self.cost_model.get('costs_label', self.cost_model['costs'])}")
        lines += [
            f"  real GDP change vs baseline: mean {f.real_gdp_pct.mean():+.2f}%, "
            f"min {f.real_gdp_pct.min():+.2f}% ({f.country[f.real_gdp_pct.idxmin()]}), "
            f"max {f.real_gdp_pct.max():+.2f}% ({f.country[f.real_gdp_pct.idxmax()]})",
            f"  max market-clearing error {self.max_clearing_error:.1e}",
        ]
        return "\n".join(lines)


def _square(pairs: pd.DataFrame, values: np.ndarray, index: dict) -> np.ndarray:
    n = len(index)
    m = np.full((n, n), np.nan)
    m[pairs["exporter"].map(index).to_numpy(), pairs["importer"].map(index).to_numpy()] = values
    return m


class GEModel:
    """Structural gravity general-equilibrium model of one year.

    Parameters
    ----------
    flows : DataFrame
        ``exporter, importer, trade`` for one year, the complete square grid
        including domestic flows (zeros allowed).
    costs : TradeCosts
        The trade-cost model with a row for every pair of ``flows``.
    sigma : float, keyword-only
        Elasticity of substitution (> 1); the trade elasticity is ``1 - sigma``.
    reference : str, keyword-only
        Country whose inward resistance is the numeraire (default ``DEU``).
    method : {"exact", "book"}, keyword-only
        Full-endowment step: exact market clearing, or the guide's procedure.
    """

    def __init__(
        self,
        flows: pd.DataFrame,
        costs: TradeCosts,
        *,
        sigma: float = 7.0,
        reference: str = "DEU",
        method: Method = "exact",
    ):
        if method not in get_args(Method):
            raise ValueError(f"method must be one of {get_args(Method)}; got {method!r}")
        if not sigma > 1:
            raise ValueError(f"sigma must be > 1, got {sigma}")
        for c in ("exporter", "importer", "trade"):
            if c not in flows:
                raise DataFormatError("GE flows", f"missing column {c!r}", field=c)
        if flows.empty:
            raise EmptySelectionError("no flows for the GE model")
        if (flows["trade"] < 0).any():
            raise DataFormatError("GE flows", "negative trade values", field="trade")
        countries = sorted(set(flows["exporter"]) | set(flows["importer"]))
        if reference not in countries:
            raise UnknownCodeError(
                "country", reference, where="GE flows", hint="choose a reference country present in the data"
            )
        self.countries = tuple(countries)
        self.index = {c: i for i, c in enumerate(countries)}
        self.ref = self.index[reference]
        self.reference = reference
        self.sigma = float(sigma)
        self.method = method
        self.costs = costs
        n = len(countries)
        key = costs.pairs[["exporter", "importer"]]
        if len(key.drop_duplicates()) != n * n or len(costs.pairs) != n * n:
            raise DataFormatError(
                "GE trade costs", f"need exactly one row per pair ({n} x {n} = {n * n}); got {len(costs.pairs)}"
            )
        x = _square(flows, flows["trade"].to_numpy(float), self.index)
        if np.isnan(x).any():
            i, j = np.argwhere(np.isnan(x))[0]
            raise DataFormatError(
                "GE flows",
                f"no flow for {countries[i]} -> {countries[j]}; the GE model "
                f"needs the complete grid incl. domestic flows",
            )
        self.y = x.sum(axis=1)
        self.e = x.sum(axis=0)
        if (self.y <= 0).any() or (self.e <= 0).any():
            bad = [countries[i] for i in np.flatnonzero((self.y <= 0) | (self.e <= 0))]
            raise DataFormatError("GE flows", f"zero output or expenditure for {', '.join(bad)}")
        self.t0 = np.exp(_square(costs.pairs, costs.log_t(), self.index))

    def baseline(self):
        """Baseline multilateral resistances and fitted flows."""
        return calc_multilateral_resistances(self.y, self.e, self.t0, ref=self.ref)

    def run(self, scenario: GEScenario) -> GEResults:
        unknown = [c for c in scenario.countries if c not in self.index]
        if unknown:
            raise UnknownCodeError(
                "country", unknown[0], where="GE scenario", hint=f"countries in the data: {', '.join(self.countries)}"
            )
        t1 = np.exp(_square(self.costs.pairs, self.costs.counterfactual(scenario, sigma=self.sigma), self.index))
        k = 1.0 / (1.0 - self.sigma)
        bln = calc_multilateral_resistances(self.y, self.e, self.t0, ref=self.ref)
        cdl = calc_multilateral_resistances(self.y, self.e, t1, ref=self.ref)
        solve = calc_full_endowment if self.method == "exact" else calc_full_endowment_book
        full = solve(self.y, self.e, self.t0, t1, sigma=self.sigma, ref=self.ref)
        off = ~np.eye(len(self.countries), dtype=bool)
        xi = {s: (m * off).sum(axis=1) for s, m in (("bln", bln.flows), ("cdl", cdl.flows), ("full", full.flows))}
        mi = {s: (m * off).sum(axis=0) for s, m in (("bln", bln.flows), ("cdl", cdl.flows), ("full", full.flows))}

        def pct(a, b):
            return 100.0 * (a / b - 1.0)

        f = pd.DataFrame(
            {
                "country": list(self.countries),
                "y_bln": self.y,
                "y_full": full.y,
                "e_bln": self.e,
                "e_full": full.e,
                "xi_bln": xi["bln"],
                "xi_cdl": xi["cdl"],
                "xi_full": xi["full"],
                "mi_bln": mi["bln"],
                "mi_cdl": mi["cdl"],
                "mi_full": mi["full"],
                "omr_bln": bln.omr,
                "omr_cdl": cdl.omr,
                "omr_full": full.omr,
                "imr_bln": bln.imr,
                "imr_cdl": cdl.imr,
                "imr_full": full.imr,
            }
        )
        f["price_pct"] = 100.0 * (full.price - 1.0)
        f["exports_cdl_pct"] = pct(f.xi_cdl, f.xi_bln)
        f["exports_pct"] = pct(f.xi_full, f.xi_bln)
        f["imports_cdl_pct"] = pct(f.mi_cdl, f.mi_bln)
        f["imports_pct"] = pct(f.mi_full, f.mi_bln)
        f["omr_cdl_pct"] = pct(f.omr_cdl**k, f.omr_bln**k)
        f["omr_pct"] = pct(f.omr_full**k, f.omr_bln**k)
        f["imr_cdl_pct"] = pct(f.imr_cdl**k, f.imr_bln**k)
        f["imr_pct"] = pct(f.imr_full**k, f.imr_bln**k)
        f["real_gdp_pct"] = pct(f.y_full / f.imr_full**k, f.y_bln / f.imr_bln**k)
        return GEResults(
            scenario=scenario,
            sigma=self.sigma,
            method=self.method,
            reference=self.reference,
            countries=self.countries,
            levels=f,
            max_clearing_error=full.max_clearing_error,
            iterations=full.iterations,
        )
