"""Which trade table gives an importer's sourcing of a mineral at a value-chain stage: the rule file.

The rules are :mod:`critmin.domain.criticality.flows`; this module reads the ordered sources per
(mineral, stage) from ``criticality_data/flow_sources.yaml`` (or a user's file, through
:func:`critmin.sources.criticality_inputs.read_flow_rule_doc`) and re-exports the domain names the
criticality service uses.
"""

from __future__ import annotations

from pathlib import Path

from critmin.domain.criticality import flows
from critmin.domain.criticality.flows import (
    FLOW_SOURCE_NAMES,
    HS4_SOURCE,
    PRODUCT_STAGE_TO_CHAIN,
    TRADESTAT_SOURCE,
    StageFlows,
    check_flow_rule,
    classify_headings,
    hs4_flows,
    tradestat_flows,
)
from critmin.sources.criticality_inputs import read_flow_rule_doc

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
        Not a readable YAML mapping, or a list that is empty or names an unknown source
        (:func:`critmin.domain.criticality.flows.check_flow_rule`).
    """
    name = str(path) if path is not None else "flow_sources.yaml"
    return check_flow_rule(read_flow_rule_doc(path), name)


def flow_sources(mineral: str, stage: str, rule: dict | None = None) -> tuple[str, ...]:
    """:func:`critmin.domain.criticality.flows.flow_sources` with the packaged rule by default."""
    return flows.flow_sources(mineral, stage, rule if rule is not None else flow_rule())


def pick_flows(
    mineral: str, stage: str, candidates: dict[str, StageFlows | None], rule: dict | None = None
) -> dict[str, StageFlows | None]:
    """:func:`critmin.domain.criticality.flows.pick_flows` with the packaged rule by default."""
    return flows.pick_flows(mineral, stage, candidates, rule if rule is not None else flow_rule())
