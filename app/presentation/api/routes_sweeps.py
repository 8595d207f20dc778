"""Sweeps over the API: `POST /sweeps` starts one in a background thread (holding the sweep
lock, so it never overlaps a scheduled or CLI sweep) and answers 202 with its id;
`GET /sweeps` and `GET /sweeps/{sweep_id}` follow them."""

import logging
import threading
from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.infrastructure.stores.contract import Store, SweepRecord
from app.infrastructure.sweep_lock import SweepAlreadyRunning, lock_holder, sweep_lock
from app.presentation.api.deps import SettingsDep, StoreDep
from app.presentation.api.problems import PROBLEM_RESPONSES, Problem
from app.presentation.api.schemas import SweepAccepted, SweepList, SweepOut, sweep_out
from app.presentation.api.security import AnalystScope
from app.services.access import ScopeKind
from app.services.sweep import run_sweep
from app.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["sweeps"], responses=PROBLEM_RESPONSES)
# How long POST /sweeps waits for the sweep to register before giving up on telling its id.
START_TIMEOUT_S = 60.0


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
            run_sweep(store, on_begin=started.begun)
    except SweepAlreadyRunning as error:
        started.error = error
    except Exception as error:
        # The sweep recorded itself as failed; the previous results stay current.
        log.exception("sweep failed")
        started.error = error
    finally:
        started.ready.set()


def _national_only(scope: AnalystScope) -> None:
    # Sweeps rescore every jurisdiction: only a national key may start one.
    if scope.kind != ScopeKind.NATIONAL:
        raise Problem(404, "not found")


@router.post("/sweeps", response_model=SweepAccepted, status_code=202)
def start_sweep(
    store: StoreDep, settings: SettingsDep, response: Response, scope: AnalystScope
) -> SweepAccepted:
    """Start an incremental sweep (periods whose data changed) in the background."""
    _national_only(scope)
    started = _Started()
    worker = threading.Thread(
        target=_run, args=(store, started, settings), name="api-sweep", daemon=True
    )
    worker.start()
    started.ready.wait(START_TIMEOUT_S)
    if started.record is None:
        if isinstance(started.error, SweepAlreadyRunning):
            raise Problem(409, str(started.error))
        raise Problem(503, f"the sweep did not start: {started.error or 'timed out'}")
    href = f"/sweeps/{started.record.sweep_id}"
    response.headers["Location"] = href
    return SweepAccepted(
        sweep_id=started.record.sweep_id, status=started.record.status.value, href=href
    )


@router.get("/sweeps", response_model=SweepList)
def list_sweeps(store: StoreDep, settings: SettingsDep, scope: AnalystScope) -> SweepList:
    """Every sweep, newest first."""
    holder = lock_holder(settings)
    return SweepList(
        items=[sweep_out(r) for r in store.list_sweeps()],
        running={k: str(v) for k, v in holder.items()} if holder is not None else None,
    )


@router.get("/sweeps/{sweep_id}", response_model=SweepOut)
def get_sweep(
    sweep_id: Annotated[str, Path(description="A sweep id.")],
    store: StoreDep,
    scope: AnalystScope,
) -> SweepOut:
    """One sweep: status, periods, counts and timings."""
    record = store.get_sweep(sweep_id)
    if record is None:
        raise Problem(404, f"no sweep {sweep_id}")
    return sweep_out(record)
