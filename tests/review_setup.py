"""Stores with findings for the review-loop tests: the session's swept small dataset copied
into a store of each kind (the session's own stores stay as they are), findings reconciled,
and a TestClient whose keys carry roles."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.infrastructure.stores.contract import Store
from app.infrastructure.stores.embedded import EmbeddedStore
from app.infrastructure.stores.neo4j import Neo4jStore
from app.services.access import key_ring_from_environment
from app.settings import Settings, StoreKind
from tests.swept_stores import (
    NO_THROTTLE,
    analyst_app,
    dataset,
    neo4j_settings_of,
    replay_into_neo4j,
    swept_embedded,
)


@dataclass
class ReviewStore:
    store: Store
    settings: Settings
    data: Path


def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the session's swept dataset (shared with the other API tests)."""
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    return folder


def review_store(
    kind: str, tmp_path_factory: pytest.TempPathFactory, server: object | None
) -> ReviewStore:
    """A store of `kind` of its own holding the session's swept dataset, with its findings."""
    folder = session_folder(tmp_path_factory)
    source = swept_embedded(folder)
    home = tmp_path_factory.mktemp(f"review-{kind}")
    if kind == "embedded":
        shutil.copytree(source.home, home, dirs_exist_ok=True)
        settings = Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=home, **NO_THROTTLE)
        store: Store = EmbeddedStore(settings)
        store.apply_schema()
    else:
        settings = neo4j_settings_of(server, home)
        neo4j = Neo4jStore(settings)
        replay_into_neo4j(source, neo4j, dataset(folder))
        current = source.current_sweep()
        assert current is not None
        # The engine goes along, so a later sweep re-scores with it instead of refitting.
        model = source.load_model(current.model_version)
        assert model is not None
        neo4j.save_model(current.model_version, model)
        store = neo4j
    # Both hold a finding per flagged unit-month: the embedded sweep opened them, and the
    # replay into Neo4j as the sweep does.
    return ReviewStore(store, settings, dataset(folder))


@contextmanager
def review_client(setup: ReviewStore, keys: dict[str, str]) -> Iterator[TestClient]:
    """A client of the app on `setup`'s store, whose keys are `keys` (`scope@role` → key)."""
    unlimited = setup.settings.model_copy(update={"key_failures_per_minute": 10**9})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_API_KEYS", ",".join(f"{s}={k}" for s, k in keys.items()))
        key_ring_from_environment.cache_clear()
        with TestClient(analyst_app(unlimited, setup.store)) as client:
            yield client
    key_ring_from_environment.cache_clear()
