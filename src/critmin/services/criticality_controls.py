"""China's export-control acts for criticality: the act table's scope file, read from the package.

The rules (which acts are in force in an assessed year, with which ``t``) are
:mod:`critmin.domain.criticality.controls`; this module reads critmin's reading of each act,
``criticality_data/export_control_scope.csv`` (:func:`critmin.sources.criticality_inputs.read_export_control_scope`),
and passes it on.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from critmin.domain.criticality import controls
from critmin.domain.criticality.controls import RESTRICTION_COLUMNS, check_scope_columns, in_force_days
from critmin.sources.criticality_inputs import read_export_control_scope

__all__ = ["RESTRICTION_COLUMNS", "acts_in_force", "in_force_days", "read_scope"]


def read_scope() -> pd.DataFrame:
    """critmin's reading of each act: ``event_id, mineral, stage, measure, targets, suspends, note``."""
    return check_scope_columns(read_export_control_scope())


def acts_in_force(
    events: pd.DataFrame,
    year: int,
    factors: dict[str, Any],
    *,
    scope: pd.DataFrame | None = None,
    add: tuple[str, ...] = (),
    lift: tuple[str, ...] = (),
) -> pd.DataFrame:
    """:func:`critmin.domain.criticality.controls.acts_in_force` with the packaged scope by default."""
    return controls.acts_in_force(
        events, year, factors, scope=read_scope() if scope is None else scope, add=add, lift=lift
    )
