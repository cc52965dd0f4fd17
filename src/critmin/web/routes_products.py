"""``/api/products/search``, ``/api/products/expand``: HS codes by description or code, and where their data is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from critmin.services import products
from critmin.web._common import SettingsDep, json_response

router = APIRouter(tags=["products"])


@router.get("/api/products/search", summary="HS 2022 codes matching words of a description or a code")
def search(
    settings: SettingsDep,
    q: Annotated[str, Query(description="Words of an HS description (`lithium hydroxide`) or a code (`2603`).")],
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many hits.")] = 20,
):
    """Same JSON as ``critmin products search Q --json`` (service :func:`critmin.services.products.search`)."""
    return json_response(products.search(settings, q, limit=limit))


@router.get("/api/products/expand", summary="The codes under an HS chapter or heading")
def expand(
    settings: SettingsDep,
    code: Annotated[str, Query(description="A 2-, 4- or 6-digit HS 2022 code, e.g. `2603` or `26`.")],
):
    """Same JSON as ``critmin products expand CODE --json`` (service :func:`critmin.services.products.expand`)."""
    return json_response(products.expand(settings, code))
