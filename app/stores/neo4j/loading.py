"""Loading part of the neo4j store (placeholder: its owner fills it in)."""


class LoadingMixin:
    pass
