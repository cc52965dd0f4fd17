"""The canonical tariff frame: its columns, duty types and validator (no domain rules).

A neutral module: connectors (:mod:`critmin.sources.tariffs`) return frames checked here, and
the domain's :class:`~critmin.domain.policy.tariffs.TariffTable` validates with the same function.

Canonical columns (one row per reporter x partner x year x HS code):

==========  ===========================================================================
reporter    ISO3 of the country applying the tariff (the importer)
partner     ISO3 of the exporter a preferential rate applies to, or ``WLD`` (MFN)
year        tariff year (int)
hs          HS code, 2, 4 or 6 digits (text, leading zeros kept)
rate        ad-valorem rate in percent (6.0 = 6 %); NaN = **unknown** (never guessed)
duty_type   ``MFN`` applied, ``PRF`` preferential, ``AHS`` effectively applied, ``BND`` bound
source      where the rate comes from (required when the rate is known)
note        free text
==========  ===========================================================================
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from critmin.errors import DataFormatError

TARIFF_COLUMNS = ["reporter", "partner", "year", "hs", "rate", "duty_type", "source", "note"]
DUTY_TYPES = ("MFN", "PRF", "AHS", "BND")
DutyType = Literal["MFN", "PRF", "AHS", "BND"]


def validate_tariff_frame(df: pd.DataFrame, *, file: str = "tariff table") -> pd.DataFrame:
    """Check and normalise a tariff frame to the canonical columns and types.

    Raises
    ------
    DataFormatError
        Names the file, 1-based row and field of the first bad value.
    """
    df = df.copy()
    for col, default in (("duty_type", None), ("note", ""), ("partner", "WLD")):
        if col not in df.columns:
            df[col] = default
    missing = [c for c in ("reporter", "year", "hs", "rate", "source") if c not in df.columns]
    if missing:
        raise DataFormatError(
            file, f"missing column(s) {', '.join(missing)}; expected {', '.join(TARIFF_COLUMNS)}", field=missing[0]
        )
    df = df.reset_index(drop=True)
    for col in ("reporter", "partner"):
        s = df[col].astype("string").str.strip().str.upper()
        bad = ~s.fillna("").str.fullmatch(r"[A-Z]{3}")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFormatError(
                file, f"{df[col].iloc[i]!r} is not an ISO3 country code (WLD for MFN)", row=i + 1, field=col
            )
        df[col] = s.astype(str)
    hs = df["hs"].astype("string").str.strip().str.replace(".", "", regex=False)
    bad = ~hs.fillna("").str.fullmatch(r"\d{2}|\d{4}|\d{6}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(
            file,
            f"{df['hs'].iloc[i]!r} is not an HS code of 2, 4 or 6 digits (read HS codes as text to keep leading zeros)",
            row=i + 1,
            field="hs",
        )
    df["hs"] = hs.astype(str)
    year = pd.to_numeric(df["year"], errors="coerce")
    bad = year.isna() | (year < 1900) | (year > 2100) | (year % 1 != 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(file, f"{df['year'].iloc[i]!r} is not a year", row=i + 1, field="year")
    df["year"] = year.astype("int64")
    raw_rate = df["rate"].astype("string").str.strip()
    rate = pd.to_numeric(raw_rate.replace({"": None}), errors="coerce")
    bad = (rate.isna() & raw_rate.fillna("").ne("")) | (rate < 0) | (rate > 1000)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(
            file,
            f"{df['rate'].iloc[i]!r} is not an ad-valorem rate in percent (0-1000; empty = unknown)",
            row=i + 1,
            field="rate",
        )
    df["rate"] = rate.astype(float)
    dt = df["duty_type"].astype("string").str.strip().str.upper()
    dt = dt.mask(dt.isna() | dt.eq(""), np.where(df["partner"].eq("WLD"), "MFN", "PRF"))
    bad = ~dt.isin(DUTY_TYPES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(
            file,
            f"{df['duty_type'].iloc[i]!r} is not a duty type; expected one of {', '.join(DUTY_TYPES)}",
            row=i + 1,
            field="duty_type",
        )
    df["duty_type"] = dt.astype(str)
    df["source"] = df["source"].astype("string").fillna("").str.strip().astype(str)
    nosrc = df["rate"].notna() & df["source"].eq("")
    if nosrc.any():
        i = int(np.flatnonzero(nosrc.to_numpy())[0])
        raise DataFormatError(
            file, "a known rate needs a source (publisher, schedule or notification)", row=i + 1, field="source"
        )
    df["note"] = df["note"].astype("string").fillna("").astype(str)
    return df[TARIFF_COLUMNS]
