"""The derived parameters of a unit-month, computed with docs/domain.md's formulas.

One vectorised function shared by the unit-month frame (derived columns) and by tracing
(counterfactual re-propagation), so both always agree. It works on scalars and on numpy arrays
alike; a division by zero gives NaN, and heat_share is 0 when there is no heat supply.
"""

from collections.abc import Mapping

import numpy as np

from graph_schema.parameters import FORMULA_CONSTANTS, ParameterKind, parameter_names

Value = float | np.ndarray

DERIVED_PARAMETERS: tuple[str, ...] = tuple(parameter_names(ParameterKind.DERIVED))
# The inputs each derived parameter reads, so callers can tell which values a change reaches.
FORMULA_INPUTS: tuple[str, ...] = (
    "coal_consumption_t",
    "coal_ncv_gj_t",
    "coal_carbon_pct",
    "oxidation_rate",
    "purchased_electricity_mwh",
    "power_generation_mwh",
    "power_supply_mwh",
    "heat_supply_gj",
    "operating_hours",
)


def _ratio(numerator: Value, denominator: Value) -> np.ndarray:
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den == 0, np.nan, num / np.where(den == 0, 1.0, den))


def _unwrap(value: np.ndarray) -> Value:
    return float(value) if value.ndim == 0 else value


def propagate(
    values: Mapping[str, Value],
    capacity_mw: Value,
    hours_in_month: Value,
    constants: Mapping[str, float] = FORMULA_CONSTANTS,
) -> dict[str, Value]:
    """Every derived parameter from the input parameters in `values`.

    A missing input counts as NaN. `hours_in_month` stands in for a missing `operating_hours`
    (a unit that reports no hours is taken to run the whole month for its load factor).
    """

    def get(name: str) -> np.ndarray:
        return np.asarray(values.get(name, np.nan), dtype=float)

    consumption = get("coal_consumption_t")
    carbon = get("coal_carbon_pct")
    ncv = get("coal_ncv_gj_t")
    supply = get("power_supply_mwh")
    generation = get("power_generation_mwh")
    heat_supply = get("heat_supply_gj")
    hours = get("operating_hours")
    hours = np.where(np.isnan(hours), np.asarray(hours_in_month, dtype=float), hours)

    fuel_heat = consumption * ncv
    combustion = consumption * carbon / 100.0 * get("oxidation_rate") * constants["co2_per_c"]
    electricity = get("purchased_electricity_mwh") * constants["grid_ef_t_mwh"]
    total = combustion + electricity
    share = _ratio(heat_supply, fuel_heat * constants["boiler_efficiency"])
    # No heat supply (zero or not reported) means no heat share, whatever the fuel heat.
    heat_share = np.where(np.nan_to_num(heat_supply) > 0, share, 0.0)
    derived = {
        "fuel_heat_gj": fuel_heat,
        "combustion_co2_t": combustion,
        "electricity_co2_t": electricity,
        "total_co2_t": total,
        "heat_share": heat_share,
        "supply_coal_gce_kwh": _ratio(
            fuel_heat * (1 - heat_share) / constants["gj_per_tce"] * 1000.0, supply
        ),
        "supply_intensity": _ratio(total * (1 - heat_share), supply),
        "own_use_rate": 1 - _ratio(supply, generation),
        "load_factor": _ratio(generation, np.asarray(capacity_mw, dtype=float) * hours),
        "carbon_per_heat": _ratio(carbon / 100.0, ncv),
    }
    return {name: _unwrap(np.asarray(derived[name], dtype=float)) for name in DERIVED_PARAMETERS}


# Quantities of a unit-month that checks read besides the catalogue parameters.
MAX_GENERATION = "max_generation_mwh"  # capacity_mw × hours_in_month
RATED_GENERATION = "rated_generation_mwh"  # capacity_mw × operating_hours
POWER_FUEL_HEAT = "power_fuel_heat_gj"  # fuel_heat_gj × (1 − heat_share): the part for power
MONITOR_HEAT = "monitor_heat_gj"  # energy_monitor_tce × gj_per_tce: heat by the energy monitor
# monitor_heat_gj × STEAM_EFFICIENCY_LIMIT / 3.6 GJ per MWh: the most that heat can generate.
HEAT_LIMITED_GENERATION = "heat_limited_generation_mwh"
CONTEXT_QUANTITIES: tuple[str, ...] = (
    MAX_GENERATION,
    RATED_GENERATION,
    POWER_FUEL_HEAT,
    MONITOR_HEAT,
    HEAT_LIMITED_GENERATION,
)
# The context quantities that are one reported figure times a constant (a zero of the figure
# is a zero of the quantity).
SCALED_FIGURES: dict[str, str] = {
    MONITOR_HEAT: "energy_monitor_tce",
    HEAT_LIMITED_GENERATION: "energy_monitor_tce",
}
# No steam cycle turns 55 % of its fuel's heat into gross electricity: the most efficient coal
# unit in service (Pingshan Phase II: 251 gce/kWh supplied, about 4 % own use) turns about 51 %.
STEAM_EFFICIENCY_LIMIT = 0.55
GJ_PER_MWH = 3.6


def context_values(
    values: Mapping[str, Value],
    capacity_mw: Value,
    hours_in_month: Value,
    constants: Mapping[str, float] = FORMULA_CONSTANTS,
) -> dict[str, np.ndarray]:
    """The context quantities from input and derived `values` (as `propagate` returns them,
    merged with the inputs)."""

    def get(name: str) -> np.ndarray:
        return np.asarray(values.get(name, np.nan), dtype=float)

    capacity = np.asarray(capacity_mw, dtype=float)
    share = np.nan_to_num(get("heat_share"), nan=0.0)
    monitor_heat = get("energy_monitor_tce") * constants["gj_per_tce"]
    return {
        MAX_GENERATION: capacity * np.asarray(hours_in_month, dtype=float),
        RATED_GENERATION: capacity * get("operating_hours"),
        POWER_FUEL_HEAT: get("fuel_heat_gj") * (1 - share),
        MONITOR_HEAT: monitor_heat,
        HEAT_LIMITED_GENERATION: monitor_heat * STEAM_EFFICIENCY_LIMIT / GJ_PER_MWH,
    }
