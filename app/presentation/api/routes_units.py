"""Analyst routes about one unit or edge: `GET /units/{unit_id}`, `GET /units/{unit_id}/why`
and `GET /edges/{edge_id}/trace`."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel

from app.infrastructure.stores.contract import Store
from app.presentation.api.answer_cache import AnswerCache, AnswerKey
from app.presentation.api.deps import SettingsDep, StoreDep
from app.presentation.api.problems import PROBLEM_RESPONSES, Problem
from app.presentation.api.schemas import UnitOut, WhyAnswerOut, WhyList, why_out
from app.presentation.api.security import AnalystScope
from app.services.analysis import NotFound, explain_unit, trace_edge, unit_summary
from graph_schema.period_pattern import PERIOD_PATTERN

JSON = "application/json"
router = APIRouter(tags=["analysis"], responses=PROBLEM_RESPONSES)

UnitId = Annotated[str, Path(description="The unit's id (text; leading zeros matter).")]
Period = Annotated[
    str | None,
    Query(pattern=PERIOD_PATTERN, description="A month `YYYY-MM`.", examples=["2023-03"]),
]


@router.get("/units/{unit_id}", response_model=UnitOut)
def get_unit(unit_id: UnitId, store: StoreDep, scope: AnalystScope) -> UnitOut:
    """The unit's entity chain (unit → enterprise → group → city → province) and its latest
    scores."""
    try:
        return UnitOut.model_validate(unit_summary(store, unit_id, scope))
    except NotFound as error:
        raise Problem(404, str(error)) from None


def _kept(
    request: Request, store: Store, key: AnswerKey, build: Callable[[], BaseModel]
) -> Response:
    """The answer under `key` as the answer cache keeps it for the current results, else built
    (a NotFound becomes a 404, never kept)."""

    def body() -> bytes:
        try:
            return build().model_dump_json(by_alias=True).encode()
        except NotFound as error:
            raise Problem(404, str(error)) from None

    cache: AnswerCache = request.app.state.answer_cache
    return Response(cache.answer(key, store.results_version, body), media_type=JSON)


@router.get("/units/{unit_id}/why", response_model=WhyList)
def why_unit(
    request: Request,
    unit_id: UnitId,
    store: StoreDep,
    settings: SettingsDep,
    scope: AnalystScope,
    period: Period = None,
) -> Response:
    """Why is the unit flagged? The root parameter and month, observed vs expected, the path
    root → symptom, the evidence, systemic sources, the impact in tCO2 and CNY, and a Cypher
    statement to open the same subgraph in Neo4j Browser. Without `period`: every flagged
    month of the unit. Answers are kept by the API's workers, and shared by the workers of one
    `mrvtrace serve` run, until a publish or a load changes the results
    (MRVTRACE_ANSWER_CACHE_ENTRIES, MRVTRACE_ANSWER_CACHE_CHECK_S)."""

    def build() -> WhyList:
        answers = explain_unit(store, unit_id, period, scope, settings.allowance_price_cny)
        return WhyList(unit_id=unit_id, answers=[why_out(a) for a in answers])

    return _kept(request, store, ("why", str(scope), unit_id, period), build)


@router.get("/edges/{edge_id}/trace", response_model=WhyAnswerOut)
def trace(
    edge_id: Annotated[
        str,
        Path(
            description="`unit_id|period|edge_type`, as anomaly and why answers spell it.",
            examples=["00012302|2023-03|statistical:coal_ncv_gj_t->coal_carbon_pct"],
        ),
    ],
    store: StoreDep,
    settings: SettingsDep,
    scope: AnalystScope,
    request: Request,
) -> Response:
    """The root cause behind one data-transfer edge's anomaly, with path and evidence (kept
    as `why` answers are)."""
    return _kept(
        request,
        store,
        ("trace", str(scope), edge_id),
        lambda: why_out(trace_edge(store, edge_id, scope, settings.allowance_price_cny)),
    )
