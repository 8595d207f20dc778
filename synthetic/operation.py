"""The operation calendar: what each unit does in each month (idle, full month, part month,
start-up), drawn once for the whole dataset.

Outages come from the outage stream exactly as they always did; part months, start-ups and
seasonal peaking come from a stream of their own, so a world without them draws the same
outages as before. Faults are planned on this calendar (they never change it), which keeps the
clean data independent of the fault rate.
"""

from enum import IntEnum

import numpy as np
import pandas as pd

from synthetic.periods import Month
from synthetic.worlds import World

# Spring and autumn are overhaul seasons.
OVERHAUL_START_WEIGHTS = np.array([1, 1, 3, 4, 3, 1, 0.3, 0.3, 3, 4, 3, 1], dtype=float)
# Seasonal peakers run through the summer peak only.
PEAK_SEASON = (6, 7, 8, 9)


class State(IntEnum):
    IDLE = 0
    FULL = 1
    # On line for part of the month (maintenance, cycling): fewer hours, all else consistent.
    PART = 2
    # A few hours of firing at the end of an outage month, with little output.
    STARTUP = 3


def operation_calendar(
    units: pd.DataFrame,
    months: list[Month],
    world: World,
    outage_rng: np.random.Generator,
    rng: np.random.Generator,
) -> np.ndarray:
    """(unit, month) matrix of `State` values."""
    idle = draw_outages(len(units), months, world, outage_rng)
    calendar = np.array([m.month for m in months])
    off_season = ~np.isin(calendar, PEAK_SEASON)
    idle |= units["seasonal_peaker"].to_numpy()[:, None] & off_season[None, :]
    state = np.where(idle, State.IDLE, State.FULL).astype(np.int8)
    part = ~idle & (rng.random(idle.shape) < world.part_month_share)
    state[part] = State.PART
    # A start-up month is an idle month followed by an on-line one.
    before_online = np.zeros_like(idle)
    before_online[:, :-1] = idle[:, :-1] & ~idle[:, 1:]
    startup = before_online & (rng.random(idle.shape) < world.startup_share)
    state[startup] = State.STARTUP
    return state


def draw_outages(
    n_units: int, months: list[Month], world: World, rng: np.random.Generator
) -> np.ndarray:
    """Boolean (unit, month) matrix of whole months off line.

    A share of units takes a planned overhaul of one or two months each year; a few are held
    in reserve for a longer stretch.
    """
    n_months = len(months)
    out = np.zeros((n_units, n_months), dtype=bool)
    calendar = np.array([m.month for m in months])
    years = sorted({m.year for m in months})
    weights = OVERHAUL_START_WEIGHTS / OVERHAUL_START_WEIGHTS.sum()
    units = np.arange(n_units)
    for year in years:
        in_year = np.array([m.year == year for m in months])
        overhaul = rng.random(n_units) < world.overhaul_share
        start_month = rng.choice(12, size=n_units, p=weights) + 1
        length = np.where(rng.random(n_units) < world.overhaul_one_month_share, 1, 2)
        for offset in range(2):
            hit = overhaul & (offset < length)
            target = (start_month + offset)[:, None] == calendar[None, :]
            out |= hit[:, None] & target & in_year[None, :]
    reserve = rng.random(n_units) < world.reserve_share
    first = rng.integers(0, n_months, n_units)
    length = rng.integers(3, 7, n_units)
    index = np.arange(n_months)
    out[units[reserve]] |= (index[None, :] >= first[reserve, None]) & (
        index[None, :] < (first + length)[reserve, None]
    )
    return out
