"""critmin's classification tables as warehouse tables: ``countries`` and ``products``.

Its only third-party file is BACI's country table (CEPII); the HS6 -> mineral ->
stage table and the region table are critmin's own (``critmin/classify/*.csv``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.classify import STAGES, build_country_table, products_table
from critmin.sources.baci import RELEASE, read_country_codes
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path


def read_classification(paths: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    """``countries`` (every BACI code with ISO3 and regions) and ``products`` (HS6 -> mineral -> stage)."""
    path = single_path(paths, "countries")
    countries = build_country_table(read_country_codes(path), file=Path(path).name)
    products = products_table()[["hs6", "description", "mineral", "stage", "hs_revision", "basket", "note"]]
    return {"countries": countries, "products": products.copy()}


COUNTRIES_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3}$")),
        "name": pa.Column(str),
        "iso2": pa.Column(str, nullable=True),
        "baci_code": pa.Column("int32", unique=True),
        "region": pa.Column(str),
        "m49_region": pa.Column(str),
        "m49_subregion": pa.Column(str),
        "m49_intermediate_region": pa.Column(str),
        "wb_listed": pa.Column(bool),
        "is_current": pa.Column(bool),
    },
    strict=True,
)

PRODUCTS_SCHEMA = pa.DataFrameSchema(
    {
        "hs6": pa.Column(str, pa.Check.str_matches(r"^\d{6}$")),
        "description": pa.Column(str),
        "mineral": pa.Column(str, pa.Check.str_matches(r"^[a-z_]+$")),
        "stage": pa.Column(str, pa.Check.isin(list(STAGES))),
        "hs_revision": pa.Column(str),
        "basket": pa.Column(bool),
        "note": pa.Column(str),
    },
    strict=True,
    unique=["hs6", "mineral"],
)

SOURCE = Source(
    name="classification",
    title="critmin classification: countries and regions, HS6 -> mineral -> value-chain stage",
    publisher="critmin (country codes: CEPII BACI)",
    licence="MIT (critmin tables); Etalab Open Licence 2.0 (BACI country table)",
    release=f"HS17; BACI {RELEASE}",
    files=(
        RemoteFile(
            "countries",
            f"baci/country_codes_{RELEASE}.csv",
            f"https://www.cepii.fr/DATA_DOWNLOAD/baci/data/country_codes_{RELEASE}.csv",
        ),
    ),
    load=read_classification,
    tables=("countries", "products"),
    schemas={"countries": COUNTRIES_SCHEMA, "products": PRODUCTS_SCHEMA},
    url_page="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
)
