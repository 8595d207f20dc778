"""Sweep upkeep on both stores: a sweep whose process was killed is marked failed on the next
server start and on the next sweep; retention deletes old sweeps' scores and models but never
what is current."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from stalled_sweep import stalled_sweep
from test_sweep import install_frame, unit_month_frame
from unit_month_examples import clean_frame

from app.infrastructure.stores.contract import SweepRecord, SweepStatus
from app.infrastructure.sweep_lock import lock_holder, sweep_lock
from app.presentation.api.main import create_app
from app.services.sweep import new_sweep_id
from app.services.sweep_upkeep import ABANDONED, prune_sweeps, sweep_with_upkeep
from app.settings import get_settings


@pytest.fixture
def swept(store, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The store serving a small fleet's unit-month frame (as in test_sweep)."""
    monkeypatch.setenv("MRVTRACE_HOME", str(store.settings.home))
    get_settings.cache_clear()
    install_frame(store, unit_month_frame())
    yield store
    get_settings.cache_clear()


def _kill_a_sweep_midway(store, tmp_path: Path) -> None:
    with stalled_sweep(store, tmp_path, locked=True) as child:
        assert lock_holder(store.settings)["pid"] == child.pid


def test_a_killed_sweep_is_marked_failed_when_the_server_starts(swept, tmp_path: Path) -> None:
    first = sweep_with_upkeep(swept, keep=10)
    _kill_a_sweep_midway(swept, tmp_path)
    killed = swept.list_sweeps()[0]
    assert killed.status == SweepStatus.RUNNING and lock_holder(swept.settings) is None
    with TestClient(create_app(swept.settings, swept)) as client:
        body = client.get("/ready").json()
    assert body["last_sweep"]["sweep_id"] == killed.sweep_id
    assert body["last_sweep"]["status"] == "failed"
    assert body["last_sweep"]["error"] == ABANDONED
    assert body["sweep_running"] is None
    assert swept.current_sweep().sweep_id == first.sweep_id


def _abandoned_sweep(store) -> SweepRecord:
    """What a killed sweep leaves: a record still running and no process holding the lock."""
    record = SweepRecord(sweep_id=new_sweep_id(), started="2020-01-01T00:00:00+00:00")
    store.begin_sweep(record)
    return record


def test_an_abandoned_sweep_is_marked_failed_by_the_next_sweep(swept) -> None:
    abandoned = _abandoned_sweep(swept)
    with sweep_lock(swept.settings):
        record = sweep_with_upkeep(swept, keep=10)
    assert record.status == SweepStatus.PUBLISHED
    marked = swept.get_sweep(abandoned.sweep_id)
    assert marked.status == SweepStatus.FAILED and marked.error == ABANDONED
    assert marked.ended is not None


def test_a_running_sweep_holding_the_lock_is_left_alone_at_start(swept) -> None:
    running = _abandoned_sweep(swept)
    with sweep_lock(swept.settings), TestClient(create_app(swept.settings, swept)):
        assert swept.get_sweep(running.sweep_id).status == SweepStatus.RUNNING


def test_retention_keeps_the_newest_and_what_is_current(swept) -> None:
    install_frame(swept, clean_frame(n_units=12, months=8, seed=3))
    oldest = sweep_with_upkeep(swept, keep=1, full=True)
    older = sweep_with_upkeep(swept, keep=1, full=True)
    # Only the newest full sweep is left: the older one's scores and models are gone.
    assert [r.sweep_id for r in swept.list_sweeps()] == [older.sweep_id]
    assert swept.stored_sweep_ids() == {older.sweep_id}
    assert swept.load_model(oldest.sweep_id) is None
    frame = swept.read_unit_months()
    changed = frame.copy()
    periods = sorted(set(frame["period"]))
    rows = (changed["unit_id"] == "00000007") & (changed["period"] == periods[3])
    changed.loc[rows, "coal_consumption_t"] *= 1000
    install_frame(swept, changed)
    newest = sweep_with_upkeep(swept, keep=1)
    assert newest.periods == periods[3:5]
    # Beyond the one kept, the older sweep stays: its results are current for the other
    # periods and the newest reuses its model.
    assert [r.sweep_id for r in swept.list_sweeps()] == [newest.sweep_id, older.sweep_id]
    assert swept.stored_sweep_ids() == {newest.sweep_id, older.sweep_id}
    assert swept.load_model(older.sweep_id) is not None
    # Asked directly, the store still refuses to delete a sweep whose results are current.
    assert swept.delete_sweeps([newest.sweep_id, older.sweep_id]) == []
    scores = swept.read_unit_month_scores(flagged_only=False)
    assert len(scores) == len(frame)
    assert set(scores["period"]) == set(frame["period"])


def test_retention_deletes_failed_sweeps_and_their_partial_scores(swept) -> None:
    current = sweep_with_upkeep(swept, keep=1, full=True)
    failed = SweepRecord(sweep_id=new_sweep_id(), started="2020-01-01T00:00:00+00:00")
    swept.begin_sweep(failed)
    period = swept.read_unit_months()["period"].min()
    rows = swept.read_unit_month_scores([period], flagged_only=False)
    no_nodes = swept.read_node_scores("no-such-unit", [period])
    no_checks = swept.read_check_scores("no-such-unit", [period])
    swept.write_scores(failed.sweep_id, rows, no_nodes, no_checks)
    failed.status = SweepStatus.FAILED
    swept.fail_sweep(failed)
    assert failed.sweep_id in swept.stored_sweep_ids()
    assert prune_sweeps(swept, keep=1) == [failed.sweep_id]
    assert swept.stored_sweep_ids() == {current.sweep_id}
    assert [r.sweep_id for r in swept.list_sweeps()] == [current.sweep_id]
