"""What a root cause means in tonnes of CO2 and in allowances.

The counterfactual puts the root parameter at its expected value in its own unit-month and
recomputes total_co2_t with the formulas; the impact is the counterfactual emissions minus the
emissions the enterprise reported (positive: under-reported tonnes the unit owes allowances
for). A root in reported_co2_t itself (an arithmetic error) is corrected directly; a root in an
external measurement (a drifting CEMS) changes nothing the enterprise reported, so its impact
is zero — the enterprise owes nothing for another system's fault.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from app.services.tracing.subgraph import stored_number
from loaders.formulas import FORMULA_INPUTS, propagate

# Until settings carry `allowance_price_cny`, callers pass the price; this is its default.
DEFAULT_ALLOWANCE_PRICE_CNY = 90.0
IMPACT_COLUMNS = [
    "unit_id",
    "period",
    "root_parameter",
    "root_period",
    "reported_co2_t",
    "counterfactual_co2_t",
    "co2_delta_t",
    "allowance_value_cny",
]
_MONTH_COLUMNS = (
    *FORMULA_INPUTS,
    "capacity_mw",
    "hours_in_month",
    "total_co2_t",
    "reported_co2_t",
)


def co2_impact(
    roots: pd.DataFrame,
    frame: pd.DataFrame,
    price_cny: float = DEFAULT_ALLOWANCE_PRICE_CNY,
) -> pd.DataFrame:
    """One row per root of `roots` (columns `unit_id, period, root_parameter, root_period,
    root_expected`, as trace_many gives) with columns IMPACT_COLUMNS, computed on the root's
    unit-month of `frame` (the unit-month frame)."""
    roots = roots.dropna(subset=["root_parameter"]).reset_index(drop=True)
    months = frame.assign(
        unit_id=frame["unit_id"].astype(str), root_period=frame["period"].astype(str)
    ).drop(columns="period")
    rows = roots.assign(
        unit_id=roots["unit_id"].astype(str), root_period=roots["root_period"].astype(str)
    ).merge(months, on=["unit_id", "root_period"], how="left")
    columns = {name: rows[name].to_numpy(dtype=float) for name in _MONTH_COLUMNS}
    reported, counterfactual = _reported_and_counterfactual(
        rows["root_parameter"].to_numpy(), rows["root_expected"].to_numpy(dtype=float), columns
    )
    delta = counterfactual - reported
    return pd.DataFrame(
        {
            "unit_id": rows["unit_id"],
            "period": rows["period"].astype(str),
            "root_parameter": rows["root_parameter"],
            "root_period": rows["root_period"],
            "reported_co2_t": reported,
            "counterfactual_co2_t": counterfactual,
            "co2_delta_t": delta,
            "allowance_value_cny": delta * price_cny,
        },
        columns=IMPACT_COLUMNS,
    )


def root_impact(
    month: Mapping[str, object], root_parameter: str, root_expected: float
) -> tuple[float, float]:
    """(reported, counterfactual) total CO2 of one unit-month row when `root_parameter` takes
    `root_expected` (the single-answer twin of co2_impact, without frames)."""
    columns = {name: np.array([stored_number(month.get(name))]) for name in _MONTH_COLUMNS}
    reported, counterfactual = _reported_and_counterfactual(
        np.array([root_parameter]), np.array([root_expected], dtype=float), columns
    )
    return float(reported[0]), float(counterfactual[0])


def _reported_and_counterfactual(
    parameter: np.ndarray, expected: np.ndarray, columns: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    inputs = {name: columns[name].copy() for name in FORMULA_INPUTS}
    for name in FORMULA_INPUTS:
        at_root = parameter == name
        inputs[name][at_root] = expected[at_root]
    total = np.asarray(
        propagate(inputs, columns["capacity_mw"], columns["hours_in_month"])["total_co2_t"],
        dtype=float,
    )
    # An enterprise that reported no CO2 figure is held to its own inputs' recomputation.
    reported = columns["reported_co2_t"]
    reported = np.where(np.isnan(reported), columns["total_co2_t"], reported)
    counterfactual = np.where(parameter == "reported_co2_t", expected, total)
    # Roots outside the formulas leave the enterprise's figure as it stands.
    outside = ~np.isin(parameter, [*FORMULA_INPUTS, "reported_co2_t"])
    return reported, np.where(outside, reported, counterfactual)
