"""Hand-built unit-month frames for scoring tests (independent of the generator and loaders)."""

import numpy as np
import pandas as pd

from graph_schema.parameters import FORMULA_CONSTANTS

CLASSES = (("ultra_supercritical", 1000.0), ("supercritical", 600.0), ("subcritical", 300.0))


def periods(start_year: int = 2022, months: int = 24) -> list[str]:
    return [f"{start_year + (i // 12)}-{i % 12 + 1:02d}" for i in range(months)]


def add_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """The derived columns of the unit-month frame, with docs/domain.md's formulas."""
    c = FORMULA_CONSTANTS
    f = frame
    f["fuel_heat_gj"] = f["coal_consumption_t"] * f["coal_ncv_gj_t"]
    f["combustion_co2_t"] = (
        f["coal_consumption_t"] * f["coal_carbon_pct"] / 100 * f["oxidation_rate"] * c["co2_per_c"]
    )
    f["electricity_co2_t"] = f["purchased_electricity_mwh"] * c["grid_ef_t_mwh"]
    f["total_co2_t"] = f["combustion_co2_t"] + f["electricity_co2_t"]
    share = f["heat_supply_gj"] / (f["fuel_heat_gj"] * c["boiler_efficiency"])
    f["heat_share"] = share.where(f["heat_supply_gj"] > 0, 0.0)
    f["supply_coal_gce_kwh"] = (
        f["fuel_heat_gj"] * (1 - f["heat_share"]) / c["gj_per_tce"] / f["power_supply_mwh"] * 1000
    )
    f["supply_intensity"] = f["total_co2_t"] * (1 - f["heat_share"]) / f["power_supply_mwh"]
    f["own_use_rate"] = 1 - f["power_supply_mwh"] / f["power_generation_mwh"]
    f["load_factor"] = f["power_generation_mwh"] / (f["capacity_mw"] * f["operating_hours"])
    f["carbon_per_heat"] = f["coal_carbon_pct"] / 100 / f["coal_ncv_gj_t"]
    return f


def clean_frame(n_units: int = 60, months: int = 24, seed: int = 0) -> pd.DataFrame:
    """An honest fleet: every relation holds up to measurement noise."""
    rng = np.random.default_rng(seed)
    ps = periods(months=months)
    units = pd.DataFrame(
        {
            "unit_id": [f"{i:08d}" for i in range(n_units)],
            "class_no": rng.integers(0, len(CLASSES), n_units),
            "cooling": rng.choice(["wet", "air"], n_units),
            "rank_ncv": rng.uniform(18.0, 24.0, n_units),
        }
    )
    units["unit_class"] = [CLASSES[k][0] for k in units["class_no"]]
    units["capacity_mw"] = [CLASSES[k][1] for k in units["class_no"]]
    units["heat_rate"] = 8.5 + 0.6 * units["class_no"] + 0.3 * (units["cooling"] == "air")
    f = units.merge(pd.DataFrame({"period": ps}), how="cross")
    n = len(f)
    month = f["period"].str.slice(5, 7).astype(int)
    season = 1 + 0.12 * np.cos(2 * np.pi * (month - 1) / 12)
    f["enterprise_id"] = "E" + f["unit_id"].str.slice(-4)
    f["revision"] = 1
    f["hours_in_month"] = 720.0
    f["operating_hours"] = np.clip(rng.normal(600, 40, n), 300, 720)
    f["load_factor_true"] = np.clip(rng.normal(0.7, 0.06, n) * season, 0.3, 0.98)
    f["power_generation_mwh"] = f["capacity_mw"] * f["operating_hours"] * f["load_factor_true"]
    f["power_supply_mwh"] = f["power_generation_mwh"] * (1 - rng.normal(0.055, 0.004, n))
    f["coal_ncv_gj_t"] = f["rank_ncv"] * rng.normal(1, 0.02, n)
    f["coal_carbon_pct"] = f["coal_ncv_gj_t"] * 2.65 * rng.normal(1, 0.008, n)
    fuel_heat = f["power_generation_mwh"] * f["heat_rate"] * rng.normal(1, 0.01, n)
    f["coal_consumption_t"] = fuel_heat / f["coal_ncv_gj_t"]
    f["oxidation_rate"] = 0.99
    f["purchased_electricity_mwh"] = rng.uniform(50, 200, n)
    f["heat_supply_gj"] = 0.0
    f = add_derived(f)
    f["reported_co2_t"] = f["total_co2_t"].round(2)
    f["cems_co2_t"] = f["total_co2_t"] * rng.normal(1, 0.015, n)
    f["grid_sales_mwh"] = f["power_supply_mwh"] * rng.normal(1, 0.003, n)
    f["coal_purchase_t"] = f["coal_consumption_t"] * rng.normal(1, 0.02, n)
    f["energy_monitor_tce"] = f["fuel_heat_gj"] / 29.271 * rng.normal(1, 0.01, n)
    f["report_carbon_pct"] = f["coal_carbon_pct"]
    f["report_ncv_gj_t"] = f["coal_ncv_gj_t"]
    f["lab_id"] = "L1"
    f["carbon_report_id"] = f["unit_id"] + "-" + f["period"]
    f = f.drop(columns=["class_no", "rank_ncv", "heat_rate", "load_factor_true"])
    for col in ("unit_id", "period", "enterprise_id", "unit_class", "cooling", "lab_id"):
        f[col] = f[col].astype("string")
    return f.sort_values(["unit_id", "period"]).reset_index(drop=True)


def lower_carbon(frame: pd.DataFrame, unit_id: str, from_period: str, factor: float = 0.85):
    """Inject a carbon_lowered fault on one unit from `from_period` on (in place)."""
    rows = (frame["unit_id"] == unit_id) & (frame["period"] >= from_period)
    frame.loc[rows, "coal_carbon_pct"] *= factor
    frame.loc[rows, "report_carbon_pct"] = frame.loc[rows, "coal_carbon_pct"]
    add_derived(frame)
    frame.loc[rows, "reported_co2_t"] = frame.loc[rows, "total_co2_t"].round(2)
    return rows


def drift_cems(frame: pd.DataFrame, unit_id: str, from_period: str, factor: float = 1.12):
    """A drifting CEMS analyser: the enterprise's data stay honest (in place)."""
    rows = (frame["unit_id"] == unit_id) & (frame["period"] >= from_period)
    frame.loc[rows, "cems_co2_t"] *= factor
    return rows
