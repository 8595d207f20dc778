"""The coal each plant burns over the months: its mean NCV and carbon per heat per month.

A plant's coal can change: a wider spread of plant means, a supplier change (a level shift of
NCV, carbon following, so carbon per heat stays that of the rank), a slow drift of the seam or
blend, or a switch to another coal rank (new NCV level and new carbon per heat). All of them
are plant-wide (units of one plant share their coal) and drawn once, from their own stream.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic.fleet import COAL_RANKS, RANK_NAMES
from synthetic.worlds import World

# Relative size of a supplier change, and of a drift per year.
SHIFT_SIZE = (0.05, 0.15)
DRIFT_PER_YEAR = (0.02, 0.06)


@dataclass(frozen=True)
class FuelPlan:
    # (unit, month) mean NCV of the plant's coal, GJ/t, and its carbon per heat, tC/GJ.
    ncv_mean: np.ndarray
    carbon_per_heat: np.ndarray


def plan_fuel(
    units: pd.DataFrame, n_months: int, world: World, rng: np.random.Generator
) -> FuelPlan:
    plant, first_unit = np.unique(units["enterprise_id"].to_numpy(str), return_index=True)
    plant_of_unit = np.searchsorted(plant, units["enterprise_id"].to_numpy(str))
    n = len(plant)
    month = np.arange(n_months)[None, :]

    def sign() -> np.ndarray:
        return np.where(rng.random(n) < 0.5, -1.0, 1.0)

    spread = 1 + rng.normal(0, world.ncv_plant_spread_sd, n)
    shifted = rng.random(n) < world.ncv_shift_share
    shift_month = rng.integers(1, max(n_months, 2), n)
    shift = rng.uniform(*SHIFT_SIZE, n) * sign() * shifted
    drifting = rng.random(n) < world.ncv_drift_share
    drift = rng.uniform(*DRIFT_PER_YEAR, n) / 12 * sign() * drifting
    level = (
        spread[:, None]
        * (1 + shift[:, None] * (month >= shift_month[:, None]))
        * (1 + drift[:, None] * month)
    )

    switched = rng.random(n) < world.fuel_switch_share
    switch_month = rng.integers(1, max(n_months, 2), n)
    rank = pd.Index(RANK_NAMES).get_indexer(units["coal_rank"].to_numpy(str)[first_unit])
    new_rank = (rank + rng.integers(1, len(RANK_NAMES), n)) % len(RANK_NAMES)
    # Per rank: NCV low, NCV high, carbon per heat low, high.
    bounds = np.array([[*COAL_RANKS[r][0], *COAL_RANKS[r][1]] for r in RANK_NAMES])[new_rank]
    new_ncv = rng.uniform(bounds[:, 0], bounds[:, 1])
    new_cph = rng.uniform(bounds[:, 2], bounds[:, 3])

    after_switch = (switched[:, None] & (month >= switch_month[:, None]))[plant_of_unit]
    ncv = np.where(
        after_switch, new_ncv[plant_of_unit, None], units["ncv_mean"].to_numpy()[:, None]
    )
    cph = np.where(
        after_switch,
        new_cph[plant_of_unit, None],
        units["carbon_per_heat"].to_numpy()[:, None],
    )
    return FuelPlan(ncv_mean=ncv * level[plant_of_unit], carbon_per_heat=cph)
