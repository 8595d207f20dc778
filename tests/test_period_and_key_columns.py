"""The column-wise period shift and key spelling agree with their one-value forms."""

import pandas as pd

from graph_schema.keys import edge_id, edge_ids, parameter_key, parameter_keys
from graph_schema.periods import shift_period, shift_periods


def test_each_period_is_shifted_by_its_own_months_across_year_ends() -> None:
    periods = ["2023-01", "2023-01", "2024-12", "2023-01"]
    months = [-1, -12, 1, 0]
    assert shift_periods(periods, months).tolist() == [
        shift_period(p, m) for p, m in zip(periods, months, strict=True)
    ]
    assert shift_periods(periods, months).tolist() == ["2022-12", "2022-01", "2025-01", "2023-01"]


def test_keys_of_whole_columns_are_spelled_as_one_key_is() -> None:
    units = pd.Series(["00012302", "7"])
    periods = pd.Series(["2023-03", "2024-11"])
    names = pd.Series(["coal_carbon_pct", "statistical:a->b"])
    assert parameter_keys(units, periods, names).tolist() == [
        parameter_key(u, p, n) for u, p, n in zip(units, periods, names, strict=True)
    ]
    assert edge_ids(units, periods, names).tolist() == [
        edge_id(u, p, n) for u, p, n in zip(units, periods, names, strict=True)
    ]
