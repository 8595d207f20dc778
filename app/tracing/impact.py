"""What a root cause means in tonnes of CO2 and in allowances.

The counterfactual puts the root parameter at its expected value in its own unit-month and
recomputes total_co2_t with the formulas; the impact is the counterfactual emissions minus the
emissions the enterprise reported (positive: under-reported tonnes the unit owes allowances
for). A root in reported_co2_t itself (an arithmetic error) is corrected directly; a root in an
external measurement (a drifting CEMS) changes nothing the enterprise reported, so its impact
is zero — the enterprise owes nothing for another system's fault.
"""

import numpy as np
import pandas as pd

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
    parameter = rows["root_parameter"].to_numpy()
    expected = rows["root_expected"].to_numpy(dtype=float)
    inputs = {name: rows[name].to_numpy(dtype=float).copy() for name in FORMULA_INPUTS}
    for name in FORMULA_INPUTS:
        at_root = parameter == name
        inputs[name][at_root] = expected[at_root]
    total = np.asarray(
        propagate(
            inputs,
            rows["capacity_mw"].to_numpy(dtype=float),
            rows["hours_in_month"].to_numpy(dtype=float),
        )["total_co2_t"],
        dtype=float,
    )
    observed_total = rows["total_co2_t"].to_numpy(dtype=float)
    reported = rows["reported_co2_t"].to_numpy(dtype=float)
    # An enterprise that reported no CO2 figure is held to its own inputs' recomputation.
    reported = np.where(np.isnan(reported), observed_total, reported)
    counterfactual = np.where(parameter == "reported_co2_t", expected, total)
    # Roots outside the formulas leave the enterprise's figure as it stands.
    outside = ~np.isin(parameter, [*FORMULA_INPUTS, "reported_co2_t"])
    counterfactual = np.where(outside, reported, counterfactual)
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
