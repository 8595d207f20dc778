"""Finding and review-event frames as both store adapters return them: the columns of
graph_schema.review, typed the same way whatever the store (text as strings, counts as
nullable integers, scores as floats), so business logic never sees which store answered."""

from collections.abc import Sequence
from typing import Any

import pandas as pd

from graph_schema.review import (
    FINDING_COLUMNS,
    FINDING_FLOAT_COLUMNS,
    FINDING_INT_COLUMNS,
    REVIEW_EVENT_COLUMNS,
)

Row = dict[str, Any]


def finding_frame(rows: Sequence[Row] | pd.DataFrame) -> pd.DataFrame:
    """Findings with FINDING_COLUMNS in order and their types."""
    frame = pd.DataFrame(rows).reindex(columns=FINDING_COLUMNS)
    typed = {name: "string" for name in FINDING_COLUMNS}
    typed |= {name: "float64" for name in FINDING_FLOAT_COLUMNS}
    typed |= {name: "Int64" for name in FINDING_INT_COLUMNS}
    typed["flagged_now"] = "boolean"
    return frame.astype(typed).reset_index(drop=True)


def event_frame(rows: Sequence[Row] | pd.DataFrame) -> pd.DataFrame:
    """Review events with REVIEW_EVENT_COLUMNS in order, by finding and version."""
    frame = pd.DataFrame(rows).reindex(columns=REVIEW_EVENT_COLUMNS)
    typed = {name: "string" for name in REVIEW_EVENT_COLUMNS}
    typed |= {"version": "Int64", "revision": "Int64"}
    frame = frame.astype(typed).sort_values(["finding_id", "version"], kind="stable")
    return frame.reset_index(drop=True)


def plain_record(row: Row) -> Row:
    """One row with pandas' and numpy's missing markers and scalars as plain Python values."""
    out: Row = {}
    for key, value in row.items():
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            out[key] = None
        elif hasattr(value, "item") and not isinstance(value, str):
            out[key] = value.item()
        else:
            out[key] = value
    return out


def finding_records(frame: pd.DataFrame) -> list[Row]:
    """A findings or events frame as plain rows."""
    return [plain_record(row) for row in frame.astype(object).to_dict("records")]


def finding_row(values: Row) -> Row:
    """One finding as a plain row of FINDING_COLUMNS (missing properties as None), without a
    frame: what the queue returns."""
    row = {name: values.get(name) for name in FINDING_COLUMNS}
    if row["flagged_now"] is not None:
        row["flagged_now"] = bool(row["flagged_now"])
    return row
