"""Tariff tables and FTA schedules as domain objects, built from the tariff connector's output.

:mod:`critmin.sources.tariffs` parses the files (critmin tariff CSV, WITS/TRAINS downloads,
schedule YAML) into validated frames and plain mappings; the functions here wrap them in the
domain's :class:`~critmin.domain.policy.tariffs.TariffTable` and
:class:`~critmin.domain.policy.schedule.FtaScenario`, under the same names.
"""

from __future__ import annotations

from pathlib import Path

from critmin.domain.policy.schedule import FtaScenario
from critmin.domain.policy.tariffs import TariffTable
from critmin.sources import tariffs as files
from critmin.sources.tariffs import bundled_scenarios, read_elasticities

__all__ = [
    "bundled_scenario",
    "bundled_scenarios",
    "read_elasticities",
    "read_schedule",
    "read_tariff_csv",
    "read_tariffs",
    "read_wits_tariffs",
    "starter_tariffs",
]


def read_tariff_csv(path: str | Path) -> TariffTable:
    """A :class:`TariffTable` from a file in critmin's tariff CSV format (:func:`critmin.sources.tariffs.read_tariff_csv`)."""
    return TariffTable(files.read_tariff_csv(path), file=str(path))


def read_wits_tariffs(path: str | Path, *, duty_type: str | None = None) -> TariffTable:
    """A :class:`TariffTable` from a WITS/TRAINS download (:func:`critmin.sources.tariffs.read_wits_tariffs`)."""
    return TariffTable(files.read_wits_tariffs(path, duty_type=duty_type), file=str(path))


def read_tariffs(path: str | Path) -> TariffTable:
    """A :class:`TariffTable` from either tariff format, told apart by the header."""
    return TariffTable(files.read_tariffs(path), file=str(path))


def starter_tariffs() -> TariffTable:
    """critmin's cited starter table (India, Chile, Peru, New Zealand) as a :class:`TariffTable`."""
    return TariffTable(files.starter_tariffs(), file=files.STARTER_FILE)


def read_schedule(path: str | Path) -> FtaScenario:
    """Read an FTA phase-in schedule (YAML or JSON) into a validated :class:`FtaScenario`.

    Raises
    ------
    DataFormatError
        Unreadable or invalid YAML (from the connector), or a bad field (naming the file and field).
    """
    return FtaScenario.from_dict(files.read_schedule(path), origin=str(Path(path)))


def bundled_scenario(reporter: str, partner: str) -> FtaScenario | None:
    """The ready scenario critmin ships for ``reporter``-``partner`` (either order), if any."""
    path = files.bundled_scenario_file(reporter, partner)
    return None if path is None else read_schedule(path)
