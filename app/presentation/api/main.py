"""The FastAPI app factory: a lifespan that owns the store, problem+json errors, offline docs.

Routers of other concerns are added to ROUTERS; `create_app` includes each of them.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Depends, FastAPI

from app.infrastructure.observability import install_observability
from app.infrastructure.stores.contract import Store, StoreUnavailable
from app.infrastructure.stores.factory import open_store
from app.presentation.api import (
    health,
    routes_anomalies,
    routes_browser,
    routes_checklist,
    routes_inspection,
    routes_knowledge,
    routes_public,
    routes_reviews,
    routes_sweeps,
    routes_ui,
    routes_ui_reviews,
    routes_units,
    submissions,
)
from app.presentation.api.answer_cache import AnswerCache
from app.presentation.api.docs import document_problems, install_docs
from app.presentation.api.limits import SizeLimits, single_valued_query
from app.presentation.api.problems import install_problem_handlers
from app.presentation.api.shared_answers import SharedAnswers
from app.services.key_attempts import KeyAttempts
from app.services.sessions import Sessions
from app.services.sweep_upkeep import fail_abandoned_at_start
from app.settings import Settings, get_settings

log = logging.getLogger(__name__)
# At shutdown a sweep started over the API gets this long to finish before the store closes
# (a sweep cut short shows as failed; the previous results stay current).
SWEEP_SHUTDOWN_WAIT_S = 600.0

ROUTERS: list[APIRouter] = [
    health.router,
    routes_units.router,
    routes_anomalies.router,
    routes_checklist.router,
    routes_reviews.router,
    routes_inspection.router,
    routes_sweeps.router,
    routes_public.router,
    routes_ui.router,
    routes_ui_reviews.router,
    submissions.router,
    routes_browser.router,
    routes_knowledge.router,
]


def _version() -> str:
    try:
        return version("mrvtrace")
    except PackageNotFoundError:
        return "0+unknown"


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The API app. With `store` given the caller owns it; else the app opens and closes one."""
    chosen = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        graph = store if store is not None else open_store(chosen)
        app.state.settings = chosen
        app.state.store = graph
        app.state.schema_pending = False
        try:
            graph.apply_schema()
        except StoreUnavailable as error:
            # Serve anyway: /ready reports 503 and applies the schema once the store answers.
            log.warning("schema not applied at start-up: %s", error)
            app.state.schema_pending = True
        else:
            # A sweep whose process died shows as failed, not as running forever.
            fail_abandoned_at_start(graph, chosen)
        try:
            yield
        finally:
            await asyncio.to_thread(routes_sweeps.wait_for_sweeps, app, SWEEP_SHUTDOWN_WAIT_S)
            if store is None:
                graph.close()

    app = FastAPI(
        title="mrvtrace",
        summary="Knowledge-graph anomaly tracing for carbon-market emission data",
        version=_version(),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(single_valued_query)],
    )
    app.state.sweep_workers = []
    shared_path = chosen.answer_cache_shared_path
    app.state.answer_cache = AnswerCache(
        chosen.answer_cache_entries,
        chosen.answer_cache_check_s,
        shared=SharedAnswers(shared_path, chosen.answer_cache_entries) if shared_path else None,
    )
    app.state.key_attempts = KeyAttempts(chosen.key_failures_per_minute)
    app.state.sessions = Sessions(chosen.home / "sessions.sqlite3", chosen.session_hours * 3600)
    app.state.browser_origins = chosen.allowed_browser_origins
    # Inside the request-id and metrics middleware (so a refusal is logged and counted), and
    # outside every route: an oversized request is refused before any work.
    app.add_middleware(
        SizeLimits, max_body_bytes=chosen.max_body_bytes, max_header_bytes=chosen.max_header_bytes
    )
    install_observability(app, chosen)
    install_problem_handlers(app)
    install_docs(app)
    for router in ROUTERS:
        app.include_router(router)
    document_problems(app)
    return app


# For `uvicorn app.presentation.api.main:app --factory`.
app = create_app
