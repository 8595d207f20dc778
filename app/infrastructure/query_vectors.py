"""Query vectors shared by every process of one `$MRVTRACE_HOME` (the API's workers, the CLI):
a question embedded once by any of them is read back, not embedded again. Embedding a question
costs tens of milliseconds of CPU; reading it back, well under one.

One SQLite file in WAL mode (readers never wait for the writer), one connection per thread. Past
`capacity` rows the oldest go. A cache that fails (a read-only or full disk) is a miss, never a
failed search.
"""

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

QUERY_VECTORS_FILE = "query-vectors.sqlite"
CAPACITY = 50_000
# Pruning the oldest rows runs once every this many inserts, not on each.
PRUNE_EVERY = 500


class SharedQueryVectors:
    """Vectors of questions by model and text, as float32 bytes."""

    def __init__(self, path: Path, model: str, capacity: int = CAPACITY) -> None:
        self.path = path
        self.model = model
        self.capacity = capacity
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS query_vector ("
                "model TEXT NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL, "
                "PRIMARY KEY (model, text))"
            )
            self._local.db = db
        return db

    def get(self, text: str) -> bytes | None:
        try:
            row = (
                self._db()
                .execute(
                    "SELECT vector FROM query_vector WHERE model = ? AND text = ?",
                    (self.model, text),
                )
                .fetchone()
            )
        except (sqlite3.Error, OSError) as error:
            log.warning("query vector cache %s unreadable: %s", self.path, error)
            return None
        return None if row is None else bytes(row[0])

    def put(self, text: str, vector: bytes) -> None:
        try:
            db = self._db()
            added = db.execute(
                "INSERT OR IGNORE INTO query_vector (model, text, vector) VALUES (?, ?, ?)",
                (self.model, text, vector),
            )
            row = added.lastrowid
            if added.rowcount == 1 and row is not None and row % PRUNE_EVERY == 0:
                db.execute("DELETE FROM query_vector WHERE rowid <= ?", (row - self.capacity,))
        except (sqlite3.Error, OSError) as error:
            log.warning("query vector cache %s not written: %s", self.path, error)
