"""The Neo4j adapter of GraphStore: one class assembled from one module per concern."""

from app.infrastructure.stores.neo4j.connection import Neo4jConnection
from app.infrastructure.stores.neo4j.loading import LoadingMixin
from app.infrastructure.stores.neo4j.schema import SchemaMixin
from app.infrastructure.stores.neo4j.scoring import ScoringMixin
from app.infrastructure.stores.neo4j.tracing import TracingMixin


class Neo4jStore(TracingMixin, ScoringMixin, LoadingMixin, SchemaMixin, Neo4jConnection):
    """GraphStore on a Neo4j server (the system of record)."""


__all__ = ["Neo4jStore"]
