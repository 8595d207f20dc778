"""Open the store that the settings name: the one place that chooses an adapter."""

from app.settings import Settings, StoreKind, get_settings
from app.stores.base import GraphStore
from app.stores.embedded import EmbeddedStore
from app.stores.neo4j import Neo4jStore


def open_store(settings: Settings | None = None) -> GraphStore:
    chosen = settings or get_settings()
    if chosen.store == StoreKind.NEO4J:
        return Neo4jStore(chosen)
    return EmbeddedStore(chosen)
