"""The brief's copper-concentrate scenarios: the design from ``scenario_data/brief_scenarios.yaml``, run.

Orchestration only: the sourcing LP, the what-if duty, the projection and the sea routes are the
scenario services' (:mod:`critmin.services.scenarios`); this module reads the design, picks the
duty rows from the tariff table and returns every result with the design it came from, so the brief
section only lays them out.
"""

from __future__ import annotations

from critmin.config import Settings
from critmin.scenario_data import load_brief_scenarios


def design() -> dict:
    """The scenario design (``copper_concentrate``: reporter, year, partners, cap, ports, closure...)."""
    return load_brief_scenarios()


def _duty(reporter: str, hs6: str, year: int) -> dict:
    """The MFN duty on ``hs6`` in ``year`` from critmin's tariff table: ``rate`` (fraction), ``basis``."""
    from critmin.services.scenarios import tariff_lookup

    row = tariff_lookup(reporter, ["WLD"], hs6, year).iloc[0]
    return {"year": year, "rate": float(row["tariff_rate"]), "basis": str(row["tariff_basis"])}


def copper_concentrate(settings: Settings, partner: str | None = None) -> dict:
    """Sourcing with and without the what-if duty, the dependence projection and the routes.

    Parameters
    ----------
    partner : str, optional
        The brief's partner: the FTA partner set is the design's when ``partner`` is ``None`` or one
        of the design's partners, else ``[partner]``.

    Returns
    -------
    dict
        ``design`` (the YAML's ``copper_concentrate``), ``fta``, ``duty_now`` and ``duty_what_if``
        (``year, rate, basis``), ``sourcing`` and ``sourcing_what_if`` (:func:`sourcing` results),
        ``projection`` (:func:`projection_report`), ``route`` and ``route_closed`` (:func:`route`
        with the path; the second with the design's passage closed), ``closed_passage_name``.
    """
    from critmin.services.scenarios import mfn_what_if, projection_report, route, sourcing

    d = design()["copper_concentrate"]
    fta = list(d["fta_partners"]) if partner in (None, *d["fta_partners"]) else [partner]
    now = _duty(d["reporter"], d["hs6"], d["year"])
    before = _duty(d["reporter"], d["hs6"], d["what_if_duty_year"])
    common = dict(fta=fta, max_share=d["max_share"])
    src = sourcing(settings, d["mineral"], d["stage"], d["year"], **common)
    what_if = sourcing(
        settings,
        d["mineral"],
        d["stage"],
        d["year"],
        **common,
        tariffs=mfn_what_if(
            d["reporter"],
            d["hs6"],
            100.0 * before["rate"],
            year=d["year"],
            source=f"what-if: the {before['year']} duty ({before['basis']})",
        ),
    )
    from critmin.domain.scenarios.routes import CHOKEPOINT_NAMES

    origin = d["supplier_ports"].get(fta[0], fta[0])
    return {
        "design": d,
        "fta": fta,
        "duty_now": now,
        "duty_what_if": before,
        "sourcing": src,
        "sourcing_what_if": what_if,
        "projection": projection_report(settings, d["mineral"], end_year=d["projection_end_year"]),
        "route": route(origin, d["destination"], with_path=True),
        "route_closed": route(origin, d["destination"], closed=[d["closed_passage"]], with_path=True),
        "closed_passage_name": CHOKEPOINT_NAMES.get(d["closed_passage"], d["closed_passage"]),
    }
