"""The dataset contract (docs/data-contract.md, version 1) as data: tables, columns, keys and rules.

Validation, the generator and the benches read these definitions; nothing here reads files.
Only contract rules live here (types, keys, references, `capacity_mw > 0`, ...). Domain
plausibility is not a contract rule: a finite but absurd value is data and loads.
"""

from dataclasses import dataclass
from enum import StrEnum

from graph_schema.parameters import PARAMETERS, ParameterKind

CONTRACT_VERSION = 1

# The business range of periods and dates: anything outside is a typo (9999-12, 0000-01) that
# no reporting year can hold, and would not fit a timestamp downstream.
FIRST_PERIOD, LAST_PERIOD = "2000-01", "2100-12"
FIRST_DATE, LAST_DATE = f"{FIRST_PERIOD}-01", f"{LAST_PERIOD}-31"
# The same range as regular expressions, for schemas that can state only a pattern (OpenAPI):
# a month of 2000-01..2100-12, and a calendar day of that range (2000 is a leap year, 2100 not).
PERIOD_PATTERN = r"^(?:20\d\d|2100)-(?:0[1-9]|1[0-2])$"
DATE_PATTERN = (
    r"^(?:(?:20\d\d|2100)-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    r"|20(?:[02468][048]|[13579][26])-02-29)$"
)


class ColumnType(StrEnum):
    ID = "id"  # opaque text, compared as text (leading zeros matter)
    TEXT = "text"
    FLOAT = "float"  # must parse as a finite number
    INT = "int"
    PERIOD = "period"  # YYYY-MM
    DATE = "date"  # YYYY-MM-DD
    ENUM = "enum"


