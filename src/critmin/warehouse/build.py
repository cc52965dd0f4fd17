"""``critmin data build``: fetch every source, parse, validate, publish atomically."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import pandas as pd
from rich.console import Console

from critmin.config import Settings
from critmin.errors import DataFormatError, DownloadError
from critmin.sources import get_source, registry
from critmin.sources.base import Source, all_files, fetch, local_paths
from critmin.warehouse.store import Warehouse, replace_tables


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
        raise DataFormatError(file, f"table '{table}' fails check {first['check']!s} "
                                    f"(value {first['failure_case']!r}; {len(cases)} failure(s) in all)",
                              row=row, field=str(first.get("column"))) from None


def build(settings: Settings, sources: Iterable[str] | None = None, *, progress: bool = True,
          console: Console | None = None, base_url: str | None = None) -> Warehouse:
    """Build (or rebuild part of) the warehouse.

    Each selected source is fetched (mirror, cache or download), parsed and
    validated; all new tables are then published together in one new build.
    Tables of sources not selected are carried over. Any error leaves the
    previous warehouse live and untouched.
    """
    console = console or Console(stderr=True)
    selected = [get_source(n) for n in sources] if sources else [s for s in registry().values() if s.default]
    frames: dict[str, pd.DataFrame | Path] = {}
    prov_rows: list[dict] = []
    built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    workdir = settings.home / "tmp"
    workdir.mkdir(parents=True, exist_ok=True)
    for source in selected:
        if progress:
            console.print(f"[bold]{source.name}[/]: {source.title}")
        try:
            files = fetch(source, settings, progress=progress, base_url=base_url)
        except DownloadError as exc:
            if sources or source.downloadable or settings.mirror is not None:
                raise
            # the publisher has no direct file (e.g. an interactive report): go on without it
            console.print(f"[yellow]  skipped {source.name}:[/] {exc}; save the publisher's report into "
                          f"the mirror folder or {settings.cache_dir / source.name} to include it")
            continue
        outputs = source.load(local_paths(files), workdir)
        fetched = all_files(files)
        file_list = ";".join(f.path.name for f in fetched)
        for table, obj in outputs.items():
            if isinstance(obj, pd.DataFrame):
                obj = validate_frame(source, table, obj, file_list)
                rows = len(obj)
            else:
                import pyarrow.parquet as pq

                rows = pq.ParquetFile(obj).metadata.num_rows
            frames[table] = obj
            for f in fetched:
                prov_rows.append({
                    "table": table, "source": source.name, "title": source.title,
                    "publisher": source.publisher, "release": source.release, "file": f.path.name,
                    "url": f.url, "sha256": f.sha256, "origin": f.origin, "fetched_at": f.fetched_at,
                    "built_at": built_at, "rows": rows, "licence": source.licence,
                })
            if progress:
                console.print(f"  {table}: {rows:,} rows")
    return replace_tables(settings, frames, pd.DataFrame(prov_rows))
