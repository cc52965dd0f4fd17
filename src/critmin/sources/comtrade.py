"""UN Comtrade (official API, user's subscription key): reporter x partner x HS flows.

Not a default source: it needs the user's own subscription key
(``COMTRADE_API_KEY``, free from https://comtradedeveloper.un.org) and the network.

Request (the ``/data/v1/get/{typeCode}/{freqCode}/{clCode}`` endpoint that
``comtradeapicall.getFinalData`` calls, with the same parameters): ``typeCode=C``
(goods), ``freqCode=A`` (annual), ``clCode=HS``, ``reporterCode``,
``partnerCode`` (``0`` = World when the partner is not given), ``cmdCode``
(comma-separated HS codes), ``flowCode`` (``M``/``X``), ``period`` (years),
and, so that totals are not double counted, ``partner2Code=0`` (second partner
World), ``customsCode=C00`` (all customs procedures) and ``motCode=0`` (all modes
of transport); ``includeDesc=true``. Comtrade uses numeric UN M49 codes with a
few reporter-specific ones (699 India, 842 USA, 757 Switzerland, 251 France,
381 Italy, 579 Norway, 490 "Other Asia, nes" = Taiwan).

Canonical table ``comtrade_flows``: ``reporter, partner`` (ISO3; ``WLD`` for
World), ``flow`` (``import``/``export``/``re-import``/``re-export``), ``hs``,
``year``, ``value_usd`` (``primaryValue``: CIF for imports, FOB for exports),
``qty``, ``qty_unit``, ``net_weight_kg``, ``reporter_code``, ``partner_code``.
"""

from __future__ import annotations

import os
import random
import re
import time
from pathlib import Path
from typing import Callable, Iterable, Literal, Mapping, Sequence, get_args

import pandas as pd
import pandera.pandas as pa
import requests

from critmin.errors import ConfigError, CritminError, DataFormatError, UnknownCodeError
from critmin.sources._m49 import M49_TO_ISO3
from critmin.sources.base import LocalFiles, RemoteFile, Source, single_path

API_URL = "https://comtradeapi.un.org/data/v1/get"
KEY_ENV = "COMTRADE_API_KEY"
MAX_RECORDS = 100_000
MAX_PERIODS = 12  # the API accepts at most 12 periods per call

Flow = Literal["import", "export", "re-import", "re-export"]
Transport = Literal["http", "comtradeapicall"]
FLOW_CODES: dict[str, str] = {"import": "M", "export": "X", "re-import": "RM", "re-export": "RX"}
FLOW_NAMES = {v: k for k, v in FLOW_CODES.items()}

#: Comtrade codes that differ from ISO 3166 numeric, and aggregates with an ISO-like code.
COMTRADE_TO_ISO3: dict[int, str] = {
    0: "WLD",
    699: "IND",
    842: "USA",
    757: "CHE",
    251: "FRA",
    381: "ITA",
    579: "NOR",
    490: "TWN",
    711: "ZAF",  # Southern African Customs Union before 2000, reported by South Africa
}
ISO3_TO_COMTRADE: dict[str, int] = {
    **{iso: code for code, iso in sorted(M49_TO_ISO3.items(), reverse=True)},
    "IND": 699,
    "USA": 842,
    "CHE": 757,
    "FRA": 251,
    "ITA": 381,
    "NOR": 579,
    "TWN": 490,
    "WLD": 0,
    "DEU": 276,
    "SDN": 729,
    "ETH": 231,
    "YEM": 887,
}
COLUMNS = [
    "reporter",
    "partner",
    "flow",
    "hs",
    "year",
    "value_usd",
    "qty",
    "qty_unit",
    "net_weight_kg",
    "reporter_code",
    "partner_code",
]
KEY_COLUMNS = ["reporter", "partner", "flow", "hs", "year"]
RETRY_STATUS = {429, 500, 502, 503, 504}


class ComtradeAPIError(CritminError):
    """The Comtrade API refused a request (bad key, bad parameters) or kept failing."""


def code_to_iso3(code: int) -> str | None:
    """Comtrade/M49 numeric code -> ISO3 (0 -> ``WLD``, 699 -> ``IND``, 490 -> ``TWN``), or None."""
    code = int(code)
    return COMTRADE_TO_ISO3.get(code) or M49_TO_ISO3.get(code)


def iso3_to_code(iso3: str) -> int:
    """ISO3 -> the numeric code Comtrade expects (``IND`` -> 699, ``USA`` -> 842, ``WLD`` -> 0)."""
    code = ISO3_TO_COMTRADE.get(iso3.upper())
    if code is None:
        raise UnknownCodeError(
            "country", iso3, where="UN Comtrade request", hint="give an ISO 3166 alpha-3 code such as IND, CHL, PER"
        )
    return code