# Longest cell each type accepts; a longer one is rejected, not stored. Extra columns are text.
MAX_CELL_CHARS: dict[ColumnType, int] = {
    ColumnType.ID: 64,
    ColumnType.TEXT: 1000,
    ColumnType.FLOAT: 40,
    ColumnType.INT: 40,
    ColumnType.PERIOD: 40,
    ColumnType.DATE: 40,
    ColumnType.ENUM: 40,
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    # A required column must be in the header; an optional one is added empty when absent.
    required: bool = True
    # Whether a cell may be empty (an empty cell is a missing value).
    nullable: bool = False
    enum_values: tuple[str, ...] = ()
    default: str | None = None  # raw text used for an empty cell


@dataclass(frozen=True)
class ForeignKey:
    """`column` must name an existing (valid) row of `table` by its `ref_column`."""

    column: str
    table: str
    ref_column: str
    # Restricts the referenced rows, e.g. an enterprise's region must be a city.
    ref_where: tuple[str, str] | None = None


class CheckKind(StrEnum):
    MIN_EXCLUSIVE = "min_exclusive"  # value > bound
    MIN_INCLUSIVE = "min_inclusive"  # value >= bound
    PRESENT_WHEN = "present_when"  # column is non-empty when when_column == when_value
    EMPTY_WHEN = "empty_when"  # column is empty when when_column == when_value


@dataclass(frozen=True)
class CheckRule:
    column: str
    kind: CheckKind
    bound: float | None = None
    when_column: str | None = None
    when_value: str | None = None

    def describe(self) -> str:
        match self.kind:
            case CheckKind.MIN_EXCLUSIVE:
                return f"{self.column} must be > {self.bound:g}"
            case CheckKind.MIN_INCLUSIVE:
                return f"{self.column} must be >= {self.bound:g}"
            case CheckKind.PRESENT_WHEN:
                return f"{self.column} is required when {self.when_column} = {self.when_value}"
            case CheckKind.EMPTY_WHEN:
                return f"{self.column} must be empty when {self.when_column} = {self.when_value}"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[CheckRule, ...] = ()
    # A missing required table is reported; a missing optional one is an empty frame.
    required: bool = False
    # Ground-truth tables are written by generators and never loaded.
    loaded: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _id(name: str, *, required: bool = True, nullable: bool = False) -> Column:
    return Column(name, ColumnType.ID, required=required, nullable=nullable)


def _text(name: str) -> Column:
    return Column(name, ColumnType.TEXT, required=False, nullable=True)


def _float(name: str, *, required: bool = True, nullable: bool = False) -> Column:
    return Column(name, ColumnType.FLOAT, required=required, nullable=nullable)


def _int(name: str) -> Column:
    return Column(name, ColumnType.INT)


def _enum(name: str, values: tuple[str, ...]) -> Column:
    return Column(name, ColumnType.ENUM, enum_values=values)


UNIT_CLASSES = ("coal_300", "coal_600", "coal_1000", "coal_cfb", "coal_unconventional")
COOLING_TYPES = ("water", "air")
REGION_LEVELS = ("province", "city")
ACCREDITATIONS = ("CMA", "CNAS", "CMA+CNAS")
SECTORS = ("power",)
FAULT_TYPES = (
    "carbon_lowered",
    "lab_carbon_lowered",
    "consumption_underreported",
    "supply_overreported",
    "scale_slip",
    "arithmetic_error",
    "cems_drift",
    "frozen_series",
)

_REPORTED = tuple(p.name for p in PARAMETERS if p.kind is ParameterKind.REPORTED)
_EXTERNAL = tuple(p.name for p in PARAMETERS if p.kind is ParameterKind.EXTERNAL)

REGIONS = Table(
    "regions",
    (
        _id("region_code"),
        _text("name"),
        _enum("level", REGION_LEVELS),
        _id("parent_code", required=False, nullable=True),
    ),
    key=("region_code",),
    foreign_keys=(ForeignKey("parent_code", "regions", "region_code", ("level", "province")),),
    checks=(
        CheckRule("parent_code", CheckKind.PRESENT_WHEN, when_column="level", when_value="city"),
        CheckRule("parent_code", CheckKind.EMPTY_WHEN, when_column="level", when_value="province"),
    ),
    required=True,
)

GROUPS = Table("groups", (_id("group_id"), _text("name")), key=("group_id",))

ENTERPRISES = Table(
    "enterprises",
    (
        _id("enterprise_id"),
        _text("name"),
        _id("region_code"),
        _id("group_id", required=False, nullable=True),
        Column("sector", ColumnType.ENUM, required=False, enum_values=SECTORS, default="power"),
    ),
    key=("enterprise_id",),
    foreign_keys=(
        ForeignKey("region_code", "regions", "region_code", ("level", "city")),
        ForeignKey("group_id", "groups", "group_id"),
    ),
    required=True,
)

UNITS = Table(
    "units",
    (
        _id("unit_id"),
        _id("enterprise_id"),
        _enum("unit_class", UNIT_CLASSES),
        _float("capacity_mw"),
        _enum("cooling", COOLING_TYPES),
        _int("commissioned_year"),
    ),
    key=("unit_id",),
    foreign_keys=(ForeignKey("enterprise_id", "enterprises", "enterprise_id"),),
    checks=(CheckRule("capacity_mw", CheckKind.MIN_EXCLUSIVE, bound=0.0),),
    required=True,
)

VERIFIERS = Table(
    "verifiers",
    (_id("verifier_id"), _text("name"), _id("region_code")),
    key=("verifier_id",),
    foreign_keys=(ForeignKey("region_code", "regions", "region_code"),),
)

LABS = Table(
    "labs",
    (_id("lab_id"), _text("name"), _id("region_code"), _enum("accreditation", ACCREDITATIONS)),
    key=("lab_id",),
    foreign_keys=(ForeignKey("region_code", "regions", "region_code"),),
)

TEST_REPORTS = Table(
    "test_reports",
    (
        _id("report_id"),
        _id("lab_id"),
        _id("unit_id"),
        Column("period", ColumnType.PERIOD),
        Column("sample_date", ColumnType.DATE, nullable=True),
        Column("report_date", ColumnType.DATE, nullable=True),
        _float("carbon_pct", nullable=True),
        _float("ncv_gj_t", nullable=True),
    ),
    key=("report_id",),
    foreign_keys=(
        ForeignKey("lab_id", "labs", "lab_id"),
        ForeignKey("unit_id", "units", "unit_id"),
    ),
)

UNIT_MONTH = Table(
    "unit_month",
    (
        _id("unit_id"),
        Column("period", ColumnType.PERIOD),
        Column("revision", ColumnType.INT, required=False, default="1"),
        *(_float(name, nullable=True) for name in _REPORTED),
        _id("carbon_report_id", required=False, nullable=True),
        Column("submitted_on", ColumnType.DATE, required=False, nullable=True),
    ),
    key=("unit_id", "period", "revision"),
    foreign_keys=(
        ForeignKey("unit_id", "units", "unit_id"),
        ForeignKey("carbon_report_id", "test_reports", "report_id"),
    ),
    checks=(CheckRule("revision", CheckKind.MIN_INCLUSIVE, bound=1.0),),
    required=True,
)

EXTERNAL_MONTH = Table(
    "external_month",
    (
        _id("unit_id"),
        Column("period", ColumnType.PERIOD),
        *(_float(name, required=False, nullable=True) for name in _EXTERNAL),
    ),
    key=("unit_id", "period"),
    foreign_keys=(ForeignKey("unit_id", "units", "unit_id"),),
)

VERIFICATIONS = Table(
    "verifications",
    (
        _id("verification_id"),
        _id("enterprise_id"),
        _int("year"),
        _id("verifier_id"),
        _float("verified_co2_t", nullable=True),
        Column("nonconformities", ColumnType.INT, nullable=True),
        Column("concluded_on", ColumnType.DATE, nullable=True),
    ),
    key=("verification_id",),
    foreign_keys=(
        ForeignKey("enterprise_id", "enterprises", "enterprise_id"),
        ForeignKey("verifier_id", "verifiers", "verifier_id"),
    ),
)

ALLOCATIONS = Table(
    "allocations",
    (_id("enterprise_id"), _int("year"), _float("allocated_t")),
    key=("enterprise_id", "year"),
    foreign_keys=(ForeignKey("enterprise_id", "enterprises", "enterprise_id"),),
)

COMPLIANCE = Table(
    "compliance",
    (
        _id("enterprise_id"),
        _int("year"),
        _float("surrendered_t", nullable=True),
        Column("completed_on", ColumnType.DATE, nullable=True),
    ),
    key=("enterprise_id", "year"),
    foreign_keys=(ForeignKey("enterprise_id", "enterprises", "enterprise_id"),),
)

TRADES = Table(
    "trades",
    (
        _id("trade_id"),
        Column("traded_on", ColumnType.DATE),
        _id("seller_id"),
        _id("buyer_id"),
        _float("volume_t"),
        _float("price_cny_per_t", nullable=True),
    ),
    key=("trade_id",),
    foreign_keys=(
        ForeignKey("seller_id", "enterprises", "enterprise_id"),
        ForeignKey("buyer_id", "enterprises", "enterprise_id"),
    ),
)

FAULTS = Table(
    "faults",
    (
        _id("fault_id"),
        _enum("fault_type", FAULT_TYPES),
        _id("unit_id", nullable=True),
        Column("first_period", ColumnType.PERIOD),
        Column("last_period", ColumnType.PERIOD),
        _enum("root_parameter", tuple(p.name for p in PARAMETERS)),
        _id("root_entity", nullable=True),
        _float("magnitude", nullable=True),
    ),
    key=("fault_id",),
    loaded=False,
)

# Parents before children, so a foreign key is checked against its validated parent.
LOAD_ORDER: tuple[Table, ...] = (
    REGIONS,
    GROUPS,
    ENTERPRISES,
    UNITS,
    VERIFIERS,
    LABS,
    TEST_REPORTS,
    UNIT_MONTH,
    EXTERNAL_MONTH,
    VERIFICATIONS,
    ALLOCATIONS,
    COMPLIANCE,
    TRADES,
)

TABLES: dict[str, Table] = {t.name: t for t in (*LOAD_ORDER, FAULTS)}


def table(name: str) -> Table:
    return TABLES[name]
