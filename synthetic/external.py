"""external_month: what other systems measured, each with its own noise and gaps.

Every source sees the TRUE operation, never what the enterprise reported, which is what makes
it a cross-check.
"""

import numpy as np
import pandas as pd

from graph_schema.parameters import FORMULA_CONSTANTS

DECIMALS = {"cems_co2_t": 3, "grid_sales_mwh": 3, "coal_purchase_t": 2, "energy_monitor_tce": 3}
# Share of cells each source leaves empty.
MISSING_SHARE = {
    "cems_co2_t": 0.015,
    "grid_sales_mwh": 0.005,
    "coal_purchase_t": 0.02,
    "energy_monitor_tce": 0.03,
}


def external_month(
    units: pd.DataFrame, truth: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per unit: CEMS ±1–3 %, grid meter ±0.2 %, coal deliveries ± stock change,
    energy monitoring ≈ fuel heat / 29.271."""
    n = len(units)
    c = FORMULA_CONSTANTS
    consumption = truth["coal_consumption_t"].to_numpy()
    combustion = (
        consumption
        * np.nan_to_num(truth["coal_carbon_pct"].to_numpy())
        / 100
        * truth["oxidation_rate"].to_numpy()
        * c["co2_per_c"]
    )
    fuel_heat = consumption * np.nan_to_num(truth["coal_ncv_gj_t"].to_numpy())
    frame = pd.DataFrame(
        {
            "cems_co2_t": combustion
            * (1 + units["cems_bias"].to_numpy() + rng.normal(0, 0.012, n)),
            "grid_sales_mwh": truth["power_supply_mwh"].to_numpy() * (1 + rng.normal(0, 0.002, n)),
            "coal_purchase_t": consumption * (1 + rng.normal(0, 0.03, n)),
            "energy_monitor_tce": fuel_heat / c["gj_per_tce"] * (1 + rng.normal(0, 0.01, n)),
        }
    )
    for name, share in MISSING_SHARE.items():
        gap = rng.random(n) < share
        if name == "cems_co2_t":
            gap |= ~units["has_cems_feed"].to_numpy()
        frame.loc[gap, name] = np.nan
    return frame.round(DECIMALS)
