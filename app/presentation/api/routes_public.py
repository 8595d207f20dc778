"""Public oversight lists (docs/domain.md part 7): covered enterprises, compliance results and a
verifier evaluation computed from the data. Any valid key may read them."""

from fastapi import APIRouter

from app.presentation.api.deps import StoreDep
from app.presentation.api.problems import PROBLEM_RESPONSES
from app.presentation.api.schemas import (
    ComplianceRecord,
    LabYear,
    PublicCompliance,
    PublicEnterprise,
    PublicEnterprises,
    PublicLabs,
    PublicVerifiers,
    VerifierEvaluation,
    VerifierYear,
    records,
)
from app.presentation.api.security import AnyScope
from app.services.analysis import (
    public_compliance,
    public_enterprises,
    public_verifiers,
)
from app.services.oversight import lab_years, verifier_years

router = APIRouter(prefix="/public", tags=["public"], responses=PROBLEM_RESPONSES)


@router.get("/enterprises", response_model=PublicEnterprises)
def enterprises(store: StoreDep, scope: AnyScope) -> PublicEnterprises:
    """The enterprises the market covers."""
    rows = records(public_enterprises(store))
    return PublicEnterprises(items=[PublicEnterprise.model_validate(r) for r in rows])


@router.get("/compliance", response_model=PublicCompliance)
def compliance(store: StoreDep, scope: AnyScope) -> PublicCompliance:
    """Compliance status per enterprise-year."""
    rows = records(public_compliance(store))
    return PublicCompliance(items=[ComplianceRecord.model_validate(r) for r in rows])


@router.get("/verifiers", response_model=PublicVerifiers)
def verifiers(store: StoreDep, scope: AnyScope) -> PublicVerifiers:
    """Each verifier's record, computed from the data, and per year from the findings
    reviewers confirmed (counts only: never a finding, never an open one)."""
    rows = records(public_verifiers(store))
    per_year: dict[str, list[VerifierYear]] = {}
    for row in records(verifier_years(store).drop(columns="finding_ids")):
        per_year.setdefault(str(row["verifier_id"]), []).append(VerifierYear.model_validate(row))
    return PublicVerifiers(
        items=[
            VerifierEvaluation.model_validate(
                r | {"years": per_year.get(str(r["verifier_id"]), [])}
            )
            for r in rows
        ]
    )


@router.get("/labs", response_model=PublicLabs)
def labs(store: StoreDep, scope: AnyScope) -> PublicLabs:
    """Each testing lab's year: its reports, those in confirmed findings, its report-date
    anomalies (counts only)."""
    rows = records(lab_years(store).drop(columns="finding_ids"))
    return PublicLabs(items=[LabYear.model_validate(r) for r in rows])
