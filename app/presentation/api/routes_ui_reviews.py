"""The review pages: the caller's queue (`/ui/reviews`), one finding with its trace link,
history and decision form (`/ui/reviews/{finding_id}`), and the form's target
(`POST /ui/reviews/{finding_id}/decide`), which redirects back to the finding.

They sign in like the other pages (the session cookie, or the `X-API-Key` header); the key's
role decides which statuses the form offers. A finding outside the caller's jurisdiction and
an unknown one get the same page. A decision made on a stale version shows the finding as it
now is, with a notice, and changes nothing.
"""

from html import escape
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.infrastructure.stores.contract import FindingConflict, Row, Store, StoreUnavailable
from app.presentation.api.deps import SettingsDep, StoreDep
from app.presentation.api.routes_ui import SESSION_COOKIE
from app.presentation.api.security import API_KEY_HEADER, checked_key
from app.presentation.quantities import format_value
from app.presentation.trace_picture import html_page
from app.services.access import ApiKey, ScopeKind, key_ring_from_environment
from app.services.analysis import NotFound
from app.services.review_states import (
    Actor,
    Decision,
    DecisionRefused,
    DismissalReason,
    FindingStatus,
)
from app.services.reviews import QueueFilters, decide, finding_detail, findings_page
from app.services.sessions import Sessions

router = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)
QUEUE_PAGE = 100
_HISTORY = ("version", "at", "actor", "role", "jurisdiction", "from_status", "to_status")


def _key(request: Request) -> ApiKey | None:
    """The caller's key from its header or its session cookie. Blocking (a key hash)."""
    presented = request.headers.get(API_KEY_HEADER)
    if presented:
        return checked_key(request, presented)
    sessions: Sessions = request.app.state.sessions
    return sessions.key_of(request.cookies.get(SESSION_COOKIE), key_ring_from_environment())


def _actor(request: Request) -> Actor | None:
    found = _key(request)
    if found is None or found.scope.kind == ScopeKind.PUBLIC:
        return None
    return Actor(found.name, found.role, found.scope)


def _sign_in(next_url: str) -> RedirectResponse:
    return RedirectResponse(f"/ui/login?next={quote(next_url, safe='')}", status_code=303)


def _text(value: object) -> str:
    return "–" if value is None or value != value else str(value)


def _shown(value: object, unit: str = "") -> str:
    """A fact as a person reads it: numbers grouped with their unit, the rest as text."""
    if isinstance(value, float):
        return format_value(value, unit)
    return _text(value)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html_page(f"mrvtrace · {title}", body), status_code=status)


def _not_found() -> HTMLResponse:
    body = '<h1>Not found</h1><p>No such finding.</p><p><a href="/ui/reviews">Queue</a></p>'
    return _page("not found", body, 404)


@router.get("/reviews", response_class=HTMLResponse)
def queue_page(request: Request, store: StoreDep, status: FindingStatus | None = None) -> Response:
    """The caller's queue, highest priority first."""
    actor = _actor(request)
    if actor is None:
        return _sign_in("/ui/reviews")
    try:
        page, _ = findings_page(store, QueueFilters(status), QUEUE_PAGE, None, actor)
    except StoreUnavailable as error:
        return _page(
            "unavailable", f"<h1>The store does not answer</h1><p>{escape(str(error))}</p>", 503
        )
    rows = "".join(
        f'<tr class="finding"><td><a href="/ui/reviews/{quote(str(f["finding_id"]))}">'
        f"{escape(str(f['finding_id']))}</a></td><td>{escape(str(f['unit_id']))}</td>"
        f"<td>{escape(str(f['period']))}</td><td>{escape(str(f['root_parameter']))}</td>"
        f'<td class="status">{escape(str(f["status"]))}</td>'
        f"<td>{escape(_shown(f['priority']))}</td><td>{escape(_text(f['assignee']))}</td></tr>"
        for f in page
    )
    filters = " · ".join(
        f'<a href="/ui/reviews?status={s.value}">{s.value}</a>' for s in FindingStatus
    )
    table = (
        '<table class="list" id="queue"><tr><th>Finding</th><th>Unit</th><th>Month</th>'
        "<th>Root parameter</th><th>Status</th><th>Priority</th><th>Assignee</th></tr>"
        f"{rows}</table>"
        if rows
        else '<p class="muted">No findings here.</p>'
    )
    body = (
        f'<h1>Review queue</h1><p class="muted">{escape(actor.name)}, {escape(actor.role.value)}'
        f", scope {escape(str(actor.scope))}. "
        f'<a href="/ui/reviews">all</a> · {filters}</p>{table}'
    )
    return _page("review queue", body)


