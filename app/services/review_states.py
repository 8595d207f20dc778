"""The review loop's status machine: which change of a finding's status a caller may make,
and what the change writes (the finding's new fields and its event).

    open → in_review (city) → confirmed | dismissed (reason code and comment)
    confirmed → escalated (province) → closed
    confirmed | escalated → returned (to the enterprise)
    returned → resolved | open (only the sweep, on the unit-month's next revision)

A reviewer takes, releases and judges findings; a supervisor does all of that too, and, with
a province or national key, escalates and closes; a read-only key decides nothing. Scope is
not checked here: a finding outside the caller's jurisdiction never reaches this module (the
store query does not return it).
"""

from dataclasses import dataclass
from enum import StrEnum

from app.infrastructure.stores.contract import Row
from app.services.access import Role, Scope, ScopeKind
from graph_schema.review import FindingStatus, review_event_id


class DismissalReason(StrEnum):
    """Why a reviewer dismissed a finding: what `GET /rules/precision` counts per rule."""

    DATA_CORRECT = "data_correct"
    KNOWN_CONDITION = "known_condition"
    DUPLICATE = "duplicate"
    RULE_MISFIRE = "rule_misfire"
    OTHER = "other"


@dataclass(frozen=True)
class Transition:
    roles: frozenset[Role]
    # Only a province or national key may make it (the province's part of the review).
    province_level: bool = False


_JUDGES = frozenset({Role.REVIEWER, Role.SUPERVISOR})
_SUPERVISORS = frozenset({Role.SUPERVISOR})
S = FindingStatus
TRANSITIONS: dict[tuple[FindingStatus, FindingStatus], Transition] = {
    (S.OPEN, S.IN_REVIEW): Transition(_JUDGES),
    (S.IN_REVIEW, S.OPEN): Transition(_JUDGES),
    (S.IN_REVIEW, S.CONFIRMED): Transition(_JUDGES),
    (S.IN_REVIEW, S.DISMISSED): Transition(_JUDGES),
    (S.CONFIRMED, S.RETURNED): Transition(_JUDGES),
    (S.CONFIRMED, S.ESCALATED): Transition(_SUPERVISORS, province_level=True),
    (S.ESCALATED, S.RETURNED): Transition(_SUPERVISORS, province_level=True),
    (S.ESCALATED, S.CLOSED): Transition(_SUPERVISORS, province_level=True),
    (S.DISMISSED, S.OPEN): Transition(_SUPERVISORS),
}
# The sweep's own changes, never a caller's.
SWEEP_TRANSITIONS = frozenset({(S.RETURNED, S.RESOLVED), (S.RETURNED, S.OPEN)})
SWEEP_ACTOR = "sweep"
SWEEP_ROLE = "system"


class DecisionRefused(ValueError):
    """A change this caller may not make on this finding (422 at the API, with the reason)."""


@dataclass(frozen=True)
class Decision:
    to_status: FindingStatus
    reason_code: DismissalReason | None = None
    comment: str = ""


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    scope: Scope


def allowed_next(status: FindingStatus, actor: Actor) -> list[FindingStatus]:
    """The statuses `actor` may move a finding of `status` to (what a page offers)."""
    return [
        to
        for (start, to), rule in TRANSITIONS.items()
        if start == status and _permitted(rule, actor)
    ]


def _permitted(rule: Transition, actor: Actor) -> bool:
    province_level = actor.scope.kind in (ScopeKind.PROVINCE, ScopeKind.NATIONAL)
    return actor.role in rule.roles and (province_level or not rule.province_level)


def change_of(finding: Row, decision: Decision, actor: Actor, at: str) -> tuple[Row, Row]:
    """(the finding's changed fields, the event) of `decision`; DecisionRefused when the
    status machine or the actor's role does not allow it."""
    current = FindingStatus(str(finding["status"]))
    rule = TRANSITIONS.get((current, decision.to_status))
    if rule is None:
        raise DecisionRefused(f"a finding {current.value} cannot become {decision.to_status.value}")
    if not _permitted(rule, actor):
        raise DecisionRefused(
            f"a {actor.role.value} key of scope {actor.scope} cannot move a finding from "
            f"{current.value} to {decision.to_status.value}"
        )
    if decision.to_status == S.DISMISSED and (
        decision.reason_code is None or not decision.comment.strip()
    ):
        raise DecisionRefused("a dismissal needs a reason_code and a comment")
    return transition(finding, decision, actor.name, actor.role.value, str(actor.scope), at)


def transition(
    finding: Row, decision: Decision, actor: str, role: str, jurisdiction: str, at: str
) -> tuple[Row, Row]:
    """The changed fields and the event of moving `finding` as `decision` says, unchecked:
    callers check first (change_of for a caller, the sweep for its own)."""
    version = int(finding["version"]) + 1
    changes: Row = {"status": decision.to_status.value, "version": version, "updated": at}
    if decision.to_status == S.IN_REVIEW:
        changes["assignee"] = actor
    elif decision.to_status == S.OPEN:
        changes["assignee"] = None
    if decision.to_status == S.DISMISSED:
        changes["reason_code"] = decision.reason_code.value if decision.reason_code else None
    if decision.to_status == S.RETURNED:
        changes["returned_revision"] = finding["revision"]
    event: Row = {
        "event_id": review_event_id(str(finding["finding_id"]), version),
        "finding_id": finding["finding_id"],
        "version": version,
        "at": at,
        "actor": actor,
        "role": role,
        "jurisdiction": jurisdiction,
        "from_status": finding["status"],
        "to_status": decision.to_status.value,
        "reason_code": changes.get("reason_code"),
        "comment": decision.comment,
        "revision": finding["revision"],
    }
    return changes, event
