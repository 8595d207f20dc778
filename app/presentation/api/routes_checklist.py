"""`GET /checklist/unit-years` and `GET /checklist/labs`: procedural findings of the caller's
units (late test reports, samples outside their month, late submissions), which never enter
an anomaly score or a CO2 impact."""

from typing import Annotated, Generic, TypeVar

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.presentation.api.deps import StoreDep
from app.presentation.api.problems import PROBLEM_RESPONSES
from app.presentation.api.schemas import records
from app.presentation.api.security import AnalystScope
from app.services.analysis import MAX_PAGE
from app.services.checklist import ChecklistView, compliance_checklist

router = APIRouter(prefix="/checklist", tags=["compliance"], responses=PROBLEM_RESPONSES)
Year = Annotated[int | None, Query(ge=1900, le=2999, description="A compliance year.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, description="Rows to skip (the previous page's end).")]


class UnitYearItem(BaseModel):
    unit_id: str
    enterprise_id: str
    year: int
    rule_id: str
    rationale: str
    months: int = Field(description="Months of the year with this finding.")
    worst_days: float | None = Field(description="The largest number of days beyond the limit.")


class LabItem(BaseModel):
    lab_id: str
    year: int
    rule_id: str
    rationale: str
    reports: int = Field(description="Reports of the lab with this finding.")
    units: int = Field(description="Units those reports were for.")


Item = TypeVar("Item", bound=BaseModel)


class ChecklistPage(BaseModel, Generic[Item]):
    items: list[Item]
    total: int
    next_offset: int | None = Field(description="Pass as `offset` for the next page.")


def _page(
    rows: list[dict[str, object]], item: type[Item], limit: int, offset: int
) -> ChecklistPage[Item]:
    end = offset + limit
    return ChecklistPage[Item](
        items=[item(**r) for r in rows[offset:end]],
        total=len(rows),
        next_offset=end if end < len(rows) else None,
    )


@router.get("/unit-years", response_model=ChecklistPage[UnitYearItem])
def unit_years(
    store: StoreDep,
    scope: AnalystScope,
    year: Year = None,
    unit_id: Annotated[str | None, Query(description="One unit.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ChecklistPage[UnitYearItem]:
    """Procedural findings per unit, year and rule, most months first."""
    rows = records(compliance_checklist(store, scope, ChecklistView.UNIT_YEAR, year, unit_id))
    return _page(rows, UnitYearItem, limit, offset)


@router.get("/labs", response_model=ChecklistPage[LabItem])
def labs(
    store: StoreDep,
    scope: AnalystScope,
    year: Year = None,
    lab_id: Annotated[str | None, Query(description="One lab.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ChecklistPage[LabItem]:
    """Procedural findings of the caller's units per testing lab, year and rule, most reports
    first."""
    rows = records(compliance_checklist(store, scope, ChecklistView.LAB, year, lab_id=lab_id))
    return _page(rows, LabItem, limit, offset)
