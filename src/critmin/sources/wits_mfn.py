"""WITS/TRAINS bulk MFN tariff files: applied MFN rates per HS6 line and year (India, 2010-2023).

Format (World Bank WITS, TRAINS "bulk download", one CSV per reporter x year, named
``JobID-<n>_MFN_H<e>_<ISO3>_<YYYY>.CSV``): ``NomenCode, Reporter_ISO_N, Year, ProductCode,
Sum_Of_Rates, Min_Rate, Max_Rate, SimpleAverage, Nbr_NA_Lines, Nbr_Free_Lines, Nbr_AVE_Lines,
Nbr_Dutiable_Lines, TotalNoOfValidLines, TotalNoOfLines``. One row per HS6 subheading; the
rates (percent ad valorem) summarise the reporter's national tariff lines under it (simple
average, minimum, maximum over the lines with an ad-valorem rate). ``NomenCode`` is the HS
edition the file is coded in: ``H3`` HS2007, ``H4`` HS2012, ``H5`` HS2017, ``H6`` HS2022. The
reporter is a UN M49 number (356 India). Rows are parsed by the shared WITS reader
:func:`critmin.sources.tariffs.wits_rows`.

Canonical table ``mfn_tariffs``: ``reporter`` (ISO3), ``year``, ``hs_edition`` (``HS2007`` ...),
``nomen_code``, ``hs6``, ``rate_avg``, ``rate_min``, ``rate_max`` (percent; NaN when no national
line has an ad-valorem rate, i.e. specific duties only: **unknown**, never 0), ``lines``,
``dutiable_lines``, ``source_file``.

Traps (India's files)
---------------------
* 2023 is 2022 carried forward (identical rates): WITS had no new schedule.
* 2021 is partly stale: gold 12.5% although cut to 7.5% + cess in February 2021.
* The July 2024 Budget cuts (copper ores 2.5% -> 0%, gold 15% -> 6%) are in no file; the cited
  starter table (``critmin/tariff_data/starter_tariffs.csv``) takes precedence for the years its
  rows are dated from (see :func:`critmin.services.fta.india_mfn_rates`).
* The rates are basic customs duty as WITS records it; surcharges (AIDC, SWS) are not included.
* WITS terms: the bundled files are a test fixture; users download their own from WITS.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping

import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import RemoteFile, Source
from critmin.sources.tariffs import wits_rows

#: WITS ``NomenCode`` -> HS edition
HS_EDITIONS = {
    "H0": "HS1988",
    "H1": "HS1996",
    "H2": "HS2002",
    "H3": "HS2007",
    "H4": "HS2012",
    "H5": "HS2017",
    "H6": "HS2022",
}
COLUMNS = [
    "reporter",
    "year",
    "hs_edition",
    "nomen_code",
    "hs6",
    "rate_avg",
    "rate_min",
    "rate_max",
    "lines",
    "dutiable_lines",
    "source_file",
]
_NEEDED = ("rate_min", "rate_max", "lines", "dutiable_lines")


def _number(path: Path, text: str, row: int, field: str, *, integer: bool = False) -> float:
    """A non-negative finite number, NaN for an empty field."""
    if text == "":
        return math.nan
    try:
        v = float(text)
    except ValueError:
        raise DataFormatError(path, f"{text!r} is not a number", row=row, field=field) from None
    if not math.isfinite(v) or v < 0 or (integer and (v != int(v) or v > 1e9)):
        kind = "a whole number of lines (0 to 10^9)" if integer else "a finite rate >= 0 (percent)"
        raise DataFormatError(path, f"{text!r}; expected {kind}", row=row, field=field)
    if not integer and v > 1000:
        raise DataFormatError(path, f"{text!r} is not an ad-valorem rate in percent (0-1000)", row=row, field=field)
    return v


def read_wits_mfn(path: str | Path) -> pd.DataFrame:
    """Parse one TRAINS bulk MFN file into ``mfn_tariffs`` rows.

    Parameters
    ----------
    path : path-like
        ``JobID-*_MFN_H*_<ISO3>_<YYYY>.CSV`` as downloaded from WITS.

    Returns
    -------
    DataFrame
        The ``mfn_tariffs`` columns (see the module docstring), one row per HS6 code.

    Raises
    ------
    DataFormatError
        Missing column, truncated line, a product that is not a 6-digit HS code, an unknown
        reporter, an unknown ``NomenCode``, a negative, non-finite or non-numeric rate, a minimum
        above the maximum, a repeated HS6 code, or an empty table.
    """
    path = Path(path)
    rows = wits_rows(path, duty_type="MFN")
    lacking = [k for k in (*_NEEDED, "nomen") if k not in rows[0]]
    if lacking or any(r["nomen"] == "" for r in rows[:1]):
        raise DataFormatError(
            path,
            f"not a TRAINS bulk MFN file: no column for {', '.join(lacking or ['nomen'])}"
            f" (expected NomenCode, Min_Rate, Max_Rate, SimpleAverage, "
            f"Nbr_Dutiable_Lines, TotalNoOfLines)",
            field=(lacking or ["NomenCode"])[0],
        )
    out = []
    seen: dict[tuple[str, int, str], int] = {}
    for r in rows:
        n = r["row"]
        if len(r["hs"]) != 6:
            raise DataFormatError(path, f"product {r['hs']!r} is not a 6-digit HS code", row=n, field="ProductCode")
        edition = HS_EDITIONS.get(r["nomen"].upper())
        if edition is None:
            raise DataFormatError(
                path,
                f"NomenCode {r['nomen']!r} is not an HS edition; expected one of {', '.join(HS_EDITIONS)}",
                row=n,
                field="NomenCode",
            )
        try:
            year = int(r["year"])
        except ValueError:
            raise DataFormatError(path, f"year {r['year']!r} is not a year", row=n, field="Year") from None
        if not 1988 <= year <= 2100:
            raise DataFormatError(path, f"year {year} out of range", row=n, field="Year")
        avg = _number(path, r["rate"], n, "SimpleAverage")
        lo = _number(path, r["rate_min"], n, "Min_Rate")
        hi = _number(path, r["rate_max"], n, "Max_Rate")
        if not any(math.isnan(v) for v in (avg, lo, hi)) and not lo - 0.01 <= avg <= hi + 0.01:
            raise DataFormatError(
                path, f"average {avg} is not between Min_Rate {lo} and Max_Rate {hi}", row=n, field="SimpleAverage"
            )
        key = (r["reporter"], year, r["hs"])
        if key in seen:
            raise DataFormatError(
                path,
                f"HS6 {r['hs']} appears twice for {r['reporter']} {year} (first at data row {seen[key]})",
                row=n,
                field="ProductCode",
            )
        seen[key] = n
        out.append(
            (
                r["reporter"],
                year,
                edition,
                r["nomen"].upper(),
                r["hs"],
                avg,
                lo,
                hi,
                _number(path, r["lines"], n, "TotalNoOfLines", integer=True),
                _number(path, r["dutiable_lines"], n, "Nbr_Dutiable_Lines", integer=True),
                path.name,
            )
        )
    df = pd.DataFrame.from_records(out, columns=COLUMNS)
    for c in ("lines", "dutiable_lines"):
        df[c] = df[c].astype("Int64")
    return df


def read_wits_mfn_files(paths: "list[Path] | Path") -> pd.DataFrame:
    """Every TRAINS bulk MFN file, concatenated; a reporter-year in two files is an error."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    frames = [read_wits_mfn(p) for p in paths]
    df = pd.concat(frames, ignore_index=True)
    dup = df.duplicated(subset=["reporter", "year", "hs6"], keep=False)
    if dup.any():
        d = df[dup]
        files = sorted(d["source_file"].unique())
        raise DataFormatError(
            files[-1],
            f"{d['reporter'].iloc[0]} {int(d['year'].iloc[0])} is also in "
            f"{', '.join(files[:-1])}: one file per reporter and year",
        )
    return df.sort_values(["reporter", "year", "hs6"], ignore_index=True)


