"""Tariff inputs: critmin's tariff CSV, WITS/TRAINS downloads, elasticities and FTA schedules.

Formats read here
-----------------
* **critmin tariff CSV** (documented in ``docs/fta.md``): UTF-8, one header row,
  columns ``reporter,partner,year,hs,rate,source`` and optional ``duty_type,note``;
  ``rate`` is ad valorem in percent, empty = unknown; ``partner`` ``WLD`` = MFN.
  critmin ships a cited starter table in this format
  (``critmin/tariff_data/starter_tariffs.csv``).
* **WITS "Tariff data" export** (WITS Advanced Query, tariff result table; columns
  per the WITS online help: ``Selected Nomen, Native Nomen, Reporter, Reporter Name,
  Partner, Partner Name, Tariff Year, Trade Year, Trade Source, Product, Product Name,
  Duty Type, Simple Average, Weighted Average, ...``). The reporter and partner are
  3-letter codes; ``Simple Average`` is the HS6 rate in percent.
* **WITS/TRAINS bulk CSV** (``NomenCode, Reporter_ISO_N, Year, ProductCode,
  Sum_Of_Rates, Min_Rate, Max_Rate, SimpleAverage, ...``, optional partner column):
  numeric UN M49 reporter codes, mapped to ISO3.
* **Import-demand elasticities**: ``hs6,import_demand_elasticity`` (optionally
  ``reporter``), or the wiiw Import Demand Elasticities Database CSV
  (``iso3, ..., product, elasticity``).
* **FTA schedules** (YAML; the format is described in :mod:`critmin.domain.policy.schedule`).

The readers return validated canonical frames (:func:`critmin.tariff_frame.validate_tariff_frame`)
and parsed schedule mappings; :mod:`critmin.services.tariffs` turns them into the domain's
``TariffTable`` and ``FtaScenario`` (a connector never imports the domain).

This is a connector with ``default=False``: ``critmin data build tariffs`` loads
the starter table into the warehouse table ``tariff_rates``; services also read
the packaged table directly.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError, UnknownCodeError
from critmin.sources._m49 import M49_TO_ISO3
from critmin.sources.base import Source
from critmin.sources.csvutil import csv_rows, read_text
from critmin.tariff_frame import DUTY_TYPES, TARIFF_COLUMNS, validate_tariff_frame

STARTER_FILE = "starter_tariffs.csv"
SCENARIO_FILES = {
    ("IND", "PER"): "ind_per_fta.yaml",
    ("IND", "CHL"): "ind_chl_cepa.yaml",
    ("IND", "NZL"): "ind_nzl_fta.yaml",
}


def _package_file(*parts: str) -> Path:
    return Path(str(resources.files("critmin.tariff_data").joinpath(*parts)))


def _frame_from_csv(path: Path, required: list[str]) -> pd.DataFrame:
    text = read_text(path, encoding="utf-8-sig")
    header, rows = csv_rows(path, text, required=required)
    data = [fields for _, fields in rows]
    if not data:
        raise DataFormatError(path, "has a header but no data rows")
    return pd.DataFrame(data, columns=header, dtype=str)


# --------------------------------------------------------------------------- critmin format
def read_tariff_csv(path: str | Path) -> pd.DataFrame:
    """Read a tariff table in critmin's documented CSV format into a validated canonical frame.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`critmin.tariff_frame.TARIFF_COLUMNS`.

    Raises
    ------
    DataFormatError
        Names the file, row and field (bad ISO3, HS code, year, rate, missing source).
    """
    path = Path(path)
    df = _frame_from_csv(path, ["reporter", "year", "hs", "rate", "source"])
    return validate_tariff_frame(df, file=str(path))


def starter_tariffs() -> pd.DataFrame:
    """critmin's cited starter table (India, Chile, Peru, New Zealand; see its ``source``/``note``)."""
    return read_tariff_csv(_package_file(STARTER_FILE))


