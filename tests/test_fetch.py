"""The generic download path (``sources.base.fetch`` / ``sources.http.download``) over loopback HTTP.

A small ``http.server`` on 127.0.0.1 (port chosen by the OS) serves the mirror
folder with ``Range`` support, records every request, and can be told to drop
the connection half-way through a file once.
"""

from __future__ import annotations

import dataclasses
import re
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from _loopback import serving, write_baci_release_zip
from critmin.config import Settings
from critmin.errors import DownloadError
from critmin.sources import get_source
from critmin.sources.base import fetch
from critmin.sources.http import download, sha256_of
from critmin.warehouse.build import build

pytestmark = pytest.mark.slow  # the fast loop is pytest -m 'not slow'

SOURCES = ["desta", "geodist", "wto_rta"]  # tradestat reads a glob of report files: mirror only


class _MirrorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.log: list[tuple[str, str | None]] = []
        self.drop_once: set[str] = set()
        self.fail_times: dict[str, int] = {}
        self.ranges = True
        self.extra: dict[str, Path] = {}  # URL path -> file served from outside the root

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _MirrorServer

    def do_GET(self):  # noqa: N802 (http.server naming)
        rng = self.headers.get("Range")
        self.server.log.append((self.path, rng))
        path = self.server.extra.get(self.path) or (self.server.root / unquote(self.path.lstrip("/"))).resolve()
        if self.server.fail_times.get(self.path, 0) > 0:
            self.server.fail_times[self.path] -= 1
            self.send_error(503)
            return
        if (self.server.root not in path.parents and self.path not in self.server.extra) or not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        m = re.fullmatch(r"bytes=(\d+)-", rng or "")
        if m and self.server.ranges:
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if self.path in self.server.drop_once:
            self.server.drop_once.discard(self.path)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture()
def server(mirror, tmp_path):
    srv = _MirrorServer(Path(mirror).resolve())
    # BACI is served online as the publisher's release zip, built here from the mirror's year files
    srv.extra["/baci/BACI_HS17_V202601.zip"] = write_baci_release_zip(mirror, tmp_path / "BACI_HS17_V202601.zip")
    with serving(srv):
        yield srv


@pytest.fixture()
def online(tmp_path) -> Settings:
    """No mirror, online: files come from the (loopback) network into the cache."""
    return Settings(home=tmp_path / "home", mirror=None, offline=False)


def test_build_over_http_equals_build_from_mirror(server, online, settings, mirror):
    wh = build(online, SOURCES, progress=False, base_url=server.base_url)
    for name in SOURCES:
        for rf in get_source(name).files:
            cached = online.cache_dir / name / Path(rf.mirror_path).name
            assert sha256_of(cached) == sha256_of(mirror / rf.mirror_path)
            assert (f"/{rf.mirror_path}", None) in server.log
    ref = build(settings, SOURCES, progress=False)
    for table in ("desta_treaties", "desta_members", "distances", "geo_countries", "agreements", "agreement_members"):
        pd.testing.assert_frame_equal(wh.read(table), ref.read(table))
    prov = wh.provenance()
    assert set(prov["origin"]) == {"download"}
    assert prov["url"].str.startswith(server.base_url).all()
    # a second build is served from the cache: no new request
    n = len(server.log)
    build(online, ["desta"], progress=False, base_url=server.base_url)
    assert len(server.log) == n


def test_resume_sends_a_range_request(server, tmp_path, mirror):
    src = mirror / "desta" / "DESTA.csv"
    dest = tmp_path / "cache" / "DESTA.csv"
    dest.parent.mkdir(parents=True)
    head = src.read_bytes()[:100_000]
    dest.with_name("DESTA.csv.part").write_bytes(head)
    download(f"{server.base_url}/desta/DESTA.csv", dest, sha256=sha256_of(src), progress=False)
    assert server.log == [("/desta/DESTA.csv", "bytes=100000-")]
    assert sha256_of(dest) == sha256_of(src)
    assert not dest.with_name("DESTA.csv.part").exists()


def test_resume_through_fetch(server, online, mirror):
    source = get_source("desta")
    rf = source.files[0]
    cache = online.cache_dir / "desta"
    cache.mkdir(parents=True)
    raw = (mirror / rf.mirror_path).read_bytes()
    (cache / (Path(rf.mirror_path).name + ".part")).write_bytes(raw[:500])
    files = fetch(source, online, progress=False, base_url=server.base_url)
    assert server.log == [(f"/{rf.mirror_path}", "bytes=500-")]
    assert files[rf.key].path.read_bytes() == raw


def test_server_without_range_support_restarts(server, tmp_path, mirror):
    server.ranges = False
    src = mirror / "cepii" / "geo_cepii.csv"
    dest = tmp_path / "geo_cepii.csv"
    dest.with_name("geo_cepii.csv.part").write_bytes(b"garbage that is not the start of the file")
    download(f"{server.base_url}/cepii/geo_cepii.csv", dest, progress=False)
    assert dest.read_bytes() == src.read_bytes()


def test_checksum_mismatch_leaves_nothing(server, tmp_path, online):
    dest = tmp_path / "DESTA.csv"
    with pytest.raises(DownloadError, match="checksum mismatch.*expected sha256 0{64}"):
        download(f"{server.base_url}/desta/DESTA.csv", dest, sha256="0" * 64, progress=False)
    assert not dest.exists()
    assert not dest.with_name("DESTA.csv.part").exists()
    # the same through fetch, with a connector that declares a (wrong) checksum
    source = get_source("desta")
    wrong = dataclasses.replace(source, files=(dataclasses.replace(source.files[0], sha256="f" * 64),))
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch(wrong, online, progress=False, base_url=server.base_url)
    assert list((online.cache_dir / "desta").glob("*")) == []


