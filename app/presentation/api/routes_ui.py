"""The analyst's pages: the top anomalies, and the picture of one unit-month's trace.

The pages take the API key like the API does (the `X-API-Key` header), or a session cookie set
by the small sign-in form, so that a person with a plain browser can use them. The cookie holds
a session id, never the key, and the key never goes into a URL: URLs end up in access logs and
browser history. A unit outside the caller's jurisdiction and an unknown unit get the same page.
"""

import json
from html import escape
from typing import Annotated
from urllib.parse import parse_qs, quote

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.infrastructure.stores.contract import AnomalyFilters, Store, StoreUnavailable
from app.presentation.api.deps import SettingsDep, StoreDep
from app.presentation.api.security import API_KEY_HEADER, checked_key
from app.presentation.candidates_text import (
    figures_corrected_with,
    orders_left_broken,
    other_candidates,
    why_flagged,
)
from app.presentation.knowledge_page import render_knowledge_page, search_box
from app.presentation.quantities import format_p_equation
from app.presentation.trace_picture import (
    format_value,
    html_page,
    picture_of_trace,
    render_trace_page,
    root_series,
)
from app.services.access import Scope, ScopeKind, key_ring_from_environment, scope_filter
from app.services.analysis import NotFound, WhyAnswer, anomalies_page, explain_unit
from app.services.knowledge.answers import ask
from app.services.knowledge.search import search
from app.services.sessions import Sessions
from graph_schema.period_pattern import PERIOD_PATTERN
from graph_schema.periods import shift_period

router = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)

SESSION_COOKIE = "mrvtrace_session"
TOP_ANOMALIES = 25
# The plot shows up to this many months before the asked month, and this many after it.
SERIES_MONTHS_BEFORE = 23
SERIES_MONTHS_AFTER = 12


def _scope(request: Request) -> Scope | None:
    """The caller's scope from its key header or its session cookie. Blocking (a key hash)."""
    key = request.headers.get(API_KEY_HEADER)
    if key:
        found = checked_key(request, key)
        return None if found is None else found.scope
    sessions: Sessions = request.app.state.sessions
    return sessions.scope_of(request.cookies.get(SESSION_COOKIE), key_ring_from_environment())


def _sign_in(next_url: str) -> RedirectResponse:
    return RedirectResponse(f"/ui/login?next={quote(next_url, safe='')}", status_code=303)


def _not_found(what: str) -> HTMLResponse:
    body = f'<h1>Not found</h1><p>{escape(what)}</p><p><a href="/ui/">Top anomalies</a></p>'
    return HTMLResponse(html_page("mrvtrace · not found", body), status_code=404)


def _unavailable(error: StoreUnavailable) -> HTMLResponse:
    body = f"<h1>The store does not answer</h1><p>{escape(str(error))}</p>"
    return HTMLResponse(html_page("mrvtrace · unavailable", body), status_code=503)


def _safe_next(next_url: str) -> str:
    # Only our own pages: a sign-in must not bounce the analyst to another site.
    return next_url if next_url.startswith("/ui/") and not next_url.startswith("//") else "/ui/"


@router.get("/login", response_class=HTMLResponse)
def login_form(next: Annotated[str, Query()] = "/ui/", failed: bool = False) -> HTMLResponse:
    """A form that stores the API key in an HTTP-only cookie."""
    notice = '<p class="muted">That key was not accepted.</p>' if failed else ""
    body = (
        "<h1>mrvtrace</h1><p>Enter your API key to see the units of your jurisdiction.</p>"
        f'{notice}<form method="post" action="/ui/login">'
        f'<input type="hidden" name="next" value="{escape(_safe_next(next))}">'
        '<input type="password" name="key" autocomplete="off" size="48" autofocus> '
        '<button type="submit">Sign in</button></form>'
    )
    return HTMLResponse(html_page("mrvtrace · sign in", body))


