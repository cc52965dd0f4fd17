"""IEA Critical Minerals Data Explorer (2025 edition, base year 2024): demand and supply outlooks.

Format (two CSV tables read from the Data Explorer's JSON by a third party, CC BY 4.0):

* ``iea_demand_by_mineral_scenario_kt.csv``: ``table, mineral, measure, sector, scenario, year, kt``
  -- ``table`` is always ``demand``; ``measure`` is ``totalDemand`` (all uses), ``totalClean``
  (clean technologies), ``otherUses``, ``clean_tech_sector`` (one clean-technology ``sector`` such
  as ``Electric vehicles``; ``sector`` is empty for every other measure) or ``totalClean_all38``
  (clean-technology demand for the 38 minerals of the wider table); ``scenario`` is ``observed``
  (2024) or ``STEPS``, ``APS``, ``NZE`` (2030-2050); ``kt`` thousand tonnes.
* ``iea_supply_by_country_stage_kt.csv``: ``mineral, stage, country, year, kt`` -- mining or
  refining output by country (``World`` and ``Rest of world`` included), base case, 2024-2040.
  The publisher's footnotes were carried into the ``country`` column with an empty ``kt``.

Canonical tables:

* ``iea_demand``: ``mineral, measure, sector, scenario, year, value_kt`` (``sector`` null unless
  ``measure == "clean_tech_sector"``).
* ``iea_supply``: ``mineral, stage, country, iso3, year, value_kt``; ``iso3`` from
  :func:`critmin.countries.resolve` (``WLD`` for ``World``, null for ``Rest of world``).

Measures overlap (``totalDemand = totalClean + otherUses``; the sectors add up to ``totalClean``,
with ``Low emissions power generation`` a subtotal): never sum across measures.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.countries import resolve
from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import csv_rows, read_text

DEMAND_COLUMNS = ["table", "mineral", "measure", "sector", "scenario", "year", "kt"]
SUPPLY_COLUMNS = ["mineral", "stage", "country", "year", "kt"]
MEASURES = ("totalDemand", "totalClean", "otherUses", "clean_tech_sector", "totalClean_all38")
SCENARIOS = ("observed", "STEPS", "APS", "NZE")
STAGES = ("mining", "refining")
#: supply rows that are not one country (``World`` resolves to ``WLD`` by itself)
AGGREGATES = {"rest of world"}


def _kt(path: Path, raw: str, n: int) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise DataFormatError(path, f"{raw!r} is not a number (kt)", row=n, field="kt") from None
    if not math.isfinite(value) or value < 0:
        raise DataFormatError(path, f"value {raw} must be a finite number >= 0 (kt)", row=n, field="kt")
    return value


def _year(path: Path, raw: str, n: int) -> int:
    if not (raw.isdigit() and 2000 <= int(raw) <= 2100):
        raise DataFormatError(path, f"year {raw!r} is not a year 2000-2100", row=n, field="year")
    return int(raw)


def _text(path: Path, raw: str, n: int, field: str) -> str:
    value = " ".join(raw.split())
    if not value:
        raise DataFormatError(path, f"empty {field}", row=n, field=field)
    return value


def read_iea_demand(path: Path) -> pd.DataFrame:
    """Parse the demand table into ``iea_demand`` (long: one row per mineral, measure, sector, scenario, year).

    Raises
    ------
    DataFormatError
        Missing columns; a ``table`` other than ``demand``; an unknown measure or scenario; a sector
        given for a total measure or missing for ``clean_tech_sector``; a bad year; a value that is
        empty, not a number, negative or infinite; a duplicated key (``row`` is the 1-based data row).
    """
    path = Path(path)
    header, rows = csv_rows(path, read_text(path, encoding="utf-8-sig"), required=DEMAND_COLUMNS)
    ix = {c: header.index(c) for c in DEMAND_COLUMNS}
    records: list[tuple[str, str, str | None, str, int, float]] = []
    seen: dict[tuple[str, str, str | None, str, int], int] = {}
    for n, f in rows:
        if f[ix["table"]].strip() != "demand":
            raise DataFormatError(path, f"table {f[ix['table']]!r}; expected demand", row=n, field="table")
        measure = f[ix["measure"]].strip()
        if measure not in MEASURES:
            raise DataFormatError(
                path, f"measure {measure!r} is not one of {', '.join(MEASURES)}", row=n, field="measure"
            )
        sector = " ".join(f[ix["sector"]].split()) or None
        if (measure == "clean_tech_sector") != (sector is not None):
            raise DataFormatError(
                path,
                f"sector {sector!r} with measure {measure}: a sector is given exactly for clean_tech_sector rows",
                row=n,
                field="sector",
            )
        scenario = f[ix["scenario"]].strip()
        if scenario not in SCENARIOS:
            raise DataFormatError(
                path, f"scenario {scenario!r} is not one of {', '.join(SCENARIOS)}", row=n, field="scenario"
            )
        mineral = _text(path, f[ix["mineral"]], n, "mineral")
        year = _year(path, f[ix["year"]].strip(), n)
        key = (mineral, measure, sector, scenario, year)
        if key in seen:
            raise DataFormatError(
                path,
                f"{mineral} {measure} {sector or ''} {scenario} {year} appears twice (first at row {seen[key]})",
                row=n,
            )
        seen[key] = n
        raw = f[ix["kt"]].strip()
        if raw == "":
            raise DataFormatError(path, "empty value; expected kt", row=n, field="kt")
        records.append((*key, _kt(path, raw, n)))
    if not records:
        raise DataFormatError(path, "has a header but no data rows")
    df = pd.DataFrame.from_records(records, columns=["mineral", "measure", "sector", "scenario", "year", "value_kt"])
    return df.astype({"year": "int16"})


def _is_footnote(cell: str) -> bool:
    """A footnote carried into the country column: prose (``Notes: ...``) rather than a name."""
    return cell.lower().startswith("notes:") or len(cell.split()) > 6


def read_iea_supply(path: Path) -> pd.DataFrame:
    """Parse the supply table into ``iea_supply`` (one row per mineral, stage, country, year).

    Footnote rows (prose in ``country`` and no value) are dropped.

    Raises
    ------
    DataFormatError
        Missing columns; an unknown stage; a country name critmin cannot resolve; a bad year;
        a value that is empty (outside a footnote row), not a number, negative or infinite;
        a duplicated key.
    """
    path = Path(path)
    header, rows = csv_rows(path, read_text(path, encoding="utf-8-sig"), required=SUPPLY_COLUMNS)
    ix = {c: header.index(c) for c in SUPPLY_COLUMNS}
    records: list[tuple[str, str, str, str | None, int, float]] = []
    seen: dict[tuple[str, str, str, int], int] = {}
    for n, f in rows:
        country = _text(path, f[ix["country"]], n, "country")
        raw = f[ix["kt"]].strip()
        if raw == "" and _is_footnote(country):
            continue
        stage = f[ix["stage"]].strip().lower()
        if stage not in STAGES:
            raise DataFormatError(path, f"stage {stage!r} is not one of {', '.join(STAGES)}", row=n, field="stage")
        if country.lower() in AGGREGATES:
            iso3 = None
        else:
            iso3 = resolve(country)
            if iso3 is None:
                raise DataFormatError(
                    path,
                    f"unknown country name {country!r}; add it to critmin/country_aliases.csv",
                    row=n,
                    field="country",
                )
        mineral = _text(path, f[ix["mineral"]], n, "mineral")
        year = _year(path, f[ix["year"]].strip(), n)
        key = (mineral, stage, country, year)
        if key in seen:
            raise DataFormatError(
                path, f"{mineral} {stage} {country} {year} appears twice (first at row {seen[key]})", row=n
            )
        seen[key] = n
        if raw == "":
            raise DataFormatError(path, "empty value; expected kt", row=n, field="kt")
        records.append((mineral, stage, country, iso3, year, _kt(path, raw, n)))
    if not records:
        raise DataFormatError(path, "has a header but no data rows")
    df = pd.DataFrame.from_records(records, columns=["mineral", "stage", "country", "iso3", "year", "value_kt"])
    return df.astype({"year": "int16"})


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return {
        "iea_demand": read_iea_demand(single_path(files, "demand")),
        "iea_supply": read_iea_supply(single_path(files, "supply")),
    }


IEA_DEMAND_SCHEMA = pa.DataFrameSchema(
    {
        "mineral": pa.Column(str),
        "measure": pa.Column(str, pa.Check.isin(MEASURES)),
        "sector": pa.Column(str, nullable=True),
        "scenario": pa.Column(str, pa.Check.isin(SCENARIOS)),
        "year": pa.Column("int16", pa.Check.in_range(2000, 2100)),
        "value_kt": pa.Column(float, pa.Check.ge(0)),
    },
    strict=True,
    unique=["mineral", "measure", "sector", "scenario", "year"],
)
IEA_SUPPLY_SCHEMA = pa.DataFrameSchema(
    {
        "mineral": pa.Column(str),
        "stage": pa.Column(str, pa.Check.isin(STAGES)),
        "country": pa.Column(str),
        "iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "year": pa.Column("int16", pa.Check.in_range(2000, 2100)),
        "value_kt": pa.Column(float, pa.Check.ge(0)),
    },
    strict=True,
    unique=["mineral", "stage", "country", "year"],
)

PAGE = "https://www.iea.org/data-and-statistics/data-tools/critical-minerals-data-explorer"
SOURCE = Source(
    name="iea_outlook",
    title="IEA Critical Minerals Data Explorer: demand by scenario, supply by country (outlook to 2050)",
    publisher="International Energy Agency (tables derived by a third party)",
    licence="CC BY 4.0",
    release="2025 edition, base year 2024",
    files=(
        RemoteFile("demand", "outlook/iea_demand_by_mineral_scenario_kt.csv", PAGE),
        RemoteFile("supply", "outlook/iea_supply_by_country_stage_kt.csv", PAGE),
    ),
    load=_load,
    tables=("iea_demand", "iea_supply"),
    schemas={"iea_demand": IEA_DEMAND_SCHEMA, "iea_supply": IEA_SUPPLY_SCHEMA},
    url_page=PAGE,
    downloadable=False,
)
