"""Schema part of the Neo4j store: constraints and indexes of graph_schema, applied idempotently.

Label names cannot be query parameters, so each statement is spelled out in
`cypher/schema_constraints.cypher` and `cypher/schema_indexes.cypher` (one per line, `;`-ended);
a test keeps those files equal to `graph_schema.labels`.
"""

from typing import Any

from app.infrastructure.stores.neo4j.connection import Neo4jConnection
from graph_schema.labels import CONSTRAINTS, INDEXES

SCHEMA_FILES = ("schema_constraints", "schema_indexes")


class Neo4jSchema(Neo4jConnection):
    def apply_schema(self) -> None:
        for name in SCHEMA_FILES:
            self.run_script(name)
        self.run_autocommit("schema_await_indexes")

    def constraints(self) -> list[dict[str, Any]]:
        return self.run_read("schema_constraints_show")

    def indexes(self) -> list[dict[str, Any]]:
        return self.run_read("schema_indexes_show")

    def schema_applied(self) -> bool:
        constraint_names = {row["name"] for row in self.constraints()}
        online = {row["name"] for row in self.indexes() if row["state"] == "ONLINE"}
        wanted_indexes = {index.name for index in INDEXES}
        return {c.name for c in CONSTRAINTS} <= constraint_names and wanted_indexes <= online

    def clear(self) -> None:
        """Delete all nodes and relationships in batches; constraints and indexes stay."""
        self.run_autocommit("graph_clear")
