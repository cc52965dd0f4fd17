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
