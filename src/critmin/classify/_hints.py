"""Close-match hints for unknown codes."""

from __future__ import annotations

import difflib
from typing import Iterable


def close_matches(code: str, known: Iterable[str], *, n: int = 5, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` known values that look like ``code`` (case-insensitive, prefix matches first)."""
    known = list(dict.fromkeys(str(k) for k in known))
    lower = {k.lower(): k for k in known}
    c = str(code).lower().strip()
    prefix = [lower[k] for k in lower if c and (k.startswith(c) or c.startswith(k))]
    fuzzy = [lower[k] for k in difflib.get_close_matches(c, list(lower), n=n, cutoff=cutoff)]
    return list(dict.fromkeys(prefix + fuzzy))[:n]


def hint(code: str, known: Iterable[str], what: str) -> str:
    known = list(known)
    near = close_matches(code, known)
    if near:
        return f"did you mean {', '.join(near)}?"
    sample = ", ".join(sorted(known)[:12])
    return f"known {what}: {sample}{', ...' if len(known) > 12 else ''}"
