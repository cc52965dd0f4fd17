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
from typing import Any, Callable, Mapping, TypeAlias

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
    #: ``mirror_path`` is a glob (``baci/BACI_HS17_Y*_V202601*.csv``): every match is one file of
    #: ``key`` (year files of a release, one file per country...). A download fetches ``url`` once
    #: (typically the publisher's archive holding all of them), cached under the URL's own name.
    many: bool = False

    @property
    def cache_name(self) -> str:
        """The cache file name: the mirror's name, or for a ``many`` key the URL's (the archive)."""
        if self.many:
            return self.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        return Path(self.mirror_path).name


@dataclass(frozen=True)
class FetchedFile:
    key: str
    path: Path
    url: str
    sha256: str
    fetched_at: str
    origin: str  # "mirror", "cache" or "download"


TableOutput: TypeAlias = "pd.DataFrame | Path"  # a frame, or a Parquet file already written
#: what a loader receives per file key: one path, or a sorted list for ``RemoteFile(many=True)``
LocalFiles: TypeAlias = Mapping[str, "Path | list[Path]"]


def single_path(files: LocalFiles, key: str) -> Path:
    """The one local path of file ``key`` (a :class:`RemoteFile` without ``many``).

    Raises
    ------
    TypeError
        ``key`` was given a list of paths, as only a ``many=True`` file is.
    """
    path = files[key]
    if isinstance(path, list):
        raise TypeError(f"file {key!r} has {len(path)} paths (a many=True file); expected one")
    return path


def mirror_candidates(mirror: Path, relative: str) -> list[Path]:
    """Where a mirror file may be: ``mirror/relative``, then ``mirror/../relative``.

    A data bundle keeps the publishers' files in ``raw/`` (the mirror) and the
    extracts that have no publisher file of their own (an aggregated top-flow
    table, a compiled events list) in folders beside it; a mirror path such as
    ``trade/x.csv.gz`` is looked up in both places, the mirror first.
    """
    return [mirror / relative, mirror.parent / relative]


def local_paths(fetched: Mapping[str, "FetchedFile | list[FetchedFile]"]) -> dict[str, "Path | list[Path]"]:
    """``{key: path}`` (or ``{key: [paths]}`` for a many-file key), as loaders take them."""
    return {k: [f.path for f in v] if isinstance(v, list) else v.path for k, v in fetched.items()}


def all_files(fetched: Mapping[str, "FetchedFile | list[FetchedFile]"]) -> list["FetchedFile"]:
    """Every fetched file, flat (one provenance row each)."""
    out: list[FetchedFile] = []
    for v in fetched.values():
        out.extend(v if isinstance(v, list) else [v])
    return out


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
        ``load(files: dict[key, Path | list[Path]], workdir: Path) -> dict[table, DataFrame | Path]``
        (a list for a ``RemoteFile(many=True)`` key).
    default : bool
        Part of ``critmin data build`` without arguments.
    """

    name: str
    title: str
    publisher: str
    licence: str
    release: str
    files: tuple[RemoteFile, ...]
    load: Callable[..., Mapping[str, TableOutput]]  # (files, workdir[, previous=, checksums=])
    default: bool = True
    tables: tuple[str, ...] = field(default=())
    schemas: Mapping[str, Any] = field(default_factory=dict)  # table -> pandera DataFrameSchema
    url_page: str = ""  # the publisher's landing page, for footnotes
    #: True when ``load`` also takes ``previous=``: the live warehouse (read only, or ``None``), from
    #: which it may carry over what the same input files gave last time instead of reading them again,
    #: and ``checksums=``: ``{path: sha256}`` of the fetched files (hashed once per build)
    incremental: bool = False
    #: False when the publisher serves no direct file (an interactive report): a default build
    #: that cannot download it goes on without its tables and says so
    downloadable: bool = True


def fetch(
    source: Source, settings: Settings, *, progress: bool = True, base_url: str | None = None
) -> dict[str, FetchedFile | list[FetchedFile]]:
    """Make every file of ``source`` available locally.

    Order: the mirror folder (``settings.mirror``, see :func:`mirror_candidates`)
    if set; else the cache (``$CRITMIN_HOME/cache/<source>/``); else download
    from the publisher (or from ``base_url`` + mirror path, which is how tests
    serve a mirror over loopback HTTP) into the cache. A ``many`` key gives a
    sorted list: every mirror file matching its glob, or the one downloaded
    archive.
    """
    out: dict[str, FetchedFile | list[FetchedFile]] = {}
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for rf in source.files:
        cached = settings.cache_dir / source.name / rf.cache_name
        if settings.mirror is not None and base_url is None:
            if rf.many:
                matches: list[Path] = []
                for root in mirror_candidates(settings.mirror, str(Path(rf.mirror_path).parent)):
                    matches = sorted(p for p in root.glob(Path(rf.mirror_path).name) if p.is_file())
                    if matches:
                        break
                if not matches and cached.exists():
                    matches = [cached]
                if not matches:
                    raise DownloadError(
                        f"{source.name}: no file matching {rf.mirror_path} in the mirror folder {settings.mirror}"
                    )
                out[rf.key] = [
                    FetchedFile(rf.key, p, rf.url, sha256_of(p), now, "cache" if p == cached else "mirror")
                    for p in matches
                ]
                continue
            path = next((p for p in mirror_candidates(settings.mirror, rf.mirror_path) if p.exists()), None)
            if path is None and cached.exists():  # e.g. files only the user can fetch (Comtrade)
                path = cached
            elif path is None:
                raise DownloadError(f"{source.name}: {rf.mirror_path} is not in the mirror folder {settings.mirror}")
            origin = "mirror" if path != cached else "cache"
            out[rf.key] = FetchedFile(rf.key, path, rf.url, sha256_of(path), now, origin)
            continue
        if cached.exists() and (rf.sha256 is None or sha256_of(cached) == rf.sha256):
            got = FetchedFile(rf.key, cached, rf.url, sha256_of(cached), now, "cache")
        else:
            if settings.offline:
                raise DownloadError(
                    f"{source.name}: {cached.name} is not cached and critmin is offline; "
                    f"set CRITMIN_MIRROR or go online"
                )
            url = rf.url
            if base_url:
                url = (
                    base_url.rstrip("/")
                    + "/"
                    + (str(Path(rf.mirror_path).parent / rf.cache_name) if rf.many else rf.mirror_path)
                )
            download(url, cached, sha256=rf.sha256, progress=progress)
            got = FetchedFile(rf.key, cached, url, sha256_of(cached), now, "download")
        out[rf.key] = [got] if rf.many else got
    return out


def copy_into_cache(path: Path, settings: Settings, source: str) -> Path:
    """Copy a user-supplied file into the cache atomically (tmp + rename)."""
    dest = settings.cache_dir / source / path.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copyfile(path, tmp)
    tmp.replace(dest)
    return dest
