"""The rules as data: about 120 declarative checks over the parameter catalogue, four families.

Each rule is one `Rule`: an id, a family, the parameter it points at as most likely wrong
(`target`), a one-line rationale, a severity (1 advisory, 2 strong, 3 impossible or directly
money-moving), a check spec that `models.rule_engine` evaluates vectorised over the unit-month
frame, and `example`: a mutation of one honest unit's latest month(s) that must make it fire,
so each rule is tested from its own data.

Families (docs/domain.md part 3): extreme value (physical ranges, the unit's own history, its
peers' far tails), standard value (robust distance from peers or history), threshold
(intervals, jumps from last month or last year), logic (relations, equalities, dates, copies).

What a rule's verdict rests on is its basis, and only physics and regulation may be constants:
- physical / regulatory: a hard bound from nature or from the accounting rules, with its
  public source; a breach is a fact, never a fleet's convention;
- exact: two figures that must agree (a recomputation, a test report), to the rounding the
  figures themselves show;
- statistical: a robust distance from the unit's peers or its own history; the rule states the
  distance only, and the engine turns it into a tail probability against the null fitted on the
  fleet being scored (engine.null);
- slip: a change of half a decade or more from last month (decimal and unit slips are powers of
  ten), calibrated like a statistical rule;
- copy: the same value month after month, as rare as the fleet's own repeats say;
- procedural: dates and documents, which go to the compliance checklist, never into a score.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from graph_schema.parameters import FORMULA_CONSTANTS, parameter_names
from loaders.formulas import (
    HEAT_LIMITED_GENERATION,
    MAX_GENERATION,
    MONITOR_HEAT,
    POWER_FUEL_HEAT,
    RATED_GENERATION,
    STEAM_EFFICIENCY_LIMIT,
)
from models.rule_families import Family


class Basis(StrEnum):
    PHYSICAL = "physical"
    REGULATORY = "regulatory"
    EXACT = "exact"
    STATISTICAL = "statistical"
    SLIP = "slip"
    COPY = "copy"
    PROCEDURAL = "procedural"


# A breach of these is a fact (the prevalence guard never turns it into a convention).
HARD_BASES = frozenset({Basis.PHYSICAL, Basis.REGULATORY, Basis.EXACT})


class When(StrEnum):
    """Which unit-months a rule applies to (and, for history and peer rules, learns from)."""

    ALWAYS = "always"
    RUNNING = "running"  # generating with operating hours > 0
    # On line at least half the month: start-up fuel dominates every ratio of a shorter run.
    STEADY = "steady"
    NO_REPORT = "no_report"  # no lab test report behind the carbon content
    # The carbon content is not the regulatory default (DEFAULT_CARBON_PER_HEAT × NCV): a
    # default is punitive by design and may lie past the physical band of measured carbon.
    NOT_DEFAULT_CARBON = "not_default_carbon"
    # Revision 1: a resubmission after an audit return is late by design.
    FIRST_SUBMISSION = "first_submission"


@dataclass(frozen=True)
class Ratio:
    """factor × num / den (NaN where den is 0); either may be a context quantity of
    loaders.formulas."""

    num: str
    den: str
    factor: float = 1.0


Quantity = str | Ratio


@dataclass(frozen=True)
class Band:
    """lo ≤ quantity ≤ hi (either side optional), a physical or regulatory bound."""

    quantity: Quantity
    lo: float | None = None
    hi: float | None = None
    basis: Basis = Basis.PHYSICAL


@dataclass(frozen=True)
class LessEqual:
    """a ≤ b × (1 + tol): a physical order."""

    a: str
    b: str
    tol: float = 0.0


@dataclass(frozen=True)
class ImpliesZero:
    """when_zero == 0 ⇒ then == 0."""

    when_zero: str
    then: str


@dataclass(frozen=True)
class ImpliesNotPositive:
    """when_zero == 0 ⇒ then ≤ 0 (a unit off line may draw station power, never export it)."""

    when_zero: str
    then: str


@dataclass(frozen=True)
class RequiresPositive:
    """when_positive > 0 ⇒ then > 0."""

    when_positive: str
    then: str


@dataclass(frozen=True)
class Agrees:
    """a == b to the rounding of the figures (a recomputation, or a document's value)."""

    a: str
    b: str


PEER_GROUP = ("unit_class", "cooling", "period")
# Coal of one rank has one carbon per heat: peers by NCV band (quintiles of the fleet's units).
COAL_PEERS = ("ncv_band", "period")


@dataclass(frozen=True)
class PeerZ:
    """Robust distance of ln(quantity) from its peers: (x − median) / (1.4826 MAD). Peers are
    the unit-months sharing `group_by` (this month, unless `group_by` has no period); a group
    with fewer than `min_peers` falls back to a coarser one."""

    quantity: Quantity
    group_by: tuple[str, ...] = PEER_GROUP
    min_peers: int = 8


@dataclass(frozen=True)
class OwnZ:
    """Robust distance of ln(quantity) from the unit's own previous `window` months."""

    quantity: Quantity
    window: int = 12
    min_history: int = 6


@dataclass(frozen=True)
class Jump:
    """ln(x / x `lag` months before), both months applicable; the engine scales it by the
    fleet's own month-on-month (or year-on-year) changes."""

    quantity: Quantity
    lag: int = 1


@dataclass(frozen=True)
class DecadeJump:
    """A change of half a decade or more (× or ÷ √10) from last month, both months steady:
    typing kWh for MWh or % as a fraction moves a figure by powers of ten."""

    parameter: str


@dataclass(frozen=True)
class Frozen:
    """The same non-zero value `run_length` months in a row (a copied series)."""

    parameter: str
    run_length: int = 3


@dataclass(frozen=True)
class DateOrder:
    """The date in `first` is on or before the date in `second`."""

    first: str
    second: str


class Anchor(StrEnum):
    MONTH_START = "month_start"
    MONTH_END = "month_end"


@dataclass(frozen=True)
class DateWindow:
    """min_days ≤ (date − anchor of the row's period) ≤ max_days."""

    column: str
    anchor: Anchor
    min_days: float
    max_days: float


Check = (
    Band
    | LessEqual
    | ImpliesZero
    | ImpliesNotPositive
    | RequiresPositive
    | Agrees
    | PeerZ
    | OwnZ
    | Jump
    | DecadeJump
    | Frozen
    | DateOrder
    | DateWindow
)


def basis_of(check: Check) -> Basis:
    match check:
        case Band(basis=basis):
            return basis
        case LessEqual() | ImpliesZero() | ImpliesNotPositive() | RequiresPositive():
            return Basis.PHYSICAL
        case Agrees():
            return Basis.EXACT
        case PeerZ() | OwnZ() | Jump():
            return Basis.STATISTICAL
        case DecadeJump():
            return Basis.SLIP
        case Frozen():
            return Basis.COPY
        case DateOrder() | DateWindow():
            return Basis.PROCEDURAL
    raise TypeError(f"unknown check {check!r}")


def _quantity_text(quantity: Quantity) -> str:
    if isinstance(quantity, Ratio):
        scale = "" if quantity.factor == 1.0 else f"{quantity.factor:g} × "
        return f"{scale}{quantity.num} / {quantity.den}"
    return quantity


def describe_check(check: Check) -> str:
    """A check spec as one line a reader can follow (rule listings, the knowledge base)."""
    match check:
        case Band(quantity=q, lo=lo, hi=hi):
            low = "" if lo is None else f"{lo:g} ≤ "
            high = "" if hi is None else f" ≤ {hi:g}"
            return f"{low}{_quantity_text(q)}{high}"
        case LessEqual(a=a, b=b, tol=tol):
            return f"{a} ≤ {b}" + (f" × (1 + {tol:g})" if tol else "")
        case ImpliesZero(when_zero=zero, then=then):
            return f"{zero} = 0 ⇒ {then} = 0"
        case ImpliesNotPositive(when_zero=zero, then=then):
            return f"{zero} = 0 ⇒ {then} ≤ 0"
        case RequiresPositive(when_positive=positive, then=then):
            return f"{positive} > 0 ⇒ {then} > 0"
        case Agrees(a=a, b=b):
            return f"{a} = {b} to the rounding of the figures"
        case PeerZ(quantity=q, group_by=group_by, min_peers=min_peers):
            return (
                f"ln({_quantity_text(q)}) against its peers of the same {', '.join(group_by)} "
                f"(robust z, at least {min_peers} peers)"
            )
        case OwnZ(quantity=q, window=window, min_history=min_history):
            return (
                f"ln({_quantity_text(q)}) against the unit's own previous {window} months "
                f"(robust z, at least {min_history} months)"
            )
        case Jump(quantity=q, lag=lag):
            return f"change of ln({_quantity_text(q)}) from {lag} month(s) before"
        case DecadeJump(parameter=parameter):
            return f"{parameter} moves by a power of ten from last month"
        case Frozen(parameter=parameter, run_length=run_length):
            return f"the same non-zero {parameter} {run_length} months in a row"
        case DateOrder(first=first, second=second):
            return f"{first} on or before {second}"
        case DateWindow(column=column, anchor=anchor, min_days=lo, max_days=hi):
            start = anchor.value.replace("_", " ")
            return f"{lo:g} to {hi:g} days between the {start} of the period and {column}"
    raise TypeError(f"unknown check {check!r}")


@dataclass(frozen=True)
class Example:
    """A mutation of one honest unit's latest `months` months that must make the rule fire.

    `set` assigns values, `scale` multiplies, `shift_days` moves ISO dates, `freeze` copies the
    month before the mutated months into them. Derived parameters are recomputed afterwards.
    """

    set: Mapping[str, float | str | None] = field(default_factory=dict)
    scale: Mapping[str, float] = field(default_factory=dict)
    shift_days: Mapping[str, int] = field(default_factory=dict)
    freeze: tuple[str, ...] = ()
    months: int = 1


def quantity_columns(q: Quantity) -> tuple[str, ...]:
    return (q.num, q.den) if isinstance(q, Ratio) else (q,)


def check_columns(check: Check) -> tuple[str, ...]:
    """The frame columns a check reads."""
    match check:
        case Band(quantity=q) | PeerZ(quantity=q) | OwnZ(quantity=q) | Jump(quantity=q):
            return quantity_columns(q)
        case LessEqual(a=a, b=b) | Agrees(a=a, b=b):
            return (a, b)
        case ImpliesZero(when_zero=a, then=b) | ImpliesNotPositive(when_zero=a, then=b):
            return (a, b)
        case RequiresPositive(when_positive=a, then=b):
            return (a, b)
        case DecadeJump(parameter=p) | Frozen(parameter=p):
            return (p,)
        case DateOrder(first=a, second=b):
            return (a, b)
        case DateWindow(column=c):
            return (c,)
    raise TypeError(f"unknown check {check!r}")


_CATALOGUE = frozenset(parameter_names())


@dataclass(frozen=True, eq=False)
class Rule:
    rule_id: str
    family: Family
    target: str
    check: Check
    rationale: str
    severity: int
    example: Example
    when: When = When.ALWAYS
    # Where a physical or regulatory bound comes from.
    source: str = ""
    # The transfer edge of graph_schema this rule scores, if it is one (e.g. an equality).
    edge_type: str | None = None
    # Catalogue parameters the rule reads (its check's columns, plus the target).
    parameters: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        read = [c for c in check_columns(self.check) if c in _CATALOGUE]
        names = tuple(dict.fromkeys([*read, self.target]))
        object.__setattr__(self, "parameters", names)

    @property
    def basis(self) -> Basis:
        return basis_of(self.check)

    def describe(self) -> str:
        """The check spec as one line of text (for `mrvtrace rules list`)."""
        return describe_check(self.check)


# --- sources of the physical and regulatory bounds -----------------------------------------

IPCC_CARBON = (
    "IPCC 2006 Guidelines Vol. 2 Table 1.3: carbon content of coals 23.8–31.3 kgC/GJ "
    "(lower and upper limits over coal types, coking coal to lignite)"
)
COAL_NCV = "GB/T 212 and IPCC 2006 Table 1.2: coals and coal gangue lie in 8–32 GJ/t"
COAL_CARBON = "as-received carbon of coal and gangue lies in 18–80 %"
OXIDATION = "IPCC 2006 Vol. 2 §2.3.3: oxidation of solid fuels 0.98–1.0; none below 0.9"
RECORD_UNIT = (
    "the most efficient coal unit in service (Pingshan Phase II, 1,350 MW double reheat) "
    "supplies at about 251 gce/kWh; 240 leaves room for none better"
)
DEFAULT_CARBON = (
    "MEE 2022 accounting guideline for power generation: months without a valid carbon "
    "measurement use 0.03085 tC/GJ (0.03356 before 2021)"
)
# tC/GJ, as DEFAULT_CARBON says.
DEFAULT_CARBON_PER_HEAT = (0.03085, 0.03356)
STEAM_CYCLE = (
    "the most efficient coal unit in service (Pingshan Phase II) supplies at about 251 gce/kWh "
    "with about 4 % own use: some 51 % of its fuel's heat becomes gross electricity; no steam "
    "cycle reaches 55 %"
)
CAPABILITY = "a unit's maximum continuous rating exceeds its nameplate by at most about 10 %"

# --- builders: one line per rule below --------------------------------------------------------

_E, _S, _T, _L = Family.EXTREME_VALUE, Family.STANDARD_VALUE, Family.THRESHOLD, Family.LOGIC
GJ_PER_TCE = FORMULA_CONSTANTS["gj_per_tce"]
CO2_PER_C = FORMULA_CONSTANTS["co2_per_c"]

CARBON_PER_HEAT = Ratio("coal_carbon_pct", "coal_ncv_gj_t", 0.01)
REPORT_CARBON_PER_HEAT = Ratio("report_carbon_pct", "report_ncv_gj_t", 0.01)
HEAT_RATE = Ratio(POWER_FUEL_HEAT, "power_generation_mwh")
MONITOR_HEAT_RATE = Ratio(MONITOR_HEAT, "power_generation_mwh")
NET_TO_GROSS = Ratio("power_supply_mwh", "power_generation_mwh")
LOAD = Ratio("power_generation_mwh", RATED_GENERATION)
CEMS_RATIO = Ratio("cems_co2_t", "total_co2_t")
CEMS_PER_HEAT = Ratio("cems_co2_t", "fuel_heat_gj")
GRID_RATIO = Ratio("power_supply_mwh", "grid_sales_mwh")
PURCHASE_RATIO = Ratio("coal_consumption_t", "coal_purchase_t")
MONITOR_RATIO = Ratio("fuel_heat_gj", "energy_monitor_tce", 1.0 / GJ_PER_TCE)
CO2_PER_COAL = Ratio("reported_co2_t", "coal_consumption_t")
CO2_PER_HEAT = Ratio("reported_co2_t", "fuel_heat_gj")
PURCHASED_SHARE = Ratio("purchased_electricity_mwh", MAX_GENERATION)

# The record supply coal rate, and the intensity it implies at the lowest carbon per heat of
# coal (IPCC 23.8 kgC/GJ) and full oxidation.
COAL_RATE_FLOOR = 240.0
INTENSITY_FLOOR = round(COAL_RATE_FLOOR / 1000 * GJ_PER_TCE * 0.0238 * CO2_PER_C, 2)


def _ex(months: int = 1, **scale: float) -> Example:
    return Example(scale=scale, months=months)


def _set(**values: float | str | None) -> Example:
    return Example(set=values)


def _shift(**days: int) -> Example:
    return Example(shift_days=days)


# Typed tables of the rule families below (so each row's quantity is a Quantity, not object).
Labelled = list[tuple[Quantity, str, str, Example]]
Grouped = list[tuple[Quantity, str, str, tuple[str, ...], Example]]


def _labelled(rows: Labelled) -> Labelled:
    return rows


def _grouped(rows: Grouped) -> Grouped:
    return rows


# Parameters that cannot be negative (net supply can: an idle unit draws station power).
# Rule number → a quantity that is never negative. Net figures are not among them: a net meter
# (grid_sales_mwh, power_supply_mwh) reads the station's own draw in an idle month as negative,
# as EIA-923 net generation does. EXT-013 (grid sales) was retired for that reason; the other
# numbers stay as they were.
_NON_NEGATIVE = {
    6: "coal_consumption_t",
    7: "power_generation_mwh",
    8: "purchased_electricity_mwh",
    9: "heat_supply_gj",
    10: "operating_hours",
    11: "reported_co2_t",
    12: "cems_co2_t",
    14: "coal_purchase_t",
    15: "energy_monitor_tce",
}

_EXTREME: list[Rule] = [
    Rule(
        "EXT-001",
        _E,
        "coal_ncv_gj_t",
        Band("coal_ncv_gj_t", 8.0, 32.0),
        "NCV outside the range of coal and gangue (8–32 GJ/t): unit or typing slip",
        3,
        _set(coal_ncv_gj_t=35.0),
        source=COAL_NCV,
    ),
    Rule(
        "EXT-002",
        _E,
        "coal_carbon_pct",
        Band("coal_carbon_pct", 18.0, 80.0),
        "carbon content outside 18–80 %: % typed as a fraction or a slip",
        3,
        _ex(coal_carbon_pct=0.01),
        When.NOT_DEFAULT_CARBON,
        source=COAL_CARBON,
    ),
    Rule(
        "EXT-003",
        _E,
        "oxidation_rate",
        Band("oxidation_rate", 0.9, 1.0),
        "oxidation rate outside 0.9–1.0 (default 0.99)",
        3,
        _set(oxidation_rate=0.8),
        source=OXIDATION,
    ),
    Rule(
        "EXT-004",
        _E,
        "report_carbon_pct",
        Band("report_carbon_pct", 18.0, 80.0),
        "test report carbon outside 18–80 %",
        2,
        _ex(report_carbon_pct=0.01),
        source=COAL_CARBON,
    ),
    Rule(
        "EXT-005",
        _E,
        "report_ncv_gj_t",
        Band("report_ncv_gj_t", 8.0, 32.0),
        "test report NCV outside 8–32 GJ/t",
        2,
        _set(report_ncv_gj_t=5.0),
        source=COAL_NCV,
    ),
    *[
        Rule(
            f"EXT-{number:03d}",
            _E,
            name,
            Band(name, lo=0.0),
            f"{name} is negative",
            3,
            _set(**{name: -100.0}),
            source="a quantity of matter, energy or time is never negative",
        )
        for number, name in _NON_NEGATIVE.items()
    ],
    Rule(
        "EXT-017",
        _E,
        "supply_coal_gce_kwh",
        Band("supply_coal_gce_kwh", lo=COAL_RATE_FLOOR),
        f"supply coal rate below {COAL_RATE_FLOOR:g} gce/kWh, better than any coal unit: coal "
        "under-reported or supply over-reported",
        3,
        _ex(coal_consumption_t=0.75),
        When.STEADY,
        source=RECORD_UNIT,
    ),
    Rule(
        "EXT-018",
        _E,
        "supply_intensity",
        Band("supply_intensity", lo=INTENSITY_FLOOR),
        f"supply intensity below {INTENSITY_FLOOR:g} tCO2/MWh, below the record unit burning "
        "the leanest coal",
        3,
        _ex(coal_consumption_t=0.7),
        When.STEADY,
        source=f"{RECORD_UNIT}; {IPCC_CARBON}",
    ),
    *[
        Rule(
            f"EXT-{19 + i:03d}",
            _E,
            target,
            OwnZ(q),
            f"{label} far from its own previous 12 months",
            2,
            example,
            When.STEADY,
        )
        for i, (q, target, label, example) in enumerate(
            _labelled(
                [
                    ("coal_ncv_gj_t", "coal_ncv_gj_t", "NCV", _ex(coal_ncv_gj_t=0.7)),
                    (
                        "coal_carbon_pct",
                        "coal_carbon_pct",
                        "carbon content",
                        _ex(coal_carbon_pct=0.7),
                    ),
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        _ex(coal_consumption_t=0.75),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        _ex(coal_consumption_t=0.75),
                    ),
                    (NET_TO_GROSS, "power_supply_mwh", "net to gross", _ex(power_supply_mwh=0.85)),
                    (HEAT_RATE, "fuel_heat_gj", "heat rate", _ex(coal_consumption_t=0.75)),
                    (
                        MONITOR_HEAT_RATE,
                        "energy_monitor_tce",
                        "monitored heat per MWh",
                        _ex(energy_monitor_tce=1.4),
                    ),
                ]
            )
        )
    ],
    *[
        Rule(
            f"EXT-{27 + i:03d}",
            _E,
            target,
            PeerZ(q, group_by=group),
            f"{label} far in the tail of its peers this month",
            2,
            example,
            When.STEADY,
        )
        for i, (q, target, label, group, example) in enumerate(
            _grouped(
                [
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        COAL_PEERS,
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        PEER_GROUP,
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        PEER_GROUP,
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        NET_TO_GROSS,
                        "power_supply_mwh",
                        "net to gross",
                        PEER_GROUP,
                        _ex(power_supply_mwh=0.8),
                    ),
                    (
                        HEAT_RATE,
                        "fuel_heat_gj",
                        "heat rate",
                        PEER_GROUP,
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        MONITOR_HEAT_RATE,
                        "energy_monitor_tce",
                        "monitored heat per MWh",
                        PEER_GROUP,
                        _ex(energy_monitor_tce=1.5),
                    ),
                ]
            )
        )
    ],
]

