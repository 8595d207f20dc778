"""Schema part of the Neo4j store (placeholder: infra fills it in)."""


class SchemaMixin:
    pass
