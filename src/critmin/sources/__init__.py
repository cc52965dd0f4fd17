"""Source connectors: ``fetch`` official files, ``read`` them into canonical tables.

Every module in this package that defines ``SOURCE`` is a connector; the
registry is discovered, so adding a connector needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from critmin.errors import UnknownCodeError
from critmin.sources.base import Source

_NOT_CONNECTORS = {"base", "http", "csvutil"}


@lru_cache(maxsize=1)
def registry() -> dict[str, Source]:
    """All connectors by name, in a stable order."""
    found: dict[str, Source] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _NOT_CONNECTORS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        source = getattr(module, "SOURCE", None)
        if isinstance(source, Source):
            found[source.name] = source
    return found


def get_source(name: str) -> Source:
    reg = registry()
    if name not in reg:
        raise UnknownCodeError("source", name, hint=f"known sources: {', '.join(reg)}")
    return reg[name]
