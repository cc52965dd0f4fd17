"""Policy levers applied to the inputs of a criticality run (pure; no I/O).

Two levers, each acting on the share tables (``item, country, share, t``) of a
:class:`~critmin.domain.criticality.model.CriticalitySpec`:

* **export restriction** by a supplier ``c`` (tax, quota, ban): its trade-restriction
  factor becomes ``t_c · factor`` (EU method: ``t_c`` enters ``HHI_WGI,t`` of global supply
  and of sourcing), and optionally a fraction ``share_cut`` of its share of the importer's
  sourcing is removed and given pro rata to the other suppliers;
* **FTA** with a partner ``p``: ``t_p · factor`` (factor < 1; the guidelines lower ``t`` where
  an agreement applies) and optionally a fraction ``share_shift`` of the importer's
  sourcing from the other suppliers moves to ``p`` (taken pro rata).

Shares stay normalised. Note that under a share cut the HHI of sourcing can fall even
though supply is lost: HHI-based indicators measure concentration, not volume.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from critmin.domain.criticality.model import CriticalitySpec
from critmin.errors import DataFormatError, UnknownCodeError

LeverKind = Literal["export_restriction", "fta"]
LEVER_KINDS = ("export_restriction", "fta")
#: the value-chain stages a lever can name
CHAIN_STAGES = ("extraction", "processing")


@dataclass(frozen=True)
class Lever:
    """One policy lever.

    Attributes
    ----------
    kind : {"export_restriction", "fta"}
    country : str
        ISO3 of the restricting supplier or the FTA partner.
    items : tuple of int
        Indices of the (material, stage) items it applies to.
    t_factor : float
        Multiplier on ``t_c`` (> 1 for a restriction, < 1 for an FTA).
    share_change : float
        ``share_cut`` (restriction) or ``share_shift`` (FTA), in [0, 1].
    apply_to_global : bool
        Whether ``t`` also changes in the global-supply table (True for restrictions,
        which bind every buyer; False for an FTA, which binds only the importer).
    """

    kind: LeverKind
    country: str
    items: tuple[int, ...]
    t_factor: float
    share_change: float = 0.0
    apply_to_global: bool = True

    def __post_init__(self):
        if self.kind not in LEVER_KINDS:
            raise ValueError(f"lever kind must be one of {', '.join(LEVER_KINDS)}, got {self.kind!r}")
        if not 0.0 <= self.share_change <= 1.0:
            raise ValueError(f"share change must be in [0, 1], got {self.share_change}")
        if self.t_factor <= 0:
            raise ValueError(f"t factor must be > 0, got {self.t_factor}")


def _scale_t(block: pd.DataFrame, country: str, items, factor: float) -> pd.DataFrame:
    out = block.copy()
    mask = out["item"].isin(items) & (out["country"] == country)
    out.loc[mask, "t"] = out.loc[mask, "t"] * factor
    return out


def _move_share(block: pd.DataFrame, country: str, items, fraction: float, *, toward: bool) -> pd.DataFrame:
    """Move ``fraction`` of share away from (``toward=False``) or toward ``country``, pro rata."""
    if fraction == 0:
        return block
    items = set(items)
    parts = []
    for item, g in block.groupby("item", sort=False):
        g = g.reset_index(drop=True)
        if item in items:
            if toward and not (g["country"] == country).any():
                g = pd.concat(
                    [g, pd.DataFrame({"item": [item], "country": [country], "share": [0.0], "t": [1.0]})],
                    ignore_index=True,
                )
            total = g["share"].sum()
            s = (g["share"] / total if total > 0 else g["share"]).to_numpy(float)
            is_c = (g["country"] == country).to_numpy()
            others = s[~is_c].sum()
            if toward:
                new = np.where(is_c, s + fraction * others, s * (1 - fraction))
            else:
                cut = fraction * s[is_c].sum()
                new = np.where(is_c, s * (1 - fraction), s * (1 + cut / others) if others > 0 else s)
            g["share"] = new
        parts.append(g)
    return pd.concat(parts, ignore_index=True) if parts else block


def apply_levers(global_supply: pd.DataFrame, sourcing: pd.DataFrame, levers) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(global_supply, sourcing)`` after applying ``levers`` in order.

    Partner rows of an FTA that the importer does not yet source from are added with
    ``t = 1`` before the FTA factor is applied.
    """
    gs, src = global_supply, sourcing
    for lv in levers:
        if lv.kind == "export_restriction":
            src = _move_share(src, lv.country, lv.items, lv.share_change, toward=False)
        else:
            src = _move_share(src, lv.country, lv.items, lv.share_change, toward=True)
        src = _scale_t(src, lv.country, lv.items, lv.t_factor)
        if lv.apply_to_global:
            gs = _scale_t(gs, lv.country, lv.items, lv.t_factor)
    return gs, src


def spec_with_levers(spec: CriticalitySpec, levers: Sequence[Lever]) -> CriticalitySpec:
    """The spec with its share tables after :func:`apply_levers`; items, governance and options unchanged."""
    gs, src = apply_levers(spec.global_supply, spec.sourcing, levers)
    return replace(spec, global_supply=gs, sourcing=src)


#: the scores a scenario run reports next to the baseline's
BASELINE_COLUMNS = ("supply_risk", "economic_importance", "critical", "supply_risk_p05", "supply_risk_p95")


