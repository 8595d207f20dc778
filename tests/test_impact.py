"""Counterfactual CO2 and allowance value of root causes."""

import pandas as pd
import pytest

from app.services.tracing.impact import co2_impact
from loaders.formulas import propagate

HONEST = {
    "coal_consumption_t": 150_000.0,
    "coal_ncv_gj_t": 21.0,
    "coal_carbon_pct": 55.0,
    "oxidation_rate": 0.99,
    "purchased_electricity_mwh": 100.0,
    "power_generation_mwh": 330_000.0,
    "power_supply_mwh": 312_000.0,
    "heat_supply_gj": 0.0,
    "operating_hours": 640.0,
}


def month(unit_id: str, **changes: float) -> dict:
    inputs = {**HONEST, **changes}
    values = {**inputs, **propagate(inputs, 600.0, 744.0)}
    values["reported_co2_t"] = values["total_co2_t"]
    values["cems_co2_t"] = values["total_co2_t"]
    return {
        "unit_id": unit_id,
        "period": "2022-03",
        "capacity_mw": 600.0,
        "hours_in_month": 744.0,
        **values,
    }


def honest_total() -> float:
    return float(propagate(HONEST, 600.0, 744.0)["total_co2_t"])


def test_lowered_carbon_owes_the_missing_tonnes_at_the_allowance_price() -> None:
    frame = pd.DataFrame([month("00000001", coal_carbon_pct=55.0 * 0.85)])
    roots = pd.DataFrame(
        {
            "unit_id": ["00000001"],
            "period": ["2022-03"],
            "root_parameter": ["coal_carbon_pct"],
            "root_period": ["2022-03"],
            "root_expected": [55.0],
        }
    )

    impact = co2_impact(roots, frame, price_cny=100.0).iloc[0]

    lowered = frame["total_co2_t"].iloc[0]
    assert impact["counterfactual_co2_t"] == pytest.approx(honest_total())
    assert impact["co2_delta_t"] == pytest.approx(honest_total() - lowered)
    assert impact["co2_delta_t"] > 0
    assert impact["allowance_value_cny"] == pytest.approx(100.0 * (honest_total() - lowered))


def test_each_root_kind_is_counted_on_its_own_terms() -> None:
    arithmetic = month("00000002")
    arithmetic["reported_co2_t"] = 0.9 * arithmetic["total_co2_t"]
    drifting = month("00000003")
    drifting["cems_co2_t"] *= 1.12
    frame = pd.DataFrame([arithmetic, drifting, month("00000004", power_supply_mwh=340_000.0)])
    roots = pd.DataFrame(
        {
            "unit_id": ["00000002", "00000003", "00000004"],
            "period": ["2022-03"] * 3,
            "root_parameter": ["reported_co2_t", "cems_co2_t", "power_supply_mwh"],
            "root_period": ["2022-03"] * 3,
            "root_expected": [arithmetic["total_co2_t"], drifting["total_co2_t"], 312_000.0],
        }
    )

    impact = co2_impact(roots, frame).set_index("unit_id")

    assert impact.loc["00000002", "co2_delta_t"] == pytest.approx(0.1 * arithmetic["total_co2_t"])
    assert impact.loc["00000002", "allowance_value_cny"] == pytest.approx(
        90.0 * 0.1 * arithmetic["total_co2_t"]
    )
    # A drifting CEMS and an inflated supply do not change the enterprise's emissions.
    assert impact.loc["00000003", "co2_delta_t"] == 0.0
    assert impact.loc["00000004", "co2_delta_t"] == pytest.approx(0.0, abs=1e-6)


def test_missing_root_is_skipped() -> None:
    frame = pd.DataFrame([month("00000005")])
    roots = pd.DataFrame(
        {
            "unit_id": ["00000005"],
            "period": ["2022-03"],
            "root_parameter": [None],
            "root_period": [None],
            "root_expected": [float("nan")],
        }
    )
    assert co2_impact(roots, frame).empty
