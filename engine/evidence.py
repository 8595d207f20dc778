"""Build every check's evidence over a unit-month frame, and calibrate it on the fleet.

Rules come from `models.rule_engine`, learned edges from `models.edge_models`. Calibration
turns each check's statistic into a p-value: statistical checks against a t null fitted on the
fleet (engine.null), equalities against the figures' own rounding, slips against the fleet's
month-on-month changes, copies against the fleet's own rate of exact repeats. Hard bounds are
facts: breached or not.
"""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from engine.catalogue import PEER_SUFFIX
from engine.checks import CheckEvidence, EvidenceClass, rule_evidence_class, rule_lag, rule_quantity
from engine.null import ExactNull, TailNull
from engine.rounding import relative_rounding
from engine.signatures import elasticities
from graph_schema.parameters import FORMULA_CONSTANTS
from graph_schema.transfer_edges import EdgeKind
from models.edge_models import EdgeRegression
from models.rule_engine import HALF_DECADE, RuleFrame, RuleOutcome, evaluate_rules
from models.rules import Agrees, Frozen, LessEqual, Ratio, Rule

# p-value of a breached physical or regulatory bound: a fact, far below any flag level.
HARD_P = 1e-12
# A figure that is the regulatory default is that constant exactly, not a rounded measurement.
DEFAULTS = {"oxidation_rate": FORMULA_CONSTANTS["default_oxidation_rate"]}


def rounding_tolerance(frame: pd.DataFrame, a: str, b: str) -> np.ndarray:
    """Relative tolerance of ln(a/b) from the rounding of every written figure it depends on."""
    slopes = elasticities(frame, [Ratio(a, b)])[Ratio(a, b)]
    tolerance = np.zeros(len(frame))
    for name, slope in slopes.items():
        values = frame[name].to_numpy(dtype=float)
        rounding = np.nan_to_num(relative_rounding(values))
        if name in DEFAULTS:
            rounding = np.where(values == DEFAULTS[name], 0.0, rounding)
        tolerance += np.abs(slope) * rounding
    return np.where(tolerance > 0, tolerance, np.nan)


def beyond_rounding(
    frame: pd.DataFrame, check: LessEqual, excess: np.ndarray, violated: np.ndarray
) -> np.ndarray:
    """Where a breached order breaks by more than the rounding of the figures it reads: hours
    written to 0.01 h cannot put a start-up of seconds past 1.2 × capacity × hours (6249-02 in
    2008-11: 12 MWh in 0.03 h, at most 0.035 h, on a 322 MW unit). `excess`: ln(a / the bound).
    Only the breached rows are costed."""
    rows = np.flatnonzero(violated)
    out = violated.copy()
    if len(rows):
        months = frame.iloc[rows].reset_index(drop=True)
        tolerance = np.nan_to_num(rounding_tolerance(months, check.a, check.b))
        out[rows] = excess[rows] > tolerance
    return out


def breached(frame: pd.DataFrame, outcome: RuleOutcome) -> np.ndarray:
    """Where a rule's outcome on `frame` is a breach: an order only beyond the rounding of the
    figures it reads (beyond_rounding), any other rule wherever it is violated. The sweep, the
    attribution's mended months and the zero conflicts' mended months judge breaches by it."""
    check = outcome.rule.check
    if isinstance(check, LessEqual):
        return beyond_rounding(frame, check, outcome.statistic, outcome.violated)
    return outcome.violated


def _rule_evidence(frame: pd.DataFrame, outcome: RuleOutcome) -> CheckEvidence | None:
    rule: Rule = outcome.rule
    evidence = rule_evidence_class(rule)
    if evidence is None:
        return None
    applies = outcome.applies
    residual = np.where(applies, outcome.residual, np.nan)
    scale = np.full(len(frame), np.nan)
    statistic = np.where(applies, outcome.statistic, np.nan)
    if isinstance(rule.check, Agrees):
        scale = rounding_tolerance(frame, rule.check.a, rule.check.b)
        statistic = residual / scale
    return CheckEvidence(
        check_id=rule.rule_id,
        label=rule.rationale,
        evidence=evidence,
        basis=rule.basis.value,
        target=rule.target,
        quantity=rule_quantity(rule),
        applies=applies,
        residual=residual,
        scale=scale,
        expected=outcome.expected,
        edge_type=rule.edge_type,
        lag=rule_lag(rule),
        statistic=statistic,
        hard=breached(frame, outcome) if evidence == EvidenceClass.HARD else None,
    )


