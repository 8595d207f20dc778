"""Evaluate the declarative rules of `models.rules` over the unit-month frame.

Each rule is evaluated once over the whole frame with numpy/pandas: history rules read lagged
rows through precomputed (unit, month − lag) positions, so gaps in a unit's months are honest
gaps rather than shifted neighbours; peer rules use groupby medians and MADs (robust, so the
faults being looked for do not widen the yardstick that measures them).
"""

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from models.rules import (
    MAX_GENERATION,
    POWER_FUEL_HEAT,
    RATED_GENERATION,
    RULES,
    Anchor,
    Band,
    Check,
    DateOrder,
    DateWindow,
    Frozen,
    HistoryRange,
    ImpliesZero,
    Jump,
    LessEqual,
    OwnZScore,
    PeerFence,
    PeerInterval,
    PeerZScore,
    Quantity,
    RelativeEqual,
    RequiresPositive,
    Rule,
    When,
)

VIOLATION_COLUMNS = [
    "unit_id",
    "period",
    "rule_id",
    "family",
    "severity",
    "parameter",
    "value",
    "expected",
    "score",
]
MAD_TO_SIGMA = 1.4826
# Below this a value counts as zero (MWh, t, h: far under any real monthly figure).
ZERO = 1e-6


def _soft_score(excess: np.ndarray, scale: np.ndarray | float) -> np.ndarray:
    """0.5 at the limit, towards 1 as the excess grows by a few `scale`s."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.asarray(scale) > 0, np.maximum(excess, 0) / scale, np.inf)
    return 1.0 - 0.5 * np.exp(-ratio)


def _month_index(periods: pd.Series) -> np.ndarray:
    text = periods.astype(str)
    year = pd.to_numeric(text.str.slice(0, 4), errors="coerce")
    month = pd.to_numeric(text.str.slice(5, 7), errors="coerce")
    return (year * 12 + month - 1).fillna(-(10**6)).to_numpy(dtype=np.int64)


class RuleFrame:
    """The unit-month frame prepared once for all rules: columns, lags, conditions, dates."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame.reset_index(drop=True)
        self.n = len(self.frame)
        self.month = _month_index(self.frame["period"])
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

    def column(self, name: str) -> np.ndarray:
        if name not in self._columns:
            self._columns[name] = self._compute_column(name)
        return self._columns[name]

    def _compute_column(self, name: str) -> np.ndarray:
        if name == MAX_GENERATION:
            return self.column("capacity_mw") * self.column("hours_in_month")
        if name == RATED_GENERATION:
            return self.column("capacity_mw") * self.column("operating_hours")
        if name == POWER_FUEL_HEAT:
            share = np.nan_to_num(self.column("heat_share"), nan=0.0)
            return self.column("fuel_heat_gj") * (1 - share)
        if name not in self.frame:
            return np.full(self.n, np.nan)
        return pd.to_numeric(self.frame[name], errors="coerce").to_numpy(dtype=float)

    def quantity(self, q: Quantity) -> np.ndarray:
        if isinstance(q, str):
            return self.column(q)
        den = self.column(q.den)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den != 0, q.factor * self.column(q.num) / den, np.nan)

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
        running = (hours > 0) & (self.column("power_generation_mwh") > 0)
        match when:
            case When.ALWAYS:
                return np.ones(self.n, dtype=bool)
            case When.RUNNING:
                return running
            case When.STEADY:
                return running & (hours >= 0.5 * self.column("hours_in_month"))
            case When.NO_REPORT:
                if "carbon_report_id" not in self.frame:
                    return np.ones(self.n, dtype=bool)
                ids = self.frame["carbon_report_id"].astype("string")
                return (ids.isna() | (ids.str.strip() == "")).to_numpy(dtype=bool)
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

    def unit_class_in(self, classes: Iterable[str]) -> np.ndarray:
        return self.group_keys["unit_class"].isin(list(classes)).to_numpy(dtype=bool)


@dataclass
class Outcome:
    """Per row: whether the rule is violated, the expected value of its target, a score."""

    violated: np.ndarray
    expected: np.ndarray
    score: np.ndarray