# --------------------------------------------------------------------------- WITS / TRAINS
def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_WITS_ALIASES = {
    "reporter": ["reporter", "reporteriso3", "reportercode", "reporterison", "reporteriso"],
    "partner": ["partner", "partneriso3", "partnercode", "partnerison", "partneriso"],
    "product": ["product", "productcode", "tariffline", "tarifflinecode", "hscode"],
    "year": ["tariffyear", "year"],
    "rate": ["simpleaverage", "simpleaverageadval", "simpleaveragerate"],
    "duty_type": ["dutytype", "dutycode"],
    "nomen": ["nativenomen", "nomencode", "nomenclature"],
}


def _country(value: str, path: Path, row: int, field: str) -> str:
    v = value.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", v):
        return v
    if re.fullmatch(r"\d{1,3}", v):
        if int(v) == 0:
            return "WLD"
        iso = M49_TO_ISO3.get(int(v))
        if iso is None:
            raise DataFormatError(path, f"numeric country code {v} is not a known UN M49 code", row=row, field=field)
        return iso
    raise DataFormatError(path, f"{value!r} is not a country code (ISO3 or UN M49 number)", row=row, field=field)


#: optional TRAINS bulk columns -> canonical names (``wits_rows`` returns them when present)
_WITS_EXTRAS = {
    "rate_min": ["minrate"],
    "rate_max": ["maxrate"],
    "lines": ["totalnooflines"],
    "valid_lines": ["totalnoofvalidlines"],
    "dutiable_lines": ["nbrdutiablelines"],
    "free_lines": ["nbrfreelines"],
    "na_lines": ["nbrnalines"],
}


def wits_rows(path: str | Path, *, duty_type: str | None = None) -> list[dict]:
    """Parse a WITS tariff download into one dict per HS product row (the shared WITS reader).

    Handles both layouts (Advanced Query "Tariff data" CSV and TRAINS bulk CSV):
    columns are found by their normalised names, reporter/partner codes may be
    ISO3 or UN M49 numbers, aggregate rows (``Total``) are skipped and HS codes
    that lost a leading zero are restored. Values stay text (``rate`` and the
    optional TRAINS columns ``rate_min, rate_max, lines, valid_lines,
    dutiable_lines, free_lines, na_lines``, present only when the file has them).

    Returns
    -------
    list of dict
        ``row`` (1-based data row), ``reporter, partner, year, hs, rate, duty_type, nomen`` and the extras.

    Raises
    ------
    DataFormatError
        No column for reporter, product, year or rate; a product that is not an HS code; an unknown
        country code; no product rows.
    """
    path = Path(path)
    try:
        text = read_text(path, encoding="utf-8-sig")
    except DataFormatError as exc:
        if "not valid" not in str(exc):
            raise
        text = read_text(path, encoding="latin-1")
    header, rows = csv_rows(path, text, required=[])
    norm = [_norm(h) for h in header]
    col: dict[str, int] = {}
    for key, aliases in (_WITS_ALIASES | _WITS_EXTRAS).items():
        for a in aliases:
            if a in norm:
                col[key] = norm.index(a)
                break
    missing = [k for k in ("reporter", "product", "year", "rate") if k not in col]
    if missing:
        raise DataFormatError(
            path,
            f"not a WITS tariff export: no column for {', '.join(missing)}; expected e.g. "
            f"Reporter, Product, Tariff Year, Simple Average (Advanced Query) or "
            f"Reporter_ISO_N, ProductCode, Year, SimpleAverage (TRAINS bulk)",
            field=missing[0],
        )
    extras = [k for k in _WITS_EXTRAS if k in col]
    records = []
    for n, f in rows:
        product = f[col["product"]].strip()
        if not product or not product[0].isdigit():
            continue  # aggregate rows such as "Total"
        if not re.fullmatch(r"\d{1,6}", product):
            raise DataFormatError(path, f"product {product!r} is not an HS code", row=n, field=header[col["product"]])
        if len(product) in (5, 3, 1):  # leading zero lost by a spreadsheet
            product = product.zfill(len(product) + 1)
        reporter = _country(f[col["reporter"]], path, n, header[col["reporter"]])
        partner = _country(f[col["partner"]], path, n, header[col["partner"]]) if "partner" in col else "WLD"
        dt = f[col["duty_type"]].strip().upper() if "duty_type" in col else (duty_type or "")
        dt = {"AHS": "AHS", "MFN": "MFN", "PRF": "PRF", "BND": "BND"}.get(dt[:3], "")
        rec = {
            "row": n,
            "reporter": reporter,
            "partner": partner,
            "year": f[col["year"]].strip(),
            "hs": product,
            "rate": f[col["rate"]].strip(),
            "duty_type": dt,
            "nomen": f[col["nomen"]].strip() if "nomen" in col else "",
        }
        for k in extras:
            rec[k] = f[col[k]].strip()
        records.append(rec)
    if not records:
        raise DataFormatError(path, "no HS product rows found (only aggregates or an empty table)")
    return records


