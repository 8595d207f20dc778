"""Response models of the analyst and public API (pydantic, with OpenAPI examples), and their
construction from the analysis service's dataclasses and frames."""

import math
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from app.infrastructure.stores.contract import SweepRecord
from app.services.analysis import BrowserStatement, WhyAnswer

UNIT_ID_EXAMPLE = "00012302"
PERIOD_EXAMPLE = "2023-03"


def number(value: object) -> float | None:
    """A finite float, or None for missing and non-finite values."""
    if value is None or isinstance(value, str):
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


class Hop(BaseModel):
    parameter: str
    period: str
    key: str
    observed: float | None
    expected: float | None
    score: float | None = Field(
        description="How loudly the month's checks speak at this parameter, in [0, 1]: its "
        "own score as a root candidate or its strongest check's, whichever is higher. A hop "
        "whose expected equals its observed value is a figure the root's checks read (where "
        "the anomaly shows), not a wrong one."
    )
    edge_kind: str | None = Field(None, description="Kind of the edge that led to this node.")
    edge_type: str | None = Field(
        None,
        description="The data-transfer edge of graph_schema that led to this node; or, where "
        "the schema's route passes a figure the data lacks, the rule id of the symptom's check "
        "that reads the previous hop directly (LOG-039 from the heat input to the gross).",
    )


class Candidate(BaseModel):
    parameter: str
    period: str
    key: str
    observed: float | None
    expected: float | None
    score: float | None = Field(
        description="How strongly the month's checks point at this parameter alone being "
        "wrong, in [0, 1]."
    )
    explained_fraction: float | None = Field(
        description="The share of the month's evidence this candidate's correction explains "
        "(candidates with the same score rank by it)."
    )
    rank_score: float | None
    consistent: bool = Field(
        default=True,
        description="False when no value of this figure keeps every physical bound and order "
        "of its month (gross generation that the net supply needs above 1.2 × capacity × "
        "hours): it cannot be the one wrong figure, and ranks after the candidates that can.",
    )
    unmended: list[str] = Field(
        default_factory=list,
        description="The rule ids of the physical orders its month breaks that still break "
        "with this figure at its expected value (net supply at the gross, leaving the gross "
        "above 1.2 × capacity × hours): another figure of the month is wrong too.",
    )
    moves_with: list[str] = Field(
        default_factory=list,
        description="The figures corrected together with this one: the document it copies "
        "(a test report stating the same carbon content) and the CO2 the enterprise computed "
        "from it. Their expected values in the answer's checks follow the correction.",
    )


class Symptom(BaseModel):
    key: str = Field(description="The check's id, `unit_id|period|check_id`.")
    element: str = Field(description="`check`.")
    parameter: str
    period: str
    observed: float | None
    expected: float | None
    score: float | None
    edge_kind: str | None = Field(None, description="The check's class of evidence.")
    check_id: str | None = Field(None, description="A rule id or a data-transfer edge type.")


class CheckOut(BaseModel):
    """One check of the month that spoke: the rule or edge, why, and how far off."""

    check_id: str
    reason: str
    evidence: str = Field(
        description=(
            "horizontal, history, own_level, hard, exact, slip or copy (docs/architecture.md)."
        )
    )
    parameter: str
    observed: float | None
    expected: float | None
    p_value: float | None
    score: float | None


class MovedFigureOut(BaseModel):
    """A figure the root's correction moves with it: the document it copies, the CO2 computed
    from it (the root's `moves_with`)."""

    parameter: str
    observed: float | None
    expected: float | None


class ReportDate(BaseModel):
    period: str
    report_date: str | None


class Evidence(BaseModel):
    report_id: str | None
    lab_id: str | None
    report_date: str | None
    sample_date: str | None
    verifier_id: str | None
    report_dates: list[ReportDate] = Field(
        description="Report date of every month traced: dates bunched together across months "
        "are a forgery signature."
    )


