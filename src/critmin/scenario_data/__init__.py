"""critmin's own cited parameter tables for the scenario models.

These small tables are written by the critmin authors (not third-party data
files): a port list with coordinates, default freight and elasticity
parameters, tariff starting values and projection starting points, each row
with its source or marked as an assumption. Read them with
:func:`critmin.scenario_data.load_ports` and
:func:`critmin.scenario_data.load_parameters`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

PORT_COLUMNS = ["port", "iso3", "lon", "lat", "role", "note"]


@lru_cache(maxsize=1)
def load_ports() -> pd.DataFrame:
    """The port table: ``port, iso3, lon, lat, role, note`` (WGS84 degrees)."""
    with resources.files(__package__).joinpath("ports.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"iso3": str}, comment="#")
    return df[PORT_COLUMNS].copy()


@lru_cache(maxsize=1)
def load_brief_scenarios() -> dict:
    """The design of the brief's supply scenarios (``brief_scenarios.yaml``: year, partners, cap, ports...)."""
    with resources.files(__package__).joinpath("brief_scenarios.yaml").open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def load_parameters() -> dict:
    """Default scenario parameters with their sources (``parameters.yaml``)."""
    with resources.files(__package__).joinpath("parameters.yaml").open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)