def _form(finding: Row, next_statuses: list[FindingStatus]) -> str:
    if not next_statuses:
        return '<p class="muted" id="no-decision">This key makes no decision on it.</p>'
    options = "".join(f'<option value="{s.value}">{s.value}</option>' for s in next_statuses)
    reasons = '<option value="">–</option>' + "".join(
        f'<option value="{r.value}">{r.value}</option>' for r in DismissalReason
    )
    action = f"/ui/reviews/{quote(str(finding['finding_id']))}/decide"
    return (
        f'<form method="post" action="{action}" id="decision">'
        f'<input type="hidden" name="expected_version" value="{int(finding["version"])}">'
        f'<label>New status <select name="to_status">{options}</select></label> '
        f'<label>Reason (to dismiss) <select name="reason_code">{reasons}</select></label><br>'
        '<label>Comment <input type="text" name="comment" size="60"></label> '
        '<button type="submit">Record decision</button></form>'
    )


def _finding_page(
    store: Store, finding_id: str, actor: Actor, price: float, notice: str
) -> Response:
    try:
        detail = finding_detail(store, finding_id, actor, price)
    except NotFound:
        return _not_found()
    finding = detail.finding
    units = {"impact_t": "tCO2"}
    facts = "".join(
        f"<tr><td>{escape(name)}</td>"
        f"<td>{escape(_shown(finding[name], units.get(name, '')))}</td></tr>"
        for name in (
            "unit_id",
            "period",
            "root_parameter",
            "status",
            "version",
            "assignee",
            "province_code",
            "region_code",
            "score",
            "priority",
            "impact_t",
            "revision",
        )
    )
    history = "".join(
        '<tr class="event">'
        + "".join(f"<td>{escape(_text(event[name]))}</td>" for name in _HISTORY)
        + f"<td>{escape(_text(event['comment']))}</td></tr>"
        for event in detail.history
    )
    trace = (
        f'<p><a id="trace" href="/ui/units/{quote(str(finding["unit_id"]))}?period='
        f'{quote(str(finding["period"]))}">Trace of this unit-month</a></p>'
        if detail.trace is not None
        else '<p class="muted">The current sweep no longer flags this unit-month.</p>'
    )
    header = "".join(f"<th>{escape(name)}</th>" for name in (*_HISTORY, "comment"))
    body = (
        f'<p><a href="/ui/reviews">Queue</a></p>{notice}'
        f'<h1 id="headline">Finding {escape(finding_id)}: '
        f'<span id="status">{escape(str(finding["status"]))}</span></h1>'
        f'<table class="facts">{facts}</table>{trace}'
        f"<h2>Decision</h2>{_form(finding, detail.next_statuses)}"
        f'<h2>History</h2><table class="list" id="history"><tr>{header}</tr>{history}</table>'
    )
    return _page(f"finding {finding_id}", body)


@router.get("/reviews/{finding_id}", response_class=HTMLResponse)
def finding_page(
    request: Request,
    finding_id: Annotated[str, Path()],
    store: StoreDep,
    settings: SettingsDep,
    conflict: Annotated[bool, Query()] = False,
) -> Response:
    """One finding: its facts, the link to its trace, the decision form and its history."""
    actor = _actor(request)
    if actor is None:
        return _sign_in(f"/ui/reviews/{quote(finding_id, safe='')}")
    notice = (
        '<p class="muted" id="notice">Someone decided on this finding meanwhile: here it is '
        "as it now is; decide again.</p>"
        if conflict
        else ""
    )
    return _finding_page(store, finding_id, actor, settings.allowance_price_cny, notice)


def _decide_with(request: Request, store: Store, finding_id: str, body: bytes) -> Response:
    actor = _actor(request)
    here = f"/ui/reviews/{quote(finding_id, safe='')}"
    if actor is None:
        return _sign_in(here)
    # Parsed by hand, as the sign-in form is: python-multipart is not a dependency.
    fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", errors="replace")).items()}
    try:
        decision = Decision(
            FindingStatus(fields.get("to_status", "")),
            DismissalReason(fields["reason_code"]) if fields.get("reason_code") else None,
            fields.get("comment", ""),
        )
        version = int(fields.get("expected_version", ""))
    except ValueError:
        return _page("bad decision", "<h1>Not a decision</h1>", 422)
    try:
        decide(store, finding_id, version, decision, actor)
    except NotFound:
        return _not_found()
    except FindingConflict:
        return RedirectResponse(f"{here}?conflict=true", status_code=303)
    except DecisionRefused as refused:
        page = '<h1>Refused</h1><p id="refused">' + escape(str(refused)) + "</p>"
        return _page("refused", page, 403)
    return RedirectResponse(here, status_code=303)


@router.post("/reviews/{finding_id}/decide")
async def decide_form(
    request: Request, finding_id: Annotated[str, Path()], store: StoreDep
) -> Response:
    """Records the form's decision and goes back to the finding."""
    body = await request.body()
    return await run_in_threadpool(_decide_with, request, store, finding_id, body)
