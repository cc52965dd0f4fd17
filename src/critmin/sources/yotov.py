"""Yotov, Piermartini, Monteiro & Larch (2016) AGTPA application panel (gravity).

Format: the ``agtpa_applications`` table of the ``tradepolicy`` R package
(CC BY 4.0) as a CSV (optionally gzipped) with the header ``exporter, importer,
pair_id, year, trade, dist, cntg, lang, clny, rta, rta_lag3, rta_lag4, rta_lag6,
rta_lag8, rta_lag9, rta_lag12, rta_lead4``: aggregate manufacturing trade of 69
countries, every exporter x importer pair including the domestic flow, 1986-2006.
Country codes are the guide's (Romania ``ROM``).

Not a default warehouse source: the publisher ships an R data file, so the user
gives the CSV (``critmin gravity ... --panel FILE``). ``read_yotov_panel`` is
the parser every gravity command goes through.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path

REQUIRED = ("exporter", "importer", "year", "trade", "dist", "cntg", "lang", "clny", "rta")
OPTIONAL_INT = ("pair_id", "rta_lag3", "rta_lag4", "rta_lag6", "rta_lag8", "rta_lag9", "rta_lag12", "rta_lead4")
DUMMIES = (
    "cntg",
    "lang",
    "clny",
    "rta",
    "rta_lag3",
    "rta_lag4",
    "rta_lag6",
    "rta_lag8",
    "rta_lag9",
    "rta_lag12",
    "rta_lead4",
)


def read_yotov_panel(path: Path) -> pd.DataFrame:
    """Parse the AGTPA application panel CSV.

    Parameters
    ----------
    path : Path
        ``.csv`` or ``.csv.gz``.

    Returns
    -------
    DataFrame
        The panel columns, ``year`` int, ``trade`` and ``dist`` float, dummies int8.

    Raises
    ------
    DataFormatError
        Unreadable or empty file, missing column, a non-numeric, missing or
        negative ``trade``/``dist`` value, a dummy other than 0/1, a country code
        that is not 3 capital letters, or a duplicated exporter-importer-year row.
        ``row`` is the 1-based data row.
    """
    path = Path(path)
    if not path.exists():
        raise DataFormatError(path, "file not found; expected the AGTPA panel CSV (e.g. yotov2016_panel.csv.gz)")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFormatError(path, f"not UTF-8 text ({exc.reason})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, EOFError, OSError) as exc:
        raise DataFormatError(path, f"not a readable CSV ({str(exc).splitlines()[0]})") from None
    df.columns = [c.strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataFormatError(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(REQUIRED)}")
    if df.empty:
        raise DataFormatError(path, "no data rows")
    for col in ("exporter", "importer"):
        bad = ~df[col].str.fullmatch(r"[A-Z]{3}")
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise DataFormatError(
                path, f"country code {df[col].iloc[i]!r} is not 3 capital letters", row=i + 1, field=col
            )
    out = pd.DataFrame({"exporter": df["exporter"], "importer": df["importer"]})
    numeric = ["year", "trade", "dist"] + [c for c in DUMMIES + OPTIONAL_INT if c in df.columns and c != "year"]
    for col in dict.fromkeys(numeric):
        values = pd.to_numeric(df[col].str.strip(), errors="coerce")
        bad = values.isna()
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise DataFormatError(path, f"{df[col].iloc[i]!r} is not a number", row=i + 1, field=col)
        if col in ("trade", "dist") and (values < 0).any():
            i = int(np.argmax((values < 0).to_numpy()))
            raise DataFormatError(path, f"negative value {df[col].iloc[i]}; expected >= 0", row=i + 1, field=col)
        if col in DUMMIES and not values.isin([0, 1]).all():
            i = int(np.argmax((~values.isin([0, 1])).to_numpy()))
            raise DataFormatError(path, f"{df[col].iloc[i]!r} is not a 0/1 dummy", row=i + 1, field=col)
        if col == "year":
            out[col] = values.astype("int64")
        elif col in ("trade", "dist"):
            out[col] = values.astype(float)
        elif col == "pair_id":
            out[col] = values.astype("int64")
        else:
            out[col] = values.astype("int8")
    dup = out.duplicated(["exporter", "importer", "year"])
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise DataFormatError(
            path, f"duplicate row for {out.exporter.iloc[i]}->{out.importer.iloc[i]} {out.year.iloc[i]}", row=i + 1
        )
    return out


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return {"gravity_panel": read_yotov_panel(single_path(files, "panel"))}


SOURCE = Source(
    name="yotov",
    title="AGTPA structural gravity application panel (Yotov et al. 2016)",
    publisher="UNCTAD/WTO; tradepolicy R package (pachadotdev)",
    licence="CC BY 4.0",
    release="tradepolicy agtpa_applications",
    files=(RemoteFile("panel", "gravity/yotov2016_panel.csv.gz", "https://github.com/pachadotdev/tradepolicy"),),
    load=_load,
    default=False,
    tables=("gravity_panel",),
    url_page="https://www.wto.org/english/res_e/publications_e/advancedwtounctad2016_e.htm",
)
