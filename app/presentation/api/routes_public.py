"""Public oversight lists (domain.md part 7): covered enterprises, compliance results and a
verifier evaluation computed from the data. Any valid key may read them."""

from fastapi import APIRouter, Request

from app.presentation.api.problems import PROBLEM_RESPONSES
from app.presentation.api.schemas import (
    ComplianceRecord,
    PublicCompliance,
    PublicEnterprise,
    PublicEnterprises,
    PublicVerifiers,
    VerifierEvaluation,
    records,
)
from app.presentation.api.security import AnyScope
from app.services.analysis import (
    AnalysisStore,
    public_compliance,
    public_enterprises,
    public_verifiers,
)

router = APIRouter(prefix="/public", tags=["public"], responses=PROBLEM_RESPONSES)


def _store(request: Request) -> AnalysisStore:
    return request.app.state.store  # type: ignore[no-any-return]


@router.get("/enterprises", response_model=PublicEnterprises)
def enterprises(request: Request, scope: AnyScope) -> PublicEnterprises:
    """The enterprises the market covers."""
    rows = records(public_enterprises(_store(request)))
    return PublicEnterprises(items=[PublicEnterprise.model_validate(r) for r in rows])


@router.get("/compliance", response_model=PublicCompliance)
def compliance(request: Request, scope: AnyScope) -> PublicCompliance:
    """Compliance status per enterprise-year."""
    rows = records(public_compliance(_store(request)))
    return PublicCompliance(items=[ComplianceRecord.model_validate(r) for r in rows])


@router.get("/verifiers", response_model=PublicVerifiers)
def verifiers(request: Request, scope: AnyScope) -> PublicVerifiers:
    """Each verifier's record, computed from the data."""
    rows = records(public_verifiers(_store(request)))
    return PublicVerifiers(items=[VerifierEvaluation.model_validate(r) for r in rows])
