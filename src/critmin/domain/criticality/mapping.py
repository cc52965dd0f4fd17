"""Trade and production tables mapped onto (mineral, value-chain stage) for criticality (pure rules).

* :func:`select_product_codes` — HS6 codes -> mineral and ``extraction``/``processing``;
* :func:`production_by_stage` — USGS production by mineral, stage and country in the latest year;
* :func:`mineral_trade` — one year's trade flows of the mapped codes;
* :func:`check_reporter` — the reporter is a bloc or an ISO3 code in the data.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from critmin.domain.criticality.flows import PRODUCT_STAGE_TO_CHAIN
from critmin.errors import UnknownCodeError

# USGS stage word -> value-chain stage; "production" is resolved per mineral below
USGS_STAGE_TO_CHAIN = {
    "mine": "extraction",
    "refinery": "processing",
    "smelter": "processing",
    "primary": "processing",
    "plant": "processing",
}
USGS_PRODUCTION_IS_PROCESSING = {"arsenic", "helium", "silicon", "titanium_metal", "sulfur", "iron_steel"}
# source mineral name -> assessed material (applied at once, not in a chain): bauxite is scored as aluminium;
# titanium is two materials, as in the EU 2023 assessment: "titanium" (ilmenite and rutile concentrates,
# USGS "Titanium Mineral Concentrates") and "titanium_metal" (sponge: USGS "Titanium Sponge Metal", HS 810820)
USGS_MINERAL_ALIAS = {"bauxite": "aluminium", "titanium_concentrates": "titanium", "titanium": "titanium_metal"}
PRODUCTION_COLUMNS = ["mineral", "chain_stage", "iso3", "tonnes", "year", "unit"]
PRODUCT_MAP_COLUMNS = ["hs6", "mineral", "stage", "chain_stage", "basket", "mapping_source"]


def select_product_codes(products: pd.DataFrame, source: str) -> pd.DataFrame:
    """HS6 -> ``mineral`` and value-chain ``chain_stage`` (extraction/processing) from a products table.

    Rules: ``ore`` -> extraction; ``intermediate`` and ``refined`` -> processing; ``product`` codes are
    kept (as processing) only for a mineral that has no ``intermediate``/``refined`` code (e.g.
    ``magnets``); a basket code (one that also covers other goods) is kept only for a mineral that has
    no non-basket code at all (e.g. ``helium``, ``gallium``). Mineral aliases (``bauxite`` ->
    ``aluminium``) follow :data:`USGS_MINERAL_ALIAS`. ``source`` labels the mapping.
    """
    p = products.copy()
    if "basket" not in p:
        p["basket"] = False
    p["basket"] = p["basket"].fillna(False).astype(bool)
    p["mineral"] = p["mineral"].replace(USGS_MINERAL_ALIAS)
    p = p.drop_duplicates(["hs6", "mineral"])
    has_mid = p[p["stage"].isin(["intermediate", "refined"])].groupby("mineral").size()
    p = p[(p["stage"] != "product") | ~p["mineral"].isin(has_mid.index)]
    has_plain = p[~p["basket"]].groupby("mineral").size()
    p = p[~p["basket"] | ~p["mineral"].isin(has_plain.index)]
    p["chain_stage"] = p["stage"].map(PRODUCT_STAGE_TO_CHAIN)
    p["mapping_source"] = source
    return p.dropna(subset=["chain_stage"])[PRODUCT_MAP_COLUMNS]


def production_by_stage(production: pd.DataFrame, year: int) -> pd.DataFrame:
    """USGS production by (mineral, chain_stage, iso3) in tonnes for the latest year ``<= year`` of each.

    From table ``mineral_production``: world totals and "rounded" statistics are left out, minerals
    renamed by :data:`USGS_MINERAL_ALIAS`, USGS stages mapped by :data:`USGS_STAGE_TO_CHAIN` (plain
    ``production`` is processing for :data:`USGS_PRODUCTION_IS_PROCESSING`, else extraction), negative
    amounts dropped; ``tonnes`` is ``value_tonnes`` where given, else ``value``.
    """
    p = production
    p = p[
        p["mineral"].notna()
        & p["iso3"].notna()
        & (p["iso3"] != "WLD")
        & ~p["statistics_detail"].str.contains("rounded", case=False, na=False)
        & (p["year"] <= year)
    ]
    p = p.assign(mineral=p["mineral"].replace(USGS_MINERAL_ALIAS))
    chain = p["stage"].map(USGS_STAGE_TO_CHAIN)
    prod_stage = np.where(p["mineral"].isin(USGS_PRODUCTION_IS_PROCESSING), "processing", "extraction")
    p = p.assign(chain_stage=chain.where(p["stage"] != "production", prod_stage))
    amount = p["value_tonnes"] if "value_tonnes" in p else p["value"]
    p = p.assign(tonnes=amount.fillna(p["value"])).dropna(subset=["tonnes", "chain_stage"])
    p = p[p["tonnes"] >= 0]
    latest = p.groupby(["mineral", "chain_stage"])["year"].transform("max")
    p = p[p["year"] == latest]
    return p.groupby(["mineral", "chain_stage", "iso3"], as_index=False).agg(
        tonnes=("tonnes", "sum"), year=("year", "first"), unit=("unit", "first")
    )


def mineral_trade(trade: pd.DataFrame, product_map: pd.DataFrame) -> pd.DataFrame:
    """One year's trade flows of the mapped HS6 codes, with ``mineral, chain_stage``; trade with oneself dropped."""
    t = trade.merge(product_map[["hs6", "mineral", "chain_stage"]], on="hs6", how="inner")
    return t[t["exporter"] != t["importer"]]


def check_reporter(reporter: str, trade: pd.DataFrame, governance: pd.DataFrame, blocs: Collection[str]) -> None:
    """A reporter is a bloc or an upper-case ISO3 code present in ``trade`` or ``governance``.

    Raises
    ------
    UnknownCodeError
        Not an ISO3 code, or one absent from both tables.
    """
    known = set(trade["exporter"]) | set(trade["importer"]) | set(governance["country"])
    if reporter in blocs:
        return
    if not (isinstance(reporter, str) and len(reporter) == 3 and reporter.isupper()):
        raise UnknownCodeError(
            "country", reporter, hint=f"expected an ISO3 code such as IND or a bloc ({', '.join(blocs)})"
        )
    if reporter not in known:
        raise UnknownCodeError(
            "country", reporter, where="trade_flows and governance", hint="expected an ISO3 code present in the data"
        )