class Impact(BaseModel):
    reported_co2_t: float | None
    counterfactual_co2_t: float | None
    co2_delta_t: float | None = Field(
        description="Counterfactual minus reported emissions: positive = under-reported tonnes "
        "(for an external source, the tonnes its disagreement is worth)."
    )
    allocation_delta_t: float | None = Field(
        description="Allowances the root moves through the supply (positive: over-allocated); "
        "null in a fleet without any allocation record (outside an allowance market)."
    )
    impact_t: float | None = Field(description="|emissions| + |allocation| at stake, tCO2.")
    allowance_value_cny: float | None
    price_cny_per_t: float


class BrowserQuery(BaseModel):
    """Paste into Neo4j Browser (`:param` the parameters first) to see the same subgraph."""

    statement: str
    parameters: dict[str, Any]


class SystemicFinding(BaseModel):
    entity_type: str = Field(description="lab or verifier.")
    entity_id: str
    periods: list[str] = Field(description="Months (labs) or years (verifiers) found shifted.")
    units: list[str]
    n: int = Field(description="Records of the entity tested in those periods.")
    shift: float = Field(
        description="Shift of the median of its units' carbon-per-heat normal scores against "
        "every unit of the same period."
    )
    p_value: float = Field(description="The strongest period's two-sided p-value.")
    q_value: float = Field(description="Benjamini–Hochberg adjusted p-value.")
    explained_flags: list[list[str]]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entity_type": "lab",
                    "entity_id": "L00013",
                    "periods": ["2023-02", "2023-03"],
                    "units": ["00000007", "00000031", "00000044"],
                    "n": 24,
                    "shift": -9.4,
                    "p_value": 1.2e-7,
                    "q_value": 3.1e-6,
                    "explained_flags": [["00000007", "2023-02"]],
                }
            ]
        }
    )


class Pattern(BaseModel):
    """A convention of the fleet, or a persistent condition of one unit, reported once."""

    check_id: str
    label: str
    scope: str = Field(description="fleet or unit.")
    unit_id: str | None
    share: float = Field(description="Share of the unit-months (of the fleet, or the unit).")
    unit_months: int
    example_units: list[str]
    periods: list[str]


class WhyAnswerOut(BaseModel):
    unit_id: str
    period: str
    score: float | None = Field(
        description="Probability-like score in [0, 1]: 1 − the Benjamini–Hochberg q-value."
    )
    p_value: float | None = Field(description="The unit-month's combined p-value.")
    status: str = Field(description="flagged, listed (traced, below the flag tests) or clear.")
    flagged: bool
    proved_in: str | None = Field(
        default=None,
        description="The month whose own evidence flags this one: itself, or a later month of "
        "the same fault's run (a slow fault's first months are weak alone); null when not "
        "flagged or flagged through a shared source (see `systemic`).",
    )
    symptom: Symptom | None
    root: Candidate | None
    candidates: list[Candidate]
    path: list[Hop] = Field(description="From the root to the symptom.")
    checks: list[CheckOut] = Field(description="The month's checks that spoke, strongest first.")
    moved_with: list[MovedFigureOut] = Field(
        default_factory=list,
        description="The figures the root's correction moves with it, observed and expected.",
    )
    evidence: Evidence
    impact: Impact | None
    systemic: list[SystemicFinding] = Field(
        description="Systemic findings of the current sweep explaining this flag."
    )
    patterns: list[Pattern] = Field(
        description="Persistent conditions of this unit, reported once instead of every month."
    )
    browser: BrowserQuery

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_id": UNIT_ID_EXAMPLE,
                    "period": PERIOD_EXAMPLE,
                    "score": 0.98,
                    "p_value": 3.1e-9,
                    "status": "flagged",
                    "flagged": True,
                    "proved_in": PERIOD_EXAMPLE,
                    "symptom": {
                        "key": f"{UNIT_ID_EXAMPLE}|{PERIOD_EXAMPLE}|LOG-020",
                        "element": "check",
                        "parameter": "coal_carbon_pct",
                        "period": PERIOD_EXAMPLE,
                        "observed": 49.6,
                        "expected": 53.2,
                        "score": 1.0,
                        "edge_kind": "hard",
                        "check_id": "LOG-020",
                    },
                    "root": {
                        "parameter": "coal_carbon_pct",
                        "period": PERIOD_EXAMPLE,
                        "key": f"{UNIT_ID_EXAMPLE}|{PERIOD_EXAMPLE}|coal_carbon_pct",
                        "observed": 49.6,
                        "expected": 56.3,
                        "score": 0.97,
                        "explained_fraction": 1.0,
                        "rank_score": 0.97,
                    },
                    "candidates": [],
                    "path": [],
                    "checks": [
                        {
                            "check_id": "LOG-020",
                            "reason": "carbon per heat outside the physical band of coal",
                            "evidence": "hard",
                            "parameter": "coal_carbon_pct",
                            "observed": 49.6,
                            "expected": 53.2,
                            "p_value": 1e-12,
                            "score": 1.0,
                        }
                    ],
                    "evidence": {
                        "report_id": "R-00012302-2023-03",
                        "lab_id": "L01",
                        "report_date": "2023-04-12",
                        "sample_date": "2023-04-02",
                        "verifier_id": "V0004",
                        "report_dates": [{"period": PERIOD_EXAMPLE, "report_date": "2023-04-12"}],
                    },
                    "impact": {
                        "reported_co2_t": 280000.0,
                        "counterfactual_co2_t": 318000.0,
                        "co2_delta_t": 38000.0,
                        "allocation_delta_t": 0.0,
                        "impact_t": 38000.0,
                        "allowance_value_cny": 3420000.0,
                        "price_cny_per_t": 90.0,
                    },
                    "systemic": [],
                    "patterns": [],
                    "browser": {
                        "statement": "MATCH (u:Unit {unit_id: $unit_id}) ...",
                        "parameters": {
                            "unit_id": UNIT_ID_EXAMPLE,
                            "periods": ["2023-01", "2023-02", PERIOD_EXAMPLE],
                        },
                    },
                }
            ]
        }
    )


