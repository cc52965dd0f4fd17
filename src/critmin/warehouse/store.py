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

PROVENANCE_COLUMNS = [
    "table",
    "source",
    "title",
    "publisher",
    "release",
    "file",
    "url",
    "sha256",
    "origin",
    "fetched_at",
    "built_at",
    "rows",
    "licence",
]
#: Types of the partition keys of a partitioned table (``trade_flows/year=2024/part-0.parquet``). A
#: partition's files do not hold the key column; readers put it back with this type, first in the table.
PARTITION_TYPES = {"year": ("SMALLINT", "int16")}


def is_dataset(path: Path) -> bool:
    """Whether ``path`` (in a build folder) is a partitioned table: any folder there but hidden or temporary ones.

    A partitioned table is a folder of ``key=value`` folders of Parquet files; a build folder holds
    no other folders.
    """
    return path.is_dir() and not path.name.endswith((".tmp", ".partial")) and not path.name.startswith((".", "_"))


def partition_keys(dataset: Path) -> list[str]:
    """The hive partition keys of a dataset folder, outermost first (``["year"]`` for ``year=2024/``)."""
    keys: list[str] = []
    level = Path(dataset)
    while True:
        sub = next((p for p in sorted(level.iterdir()) if p.is_dir() and "=" in p.name), None)
        if sub is None:
            return keys
        keys.append(sub.name.split("=", 1)[0])
        level = sub


def dataset_files(dataset: Path) -> list[Path]:
    """Every Parquet file of a dataset folder, sorted (hidden and ``_`` files skipped, as every engine does)."""
    return sorted(
        p
        for p in Path(dataset).rglob("*.parquet")
        if not any(part.startswith((".", "_")) for part in p.relative_to(dataset).parts)
    )


def parquet_rows(path: Path) -> int:
    """Rows of a Parquet table: one file, or the sum over a dataset folder's files (from the footers)."""
    import pyarrow.parquet as pq

    files = dataset_files(path) if Path(path).is_dir() else [Path(path)]
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def scan_sql(path: Path | str, keys: list[str] | None = None) -> str:
    """The DuckDB relation reading one table: ``read_parquet(...)`` of its file or of its dataset folder.

    ``keys`` ``None``: ``path`` is one Parquet file. Otherwise ``path`` is a dataset
    folder with these partition keys (:func:`partition_keys`), read with
    ``hive_partitioning=true``; the keys get the types of :data:`PARTITION_TYPES`
    and come first, so the relation has the columns, order and types of the same
    table written as one file. ``path`` may be relative to DuckDB's
    ``file_search_path`` (the catalogue's views).
    """
    text = _sql_text(Path(path).as_posix())
    if keys is None:
        return f"read_parquet('{text}')"
    if not keys:
        return f"read_parquet('{text}/**/*.parquet')"
    types = ", ".join(f"'{k}': '{PARTITION_TYPES[k][0]}'" for k in keys if k in PARTITION_TYPES)
    hive = "hive_partitioning=true" + (f", hive_types={{{types}}}" if types else "")
    quoted = ", ".join(f'"{k}"' for k in keys)
    return f"(SELECT {quoted}, * EXCLUDE ({quoted}) FROM read_parquet('{text}', {hive}))"


