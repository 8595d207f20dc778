"""Monthly operation of every unit: load, heat rate, coal and own use, by operation state.

Each month draws from its own random stream (seeded by the dataset seed and the month index),
so a month's values do not depend on how months are chunked; the world's additions (part
months, start-ups, measured oxidation, idle-month supply) draw from a second per-month stream,
so a world without them draws what the generator always drew. Values are rounded to the
precision they are written with, and `reported_co2_t` is computed from the rounded inputs so
that a recomputation matches it within rounding.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph_schema.parameters import FORMULA_CONSTANTS
from synthetic.operation import State
from synthetic.periods import Month
from synthetic.worlds import World

# Load relative to the year's mean: summer and winter peaks, spring and autumn troughs.
SEASONAL_LOAD = np.array([1.06, 0.96, 0.92, 0.88, 0.90, 0.98, 1.08, 1.10, 0.98, 0.90, 0.95, 1.04])
HEATING_MONTHS = (11, 12, 1, 2, 3)
# Regulatory default carbon per heat for months without a valid test (2021-2022 data,
# docs/domain.md): a unit without test reports reports this × NCV as its carbon content.
DEFAULT_CARBON_PER_HEAT = 0.03085
# The top of as-received carbon content: anthracite, the richest coal, holds about 80-90 %
# carbon dry and ash-free, and less as received (moisture and ash).
MAX_AS_RECEIVED_CARBON_PCT = 80.0
# Part month: share of the month's normal hours on line, and the heat-rate penalty of the
# missing share (warm-ups and low-load hours around the stop).
PART_MONTH_HOURS = (0.15, 0.70)
PART_MONTH_HEAT_RATE_PENALTY = 0.04
# Start-up: hours fired, load while on line, heat per MWh relative to normal (warm-up fuel
# with little output), extra own use (auxiliaries run before synchronising).
STARTUP_HOURS = (5.0, 60.0)
STARTUP_LOAD = (0.2, 0.45)
STARTUP_HEAT_RATE_FACTOR = (1.3, 2.0)
STARTUP_EXTRA_OWN_USE = (0.02, 0.08)

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


@dataclass
class MonthTruth:
    """What an honest enterprise reports for the month (its conventions included), and the
    physical values other systems measure where the reported ones follow a convention."""

    reported: pd.DataFrame
    # Carbon content of the coal burned (a unit on the default factor reports another).
    physical_carbon_pct: np.ndarray
    # Net supply of the month (an annual respondent reports a flat share of the year).
    physical_supply_mwh: np.ndarray


def simulate_month(
    units: pd.DataFrame,
    month: Month,
    state: np.ndarray,
    ncv_mean: np.ndarray,
    carbon_per_heat: np.ndarray,
    world: World,
    rng: np.random.Generator,
    world_rng: np.random.Generator,
) -> MonthTruth:
    """The true values of every unit for one month (rounded), given each unit's `State` and
    its coal's mean NCV and carbon per heat this month.

    An idle unit has zero hours, generation, heat and coal; NCV and carbon are then empty (no
    coal to test) and the unit buys its station power, which in some worlds also shows as a
    small negative net supply. A part month scales hours (and so generation, coal, supply and
    CO2) with a slightly worse heat rate; a start-up fires a few hours with little output.
    """
    n = len(units)
    on = state != State.IDLE
    part = state == State.PART
    startup = state == State.STARTUP
    # The world's draws first, from their own stream: the main stream stays as it always was.
    on_share = world_rng.uniform(*PART_MONTH_HOURS, n)
    startup_hours = world_rng.uniform(*STARTUP_HOURS, n)
    startup_load = world_rng.uniform(*STARTUP_LOAD, n)
    startup_rate = world_rng.uniform(*STARTUP_HEAT_RATE_FACTOR, n)
    startup_own_use = world_rng.uniform(*STARTUP_EXTRA_OWN_USE, n)
    oxidation_noise = world_rng.normal(0, world.oxidation_monthly_sd, n)
    negative_idle = world_rng.random(n) < world.idle_negative_supply_share

    capacity = units["capacity_mw"].to_numpy()
    hours = month.hours * np.clip(units["availability"].to_numpy() + rng.normal(0, 0.04, n), 0.5, 1)
    hours = np.where(part, hours * on_share, np.where(startup, startup_hours, hours))
    load = np.clip(
        units["load"].to_numpy() * SEASONAL_LOAD[month.month - 1] * (1 + rng.normal(0, 0.05, n)),
        0.35,
        0.97,
    )
    load = np.where(startup, startup_load, load)
    generation = capacity * hours * load
    own_use = np.clip(
        units["own_use"].to_numpy()
        + 0.04 * (0.75 - load)
        + rng.normal(0, world.own_use_noise_sd, n)
        + np.where(startup, startup_own_use, 0.0),
        0.02,
        0.2,
    )
    supply = generation * (1 - own_use)
    part_penalty = 1 + PART_MONTH_HEAT_RATE_PENALTY * (1 - on_share)
    penalty = np.where(part, part_penalty, np.where(startup, startup_rate, 1.0))
    supply_rate = (
        units["heat_rate"].to_numpy()
        * (1 + 0.5 * (0.85 - load) ** 2)
        * (1 + rng.normal(0, world.heat_rate_noise_sd, n))
        * penalty
    )
    heating = month.month in HEATING_MONTHS
    base_share = units["winter_heat_share" if heating else "summer_heat_share"].to_numpy()
    heat_share = np.clip(base_share * (1 + rng.normal(0, world.heat_share_noise_sd, n)), 0, 0.6)
    fuel_heat = supply_rate * supply * FORMULA_CONSTANTS["gj_per_tce"] / 1000 / (1 - heat_share)
    heat_supply = heat_share * fuel_heat * FORMULA_CONSTANTS["boiler_efficiency"]
    ncv = ncv_mean * (1 + rng.normal(0, world.ncv_monthly_sd, n))
    carbon = carbon_per_heat * ncv * 100 * (1 + rng.normal(0, world.carbon_noise_sd, n))
    # As-received coal holds at most ~80 % carbon: a spread-out, shifted or drifting NCV may
    # not carry a coal past it, so such a month is a slightly leaner coal (NCV and carbon alike).
    leaner = np.minimum(1.0, MAX_AS_RECEIVED_CARBON_PCT / np.maximum(carbon, 1e-9))
    ncv, carbon = ncv * leaner, carbon * leaner
    reported_carbon = np.where(
        units["has_test_reports"].to_numpy(), carbon, DEFAULT_CARBON_PER_HEAT * ncv * 100
    )
    station_power = capacity * month.hours * rng.uniform(0.002, 0.008, n)
    # Part months and start-ups also buy station power for their hours off line.
    off_share = np.where(part | startup, 1 - hours / month.hours, 0.0)
    purchased = np.where(
        on, generation * rng.uniform(0.0003, 0.002, n) + station_power * off_share, station_power
    )
    idle_supply = np.where(negative_idle, -station_power, 0.0)
    measured = units["oxidation_measured"].to_numpy()
    oxidation = units["oxidation_rate"].to_numpy()
    oxidation = np.where(
        measured,
        np.clip(oxidation + oxidation_noise, world.oxidation_min, world.oxidation_max),
        oxidation,
    )

    frame = pd.DataFrame(
        {
            "coal_consumption_t": np.where(on, fuel_heat / ncv, 0.0),
            "coal_ncv_gj_t": np.where(on, ncv, np.nan),
            "coal_carbon_pct": np.where(on, reported_carbon, np.nan),
            "oxidation_rate": oxidation,
            "purchased_electricity_mwh": purchased,
            "power_generation_mwh": np.where(on, generation, 0.0),
            "power_supply_mwh": np.where(on, supply, idle_supply),
            "heat_supply_gj": np.where(on, heat_supply, 0.0),
            "operating_hours": np.where(on, hours, 0.0),
        }
    )
    frame = round_inputs(frame)
    frame["reported_co2_t"] = reported_co2(frame)
    return MonthTruth(
        reported=frame,
        physical_carbon_pct=np.round(np.where(on, carbon, np.nan), DECIMALS["coal_carbon_pct"]),
        physical_supply_mwh=frame["power_supply_mwh"].to_numpy().copy(),
    )


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
