"""What a root cause is worth (`engine.impact.impacts`), on hand-built unit-month rows: the
counterfactual CO2 of an input, the allowances a supply figure moves, the tonnes an external
source's disagreement is worth, and whether the finding is material."""

from typing import Any

import numpy as np
import pandas as pd
import pytest

from engine.impact import (
    BENCHMARK_T_PER_MWH,
    DEFAULT_CO2_PER_GJ,
    IMPACT_COLUMNS,
    impacts,
    unit_month_emissions,
)
from graph_schema.parameters import FORMULA_CONSTANTS
from loaders.formulas import propagate

CAPACITY, HOURS = 600.0, 744.0
SHARE = 0.005
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


def _month(**changes: float) -> dict[str, Any]:
    """One unit-month: the enterprise computes its CO2 from its (possibly wrong) inputs; the
    external sources measure the honest month."""
    inputs = {**HONEST, **changes}
    values: dict[str, Any] = {**inputs, **propagate(inputs, CAPACITY, HOURS)}
    honest = propagate(HONEST, CAPACITY, HOURS)
    values["reported_co2_t"] = values["total_co2_t"]
    values["cems_co2_t"] = honest["total_co2_t"]
    values["grid_sales_mwh"] = HONEST["power_supply_mwh"]
    values["coal_purchase_t"] = HONEST["coal_consumption_t"]
    values["energy_monitor_tce"] = honest["fuel_heat_gj"] / FORMULA_CONSTANTS["gj_per_tce"]
    values["report_carbon_pct"] = values["coal_carbon_pct"]
    values["report_ncv_gj_t"] = values["coal_ncv_gj_t"]
    return {
        "unit_id": "U001",
        "period": "2023-03",
        "unit_class": "coal_600",
        "capacity_mw": CAPACITY,
        "hours_in_month": HOURS,
        "allocated_t": 2_400_000.0,
        **values,
    }


def _impact(row: dict[str, Any], root: str | None, expected: float) -> pd.Series:
    rows = pd.DataFrame([row])
    found = impacts(rows, np.array([root], dtype=object), np.array([expected]), SHARE)
    assert list(found.columns) == IMPACT_COLUMNS
    return found.iloc[0]


def _honest_total() -> float:
    return float(propagate(HONEST, CAPACITY, HOURS)["total_co2_t"])


def test_an_under_reported_input_owes_the_counterfactual_tonnes() -> None:
    row = _month(coal_consumption_t=0.85 * HONEST["coal_consumption_t"])
    found = _impact(row, "coal_consumption_t", HONEST["coal_consumption_t"])
    missing = _honest_total() - float(row["total_co2_t"])
    assert missing > 0.1 * _honest_total()
    assert found["co2_delta_t"] == pytest.approx(missing, rel=1e-9)
    assert found["allocation_delta_t"] == 0.0
    assert found["impact_t"] == pytest.approx(missing, rel=1e-9)
    assert found["material"]


def test_lowered_carbon_owes_the_tonnes_its_honest_value_burns() -> None:
    row = _month(coal_carbon_pct=0.85 * HONEST["coal_carbon_pct"])
    found = _impact(row, "coal_carbon_pct", HONEST["coal_carbon_pct"])
    assert found["co2_delta_t"] == pytest.approx(_honest_total() - float(row["total_co2_t"]))
    assert found["co2_delta_t"] > 0


def test_over_reported_supply_moves_allowances_not_emissions() -> None:
    over = 1.08 * HONEST["power_supply_mwh"]
    row = _month(power_supply_mwh=over)
    found = _impact(row, "power_supply_mwh", HONEST["power_supply_mwh"])
    assert found["co2_delta_t"] == pytest.approx(0.0, abs=1e-6)
    allowances = (over - HONEST["power_supply_mwh"]) * BENCHMARK_T_PER_MWH["coal_600"]
    assert found["allocation_delta_t"] == pytest.approx(allowances)
    assert found["impact_t"] == pytest.approx(allowances)
    assert found["material"]


def test_a_fleet_without_allocations_has_no_allowances_at_stake() -> None:
    over = 1.08 * HONEST["power_supply_mwh"]
    row = {**_month(power_supply_mwh=over), "allocated_t": np.nan}
    found = _impact(row, "power_supply_mwh", HONEST["power_supply_mwh"])
    assert np.isnan(found["allocation_delta_t"])
    assert found["impact_t"] == pytest.approx(0.0, abs=1e-6)
    assert not found["material"]
    consumption = HONEST["coal_consumption_t"]
    row = {**_month(coal_consumption_t=0.85 * consumption), "allocated_t": np.nan}
    found = _impact(row, "coal_consumption_t", consumption)
    assert found["co2_delta_t"] > 0.1 * _honest_total()
    assert found["material"]


