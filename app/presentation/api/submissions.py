"""`POST /submissions/validate`: the pre-submission check (docs/domain.md part 2, "before").

One `unit_month` row as typed by the enterprise is checked at once against the unit's history,
its peers' learned edge models (those of the current sweep) and the rules, exactly as the sweep
would score it. Nothing is written.
"""

import json
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from app.infrastructure.stores.contract import Store
from app.presentation.api.deps import StoreDep
from app.presentation.api.problems import Problem
from app.presentation.api.security import AnalystScope
from app.services.access import scope_filter
from app.services.sweep import load_models
from graph_schema.parameters import ParameterKind, parameter_names
from loaders.formulas import propagate
from models.edge_models import score_all_edges
from models.node_scores import score_nodes
from models.rule_engine import evaluate_rules
from models.unit_month_scores import FLAG_THRESHOLD, score_unit_months

router = APIRouter(prefix="/submissions", tags=["submissions"])

REPORTED = parameter_names(ParameterKind.REPORTED)
# Edges and nodes weaker than this are not worth showing to someone typing a submission.
SHOWN_MIN_SCORE = 0.3


class UnitMonthSubmission(BaseModel):
    """One row of the contract's `unit_month` table."""

    unit_id: str = Field(min_length=1, examples=["00012302"])
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2024-03"])
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
    carbon_report_id: str | None = None
    submitted_on: str | None = None


class RuleResult(BaseModel):
    rule_id: str
    family: str
    severity: int
    parameter: str
    value: float | None
    expected: float | None
    score: float


class EdgeResult(BaseModel):
    edge_type: str
    kind: str
    parent: str
    child: str
    expected: float | None
    residual: float | None
    z: float | None
    score: float


class Candidate(BaseModel):
    parameter: str
    period: str
    score: float


class ValidationResult(BaseModel):
    unit_id: str
    period: str
    score: float = Field(description="Anomaly score of the unit-month in [0, 1].")
    flagged: bool = Field(description=f"True when score ≥ {FLAG_THRESHOLD}: please re-check.")
    candidates: list[Candidate] = Field(description="Parameters most likely wrong, best first.")
    rules: list[RuleResult]
    edges: list[EdgeResult]
    model_version: str | None = Field(description="Edge models used (None: rules only).")


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
    frame = store.read_unit_months()
    frame["unit_id"] = frame["unit_id"].astype(str)
    frame["period"] = frame["period"].astype(str)
    history = frame[frame["unit_id"] == submission.unit_id]
    if len(history) == 0:
        raise HTTPException(404, f"unknown unit {submission.unit_id!r}")
    checked = candidate_frame(history, submission)
    peers = pd.concat([frame[frame["unit_id"] != submission.unit_id], checked], ignore_index=True)
    # Peer rules compare with the fleet, so the rules see every unit, the checked one included.
    rules = evaluate_rules(peers, [submission.period])
    rules = rules[rules["unit_id"].astype(str) == submission.unit_id]
    current = store.current_sweep()
    models = load_models(store, current.model_version) if current else None
    edges = (
        score_all_edges(peers, models, [submission.period])
        if models is not None
        else pd.DataFrame(columns=["unit_id", "period", "edge_type", "kind", "score"])
    )
    edges = edges[edges["unit_id"] == submission.unit_id]
    row = checked[checked["period"] == submission.period]
    nodes = score_nodes(row, edges, rules) if len(edges) else pd.DataFrame()
    summary = score_unit_months(nodes) if len(nodes) else pd.DataFrame()
    shown = edges[edges["score"] >= SHOWN_MIN_SCORE].sort_values("score", ascending=False)
    if len(summary):
        score = float(summary["score"].iloc[0])
    else:
        score = float(rules["score"].max()) if len(rules) else 0.0
    return ValidationResult(
        unit_id=submission.unit_id,
        period=submission.period,
        score=score,
        flagged=score >= FLAG_THRESHOLD,
        candidates=json.loads(summary["candidates"].iloc[0]) if len(summary) else [],
        rules=[
            RuleResult(
                rule_id=str(r.rule_id),
                family=str(r.family),
                severity=int(r.severity),
                parameter=str(r.parameter),
                value=_optional(r.value),
                expected=_optional(r.expected),
                score=float(r.score),
            )
            for r in rules.sort_values("score", ascending=False).itertuples()
        ],
        edges=[
            EdgeResult(
                edge_type=e.edge_type,
                kind=e.kind,
                parent=e.parent,
                child=e.child,
                expected=_optional(e.expected),
                residual=_optional(e.residual),
                z=_optional(e.z),
                score=float(e.score),
            )
            for e in shown.itertuples()
        ],
        model_version=models.version if models is not None else None,
    )


@router.post("/validate", response_model=ValidationResult)
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