def read_wits_tariffs(path: str | Path, *, duty_type: str | None = None) -> pd.DataFrame:
    """Read a WITS tariff download (Advanced Query "Tariff data" CSV or TRAINS bulk CSV).

    Only HS6 (and HS2/HS4) product rows are kept; rows whose product is an
    aggregate such as ``Total`` are skipped. Rates are the WITS ``Simple Average``
    (percent). Missing rates stay unknown. Parsing is :func:`wits_rows`.

    Parameters
    ----------
    path : path-like
        The CSV exported from WITS.
    duty_type : {"MFN", "PRF", "AHS", "BND"}, keyword-only, optional
        For files without a duty-type column (TRAINS bulk files are one type per
        file); default ``MFN`` when the partner is the world, else ``PRF``.

    Returns
    -------
    pandas.DataFrame
        A validated canonical tariff frame (:data:`critmin.tariff_frame.TARIFF_COLUMNS`).
    """
    path = Path(path)
    records = [
        {
            "reporter": r["reporter"],
            "partner": r["partner"],
            "year": r["year"],
            "hs": r["hs"],
            "rate": r["rate"],
            "duty_type": r["duty_type"],
            "source": f"WITS/TRAINS download {path.name}" + (f" (nomenclature {r['nomen']})" if r["nomen"] else ""),
            "note": "",
        }
        for r in wits_rows(path, duty_type=duty_type)
    ]
    return validate_tariff_frame(pd.DataFrame(records, columns=TARIFF_COLUMNS), file=str(path))


def read_tariffs(path: str | Path) -> pd.DataFrame:
    """Read either format (critmin CSV or WITS download) into a canonical frame, telling them apart by the header."""
    path = Path(path)
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    names = {_norm(x) for x in first.split(",")}
    if {"reporter", "hs", "rate", "source"} <= names:
        return read_tariff_csv(path)
    return read_wits_tariffs(path)


