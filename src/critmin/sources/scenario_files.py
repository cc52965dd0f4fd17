"""Readers of the user's scenario files: shock and contract YAML, tariff and freight CSV.

Formats (documented in ``docs/scenarios.md``; examples in ``examples/scenarios/``):

* **shock scenario** (YAML): ``restricting``, ``products`` (a list of HS6 codes or
  ``{mineral:, stage:}`` / ``{hs6: [...]}``), ``severity`` (``ban`` or ``{type:, quota_share:, rate:}``),
  ``start``, ``duration_months``, ``importer``, ``year``, ``assumptions``;
* **contract scenario** (YAML): ``dmt`` and ``grade`` required, prices, FX, paths and back-test optional;
* **tariff CSV**: ``reporter, partner, hs6 (or hs), year, rate`` (percent), optional ``source``;
* **freight CSV**: ``partner, usd_per_t`` (USD per gross tonne shipped).

Every reader returns plain data (dicts, frames) and raises a one-line
:class:`~critmin.errors.DataFormatError` naming the file, row and field; the scenario services
turn the data into the domain's specifications.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from critmin.errors import DataFormatError
from critmin.tariff_frame import validate_tariff_frame


def read_yaml_mapping(path: str | Path) -> dict:
    """A scenario YAML file's top-level mapping.

    Raises
    ------
    DataFormatError
        The file is missing, not UTF-8, not valid YAML (with the line) or not a mapping.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(p, "scenario file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataFormatError(p, "not UTF-8 text; save the scenario file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFormatError(
            p, f"not valid YAML: {getattr(exc, 'problem', exc)}", row=(mark.line + 1) if mark else None
        ) from None
    if not isinstance(data, dict):
        raise DataFormatError(p, "expected a YAML mapping (key: value lines) at the top level")
    return data


def number_field(
    data: Mapping,
    key: str,
    file: Any,
    *,
    default: float | None = None,
    lo: float | None = None,
    hi: float | None = None,
    required: bool = False,
) -> Any:
    """The number under ``key`` of a scenario mapping, checked against ``[lo, hi]``; ``default`` when absent.

    Raises
    ------
    DataFormatError
        The field is required and missing, not a number, or out of range (naming ``file`` and ``key``).
    """
    if key not in data or data[key] is None:
        if required:
            raise DataFormatError(file, f"missing required field '{key}'", field=key)
        return default
    try:
        v = float(data[key])
    except (TypeError, ValueError):
        raise DataFormatError(file, f"expected a number, got {data[key]!r}", field=key) from None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise DataFormatError(file, f"{v} is outside the allowed range [{lo}, {hi}]", field=key)
    return v


def read_shock_file(path: str | Path) -> dict:
    """A shock scenario file as plain data, with its fields checked and normalised.

    Returns
    -------
    dict
        The file's mapping, with ``products`` as ``{"mineral", "stage", "hs6"}`` (``hs6`` a list of
        text codes or ``None``) and ``severity`` as ``{"type", "quota_share", "rate"}``; numbers
        that are absent stay ``None`` (the service applies critmin's parameters).

    Raises
    ------
    DataFormatError
        Missing ``restricting`` or ``products``, a malformed ``products``, a bad number.
    """
    d = read_yaml_mapping(path)
    for key in ("restricting", "products"):
        if key not in d:
            raise DataFormatError(path, f"missing required field '{key}'", field=key)
    prod = d["products"]
    if isinstance(prod, (list, str, int)):
        prod = {"hs6": prod if isinstance(prod, list) else [prod]}
    if not isinstance(prod, Mapping):
        raise DataFormatError(
            path, "products must be a list of HS6 codes or {mineral:, stage:} / {hs6: [...]}", field="products"
        )
    hs = prod.get("hs6")
    hs = [str(h) for h in hs] if isinstance(hs, list) else ([str(hs)] if hs is not None else None)
    sev = d.get("severity", "ban")
    if isinstance(sev, Mapping):
        severity = {
            "type": sev.get("type"),
            "quota_share": number_field(sev, "quota_share", path, default=0.0, lo=0, hi=1),
            "rate": number_field(sev, "rate", path, default=0.0, lo=0),
        }
    else:
        severity = {"type": sev, "quota_share": 0.0, "rate": 0.0}
    a = d.get("assumptions") or {}
    assumptions = {
        "elasticity": a.get("elasticity"),
        "redirectable_fraction": number_field(a, "redirectable_fraction", path, lo=0, hi=1),
        "eps_import_demand": number_field(a, "eps_import_demand", path),
    }
    return {
        **d,
        "products": {"mineral": prod.get("mineral"), "stage": prod.get("stage"), "hs6": hs},
        "severity": severity,
        "duration_months": number_field(d, "duration_months", path, default=12, lo=1),
        "assumptions": assumptions,
    }


def read_contract_file(path: str | Path) -> dict:
    """A contract scenario file's mapping (see ``examples/scenarios/contract_peru_copper.yaml``).

    Raises
    ------
    DataFormatError
        ``dmt`` or ``grade`` missing, not a number or negative.
    """
    d = read_yaml_mapping(path)
    for k in ("dmt", "grade"):
        number_field(d, k, path, required=True, lo=0)
    return d


def read_tariff_file(path: str | Path) -> pd.DataFrame:
    """A user tariff CSV: ``reporter, partner, hs6 (or hs), year, rate`` (rate in percent), optional ``source``.

    Returns
    -------
    pandas.DataFrame
        A canonical tariff frame (:func:`critmin.tariff_frame.validate_tariff_frame`); rows without a
        source are cited as the user file.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(p, "tariff file not found")
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise DataFormatError(p, "not UTF-8 text") from None
    except pd.errors.ParserError as exc:
        raise DataFormatError(p, f"not a valid CSV: {exc}") from None
    if "hs6" in df.columns and "hs" not in df.columns:
        df = df.rename(columns={"hs6": "hs"})
    if "source" not in df.columns:
        df["source"] = f"user file {p.name}"
    df["source"] = df["source"].where(df["source"].str.strip() != "", f"user file {p.name}")
    return validate_tariff_frame(df, file=str(p))


def read_freight_file(path: str | Path) -> dict[str, float]:
    """A freight CSV ``partner,usd_per_t`` (USD per gross tonne shipped) as ``{partner ISO3: USD/t}``."""
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(p, "freight file not found")
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    for col in ("partner", "usd_per_t"):
        if col not in df.columns:
            raise DataFormatError(p, f"missing column '{col}'; expected partner,usd_per_t", field=col)
    v = pd.to_numeric(df["usd_per_t"], errors="coerce")
    bad = v.isna() | (v < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(
            p, f"usd_per_t must be a non-negative number, got {df['usd_per_t'].iloc[i]!r}", row=i + 1, field="usd_per_t"
        )
    return dict(zip(df["partner"].str.upper(), v))