def test_a_year_without_its_allocation_yet_still_has_allowances_at_stake() -> None:
    over = 1.08 * HONEST["power_supply_mwh"]
    issued = _month()
    pending = {**_month(power_supply_mwh=over), "period": "2024-03", "allocated_t": np.nan}
    rows = pd.DataFrame([issued, pending])
    found = impacts(
        rows,
        np.array([None, "power_supply_mwh"], dtype=object),
        np.array([np.nan, HONEST["power_supply_mwh"]]),
        SHARE,
    ).iloc[1]
    allowances = (over - HONEST["power_supply_mwh"]) * BENCHMARK_T_PER_MWH["coal_600"]
    assert found["allocation_delta_t"] == pytest.approx(allowances)
    assert found["material"]


def test_an_arithmetic_error_owes_the_difference_to_the_recomputation() -> None:
    row = _month()
    total = float(row["total_co2_t"])
    row["reported_co2_t"] = 0.9 * total
    found = _impact(row, "reported_co2_t", total)
    assert found["co2_delta_t"] == pytest.approx(0.1 * total)
    assert found["emissions_t"] == pytest.approx(0.9 * total)


def test_an_external_sources_impact_is_what_its_disagreement_is_worth() -> None:
    row = _month()
    honest_cems = float(row["cems_co2_t"])
    row["cems_co2_t"] = 1.12 * honest_cems
    found = _impact(row, "cems_co2_t", honest_cems)
    # The enterprise owes nothing for another system's fault; the regulator learns what the
    # faulty reading would have cost.
    assert found["co2_delta_t"] == pytest.approx(-0.12 * honest_cems)
    assert found["impact_t"] == pytest.approx(0.12 * honest_cems)
    assert found["allocation_delta_t"] == 0.0
    assert found["emissions_t"] == pytest.approx(float(row["reported_co2_t"]))


def test_a_monitor_or_purchase_root_is_valued_at_the_fleets_own_co2_per_unit() -> None:
    row = _month()
    total = float(row["total_co2_t"])
    heat = float(row["fuel_heat_gj"])
    monitor = float(row["energy_monitor_tce"])
    found = _impact({**row, "energy_monitor_tce": 1.1 * monitor}, "energy_monitor_tce", monitor)
    per_gj = total / heat
    change = -0.1 * monitor * FORMULA_CONSTANTS["gj_per_tce"] * per_gj
    assert found["co2_delta_t"] == pytest.approx(change)
    purchase = HONEST["coal_consumption_t"]
    found = _impact({**row, "coal_purchase_t": 0.9 * purchase}, "coal_purchase_t", purchase)
    per_t = total / HONEST["coal_consumption_t"]
    assert found["co2_delta_t"] == pytest.approx(0.1 * purchase * per_t)


def test_a_heat_supply_root_moves_neither_emissions_nor_allowances() -> None:
    row = _month(heat_supply_gj=200_000.0)
    found = _impact(row, "heat_supply_gj", 150_000.0)
    assert found["impact_t"] == pytest.approx(0.0, abs=1e-6)
    assert not found["material"]


def test_a_tiny_root_is_not_material() -> None:
    consumption = HONEST["coal_consumption_t"]
    row = _month(coal_consumption_t=0.999 * consumption)
    found = _impact(row, "coal_consumption_t", consumption)
    assert 0 < found["impact_t"] < SHARE * found["emissions_t"]
    assert not found["material"]


def test_a_unit_month_without_a_root_has_no_impact() -> None:
    found = _impact(_month(), None, float("nan"))
    assert np.isnan(found[["co2_delta_t", "allocation_delta_t", "impact_t"]].astype(float)).all()
    assert not found["material"]


def test_emissions_fall_back_from_reported_to_recomputed_to_cems_to_heat() -> None:
    row = _month()
    rows = pd.DataFrame([row] * 4)
    rows.loc[1:, "reported_co2_t"] = np.nan
    rows.loc[2:, "total_co2_t"] = np.nan
    rows.loc[3:, "cems_co2_t"] = np.nan
    emissions = unit_month_emissions(rows)
    assert emissions[0] == pytest.approx(row["reported_co2_t"])
    assert emissions[1] == pytest.approx(row["total_co2_t"])
    assert emissions[2] == pytest.approx(row["cems_co2_t"])
    assert emissions[3] == pytest.approx(float(row["fuel_heat_gj"]) * DEFAULT_CO2_PER_GJ)
