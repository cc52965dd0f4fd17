"""World Bank Worldwide Governance Indicators (WGI), 2024 update: ``wgidataset.xlsx``.

Format (World Bank, www.govindicators.org), either of two layouts:

* 2024 update onwards: one worksheet in long layout with the header ``codeindyr, code,
  countryname, year, indicator, estimate, stddev, nsource, pctrank, pctranklower,
  pctrankupper``; one row per economy, year and indicator (``va`` voice and
  accountability, ``pv`` political stability, ``ge`` government effectiveness, ``rq``
  regulatory quality, ``rl`` rule of law, ``cc`` control of corruption). ``..`` marks a
  missing value. Years 1996, 1998, 2000, 2002-2023.
* editions up to 2023 (wide): one sheet per indicator (``VoiceandAccountability``,
  ``Political StabilityNoViolence``, ``GovernmentEffectiveness``, ``RegulatoryQuality``,
  ``RuleofLaw``, ``ControlofCorruption``), each with a row of years, a header row
  ``Country/Territory, Code, Estimate, StdErr, NumSrc, Rank, Lower, Upper, Estimate, ...``
  (six columns per year) and one row per economy; ``#N/A`` marks a missing value.
  Every indicator sheet is read into the same long table.

Canonical table ``governance``: ``iso3, year, indicator, estimate, std_error,
n_sources, percentile_rank`` plus ``percentile_rank_lower``, ``percentile_rank_upper``
(the 90% interval of the rank) and ``wgi_code`` (the code as published).

Rules: rows whose every value is ``..`` are dropped (the economy was not
covered that year). WGI's non-ISO codes are recoded: ROM->ROU, ZAR->COD,
TMP->TLS, WBG and PAL->PSE, ADO->AND, KSV->XKX (Kosovo, user-assigned code);
withdrawn codes such as ANT are kept.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from critmin.errors import DataFormatError
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path
from critmin.sources.csvutil import open_workbook, workbook_reader

INDICATORS = ("va", "pv", "ge", "rq", "rl", "cc")
CODE_RECODE = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "WBG": "PSE", "PAL": "PSE", "ADO": "AND", "KSV": "XKX"}
# publisher column -> canonical column
VALUE_COLUMNS = {
    "estimate": "estimate",
    "stddev": "std_error",
    "nsource": "n_sources",
    "pctrank": "percentile_rank",
    "pctranklower": "percentile_rank_lower",
    "pctrankupper": "percentile_rank_upper",
}
REQUIRED = ["code", "year", "indicator", *VALUE_COLUMNS]
MISSING = {"..", "", None, "#N/A"}
COLUMNS = ["iso3", "wgi_code", "year", "indicator", *VALUE_COLUMNS.values()]


def _number(path, value, excel_row: int, field: str) -> float | None:
    if value in MISSING or (isinstance(value, str) and value.strip() in MISSING):
        return None
    if isinstance(value, bool):
        raise DataFormatError(path, f"{value!r} is not a number", row=excel_row, field=field)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise DataFormatError(path, f"{value!r} is not a number or '..'", row=excel_row, field=field) from None


@workbook_reader
def read_wgi(path: Path) -> pd.DataFrame:
    """Parse ``wgidataset.xlsx`` (long layout) into the ``governance`` table.

    Parameters
    ----------
    path : Path
        The World Bank workbook.

    Returns
    -------
    DataFrame
        ``iso3, wgi_code, year, indicator, estimate, std_error, n_sources,
        percentile_rank, percentile_rank_lower, percentile_rank_upper``.

    Raises
    ------
    DataFormatError
        Not a workbook, no sheet with the WGI header, unknown indicator, bad code
        or year, non-numeric value, negative standard error or source count, or a
        percentile rank outside 0-100. ``row`` is the worksheet row number.
    """
    path = Path(path)
    wb = open_workbook(path)
    try:
        return _read(path, wb)
    except (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError) as exc:
        raise DataFormatError(
            path, f"workbook is damaged ({exc.__class__.__name__}: {exc}); truncated or not the publisher's file"
        ) from None
    finally:
        wb.close()


# wide layout (editions up to 2023): one sheet per indicator
WIDE_SHEETS = {
    "voiceandaccountability": "va",
    "politicalstabilitynoviolence": "pv",
    "governmenteffectiveness": "ge",
    "regulatoryquality": "rq",
    "ruleoflaw": "rl",
    "controlofcorruption": "cc",
}
WIDE_MEASURES = {
    "estimate": "estimate",
    "stderr": "std_error",
    "numsrc": "n_sources",
    "rank": "percentile_rank",
    "prank": "percentile_rank",
    "p-rank": "percentile_rank",
    "lower": "percentile_rank_lower",
    "upper": "percentile_rank_upper",
}


def _sheet_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _read(path: Path, wb) -> pd.DataFrame:
    wide = {WIDE_SHEETS[_sheet_key(n)]: n for n in wb.sheetnames if _sheet_key(n) in WIDE_SHEETS}
    if wide:
        missing = [k for k, v in WIDE_SHEETS.items() if v not in wide]
        if missing:
            raise DataFormatError(
                path,
                f"indicator sheet(s) missing for {', '.join(WIDE_SHEETS[m] for m in missing)}"
                f" (e.g. {missing[0]!r}); sheets present: {', '.join(wb.sheetnames)}",
                field=missing[0],
            )
        recs = []
        for indicator in INDICATORS:
            recs.extend(_read_wide_sheet(path, wb[wide[indicator]], indicator))
        return _frame(path, recs, "indicator sheets")
    ws, header = None, None
    for name in wb.sheetnames:
        first = next(wb[name].iter_rows(max_row=1, values_only=True), ())
        cells = [str(c).strip().lower() if c is not None else "" for c in first]
        if "code" in cells and "indicator" in cells:
            ws, header = wb[name], cells
            break
    if ws is None or header is None:
        raise DataFormatError(
            path,
            f"no sheet has the WGI long-layout header ({', '.join(REQUIRED)}); sheets "
            f"present: {', '.join(wb.sheetnames)}",
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataFormatError(
            path,
            f"sheet {ws.title!r} lacks column(s) {', '.join(missing)}; expected {', '.join(REQUIRED)}",
            field=missing[0],
        )
    ix = {c: header.index(c) for c in REQUIRED}
    recs = []
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if row is None or all(c is None for c in row):
            continue
        if len(row) <= max(ix.values()):
            row = tuple(row) + (None,) * (max(ix.values()) + 1 - len(row))
        code = _code(path, row[ix["code"]], r, "code")
        indicator = str(row[ix["indicator"]] or "").strip().lower()
        if indicator not in INDICATORS:
            raise DataFormatError(
                path,
                f"indicator {row[ix['indicator']]!r} is not one of {', '.join(INDICATORS)}",
                row=r,
                field="indicator",
            )
        year = row[ix["year"]]
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise DataFormatError(path, f"year {year!r} is not an integer", row=r, field="year") from None
        if not 1990 <= year <= 2100:
            raise DataFormatError(path, f"year {year} is outside 1990-2100", row=r, field="year")
        values = {canon: _number(path, row[ix[src]], r, src) for src, canon in VALUE_COLUMNS.items()}
        if all(v is None for v in values.values()):
            continue
        _check_values(path, values, r, {v: k for k, v in VALUE_COLUMNS.items()})
        recs.append(
            {"iso3": CODE_RECODE.get(code, code), "wgi_code": code, "year": year, "indicator": indicator, **values}
        )
    return _frame(path, recs, f"sheet {ws.title!r}")


def _frame(path: Path, recs: list[dict], where: str) -> pd.DataFrame:
    if not recs:
        raise DataFormatError(path, f"{where} has no data rows")
    df = pd.DataFrame.from_records(recs, columns=COLUMNS)
    df = df.astype({"year": "int16", "n_sources": "Int16"})
    return df.sort_values(["indicator", "year", "iso3"], kind="stable").reset_index(drop=True)


def _check_values(path: Path, values: dict, r: int, names: dict[str, str]) -> None:
    for field in ("std_error", "n_sources"):
        if values[field] is not None and values[field] < 0:
            raise DataFormatError(
                path, f"negative {field.replace('_', ' ')} {values[field]}; must be >= 0", row=r, field=names[field]
            )
    for field in ("percentile_rank", "percentile_rank_lower", "percentile_rank_upper"):
        if values[field] is not None and not 0 <= values[field] <= 100:
            raise DataFormatError(path, f"percentile rank {values[field]} is outside 0-100", row=r, field=names[field])


def _code(path: Path, raw, r: int, field: str) -> str:
    code = str(raw or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise DataFormatError(path, f"economy code {raw!r} is not a 3-letter code", row=r, field=field)
    return code


def _read_wide_sheet(path: Path, ws, indicator: str) -> list[dict]:
    """One indicator sheet of the wide layout: a year row, a ``Country/Territory, Code, Estimate,
    StdErr, NumSrc, Rank, Lower, Upper, Estimate, ...`` row, then one row per economy."""
    prev, header, r = None, None, 0
    rows = ws.iter_rows(values_only=True)
    for row in rows:
        r += 1
        cells = [str(c).strip().lower() if c is not None else "" for c in row]
        if len(cells) > 1 and cells[1] == "code":
            header = cells
            break
        prev = row
        if r > 40:
            break
    if header is None or prev is None:
        raise DataFormatError(path, f"sheet {ws.title!r} has no 'Code' header row under a row of years", field=ws.title)
    columns = []  # (index, year, canonical measure)
    year = None
    for i in range(2, len(header)):
        y = prev[i] if i < len(prev) else None
        if y not in (None, ""):
            try:
                year = int(y)
            except (TypeError, ValueError):
                raise DataFormatError(
                    path, f"year {y!r} in sheet {ws.title!r} is not an integer", row=r - 1, field=ws.title
                ) from None
        measure = WIDE_MEASURES.get(header[i].replace(" ", ""))
        if measure and year is not None:
            columns.append((i, year, measure))
    if not columns:
        raise DataFormatError(
            path, f"sheet {ws.title!r} has no Estimate/StdErr/NumSrc/Rank columns", row=r, field=ws.title
        )
    names = {m: f"{ws.title}:{m}" for m in VALUE_COLUMNS.values()}
    by_key: dict[tuple[str, int], dict] = {}
    for row in rows:
        r += 1
        if row is None or all(c is None for c in row):
            continue
        code = _code(path, row[1] if len(row) > 1 else None, r, f"{ws.title}:Code")
        for i, y, measure in columns:
            v = _number(path, row[i] if i < len(row) else None, r, f"{ws.title}:{header[i]}")
            rec = by_key.setdefault(
                (code, y),
                {
                    "iso3": CODE_RECODE.get(code, code),
                    "wgi_code": code,
                    "year": y,
                    "indicator": indicator,
                    **{c: None for c in VALUE_COLUMNS.values()},
                    "_row": r,
                },
            )
            rec[measure] = v
    out = []
    for rec in by_key.values():
        row_no = rec.pop("_row")
        if all(rec[c] is None for c in VALUE_COLUMNS.values()):
            continue
        _check_values(path, rec, row_no, names)
        out.append(rec)
    return out


def load_wgi(paths: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    """``Source.load``: the WGI workbook -> ``governance``."""
    return {"governance": read_wgi(single_path(paths, "wgi"))}


GOVERNANCE_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "wgi_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "year": pa.Column("int16", pa.Check.in_range(1996, 2100)),
        "indicator": pa.Column(str, pa.Check.isin(INDICATORS)),
        "estimate": pa.Column(float, pa.Check.in_range(-5, 5), nullable=True),
        "std_error": pa.Column(float, pa.Check.ge(0), nullable=True),
        "n_sources": pa.Column("Int16", pa.Check.ge(0), nullable=True),
        "percentile_rank": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "percentile_rank_lower": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "percentile_rank_upper": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
    },
    strict=True,
    unique=["iso3", "year", "indicator"],
)

SOURCE = Source(
    name="wgi",
    title="Worldwide Governance Indicators (2024 update)",
    publisher="World Bank",
    licence="CC BY 4.0",
    release="2024 update (1996-2023)",
    files=(
        RemoteFile(
            "wgi",
            "wgi/wgidataset.xlsx",
            "https://www.worldbank.org/content/dam/sites/govindicators/doc/wgidataset.xlsx",
        ),
    ),
    load=load_wgi,
    tables=("governance",),
    schemas={"governance": GOVERNANCE_SCHEMA},
    url_page="https://www.worldbank.org/en/publication/worldwide-governance-indicators",
)
