"""Which trade table gives an importer's sourcing of a mineral at a value-chain stage: the rule file.

The rules are :mod:`critmin.domain.criticality.flows`; this module reads the ordered sources per
(mineral, stage) from ``criticality_data/flow_sources.yaml`` (or a user's file) and re-exports the
domain names the criticality service uses.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from critmin.domain.criticality import flows
from critmin.domain.criticality.flows import (
    FLOW_SOURCE_NAMES,
    HS4_SOURCE,
    PRODUCT_STAGE_TO_CHAIN,
    TRADESTAT_SOURCE,
    StageFlows,
    classify_headings,
    hs4_flows,
    tradestat_flows,
)
from critmin.errors import DataFormatError

DATA_PACKAGE = "critmin.criticality_data"
__all__ = [
    "FLOW_SOURCE_NAMES",
    "HS4_SOURCE",
    "PRODUCT_STAGE_TO_CHAIN",
    "TRADESTAT_SOURCE",
    "StageFlows",
    "classify_headings",
    "flow_rule",
    "flow_sources",
    "hs4_flows",
    "pick_flows",
    "tradestat_flows",
]


def flow_rule(path: str | Path | None = None) -> dict:
    """The ordered sources per (mineral, stage): ``criticality_data/flow_sources.yaml``, or the file at ``path``.

    Raises
    ------
    DataFormatError
        Not a YAML mapping, or a list that is empty or names an unknown source.
    """
    name = str(path) if path is not None else "flow_sources.yaml"
    try:
        if path is None:
            with resources.files(DATA_PACKAGE).joinpath("flow_sources.yaml").open("r", encoding="utf-8") as fh:
                rule = yaml.safe_load(fh)
        else:
            rule = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFormatError(name, f"not a readable UTF-8 YAML file ({exc})") from None
    if not isinstance(rule, dict):
        raise DataFormatError(name, "expected a mapping with 'default' (and optionally 'items')")
    for key, order in [("default", rule.get("default")), *((k, v) for k, v in (rule.get("items") or {}).items())]:
        if not isinstance(order, list) or not order or set(order) - set(FLOW_SOURCE_NAMES):
            raise DataFormatError(
                name, f"{key}: sources must be a non-empty list among {FLOW_SOURCE_NAMES}, got {order!r}", field=key
            )
    return rule


def flow_sources(mineral: str, stage: str, rule: dict | None = None) -> tuple[str, ...]:
    """:func:`critmin.domain.criticality.flows.flow_sources` with the packaged rule by default."""
    return flows.flow_sources(mineral, stage, rule if rule is not None else flow_rule())


def pick_flows(
    mineral: str, stage: str, candidates: dict[str, StageFlows | None], rule: dict | None = None
) -> dict[str, StageFlows | None]:
    """:func:`critmin.domain.criticality.flows.pick_flows` with the packaged rule by default."""
    return flows.pick_flows(mineral, stage, candidates, rule if rule is not None else flow_rule())
