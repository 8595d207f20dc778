"""Sign-in sessions of the analyst's pages: the browser holds a random session id, the server
the scope it stands for, so the API key never sits in a cookie.

Sessions live in a small SQLite file under the home folder, which every worker process of one
server shares. Only a hash of each session id is stored: the file alone opens no session.
"""

import hashlib
import secrets
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from app.services.access import ApiKey, KeyRing, Scope, ScopeError, parse_scope

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS session "
    "(id_hash TEXT PRIMARY KEY, key_name TEXT NOT NULL, scope TEXT NOT NULL, "
    "expires REAL NOT NULL)"
)


def _id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    def __init__(self, path: Path, lifetime_s: float) -> None:
        self.path = path
        self.lifetime_s = lifetime_s

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute(_SCHEMA)
        return connection

    def open(self, key_name: str, scope: Scope) -> str:
        """A new session id for the key `key_name` of `scope`; expired sessions are dropped."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with closing(self._connect()) as connection, connection:
            connection.execute("DELETE FROM session WHERE expires < ?", (now,))
            connection.execute(
                "INSERT INTO session VALUES (?, ?, ?, ?)",
                (_id_hash(session_id), key_name, str(scope), now + self.lifetime_s),
            )
        return session_id

    def scope_of(self, session_id: str | None, ring: KeyRing) -> Scope | None:
        """The scope of a live session whose key is still configured, else None."""
        if not session_id:
            return None
        with closing(self._connect()) as connection:
            row = connection.execute(
                "SELECT key_name, scope FROM session WHERE id_hash = ? AND expires >= ?",
                (_id_hash(session_id), time.time()),
            ).fetchone()
        if row is None:
            return None
        try:
            scope = parse_scope(row[1])
        except ScopeError:
            return None
        return scope if ring.holds(row[0], scope) else None

    def key_of(self, session_id: str | None, ring: KeyRing) -> ApiKey | None:
        """The configured key of a live session (its name, scope and role), else None."""
        scope = self.scope_of(session_id, ring)
        if scope is None:
            return None
        with closing(self._connect()) as connection:
            row = connection.execute(
                "SELECT key_name FROM session WHERE id_hash = ?", (_id_hash(str(session_id)),)
            ).fetchone()
        named = [k for k in ring.keys if row and k.name == row[0] and k.scope == scope]
        return named[0] if named else None

    def close(self, session_id: str | None) -> None:
        if not session_id:
            return
        with closing(self._connect()) as connection, connection:
            connection.execute("DELETE FROM session WHERE id_hash = ?", (_id_hash(session_id),))