class WhyList(BaseModel):
    unit_id: str
    answers: list[WhyAnswerOut] = Field(description="One answer per month asked about.")


class Anomaly(BaseModel):
    unit_id: str
    period: str
    score: float
    p_value: float | None
    top_parameter: str | None
    root_period: str | None
    impact_t: float | None = Field(description="tCO2 at stake (emissions and allocation).")
    priority: float | None = Field(description="score × impact_t: what to look at first.")
    systemic_source: str | None
    candidates: list[dict[str, Any]] = Field(
        description="Root candidates, best first: {parameter, period, score, expected, share, "
        "consistent, unmended, moves_with} (as in a why answer's candidates)."
    )
    enterprise_id: str | None
    group_id: str | None
    region_code: str | None = Field(description="The city.")
    province_code: str | None


class AnomalyPage(BaseModel):
    items: list[Anomaly]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "unit_id": UNIT_ID_EXAMPLE,
                            "period": PERIOD_EXAMPLE,
                            "score": 0.98,
                            "p_value": 3.1e-9,
                            "top_parameter": "coal_carbon_pct",
                            "root_period": PERIOD_EXAMPLE,
                            "impact_t": 38000.0,
                            "priority": 37240.0,
                            "systemic_source": None,
                            "candidates": [
                                {
                                    "parameter": "coal_carbon_pct",
                                    "period": PERIOD_EXAMPLE,
                                    "score": 0.97,
                                }
                            ],
                            "enterprise_id": "91110000100000001A",
                            "group_id": "G01",
                            "region_code": "110100",
                            "province_code": "110000",
                        }
                    ],
                    "next_cursor": "WzAuOTgsIjAwMDEyMzAyIiwiMjAyMy0wMyJd",
                }
            ]
        }
    )


class SystemicList(BaseModel):
    period: str | None
    items: list[SystemicFinding]


class MonthScore(BaseModel):
    period: str
    score: float
    flagged: bool
    top_parameter: str | None


