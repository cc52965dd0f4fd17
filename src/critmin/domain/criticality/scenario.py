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

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

LeverKind = Literal["export_restriction", "fta"]
LEVER_KINDS = ("export_restriction", "fta")


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
