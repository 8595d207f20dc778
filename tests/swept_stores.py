"""A generated small dataset, loaded and swept once per test session, for the API tests.

The embedded store is loaded and swept for real. The Neo4j store gets the same dataset loaded
and the embedded sweep's results replayed through the scoring contract (begin, write,
publish), so both stores answer from identical results without paying for a second sweep.
"""

from dataclasses import replace
from functools import cache
from pathlib import Path

from fastapi import FastAPI

from app.infrastructure.stores.contract import NATIONAL_FILTER, Store
from app.infrastructure.stores.embedded import EmbeddedStore
from app.infrastructure.stores.neo4j import Neo4jStore
from app.presentation.api import routes_anomalies, routes_public, routes_sweeps, routes_units
from app.presentation.api.main import ROUTERS, create_app
from app.services.loading import load_dataset
from app.services.review_sweep import reconcile_findings
from app.services.reviews import now_text
from app.services.sweep import run_sweep
from app.settings import Settings, StoreKind
from synthetic.dataset import generate_dataset

MONTHS = 12
# API tests start sweeps back to back (no least interval between them) and read answers at
# once after a publish (the answer cache reads the results version on every request).
NO_THROTTLE = {"MRVTRACE_SWEEP_MIN_INTERVAL_S": 0, "MRVTRACE_ANSWER_CACHE_CHECK_S": 0}


@cache
def dataset(folder: Path) -> Path:
    out = folder / "small"
    generate_dataset(out, scale="small", seed=0, fault_rate=0.03, months=MONTHS)
    return out


@cache
def swept_embedded(folder: Path) -> EmbeddedStore:
    store = EmbeddedStore(
        Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=folder / "home", **NO_THROTTLE)
    )
    store.apply_schema()
    load_dataset(dataset(folder), store)
    run_sweep(store, full=True)
    return store


def replay_into_neo4j(source: EmbeddedStore, target: Neo4jStore, data: Path) -> None:
    """Load `data` into `target` and publish `source`'s current results there."""
    target.clear()
    target.apply_schema()
    load_dataset(data, target)
    current = source.current_sweep()
    scored = [r for r in source.list_sweeps() if r.status.value == "published" and r.periods]
    assert current is not None and scored
    # The current sweep may have re-scored nothing (an API test starts one): publish it over
    # every period that has current results, with the counts of the last sweep that scored.
    fingerprints = source.data_fingerprints()
    record = replace(
        current,
        periods=sorted(fingerprints),
        fingerprints=fingerprints,
        counts=scored[0].counts,
        scope_counts=scored[0].scope_counts,
    )
    nodes, edges = source.scored_elements(None)
    unit_months = source.read_unit_month_scores(flagged_only=False)
    target.begin_sweep(record)
    target.write_scores(record.sweep_id, unit_months, nodes, edges)
    target.publish_sweep(record)
    # As the sweep does after publishing: a finding per flagged unit-month.
    frame = target.scoped_unit_months(None, NATIONAL_FILTER)
    reconcile_findings(target, frame, record.sweep_id, record.periods, now_text())


def analyst_app(settings: Settings, store: Store) -> FastAPI:
    """The app with the analyst and public routers (until create_app lists them itself)."""
    app = create_app(settings, store)
    for module in (routes_units, routes_anomalies, routes_sweeps, routes_public):
        if module.router not in ROUTERS:
            app.include_router(module.router)
    return app


def neo4j_settings_of(server: object, home: Path) -> Settings:
    """Settings of a Neo4j store on the session's `server`, its home folder `home`."""
    user, password = server.auth or ("neo4j", "")  # type: ignore[attr-defined]
    return Settings(
        NEO4J_URI=server.uri,  # type: ignore[attr-defined]
        NEO4J_USER=user,
        NEO4J_PASSWORD=password,
        NEO4J_DATABASE=server.database,  # type: ignore[attr-defined]
        MRVTRACE_STORE=StoreKind.NEO4J,
        MRVTRACE_HOME=home,
        **NO_THROTTLE,
    )


def swept_store(kind: str, folder: Path, server: object | None) -> tuple[Store, Settings]:
    """The swept store of `kind` ("embedded" or "neo4j" on `server`) and its settings."""
    embedded = swept_embedded(folder)
    if kind == "embedded":
        return embedded, embedded.settings
    settings = neo4j_settings_of(server, folder / "neo4j-home")
    store = Neo4jStore(settings)
    replay_into_neo4j(embedded, store, dataset(folder))
    return store, settings
