"""Standard metal-content factors and contained-metal arithmetic.

Trade quantities are gross weight. ``metal_content.csv`` lists, per traded
form, the mass fraction of the element (stoichiometric for chemicals from
IUPAC standard atomic weights; typical grade for concentrates; exchange
specification for refined metal) and, for lithium, the lithium carbonate
equivalent (LCE) factor: Li -> LCE 5.323, Li2CO3 -> LCE 1, LiOH.H2O -> LCE
0.880.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from critmin.classify._hints import hint
from critmin.classify._tables import metal_content_table
from critmin.errors import UnknownCodeError

Basis = Literal["metal", "lce"]


def metal_factor(form: str, *, basis: Basis = "metal") -> float:
    """The factor that turns one tonne of ``form`` into tonnes of metal (or of LCE).

    ``form`` is a form id of ``metal_content.csv`` (``copper_cathode``) or an
    HS6 code listed there (``740311``).
    """
    if basis not in ("metal", "lce"):
        raise ValueError(f"basis must be 'metal' or 'lce', not {basis!r}")
    table = metal_content_table()
    rows = table[(table["form"] == str(form)) | (table["hs6"] == str(form))]
    if rows.empty:
        raise UnknownCodeError(
            "metal form",
            form,
            hint=hint(str(form), list(table["form"]) + list(table["hs6"][table["hs6"] != ""]), "forms"),
        )
    row = rows.iloc[0]
    if basis == "lce":
        if row["mineral"] != "lithium" or np.isnan(row["lce_factor"]):
            raise UnknownCodeError("LCE factor for", form, hint="LCE applies to lithium forms only")
        return float(row["lce_factor"])
    return float(row["metal_fraction"])


def calc_contained_metal(gross_t, form: str, *, basis: Basis = "metal"):
    """Contained metal (or lithium carbonate equivalent) in a gross quantity.

    .. math:: m = q_{gross} \\cdot f_{form}

    Parameters
    ----------
    gross_t : float or array-like
        Gross weight in tonnes (as BACI ``q``).
    form : str
        Form id or HS6 code of ``metal_content.csv``.
    basis : {"metal", "lce"}, keyword-only
        ``"metal"``: tonnes of the element; ``"lce"``: tonnes of lithium
        carbonate equivalent (lithium forms only).

    Returns
    -------
    float or ndarray
        Same shape as ``gross_t``.

    Examples
    --------
    >>> round(calc_contained_metal(100.0, "copper_concentrate"), 1)
    27.0
    >>> round(calc_contained_metal(1.0, "lithium_metal", basis="lce"), 3)
    5.323
    """
    q = np.asarray(gross_t, dtype=float)
    if np.any(q < 0):
        raise ValueError("gross quantities must be >= 0")
    out = q * metal_factor(form, basis=basis)
    return float(out) if out.ndim == 0 else out
