"""Sea routes: distances against published port-to-port figures, chokepoints, closures."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from critmin.domain.scenarios.routes import KM_PER_NM, sea_route
from critmin.errors import UnknownCodeError

# Published port-to-port distances (nautical miles):
# * New York -> Colombo via Gibraltar and Suez: 8,604 nm, NGA Pub. 151 "Distances Between Ports",
#   as quoted in the "Distances Between Ports" article (grokipedia.com/page/distances_between_ports).
# * Shanghai -> Rotterdam via Suez: about 10,600 nm; via the Cape of Good Hope: 13,800 nm
#   (Rodrigue, The Geography of Transport Systems / Port Economics, "Routing Options between
#   Shanghai, Rotterdam and New York", porteconomicsmanagement.org).
PUBLISHED = [
    ("New York", "Colombo", (), 8_604, {"suez", "gibraltar"}),
    ("Shanghai", "Rotterdam", (), 10_600, {"suez", "malacca"}),
    ("Shanghai", "Rotterdam", ("suez", "panama"), 13_800, {"cape_of_good_hope"}),
]


@pytest.mark.parametrize("o,d,closed,nm,via", PUBLISHED)
def test_distance_within_2pct_of_published(o, d, closed, nm, via):
    r = sea_route(o, d, closed=closed)
    assert abs(r.distance_km - nm * KM_PER_NM) / (nm * KM_PER_NM) < 0.02
    assert via <= set(r.chokepoints)


def test_days_follow_speed():
    r = sea_route("Callao", "Visakhapatnam", speed_knots=12.5)
    assert r.days == pytest.approx(r.distance_km / KM_PER_NM / (12.5 * 24))


def test_panama_closure_reroutes():
    open_ = sea_route("Houston", "Mundra")
    closed = sea_route("Houston", "Mundra", closed=("panama", "suez"))
    assert "suez" in open_.chokepoints
    assert "suez" not in closed.chokepoints and "panama" not in closed.chokepoints
    assert "cape_of_good_hope" in closed.chokepoints
    assert closed.distance_km > open_.distance_km
    # Callao -> India: closing the southern passage sends the ship through Panama and Suez
    r = sea_route("Callao", "Visakhapatnam", closed=("magellan",))
    assert {"panama", "suez"} <= set(r.chokepoints)


def test_ports_and_chokepoints_must_be_known():
    with pytest.raises(UnknownCodeError, match="port"):
        sea_route("Atlantis", "Mundra")
    with pytest.raises(UnknownCodeError, match="chokepoint"):
        sea_route("Callao", "Mundra", closed=("kiel",))
    with pytest.raises(UnknownCodeError, match="Torres"):
        sea_route("Callao", "Mundra", closed=("torres",))
    # aliases and ISO3 default ports
    assert sea_route("PER", "Nhava Sheva").origin == "Callao"
    assert sea_route("PER", "Nhava Sheva").destination == "JNPT"


def test_route_cli_json_and_offline_map(tmp_path):
    from critmin.cli import app

    chart = tmp_path / "route.html"
    r = CliRunner().invoke(
        app,
        ["route", "--from", "Callao", "--to", "Visakhapatnam", "--closed", "magellan", "--json", "--chart", str(chart)],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {"distance_km", "days", "chokepoints"} <= set(out)
    assert out["extra_km"] > 0
    assert chart.stat().st_size > 0 and "<script" in chart.read_text()[:10_000_000]
    # the map is plain x/y scatter over searoute's network: no geo subplot, so no topojson fetched from a CDN
    from critmin.report.figures_scenarios import route_map_figure
    from critmin.services.scenarios import route

    fig = route_map_figure([route("Callao", "Visakhapatnam", with_path=True)])
    assert {t.type for t in fig.data} == {"scatter"}
    assert "geo" not in fig.to_plotly_json()["layout"]


def test_route_map_draws_a_real_coastline_offline():
    """The base map is the Natural Earth raster embedded as a data URI (no URL to fetch), credited on the map;
    a route crossing the antimeridian is broken there instead of wrapping across the whole map."""
    import json

    from critmin.report.figures_scenarios import NATURAL_EARTH_CREDIT, route_map_figure

    path = [[170.0, -40.0], [179.5, -38.0], [-179.5, -37.0], [-170.0, -35.0]]
    fig = route_map_figure([{"from": "A", "to": "B", "path": path, "distance_km": 1.0, "days": 1.0, "chokepoints": []}])
    layout = fig.to_plotly_json()["layout"]
    (img,) = layout["images"]
    assert img["source"].startswith("data:image/png;base64,") and len(img["source"]) > 100_000
    assert (img["x"], img["y"], img["sizex"], img["sizey"]) == (-180, 90, 360, 180)
    assert NATURAL_EARTH_CREDIT in [a["text"] for a in layout["annotations"]]
    assert "http" not in json.dumps(layout)
    route_trace = next(t for t in fig.data if t.name and t.name.startswith("A -> B"))
    assert None in route_trace.x and max(abs(v) for v in route_trace.x if v is not None) <= 180
