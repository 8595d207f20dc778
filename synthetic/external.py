"""external_month: what other systems measured, each with the world's noise and gaps.

Every source sees the TRUE physical operation, never what the enterprise reported (nor the
conventions it reports by: default carbon factor, annual net spread), which is what makes it a
cross-check.
"""

import numpy as np
import pandas as pd

from graph_schema.parameters import FORMULA_CONSTANTS
from synthetic.physics import MonthTruth
from synthetic.worlds import World

DECIMALS = {"cems_co2_t": 3, "grid_sales_mwh": 3, "coal_purchase_t": 2, "energy_monitor_tce": 3}


def external_month(
    units: pd.DataFrame,
    truth: MonthTruth,
    world: World,
    rng: np.random.Generator,
    cems_drifting: np.ndarray,
) -> pd.DataFrame:
    """One row per unit: CEMS (unit bias and monthly noise), grid meter, coal deliveries ±
    stock change, energy monitoring ≈ fuel heat / 29.271.

    A CEMS analyser that is drifting this month (`cems_drifting`, a fault) is reporting, so
    its cell is never one of the random gaps: the fault is always in the data.
    """
    n = len(units)
    c = FORMULA_CONSTANTS
    reported = truth.reported
    consumption = reported["coal_consumption_t"].to_numpy()
    combustion = (
        consumption
        * np.nan_to_num(truth.physical_carbon_pct)
        / 100
        * reported["oxidation_rate"].to_numpy()
        * c["co2_per_c"]
    )
    fuel_heat = consumption * np.nan_to_num(reported["coal_ncv_gj_t"].to_numpy())
    frame = pd.DataFrame(
        {
            "cems_co2_t": combustion
            * (1 + units["cems_bias"].to_numpy() + rng.normal(0, world.cems_noise_sd, n)),
            "grid_sales_mwh": truth.physical_supply_mwh
            * (1 + rng.normal(0, world.grid_meter_noise_sd, n)),
            "coal_purchase_t": consumption * (1 + rng.normal(0, world.coal_purchase_noise_sd, n)),
            "energy_monitor_tce": fuel_heat
            / c["gj_per_tce"]
            * (1 + rng.normal(0, world.energy_monitor_noise_sd, n)),
        }
    )
    missing_share = {
        "cems_co2_t": world.cems_missing_share,
        "grid_sales_mwh": world.grid_missing_share,
        "coal_purchase_t": world.purchase_missing_share,
        "energy_monitor_tce": world.monitor_missing_share,
    }
    for name, share in missing_share.items():
        gap = rng.random(n) < share
        if name == "cems_co2_t":
            gap = (gap & ~cems_drifting) | ~units["has_cems_feed"].to_numpy()
        frame.loc[gap, name] = np.nan
    return frame.round(DECIMALS)
