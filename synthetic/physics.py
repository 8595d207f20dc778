"""Monthly operation of every unit: outages, load, heat rate, coal and own use.

Each month draws from its own random stream (seeded by the dataset seed and the month index),
so a month's values do not depend on how months are chunked. Values are rounded to the
precision they are written with, and `reported_co2_t` is computed from the rounded inputs so
that a recomputation matches it within rounding.
"""

import numpy as np
import pandas as pd

from graph_schema.parameters import FORMULA_CONSTANTS
from synthetic.periods import Month

# Load relative to the year's mean: summer and winter peaks, spring and autumn troughs.
SEASONAL_LOAD = np.array([1.06, 0.96, 0.92, 0.88, 0.90, 0.98, 1.08, 1.10, 0.98, 0.90, 0.95, 1.04])
HEATING_MONTHS = (11, 12, 1, 2, 3)
# Spring and autumn are overhaul seasons.
OVERHAUL_START_WEIGHTS = np.array([1, 1, 3, 4, 3, 1, 0.3, 0.3, 3, 4, 3, 1], dtype=float)

DECIMALS: dict[str, int] = {
    "coal_consumption_t": 2,
    "coal_ncv_gj_t": 3,
    "coal_carbon_pct": 2,
    "oxidation_rate": 3,
    "purchased_electricity_mwh": 3,
    "power_generation_mwh": 3,
    "power_supply_mwh": 3,
    "heat_supply_gj": 2,
    "operating_hours": 1,
    "reported_co2_t": 3,
}
INPUTS = tuple(name for name in DECIMALS if name != "reported_co2_t")


def draw_outages(n_units: int, months: list[Month], rng: np.random.Generator) -> np.ndarray:
    """Boolean (unit, month) matrix of whole months off line.

    About a third of units take a planned overhaul of one or two months each year; about 1 %
    are held in reserve for a longer stretch.
    """
    n_months = len(months)
    out = np.zeros((n_units, n_months), dtype=bool)
    calendar = np.array([m.month for m in months])
    years = sorted({m.year for m in months})
    weights = OVERHAUL_START_WEIGHTS / OVERHAUL_START_WEIGHTS.sum()
    units = np.arange(n_units)
    for year in years:
        in_year = np.array([m.year == year for m in months])
        overhaul = rng.random(n_units) < 0.33
        start_month = rng.choice(12, size=n_units, p=weights) + 1
        length = np.where(rng.random(n_units) < 0.7, 1, 2)
        for offset in range(2):
            hit = overhaul & (offset < length)
            target = (start_month + offset)[:, None] == calendar[None, :]
            out |= hit[:, None] & target & in_year[None, :]
    reserve = rng.random(n_units) < 0.01
    first = rng.integers(0, n_months, n_units)
    length = rng.integers(3, 7, n_units)
    index = np.arange(n_months)
    out[units[reserve]] |= (index[None, :] >= first[reserve, None]) & (
        index[None, :] < (first + length)[reserve, None]
    )
    return out


def simulate_month(
    units: pd.DataFrame, month: Month, offline: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """The true values of every unit for one month (rounded), plus hidden physical values.

    `offline` flags units with an outage this month: zero hours, generation, supply, heat and
    coal; NCV and carbon are then empty (no coal to test) and the unit buys its station power.
    """
    n = len(units)
    on = ~offline
    capacity = units["capacity_mw"].to_numpy()
    hours = month.hours * np.clip(units["availability"].to_numpy() + rng.normal(0, 0.04, n), 0.5, 1)
    load = np.clip(
        units["load"].to_numpy() * SEASONAL_LOAD[month.month - 1] * (1 + rng.normal(0, 0.05, n)),
        0.35,
        0.97,
    )
    generation = capacity * hours * load
    own_use = np.clip(
        units["own_use"].to_numpy() + 0.04 * (0.75 - load) + rng.normal(0, 0.002, n), 0.02, 0.2
    )
    supply = generation * (1 - own_use)
    supply_rate = (
        units["heat_rate"].to_numpy()
        * (1 + 0.5 * (0.85 - load) ** 2)
        * (1 + rng.normal(0, 0.008, n))
    )
    heating = month.month in HEATING_MONTHS
    base_share = units["winter_heat_share" if heating else "summer_heat_share"].to_numpy()
    heat_share = np.clip(base_share * (1 + rng.normal(0, 0.1, n)), 0, 0.6)
    fuel_heat = supply_rate * supply * FORMULA_CONSTANTS["gj_per_tce"] / 1000 / (1 - heat_share)
    heat_supply = heat_share * fuel_heat * FORMULA_CONSTANTS["boiler_efficiency"]
    ncv = units["ncv_mean"].to_numpy() * (1 + rng.normal(0, 0.03, n))
    carbon = units["carbon_per_heat"].to_numpy() * ncv * 100 * (1 + rng.normal(0, 0.006, n))
    station_power = capacity * month.hours * rng.uniform(0.002, 0.008, n)
    purchased = np.where(on, generation * rng.uniform(0.0003, 0.002, n), station_power)

    frame = pd.DataFrame(
        {
            "coal_consumption_t": np.where(on, fuel_heat / ncv, 0.0),
            "coal_ncv_gj_t": np.where(on, ncv, np.nan),
            "coal_carbon_pct": np.where(on, carbon, np.nan),
            "oxidation_rate": units["oxidation_rate"].to_numpy(),
            "purchased_electricity_mwh": purchased,
            "power_generation_mwh": np.where(on, generation, 0.0),
            "power_supply_mwh": np.where(on, supply, 0.0),
            "heat_supply_gj": np.where(on, heat_supply, 0.0),
            "operating_hours": np.where(on, hours, 0.0),
        }
    )
    frame = round_inputs(frame)
    frame["reported_co2_t"] = reported_co2(frame)
    return frame


def round_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.round({name: DECIMALS[name] for name in INPUTS if name in frame.columns})


def reported_co2(frame: pd.DataFrame) -> np.ndarray:
    """total_co2_t of docs/domain.md from the given inputs, rounded as written (coal-free months
    count only their purchased electricity)."""
    c = FORMULA_CONSTANTS
    combustion = (
        frame["coal_consumption_t"].to_numpy()
        * np.nan_to_num(frame["coal_carbon_pct"].to_numpy())
        / 100
        * frame["oxidation_rate"].to_numpy()
        * c["co2_per_c"]
    )
    electricity = frame["purchased_electricity_mwh"].to_numpy() * c["grid_ef_t_mwh"]
    return np.round(combustion + electricity, DECIMALS["reported_co2_t"])
