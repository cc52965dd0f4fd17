"""Warehouse management: build, status, and the auto-build a first command triggers."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from critmin.config import Settings
from critmin.errors import WarehouseError
from critmin.warehouse import Warehouse, open_warehouse
from critmin.warehouse.build import build


def build_warehouse(settings: Settings, sources: Iterable[str] | None = None, *,
                    progress: bool = True) -> Warehouse:
    """Fetch, parse, validate and publish the selected (default: all default) sources."""
    return build(settings, list(sources) if sources else None, progress=progress)


def ensure_warehouse(settings: Settings, *, progress: bool = True) -> Warehouse:
    """The live warehouse; build it from the default sources if there is none yet."""
    try:
        return open_warehouse(settings)
    except WarehouseError:
        return build(settings, progress=progress)


def warehouse_status(settings: Settings) -> dict:
    """Where the warehouse is, which tables it holds, and their provenance."""
    wh = open_warehouse(settings)
    prov = wh.provenance()
    tables = []
    for t in wh.tables():
        p = prov[prov["table"] == t]
        first = p.iloc[0] if len(p) else None
        tables.append({
            "table": t,
            "rows": int(first["rows"]) if first is not None else None,
            "source": first["source"] if first is not None else None,
            "release": first["release"] if first is not None else None,
            "files": sorted(set(p["file"])) if len(p) else [],
            "built_at": first["built_at"] if first is not None else None,
            "licence": first["licence"] if first is not None else None,
        })
    return {"home": str(settings.home), "build": wh.path.name, "tables": tables,
            "provenance": prov.to_dict(orient="records")}


def provenance_frame(settings: Settings) -> pd.DataFrame:
    return open_warehouse(settings).provenance()


def fetch_comtrade_flows(settings: Settings, reporter: str, partners: list[str] | None, hs_codes: list[str],
                         years: list[int], *, flow: str = "import", key: str | None = None) -> Warehouse:
    """Ask UN Comtrade (user's key) for flows, keep them in the cache, publish ``comtrade_flows``."""
    from critmin.sources.comtrade import comtrade_cache_path, fetch_comtrade

    fetch_comtrade(reporter, partners or None, hs_codes, years, flow, key=key,
                   out=comtrade_cache_path(settings))
    return build(settings, ["comtrade"], progress=False)
