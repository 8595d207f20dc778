"""The rules as data: about 130 declarative checks over the parameter catalogue, four families.

Each rule is one `Rule`: an id, a family, the parameter it points at as most likely wrong
(`target`), a one-line rationale, a severity (1 advisory, 2 strong, 3 impossible or directly
money-moving) and a small check spec that `models.rule_engine` evaluates vectorised over the
unit-month frame. Every rule also carries `example`: a mutation of one honest unit's latest
month(s) that must make it fire, so each rule is tested from its own data.

Families (docs/domain.md part 3):
- extreme_value: X within the range seen for it (the fleet's physical range, the unit's own
  history widened by a margin, Tukey's far-out fences among the unit's peers);
- standard_value: robust distance (median/MAD) from the peers or the unit's own history;
- threshold: inside a (1 − α) interval for the class, materiality bands of cross-checks,
  month-on-month and same-month-last-year jumps;
- logic: relations between parameters (ratios, orders, implications, equalities, dates,
  frozen copies).

Limits are generous on purpose: a rule must stay silent on honest data, because faults are
rare and an analyst reads every flag.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from graph_schema.parameters import FORMULA_CONSTANTS, parameter_names


class Family(StrEnum):
    EXTREME_VALUE = "extreme_value"
    STANDARD_VALUE = "standard_value"
    THRESHOLD = "threshold"
    LOGIC = "logic"


class When(StrEnum):
    """Which unit-months a rule applies to (and, for history and peer rules, learns from)."""

    ALWAYS = "always"
    RUNNING = "running"  # generating with operating hours > 0
    # On line at least half the month: start-ups and short runs distort every ratio.
    STEADY = "steady"
    NO_REPORT = "no_report"  # no lab test report behind the carbon content
    # Revision 1: a resubmission after an audit return is late by design.
    FIRST_SUBMISSION = "first_submission"


@dataclass(frozen=True)
class Ratio:
    """factor × num / den (NaN where den is 0); den may be a context column of the engine."""

    num: str
    den: str
    factor: float = 1.0


Quantity = str | Ratio

# Context columns the engine adds to the frame (not catalogue parameters).
MAX_GENERATION = "max_generation_mwh"  # capacity_mw × hours_in_month
RATED_GENERATION = "rated_generation_mwh"  # capacity_mw × operating_hours
POWER_FUEL_HEAT = "power_fuel_heat_gj"  # fuel_heat_gj × (1 − heat_share): the part for power
CONTEXT_COLUMNS = (MAX_GENERATION, RATED_GENERATION, POWER_FUEL_HEAT, "hours_in_month")


@dataclass(frozen=True)
class Band:
    """lo ≤ quantity ≤ hi (either side optional), optionally for some unit classes only."""

    quantity: Quantity
    lo: float | None = None
    hi: float | None = None
    unit_classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LessEqual:
    """a ≤ b × (1 + tol)."""

    a: str
    b: str
    tol: float = 0.0


@dataclass(frozen=True)
class RelativeEqual:
    """|a − b| ≤ max(tol × |b|, abs_tol)."""

    a: str
    b: str
    tol: float
    abs_tol: float = 0.0


@dataclass(frozen=True)
class ImpliesZero:
    """when_zero == 0 ⇒ then == 0."""

    when_zero: str
    then: str


@dataclass(frozen=True)
class RequiresPositive:
    """when_positive > 0 ⇒ then > 0."""

    when_positive: str
    then: str


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


@dataclass(frozen=True)
class HistoryRange:
    """Inside the min–max of the unit's previous `window` months, widened by
    max(margin × range, rel_floor × |median|)."""

    quantity: Quantity
    window: int = 12
    margin: float = 1.0
    rel_floor: float = 0.03
    min_history: int = 6


@dataclass(frozen=True)
class OwnZScore:
    """|x − median| / (1.4826 MAD) ≤ k over the unit's previous `window` months."""

    quantity: Quantity
    k: float = 6.0
    window: int = 12
    min_history: int = 6
    min_rel_scale: float = 0.01


PEER_GROUP = ("unit_class", "cooling", "period")


