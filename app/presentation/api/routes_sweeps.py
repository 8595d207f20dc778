"""Sweeps over the API: `POST /sweeps` starts one in a background thread (holding the sweep
lock, so it never overlaps a scheduled or CLI sweep) and answers 202 with its id;
`GET /sweeps` (cursor pages, newest first) and `GET /sweeps/{sweep_id}` follow them.

Only a national key starts a sweep, at most one runs at a time, and the next may start
`MRVTRACE_SWEEP_MIN_INTERVAL_S` after the last one began: 429 problem+json otherwise. A regional
key reads its own jurisdiction's counts of each sweep, never the national totals.

The app keeps its sweep threads: at shutdown it waits for them (the upkeep after publishing,
pruning old sweeps and re-indexing the knowledge base, still uses the store) before the store
closes.
"""

import logging
import math
import threading
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query, Request, Response

from app.infrastructure.stores.contract import Store, SweepRecord
from app.infrastructure.sweep_lock import SweepAlreadyRunning, lock_holder, sweep_lock
from app.presentation.api.deps import SettingsDep, StoreDep
from app.presentation.api.problems import PROBLEM_RESPONSES, Problem
from app.presentation.api.schemas import SweepAccepted, SweepList, SweepOut, sweep_out
from app.presentation.api.security import AnalystScope
from app.services.access import Scope, ScopeKind
from app.services.analysis import MAX_PAGE
from app.services.page_cursors import BadCursor
from app.services.sweep_pages import sweeps_page
from app.services.sweep_upkeep import sweep_with_upkeep
from app.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["sweeps"], responses=PROBLEM_RESPONSES)
# How long POST /sweeps waits for the sweep to register before giving up on telling its id.
START_TIMEOUT_S = 60.0
# What a 429 tells the client to wait while a sweep runs (sweeps take minutes).
RETRY_WHILE_RUNNING_S = 60


class _Started:
    """Tells the request thread the new sweep's record as soon as the sweep registers it
    (run_sweep makes up the id itself), or why it did not start."""

    def __init__(self) -> None:
        self.record: SweepRecord | None = None
        self.error: BaseException | None = None
        self.ready = threading.Event()

    def begun(self, record: SweepRecord) -> None:
        self.record = record
        self.ready.set()


def _run(store: Store, started: _Started, settings: Settings) -> None:
    try:
        with sweep_lock(settings):
            sweep_with_upkeep(store, settings.keep_sweeps, on_begin=started.begun)
    except SweepAlreadyRunning as error:
        started.error = error
    except Exception as error:
        # The sweep recorded itself as failed; the previous results stay current.
        log.exception("sweep failed")
        started.error = error
    finally:
        started.ready.set()


def _national_only(scope: Scope) -> None:
    # Sweeps rescore every jurisdiction: only a national key may start one.
    if scope.kind != ScopeKind.NATIONAL:
        raise Problem(404, "not found")


def _too_many(detail: str, retry_after_s: float) -> HTTPException:
    return HTTPException(
        429, detail, headers={"Retry-After": str(max(1, math.ceil(retry_after_s)))}
    )


def _throttle(store: Store, settings: Settings) -> None:
    """429 while a sweep runs, or sooner than the least interval after the last one began."""
    holder = lock_holder(settings)
    if holder is not None:
        raise _too_many(str(SweepAlreadyRunning(holder)), RETRY_WHILE_RUNNING_S)
    latest = store.list_sweeps()[:1]
    if not latest:
        return
    since = datetime.now(UTC) - datetime.fromisoformat(latest[0].started)
    wait = settings.sweep_min_interval_s - since.total_seconds()
    if wait > 0:
        raise _too_many(
            f"the last sweep began {since.total_seconds():.0f} s ago; sweeps start at most "
            f"every {settings.sweep_min_interval_s:.0f} s",
            wait,
        )


def wait_for_sweeps(app: FastAPI, timeout_s: float) -> None:
    """Wait up to `timeout_s` for the sweep threads the app started; log those still running."""
    deadline = time.monotonic() + timeout_s
    for worker in app.state.sweep_workers:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            log.warning("shutting down with a sweep still running; it will show as failed")


@router.post("/sweeps", response_model=SweepAccepted, status_code=202)
def start_sweep(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    response: Response,
    scope: AnalystScope,
) -> SweepAccepted:
    """Start an incremental sweep (periods whose data changed) in the background; national keys
    only, one at a time (429 with Retry-After otherwise)."""
    _national_only(scope)
    _throttle(store, settings)
    started = _Started()
    worker = threading.Thread(
        target=_run, args=(store, started, settings), name="api-sweep", daemon=True
    )
    workers = request.app.state.sweep_workers
    workers[:] = [w for w in workers if w.is_alive()]
    workers.append(worker)
    worker.start()
    started.ready.wait(START_TIMEOUT_S)
    if started.record is None:
        if isinstance(started.error, SweepAlreadyRunning):
            raise _too_many(str(started.error), RETRY_WHILE_RUNNING_S)
        raise Problem(503, f"the sweep did not start: {started.error or 'timed out'}")
    href = f"/sweeps/{started.record.sweep_id}"
    response.headers["Location"] = href
    return SweepAccepted(
        sweep_id=started.record.sweep_id, status=started.record.status.value, href=href
    )


def _scoped_out(record: SweepRecord, scope: Scope) -> SweepOut:
    """The sweep as `scope` may see it: a regional key gets its own counts and no fleet-wide
    findings (patterns name units and shares of the whole fleet)."""
    out = sweep_out(record)
    if scope.kind == ScopeKind.NATIONAL:
        return out
    return out.model_copy(
        update={"counts": dict(record.scope_counts.get(str(scope), {})), "patterns": []}
    )


@router.get("/sweeps", response_model=SweepList)
def list_sweeps(
    store: StoreDep,
    settings: SettingsDep,
    scope: AnalystScope,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> SweepList:
    """Sweeps, newest first, one page at a time."""
    try:
        page, next_cursor = sweeps_page(store, limit, cursor)
    except BadCursor as error:
        # Any text is a well-formed cursor; one this service did not give names no page.
        raise Problem(404, f"cursor: {error}") from None
    holder = lock_holder(settings)
    return SweepList(
        items=[_scoped_out(r, scope) for r in page],
        next_cursor=next_cursor,
        running={k: str(v) for k, v in holder.items()} if holder is not None else None,
    )


@router.get("/sweeps/{sweep_id}", response_model=SweepOut)
def get_sweep(
    sweep_id: Annotated[str, Path(description="A sweep id.")],
    store: StoreDep,
    scope: AnalystScope,
) -> SweepOut:
    """One sweep: status, periods, counts (the caller's jurisdiction's) and timings."""
    record = store.get_sweep(sweep_id)
    if record is None:
        raise Problem(404, f"no sweep {sweep_id}")
    return _scoped_out(record, scope)
