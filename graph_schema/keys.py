"""How node and edge keys are spelled: text, `|`-separated, stable across stores and exports."""

import pandas as pd


def unit_month_key(unit_id: str, period: str) -> str:
    return f"{unit_id}|{period}"


def submission_key(unit_id: str, period: str, revision: int) -> str:
    return f"{unit_id}|{period}|{revision}"


def parameter_key(unit_id: str, period: str, name: str) -> str:
    return f"{unit_id}|{period}|{name}"


def parameter_keys(unit_ids: pd.Series, periods: pd.Series, names: pd.Series) -> pd.Series:
    """`parameter_key` of each row, for whole columns at once."""
    return unit_ids.astype(str) + "|" + periods.astype(str) + "|" + names.astype(str)


def edge_id(unit_id: str, period: str, edge_type: str) -> str:
    """A data-transfer edge is identified by its child's unit-month and its edge type."""
    return f"{unit_id}|{period}|{edge_type}"


def enterprise_year_key(enterprise_id: str, year: int) -> str:
    return f"{enterprise_id}|{year}"


def edge_ids(unit_ids: pd.Series, periods: pd.Series, edge_types: pd.Series) -> pd.Series:
    """`edge_id` of each row, for whole columns at once."""
    return parameter_keys(unit_ids, periods, edge_types)
