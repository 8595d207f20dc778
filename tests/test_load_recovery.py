"""Loads that always recover (issue 13): batches sized to the server's transaction memory, a
re-load of the same data writes nothing, a load killed at any point and re-run equals a clean
load (both stores), and readiness says so while a load is incomplete."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from app.infrastructure.stores.contract import LoadLedger, Store
from app.infrastructure.stores.embedded import EmbeddedStore
from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.batch_sizing import (
    BUDGET_SHARE,
    BYTES_PER_VALUE,
    FALLBACK_LIMIT_BYTES,
    LIMIT_SETTINGS,
    VALUES_PER_ROW,
    parse_bytes,
    transaction_limit,
)
from app.presentation.api.main import create_app
from app.services.load_steps import LoadStep, graph_steps
from app.services.loading import LoadReport, load_dataset, read_frames
from app.settings import Settings, StoreKind
from bench.graph_content import graph_content
from graph_schema.labels import NodeLabel
from synthetic.dataset import generate_dataset

# Small enough that a clean load and four killed-and-re-run loads take seconds on Neo4j.
FLEET = {"enterprises": 12, "months": 4, "seed": 3}
# Kill the load once the ledger records this many finished steps (0: as soon as it starts).
KILL_AFTER_STEPS = (0, 11, 25, 33)
# How often the test looks for the stalled load's sign.
POLL_S = 0.05
# Wide rows (the unit-month width) in a number that overran a 1 GB heap's transaction memory.
WIDE_ROWS, WIDE_COLUMNS = 8_000, 44


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fleet") / "data"
    generate_dataset(folder, scale="small", **FLEET)
    return folder


@pytest.fixture(scope="module")
def fleet_steps(fleet: Path) -> list[LoadStep]:
    frames = read_frames(fleet, LoadReport())
    assert frames is not None
    return list(graph_steps(frames))


def test_sizes_parse_as_the_server_writes_them() -> None:
    assert parse_bytes("716.80MiB") == int(716.8 * 1024**2)
    assert parse_bytes("2g") == 2 * 1024**3
    assert parse_bytes("0B") == 0
    assert parse_bytes(None) is None and parse_bytes("unlimited") is None
    assert transaction_limit(["0B", "0B", None]) == FALLBACK_LIMIT_BYTES
    assert transaction_limit(["0B", "512.00MiB", "716.80MiB"]) == 512 * 1024**2


def test_batches_fit_the_transaction_memory_the_server_reports(neo4j_store: Neo4jStore) -> None:
    values = neo4j_store.run_read("server_transaction_memory", names=list(LIMIT_SETTINGS))
    assert {r["name"] for r in values} == set(LIMIT_SETTINGS)
    limit = neo4j_store.transaction_limit()
    assert limit == transaction_limit([r["value"] for r in values])
    for columns in (3, WIDE_COLUMNS, 400):
        rows = neo4j_store.batch_rows(columns)
        assert rows >= 1
        assert rows * (columns + VALUES_PER_ROW) * BYTES_PER_VALUE <= limit * BUDGET_SHARE


def _wide_unit_months(seed: int) -> pd.DataFrame:
    values = np.random.default_rng(seed).random((WIDE_ROWS, WIDE_COLUMNS - 1))
    frame = pd.DataFrame(values, columns=[f"value_{i:02d}" for i in range(WIDE_COLUMNS - 1)])
    frame.insert(0, "key", [f"U{i:05d}|2023-01" for i in range(WIDE_ROWS)])
    return frame


def test_wide_rows_re_upsert_over_an_existing_graph(neo4j_store: Neo4jStore) -> None:
    """The reproducer: a second upsert of wide unit-months over existing nodes used to overrun
    the server's transaction memory (MemoryPoolOutOfMemoryError) at 8,000 rows a batch."""
    for seed in (1, 2):
        frame = _wide_unit_months(seed)
        assert neo4j_store.upsert_nodes(NodeLabel.UNIT_MONTH, frame) == WIDE_ROWS
    stored = neo4j_store.run_read("graph_content_nodes", label=NodeLabel.UNIT_MONTH.value)
    assert len(stored) == WIDE_ROWS
    assert {r["props"]["value_00"] for r in stored} == set(frame["value_00"])


def test_a_reload_of_the_same_dataset_writes_nothing(
    store: Store, fleet: Path, fleet_steps: list[LoadStep]
) -> None:
    first = load_dataset(fleet, store)
    counts, content = store.counts(), graph_content(store, fleet_steps)
    again = load_dataset(fleet, store)
    assert again.total_nodes == 0 and again.total_relationships == 0
    assert again.unchanged_steps == [step.key for step in fleet_steps]
    assert again.rows_loaded == first.rows_loaded
    assert store.counts() == counts
    assert graph_content(store, fleet_steps) == content
    assert not store.load_ledger().in_progress