@dataclass(frozen=True)
class PeerZScore:
    """|x − median| / (1.4826 MAD) ≤ k among the unit's peers in the same month.

    Groups smaller than min_peers fall back to coarser groups (dropping cooling, then class).
    """

    quantity: Quantity
    k: float = 6.0
    group_by: tuple[str, ...] = PEER_GROUP
    min_peers: int = 8
    min_rel_scale: float = 0.02


@dataclass(frozen=True)
class PeerFence:
    """Inside Tukey's far-out fences [Q1 − k IQR, Q3 + k IQR] of the peers in the same month."""

    quantity: Quantity
    k: float = 3.0
    group_by: tuple[str, ...] = PEER_GROUP
    min_peers: int = 8
    min_rel_iqr: float = 0.04


@dataclass(frozen=True)
class PeerInterval:
    """Inside the (1 − alpha) interval median ± z(α/2) · 1.4826 MAD of the class over all months."""

    quantity: Quantity
    alpha: float = 1e-4
    group_by: tuple[str, ...] = ("unit_class", "cooling")
    min_peers: int = 12
    min_rel_scale: float = 0.01


@dataclass(frozen=True)
class Frozen:
    """Not the same non-zero value `run_length` months in a row (a copied series)."""

    parameter: str
    run_length: int = 3


@dataclass(frozen=True)
class Jump:
    """|ln(x / x `lag` months before)| ≤ ln(1 + max_change); both months must apply."""

    quantity: Quantity
    max_change: float
    lag: int = 1


Check = (
    Band
    | LessEqual
    | RelativeEqual
    | ImpliesZero
    | RequiresPositive
    | DateOrder
    | DateWindow
    | HistoryRange
    | OwnZScore
    | PeerZScore
    | PeerFence
    | PeerInterval
    | Frozen
    | Jump
)


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


def _columns(q: Quantity) -> tuple[str, ...]:
    return (q.num, q.den) if isinstance(q, Ratio) else (q,)


def check_columns(check: Check) -> tuple[str, ...]:
    """The frame columns a check reads."""
    match check:
        case Band(quantity=q) | HistoryRange(quantity=q) | OwnZScore(quantity=q):
            return _columns(q)
        case PeerZScore(quantity=q) | PeerFence(quantity=q) | PeerInterval(quantity=q):
            return _columns(q)
        case Jump(quantity=q):
            return _columns(q)
        case LessEqual(a=a, b=b) | RelativeEqual(a=a, b=b):
            return (a, b)
        case ImpliesZero(when_zero=a, then=b) | RequiresPositive(when_positive=a, then=b):
            return (a, b)
        case DateOrder(first=a, second=b):
            return (a, b)
        case DateWindow(column=c):
            return (c,)
        case Frozen(parameter=p):
            return (p,)
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
    # Catalogue parameters the rule reads (its check's columns, plus the target).
    parameters: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        read = [c for c in check_columns(self.check) if c in _CATALOGUE]
        names = tuple(dict.fromkeys([*read, self.target]))
        object.__setattr__(self, "parameters", names)

    def describe(self) -> str:
        """The check spec as one line of text (for `mrvtrace rules list`)."""
        return repr(self.check)


# --- builders: one line per rule below --------------------------------------------------------

_E, _S, _T, _L = Family.EXTREME_VALUE, Family.STANDARD_VALUE, Family.THRESHOLD, Family.LOGIC
GJ_PER_TCE = FORMULA_CONSTANTS["gj_per_tce"]

CARBON_PER_HEAT = Ratio("coal_carbon_pct", "coal_ncv_gj_t", 0.01)
REPORT_CARBON_PER_HEAT = Ratio("report_carbon_pct", "report_ncv_gj_t", 0.01)
HEAT_RATE = Ratio(POWER_FUEL_HEAT, "power_generation_mwh")
CEMS_PER_HEAT = Ratio("cems_co2_t", "fuel_heat_gj")
CEMS_RATIO = Ratio("cems_co2_t", "total_co2_t")
GRID_RATIO = Ratio("power_supply_mwh", "grid_sales_mwh")
PURCHASE_RATIO = Ratio("coal_consumption_t", "coal_purchase_t")
MONITOR_RATIO = Ratio("fuel_heat_gj", "energy_monitor_tce", 1.0 / GJ_PER_TCE)
CO2_PER_COAL = Ratio("reported_co2_t", "coal_consumption_t")
CO2_PER_HEAT = Ratio("reported_co2_t", "fuel_heat_gj")


