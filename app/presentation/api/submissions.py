"""`POST /submissions/validate`: the pre-submission check (docs/domain.md part 2, "before").

One `unit_month` row as typed by the enterprise is checked at once against the unit's history
and its peers of the month, by the current sweep's engine (its fitted edges, nulls and
conventions), exactly as the sweep would score it. Nothing is written.
"""

import json
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.infrastructure.stores.contract import NATIONAL_FILTER, Store
from app.presentation.api.deps import StoreDep
from app.presentation.api.problems import PROBLEM_MEDIA_TYPE, Problem, ProblemDetail
from app.presentation.api.security import AnalystScope
from app.services.access import scope_filter
from app.services.sweep import load_engine
from engine.catalogue import check_info
from graph_schema.parameters import ParameterKind, parameter_names
from graph_schema.periods import window
from loaders.contract import (
    DATE_PATTERN,
    FIRST_DATE,
    FIRST_PERIOD,
    LAST_DATE,
    LAST_PERIOD,
    PERIOD_PATTERN,
)
from loaders.formulas import propagate

router = APIRouter(prefix="/submissions", tags=["submissions"])

REPORTED = parameter_names(ParameterKind.REPORTED)
# Checks weaker than this are not worth showing to someone typing a submission.
SHOWN_P = 0.05
# Months of history the checks read before the checked one (year-on-year jumps: 12).
HISTORY_MONTHS = 13