def _load(files: Mapping[str, "Path | list[Path]"], workdir: Path) -> dict[str, pd.DataFrame]:
    return {"mfn_tariffs": read_wits_mfn_files(files["mfn"])}


MFN_SCHEMA = pa.DataFrameSchema(
    {
        "reporter": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "year": pa.Column(int, pa.Check.in_range(1988, 2100)),
        "hs_edition": pa.Column(str, pa.Check.isin(list(HS_EDITIONS.values()))),
        "nomen_code": pa.Column(str, pa.Check.isin(list(HS_EDITIONS))),
        "hs6": pa.Column(str, pa.Check.str_matches(r"^\d{6}$")),
        "rate_avg": pa.Column(float, pa.Check.in_range(0, 1000), nullable=True),
        "rate_min": pa.Column(float, pa.Check.in_range(0, 1000), nullable=True),
        "rate_max": pa.Column(float, pa.Check.in_range(0, 1000), nullable=True),
        "lines": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "dutiable_lines": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "source_file": pa.Column(str),
    },
    strict=True,
    unique=["reporter", "year", "hs6"],
)

SOURCE = Source(
    name="wits_mfn",
    title="WITS/TRAINS bulk MFN tariffs per HS6 line (India, 2010-2023)",
    publisher="World Bank WITS (UNCTAD TRAINS)",
    licence="WITS terms of use (bundled copies are a test fixture only)",
    release="TRAINS bulk download, MFN, HS6, 2010-2023",
    files=(
        RemoteFile(
            "mfn",
            "wits/JobID-*_MFN_H*_*_*.CSV",
            "https://wits.worldbank.org/WITS/WITS/Restricted/Login.aspx",
            many=True,
        ),
    ),
    load=_load,
    default=True,
    downloadable=False,  # WITS bulk files need a WITS login: users place their downloads in the mirror
    tables=("mfn_tariffs",),
    schemas={"mfn_tariffs": MFN_SCHEMA},
    url_page="https://wits.worldbank.org/",
)
