"""The unit-month frame: one wide row per (unit, period) of the current revision.

The central data interface between loaders, stores and models: unit attributes, provenance
and one float column per catalogue parameter (reported, external, evidence and derived).
Built here from validated tables (columns in graph_schema.frames); each store returns the same
columns from `read_unit_months`, conformed with `conform_unit_month_frame`.
"""

import numpy as np
import pandas as pd

from graph_schema.frames import (
    KEY_COLUMNS,
    UNIT_MONTH_COLUMNS,
    UNIT_MONTH_INT_COLUMNS,
    UNIT_MONTH_TEXT_COLUMNS,
)
from graph_schema.parameters import PARAMETERS, ParameterKind, parameter_names
from loaders.formulas import propagate

# Evidence parameters are read from the test report that `carbon_report_id` points to.
_EVIDENCE_SOURCES: dict[str, str] = {
    p.source_column: p.name
    for p in PARAMETERS
    if p.kind is ParameterKind.EVIDENCE and p.source_column is not None
}


def _column(frame: pd.DataFrame, name: str, dtype: str) -> pd.Series:
    """`frame[name]` cast to `dtype`, or an all-missing column when the table lacks it."""
    if name in frame.columns:
        return frame[name].astype(dtype)
    return pd.Series(pd.NA if dtype != "float64" else np.nan, index=frame.index, dtype=dtype)


def hours_in_month(periods: pd.Series) -> pd.Series:
    """Calendar hours of each `YYYY-MM` period."""
    days = pd.to_datetime(periods.astype(str) + "-01", format="%Y-%m-%d").dt.days_in_month
    return (days * 24).astype("float64").set_axis(periods.index)


def current_revisions(unit_month: pd.DataFrame) -> pd.DataFrame:
    """The highest revision of each (unit, period); older ones are history."""
    ordered = unit_month.assign(revision=_column(unit_month, "revision", "Int64").fillna(1))
    ordered = ordered.sort_values([*KEY_COLUMNS, "revision"], kind="stable")
    return ordered.drop_duplicates(list(KEY_COLUMNS), keep="last").reset_index(drop=True)


def conform_unit_month_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with exactly the contract columns, dtypes and order (missing ones empty)."""
    columns: dict[str, pd.Series] = {}
    for name in UNIT_MONTH_COLUMNS:
        if name in UNIT_MONTH_TEXT_COLUMNS:
            columns[name] = _column(frame, name, "string")
        elif name in UNIT_MONTH_INT_COLUMNS:
            columns[name] = _column(frame, name, "Int64")
        else:
            columns[name] = pd.to_numeric(_column(frame, name, "float64"), errors="coerce")
    conformed = pd.DataFrame(columns, index=frame.index)
    return conformed.sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)


def _unit_attributes(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    units = tables["units"]
    enterprises = tables["enterprises"]
    regions = tables["regions"]
    attributes = pd.DataFrame(
        {
            "unit_id": _column(units, "unit_id", "string"),
            "enterprise_id": _column(units, "enterprise_id", "string"),
            "unit_class": _column(units, "unit_class", "string"),
            "capacity_mw": _column(units, "capacity_mw", "float64"),
            "cooling": _column(units, "cooling", "string"),
            "commissioned_year": _column(units, "commissioned_year", "Int64"),
        }
    )
    owners = pd.DataFrame(
        {
            "enterprise_id": _column(enterprises, "enterprise_id", "string"),
            "region_code": _column(enterprises, "region_code", "string"),
            "group_id": _column(enterprises, "group_id", "string"),
        }
    )
    provinces = pd.DataFrame(
        {
            "region_code": _column(regions, "region_code", "string"),
            "province_code": _column(regions, "parent_code", "string"),
        }
    )
    return attributes.merge(owners, on="enterprise_id", how="left").merge(
        provinces, on="region_code", how="left"
    )


def _report_evidence(test_reports: pd.DataFrame) -> pd.DataFrame:
    evidence = pd.DataFrame(
        {
            "carbon_report_id": _column(test_reports, "report_id", "string"),
            "lab_id": _column(test_reports, "lab_id", "string"),
            "sample_date": _column(test_reports, "sample_date", "string"),
            "report_date": _column(test_reports, "report_date", "string"),
        }
    )
    for source, name in _EVIDENCE_SOURCES.items():
        evidence[name] = _column(test_reports, source, "float64")
    return evidence


def _external_values(external_month: pd.DataFrame) -> pd.DataFrame:
    values = pd.DataFrame({key: _column(external_month, key, "string") for key in KEY_COLUMNS})
    for name in parameter_names(ParameterKind.EXTERNAL):
        values[name] = _column(external_month, name, "float64")
    return values


def build_unit_month_frame(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (unit_id, period) of the current revision, with every catalogue parameter.

    `tables` are validated contract tables (at least `unit_month`, `units`, `enterprises`,
    `regions`; `external_month` and `test_reports` may be absent or empty).
    """
    current = current_revisions(tables["unit_month"])
    frame = pd.DataFrame(
        {
            "unit_id": _column(current, "unit_id", "string"),
            "period": _column(current, "period", "string"),
            "revision": current["revision"].astype("Int64"),
            "carbon_report_id": _column(current, "carbon_report_id", "string"),
            "submitted_on": _column(current, "submitted_on", "string"),
        }
    )
    for name in parameter_names(ParameterKind.REPORTED):
        frame[name] = _column(current, name, "float64")
    frame = frame.merge(_unit_attributes(tables), on="unit_id", how="left")
    external = tables.get("external_month", pd.DataFrame())
    frame = frame.merge(_external_values(external), on=list(KEY_COLUMNS), how="left")
    reports = tables.get("test_reports", pd.DataFrame())
    frame = frame.merge(_report_evidence(reports), on="carbon_report_id", how="left")
    frame["hours_in_month"] = hours_in_month(frame["period"])
    inputs = {
        p.name: frame[p.name].to_numpy(dtype=float)
        for p in PARAMETERS
        if p.kind is not ParameterKind.DERIVED
    }
    derived = propagate(
        inputs,
        capacity_mw=frame["capacity_mw"].to_numpy(dtype=float),
        hours_in_month=frame["hours_in_month"].to_numpy(dtype=float),
    )
    for name, values in derived.items():
        frame[name] = np.asarray(values, dtype="float64")
    return conform_unit_month_frame(frame)
