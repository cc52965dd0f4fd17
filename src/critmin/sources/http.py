"""Resumable, checksummed, atomic downloads with a progress bar."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import requests
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from critmin.errors import DownloadError

CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def download(
    url: str,
    dest: Path,
    *,
    sha256: str | None = None,
    progress: bool = True,
    retries: int = 4,
    timeout: float = 60.0,
    session: requests.Session | None = None,
) -> Path:
    """Download ``url`` to ``dest``: resume a partial ``dest.part``, verify, then rename.

    A partial file is kept as ``<dest>.part`` and continued with an HTTP ``Range``
    request; if the server ignores the range the download restarts. The finished
    file is checked against ``sha256`` (when given) and only then renamed to
    ``dest``, so ``dest`` is never half-written.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    sess = session or requests.Session()
    last_error: Exception | None = None
    for attempt in range(retries):
        try:
            _download_once(sess, url, part, timeout=timeout, progress=progress, label=dest.name)
            break
        except (requests.RequestException, OSError, _Retryable) as exc:  # network trouble: back off, resume
            last_error = exc
            time.sleep(min(2**attempt, 10) * 0.1)
    else:
        raise DownloadError(f"could not download {url} after {retries} attempts: {last_error}")
    if sha256 is not None:
        got = sha256_of(part)
        if got != sha256:
            part.unlink(missing_ok=True)
            raise DownloadError(f"checksum mismatch for {url}: expected sha256 {sha256}, got {got}")
    os.replace(part, dest)
    return dest


class _Retryable(Exception):
    """A server-side failure (HTTP 5xx or 429) worth trying again."""


def _download_once(sess, url, part: Path, *, timeout, progress, label):
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with sess.get(url, headers=headers, stream=True, timeout=timeout) as resp:
        if resp.status_code == 416:  # range not satisfiable: complete, or a stale oversized .part
            total = resp.headers.get("Content-Range", "").rpartition("/")[2]
            if total.isdigit() and int(total) == have:
                return
            part.unlink(missing_ok=True)
            raise _Retryable(f"{url}: partial file did not fit the server's file; starting again")
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _Retryable(f"{url}: HTTP {resp.status_code}")
        if resp.status_code not in (200, 206):
            raise DownloadError(f"{url}: HTTP {resp.status_code}")
        if resp.status_code == 200:
            have = 0  # server ignored the range: start again
        total = resp.headers.get("Content-Length")
        total = int(total) + have if total is not None else None
        mode = "ab" if have else "wb"
        with (
            open(part, mode) as fh,
            Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                disable=not progress,
                transient=True,
            ) as bar,
        ):
            task = bar.add_task(label, total=total, completed=have)
            for block in resp.iter_content(CHUNK):
                fh.write(block)
                bar.update(task, advance=len(block))
        if total is not None and part.stat().st_size < total:
            raise OSError(f"connection closed at {part.stat().st_size} of {total} bytes")
