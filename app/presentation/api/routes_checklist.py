"""`GET /checklist/unit-years` and `GET /checklist/labs`: procedural findings of the caller's
units (late test reports, samples outside their month, late submissions), which never enter
an anomaly score or a CO2 impact."""

from typing import Annotated

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


class UnitYearPage(BaseModel):
    items: list[UnitYearItem]
    total: int
    next_offset: int | None = Field(description="Pass as `offset` for the next page.")


class LabPage(BaseModel):
    items: list[LabItem]
    total: int
    next_offset: int | None = Field(description="Pass as `offset` for the next page.")


def _page(rows: list[dict[str, object]], limit: int, offset: int) -> tuple[list, int | None]:
    end = offset + limit
    return rows[offset:end], end if end < len(rows) else None


@router.get("/unit-years", response_model=UnitYearPage)
def unit_years(
    store: StoreDep,
    scope: AnalystScope,
    year: Year = None,
    unit_id: Annotated[str | None, Query(description="One unit.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> UnitYearPage:
    """Procedural findings per unit, year and rule, most months first."""
    rows = records(compliance_checklist(store, scope, ChecklistView.UNIT_YEAR, year, unit_id))
    items, next_offset = _page(rows, limit, offset)
    return UnitYearPage(
        items=[UnitYearItem(**r) for r in items], total=len(rows), next_offset=next_offset
    )


@router.get("/labs", response_model=LabPage)
def labs(
    store: StoreDep,
    scope: AnalystScope,
    year: Year = None,
    lab_id: Annotated[str | None, Query(description="One lab.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> LabPage:
    """Procedural findings of the caller's units per testing lab, year and rule, most reports
    first."""
    rows = records(compliance_checklist(store, scope, ChecklistView.LAB, year, lab_id=lab_id))
    items, next_offset = _page(rows, limit, offset)
    return LabPage(items=[LabItem(**r) for r in items], total=len(rows), next_offset=next_offset)
