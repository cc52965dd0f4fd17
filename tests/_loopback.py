"""Run a test HTTP server on 127.0.0.1 in a thread, and stop it cleanly."""

from __future__ import annotations

import threading
from contextlib import contextmanager


@contextmanager
def serving(server):
    """Serve ``server`` (an ``http.server`` instance bound to loopback) for the ``with`` block."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def write_baci_release_zip(mirror, dest):
    """Build a BACI release zip in the publisher's layout from the mirror's year files and country table.

    Year files are stored under the publisher's names (``BACI_HS17_Y2024_V202601.csv``,
    without the mirror's extract suffix), beside ``country_codes_V202601.csv``.
    """
    import re
    import zipfile
    from pathlib import Path

    baci = Path(mirror) / "baci"
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(baci.glob("BACI_HS17_Y*_V202601*.csv")):
            zf.write(f, re.sub(r"(_V\d+)\w*\.csv$", r"\1.csv", f.name))
        for f in sorted(baci.glob("country_codes_V*.csv")):
            zf.write(f, f.name)
    return dest
