"""A cross-process lock so that two sweeps never run at once.

The lock is an exclusive `flock` on `<home>/sweep.lock`. The OS releases it when the holding
process exits or dies, so a crashed sweep never leaves a stale lock behind. The holder writes
its pid, host and start time into the file for status displays; the file itself is never
deleted, because unlinking a lock file lets two processes lock two different inodes.

`flock` is reliable between processes of one host sharing a local file system; give every
sweeper the same `MRVTRACE_HOME` on that host.
"""

import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.settings import Settings

LOCK_FILE_NAME = "sweep.lock"


class SweepAlreadyRunning(RuntimeError):
    """Another process holds the sweep lock; `holder` says who (pid, host, started_at)."""

    def __init__(self, holder: dict[str, Any]) -> None:
        self.holder = holder
        who = ", ".join(f"{k}={v}" for k, v in holder.items()) or "holder not yet recorded"
        super().__init__(f"a sweep is already running ({who})")


def lock_path(settings: Settings) -> Path:
    return Path(settings.home) / LOCK_FILE_NAME


def _open_lock_file(settings: Settings) -> int:
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _read_holder(fd: int) -> dict[str, Any]:
    raw = os.pread(fd, 4096, 0)
    try:
        holder = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _write_holder(fd: int, holder: dict[str, Any]) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder, sort_keys=True).encode("utf-8"), 0)
    os.fsync(fd)


@contextmanager
def sweep_lock(settings: Settings, wait: bool = False) -> Iterator[dict[str, Any]]:
    """Hold the sweep lock for the `with` block and yield the holder record written into it.

    Raises SweepAlreadyRunning when another process holds it and `wait` is false; with `wait`
    true, blocks until the lock is free.
    """
    fd = _open_lock_file(settings)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SweepAlreadyRunning(_read_holder(fd)) from None
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _write_holder(fd, holder)
        try:
            yield holder
        finally:
            # Empty the file before unlocking so that readers never see a finished holder.
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def lock_holder(settings: Settings) -> dict[str, Any] | None:
    """Who holds the sweep lock now (pid, host, started_at), or None when it is free.

    An empty dict means the lock is held but the holder has not written its record yet.
    """
    if not lock_path(settings).exists():
        return None
    fd = _open_lock_file(settings)
    try:
        try:
            # A shared lock succeeds only when nobody holds the exclusive one.
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
