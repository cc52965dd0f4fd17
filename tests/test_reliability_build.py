"""Builds on one home: one at a time, own temp folders, leftovers cleaned, Ctrl-C never publishes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from critmin.config import load_settings
from critmin.errors import WarehouseError
from critmin.warehouse import open_warehouse
from critmin.warehouse.build import build
from critmin.warehouse.lock import BuildInterrupted, BuildLockedError, build_lock

pytestmark = pytest.mark.slow  # the fast loop is pytest -m 'not slow'

SRC = Path(__file__).resolve().parents[1] / "src"


def _cli(home: Path, mirror: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "critmin", *args, "--home", str(home), "--mirror", str(mirror)]


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env["COLUMNS"] = "400"  # one message, one line
    return env


def _leftovers(home: Path) -> list[Path]:
    tmp = list((home / "tmp").glob("build-*")) if (home / "tmp").is_dir() else []
    builds = home / "warehouse" / "builds"
    partial = list(builds.glob("*.partial")) if builds.is_dir() else []
    return tmp + partial


def test_a_second_build_names_the_running_one(settings):
    with build_lock(settings):
        res = subprocess.run(
            _cli(settings.home, settings.mirror, "data", "build", "wgi", "-q"),
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
        )
    assert res.returncode == 2, res.stderr
    assert f"another build is running (pid {os.getpid()})" in res.stderr
    assert "Traceback" not in res.stderr
    with pytest.raises(WarehouseError):  # the refused build published nothing
        open_warehouse(settings)


def test_two_builds_on_one_home(settings):
    cmd = _cli(settings.home, settings.mirror, "data", "build", "-q")
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()) for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    codes = sorted(code for code, _ in results)
    assert codes[0] == 0, results
    for code, err in results:
        assert code in (0, 2), err
        assert "Traceback" not in err
        if code == 2:
            assert "another build is running (pid" in err
    wh = open_warehouse(settings)
    assert {"trade_flows", "governance", "mineral_production"} <= set(wh.tables())
    assert _leftovers(settings.home) == []


def test_a_thread_cannot_take_the_lock_another_thread_holds(settings):
    held, release = threading.Event(), threading.Event()

    def holder():
        with build_lock(settings):
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    try:
        assert held.wait(10)
        with pytest.raises(BuildLockedError, match=rf"another build is running \(pid {os.getpid()}\)"):
            with build_lock(settings, wait=0.2):
                pass
    finally:
        release.set()
        t.join()
    with build_lock(settings):  # released: free again
        pass


def test_leftovers_of_a_killed_build_are_removed_by_the_next(settings):
    partial = settings.warehouse_dir / "builds" / "20260101T000000-dead00.partial"
    partial.mkdir(parents=True)
    (partial / "trade_flows.parquet").write_bytes(b"half")
    workdir = settings.home / "tmp" / "build-99999-deadbeef"
    workdir.mkdir(parents=True)
    (workdir / "trade_flows_0.parquet").write_bytes(b"half")
    wh = build(settings, ["wgi"], progress=False)
    assert wh.has("governance")
    assert not partial.exists() and not workdir.exists()
    assert _leftovers(settings.home) == []


def test_each_build_works_in_its_own_folder(settings, monkeypatch):
    import critmin.warehouse.build as wb

    seen = []
    real = wb.validate_frame

    def spy(source, table, df, file):
        seen.append(sorted(p.name for p in (settings.home / "tmp").iterdir()))
        return real(source, table, df, file)

    monkeypatch.setattr(wb, "validate_frame", spy)
    build(settings, ["wgi"], progress=False)
    build(settings, ["wgi"], progress=False)
    folders = {names[0] for names in seen}
    assert len(folders) == 2 and all(f.startswith(f"build-{os.getpid()}-") for f in folders)
    assert list((settings.home / "tmp").iterdir()) == []


def test_sigint_mid_build_exits_130_and_publishes_nothing(settings):
    proc = subprocess.Popen(
        _cli(settings.home, settings.mirror, "data", "build"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    seen = []
    try:
        deadline = time.monotonic() + 120
        for line in proc.stderr:  # progress goes to stderr; interrupt once the first table is read
            seen.append(line)
            if "trade_flows:" in line or time.monotonic() > deadline:
                break
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=120)
        rest = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert any("trade_flows:" in line for line in seen), seen
    assert code == 130, rest
    assert "interrupted" in rest and "Traceback" not in rest
    assert not (settings.warehouse_dir / "CURRENT").exists()
    assert _leftovers(settings.home) == []


def test_a_swallowed_ctrl_c_still_publishes_nothing(settings, monkeypatch):
    """A library that catches the KeyboardInterrupt and goes on does not get the build published."""
    import critmin.warehouse.build as wb

    before = build(settings, ["wgi"], progress=False).path.name
    handler = signal.getsignal(signal.SIGINT)  # whatever was installed (PySpark installs its own)
    real = wb.validate_frame

    def swallowing(source, table, df, file):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)
        except KeyboardInterrupt:
            pass  # e.g. a reader that retries on any exception
        return real(source, table, df, file)

    monkeypatch.setattr(wb, "validate_frame", swallowing)
    with pytest.raises(BuildInterrupted):
        build(settings, ["wgi"], progress=False)
    assert open_warehouse(settings).path.name == before
    assert _leftovers(settings.home) == []
    assert signal.getsignal(signal.SIGINT) is handler  # the build restores the handler it found


def test_read_only_home_is_one_clear_error(tmp_path, mirror):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o500)
    try:
        if os.access(home, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        s = load_settings(home=home, mirror=mirror, offline=True)
        with pytest.raises(WarehouseError, match="cannot write"):
            build(s, ["wgi"], progress=False)
    finally:
        home.chmod(0o700)


def test_unwritable_home_is_one_line_from_the_cli(tmp_path, mirror):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    home = blocker / "home"  # cannot be created: a file is in the way (as with a read-only disk)
    with pytest.raises(WarehouseError, match="cannot write"):
        build(load_settings(home=home, mirror=mirror, offline=True), ["wgi"], progress=False)
    res = subprocess.run(
        _cli(home, mirror, "data", "build", "wgi", "-q"), capture_output=True, text=True, env=_env(), timeout=120
    )
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