def read_dataset(dataset: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A dataset folder into pandas: partition keys first with their :data:`PARTITION_TYPES` types."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    keys = partition_keys(dataset)
    arrow = {"int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64(), "string": pa.string()}
    part = ds.partitioning(
        pa.schema([(k, arrow[PARTITION_TYPES.get(k, ("VARCHAR", "string"))[1]]) for k in keys]), flavor="hive"
    )
    data = ds.dataset(
        [str(f) for f in dataset_files(dataset)], format="parquet", partitioning=part, partition_base_dir=str(dataset)
    )
    names = columns if columns is not None else keys + [n for n in data.schema.names if n not in keys]
    return data.to_table(columns=names).to_pandas()


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
        files = [p.stem for p in self.path.glob("*.parquet") if p.stem != "provenance"]
        return sorted(files + [p.name for p in self.path.iterdir() if is_dataset(p)])

    def has(self, table: str) -> bool:
        return (self.path / f"{table}.parquet").exists() or is_dataset(self.path / table)

    def is_partitioned(self, table: str) -> bool:
        """Whether ``table`` is a hive-partitioned dataset folder (``trade_flows/year=2024/...``)."""
        return is_dataset(self.path / table)

    def table_path(self, table: str) -> Path:
        """The table's Parquet file, or for a partitioned table its dataset folder.

        Every engine reads either as it is: DuckDB ``read_parquet`` (hive partitions
        detected), Spark ``read.parquet``, pandas/pyarrow ``read_parquet``.
        """
        p = self.path / f"{table}.parquet"
        if p.exists():
            return p
        if is_dataset(self.path / table):
            return self.path / table
        raise WarehouseError(
            f"table '{table}' is not in the warehouse at {self.path}; "
            f"run `critmin data build` (tables present: {', '.join(self.tables()) or 'none'})"
        )

    def scan_sql(self, table: str) -> str:
        """The DuckDB relation of ``table`` (:func:`scan_sql`): same columns and types, file or dataset."""
        path = self.table_path(table)
        return scan_sql(path, partition_keys(path) if path.is_dir() else None)

    def columns(self, table: str) -> list[str]:
        """The table's column names in order (partition keys first), from the Parquet schema."""
        import pyarrow.parquet as pq

        path = self.table_path(table)
        if not path.is_dir():
            return list(pq.read_schema(path).names)
        keys = partition_keys(path)
        files = dataset_files(path)
        return keys + [n for n in (pq.read_schema(files[0]).names if files else []) if n not in keys]

    # -- reading ---------------------------------------------------------
    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Read a whole table into pandas (use :mod:`critmin.engine` for big tables)."""
        path = self.table_path(table)
        if path.is_dir():
            return read_dataset(path, columns)
        return pd.read_parquet(path, columns=columns)

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
        raise WarehouseError(
            f"the warehouse pointer names {path.name}, which is missing; rebuild with `critmin data build`"
        )
    return Warehouse(path, root=_root(settings))


def ensure_writable(settings: Settings) -> None:
    """Refuse to build or publish with read-only settings (the web app serves, it never builds)."""
    if getattr(settings, "read_only", False):
        raise WarehouseError(
            f"the warehouse under {settings.home} is opened read-only; build it with `critmin data build`"
        )


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
        src = previous.table_path(table)
        if src.is_dir():
            shutil.copytree(src, dest / src.name, copy_function=link_or_copy)
        else:
            link_or_copy(src, dest / src.name)
    prov = previous.provenance()
    return prov[~prov["table"].isin(skip)]


def link_or_copy(src: "Path | str", dest: "Path | str") -> None:
    """Hard-link ``src`` at ``dest`` (same file system, no bytes copied), else copy it."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


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
            scan = scan_sql(t, partition_keys(build / t)) if is_dataset(build / t) else scan_sql(f"{t}.parquet")
            con.execute(f'CREATE VIEW "{t}" AS SELECT * FROM {scan}')
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


def replace_tables(
    settings: Settings,
    frames: Mapping[str, pd.DataFrame | Path],
    provenance: pd.DataFrame,
    *,
    before_publish: Callable[[], None] | None = None,
    wait: float = 30.0,
) -> Warehouse:
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
            raise WarehouseError(
                f"cannot write the warehouse under {settings.home}: {exc.strerror or exc} ({exc.filename or ''})"
            ) from None


def _replace_tables(
    settings: Settings,
    frames: Mapping[str, pd.DataFrame | Path],
    provenance: pd.DataFrame,
    before_publish: Callable[[], None] | None,
) -> Warehouse:
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
            elif Path(obj).is_dir():  # a partitioned table: the dataset folder moves in whole
                shutil.move(str(obj), build / name)
            else:
                shutil.move(str(obj), dest)
        prov = (
            pd.concat([prov, provenance.reindex(columns=PROVENANCE_COLUMNS)], ignore_index=True)
            if len(prov)
            else provenance.reindex(columns=PROVENANCE_COLUMNS)
        )
        write_parquet_atomic(prov.astype({"rows": "int64"}), build / "provenance.parquet")
        if before_publish is not None:
            before_publish()
        return _publish(settings, build)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
