"""The inspector's checklist of one enterprise-year (after the fact): every finding still to
answer for (open, in review, confirmed, escalated or returned) with its evidence, and every
procedural nonconformity of the year (late or missing test reports, dates out of order, late
submissions; engine.checklist), each with the lab that tested and the verifier that verified.

Dismissed, closed and resolved findings are not on it: the review already settled them.
"""

import pandas as pd

from app.infrastructure.stores.contract import Store
from app.services.access import Scope, scope_filter
from app.services.review_states import FindingStatus
from engine.checklist import checklist_items

ON_THE_LIST = [
    FindingStatus.OPEN.value,
    FindingStatus.IN_REVIEW.value,
    FindingStatus.CONFIRMED.value,
    FindingStatus.ESCALATED.value,
    FindingStatus.RETURNED.value,
]
INSPECTION_COLUMNS = [
    "enterprise_id",
    "year",
    "kind",
    "unit_id",
    "period",
    "item",
    "status",
    "detail",
    "carbon_report_id",
    "lab_id",
    "sample_date",
    "report_date",
    "verifier_id",
    "finding_id",
    "score",
    "impact_t",
]
_EVIDENCE = ["carbon_report_id", "lab_id", "sample_date", "report_date", "verifier_id"]


def _months(store: Store, scope: Scope, year: int, enterprise_id: str | None) -> pd.DataFrame:
    periods = [f"{year:04d}-{month:02d}" for month in range(1, 13)]
    frame = store.scoped_unit_months(periods, scope_filter(scope))
    if enterprise_id is not None:
        frame = frame[frame["enterprise_id"].astype(str) == enterprise_id]
    return frame.reset_index(drop=True)


def _finding_items(store: Store, scope: Scope, months: pd.DataFrame) -> pd.DataFrame:
    findings = store.read_findings(scope_filter(scope))
    findings = findings[findings["status"].isin(ON_THE_LIST)]
    evidence = months[["unit_id", "period", "enterprise_id", *_EVIDENCE]]
    rows = findings.drop(columns="enterprise_id").merge(evidence, on=["unit_id", "period"])
    return rows.assign(
        kind="finding",
        item=rows["root_parameter"],
        score=rows["score"].astype(float),
        impact_t=rows["impact_t"].astype(float),
    )


def _procedural_items(months: pd.DataFrame) -> pd.DataFrame:
    items = checklist_items(months)
    evidence = months[["unit_id", "period", *[c for c in _EVIDENCE if c != "lab_id"]]]
    rows = items.merge(evidence, on=["unit_id", "period"], how="left")
    days = rows["days_beyond"].astype(float)
    beyond = days.map(lambda d: "" if pd.isna(d) else f" ({d:g} days beyond)").astype(str)
    return rows.assign(
        kind="procedural",
        item=rows["rule_id"],
        status="nonconformity",
        detail=rows["rationale"].astype(str) + beyond,
        finding_id=None,
    )


def inspection_items(
    store: Store, scope: Scope, year: int, enterprise_id: str | None = None
) -> pd.DataFrame:
    """INSPECTION_COLUMNS of every enterprise-year in the scope (or of one enterprise): its
    findings first, then its procedural items, by unit and month. Empty when the scope holds
    no month of that enterprise in that year."""
    months = _months(store, scope, year, enterprise_id)
    if months.empty:
        return pd.DataFrame(columns=INSPECTION_COLUMNS)
    parts = [_finding_items(store, scope, months), _procedural_items(months)]
    parts = [p.reindex(columns=INSPECTION_COLUMNS) for p in parts if len(p)]
    rows = pd.concat(parts) if parts else pd.DataFrame(columns=INSPECTION_COLUMNS)
    if rows.empty:
        # The enterprise reported that year and has nothing to inspect: one row says so.
        rows = months[["enterprise_id"]].drop_duplicates().assign(kind="none")
        rows = rows.reindex(columns=INSPECTION_COLUMNS)
    rows = rows.assign(year=year, enterprise_id=rows["enterprise_id"].astype(str))
    order = ["enterprise_id", "kind", "unit_id", "period", "item"]
    return rows.sort_values(order).reset_index(drop=True)[INSPECTION_COLUMNS]
