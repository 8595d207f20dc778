"""The embedded store's home folder and schema state: the base its parts build on.

The embedded store keeps the graph as node and relationship frames in memory, persisted as
Parquet under `$MRVTRACE_HOME` (loading.py), and its sweeps as Parquet batches beside them
(scoring.py). Tracing walks the same data-transfer paths on both stores.
"""

from pathlib import Path

import pandas as pd

from app.infrastructure.stores.contract import StoreUnavailable
from app.settings import Settings, get_settings


class EmbeddedState:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.home = Path(self.settings.home)
        self._schema_applied = False

    def ping(self) -> None:
        """The store answers when its home folder exists (or can be made) and is writable."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            probe = self.home / ".ping"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise StoreUnavailable(
                f"embedded store home {self.home} is unusable: {error}"
            ) from error

    def apply_schema(self) -> None:
        """Nothing to create: uniqueness follows from keying nodes by their key."""
        self._schema_applied = True

    def schema_applied(self) -> bool:
        return self._schema_applied

    def server_info(self) -> dict[str, str]:
        return {
            "version": f"Parquet files read by pandas {pd.__version__}",
            "edition": "embedded",
            "address": str(self.home),
        }

    def close(self) -> None:
        """Nothing to release: every write is on disk when it returns."""
