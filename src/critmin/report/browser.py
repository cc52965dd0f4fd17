"""Headless Chromium: print a page to PDF or take a screenshot, fully offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from critmin.errors import ConfigError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# flags that keep Chromium from reaching for the network or a profile
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--run-all-compositor-stages-before-draw",
]


def find_chromium() -> str:
    """Path of a Chromium/Chrome binary: ``$CRITMIN_CHROMIUM`` or the first one on PATH."""
    env = os.environ.get("CRITMIN_CHROMIUM")
    if env:
        return env
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    raise ConfigError(
        "no Chromium found for PDF/PNG output; install it (Debian: apt-get install chromium) or set CRITMIN_CHROMIUM"
    )


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [find_chromium(), *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 120) -> Path:
    """Render ``html_path`` (scripts run, charts drawn) and print it to ``pdf_path`` atomically."""
    pdf_path = Path(pdf_path)
    tmp = pdf_path.with_name(pdf_path.name + ".tmp.pdf")
    res = _run(
        [
            "--virtual-time-budget=15000",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            Path(html_path).resolve().as_uri(),
        ],
        timeout,
    )
    if not tmp.exists() or tmp.stat().st_size == 0:
        raise ConfigError(f"Chromium did not write the PDF (exit {res.returncode}): {res.stderr[-400:]}")
    tmp.replace(pdf_path)
    return pdf_path


def screenshot(html_path: Path, png_path: Path, *, width: int = 1280, height: int = 2400, timeout: float = 120) -> Path:
    """Take a PNG screenshot of a local page after its scripts ran."""
    res = _run(
        [
            "--virtual-time-budget=15000",
            f"--window-size={width},{height}",
            f"--screenshot={Path(png_path).resolve()}",
            Path(html_path).resolve().as_uri(),
        ],
        timeout,
    )
    if not Path(png_path).exists():
        raise ConfigError(f"Chromium did not write the screenshot (exit {res.returncode}): {res.stderr[-400:]}")
    return Path(png_path)


def dump_dom(html_path: Path, *, timeout: float = 120) -> str:
    """The DOM after scripts ran (to check in tests that charts were drawn)."""
    res = _run(["--virtual-time-budget=15000", "--dump-dom", Path(html_path).resolve().as_uri()], timeout)
    return res.stdout
