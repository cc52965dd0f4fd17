"""Sea routes between ports: distance, sailing days, chokepoints (:func:`~critmin.domain.scenarios.routes.sea_route`)."""

from __future__ import annotations

from typing import Sequence


from critmin.domain.scenarios.routes import sea_route
from critmin.scenario_data import load_parameters


def route(
    origin: str,
    destination: str,
    *,
    speed_knots: float | None = None,
    closed: Sequence[str] = (),
    with_path: bool = False,
) -> dict:
    """Distance, sailing days and chokepoints between two ports; with ``closed``, also the open-route baseline."""
    sp = speed_knots or load_parameters()["freight"]["speed_knots"]
    r = sea_route(origin, destination, speed_knots=sp, closed=tuple(closed))
    out = r.to_dict(with_path=with_path)
    if closed:
        base = sea_route(origin, destination, speed_knots=sp)
        out["baseline"] = base.to_dict()
        out["extra_km"] = r.distance_km - base.distance_km
        out["extra_days"] = r.days - base.days
    out["source"] = "searoute (Eurostat marine network) between critmin's port coordinates"
    return out


def route_paths(origins: Sequence[str], destination: str, *, closed: Sequence[str] = ()) -> list[dict]:
    return [route(o, destination, closed=closed, with_path=True) for o in origins]
