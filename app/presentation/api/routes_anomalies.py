"""Analyst lists: `GET /anomalies` (cursor pages, stable order) and `GET /systemic-sources`."""

import json
from typing import Annotated

from fastapi import APIRouter, Query

from app.infrastructure.stores.contract import AnomalyFilters
from app.presentation.api.deps import StoreDep
from app.presentation.api.problems import PROBLEM_RESPONSES, Problem
from app.presentation.api.schemas import (
    Anomaly,
    AnomalyPage,
    SystemicList,
    records,
    systemic_out,
)
from app.presentation.api.security import AnalystScope
from app.services.analysis import MAX_PAGE, anomalies_page, systemic_sources
from app.services.page_cursors import BadCursor
from graph_schema.period_pattern import PERIOD_PATTERN

router = APIRouter(tags=["analysis"], responses=PROBLEM_RESPONSES)
Period = Annotated[
    str | None,
    Query(pattern=PERIOD_PATTERN, description="A month `YYYY-MM`.", examples=["2023-03"]),
]


def _candidates(value: object) -> list[dict[str, object]]:
    return json.loads(value) if isinstance(value, str) and value else []


@router.get("/anomalies", response_model=AnomalyPage)
def anomalies(
    store: StoreDep,
    scope: AnalystScope,
    period: Period = None,
    region: Annotated[str | None, Query(description="A city or province code.")] = None,
    group: Annotated[str | None, Query(description="A group id.")] = None,
    enterprise: Annotated[str | None, Query(description="An enterprise id.")] = None,
    min_score: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> AnomalyPage:
    """Flagged unit-months of the current sweep in the caller's jurisdiction, strongest first
    (score desc, unit_id, period), one page at a time."""
    filters = AnomalyFilters(period, region, group, enterprise, min_score)
    try:
        page, next_cursor = anomalies_page(store, filters, limit, cursor, scope)
    except BadCursor as error:
        # Any text is a well-formed cursor; one this service did not give names no page.
        raise Problem(404, f"cursor: {error}") from None
    items = [
        Anomaly(**{**row, "candidates": _candidates(row["candidates"])})
        for row in records(page.drop(columns="flagged"))
    ]
    return AnomalyPage(items=items, next_cursor=next_cursor)


@router.get("/systemic-sources", response_model=SystemicList)
def systemic(store: StoreDep, scope: AnalystScope, period: Period = None) -> SystemicList:
    """Labs and verifiers whose client enterprises' carbon residuals are shifted against the
    other enterprises' (rank tests, Benjamini–Hochberg), with the caller's flags they explain."""
    findings = systemic_sources(store, period, scope)
    return SystemicList(period=period, items=[systemic_out(r) for r in findings])
