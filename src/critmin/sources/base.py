"""What every source connector declares, and the generic ``fetch``.

A connector module defines ``SOURCE`` (a :class:`Source`) and a ``read_*``
function per raw file that parses the publisher's format into a validated
canonical table. ``SOURCE.load`` maps fetched files to warehouse tables.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from critmin.config import Settings
from critmin.errors import DownloadError
from critmin.sources.http import download, sha256_of


@dataclass(frozen=True)
class RemoteFile:
    """One file a publisher ships.

    ``key`` names it inside the connector, ``mirror_path`` is its place in a
    mirror folder (relative), ``url`` where the publisher serves it.
    """

    key: str
    mirror_path: str
    url: str
    sha256: str | None = None


@dataclass(frozen=True)
class FetchedFile:
    key: str
    path: Path
    url: str
    sha256: str
    fetched_at: str
    origin: str  # "mirror", "cache" or "download"


TableOutput = pd.DataFrame | Path  # a frame, or a Parquet file already written


@dataclass(frozen=True)
class Source:
    """Declaration of one data source.

    Attributes
    ----------
    name : str
        Short id used on the command line (``baci``, ``usgs``...).
    title, publisher, licence, release : str
        Provenance carried into the warehouse.
    files : tuple of RemoteFile
    load : callable
        ``load(files: dict[key, Path], workdir: Path) -> dict[table, DataFrame | Path]``.
    default : bool
        Part of ``critmin data build`` without arguments.
    """

    name: str
    title: str
    publisher: str
    licence: str
    release: str
    files: tuple[RemoteFile, ...]
    load: Callable[[Mapping[str, Path], Path], Mapping[str, TableOutput]]
    default: bool = True
    tables: tuple[str, ...] = field(default=())
    schemas: Mapping[str, object] = field(default_factory=dict)  # table -> pandera DataFrameSchema
    url_page: str = ""  # the publisher's landing page, for footnotes
    #: False when the publisher serves no direct file (an interactive report): a default build
    #: that cannot download it goes on without its tables and says so
    downloadable: bool = True


def fetch(source: Source, settings: Settings, *, progress: bool = True,
          base_url: str | None = None) -> dict[str, FetchedFile]:
    """Make every file of ``source`` available locally.

    Order: the mirror folder (``settings.mirror``) if set; else the cache
    (``$CRITMIN_HOME/cache/<source>/``); else download from the publisher
    (or from ``base_url`` + mirror path, which is how tests serve a mirror over
    loopback HTTP) into the cache.
    """
    out: dict[str, FetchedFile] = {}
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for rf in source.files:
        cached = settings.cache_dir / source.name / Path(rf.mirror_path).name
        if settings.mirror is not None and base_url is None:
            path = settings.mirror / rf.mirror_path
            if not path.exists() and cached.exists():  # e.g. files only the user can fetch (Comtrade)
                path = cached
            elif not path.exists():
                raise DownloadError(
                    f"{source.name}: {rf.mirror_path} is not in the mirror folder {settings.mirror}")
            origin = "mirror" if path != cached else "cache"
            out[rf.key] = FetchedFile(rf.key, path, rf.url, sha256_of(path), now, origin)
            continue
        if cached.exists() and (rf.sha256 is None or sha256_of(cached) == rf.sha256):
            out[rf.key] = FetchedFile(rf.key, cached, rf.url, sha256_of(cached), now, "cache")
            continue
        if settings.offline:
            raise DownloadError(f"{source.name}: {cached.name} is not cached and critmin is offline; "
                                f"set CRITMIN_MIRROR or go online")
        url = base_url.rstrip("/") + "/" + rf.mirror_path if base_url else rf.url
        download(url, cached, sha256=rf.sha256, progress=progress)
        out[rf.key] = FetchedFile(rf.key, cached, url, sha256_of(cached), now, "download")
    return out


def copy_into_cache(path: Path, settings: Settings, source: str) -> Path:
    """Copy a user-supplied file into the cache atomically (tmp + rename)."""
    dest = settings.cache_dir / source / path.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copyfile(path, tmp)
    tmp.replace(dest)
    return dest
