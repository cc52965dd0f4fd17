"""critmin's own classification tables: products (HS6 -> mineral -> stage), countries and
regions, metal-content factors. See ``docs/classification.md``."""

from critmin.classify._tables import metal_content_table, products_table, regions_table
from critmin.classify.countries import build_country_table, country_names, resolve_country
from critmin.classify.metal_content import calc_contained_metal, metal_factor
from critmin.classify.products import (
    STAGES,
    PaddedHSCodeWarning,
    describe_hs,
    known_minerals,
    normalize_hs,
    product_labels,
    products_for,
    resolve_mineral,
    resolve_stage,
)

__all__ = [
    "STAGES",
    "PaddedHSCodeWarning",
    "build_country_table",
    "calc_contained_metal",
    "country_names",
    "describe_hs",
    "known_minerals",
    "metal_content_table",
    "metal_factor",
    "normalize_hs",
    "product_labels",
    "products_for",
    "products_table",
    "regions_table",
    "resolve_country",
    "resolve_mineral",
    "resolve_stage",
]
