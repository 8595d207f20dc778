"""The review loop as callers use it: the queue of a jurisdiction (cursor pages), one finding
with its trace and history, and a decision on it (a compare-and-set on the finding's version).

Scope reaches the store as a filter on every read and write: a finding of another
jurisdiction is NotFound here, exactly like one that does not exist.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.infrastructure.stores.contract import (
    FindingConflict,
    FindingCursor,
    FindingFilters,
    Row,
    Store,
)
from app.infrastructure.stores.review_frames import finding_records
from app.services.access import scope_filter
from app.services.analysis import NotFound, WhyAnswer, explain_unit
from app.services.page_cursors import decode_ranked_cursor, encode_cursor
from app.services.review_states import Actor, Decision, FindingStatus, allowed_next, change_of

MAX_QUEUE_PAGE = 500


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters as a caller gives them; None means no filter."""

    status: FindingStatus | None = None
    region: str | None = None
    min_priority: float | None = None
    min_age_days: float | None = None
    assignee: str | None = None

    def for_store(self, now: datetime) -> FindingFilters:
        opened_before = (
            (now - timedelta(days=self.min_age_days)).isoformat(timespec="microseconds")
            if self.min_age_days is not None
            else None
        )
        status = self.status.value if self.status else None
        return FindingFilters(status, self.region, self.min_priority, opened_before, self.assignee)


def _after(text: str) -> FindingCursor:
    priority, (finding,) = decode_ranked_cursor(text, 2)
    return priority, finding


def findings_page(
    store: Store, filters: QueueFilters, limit: int, cursor: str | None, actor: Actor
) -> tuple[list[Row], str | None]:
    """One page of the caller's queue (priority desc, finding_id) and the next page's cursor
    (None on the last one)."""
    after = _after(cursor) if cursor else None
    found = store.list_findings(
        filters.for_store(datetime.now(UTC)), limit + 1, after, scope_filter(actor.scope)
    )
    page = found[:limit]
    if len(found) <= limit:
        return page, None
    last = page[-1]
    return page, encode_cursor([float(last["priority"] or 0.0), str(last["finding_id"])])


@dataclass(frozen=True)
class FindingDetail:
    finding: Row
    history: list[Row]
    # The statuses the caller may move it to now.
    next_statuses: list[FindingStatus]
    # Why the unit-month is flagged (None when the current sweep no longer explains it).
    trace: WhyAnswer | None


def finding_detail(store: Store, finding_id: str, actor: Actor, price_cny: float) -> FindingDetail:
    """The finding, its history oldest first, and its trace; NotFound outside the scope."""
    scope = scope_filter(actor.scope)
    finding = store.get_finding(finding_id, scope)
    if finding is None:
        raise NotFound(f"no finding {finding_id}")
    history = finding_records(store.read_review_events([finding_id], scope))
    try:
        answers = explain_unit(
            store, str(finding["unit_id"]), str(finding["period"]), actor.scope, price_cny
        )
    except NotFound:
        answers = []
    status = FindingStatus(str(finding["status"]))
    return FindingDetail(finding, history, allowed_next(status, actor), next(iter(answers), None))


def decide(
    store: Store, finding_id: str, expected_version: int, decision: Decision, actor: Actor
) -> tuple[Row, Row]:
    """Apply `decision` to the finding as of `expected_version`: (the finding now, the event).
    NotFound outside the scope; DecisionRefused when the status machine or the role forbids
    it; FindingConflict (with the current finding) when the version is no longer current."""
    scope = scope_filter(actor.scope)
    finding = store.get_finding(finding_id, scope)
    if finding is None:
        raise NotFound(f"no finding {finding_id}")
    # Judged on the version the caller saw: a stale decision is a conflict, not a refusal.
    if finding["version"] != expected_version:
        raise FindingConflict(finding)
    changes, event = change_of(finding, decision, actor, now_text())
    changed = store.record_review_event(finding_id, expected_version, changes, event, scope)
    if changed is None:
        raise NotFound(f"no finding {finding_id}")
    return changed, event