def _expected_target(rf: RuleFrame, q: Quantity, target: str, bound: np.ndarray) -> np.ndarray:
    """The value of `target` that would put the quantity at `bound` (NaN if not invertible)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(q, str):
            return bound if q == target else np.full(rf.n, np.nan)
        if q.num == target:
            return bound * rf.column(q.den) / q.factor
        if q.den == target:
            return q.factor * rf.column(q.num) / bound
    return np.full(rf.n, np.nan)


def _band(rf: RuleFrame, rule: Rule, check: Band, applies: np.ndarray) -> Outcome:
    x = rf.quantity(check.quantity)
    if check.unit_classes:
        applies = applies & rf.unit_class_in(check.unit_classes)
    lo = -np.inf if check.lo is None else check.lo
    hi = np.inf if check.hi is None else check.hi
    below, above = applies & (x < lo), applies & (x > hi)
    bound = np.where(below, lo, np.where(above, hi, np.nan))
    finite = [abs(b) for b in (check.lo, check.hi) if b is not None]
    scale = 0.05 * max(finite) if finite else 0.0
    excess = np.where(below, lo - x, np.where(above, x - hi, 0.0))
    return Outcome(
        below | above,
        _expected_target(rf, check.quantity, rule.target, bound),
        _soft_score(excess, scale),
    )


def _less_equal(rf: RuleFrame, rule: Rule, check: LessEqual, applies: np.ndarray) -> Outcome:
    a, b = rf.column(check.a), rf.column(check.b)
    violated = applies & (a > b * (1 + check.tol)) & (b >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = a / b - 1 - check.tol
    expected = b if rule.target == check.a else a if rule.target == check.b else np.nan
    return Outcome(
        violated, np.broadcast_to(expected, (rf.n,)).astype(float), _soft_score(excess, 0.05)
    )


def _relative_equal(
    rf: RuleFrame, rule: Rule, check: RelativeEqual, applies: np.ndarray
) -> Outcome:
    a, b = rf.column(check.a), rf.column(check.b)
    gap = np.abs(a - b)
    allowed = np.maximum(check.tol * np.abs(b), check.abs_tol)
    violated = applies & (gap > allowed)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = (gap - allowed) / np.abs(b)
    expected = b if rule.target == check.a else a if rule.target == check.b else np.nan
    return Outcome(
        violated, np.broadcast_to(expected, (rf.n,)).astype(float), _soft_score(excess, 0.02)
    )


def _implication(
    rf: RuleFrame, rule: Rule, check: ImpliesZero | RequiresPositive, applies: np.ndarray
) -> Outcome:
    if isinstance(check, ImpliesZero):
        premise = np.abs(rf.column(check.when_zero)) <= ZERO
        broken = np.abs(rf.column(check.then)) > ZERO
        expected = np.where(applies & premise & broken, 0.0, np.nan)
    else:
        premise = rf.column(check.when_positive) > ZERO
        broken = rf.column(check.then) <= ZERO
        expected = np.full(rf.n, np.nan)
    violated = applies & premise & broken
    return Outcome(violated, expected, np.full(rf.n, 0.95))


def _date_order(rf: RuleFrame, rule: Rule, check: DateOrder, applies: np.ndarray) -> Outcome:
    first, second = rf.days(check.first), rf.days(check.second)
    violated = applies & (second < first)
    return Outcome(violated, np.full(rf.n, np.nan), _soft_score(first - second, 10.0))


def _date_window(rf: RuleFrame, rule: Rule, check: DateWindow, applies: np.ndarray) -> Outcome:
    days = rf.days(check.column) - rf.anchor_days(check.anchor)
    early, late = days < check.min_days, days > check.max_days
    excess = np.where(early, check.min_days - days, days - check.max_days)
    return Outcome(applies & (early | late), np.full(rf.n, np.nan), _soft_score(excess, 10.0))


def _masked(rf: RuleFrame, q: Quantity, applies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The quantity, and a copy with NaN where the rule does not apply (what stats learn from)."""
    x = rf.quantity(q)
    return x, np.where(applies, x, np.nan)


def _nan_stats(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise median, MAD and count of non-NaN values."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(matrix, axis=1)
        mad = np.nanmedian(np.abs(matrix - med[:, None]), axis=1)
    return med, mad, np.sum(~np.isnan(matrix), axis=1)


def _history_range(rf: RuleFrame, rule: Rule, check: HistoryRange, applies: np.ndarray) -> Outcome:
    x, learn = _masked(rf, check.quantity, applies)
    hist = rf.history(learn, check.window)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi, med = np.nanmin(hist, axis=1), np.nanmax(hist, axis=1), np.nanmedian(hist, axis=1)
    count = np.sum(~np.isnan(hist), axis=1)
    margin = np.maximum(check.margin * (hi - lo), check.rel_floor * np.abs(med))
    lo_w, hi_w = lo - margin, hi + margin
    below, above = x < lo_w, x > hi_w
    violated = applies & (count >= check.min_history) & (below | above)
    excess = np.where(below, lo_w - x, x - hi_w)
    return Outcome(
        violated,
        _expected_target(rf, check.quantity, rule.target, med),
        _soft_score(excess, margin),
    )


def _zscore(x: np.ndarray, med: np.ndarray, mad: np.ndarray, min_rel_scale: float) -> np.ndarray:
    scale = np.maximum(MAD_TO_SIGMA * mad, min_rel_scale * np.abs(med))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x - med) / scale


