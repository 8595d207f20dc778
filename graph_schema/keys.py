"""How node and edge keys are spelled: text, `|`-separated, stable across stores and exports."""

import numpy as np
import pandas as pd


def unit_month_key(unit_id: str, period: str) -> str:
    return f"{unit_id}|{period}"


def submission_key(unit_id: str, period: str, revision: int) -> str:
    return f"{unit_id}|{period}|{revision}"


def parameter_key(unit_id: str, period: str, name: str) -> str:
    return f"{unit_id}|{period}|{name}"


def parameter_keys(unit_ids: pd.Series, periods: pd.Series, names: pd.Series) -> np.ndarray:
    """`parameter_key` of each row, for whole columns at once (plain `str` objects, as the
    one-key form gives, so that frames keyed by either join alike)."""
    parts = [c.astype(str).to_numpy(dtype=object) for c in (unit_ids, periods, names)]
    keys: np.ndarray = parts[0] + "|" + parts[1] + "|" + parts[2]
    return keys


def edge_id(unit_id: str, period: str, edge_type: str) -> str:
    """A data-transfer edge is identified by its child's unit-month and its edge type."""
    return f"{unit_id}|{period}|{edge_type}"


def enterprise_year_key(enterprise_id: str, year: int) -> str:
    return f"{enterprise_id}|{year}"


def edge_ids(unit_ids: pd.Series, periods: pd.Series, edge_types: pd.Series) -> np.ndarray:
    """`edge_id` of each row, for whole columns at once."""
    return parameter_keys(unit_ids, periods, edge_types)
