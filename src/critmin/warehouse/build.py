"""``critmin data build``: fetch every source, parse, validate, publish atomically."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import pandas as pd
from rich.console import Console

from critmin.config import Settings
from critmin.errors import DataFormatError, DownloadError, echo
from critmin.sources import get_source, registry
from critmin.sources.base import Source, all_files, fetch, local_paths
from critmin.warehouse.lock import build_lock, interrupt_guard
from critmin.warehouse.store import (
    Warehouse,
    clean_leftovers,
    ensure_writable,
    open_warehouse,
    parquet_rows,
    replace_tables,
)


def validate_frame(source: Source, table: str, df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Validate ``df`` with the connector's pandera schema for ``table``.

    Failures are re-raised as :class:`DataFormatError` naming the file, the
    first failing row and column, and the check that failed.
    """
    schema = source.schemas.get(table)
    if schema is None:
        return df
    import pandera.errors as pe

    try:
        return schema.validate(df, lazy=True)
    except pe.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        row = first.get("index")
        row = int(row) + 1 if pd.notna(row) else None
        raise DataFormatError(
            file,
            f"table '{table}' fails check {first['check']!s} "
            f"(value {echo(first['failure_case'])}; {len(cases)} failure(s) in all)",
            row=row,
            field=str(first.get("column")),
        ) from None


def build(
    settings: Settings,
    sources: Iterable[str] | None = None,
    *,
    progress: bool = True,
    console: Console | None = None,
    base_url: str | None = None,
    wait: float = 0.0,
) -> Warehouse:
    """Build (or rebuild part of) the warehouse.

    Each selected source is fetched (mirror, cache or download), parsed and
    validated; all new tables are then published together in one new build.
    Tables of sources not selected are carried over. Any error leaves the
    previous warehouse live and untouched.

    One build runs at a time per home (:func:`critmin.warehouse.lock.build_lock`;
    ``wait`` seconds for another to finish, else
    :class:`~critmin.warehouse.lock.BuildLockedError`). Each build works in its
    own folder ``tmp/build-<pid>-<id>``; folders left by a killed build are
    removed first. Ctrl-C or SIGTERM stops the build with
    :class:`~critmin.warehouse.lock.BuildInterrupted` and publishes nothing.
    """
    ensure_writable(settings)
    console = console or Console(stderr=True)
    selected = [get_source(n) for n in sources] if sources else [s for s in registry().values() if s.default]
    with interrupt_guard() as interrupts, build_lock(settings, wait=wait):
        clean_leftovers(settings)
        workdir = settings.home / "tmp" / f"build-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            workdir.mkdir(parents=True)
        except OSError as exc:
            from critmin.errors import WarehouseError

            raise WarehouseError(f"cannot write the build folder {workdir}: {exc.strerror}") from None
        try:
            frames, prov_rows = _load_sources(
                settings,
                selected,
                sources,
                workdir,
                console=console,
                progress=progress,
                base_url=base_url,
                check=interrupts.check,
            )
            interrupts.check()
            return replace_tables(settings, frames, pd.DataFrame(prov_rows), before_publish=interrupts.check)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _load_sources(
    settings: Settings,
    selected: list[Source],
    requested,
    workdir: Path,
    *,
    console: Console,
    progress: bool,
    base_url: str | None,
    check,
) -> tuple[dict, list[dict]]:
    """Fetch, parse and validate every selected source into ``workdir``; tables and provenance rows."""
    frames: dict[str, pd.DataFrame | Path] = {}
    prov_rows: list[dict] = []
    built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for source in selected:
        check()
        if progress:
            console.print(f"[bold]{source.name}[/]: {source.title}")
        try:
            files = fetch(source, settings, progress=progress, base_url=base_url)
        except DownloadError as exc:
            if requested or source.downloadable or settings.mirror is not None:
                raise
            # the publisher has no direct file (e.g. an interactive report): go on without it
            console.print(
                f"[yellow]  skipped {source.name}:[/] {exc}; save the publisher's report into "
                f"the mirror folder or {settings.cache_dir / source.name} to include it"
            )
            continue
        fetched = all_files(files)
        if source.incremental:
            outputs = source.load(
                local_paths(files),
                workdir,
                previous=_live_or_none(settings),
                checksums={f.path: f.sha256 for f in fetched},
            )
        else:
            outputs = source.load(local_paths(files), workdir)
        check()
        file_list = ";".join(f.path.name for f in fetched)
        for table, obj in outputs.items():
            if isinstance(obj, pd.DataFrame):
                obj = validate_frame(source, table, obj, file_list)
                rows = len(obj)
            else:
                rows = parquet_rows(obj)
            frames[table] = obj
            for f in fetched:
                prov_rows.append(
                    {
                        "table": table,
                        "source": source.name,
                        "title": source.title,
                        "publisher": source.publisher,
                        "release": source.release,
                        "file": f.path.name,
                        "url": f.url,
                        "sha256": f.sha256,
                        "origin": f.origin,
                        "fetched_at": f.fetched_at,
                        "built_at": built_at,
                        "rows": rows,
                        "licence": source.licence,
                    }
                )
            if progress:
                console.print(f"  {table}: {rows:,} rows")
    return frames, prov_rows


def _live_or_none(settings: Settings) -> Warehouse | None:
    """The live warehouse an incremental loader may carry partitions over from, if any."""
    from critmin.errors import WarehouseError

    try:
        return open_warehouse(settings)
    except WarehouseError:
        return None