def _own_zscore(rf: RuleFrame, rule: Rule, check: OwnZScore, applies: np.ndarray) -> Outcome:
    x, learn = _masked(rf, check.quantity, applies)
    med, mad, count = _nan_stats(rf.history(learn, check.window))
    z = _zscore(x, med, mad, check.min_rel_scale)
    violated = applies & (count >= check.min_history) & (np.abs(z) > check.k)
    return Outcome(
        violated,
        _expected_target(rf, check.quantity, rule.target, med),
        _soft_score(np.abs(z) - check.k, check.k / 3),
    )


def _group_levels(group_by: tuple[str, ...]) -> list[list[str]]:
    """The peer groups to try, finest first: drop cooling, then class, keep the period."""
    levels = [list(group_by)]
    for coarser in ("cooling", "unit_class"):
        last = [c for c in levels[-1] if c != coarser]
        if last != levels[-1]:
            levels.append(last)
    return levels


def _peer_transform(
    rf: RuleFrame,
    values: np.ndarray,
    group_by: tuple[str, ...],
    min_peers: int,
    stats: Sequence[str],
) -> dict[str, np.ndarray]:
    """Per row, group statistics of `values` over the finest peer group with ≥ min_peers values.

    Stats: `median`, `mad`, `q1`, `q3`. Rows with no group large enough get NaN.
    """
    out = {s: np.full(rf.n, np.nan) for s in stats}
    todo = np.ones(rf.n, dtype=bool)
    for level in _group_levels(group_by):
        frame = rf.group_keys[level].copy()
        frame["v"] = values
        keys = [frame[c] for c in level] if level else np.zeros(rf.n, dtype=int)
        grouped = frame.groupby(keys, sort=False, dropna=False)["v"]
        count = grouped.transform("count").to_numpy()
        take = todo & (count >= min_peers)
        if take.any():
            med = grouped.transform("median").to_numpy()
            for s in stats:
                if s == "median":
                    got = med
                elif s == "mad":
                    frame["d"] = np.abs(values - med)
                    got = frame.groupby(keys, sort=False, dropna=False)["d"].transform("median")
                else:
                    got = grouped.transform("quantile", 0.25 if s == "q1" else 0.75)
                out[s] = np.where(take, np.asarray(got, dtype=float), out[s])
        todo &= ~take
        if not todo.any():
            break
    return out


def _peer_zscore(rf: RuleFrame, rule: Rule, check: PeerZScore, applies: np.ndarray) -> Outcome:
    x, learn = _masked(rf, check.quantity, applies)
    s = _peer_transform(rf, learn, check.group_by, check.min_peers, ("median", "mad"))
    z = _zscore(x, s["median"], s["mad"], check.min_rel_scale)
    violated = applies & (np.abs(z) > check.k)
    return Outcome(
        violated,
        _expected_target(rf, check.quantity, rule.target, s["median"]),
        _soft_score(np.abs(z) - check.k, check.k / 3),
    )


def _peer_fence(rf: RuleFrame, rule: Rule, check: PeerFence, applies: np.ndarray) -> Outcome:
    x, learn = _masked(rf, check.quantity, applies)
    s = _peer_transform(rf, learn, check.group_by, check.min_peers, ("median", "q1", "q3"))
    iqr = np.maximum(s["q3"] - s["q1"], check.min_rel_iqr * np.abs(s["median"]))
    lo, hi = s["q1"] - check.k * iqr, s["q3"] + check.k * iqr
    below, above = x < lo, x > hi
    excess = np.where(below, lo - x, x - hi)
    return Outcome(
        applies & (below | above),
        _expected_target(rf, check.quantity, rule.target, s["median"]),
        _soft_score(excess, iqr),
    )


def _peer_interval(rf: RuleFrame, rule: Rule, check: PeerInterval, applies: np.ndarray) -> Outcome:
    x, learn = _masked(rf, check.quantity, applies)
    s = _peer_transform(rf, learn, check.group_by, check.min_peers, ("median", "mad"))
    half = np.maximum(MAD_TO_SIGMA * s["mad"], check.min_rel_scale * np.abs(s["median"]))
    half = half * norm.ppf(1 - check.alpha / 2)
    excess = np.abs(x - s["median"]) - half
    return Outcome(
        applies & (excess > 0),
        _expected_target(rf, check.quantity, rule.target, s["median"]),
        _soft_score(excess, 0.25 * half),
    )


