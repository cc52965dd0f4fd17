"""WITS-SMART single-market partial equilibrium, vectorised over HS6 lines x partners.

SMART (World Bank / UNCTAD WITS; Laird and Yeats 1986; Jammes and Olarreaga
2005, *Explaining SMART and GSIM*) looks at one importing market, good by good
(HS6 line ``g``), and at its exporting partners ``c``. Imports from different
partners are imperfect substitutes (Armington). World prices are normalised to
one, so an import value is a quantity. A tariff change ``t0 -> t1`` moves

* **trade creation** (the import demand response to the lower domestic price of
  the partner's variety)::

      TC_gc = M_gc * Em_g * (t1 - t0) / [(1 + t0) * (1 - Em_g / Ex)]

  with ``Em < 0`` the import-demand elasticity and ``Ex > 0`` the export-supply
  elasticity (WITS default 99, i.e. close to infinitely elastic supply). A tariff
  cut (``t1 < t0``) gives ``TC >= 0``.

* **trade diversion** (the substitution between partners when one of them gets a
  preference), with the substitution elasticity ``sigma`` (WITS default 1.5).
  critmin uses the exact CES reallocation: holding the good's total imports
  fixed, the partner shares move with relative domestic prices::

      phi_gc  = (1 + t1_gc) / (1 + t0_gc)
      s1_gc   = s0_gc * phi_gc**(-sigma) / sum_k s0_gk * phi_gk**(-sigma)
      TD_gc   = (s1_gc - s0_gc) * sum_k M_gk

  so diversion sums to zero over partners (the market side of SMART: what
  beneficiaries gain, the others lose) and never exceeds existing trade. For two
  groups (preferred ``c``, the rest ``K``) and a small relative price change
  ``pi = phi_c/phi_K - 1`` it reduces to the Laird-Yeats expression
  ``TD_c ~ -M_c M_K sigma pi / (M_c + M_K)``.

* **price effect** (only with finite ``Ex``): the world price of the variety rises
  by ``dp/p = TC / (M * Ex)`` and the import value by ``(M + TC) * dp/p``.

* **tariff revenue**: ``R = t * M`` at world prices, before and after
  (``R1 = t1 * (M + TC + TD + PE)``); the change is ``R1 - R0``.

* **welfare** (consumer surplus triangle, WITS definition):
  ``W = 0.5 * (t0 - t1) * TC``.

A **preference-utilisation rate** ``u`` (share of the partner's imports that
actually claim the preference) enters as the effective new tariff
``t1_eff = u * t1 + (1 - u) * t0``.

Everything is computed with NumPy over all rows at once; groups (importer, HS6
line, year) are integer codes and group sums are ``np.bincount``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Sequence

import numpy as np
import pandas as pd

from critmin.errors import DataFormatError, EmptySelectionError

#: WITS SMART default export-supply elasticity ("99 for infinite elasticity").
DEFAULT_EXPORT_SUPPLY_ELASTICITY = 99.0
#: WITS SMART default substitution elasticity between partners.
DEFAULT_SUBSTITUTION_ELASTICITY = 1.5
#: critmin's fallback import-demand elasticity when no per-line value is given
#: (unit-elastic; an explicit assumption reported in every result's notes).
DEFAULT_IMPORT_DEMAND_ELASTICITY = -1.0

REQUIRED_COLUMNS = ("hs6", "partner", "imports_usd", "tariff_old", "tariff_new")
RESULT_COLUMNS = (
    "trade_creation",
    "trade_diversion",
    "price_effect",
    "trade_total",
    "imports_new",
    "revenue_old",
    "revenue_new",
    "revenue_change",
    "welfare",
)


# --------------------------------------------------------------------------- formulas
def calc_trade_creation(
    imports,
    tariff_old,
    tariff_new,
    import_demand_elasticity,
    *,
    export_supply_elasticity: float | np.ndarray = DEFAULT_EXPORT_SUPPLY_ELASTICITY,
) -> np.ndarray:
    """Trade creation of SMART for each line x partner.

    .. math:: TC = M \\, E_m \\, \\Delta t / [(1 + t_0)(1 - E_m / E_x)]

    Parameters
    ----------
    imports : array_like
        Baseline imports ``M`` (USD at world prices).
    tariff_old, tariff_new : array_like
        Ad-valorem tariffs as fractions (0.06 for 6 %).
    import_demand_elasticity : array_like
        ``Em`` (negative).
    export_supply_elasticity : float or array_like, keyword-only
        ``Ex`` (positive; ``np.inf`` for perfectly elastic supply).
    """
    m = np.asarray(imports, dtype=float)
    t0 = np.asarray(tariff_old, dtype=float)
    t1 = np.asarray(tariff_new, dtype=float)
    em = np.asarray(import_demand_elasticity, dtype=float)
    ex = np.asarray(export_supply_elasticity, dtype=float)
    return m * em * (t1 - t0) / ((1.0 + t0) * (1.0 - em / ex))


def calc_trade_diversion(
    imports, tariff_old, tariff_new, group_codes, *, substitution_elasticity: float = DEFAULT_SUBSTITUTION_ELASTICITY
) -> np.ndarray:
    """Trade diversion of SMART: CES reallocation of each good's imports between partners.

    .. math::
        \\phi_c = (1+t_{1c})/(1+t_{0c}), \\quad
        s_{1c} = s_{0c}\\,\\phi_c^{-\\sigma} / \\sum_k s_{0k}\\,\\phi_k^{-\\sigma}, \\quad
        TD_c = (s_{1c} - s_{0c}) \\sum_k M_k

    Parameters
    ----------
    imports, tariff_old, tariff_new : array_like
        As in :func:`calc_trade_creation`.
    group_codes : array_like of int
        One integer per row naming its market (importer x HS6 line x year), 0..G-1.
    substitution_elasticity : float, keyword-only
        ``sigma >= 0``.

    Returns
    -------
    numpy.ndarray
        Diversion per row; it sums to zero within every group.
    """
    m = np.asarray(imports, dtype=float)
    g = np.asarray(group_codes, dtype=np.int64)
    phi = (1.0 + np.asarray(tariff_new, dtype=float)) / (1.0 + np.asarray(tariff_old, dtype=float))
    weighted = m * phi ** (-float(substitution_elasticity))
    n = int(g.max()) + 1 if len(g) else 0
    total = np.bincount(g, weights=m, minlength=n)
    total_w = np.bincount(g, weights=weighted, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        new = np.where(total_w[g] > 0, weighted * total[g] / total_w[g], m)
    return new - m


def calc_price_effect(
    imports, trade_creation, *, export_supply_elasticity: float | np.ndarray = DEFAULT_EXPORT_SUPPLY_ELASTICITY
) -> np.ndarray:
    """Value effect of the world-price change when export supply is not infinitely elastic.

    .. math:: dp/p = TC / (M E_x), \\qquad PE = (M + TC)\\, dp/p
    """
    m = np.asarray(imports, dtype=float)
    tc = np.asarray(trade_creation, dtype=float)
    ex = np.asarray(export_supply_elasticity, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        dp = np.where(m > 0, tc / (m * ex), 0.0)
    return (m + tc) * dp


def calc_smart_line(
    imports: Sequence[float],
    tariff_old: Sequence[float],
    tariff_new: Sequence[float],
    import_demand_elasticity: float,
    *,
    substitution_elasticity: float = DEFAULT_SUBSTITUTION_ELASTICITY,
    export_supply_elasticity: float = DEFAULT_EXPORT_SUPPLY_ELASTICITY,
) -> list[dict]:
    """Reference implementation for ONE market (one HS6 line), partner by partner in plain Python.

    Slow by design: it is the obvious per-line loop that :class:`SmartModel` is
    checked and benchmarked against. Same formulas as the module docstring.
    """
    total = sum(imports)
    weighted = [
        m * ((1 + t1) / (1 + t0)) ** (-substitution_elasticity) for m, t0, t1 in zip(imports, tariff_old, tariff_new)
    ]
    total_w = sum(weighted)
    out = []
    for m, t0, t1, w in zip(imports, tariff_old, tariff_new, weighted):
        tc = (
            m
            * import_demand_elasticity
            * (t1 - t0)
            / ((1 + t0) * (1 - import_demand_elasticity / export_supply_elasticity))
        )
        td = (w * total / total_w - m) if total_w > 0 else 0.0
        pe = (m + tc) * (tc / (m * export_supply_elasticity)) if m > 0 else 0.0
        new = m + tc + td + pe
        out.append(
            {
                "trade_creation": tc,
                "trade_diversion": td,
                "price_effect": pe,
                "trade_total": tc + td + pe,
                "imports_new": new,
                "revenue_old": t0 * m,
                "revenue_new": t1 * new,
                "revenue_change": t1 * new - t0 * m,
                "welfare": 0.5 * (t0 - t1) * tc,
            }
        )
    return out


# --------------------------------------------------------------------------- model
def _codes(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Integer code per row for the combination of ``cols`` (0..G-1, first-seen order)."""
    codes = np.zeros(len(df), dtype=np.int64)
    for c in cols:
        k, uniq = pd.factorize(df[c], sort=False)
        codes = codes * (len(uniq) + 1) + k
    if len(cols) > 1:
        codes = pd.factorize(codes, sort=False)[0].astype(np.int64)
    return codes