class UnitMonthSubmission(BaseModel):
    """One row of the contract's `unit_month` table."""

    # JSON NaN and Infinity are not figures: 422, never a row that scores as clean.
    model_config = ConfigDict(allow_inf_nan=False)

    unit_id: str = Field(min_length=1, max_length=64, examples=["00012302"])
    period: str = Field(
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        # The schema states the range itself; the validators below say it in words.
        json_schema_extra={"pattern": PERIOD_PATTERN},
        examples=["2024-03"],
        description=f"YYYY-MM, within the data contract's range {FIRST_PERIOD} to {LAST_PERIOD}.",
    )
    revision: int = Field(1, ge=1)
    coal_consumption_t: float | None = None
    coal_ncv_gj_t: float | None = None
    coal_carbon_pct: float | None = None
    oxidation_rate: float | None = None
    purchased_electricity_mwh: float | None = None
    power_generation_mwh: float | None = None
    power_supply_mwh: float | None = None
    heat_supply_gj: float | None = None
    operating_hours: float | None = None
    reported_co2_t: float | None = None
    carbon_report_id: str | None = Field(None, max_length=64)
    submitted_on: str | None = Field(
        None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        json_schema_extra={"pattern": DATE_PATTERN},
        description=f"YYYY-MM-DD, within {FIRST_DATE} to {LAST_DATE}.",
    )

    @field_validator("period")
    @classmethod
    def _period_in_range(cls, period: str) -> str:
        if not FIRST_PERIOD <= period <= LAST_PERIOD:
            raise ValueError(f"period outside the contract's range {FIRST_PERIOD} to {LAST_PERIOD}")
        return period

    @field_validator("submitted_on")
    @classmethod
    def _date_in_range(cls, day: str | None) -> str | None:
        if day is None:
            return None
        if not FIRST_DATE <= day <= LAST_DATE:
            raise ValueError(f"date outside the contract's range {FIRST_DATE} to {LAST_DATE}")
        if pd.isna(pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")):
            raise ValueError("not a calendar date")
        return day


class CheckResult(BaseModel):
    check_id: str = Field(description="A rule id or a data-transfer edge type.")
    reason: str
    evidence: str
    parameter: str
    child: str = Field(description="The parameter the check points at.")
    expected: float | None
    residual: float | None = Field(description="On the log scale.")
    p_value: float
    score: float


class Candidate(BaseModel):
    parameter: str
    period: str
    score: float
    expected: float | None = None


class RowStatus(StrEnum):
    CLEAN = "clean"
    FLAGGED = "flagged"
    # The row lacks figures the checks need, so it cannot be called clean.
    INCOMPLETE = "incomplete"


class ValidationResult(BaseModel):
    unit_id: str
    period: str
    score: float = Field(description="1 − the row's combined p-value, in [0, 1].")
    p_value: float = Field(description="The row's combined p-value against the fleet's nulls.")
    flagged: bool = Field(
        description="Please re-check: the row would be flagged by the sweep's engine."
    )
    complete: bool = Field(
        description="False when the row lacks the figures the checks need: it is not clean."
    )
    missing: list[str] = Field(
        description="Reported figures the row leaves empty; any makes the row incomplete."
    )
    status: RowStatus = Field(
        description="flagged when the engine would flag the row, else incomplete when a "
        "reported figure is missing, else clean."
    )
    candidates: list[Candidate] = Field(description="Parameters most likely wrong, best first.")
    checks: list[CheckResult] = Field(description="The checks that spoke, strongest first.")
    model_version: str = Field(description="The engine (sweep) the row was checked with.")


def _optional(value: Any) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def candidate_frame(history: pd.DataFrame, submission: UnitMonthSubmission) -> pd.DataFrame:
    """The unit's history with the submitted month in place of its stored one (if any):
    unit attributes and external data are kept, reported inputs replaced, derived recomputed."""
    period_rows = history[history["period"] == submission.period]
    base = (period_rows if len(period_rows) else history.tail(1)).iloc[[0]].copy()
    base["period"] = submission.period
    base["revision"] = submission.revision
    if not len(period_rows):
        # A new month has no external measurements or test report yet.
        unknown = parameter_names(ParameterKind.EXTERNAL) + parameter_names(ParameterKind.EVIDENCE)
        base[[c for c in unknown if c in base]] = np.nan
    for name in REPORTED:
        base[name] = np.nan if getattr(submission, name) is None else getattr(submission, name)
    values = {name: base[name].to_numpy(dtype=float) for name in REPORTED}
    derived = propagate(
        values,
        base["capacity_mw"].to_numpy(dtype=float),
        base["hours_in_month"].to_numpy(dtype=float),
    )
    for name, value in derived.items():
        base[name] = value
    rest = history[history["period"] != submission.period]
    return pd.concat([rest, base], ignore_index=True).sort_values("period").reset_index(drop=True)


def validate_submission(store: Store, submission: UnitMonthSubmission) -> ValidationResult:
    current = store.current_sweep()
    engine = load_engine(store, current.model_version) if current else None
    if current is None or engine is None:
        raise Problem(409, "no sweep has fitted an engine yet: run `mrvtrace sweep` first")
    # The unit's history and its peers of the month: what history and peer checks read.
    periods = window(submission.period, HISTORY_MONTHS)
    frame = store.scoped_unit_months(periods, NATIONAL_FILTER)
    frame = frame.assign(unit_id=frame["unit_id"].astype(str), period=frame["period"].astype(str))
    history = frame[frame["unit_id"] == submission.unit_id]
    if len(history) == 0:
        raise HTTPException(404, f"unknown unit {submission.unit_id!r}")
    checked = candidate_frame(history, submission)
    fleet = pd.concat([frame[frame["unit_id"] != submission.unit_id], checked], ignore_index=True)
    result = engine.score(fleet, [submission.period])
    rows = result.unit_months
    row = rows[rows["unit_id"] == submission.unit_id].iloc[0]
    checks = result.checks[result.checks["unit_id"] == submission.unit_id]
    spoke = checks[checks["p"] <= SHOWN_P].sort_values("p")
    p_value = float(row["p_value"])
    policy = engine.policy
    flagged = bool(p_value <= policy.false_alarm_share and row["top_parameter"] is not None)
    # Every check reads some reported figure: a row missing one cannot be called clean.
    missing = [name for name in REPORTED if getattr(submission, name) is None]
    complete = not missing
    status = RowStatus.FLAGGED if flagged else RowStatus.CLEAN if complete else RowStatus.INCOMPLETE
    return ValidationResult(
        unit_id=submission.unit_id,
        period=submission.period,
        score=1.0 - p_value,
        p_value=p_value,
        flagged=flagged,
        complete=complete,
        missing=missing,
        status=status,
        candidates=[Candidate(**c) for c in json.loads(str(row["candidates"] or "[]"))],
        checks=[
            CheckResult(
                check_id=str(c.check_id),
                reason=check_info(str(c.check_id)).label,
                evidence=str(c.evidence),
                parameter=str(c.child),
                child=str(c.child),
                expected=_optional(c.expected),
                residual=_optional(c.residual),
                p_value=float(c.p),
                score=float(c.score),
            )
            for c in spoke.itertuples()
        ],
        model_version=current.model_version,
    )


_PROBLEM: dict[str, Any] = {
    "model": ProblemDetail,
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}},
}


@router.post(
    "/validate",
    response_model=ValidationResult,
    responses={
        404: _PROBLEM | {"description": "No such unit in the caller's jurisdiction."},
        409: _PROBLEM | {"description": "No sweep has fitted an engine yet."},
        422: _PROBLEM
        | {"description": "The row is not a contract row (NaN, Infinity, period out of range)."},
    },
)
def validate(
    submission: UnitMonthSubmission,
    store: StoreDep,
    scope: AnalystScope,
) -> ValidationResult:
    """Check one `unit_month` row before it is submitted; writes nothing."""
    # A unit outside the caller's jurisdiction does not exist for it (404, not 403).
    if store.unit_context(submission.unit_id, scope_filter(scope)) is None:
        raise Problem(404, f"no unit {submission.unit_id}")
    return validate_submission(store, submission)
