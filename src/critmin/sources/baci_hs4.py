"""BACI HS22 aggregated to HS4: the 200 largest flows per commodity-year, and world totals.

An extract of CEPII BACI (HS 2022 nomenclature) shipped with the data bundle, not a
CEPII file. Two files:

* ``trade/baci_hs22_hs4_top200_flows_2022_2024.csv.gz``: ``year, hs4, commodity,
  exporter_iso3, importer_iso3, value_usd, qty_t`` — for each commodity (HS4
  2601, 2603, 2606, 2701, 2709-2711, 3104, 7108, 7202, 7403, 7502, 7601, 7801,
  7901, 8001) and year 2022-2024, the 200 largest exporter -> importer flows.
* ``trade/baci_hs22_hs4_world_totals_2022_2024.csv``: ``year, hs4, commodity,
  world_value_usd, world_qty_t, pairs_total, pairs_shown``.

Canonical tables ``hs4_top_flows`` (``year, hs4, commodity, exporter, importer,
value_usd, qty_t``) and ``hs4_world_totals`` (``year, hs4, commodity,
world_value_usd, world_qty_t, pairs_total, pairs_shown, top_flows_value_usd,
coverage``) with :math:`coverage = \\sum_{top} v / V_{world}`.

Trap: a flow absent from the top 200 is **unknown, not zero** (small partners are
missing); use ``coverage`` to say how much of world trade the shown flows hold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from critmin.countries import name_of
from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import read_text_frame

FLOWS_COLUMNS = ["year", "hs4", "commodity", "exporter_iso3", "importer_iso3", "value_usd", "qty_t"]
TOTALS_COLUMNS = ["year", "hs4", "commodity", "world_value_usd", "world_qty_t", "pairs_total", "pairs_shown"]
TOP_N = 200


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    return read_text_frame(path, columns)[columns]


def _integers(path: Path, df: pd.DataFrame, col: str, pattern: str = r"\d+") -> pd.Series:
    bad = ~df[col].str.fullmatch(pattern)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise DataFormatError(path, f"{df[col].iloc[i]!r} is not a valid {col}", row=i + 1, field=col)
    return df[col].astype("int64")


def _numbers(path: Path, df: pd.DataFrame, col: str) -> pd.Series:
    x = pd.to_numeric(df[col], errors="coerce")
    bad = ~np.isfinite(x.to_numpy(dtype="float64")) | (x < 0).to_numpy()
    if bad.any():
        i = int(bad.argmax())
        raise DataFormatError(path, f"{df[col].iloc[i]!r} is not a finite number >= 0", row=i + 1, field=col)
    return x.astype("float64")


def read_top_flows(path: Path) -> pd.DataFrame:
    """Parse the top-200 flow file into ``hs4_top_flows`` (ISO3 exporter/importer, USD, tonnes)."""
    df = _read(path, FLOWS_COLUMNS)
    _integers(path, df, "hs4", r"\d{4}")
    out = pd.DataFrame({"year": _integers(path, df, "year", r"\d{4}"), "hs4": df["hs4"], "commodity": df["commodity"]})
    for side in ("exporter", "importer"):
        col = f"{side}_iso3"
        unknown = ~df[col].map(lambda s: name_of(s) is not None)
        if unknown.any():
            i = int(unknown.to_numpy().argmax())
            raise DataFormatError(path, f"unknown country code {df[col].iloc[i]!r}", row=i + 1, field=col)
        out[side] = df[col]
    out["value_usd"] = _numbers(path, df, "value_usd")
    out["qty_t"] = _numbers(path, df, "qty_t")
    dup = out.duplicated(["year", "hs4", "exporter", "importer"])
    if dup.any():
        i = int(dup.to_numpy().argmax())
        raise DataFormatError(path, "duplicate flow (year, hs4, exporter, importer)", row=i + 1)
    return out


def read_world_totals(path: Path, flows: pd.DataFrame) -> pd.DataFrame:
    """Parse the world totals file into ``hs4_world_totals``, with the shown flows' value and coverage.

    ``top_flows_value_usd`` is the sum of the shown flows of the commodity-year,
    ``coverage = top_flows_value_usd / world_value_usd``.
    """
    df = _read(path, TOTALS_COLUMNS)
    out = pd.DataFrame(
        {
            "year": _integers(path, df, "year", r"\d{4}"),
            "hs4": df["hs4"],
            "commodity": df["commodity"],
            "world_value_usd": _numbers(path, df, "world_value_usd"),
            "world_qty_t": _numbers(path, df, "world_qty_t"),
            "pairs_total": _integers(path, df, "pairs_total"),
            "pairs_shown": _integers(path, df, "pairs_shown"),
        }
    )
    _integers(path, df, "hs4", r"\d{4}")
    shown = flows.groupby(["year", "hs4"], as_index=False)["value_usd"].sum()
    shown = shown.rename(columns={"value_usd": "top_flows_value_usd"})
    out = out.merge(shown, on=["year", "hs4"], how="left")
    out["top_flows_value_usd"] = out["top_flows_value_usd"].fillna(0.0)
    out["coverage"] = out["top_flows_value_usd"] / out["world_value_usd"].where(out["world_value_usd"] > 0)
    return out


def read_baci_hs4(paths: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    """Load both files into ``hs4_top_flows`` and ``hs4_world_totals``."""
    flows = read_top_flows(single_path(paths, "flows"))
    return {"hs4_top_flows": flows, "hs4_world_totals": read_world_totals(single_path(paths, "totals"), flows)}


FLOWS_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column("int64", pa.Check.in_range(1995, 2100)),
        "hs4": pa.Column(str, pa.Check.str_matches(r"^\d{4}$")),
        "commodity": pa.Column(str),
        "exporter": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3}$")),
        "importer": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3}$")),
        "value_usd": pa.Column(float, pa.Check.ge(0)),
        "qty_t": pa.Column(float, pa.Check.ge(0)),
    },
    strict=True,
)

TOTALS_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column("int64", pa.Check.in_range(1995, 2100)),
        "hs4": pa.Column(str, pa.Check.str_matches(r"^\d{4}$")),
        "commodity": pa.Column(str),
        "world_value_usd": pa.Column(float, pa.Check.ge(0)),
        "world_qty_t": pa.Column(float, pa.Check.ge(0)),
        "pairs_total": pa.Column("int64", pa.Check.ge(0)),
        "pairs_shown": pa.Column("int64", pa.Check.in_range(0, TOP_N)),
        "top_flows_value_usd": pa.Column(float, pa.Check.ge(0)),
        "coverage": pa.Column(float, pa.Check.in_range(0, 1.0 + 1e-9), nullable=True),
    },
    strict=True,
)

SOURCE = Source(
    name="baci_hs4",
    title="CEPII BACI HS22 at HS4, top 200 flows per commodity-year: a flow absent is unknown, not zero",
    publisher="CEPII (extract)",
    licence="Etalab Open Licence 2.0",
    release="HS22, 2022-2024",
    files=(
        RemoteFile(
            "flows",
            "trade/baci_hs22_hs4_top200_flows_2022_2024.csv.gz",
            "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS22_V202601.zip",
        ),
        RemoteFile(
            "totals",
            "trade/baci_hs22_hs4_world_totals_2022_2024.csv",
            "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS22_V202601.zip",
        ),
    ),
    load=read_baci_hs4,
    default=True,
    downloadable=False,
    tables=("hs4_top_flows", "hs4_world_totals"),
    schemas={"hs4_top_flows": FLOWS_SCHEMA, "hs4_world_totals": TOTALS_SCHEMA},
    url_page="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
)
