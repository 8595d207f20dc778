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
    score: float | None
    edge_kind: str | None = Field(None, description="Kind of the edge that led to this node.")
    edge_type: str | None = None


class Candidate(BaseModel):
    parameter: str
    period: str
    key: str
    observed: float | None
    expected: float | None
    score: float | None = Field(description="The candidate's own anomaly score.")
    explained_fraction: float | None = Field(
        description="Share of the symptom's deviation that disappears when the candidate "
        "takes its expected value."
    )
    rank_score: float | None


class Symptom(BaseModel):
    key: str
    element: str = Field(description="`node` or `edge`.")
    parameter: str
    period: str
    observed: float | None
    expected: float | None
    score: float | None
    edge_kind: str | None = None


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
        description="Counterfactual minus reported emissions: positive = under-reported tonnes."
    )
    allowance_value_cny: float | None
    price_cny_per_t: float


class BrowserQuery(BaseModel):
    """Paste into Neo4j Browser (`:param` the parameters first) to see the same subgraph."""

    statement: str
    parameters: dict[str, Any]


class SystemicFinding(BaseModel):
    entity_type: str = Field(description="lab, verifier, group, city or province.")
    entity_id: str
    root_parameter: str
    periods: list[str]
    units: list[str]
    k: int = Field(description="Units with such a root tied to the entity.")
    n: int = Field(description="Units tied to the entity.")
    expected: float = Field(description="Units expected by chance.")
    p_value: float
    q_value: float = Field(description="Benjamini–Hochberg adjusted p-value.")
    explained_flags: list[list[str]]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entity_type": "lab",
                    "entity_id": "L00013",
                    "root_parameter": "coal_carbon_pct",
                    "periods": ["2023-02", "2023-03"],
                    "units": ["00000007", "00000031", "00000044"],
                    "k": 8,
                    "n": 12,
                    "expected": 0.9,
                    "p_value": 1.2e-7,
                    "q_value": 3.1e-6,
                    "explained_flags": [["00000007", "2023-02"]],
                }
            ]
        }
    )


class WhyAnswerOut(BaseModel):
    unit_id: str
    period: str
    score: float | None = Field(description="The unit-month's anomaly score in the current sweep.")
    flagged: bool
    symptom: Symptom | None
    root: Candidate | None
    candidates: list[Candidate]
    path: list[Hop] = Field(description="From the root to the symptom.")
    evidence: Evidence
    impact: Impact | None
    systemic: list[SystemicFinding] = Field(
        description="Systemic findings explaining this flag (once GET /systemic-sources has "
        "computed them for the current sweep)."
    )
    browser: BrowserQuery

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_id": UNIT_ID_EXAMPLE,
                    "period": PERIOD_EXAMPLE,
                    "score": 0.98,
                    "flagged": True,
                    "symptom": {
                        "key": f"{UNIT_ID_EXAMPLE}|{PERIOD_EXAMPLE}|carbon_per_heat",
                        "element": "node",
                        "parameter": "carbon_per_heat",
                        "period": PERIOD_EXAMPLE,
                        "observed": 0.0231,
                        "expected": 0.0262,
                        "score": 0.98,
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
                        "allowance_value_cny": 3420000.0,
                        "price_cny_per_t": 90.0,
                    },
                    "systemic": [],
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
    top_parameter: str | None
    candidates: list[dict[str, Any]] = Field(
        description="Root candidates from node scores, best first: {parameter, period, score}."
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
                            "top_parameter": "coal_carbon_pct",
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


class SweepAccepted(BaseModel):
    sweep_id: str
    status: str
    href: str = Field(description="Where to follow the sweep.")


class SweepList(BaseModel):
    items: list[SweepOut]
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

    def clean(values: dict[str, object]) -> dict[str, object]:
        return {k: number(v) if k in numbers else v for k, v in values.items()}

    candidate_names = ("parameter", "period", "key", *numbers)
    hop_names = ("parameter", "period", "key", "observed", "expected", "score")
    candidates = [Candidate(**clean(_fields(c, candidate_names))) for c in trace.candidates]  # type: ignore[arg-type]
    symptom = trace.symptom
    evidence = trace.evidence
    return WhyAnswerOut(
        unit_id=answer.unit_id,
        period=answer.period,
        score=number(answer.score),
        flagged=answer.flagged,
        symptom=Symptom(
            **clean(
                _fields(
                    symptom,
                    ("key", "element", "parameter", "period", "observed", "expected", "score"),
                )
            ),  # type: ignore[arg-type]
            edge_kind=symptom.edge_kind,
        )
        if symptom
        else None,
        root=candidates[0] if trace.root else None,
        candidates=candidates,
        path=[
            Hop(**clean(_fields(h, hop_names)), edge_kind=h.edge_kind, edge_type=h.edge_type)  # type: ignore[arg-type]
            for h in trace.path
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
            reported_co2_t=number(answer.impact.reported_co2_t),
            counterfactual_co2_t=number(answer.impact.counterfactual_co2_t),
            co2_delta_t=number(answer.impact.co2_delta_t),
            allowance_value_cny=number(answer.impact.allowance_value_cny),
            price_cny_per_t=answer.impact.price_cny_per_t,
        )
        if answer.impact
        else None,
        systemic=[systemic_out(f) for f in answer.systemic],
        browser=browser_out(answer.browser),
    )


def browser_out(statement: BrowserStatement) -> BrowserQuery:
    return BrowserQuery(statement=statement.statement, parameters=dict(statement.parameters))


def systemic_out(row: dict[str, object]) -> SystemicFinding:
    return SystemicFinding(
        entity_type=str(row["entity_type"]),
        entity_id=str(row["entity_id"]),
        root_parameter=str(row["root_parameter"]),
        periods=[str(p) for p in row["periods"]],  # type: ignore[attr-defined]
        units=[str(u) for u in row["units"]],  # type: ignore[attr-defined]
        k=int(row["k"]),  # type: ignore[call-overload]
        n=int(row["n"]),  # type: ignore[call-overload]
        expected=float(row["expected"]),  # type: ignore[arg-type]
        p_value=float(row["p_value"]),  # type: ignore[arg-type]
        q_value=float(row["q_value"]),  # type: ignore[arg-type]
        explained_flags=[[str(u), str(p)] for u, p in row["explained_flags"]],  # type: ignore[attr-defined]
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
    )


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows with missing values as None (pydantic then validates each)."""
    return list(frame.astype(object).where(frame.notna(), None).to_dict("records"))
