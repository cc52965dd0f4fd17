r"""Export-restriction shocks: who loses what, who can cover it, at what price.

For an importer *m*, a restricting exporter *r* and products *k* (annual flows):

Loss fraction by severity (applied to *r*'s exports to every destination)::

    ban:         phi = 1
    quota q:     phi = 1 - q                     (q = share of exports still allowed)
    export tax t: phi = 1 - (1 + t) ** eps_m      (eps_m < 0: importers' demand elasticity
                                                   for the taxed supplier's product; full pass-through)

Supply at risk for the importer over the shock window (``w = duration_months / 12``)::

    L = phi * w * M_{r,m}          (value USD and tonnes, from trade_flows)

Spare capacity of each alternative supplier *j* (tonnes)::

    K_j = max(0, Production_j - Exports_j)            when USGS has production for the stage
    K_j = rho * Exports_{j, rest of world}            otherwise (rho = redirectable fraction)

Coverage: lost tonnes are allocated to alternatives pro rata to spare capacity::

    C = min(L_t, w * sum_j K_j),    C_j = C * K_j / sum_j K_j,    U = L_t - C

so that covered + uncovered = loss by construction. Values use the unit value of the lost flow.

Price effect (world market, constant-elasticity supply and demand)::

    dp / p = s / (eps_s + |eps_d|),   s = share of world exports of the products removed

New concentration: HHI and China share of the importer's supply after the shock, with the
covered tonnes added to the alternative suppliers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from critmin.domain.scenarios._concentration import hhi, share_of
from critmin.errors import DataFormatError, EmptySelectionError

Severity = Literal["ban", "quota", "export_tax"]
SEVERITIES = ("ban", "quota", "export_tax")
FLOW_COLUMNS = ["exporter", "importer", "hs6", "value_usd", "qty_t"]


@dataclass(frozen=True)
class ShockSpec:
    """An export-restriction scenario.

    Parameters
    ----------
    restricting : str
        ISO3 of the country restricting exports.
    products : tuple of str
        HS6 codes (services resolve minerals/stages to HS6 before building the spec).
    severity : {"ban", "quota", "export_tax"}
    quota_share : float
        For ``quota``: share of previous exports still allowed (0-1).
    export_tax : float
        For ``export_tax``: ad-valorem tax rate (e.g. 0.25).
    start : str
        Start month ``YYYY-MM`` (informational; flows are annual).
    duration_months : int
        Length of the restriction; the loss is the annual flow times ``duration/12``.
    importer : str
        ISO3 of the importer (India by default).
    redirectable_fraction : float
        Share of a supplier's exports to the rest of the world it could redirect when
        no production figure exists for the stage.
    eps_supply, eps_demand : float
        Price elasticities of world supply (>0) and demand (<0).
    eps_import_demand : float
        Elasticity used for the quantity response to an export tax (<0).
    name : str
        Label.
    """

    restricting: str
    products: tuple[str, ...]
    severity: Severity = "ban"
    quota_share: float = 0.0
    export_tax: float = 0.0
    start: str = ""
    duration_months: int = 12
    importer: str = "IND"
    redirectable_fraction: float = 0.2
    eps_supply: float = 1.5
    eps_demand: float = -0.5
    eps_import_demand: float = -1.0
    name: str = ""
    sources: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "products", tuple(str(p) for p in self.products))
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {self.severity!r}")
        if not 0 <= self.quota_share <= 1:
            raise ValueError(f"quota_share must be in [0, 1], got {self.quota_share!r}")
        if self.export_tax < 0:
            raise ValueError(f"export_tax must be >= 0, got {self.export_tax!r}")
        if self.duration_months <= 0:
            raise ValueError(f"duration_months must be positive, got {self.duration_months!r}")
        if not 0 <= self.redirectable_fraction <= 1:
            raise ValueError(f"redirectable_fraction must be in [0, 1], got {self.redirectable_fraction!r}")
        if self.eps_supply < 0 or self.eps_demand > 0:
            raise ValueError("eps_supply must be >= 0 and eps_demand <= 0")
        if not self.products:
            raise ValueError("a shock needs at least one product")

    @property
    def loss_fraction(self) -> float:
        """``phi``: share of the restricting country's exports that stops."""
        return calc_loss_fraction(
            self.severity,
            quota_share=self.quota_share,
            export_tax=self.export_tax,
            eps_import_demand=self.eps_import_demand,
        )

    @property
    def window_years(self) -> float:
        return self.duration_months / 12.0


