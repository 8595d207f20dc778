"""A small honest unit-month frame for rule tests, and how to corrupt one unit-month of it.

Eight peer units (coal_600, water-cooled) over 14 months, every relation of docs/domain.md holding
up to modest measurement noise. The test unit uses the default oxidation rate 0.99 throughout; its
peers measure theirs each month. Rule examples (`models.rules.Example`) mutate the test unit's
latest month(s); derived parameters are then recomputed with the formulas.
"""

import numpy as np
import pandas as pd

from graph_schema.parameters import FORMULA_CONSTANTS
from models.rules import Example

TEST_UNIT = "0001"
N_UNITS = 8
PERIODS = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(14)]


def add_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """Recompute the derived parameters in place with docs/domain.md's formulas."""
    c = FORMULA_CONSTANTS
    f = frame
    with np.errstate(divide="ignore", invalid="ignore"):
        f["fuel_heat_gj"] = f["coal_consumption_t"] * f["coal_ncv_gj_t"]
        f["combustion_co2_t"] = (
            f["coal_consumption_t"]
            * f["coal_carbon_pct"]
            / 100
            * f["oxidation_rate"]
            * c["co2_per_c"]
        )
        f["electricity_co2_t"] = f["purchased_electricity_mwh"] * c["grid_ef_t_mwh"]
        f["total_co2_t"] = f["combustion_co2_t"] + f["electricity_co2_t"]
        share = f["heat_supply_gj"] / (f["fuel_heat_gj"] * c["boiler_efficiency"])
        f["heat_share"] = share.where(f["heat_supply_gj"] > 0, 0.0)
        supply = f["power_supply_mwh"].where(f["power_supply_mwh"] != 0)
        generation = f["power_generation_mwh"].where(f["power_generation_mwh"] != 0)
        rated = (f["capacity_mw"] * f["operating_hours"]).where(f["operating_hours"] != 0)
        f["supply_coal_gce_kwh"] = (
            f["fuel_heat_gj"] * (1 - f["heat_share"]) / c["gj_per_tce"] / supply * 1000
        )
        f["supply_intensity"] = f["total_co2_t"] * (1 - f["heat_share"]) / supply
        f["own_use_rate"] = 1 - f["power_supply_mwh"] / generation
        f["load_factor"] = f["power_generation_mwh"] / rated
        f["carbon_per_heat"] = (
            f["coal_carbon_pct"] / 100 / f["coal_ncv_gj_t"].where(f["coal_ncv_gj_t"] != 0)
        )
    return f


def _iso(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").astype("string")


def honest_frame(seed: int = 7) -> pd.DataFrame:
    """The baseline: no rule may fire on it."""
    rng = np.random.default_rng(seed)
    units = pd.DataFrame(
        {
            "unit_id": [f"{i + 1:04d}" for i in range(N_UNITS)],
            "coal_rate": rng.uniform(295.0, 310.0, N_UNITS),
            "own_use": rng.uniform(0.045, 0.055, N_UNITS),
            "ncv": rng.uniform(19.0, 23.0, N_UNITS),
            "heat_share": np.where(np.arange(N_UNITS) % 2 == 1, 0.0, 0.1),
        }
    )
    f = units.merge(pd.DataFrame({"period": PERIODS}), how="cross")
    n = len(f)
    start = pd.to_datetime(f["period"] + "-01")
    month_end = start + pd.offsets.MonthEnd(0)
    f["revision"] = 1
    f["enterprise_id"] = "91110000" + f["unit_id"] + "000000"
    f["unit_class"] = "coal_600"
    f["capacity_mw"] = 600.0
    f["cooling"] = "water"
    f["commissioned_year"] = 2010
    f["region_code"] = "110100"
    f["province_code"] = "110000"
    f["group_id"] = "G01"
    f["hours_in_month"] = start.dt.days_in_month.astype(float) * 24
    f["operating_hours"] = f["hours_in_month"] * rng.uniform(0.8, 0.95, n)
    f["power_generation_mwh"] = 600.0 * f["operating_hours"] * rng.uniform(0.7, 0.8, n)
    own_use = f["own_use"] * rng.normal(1, 0.02, n)
    f["power_supply_mwh"] = f["power_generation_mwh"] * (1 - own_use)
    f["coal_ncv_gj_t"] = (f["ncv"] * rng.normal(1, 0.015, n)).round(2)
    f["coal_carbon_pct"] = (f["coal_ncv_gj_t"] * 2.65 * rng.normal(1, 0.004, n)).round(2)
    # A separate stream, so the measured oxidation leaves every other draw as it was.
    measured = np.clip(np.random.default_rng([seed, 1]).normal(0.982, 0.004, n), 0.96, 1.0)
    f["oxidation_rate"] = np.where(f["unit_id"] == TEST_UNIT, 0.99, measured.round(3))
    coal_rate = f["coal_rate"] * rng.normal(1, 0.01, n)
    fuel_heat = coal_rate / 1000 * f["power_supply_mwh"] * 29.271 / (1 - f["heat_share"])
    f["coal_consumption_t"] = (fuel_heat / f["coal_ncv_gj_t"]).round(1)
    f["heat_supply_gj"] = (f["heat_share"] * fuel_heat * 0.9).round(0)
    f["purchased_electricity_mwh"] = rng.uniform(100.0, 300.0, n).round(1)
    add_derived(f)
    f["reported_co2_t"] = f["total_co2_t"].round(1)
    f["cems_co2_t"] = (f["total_co2_t"] * rng.normal(1, 0.015, n)).round(1)
    f["grid_sales_mwh"] = (f["power_supply_mwh"] * rng.normal(1, 0.002, n)).round(1)
    f["coal_purchase_t"] = (f["coal_consumption_t"] * rng.normal(1, 0.02, n)).round(1)
    f["energy_monitor_tce"] = (f["fuel_heat_gj"] / 29.271 * rng.normal(1, 0.01, n)).round(1)
    f["report_carbon_pct"] = f["coal_carbon_pct"]
    f["report_ncv_gj_t"] = f["coal_ncv_gj_t"]
    f["carbon_report_id"] = ("R" + f["unit_id"] + f["period"]).astype("string")
    f["lab_id"] = "L01"
    f["sample_date"] = _iso(start + pd.Timedelta(days=14))
    f["report_date"] = _iso(month_end + pd.Timedelta(days=10))
    f["submitted_on"] = _iso(month_end + pd.Timedelta(days=20))
    f = f.drop(columns=["coal_rate", "own_use", "ncv"])
    for col in ("unit_id", "period", "enterprise_id", "unit_class", "cooling", "lab_id"):
        f[col] = f[col].astype("string")
    return f.sort_values(["unit_id", "period"], ignore_index=True)


def apply_example(frame: pd.DataFrame, example: Example, unit_id: str = TEST_UNIT) -> pd.DataFrame:
    """A copy of `frame` with `example` applied to the unit's latest `example.months` months."""
    f = frame.copy()
    unit_rows = f.index[f["unit_id"] == unit_id]
    rows = unit_rows[-example.months :]
    for column in example.freeze:
        f.loc[rows, column] = f.loc[unit_rows[-example.months - 1], column]
    for column, factor in example.scale.items():
        f.loc[rows, column] = f.loc[rows, column] * factor
    for column, value in example.set.items():
        f.loc[rows, column] = pd.NA if value is None else value
    for column, days in example.shift_days.items():
        moved = pd.to_datetime(f.loc[rows, column]) + pd.Timedelta(days=days)
        f.loc[rows, column] = _iso(moved)
    return add_derived(f)


def latest_period() -> str:
    return PERIODS[-1]
