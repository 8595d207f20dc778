"""The Neo4j adapter of the store contract: one module per part of the contract, each a class
built on the connection that runs the `cypher/` files."""

from app.infrastructure.stores.neo4j.knowledge import Neo4jKnowledge
from app.infrastructure.stores.neo4j.review_records import Neo4jReviewRecords


class Neo4jStore(Neo4jReviewRecords, Neo4jKnowledge):
    """The Store on a Neo4j server (the system of record)."""


__all__ = ["Neo4jStore"]