def test_dropped_connection_is_retried_and_completed(server, tmp_path, mirror):
    src = mirror / "cepii" / "dist_cepii.csv"
    server.drop_once.add("/cepii/dist_cepii.csv")
    dest = tmp_path / "dist_cepii.csv"
    download(f"{server.base_url}/cepii/dist_cepii.csv", dest, sha256=sha256_of(src), progress=False)
    assert sha256_of(dest) == sha256_of(src)
    assert len(server.log) == 2
    first, second = server.log
    assert first == ("/cepii/dist_cepii.csv", None)
    m = re.fullmatch(r"bytes=(\d+)-", second[1] or "")
    assert m and 0 < int(m.group(1)) < src.stat().st_size  # resumed, not restarted


def test_missing_file_on_server(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(f"{server.base_url}/nope/missing.csv", tmp_path / "missing.csv", progress=False)
    assert not (tmp_path / "missing.csv").exists()


def test_offline_with_nothing_cached_is_a_clear_error(tmp_path):
    offline = Settings(home=tmp_path / "home", mirror=None, offline=True)
    with pytest.raises(
        DownloadError,
        match=r"desta: DESTA\.csv is not cached and critmin is offline; "
        r"set CRITMIN_MIRROR or go online",
    ):
        fetch(get_source("desta"), offline, progress=False)
    with pytest.raises(DownloadError, match="offline"):
        build(offline, ["desta"], progress=False)
    assert not (offline.warehouse_dir / "CURRENT").exists()


def test_mirror_without_the_file_is_a_clear_error(tmp_path):
    empty_mirror = tmp_path / "mirror"
    empty_mirror.mkdir()
    s = Settings(home=tmp_path / "home", mirror=empty_mirror, offline=True)
    with pytest.raises(DownloadError, match=r"desta/DESTA\.csv is not in the mirror folder"):
        fetch(get_source("desta"), s, progress=False)


def test_server_errors_are_retried(server, tmp_path, mirror):
    rel = "tradestat/india_imports_hs2603_by_partner_cy2024_cy2025.csv"
    server.fail_times["/" + rel] = 2
    dest = download(f"{server.base_url}/{rel}", tmp_path / "t.csv", progress=False)
    assert sha256_of(dest) == sha256_of(mirror / rel)
    assert [p for p, _ in server.log].count("/" + rel) == 3


def test_stale_oversized_part_is_discarded(server, tmp_path, mirror):
    rel = "tradestat/india_imports_hs2603_by_partner_cy2024_cy2025.csv"
    dest = tmp_path / "t.csv"
    size = (mirror / rel).stat().st_size
    dest.with_name("t.csv.part").write_bytes(b"x" * (size + 100))
    download(f"{server.base_url}/{rel}", dest, progress=False)
    assert sha256_of(dest) == sha256_of(mirror / rel)


def test_default_build_goes_on_without_a_report_that_cannot_be_downloaded(server, online, mirror):
    """TradeStat is an interactive report: a default online build skips it and says so."""
    server.fail_times["/tradestat/commodity_wise_all_countries_import"] = 99
    wh = build(online, progress=False, base_url=server.base_url)
    assert "tradestat_imports" not in wh.tables()
    assert {"trade_flows", "mineral_production", "governance"} <= set(wh.tables())
    # asked for by name, the same failure is an error
    with pytest.raises(DownloadError):
        build(online, ["tradestat"], progress=False, base_url=server.base_url)


def test_many_file_key_globs_the_mirror_and_bundle_root(tmp_path):
    """A ``many`` key lists every matching mirror file; a path missing in the mirror is looked up beside it."""
    from critmin.sources.base import RemoteFile, Source, all_files, local_paths, single_path

    bundle = tmp_path / "bundle"
    (bundle / "raw" / "pub").mkdir(parents=True)
    (bundle / "derived").mkdir()
    for y in (2024, 2022):
        (bundle / "raw" / "pub" / f"flows_Y{y}.csv").write_text("a\n1\n")
    (bundle / "raw" / "pub" / "other.csv").write_text("a\n1\n")
    (bundle / "derived" / "extract.csv").write_text("a\n1\n")
    src = Source(
        name="demo",
        title="t",
        publisher="p",
        licence="l",
        release="r",
        files=(
            RemoteFile("years", "pub/flows_Y*.csv", "https://example.org/all.zip", many=True),
            RemoteFile("extract", "derived/extract.csv", "https://example.org/extract.csv"),
        ),
        load=lambda files, workdir: {},
    )
    s = Settings(home=tmp_path / "home", mirror=bundle / "raw", offline=True)
    got = fetch(src, s, progress=False)
    paths = local_paths(got)
    assert [p.name for p in paths["years"]] == ["flows_Y2022.csv", "flows_Y2024.csv"]
    assert paths["extract"] == bundle / "derived" / "extract.csv"
    assert single_path(paths, "extract") == bundle / "derived" / "extract.csv"
    with pytest.raises(TypeError, match=r"'years' has 2 paths \(a many=True file\); expected one"):
        single_path(paths, "years")
    assert len(all_files(got)) == 3
    assert src.files[0].cache_name == "all.zip"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DownloadError, match=r"no file matching pub/flows_Y\*\.csv"):
        fetch(src, Settings(home=tmp_path / "h2", mirror=empty, offline=True), progress=False)
