"""The review loop's records, spelled once: a `Finding` (one problem of one unit-month, named by
its root parameter, with its status) and its `ReviewEvent`s (every change, appended, never
edited). Both stores keep them in the graph beside the unit-month they are about; these are
the columns of the frames that cross the store boundary.
"""

import hashlib
from enum import StrEnum


class FindingStatus(StrEnum):
    """A finding's statuses (app.services.review_states says which change leads where)."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    ESCALATED = "escalated"
    CLOSED = "closed"
    RETURNED = "returned"
    RESOLVED = "resolved"


FINDING_COLUMNS: list[str] = [
    "finding_id",
    "unit_id",
    "period",
    "root_parameter",
    "status",
    # Counts the finding's events: a change names the version it was decided on (409 if stale).
    "version",
    "enterprise_id",
    "province_code",
    "region_code",
    "score",
    "priority",
    "impact_t",
    # Whether the current sweep still flags this unit-month on this root parameter.
    "flagged_now",
    "opened",
    "updated",
    "assignee",
    "reason_code",
    # The unit-month's revision when the sweep last checked it, and when it was returned.
    "revision",
    "returned_revision",
    "last_sweep_id",
]
FINDING_TEXT_COLUMNS: tuple[str, ...] = (
    "finding_id",
    "unit_id",
    "period",
    "root_parameter",
    "status",
    "enterprise_id",
    "province_code",
    "region_code",
    "opened",
    "updated",
    "assignee",
    "reason_code",
    "last_sweep_id",
)
FINDING_FLOAT_COLUMNS: tuple[str, ...] = ("score", "priority", "impact_t")
FINDING_INT_COLUMNS: tuple[str, ...] = ("version", "revision", "returned_revision")

REVIEW_EVENT_COLUMNS: list[str] = [
    "event_id",
    "finding_id",
    # The finding's version this event made (1 for the event that opened it).
    "version",
    "at",
    "actor",
    "role",
    "jurisdiction",
    "from_status",
    "to_status",
    "reason_code",
    "comment",
    "revision",
]


def finding_id(unit_id: str, period: str, root_parameter: str) -> str:
    """The stable id of a finding: the same unit, month and root parameter keep it across
    sweeps, whatever else changes."""
    text = f"{unit_id}|{period}|{root_parameter}"
    return "F" + hashlib.sha256(text.encode()).hexdigest()[:15]


def review_event_id(finding: str, version: int) -> str:
    """An event's id: its finding and the version it made, so a replay cannot add it twice."""
    return f"{finding}-{version}"