# Smallest relative spread a statistical rule assumes, per quantity: honest scatter that a small
# peer group or a short history may not show (e.g. own use varies ±10 % of itself).
_SCALE_FLOOR: dict[Quantity, float] = {
    "own_use_rate": 0.1,
    "load_factor": 0.05,
    CEMS_RATIO: 0.03,
    CEMS_PER_HEAT: 0.03,
    PURCHASE_RATIO: 0.03,
    MONITOR_RATIO: 0.02,
    GRID_RATIO: 0.01,
}


def scale_floor(q: Quantity) -> float:
    return _SCALE_FLOOR.get(q, 0.02)


def own_scale_floor(q: Quantity) -> float:
    """Within one unit carbon per heat (±0.6 %) and the CEMS gap (±1.2 %) are tight; across
    coal ranks and CEMS analysers they are not."""
    return _OWN_SCALE_FLOOR.get(q, scale_floor(q))


_OWN_SCALE_FLOOR: dict[Quantity, float] = {CARBON_PER_HEAT: 0.01, CEMS_RATIO: 0.012}


# Smallest widening of a unit's own 12-month range, relative to its median: the month-to-month
# scatter of honest data (coal quality ±3 %, load-driven own use and heat rate).
_HISTORY_FLOOR: dict[Quantity, float] = {
    "coal_ncv_gj_t": 0.12,
    "coal_carbon_pct": 0.12,
    CARBON_PER_HEAT: 0.03,
    "supply_coal_gce_kwh": 0.08,
    "supply_intensity": 0.08,
    "own_use_rate": 0.25,
}


def history_floor(q: Quantity) -> float:
    return _HISTORY_FLOOR.get(q, 0.08)


def _ex(months: int = 1, **scale: float) -> Example:
    return Example(scale=scale, months=months)


def _set(**values: float | str | None) -> Example:
    return Example(set=values)


def _shift(**days: int) -> Example:
    return Example(shift_days=days)


# Typed tables of the rule families below (so each row's quantity is a Quantity, not object).
def _labelled(
    rows: list[tuple[Quantity, str, str, Example]],
) -> list[tuple[Quantity, str, str, Example]]:
    return rows


def _bounded(
    rows: list[tuple[Quantity, str, str, float, Example]],
) -> list[tuple[Quantity, str, str, float, Example]]:
    return rows


def _grouped(
    rows: list[tuple[Quantity, str, str, tuple[str, ...], Example]],
) -> list[tuple[Quantity, str, str, tuple[str, ...], Example]]:
    return rows


