"""One build at a time per home: an advisory file lock, and Ctrl-C that never publishes.

``$CRITMIN_HOME/warehouse/build.lock`` is locked with ``fcntl.flock`` for the
whole of a build (fetch, parse, validate, publish). The lock belongs to the
open file, so the kernel releases it when the process ends, however it ends
(a killed build never leaves a stale lock). The file holds the pid of the
holder, so a second build can say who is in the way.

The lock is re-entrant within one thread (a build publishes through
:func:`critmin.warehouse.store.replace_tables`, which takes it too).
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from critmin.config import Settings
from critmin.errors import WarehouseError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, builds still use unique folders
    fcntl = None  # type: ignore[assignment]


class BuildLockedError(WarehouseError):
    """Another build holds the lock of this home."""

    def __init__(self, home: Path, pid: int | None):
        self.home, self.pid = home, pid
        who = f"pid {pid}" if pid else "pid unknown"
        super().__init__(
            f"another build is running ({who}) on the home {home}; wait for it to finish and run the command again"
        )


class BuildInterrupted(KeyboardInterrupt):
    """A build was stopped by Ctrl-C (SIGINT) or SIGTERM; nothing was published."""


_held: dict[str, tuple[int, int, int]] = {}  # lock path -> (thread id, depth, fd)
_held_guard = threading.Lock()


def lock_path(settings: Settings) -> Path:
    return settings.warehouse_dir / "build.lock"


def _holder_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextmanager
def build_lock(settings: Settings, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the build lock of ``settings.home`` for the ``with`` block.

    Parameters
    ----------
    settings : Settings
        The home whose warehouse is built.
    wait : float
        Seconds to wait for another build to finish; 0 fails at once.

    Raises
    ------
    BuildLockedError
        Another process (or thread) holds the lock after ``wait`` seconds.
    WarehouseError
        The home cannot be written (read-only folder, no space).
    """
    path = lock_path(settings)
    key = str(path)
    me = threading.get_ident()
    with _held_guard:
        held = _held.get(key)
        if held is not None and held[0] == me:
            _held[key] = (me, held[1] + 1, held[2])
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                tid, depth, fd = _held[key]
                _held[key] = (tid, depth - 1, fd)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WarehouseError(f"cannot write the warehouse under {settings.home}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise WarehouseError(f"cannot lock {path}: {exc.strerror}") from None
                if time.monotonic() >= deadline:
                    raise BuildLockedError(settings.home, _holder_pid(path)) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        with _held_guard:
            _held[key] = (me, 1, fd)
        try:
            yield
        finally:
            with _held_guard:
                _held.pop(key, None)
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
    finally:
        os.close(fd)  # releases the flock


@contextmanager
def interrupt_guard() -> Iterator["_Interrupts"]:
    """Turn SIGINT and SIGTERM into :class:`BuildInterrupted` during a build.

    Some libraries catch the ``KeyboardInterrupt`` raised inside their own
    code (and go on); the guard remembers the signal, so :meth:`check` raises
    again before anything is published. Outside the main thread (where
    signal handlers cannot be set) the guard does nothing.
    """
    state = _Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handler(signum, frame):
        state.signum = signum
        raise BuildInterrupted(f"build interrupted by {signal.Signals(signum).name}; nothing was published")

    previous_hook = sys.unraisablehook

    def quiet_hook(unraisable):  # the signal landed in a __del__: remembered, reported once by check()
        if not isinstance(unraisable.exc_value, BuildInterrupted):
            previous_hook(unraisable)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    sys.unraisablehook = quiet_hook
    try:
        yield state
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        sys.unraisablehook = previous_hook


class _Interrupts:
    signum: int | None = None

    def check(self) -> None:
        """Raise :class:`BuildInterrupted` if a signal arrived (even if it was swallowed)."""
        if self.signum is not None:
            raise BuildInterrupted(f"build interrupted by {signal.Signals(self.signum).name}; nothing was published")
