"""The sweep lock across real processes: exclusion, holder info, release on exit and on crash."""

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.infrastructure.sweep_lock import SweepAlreadyRunning, lock_holder, sweep_lock
from app.settings import Settings

# The child takes the lock, says so on stdout, and releases it when stdin gets a line.
HOLDER_SCRIPT = """
import sys
from app.settings import Settings
from app.infrastructure.sweep_lock import sweep_lock

with sweep_lock(Settings()):
    print("locked", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(MRVTRACE_HOME=tmp_path / "home")


class Holder:
    """A child process holding the sweep lock of `settings`."""

    def __init__(self, settings: Settings, cwd: Path) -> None:
        env = os.environ | {"MRVTRACE_HOME": str(settings.home)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER_SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "released"
        assert self.process.wait(timeout=30) == 0

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def holder(settings: Settings, tmp_path: Path) -> Iterator[Holder]:
    child = Holder(settings, cwd=tmp_path)
    yield child
    if child.process.poll() is None:
        child.kill()


def test_free_lock_has_no_holder(settings: Settings) -> None:
    assert lock_holder(settings) is None
    with sweep_lock(settings) as held:
        assert held["pid"] == os.getpid()
    assert lock_holder(settings) is None


def test_second_process_is_refused_with_the_holders_identity(
    settings: Settings, holder: Holder
) -> None:
    with pytest.raises(SweepAlreadyRunning) as refused, sweep_lock(settings):
        pytest.fail("the lock was granted while another process held it")
    assert refused.value.holder["pid"] == holder.process.pid
    assert refused.value.holder["host"] == socket.gethostname()
    assert refused.value.holder["started_at"]
    assert str(holder.process.pid) in str(refused.value)

    status = lock_holder(settings)
    assert status is not None
    assert status["pid"] == holder.process.pid


def test_lock_is_granted_after_the_holder_releases(settings: Settings, holder: Holder) -> None:
    holder.release()
    assert lock_holder(settings) is None
    with sweep_lock(settings) as held:
        assert held["pid"] == os.getpid()
        assert lock_holder(settings) == held


def test_os_releases_the_lock_of_a_killed_holder(settings: Settings, holder: Holder) -> None:
    holder.kill()
    assert lock_holder(settings) is None
    with sweep_lock(settings) as held:
        assert held["pid"] == os.getpid()


def test_waiting_acquirer_gets_the_lock_once_released(settings: Settings, holder: Holder) -> None:
    acquired: list[dict[str, object]] = []

    def wait_for_lock() -> None:
        with sweep_lock(settings, wait=True) as held:
            acquired.append(dict(held))

    waiter = threading.Thread(target=wait_for_lock)
    waiter.start()
    waiter.join(timeout=0.5)
    assert waiter.is_alive(), "a waiting acquirer must block while the lock is held"
    assert acquired == []
    holder.release()
    waiter.join(timeout=30)
    assert not waiter.is_alive()
    assert [a["pid"] for a in acquired] == [os.getpid()]
