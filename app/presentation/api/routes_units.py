"""Analyst routes about one unit or edge: `GET /units/{unit_id}`, `GET /units/{unit_id}/why`
and `GET /edges/{edge_id}/trace`."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from app.presentation.api.problems import PROBLEM_RESPONSES, Problem
from app.presentation.api.schemas import UnitOut, WhyAnswerOut, WhyList, why_out
from app.presentation.api.security import AnalystScope
from app.services.analysis import AnalysisStore, NotFound, explain_unit, trace_edge, unit_summary

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
router = APIRouter(tags=["analysis"], responses=PROBLEM_RESPONSES)

UnitId = Annotated[str, Path(description="The unit's id (text; leading zeros matter).")]
Period = Annotated[
    str | None,
    Query(pattern=PERIOD_PATTERN, description="A month `YYYY-MM`.", examples=["2023-03"]),
]


def _store(request: Request) -> AnalysisStore:
    return request.app.state.store  # type: ignore[no-any-return]


def _price(request: Request) -> float:
    return float(request.app.state.settings.allowance_price_cny)


@router.get("/units/{unit_id}", response_model=UnitOut)
def get_unit(unit_id: UnitId, request: Request, scope: AnalystScope) -> UnitOut:
    """The unit's entity chain (unit → enterprise → group → city → province) and its latest
    scores."""
    try:
        return UnitOut.model_validate(unit_summary(_store(request), unit_id, scope))
    except NotFound as error:
        raise Problem(404, str(error)) from None


@router.get("/units/{unit_id}/why", response_model=WhyList)
def why_unit(
    unit_id: UnitId, request: Request, scope: AnalystScope, period: Period = None
) -> WhyList:
    """Why is the unit flagged? The root parameter and month, observed vs expected, the path
    root → symptom, the evidence, systemic sources, the impact in tCO2 and CNY, and a Cypher
    statement to open the same subgraph in Neo4j Browser. Without `period`: every flagged
    month of the unit."""
    try:
        answers = explain_unit(_store(request), unit_id, period, scope, _price(request))
    except NotFound as error:
        raise Problem(404, str(error)) from None
    return WhyList(unit_id=unit_id, answers=[why_out(a) for a in answers])


@router.get("/edges/{edge_id}/trace", response_model=WhyAnswerOut)
def trace(
    edge_id: Annotated[
        str,
        Path(
            description="`unit_id|period|edge_type`, as anomaly and why answers spell it.",
            examples=["00012302|2023-03|statistical:coal_ncv_gj_t->coal_carbon_pct"],
        ),
    ],
    request: Request,
    scope: AnalystScope,
) -> WhyAnswerOut:
    """The root cause behind one data-transfer edge's anomaly, with path and evidence."""
    try:
        return why_out(trace_edge(_store(request), edge_id, scope, _price(request)))
    except NotFound as error:
        raise Problem(404, str(error)) from None
