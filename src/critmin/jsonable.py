"""JSON-ready conversion shared by every front end (CLI ``--json``, web API)."""

from __future__ import annotations

import math
from typing import Any


def jsonable(obj: Any) -> Any:
    """JSON-ready copy of ``obj``: NaN and infinities become ``None``, NumPy scalars Python numbers."""
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            return jsonable(obj.item())
        except (ValueError, AttributeError):
            pass
    return obj