def _sign_in_with(request: Request, body: bytes) -> Response:
    # Parsed by hand: the form has two fields and python-multipart is not a dependency.
    fields = parse_qs(body.decode("utf-8", errors="replace"))
    next_url = _safe_next(fields.get("next", ["/ui/"])[0])
    found = checked_key(request, fields.get("key", [""])[0])
    if found is None:
        return RedirectResponse(
            f"/ui/login?failed=true&next={quote(next_url, safe='')}", status_code=303
        )
    sessions: Sessions = request.app.state.sessions
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        sessions.open(found.name, found.scope),
        max_age=int(sessions.lifetime_s),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/ui",
    )
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    """Checks the key and opens a session. The body is read here (its size is capped by the
    app's limits); parsing, the key's hash and the session write run in the thread pool."""
    body = await request.body()
    return await run_in_threadpool(_sign_in_with, request, body)


@router.post("/logout")
def logout(request: Request) -> Response:
    """Ends the session of the cookie and drops the cookie."""
    sessions: Sessions = request.app.state.sessions
    sessions.close(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/ui")
    return response


@router.get("/", response_class=HTMLResponse)
def index(request: Request, store: StoreDep) -> Response:
    """The most anomalous unit-months the caller may see, each linking to its picture."""
    scope = _scope(request)
    if scope is None:
        return _sign_in("/ui/")
    if scope.kind == ScopeKind.PUBLIC:
        return _not_found("A public key sees only the public lists.")
    try:
        page, _ = anomalies_page(store, AnomalyFilters(), TOP_ANOMALIES, None, scope)
    except StoreUnavailable as error:
        return _unavailable(error)
    rows = "".join(
        f'<tr><td><a href="/ui/units/{quote(str(r["unit_id"]))}?period={quote(str(r["period"]))}">'
        f"{escape(str(r['unit_id']))}</a></td><td>{escape(str(r['period']))}</td>"
        f"<td>{float(r['score']):.2f}</td><td>{escape(_text(r.get('top_parameter')))}</td>"
        f"<td>{escape(_text(r.get('enterprise_id')))}</td></tr>"
        for r in page.to_dict("records")
    )
    table = (
        '<table class="list"><tr><th>Unit</th><th>Month</th><th>Score</th>'
        f"<th>Top parameter</th><th>Enterprise</th></tr>{rows}</table>"
        if rows
        else '<p class="muted">No flagged unit-months in your jurisdiction.</p>'
    )
    body = (
        f"{search_box()}"
        f'<h1>Top anomalies</h1><p class="muted">Scope: {escape(str(scope))}. '
        f"Open a unit to see its trace.</p>{table}"
    )
    return HTMLResponse(html_page("mrvtrace · top anomalies", body))


def _text(value: object) -> str:
    return "" if value is None or value != value else str(value)


def _facts(answer: WhyAnswer) -> list[tuple[str, str]]:
    trace = answer.trace
    facts = [
        ("Score", "–" if answer.score is None else f"{answer.score:.2f}"),
        ("Status", answer.status),
    ]
    flagged_by = why_flagged(answer)
    if flagged_by:
        facts.append(("Flagged", flagged_by))
    if trace.symptom is not None:
        symptom = trace.symptom
        facts.append(
            (
                "Symptom",
                f"{symptom.parameter} {symptom.period}: observed "
                f"{format_value(symptom.observed)}, expected {format_value(symptom.expected)}"
                + (f" ({symptom.edge_kind} check)" if symptom.edge_kind else ""),
            )
        )
    if trace.root is not None:
        facts.append(("Explained", f"{trace.root.explained_fraction:.0%} of the evidence"))
    if answer.impact is not None:
        impact = answer.impact
        facts.append(
            (
                "Impact",
                f"{format_value(impact.impact_t, 'tCO2')} "
                f"(≈ {format_value(impact.allowance_value_cny, 'CNY')} of allowances)",
            )
        )
    for check in trace.checks[:5]:
        p_text = format_p_equation("p", check.p_value)
        facts.append(("Check " + check.check_id, f"{check.reason} ({p_text})"))
    for finding in answer.systemic:
        periods = ", ".join(str(p) for p in finding["periods"])
        facts.append(
            (
                "Shared source",
                f"{finding['entity_type']} {finding['entity_id']}: its records in {periods} "
                f"are shifted against its peers' "
                f"({format_p_equation('q', float(finding['q_value']))})",
            )
        )
    for pattern in answer.patterns:
        facts.append(
            ("Persistent condition", f"{pattern.get('label')} ({pattern.get('check_id')})")
        )
    moved = figures_corrected_with(trace.moved)
    if moved:
        facts.append(("Wrong with the root", moved))
    left = orders_left_broken(trace.root) if trace.root else ""
    if left:
        facts.append(("Left broken by the root", left))
    alternatives = other_candidates(trace.candidates[1:])
    if alternatives:
        facts.append(("Other candidates", alternatives))
    facts.append(
        (
            "In Neo4j Browser",
            f":params {json.dumps(answer.browser.parameters)} then the why_unit_month favourite",
        )
    )
    return facts


def _series_window(periods: list[str], period: str) -> tuple[str, int] | None:
    """(last month, months before it) of the plotted window, from the unit's own months."""
    last_allowed = shift_period(period, SERIES_MONTHS_AFTER)
    first_allowed = shift_period(period, -SERIES_MONTHS_BEFORE)
    shown = [p for p in periods if first_allowed <= p <= last_allowed]
    if not shown:
        return None
    first, last = shown[0], shown[-1]
    depth = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])
    return last, depth