def _edge_evidence(
    model: EdgeRegression, frame: pd.DataFrame, groups: pd.Series
) -> list[CheckEvidence]:
    """Own and peer views of one learned edge."""
    edge = model.edge
    views = model.residuals(frame, groups)
    child = frame[edge.child].to_numpy(dtype=float)
    label = f"{edge.child} against {edge.parent}"
    out = []
    # A cross-check's own view compares independent sources; a statistical relation's own
    # view is the unit against its own level (EvidenceClass.OWN_LEVEL).
    own_class = (
        EvidenceClass.OWN_LEVEL if edge.kind == EdgeKind.STATISTICAL else EvidenceClass.HORIZONTAL
    )
    for suffix, residual, scale, name, evidence_class in (
        ("", views.own, views.own_scale, "against the unit's own level", own_class),
        (PEER_SUFFIX, views.peer, views.peer_scale, "against its peers", EvidenceClass.HORIZONTAL),
    ):
        applies = np.isfinite(residual) & np.isfinite(scale) & (scale > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = np.where(applies, residual / scale, np.nan)
        out.append(
            CheckEvidence(
                check_id=edge.edge_type + suffix,
                label=f"{label}, {name}",
                evidence=evidence_class,
                basis="statistical",
                target=edge.child,
                quantity=Ratio(edge.child, edge.parent),
                applies=applies,
                residual=np.where(applies, residual, np.nan),
                scale=np.where(applies, scale, np.nan),
                expected=child * np.exp(-np.nan_to_num(residual)),
                parent=edge.parent,
                edge_type=edge.edge_type,
                statistic=statistic,
            )
        )
    return out


def peer_groups(frame: pd.DataFrame, rule_frame: RuleFrame) -> dict[str, pd.Series]:
    """Each edge's peer group per row: coal by NCV band, everything else by unit class."""
    by_class = frame["unit_class"].astype(str).reset_index(drop=True)
    by_coal = pd.Series(rule_frame.group_keys["ncv_band"].to_numpy())
    return {"coal_carbon_pct": by_coal, "": by_class}


def group_for(groups: Mapping[str, pd.Series], model: EdgeRegression) -> pd.Series:
    return groups.get(model.edge.child, groups[""])


def build_evidence(
    frame: pd.DataFrame, edges: Sequence[EdgeRegression], rules: Sequence[Rule]
) -> list[CheckEvidence]:
    """Every rule's and every fitted edge's evidence over `frame` (reset to a 0..n-1 index)."""
    rule_frame = RuleFrame(frame)
    groups = peer_groups(frame, rule_frame)
    evidence = [_rule_evidence(frame, o) for o in evaluate_rules(frame, rules)]
    found = [e for e in evidence if e is not None]
    for model in edges:
        if model.fitted_:
            found.extend(_edge_evidence(model, frame, group_for(groups, model)))
    return found


# --- calibration --------------------------------------------------------------------------------


def repeat_rate(frame: pd.DataFrame, parameter: str) -> float:
    """The fleet's chance that a unit reports exactly last month's value of `parameter`, among
    units whose series is not constant throughout (a default value used every month is a
    convention, reported as such, not evidence of copying). Laplace-smoothed."""
    rows = frame[["unit_id", "period", parameter]].dropna()
    rows = rows[rows[parameter] != 0].sort_values(["unit_id", "period"])
    varying = rows.groupby("unit_id")[parameter].transform("nunique") > 1
    rows = rows[varying]
    same_unit = rows["unit_id"].eq(rows["unit_id"].shift())
    repeats = (rows[parameter].eq(rows[parameter].shift()) & same_unit).sum()
    pairs = same_unit.sum()
    return float((repeats + 1) / (pairs + 2))


def copy_runs(frame: pd.DataFrame, parameter: str) -> np.ndarray:
    """For every row, the length of the run of identical non-zero consecutive values it sits
    in, counting the months after it too (a sweep sees the whole run); 1 for a lone value."""
    unit = frame["unit_id"].astype(str).to_numpy()
    month = frame["period"].astype(str)
    index = (month.str.slice(0, 4).astype(int) * 12 + month.str.slice(5, 7).astype(int)).to_numpy()
    x = frame[parameter].to_numpy(dtype=float)
    order = np.lexsort((index, unit))
    xs, us, ms = x[order], unit[order], index[order]
    breaks = np.ones(len(xs), dtype=bool)
    if len(xs) > 1:
        same = (xs[1:] == xs[:-1]) & (us[1:] == us[:-1]) & (ms[1:] == ms[:-1] + 1)
        breaks[1:] = ~same
    run_id = np.cumsum(breaks)
    length = np.bincount(run_id)[run_id].astype(float)
    # The first month of a run is the original; the copies follow it.
    first = breaks
    length = np.where(np.isfinite(xs) & (xs != 0) & ~first, length, 1.0)
    out = np.empty_like(length)
    out[order] = length
    return out


def calibrate(
    evidence: Sequence[CheckEvidence], frame: pd.DataFrame, min_rows: int
) -> dict[str, object]:
    """Fit what each check's p-value needs on `frame` (the fleet): a TailNull per statistical,
    equality and slip check, the repeat rate per copy check."""
    fitted: dict[str, object] = {}
    for check in evidence:
        if check.evidence == EvidenceClass.COPY:
            fitted[check.check_id] = repeat_rate(frame, check.target)
        elif check.evidence == EvidenceClass.EXACT and check.statistic is not None:
            fitted[check.check_id] = ExactNull().fit(check.statistic[check.applies])
        elif check.evidence != EvidenceClass.HARD and check.statistic is not None:
            fitted[check.check_id] = TailNull(min_rows=min_rows).fit(check.statistic[check.applies])
    return fitted


def _residual_scale(check: CheckEvidence, model: TailNull | ExactNull) -> np.ndarray:
    """The sigma of a check's log residual under its fitted null: the residual per unit of
    statistic, times the null's scale (a row whose statistic is 0 takes the check's typical
    ratio)."""
    statistic = np.asarray(check.statistic, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_unit = np.abs(check.residual / statistic)
    usable = np.isfinite(per_unit) & (per_unit > 0)
    typical = float(np.median(per_unit[usable])) if usable.any() else np.nan
    per_unit = np.where(usable, per_unit, typical)
    return np.where(check.applies & np.isfinite(check.residual), per_unit * model.scale_, np.nan)


def assign_p_values(
    evidence: Sequence[CheckEvidence], frame: pd.DataFrame, fitted: Mapping[str, object]
) -> None:
    """Set every check's p-value (1 where it does not apply or has nothing to say)."""
    n = len(frame)
    for check in evidence:
        p = np.ones(n)
        model = fitted.get(check.check_id)
        if check.evidence == EvidenceClass.HARD:
            p = np.where(check.hard if check.hard is not None else False, HARD_P, 1.0)
        elif check.evidence == EvidenceClass.COPY:
            rate = float(model) if isinstance(model, float) else 0.5
            runs = copy_runs(frame, check.target)
            p = np.where(
                check.applies & (runs >= Frozen(check.target).run_length), rate ** (runs - 1), 1.0
            )
        elif isinstance(model, TailNull | ExactNull) and check.statistic is not None:
            p = np.where(check.applies, model.p_values(np.nan_to_num(check.statistic)), 1.0)
            check.scale = _residual_scale(check, model)
            if check.evidence == EvidenceClass.SLIP:
                # A change below half a decade is no slip, however unusual.
                p = np.where(np.abs(np.nan_to_num(check.residual)) >= HALF_DECADE, p, 1.0)
        check.p = np.clip(p, 0.0, 1.0)