def calc_loss_fraction(
    severity: Severity, *, quota_share: float = 0.0, export_tax: float = 0.0, eps_import_demand: float = -1.0
) -> float:
    """Share of exports lost: 1 (ban), ``1 - q`` (quota), ``1 - (1+t)**eps`` (export tax)."""
    if severity == "ban":
        return 1.0
    if severity == "quota":
        return 1.0 - quota_share
    if severity == "export_tax":
        return float(1.0 - (1.0 + export_tax) ** eps_import_demand)
    raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")


def calc_price_effect(removed_share: float, eps_supply: float, eps_demand: float) -> float:
    """Proportional world price change ``s / (eps_s + |eps_d|)`` for a supply cut of share ``s``."""
    denom = eps_supply + abs(eps_demand)
    if denom <= 0:
        raise ValueError("eps_supply + |eps_demand| must be positive")
    return float(removed_share / denom)


@dataclass(frozen=True)
class ShockResult:
    spec: ShockSpec
    loss_value_usd: float
    loss_tonnes: float
    covered_tonnes: float
    uncovered_tonnes: float
    covered_value_usd: float
    uncovered_value_usd: float
    alternatives: pd.DataFrame  # partner, spare_t, basis, covered_t, covered_value_usd
    price_change: float
    world_removed_share: float
    concentration: dict
    assumptions: list
    importer_supply: pd.DataFrame  # partner, before_t, after_t
    period: str | None = None  # the trade data's period, e.g. ``CY2024`` (set by the caller)

    @property
    def uncovered_share(self) -> float:
        return self.uncovered_tonnes / self.loss_tonnes if self.loss_tonnes > 0 else 0.0

    def to_frame(self) -> pd.DataFrame:
        return self.alternatives.copy()

    def to_dict(self) -> dict:
        s = self.spec
        return {
            "scenario": {
                "name": s.name,
                "restricting": s.restricting,
                "importer": s.importer,
                "products": list(s.products),
                "severity": s.severity,
                "quota_share": s.quota_share,
                "export_tax": s.export_tax,
                "start": s.start,
                "duration_months": s.duration_months,
                "loss_fraction": s.loss_fraction,
            },
            "period": self.period,
            "supply_at_risk": {"value_usd": self.loss_value_usd, "tonnes": self.loss_tonnes},
            "covered": {"value_usd": self.covered_value_usd, "tonnes": self.covered_tonnes},
            "uncovered": {
                "value_usd": self.uncovered_value_usd,
                "tonnes": self.uncovered_tonnes,
                "share_of_loss": self.uncovered_share,
            },
            "alternatives": self.alternatives.to_dict(orient="records"),
            "price_effect": {
                "world_removed_share": self.world_removed_share,
                "price_change": self.price_change,
                "eps_supply": s.eps_supply,
                "eps_demand": s.eps_demand,
            },
            "concentration": self.concentration,
            "assumptions": self.assumptions,
            "sources": s.sources,
        }

    def summary(self) -> str:
        s = self.spec
        return (
            f"{s.name or 'shock'}: {s.restricting} {s.severity} on {', '.join(s.products)} for "
            f"{s.duration_months} months -> {s.importer} supply at risk USD {self.loss_value_usd:,.0f} "
            f"({self.loss_tonnes:,.0f} t); covered {self.covered_tonnes:,.0f} t, uncovered "
            f"{self.uncovered_tonnes:,.0f} t ({self.uncovered_share:.0%}); price {self.price_change:+.1%}; "
            f"HHI {self.concentration['hhi_before']:.3f} -> {self.concentration['hhi_after']:.3f}"
        )


