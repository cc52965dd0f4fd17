r"""Import-dependence paths from demand-growth and domestic-supply scenarios.

With demand (smelter feed) ``D_0`` and domestic supply ``S_0`` in the base year ``t_0`` and
constant annual growth rates ``g`` (demand) and ``h`` (domestic supply)::

    D_t = D_0 (1 + g)^(t - t_0),   S_t = S_0 (1 + h)^(t - t_0)
    import dependence  d_t = max(0, 1 - S_t / D_t)

Scenario bands are the pointwise minimum and maximum of ``d_t`` over the scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd


def calc_import_dependence(demand, domestic):
    """``max(0, 1 - domestic / demand)`` elementwise (NaN where demand <= 0)."""
    demand = np.asarray(demand, float)
    domestic = np.asarray(domestic, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(demand > 0, np.clip(1.0 - domestic / demand, 0.0, 1.0), np.nan)
    return d


@dataclass(frozen=True)
class GrowthScenario:
    name: str
    demand_growth: float
    domestic_growth: float


@dataclass(frozen=True)
class ProjectionSpec:
    base_year: int
    demand_0: float
    domestic_0: float
    scenarios: tuple[GrowthScenario, ...]
    end_year: int = 2047

    def __post_init__(self):
        if self.demand_0 <= 0 or self.domestic_0 < 0:
            raise ValueError("base demand must be > 0 and domestic supply >= 0")
        if self.end_year <= self.base_year:
            raise ValueError("end_year must be after base_year")
        if not self.scenarios:
            raise ValueError("at least one scenario is needed")


@dataclass(frozen=True)
class ProjectionResult:
    spec: ProjectionSpec
    paths: pd.DataFrame  # scenario, year, demand, domestic, imports, import_dependence

    def band(self) -> pd.DataFrame:
        g = self.paths.groupby("year")["import_dependence"]
        return pd.DataFrame({"low": g.min(), "high": g.max()}).reset_index()

    def at(self, year: int) -> dict:
        p = self.paths[self.paths["year"] == year]
        return dict(zip(p["scenario"], p["import_dependence"]))

    def to_frame(self) -> pd.DataFrame:
        return self.paths.copy()

    def compare_claims(self, claims: Sequence[Mapping], *, end_year: int | None = None) -> list[dict]:
        """Published claims ``{year, ...}`` with the model's range of import dependence in their year.

        Each claim up to ``end_year`` (default the spec's) gets ``model_low`` and ``model_high``,
        the lowest and highest scenario value in its year (``None`` before the base year).
        """
        end = self.spec.end_year if end_year is None else end_year
        out = []
        for c in claims:
            if c["year"] > end:
                continue
            at = self.at(c["year"]) if c["year"] >= self.spec.base_year else {}
            lo, hi = (min(at.values()), max(at.values())) if at else (None, None)
            out.append({**c, "model_low": lo, "model_high": hi})
        return out

    def summary(self) -> str:
        lines = [
            f"import dependence, base {self.spec.base_year}: "
            f"{float(calc_import_dependence(self.spec.demand_0, self.spec.domestic_0)):.1%}"
        ]
        for y in (2030, self.spec.end_year):
            if y <= self.spec.end_year:
                lines.append(f"  {y}: " + ", ".join(f"{k} {v:.1%}" for k, v in self.at(y).items()))
        return "\n".join(lines)


class ProjectionModel:
    """``ProjectionModel(spec).run() -> ProjectionResult`` (constant-growth paths)."""

    def __init__(self, spec: ProjectionSpec):
        self.spec = spec

    def run(self) -> ProjectionResult:
        s = self.spec
        years = np.arange(s.base_year, s.end_year + 1)
        frames = []
        for sc in s.scenarios:
            t = years - s.base_year
            dem = s.demand_0 * (1 + sc.demand_growth) ** t
            dom = s.domestic_0 * (1 + sc.domestic_growth) ** t
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": sc.name,
                        "year": years,
                        "demand": dem,
                        "domestic": dom,
                        "imports": np.maximum(dem - dom, 0.0),
                        "import_dependence": calc_import_dependence(dem, dom),
                    }
                )
            )
        return ProjectionResult(spec=s, paths=pd.concat(frames, ignore_index=True))