def test_a_changed_node_frame_rewrites_it_and_the_relationships_it_ends(
    store: Store, fleet: Path, fleet_steps: list[LoadStep], tmp_path: Path
) -> None:
    load_dataset(fleet, store)
    changed = tmp_path / "changed"
    changed.mkdir()
    for path in fleet.iterdir():
        (changed / path.name).write_bytes(path.read_bytes())
    regions = pd.read_csv(changed / "regions.csv", dtype=str, keep_default_na=False)
    regions.loc[0, "name"] = "Renamed"
    regions.to_csv(changed / "regions.csv", index=False)
    report = load_dataset(changed, store)
    rewritten = [s.key for s in fleet_steps if s.key not in report.unchanged_steps]
    assert rewritten == [s.key for s in fleet_steps if NodeLabel.REGION in s.labels], (
        "the regions, and every relationship with a region at one end"
    )
    content = graph_content(store, fleet_steps)
    store.clear()
    load_dataset(changed, store)
    assert graph_content(store, fleet_steps) == content


def _settings_env(settings: Settings) -> dict[str, str]:
    return os.environ | settings.store_environment()


def _load_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "app.presentation.cli.main", "load", str(folder)]


# A load that stalls once its ledger records `steps_done` finished steps, so the test kills it
# there whatever the machine's speed (the store is opened from the environment, as the CLI does).
STALLING_LOAD = """
import sys, time
from pathlib import Path
from app.infrastructure.stores.factory import open_store
from app.services.loading import load_dataset
from app.settings import get_settings

folder, steps_done, ready = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
store = open_store(get_settings())
real_save = store.save_load_ledger

def save_and_stall(ledger):
    real_save(ledger)
    if ledger.in_progress and len(ledger.steps) >= steps_done:
        ready.touch()
        time.sleep(120)

store.save_load_ledger = save_and_stall
load_dataset(folder, store)
"""


def _killed_at(settings: Settings, store: Store, folder: Path, steps_done: int) -> LoadLedger:
    """A load of `folder` killed -9 once its ledger shows `steps_done` finished steps."""
    ready = folder.parent / f"stalled-{steps_done}"
    ready.unlink(missing_ok=True)
    arguments = [str(folder), str(steps_done), str(ready)]
    process = subprocess.Popen(
        [sys.executable, "-c", STALLING_LOAD, *arguments], env=_settings_env(settings)
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(POLL_S)
        assert ready.exists(), f"the load never stalled after {steps_done} steps"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    return store.load_ledger()


@dataclass
class Target:
    settings: Settings
    open: Callable[[], Store]


def _recovers_from_every_kill(target: Target, fleet: Path, steps: list[LoadStep]) -> None:
    store = target.open()
    try:
        store.clear()
        load_dataset(fleet, store)
        clean_counts, clean = store.counts(), graph_content(store, steps)
        for steps_done in KILL_AFTER_STEPS:
            store.clear()
            killed = _killed_at(target.settings, store, fleet, steps_done)
            assert killed.in_progress and len(killed.steps) == steps_done
            rerun = subprocess.run(
                _load_command(fleet), env=_settings_env(target.settings), capture_output=True
            )
            assert rerun.returncode == 0, rerun.stdout.decode()[-2000:]
            assert not store.load_ledger().in_progress
            fresh = target.open()
            try:
                assert fresh.counts() == clean_counts, f"killed after {steps_done} steps"
                assert graph_content(fresh, steps) == clean, f"killed after {steps_done} steps"
            finally:
                fresh.close()
    finally:
        store.close()


def test_a_killed_embedded_load_re_run_equals_a_clean_one(
    tmp_path: Path, fleet: Path, fleet_steps: list[LoadStep]
) -> None:
    settings = Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=tmp_path)
    _recovers_from_every_kill(Target(settings, lambda: EmbeddedStore(settings)), fleet, fleet_steps)


def test_a_killed_neo4j_load_re_run_equals_a_clean_one(
    neo4j_store: Neo4jStore, neo4j_settings: Settings, fleet: Path, fleet_steps: list[LoadStep]
) -> None:
    _recovers_from_every_kill(
        Target(neo4j_settings, lambda: Neo4jStore(neo4j_settings)), fleet, fleet_steps
    )


def test_ready_says_a_load_is_incomplete(store: Store, tmp_path: Path) -> None:
    settings = Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=tmp_path)
    store.save_load_ledger(LoadLedger(started="2026-01-01T00:00:00+00:00", source="medium"))
    with TestClient(create_app(settings, store)) as client:
        reply = client.get("/ready")
        assert reply.status_code == 503
        assert reply.json()["title"] == "Load incomplete"
        assert "medium" in reply.json()["detail"] and "has not finished" in reply.json()["detail"]
        store.save_load_ledger(LoadLedger())
        assert client.get("/ready").status_code == 200
