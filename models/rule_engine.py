"""Evaluate the declarative rules of `models.rules` over the unit-month frame, vectorised.

Each rule becomes one `RuleOutcome` of arrays aligned with the frame's rows: where it applies,
its statistic, its residual on the log scale, whether a hard rule is breached, and the value of
its target that would satisfy it. Statistical rules state distances only: turning them into
tail probabilities is the engine's job, against the null fitted on the fleet (engine.null).

History rules read lagged rows through precomputed (unit, month − lag) positions, so gaps in a
unit's months are honest gaps rather than shifted neighbours; peer rules use group medians and
MADs (robust, so the faults being looked for do not widen the yardstick that measures them).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph_schema.periods import month_index
from loaders.formulas import CONTEXT_QUANTITIES, context_values
from models.rules import (
    DEFAULT_CARBON_PER_HEAT,
    RULES,
    Agrees,
    Anchor,
    Band,
    Basis,
    Check,
    DateOrder,
    DateWindow,
    DecadeJump,
    Frozen,
    ImpliesNotPositive,
    ImpliesZero,
    Jump,
    LessEqual,
    OwnZ,
    PeerZ,
    Quantity,
    RequiresPositive,
    Rule,
    When,
)

# A carbon content is the default when its carbon per heat is within this share of it: the
# rounding of a content written to 0.01 % and an NCV to 0.001 GJ/t, with room to spare.
DEFAULT_MATCH = 0.002

MAD_TO_SIGMA = 1.4826
# Below this a value counts as zero (MWh, t, h: far under any real monthly figure).
ZERO = 1e-6
# Half a decade on the log scale: decimal and unit slips move a figure by powers of ten.
HALF_DECADE = 0.5 * np.log(10.0)
# NCV bands of the fleet's units (quintiles of each unit's median NCV): coal ranks.
NCV_BANDS = 5


@dataclass
class RuleOutcome:
    """One rule over every row: `applies` (the rule's condition and its inputs present),
    `statistic` (a robust z for statistical rules, the log change for jumps and slips, the run
    length for copies, days beyond the window for dates, the log excess for bounds),
    `residual` (the log residual attribution reads, NaN where none), `violated` (a hard,
    copy or procedural rule's own verdict) and `expected` (the target's value that satisfies
    the rule, NaN where none is implied)."""

    rule: Rule
    applies: np.ndarray
    statistic: np.ndarray
    residual: np.ndarray
    violated: np.ndarray
    expected: np.ndarray


def steady(hours: np.ndarray, generation: np.ndarray, hours_in_month: np.ndarray) -> np.ndarray:
    """Months on line at least half the month, generating (When.STEADY)."""
    return (hours > 0) & (generation > 0) & (hours >= 0.5 * hours_in_month)


class RuleFrame:
    """The unit-month frame prepared once for all rules: columns, lags, conditions, groups."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame.reset_index(drop=True)
        self.n = len(self.frame)
        self.month = month_index(self.frame["period"]).fillna(-(10**6)).to_numpy(dtype=np.int64)
        self._keys = pd.MultiIndex.from_arrays([self.frame["unit_id"].astype(str), self.month])
        if not self._keys.is_unique:
            raise ValueError("the unit-month frame has more than one row per (unit_id, period)")
        self._lags: dict[int, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._conditions: dict[When, np.ndarray] = {}
        self.group_keys = pd.DataFrame(
            {
                c: (self.frame[c].astype(str) if c in self.frame else "")
                for c in ("unit_class", "cooling", "period")
            }
        )
        self.group_keys["ncv_band"] = self._ncv_bands()

    def _ncv_bands(self) -> np.ndarray:
        ncv = self.column("coal_ncv_gj_t")
        by_unit = pd.Series(ncv).groupby(self.frame["unit_id"].astype(str).to_numpy()).median()
        if by_unit.notna().sum() < NCV_BANDS:
            return np.zeros(self.n, dtype=int)
        bands = pd.qcut(by_unit.rank(method="first"), NCV_BANDS, labels=False)
        return self.frame["unit_id"].astype(str).map(bands).fillna(-1).to_numpy(dtype=int)

    def column(self, name: str) -> np.ndarray:
        if name not in self._columns:
            self._columns[name] = self._compute_column(name)
        return self._columns[name]

    def _compute_column(self, name: str) -> np.ndarray:
        if name in CONTEXT_QUANTITIES:
            values = {c: self.column(c) for c in ("heat_share", "fuel_heat_gj", "operating_hours")}
            values["energy_monitor_tce"] = self.column("energy_monitor_tce")
            return context_values(
                values, self.column("capacity_mw"), self.column("hours_in_month")
            )[name]
        if name not in self.frame:
            return np.full(self.n, np.nan)
        return pd.to_numeric(self.frame[name], errors="coerce").to_numpy(dtype=float)

    def quantity(self, q: Quantity) -> np.ndarray:
        if isinstance(q, str):
            return self.column(q)
        den = self.column(q.den)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den != 0, q.factor * self.column(q.num) / den, np.nan)

    def log_quantity(self, q: Quantity) -> np.ndarray:
        x = self.quantity(q)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)

    def lag_positions(self, lag: int) -> np.ndarray:
        """Row position of the same unit `lag` months earlier, −1 where there is none."""
        if lag not in self._lags:
            earlier = pd.MultiIndex.from_arrays([self._keys.get_level_values(0), self.month - lag])
            self._lags[lag] = self._keys.get_indexer(earlier)
        return self._lags[lag]

    def lagged(self, values: np.ndarray, lag: int) -> np.ndarray:
        pos = self.lag_positions(lag)
        return np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)

    def history(self, values: np.ndarray, window: int) -> np.ndarray:
        """(rows × window) matrix of the previous `window` months' values (NaN where absent)."""
        return np.column_stack([self.lagged(values, lag) for lag in range(1, window + 1)])

    def condition(self, when: When) -> np.ndarray:
        if when not in self._conditions:
            self._conditions[when] = self._compute_condition(when)
        return self._conditions[when]

    def _compute_condition(self, when: When) -> np.ndarray:
        hours = self.column("operating_hours")
        generation = self.column("power_generation_mwh")
        match when:
            case When.ALWAYS:
                return np.ones(self.n, dtype=bool)
            case When.RUNNING:
                return (hours > 0) & (generation > 0)
            case When.STEADY:
                return steady(hours, generation, self.column("hours_in_month"))
            case When.NO_REPORT:
                if "carbon_report_id" not in self.frame:
                    return np.ones(self.n, dtype=bool)
                ids = self.frame["carbon_report_id"].astype("string")
                return (ids.isna() | (ids.str.strip() == "")).to_numpy(dtype=bool)
            case When.NOT_DEFAULT_CARBON:
                with np.errstate(divide="ignore", invalid="ignore"):
                    per_heat = self.column("coal_carbon_pct") / 100 / self.column("coal_ncv_gj_t")
                default = np.zeros(self.n, dtype=bool)
                for value in DEFAULT_CARBON_PER_HEAT:
                    default |= np.abs(per_heat / value - 1) <= DEFAULT_MATCH
                return ~default
            case When.FIRST_SUBMISSION:
                if "revision" not in self.frame:
                    return np.ones(self.n, dtype=bool)
                revision = pd.to_numeric(self.frame["revision"], errors="coerce")
                return (revision.fillna(1) <= 1).to_numpy(dtype=bool)
        raise ValueError(when)

    def days(self, column: str) -> np.ndarray:
        """An ISO date column as days since the epoch (NaN where missing or unparsable)."""
        if column not in self.frame:
            return np.full(self.n, np.nan)
        dates = pd.to_datetime(self.frame[column], errors="coerce", format="ISO8601")
        return (dates - pd.Timestamp(0)).dt.days.to_numpy(dtype=float)

    def anchor_days(self, anchor: Anchor) -> np.ndarray:
        start = pd.to_datetime(self.frame["period"].astype(str) + "-01", errors="coerce")
        if anchor == Anchor.MONTH_END:
            start = start + pd.offsets.MonthEnd(0)
        return (start - pd.Timestamp(0)).dt.days.to_numpy(dtype=float)


