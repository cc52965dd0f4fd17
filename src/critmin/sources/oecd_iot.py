"""OECD Inter-Country Input-Output tables (ICIO/IOT 2023 edition): output, value added and trade by industry.

File: ``economy/oecd_iot2023_output_va_trade_76_economies_1995_2020.csv.gz``, a tidy extract of the
OECD national input-output tables (2023 edition) for 76 economies, 1995-2020, header
``iso3, year, industry, output_usd_mn, value_added_usd_mn, exports_usd_mn, imports_usd_mn,
domestic_sales_usd_mn``; one row per economy, year and industry; values in USD million, current prices.

Industries are the 45 ISIC Rev.4 groupings of the OECD tables (``A01_02``, ``C24`` basic metals,
``C26`` computers and electronics, ``C31T33``...; see :data:`INDUSTRY_NAMES`).

Canonical table ``industry_accounts``: ``country, year, industry, industry_name, output_usd,
value_added_usd, exports_usd, imports_usd, domestic_sales_usd`` (USD, not millions).

Rules: output, exports, imports and domestic sales must be >= 0 (``-0.0`` is read as 0); value added
may be negative (an industry whose intermediate inputs exceed its output; 38 rows in the file);
unknown industry codes, non-ISO3 countries, duplicate (country, year, industry) rows and non-finite
values are :class:`~critmin.errors.DataFormatError`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import read_text_frame

INDUSTRY_NAMES = {
    "A01_02": "Agriculture, hunting, forestry",
    "A03": "Fishing and aquaculture",
    "B05_06": "Mining and quarrying, energy producing products",
    "B07_08": "Mining and quarrying, non-energy producing products",
    "B09": "Mining support service activities",
    "C10T12": "Food products, beverages and tobacco",
    "C13T15": "Textiles, textile products, leather and footwear",
    "C16": "Wood and products of wood and cork",
    "C17_18": "Paper products and printing",
    "C19": "Coke and refined petroleum products",
    "C20": "Chemical and chemical products",
    "C21": "Pharmaceuticals, medicinal chemical and botanical products",
    "C22": "Rubber and plastics products",
    "C23": "Other non-metallic mineral products",
    "C24": "Basic metals",
    "C25": "Fabricated metal products",
    "C26": "Computer, electronic and optical equipment",
    "C27": "Electrical equipment",
    "C28": "Machinery and equipment, nec",
    "C29": "Motor vehicles, trailers and semi-trailers",
    "C30": "Other transport equipment",
    "C31T33": "Manufacturing nec; repair and installation of machinery",
    "D": "Electricity, gas, steam and air conditioning supply",
    "E": "Water supply; sewerage, waste management",
    "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles",
    "H49": "Land transport and transport via pipelines",
    "H50": "Water transport",
    "H51": "Air transport",
    "H52": "Warehousing and support activities for transportation",
    "H53": "Postal and courier activities",
    "I": "Accommodation and food service activities",
    "J58T60": "Publishing, audiovisual and broadcasting",
    "J61": "Telecommunications",
    "J62_63": "IT and other information services",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical activities",
    "N": "Administrative and support services",
    "O": "Public administration and defence; compulsory social security",
    "P": "Education",
    "Q": "Human health and social work activities",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Activities of households as employers",
}
VALUE_COLUMNS = {
    "output_usd_mn": "output_usd",
    "value_added_usd_mn": "value_added_usd",
    "exports_usd_mn": "exports_usd",
    "imports_usd_mn": "imports_usd",
    "domestic_sales_usd_mn": "domestic_sales_usd",
}
REQUIRED = ["iso3", "year", "industry", *VALUE_COLUMNS]
COLUMNS = ["country", "year", "industry", "industry_name", *VALUE_COLUMNS.values()]


def read_industry_accounts(path: Path) -> pd.DataFrame:
    """Parse the tidy OECD IOT extract into ``industry_accounts`` (values × 10⁶: USD million -> USD).

    Raises
    ------
    DataFormatError
        Unreadable or empty file, missing column, unknown industry or country code, a
        non-numeric, negative (except value added) or non-finite value, duplicate rows.
    """
    path = Path(path)
    df = read_text_frame(path, REQUIRED)
    rows = np.arange(2, len(df) + 2)  # file line numbers (header is line 1)
    bad = ~df["iso3"].str.fullmatch(r"[A-Z]{3}")
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataFormatError(
            path, f"country {df['iso3'].iat[i]!r} is not an ISO3 code", row=int(rows[i]), field="iso3"
        )
    bad = ~df["industry"].isin(INDUSTRY_NAMES.keys())
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataFormatError(path, f"unknown industry {df['industry'].iat[i]!r}", row=int(rows[i]), field="industry")
    out = pd.DataFrame(
        {"country": df["iso3"], "industry": df["industry"], "industry_name": df["industry"].map(INDUSTRY_NAMES)}
    )
    year = pd.to_numeric(df["year"], errors="coerce")
    if year.isna().any() or not year.between(1990, 2100).all():
        i = int(np.argmax((year.isna() | ~year.between(1990, 2100)).to_numpy()))
        raise DataFormatError(path, f"year {df['year'].iat[i]!r} is not a year", row=int(rows[i]), field="year")
    out["year"] = year.astype("int16")
    for src, dst in VALUE_COLUMNS.items():
        v = pd.to_numeric(df[src], errors="coerce")
        bad = v.isna() | ~np.isfinite(v) | ((v < 0) if dst != "value_added_usd" else False)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise DataFormatError(
                path,
                f"{df[src].iat[i]!r} is not a finite{'' if dst == 'value_added_usd' else ' non-negative'} number",
                row=int(rows[i]),
                field=src,
            )
        out[dst] = (v * 1e6) + 0.0  # + 0.0 turns -0.0 into 0.0
    dup = out.duplicated(["country", "year", "industry"], keep=False)
    if dup.any():
        raise DataFormatError(
            path,
            f"duplicate (country, year, industry) rows at lines {list(rows[dup.to_numpy()][:6])}",
            row=int(rows[dup.to_numpy()][0]),
        )
    return out[COLUMNS].reset_index(drop=True)


def load_oecd_iot(paths: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    """``Source.load``: the tidy IOT extract -> ``industry_accounts``."""
    return {"industry_accounts": read_industry_accounts(single_path(paths, "accounts"))}


INDUSTRY_ACCOUNTS_SCHEMA = pa.DataFrameSchema(
    {
        "country": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "year": pa.Column("int16", pa.Check.in_range(1990, 2100)),
        "industry": pa.Column(str, pa.Check.isin(list(INDUSTRY_NAMES))),
        "industry_name": pa.Column(str),
        "output_usd": pa.Column(float, pa.Check.ge(0)),
        "value_added_usd": pa.Column(float),
        "exports_usd": pa.Column(float, pa.Check.ge(0)),
        "imports_usd": pa.Column(float, pa.Check.ge(0)),
        "domestic_sales_usd": pa.Column(float, pa.Check.ge(0)),
    },
    unique=["country", "year", "industry"],
    strict=True,
)

SOURCE = Source(
    name="oecd_iot",
    title="OECD Input-Output Tables (2023 edition): output, value added and trade by industry",
    publisher="OECD",
    licence="CC BY 4.0",
    release="IOT 2023 edition (1995-2020, 76 economies)",
    files=(
        RemoteFile(
            "accounts",
            "economy/oecd_iot2023_output_va_trade_76_economies_1995_2020.csv.gz",
            "https://www.oecd.org/en/data/datasets/input-output-tables.html",
        ),
    ),
    load=load_oecd_iot,
    tables=("industry_accounts",),
    schemas={"industry_accounts": INDUSTRY_ACCOUNTS_SCHEMA},
    url_page="https://www.oecd.org/en/data/datasets/input-output-tables.html",
    # the OECD serves the tables through its data explorer, not as this file: a default online build
    # without a mirror goes on without it and says so
    downloadable=False,
)
