"""A figure reported as zero beside one that says the unit ran: which of the two is wrong.

A zero has no size a factor can mend (ln 0), so the checks of magnitude fall silent on it and
only the hard rules speak: net supply without generation (LOG-007), generation in a month
without hours on line (LOG-005), generation without coal (LOG-008). Each names one figure of
the pair as its target, yet either can be the wrong one: gross generation left at 0 in a month
the unit ran, or net supply typed into a month it stood idle. The month's other activity
figures decide, each positive whenever a unit is on line and zero when it is not:
- all of those known positive: the unit ran and the zero is the omitted figure; expected, the
  other figure times the ratio of the two in the unit's other months (the fleet's where the
  unit has none), unless that value breaks one of the month's hard rules (gross generation a
  unit could not reach in its hours on line), which leaves the pair undecided;
- all of them zero: the unit stood idle and the positive figure is the wrong one; expected 0;
- none known, or some of each: the rule's own target, unsized.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.evidence import breached
from loaders.formulas import SCALED_FIGURES
from models.rule_engine import evaluate_rules
from models.rules import (
    RULES,
    ImpliesNotPositive,
    ImpliesZero,
    LessEqual,
    RequiresPositive,
    When,
)

# Positive in every month a unit is on line, zero in a month it is off line: a unit on line
# burns coal (its energy monitor reads the heat input, its stack the CO2) and generates. Net
# supply is not one of them: an idle unit draws station power, and small positive readings of
# idle months are common in real data.
ACTIVITY = (
    "operating_hours",
    "power_generation_mwh",
    "coal_consumption_t",
    "energy_monitor_tce",
    "cems_co2_t",
)
RAN, IDLE, UNDECIDED = 1, -1, 0
CONFLICT_COLUMNS = ["um", "check_id", "zero", "positive", "state", "odd", "expected"]


@dataclass(frozen=True)
class ZeroRule:
    """A hard rule whose breach can be a zero: `zero` reported 0 (or below) beside `positive`."""

    check_id: str
    zero: str
    positive: str
    # LessEqual(a, b) breaks on a zero only when b is the one at 0.
    only_when_zero: bool


def _zero_rules() -> tuple[ZeroRule, ...]:
    found = []
    for rule in RULES:
        check = rule.check
        if isinstance(check, ImpliesZero | ImpliesNotPositive):
            found.append(ZeroRule(rule.rule_id, check.when_zero, check.then, False))
        elif isinstance(check, RequiresPositive):
            found.append(ZeroRule(rule.rule_id, check.then, check.when_positive, False))
        elif isinstance(check, LessEqual) and SCALED_FIGURES.get(check.b, check.b) in ACTIVITY:
            found.append(
                ZeroRule(rule.rule_id, SCALED_FIGURES.get(check.b, check.b), check.a, True)
            )
    return tuple(found)


ZERO_RULES = _zero_rules()


def activity_state(months: pd.DataFrame, pair: tuple[str, str]) -> np.ndarray:
    """RAN, IDLE or UNDECIDED per row, from the activity figures other than `pair`."""
    others = [name for name in ACTIVITY if name not in pair and name in months]
    if not others:
        return np.full(len(months), UNDECIDED)
    values = months[others].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(values)
    some = known.any(axis=1)
    ran = some & ((values > 0) | ~known).all(axis=1)
    idle = some & ((values <= 0) | ~known).all(axis=1)
    return np.where(ran, RAN, np.where(idle, IDLE, UNDECIDED))


# The rules of one month's own figures an omitted figure's expected value must keep.
_MONTH_RULES = tuple(
    rule
    for rule in RULES
    if rule.when == When.ALWAYS
    and isinstance(rule.check, LessEqual | ImpliesZero | ImpliesNotPositive | RequiresPositive)
)


def _unit_ratio(frame: pd.DataFrame, zero: str, positive: str) -> pd.Series:
    """Per unit, the median of zero / positive over its months where both are positive (the
    fleet's median for a unit without any)."""
    num = pd.to_numeric(frame[zero], errors="coerce")
    den = pd.to_numeric(frame[positive], errors="coerce")
    ratio = (num / den).where((num > 0) & (den > 0))
    by_unit = ratio.groupby(frame["unit_id"].astype(str)).median()
    return by_unit.fillna(ratio.median())


def _keeps_the_rules(months: pd.DataFrame, zero: str, expected: np.ndarray) -> np.ndarray:
    """Whether each month, with `zero` put at `expected`, breaks none of its own hard rules."""
    if months.empty:
        return np.zeros(0, dtype=bool)
    mended = months.reset_index(drop=True).assign(**{zero: expected})
    broken = np.zeros(len(mended), dtype=bool)
    for outcome in evaluate_rules(mended, _MONTH_RULES):
        broken |= breached(mended, outcome)
    return ~broken & np.isfinite(expected)


def zero_conflicts(
    checks: pd.DataFrame, firing: np.ndarray, frame: pd.DataFrame, index: np.ndarray
) -> pd.DataFrame:
    """One row per firing check (`um`, `check_id`) of the unit-months at positions `index` of
    `frame` that breaks on a zero: the pair, the activity state, the figure at fault (`odd`: the
    zero when the unit ran, the positive one when it stood idle, the rule's target when
    undecided) and its expected value (NaN when undecided). `checks`' `um` are positions in
    `frame`."""
    parts = []
    check_ids = checks["check_id"].astype(str).to_numpy()
    ums = checks["um"].to_numpy(dtype=int)
    listed = np.isin(ums, index)
    for rule in ZERO_RULES:
        um = ums[(check_ids == rule.check_id) & firing & listed]
        if not um.size:
            continue
        months = frame.iloc[um]
        if rule.only_when_zero:
            zero_value = pd.to_numeric(months[rule.zero], errors="coerce").to_numpy(dtype=float)
            um, months = um[zero_value <= 0], months[zero_value <= 0]
        state = activity_state(months, (rule.zero, rule.positive))
        units = months["unit_id"].astype(str).to_numpy()
        counterpart = pd.to_numeric(months[rule.positive], errors="coerce").to_numpy(dtype=float)
        omitted = (
            counterpart * _unit_ratio(frame, rule.zero, rule.positive).reindex(units).to_numpy()
        )
        ran = state == RAN
        feasible = np.zeros(len(um), dtype=bool)
        feasible[ran] = _keeps_the_rules(months[ran], rule.zero, omitted[ran])
        state = np.where(ran & ~feasible, UNDECIDED, state)
        target = next(r.target for r in RULES if r.rule_id == rule.check_id)
        parts.append(
            pd.DataFrame(
                {
                    "um": um,
                    "check_id": rule.check_id,
                    "zero": rule.zero,
                    "positive": rule.positive,
                    "state": state,
                    "odd": np.where(
                        state == RAN, rule.zero, np.where(state == IDLE, rule.positive, target)
                    ),
                    "expected": np.where(
                        state == RAN, omitted, np.where(state == IDLE, 0.0, np.nan)
                    ),
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CONFLICT_COLUMNS)


def credit_the_odd_figure(
    sign_rows: pd.DataFrame, checks: pd.DataFrame, conflicts: pd.DataFrame
) -> pd.DataFrame:
    """Signature rows (`row`: positions in `checks`) with each zero conflict's evidence on its
    figure at fault: the rule's own rows of that check are replaced by one row naming `odd` (a
    hard check adds its whole evidence; its elasticity only has to be non-zero)."""
    if conflicts.empty:
        return sign_rows
    rows = pd.DataFrame(
        {"um": checks["um"].to_numpy(dtype=int), "check_id": checks["check_id"].astype(str)}
    ).reset_index(names="row")
    credited = rows.merge(conflicts[["um", "check_id", "odd"]], on=["um", "check_id"])
    kept = sign_rows[~sign_rows["row"].isin(credited["row"])]
    new = pd.DataFrame(
        {"row": credited["row"].to_numpy(), "parameter": credited["odd"], "lag": 0, "a": 1.0}
    )
    return pd.concat([kept, new], ignore_index=True)


def size_the_odd_figures(candidates: pd.DataFrame, conflicts: pd.DataFrame) -> pd.DataFrame:
    """`candidates` with the expected value of the zero conflicts' figures at fault where no
    magnitude check sized them."""
    sized = conflicts.dropna(subset=["expected"]).drop_duplicates(["um", "odd"])
    if sized.empty or candidates.empty:
        return candidates
    lookup = sized.set_index(["um", "odd"])["expected"]
    keys = pd.MultiIndex.from_arrays(
        [candidates["um"].to_numpy(dtype=int), candidates["parameter"].to_numpy()]
    )
    found = lookup.reindex(keys).to_numpy(dtype=float)
    fill = candidates["expected"].isna().to_numpy() & (candidates["lag"] == 0).to_numpy()
    out = candidates.copy()
    out.loc[fill & np.isfinite(found), "expected"] = found[fill & np.isfinite(found)]
    return out
