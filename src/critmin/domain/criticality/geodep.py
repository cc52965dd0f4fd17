"""CEPII GeoDep import-dependence screen, product by product (HS6).

Reference
---------
Vicard, V. and Wibaux, P. (2023), *EU Strategic Dependencies: A Long View*, CEPII Policy
Brief 2023-41; Lefebvre, K. and Wibaux, P. (2024), *Import dependencies: where does the EU
stand?*, CEPII Policy Brief 47 (the GeoDep database). A product is a dependency of an
importer when

1. its imports are concentrated: HHI of the importer's partner shares > 0.4;
2. world exports are concentrated: HHI of exporters' shares of world exports > 0.4;
3. imports are not substitutable by own exports: imports / exports > 1 (9999 when
   exports are zero);
4. (time criterion) 1–3 hold in at least two years of a three-year window.

Criterion 4 needs three years of all-pairs trade; with one year it is reported as
not assessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from critmin.domain.indicators.concentration import calc_hhi

GEODEP_THRESHOLD = 0.4
NO_EXPORTS_RATIO = 9999.0


def calc_geodep(
    flows: pd.DataFrame,
    importer: str,
    *,
    product: str = "hs6",
    value: str = "value_usd",
    threshold: float = GEODEP_THRESHOLD,
) -> pd.DataFrame:
    """Apply criteria 1–3 of the GeoDep screen to every product in ``flows``.

    Parameters
    ----------
    flows : DataFrame
        Bilateral flows with ``exporter``, ``importer``, ``product`` and ``value`` columns
        (one year).
    importer : str
        ISO3 of the importing economy.

    Returns
    -------
    DataFrame
        One row per product the importer imports: ``import_hhi``, ``export_hhi``,
        ``imports``, ``exports``, ``import_export_ratio``, the three criterion flags and
        ``dependent`` (all three hold), plus ``top_supplier`` and its share.
    """
    f = flows[flows["exporter"] != flows["importer"]]
    world = f.groupby([product, "exporter"])[value].sum()
    world_share = world / world.groupby(level=0).transform("sum")
    export_hhi = world_share.groupby(level=0).agg(calc_hhi).rename("export_hhi")
    imp = f[f["importer"] == importer].groupby([product, "exporter"])[value].sum()
    imp = imp[imp > 0]
    if imp.empty:
        return pd.DataFrame(
            columns=[
                product,
                "import_hhi",
                "export_hhi",
                "imports",
                "exports",
                "import_export_ratio",
                "c1_import_concentrated",
                "c2_world_exports_concentrated",
                "c3_not_substitutable",
                "dependent",
                "top_supplier",
                "top_supplier_share",
            ]
        )
    imp_share = imp / imp.groupby(level=0).transform("sum")
    import_hhi = imp_share.groupby(level=0).agg(calc_hhi).rename("import_hhi")
    imports = imp.groupby(level=0).sum().rename("imports")
    exports = f[f["exporter"] == importer].groupby(product)[value].sum().rename("exports")
    top = imp_share.groupby(level=0).idxmax().map(lambda ix: ix[1]).rename("top_supplier")
    top_share = imp_share.groupby(level=0).max().rename("top_supplier_share")
    out = pd.concat(
        [
            import_hhi,
            export_hhi.reindex(import_hhi.index),
            imports,
            exports.reindex(import_hhi.index).fillna(0.0),
            top,
            top_share,
        ],
        axis=1,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(out["exports"] > 0, out["imports"] / out["exports"], NO_EXPORTS_RATIO)
    out["import_export_ratio"] = ratio
    out["c1_import_concentrated"] = out["import_hhi"] > threshold
    out["c2_world_exports_concentrated"] = out["export_hhi"] > threshold
    out["c3_not_substitutable"] = out["import_export_ratio"] > 1.0
    out["dependent"] = out[["c1_import_concentrated", "c2_world_exports_concentrated", "c3_not_substitutable"]].all(
        axis=1
    )
    out.index.name = product
    return out.reset_index()


__all__ = ["calc_geodep", "calc_hhi", "GEODEP_THRESHOLD"]


#: the screen's thresholds, as reported with the records
GEODEP_THRESHOLDS = {"import_hhi": GEODEP_THRESHOLD, "export_hhi": GEODEP_THRESHOLD, "import_export_ratio": 1.0}


def label_geodep(screen: pd.DataFrame, product_map: pd.DataFrame, source: str) -> pd.DataFrame:
    """The screen's rows with the ``material`` (``;``-joined minerals) and ``stage`` of each HS6 code,
    ``critical = dependent``, criterion 4 as not assessed (one year) and the ``inputs`` record naming ``source``."""
    pm = (
        product_map.groupby("hs6")
        .agg(material=("mineral", lambda m: ";".join(sorted(set(m)))), stage=("chain_stage", "first"))
        .reset_index()
    )
    out = screen.merge(pm, on="hs6", how="left")
    out["method"] = "geodep"
    out["critical"] = out["dependent"]
    out["c4_persistence"] = None  # needs three years of all-pairs trade
    out["inputs"] = [
        {
            "source": source,
            "criteria": "import HHI > 0.4, world-export HHI > 0.4, "
            "imports/exports > 1 (Vicard & Wibaux 2023; CEPII GeoDep)",
            "c4": "not assessed (one year)",
        }
    ] * len(out)
    return out
