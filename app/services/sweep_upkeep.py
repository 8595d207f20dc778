"""Sweep upkeep: sweeps whose process died are marked failed, and sweeps beyond the retention
are deleted with their scores and models.

A running sweep always holds the sweep lock (app.infrastructure.sweep_lock), and the OS frees
the lock when its process dies. So whoever holds the lock knows that every other sweep still
recorded as `running` has lost its process.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from app.infrastructure.stores.contract import Store, SweepRecord, SweepStatus
from app.infrastructure.sweep_lock import SweepAlreadyRunning, sweep_lock
from app.services.knowledge.indexing import refresh_after_sweep
from app.services.sweep import run_sweep
from app.settings import Settings, get_settings
from engine.policy import ScoringPolicy

# The stage after the sweep proper: progress reports it under this name.
KNOWLEDGE_STAGE = "refreshing the knowledge base (findings, statuses, guidance)"
log = logging.getLogger(__name__)
ABANDONED = "abandoned: the sweep's process died (the sweep lock's owner is gone)"


def fail_abandoned_sweeps(store: Store) -> list[str]:
    """Mark failed every sweep still recorded as running; call only while holding the sweep
    lock. Returns their ids."""
    abandoned = [r for r in store.list_sweeps() if r.status == SweepStatus.RUNNING]
    for record in abandoned:
        record.status = SweepStatus.FAILED
        record.ended = datetime.now(UTC).isoformat(timespec="seconds")
        record.error = ABANDONED
        store.fail_sweep(record)
    if abandoned:
        log.warning(
            "sweeps marked failed: their process died",
            extra={"event": "sweeps_abandoned", "sweep_ids": [r.sweep_id for r in abandoned]},
        )
    return [r.sweep_id for r in abandoned]


def fail_abandoned_at_start(store: Store, settings: Settings) -> list[str]:
    """At server start: mark abandoned sweeps failed, unless a live sweep holds the lock (it
    did so itself when it began). Never raises: upkeep must not keep the server from serving."""
    try:
        with sweep_lock(settings):
            return fail_abandoned_sweeps(store)
    except SweepAlreadyRunning:
        return []
    except Exception:
        log.exception("abandoned sweeps could not be checked at start-up")
        return []


def prune_sweeps(store: Store, keep: int) -> list[str]:
    """Delete the sweeps older than the `keep` newest, with their scores and models; never the
    current sweep, the sweep whose model it uses, or a running one (the store also keeps any
    sweep whose results are current for a period). Returns the ids deleted."""
    sweeps = store.list_sweeps()
    current = store.current_sweep()
    protected = {current.sweep_id, current.model_version} if current is not None else set()
    doomed = [
        r.sweep_id
        for r in sweeps[keep:]
        if r.sweep_id not in protected and r.status != SweepStatus.RUNNING
    ]
    deleted = store.delete_sweeps(doomed) if doomed else []
    if deleted:
        log.info(
            "old sweeps deleted",
            extra={"event": "sweeps_pruned", "sweep_ids": deleted, "keep": keep},
        )
    return deleted


def sweep_with_upkeep(
    store: Store,
    keep: int,
    periods: Sequence[str] | None = None,
    full: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    on_begin: Callable[[SweepRecord], None] | None = None,
    policy: ScoringPolicy | None = None,
) -> SweepRecord:
    """A sweep with its upkeep; call only while holding the sweep lock. Abandoned sweeps are
    marked failed first, and once this one is published the sweeps beyond `keep` go and the
    knowledge base is re-indexed on its findings."""
    fail_abandoned_sweeps(store)
    record = run_sweep(
        store, periods=periods, full=full, progress=progress, on_begin=on_begin, policy=policy
    )
    prune_sweeps(store, keep)
    # Also after a sweep that scored nothing: the findings' review statuses and the guidance
    # folder may have changed since the last index, and what did not is not embedded again.
    settings = get_settings()
    report = progress if settings.kb_refresh_on_sweep else None
    if report is not None:
        report(KNOWLEDGE_STAGE, 0, 1)
    refresh_after_sweep(store, settings)
    if report is not None:
        report(KNOWLEDGE_STAGE, 1, 1)
    return record
