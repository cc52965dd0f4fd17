"""CEPII GeoDist: bilateral distances and country/city geography.

Format (CEPII GeoDist, Mayer & Zignago 2011, as semicolon-separated CSV): a lone
``.`` marks a missing value; countries use CEPII's 3-letter codes, some of them
old ISO codes (``ROM`` Romania, ``ZAR`` DR Congo, ``TMP`` Timor-Leste, ``PAL``
Palestine) and two withdrawn ones with no 1:1 successor (``YUG``, ``ANT``),
which are kept.

* ``dist_cepii.csv``: ``iso_o;iso_d;contig;comlang_off;comlang_ethno;colony;comcol;
  curcol;col45;smctry;dist;distcap;distw;distwces`` (km; ``distw``/``distwces``
  population-weighted, may be missing).
* ``geo_cepii.csv`` (latin-1): one row per country and city (main city and/or capital).

Canonical tables ``distances`` (same columns, ISO3 codes) and ``geo_countries``
(the geo columns with ``iso3`` recoded and the original code kept in ``iso3_cepii``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError, echo
from critmin.sources._m49 import M49_TO_ISO3
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import read_text

#: CEPII codes that are not (current) ISO 3166 alpha-3 codes.
CEPII_TO_ISO3 = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "PAL": "PSE"}
KNOWN_ISO3 = frozenset(M49_TO_ISO3.values())  # includes the withdrawn YUG and ANT

DIST_DUMMIES = ["contig", "comlang_off", "comlang_ethno", "colony", "comcol", "curcol", "col45", "smctry"]
DIST_KM = ["dist", "distcap", "distw", "distwces"]
DIST_COLUMNS = ["iso_o", "iso_d", *DIST_DUMMIES, *DIST_KM]
DIST_REQUIRED_KM = ["dist", "distcap"]

GEO_COLUMNS = [
    "iso2",
    "iso3",
    "cnum",
    "country",
    "pays",
    "area",
    "dis_int",
    "landlocked",
    "continent",
    "city_en",
    "city_fr",
    "lat",
    "lon",
    "cap",
    "maincity",
    "citynum",
    "langoff_1",
    "langoff_2",
    "langoff_3",
    "lang20_1",
    "lang20_2",
    "lang20_3",
    "lang20_4",
    "lang9_1",
    "lang9_2",
    "lang9_3",
    "lang9_4",
    "colonizer1",
    "colonizer2",
    "colonizer3",
    "colonizer4",
    "short_colonizer1",
    "short_colonizer2",
    "short_colonizer3",
]
GEO_REQUIRED = [
    "iso2",
    "iso3",
    "cnum",
    "country",
    "area",
    "dis_int",
    "landlocked",
    "continent",
    "city_en",
    "lat",
    "lon",
    "cap",
    "maincity",
]
GEO_FLOAT = ["area", "dis_int", "lat", "lon"]
GEO_INT = ["cnum", "landlocked", "cap", "maincity", "citynum"]
GEO_CODES = [
    "colonizer1",
    "colonizer2",
    "colonizer3",
    "colonizer4",
    "short_colonizer1",
    "short_colonizer2",
    "short_colonizer3",
]


def to_iso3(code: str) -> str:
    """CEPII country code -> ISO3 (``ROM``->``ROU``, ``ZAR``->``COD``, ``TMP``->``TLS``, ``PAL``->``PSE``)."""
    return CEPII_TO_ISO3.get(code, code)


def _is_stata(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(11)
    return head.startswith(b"<stata_dta>") or (
        len(head) > 1 and head[0] in (0x71, 0x72, 0x73) and head[1] in (0x01, 0x02)
    )


def _read_stata(path: Path, columns: list[str]) -> list[list[str]]:
    try:
        df = pd.read_stata(path, convert_categoricals=False)
    except Exception as exc:  # pandas raises several types for a broken .dta
        raise DataFormatError(path, f"is not a readable Stata file ({exc.__class__.__name__}: {exc})") from None
    text = df.astype(object).where(df.notna(), ".").astype(str)
    return [list(text.columns), *text.to_numpy().tolist()]


def _read_semicolon(path: Path, *, encoding: str, columns: list[str], required: list[str]) -> pd.DataFrame:
    """Read a GeoDist file strictly: every row has the header's field count; ``.`` -> missing.

    The mirror holds CEPII's files as semicolon-separated CSV; CEPII's own Stata
    (``.dta``) download is recognised by its signature and read the same way.
    """
    if _is_stata(path):
        table = _read_stata(path, columns)
        text = "\n".join(";".join(r) for r in table)
    else:
        text = read_text(path, encoding=encoding)
    lines = text.splitlines()
    header = [h.strip().lstrip("\ufeff") for h in lines[0].split(";")]
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataFormatError(
            path,
            f"missing column(s) {', '.join(missing)}; expected the GeoDist columns "
            f"{';'.join(columns)} separated by ';'",
            field=missing[0],
        )
    rows = []
    for n, line in enumerate(lines[1:], start=1):
        if not line.strip():
            continue
        fields = line.split(";")
        if len(fields) != len(header):
            raise DataFormatError(
                path,
                f"has {len(fields)} fields; expected {len(header)} separated by ';': truncated or malformed line",
                row=n,
            )
        rows.append(fields)
    if not rows:
        raise DataFormatError(path, "has a header but no data rows")
    df = pd.DataFrame(rows, columns=header)[columns]
    padded = any(p in text for p in (" ;", "; ", " \n", "\n ", "\t"))
    for c in df.columns:
        if padded:
            df[c] = df[c].str.strip()
        df[c] = df[c].mask(df[c].isin([".", ""]))
    for c in required:
        empty = df[c].isna()
        if empty.any():
            i = int(empty.to_numpy().argmax())
            raise DataFormatError(path, "required value is missing ('.' or empty)", row=i + 1, field=c)
    return df


def _numbers(path: Path, df: pd.DataFrame, cols: list[str], *, integer: bool = False, nonneg: bool = False) -> None:
    for c in cols:
        num = pd.to_numeric(df[c], errors="coerce")
        finite = np.isfinite(num.to_numpy(dtype="float64", na_value=np.nan))
        bad = df[c].notna() & ~finite
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise DataFormatError(path, f"{echo(df[c].iloc[i])} is not a number", row=i + 1, field=c)
        if integer:
            frac = num.notna() & (num != num.round())
            if frac.any():
                i = int(frac.to_numpy().argmax())
                raise DataFormatError(path, f"{echo(df[c].iloc[i])} is not an integer", row=i + 1, field=c)
        if nonneg:
            neg = num < 0
            if neg.any():
                i = int(neg.to_numpy().argmax())
                raise DataFormatError(path, f"negative value {df[c].iloc[i]}; expected >= 0", row=i + 1, field=c)
        if integer:
            limit = 127 if c in DIST_DUMMIES else 2**53
            huge = num.abs() > limit
            if huge.any():
                i = int(huge.to_numpy().argmax())
                raise DataFormatError(
                    path, f"{echo(df[c].iloc[i])} is out of range (at most {limit:,})", row=i + 1, field=c
                )
            df[c] = num.astype("Int8" if c in DIST_DUMMIES else "Int64")
        else:
            df[c] = num.astype("float64")


def _codes(path: Path, df: pd.DataFrame, col: str) -> pd.Series:
    ok = df[col].fillna("").str.fullmatch(r"[A-Z]{3}")
    if not ok.all():
        i = int((~ok).to_numpy().argmax())
        raise DataFormatError(
            path, f"country code {df[col].iloc[i]!r} is not a 3-letter CEPII code", row=i + 1, field=col
        )
    iso = df[col].map(to_iso3)
    known = iso.isin(KNOWN_ISO3)
    if not known.all():
        i = int((~known).to_numpy().argmax())
        raise DataFormatError(
            path,
            f"unknown country code {df[col].iloc[i]!r}; expected an ISO 3166 alpha-3 "
            f"code or one of CEPII's old codes {', '.join(sorted(CEPII_TO_ISO3))}",
            row=i + 1,
            field=col,
        )
    return iso


def read_dist(path: Path) -> pd.DataFrame:
    """Parse ``dist_cepii.csv`` into ``distances``.

    Dummies must be 0/1, distances (km) non-negative; ``dist`` and ``distcap``
    are required, ``distw``/``distwces`` may be missing (``.``).
    """
    path = Path(path)
    df = _read_semicolon(
        path, encoding="latin-1", columns=DIST_COLUMNS, required=["iso_o", "iso_d", *DIST_DUMMIES, *DIST_REQUIRED_KM]
    )
    df["iso_o"] = _codes(path, df, "iso_o")
    df["iso_d"] = _codes(path, df, "iso_d")
    _numbers(path, df, DIST_DUMMIES, integer=True, nonneg=True)
    for c in DIST_DUMMIES:
        bad = df[c] > 1
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise DataFormatError(path, f"dummy value {df[c].iloc[i]}; expected 0 or 1", row=i + 1, field=c)
    _numbers(path, df, DIST_KM, nonneg=True)
    dup = df.duplicated(["iso_o", "iso_d"])
    if dup.any():
        i = int(dup.to_numpy().argmax())
        raise DataFormatError(
            path, f"pair {df['iso_o'].iloc[i]}-{df['iso_d'].iloc[i]} appears twice", row=i + 1, field="iso_o"
        )
    return df.reset_index(drop=True)


def read_geo(path: Path) -> pd.DataFrame:
    """Parse ``geo_cepii.csv`` (latin-1) into ``geo_countries``.

    ``iso3`` is recoded to ISO3 (the CEPII code is kept in ``iso3_cepii``),
    colonizer codes are recoded the same way, ``lat``/``lon`` must be valid
    coordinates and ``area``/``dis_int`` non-negative.
    """
    path = Path(path)
    df = _read_semicolon(path, encoding="latin-1", columns=GEO_COLUMNS, required=GEO_REQUIRED)
    cepii = df["iso3"].copy()
    df["iso3"] = _codes(path, df, "iso3")
    df.insert(2, "iso3_cepii", cepii)
    for c in GEO_CODES:
        df[c] = df[c].map(lambda x: to_iso3(x) if isinstance(x, str) else x)
    _numbers(path, df, ["area", "dis_int"], nonneg=True)
    _numbers(path, df, ["lat", "lon"])
    _numbers(path, df, GEO_INT, integer=True, nonneg=True)
    for col, lim in (("lat", 90), ("lon", 180)):
        bad = df[col].abs() > lim
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise DataFormatError(path, f"{col} {df[col].iloc[i]} is outside +-{lim} degrees", row=i + 1, field=col)
    return df.reset_index(drop=True)


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return {"distances": read_dist(single_path(files, "dist")), "geo_countries": read_geo(single_path(files, "geo"))}


_ISO = pa.Check.str_matches(r"^[A-Z]{3}$")
DIST_SCHEMA = pa.DataFrameSchema(
    {
        "iso_o": pa.Column(str, _ISO),
        "iso_d": pa.Column(str, _ISO),
        **{c: pa.Column("Int8", pa.Check.isin([0, 1])) for c in DIST_DUMMIES},
        "dist": pa.Column(float, pa.Check.ge(0)),
        "distcap": pa.Column(float, pa.Check.ge(0)),
        "distw": pa.Column(float, pa.Check.ge(0), nullable=True),
        "distwces": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    strict=True,
    unique=["iso_o", "iso_d"],
)

GEO_SCHEMA = pa.DataFrameSchema(
    {
        "iso2": pa.Column(str, nullable=True),
        "iso3": pa.Column(str, _ISO),
        "iso3_cepii": pa.Column(str, _ISO),
        "cnum": pa.Column("Int64"),
        "country": pa.Column(str),
        "area": pa.Column(float, pa.Check.ge(0)),
        "dis_int": pa.Column(float, pa.Check.ge(0)),
        "landlocked": pa.Column("Int64", pa.Check.isin([0, 1])),
        "lat": pa.Column(float, pa.Check.in_range(-90, 90)),
        "lon": pa.Column(float, pa.Check.in_range(-180, 180)),
        "cap": pa.Column("Int64", pa.Check.ge(0)),
        "maincity": pa.Column("Int64"),
        "citynum": pa.Column("Int64", nullable=True),
    },
    strict=False,
)

SOURCE = Source(
    name="geodist",
    title="CEPII GeoDist bilateral distances and geography",
    publisher="CEPII",
    licence="Etalab Open Licence 2.0",
    release="GeoDist (Mayer & Zignago 2011)",
    files=(
        RemoteFile("dist", "cepii/dist_cepii.csv", "https://www.cepii.fr/distance/dist_cepii.dta"),
        RemoteFile("geo", "cepii/geo_cepii.csv", "https://www.cepii.fr/distance/geo_cepii.dta"),
    ),
    load=_load,
    tables=("distances", "geo_countries"),
    schemas={"distances": DIST_SCHEMA, "geo_countries": GEO_SCHEMA},
    url_page="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=6",
)
