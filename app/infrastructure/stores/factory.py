"""Open the store that the settings name: the one place that chooses an adapter."""

from app.infrastructure.stores.embedded import EmbeddedStore
from app.infrastructure.stores.neo4j import Neo4jStore
from app.settings import Settings, StoreKind, get_settings


def open_store(settings: Settings | None = None) -> Neo4jStore | EmbeddedStore:
    """The adapter `settings.store` names; both implement every store protocol."""
    chosen = settings or get_settings()
    if chosen.store == StoreKind.NEO4J:
        return Neo4jStore(chosen)
    return EmbeddedStore(chosen)
