"""Tariff phase-in schedules of a trade agreement (year 0 ... N), exclusions and utilisation.

A schedule is plain data (usually a YAML file, parsed by
:func:`critmin.sources.tariffs.read_schedule` and built by :func:`critmin.services.tariffs.read_schedule`)::

    name: India-Peru FTA (illustrative)
    base_year: 2024          # year of the trade data; year 0 = entry into force
    horizon: 10              # simulate years 0..horizon
    sides:
      - importer: IND        # who cuts tariffs
        partner: PER         # on imports from whom
        utilisation: 0.8     # preference-utilisation rate
        default: EIF         # staging category of lines not listed (omit: unlisted lines keep MFN)
        categories:
          EIF: {years: 0}                 # duty-free at entry into force
          B5:  {years: 5}                 # five equal annual cuts, duty-free in year 4
          R50: {years: 3, target: 0.5}    # cut by half in three annual stages
        lines: {"7403": B5, "740311": EIF}
        exclusions: ["74", "76"]          # HS prefixes kept at MFN (longest code wins)

Staging follows the usual FTA wording ("eliminated in N equal annual stages,
duty-free effective 1 January of year N"), counting entry into force as year 0:
the share of the base rate left in year ``y`` is
``1 - (1 - target) * min(1, (y - start + 1) / N)`` for ``y >= start`` (1 before).
An explicit list ``shares: [0.8, 0.6, ...]`` (share of the base rate in years 0, 1, ...;
the last value holds afterwards) overrides ``years``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from critmin.errors import DataFormatError


@dataclass(frozen=True)
class Staging:
    """One staging category: how the base rate falls year by year."""

    name: str
    years: int = 0
    target: float = 0.0
    start: int = 0
    shares: tuple[float, ...] = ()

    def progress(self, year: np.ndarray | int | float) -> np.ndarray:
        """Fraction of the cut made by each ``year`` (0 = entry into force) in ``N = years`` equal stages.

        ``progress(y) = min(1, (y - start + 1) / max(N, 1))`` for ``y >= start``, 0 before.
        """
        y = np.asarray(year, dtype=float)
        n = max(int(self.years), 1)
        done = np.clip((y - self.start + 1) / n, 0.0, 1.0)
        return np.where(y < self.start, 0.0, done)

    def share(self, year: np.ndarray | int) -> np.ndarray:
        """Share of the base rate that remains in each ``year`` (0 = entry into force).

        ``share(y) = 1 - (1 - target) * progress(y)`` (:meth:`progress`), or the explicit
        ``shares`` list (its last value holds afterwards).
        """
        y = np.asarray(year, dtype=float)
        if self.shares:
            idx = np.clip(y.astype(int), 0, len(self.shares) - 1)
            return np.where(y < 0, 1.0, np.asarray(self.shares)[idx])
        return np.where(y < self.start, 1.0, 1.0 - (1.0 - self.target) * self.progress(y))


def fta_rate(
    base_rate: float, year: int, *, entry_year: int, phase_in_years: int = 0, target_rate: float = 0.0
) -> float:
    """Tariff under an FTA in calendar ``year``: staged from ``base_rate`` to ``target_rate``.

    The staging formula of :class:`Staging` with entry into force in ``entry_year``::

        rate = base - (base - target) * progress(year - entry_year)
        progress(y) = min(1, (y + 1) / max(N, 1)) for y >= 0, 0 before

    (``N`` = ``phase_in_years``, 0 = immediate); ``base`` before entry into force. With
    ``target = base x t`` this is ``base x Staging(years=N, target=t).share(year - entry_year)``.
    """
    done = float(Staging("FTA", years=int(phase_in_years)).progress(year - entry_year))
    return base_rate - (base_rate - target_rate) * done


@dataclass(frozen=True)
class SideSchedule:
    """The cuts one importer grants one partner."""

    importer: str
    partner: str
    categories: Mapping[str, Staging]
    default: str | None = None
    lines: tuple[tuple[str, str], ...] = ()
    exclusions: tuple[str, ...] = ()
    utilisation: float = 1.0
    notes: tuple[str, ...] = ()

    def shares(self, hs6: Sequence[str], years: Sequence[int]) -> pd.DataFrame:
        """Share of the base (MFN) rate left for each HS6 line and year.

        Returns
        -------
        pandas.DataFrame
            ``hs6, year, share, category, excluded`` (``share`` is 1 for excluded
            lines and lines without a category).
        """
        hs = pd.Series(pd.unique(pd.Series(list(hs6), dtype=str)), dtype=str)
        rules = [(p, "exclude") for p in self.exclusions] + list(self.lines)
        # longest HS prefix wins; an exclusion beats a category at the same length
        rules.sort(key=lambda r: (len(r[0]), r[1] == "exclude"))
        category = pd.Series([self.default] * len(hs), dtype=object)
        for prefix, cat in rules:
            category[hs.str.startswith(prefix).to_numpy()] = cat
        excluded = category.eq("exclude").to_numpy()
        yrs = np.asarray(list(years), dtype=int)
        out = pd.DataFrame(
            {
                "hs6": np.repeat(hs.to_numpy(), len(yrs)),
                "year": np.tile(yrs, len(hs)),
                "category": np.repeat(category.to_numpy(), len(yrs)),
                "excluded": np.repeat(excluded, len(yrs)),
            }
        )
        share = np.ones(len(out))
        for name, staging in self.categories.items():
            mask = (out["category"] == name).to_numpy()
            if mask.any():
                share[mask] = staging.share(out.loc[mask, "year"].to_numpy())
        out["share"] = share
        out.loc[out["excluded"], "category"] = "excluded"
        return out


@dataclass(frozen=True)
class FtaScenario:
    """A whole agreement: one :class:`SideSchedule` per importer, years 0..horizon."""

    name: str
    base_year: int
    horizon: int
    sides: tuple[SideSchedule, ...]
    status: str = ""
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    origin: str = "schedule"

    def side(self, importer: str) -> SideSchedule | None:
        for s in self.sides:
            if s.importer == importer.upper():
                return s
        return None

    def years(self) -> list[int]:
        return list(range(0, self.horizon + 1))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "schedule") -> "FtaScenario":
        """Build and validate a scenario from parsed YAML/JSON.

        Raises
        ------
        DataFormatError
            Naming ``origin`` and the offending field.
        """
        if not isinstance(data, Mapping):
            raise DataFormatError(origin, "expected a mapping with name, base_year, horizon and sides")

        def need(d: Mapping, key: str, where: str):
            if key not in d:
                raise DataFormatError(origin, f"missing key '{key}' in {where}", field=key)
            return d[key]

        def as_int(v, key, lo, hi):
            try:
                iv = int(v)
            except (TypeError, ValueError):
                raise DataFormatError(origin, f"{v!r} is not an integer", field=key) from None
            if not lo <= iv <= hi:
                raise DataFormatError(origin, f"{iv} is out of range [{lo}, {hi}]", field=key)
            return iv

        def as_frac(v, key):
            try:
                fv = float(v)
            except (TypeError, ValueError):
                raise DataFormatError(origin, f"{v!r} is not a number", field=key) from None
            if not 0.0 <= fv <= 1.0:
                raise DataFormatError(origin, f"{fv} is not a share in [0, 1]", field=key)
            return fv

        def hs_code(v, key):
            s = str(v).strip()
            if not (s.isdigit() and len(s) in (2, 4, 6)):
                raise DataFormatError(
                    origin, f"{v!r} is not an HS code of 2, 4 or 6 digits (quote it in YAML)", field=key
                )
            return s

        base_year = as_int(need(data, "base_year", "the scenario"), "base_year", 1900, 2100)
        horizon = as_int(data.get("horizon", 10), "horizon", 0, 50)
        sides_raw = need(data, "sides", "the scenario")
        if not isinstance(sides_raw, Sequence) or isinstance(sides_raw, str) or not sides_raw:
            raise DataFormatError(origin, "'sides' must be a non-empty list", field="sides")
        sides = []
        for i, s in enumerate(sides_raw):
            where = f"sides[{i}]"
            if not isinstance(s, Mapping):
                raise DataFormatError(origin, f"{where} must be a mapping", field="sides")
            importer = str(need(s, "importer", where)).upper()
            partner = str(need(s, "partner", where)).upper()
            for key, code in (("importer", importer), ("partner", partner)):
                if not (len(code) == 3 and code.isalpha()):
                    raise DataFormatError(origin, f"{code!r} is not an ISO3 code", field=f"{where}.{key}")
            cats_raw = s.get("categories") or {"EIF": {"years": 0}}
            cats = {}
            for name, c in cats_raw.items():
                key = f"{where}.categories.{name}"
                c = c or {}
                if not isinstance(c, Mapping):
                    raise DataFormatError(
                        origin, "a staging category must be a mapping (years, target, start or shares)", field=key
                    )
                unknown = set(c) - {"years", "target", "start", "shares", "note"}
                if unknown:
                    raise DataFormatError(
                        origin, f"unknown key(s) {sorted(unknown)}; expected years, target, start, shares", field=key
                    )
                shares = tuple(as_frac(x, key + ".shares") for x in (c.get("shares") or ()))
                cats[str(name)] = Staging(
                    str(name),
                    as_int(c.get("years", 0), key + ".years", 0, 50),
                    as_frac(c.get("target", 0.0), key + ".target"),
                    as_int(c.get("start", 0), key + ".start", 0, 50),
                    shares,
                )
            default = s.get("default")
            if default is not None and str(default) not in cats:
                raise DataFormatError(
                    origin, f"default category {default!r} is not defined in categories", field=f"{where}.default"
                )
            lines_raw = s.get("lines") or {}
            if not isinstance(lines_raw, Mapping):
                raise DataFormatError(origin, "'lines' must map HS codes to staging categories", field=f"{where}.lines")
            lines = []
            for code, cat in lines_raw.items():
                code = hs_code(code, f"{where}.lines")
                if str(cat) not in cats:
                    raise DataFormatError(
                        origin, f"line {code} uses undefined category {cat!r}", field=f"{where}.lines"
                    )
                lines.append((code, str(cat)))
            excl = tuple(hs_code(x, f"{where}.exclusions") for x in (s.get("exclusions") or ()))
            sides.append(
                SideSchedule(
                    importer,
                    partner,
                    cats,
                    None if default is None else str(default),
                    tuple(lines),
                    excl,
                    as_frac(s.get("utilisation", 1.0), f"{where}.utilisation"),
                    tuple(str(n) for n in (s.get("notes") or ())),
                )
            )
        return cls(
            name=str(data.get("name", origin)),
            base_year=base_year,
            horizon=horizon,
            sides=tuple(sides),
            status=str(data.get("status", "")),
            sources=tuple(str(x) for x in (data.get("sources") or ())),
            notes=tuple(str(x) for x in (data.get("notes") or ())),
            origin=origin,
        )