def _nan(n: int) -> np.ndarray:
    return np.full(n, np.nan)


def _expected_target(rf: RuleFrame, q: Quantity, target: str, bound: np.ndarray) -> np.ndarray:
    """The value of `target` that would put the quantity at `bound` (NaN if not invertible)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(q, str):
            return bound if q == target else _nan(rf.n)
        if q.num == target:
            return bound * rf.column(q.den) / q.factor
        if q.den == target:
            return q.factor * rf.column(q.num) / bound
    return _nan(rf.n)


def _log_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (a > 0) & (b > 0)
        return np.where(ok, np.log(np.where(ok, a, 1.0) / np.where(ok, b, 1.0)), np.nan)


def _band(rf: RuleFrame, rule: Rule, check: Band, applies: np.ndarray) -> RuleOutcome:
    x = rf.quantity(check.quantity)
    applies = applies & np.isfinite(x)
    lo = -np.inf if check.lo is None else check.lo
    hi = np.inf if check.hi is None else check.hi
    below, above = applies & (x < lo), applies & (x > hi)
    bound = np.where(below, lo, np.where(above, hi, np.nan))
    excess = np.where(below, x - lo, np.where(above, x - hi, 0.0))
    return RuleOutcome(
        rule,
        applies,
        np.where(applies, excess, np.nan),
        _log_ratio(x, bound),
        below | above,
        _expected_target(rf, check.quantity, rule.target, bound),
    )


def _pair_expected(
    rule: Rule, a_name: str, b_name: str, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """The target's value that satisfies a relation between a and b (the other side's)."""
    if rule.target == a_name:
        return b.astype(float)
    if rule.target == b_name:
        return a.astype(float)
    return np.full(len(a), np.nan)


def _less_equal(rf: RuleFrame, rule: Rule, check: LessEqual, applies: np.ndarray) -> RuleOutcome:
    a, b = rf.column(check.a), rf.column(check.b)
    applies = applies & np.isfinite(a) & np.isfinite(b) & (b >= 0)
    violated = applies & (a > b * (1 + check.tol))
    return RuleOutcome(
        rule,
        applies,
        np.where(applies, _log_ratio(a, b * (1 + check.tol)), np.nan),
        _log_ratio(a, b),
        violated,
        _pair_expected(rule, check.a, check.b, a, b),
    )


def _implication(
    rf: RuleFrame,
    rule: Rule,
    check: ImpliesZero | ImpliesNotPositive | RequiresPositive,
    applies: np.ndarray,
) -> RuleOutcome:
    match check:
        case ImpliesZero(when_zero=premise_column, then=then_column):
            premise = np.abs(rf.column(premise_column)) <= ZERO
            broken = np.abs(rf.column(then_column)) > ZERO
        case ImpliesNotPositive(when_zero=premise_column, then=then_column):
            premise = np.abs(rf.column(premise_column)) <= ZERO
            broken = rf.column(then_column) > ZERO
        case RequiresPositive(when_positive=premise_column, then=then_column):
            premise = rf.column(premise_column) > ZERO
            broken = rf.column(then_column) <= ZERO
    applies = applies & premise & np.isfinite(rf.column(then_column))
    violated = applies & broken
    expected = np.where(violated & (not isinstance(check, RequiresPositive)), 0.0, np.nan)
    return RuleOutcome(
        rule, applies, violated.astype(float), _nan(rf.n), violated, expected.astype(float)
    )


def _agrees(rf: RuleFrame, rule: Rule, check: Agrees, applies: np.ndarray) -> RuleOutcome:
    a, b = rf.column(check.a), rf.column(check.b)
    gap = _log_ratio(a, b)
    applies = applies & np.isfinite(gap)
    return RuleOutcome(
        rule,
        applies,
        np.where(applies, gap, np.nan),
        np.where(applies, gap, np.nan),
        np.zeros(rf.n, dtype=bool),
        _pair_expected(rule, check.a, check.b, a, b),
    )


def _row_medians(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Row-wise median of the `count` non-NaN values of each row (NaN where none): what
    np.nanmedian gives, from one sort (NaN sorts last) instead of its masked-array path."""
    ordered = np.sort(matrix, axis=1)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, (count // 2)[:, None], axis=1)[:, 0]
    return np.where(count > 0, (low + high) / 2, np.nan)


def _nan_stats(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise median, MAD and count of non-NaN values."""
    count = np.sum(~np.isnan(matrix), axis=1)
    med = _row_medians(matrix, count)
    return med, _row_medians(np.abs(matrix - med[:, None]), count), count


def _robust_z(e: np.ndarray, mad: np.ndarray) -> np.ndarray:
    """e / (1.4826 MAD), a MAD of zero (a constant reference: rounded or default figures)
    borrowing the rule's typical positive MAD over the fleet."""
    positive = mad[np.isfinite(mad) & (mad > 0)]
    pooled = float(np.median(positive)) if positive.size else np.nan
    scale = MAD_TO_SIGMA * np.where(mad > 0, mad, pooled)
    with np.errstate(divide="ignore", invalid="ignore"):
        return e / scale


def _statistical(
    rule: Rule, q: Quantity, rf: RuleFrame, applies: np.ndarray, ref: np.ndarray, z: np.ndarray
) -> RuleOutcome:
    x = rf.log_quantity(q)
    applies = applies & np.isfinite(z)
    return RuleOutcome(
        rule,
        applies,
        np.where(applies, z, np.nan),
        np.where(applies, x - ref, np.nan),
        np.zeros(rf.n, dtype=bool),
        _expected_target(rf, q, rule.target, np.exp(ref)),
    )


def _own_z(rf: RuleFrame, rule: Rule, check: OwnZ, applies: np.ndarray) -> RuleOutcome:
    x = rf.log_quantity(check.quantity)
    learn = np.where(applies, x, np.nan)
    med, mad, count = _nan_stats(rf.history(learn, check.window))
    z = np.where(count >= check.min_history, _robust_z(x - med, mad), np.nan)
    return _statistical(rule, check.quantity, rf, applies, med, z)


def _group_levels(group_by: tuple[str, ...]) -> list[list[str]]:
    """The peer groups to try, finest first: drop cooling, then class, keep the period."""
    levels = [list(group_by)]
    for coarser in ("cooling", "unit_class", "ncv_band"):
        last = [c for c in levels[-1] if c != coarser]
        if last != levels[-1]:
            levels.append(last)
    return levels


def _peer_stats(
    rf: RuleFrame, values: np.ndarray, group_by: tuple[str, ...], min_peers: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the median and MAD of `values` over the finest peer group with ≥ min_peers
    values (NaN where none is large enough)."""
    median, mad = _nan(rf.n), _nan(rf.n)
    todo = np.ones(rf.n, dtype=bool)
    for level in _group_levels(group_by):
        frame = rf.group_keys[level].copy() if level else pd.DataFrame(index=range(rf.n))
        frame["v"] = values
        keys = [frame[c] for c in level] if level else np.zeros(rf.n, dtype=int)
        grouped = frame.groupby(keys, sort=False, dropna=False)["v"]
        count = grouped.transform("count").to_numpy()
        take = todo & (count >= min_peers)
        if take.any():
            med = grouped.transform("median").to_numpy()
            frame["d"] = np.abs(values - med)
            spread = frame.groupby(keys, sort=False, dropna=False)["d"].transform("median")
            median = np.where(take, med, median)
            mad = np.where(take, spread.to_numpy(dtype=float), mad)
        todo &= ~take
        if not todo.any():
            break
    return median, mad


def _peer_z(rf: RuleFrame, rule: Rule, check: PeerZ, applies: np.ndarray) -> RuleOutcome:
    x = rf.log_quantity(check.quantity)
    med, mad = _peer_stats(rf, np.where(applies, x, np.nan), check.group_by, check.min_peers)
    return _statistical(rule, check.quantity, rf, applies, med, _robust_z(x - med, mad))


def _jump(rf: RuleFrame, rule: Rule, check: Jump, applies: np.ndarray) -> RuleOutcome:
    x = rf.log_quantity(check.quantity)
    both = applies & (rf.lagged(applies.astype(float), check.lag) == 1.0)
    earlier = rf.lagged(x, check.lag)
    return _statistical(rule, check.quantity, rf, both, earlier, x - earlier)


def _decade_jump(rf: RuleFrame, rule: Rule, check: DecadeJump, applies: np.ndarray) -> RuleOutcome:
    """The log change from last month; only a change of half a decade or more is a slip."""
    x = rf.log_quantity(check.parameter)
    both = applies & (rf.lagged(applies.astype(float), 1) == 1.0)
    earlier = rf.lagged(x, 1)
    change = x - earlier
    outcome = _statistical(rule, check.parameter, rf, both, earlier, change)
    outcome.violated = outcome.applies & (np.abs(change) >= HALF_DECADE)
    return outcome


def _frozen(rf: RuleFrame, rule: Rule, check: Frozen, applies: np.ndarray) -> RuleOutcome:
    """Run length of identical non-zero values ending at each row; a copy once it reaches
    `run_length`."""
    x = rf.column(check.parameter)
    present = applies & np.isfinite(x) & (np.abs(x) > ZERO)
    run = present.astype(float)
    same = present.copy()
    for lag in range(1, check.run_length):
        same &= np.abs(x - rf.lagged(x, lag)) <= 1e-9 * np.abs(x)
        run += same
    return RuleOutcome(
        rule,
        present,
        np.where(present, run, np.nan),
        _nan(rf.n),
        present & (run >= check.run_length),
        _nan(rf.n),
    )


def _dated(
    rf: RuleFrame, rule: Rule, applies: np.ndarray, excess: np.ndarray, violated: np.ndarray
) -> RuleOutcome:
    applies = applies & np.isfinite(excess)
    return RuleOutcome(
        rule, applies, np.where(applies, excess, np.nan), _nan(rf.n), applies & violated, _nan(rf.n)
    )


def _date_order(rf: RuleFrame, rule: Rule, check: DateOrder, applies: np.ndarray) -> RuleOutcome:
    excess = rf.days(check.first) - rf.days(check.second)
    return _dated(rf, rule, applies, excess, excess > 0)


def _date_window(rf: RuleFrame, rule: Rule, check: DateWindow, applies: np.ndarray) -> RuleOutcome:
    days = rf.days(check.column) - rf.anchor_days(check.anchor)
    excess = np.where(days < check.min_days, days - check.min_days, days - check.max_days)
    return _dated(rf, rule, applies, excess, (days < check.min_days) | (days > check.max_days))


def _evaluate(rf: RuleFrame, rule: Rule, check: Check) -> RuleOutcome:
    applies = rf.condition(rule.when)
    match check:
        case Band():
            return _band(rf, rule, check, applies)
        case LessEqual():
            return _less_equal(rf, rule, check, applies)
        case ImpliesZero() | ImpliesNotPositive() | RequiresPositive():
            return _implication(rf, rule, check, applies)
        case Agrees():
            return _agrees(rf, rule, check, applies)
        case OwnZ():
            return _own_z(rf, rule, check, applies)
        case PeerZ():
            return _peer_z(rf, rule, check, applies)
        case Jump():
            return _jump(rf, rule, check, applies)
        case DecadeJump():
            return _decade_jump(rf, rule, check, applies)
        case Frozen():
            return _frozen(rf, rule, check, applies)
        case DateOrder():
            return _date_order(rf, rule, check, applies)
        case DateWindow():
            return _date_window(rf, rule, check, applies)
    raise TypeError(f"rule {rule.rule_id}: unknown check {check!r}")


def evaluate_rules(frame: pd.DataFrame, rules: Sequence[Rule] = RULES) -> list[RuleOutcome]:
    """Every rule's outcome over every row of `frame` (the unit-month frame over all periods:
    history rules read earlier months), aligned with `frame.reset_index(drop=True)`."""
    rf = RuleFrame(frame)
    return [_evaluate(rf, rule, rule.check) for rule in rules]


def breaches(outcomes: Iterable[RuleOutcome], frame: pd.DataFrame) -> pd.DataFrame:
    """Rows where a hard, copy or procedural rule's own verdict is a breach: unit_id, period,
    rule_id, basis, family, severity, parameter, value, expected."""
    rows = frame.reset_index(drop=True)
    parts = []
    for outcome in outcomes:
        hit = np.flatnonzero(outcome.violated)
        if not hit.size:
            continue
        rule = outcome.rule
        values = pd.to_numeric(rows[rule.target], errors="coerce") if rule.target in rows else None
        parts.append(
            pd.DataFrame(
                {
                    "unit_id": rows["unit_id"].astype(str).to_numpy()[hit],
                    "period": rows["period"].astype(str).to_numpy()[hit],
                    "rule_id": rule.rule_id,
                    "basis": rule.basis.value,
                    "family": rule.family.value,
                    "severity": rule.severity,
                    "parameter": rule.target,
                    "value": values.to_numpy(dtype=float)[hit] if values is not None else np.nan,
                    "expected": outcome.expected[hit],
                }
            )
        )
    columns = ["unit_id", "period", "rule_id", "basis", "family", "severity", "parameter"]
    if not parts:
        return pd.DataFrame(columns=[*columns, "value", "expected"])
    return pd.concat(parts, ignore_index=True)


def list_rules(rules: Sequence[Rule] = RULES) -> pd.DataFrame:
    """The rules as a table: id, family, basis, severity, target, parameters, rationale, check,
    source."""
    return pd.DataFrame(
        {
            "rule_id": [r.rule_id for r in rules],
            "family": [r.family.value for r in rules],
            "basis": [r.basis.value for r in rules],
            "severity": [r.severity for r in rules],
            "target": [r.target for r in rules],
            "parameters": [", ".join(r.parameters) for r in rules],
            "rationale": [r.rationale for r in rules],
            "check": [r.describe() for r in rules],
            "source": [r.source for r in rules],
        }
    )


def rule_counts(rules: Sequence[Rule] = RULES) -> dict[str, int]:
    """Number of rules per family."""
    return list_rules(rules)["family"].value_counts().to_dict()


__all__ = [
    "HALF_DECADE",
    "Basis",
    "RuleFrame",
    "RuleOutcome",
    "breaches",
    "evaluate_rules",
    "list_rules",
    "rule_counts",
]