def _check_hs(codes: Iterable[str]) -> list[str]:
    out = []
    for c in codes:
        c = str(c).strip()
        if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|TOTAL", c):
            raise UnknownCodeError(
                "HS code",
                c,
                where="UN Comtrade request",
                hint="give 2, 4 or 6 digits as text (leading zeros kept), or TOTAL",
            )
        out.append(c)
    if not out:
        raise ValueError("hs_codes is empty; give at least one HS code")
    return out


def _backoff(attempt: int, base: float, cap: float, retry_after: str | None) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): Retry-After if given, else base*2^attempt, capped."""
    if retry_after:
        try:
            return min(float(retry_after), cap)
        except ValueError:
            pass
    return min(base * (2**attempt) * (1 + 0.1 * random.random()), cap)


def _http_get(
    url: str,
    params: Mapping[str, str],
    key: str,
    *,
    session: requests.Session,
    timeout: float,
    max_retries: int,
    backoff: float,
    max_backoff: float,
    sleep: Callable[[float], None],
) -> dict:
    """GET with exponential back-off on HTTP 429/5xx and network errors; returns the JSON body."""
    headers = {"Ocp-Apim-Subscription-Key": key, "Accept": "application/json"}
    last = ""
    for attempt in range(max_retries + 1):
        try:
            resp = session.get(url, params=params, headers=headers, timeout=timeout)
        except requests.RequestException as exc:
            last = f"{exc.__class__.__name__}: {exc}"
            retry_after = None
        else:
            if resp.status_code == 200:
                try:
                    return resp.json()
                except ValueError:
                    raise DataFormatError(url, f"the API answered 200 but not JSON: {resp.text[:200]!r}") from None
            if resp.status_code not in RETRY_STATUS:
                raise ComtradeAPIError(
                    f"UN Comtrade refused the request (HTTP {resp.status_code}): "
                    f"{resp.text[:300]}" + (" — check COMTRADE_API_KEY" if resp.status_code in (401, 403) else "")
                )
            last = f"HTTP {resp.status_code}"
            retry_after = resp.headers.get("Retry-After")
        if attempt < max_retries:
            sleep(_backoff(attempt, backoff, max_backoff, retry_after))
    raise ComtradeAPIError(
        f"UN Comtrade still failing after {max_retries + 1} attempts ({last}); "
        f"the API allows a limited number of calls per minute and per day, try later"
    )


def _package_get(
    params: Mapping[str, str],
    key: str,
    *,
    max_retries: int,
    backoff: float,
    max_backoff: float,
    sleep: Callable[[float], None],
) -> dict:
    """Call ``comtradeapicall.getFinalData``; it hides the HTTP status (prints it, returns None), so retry on None."""
    import comtradeapicall

    for attempt in range(max_retries + 1):
        df = comtradeapicall.getFinalData(
            key,
            typeCode="C",
            freqCode="A",
            clCode="HS",
            period=params["period"],
            reporterCode=params["reporterCode"],
            cmdCode=params["cmdCode"],
            flowCode=params["flowCode"],
            partnerCode=params["partnerCode"],
            partner2Code=params["partner2Code"],
            customsCode=params["customsCode"],
            motCode=params["motCode"],
            maxRecords=int(params["maxRecords"]),
            format_output="JSON",
            includeDesc=True,
        )
        if df is not None:
            return {"data": df.to_dict(orient="records"), "count": len(df)}
        if attempt < max_retries:
            sleep(_backoff(attempt, backoff, max_backoff, None))
    raise ComtradeAPIError(
        f"comtradeapicall.getFinalData returned nothing after {max_retries + 1} attempts "
        f"(it prints the API's error above); check COMTRADE_API_KEY or try later"
    )


def parse_comtrade(records: Sequence[Mapping], *, where: str = "UN Comtrade response") -> pd.DataFrame:
    """Turn API ``data`` records into the canonical ``comtrade_flows`` frame.

    Only total rows are kept (``partner2Code`` 0, ``customsCode`` C00, ``motCode``
    0, where present) so that nothing is counted twice. Numeric country codes are
    mapped to ISO3 with :func:`code_to_iso3`, falling back to the record's own
    ``reporterISO``/``partnerISO`` when that is a 3-letter code.
    """
    rows = []
    for n, r in enumerate(records, start=1):
        if r.get("partner2Code") not in (None, 0, "0"):
            continue
        if r.get("customsCode") not in (None, "C00"):
            continue
        if r.get("motCode") not in (None, 0, "0"):
            continue
        for f in ("reporterCode", "partnerCode", "flowCode", "cmdCode", "refYear", "primaryValue"):
            if r.get(f) is None:
                raise DataFormatError(where, f"record lacks {f}", row=n, field=f)
        isos = []
        for side in ("reporter", "partner"):
            code = int(r[f"{side}Code"])
            iso = code_to_iso3(code)
            if iso is None:
                given = str(r.get(f"{side}ISO") or "")
                iso = given if re.fullmatch(r"[A-Z]{3}", given) else None
            isos.append(iso)
        flow = FLOW_NAMES.get(str(r["flowCode"]))
        if flow is None:
            raise DataFormatError(
                where, f"flow code {r['flowCode']!r}; expected M, X, RM or RX", row=n, field="flowCode"
            )
        value = float(r["primaryValue"])
        if value < 0:
            raise DataFormatError(where, f"negative trade value {value}", row=n, field="primaryValue")
        qty = r.get("qty")
        wgt = r.get("netWgt")
        rows.append(
            {
                "reporter": isos[0],
                "partner": isos[1],
                "flow": flow,
                "hs": str(r["cmdCode"]),
                "year": int(r["refYear"]),
                "value_usd": value,
                "qty": float(qty) if qty is not None else None,
                "qty_unit": r.get("qtyUnitAbbr") or None,
                "net_weight_kg": float(wgt) if wgt is not None else None,
                "reporter_code": int(r["reporterCode"]),
                "partner_code": int(r["partnerCode"]),
            }
        )
    df = pd.DataFrame(rows, columns=COLUMNS)
    return _typed(df).drop_duplicates(KEY_COLUMNS, keep="last").reset_index(drop=True)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype(
        {
            "reporter": "string",
            "partner": "string",
            "flow": str,
            "hs": str,
            "year": "int64",
            "value_usd": "float64",
            "qty": "float64",
            "qty_unit": "string",
            "net_weight_kg": "float64",
            "reporter_code": "int64",
            "partner_code": "int64",
        }
    )


def fetch_comtrade(
    reporter_iso3: str,
    partner_iso3: str | Sequence[str] | None,
    hs_codes: Sequence[str],
    years: Sequence[int],
    flow: Flow = "import",
    *,
    key: str | None = None,
    transport: Transport = "http",
    base_url: str = API_URL,
    out: Path | None = None,
    max_retries: int = 5,
    backoff: float = 2.0,
    max_backoff: float = 60.0,
    timeout: float = 120.0,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> pd.DataFrame:
    """Annual goods trade of one reporter from the UN Comtrade API, as ``comtrade_flows``.

    Parameters
    ----------
    reporter_iso3 : str
        Reporting country (ISO3, e.g. ``"IND"``).
    partner_iso3 : str, list of str or None
        Partner(s); ``None`` asks for the total with the World (partner code 0).
    hs_codes : sequence of str
        HS codes as text (2, 4 or 6 digits, e.g. ``"2603"``), or ``"TOTAL"``.
    years : sequence of int
        Years; split into calls of at most 12 periods.
    flow : {"import", "export", "re-import", "re-export"}
    key : str, keyword-only
        Subscription key; defaults to the ``COMTRADE_API_KEY`` environment variable.
    transport : {"http", "comtradeapicall"}, keyword-only
        ``"http"`` (default) sends the request itself and reads the HTTP status,
        backing off on 429/5xx (honouring ``Retry-After``) with waits of
        ``backoff * 2**attempt`` seconds capped at ``max_backoff``;
        ``"comtradeapicall"`` delegates to ``comtradeapicall.getFinalData``,
        which hides the status, so every empty answer is retried the same way.
    out : Path, optional, keyword-only
        Write (upsert by ``reporter, partner, flow, hs, year``) the result into this
        canonical CSV, atomically. ``comtrade_cache_path(settings)`` is the file
        that ``critmin data build comtrade`` loads.

    Returns
    -------
    pandas.DataFrame
        Columns ``reporter, partner, flow, hs, year, value_usd, qty, qty_unit,
        net_weight_kg, reporter_code, partner_code``.

    Raises
    ------
    ConfigError
        No subscription key.
    UnknownCodeError
        Unknown ISO3 or malformed HS code.
    ComtradeAPIError
        HTTP 4xx other than 429, or still 429/5xx after ``max_retries`` retries.
    """
    if flow not in FLOW_CODES:
        raise ValueError(f"flow must be one of {', '.join(get_args(Flow))}, not {flow!r}")
    if transport not in get_args(Transport):
        raise ValueError(f"transport must be one of {', '.join(get_args(Transport))}, not {transport!r}")
    key = key or os.environ.get(KEY_ENV)
    if not key:
        raise ConfigError(
            f"UN Comtrade needs a subscription key: set {KEY_ENV} or pass key=... "
            f"(free keys at https://comtradedeveloper.un.org)"
        )
    reporter = iso3_to_code(reporter_iso3)
    if partner_iso3 is None:
        partners = "0"
    else:
        plist = [partner_iso3] if isinstance(partner_iso3, str) else list(partner_iso3)
        partners = ",".join(str(iso3_to_code(p)) for p in plist)
    hs = _check_hs(hs_codes)
    years = sorted({int(y) for y in years})
    if not years:
        raise ValueError("years is empty; give at least one year")
    sess = session or requests.Session()
    url = f"{base_url.rstrip('/')}/C/A/HS"
    records: list[dict] = []
    for i in range(0, len(years), MAX_PERIODS):
        params = {
            "reporterCode": str(reporter),
            "partnerCode": partners,
            "partner2Code": "0",
            "cmdCode": ",".join(hs),
            "flowCode": FLOW_CODES[flow],
            "period": ",".join(str(y) for y in years[i : i + MAX_PERIODS]),
            "customsCode": "C00",
            "motCode": "0",
            "maxRecords": str(MAX_RECORDS),
            "format": "JSON",
            "includeDesc": "true",
        }
        if transport == "http":
            body = _http_get(
                url,
                params,
                key,
                session=sess,
                timeout=timeout,
                max_retries=max_retries,
                backoff=backoff,
                max_backoff=max_backoff,
                sleep=sleep,
            )
        else:
            body = _package_get(
                params, key, max_retries=max_retries, backoff=backoff, max_backoff=max_backoff, sleep=sleep
            )
        if body.get("error"):
            raise ComtradeAPIError(f"UN Comtrade answered with an error: {body['error']}")
        data = body.get("data")
        if not isinstance(data, list):
            raise DataFormatError(url, "response has no 'data' list; expected the Comtrade v1 JSON layout")
        if len(data) >= MAX_RECORDS:
            raise ComtradeAPIError(
                f"the answer hit the {MAX_RECORDS:,}-record limit and may be truncated; "
                f"ask for fewer codes or years per call"
            )
        records.extend(data)
    df = parse_comtrade(records, where=url)
    if out is not None:
        write_flows(df, Path(out))
    return df


def comtrade_cache_path(settings) -> Path:
    """Where fetched Comtrade flows are kept for ``critmin data build comtrade``."""
    return settings.cache_dir / "comtrade" / Path(SOURCE.files[0].mirror_path).name


def write_flows(df: pd.DataFrame, path: Path) -> Path:
    """Upsert ``df`` into the canonical CSV at ``path`` (tmp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        old = read_flows(path)
        df = pd.concat([old, df], ignore_index=True).drop_duplicates(KEY_COLUMNS, keep="last")
    df = df.sort_values(KEY_COLUMNS, na_position="last").reset_index(drop=True)
    tmp = path.with_name(path.name + ".tmp")
    df.to_csv(tmp, index=False)
    os.replace(tmp, path)
    return path


def read_flows(path: Path) -> pd.DataFrame:
    """Read a canonical ``comtrade_flows`` CSV written by :func:`write_flows`."""
    path = Path(path)
    try:
        df = pd.read_csv(
            path,
            dtype={"hs": str, "reporter": str, "partner": str, "qty_unit": str},
            keep_default_na=False,
            na_values=[""],
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFormatError(path, f"not a readable comtrade_flows CSV ({exc})") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise DataFormatError(
            path, f"missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}", field=missing[0]
        )
    try:
        return _typed(df[COLUMNS])
    except (ValueError, TypeError) as exc:
        raise DataFormatError(path, f"a value does not have the expected type ({exc})") from None


def _load(files: LocalFiles, workdir: Path) -> dict[str, pd.DataFrame]:
    return {"comtrade_flows": read_flows(single_path(files, "flows"))}


COMTRADE_SCHEMA = pa.DataFrameSchema(
    {
        "reporter": pa.Column("string", pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "partner": pa.Column("string", pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "flow": pa.Column(str, pa.Check.isin(list(FLOW_CODES))),
        "hs": pa.Column(str, pa.Check.str_matches(r"^(\d{2}|\d{4}|\d{6}|TOTAL)$")),
        "year": pa.Column("int64", pa.Check.in_range(1962, 2100)),
        "value_usd": pa.Column("float64", pa.Check.ge(0)),
        "qty": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "qty_unit": pa.Column("string", nullable=True),
        "net_weight_kg": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "reporter_code": pa.Column("int64"),
        "partner_code": pa.Column("int64"),
    },
    strict=True,
    unique=["reporter_code", "partner_code", "flow", "hs", "year"],
)

SOURCE = Source(
    name="comtrade",
    title="UN Comtrade annual goods trade (official API, user's key)",
    publisher="United Nations Statistics Division",
    licence="UN Comtrade terms of use (subscription; redistribution restricted)",
    release="live API (data/v1)",
    files=(RemoteFile("flows", "comtrade/comtrade_flows.csv", f"{API_URL}/C/A/HS"),),
    load=_load,
    default=False,
    tables=("comtrade_flows",),
    schemas={"comtrade_flows": COMTRADE_SCHEMA},
    url_page="https://comtradeplus.un.org/",
)
