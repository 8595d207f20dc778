"""What a root cause means in tonnes of CO2 and in allowances, and whether it is material.

The counterfactual puts the root parameter at its expected value in its own unit-month and
recomputes with the formulas:
- emissions: the CO2 the unit would have reported (an input of the formulas), the corrected
  figure itself (`reported_co2_t`), or, for an external measurement, the tonnes its
  disagreement with the enterprise is worth (the enterprise owes nothing for another system's
  fault, but the regulator must know what the faulty source would have cost);
- allocation: allowances follow the supply (tCO2 per MWh supplied, by class), so a wrong supply
  (or grid meter) figure moves them. A fleet without any allocation record (`allocated_t`
  missing throughout: outside an allowance market, as the US sample is) has no allocation at
  stake (NaN); one with allocations has it in every year, issued yet or not.
A finding is material when emissions and allocation together move by at least a share of the
unit-month's emissions (the policy's materiality share).
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from graph_schema.parameters import FORMULA_CONSTANTS
from loaders.formulas import FORMULA_INPUTS, propagate

# First-period allocation benchmarks, tCO2 per MWh supplied (docs/domain.md): conventional units
# above 300 MW, 300 MW and below, unconventional (CFB, gangue) units.
BENCHMARK_T_PER_MWH: Mapping[str, float] = {
    "coal_1000": 0.877,
    "coal_600": 0.877,
    "coal_300": 0.979,
    "coal_cfb": 1.146,
    "coal_unconventional": 1.146,
}
DEFAULT_BENCHMARK = 0.979
# CO2 per GJ of coal heat when a unit states no carbon figure: IPCC 2006 default carbon of
# other bituminous coal, 25.8 kgC/GJ, fully oxidised.
DEFAULT_CO2_PER_GJ = 0.0258 * FORMULA_CONSTANTS["co2_per_c"]
IMPACT_COLUMNS = ["emissions_t", "co2_delta_t", "allocation_delta_t", "impact_t", "material"]


def _num(rows: pd.DataFrame, name: str) -> np.ndarray:
    return rows[name].to_numpy(dtype=float) if name in rows else np.full(len(rows), np.nan)


def _first(*columns: np.ndarray) -> np.ndarray:
    out = columns[0].copy()
    for column in columns[1:]:
        out = np.where(np.isfinite(out), out, column)
    return out


def unit_month_emissions(rows: pd.DataFrame) -> np.ndarray:
    """The best figure of each unit-month's emissions: reported, else recomputed, else CEMS,
    else fuel or monitored heat at the default carbon of coal."""
    heat = _first(
        _num(rows, "fuel_heat_gj"),
        _num(rows, "energy_monitor_tce") * FORMULA_CONSTANTS["gj_per_tce"],
    )
    return _first(
        _num(rows, "reported_co2_t"),
        _num(rows, "total_co2_t"),
        _num(rows, "cems_co2_t"),
        heat * DEFAULT_CO2_PER_GJ,
    )


def _co2_per(rows: pd.DataFrame, num: str, den: str, fallback: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = _num(rows, num) / _num(rows, den)
    return np.where(np.isfinite(ratio) & (ratio > 0), ratio, fallback)


def impacts(
    rows: pd.DataFrame,
    root: np.ndarray,
    expected: np.ndarray,
    materiality_share: float,
) -> pd.DataFrame:
    """IMPACT_COLUMNS for each unit-month row of `rows` (the fleet: whether it has allocations
    at all decides whether allowances are at stake) with its root parameter and expected value
    (rows without a root get NaN and are not material)."""
    observed = np.full(len(rows), np.nan)
    for name in np.unique(root[pd.notna(root)]):
        if name in rows:
            observed = np.where(root == name, _num(rows, name), observed)
    change = expected - observed
    inputs = {name: _num(rows, name) for name in FORMULA_INPUTS}
    for name in FORMULA_INPUTS:
        inputs[name] = np.where(root == name, expected, inputs[name])
    counterfactual = np.asarray(
        propagate(inputs, _num(rows, "capacity_mw"), _num(rows, "hours_in_month"))["total_co2_t"],
        dtype=float,
    )
    reported = _first(_num(rows, "reported_co2_t"), _num(rows, "total_co2_t"))
    co2_per_gj = _co2_per(
        rows, "total_co2_t", "fuel_heat_gj", np.full(len(rows), DEFAULT_CO2_PER_GJ)
    )
    co2_per_t = _co2_per(
        rows, "total_co2_t", "coal_consumption_t", _num(rows, "coal_ncv_gj_t") * co2_per_gj
    )
    co2 = np.select(
        [
            np.isin(root, FORMULA_INPUTS),
            root == "reported_co2_t",
            np.isin(root, ["coal_carbon_pct", "report_carbon_pct"])
            & ~np.isin(root, FORMULA_INPUTS),
            root == "cems_co2_t",
            root == "energy_monitor_tce",
            root == "coal_purchase_t",
        ],
        [
            counterfactual - reported,
            change,
            _num(rows, "combustion_co2_t") * change / _num(rows, "coal_carbon_pct"),
            change,
            change * FORMULA_CONSTANTS["gj_per_tce"] * co2_per_gj,
            change * co2_per_t,
        ],
        0.0,
    )
    benchmark = rows["unit_class"].astype(str).map(BENCHMARK_T_PER_MWH).fillna(DEFAULT_BENCHMARK)
    moves_allocation = np.isin(root, ["power_supply_mwh", "grid_sales_mwh"])
    allocation = np.where(moves_allocation, -change * benchmark.to_numpy(dtype=float), 0.0)
    if not np.isfinite(_num(rows, "allocated_t")).any():
        allocation = np.full(len(rows), np.nan)
    emissions = unit_month_emissions(rows)
    impact = np.abs(np.nan_to_num(co2)) + np.abs(np.nan_to_num(allocation))
    has_root = pd.notna(root) & np.isfinite(expected)
    material = has_root & (impact >= materiality_share * np.abs(np.nan_to_num(emissions)))
    return pd.DataFrame(
        {
            "emissions_t": emissions,
            "co2_delta_t": np.where(has_root, co2, np.nan),
            "allocation_delta_t": np.where(has_root, allocation, np.nan),
            "impact_t": np.where(has_root, impact, np.nan),
            "material": material,
        },
        index=rows.index,
    )
