"""Load critmin's own classification tables shipped with the package (CSV next to this file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
PRODUCTS_CSV = HERE / "products.csv"
REGIONS_CSV = HERE / "regions.csv"
METAL_CONTENT_CSV = HERE / "metal_content.csv"


@lru_cache(maxsize=1)
def products_table() -> pd.DataFrame:
    """HS6 -> mineral -> value-chain stage (one row per ``hs6, mineral``)."""
    df = pd.read_csv(PRODUCTS_CSV, dtype=str, keep_default_na=False)
    df["basket"] = df["basket"].eq("true")
    return df


@lru_cache(maxsize=1)
def regions_table() -> pd.DataFrame:
    """ISO3 -> World Bank region and UN M49 region / subregion / intermediate region."""
    df = pd.read_csv(REGIONS_CSV, dtype=str, keep_default_na=False)
    df["wb_listed"] = df["wb_listed"].eq("true")
    return df


@lru_cache(maxsize=1)
def metal_content_table() -> pd.DataFrame:
    """Standard metal-content and lithium-carbonate-equivalent factors."""
    df = pd.read_csv(METAL_CONTENT_CSV, dtype={"hs6": str}, keep_default_na=False)
    df["lce_factor"] = pd.to_numeric(df["lce_factor"].replace("", None))
    df["metal_fraction"] = df["metal_fraction"].astype(float)
    return df