def _root_series(store: Store, answer: WhyAnswer, scope: Scope) -> pd.DataFrame | None:
    """The root parameter over the unit's months around the root's month."""
    root = answer.trace.root
    if root is None:
        return None
    filters = scope_filter(scope)
    plotted = _series_window(store.unit_periods(answer.unit_id, filters), root.period)
    if plotted is None:
        return None
    found = store.unit_month_window(answer.unit_id, plotted[0], plotted[1], filters)
    return None if found is None else root_series(root.parameter, found)


def _most_anomalous_period(store: Store, unit_id: str, scope: Scope) -> str | None:
    """The unit's most anomalous flagged month (None: none is flagged). NotFound for a unit the
    scope cannot see: the scoped query is asked first, so no other jurisdiction's scores are
    ever read."""
    if store.unit_context(unit_id, scope_filter(scope)) is None:
        raise NotFound(f"no unit {unit_id}")
    flagged = store.read_unit_month_scores(unit_ids=[unit_id], flagged_only=True)
    if flagged.empty:
        return None
    return str(flagged.sort_values("score", ascending=False)["period"].iloc[0])


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    unit_id: str,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> Response:
    """The trace of `unit_id` in `period` (default: its most anomalous flagged month)."""
    scope = _scope(request)
    here = f"/ui/units/{quote(unit_id)}" + (f"?period={period}" if period else "")
    if scope is None:
        return _sign_in(here)
    # One page for every unit the caller cannot see, whether it exists or not.
    not_found = _not_found(f"No unit {unit_id}" + (f" in {period}." if period else "."))
    if scope.kind == ScopeKind.PUBLIC:
        return not_found
    try:
        if period is None:
            period = _most_anomalous_period(store, unit_id, scope)
            if period is None:
                return _not_found(f"Unit {unit_id} has no flagged month.")
        answer = explain_unit(store, unit_id, period, scope, settings.allowance_price_cny)[0]
        series = _root_series(store, answer, scope)
    except NotFound:
        return not_found
    except StoreUnavailable as error:
        return _unavailable(error)
    page = render_trace_page(picture_of_trace(answer.trace, series, _facts(answer)))
    return HTMLResponse(page.replace("<body>", f"<body>{search_box()}", 1))


@router.get("/kb", response_class=HTMLResponse)
def knowledge_page(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """The knowledge base's answer to `q` with its sources, and the ranked passages, in the
    caller's scope (a public key sees the rules and guidance, no findings)."""
    scope = _scope(request)
    if scope is None:
        return _sign_in(f"/ui/kb?q={quote(q)}")
    if not q.strip():
        return HTMLResponse(render_knowledge_page("", None, []))
    filters = scope_filter(scope)
    try:
        answer = ask(store, q, filters)
        hits = search(store, q, filters, limit=10)
    except StoreUnavailable as error:
        return _unavailable(error)
    return HTMLResponse(render_knowledge_page(q, answer, hits))