def _check_flows(flows: pd.DataFrame, where: str) -> pd.DataFrame:
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        raise DataFormatError(where, f"missing column(s) {', '.join(missing)}")
    for col in ("value_usd", "qty_t"):
        v = pd.to_numeric(flows[col], errors="coerce")
        bad = v < 0
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFormatError(where, f"{col} must be >= 0, got {flows[col].iloc[i]!r}", row=i + 1, field=col)
    return flows


class ShockModel:
    """``ShockModel(spec).run(flows, production=None) -> ShockResult``.

    Parameters of :meth:`run`
    -------------------------
    flows : DataFrame
        Annual bilateral flows (``exporter, importer, hs6, value_usd, qty_t``) of every
        country for the spec's products (one year).
    production : Series, optional
        Production in tonnes for the stage, indexed by ISO3. Suppliers present here get
        ``max(0, production - exports)``; the others get the redirectable-exports fallback.
    """

    def __init__(self, spec: ShockSpec):
        self.spec = spec

    def run(
        self,
        flows: pd.DataFrame,
        production: pd.Series | None = None,
        *,
        spare: pd.DataFrame | None = None,
        world_supply: pd.Series | None = None,
    ) -> ShockResult:
        """Run the shock.

        ``spare`` (``partner, spare_t, basis``) replaces the spare-capacity rule, and
        ``world_supply`` (tonnes by country) replaces world exports in the price effect; both are
        for products whose world trade is not in ``flows`` (e.g. copper concentrate, where only the
        importer's own imports are known).
        """
        s = self.spec
        flows = _check_flows(flows, "trade_flows")
        f = flows[flows["hs6"].astype(str).isin(s.products) & (flows["exporter"] != flows["importer"])].copy()
        if f.empty:
            raise EmptySelectionError(f"no trade flows for products {', '.join(s.products)}")
        f["qty_t"] = pd.to_numeric(f["qty_t"], errors="coerce")
        assumptions: list[str] = []
        n_missing_q = int(f["qty_t"].isna().sum())
        if n_missing_q:
            # impute missing tonnes with the product's world unit value
            uv = (
                f.dropna(subset=["qty_t"]).groupby("hs6")["value_usd"].sum()
                / f.dropna(subset=["qty_t"]).groupby("hs6")["qty_t"].sum()
            )
            f["qty_t"] = f["qty_t"].fillna(f["value_usd"] / f["hs6"].map(uv))
            assumptions.append(
                f"{n_missing_q} flows without a quantity: tonnes imputed from the product's world unit value"
            )
        imp = f[f["importer"] == s.importer].groupby("exporter")[["value_usd", "qty_t"]].sum()
        if imp.empty:
            raise EmptySelectionError(f"{s.importer} has no imports of {', '.join(s.products)} in the flows")
        w, phi = s.window_years, s.loss_fraction
        from_r = imp.loc[s.restricting] if s.restricting in imp.index else pd.Series({"value_usd": 0.0, "qty_t": 0.0})
        loss_v = float(from_r["value_usd"]) * phi * w
        loss_t = float(from_r["qty_t"]) * phi * w
        unit_value = loss_v / loss_t if loss_t > 0 else 0.0
        if from_r["value_usd"] == 0:
            assumptions.append(f"{s.importer} imports nothing of these products from {s.restricting}: no direct loss")

        # spare capacity of alternatives
        exports = f.groupby("exporter")["qty_t"].sum()
        exports_row = f[f["importer"] != s.importer].groupby("exporter")["qty_t"].sum()
        alts = sorted(set(exports.index) - {s.restricting, s.importer})
        rows = []
        if spare is not None:
            sp = spare[~spare["partner"].isin([s.restricting, s.importer])]
            rows = list(sp[["partner", "spare_t", "basis"]].itertuples(index=False, name=None))
            alts = []
        for j in alts:
            if production is not None and j in production.index and pd.notna(production.loc[j]):
                spare = max(0.0, float(production.loc[j]) - float(exports.get(j, 0.0)))
                basis = "production - exports"
            else:
                spare = s.redirectable_fraction * float(exports_row.get(j, 0.0))
                basis = f"{s.redirectable_fraction:g} x exports to rest of world"
            rows.append((j, spare, basis))
        alt = pd.DataFrame(rows, columns=["partner", "spare_t", "basis"])
        alt["spare_in_window_t"] = alt["spare_t"] * w
        total_spare = float(alt["spare_in_window_t"].sum())
        covered = min(loss_t, total_spare)
        alt["covered_t"] = covered * alt["spare_in_window_t"] / total_spare if total_spare > 0 else 0.0
        alt["covered_value_usd"] = alt["covered_t"] * unit_value
        alt = alt.sort_values("covered_t", ascending=False).reset_index(drop=True)
        uncovered = loss_t - covered
        # world price effect
        if world_supply is not None:
            world_t = float(world_supply.sum())
            removed = float(world_supply.get(s.restricting, 0.0)) * phi
        else:
            world_t = float(f["qty_t"].sum())
            removed = float(exports.get(s.restricting, 0.0)) * phi
        removed_share = removed / world_t if world_t > 0 else 0.0
        dp = calc_price_effect(removed_share, s.eps_supply, s.eps_demand)
        if removed_share > 0.2:
            assumptions.append(
                f"the restricting country removes {removed_share:.0%} of world exports: the linear "
                "elasticity formula is only a first-order guide for a shock this large"
            )
        assumptions += [
            f"loss = {phi:.3f} (severity {s.severity}) x {w:g} year(s) x annual imports from {s.restricting}",
            "spare capacity = production - exports where production is known for the stage, else "
            f"{s.redirectable_fraction:g} x the supplier's exports to the rest of the world",
            "production is in content tonnes and trade in gross tonnes: for ores and concentrates spare "
            "capacity is understated, for refined metal the two are close",
            "lost tonnes are allocated to alternatives pro rata to spare capacity (no price or freight ranking)",
            f"price effect: world supply of the products falls by the restricting country's lost exports; "
            f"dp/p = s / (eps_s + |eps_d|) with eps_s = {s.eps_supply}, eps_d = {s.eps_demand}",
        ]

        # concentration before / after for the importer (annualised tonnes)
        before = imp["qty_t"].copy()
        after = before.copy()
        if s.restricting in after.index:
            after.loc[s.restricting] -= float(from_r["qty_t"]) * phi
        cov_annual = alt.set_index("partner")["covered_t"] / w
        after = after.add(cov_annual, fill_value=0.0).clip(lower=0.0)
        supply = pd.DataFrame({"before_t": before, "after_t": after}).fillna(0.0)
        supply.index.name = "partner"
        conc = {
            "hhi_before": hhi(before),
            "hhi_after": hhi(after),
            "china_share_before": share_of(before, "CHN"),
            "china_share_after": share_of(after, "CHN"),
            "restricting_share_before": share_of(before, s.restricting),
            "restricting_share_after": share_of(after, s.restricting),
        }
        return ShockResult(
            spec=s,
            loss_value_usd=loss_v,
            loss_tonnes=loss_t,
            covered_tonnes=covered,
            uncovered_tonnes=uncovered,
            covered_value_usd=covered * unit_value,
            uncovered_value_usd=uncovered * unit_value,
            alternatives=alt,
            price_change=dp,
            world_removed_share=removed_share,
            concentration=conc,
            assumptions=assumptions,
            importer_supply=supply.reset_index(),
        )


def disruption_scenarios_from_shocks(specs_probs: list[tuple[ShockSpec, float]], partners) -> "pd.DataFrame":
    """Availability matrix (scenarios x partners) for CVaR from shock specs with probabilities.

    Scenario *k* sets the availability of ``spec.restricting`` to ``1 - loss_fraction``;
    a final 'no shock' scenario takes the remaining probability.
    """
    partners = list(partners)
    rows, probs = [], []
    for spec, p in specs_probs:
        row = {q: 1.0 for q in partners}
        if spec.restricting in row:
            row[spec.restricting] = 1.0 - spec.loss_fraction
        rows.append(row)
        probs.append(p)
    rest = 1.0 - sum(probs)
    if rest < -1e-9:
        raise ValueError("shock probabilities add up to more than 1")
    rows.append({q: 1.0 for q in partners})
    probs.append(max(rest, 0.0))
    df = pd.DataFrame(rows, columns=partners)
    df["probability"] = probs
    return df
