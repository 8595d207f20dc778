"""The review routes' models at the boundary: findings, their events, decisions and
statistics."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.presentation.api.schemas import WhyAnswerOut
from app.services.review_states import DismissalReason, FindingStatus


class FindingOut(BaseModel):
    """One finding: a unit-month's problem named by its root parameter, with its status."""

    finding_id: str
    unit_id: str
    period: str
    root_parameter: str
    status: FindingStatus
    version: int = Field(description="Send it back as `expected_version` with a decision.")
    enterprise_id: str | None = None
    province_code: str | None = None
    region_code: str | None = None
    score: float | None = None
    priority: float | None = Field(None, description="Score × CO2 impact (tCO2): the order.")
    impact_t: float | None = None
    flagged_now: bool | None = Field(None, description="Whether the current sweep flags it.")
    opened: str
    updated: str
    assignee: str | None = None
    reason_code: str | None = None
    revision: int | None = Field(None, description="The unit-month's revision last checked.")
    returned_revision: int | None = None
    last_sweep_id: str | None = None


class FindingPage(BaseModel):
    items: list[FindingOut]
    next_cursor: str | None = None


class ReviewEventOut(BaseModel):
    """One change of a finding, as recorded (events are never edited)."""

    event_id: str
    finding_id: str
    version: int
    at: str
    actor: str
    role: str
    jurisdiction: str
    from_status: FindingStatus | None = None
    to_status: FindingStatus
    reason_code: str | None = None
    comment: str | None = None
    revision: int | None = None


class FindingDetailOut(BaseModel):
    finding: FindingOut
    history: list[ReviewEventOut]
    next_statuses: list[FindingStatus] = Field(
        description="The statuses this key may move the finding to now."
    )
    trace: WhyAnswerOut | None = Field(
        None, description="Why the unit-month is flagged; null when no longer flagged."
    )


class DecisionIn(BaseModel):
    """A decision on a finding, made on the version the reviewer saw."""

    model_config = ConfigDict(extra="forbid")

    to_status: FindingStatus
    expected_version: int = Field(
        ge=1, le=2**31 - 1, description="The finding's `version` when decided."
    )
    reason_code: DismissalReason | None = Field(None, description="Required to dismiss.")
    comment: str = Field("", max_length=4000)


class DecisionOut(BaseModel):
    finding: FindingOut
    event: ReviewEventOut


class ReviewStatsRow(BaseModel):
    province_code: str
    period: str
    flagged: int
    judged: int
    confirmed: int
    dismissed: int
    returned: int
    median_hours_to_decision: float | None
    audit_returns: int = Field(description="Unit-months resubmitted as a later revision.")
    audit_returns_change: int = Field(description="Against the province's previous month.")


class ReviewStats(BaseModel):
    items: list[ReviewStatsRow]
    audit_return_trend: dict[str, float] = Field(
        description="Per province, least-squares audit returns per month (negative: falling)."
    )


def model_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with missing values as None, ready for the models above."""
    return [{k: (None if v is None or v != v else v) for k, v in row.items()} for row in rows]


class RulePrecision(BaseModel):
    kind: str = Field(description="`rule` (a check id) or `edge_type`.")
    name: str
    judged: int = Field(description="Judged findings in which it fired.")
    confirmed: int
    dismissed: int
    precision: float = Field(description="confirmed / judged.")
    reasons: dict[str, int] = Field(description="Dismissals by reason code.")


class RulePrecisionList(BaseModel):
    max_p: float
    items: list[RulePrecision]


class VerifierYearFull(BaseModel):
    verifier_id: str
    year: int
    enterprises_verified: int
    confirmed_findings_without_nonconformity: int
    verified_co2_t: float
    corrected_share: float
    finding_ids: list[str] = Field(description="The confirmed findings counted.")


class LabYearFull(BaseModel):
    lab_id: str
    year: int
    reports: int
    reports_in_confirmed_findings: int
    report_date_anomalies: int
    finding_ids: list[str] = Field(description="The confirmed findings citing its reports.")


class Oversight(BaseModel):
    verifiers: list[VerifierYearFull]
    labs: list[LabYearFull]
