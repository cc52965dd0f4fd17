"""Warehouse management: build, status, and the auto-build a first command triggers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

import pandas as pd

from critmin.config import Settings
from critmin.errors import WarehouseError
from critmin.warehouse import Warehouse, open_warehouse
from critmin.warehouse.build import build
from critmin.warehouse.lock import build_lock

if TYPE_CHECKING:
    from critmin.sources.comtrade import Flow

#: how long a command that builds on first use waits for another build of the same home
AUTO_BUILD_WAIT_S = 600.0


class NotBuiltError(WarehouseError):
    """A table needed to answer is not in the warehouse and the settings are read-only."""

    def __init__(self, home, tables: Sequence[str], sources: Sequence[str]):
        self.tables, self.sources = list(tables), list(sources)
        command = "critmin data build" + "".join(f" {s}" for s in sources)
        what = ", ".join(tables) if tables else "the warehouse"
        super().__init__(f"not built: {what} (home {home}); run `{command}`")


def build_warehouse(settings: Settings, sources: Iterable[str] | None = None, *, progress: bool = True) -> Warehouse:
    """Fetch, parse, validate and publish the selected (default: all default) sources."""
    return build(settings, list(sources) if sources else None, progress=progress)


def ensure_warehouse(settings: Settings, *, progress: bool = True) -> Warehouse:
    """The live warehouse; build it from the default sources if there is none yet.

    With ``settings.read_only`` (the web app) nothing is built: a missing warehouse
    raises :class:`NotBuiltError`. A build running in another process is waited for
    (up to :data:`AUTO_BUILD_WAIT_S`) and its result used.
    """
    try:
        return open_warehouse(settings)
    except WarehouseError:
        if settings.read_only:
            raise NotBuiltError(settings.home, [], []) from None
    with build_lock(settings, wait=AUTO_BUILD_WAIT_S):
        try:
            return open_warehouse(settings)  # built meanwhile by the build we waited for
        except WarehouseError:
            return build(settings, progress=progress)


def sources_of(tables: Iterable[str]) -> list[str]:
    """The connectors (names, sorted) that produce any of ``tables``."""
    from critmin.sources import registry

    wanted = set(tables)
    return sorted({s.name for s in registry().values() if set(s.tables) & wanted})


def ensure_tables(settings: Settings, tables: Sequence[str], *, progress: bool = False) -> Warehouse:
    """The live warehouse holding ``tables``: built on first use, missing sources (re)built.

    With ``settings.read_only`` nothing is built or fetched: a missing table raises
    :class:`NotBuiltError` naming ``critmin data build <source>`` (HTTP 503 in the web app).
    """
    if settings.read_only:
        try:
            wh = open_warehouse(settings)
        except WarehouseError:
            raise NotBuiltError(settings.home, list(tables), sources_of(tables)) from None
        missing = [t for t in tables if not wh.has(t)]
        if missing:
            raise NotBuiltError(settings.home, missing, sources_of(missing))
        return wh
    wh = ensure_warehouse(settings, progress=progress)
    missing = [t for t in tables if not wh.has(t)]
    if missing and sources_of(missing):
        with build_lock(settings, wait=AUTO_BUILD_WAIT_S):
            wh = open_warehouse(settings)
            missing = [t for t in tables if not wh.has(t)]
            if missing and sources_of(missing):
                wh = build(settings, sources_of(missing), progress=progress)
    return wh


def warehouse_status(settings: Settings) -> dict:
    """Where the warehouse is, which tables it holds, and their provenance."""
    wh = open_warehouse(settings)
    prov = wh.provenance()
    tables = []
    for t in wh.tables():
        p = prov[prov["table"] == t]
        first = p.iloc[0] if len(p) else None
        tables.append(
            {
                "table": t,
                "rows": int(first["rows"]) if first is not None else None,
                "source": first["source"] if first is not None else None,
                "release": first["release"] if first is not None else None,
                "files": sorted(set(p["file"])) if len(p) else [],
                "built_at": first["built_at"] if first is not None else None,
                "licence": first["licence"] if first is not None else None,
            }
        )
    return {
        "home": str(settings.home),
        "build": wh.path.name,
        "tables": tables,
        "provenance": prov.to_dict(orient="records"),
    }


def provenance_frame(settings: Settings) -> pd.DataFrame:
    return open_warehouse(settings).provenance()


def fetch_comtrade_flows(
    settings: Settings,
    reporter: str,
    partners: list[str] | None,
    hs_codes: list[str],
    years: list[int],
    *,
    flow: Flow = "import",
    key: str | None = None,
) -> Warehouse:
    """Ask UN Comtrade (user's key) for flows, keep them in the cache, publish ``comtrade_flows``."""
    from critmin.sources.comtrade import comtrade_cache_path, fetch_comtrade

    fetch_comtrade(reporter, partners or None, hs_codes, years, flow, key=key, out=comtrade_cache_path(settings))
    return build(settings, ["comtrade"], progress=False)
