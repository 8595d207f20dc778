"""Open the store that the settings name: the one place that chooses an adapter."""

from app.infrastructure.stores.contract import Store
from app.settings import Settings, StoreKind, get_settings


def open_store(settings: Settings | None = None) -> Store:
    """The adapter `settings.store` names (imported here only, so a process loads one)."""
    chosen = settings or get_settings()
    if chosen.store == StoreKind.NEO4J:
        from app.infrastructure.stores.neo4j import Neo4jStore

        return Neo4jStore(chosen)
    from app.infrastructure.stores.embedded import EmbeddedStore

    return EmbeddedStore(chosen)
