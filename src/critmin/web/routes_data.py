"""``/data/status``: tables, rows, sources and licences of the live warehouse."""

from __future__ import annotations

from fastapi import APIRouter

from critmin.services.data import warehouse_status
from critmin.web._common import SettingsDep, json_response

router = APIRouter(tags=["data"])


@router.get("/data/status", summary="Tables, rows, sources, files and licences of the live warehouse")
def status(settings: SettingsDep):
    """Same JSON as ``critmin data status --json`` (service :func:`critmin.services.data.warehouse_status`)."""
    return json_response(warehouse_status(settings))
