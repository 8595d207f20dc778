"""`GET /enterprises/{enterprise_id}/checklist?year=`: the inspector's checklist of one
enterprise-year, as JSON, CSV or a printable HTML page. Another jurisdiction's enterprise is a
404, exactly like one that does not exist."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from app.presentation.api.deps import StoreDep
from app.presentation.api.problems import PROBLEM_RESPONSES, Problem
from app.presentation.api.review_schemas import model_rows
from app.presentation.api.schemas import records
from app.presentation.api.security import AnalystScope
from app.presentation.inspection_page import inspection_html
from app.services.inspection_checklist import inspection_items

router = APIRouter(tags=["compliance"], responses=PROBLEM_RESPONSES)


class ChecklistFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"


class InspectionItem(BaseModel):
    enterprise_id: str
    year: int
    kind: str
    unit_id: str | None = None
    period: str | None = None
    item: str | None = None
    status: str | None = None
    detail: str | None = None
    carbon_report_id: str | None = None
    lab_id: str | None = None
    sample_date: str | None = None
    report_date: str | None = None
    verifier_id: str | None = None
    finding_id: str | None = None
    score: float | None = None
    impact_t: float | None = None


class InspectionChecklist(BaseModel):
    enterprise_id: str
    year: int
    items: list[InspectionItem]


@router.get(
    "/enterprises/{enterprise_id}/checklist",
    response_model=InspectionChecklist,
    responses={200: {"content": {"text/csv": {}, "text/html": {}}}},
)
def enterprise_checklist(
    enterprise_id: Annotated[str, Path(description="An enterprise's id.")],
    year: Annotated[int, Query(ge=1900, le=2999, description="The year inspected.")],
    store: StoreDep,
    scope: AnalystScope,
    format: Annotated[ChecklistFormat, Query(description="json, csv or html.")] = (
        ChecklistFormat.JSON
    ),
) -> InspectionChecklist | Response:
    """What an inspector checks on site for one enterprise-year: each open or confirmed
    finding with its evidence, each procedural nonconformity, and the lab and verifier."""
    rows = inspection_items(store, scope, year, enterprise_id)
    if rows.empty:
        raise Problem(404, f"no enterprise {enterprise_id} reporting in {year}")
    if format is ChecklistFormat.CSV:
        name = f"checklist-{enterprise_id}-{year}.csv"
        return Response(
            rows.to_csv(index=False),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if format is ChecklistFormat.HTML:
        return HTMLResponse(inspection_html(enterprise_id, year, rows))
    items = [
        InspectionItem.model_validate(r) for r in model_rows(records(rows[rows["kind"] != "none"]))
    ]
    return InspectionChecklist(enterprise_id=enterprise_id, year=year, items=items)