def _factors(rows: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return rows


_NON_NEGATIVE = (
    "coal_consumption_t",
    "power_generation_mwh",
    "power_supply_mwh",
    "purchased_electricity_mwh",
    "heat_supply_gj",
    "operating_hours",
    "reported_co2_t",
    "cems_co2_t",
    "grid_sales_mwh",
    "coal_purchase_t",
    "energy_monitor_tce",
)

# Supply coal rate floors (gce/kWh) and intensity floors (tCO2/MWh) by class: below the best
# units of the class (ultra-supercritical < 270 gce/kWh), with room for honest scatter.
_COAL_RATE_FLOOR = {
    "coal_1000": 250.0,
    "coal_600": 265.0,
    "coal_300": 280.0,
    "coal_cfb": 285.0,
    "coal_unconventional": 285.0,
}
_INTENSITY_FLOOR = {
    "coal_1000": 0.64,
    "coal_600": 0.68,
    "coal_300": 0.71,
    "coal_cfb": 0.72,
    "coal_unconventional": 0.72,
}
# How the test unit becomes each class for the examples (it is an honest coal_600 at ≈300).
_CLASS_EXAMPLE_SCALE = {
    "coal_1000": 0.8,
    "coal_600": 0.8,
    "coal_300": 0.85,
    "coal_cfb": 0.85,
    "coal_unconventional": 0.85,
}


def _class_floor_rules(start: int) -> list[Rule]:
    rules: list[Rule] = []
    n = start
    for cls, floor in _COAL_RATE_FLOOR.items():
        rules.append(
            Rule(
                f"EXT-{n:03d}",
                _E,
                "supply_coal_gce_kwh",
                Band("supply_coal_gce_kwh", lo=floor, unit_classes=(cls,)),
                f"supply coal rate below the {cls} floor ({floor:g} gce/kWh): "
                "coal under-reported or supply over-reported",
                3,
                Example(
                    set={"unit_class": cls},
                    scale={"coal_consumption_t": _CLASS_EXAMPLE_SCALE[cls]},
                ),
                When.STEADY,
            )
        )
        n += 1
    for cls, floor in _INTENSITY_FLOOR.items():
        rules.append(
            Rule(
                f"EXT-{n:03d}",
                _E,
                "supply_intensity",
                Band("supply_intensity", lo=floor, unit_classes=(cls,)),
                f"supply intensity below the {cls} floor ({floor:g} tCO2/MWh)",
                3,
                Example(
                    set={"unit_class": cls},
                    scale={"coal_consumption_t": _CLASS_EXAMPLE_SCALE[cls] - 0.05},
                ),
                When.STEADY,
            )
        )
        n += 1
    return rules


_EXTREME: list[Rule] = [
    Rule(
        "EXT-001",
        _E,
        "coal_ncv_gj_t",
        Band("coal_ncv_gj_t", 8.0, 32.0),
        "NCV outside the range of coal and gangue (8–32 GJ/t): unit or typing slip",
        3,
        _set(coal_ncv_gj_t=35.0),
    ),
    Rule(
        "EXT-002",
        _E,
        "coal_carbon_pct",
        Band("coal_carbon_pct", 18.0, 80.0),
        "carbon content outside 18–80 %: % typed as a fraction or a slip",
        3,
        _ex(coal_carbon_pct=0.01),
    ),
    Rule(
        "EXT-003",
        _E,
        "oxidation_rate",
        Band("oxidation_rate", 0.9, 1.0),
        "oxidation rate outside 0.9–1.0 (default 0.99)",
        3,
        _set(oxidation_rate=0.8),
    ),
    Rule(
        "EXT-004",
        _E,
        "report_carbon_pct",
        Band("report_carbon_pct", 18.0, 80.0),
        "test report carbon outside 18–80 %",
        2,
        _ex(report_carbon_pct=0.01),
    ),
    Rule(
        "EXT-005",
        _E,
        "report_ncv_gj_t",
        Band("report_ncv_gj_t", 8.0, 32.0),
        "test report NCV outside 8–32 GJ/t",
        2,
        _set(report_ncv_gj_t=5.0),
    ),
    *[
        Rule(
            f"EXT-{6 + i:03d}",
            _E,
            name,
            Band(name, lo=0.0),
            f"{name} is negative",
            3,
            _set(**{name: -100.0}),
        )
        for i, name in enumerate(_NON_NEGATIVE)
    ],
    *_class_floor_rules(17),
    Rule(
        "EXT-027",
        _E,
        "supply_coal_gce_kwh",
        Band("supply_coal_gce_kwh", hi=480.0),
        "supply coal rate above any coal unit (480 gce/kWh): coal over- or supply under-reported",
        2,
        _ex(coal_consumption_t=1.8),
        When.STEADY,
    ),
    Rule(
        "EXT-028",
        _E,
        "supply_intensity",
        Band("supply_intensity", hi=1.45),
        "supply intensity above any coal unit (1.45 tCO2/MWh)",
        2,
        _ex(coal_consumption_t=1.8),
        When.STEADY,
    ),
    Rule(
        "EXT-029",
        _E,
        "own_use_rate",
        Band("own_use_rate", hi=0.16),
        "own use above 16 % of generation: supply under- or generation over-reported",
        2,
        _ex(power_supply_mwh=0.8),
        When.STEADY,
    ),
    Rule(
        "EXT-030",
        _E,
        "load_factor",
        Band("load_factor", lo=0.15),
        "load factor below 15 % while on line: generation or hours wrong",
        2,
        _ex(power_generation_mwh=0.1, power_supply_mwh=0.1),
        When.RUNNING,
    ),
    *[
        Rule(
            f"EXT-{31 + i:03d}",
            _E,
            target,
            HistoryRange(q, rel_floor=history_floor(q)),
            f"{label} outside its own 12-month range (widened)",
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
                    ("own_use_rate", "own_use_rate", "own-use rate", _ex(power_supply_mwh=0.85)),
                ]
            )
        )
    ],
    *[
        Rule(
            f"EXT-{37 + i:03d}",
            _E,
            target,
            PeerFence(q, min_rel_iqr=2 * scale_floor(q)),
            f"{label} beyond the far-out fences of the class peers this month",
            2,
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
                    ("own_use_rate", "own_use_rate", "own-use rate", _ex(power_supply_mwh=0.8)),
                    (HEAT_RATE, "fuel_heat_gj", "heat rate", _ex(coal_consumption_t=0.7)),
                    (CEMS_RATIO, "cems_co2_t", "CEMS / calculated CO2", _ex(cems_co2_t=1.4)),
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
            PeerZScore(q, k=k, min_rel_scale=scale_floor(q)),
            f"{label} more than {k:g} robust σ from the class peers this month",
            2,
            example,
            When.STEADY,
        )
        for i, (q, target, label, k, example) in enumerate(
            _bounded(
                [
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        6.0,
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        6.0,
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        6.0,
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        "own_use_rate",
                        "own_use_rate",
                        "own-use rate",
                        6.0,
                        _ex(power_supply_mwh=0.8),
                    ),
                    (HEAT_RATE, "fuel_heat_gj", "heat rate", 6.0, _ex(coal_consumption_t=0.7)),
                    (
                        CEMS_PER_HEAT,
                        "cems_co2_t",
                        "CEMS CO2 per GJ of fuel heat",
                        6.0,
                        _ex(cems_co2_t=1.4),
                    ),
                    (CEMS_RATIO, "cems_co2_t", "CEMS / calculated CO2", 6.0, _ex(cems_co2_t=1.4)),
                    (
                        GRID_RATIO,
                        "power_supply_mwh",
                        "supply / grid sales",
                        6.0,
                        _ex(power_supply_mwh=1.3),
                    ),
                    (
                        PURCHASE_RATIO,
                        "coal_consumption_t",
                        "consumption / purchases",
                        6.0,
                        _ex(coal_consumption_t=0.6),
                    ),
                    (
                        MONITOR_RATIO,
                        "fuel_heat_gj",
                        "fuel heat / energy monitor",
                        6.0,
                        _ex(coal_consumption_t=0.6),
                    ),
                    (
                        CO2_PER_HEAT,
                        "reported_co2_t",
                        "reported CO2 per GJ of fuel heat",
                        6.0,
                        _ex(reported_co2_t=0.8),
                    ),
                    (
                        "load_factor",
                        "power_generation_mwh",
                        "load factor",
                        8.0,
                        _ex(power_generation_mwh=2.5, power_supply_mwh=2.5),
                    ),
                ]
            )
        )
    ],
    *[
        Rule(
            f"STD-{13 + i:03d}",
            _S,
            target,
            OwnZScore(q, k=k, min_rel_scale=own_scale_floor(q)),
            f"{label} more than {k:g} robust σ from the unit's own last 12 months",
            2,
            example,
            When.STEADY,
        )
        for i, (q, target, label, k, example) in enumerate(
            _bounded(
                [
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        6.0,
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        "coal_carbon_pct",
                        "coal_carbon_pct",
                        "carbon content",
                        6.0,
                        _ex(coal_carbon_pct=0.7),
                    ),
                    ("coal_ncv_gj_t", "coal_ncv_gj_t", "NCV", 6.0, _ex(coal_ncv_gj_t=0.7)),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        6.0,
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        6.0,
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        "own_use_rate",
                        "own_use_rate",
                        "own-use rate",
                        6.0,
                        _ex(power_supply_mwh=0.8),
                    ),
                    (HEAT_RATE, "fuel_heat_gj", "heat rate", 6.0, _ex(coal_consumption_t=0.7)),
                    (CEMS_RATIO, "cems_co2_t", "CEMS / calculated CO2", 6.0, _ex(cems_co2_t=1.4)),
                    (
                        GRID_RATIO,
                        "power_supply_mwh",
                        "supply / grid sales",
                        6.0,
                        _ex(power_supply_mwh=1.3),
                    ),
                    (
                        PURCHASE_RATIO,
                        "coal_consumption_t",
                        "consumption / purchases",
                        6.0,
                        _ex(coal_consumption_t=0.6),
                    ),
                    (
                        MONITOR_RATIO,
                        "fuel_heat_gj",
                        "fuel heat / energy monitor",
                        6.0,
                        _ex(coal_consumption_t=0.6),
                    ),
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
            PeerInterval(q, group_by=group, min_rel_scale=scale_floor(q)),
            f"{label} outside the 99.99 % interval of its class",
            2,
            example,
            When.STEADY,
        )
        for i, (q, target, label, group, example) in enumerate(
            _grouped(
                [
                    (
                        "own_use_rate",
                        "own_use_rate",
                        "own-use rate",
                        ("unit_class", "cooling"),
                        _ex(power_supply_mwh=0.8),
                    ),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        ("unit_class", "cooling"),
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        ("unit_class", "cooling"),
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        ("unit_class",),
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        HEAT_RATE,
                        "fuel_heat_gj",
                        "heat rate",
                        ("unit_class", "cooling"),
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        REPORT_CARBON_PER_HEAT,
                        "report_carbon_pct",
                        "test report carbon per heat",
                        ("unit_class",),
                        _ex(report_carbon_pct=0.85),
                    ),
                ]
            )
        )
    ],
    Rule(
        "THR-007",
        _T,
        "cems_co2_t",
        Band(CEMS_RATIO, 0.8, 1.25),
        "CEMS and calculated CO2 more than 20 % apart (1–3 % when all is measured)",
        2,
        _ex(cems_co2_t=1.4),
        When.STEADY,
    ),
    Rule(
        "THR-008",
        _T,
        "power_supply_mwh",
        Band(GRID_RATIO, 0.95, 1.05),
        "supply differs from the grid company's metered sales by more than 5 %",
        3,
        _ex(power_supply_mwh=1.08),
        When.RUNNING,
    ),
    Rule(
        "THR-009",
        _T,
        "coal_consumption_t",
        Band(PURCHASE_RATIO, 0.8, 1.25),
        "consumption differs from coal purchases net of stock by more than 20 %",
        2,
        _ex(coal_consumption_t=0.7),
        When.STEADY,
    ),
    Rule(
        "THR-010",
        _T,
        "fuel_heat_gj",
        Band(MONITOR_RATIO, 0.85, 1.18),
        "fuel heat differs from energy monitoring by more than 15 %",
        2,
        _ex(coal_consumption_t=0.7),
        When.STEADY,
    ),
    *[
        Rule(
            f"THR-{11 + i:03d}",
            _T,
            target,
            Jump(q, change),
            f"{label} changed more than {change:.0%} from last month",
            1,
            example,
            When.STEADY,
        )
        for i, (q, target, label, change, example) in enumerate(
            _bounded(
                [
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        0.08,
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        "coal_carbon_pct",
                        "coal_carbon_pct",
                        "carbon content",
                        0.3,
                        _ex(coal_carbon_pct=0.6),
                    ),
                    ("coal_ncv_gj_t", "coal_ncv_gj_t", "NCV", 0.3, _ex(coal_ncv_gj_t=0.6)),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        0.25,
                        _ex(coal_consumption_t=0.7),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        0.25,
                        _ex(coal_consumption_t=0.7),
                    ),
                    (CEMS_RATIO, "cems_co2_t", "CEMS / calculated CO2", 0.2, _ex(cems_co2_t=1.3)),
                    (
                        GRID_RATIO,
                        "power_supply_mwh",
                        "supply / grid sales",
                        0.05,
                        _ex(power_supply_mwh=1.1),
                    ),
                ]
            )
        )
    ],
    # A factor 10 between two steady months is a unit slip (kWh as MWh), not operations; heat
    # and purchased power swing more (heating season, station power) and get a factor 50.
    *[
        Rule(
            f"THR-{18 + i:03d}",
            _T,
            name,
            Jump(name, factor - 1),
            f"{name} changed more than {factor:g}× from last month: unit or scale slip",
            3,
            Example(scale={name: 1000.0}),
            When.STEADY,
        )
        for i, (name, factor) in enumerate(
            _factors(
                [
                    ("coal_consumption_t", 10.0),
                    ("power_generation_mwh", 10.0),
                    ("power_supply_mwh", 10.0),
                    ("heat_supply_gj", 50.0),
                    ("reported_co2_t", 10.0),
                    ("cems_co2_t", 10.0),
                    ("grid_sales_mwh", 10.0),
                    ("coal_purchase_t", 10.0),
                    ("energy_monitor_tce", 10.0),
                    ("purchased_electricity_mwh", 50.0),
                ]
            )
        )
    ],
    *[
        Rule(
            f"THR-{28 + i:03d}",
            _T,
            target,
            Jump(q, change, lag=12),
            f"{label} changed more than {change:.0%} from the same month last year",
            1,
            example,
            When.STEADY,
        )
        for i, (q, target, label, change, example) in enumerate(
            _bounded(
                [
                    (
                        CARBON_PER_HEAT,
                        "coal_carbon_pct",
                        "carbon per heat",
                        0.1,
                        _ex(coal_carbon_pct=0.85),
                    ),
                    (
                        "coal_carbon_pct",
                        "coal_carbon_pct",
                        "carbon content",
                        0.35,
                        _ex(coal_carbon_pct=0.6),
                    ),
                    ("coal_ncv_gj_t", "coal_ncv_gj_t", "NCV", 0.35, _ex(coal_ncv_gj_t=0.6)),
                    (
                        "supply_coal_gce_kwh",
                        "supply_coal_gce_kwh",
                        "supply coal rate",
                        0.3,
                        _ex(coal_consumption_t=0.65),
                    ),
                    (
                        "supply_intensity",
                        "supply_intensity",
                        "supply intensity",
                        0.3,
                        _ex(coal_consumption_t=0.65),
                    ),
                    (
                        "own_use_rate",
                        "own_use_rate",
                        "own-use rate",
                        1.0,
                        _ex(power_supply_mwh=0.8),
                    ),
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
        "supply exceeds generation",
        3,
        _ex(power_supply_mwh=1.1),
    ),
    Rule(
        "LOG-002",
        _L,
        "power_generation_mwh",
        LessEqual("power_generation_mwh", RATED_GENERATION, 0.03),
        "load factor above 1: generation exceeds capacity × operating hours",
        3,
        _ex(power_generation_mwh=1.5, power_supply_mwh=1.5),
    ),
    Rule(
        "LOG-003",
        _L,
        "operating_hours",
        LessEqual("operating_hours", "hours_in_month"),
        "operating hours exceed the hours in the month",
        3,
        _set(operating_hours=800.0),
    ),
    Rule(
        "LOG-004",
        _L,
        "power_generation_mwh",
        LessEqual("power_generation_mwh", MAX_GENERATION, 0.01),
        "generation exceeds capacity × hours in the month",
        3,
        _ex(power_generation_mwh=2.0, power_supply_mwh=2.0),
    ),
    Rule(
        "LOG-005",
        _L,
        "power_generation_mwh",
        ImpliesZero("operating_hours", "power_generation_mwh"),
        "generation in a month with zero operating hours",
        3,
        _set(operating_hours=0.0),
    ),
    Rule(
        "LOG-006",
        _L,
        "power_supply_mwh",
        ImpliesZero("operating_hours", "power_supply_mwh"),
        "supply in a month with zero operating hours",
        3,
        _set(operating_hours=0.0),
    ),
    Rule(
        "LOG-007",
        _L,
        "power_supply_mwh",
        ImpliesZero("power_generation_mwh", "power_supply_mwh"),
        "supply without generation",
        3,
        _set(power_generation_mwh=0.0),
    ),
    Rule(
        "LOG-008",
        _L,
        "coal_consumption_t",
        RequiresPositive("power_generation_mwh", "coal_consumption_t"),
        "generation without coal consumption",
        3,
        _set(coal_consumption_t=0.0),
    ),
    Rule(
        "LOG-009",
        _L,
        "power_generation_mwh",
        RequiresPositive("operating_hours", "power_generation_mwh"),
        "operating hours without generation",
        3,
        _set(power_generation_mwh=0.0, power_supply_mwh=0.0),
    ),
    Rule(
        "LOG-010",
        _L,
        "reported_co2_t",
        RelativeEqual("reported_co2_t", "total_co2_t", 0.005, 1.0),
        "reported CO2 differs from the recomputation from reported inputs",
        3,
        _ex(reported_co2_t=0.95),
    ),
    Rule(
        "LOG-011",
        _L,
        "coal_carbon_pct",
        RelativeEqual("coal_carbon_pct", "report_carbon_pct", 0.002, 0.02),
        "reported carbon content differs from its test report",
        3,
        _ex(coal_carbon_pct=0.95),
    ),
    Rule(
        "LOG-012",
        _L,
        "coal_ncv_gj_t",
        RelativeEqual("coal_ncv_gj_t", "report_ncv_gj_t", 0.002, 0.02),
        "reported NCV differs from the test report",
        2,
        _ex(coal_ncv_gj_t=0.95),
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
        "monthly data first submitted late (more than 60 days after the month's end)",
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
        Band(CARBON_PER_HEAT, 0.0300),
        "no test report, yet carbon per heat below the default 0.03085 tC/GJ",
        2,
        _set(carbon_report_id=None),
        When.NO_REPORT,
    ),
    Rule(
        "LOG-020",
        _L,
        "coal_carbon_pct",
        Band(CARBON_PER_HEAT, 0.0240, 0.0295),
        "carbon per heat outside the physical band of coal (0.0240–0.0295 tC/GJ)",
        3,
        _ex(coal_carbon_pct=0.85),
    ),
    Rule(
        "LOG-021",
        _L,
        "report_carbon_pct",
        Band(REPORT_CARBON_PER_HEAT, 0.0240, 0.0295),
        "test report carbon per heat outside the physical band of coal",
        3,
        _ex(report_carbon_pct=0.85),
    ),
    Rule(
        "LOG-022",
        _L,
        "heat_supply_gj",
        Band("heat_share", 0.0, 1.0),
        "heat supplied exceeds the boiler's useful heat",
        3,
        _set(heat_supply_gj=5.0e7),
    ),
    Rule(
        "LOG-023",
        _L,
        "purchased_electricity_mwh",
        Band(Ratio("purchased_electricity_mwh", MAX_GENERATION), hi=0.02),
        "purchased electricity above 2 % of the unit's monthly capability",
        1,
        _set(purchased_electricity_mwh=5.0e4),
    ),
    Rule(
        "LOG-024",
        _L,
        "coal_consumption_t",
        Band(Ratio("coal_consumption_t", MAX_GENERATION), hi=1.0),
        "coal above 1 t per MWh of monthly capability: unit slip",
        3,
        _ex(coal_consumption_t=5.0),
    ),
    Rule(
        "LOG-025",
        _L,
        "reported_co2_t",
        Band(CO2_PER_COAL, 0.6, 3.0),
        "reported CO2 per tonne of coal outside 0.6–3.0 (carbon 18–80 % × 44/12)",
        3,
        _ex(reported_co2_t=2.0),
    ),
    Rule(
        "LOG-026",
        _L,
        "coal_consumption_t",
        RequiresPositive("heat_supply_gj", "coal_consumption_t"),
        "heat supplied without coal consumption",
        3,
        Example(set={"coal_consumption_t": 0.0, "heat_supply_gj": 1.0e5}),
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
]

RULES: tuple[Rule, ...] = (*_EXTREME, *_STANDARD, *_THRESHOLD, *_LOGIC)


def rule(rule_id: str) -> Rule:
    """The rule with this id; KeyError names the unknown id."""
    for r in RULES:
        if r.rule_id == rule_id:
            return r
    raise KeyError(rule_id)
