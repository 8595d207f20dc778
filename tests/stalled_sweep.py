"""A sweep that stalls after its first score write, in a child process, for kill -9 tests.

The child reads the unit-month frame from a Parquet file (so it scores what the test set up),
touches `ready` once its first batch is written, then sleeps; the test kills it there.
With `locked`, it holds the sweep lock as the CLI does.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.infrastructure.stores.contract import Store
from app.infrastructure.stores.neo4j import Neo4jStore
from app.settings import StoreKind

SCRIPT = """
import sys, time
from contextlib import nullcontext
from pathlib import Path
import pandas as pd
from app.infrastructure.sweep_lock import sweep_lock
from app.presentation.cli.sweep_commands import open_store
from app.services.sweep import run_sweep
from app.settings import Settings

frame = pd.read_parquet(sys.argv[1])
ready = Path(sys.argv[2])
locked = sys.argv[3] == "locked"
store = open_store(None)
store.read_unit_months = lambda periods=None: frame
store.scoped_unit_months = lambda periods=None, scope=None: frame.assign(
    verifier_id=pd.NA, allocated_t=float("nan")
)
real_write = store.write_scores

def write_and_stall(*args, **kwargs):
    real_write(*args, **kwargs)
    ready.touch()
    time.sleep(120)

store.write_scores = write_and_stall
with sweep_lock(Settings()) if locked else nullcontext():
    run_sweep(store, full=True)
"""


def _environment(store: Store) -> dict[str, str]:
    settings = store.settings  # type: ignore[attr-defined]
    kind = StoreKind.NEO4J if isinstance(store, Neo4jStore) else StoreKind.EMBEDDED
    return os.environ | settings.model_copy(update={"store": kind}).store_environment()


@contextmanager
def stalled_sweep(store: Store, folder: Path, locked: bool) -> Iterator[subprocess.Popen[bytes]]:
    """A sweep of `store`'s unit-months stalled after its first write; killed with SIGKILL
    when the block ends."""
    frame_file = folder / "frame.parquet"
    store.read_unit_months().to_parquet(frame_file)
    ready = folder / "ready"
    arguments = [str(frame_file), str(ready), "locked" if locked else "unlocked"]
    child = subprocess.Popen([sys.executable, "-c", SCRIPT, *arguments], env=_environment(store))
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready.exists(), "the sweep never reached its first write"
        yield child
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
