"""Driver ownership and query execution for the Neo4j store.

One driver per store object (so one per process in the API and CLI); sessions per call. Every
query comes from a `cypher/<name>.cypher` file and takes its values as parameters, and returns
plain values (maps, lists, scalars; never nodes), so a row is its record as a dict:
`Record.data()` would copy every nested value once more, a third of a why request's time.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, LiteralString, cast

from neo4j import READ_ACCESS, Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

import cypher
from app.infrastructure.observability import record_store_error
from app.infrastructure.stores.contract import StoreUnavailable
from app.settings import Settings, get_settings

# Idle connections get cut by firewalls and load balancers: recycle them well before that, and
# test a connection that sat idle before handing it out.
MAX_CONNECTION_LIFETIME_S = 30 * 60
LIVENESS_CHECK_TIMEOUT_S = 60
# Fail fast when the server is down, so readiness probes answer within a probe's timeout.
CONNECTION_TIMEOUT_S = 5.0
DEFAULT_BATCH_SIZE = 10_000

_UNREACHABLE = (ServiceUnavailable, SessionExpired, AuthError, OSError)


def statements(query_name: str) -> list[LiteralString]:
    """The `;`-separated statements of a cypher file, without its `//` comment lines."""
    text = "\n".join(
        line for line in cypher.load(query_name).splitlines() if not line.lstrip().startswith("//")
    )
    return [cast(LiteralString, part.strip()) for part in text.split(";") if part.strip()]


@contextmanager
def _reachable(uri: str, operation: str) -> Iterator[None]:
    """Count every failed store operation, and turn the driver's connectivity errors into the
    store's StoreUnavailable."""
    try:
        yield
    except _UNREACHABLE as error:
        record_store_error(operation)
        raise StoreUnavailable(f"Neo4j at {uri} is unavailable: {error}") from error
    except Neo4jError:
        record_store_error(operation)
        raise


class Neo4jConnection:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.uri = self.settings.neo4j_uri
        self.database = self.settings.neo4j_database
        self.driver: Driver = GraphDatabase.driver(
            self.uri,
            auth=self.settings.neo4j_auth,
            max_connection_lifetime=MAX_CONNECTION_LIFETIME_S,
            liveness_check_timeout=LIVENESS_CHECK_TIMEOUT_S,
            connection_timeout=CONNECTION_TIMEOUT_S,
            # Counting a relationship type the graph does not hold yet is normal here; the
            # server's "does not exist" notices would only flood the logs.
            notifications_min_severity="OFF",
        )

    def ping(self) -> None:
        with _reachable(self.uri, "ping"):
            self.driver.verify_connectivity()

    def close(self) -> None:
        self.driver.close()

    def run_read(self, query_name: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a read query, routed to a reader in a cluster.

        An auto-commit transaction: one round trip where a managed one (execute_query) adds
        BEGIN and COMMIT, which more than doubles the server's work for the API's small reads.
        Reads change nothing, so they lose nothing by it."""
        with (
            _reachable(self.uri, query_name),
            self.driver.session(database=self.database, default_access_mode=READ_ACCESS) as session,
        ):
            return [dict(record) for record in session.run(cypher.load(query_name), params)]

    def run_write(self, query_name: str, **params: Any) -> list[dict[str, Any]]:
        with _reachable(self.uri, query_name):
            records, _, _ = self.driver.execute_query(
                cypher.load(query_name), parameters_=params, database_=self.database
            )
        return [dict(record) for record in records]

    def write_batches(
        self, query_name: str, rows: list[dict[str, Any]], batch_size: int = DEFAULT_BATCH_SIZE
    ) -> int:
        """Run an `UNWIND $rows` query over `rows` in batches, one managed (retried)
        transaction per batch. Returns the number of rows sent."""
        query = cypher.load(query_name)

        def write(tx: ManagedTransaction, batch: list[dict[str, Any]]) -> None:
            tx.run(query, rows=batch).consume()

        with (
            _reachable(self.uri, query_name),
            self.driver.session(database=self.database) as session,
        ):
            for start in range(0, len(rows), batch_size):
                session.execute_write(write, rows[start : start + batch_size])
        return len(rows)

    def run_autocommit(self, query_name: str, **params: Any) -> None:
        """Run a query in an auto-commit transaction (needed by CALL … IN TRANSACTIONS)."""
        with (
            _reachable(self.uri, query_name),
            self.driver.session(database=self.database) as session,
        ):
            session.run(cypher.load(query_name), params).consume()

    def run_script(self, query_name: str) -> None:
        """Run each statement of a multi-statement cypher file, auto-commit, in order."""
        with (
            _reachable(self.uri, query_name),
            self.driver.session(database=self.database) as session,
        ):
            for statement in statements(query_name):
                session.run(statement).consume()

    def server_info(self) -> dict[str, str]:
        """Which server the store talks to: version, edition and address."""
        row = self.run_read("server_components")[0]
        return {"version": row["version"], "edition": row["edition"], "address": self.uri}
