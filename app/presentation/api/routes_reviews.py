"""The review loop's routes: `GET /findings` (the caller's queue), `GET /findings/{id}` (trace
and history), `POST /findings/{id}/events` (a decision; 409 with the current state when the
finding changed since the version decided on) and `GET /reviews/stats`,
`GET /rules/precision` and `GET /reviews/oversight` (verifiers and labs, for supervisors)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from app.infrastructure.stores.contract import FindingConflict
from app.presentation.api.deps import SettingsDep, StoreDep
from app.presentation.api.problems import PROBLEM_RESPONSES, Problem, problem_response
from app.presentation.api.review_schemas import (
    DecisionIn,
    DecisionOut,
    FindingDetailOut,
    FindingOut,
    FindingPage,
    LabYearFull,
    Oversight,
    ReviewEventOut,
    ReviewStats,
    ReviewStatsRow,
    RulePrecision,
    RulePrecisionList,
    VerifierYearFull,
    model_rows,
)
from app.presentation.api.schemas import records, why_out
from app.presentation.api.security import ReviewActor
from app.services.access import Role
from app.services.analysis import NotFound
from app.services.oversight import oversight
from app.services.page_cursors import BadCursor
from app.services.review_precision import DEFAULT_MAX_P, rule_precision
from app.services.review_states import Decision, DecisionRefused, FindingStatus
from app.services.review_stats import review_stats
from app.services.reviews import MAX_QUEUE_PAGE, QueueFilters, decide, finding_detail, findings_page

router = APIRouter(tags=["reviews"], responses=PROBLEM_RESPONSES)
FindingId = Annotated[str, Path(description="A finding's id, as the queue lists it.")]
STALE_DECISION = "urn:mrvtrace:problem:stale-decision"


@router.get("/findings", response_model=FindingPage)
def list_findings(
    store: StoreDep,
    actor: ReviewActor,
    status: FindingStatus | None = None,
    region: Annotated[str | None, Query(description="A city or province code.")] = None,
    min_priority: Annotated[float | None, Query(ge=0.0)] = None,
    min_age_days: Annotated[
        float | None, Query(ge=0.0, le=36_500.0, description="Open at least this many days.")
    ] = None,
    assignee: Annotated[str | None, Query(description="The reviewer who took it.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_QUEUE_PAGE)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> FindingPage:
    """The caller's review queue: findings of its jurisdiction, highest priority first."""
    filters = QueueFilters(status, region, min_priority, min_age_days, assignee)
    try:
        page, next_cursor = findings_page(store, filters, limit, cursor, actor)
    except BadCursor as error:
        raise Problem(404, f"cursor: {error}") from None
    items = [FindingOut.model_validate(row) for row in model_rows(page)]
    return FindingPage(items=items, next_cursor=next_cursor)


@router.get("/findings/{finding_id}", response_model=FindingDetailOut)
def get_finding(
    finding_id: FindingId, store: StoreDep, settings: SettingsDep, actor: ReviewActor
) -> FindingDetailOut:
    """One finding, its history oldest first, the statuses this key may move it to, and the
    trace of its unit-month."""
    try:
        detail = finding_detail(store, finding_id, actor, settings.allowance_price_cny)
    except NotFound as error:
        raise Problem(404, str(error)) from None
    return FindingDetailOut(
        finding=FindingOut.model_validate(model_rows([detail.finding])[0]),
        history=[ReviewEventOut.model_validate(e) for e in model_rows(detail.history)],
        next_statuses=detail.next_statuses,
        trace=why_out(detail.trace) if detail.trace else None,
    )


@router.post(
    "/findings/{finding_id}/events",
    response_model=DecisionOut,
    status_code=201,
    responses={409: {"description": "The finding changed since `expected_version`."}},
)
def post_event(
    finding_id: FindingId,
    body: DecisionIn,
    request: Request,
    store: StoreDep,
    actor: ReviewActor,
) -> DecisionOut | JSONResponse:
    """Decide on a finding: take it into review, confirm, dismiss (reason and comment), return
    to the enterprise, escalate, close. 409 with the finding's current state when it is no
    longer at `expected_version`; 403 when this key's role may not make the change."""
    decision = Decision(body.to_status, body.reason_code, body.comment)
    try:
        finding, event = decide(store, finding_id, body.expected_version, decision, actor)
    except NotFound as error:
        raise Problem(404, str(error)) from None
    except FindingConflict as conflict:
        current = FindingOut.model_validate(model_rows([conflict.current])[0])
        return problem_response(
            request,
            409,
            f"{conflict}; decided on version {body.expected_version}",
            STALE_DECISION,
            "Stale decision",
            current=current.model_dump(mode="json"),
        )
    except DecisionRefused as refused:
        raise Problem(403, str(refused)) from None
    return DecisionOut(
        finding=FindingOut.model_validate(model_rows([finding])[0]),
        event=ReviewEventOut.model_validate(model_rows([event])[0]),
    )


@router.get("/reviews/stats", response_model=ReviewStats)
def stats(store: StoreDep, actor: ReviewActor) -> ReviewStats:
    """Per province and month of the caller's jurisdiction: flagged, judged, confirmed,
    dismissed and returned findings, the median hours from flag to decision, and the audit
    returns of the data (resubmitted unit-months) with their change and trend."""
    table, trend = review_stats(store, actor.scope)
    items = [ReviewStatsRow.model_validate(row) for row in model_rows(records(table))]
    return ReviewStats(items=items, audit_return_trend=trend)


@router.get("/rules/precision", response_model=RulePrecisionList)
def precision(
    store: StoreDep,
    actor: ReviewActor,
    max_p: Annotated[float, Query(gt=0.0, le=1.0, description="A check fired at p ≤ this.")] = (
        DEFAULT_MAX_P
    ),
) -> RulePrecisionList:
    """Per rule and per edge type, the judged findings of the caller's jurisdiction in which
    it fired, confirmed vs dismissed (with the reasons): what a rule's owner reviews. Nothing
    retunes itself from it."""
    table = rule_precision(store, actor.scope, max_p)
    items = [RulePrecision.model_validate(row) for row in records(table)]
    return RulePrecisionList(max_p=max_p, items=items)


@router.get("/reviews/oversight", response_model=Oversight)
def verifier_and_lab_oversight(store: StoreDep, actor: ReviewActor) -> Oversight:
    """Per verifier and year, and per lab and year, over the caller's jurisdiction, with the
    confirmed findings counted (`/public/verifiers` and `/public/labs` give the counts only).
    Supervisors only: 403 for other roles."""
    if actor.role is not Role.SUPERVISOR:
        raise Problem(403, "the verifier and lab evaluation in full is for supervisor keys")
    verifiers, labs = oversight(store, actor.scope)
    return Oversight(
        verifiers=[VerifierYearFull.model_validate(r) for r in records(verifiers)],
        labs=[LabYearFull.model_validate(r) for r in records(labs)],
    )
