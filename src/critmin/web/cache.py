"""Answers kept per warehouse build: a bounded, thread-safe LRU and the JSON response cache middleware.

A JSON endpoint's answer depends only on its path, its query and the published warehouse
build, so the serialized response is kept under ``(path, normalized query, build id)``.
The build id is the name the warehouse's ``CURRENT`` pointer holds (every build, and every
``news ingest``, publishes a new folder and rewrites the pointer), read on each request: a
newly published build gives new keys at once, and the entries of the old build age out of
the LRU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Hashable, Iterable
from urllib.parse import parse_qsl

from critmin.config import Settings

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


def build_id(settings: Settings) -> str | None:
    """The published warehouse build of ``settings`` (``CURRENT``'s content and mtime), ``None`` if none.

    The pointer file's modification time joins its content so that a pointer rewritten to a
    reused name still counts as a new build.
    """
    pointer = Path(settings.warehouse_dir) / "CURRENT"
    try:
        stat = pointer.stat()
        return f"{pointer.read_text().strip()}@{stat.st_mtime_ns}"
    except OSError:
        return None


def normalized_query(query: str | bytes | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Query pairs sorted by name, repeated names keeping their order (``?b=2&a=1&a=0`` = ``?a=1&a=0&b=2``).

    Blank values are dropped (a form's empty field means "not given", as on the JSON endpoints).
    """
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    pairs = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else list(query)
    return tuple(sorted(((k, v) for k, v in pairs if v != ""), key=lambda kv: kv[0]))


class LruCache:
    """A bounded least-recently-used mapping, safe to share between threads.

    Parameters
    ----------
    max_entries : int
        At most this many entries; the least recently used goes first.
    max_bytes : int, optional
        Also bound the total ``size(value)`` (e.g. the bytes of response bodies).
    size : callable, optional
        Size of one value for ``max_bytes`` (default 0: only ``max_entries`` counts).
    """

    def __init__(
        self, max_entries: int = 512, *, max_bytes: int | None = None, size: Callable[[Any], int] | None = None
    ):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._size = size or (lambda v: 0)
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
            return default

    def put(self, key: Hashable, value: Any) -> None:
        n = self._size(value)
        with self._lock:
            if self.max_bytes is not None and n > self.max_bytes:
                return  # larger than the whole cache: not kept
            if key in self._data:
                self._bytes -= self._size(self._data.pop(key))
            self._data[key] = value
            self._bytes += n
            while len(self._data) > self.max_entries or (self.max_bytes is not None and self._bytes > self.max_bytes):
                _, old = self._data.popitem(last=False)
                self._bytes -= self._size(old)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data


JSON_CACHE_ENTRIES = 512
"""Most JSON responses kept (per app)."""
JSON_CACHE_BYTES = 64_000_000
"""Most bytes of JSON response bodies kept (per app)."""


class JsonResponseCache:
    """ASGI middleware: answer a repeated ``GET`` of a JSON endpoint from memory.

    Only successful (HTTP 200) ``application/json`` answers to ``GET`` requests are kept,
    under ``(path, normalized query, build id)``; errors, HTML pages, downloads and POSTs
    always run. With no published warehouse nothing is cached (the answer is a 503 anyway).
    A JSON response carries ``X-Critmin-Cache: hit`` or ``miss``.

    Parameters
    ----------
    app : ASGI app
    settings_of : callable
        Returns the app's :class:`~critmin.config.Settings` (read when the first request comes).
    cache : LruCache, optional
        Where the responses are kept (default: :data:`JSON_CACHE_ENTRIES` entries,
        :data:`JSON_CACHE_BYTES` bytes).
    """

    def __init__(self, app: ASGIApp, settings_of: Callable[[], Settings], cache: LruCache | None = None):
        self.app, self.settings_of = app, settings_of
        self.cache = (
            cache
            if cache is not None
            else LruCache(JSON_CACHE_ENTRIES, max_bytes=JSON_CACHE_BYTES, size=lambda v: len(v[2]))
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        build = build_id(self.settings_of())
        if build is None:
            return await self.app(scope, receive, send)
        key = (scope["path"], normalized_query(scope.get("query_string") or b""), build)
        hit = self.cache.get(key)
        if hit is not None:
            status, headers, body = hit
            await send(
                {"type": "http.response.start", "status": status, "headers": headers + [(b"x-critmin-cache", b"hit")]}
            )
            await send({"type": "http.response.body", "body": body})
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if _is_json(start):
                    message = {**message, "headers": list(message.get("headers", [])) + [(b"x-critmin-cache", b"miss")]}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and _cacheable(start):
                    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"x-critmin-cache"]
                    self.cache.put(key, (start["status"], headers, b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, capture)


def _is_json(start: dict) -> bool:
    headers = dict((k.lower(), v) for k, v in start.get("headers", []))
    return headers.get(b"content-type", b"").startswith(b"application/json")


def _cacheable(start: dict) -> bool:
    return start.get("status") == 200 and _is_json(start)
