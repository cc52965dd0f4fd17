"""Typed run-time settings: where state lives and where raw files come from.

All state (download cache, warehouse, ingested articles) lives under
``CRITMIN_HOME`` (default ``~/.critmin``) so that two homes never interfere.
``CRITMIN_MIRROR`` (or ``--mirror DIR``) names a folder that holds the
publishers' raw files; when set, connectors read from it instead of the network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Immutable settings object passed down explicitly (no globals).

    Attributes
    ----------
    home : Path
        Root of all critmin state.
    mirror : Path or None
        Folder laid out like the publishers' raw files (``baci/``, ``usgs/``...).
    offline : bool
        Never touch the network; fail clearly when a file is neither cached nor mirrored.
    read_only : bool
        Serve the warehouse as it is: never build, fetch or write (the web app). A missing
        table is a :class:`~critmin.errors.WarehouseError` naming the command that builds it.
    """

    home: Path
    mirror: Path | None = None
    offline: bool = False
    read_only: bool = False

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def news_dir(self) -> Path:
        return self.home / "news"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def load_settings(
    *, home: str | Path | None = None, mirror: str | Path | None = None, offline: bool | None = None
) -> Settings:
    """Build :class:`Settings` from arguments, then environment, then defaults."""
    home_path = Path(home or os.environ.get("CRITMIN_HOME") or Path.home() / ".critmin").expanduser()
    mirror_value = mirror or os.environ.get("CRITMIN_MIRROR") or None
    mirror_path = Path(mirror_value).expanduser().resolve() if mirror_value else None
    if mirror_path is not None and not mirror_path.is_dir():
        from critmin.errors import ConfigError

        raise ConfigError(f"mirror folder {mirror_path} does not exist (set by --mirror or CRITMIN_MIRROR)")
    if offline is None:
        offline = os.environ.get("CRITMIN_OFFLINE", "").lower() in {"1", "true", "yes"}
    return Settings(home=home_path.resolve(), mirror=mirror_path, offline=bool(offline))
