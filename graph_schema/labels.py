"""Node labels, relationship types, uniqueness constraints and indexes of the graph."""

from dataclasses import dataclass
from enum import StrEnum


class NodeLabel(StrEnum):
    REGION = "Region"
    GROUP = "Group"
    ENTERPRISE = "Enterprise"
    UNIT = "Unit"
    VERIFIER = "Verifier"
    LAB = "Lab"
    TEST_REPORT = "TestReport"
    # One node per (unit, period): the month as a whole, holding the current revision number.
    UNIT_MONTH = "UnitMonth"
    # One node per (unit, period, revision): every submission is kept as history.
    SUBMISSION = "Submission"
    # One node per (unit, period, parameter name) of the current revision.
    PARAMETER = "Parameter"
    ENTERPRISE_YEAR = "EnterpriseYear"
    VERIFICATION = "Verification"
    ALLOCATION = "Allocation"
    COMPLIANCE = "Compliance"
    TRADE = "Trade"
    SWEEP = "Sweep"
    # The fitted models of a sweep, serialised.
    MODEL = "Model"


class RelType(StrEnum):
    # Entity chain.
    IN_REGION = "IN_REGION"  # Enterprise|Lab|Verifier -> Region (city)
    PART_OF = "PART_OF"  # Region (city) -> Region (province)
    MEMBER_OF = "MEMBER_OF"  # Enterprise -> Group
    OWNED_BY = "OWNED_BY"  # Unit -> Enterprise
    # Monthly records.
    HAS_MONTH = "HAS_MONTH"  # Unit -> UnitMonth
    HAS_SUBMISSION = "HAS_SUBMISSION"  # UnitMonth -> Submission
    HAS_PARAMETER = "HAS_PARAMETER"  # UnitMonth -> Parameter
    ISSUED = "ISSUED"  # Lab -> TestReport
    EVIDENCES = "EVIDENCES"  # TestReport -> Parameter (coal_carbon_pct of its unit-month)
    # The data-transfer edges between parameters (kind and edge_type are properties).
    TRANSFERS_TO = "TRANSFERS_TO"  # Parameter -> Parameter
    # Annual and market records.
    HAS_YEAR = "HAS_YEAR"  # Enterprise -> EnterpriseYear
    AGGREGATES_TO = "AGGREGATES_TO"  # Parameter (total_co2_t) -> EnterpriseYear
    VERIFIES = "VERIFIES"  # Verification -> EnterpriseYear
    PERFORMED = "PERFORMED"  # Verifier -> Verification
    ALLOCATED_TO = "ALLOCATED_TO"  # Allocation -> EnterpriseYear
    COMPLIES = "COMPLIES"  # Compliance -> EnterpriseYear
    SOLD = "SOLD"  # Enterprise -> Trade
    BOUGHT = "BOUGHT"  # Trade -> Enterprise


@dataclass(frozen=True)
class UniqueKey:
    label: NodeLabel
    key_property: str

    @property
    def name(self) -> str:
        return f"{self.label.value.lower()}_{self.key_property}_unique"


@dataclass(frozen=True)
class PropertyIndex:
    label: NodeLabel
    properties: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.label.value.lower()}_{'_'.join(self.properties)}_index"


# Every node label has one text key named `key` or a natural id; ids are text end to end.
CONSTRAINTS: tuple[UniqueKey, ...] = (
    UniqueKey(NodeLabel.REGION, "region_code"),
    UniqueKey(NodeLabel.GROUP, "group_id"),
    UniqueKey(NodeLabel.ENTERPRISE, "enterprise_id"),
    UniqueKey(NodeLabel.UNIT, "unit_id"),
    UniqueKey(NodeLabel.VERIFIER, "verifier_id"),
    UniqueKey(NodeLabel.LAB, "lab_id"),
    UniqueKey(NodeLabel.TEST_REPORT, "report_id"),
    UniqueKey(NodeLabel.UNIT_MONTH, "key"),
    UniqueKey(NodeLabel.SUBMISSION, "key"),
    UniqueKey(NodeLabel.PARAMETER, "key"),
    UniqueKey(NodeLabel.ENTERPRISE_YEAR, "key"),
    UniqueKey(NodeLabel.VERIFICATION, "verification_id"),
    UniqueKey(NodeLabel.ALLOCATION, "key"),
    UniqueKey(NodeLabel.COMPLIANCE, "key"),
    UniqueKey(NodeLabel.TRADE, "trade_id"),
    UniqueKey(NodeLabel.SWEEP, "sweep_id"),
    UniqueKey(NodeLabel.MODEL, "version"),
)

INDEXES: tuple[PropertyIndex, ...] = (
    PropertyIndex(NodeLabel.PARAMETER, ("period",)),
    PropertyIndex(NodeLabel.PARAMETER, ("unit_id", "period")),
    PropertyIndex(NodeLabel.UNIT_MONTH, ("period",)),
    PropertyIndex(NodeLabel.ENTERPRISE, ("region_code",)),
    PropertyIndex(NodeLabel.UNIT, ("enterprise_id",)),
)

KEY_PROPERTY: dict[NodeLabel, str] = {c.label: c.key_property for c in CONSTRAINTS}