def compare_with_baseline(frame: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """A scenario's scores with ``baseline_<col>`` for :data:`BASELINE_COLUMNS` and
    ``delta_supply_risk = supply_risk - baseline_supply_risk`` (rows in the same item order)."""
    out = frame.copy()
    for col in BASELINE_COLUMNS:
        out[f"baseline_{col}"] = baseline[col].to_numpy()
    out["delta_supply_risk"] = out["supply_risk"] - out["baseline_supply_risk"]
    return out


def export_control_acts(doc: Mapping[str, Any], where: str | Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The export-control acts a scenario adds and lifts (levers ``type: export_control``).

    A lever ``{type: export_control, act: CN-2025-18, action: add}`` applies the act in the assessed
    year whatever its dates; ``action: lift`` leaves it out. ``doc`` is the scenario mapping
    (:func:`critmin.sources.criticality_inputs.read_scenario_doc`), ``where`` its file for errors.
    Returns ``(add, lift)`` event ids.

    Raises
    ------
    DataFormatError
        A lever without ``act`` or with an ``action`` other than add or lift.
    """
    add: list[str] = []
    lift: list[str] = []
    for i, lv in enumerate(doc["levers"], start=1):
        if lv["type"] != "export_control":
            continue
        act, action = lv.get("act"), lv.get("action", "add")
        if not isinstance(act, str) or not act:
            raise DataFormatError(
                where,
                "an export_control lever needs 'act' (an event id of table export_control_events, e.g. CN-2025-18)",
                row=i,
                field="act",
            )
        if action not in ("add", "lift"):
            raise DataFormatError(where, f"action must be add or lift, got {action!r}", row=i, field="action")
        (add if action == "add" else lift).append(act)
    return tuple(add), tuple(lift)


def scenario_levers(
    doc: Mapping[str, Any], items: pd.DataFrame, factors: Mapping[str, Any], where: str | Path
) -> list[Lever]:
    """The :class:`Lever` of each ``export_restriction`` and ``fta`` lever of a scenario mapping.

    ``minerals`` and ``stages`` (``all`` by default) select the spec's ``items`` (``material, stage``);
    an export restriction's ``t_factor`` defaults to ``factors["factors"][measure]`` (measure
    ``export_ban`` by default) and its ``share_cut`` to 0; an FTA's ``t_factor`` to
    ``factors["agreement_multiplier"]`` and its ``share_shift`` to 0. ``export_control`` levers are
    not levers on the spec (see :func:`export_control_acts`).

    Raises
    ------
    DataFormatError
        A country that is not an ISO3 code, an unknown stage or measure, a bad number (``where``, row).
    UnknownCodeError
        A mineral that is not in the run.
    """
    levers = []
    for i, lv in enumerate(doc["levers"], start=1):
        if not isinstance(lv, dict):
            raise DataFormatError(where, "each lever must be a mapping", row=i)
        kind = lv.get("type")
        if kind == "export_control":
            continue
        if kind not in LEVER_KINDS:
            raise DataFormatError(
                where, f"type must be one of {', '.join(LEVER_KINDS)}, got {kind!r}", row=i, field="type"
            )
        country = lv.get("supplier" if kind == "export_restriction" else "partner")
        if not (isinstance(country, str) and len(country) == 3 and country.isupper()):
            raise DataFormatError(
                where,
                f"expected an ISO3 code, got {country!r}",
                row=i,
                field="supplier" if kind == "export_restriction" else "partner",
            )
        minerals = lv.get("minerals", "all")
        stages = lv.get("stages", "all")
        mask = np.ones(len(items), dtype=bool)
        if minerals != "all":
            minerals = [minerals] if isinstance(minerals, str) else list(minerals)
            unknown = set(minerals) - set(items["material"])
            if unknown:
                raise UnknownCodeError(
                    "mineral",
                    sorted(unknown)[0],
                    where=str(where),
                    hint=f"minerals in this run: {', '.join(sorted(items['material'].unique()))}",
                )
            mask &= items["material"].isin(minerals).to_numpy()
        if stages != "all":
            stages = [stages] if isinstance(stages, str) else list(stages)
            if set(stages) - set(CHAIN_STAGES):
                raise DataFormatError(where, f"stages must be among {CHAIN_STAGES}", row=i, field="stages")
            mask &= items["stage"].isin(stages).to_numpy()
        try:
            if kind == "export_restriction":
                measure = lv.get("measure", "export_ban")
                if measure not in factors["factors"]:
                    raise DataFormatError(
                        where, f"measure must be one of {sorted(factors['factors'])}", row=i, field="measure"
                    )
                t_factor = float(lv.get("t_factor", factors["factors"][measure]))
                share = float(lv.get("share_cut", 0.0))
            else:
                t_factor = float(lv.get("t_factor", factors["agreement_multiplier"]))
                share = float(lv.get("share_shift", 0.0))
            lever = Lever(
                kind=kind,
                country=country,
                items=tuple(np.flatnonzero(mask).tolist()),
                t_factor=t_factor,
                share_change=share,
                apply_to_global=(kind == "export_restriction"),
            )
        except (TypeError, ValueError) as exc:
            raise DataFormatError(where, str(exc), row=i) from None
        levers.append(lever)
    return levers
