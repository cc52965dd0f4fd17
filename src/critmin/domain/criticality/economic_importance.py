"""Economic importance of a material for an economy (EU method, JRC 2017), pure rules.

``EI = 10 * sum_s A_s Q_s / Q_max * SI_EI`` with ``A_s`` the material's end-use shares by sector,
``Q_s`` the economy's value added by sector and ``Q_max`` its largest manufacturing sector
(:func:`critmin.domain.criticality.eu.calc_economic_importance`). This module maps NACE Rev.2
divisions onto OECD IOT industries, computes ``EI_base`` (EI before ``SI_EI``) from the user's
end-use rows or the EU 2023 study's shares, and resolves one item's EI and its source.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from critmin.domain.criticality.eu import calc_economic_importance
from critmin.domain.criticality.parameters import as_number
from critmin.errors import DataFormatError

# NACE Rev.2 divisions grouped in one OECD IOT 2023 industry (ISIC Rev.4 = NACE Rev.2 at 2 digits)
_OECD_GROUPS = {
    "A01_02": (1, 2),
    "A03": (3, 3),
    "B05_06": (5, 6),
    "B07_08": (7, 8),
    "B09": (9, 9),
    "C10T12": (10, 12),
    "C13T15": (13, 15),
    "C17_18": (17, 18),
    "C31T33": (31, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "I": (55, 56),
    "J58T60": (58, 60),
    "J62_63": (62, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
}


def oecd_industry_of_nace(sector: str) -> str | None:
    """The OECD IOT 2023 industry (ISIC Rev.4 grouping) holding a NACE Rev.2 two-digit sector.

    ``C24`` -> ``C24``; ``C10`` / ``C11`` / ``C12`` -> ``C10T12``; ``C32`` -> ``C31T33``; ``None`` when
    the code is not a NACE division. Single divisions of manufacturing and transport (``C16``,
    ``C19``..``C30``, ``H49``..``H53``, ``J61``) keep their code.
    """
    code = sector.strip().upper()
    if len(code) < 3 or not code[0].isalpha() or not code[1:3].isdigit():
        return None
    div = int(code[1:3])
    if code[0] in "CHJ" and (16 <= div <= 30 and div not in (17, 18) or 49 <= div <= 53 or div == 61):
        return f"{code[0]}{div:02d}"
    for industry, (lo, hi) in _OECD_GROUPS.items():
        if lo <= div <= hi:
            return industry
    return None


def is_manufacturing(code: str) -> bool:
    """Whether a NACE Rev.2 division (``C27``) or OECD industry (``C31T33``) is manufacturing (section C)."""
    return str(code).strip().upper().startswith("C")


def manufacturing_max(q: pd.Series) -> tuple[float, str] | None:
    """``Q_max`` of the EI scale: the largest manufacturing sector of ``q`` (index: sector codes), or None."""
    manuf = q[[is_manufacturing(c) for c in q.index]]
    if manuf.empty or not np.isfinite(manuf.max()) or manuf.max() <= 0:
        return None
    return float(manuf.max()), str(manuf.idxmax())


def ei_base_from_shares(shares: pd.Series, industry_va: pd.Series) -> tuple[float, dict]:
    """``EI_base = 10 * sum_i A_i Q_i / Q_max`` from end-use shares by NACE division and value added by OECD industry.

    The NACE keys of ``shares`` are mapped with :func:`oecd_industry_of_nace` and summed within an
    industry (a grouped industry such as ``C31T33`` gets the shares of C31, C32 and C33). ``Q_max`` is
    the economy's largest **manufacturing** industry, as the EU studies scale EI by the largest
    manufacturing NACE sector (see :func:`critmin.domain.criticality.calc_economic_importance`).

    Raises
    ------
    DataFormatError
        A key that is not a NACE division.
    """
    ind = pd.Series([oecd_industry_of_nace(k) for k in shares.index], index=shares.index)
    if ind.isna().any():
        raise DataFormatError(
            "--inputs",
            f"end-use sector {ind.index[ind.isna()][0]!r} is not a NACE Rev.2 division (e.g. C27)",
            field="key",
        )
    top = manufacturing_max(industry_va)
    a = shares.astype(float).groupby(ind).sum()
    unmatched = sorted(set(a.index) - set(industry_va.index))
    a = a.reindex(industry_va.index).fillna(0.0)
    if top is None:
        return float("nan"), {"unmatched_industries": unmatched}
    base = float(calc_economic_importance(a.to_numpy(), industry_va.to_numpy(float), 1.0, q_max=top[0]))
    return base, {
        "q_max": top[0],
        "q_max_industry": top[1],
        "industries": {k: round(float(v), 4) for k, v in a[a > 0].items()},
        "unmatched_industries": unmatched,
    }


def ei_from_economy(ov: pd.DataFrame, mineral: str, industry_va: pd.Series, label: str) -> tuple[float, str] | None:
    """EI before substitution from the user's end-use shares and an economy's value added by industry.

    ``EI_base = 10 * sum_i A_i Q_i / Q_max`` over the OECD industries ``i`` of ``industry_va``, with
    ``Q_max`` the economy's largest manufacturing industry (:func:`ei_base_from_shares`). ``None``
    when the mineral has no end-use shares.

    Raises
    ------
    DataFormatError
        An end-use key that is not a NACE division.
    """
    shares = ov[(ov["mineral"] == mineral) & (ov["parameter"] == "end_use_share")]
    if shares.empty or industry_va.empty:
        return None
    base, _ = ei_base_from_shares(shares.set_index("key")["value"].astype(float), industry_va)
    return base, f"{'; '.join(sorted(set(shares['source'])))}; Q: {label}"


#: the study's material names where critmin's EU tables spell them otherwise (its "Titanium" end uses,
#: aerospace and medical alloys, are those of titanium metal)
EU_END_USE_NAMES = {
    "Barytes": "Baryte",
    "Borate": "Boron",
    "Phosphate Rock": "Phosphate rock",
    "Sulphur": "Sulfur",
    "Titanium": "Titanium metal",
}
END_USE_SOURCE = (
    "EC (2023) Study on the critical raw materials for the EU 2023 (Grohol & Veeh, doi 10.2873/725585), "
    "end uses by NACE Rev.2 sector (table eu_end_uses, source eu_crm_end_uses)"
)
END_USE_MISSING = (
    "India's EI needs the EU 2023 end-use shares: run `critmin data build eu_crm_end_uses` "
    "(or give end_use_share rows with --inputs)"
)


def ei_from_eu_end_uses(
    eu_material: str | None, industry_va: pd.Series, label: str, shares: pd.DataFrame
) -> dict | None:
    """An economy's EI before substitution from the EU 2023 end-use shares of ``eu_material`` (a labelled proxy).

    ``EI_base = 10 * sum_i A_i Q_i / Q_max`` with ``A`` the EU study's shares of the material's end uses
    (NACE divisions, mapped to OECD industries) and ``Q`` the economy's value added by industry
    (:func:`ei_base_from_shares`). ``None`` when the study lists no shares for the material.
    """
    rows = shares[(shares["eu_material"] == eu_material) & (shares["nace"] != "")]
    if not eu_material or rows.empty or industry_va.empty:
        return None
    base, detail = ei_base_from_shares(rows.groupby("nace")["share"].sum(), industry_va)
    return {
        "ei_base": base,
        **detail,
        "end_use_source": rows["source"].iloc[0] + " (EU shares as a proxy for the importer's)",
        "value_added_source": label,
    }


def ei_from_end_uses(ov: pd.DataFrame, mineral: str) -> tuple[float, str] | None:
    """EI before substitution from the user's end-use shares and sector value added.

    ``EI_base = 10 * sum_s A_s Q_s / max_s Q_s``, with its sources; ``None`` when not supplied.

    * Several ``end_use_share`` rows of one mineral for one sector are summed (``A_s`` is the
      total share of that sector).
    * ``Q_max`` is the largest manufacturing (NACE section C) ``sector_value_added`` row, or the largest
      row when none is manufacturing, taken over every row (the economy's full sector table), so a
      mineral's EI does not depend on which sectors its own shares name.
    * Two ``sector_value_added`` rows for one sector are an error naming both rows (a sector's
      value added is one number; adding them would double-count).

    Raises
    ------
    DataFormatError
        Duplicate ``sector_value_added`` sectors, or an end-use sector without value added.
    """
    shares = ov[(ov["mineral"] == mineral) & (ov["parameter"] == "end_use_share")]
    va = ov[ov["parameter"] == "sector_value_added"]
    if shares.empty or va.empty:
        return None
    rows = pd.Series(np.arange(1, len(ov) + 1), index=ov.index)  # 1-based data-row numbers
    dup = va[va["key"].duplicated(keep=False)]
    if not dup.empty:
        detail = "; ".join(f"{k}: rows {', '.join(str(rows[i]) for i in g.index)}" for k, g in dup.groupby("key"))
        raise DataFormatError(
            "--inputs",
            f"sector_value_added given more than once for one sector ({detail})",
            row=int(rows[dup.index[0]]),
            field="key",
        )
    q = va.set_index("key")["value"].astype(float)
    a_given = shares.assign(value=shares["value"].astype(float)).groupby("key")["value"].sum()
    missing = set(a_given.index) - set(q.index)
    if missing:
        raise DataFormatError(
            "--inputs", f"end-use sector(s) {sorted(missing)} of {mineral} have no sector_value_added row", field="key"
        )
    a = a_given.reindex(q.index).fillna(0.0)
    top = manufacturing_max(q)
    base = float(calc_economic_importance(a.to_numpy(), q.to_numpy(), 1.0, q_max=top[0] if top else None))
    srcs = "; ".join(sorted(set(shares["source"]) | set(va["source"])))
    return base, srcs


def end_use_shares(table: pd.DataFrame) -> pd.DataFrame:
    """The EU 2023 study's end-use shares per material and NACE Rev.2 division, from table ``eu_end_uses``.

    Columns ``eu_material, nace, share, applications, source``, one row per material and division
    (shares of a division's applications summed; ``nace`` empty for uses without a sector, which
    EI does not count, as in the study). Materials with a row whose value added is not its
    division's (``va_consistent`` false) are left out: their sectors cannot be trusted.
    """
    bad = set(table.loc[~table["va_consistent"], "eu_material"])
    t = table[~table["eu_material"].isin(bad)].assign(eu_material=lambda d: d["eu_material"].replace(EU_END_USE_NAMES))
    out = t.groupby(["eu_material", "nace"], as_index=False, sort=True).agg(
        share=("share", "sum"), applications=("application", "; ".join)
    )
    return out.assign(share=out["share"].round(6), source=END_USE_SOURCE)


def latest_value_added(accounts: pd.DataFrame, reporter: str, year: int) -> tuple[pd.Series, str] | None:
    """The reporter's value added by OECD industry in the latest year ``<= year`` (negatives as 0), with its label.

    ``accounts`` is table ``industry_accounts``; ``None`` when it has no row of the reporter up to ``year``.
    """
    acc = accounts[(accounts["country"] == reporter) & (accounts["year"] <= year)]
    if acc.empty:
        return None
    y = int(acc["year"].max())
    va = acc[acc["year"] == y].set_index("industry")["value_added_usd"].clip(lower=0.0)
    return va, (
        f"OECD IOT 2023 value added of {reporter} by industry (ISIC Rev.4 groupings), {y}; "
        f"Q_max = the largest of its manufacturing industries"
    )


def resolve_economic_importance(
    params: dict[str, Any], ov: pd.DataFrame, mineral: str, economy_va: tuple[pd.Series, str] | None
) -> tuple[float, float, str]:
    """``(EI_base, SI_EI, source)`` of one item, the EI before substitution that the model multiplies by ``SI_EI``.

    In order of precedence:

    1. the user's ``end_use_share`` rows with their ``sector_value_added`` rows (:func:`ei_from_end_uses`),
       else with the reporter's value added by industry (:func:`ei_from_economy`):
       ``EI_base = 10 * sum_s A_s Q_s / Q_max``; ``SI_EI`` the published one, or 1 when none is published;
    2. an ``economic_importance`` given by the user where no ``SI_EI`` is published: final, ``SI_EI = 1``;
    3. the published EI: ``EI_base = EI / SI_EI`` (NaN when either is missing).

    ``params`` gets ``si_ei_low = si_ei_high = 1`` where ``SI_EI`` is set to 1.
    """
    ei_val = params.get("economic_importance", np.nan)
    si_ei = params.get("si_ei", np.nan)
    ei_src = params.get(
        "economic_importance_source", f"{params.get('ei_basis', '')}: {params.get('source', '')}".strip(": ")
    )
    from_end_use = ei_from_end_uses(ov, mineral)
    if from_end_use is None and economy_va is not None:
        from_end_use = ei_from_economy(ov, mineral, *economy_va)
    if from_end_use is not None:
        ei_base, ei_src = from_end_use
        ei_src = f"EI = 10 * sum(A_s Q_s) / max(Q_s) * SI_EI from --inputs: {ei_src}"
        if np.isnan(si_ei):
            si_ei = params["si_ei_low"] = params["si_ei_high"] = 1.0
    elif "economic_importance_source" in params and np.isnan(si_ei) and not np.isnan(ei_val):
        # an EI given by the user is final (after substitution) even where no SI_EI is published
        ei_base, si_ei = ei_val, 1.0
        params["si_ei_low"] = params["si_ei_high"] = 1.0
    else:
        ei_base = ei_val / si_ei if (si_ei and not np.isnan(si_ei) and not np.isnan(ei_val)) else np.nan
    return ei_base, si_ei, ei_src


def published_economic_importance(params: dict[str, Any]) -> dict[str, Any]:
    """The EU assessment's published EI of an item (``value`` NaN when none) and its source."""
    return {
        "value": as_number(params.get("economic_importance")),
        "source": f"{params.get('ei_basis', '')}: {params.get('source', '')}".strip(": ")
        if not np.isnan(as_number(params.get("economic_importance"), np.nan))
        else None,
    }


def reporter_economic_importance(
    params: dict[str, Any],
    economy_va: tuple[pd.Series, str] | None,
    eu_uses: pd.DataFrame | None,
    *,
    shares_missing: bool,
) -> dict[str, Any] | None:
    """The reporter's own EI from the EU 2023 end-use shares and its value added (a labelled proxy).

    ``EI = 10 * sum_i A_i Q_i / Q_max * SI_EI`` with ``A`` the EU study's end-use shares of the item's
    ``eu_material`` (:func:`ei_from_eu_end_uses`), ``Q`` the reporter's value added by OECD industry
    and ``SI_EI`` the published substitution index. ``None`` when there is nothing to compute; a record
    with ``value`` None and a note when the shares are needed but not built (``shares_missing``).
    """
    india = (
        ei_from_eu_end_uses(params.get("eu_material"), *economy_va, shares=eu_uses)
        if eu_uses is not None and economy_va is not None
        else None
    )
    if india is None:
        return {"value": None, "note": END_USE_MISSING} if shares_missing else None
    pub_si = as_number(params.get("si_ei"), np.nan)
    return {
        "value": None if np.isnan(india["ei_base"] * pub_si) else india["ei_base"] * pub_si,
        **india,
        "si_ei": None if np.isnan(pub_si) else pub_si,
        "formula": "EI = 10 * sum_i A_i Q_i / Q_max * SI_EI; A: EU 2023 end-use shares (NACE -> OECD industry), "
        "Q: the reporter's value added by industry, Q_max: its largest manufacturing industry",
    }
