"""UN Comtrade connector without the network: a loopback server that answers like the API.

The server speaks the ``/data/v1/get/C/A/HS`` protocol: it checks the
subscription key header, records every query, can answer HTTP 429 (or 503)
a given number of times first, and returns records laid out like the API's
JSON (``reporterCode``, ``partnerCode``, ``cmdCode``, ``primaryValue``...).
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from _loopback import serving
from critmin.config import Settings
from critmin.errors import ConfigError, UnknownCodeError
from critmin.sources import comtrade
from critmin.sources.comtrade import (
    SOURCE,
    ComtradeAPIError,
    code_to_iso3,
    comtrade_cache_path,
    fetch_comtrade,
    iso3_to_code,
    parse_comtrade,
    read_flows,
)

KEY = "test-key-0123"


def _record(
    reporter, partner, year, hs, value, *, qty=None, unit="kg", wgt=None, partner2=0, customs="C00", mot=0, flow="M"
):
    return {
        "typeCode": "C",
        "freqCode": "A",
        "refYear": year,
        "period": str(year),
        "reporterCode": reporter,
        "reporterISO": "IND" if reporter == 699 else "X",
        "reporterDesc": "India",
        "flowCode": flow,
        "partnerCode": partner,
        "partnerISO": "W00" if partner == 0 else "?",
        "partner2Code": partner2,
        "classificationCode": "H6",
        "cmdCode": hs,
        "customsCode": customs,
        "motCode": mot,
        "qtyUnitAbbr": unit,
        "qty": qty,
        "netWgt": wgt,
        "primaryValue": value,
        "isAggregate": True,
    }


class _APIServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.queries: list[dict] = []
        self.paths: list[str] = []
        self.keys: list[str | None] = []
        self.fail: list[tuple[int, dict]] = []  # answers to give first: (status, headers)
        self.records: list[dict] = []

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/data/v1/get"


class _Handler(BaseHTTPRequestHandler):
    server: _APIServer

    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        self.server.paths.append(parts.path)
        self.server.queries.append({k: v[0] for k, v in parse_qs(parts.query).items()})
        key = self.headers.get("Ocp-Apim-Subscription-Key")
        self.server.keys.append(key)
        if key != KEY:
            return self._send(401, {"statusCode": 401, "message": "Access denied due to invalid subscription key."})
        if self.server.fail:
            status, headers = self.server.fail.pop(0)
            return self._send(status, {"statusCode": status, "message": "Rate limit is exceeded."}, headers)
        q = self.server.queries[-1]
        years = set(q["period"].split(","))
        data = [r for r in self.server.records if str(r["refYear"]) in years]
        return self._send(200, {"elapsedTime": "0.1 secs", "count": len(data), "data": data, "error": ""})

    def _send(self, status, body, headers=None):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture()
def api():
    srv = _APIServer()
    srv.records = [
        _record(699, 0, 2023, "2603", 4_100_000_000.0, qty=None, wgt=1.2e9),
        _record(699, 0, 2024, "2603", 3_770_000_000.0, qty=1.1e9, unit="kg", wgt=1.1e9),
        # a breakdown row (customs procedure) that must not be added to the total
        _record(699, 0, 2024, "2603", 2_000_000_000.0, customs="C01"),
        _record(699, 0, 2024, "2603", 1_000_000_000.0, mot=2100),
        _record(699, 0, 2024, "2603", 500_000_000.0, partner2=152),
    ]
    with serving(srv):
        yield srv


@pytest.fixture()
def sleeps():
    return []


def _fetch(api, sleeps, **kw):
    args = dict(key=KEY, base_url=api.base_url, sleep=sleeps.append, backoff=1.0, max_backoff=8.0)
    args.update(kw)
    return fetch_comtrade("IND", None, ["2603"], [2023, 2024], "import", **args)


def test_backs_off_on_429_then_parses(api, sleeps):
    api.fail = [(429, {"Retry-After": "3"}), (429, {})]
    df = _fetch(api, sleeps)
    assert len(api.queries) == 3
    assert sleeps[0] == 3.0  # Retry-After honoured
    assert 2.0 <= sleeps[1] <= 2.2  # then backoff * 2**attempt (+ <=10% jitter)
    assert df.drop(columns="qty").to_dict("records") == [
        {
            "reporter": "IND",
            "partner": "WLD",
            "flow": "import",
            "hs": "2603",
            "year": 2023,
            "value_usd": 4.1e9,
            "qty_unit": "kg",
            "net_weight_kg": 1.2e9,
            "reporter_code": 699,
            "partner_code": 0,
        },
        {
            "reporter": "IND",
            "partner": "WLD",
            "flow": "import",
            "hs": "2603",
            "year": 2024,
            "value_usd": 3.77e9,
            "qty_unit": "kg",
            "net_weight_kg": 1.1e9,
            "reporter_code": 699,
            "partner_code": 0,
        },
    ]  # the customs-procedure, transport-mode and second-partner breakdown rows were not added in
    assert pd.isna(df["qty"].iloc[0]) and df["qty"].iloc[1] == 1.1e9
    SOURCE.schemas["comtrade_flows"].validate(df)


def test_parameters_sent(api, sleeps):
    _fetch(api, sleeps)
    assert api.paths == ["/data/v1/get/C/A/HS"]
    q = api.queries[0]
    assert q == {
        "reporterCode": "699",
        "partnerCode": "0",
        "partner2Code": "0",
        "cmdCode": "2603",
        "flowCode": "M",
        "period": "2023,2024",
        "customsCode": "C00",
        "motCode": "0",
        "maxRecords": "100000",
        "format": "JSON",
        "includeDesc": "true",
    }
    assert api.keys == [KEY]  # sent as a header, never in the query string
    assert KEY not in json.dumps(q)


def test_named_partners_and_export_flow(api, sleeps):
    fetch_comtrade(
        "CHL", ["IND", "CHN"], ["2603", "740311"], [2024], "export", key=KEY, base_url=api.base_url, sleep=sleeps.append
    )
    q = api.queries[0]
    assert (q["reporterCode"], q["partnerCode"], q["cmdCode"], q["flowCode"]) == ("152", "699,156", "2603,740311", "X")


def test_more_than_twelve_years_are_split(api, sleeps):
    fetch_comtrade("IND", None, ["2603"], range(2000, 2026), key=KEY, base_url=api.base_url, sleep=sleeps.append)
    assert [q["period"].count(",") + 1 for q in api.queries] == [12, 12, 2]


def test_backoff_is_capped_and_gives_up(api, sleeps):
    api.fail = [(503, {})] * 10
    with pytest.raises(ComtradeAPIError, match="still failing after 5 attempts \\(HTTP 503\\)"):
        _fetch(api, sleeps, max_retries=4, backoff=1.0, max_backoff=3.0)
    assert len(api.queries) == 5 and len(sleeps) == 4
    assert sleeps[0] < sleeps[1] < sleeps[2] and sleeps[2] == sleeps[3] == 3.0


def test_bad_key_is_not_retried(api, sleeps):
    with pytest.raises(ComtradeAPIError, match="HTTP 401.*check COMTRADE_API_KEY"):
        _fetch(api, sleeps, key="wrong")
    assert len(api.queries) == 1 and sleeps == []


def test_missing_key(monkeypatch):
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="COMTRADE_API_KEY"):
        fetch_comtrade("IND", None, ["2603"], [2024])


def test_key_from_environment(api, sleeps, monkeypatch):
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    fetch_comtrade("IND", None, ["2603"], [2024], base_url=api.base_url, sleep=sleeps.append)
    assert api.keys == [KEY]


def test_bad_arguments():
    with pytest.raises(UnknownCodeError, match="country 'XYZ'"):
        fetch_comtrade("XYZ", None, ["2603"], [2024], key=KEY)
    with pytest.raises(UnknownCodeError, match="HS code '26O3'"):
        fetch_comtrade("IND", None, ["26O3"], [2024], key=KEY)
    with pytest.raises(ValueError, match="flow must be one of"):
        fetch_comtrade("IND", None, ["2603"], [2024], "imports", key=KEY)


def test_code_tables():
    assert iso3_to_code("IND") == 699 and iso3_to_code("USA") == 842 and iso3_to_code("CHL") == 152
    assert iso3_to_code("TWN") == 490 and iso3_to_code("WLD") == 0
    assert code_to_iso3(699) == "IND" and code_to_iso3(356) == "IND" and code_to_iso3(490) == "TWN"
    assert code_to_iso3(0) == "WLD" and code_to_iso3(604) == "PER"


def test_parse_maps_codes_and_rejects_negative_values():
    df = parse_comtrade(
        [_record(604, 699, 2024, "2603", 10.0, flow="X"), _record(604, 899, 2024, "2603", 1.0, flow="X")]
    )
    assert df["reporter"].tolist() == ["PER", "PER"] and df["partner"].tolist()[0] == "IND"
    assert pd.isna(df["partner"].iloc[1])  # "Areas, nes": no ISO3, the code is kept
    assert df["partner_code"].tolist() == [699, 899] and (df["flow"] == "export").all()
    from critmin.errors import DataFormatError

    with pytest.raises(DataFormatError, match="row 1, field 'primaryValue': negative trade value"):
        parse_comtrade([_record(604, 699, 2024, "2603", -1.0)])


def test_through_the_comtradeapicall_package(monkeypatch, sleeps):
    import comtradeapicall

    calls = []

    def fake_get_final_data(
        subscription_key,
        typeCode,
        freqCode,
        clCode,
        period,
        reporterCode,
        cmdCode,
        flowCode,
        partnerCode,
        partner2Code,
        customsCode,
        motCode,
        **kw,
    ):
        calls.append(
            dict(
                key=subscription_key,
                period=period,
                reporterCode=reporterCode,
                cmdCode=cmdCode,
                flowCode=flowCode,
                partnerCode=partnerCode,
                partner2Code=partner2Code,
                customsCode=customsCode,
                motCode=motCode,
                **kw,
            )
        )
        if len(calls) == 1:
            return None  # what the package returns after printing an HTTP 429
        return pd.DataFrame([_record(699, 0, 2024, "2603", 3.77e9)])

    monkeypatch.setattr(comtradeapicall, "getFinalData", fake_get_final_data)
    df = fetch_comtrade("IND", None, ["2603"], [2024], key=KEY, transport="comtradeapicall", sleep=sleeps.append)
    assert len(calls) == 2 and len(sleeps) == 1
    assert calls[0]["partnerCode"] == "0" and calls[0]["customsCode"] == "C00" and calls[0]["motCode"] == "0"
    assert calls[0]["includeDesc"] is True and calls[0]["key"] == KEY
    assert df["value_usd"].tolist() == [3.77e9]


def test_cached_flows_are_built_into_the_warehouse(api, sleeps, tmp_path, mirror):
    from critmin.warehouse.build import build

    s = Settings(home=tmp_path / "home", mirror=mirror, offline=True)
    out = comtrade_cache_path(s)
    _fetch(api, sleeps, out=out)
    fetch_comtrade("IND", ["CHL"], ["2603"], [2024], key=KEY, base_url=api.base_url, sleep=sleeps.append, out=out)
    saved = read_flows(out)
    assert len(saved) == 2  # the World rows; the Chile query returned only World rows too, same keys upserted
    wh = build(s, ["comtrade"], progress=False)
    table = wh.read("comtrade_flows")
    assert table["year"].tolist() == [2023, 2024] and table["hs"].tolist() == ["2603", "2603"]
    assert wh.provenance_of("comtrade_flows")["origin"].tolist() == ["cache"]


def test_not_a_default_source():
    assert SOURCE.default is False
    assert comtrade.KEY_ENV == "COMTRADE_API_KEY"
