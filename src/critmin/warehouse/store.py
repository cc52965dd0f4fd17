"""The live warehouse: locate, read, and replace tables atomically."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping

import duckdb
import pandas as pd

from critmin.config import Settings
from critmin.errors import WarehouseError

PROVENANCE_COLUMNS = ["table", "source", "title", "publisher", "release", "file", "url", "sha256",
                      "origin", "fetched_at", "built_at", "rows", "licence"]


class Warehouse:
    """Read access to one build of the warehouse.

    Parameters
    ----------
    path : Path
        The build folder (``builds/<id>``).
    root : Path, optional
        The warehouse folder holding ``CURRENT``. A handle that has one follows
        the live build: once its build has been pruned (two rebuilds later) it
        reopens the build ``CURRENT`` names instead of failing.
    """

    def __init__(self, path: Path, root: Path | None = None):
        self._path = Path(path)
        self._root = Path(root) if root is not None else None

    @property
    def path(self) -> Path:
        if self._root is not None and not self._path.is_dir():
            live = _live_build(self._root)
            if live is not None:
                self._path = live
        return self._path

    # -- discovery -------------------------------------------------------
    def tables(self) -> list[str]:
        return sorted(p.stem for p in self.path.glob("*.parquet") if p.stem != "provenance")

    def has(self, table: str) -> bool:
        return (self.path / f"{table}.parquet").exists()

    def table_path(self, table: str) -> Path:
        p = self.path / f"{table}.parquet"
        if not p.exists():
            raise WarehouseError(f"table '{table}' is not in the warehouse at {self.path}; "
                                 f"run `critmin data build` (tables present: {', '.join(self.tables()) or 'none'})")
        return p

    # -- reading ---------------------------------------------------------
    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Read a whole table into pandas (use :mod:`critmin.engine` for big tables)."""
        return pd.read_parquet(self.table_path(table), columns=columns)

    def provenance(self) -> pd.DataFrame:
        p = self.path / "provenance.parquet"
        return pd.read_parquet(p) if p.exists() else pd.DataFrame(columns=PROVENANCE_COLUMNS)

    def provenance_of(self, table: str) -> pd.DataFrame:
        prov = self.provenance()
        return prov[prov["table"] == table]

    def duckdb(self) -> duckdb.DuckDBPyConnection:
        """A read-only DuckDB connection to the catalogue (views over every table).

        The views name their Parquet files relative to the build folder, which
        is set as DuckDB's ``file_search_path``: the catalogue stays valid when
        the home folder is moved.
        """
        path = self.path
        con = duckdb.connect(str(path / "catalog.duckdb"), read_only=True)
        con.execute(f"SET file_search_path = '{_sql_text(path.as_posix())}'")
        return con


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _root(settings: Settings) -> Path:
    return settings.warehouse_dir


def _live_build(root: Path) -> Path | None:
    try:
        name = (root / "CURRENT").read_text().strip()
    except OSError:
        return None
    path = root / "builds" / name
    return path if name and path.is_dir() else None


def open_warehouse(settings: Settings) -> Warehouse:
    """The live warehouse, or a clear error telling how to build one."""
    current = _root(settings) / "CURRENT"
    if not current.exists():
        raise WarehouseError(f"no warehouse under {settings.home}; run `critmin data build` first")
    path = _root(settings) / "builds" / current.read_text().strip()
    if not path.is_dir():
        raise WarehouseError(f"the warehouse pointer names {path.name}, which is missing; rebuild with "
                             f"`critmin data build`")
    return Warehouse(path, root=_root(settings))


def ensure_writable(settings: Settings) -> None:
    """Refuse to build or publish with read-only settings (the web app serves, it never builds)."""
    if getattr(settings, "read_only", False):
        raise WarehouseError(f"the warehouse under {settings.home} is opened read-only; build it with "
                             f"`critmin data build`")


def clean_leftovers(settings: Settings) -> list[Path]:
    """Remove what a killed build left: ``builds/*.partial`` and ``tmp/build-*`` folders.

    Call only while holding the build lock (no other build can be running).
    Returns the removed paths.
    """
    removed: list[Path] = []
    candidates = []
    builds = _root(settings) / "builds"
    if builds.is_dir():
        candidates += [p for p in builds.iterdir() if p.name.endswith(".partial")]
    tmp = settings.home / "tmp"
    if tmp.is_dir():
        candidates += [p for p in tmp.iterdir() if p.name.startswith("build-") or p.suffix == ".parquet"]
    for p in candidates:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def _new_build_dir(settings: Settings) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    path = _root(settings) / "builds" / f"{stamp}-{uuid.uuid4().hex[:6]}.partial"
    path.mkdir(parents=True)
    return path