# --------------------------------------------------------------------------- elasticities
def read_elasticities(path: str | Path, *, reporter: str | None = None) -> pd.DataFrame:
    """Import-demand elasticities per HS6 line: ``hs6, import_demand_elasticity``.

    Accepts critmin's layout (``hs6,import_demand_elasticity[,reporter]``) or the
    wiiw Import Demand Elasticities Database CSV (``iso3, ..., product, elasticity``;
    with several years the mean is used). Values must be negative. Files with a
    reporter column keep it (``reporter, hs6, import_demand_elasticity``) unless
    ``reporter`` selects one country.
    """
    path = Path(path)
    df = _frame_from_csv(path, [])
    cols = {_norm(c): c for c in df.columns}
    if "hs6" in cols and "importdemandelasticity" in cols:
        hs, el, rep = cols["hs6"], cols["importdemandelasticity"], cols.get("reporter")
    elif "product" in cols and "elasticity" in cols:
        hs, el, rep = cols["product"], cols["elasticity"], cols.get("iso3")
    else:
        raise DataFormatError(
            path, "expected columns hs6,import_demand_elasticity (or the wiiw layout iso3,product,elasticity)"
        )
    out = pd.DataFrame(
        {
            "hs6": df[hs].str.strip().str.zfill(6),
            "import_demand_elasticity": pd.to_numeric(df[el].str.strip(), errors="coerce"),
        }
    )
    if rep is not None:
        out["reporter"] = df[rep].str.strip().str.upper()
        if reporter is not None:
            out = out[out["reporter"] == reporter.upper()].drop(columns="reporter")
            if out.empty:
                raise UnknownCodeError("reporter", reporter, where=str(path), hint="no elasticities for it")
    bad = ~out["hs6"].str.fullmatch(r"\d{6}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(path, f"{out['hs6'].iloc[i]!r} is not an HS6 code", row=int(out.index[i]) + 1, field=hs)
    bad = out["import_demand_elasticity"].isna() | (out["import_demand_elasticity"] >= 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(
            path,
            f"{df[el].iloc[out.index[i]]!r}; expected a negative import-demand elasticity",
            row=int(out.index[i]) + 1,
            field=el,
        )
    keys = ["reporter", "hs6"] if "reporter" in out.columns else ["hs6"]
    return out.groupby(keys, as_index=False)["import_demand_elasticity"].mean()


# --------------------------------------------------------------------------- schedules
def read_schedule(path: str | Path) -> Any:
    """Parse an FTA phase-in schedule file (YAML or JSON) into plain data.

    The content is checked by ``FtaScenario.from_dict`` (see :mod:`critmin.services.tariffs`).

    Raises
    ------
    DataFormatError
        The file is not UTF-8 text or not valid YAML (with the line of the problem).
    """
    import yaml

    path = Path(path)
    text = read_text(path, encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFormatError(
            path, f"not valid YAML ({getattr(exc, 'problem', exc)})", row=(mark.line + 1) if mark else None
        ) from None
    return data


def bundled_scenario_file(reporter: str, partner: str) -> Path | None:
    """The schedule file critmin ships for ``reporter``-``partner`` (either order), if any."""
    key = (reporter.upper(), partner.upper())
    name = SCENARIO_FILES.get(key) or SCENARIO_FILES.get(key[::-1])
    return None if name is None else _package_file("scenarios", name)


def bundled_scenario(reporter: str, partner: str) -> Any:
    """The parsed ready schedule critmin ships for ``reporter``-``partner`` (either order), or ``None``."""
    path = bundled_scenario_file(reporter, partner)
    return None if path is None else read_schedule(path)


def bundled_scenarios() -> dict[tuple[str, str], Path]:
    """The schedule files critmin ships, by (reporter, partner)."""
    return {k: _package_file("scenarios", v) for k, v in SCENARIO_FILES.items()}


# --------------------------------------------------------------------------- connector
def _load(files: Mapping[str, Path | list[Path]], workdir: Path) -> dict[str, pd.DataFrame | Path]:
    return {"tariff_rates": starter_tariffs()}


TARIFF_SCHEMA = pa.DataFrameSchema(
    {
        "reporter": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "partner": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "year": pa.Column(int, pa.Check.in_range(1900, 2100)),
        "hs": pa.Column(str, pa.Check.str_matches(r"^(\d{2}|\d{4}|\d{6})$")),
        "rate": pa.Column(float, pa.Check.in_range(0, 1000), nullable=True),
        "duty_type": pa.Column(str, pa.Check.isin(list(DUTY_TYPES))),
        "source": pa.Column(str),
        "note": pa.Column(str),
    },
    strict=True,
)

SOURCE = Source(
    name="tariffs",
    title="critmin starter tariff table (applied MFN rates, cited line by line)",
    publisher="critmin (compiled from CBIC/Union Budget, WTO Tariff Profiles, national tariff schedules)",
    licence="see the source of each row",
    release="2024",
    files=(),
    load=_load,
    default=False,
    tables=("tariff_rates",),
    schemas={"tariff_rates": TARIFF_SCHEMA},
    url_page="https://wits.worldbank.org/",
)
