"""The EU method's trade-related variable ``t_c`` (JRC 2017 guidelines), pure rules.

``t_c`` raises the weight of a supplier with an export restriction in force in the assessed year
(export ban, tax, quota or licensing: ``t`` per measure from ``trade_restriction_factors.yaml``), sets
the reporter's own producers to ``home_market`` and, when agreements are on, lowers the ``t`` of RTA
partners in the reporter's sourcing (``x agreement_multiplier``). ``HHI_WGI,t = Σ_c S_c² · WGI_c · t_c``
(:func:`critmin.domain.criticality.governance.calc_hhi_wgi_t`).

* :func:`measures_in_force` / :func:`restrictions_in_force` — other countries' measures and the
  export-control acts (:func:`critmin.domain.criticality.controls.acts_in_force`) in force in a year;
* :func:`agreement_partners` — partners with an RTA in force with the reporter;
* :class:`TradeFactorRule` — ``t_c`` of one item's suppliers, in global supply and in sourcing;
* :func:`restriction_notes` — the provenance of an item's ``t_c``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from critmin.errors import DataFormatError


def measures_in_force(restrictions: pd.DataFrame, year: int, factors: Mapping[str, Any]) -> pd.DataFrame:
    """Rows of ``trade_restrictions.csv`` in force in ``year`` (``date_from`` year <= ``year`` <= ``date_to``
    year, open-ended when ``date_to`` is empty), with ``t = factors["factors"][measure]``.

    Raises
    ------
    DataFormatError
        A measure without a factor.
    """
    r = restrictions.copy()
    start = pd.to_datetime(r["date_from"]).dt.year
    end = pd.to_datetime(r["date_to"].replace("", None)).dt.year
    r = r[(start <= year) & (end.isna() | (end >= year))].copy()
    unknown = set(r["measure"]) - set(factors["factors"])
    if unknown:
        raise DataFormatError("trade_restrictions.csv", f"unknown measure(s) {sorted(unknown)}", field="measure")
    r["t"] = r["measure"].map(factors["factors"]).astype(float)
    return r


def restrictions_in_force(
    trade_restrictions: pd.DataFrame, acts: pd.DataFrame, year: int, factors: Mapping[str, Any]
) -> pd.DataFrame:
    """Every restriction in force in ``year``: other countries' measures (:func:`measures_in_force`) and
    the export-control acts in force (:func:`.controls.acts_in_force`), in the acts' columns, with empty
    ``targets`` and ``stage`` as ``""``."""
    other = measures_in_force(trade_restrictions, year, factors).reindex(columns=acts.columns)
    restr = (
        pd.concat([f for f in (other, acts) if not f.empty], ignore_index=True)
        if not (other.empty and acts.empty)
        else acts
    )
    return restr.fillna({"targets": "", "stage": ""})


def agreement_partners(
    agreements: pd.DataFrame, agreement_members: pd.DataFrame, members: frozenset[str], year: int
) -> set[str]:
    """Partners with an RTA in force (goods in force by ``year``, or no date) with any of ``members``."""
    a, m = agreements, agreement_members
    inforce = a[a["status"].astype(str).str.contains("In Force", case=False, na=False)]
    if "eif_goods" in inforce:
        eif = pd.to_datetime(inforce["eif_goods"], errors="coerce").dt.year
        inforce = inforce[eif.isna() | (eif <= year)]
    ids = set(m.loc[m["iso3"].isin(members), "rta_id"]) & set(inforce["rta_id"])
    return set(m.loc[m["rta_id"].isin(ids), "iso3"]) - set(members)


@dataclass(frozen=True)
class TradeFactorRule:
    """The EU method's trade-related variable ``t_c`` of one item's suppliers.

    ``t_c`` = the user's override for ``c`` where given, else ``home_market`` for the reporter's own
    producers, else ``max(1, t of the restrictions in force on c)``, where a restriction that names
    targets counts only in the reporter's sourcing and only when it targets one of its economies; in
    sourcing an RTA partner's ``t_c`` is then multiplied by ``agreement_multiplier``. Build it with
    :meth:`of_item`.

    Attributes
    ----------
    members : frozenset of str
        The reporter's economies.
    measures : dict
        ``{country: ((targets, t), ...)}``: the restrictions in force on each country (``targets``
        empty when the measure applies to everyone).
    overrides : dict
        ``{country: (t, source)}`` from the user's inputs.
    home_market : float
        ``t`` of the reporter's own producers.
    partners : frozenset of str
        RTA partners whose ``t`` is lowered in sourcing (empty when agreements are off).
    agreement_multiplier : float
    """

    members: frozenset[str]
    measures: Mapping[str, tuple[tuple[frozenset[str], float], ...]] = field(default_factory=dict)
    overrides: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    home_market: float = 1.0
    partners: frozenset[str] = frozenset()
    agreement_multiplier: float = 1.0

    @classmethod
    def of_item(cls, restrictions: pd.DataFrame, **kwargs: Any) -> TradeFactorRule:
        """The rule with the measures of ``restrictions`` (columns ``country, targets, t``; ``targets``
        a ``;``-separated list of ISO3 codes, empty for all)."""
        measures: dict[str, list[tuple[frozenset[str], float]]] = {}
        for r in restrictions.itertuples(index=False):
            targets = frozenset(x for x in str(r.targets).split(";") if x)
            measures.setdefault(str(r.country), []).append((targets, float(r.t)))
        return cls(measures={c: tuple(v) for c, v in measures.items()}, **kwargs)

    def t(self, country: str, *, sourcing: bool) -> float:
        """``t_c`` of ``country`` in the importer's sourcing (``sourcing=True``) or in global supply."""
        if country in self.members:  # the assessing economy's own producers
            return self.overrides[country][0] if country in self.overrides else self.home_market
        t = 1.0
        for targets, t_measure in self.measures.get(country, ()):
            if targets and not (sourcing and self.members & targets):
                continue
            t = max(t, t_measure)
        if country in self.overrides:
            t = self.overrides[country][0]
        if sourcing and country in self.partners:
            t *= self.agreement_multiplier
        return t


def restriction_notes(restrictions: pd.DataFrame, overrides: Mapping[str, tuple[float, str]]) -> list[dict]:
    """Provenance of an item's ``t_c``: each restriction in force (with the act where it is one) and each override."""
    notes: list[dict] = []
    for r in restrictions.itertuples(index=False):
        note = {
            "country": r.country,
            "measure": r.measure,
            "t": r.t,
            "since": r.date_from,
            "targets": r.targets or "all",
            "source": r.source,
        }
        if isinstance(r.event_id, str):
            note.update({"act": r.announcement, "event_id": r.event_id, "url": r.url, "in_force_date": r.in_force_date})
        notes.append(note)
    for c, (v, s) in overrides.items():
        notes.append({"country": c, "measure": "user override", "t": v, "source": s})
    return notes
