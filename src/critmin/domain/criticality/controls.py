"""China's export-control acts as dated events for the trade-related variable ``t_c`` (pure rules).

An act is **in force in an assessed year** when it is in force on at least one day of that year:
from its effective date on, except the days a suspension covers (from the suspension's
announcement to its end date). A scenario can add an act (it then applies in the assessed year
whatever its dates) or lift one. What each act covers in critmin's terms (minerals, stages,
measure, targets, the acts a suspension suspends) is the ``scope`` table the caller passes.
"""

from __future__ import annotations

import pandas as pd

from critmin.errors import DataFormatError, UnknownCodeError

SCOPE_FILE = "export_control_scope.csv"
SCOPE_COLUMNS = ["event_id", "mineral", "stage", "measure", "targets", "suspends", "note"]
RESTRICTION_COLUMNS = [
    "country",
    "mineral",
    "stage",
    "measure",
    "date_from",
    "date_to",
    "targets",
    "description",
    "source",
    "event_id",
    "announcement",
    "url",
    "in_force_date",
    "t",
]


def check_scope_columns(scope: pd.DataFrame) -> pd.DataFrame:
    """The scope table, checked to have :data:`SCOPE_COLUMNS`.

    Raises
    ------
    DataFormatError
        A missing column (naming :data:`SCOPE_FILE`).
    """
    missing = set(SCOPE_COLUMNS) - set(scope.columns)
    if missing:
        raise DataFormatError(SCOPE_FILE, f"missing column(s) {sorted(missing)}")
    return scope


def _check(scope: pd.DataFrame, events: pd.DataFrame, factors: dict) -> None:
    known = set(events["event_id"])
    for i, r in enumerate(scope.itertuples(index=False), start=1):
        named = [r.event_id, *[x for x in r.suspends.split(";") if x]]
        for e in named:
            if e not in known:
                raise DataFormatError(
                    SCOPE_FILE,
                    f"event {e!r} is not in table export_control_events",
                    row=i,
                    field="event_id" if e == r.event_id else "suspends",
                )
        if r.mineral and r.measure not in factors["factors"]:
            raise DataFormatError(
                SCOPE_FILE, f"measure {r.measure!r} must be one of {sorted(factors['factors'])}", row=i, field="measure"
            )


def in_force_days(start: pd.Timestamp, suspensions: list[tuple[pd.Timestamp, pd.Timestamp]], year: int) -> int:
    """Days of ``year`` on which an act effective from ``start`` is in force.

    ``suspensions`` are ``[from, to)`` windows in which it is not. An act with no end date stays in force.
    """
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    on = days >= start
    for lo, hi in suspensions:
        on &= ~((days >= lo) & (days < hi))
    return int(on.sum())


def acts_in_force(
    events: pd.DataFrame,
    year: int,
    factors: dict,
    *,
    scope: pd.DataFrame,
    add: tuple[str, ...] = (),
    lift: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The (act, mineral, stage) restrictions in force in ``year``, with ``t`` from ``factors``.

    Parameters
    ----------
    events : DataFrame
        Table ``export_control_events``.
    year : int
        The assessed year; an act counts when it is in force on at least one day of it.
    factors : dict
        ``trade_restriction_factors.yaml`` (``factors`` per measure).
    scope : DataFrame
        critmin's reading of each act (:data:`SCOPE_COLUMNS`; the services read it from
        ``criticality_data/export_control_scope.csv``).
    add, lift : tuple of str
        Event ids to apply whatever their dates, and to leave out (a scenario's levers).

    Returns
    -------
    DataFrame
        :data:`RESTRICTION_COLUMNS`, one row per act and covered (mineral, stage); ``source`` names the
        act, its in-force date and URL.

    Raises
    ------
    UnknownCodeError
        An added or lifted event id that is not in the table.
    """
    _check(scope, events, factors)
    known = set(events["event_id"])
    for e in (*add, *lift):
        if e not in known:
            raise UnknownCodeError(
                "export-control act", e, where="table export_control_events", hint=f"acts: {', '.join(sorted(known))}"
            )
    ev = events.set_index("event_id")
    suspended: dict[str, list] = {}
    for r in scope[scope["suspends"] != ""].itertuples(index=False):
        if r.event_id in lift:
            continue
        window = (pd.Timestamp(ev.at[r.event_id, "announced_date"]), pd.Timestamp(ev.at[r.event_id, "effective_date"]))
        for e in r.suspends.split(";"):
            suspended.setdefault(e, []).append(window)
    rows = []
    for r in scope[scope["mineral"] != ""].itertuples(index=False):
        if r.event_id in lift:
            continue
        e = ev.loc[r.event_id]
        start = pd.Timestamp(e["effective_date"])
        if r.event_id not in add and in_force_days(start, suspended.get(r.event_id, []), year) == 0:
            continue
        url = e["source_url"] if isinstance(e["source_url"], str) else None
        rows.append(
            {
                "country": "CHN",
                "mineral": r.mineral,
                "stage": r.stage,
                "measure": r.measure,
                "date_from": start.date().isoformat(),
                "date_to": "",
                "targets": r.targets,
                "description": f"{e['materials']}: {r.note}" if r.note else e["materials"],
                "source": (
                    f"{e['authority']} Announcement {e['announcement']} ({r.event_id}), in force "
                    f"{start.date().isoformat()}"
                    + (f"; {url}" if url else "; no official URL in the table")
                    + (" (added by the scenario)" if r.event_id in add else "")
                ),
                "event_id": r.event_id,
                "announcement": e["announcement"],
                "url": url,
                "in_force_date": start.date().isoformat(),
                "t": float(factors["factors"][r.measure]),
            }
        )
    return pd.DataFrame(rows, columns=RESTRICTION_COLUMNS)
