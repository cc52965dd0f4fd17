"""Economies that report as one: blocs such as ``EU27`` (``blocs.yaml``).

A bloc as a reporter stands for its members taken together: its trade is the members'
trade with countries outside the bloc (extra-bloc trade); trade between members is internal
and left out.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

# other spellings a user may type for a bloc code
_BLOC_ALIASES = {
    "EU": "EU27",
    "EU-27": "EU27",
    "EU 27": "EU27",
    "EUROPEAN UNION": "EU27",
    "EUROPEAN UNION (27)": "EU27",
}


@lru_cache(maxsize=1)
def _load() -> dict[str, dict]:
    with resources.files("critmin.classify").joinpath("blocs.yaml").open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def blocs() -> dict[str, dict]:
    """Every bloc: code -> ``{name, source, members}`` (a copy; members are ISO3 codes)."""
    return {k: {**v, "members": list(v["members"])} for k, v in _load().items()}


def resolve_bloc(code: str) -> str | None:
    """The bloc code for ``EU27``, ``EU``, ``European Union`` (any case), else ``None``."""
    up = " ".join(str(code).strip().upper().split())
    up = _BLOC_ALIASES.get(up, up)
    return up if up in _load() else None


def bloc_members(code: str) -> frozenset[str]:
    """The ISO3 codes a reporter stands for: a bloc's members, else the code itself."""
    bloc = _load().get(code)
    return frozenset(bloc["members"]) if bloc else frozenset({code})


def bloc_name(code: str) -> str | None:
    """A bloc's name (``European Union (27 member states, ...)``), else ``None``."""
    bloc = _load().get(code)
    return bloc["name"] if bloc else None
