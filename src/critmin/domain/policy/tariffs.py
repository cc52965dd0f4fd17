"""Applied tariffs by HS code: the canonical table and the HS6 lookup SMART needs.

Canonical columns (one row per reporter x partner x year x HS code):

==========  ===========================================================================
reporter    ISO3 of the country applying the tariff (the importer)
partner     ISO3 of the exporter a preferential rate applies to, or ``WLD`` (MFN)
year        tariff year (int); a lookup for year ``Y`` uses the latest year <= ``Y``
hs          HS code, 2, 4 or 6 digits; a row applies to every HS6 line under it and
            the longest matching code wins (``740311`` before ``7403`` before ``74``)
rate        ad-valorem rate in percent (6.0 = 6 %); NaN = **unknown** (never guessed)
duty_type   ``MFN`` applied, ``PRF`` preferential, ``AHS`` effectively applied, ``BND`` bound
source      where the rate comes from (required when the rate is known)
note        free text
==========  ===========================================================================
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from critmin.tariff_frame import DUTY_TYPES, TARIFF_COLUMNS, DutyType, validate_tariff_frame

__all__ = [
    "DUTY_TYPES",
    "TARIFF_COLUMNS",
    "DutyType",
    "TariffTable",
    "mfn_for",
    "tariff_lookup",
    "unknown_lines",
    "validate_tariff_frame",
]


class TariffTable:
    """A validated tariff table with an HS6 lookup.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical tariff rows (see module docstring); validated on construction.
    """

    def __init__(self, frame: pd.DataFrame, *, file: str = "tariff table"):
        self.frame = validate_tariff_frame(frame, file=file)

    def __len__(self) -> int:
        return len(self.frame)

    def combine(self, other: "TariffTable") -> "TariffTable":
        """A new table in which rows of ``other`` replace rows of ``self`` with the same key."""
        key = ["reporter", "partner", "year", "hs", "duty_type"]
        both = pd.concat([self.frame, other.frame], ignore_index=True)
        return TariffTable(both.drop_duplicates(subset=key, keep="last"))

    def rates(
        self, reporter: str, hs6: Iterable[str], year: int, *, partner: str = "WLD", duty_type: DutyType = "MFN"
    ) -> pd.DataFrame:
        """Rate of every HS6 line for ``reporter`` in ``year``.

        The longest matching HS code wins; among its rows the latest year
        ``<= year``. A line with no matching row, or whose best row has an empty
        rate, is *unknown* (``rate`` NaN, ``known`` False): it is reported, never
        filled in.

        Returns
        -------
        pandas.DataFrame
            ``hs6, rate`` (fraction, 0.06 = 6 %), ``rate_pct``, ``known``,
            ``matched_hs``, ``tariff_year``, ``source``, ``note``.
        """
        if duty_type not in DUTY_TYPES:
            raise ValueError(f"duty_type must be one of {DUTY_TYPES}, got {duty_type!r}")
        lines = pd.Series(pd.unique(pd.Series(list(hs6), dtype=str)), dtype=str)
        sel = self.frame[
            (self.frame["reporter"] == reporter.upper())
            & (self.frame["partner"] == partner.upper())
            & (self.frame["duty_type"] == duty_type)
            & (self.frame["year"] <= int(year))
        ]
        sel = sel.sort_values("year").drop_duplicates(subset=["hs"], keep="last")
        out = pd.DataFrame({"hs6": lines})
        out["rate_pct"] = np.nan
        out["matched_hs"] = None
        out["tariff_year"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["source"] = ""
        out["note"] = ""
        done = np.zeros(len(out), dtype=bool)
        by_hs = sel.set_index("hs")
        for k in (6, 4, 2):
            prefix = out["hs6"].str[:k]
            hit = prefix.isin(by_hs.index).to_numpy() & ~done
            if not hit.any():
                continue
            rows = by_hs.loc[prefix[hit]]
            out.loc[hit, "rate_pct"] = rows["rate"].to_numpy()
            out.loc[hit, "matched_hs"] = rows.index.to_numpy()
            out.loc[hit, "tariff_year"] = rows["year"].to_numpy()
            out.loc[hit, "source"] = rows["source"].to_numpy()
            out.loc[hit, "note"] = rows["note"].to_numpy()
            done |= hit
        out["known"] = out["rate_pct"].notna()
        out["rate"] = out["rate_pct"] / 100.0
        return out[["hs6", "rate", "rate_pct", "known", "matched_hs", "tariff_year", "source", "note"]]

    def reporters(self) -> list[str]:
        return sorted(self.frame["reporter"].unique())


def unknown_lines(rates: pd.DataFrame) -> list[str]:
    """HS6 lines whose rate is unknown in a :meth:`TariffTable.rates` frame."""
    return sorted(rates.loc[~rates["known"], "hs6"].tolist())


def mfn_for(table: TariffTable, reporter: str, hs6: Sequence[str], year: int) -> pd.DataFrame:
    """Shorthand for the applied MFN rates of ``reporter``."""
    return table.rates(reporter, hs6, year, partner="WLD", duty_type="MFN")


def tariff_lookup(
    table: TariffTable,
    reporter: str,
    partners: Sequence[str],
    hs6: str,
    year: int,
    *,
    mapping: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Tariff (fraction) ``reporter`` applies to each partner's ``hs6`` in ``year``, with its basis.

    Order, first known wins: the ``{partner: rate}`` ``mapping`` (fractions) -> the partner's
    preferential (``PRF``) rate in ``table`` -> the MFN (``WLD``) rate in ``table`` -> unknown
    (NaN, basis ``unknown``; never guessed). Each table lookup is :meth:`TariffTable.rates`
    (longest HS code, latest year ``<= year``).

    Returns
    -------
    pandas.DataFrame
        ``partner, tariff_rate, tariff_basis`` (``user mapping``, ``PRF: <source>``, ``MFN: <source>``).
    """
    out = pd.DataFrame({"partner": list(partners)})
    out["tariff_rate"] = np.nan
    out["tariff_basis"] = "unknown"
    if mapping is not None:
        m = out["partner"].map({k.upper(): float(v) for k, v in mapping.items()})
        out.loc[m.notna(), "tariff_rate"] = m[m.notna()]
        out.loc[m.notna(), "tariff_basis"] = "user mapping"
    for i, p in enumerate(out["partner"]):
        if pd.notna(out.at[i, "tariff_rate"]):
            continue
        pref = table.rates(reporter, [hs6], year, partner=p, duty_type="PRF").iloc[0]
        if pref["known"]:
            out.at[i, "tariff_rate"], out.at[i, "tariff_basis"] = pref["rate"], f"PRF: {pref['source']}"
            continue
        mfn = table.rates(reporter, [hs6], year, partner="WLD", duty_type="MFN").iloc[0]
        if mfn["known"]:
            out.at[i, "tariff_rate"], out.at[i, "tariff_basis"] = mfn["rate"], f"MFN: {mfn['source']}"
    return out
