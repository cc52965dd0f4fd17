"""Readers of critmin's cited criticality parameter files and of the user's criticality input files.

Plain frames and dicts only (no scoring rules; those are :mod:`critmin.domain.criticality`):

* :func:`read_materials` — EoL-RIR, substitution indices and EI per mineral of an EU assessment
  (``materials_eu2023.csv`` or ``materials.csv`` in :mod:`critmin.criticality_data`);
* :func:`read_trade_restrictions` — other countries' export restrictions (``trade_restrictions.csv``);
* :func:`trade_factors` — the trade-related variable ``t`` (``trade_restriction_factors.yaml``);
* :func:`read_overrides` — a user CSV of parameter overrides, checked row by row;
* :func:`read_scenario_doc` — a user's policy-lever YAML file, checked lever by lever;
* :func:`read_flow_rule_doc` — the ordered trade sources per item (``flow_sources.yaml``, or a user's file);
* :func:`read_export_control_scope` — critmin's reading of each export-control act (``export_control_scope.csv``).

Bad input raises :class:`critmin.errors.DataFormatError` naming the file, row and field.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

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
PARAMETER_EDITIONS = {"eu2023": "materials_eu2023.csv", "eu2017": "materials.csv"}
DEFAULT_PARAMETERS = "eu2023"
MATERIAL_NUMBERS = (
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
)
LEVER_TYPES = ("export_restriction", "fta", "export_control")


def package_csv(name: str) -> pd.DataFrame:
    """A CSV of :mod:`critmin.criticality_data`, every column as text (empty cells as ``""``)."""
    with resources.files(DATA_PACKAGE).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def trade_factors() -> dict[str, Any]:
    """The trade-related variable ``t`` per measure and the home/agreement factors (YAML)."""
    with resources.files(DATA_PACKAGE).joinpath("trade_restriction_factors.yaml").open("r", encoding="utf-8") as fh:
        doc: dict[str, Any] = yaml.safe_load(fh)
    return doc


def read_materials(parameters: str = DEFAULT_PARAMETERS) -> pd.DataFrame:
    """The published parameters of one EU assessment (``eu2023`` or ``eu2017``), numbers as floats.

    Raises
    ------
    ValueError
        An unknown edition.
    """
    if parameters not in PARAMETER_EDITIONS:
        raise ValueError(f"parameters must be one of {', '.join(PARAMETER_EDITIONS)}, got {parameters!r}")
    mats = package_csv(PARAMETER_EDITIONS[parameters])
    for c in MATERIAL_NUMBERS:
        mats[c] = pd.to_numeric(mats[c])
    return mats


def read_trade_restrictions() -> pd.DataFrame:
    """Other countries' export restrictions, ``trade_restrictions.csv`` (text columns)."""
    return package_csv("trade_restrictions.csv")


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


def empty_overrides() -> pd.DataFrame:
    """An override table without rows (the columns of :func:`read_overrides`)."""
    return pd.DataFrame(columns=OVERRIDE_COLUMNS)


def read_scenario_doc(path: str | Path) -> dict[str, Any]:
    """A policy-lever YAML file as a mapping with a non-empty list ``levers`` of typed mappings.

    Raises
    ------
    DataFormatError
        Missing file, not UTF-8 YAML, no ``levers`` list, a lever that is not a mapping or whose
        ``type`` is not one of :data:`LEVER_TYPES`.
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFormatError(path, "file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFormatError(path, f"not valid UTF-8 YAML ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("levers"), list) or not doc["levers"]:
        raise DataFormatError(path, "expected a mapping with a non-empty list 'levers'", field="levers")
    for i, lv in enumerate(doc["levers"], start=1):
        if not isinstance(lv, dict):
            raise DataFormatError(path, "each lever must be a mapping", row=i)
        if lv.get("type") not in LEVER_TYPES:
            raise DataFormatError(
                path, f"type must be one of {', '.join(LEVER_TYPES)}, got {lv.get('type')!r}", row=i, field="type"
            )
    return doc


def read_flow_rule_doc(path: str | Path | None = None) -> Any:
    """The parsed YAML of ``flow_sources.yaml`` (``path`` None) or of a user's rule file, unchecked.

    Raises
    ------
    DataFormatError
        An unreadable file or invalid UTF-8 YAML.
    """
    name = str(path) if path is not None else "flow_sources.yaml"
    try:
        if path is None:
            with resources.files(DATA_PACKAGE).joinpath("flow_sources.yaml").open("r", encoding="utf-8") as fh:
                return yaml.safe_load(fh)
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFormatError(name, f"not a readable UTF-8 YAML file ({exc})") from None


def read_export_control_scope() -> pd.DataFrame:
    """``export_control_scope.csv``: critmin's reading of each act (text columns)."""
    return package_csv("export_control_scope.csv")
