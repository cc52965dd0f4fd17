"""Web load test: 8 clients, 2,000 requests to ``critmin serve`` on 127.0.0.1; throughput and latency.

Usage::

    CRITMIN_HOME=... CRITMIN_MIRROR=... python benchmarks/bench_web_load.py [--requests 2000] [--clients 8]

The home must hold a built warehouse (``critmin data build``). The server runs in a
subprocess (one uvicorn worker); the clients are threads with one keep-alive connection
each, cycling over cached JSON endpoints. Prints requests/s, p50/p99 latency and the
status counts (any 5xx is reported).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

URLS = [
    "/fta/scenarios",
    "/data/status",
    "/production?mineral=copper",
    "/trade?reporter=IND",
    "/dependence?reporter=IND&mineral=copper",
    "/route?from=Callao&to=Visakhapatnam",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "critmin", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/fta/scenarios", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as warm:  # first answers fill the caches
            for u in URLS:
                warm.get(u)

        per_client = args.requests // args.clients

        def run(c: int):
            out = []
            with httpx.Client(base_url=base, timeout=30) as client:
                for i in range(per_client):
                    url = URLS[(c + i) % len(URLS)]
                    t = time.perf_counter()
                    r = client.get(url)
                    out.append((time.perf_counter() - t, r.status_code))
            return out

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = [x for part in pool.map(run, range(args.clients)) for x in part]
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)
    lat = sorted(x[0] for x in results)
    codes = Counter(x[1] for x in results)
    p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
    print(
        f"{len(results)} requests, {args.clients} clients: {len(results) / wall:.0f} req/s, "
        f"p50 {statistics.median(lat) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, status {dict(codes)}"
    )


if __name__ == "__main__":
    main()