_STANDARD: list[Rule] = [
    *[
        Rule(
            f"STD-{1 + i:03d}",
            _S,
            target,
            PeerZ(q),
            f"{label}: robust distance from the class peers this month",
            2,
            example,
            When.STEADY,
        )
        for i, (q, target, label, example) in enumerate(
            _labelled(
                [
                    (
                        CEMS_PER_HEAT,
                        "cems_co2_t",
                        "CEMS CO2 per GJ of fuel heat",
                        _ex(cems_co2_t=1.4),
                    ),
                    (CEMS_RATIO, "cems_co2_t", "CEMS / calculated CO2", _ex(cems_co2_t=1.4)),
                    (
                        GRID_RATIO,
                        "power_supply_mwh",
                        "supply / grid sales",
                        _ex(power_supply_mwh=1.3),
                    ),
                    (
                        PURCHASE_RATIO,
                        "coal_consumption_t",
                        "consumption / purchases",
                        _ex(coal_consumption_t=0.6),
                    ),
                    (
                        MONITOR_RATIO,
                        "fuel_heat_gj",
                        "fuel heat / energy monitor",
                        _ex(coal_consumption_t=0.6),
                    ),
                    (
                        CO2_PER_HEAT,
                        "reported_co2_t",
                        "reported CO2 per GJ of fuel heat",
                        _ex(reported_co2_t=0.8),
                    ),
                    (LOAD, "power_generation_mwh", "load factor", _ex(power_generation_mwh=0.4)),
                    (
                        PURCHASED_SHARE,
                        "purchased_electricity_mwh",
                        "purchased electricity per MWh of capability",
                        _ex(purchased_electricity_mwh=20.0),
                    ),
                    (
                        REPORT_CARBON_PER_HEAT,
                        "report_carbon_pct",
                        "test report carbon per heat",
                        _ex(report_carbon_pct=0.85),
                    ),
                    (
                        "oxidation_rate",
                        "oxidation_rate",
                        "oxidation rate",
                        _set(oxidation_rate=0.93),
                    ),
                ]
            )
        )
    ],
    *[
        Rule(
            f"STD-{11 + i:03d}",
            _S,
            target,
            OwnZ(q),
            f"{label}: robust distance from the unit's own previous 12 months",
            2,
            example,
            When.STEADY,
        )
        for i, (q, target, label, example) in enumerate(
            _labelled(
                [
                    (CEMS_RATIO, "cems_co2_t", "CEMS / calculated CO2", _ex(cems_co2_t=1.3)),
                    (
                        GRID_RATIO,
                        "power_supply_mwh",
                        "supply / grid sales",
                        _ex(power_supply_mwh=1.1),
                    ),
                    (
                        PURCHASE_RATIO,
                        "coal_consumption_t",
                        "consumption / purchases",
                        _ex(coal_consumption_t=0.6),
                    ),
                    (
                        MONITOR_RATIO,
                        "fuel_heat_gj",
                        "fuel heat / energy monitor",
                        _ex(coal_consumption_t=0.6),
                    ),
                    (
                        CO2_PER_HEAT,
                        "reported_co2_t",
                        "reported CO2 per GJ of fuel heat",
                        _ex(reported_co2_t=0.8),
                    ),
                    (LOAD, "power_generation_mwh", "load factor", _ex(power_generation_mwh=0.4)),
                    (
                        REPORT_CARBON_PER_HEAT,
                        "report_carbon_pct",
                        "test report carbon per heat",
                        _ex(report_carbon_pct=0.85),
                    ),
                    (
                        "oxidation_rate",
                        "oxidation_rate",
                        "oxidation rate",
                        _set(oxidation_rate=0.93),
                    ),
                    (
                        CEMS_PER_HEAT,
                        "cems_co2_t",
                        "CEMS CO2 per GJ of fuel heat",
                        _ex(cems_co2_t=1.3),
                    ),
                    (
                        CO2_PER_COAL,
                        "reported_co2_t",
                        "reported CO2 per tonne of coal",
                        _ex(reported_co2_t=0.8),
                    ),
                ]
            )
        )
    ],
    *[
        Rule(
            f"STD-{21 + i:03d}",
            _S,
            target,
            PeerZ(q, group_by=("unit_class", "cooling")),
            f"{label}: robust distance from its class over all months",
            2,
            example,
            When.STEADY,
        )
        for i, (q, target, label, example) in enumerate(
            _labelled(
                [
                    (NET_TO_GROSS, "power_supply_mwh", "net to gross", _ex(power_supply_mwh=0.8)),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        _ex(coal_consumption_t=0.7),
                    ),
                    (HEAT_RATE, "fuel_heat_gj", "heat rate", _ex(coal_consumption_t=0.7)),
                ]
            )
        )
    ],
]

