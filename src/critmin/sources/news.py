"""News articles: read text or HTML files, folders of them, and URLs (when online).

Readers return :class:`RawArticle` objects (id, raw text, format, source, path);
cleaning and fact extraction happen in :mod:`critmin.domain.news`. Articles are
ingested with ``critmin news ingest PATH...`` into the warehouse tables
``news_articles`` and ``news_facts``; the source is not part of the default
warehouse build (``default=False``) because there is no publisher file to fetch.

Formats
-------
* ``.txt`` / ``.md``: UTF-8 plain text, optionally starting with ``SOURCE: <url>``
  and ``DATE: <YYYY-MM-DD|unknown>`` header lines.
* ``.html`` / ``.htm``: a saved web page; the main text is extracted with trafilatura.
* ``http(s)://`` URLs: downloaded (unless offline) into ``$CRITMIN_HOME/cache/news/``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal

from critmin.config import Settings
from critmin.errors import DataFormatError, DownloadError
from critmin.sources.base import LocalFiles, Source, TableOutput

ARTICLE_SUFFIXES: dict[str, Literal["text", "html"]] = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}
MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class RawArticle:
    """An article as read: ``kind`` is ``text`` or ``html``; ``origin`` the path or URL."""

    article_id: str
    raw: str
    kind: Literal["text", "html"]
    origin: str
    source: str | None = None


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
    return s[-60:] or "article"


def read_article_file(path: Path) -> RawArticle:
    """Read one article file (UTF-8 text or HTML).

    Raises
    ------
    DataFormatError
        The file is missing, empty, too large, not UTF-8, or of an unknown type.
    """
    path = Path(path)
    if not path.exists():
        raise DataFormatError(path, "does not exist; expected a .txt, .md, .html or .htm article file or a folder")
    kind = ARTICLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DataFormatError(
            path, f"unknown article type {path.suffix!r}; expected one of {', '.join(sorted(ARTICLE_SUFFIXES))}"
        )
    size = path.stat().st_size
    if size == 0:
        raise DataFormatError(path, "is empty; expected article text")
    if size > MAX_BYTES:
        raise DataFormatError(path, f"is {size:,} bytes; an article is expected to be under {MAX_BYTES:,}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFormatError(
            path,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save the article as UTF-8",
            row=line,
        ) from None
    if not text.strip():
        raise DataFormatError(path, "holds only whitespace; expected article text")
    return RawArticle(article_id=path.stem, raw=text, kind=kind, origin=str(path))


def iter_article_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their article files (sorted); keep files as given."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in ARTICLE_SUFFIXES)
            if not found:
                raise DataFormatError(p, "folder holds no .txt, .md, .html or .htm article files")
            out.extend(found)
        else:
            out.append(p)
    return out


def fetch_url(url: str, settings: Settings, *, timeout: float = 30.0) -> RawArticle:
    """Download a web article (HTML) into the cache and return it; offline only the cache is used."""
    import requests

    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    cached = settings.cache_dir / "news" / f"{digest}.html"
    if not cached.exists():
        if settings.offline:
            raise DownloadError(f"{url} is not cached and critmin is offline")
        try:
            resp = requests.get(url, timeout=timeout, headers={"User-Agent": "critmin news ingest"})
            resp.raise_for_status()
        except requests.RequestException as exc:
            raise DownloadError(f"could not download {url}: {exc}") from None
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(resp.text, encoding="utf-8")
        tmp.replace(cached)
    art_id = _slug(re.sub(r"^https?://", "", url).split("?")[0])
    return RawArticle(article_id=art_id, raw=cached.read_text(encoding="utf-8"), kind="html", origin=url, source=url)


def read_articles(items: Iterable[str | Path], settings: Settings) -> list[RawArticle]:
    """Read every article named by ``items`` (files, folders or URLs), in order."""
    out: list[RawArticle] = []
    files: list[str | Path] = []
    for it in items:
        if isinstance(it, str) and re.match(r"https?://", it):
            out.append(fetch_url(it, settings))
        else:
            files.append(it)
    for p in iter_article_paths(files):
        out.append(read_article_file(p))
    return out


def _load(files: LocalFiles, workdir: Path) -> dict[str, TableOutput]:
    # nothing to fetch: articles are ingested with `critmin news ingest`
    return {}


SOURCE = Source(
    name="news",
    title="News articles (user-supplied text, HTML or URLs)",
    publisher="various (the publisher named in each article's SOURCE)",
    licence="as published; quotes kept as short verbatim evidence",
    release="ingested",
    files=(),
    load=_load,
    default=False,
    tables=("news_articles", "news_facts"),
)
