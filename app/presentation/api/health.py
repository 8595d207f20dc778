"""Liveness (`GET /health`) and readiness (`GET /ready`: store reachable, schema applied, no
load half-written)."""

import logging

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.infrastructure.stores.contract import StoreUnavailable, SweepRecord
from app.infrastructure.sweep_lock import lock_holder
from app.presentation.api.deps import SettingsDep, StoreDep
from app.presentation.api.problems import PROBLEM_RESPONSES, STORE_UNAVAILABLE, Problem
from app.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class LastSweep(BaseModel):
    sweep_id: str
    status: str
    started: str
    ended: str | None
    error: str


class Ready(BaseModel):
    status: str
    store: str
    server_version: str
    edition: str
    schema_applied: bool
    last_sweep: LastSweep | None
    sweep_running: dict[str, str] | None


@router.get("/health", response_model=Health)
def health() -> Health:
    """The process is alive (says nothing about the store)."""
    return Health(status="ok")


@router.get("/ready", response_model=Ready, responses=PROBLEM_RESPONSES)
def ready(request: Request, store: StoreDep, settings: SettingsDep) -> Ready:
    """The store answers, the graph schema is applied and no load is half-done; 503
    problem+json otherwise."""
    try:
        store.ping()
        applied = store.schema_applied()
        if not applied and request.app.state.schema_pending:
            # Start-up could not apply it (store down then): do it now that the store answers.
            store.apply_schema()
            applied = store.schema_applied()
            request.app.state.schema_pending = not applied
        info = store.server_info()
        sweeps = store.list_sweeps()
        ledger = store.load_ledger()
    except StoreUnavailable as error:
        raise Problem(503, str(error), STORE_UNAVAILABLE, "Store unavailable") from error
    if not applied:
        raise Problem(503, "the graph schema is not applied; run `mrvtrace schema apply`")
    if ledger.in_progress:
        # Running, or killed: either way the graph is part old, part new until it finishes.
        raise Problem(
            503,
            f"a load of {ledger.source or 'a dataset'} started {ledger.started} has not "
            "finished; the graph is incomplete until it does (re-run `mrvtrace load` if it "
            "was interrupted)",
            title="Load incomplete",
        )
    return Ready(
        status="ready",
        store=settings.store.value,
        server_version=info["version"],
        edition=info["edition"],
        schema_applied=applied,
        last_sweep=_last_sweep(sweeps[0]) if sweeps else None,
        sweep_running=_running(settings),
    )


def _last_sweep(record: SweepRecord) -> LastSweep:
    return LastSweep(
        sweep_id=record.sweep_id,
        status=record.status.value,
        started=record.started,
        ended=record.ended,
        error=record.error,
    )


def _running(settings: Settings) -> dict[str, str] | None:
    holder = lock_holder(settings)
    return {k: str(v) for k, v in holder.items()} if holder is not None else None
