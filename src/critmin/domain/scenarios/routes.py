r"""Sea routes between named ports: distance, sailing days, chokepoints, closures.

Distances come from ``searoute`` (Eurostat-based marine network, offline), between the
coordinates of critmin's own port table (``searoute``'s port snapping picks minor ports, so
it is not used). Only the default ``networkx`` backend is used: mixing backends in one process
crashes.

    days = distance_nm / (speed_knots * 24),   1 nm = 1.852 km

Chokepoints: ``searoute`` reports the passages it traverses (Panama, Suez, Bab-el-Mandeb,
Hormuz, Gibraltar, Malacca, Sunda, Cape of Good Hope = ``south_africa``, Magellan/Cape Horn
= ``chili``); Torres Strait and Lombok are detected geometrically (route points inside a small box).
Closures use searoute's ``restrictions``; Torres and Lombok cannot be closed there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from critmin.errors import UnknownCodeError

KM_PER_NM = 1.852

# critmin chokepoint id -> searoute passage id
CHOKEPOINTS = {
    "panama": "panama",
    "magellan": "chili",
    "cape_of_good_hope": "south_africa",
    "malacca": "malacca",
    "suez": "suez",
    "bab_el_mandeb": "babalmandab",
    "hormuz": "ormuz",
    "gibraltar": "gibraltar",
    "sunda": "sunda",
    "torres": None,
    "lombok": None,
}
CHOKEPOINT_NAMES = {
    "panama": "Panama Canal",
    "magellan": "Magellan Strait / Cape Horn",
    "cape_of_good_hope": "Cape of Good Hope",
    "malacca": "Strait of Malacca",
    "suez": "Suez Canal",
    "bab_el_mandeb": "Bab-el-Mandeb",
    "hormuz": "Strait of Hormuz",
    "gibraltar": "Strait of Gibraltar",
    "sunda": "Sunda Strait",
    "torres": "Torres Strait",
    "lombok": "Lombok Strait",
}
# lon_min, lon_max, lat_min, lat_max
_GEOMETRIC_BOXES = {"torres": (141.0, 143.6, -11.2, -9.3), "lombok": (115.5, 116.0, -9.0, -8.2)}
_PASSAGE_TO_ID = {v: k for k, v in CHOKEPOINTS.items() if v}


def resolve_port(name: str, ports: pd.DataFrame) -> pd.Series:
    """The port row for ``name`` (case-insensitive, also ``JNPT`` = ``Nhava Sheva``) or an ISO3 code."""
    aliases = {
        "nhava sheva": "jnpt",
        "jawaharlal nehru": "jnpt",
        "valparaíso": "valparaiso",
        "vizag": "visakhapatnam",
        "haldia": "kolkata",
        "v.o. chidambaranar": "tuticorin",
    }
    key = aliases.get(name.strip().lower(), name.strip().lower())
    hit = ports[ports["port"].str.lower() == key]
    if hit.empty and len(key) == 3:
        hit = ports[(ports["iso3"].str.lower() == key) & (ports["role"].isin(["supplier", "india"]))]
    if hit.empty:
        raise UnknownCodeError("port", name, hint=f"known ports: {', '.join(ports['port'])}")
    return hit.iloc[0]


def _closures_to_restrictions(closed) -> list[str]:
    restrictions = ["northwest"]
    for c in closed or ():
        cid = c.strip().lower().replace("-", "_").replace(" ", "_")
        if cid not in CHOKEPOINTS:
            raise UnknownCodeError("chokepoint", c, hint=f"known: {', '.join(CHOKEPOINTS)}")
        if CHOKEPOINTS[cid] is None:
            raise UnknownCodeError(
                "closable chokepoint",
                c,
                hint="searoute's network cannot close Torres or Lombok; close one of "
                + ", ".join(k for k, v in CHOKEPOINTS.items() if v),
            )
        restriction = CHOKEPOINTS[cid]
        assert restriction is not None  # checked just above
        restrictions.append(restriction)
    return restrictions


@lru_cache(maxsize=512)
def _route_cached(o: tuple, d: tuple, restrictions: tuple):
    import searoute as sr

    feat = sr.searoute(list(o), list(d), units="km", restrictions=list(restrictions), return_passages=True)
    coords = np.asarray(feat["geometry"]["coordinates"], float)
    if len(coords):
        coords[:, 0] = (coords[:, 0] + 180.0) % 360.0 - 180.0  # searoute may return unwrapped longitudes
    return float(feat["properties"]["length"]), coords, tuple(feat["properties"].get("traversed_passages", []))


@dataclass(frozen=True)
class Route:
    origin: str
    destination: str
    distance_km: float
    distance_nm: float
    days: float
    speed_knots: float
    chokepoints: tuple[str, ...]
    closed: tuple[str, ...]
    coordinates: np.ndarray

    def to_dict(self, *, with_path: bool = False) -> dict:
        out = {
            "from": self.origin,
            "to": self.destination,
            "distance_km": self.distance_km,
            "distance_nm": self.distance_nm,
            "days": self.days,
            "speed_knots": self.speed_knots,
            "chokepoints": list(self.chokepoints),
            "chokepoint_names": [CHOKEPOINT_NAMES[c] for c in self.chokepoints],
            "closed": list(self.closed),
        }
        if with_path:
            out["path"] = self.coordinates.tolist()
        return out


def sea_route(
    origin: str,
    destination: str,
    *,
    ports: pd.DataFrame | None = None,
    speed_knots: float = 13.0,
    closed: tuple[str, ...] | list[str] = (),
) -> Route:
    """Shortest sea route between two named ports, optionally with chokepoints closed.

    Parameters
    ----------
    origin, destination : str
        Port names from the port table (or a supplier ISO3 for its default port).
    speed_knots : float
        Service speed; ``days = nm / (24 * speed)``.
    closed : sequence of str
        Chokepoint ids to avoid (see :data:`CHOKEPOINTS`).
    """
    if speed_knots <= 0:
        raise ValueError(f"speed_knots must be positive, got {speed_knots!r}")
    if ports is None:
        from critmin.scenario_data import load_ports

        ports = load_ports()
    o, d = resolve_port(origin, ports), resolve_port(destination, ports)
    return sea_route_points(
        (float(o.lon), float(o.lat)),
        (float(d.lon), float(d.lat)),
        labels=(str(o.port), str(d.port)),
        speed_knots=speed_knots,
        closed=closed,
    )


def sea_route_points(
    origin: tuple[float, float],
    destination: tuple[float, float],
    *,
    labels: tuple[str, str] = ("origin", "destination"),
    speed_knots: float = 13.0,
    closed: tuple[str, ...] | list[str] = (),
) -> Route:
    """Like :func:`sea_route` between two ``(lon, lat)`` points (searoute snaps them to its network)."""
    if speed_knots <= 0:
        raise ValueError(f"speed_knots must be positive, got {speed_knots!r}")
    restrictions = tuple(_closures_to_restrictions(closed))
    km, coords, passages = _route_cached(tuple(map(float, origin)), tuple(map(float, destination)), restrictions)
    if not np.isfinite(km) or len(coords) == 0:
        from critmin.errors import EmptySelectionError

        raise EmptySelectionError(f"no sea route from {labels[0]} to {labels[1]} with {', '.join(closed)} closed")
    found = {_PASSAGE_TO_ID[p] for p in passages if p in _PASSAGE_TO_ID}
    for cid, (x0, x1, y0, y1) in _GEOMETRIC_BOXES.items():
        if np.any((coords[:, 0] >= x0) & (coords[:, 0] <= x1) & (coords[:, 1] >= y0) & (coords[:, 1] <= y1)):
            found.add(cid)
    order = [c for c in CHOKEPOINTS if c in found]
    nm = km / KM_PER_NM
    return Route(
        origin=labels[0],
        destination=labels[1],
        distance_km=km,
        distance_nm=nm,
        days=nm / (24.0 * speed_knots),
        speed_knots=speed_knots,
        chokepoints=tuple(order),
        closed=tuple(closed),
        coordinates=coords,
    )


def route_table(
    origins, destinations, *, ports: pd.DataFrame | None = None, speed_knots: float = 13.0, closed=()
) -> pd.DataFrame:
    """Distances, days and chokepoints for every origin x destination pair."""
    rows = []
    for o in origins:
        for d in destinations:
            r = sea_route(o, d, ports=ports, speed_knots=speed_knots, closed=tuple(closed))
            rows.append({**r.to_dict(), "chokepoints": ";".join(r.chokepoints)})
    return pd.DataFrame(rows)


def freight_per_t(
    partners: Sequence[str],
    destination: str,
    rate_per_1000nm: float,
    *,
    ports: pd.DataFrame,
    freight_table: Mapping[str, float] | None = None,
    geo: pd.DataFrame | None = None,
) -> pd.DataFrame:
    r"""Sea freight per gross tonne from each supplier to ``destination``.

    .. math:: f_i = \frac{d_i}{1000} \times r

    with :math:`d_i` the sea distance (nm) and :math:`r` the rate in USD per tonne per 1,000 nm.
    Order: the user's ``freight_table`` (``{partner: USD/t}``) first; else the distance from the
    partner's supplier port in ``ports``; else from its main city in GeoDist (``geo``: ``iso3, lon,
    lat, city_en, landlocked``; coastal countries only); else unknown (NaN).

    Returns
    -------
    pandas.DataFrame
        ``partner, freight_usd_t_gross, freight_basis, port, distance_nm``.
    """
    dest = resolve_port(destination, ports)
    rows: list[tuple] = []
    for p in partners:
        if freight_table and p in freight_table:
            rows.append((p, float(freight_table[p]), "user freight table", None, None))
            continue
        cand = ports[(ports["iso3"] == p) & (ports["role"] == "supplier")]
        if not cand.empty:
            r = sea_route(str(cand.iloc[0]["port"]), str(dest.port), ports=ports)
            where = f"{r.origin} -> {r.destination}"
        else:
            city = None if geo is None else geo[(geo["iso3"] == p)]
            if city is None or city.empty or int(city.iloc[0]["landlocked"] or 0) == 1:
                rows.append((p, np.nan, "no port in critmin's port table (landlocked or unknown)", None, None))
                continue
            c = city.iloc[0]
            r = sea_route_points(
                (float(c["lon"]), float(c["lat"])),
                (float(dest.lon), float(dest.lat)),
                labels=(f"{c['city_en']} (GeoDist main city)", str(dest.port)),
            )
            where = f"{r.origin} -> {r.destination}"
        rows.append(
            (
                p,
                r.distance_nm / 1000.0 * rate_per_1000nm,
                f"{where} {r.distance_nm:,.0f} nm x USD {rate_per_1000nm}/t/1000nm",
                r.origin,
                r.distance_nm,
            )
        )
    return pd.DataFrame(rows, columns=["partner", "freight_usd_t_gross", "freight_basis", "port", "distance_nm"])
