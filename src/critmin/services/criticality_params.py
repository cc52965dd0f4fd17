"""critmin's cited parameter tables for criticality scores, and user overrides of them.

* :func:`parameter_tables` — EoL-RIR, substitution indices and EI per mineral from an EU
  assessment (``eu2023`` or ``eu2017``), the export-restriction events, and the user's overrides;
* :func:`read_overrides` — a user CSV of parameter overrides, checked row by row;
* :func:`blocs` / :func:`reporter_members` — economies assessed as one importer (``EU27``);
* :func:`trade_factors` — the trade-related variable ``t`` (``trade_restriction_factors.yaml``).

The tables live in :mod:`critmin.criticality_data`; every row names its published source.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from critmin.domain.criticality import calc_economic_importance
from critmin.errors import DataFormatError

DATA_PACKAGE = "critmin.criticality_data"
STAGES = ("extraction", "processing")


OVERRIDE_COLUMNS = ["mineral", "stage", "parameter", "value", "low", "high", "key", "source"]
OVERRIDE_PARAMETERS = {
    "eol_rir",
    "si_sr",
    "si_ei",
    "economic_importance",
    "import_reliance",
    "t",
    "end_use_share",
    "sector_value_added",
}
UNIT_INTERVAL = {"eol_rir", "si_sr", "si_ei", "import_reliance", "end_use_share"}


def _package_csv(name: str) -> pd.DataFrame:
    with resources.files(DATA_PACKAGE).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def trade_factors() -> dict:
    """The trade-related variable ``t`` per measure and the home/agreement factors (YAML)."""
    with resources.files(DATA_PACKAGE).joinpath("trade_restriction_factors.yaml").open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def read_overrides(path: str | Path) -> pd.DataFrame:
    """Read a user CSV of parameter overrides (see ``docs/criticality.md``).

    Columns: ``mineral, stage, parameter, value, low, high, key, source``; ``stage`` may be
    empty (all stages); ``key`` is the supplier ISO3 for ``t`` and the sector for
    ``end_use_share`` / ``sector_value_added`` (whose ``mineral`` is ``*``).

    Raises
    ------
    DataFormatError
        Unreadable file, missing column, unknown parameter, non-numeric or out-of-range value,
        or an empty ``source``.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise DataFormatError(path, "file not found") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFormatError(path, f"not a readable UTF-8 CSV ({type(exc).__name__}: {exc})") from None
    missing = [c for c in ("mineral", "parameter", "value", "source") if c not in df.columns]
    if missing:
        raise DataFormatError(path, f"missing column(s) {missing}; expected {OVERRIDE_COLUMNS}")
    df = df.reindex(columns=OVERRIDE_COLUMNS, fill_value="")
    for i, r in enumerate(df.itertuples(index=False), start=1):
        if r.parameter not in OVERRIDE_PARAMETERS:
            raise DataFormatError(
                path,
                f"unknown parameter {r.parameter!r}; expected one of {sorted(OVERRIDE_PARAMETERS)}",
                row=i,
                field="parameter",
            )
        if r.stage not in ("", *STAGES):
            raise DataFormatError(
                path, f"stage {r.stage!r} must be empty, extraction or processing", row=i, field="stage"
            )
        for col in ("value", "low", "high"):
            text = getattr(r, col)
            if col != "value" and text == "":
                continue
            try:
                v = float(text)
            except ValueError:
                raise DataFormatError(path, f"expected a number, got {text!r}", row=i, field=col) from None
            if math.isnan(v) or v < 0 or (r.parameter in UNIT_INTERVAL and v > 1):
                raise DataFormatError(
                    path,
                    f"{r.parameter} must be in [0, 1]"
                    if r.parameter in UNIT_INTERVAL
                    else f"{r.parameter} must be >= 0",
                    row=i,
                    field=col,
                )
        if r.parameter in ("t", "end_use_share", "sector_value_added") and not r.key:
            raise DataFormatError(path, f"{r.parameter} needs a key (supplier ISO3 or sector)", row=i, field="key")
        if not r.source.strip():
            raise DataFormatError(path, "every input must name its source", row=i, field="source")
    return df


PARAMETER_EDITIONS = {"eu2023": "materials_eu2023.csv", "eu2017": "materials.csv"}
DEFAULT_PARAMETERS = "eu2023"


