"""USGS Mineral Commodity Summaries 2026 data release: world production and reserves by country.

Format (USGS, doi:10.5066/P1WKQ63T, file ``MCS2026_Commodities_Data.csv``): one
Windows-1252 CSV, one row per value, columns ``MCS chapter, Section, Commodity,
Country, Statistics, Statistics_detail, Unit, Year, Value, Notes, Is critical
mineral 2025, Other notes``. ``Value`` is verbatim text: plain numbers with
thousands separators (``5,510``), codes (``W`` withheld, ``NA`` not available,
``—`` zero, ``E`` net exporter, ``XX`` not applicable), ranges (``50–300``),
bounds (``>50``, ``<1,000``) and words (``Large``).

Canonical tables (rows of the ``World ...`` sections only; US salient
statistics, import sources and capacity rows are not loaded):

``mineral_production``
    ``commodity, mineral, country, iso3, year, stage, statistic, statistics_detail,
    value, value_text, value_min, value_max, unit, value_tonnes, is_estimate, notes, basis``.
``mineral_reserves``
    the same columns without ``stage``.

Rules
-----
* ``value`` is the number when ``Value`` is a plain number (``5,510`` -> 5510.0),
  else null; ``value_text`` keeps the text verbatim (so ``—`` zero, ``W``,
  ``>140,000,000`` stay readable).
* ``value_min``/``value_max`` are the bounds the text states: a plain number x gives
  (x, x), ``>x`` (x, null), ``<x`` (null, x), ``a–b`` (a, b) and ``—`` (0, 0), so the
  world reserves of nickel (``>140,000,000``) keep a usable lower bound.
* ``value_tonnes = value * f(unit)`` with f = 1 for ``metric tons`` and ``metric dry
  tons``, 1e3 for ``thousand metric (dry) tons``, 1e6 for ``million metric tons``,
  1e-3 for ``kilograms``; null for every other unit (carats, cubic metres, litres,
  the ambiguous bare ``tons``).
* ``stage`` from ``Statistics_detail``: ``mine``, ``refinery``, ``smelter``, ``plant``
  or ``primary`` when the word occurs (``Mine production: rounded`` -> ``mine``,
  ``Alumina, refinery production`` -> ``refinery``), else ``production``.
* ``is_estimate``: a note segment (segments are separated by `` -- ``) starts with
  "Estimated"; or the row is a production figure for 2025 (the release's current
  year, which USGS estimates) and no segment starts with "Reported".
* ``basis`` is the chapter's data basis from ``Other notes`` (``Data in metric tons,
  lithium content, unless otherwise specified``): content or gross weight.
* ``iso3`` from :func:`critmin.countries.resolve` (source ``usgs``: ``Congo (Kinshasa)``
  -> ``COD``, ``Burma`` -> ``MMR``); ``World total`` -> ``WLD``;
  ``Other countries`` and combined rows (``China, Germany, and Russia``) -> null.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.countries import resolve_or_raise, source_aliases
from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import csv_rows, read_text

ENCODING = "cp1252"
ESTIMATE_YEAR = 2025  # the MCS 2026 edition's current (estimated) year
COLUMNS = [
    "MCS chapter",
    "Section",
    "Commodity",
    "Country",
    "Statistics",
    "Statistics_detail",
    "Unit",
    "Year",
    "Value",
    "Notes",
]
LOADED_STATISTICS = {"Production": "mineral_production", "Reserves": "mineral_reserves"}

#: USGS country spellings (as written in MCS tables) -> ISO3, from critmin's alias table
#: (``critmin/country_aliases.csv``, source ``usgs``); names are resolved with
#: :func:`critmin.countries.resolve` (source ``usgs``), which also knows canonical names.
COUNTRY_ISO3: dict[str, str] = source_aliases("usgs")
# rows that are aggregates, not one country: kept with a null iso3
AGGREGATE_NAMES = {"Other countries", "China, Germany, and Russia"}

# USGS commodity (``Commodity`` column) -> critmin mineral id
COMMODITY_MINERAL: dict[str, str] = {
    "Abrasives (Manufactured)": "abrasives",
    "Alumina": "alumina",
    "Aluminum": "aluminium",
    "Antimony": "antimony",
    "Arsenic": "arsenic",
    "Asbestos": "asbestos",
    "Barite": "baryte",
    "Bauxite": "bauxite",
    "Beryllium": "beryllium",
    "Bismuth": "bismuth",
    "Boron": "boron",
    "Bromine": "bromine",
    "Cadmium": "cadmium",
    "Cement": "cement",
    "Cesium": "cesium",
    "Chromium": "chromium",
    "Clays": "clays",
    "Cobalt": "cobalt",
    "Copper": "copper",
    "Diamond (Industrial)": "industrial_diamond",
    "Diatomite": "diatomite",
    "Feldspar And Nepheline Syenite": "feldspar",
    "Fluorspar": "fluorspar",
    "Gallium": "gallium",
    "Garnet (Industrial)": "garnet",
    "Gemstones": "gemstones",
    "Germanium": "germanium",
    "Gold": "gold",
    "Graphite (Natural)": "graphite",
    "Gypsum": "gypsum",
    "Hafnium": "hafnium",
    "Helium": "helium",
    "Indium": "indium",
    "Iodine": "iodine",
    "Iron And Steel": "iron_steel",
    "Iron And Steel Slag": "slag",
    "Iron Ore": "iron_ore",
    "Iron Oxide Pigments": "iron_oxide_pigments",
    "Kyanite And Related Minerals": "kyanite",
    "Krypton": "krypton",
    "Lead": "lead",
    "Lime": "lime",
    "Lithium": "lithium",
    "Magnesium Compounds": "magnesium_compounds",
    "Magnesium Metal": "magnesium",
    "Manganese": "manganese",
    "Mercury": "mercury",
    "Mica (Natural)": "mica",
    "Molybdenum": "molybdenum",
    "Neon": "neon",
    "Nickel": "nickel",
    "Niobium (Columbium)": "niobium",
    "Nitrogen (Fixed)—Ammonia": "nitrogen",
    "Palladium": "palladium",
    "Peat": "peat",
    "Perlite": "perlite",
    "Phosphate Rock": "phosphate",
    "Platinum": "platinum",
    "Platinum-Group Metals": "pgm",
    "Potash": "potash",
    "Pumice And Pumicite": "pumice",
    "Rare Earths": "rare_earths",
    "Rhenium": "rhenium",
    "Rubidium": "rubidium",
    "Salt": "salt",
    "Sand And Gravel (Construction)": "construction_sand_gravel",
    "Sand And Gravel (Industrial)": "industrial_sand_gravel",
    "Scandium": "scandium",
    "Selenium": "selenium",
    "Silicon": "silicon",
    "Silver": "silver",
    "Soda Ash": "soda_ash",
    "Stone (Crushed)": "crushed_stone",
    "Stone (Dimension)": "dimension_stone",
    "Strontium": "strontium",
    "Sulfur": "sulfur",
    "Talc And Pyrophyllite": "talc",
    "Tantalum": "tantalum",
    "Tellurium": "tellurium",
    "Thallium": "thallium",
    "Tin": "tin",
    "Tio2 Pigment": "titanium_dioxide",
    "Titanium Mineral Concentrates": "titanium_concentrates",
    "Titanium Sponge Metal": "titanium",
    "Tungsten": "tungsten",
    "Vanadium": "vanadium",
    "Vermiculite": "vermiculite",
    "Wollastonite": "wollastonite",
    "Xenon": "xenon",
    "Yttrium": "yttrium",
    "Zeolites (Natural)": "zeolites",
    "Zinc": "zinc",
    "Zirconium": "zirconium",
}

TONNES_PER_UNIT: dict[str, float] = {
    "metric tons": 1.0,
    "metric dry tons": 1.0,
    "thousand metric tons": 1e3,
    "thousand metric dry tons": 1e3,
    "million metric tons": 1e6,
    "kilograms": 1e-3,
}
STAGES = ("mine", "refinery", "smelter", "plant", "primary")
_STAGE_RE = re.compile(r"\b(" + "|".join(STAGES) + r")\b", re.IGNORECASE)
_NUMBER_RE = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_ESTIMATED_RE = re.compile(r"^\s*estimated\b", re.IGNORECASE)
_REPORTED_RE = re.compile(r"^\s*reported\b", re.IGNORECASE)


def parse_value(text: str) -> float | None:
    """The number in a USGS ``Value`` cell when it is a plain number, else ``None``.

    ``"5,510"`` -> 5510.0, ``"0.5"`` -> 0.5, ``"68\\xa0"`` -> 68.0; codes, ranges,
    bounds and words (``W``, ``—``, ``50–300``, ``>50``, ``Large``) -> ``None``.
    """
    s = text.replace("\xa0", " ").strip()
    if _NUMBER_RE.fullmatch(s):
        return float(s.replace(",", ""))
    return None


_BOUND_RE = re.compile(r"([<>])\s*(" + _NUMBER_RE.pattern + r")")
_RANGE_RE = re.compile(r"(" + _NUMBER_RE.pattern + r")\s*[–-]\s*(" + _NUMBER_RE.pattern + r")")
ZERO_TEXT = "—"  # USGS: zero


def parse_bounds(text: str) -> tuple[float | None, float | None]:
    """Lower and upper bound that a USGS ``Value`` cell states.

    Plain number x -> (x, x); ``>x`` -> (x, None); ``<x`` -> (None, x);
    ``a–b`` (en dash or hyphen) -> (a, b); ``—`` (zero) -> (0, 0); anything else
    (``W``, ``NA``, ``Large``...) -> (None, None).
    """
    s = text.replace("\xa0", " ").strip()
    x = parse_value(s)
    if x is not None:
        return x, x
    if s == ZERO_TEXT:
        return 0.0, 0.0
    if m := _BOUND_RE.fullmatch(s):
        v = float(m.group(2).replace(",", ""))
        return (v, None) if m.group(1) == ">" else (None, v)
    if m := _RANGE_RE.fullmatch(s):
        return float(m.group(1).replace(",", "")), float(m.group(2).replace(",", ""))
    return None, None


def stage_of(statistics_detail: str) -> str:
    """Production stage named in ``Statistics_detail`` (``mine``, ``refinery``...), else ``production``."""
    m = _STAGE_RE.search(statistics_detail)
    return m.group(1).lower() if m else "production"


def is_estimate(notes: str, year: int, statistic: str) -> bool:
    """USGS estimate flag (see the module docstring for the rule)."""
    segments = notes.split(" -- ")
    if any(_ESTIMATED_RE.match(s) for s in segments):
        return True
    return statistic == "Production" and year == ESTIMATE_YEAR and not any(_REPORTED_RE.match(s) for s in segments)


def basis_of(other_notes: str) -> str:
    """The chapter's data basis from ``Other notes``: ``(Data in metric tons, lithium content, ...)``.

    Returns the text inside the leading parenthesis (``Data in metric tons, lithium content,
    unless otherwise specified``), or ``""`` when the note does not start with one.
    """
    first = other_notes.split(" -- ")[0].strip()
    if first.startswith("(") and first.endswith(")"):
        return first[1:-1].strip()
    return ""


def country_iso3(name: str, *, where: str) -> str | None:
    """ISO3 of a USGS country name (``WLD`` for the world total, ``None`` for aggregates).

    Raises
    ------
    UnknownCodeError
        A name that :func:`critmin.countries.resolve` does not know for source ``usgs``.
    """
    name = name.strip()
    if name in AGGREGATE_NAMES:
        return None
    return resolve_or_raise(name, source="usgs", where=where)


PRODUCTION_COLUMNS = [
    "commodity",
    "mineral",
    "country",
    "iso3",
    "year",
    "stage",
    "statistic",
    "statistics_detail",
    "value",
    "value_text",
    "value_min",
    "value_max",
    "unit",
    "value_tonnes",
    "is_estimate",
    "notes",
    "basis",
]


def read_mcs(path: Path) -> dict[str, pd.DataFrame]:
    """Parse ``MCS2026_Commodities_Data.csv`` into ``mineral_production`` and ``mineral_reserves``.

    Parameters
    ----------
    path : Path
        The USGS data-release CSV (Windows-1252).

    Returns
    -------
    dict of DataFrame
        ``{"mineral_production": ..., "mineral_reserves": ...}``; see the module docstring.

    Raises
    ------
    DataFormatError
        Wrong encoding, missing column, truncated/malformed line, non-integer year or
        a negative production/reserve figure (names the row and field).
    UnknownCodeError
        A country name the resolver does not know (names the row and the alias file).
    """
    path = Path(path)
    text = read_text(path, encoding=ENCODING, reject_utf8=True)
    header, rows = csv_rows(path, text, required=COLUMNS)
    ix = {c: header.index(c) for c in COLUMNS}
    ix_other = header.index("Other notes") if "Other notes" in header else None
    out: dict[str, list[dict]] = {t: [] for t in LOADED_STATISTICS.values()}
    for n, f in rows:
        section, statistic = f[ix["Section"]].strip(), f[ix["Statistics"]].strip()
        if not section.startswith("World") or statistic not in LOADED_STATISTICS:
            continue
        year_text = f[ix["Year"]].strip()
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2100:
            raise DataFormatError(path, f"year {year_text!r} is not a four-digit year", row=n, field="Year")
        year = int(year_text)
        value_text = f[ix["Value"]]
        value = parse_value(value_text)
        lo, hi = parse_bounds(value_text)
        if (lo is not None and lo < 0) or (hi is not None and hi < 0):
            raise DataFormatError(
                path,
                f"negative {statistic.lower()} {value_text!r}; production and reserves must be >= 0",
                row=n,
                field="Value",
            )
        unit = f[ix["Unit"]].strip()
        factor = TONNES_PER_UNIT.get(unit)
        commodity, detail, notes = f[ix["Commodity"]].strip(), f[ix["Statistics_detail"]].strip(), f[ix["Notes"]]
        country = f[ix["Country"]].strip()
        rec = {
            "commodity": commodity,
            "mineral": COMMODITY_MINERAL.get(commodity),
            "country": country,
            "iso3": country_iso3(country, where=f"{path}, row {n}, field 'Country'"),
            "year": year,
            "stage": stage_of(detail),
            "statistic": statistic,
            "statistics_detail": detail,
            "value": value,
            "value_text": value_text,
            "value_min": lo,
            "value_max": hi,
            "unit": unit,
            "value_tonnes": value * factor if value is not None and factor is not None else None,
            "is_estimate": is_estimate(notes, year, statistic),
            "notes": notes,
            "basis": basis_of(f[ix_other]) if ix_other is not None else "",
        }
        out[LOADED_STATISTICS[statistic]].append(rec)
    if not out["mineral_production"]:
        raise DataFormatError(path, "no 'World ...' production rows; expected the MCS world production tables")
    frames = {}
    for table, recs in out.items():
        df = pd.DataFrame.from_records(recs, columns=PRODUCTION_COLUMNS)
        if table == "mineral_reserves":
            df = df.drop(columns="stage")
        frames[table] = _typed(df)
    return frames


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df = df.astype(
        {
            "year": "int16",
            "value": "float64",
            "value_min": "float64",
            "value_max": "float64",
            "value_tonnes": "float64",
            "is_estimate": "bool",
        }
    )
    for c in ("mineral", "iso3"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df.reset_index(drop=True)


def load_usgs(paths: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    """``Source.load``: the MCS CSV -> ``mineral_production`` and ``mineral_reserves``."""
    return read_mcs(single_path(paths, "mcs"))


def _schema(with_stage: bool) -> pa.DataFrameSchema:
    cols = {
        "commodity": pa.Column(str),
        "mineral": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), nullable=True),
        "country": pa.Column(str),
        "iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "year": pa.Column("int16", pa.Check.in_range(1900, 2100)),
        "statistic": pa.Column(str),
        "statistics_detail": pa.Column(str),
        "value": pa.Column(float, pa.Check.ge(0), nullable=True),
        "value_text": pa.Column(str),
        "value_min": pa.Column(float, pa.Check.ge(0), nullable=True),
        "value_max": pa.Column(float, pa.Check.ge(0), nullable=True),
        "unit": pa.Column(str),
        "value_tonnes": pa.Column(float, pa.Check.ge(0), nullable=True),
        "is_estimate": pa.Column(bool),
        "notes": pa.Column(str),
        "basis": pa.Column(str),
    }
    if with_stage:
        cols["stage"] = pa.Column(str, pa.Check.isin(STAGES + ("production",)))
    return pa.DataFrameSchema(cols, strict=True, unique=["commodity", "country", "statistics_detail", "year"])


SOURCE = Source(
    name="usgs",
    title="USGS Mineral Commodity Summaries 2026: world production and reserves",
    publisher="U.S. Geological Survey",
    licence="U.S. public domain",
    release="MCS 2026 data release (doi:10.5066/P1WKQ63T)",
    files=(
        RemoteFile(
            "mcs",
            "usgs/MCS2026_Commodities_Data.csv",
            "https://www.sciencebase.gov/catalog/file/get/696a75d5d4be0228872d3bf8?name=MCS2026_Commodities_Data.csv",
        ),
    ),
    load=load_usgs,
    tables=("mineral_production", "mineral_reserves"),
    schemas={"mineral_production": _schema(True), "mineral_reserves": _schema(False)},
    url_page="https://www.sciencebase.gov/catalog/item/696a75d5d4be0228872d3bf8",
)
