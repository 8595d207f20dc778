"""The parameter catalogue of one unit-month (power sector, coal).

Names are the contract's column names for reported and external parameters, so a name in
`faults.csv` or in a findings export is always one of these.
"""

from dataclasses import dataclass
from enum import StrEnum


class ParameterKind(StrEnum):
    REPORTED = "reported"  # typed by the enterprise (unit_month)
    EXTERNAL = "external"  # measured by another system (external_month)
    EVIDENCE = "evidence"  # from a lab's test report
    DERIVED = "derived"  # computed from others with a docs/domain.md formula


@dataclass(frozen=True)
class Parameter:
    name: str
    unit: str
    kind: ParameterKind
    description: str
    # The contract table and column this parameter is read from (None for derived ones).
    source_table: str | None = None
    source_column: str | None = None


def _reported(name: str, unit: str, description: str) -> Parameter:
    return Parameter(name, unit, ParameterKind.REPORTED, description, "unit_month", name)


def _external(name: str, unit: str, description: str) -> Parameter:
    return Parameter(name, unit, ParameterKind.EXTERNAL, description, "external_month", name)


def _derived(name: str, unit: str, description: str) -> Parameter:
    return Parameter(name, unit, ParameterKind.DERIVED, description)


PARAMETERS: tuple[Parameter, ...] = (
    _reported("coal_consumption_t", "t", "coal burned, as received"),
    _reported("coal_ncv_gj_t", "GJ/t", "as-received low heating value"),
    _reported("coal_carbon_pct", "%", "as-received element carbon content"),
    _reported("oxidation_rate", "fraction", "carbon oxidation rate"),
    _reported("purchased_electricity_mwh", "MWh", "electricity bought from the grid"),
    _reported("power_generation_mwh", "MWh", "gross generation"),
    _reported("power_supply_mwh", "MWh", "net supply to the grid (net generation)"),
    _reported("heat_supply_gj", "GJ", "heat supplied"),
    _reported("operating_hours", "h", "hours on line in the month"),
    _reported("reported_co2_t", "tCO2", "the enterprise's own computed emissions"),
    _external("cems_co2_t", "tCO2", "continuous emission monitoring of the stack"),
    _external("grid_sales_mwh", "MWh", "grid company's metered on-grid electricity"),
    _external("coal_purchase_t", "t", "coal delivered per trade records, net of stock change"),
    _external("energy_monitor_tce", "tce", "energy-consumption online monitoring"),
    Parameter(
        "report_carbon_pct",
        "%",
        ParameterKind.EVIDENCE,
        "carbon content on the lab's test report",
        "test_reports",
        "carbon_pct",
    ),
    Parameter(
        "report_ncv_gj_t",
        "GJ/t",
        ParameterKind.EVIDENCE,
        "low heating value on the lab's test report",
        "test_reports",
        "ncv_gj_t",
    ),
    _derived("fuel_heat_gj", "GJ", "coal_consumption_t × coal_ncv_gj_t"),
    _derived(
        "combustion_co2_t",
        "tCO2",
        "coal_consumption_t × coal_carbon_pct/100 × oxidation_rate × 44/12",
    ),
    _derived("electricity_co2_t", "tCO2", "purchased_electricity_mwh × grid_ef_t_mwh"),
    _derived("total_co2_t", "tCO2", "combustion_co2_t + electricity_co2_t"),
    _derived("heat_share", "fraction", "heat_supply_gj / (fuel_heat_gj × boiler_efficiency)"),
    _derived(
        "supply_coal_gce_kwh",
        "gce/kWh",
        "fuel_heat_gj × (1 − heat_share) / 29.271 / power_supply_mwh × 1000",
    ),
    _derived("supply_intensity", "tCO2/MWh", "total_co2_t × (1 − heat_share) / power_supply_mwh"),
    _derived("own_use_rate", "fraction", "1 − power_supply_mwh / power_generation_mwh"),
    _derived("load_factor", "fraction", "power_generation_mwh / (capacity_mw × operating_hours)"),
    _derived("carbon_per_heat", "tC/GJ", "coal_carbon_pct / 100 / coal_ncv_gj_t"),
)

_BY_NAME = {p.name: p for p in PARAMETERS}


def parameter(name: str) -> Parameter:
    """The catalogue entry for `name`; KeyError names the unknown parameter."""
    return _BY_NAME[name]


def parameter_names(kind: ParameterKind | None = None) -> list[str]:
    return [p.name for p in PARAMETERS if kind is None or p.kind == kind]


# Constants of the formulas (configuration, not data; docs/domain.md "Numbers worth knowing").
FORMULA_CONSTANTS: dict[str, float] = {
    "grid_ef_t_mwh": 0.5703,
    "boiler_efficiency": 0.90,
    "gj_per_tce": 29.271,
    "co2_per_c": 44.0 / 12.0,
    "default_oxidation_rate": 0.99,
}
