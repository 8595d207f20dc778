"""Driver ownership and query execution for the Neo4j store (placeholder: infra fills it in)."""


class Neo4jConnection:
    pass
