"""The compliance checklist: procedural findings (late reports, samples outside their month,
late submissions) of the caller's units, per unit-year or per lab (engine.checklist)."""

from enum import StrEnum

import pandas as pd

from app.infrastructure.stores.contract import Store
from app.services.access import Scope, scope_filter
from engine.checklist import checklist_items, per_lab, per_unit_year


class ChecklistView(StrEnum):
    UNIT_YEAR = "unit-year"
    LAB = "lab"


def compliance_checklist(
    store: Store,
    scope: Scope,
    view: ChecklistView = ChecklistView.UNIT_YEAR,
    year: int | None = None,
    unit_id: str | None = None,
    lab_id: str | None = None,
) -> pd.DataFrame:
    """The checklist rows of `view` over the scope's units, optionally of one year, unit or
    lab, most months (or reports) first."""
    frame = store.scoped_unit_months(None, scope_filter(scope))
    if unit_id is not None:
        frame = frame[frame["unit_id"] == unit_id]
    if year is not None:
        frame = frame[frame["period"].astype(str).str.startswith(f"{year:04d}-")]
    items = checklist_items(frame)
    if lab_id is not None:
        items = items[items["lab_id"] == lab_id]
    if view is ChecklistView.LAB:
        rows = per_lab(items)
        order = ["reports", "lab_id", "year", "rule_id"]
    else:
        rows = per_unit_year(items)
        order = ["months", "unit_id", "year", "rule_id"]
    ascending = [False, True, True, True]
    return rows.sort_values(order, ascending=ascending).reset_index(drop=True)
