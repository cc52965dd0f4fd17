"""HS6 <-> mineral <-> value-chain stage.

critmin's own table ``products.csv`` (HS 2017 nomenclature, six digits) maps
each HS6 code to the minerals it carries and to one of four value-chain
stages:

``ore``
    ores, concentrates and other mined raw materials (extraction);
``intermediate``
    mattes, blister/anodes, hydroxides, separated compounds, scrap;
``refined``
    refined metal or battery-grade chemical (cathodes, unwrought metal,
    carbonates, hydroxides);
``product``
    first semi-finished or finished goods (wire, foil, magnets, cells).

An HS6 code that also covers other goods (``253090`` "mineral substances
n.e.s." for spodumene) is flagged ``basket``. Sources: WCO Harmonized System
2017 nomenclature for the codes and descriptions; value-chain stages follow
the extraction/processing split of the EU criticality methodology (Blengini
et al. 2017, JRC EUR 28654) and the mining/refining/components stages of IEA
(2021) *The Role of Critical Minerals in Clean Energy Transitions*.
"""

from __future__ import annotations

import re
import warnings
from typing import Iterable, get_args

import pandas as pd

from critmin.classify._hints import hint
from critmin.classify._tables import products_table
from critmin.errors import UnknownCodeError

from critmin.vocabulary import Stage  # noqa: E402  (one vocabulary for every front end)

STAGES: tuple[str, ...] = get_args(Stage)


class PaddedHSCodeWarning(UserWarning):
    """An HS code that had lost its leading zero was padded back to six digits."""


def normalize_hs(code: str | int, *, known: Iterable[str] | None = None) -> str:
    """Six-character HS6 text from user input.

    A 5-digit code (``40311``, an HS6 code that lost its leading zero when
    stored as a number) is padded to ``040311`` with a
    :class:`PaddedHSCodeWarning`. Dots and spaces are removed
    (``7403.11`` -> ``740311``).

    Raises
    ------
    UnknownCodeError
        Not 5 or 6 digits, or (when ``known`` is given) not a known code.
    """
    raw = str(code).strip()
    digits = re.sub(r"[\s.]", "", raw)
    if not re.fullmatch(r"\d{5,6}", digits):
        raise UnknownCodeError("HS6 code", raw, hint="expected six digits, e.g. 740311")
    if len(digits) == 5:
        padded = "0" + digits
        warnings.warn(
            f"HS code {raw!r} has 5 digits; read as {padded!r} (leading zero restored)",
            PaddedHSCodeWarning,
            stacklevel=2,
        )
        digits = padded
    if known is not None:
        known = list(known)
        if digits not in known:
            raise UnknownCodeError("HS6 code", raw, hint=hint(digits, known, "HS6 codes"))
    return digits


def known_minerals() -> list[str]:
    """Mineral ids in the product table (sorted)."""
    return sorted(products_table()["mineral"].unique())


def resolve_mineral(mineral: str) -> str:
    """A mineral id (``Copper``, ``rare earths`` -> ``rare_earths``) or :class:`UnknownCodeError`."""
    m = re.sub(r"[\s\-]+", "_", str(mineral).strip().lower())
    known = known_minerals()
    if m not in known:
        raise UnknownCodeError("mineral", mineral, hint=hint(m, known, "minerals"))
    return m


def resolve_stage(stage: str) -> str:
    """One of :data:`STAGES` or :class:`UnknownCodeError`."""
    s = str(stage).strip().lower()
    if s not in STAGES:
        raise UnknownCodeError("stage", stage, hint=f"expected one of {', '.join(STAGES)}")
    return s


def products_for(
    *, mineral: str | None = None, stage: str | None = None, hs: Iterable[str | int] | None = None
) -> pd.DataFrame:
    """Rows of the product table selected by mineral, stage and/or HS6 codes.

    Parameters
    ----------
    mineral : str, optional
    stage : {"ore", "intermediate", "refined", "product"}, optional
    hs : iterable of str, optional
        HS6 codes; 5-digit codes are padded with a warning.

    Returns
    -------
    DataFrame
        ``hs6, description, mineral, stage, hs_revision, basket, note``.

    Raises
    ------
    UnknownCodeError
        Unknown mineral, stage or HS code.
    EmptySelectionError
        A known mineral has no code at that stage.
    """
    from critmin.errors import EmptySelectionError

    df = products_table()
    if hs is not None:
        codes = [normalize_hs(c, known=df["hs6"]) for c in hs]
        df = df[df["hs6"].isin(codes)]
    if mineral is not None:
        df = df[df["mineral"] == resolve_mineral(mineral)]
    if stage is not None:
        df = df[df["stage"] == resolve_stage(stage)]
    if df.empty:
        raise EmptySelectionError(
            f"no HS6 code for mineral={mineral!r}, stage={stage!r}, hs={hs!r} in the product table"
        )
    return df.reset_index(drop=True)


def describe_hs(hs6: str) -> dict:
    """``{"hs6", "description", "mineral", "stage", "basket"}`` for one code (minerals ``;``-joined)."""
    df = products_table()
    rows = df[df["hs6"] == hs6]
    if rows.empty:
        return {"hs6": hs6, "description": None, "mineral": None, "stage": None, "basket": None}
    return {
        "hs6": hs6,
        "description": rows["description"].iloc[0],
        "mineral": ";".join(rows["mineral"]),
        "stage": rows["stage"].iloc[0],
        "basket": bool(rows["basket"].any()),
    }


def product_labels() -> pd.DataFrame:
    """One row per HS6: ``hs6, description, mineral`` (``;``-joined when several), ``stage``."""
    df = products_table()
    return (
        df.groupby("hs6", sort=True)
        .agg(description=("description", "first"), mineral=("mineral", ";".join), stage=("stage", "first"))
        .reset_index()
    )