_THRESHOLD: list[Rule] = [
    *[
        Rule(
            f"THR-{1 + i:03d}",
            _T,
            target,
            PeerZ(q, group_by=group),
            f"{label} outside the interval of its peers over all months",
            2,
            example,
            When.STEADY,
        )
        for i, (q, target, label, group, example) in enumerate(
            _grouped(
                [
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        ("ncv_band",),
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        REPORT_CARBON_PER_HEAT,
                        "report_carbon_pct",
                        "test report carbon per heat",
                        ("ncv_band",),
                        _ex(report_carbon_pct=0.85),
                    ),
                    (
                        CEMS_RATIO,
                        "cems_co2_t",
                        "CEMS / calculated CO2",
                        ("unit_class",),
                        _ex(cems_co2_t=1.4),
                    ),
                    (
                        GRID_RATIO,
                        "power_supply_mwh",
                        "supply / grid sales",
                        ("unit_class",),
                        _ex(power_supply_mwh=1.08),
                    ),
                    (
                        PURCHASE_RATIO,
                        "coal_consumption_t",
                        "consumption / purchases",
                        ("unit_class",),
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        MONITOR_RATIO,
                        "fuel_heat_gj",
                        "fuel heat / energy monitor",
                        ("unit_class",),
                        _ex(coal_consumption_t=0.7),
                    ),
                ]
            )
        )
    ],
    *[
        Rule(
            f"THR-{7 + i:03d}",
            _T,
            target,
            Jump(q),
            f"{label} changed from last month more than the fleet's months do",
            1,
            example,
            When.STEADY,
        )
        for i, (q, target, label, example) in enumerate(
            _labelled(
                [
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        "coal_carbon_pct",
                        "coal_carbon_pct",
                        "carbon content",
                        _ex(coal_carbon_pct=0.6),
                    ),
                    ("coal_ncv_gj_t", "coal_ncv_gj_t", "NCV", _ex(coal_ncv_gj_t=0.6)),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        _ex(coal_consumption_t=0.7),
                    ),
                    (CEMS_RATIO, "cems_co2_t", "CEMS / calculated CO2", _ex(cems_co2_t=1.3)),
                    (
                        GRID_RATIO,
                        "power_supply_mwh",
                        "supply / grid sales",
                        _ex(power_supply_mwh=1.1),
                    ),
                    (NET_TO_GROSS, "power_supply_mwh", "net to gross", _ex(power_supply_mwh=0.8)),
                ]
            )
        )
    ],
    *[
        Rule(
            f"THR-{15 + i:03d}",
            _T,
            name,
            DecadeJump(name),
            f"{name} changed by half a decade or more from last month: unit or scale slip",
            3,
            Example(scale={name: 1000.0}),
            When.STEADY,
            edge_type=f"vertical:{name}@-1->{name}",
        )
        for i, name in enumerate(
            [
                "coal_consumption_t",
                "power_generation_mwh",
                "power_supply_mwh",
                "heat_supply_gj",
                "reported_co2_t",
                "cems_co2_t",
                "grid_sales_mwh",
                "coal_purchase_t",
                "energy_monitor_tce",
                "purchased_electricity_mwh",
                "coal_carbon_pct",
                "coal_ncv_gj_t",
            ]
        )
    ],
    *[
        Rule(
            f"THR-{27 + i:03d}",
            _T,
            target,
            Jump(q, lag=12),
            f"{label} changed from the same month last year more than the fleet's years do",
            1,
            example,
            When.STEADY,
        )
        for i, (q, target, label, example) in enumerate(
            _labelled(
                [
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        "coal_carbon_pct",
                        "coal_carbon_pct",
                        "carbon content",
                        _ex(coal_carbon_pct=0.6),
                    ),
                    ("coal_ncv_gj_t", "coal_ncv_gj_t", "NCV", _ex(coal_ncv_gj_t=0.6)),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        _ex(coal_consumption_t=0.65),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        _ex(coal_consumption_t=0.65),
                    ),
                    (NET_TO_GROSS, "power_supply_mwh", "net to gross", _ex(power_supply_mwh=0.8)),
                ]
            )
        )
    ],
]