def _check_number_column(
    df: pd.DataFrame, col: str, *, low: float | None = None, high: float | None = None, what: str
) -> np.ndarray:
    values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if low is not None:
        bad |= values < low
    if high is not None:
        bad |= values > high
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFormatError("SMART input", f"value {df[col].iloc[i]!r}; expected {what}", row=i + 1, field=col)
    return values


@dataclass(frozen=True)
class SmartResult:
    """Immutable SMART results: one row per market (importer x HS6 x year) x partner.

    ``inputs`` are the model's input rows and ``results`` the computed columns
    (same index); :attr:`frame` joins them (built once, on first use).
    """

    inputs: pd.DataFrame
    results: pd.DataFrame
    keys: tuple[str, ...]
    substitution_elasticity: float
    export_supply_elasticity: float
    notes: tuple[str, ...] = field(default=())

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Inputs and results side by side."""
        keep = [c for c in self.inputs.columns if c not in self.results.columns]
        return pd.concat([self.inputs[keep], self.results], axis=1)

    def to_frame(self) -> pd.DataFrame:
        """Per line x partner results (a copy)."""
        return self.frame.copy()

    def by_partner(self, *, extra: Sequence[str] = ()) -> pd.DataFrame:
        """Sums per partner (and ``extra`` keys such as ``year``)."""
        cols = ["imports_usd", *RESULT_COLUMNS]
        by = [*extra, "partner"]
        return self.frame.groupby(by, as_index=False, sort=True)[cols].sum()

    def totals(self, *, by: Sequence[str] = ()) -> pd.DataFrame | dict:
        """Market totals; a dict without ``by``, else a frame per ``by`` group.

        Total imports change by trade creation (+ price effect) only: diversion
        sums to zero over partners.
        """
        cols = ["imports_usd", *RESULT_COLUMNS]
        if by:
            return self.frame.groupby(list(by), as_index=False, sort=True)[cols].sum()
        return {c: float(self.frame[c].sum()) for c in cols}

    def summary(self) -> str:
        t = self.totals()
        lines = [
            f"SMART partial equilibrium: {len(self.frame):,} line x partner rows "
            f"(sigma={self.substitution_elasticity}, Ex={self.export_supply_elasticity})",
            f"  baseline imports   {t['imports_usd']:>18,.0f} USD",
            f"  trade creation     {t['trade_creation']:>18,.0f} USD",
            f"  trade diversion    {t['trade_diversion']:>18,.0f} USD (sums to zero over partners)",
            f"  price effect       {t['price_effect']:>18,.0f} USD",
            f"  tariff revenue     {t['revenue_change']:>18,.0f} USD change",
            f"  welfare (CS)       {t['welfare']:>18,.0f} USD",
        ]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


class SmartModel:
    """WITS-SMART over every line x partner of one or more markets at once.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per market x partner with columns ``hs6``, ``partner``,
        ``imports_usd`` (>= 0), ``tariff_old`` and ``tariff_new`` (fractions, >= 0)
        and optionally ``import_demand_elasticity`` (< 0, per row, usually per HS6),
        ``utilisation`` (preference-utilisation rate in [0, 1]; default 1) and any
        market keys (``reporter``, ``year``).
    substitution_elasticity : float, keyword-only
        Between partners' varieties (WITS default 1.5), >= 0.
    export_supply_elasticity : float, keyword-only
        Same for every partner (WITS default 99; ``np.inf`` allowed), > 0.
    import_demand_elasticity : float, keyword-only
        Used where the data have no per-row value (default
        :data:`DEFAULT_IMPORT_DEMAND_ELASTICITY`), < 0.
    keys : sequence of str, keyword-only
        Columns that identify a market; ``hs6`` is always one. Present columns of
        ``("reporter", "year")`` are added by default.

    Examples
    --------
    >>> df = pd.DataFrame({"hs6": ["740311"] * 2, "partner": ["PER", "CHL"],
    ...                    "imports_usd": [100.0, 300.0], "tariff_old": [0.05, 0.05],
    ...                    "tariff_new": [0.0, 0.05]})
    >>> res = SmartModel(df, import_demand_elasticity=-1.0).run()
    >>> abs(round(res.totals()["trade_diversion"], 9))
    0.0
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        substitution_elasticity: float = DEFAULT_SUBSTITUTION_ELASTICITY,
        export_supply_elasticity: float = DEFAULT_EXPORT_SUPPLY_ELASTICITY,
        import_demand_elasticity: float = DEFAULT_IMPORT_DEMAND_ELASTICITY,
        keys: Sequence[str] | None = None,
    ):
        if not isinstance(data, pd.DataFrame):
            raise TypeError("data must be a pandas DataFrame")
        missing = [c for c in REQUIRED_COLUMNS if c not in data.columns]
        if missing:
            raise DataFormatError(
                "SMART input",
                f"missing column(s) {', '.join(missing)}; expected {', '.join(REQUIRED_COLUMNS)}",
                field=missing[0],
            )
        if len(data) == 0:
            raise EmptySelectionError("SMART input has no rows (no trade for the selected lines and year)")
        if not np.isfinite(substitution_elasticity) or substitution_elasticity < 0:
            raise ValueError(f"substitution_elasticity must be >= 0, got {substitution_elasticity}")
        if not export_supply_elasticity > 0:
            raise ValueError(f"export_supply_elasticity must be > 0 (np.inf allowed), got {export_supply_elasticity}")
        if not (np.isfinite(import_demand_elasticity) and import_demand_elasticity < 0):
            raise ValueError(f"import_demand_elasticity must be negative (e.g. -1.5), got {import_demand_elasticity}")
        if keys is None:
            keys = [k for k in ("reporter", "year") if k in data.columns]
        keys = tuple(dict.fromkeys([*keys, "hs6"]))
        for k in keys:
            if k not in data.columns:
                raise DataFormatError("SMART input", f"market key column {k!r} is missing", field=k)
        self.data = (
            data
            if isinstance(data.index, pd.RangeIndex) and data.index.start == 0 and data.index.step == 1
            else data.reset_index(drop=True)
        )
        self.keys = keys
        self.substitution_elasticity = float(substitution_elasticity)
        self.export_supply_elasticity = float(export_supply_elasticity)
        self.import_demand_elasticity = float(import_demand_elasticity)

    def run(self) -> SmartResult:
        """Compute creation, diversion, price effect, revenue and welfare for every row."""
        df = self.data
        m = _check_number_column(df, "imports_usd", low=0.0, what="imports >= 0 (USD)")
        t0 = _check_number_column(df, "tariff_old", low=0.0, what="a tariff >= 0 as a fraction (0.06 = 6%)")
        t1 = _check_number_column(df, "tariff_new", low=0.0, what="a tariff >= 0 as a fraction (0.06 = 6%)")
        if "utilisation" in df.columns:
            u = _check_number_column(
                df, "utilisation", low=0.0, high=1.0, what="a preference-utilisation rate in [0, 1]"
            )
        else:
            u = np.ones(len(df))
        if "import_demand_elasticity" in df.columns:
            em = pd.to_numeric(df["import_demand_elasticity"], errors="coerce").to_numpy(dtype=float)
            em = np.where(np.isnan(em), self.import_demand_elasticity, em)
            bad = ~np.isfinite(em) | (em >= 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise DataFormatError(
                    "SMART input",
                    f"value {df['import_demand_elasticity'].iloc[i]!r}; expected a negative import-demand elasticity",
                    row=i + 1,
                    field="import_demand_elasticity",
                )
        else:
            em = np.full(len(df), self.import_demand_elasticity)
        groups = _codes(df, list(self.keys))
        pcodes = _codes(df, ["partner"])
        cell = pcodes + groups * (int(pcodes.max()) + 1)
        order = np.argsort(cell, kind="stable")
        same = cell[order][1:] == cell[order][:-1]
        if same.any():
            i = int(order[1:][same][0])
            raise DataFormatError(
                "SMART input", f"duplicate market x partner row {tuple(df.loc[i, [*self.keys, 'partner']])}", row=i + 1
            )
        t_eff = u * t1 + (1.0 - u) * t0
        ex = self.export_supply_elasticity

        tc = calc_trade_creation(m, t0, t_eff, em, export_supply_elasticity=ex) + 0.0  # no negative zeros
        td = calc_trade_diversion(m, t0, t_eff, groups, substitution_elasticity=self.substitution_elasticity) + 0.0
        pe = calc_price_effect(m, tc, export_supply_elasticity=ex) if np.isfinite(ex) else np.zeros(len(df))
        new = m + tc + td + pe
        revenue_old = t0 * m
        revenue_new = t_eff * new
        results = pd.DataFrame(
            {
                "import_demand_elasticity": em,
                "tariff_effective": t_eff,
                "trade_creation": tc,
                "trade_diversion": td,
                "price_effect": pe,
                "trade_total": tc + td + pe,
                "imports_new": new,
                "revenue_old": revenue_old,
                "revenue_new": revenue_new,
                "revenue_change": revenue_new - revenue_old,
                "welfare": 0.5 * (t0 - t_eff) * tc,
            },
            index=df.index,
        )
        return SmartResult(df, results, self.keys, self.substitution_elasticity, self.export_supply_elasticity)
