"""BACI online: the publisher's release zip downloaded over loopback HTTP, saved under its own name, unpacked."""

from __future__ import annotations

import shutil
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd

from _loopback import serving, write_baci_release_zip
from critmin.config import Settings
from critmin.warehouse.build import build


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_online_build_from_the_release_zip(tmp_path, mirror, settings):
    site = tmp_path / "site" / "baci"
    site.mkdir(parents=True)
    write_baci_release_zip(mirror, site / "BACI_HS17_V202601.zip")
    shutil.copy(mirror / "baci" / "country_codes_V202601.csv", site)
    online = Settings(home=tmp_path / "home", mirror=None, offline=False)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path / "site")))
    with serving(srv):
        wh = build(online, ["baci"], progress=False, base_url=f"http://127.0.0.1:{srv.server_address[1]}")
    assert (online.cache_dir / "baci" / "BACI_HS17_V202601.zip").is_file()
    years = wh.read("baci_years")
    assert years["year"].tolist() == [2022, 2024] and years["has_quantities"].tolist() == [False, True]
    assert years["file"].tolist() == ["BACI_HS17_Y2022_V202601.csv", "BACI_HS17_Y2024_V202601.csv"]
    assert years["integrity"].str.startswith("cannot be verified").all()  # renamed: not the bundle's files
    ref = build(settings, ["baci"], progress=False)
    cols = ["year", "exporter", "importer", "hs6"]
    a = wh.read("trade_flows").sort_values(cols).reset_index(drop=True)
    b = ref.read("trade_flows").sort_values(cols).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