def parameter_tables(
    overrides: str | Path | pd.DataFrame | None = None, *, parameters: str = DEFAULT_PARAMETERS
) -> dict[str, pd.DataFrame]:
    """critmin's cited parameter tables, with user overrides applied to ``materials``.

    ``parameters`` picks the EU assessment whose published EoL-RIR, SI_SR, SI_EI and EI fill the
    ``materials`` table: ``eu2023`` (default, the latest list) or ``eu2017``.
    """
    if parameters not in PARAMETER_EDITIONS:
        raise ValueError(f"parameters must be one of {', '.join(PARAMETER_EDITIONS)}, got {parameters!r}")
    mats = _package_csv(PARAMETER_EDITIONS[parameters])
    for c in (
        "eol_rir",
        "eol_rir_low",
        "eol_rir_high",
        "si_sr",
        "si_sr_low",
        "si_sr_high",
        "si_ei",
        "si_ei_low",
        "si_ei_high",
        "economic_importance",
    ):
        mats[c] = pd.to_numeric(mats[c])
    restr = _package_csv("trade_restrictions.csv")
    ov = read_overrides(overrides) if isinstance(overrides, (str, Path)) else overrides
    return {
        "materials": mats,
        "trade_restrictions": restr,
        "overrides": ov if ov is not None else pd.DataFrame(columns=OVERRIDE_COLUMNS),
    }


def material_params(mats: pd.DataFrame, mineral: str, stage: str) -> dict:
    """Published parameters of one mineral and stage (the stage-specific row first), or critmin's stated defaults."""
    rows = mats[(mats["mineral"] == mineral) & (mats["stage"].isin([stage, ""]))]
    if rows.empty:
        return {
            "eol_rir": 0.0,
            "eol_rir_low": 0.0,
            "eol_rir_high": 0.1,
            "si_sr": 1.0,
            "si_sr_low": 0.8,
            "si_sr_high": 1.0,
            "si_ei": np.nan,
            "si_ei_low": np.nan,
            "si_ei_high": np.nan,
            "economic_importance": np.nan,
            "source": "critmin default (no published value): EoL-RIR 0 "
            "(range 0-0.1), SI_SR 1 (range 0.8-1); EI unknown",
            "eu_material": None,
            "note": "",
        }
    r = rows.sort_values("stage", ascending=False).iloc[0]  # stage-specific row first
    return r.to_dict()


def apply_overrides(params: dict, ov: pd.DataFrame, mineral: str, stage: str) -> tuple[dict, dict]:
    """Apply the user's override rows to one item's parameters; returns them and the per-supplier ``t`` overrides."""
    sel = ov[(ov["mineral"] == mineral) & (ov["stage"].isin(["", stage]))]
    t_over = {}
    for r in sel.itertuples(index=False):
        if r.parameter == "t":
            t_over[r.key] = (float(r.value), r.source)
            continue
        if r.parameter in ("end_use_share", "sector_value_added"):
            continue
        params[r.parameter] = float(r.value)
        params[f"{r.parameter}_low"] = float(r.low) if r.low else float(r.value)
        params[f"{r.parameter}_high"] = float(r.high) if r.high else float(r.value)
        params[f"{r.parameter}_source"] = r.source
    return params, t_over


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


def eu_end_use_shares(warehouse) -> pd.DataFrame | None:
    """The EU 2023 study's end-use shares per material and NACE Rev.2 division, from table ``eu_end_uses``.

    Columns ``eu_material, nace, share, applications, source``, one row per material and division
    (shares of a division's applications summed; ``nace`` empty for uses without a sector, which
    EI does not count, as in the study). Materials with a row whose value added is not its
    division's (``va_consistent`` false) are left out: their sectors cannot be trusted. ``None``
    when the table is not built.
    """
    if not warehouse.has("eu_end_uses"):
        return None
    t = warehouse.read("eu_end_uses")
    bad = set(t.loc[~t["va_consistent"], "eu_material"])
    t = t[~t["eu_material"].isin(bad)].assign(eu_material=lambda d: d["eu_material"].replace(EU_END_USE_NAMES))
    out = t.groupby(["eu_material", "nace"], as_index=False, sort=True).agg(
        share=("share", "sum"), applications=("application", "; ".join)
    )
    return out.assign(share=out["share"].round(6), source=END_USE_SOURCE)


def eu_sector_value_added(warehouse) -> pd.Series | None:
    """EU-27 value added (EUR million) per NACE Rev.2 division that the EU 2023 study used for EI
    (table ``eu_sector_value_added``); ``None`` when it is not built."""
    if not warehouse.has("eu_sector_value_added"):
        return None
    return warehouse.read("eu_sector_value_added").set_index("nace")["value_added_meur"].astype(float)


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


def blocs() -> dict[str, dict]:
    """Economies assessed as one importer (``classify/blocs.yaml``), e.g. ``EU27``."""
    from critmin.classify.blocs import blocs as _blocs

    return _blocs()


def reporter_members(reporter: str) -> frozenset[str]:
    """The ISO3 codes a reporter stands for: its members for a bloc, else the reporter itself."""
    from critmin.classify.blocs import bloc_members

    return bloc_members(reporter)