class UnitOut(BaseModel):
    unit_id: str
    unit_class: str | None
    capacity_mw: float | None
    cooling: str | None
    commissioned_year: int | None
    enterprise_id: str | None
    enterprise_name: str | None
    group_id: str | None
    group_name: str | None
    region_code: str | None
    region_name: str | None
    province_code: str | None
    province_name: str | None
    periods: list[str]
    scores: list[MonthScore] = Field(description="Current scores per month, newest first.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_id": UNIT_ID_EXAMPLE,
                    "unit_class": "coal_300",
                    "capacity_mw": 300.0,
                    "cooling": "air",
                    "commissioned_year": 1999,
                    "enterprise_id": "91110000100000001A",
                    "enterprise_name": "京能电厂",
                    "group_id": "G01",
                    "group_name": "京能集团",
                    "region_code": "110100",
                    "region_name": "北京市市辖区",
                    "province_code": "110000",
                    "province_name": "北京市",
                    "periods": ["2023-01", "2023-02", PERIOD_EXAMPLE],
                    "scores": [
                        {
                            "period": PERIOD_EXAMPLE,
                            "score": 0.98,
                            "flagged": True,
                            "top_parameter": "coal_carbon_pct",
                        }
                    ],
                }
            ]
        }
    )


class SweepOut(BaseModel):
    sweep_id: str
    status: str
    started: str
    ended: str | None
    periods: list[str]
    model_version: str
    full: bool
    counts: dict[str, int]
    seconds: dict[str, float]
    error: str
    patterns: list[Pattern] = Field(
        description="Conventions of the fleet and persistent unit conditions, reported once."
    )
    carries: str | None = Field(
        None,
        description="A sweep that scored nothing publishes the results of this sweep again "
        "(answers kept by the API stay valid); null when it published its own.",
    )


class SweepAccepted(BaseModel):
    sweep_id: str
    status: str
    href: str = Field(description="Where to follow the sweep.")


class SweepList(BaseModel):
    items: list[SweepOut]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page."
    )
    running: dict[str, str] | None = Field(
        None, description="The process holding the sweep lock now (pid, host, started_at)."
    )


class PublicEnterprise(BaseModel):
    enterprise_id: str
    name: str | None
    sector: str | None
    group_id: str | None
    region_code: str | None
    province_code: str | None
    units: int


class ComplianceRecord(BaseModel):
    enterprise_id: str
    year: int
    verified_co2_t: float | None
    allocated_t: float | None
    surrendered_t: float | None
    completed_on: str | None
    status: str = Field(description="completed, short (too few allowances) or open.")


class VerifierYear(BaseModel):
    """One verifier's year, from confirmed findings only (never an open one)."""

    year: int
    enterprises_verified: int
    confirmed_findings_without_nonconformity: int = Field(
        description="Confirmed findings in enterprise-years it verified raising no nonconformity."
    )
    verified_co2_t: float
    corrected_share: float = Field(
        description="Share of its verified CO2 in enterprise-years whose monthly data was later "
        "resubmitted as a corrected revision."
    )


class VerifierEvaluation(BaseModel):
    verifier_id: str
    name: str | None
    region_code: str | None
    enterprise_years: int = Field(description="Enterprise-years it verified.")
    discrepancy_share: float = Field(
        description="Share of them whose verified CO2 differs from the sum of the reported "
        "unit-months by more than 5 %."
    )
    flagged_share: float = Field(description="Share of flagged unit-months among its clients.")
    years: list[VerifierYear] = Field(
        default_factory=list, description="Per year, from the findings reviewers confirmed."
    )


class LabYear(BaseModel):
    """One testing lab's year, from confirmed findings only (never an open one)."""

    lab_id: str
    year: int
    reports: int = Field(description="Its test reports the monthly data cites.")
    reports_in_confirmed_findings: int
    report_date_anomalies: int = Field(
        description="Procedural checklist items on its reports (late, sample outside the month)."
    )


class PublicLabs(BaseModel):
    items: list[LabYear]


class PublicEnterprises(BaseModel):
    items: list[PublicEnterprise]


class PublicCompliance(BaseModel):
    items: list[ComplianceRecord]


class PublicVerifiers(BaseModel):
    items: list[VerifierEvaluation]


def _fields(obj: object, names: tuple[str, ...]) -> dict[str, object]:
    return {n: getattr(obj, n) for n in names}