def _carry_over(previous: Warehouse | None, dest: Path, skip: set[str]) -> pd.DataFrame:
    """Hard-link (or copy) the tables not being rebuilt; return their provenance."""
    if previous is None:
        return pd.DataFrame(columns=PROVENANCE_COLUMNS)
    for table in previous.tables():
        if table in skip:
            continue
        src = previous.path / f"{table}.parquet"
        try:
            os.link(src, dest / src.name)
        except OSError:
            shutil.copy2(src, dest / src.name)
    prov = previous.provenance()
    return prov[~prov["table"].isin(skip)]


def write_catalog(build: Path, tables: list[str]) -> None:
    """(Re)write ``catalog.duckdb``: one view per Parquet table, plus provenance."""
    db = build / "catalog.duckdb"
    tmp = build / "catalog.duckdb.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        # views name their files relative to the build folder, so the catalogue stays valid when the
        # home folder moves; readers set the same search path (Warehouse.duckdb)
        con.execute(f"SET file_search_path = '{_sql_text(build.as_posix())}'")
        for t in tables + ["provenance"]:
            con.execute(f"CREATE VIEW \"{t}\" AS SELECT * FROM read_parquet('{_sql_text(t)}.parquet')")
    finally:
        con.close()
    os.replace(tmp, db)


def _publish(settings: Settings, build: Path, keep: int = 2) -> Warehouse:
    write_catalog(build, Warehouse(build).tables())
    final = build.with_name(build.name.removesuffix(".partial"))
    os.replace(build, final)
    pointer = _root(settings) / "CURRENT"
    tmp = pointer.with_name("CURRENT.tmp")
    tmp.write_text(final.name)
    os.replace(tmp, pointer)
    builds = sorted(p for p in (_root(settings) / "builds").iterdir() if not p.name.endswith(".partial"))
    for old in builds[:-keep]:
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return Warehouse(final, root=_root(settings))


def write_parquet_atomic(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    # microsecond timestamps: readable by every engine (Spark rejects nanoseconds)
    df.to_parquet(tmp, index=False, coerce_timestamps="us", allow_truncated_timestamps=True)
    os.replace(tmp, path)


def replace_tables(settings: Settings, frames: Mapping[str, pd.DataFrame | Path],
                   provenance: pd.DataFrame, *, before_publish: Callable[[], None] | None = None,
                   wait: float = 30.0) -> Warehouse:
    """Publish a new build in which ``frames`` replace (or add) tables.

    Every other table is carried over unchanged. Nothing of the live build is
    modified; on any error the partial folder is removed and the live
    warehouse stays as it was. Holds the build lock of the home (waiting up
    to ``wait`` seconds for a running build); ``before_publish()`` is called
    just before the new build goes live and may raise to stop it.
    """
    from critmin.warehouse.lock import build_lock

    ensure_writable(settings)
    with build_lock(settings, wait=wait):
        try:
            return _replace_tables(settings, frames, provenance, before_publish)
        except OSError as exc:
            raise WarehouseError(f"cannot write the warehouse under {settings.home}: "
                                 f"{exc.strerror or exc} ({exc.filename or ''})") from None


def _replace_tables(settings: Settings, frames: Mapping[str, pd.DataFrame | Path], provenance: pd.DataFrame,
                    before_publish: Callable[[], None] | None) -> Warehouse:
    try:
        previous = open_warehouse(settings)
    except WarehouseError:
        previous = None
    builds = _root(settings) / "builds"
    if builds.is_dir():
        for p in builds.iterdir():  # a killed build's folder (we hold the lock: nobody else is writing)
            if p.name.endswith(".partial"):
                shutil.rmtree(p, ignore_errors=True)
    build = _new_build_dir(settings)
    try:
        prov = _carry_over(previous, build, set(frames))
        for name, obj in frames.items():
            dest = build / f"{name}.parquet"
            if isinstance(obj, pd.DataFrame):
                write_parquet_atomic(obj, dest)
            else:
                shutil.move(str(obj), dest)
        prov = pd.concat([prov, provenance.reindex(columns=PROVENANCE_COLUMNS)], ignore_index=True) \
            if len(prov) else provenance.reindex(columns=PROVENANCE_COLUMNS)
        write_parquet_atomic(prov.astype({"rows": "int64"}), build / "provenance.parquet")
        if before_publish is not None:
            before_publish()
        return _publish(settings, build)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
