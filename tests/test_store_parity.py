"""Both stores, loaded and swept on their own from one small generated fleet, answer alike:
the same findings CSV, the same `why` for every flagged unit-month, the same anomaly pages."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from app.infrastructure.stores.contract import AnomalyFilters, Store
from app.infrastructure.stores.embedded import EmbeddedStore
from app.infrastructure.stores.neo4j import Neo4jStore
from app.presentation.api.schemas import why_out
from app.services.access import Scope, ScopeKind
from app.services.analysis import anomalies_page, explain_unit, systemic_sources
from app.services.findings_export import write_findings
from app.services.loading import load_dataset
from app.services.sweep import run_sweep
from app.settings import Settings, StoreKind
from synthetic.dataset import generate_dataset
from tests.conftest import Neo4jServer

NATIONAL = Scope(ScopeKind.NATIONAL)
PAGE = 25


def _swept(store: Store, data: Path) -> Store:
    store.clear()
    store.apply_schema()
    load_dataset(data, store)
    run_sweep(store, full=True)
    return store


@pytest.fixture(scope="module")
def stores(
    neo4j_server: Neo4jServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Store]]:
    folder = tmp_path_factory.mktemp("parity")
    data = folder / "small"
    generate_dataset(data, scale="small", seed=11, fault_rate=0.04, months=8)
    embedded = EmbeddedStore(
        Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=folder / "embedded")
    )
    user, password = neo4j_server.auth or ("neo4j", "")
    neo4j = Neo4jStore(
        Settings(
            NEO4J_URI=neo4j_server.uri,
            NEO4J_USER=user,
            NEO4J_PASSWORD=password,
            NEO4J_DATABASE=neo4j_server.database,
            MRVTRACE_STORE=StoreKind.NEO4J,
            MRVTRACE_HOME=folder / "neo4j",
        )
    )
    try:
        yield _swept(embedded, data), _swept(neo4j, data)
    finally:
        neo4j.close()


def _flags(store: Store) -> list[tuple[str, str]]:
    flagged = store.read_unit_month_scores(flagged_only=True)
    return sorted(zip(flagged["unit_id"].astype(str), flagged["period"].astype(str), strict=True))


def _all_anomalies(store: Store) -> pd.DataFrame:
    pages, cursor = [], None
    while True:
        page, cursor = anomalies_page(store, AnomalyFilters(), PAGE, cursor, NATIONAL)
        pages.append(page)
        if cursor is None:
            return pd.concat(pages, ignore_index=True)


def _why(store: Store, unit_id: str, period: str) -> dict[str, Any]:
    return why_out(explain_unit(store, unit_id, period, NATIONAL)[0]).model_dump()


def test_the_fleet_has_flags_to_compare(stores: tuple[Store, Store]) -> None:
    embedded, neo4j = stores
    assert len(_flags(embedded)) >= 10
    assert _flags(embedded) == _flags(neo4j)


def test_findings_csvs_are_identical(stores: tuple[Store, Store], tmp_path: Path) -> None:
    written = [write_findings(s, tmp_path / f"{i}.csv") for i, s in enumerate(stores)]
    assert written[0] == written[1] > 0
    assert (tmp_path / "0.csv").read_bytes() == (tmp_path / "1.csv").read_bytes()


def test_why_answers_are_identical_for_every_flagged_unit_month(
    stores: tuple[Store, Store],
) -> None:
    embedded, neo4j = stores
    for store in stores:
        # Why answers name the systemic sources computed for the current sweep.
        systemic_sources(store, None, NATIONAL)
    flags = _flags(embedded)
    differing = [f for f in flags if _why(embedded, *f) != _why(neo4j, *f)]
    assert not differing, f"{len(differing)} of {len(flags)} why answers differ: {differing[:5]}"


def test_anomaly_pages_are_identical(stores: tuple[Store, Store]) -> None:
    pages = [_all_anomalies(s) for s in stores]
    assert len(pages[0]) == len(_flags(stores[0]))
    pd.testing.assert_frame_equal(pages[0], pages[1], check_dtype=False)