def why_out(answer: WhyAnswer) -> WhyAnswerOut:
    trace = answer.trace
    numbers = ("observed", "expected", "score", "explained_fraction", "rank_score")

    def clean(values: dict[str, object]) -> dict[str, Any]:
        return {k: number(v) if k in numbers else v for k, v in values.items()}

    candidate_names = ("parameter", "period", "key", *numbers)
    hop_names = ("parameter", "period", "key", "observed", "expected", "score")
    candidates = [
        Candidate(
            **clean(_fields(c, candidate_names)),
            consistent=c.consistent,
            unmended=list(c.unmended),
            moves_with=list(c.moves_with),
        )
        for c in trace.candidates
    ]
    symptom = trace.symptom
    evidence = trace.evidence
    impact = answer.impact
    return WhyAnswerOut(
        unit_id=answer.unit_id,
        period=answer.period,
        score=number(answer.score),
        p_value=number(answer.p_value),
        status=answer.status,
        flagged=answer.flagged,
        proved_in=answer.proved_in,
        symptom=Symptom(
            **clean(
                _fields(
                    symptom,
                    ("key", "element", "parameter", "period", "observed", "expected", "score"),
                )
            ),
            edge_kind=symptom.edge_kind,
            check_id=symptom.check_id,
        )
        if symptom
        else None,
        root=candidates[0] if trace.root else None,
        candidates=candidates,
        path=[
            Hop(**clean(_fields(h, hop_names)), edge_kind=h.edge_kind, edge_type=h.edge_type)
            for h in trace.path
        ],
        checks=[
            CheckOut(
                check_id=c.check_id,
                reason=c.reason,
                evidence=c.evidence,
                parameter=c.parameter,
                observed=number(c.observed),
                expected=number(c.expected),
                p_value=number(c.p_value),
                score=number(c.score),
            )
            for c in trace.checks
        ],
        moved_with=[
            MovedFigureOut(
                parameter=m.parameter, observed=number(m.observed), expected=number(m.expected)
            )
            for m in trace.moved
        ],
        evidence=Evidence(
            report_id=text(evidence.report_id),
            lab_id=text(evidence.lab_id),
            report_date=text(evidence.report_date),
            sample_date=text(evidence.sample_date),
            verifier_id=text(evidence.verifier_id),
            report_dates=[
                ReportDate(period=p, report_date=text(d)) for p, d in evidence.report_dates
            ],
        ),
        impact=Impact(
            reported_co2_t=number(impact.reported_co2_t),
            counterfactual_co2_t=number(impact.counterfactual_co2_t),
            co2_delta_t=number(impact.co2_delta_t),
            allocation_delta_t=number(impact.allocation_delta_t),
            impact_t=number(impact.impact_t),
            allowance_value_cny=number(impact.allowance_value_cny),
            price_cny_per_t=impact.price_cny_per_t,
        )
        if impact
        else None,
        systemic=[systemic_out(f) for f in answer.systemic],
        patterns=[Pattern.model_validate(p) for p in answer.patterns],
        browser=browser_out(answer.browser),
    )


def browser_out(statement: BrowserStatement) -> BrowserQuery:
    return BrowserQuery(statement=statement.statement, parameters=dict(statement.parameters))


def systemic_out(row: dict[str, Any]) -> SystemicFinding:
    return SystemicFinding.model_validate(
        {
            **row,
            "periods": [str(p) for p in row["periods"]],
            "units": [str(u) for u in row["units"]],
            "explained_flags": [[str(u), str(p)] for u, p in row["explained_flags"]],
        }
    )


def sweep_out(record: SweepRecord) -> SweepOut:
    return SweepOut(
        sweep_id=record.sweep_id,
        status=record.status.value,
        started=record.started,
        ended=record.ended,
        periods=list(record.periods),
        model_version=record.model_version,
        full=record.full,
        counts={k: int(v) for k, v in record.counts.items()},
        seconds={k: float(v) for k, v in record.seconds.items()},
        error=record.error,
        patterns=[Pattern.model_validate(p) for p in record.patterns],
        carries=record.carries,
    )


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows with missing values as None (pydantic then validates each)."""
    return list(frame.astype(object).where(frame.notna(), None).to_dict("records"))
