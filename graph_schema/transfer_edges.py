"""The data-transfer edges of one unit-month: how a value flows from parent to child.

Each edge is one parent -> child pair. Edges of the same kind into the same child form one
mechanism (e.g. the formula of `fuel_heat_gj` has two parents). Vertical edges link a parameter
last month (lag 1) to itself this month.
"""

from dataclasses import dataclass
from enum import StrEnum

from graph_schema.parameters import PARAMETERS, ParameterKind


class EdgeKind(StrEnum):
    FORMULA = "formula"  # exact recomputation
    EVIDENCE = "evidence"  # a document states the value; equality
    STATISTICAL = "statistical"  # regression learned across peer units
    CROSS_CHECK = "cross_check"  # two independent measurements of one quantity
    VERTICAL = "vertical"  # the unit's own history
    AGGREGATION = "aggregation"  # unit-months -> enterprise-year


@dataclass(frozen=True)
class TransferEdge:
    kind: EdgeKind
    parent: str
    child: str
    # Months between parent and child (1 for vertical edges, else 0).
    lag: int = 0

    @property
    def edge_type(self) -> str:
        """Stable name of this edge type, e.g. `formula:coal_consumption_t->fuel_heat_gj`."""
        lag = f"@-{self.lag}" if self.lag else ""
        return f"{self.kind.value}:{self.parent}{lag}->{self.child}"


def _formula(child: str, *parents: str) -> list[TransferEdge]:
    return [TransferEdge(EdgeKind.FORMULA, p, child) for p in parents]


_FORMULAS: list[TransferEdge] = [
    *_formula("fuel_heat_gj", "coal_consumption_t", "coal_ncv_gj_t"),
    *_formula("combustion_co2_t", "coal_consumption_t", "coal_carbon_pct", "oxidation_rate"),
    *_formula("electricity_co2_t", "purchased_electricity_mwh"),
    *_formula("total_co2_t", "combustion_co2_t", "electricity_co2_t"),
    *_formula("heat_share", "heat_supply_gj", "fuel_heat_gj"),
    *_formula("supply_coal_gce_kwh", "fuel_heat_gj", "heat_share", "power_supply_mwh"),
    *_formula("supply_intensity", "total_co2_t", "heat_share", "power_supply_mwh"),
    *_formula("own_use_rate", "power_supply_mwh", "power_generation_mwh"),
    *_formula("load_factor", "power_generation_mwh", "operating_hours"),
    *_formula("carbon_per_heat", "coal_carbon_pct", "coal_ncv_gj_t"),
    # The enterprise's own CO2 should equal the recomputation from its own inputs.
    *_formula("reported_co2_t", "total_co2_t"),
]

_EVIDENCE: list[TransferEdge] = [
    TransferEdge(EdgeKind.EVIDENCE, "report_carbon_pct", "coal_carbon_pct"),
    TransferEdge(EdgeKind.EVIDENCE, "report_ncv_gj_t", "coal_ncv_gj_t"),
]

_STATISTICAL: list[TransferEdge] = [
    # Carbon tracks NCV within a coal rank (r ≈ 0.95-0.99).
    TransferEdge(EdgeKind.STATISTICAL, "coal_ncv_gj_t", "coal_carbon_pct"),
    # Heat rate by unit class and load.
    TransferEdge(EdgeKind.STATISTICAL, "power_generation_mwh", "fuel_heat_gj"),
    # Own use by class and cooling.
    TransferEdge(EdgeKind.STATISTICAL, "power_generation_mwh", "power_supply_mwh"),
]

# External measurement -> the reported or derived quantity it measures independently.
_CROSS_CHECKS: list[TransferEdge] = [
    TransferEdge(EdgeKind.CROSS_CHECK, "coal_purchase_t", "coal_consumption_t"),
    TransferEdge(EdgeKind.CROSS_CHECK, "grid_sales_mwh", "power_supply_mwh"),
    TransferEdge(EdgeKind.CROSS_CHECK, "cems_co2_t", "total_co2_t"),
    TransferEdge(EdgeKind.CROSS_CHECK, "energy_monitor_tce", "fuel_heat_gj"),
]

_VERTICAL: list[TransferEdge] = [
    TransferEdge(EdgeKind.VERTICAL, p.name, p.name, lag=1)
    for p in PARAMETERS
    if p.kind in (ParameterKind.REPORTED, ParameterKind.EXTERNAL)
]

# Unit-month emissions roll up into the enterprise-year (target is an EnterpriseYear node).
AGGREGATION_SOURCE = "total_co2_t"

TRANSFER_EDGES: tuple[TransferEdge, ...] = (
    *_FORMULAS,
    *_EVIDENCE,
    *_STATISTICAL,
    *_CROSS_CHECKS,
    *_VERTICAL,
)


def edges_into(child: str, kind: EdgeKind | None = None) -> list[TransferEdge]:
    """The edges whose child is `child`, optionally of one kind."""
    return [e for e in TRANSFER_EDGES if e.child == child and (kind is None or e.kind == kind)]


# Edges whose relation the sweep learns from the fleet (models/edge_models.py).
LEARNED_KINDS = (EdgeKind.STATISTICAL, EdgeKind.CROSS_CHECK)


def learned_edges() -> list[TransferEdge]:
    return [e for e in TRANSFER_EDGES if e.kind in LEARNED_KINDS]