_FROZEN = (
    "coal_consumption_t",
    "coal_ncv_gj_t",
    "coal_carbon_pct",
    "purchased_electricity_mwh",
    "power_generation_mwh",
    "power_supply_mwh",
    "heat_supply_gj",
    "reported_co2_t",
    "cems_co2_t",
    "grid_sales_mwh",
    "coal_purchase_t",
    "energy_monitor_tce",
)

_LOGIC: list[Rule] = [
    Rule(
        "LOG-001",
        _L,
        "power_supply_mwh",
        LessEqual("power_supply_mwh", "power_generation_mwh", 0.001),
        "net supply exceeds gross generation",
        3,
        _ex(power_supply_mwh=1.1),
        source="net supply is gross generation less the station's own use",
    ),
    Rule(
        "LOG-002",
        _L,
        "power_generation_mwh",
        LessEqual("power_generation_mwh", RATED_GENERATION, 0.2),
        "generation exceeds 1.2 × capacity × operating hours",
        3,
        _ex(power_generation_mwh=1.6, power_supply_mwh=1.6),
        source=CAPABILITY,
    ),
    Rule(
        "LOG-003",
        _L,
        "operating_hours",
        LessEqual("operating_hours", "hours_in_month", 0.002),
        "operating hours exceed the hours in the month",
        3,
        _set(operating_hours=800.0),
        source="a month has 672–744 hours (one more where daylight saving ends)",
    ),
    Rule(
        "LOG-004",
        _L,
        "power_generation_mwh",
        LessEqual("power_generation_mwh", MAX_GENERATION, 0.2),
        "generation exceeds 1.2 × capacity × the hours in the month",
        3,
        _ex(power_generation_mwh=2.0, power_supply_mwh=2.0),
        source=CAPABILITY,
    ),
    Rule(
        "LOG-005",
        _L,
        "power_generation_mwh",
        ImpliesZero("operating_hours", "power_generation_mwh"),
        "generation in a month with zero operating hours",
        3,
        _set(operating_hours=0.0),
        source="a unit off line generates nothing",
    ),
    Rule(
        "LOG-006",
        _L,
        "power_supply_mwh",
        ImpliesNotPositive("operating_hours", "power_supply_mwh"),
        "net supply exported in a month with zero operating hours",
        3,
        _set(operating_hours=0.0),
        source="a unit off line draws station power; it cannot export",
    ),
    Rule(
        "LOG-007",
        _L,
        "power_supply_mwh",
        ImpliesNotPositive("power_generation_mwh", "power_supply_mwh"),
        "net supply exported without generation",
        3,
        _set(power_generation_mwh=0.0),
        source="net supply is gross generation less the station's own use",
    ),
    Rule(
        "LOG-008",
        _L,
        "coal_consumption_t",
        RequiresPositive("power_generation_mwh", "coal_consumption_t"),
        "generation without coal consumption",
        3,
        _set(coal_consumption_t=0.0),
        source="a coal unit burns coal to generate",
    ),
    Rule(
        "LOG-010",
        _L,
        "reported_co2_t",
        Agrees("reported_co2_t", "total_co2_t"),
        "reported CO2 differs from the recomputation from reported inputs",
        3,
        _ex(reported_co2_t=0.95),
        edge_type="formula:total_co2_t->reported_co2_t",
    ),
    Rule(
        "LOG-011",
        _L,
        "coal_carbon_pct",
        Agrees("coal_carbon_pct", "report_carbon_pct"),
        "reported carbon content differs from its test report",
        3,
        _ex(coal_carbon_pct=0.95),
        edge_type="evidence:report_carbon_pct->coal_carbon_pct",
    ),
    Rule(
        "LOG-012",
        _L,
        "coal_ncv_gj_t",
        Agrees("coal_ncv_gj_t", "report_ncv_gj_t"),
        "reported NCV differs from the test report",
        2,
        _ex(coal_ncv_gj_t=0.95),
        edge_type="evidence:report_ncv_gj_t->coal_ncv_gj_t",
    ),
    Rule(
        "LOG-013",
        _L,
        "coal_carbon_pct",
        DateOrder("sample_date", "report_date"),
        "test report dated before its sample was taken",
        2,
        _shift(sample_date=30),
    ),
    Rule(
        "LOG-014",
        _L,
        "coal_carbon_pct",
        DateWindow("report_date", Anchor.MONTH_END, 0.0, 40.0),
        "test report not issued within 40 days after the month's end",
        2,
        _shift(report_date=45),
        source="MEE 2022 guideline: the monthly carbon test report within 40 days",
    ),
    Rule(
        "LOG-015",
        _L,
        "coal_carbon_pct",
        DateWindow("sample_date", Anchor.MONTH_START, 0.0, 30.0),
        "coal sample not taken inside the month it stands for",
        2,
        _shift(sample_date=-20),
    ),
    Rule(
        "LOG-016",
        _L,
        "reported_co2_t",
        DateWindow("submitted_on", Anchor.MONTH_END, 0.0, 60.0),
        "monthly data first submitted more than 60 days after the month's end",
        1,
        _shift(submitted_on=90),
        When.FIRST_SUBMISSION,
    ),
    Rule(
        "LOG-017",
        _L,
        "reported_co2_t",
        DateWindow("submitted_on", Anchor.MONTH_END, 0.0, 10_000.0),
        "monthly data submitted before the month ended",
        2,
        _shift(submitted_on=-30),
    ),
    Rule(
        "LOG-018",
        _L,
        "coal_carbon_pct",
        DateOrder("report_date", "submitted_on"),
        "carbon content submitted before its test report was issued",
        1,
        _shift(report_date=15),
    ),
    Rule(
        "LOG-019",
        _L,
        "coal_carbon_pct",
        Band(CARBON_PER_HEAT, 0.0300, basis=Basis.REGULATORY),
        "no test report, yet carbon per heat below the default 0.03085 tC/GJ",
        2,
        _set(carbon_report_id=None),
        When.NO_REPORT,
        source=DEFAULT_CARBON,
    ),
    Rule(
        "LOG-020",
        _L,
        "coal_carbon_pct",
        Band(CARBON_PER_HEAT, 0.0238, 0.0313),
        "carbon per heat outside the physical band of coal (23.8–31.3 kgC/GJ)",
        3,
        _ex(coal_carbon_pct=0.85),
        source=IPCC_CARBON,
    ),
    Rule(
        "LOG-021",
        _L,
        "report_carbon_pct",
        Band(REPORT_CARBON_PER_HEAT, 0.0238, 0.0313),
        "test report carbon per heat outside the physical band of coal",
        3,
        _ex(report_carbon_pct=0.85),
        source=IPCC_CARBON,
    ),
    Rule(
        "LOG-022",
        _L,
        "heat_supply_gj",
        Band("heat_share", 0.0, 1.0),
        "heat supplied exceeds the boiler's useful heat",
        3,
        _set(heat_supply_gj=5.0e7),
        source="a boiler cannot deliver more heat than its fuel gives",
    ),
    Rule(
        "LOG-024",
        _L,
        "coal_consumption_t",
        Band(Ratio(POWER_FUEL_HEAT, MAX_GENERATION), hi=25.0),
        "fuel heat above 25 GJ per MWh of monthly capability: unit slip",
        3,
        _ex(coal_consumption_t=5.0),
        source="25 GJ/MWh is 14 % efficiency at full capability all month; no steam unit is worse",
    ),
    Rule(
        "LOG-025",
        _L,
        "reported_co2_t",
        Band(CO2_PER_COAL, 0.6, 3.0),
        "reported CO2 per tonne of coal outside 0.6–3.0 (carbon 18–80 % × 44/12)",
        3,
        _ex(reported_co2_t=2.0),
        When.NOT_DEFAULT_CARBON,
        source=COAL_CARBON,
    ),
    Rule(
        "LOG-026",
        _L,
        "coal_consumption_t",
        RequiresPositive("heat_supply_gj", "coal_consumption_t"),
        "heat supplied without coal consumption",
        3,
        Example(set={"coal_consumption_t": 0.0, "heat_supply_gj": 1.0e5}),
        source="a coal unit burns coal to supply heat",
    ),
    *[
        Rule(
            f"LOG-{27 + i:03d}",
            _L,
            name,
            Frozen(name),
            f"{name} identical three months in a row: a copied series",
            2,
            Example(freeze=(name,), months=2),
        )
        for i, name in enumerate(_FROZEN)
    ],
    Rule(
        "LOG-039",
        _L,
        "power_generation_mwh",
        LessEqual("power_generation_mwh", HEAT_LIMITED_GENERATION),
        f"gross generation exceeds what the monitored heat input gives at "
        f"{STEAM_EFFICIENCY_LIMIT:.0%} efficiency, more than any steam cycle",
        3,
        _ex(energy_monitor_tce=0.4),
        # The order holds in every month (attribution keeps it everywhere); a start-up's few
        # MWh beside an almost empty heat reading (2 MWh in 0.25 h beside 0.6 GJ) cannot tell
        # a fault from how the start-up was metered.
        When.STEADY,
        source=STEAM_CYCLE,
    ),
]

RULES: tuple[Rule, ...] = (*_EXTREME, *_STANDARD, *_THRESHOLD, *_LOGIC)


def rule(rule_id: str) -> Rule:
    """The rule with this id; KeyError names the unknown id."""
    for r in RULES:
        if r.rule_id == rule_id:
            return r
    raise KeyError(rule_id)
