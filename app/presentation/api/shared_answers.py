"""Finished answers the worker processes of one server share: a small SQLite file, so an answer
one worker built is served by the others instead of being built again by each (a client whose
connection the keep-alive cap moved to another worker would otherwise find none of its
answers there).

`mrvtrace serve --workers N` gives each run a fresh file (MRVTRACE_ANSWER_CACHE_SHARED_PATH), so
answers never outlive the code and the store that built them. Rows are keyed by the results
version and the answer's key; a worker that sees the version move drops the rows of other
versions. At most `entries` rows stay, the oldest out first. It is a cache: an SQLite error
counts as a miss (logged once), never as a failed request.
"""

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS answer (seq INTEGER PRIMARY KEY, version TEXT NOT NULL, "
    "key TEXT NOT NULL, body BLOB NOT NULL, UNIQUE (version, key))"
)
# How often (in inserted rows) the rows past `entries` are deleted: a delete per insert would
# double the cost of each write.
_TRIM_EVERY = 64
# A file another worker is writing is a miss after this long, not a longer wait.
_BUSY_TIMEOUT_S = 0.2


class SharedAnswers:
    """Answers (bytes) shared through the SQLite file `path` by every process that opens it."""

    def __init__(self, path: Path, entries: int) -> None:
        self.path = path
        self.entries = entries
        self._local = threading.local()
        self._warned = False

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread: an SQLite connection is not for concurrent use.
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            # WAL: readers never wait on a writer; NORMAL: no sync per commit (a cache loses
            # nothing it cannot rebuild).
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(_SCHEMA)
            self._local.connection = connection
        return connection

    def _failed(self, error: sqlite3.Error) -> None:
        if not self._warned:
            log.warning("shared answers at %s unusable, answers are built: %s", self.path, error)
            self._warned = True

    def get(self, version: str, key: str) -> bytes | None:
        try:
            row = (
                self._connection()
                .execute("SELECT body FROM answer WHERE version = ? AND key = ?", (version, key))
                .fetchone()
            )
        except sqlite3.Error as error:
            self._failed(error)
            return None
        return None if row is None else bytes(row[0])

    def put(self, version: str, key: str, body: bytes) -> None:
        try:
            connection = self._connection()
            seq = connection.execute(
                "INSERT OR IGNORE INTO answer (version, key, body) VALUES (?, ?, ?)",
                (version, key, body),
            ).lastrowid
            if seq and seq % _TRIM_EVERY == 0:
                connection.execute("DELETE FROM answer WHERE seq <= ?", (seq - self.entries,))
        except sqlite3.Error as error:
            self._failed(error)

    def keep_only(self, version: str) -> None:
        """Drop the answers of every other results version."""
        try:
            self._connection().execute("DELETE FROM answer WHERE version != ?", (version,))
        except sqlite3.Error as error:
            self._failed(error)