def _frozen(rf: RuleFrame, rule: Rule, check: Frozen, applies: np.ndarray) -> Outcome:
    x = rf.column(check.parameter)
    same = applies & (np.abs(x) > ZERO)
    for lag in range(1, check.run_length):
        earlier = rf.lagged(x, lag)
        same &= np.abs(x - earlier) <= 1e-9 * np.abs(x)
    return Outcome(same, np.full(rf.n, np.nan), np.full(rf.n, 0.9))


def _jump(rf: RuleFrame, rule: Rule, check: Jump, applies: np.ndarray) -> Outcome:
    x = rf.quantity(check.quantity)
    earlier = rf.lagged(x, check.lag)
    both = applies & (rf.lagged(applies.astype(float), check.lag) == 1.0) & (x > 0) & (earlier > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.abs(np.log(x / earlier))
    limit = np.log1p(check.max_change)
    violated = both & (change > limit)
    return Outcome(
        violated,
        _expected_target(rf, check.quantity, rule.target, earlier),
        _soft_score(change - limit, limit),
    )


def _evaluate(rf: RuleFrame, rule: Rule, check: Check) -> Outcome:
    applies = rf.condition(rule.when)
    match check:
        case Band():
            return _band(rf, rule, check, applies)
        case LessEqual():
            return _less_equal(rf, rule, check, applies)
        case RelativeEqual():
            return _relative_equal(rf, rule, check, applies)
        case ImpliesZero() | RequiresPositive():
            return _implication(rf, rule, check, applies)
        case DateOrder():
            return _date_order(rf, rule, check, applies)
        case DateWindow():
            return _date_window(rf, rule, check, applies)
        case HistoryRange():
            return _history_range(rf, rule, check, applies)
        case OwnZScore():
            return _own_zscore(rf, rule, check, applies)
        case PeerZScore():
            return _peer_zscore(rf, rule, check, applies)
        case PeerFence():
            return _peer_fence(rf, rule, check, applies)
        case PeerInterval():
            return _peer_interval(rf, rule, check, applies)
        case Frozen():
            return _frozen(rf, rule, check, applies)
        case Jump():
            return _jump(rf, rule, check, applies)
    raise TypeError(f"rule {rule.rule_id}: unknown check {check!r}")


def evaluate_rules(
    frame: pd.DataFrame,
    periods: Sequence[str] | None = None,
    rules: Sequence[Rule] = RULES,
) -> pd.DataFrame:
    """One row per violation of `rules` in the rows of `periods` (all when None).

    `frame` is the unit-month frame over all periods: history rules read earlier months.
    """
    if frame.empty:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    rf = RuleFrame(frame)
    wanted = (
        np.ones(rf.n, dtype=bool)
        if periods is None
        else rf.frame["period"].astype(str).isin(list(periods)).to_numpy()
    )
    parts: list[pd.DataFrame] = []
    for rule in rules:
        outcome = _evaluate(rf, rule, rule.check)
        rows = np.flatnonzero(outcome.violated & wanted)
        if rows.size == 0:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "rule_id": rule.rule_id,
                    "family": rule.family.value,
                    "severity": rule.severity,
                    "parameter": rule.target,
                    "value": rf.column(rule.target)[rows],
                    "expected": np.asarray(outcome.expected, dtype=float)[rows],
                    "score": np.clip(outcome.score[rows], 0.0, 1.0),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    found = pd.concat(parts, ignore_index=True)
    found.insert(0, "unit_id", rf.frame["unit_id"].to_numpy()[found["row"]])
    found.insert(1, "period", rf.frame["period"].to_numpy()[found["row"]])
    found["severity"] = found["severity"].astype(int)
    return found.drop(columns="row")[VIOLATION_COLUMNS]


def list_rules(rules: Sequence[Rule] = RULES) -> pd.DataFrame:
    """The rules as a table: id, family, severity, target, parameters, rationale, check."""
    return pd.DataFrame(
        {
            "rule_id": [r.rule_id for r in rules],
            "family": [r.family.value for r in rules],
            "severity": [r.severity for r in rules],
            "target": [r.target for r in rules],
            "parameters": [", ".join(r.parameters) for r in rules],
            "rationale": [r.rationale for r in rules],
            "check": [r.describe() for r in rules],
        }
    )


def rule_counts(rules: Sequence[Rule] = RULES) -> dict[str, int]:
    """Number of rules per family."""
    return list_rules(rules)["family"].value_counts().to_dict()


def firing_rates(violations: pd.DataFrame, n_unit_months: int) -> pd.DataFrame:
    """Per rule: violations and their share of the unit-months evaluated, most frequent first."""
    counts = violations.groupby("rule_id").size().rename("violations").reset_index()
    counts["rate"] = counts["violations"] / max(n_unit_months, 1)
    return counts.sort_values("violations", ascending=False, ignore_index=True)
