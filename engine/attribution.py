"""The one policy of blame: which single parameter, if wrong, best explains a unit-month's checks.

Every check of a unit-month reads ln(quantity) of some parameters; a fault of size δ in one
input x_j moves each check's residual by a_j·δ, a_j its elasticity (engine.signatures). The
hypothesis "x_j is wrong" is scored by the generalised likelihood ratio of that one-parameter
model against the checks' normal scores:

    Λ_j = (Σ_k b_kj·s_k)² / Σ_k b_kj²,    b_kj = a_kj / σ_k

summing over every check that applies, silent ones included: a hypothesis that predicts a
disagreement where the checks agree is penalised (the unit's own history only where it speaks:
a fault that has lasted months leaves last month's comparison silent). This one rule answers
what used to be three:
- which side of a cross-check is wrong: a drifting CEMS explains the CEMS check alone; coal
  under-reported would also move the heat rate, the coal purchases and the energy monitor, and
  when those agree, the CEMS is the root and the enterprise is not blamed;
- a node's expected value: x_j·e^(−δ̂_j), with δ̂_j the least-squares size of its fault (past
  a factor of 2, or where that size is implausible, the size the checks that read x_j itself
  give: the others are linearised at the reported figure, and overshoot a slip);
- blame between several parents: each parent's signature decides.
Breached bounds and copied series have no size to fit: each adds its evidence (its score
squared) to every hypothesis that can explain it, beside the magnitude checks' likelihood ratio;
a bound with a size (how far beyond it the figures are) only in the share of it that the
hypothesis' fitted size covers, so hours typed a thousand times too small, not the generation
their fuel confirms, explain generation beyond what the capacity gives in those hours. A
hypothesis only a breached bound supports is expected at that bound, and one whose expected
value is on the wrong side of an order with another figure of its month (net supply within the
gross generation) at that figure. A hypothesis whose figure no value brings within every bound
and order of its month ranks after each one that some value does: had it alone been wrong, its
true value would keep them all; one that mends every breached order of its month ranks before
one that leaves some as they are.
A hypothesis whose expected value breaks a physical bound of its parameter (an oxidation rate
above 1) is no explanation and is dropped. A jump also reads last month (or last year): a fault
there explains it with the opposite sign, so a slip carried into the next month's comparison is
traced back to its month.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from engine.catalogue import DRIFT_PREFIX
from engine.checks import MAGNITUDE, EvidenceClass
from engine.evidence import DEFAULTS, beyond_rounding
from engine.moved_figures import COMPUTED, COMPUTED_FROM, DOCUMENTED, VARIANT_MARK, moved_with
from engine.signatures import ROOT_PARAMETERS, affine_parts, elasticities, quantities_at
from engine.zero_conflicts import CONFLICT_COLUMNS, credit_the_odd_figure
from graph_schema.parameters import PARAMETERS
from models.rule_engine import steady
from models.rules import RULES, Band, LessEqual, Quantity, When

# `direct`: the fault's size from the checks that read the parameter itself (NaN: none).
# `moves_with`: the figures the hypothesis corrects together with its parameter (moved_with).
CANDIDATE_COLUMNS = [
    "um",
    "parameter",
    "lag",
    "lam",
    "delta",
    "direct",
    "observed",
    "expected",
    "moves_with",
]
# A history check takes part in attribution only from this normal score (p ≈ 0.05) on.
SUPPORT_SCORE = 1.96


# Beyond this factor a check linearised at the reported figures misjudges a fault's size by
# more than a third of it (ln x against x - 1 at x = 2: 0.69 against 1); the checks that read
# the figure itself size it instead.
LINEAR_LIMIT = 2.0
# A hypothesis may put a figure at most this factor beyond the unit's own range of it...
PLAUSIBLE_FACTOR = 2.0
# ... once the unit has reported it (above zero) in this many months.
MIN_HISTORY = 6


def bound_rules() -> list[tuple[str, str, Band]]:
    """(rule id, parameter, band) of each rule that bounds one parameter in every month (the
    rule names its source in models/rules.py)."""
    names = {p.name for p in PARAMETERS}
    return [
        (rule.rule_id, str(rule.check.quantity), rule.check)
        for rule in RULES
        if isinstance(rule.check, Band)
        and rule.check.quantity in names
        and rule.when == When.ALWAYS
    ]


def physical_bounds() -> dict[str, tuple[float, float]]:
    """(low, high) of each parameter that a rule bounds in every month."""
    bounds: dict[str, tuple[float, float]] = {}
    for _, name, band in bound_rules():
        low, high = bounds.get(name, (-np.inf, np.inf))
        bounds[name] = (
            max(low, -np.inf if band.lo is None else band.lo),
            min(high, np.inf if band.hi is None else band.hi),
        )
    return bounds


@dataclass(frozen=True)
class Order:
    """a ≤ b × (1 + tol), the check of rule `rule_id`; `everywhere` when that rule flags every
    month (not only steady ones)."""

    rule_id: str
    a: str
    b: str
    tol: float
    everywhere: bool

    @property
    def check(self) -> LessEqual:
        return LessEqual(self.a, self.b, self.tol)


def physical_orders() -> list[Order]:
    """Each rule that orders two figures of a month, a ≤ b × (1 + tol), each a reported figure
    or a product of them (net supply within gross generation; generation within 1.2 × capacity
    × operating hours, and within what the monitored heat gives at 55 % efficiency): a figure
    on the wrong side of one is bounded by the other, whichever of the two is wrong. Each holds
    in every month; a rule that flags only steady months is kept too."""
    return [
        Order(rule.rule_id, rule.check.a, rule.check.b, rule.check.tol, rule.when == When.ALWAYS)
        for rule in RULES
        if isinstance(rule.check, LessEqual) and rule.when in (When.ALWAYS, When.STEADY)
    ]


PHYSICAL_BOUNDS = physical_bounds()
# The rules behind those bounds: (rule id, the parameter it bounds).
BOUND_RULES = tuple((rule_id, name) for rule_id, name, _ in bound_rules())
PHYSICAL_ORDERS = physical_orders()


def normal_scores(checks: pd.DataFrame) -> np.ndarray:
    """Each check's evidence on the normal scale, signed by its residual."""
    p = np.clip(checks["p"].to_numpy(dtype=float), 1e-300, 1.0)
    size = stats.norm.isf(p / 2.0)
    sign = np.sign(np.nan_to_num(checks["residual"].to_numpy(dtype=float)))
    sign = np.where(sign == 0, 1.0, sign)
    return size * sign


def signatures(
    checks: pd.DataFrame,
    months: pd.DataFrame,
    quantity_of: Mapping[str, Quantity],
    lag_of: Mapping[str, int],
) -> pd.DataFrame:
    """Long rows (row, parameter, lag, a): check row `row` of `checks` moves by a·δ when
    `parameter` of its unit-month (lag 0) or of the month `lag` before is off by e^δ."""
    position = pd.Series(np.arange(len(months)), index=months.index)
    check_codes, check_ids = pd.factorize(checks["check_id"])
    quantities = [quantity_of[c] for c in check_ids]
    slopes = elasticities(months.reset_index(drop=True), [*quantities, COMPUTED_FROM])
    for name in PHYSICAL_BOUNDS.keys() & set(months.columns) & {str(q) for q in quantities}:
        # A figure outside its own physical bounds (hours of -5, an NCV of 0) may have no
        # logarithm, but it moves itself one for one: its own bound speaks against it.
        low, high = PHYSICAL_BOUNDS[name]
        value = pd.to_numeric(months[name], errors="coerce").to_numpy(dtype=float)
        outside = (value < low) | (value > high)
        if outside.any():
            own = slopes[name].get(name, np.zeros(len(months)))
            slopes[name][name] = np.where(outside, 1.0, own)
    where = position.reindex(checks["um"]).to_numpy()
    lags = np.array([lag_of.get(c, 0) for c in check_ids])[check_codes]
    parts = []
    for code, q in enumerate(quantities):
        at = np.flatnonzero(check_codes == code)
        for parameter, a_all in slopes[q].items():
            a = a_all[where[at]]
            parts.append(pd.DataFrame({"row": at, "parameter": parameter, "lag": 0, "a": a}))
            lagged = lags[at] > 0
            if lagged.any():
                parts.append(
                    pd.DataFrame(
                        {
                            "row": at[lagged],
                            "parameter": parameter,
                            "lag": lags[at][lagged],
                            "a": -a[lagged],
                        }
                    )
                )
    if not parts:
        return pd.DataFrame(columns=["row", "parameter", "lag", "a"])
    found = pd.concat(parts, ignore_index=True)
    computed = {name: a_all[where] for name, a_all in slopes[COMPUTED_FROM].items()}
    found = pd.concat([found, _variants(found, computed, len(checks))], ignore_index=True)
    return found[found["a"] != 0].reset_index(drop=True)


def _variants(found: pd.DataFrame, computed: dict[str, np.ndarray], n_rows: int) -> pd.DataFrame:
    """Signatures of a fault that carries downstream, spelled `parameter+...`:
    - `+computed`: an input of the CO2 formula is wrong and the enterprise computed its CO2
      from it (so its CO2 moves by the input's elasticity, and its recomputation agrees);
    - `+document`: a documented figure is wrong together with its document (a forged report
      agrees with the figure it backs), with or without the CO2 computed from it."""
    base = found[found["lag"] == 0]
    by_parameter = {name: rows.set_index("row")["a"] for name, rows in base.groupby("parameter")}
    computed_rows = by_parameter.get(COMPUTED, pd.Series(dtype=float))
    parts = []

    def add(name: str, terms: list[pd.Series]) -> None:
        summed = pd.concat(terms, axis=1).fillna(0.0).sum(axis=1)
        parts.append(
            pd.DataFrame({"row": summed.index, "parameter": name, "lag": 0, "a": summed.to_numpy()})
        )

    for name, own in by_parameter.items():
        if name == COMPUTED or name not in computed:
            continue
        share = pd.Series(computed[name], index=np.arange(n_rows))
        follow = computed_rows.mul(share.reindex(computed_rows.index).to_numpy())
        add(name + VARIANT_MARK + "computed", [own, follow])
    for figure, document in DOCUMENTED.items():
        if figure not in by_parameter or document not in by_parameter:
            continue
        together = [by_parameter[figure], by_parameter[document]]
        add(figure + VARIANT_MARK + "document", together)
        if figure in computed:
            share = pd.Series(computed[figure], index=np.arange(n_rows))
            follow = computed_rows.mul(share.reindex(computed_rows.index).to_numpy())
            add(figure + VARIANT_MARK + "document+computed", [*together, follow])
    return pd.concat(parts, ignore_index=True) if parts else found.iloc[0:0]


def effective_scale(rows: pd.DataFrame) -> np.ndarray:
    """The scale that maps each check's residual to its normal score: a residual deep in a
    heavy tail counts for what its tail probability says, not for its size in core sigmas
    (a silent check keeps its core scale)."""
    residual = np.abs(rows["residual"].to_numpy(dtype=float))
    score = np.abs(rows["score"].to_numpy(dtype=float))
    core = rows["scale"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = residual / score
    return np.where((score > 1.0) & np.isfinite(tail) & (tail > 0), tail, core)


def same_resolution(rows: pd.DataFrame, sigma: np.ndarray, check_ids: np.ndarray) -> np.ndarray:
    """Silent drift checks read at the resolution of the unit-month's firing drift: a drift
    episode sums months, so its effective scale is a fraction of one month's; a relation that
    did not drift over those months refutes a hypothesis with that same weight, not with one
    month's (a monitor drifting while the coal purchases and the energy monitor stay in step
    with the enterprise's coal is the monitor's fault, not the coal's)."""
    drift = pd.Series(check_ids).astype(str).str.startswith(DRIFT_PREFIX).to_numpy()
    core = rows["scale"].to_numpy(dtype=float)
    firing = drift & (np.abs(rows["score"].to_numpy(dtype=float)) > 1.0) & (core > 0)
    if not firing.any():
        return sigma
    um = rows["um"].to_numpy()
    ratio = (
        pd.Series(np.where(firing, sigma / np.where(core > 0, core, 1.0), np.nan))
        .groupby(um)
        .transform("min")
    )
    silent = drift & ~firing & np.isfinite(ratio.to_numpy())
    return np.where(silent, core * ratio.to_numpy(), sigma)


def attribute(
    checks: pd.DataFrame,
    months: pd.DataFrame,
    quantity_of: Mapping[str, Quantity],
    lag_of: Mapping[str, int],
    lagged_values: Mapping[int, pd.DataFrame],
    conflicts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score every one-parameter hypothesis of every unit-month in `checks`.

    `checks`: one row per applicable check of a unit-month (`um`, `check_id`, `evidence`,
    `residual`, `scale`, `p`). `months`: the unit-month rows, indexed by `um`. `lagged_values`:
    for each lag, the same unit's row that many months earlier, indexed by `um`. `conflicts`:
    the months' breaches on a zero (engine.zero_conflicts). Returns CANDIDATE_COLUMNS, strongest
    first within each unit-month.
    """
    if conflicts is None:
        conflicts = pd.DataFrame(columns=CONFLICT_COLUMNS)
    if checks.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    score = normal_scores(checks)
    # History corroborates but never refutes: a fault that has lasted months leaves last month's
    # comparison silent, which says nothing against it.
    keep = (checks["evidence"] != EvidenceClass.HISTORY.value).to_numpy() | (
        np.abs(score) >= SUPPORT_SCORE
    )
    # A drift check repeats its monthly check's residual: it speaks on a drift episode, in a
    # unit-month where some drift fires. Elsewhere its silence says only "no drift", and
    # counting it as agreement would refute a one-month fault its monthly check sees.
    drift = checks["check_id"].astype(str).str.startswith(DRIFT_PREFIX).to_numpy()
    drifting = (
        pd.Series(drift & (np.abs(score) > 1.0)).groupby(checks["um"].to_numpy()).transform("any")
    )
    keep &= ~drift | drifting.to_numpy()
    checks = checks[keep].reset_index(drop=True)
    score = score[keep]
    sign_rows = signatures(checks, months, quantity_of, lag_of)
    # A breach on a zero has no elasticity to tell its two figures apart: `conflicts` name the
    # one at fault (engine.zero_conflicts).
    sign_rows = credit_the_odd_figure(sign_rows, checks, conflicts)
    joined = sign_rows.assign(
        um=checks["um"].to_numpy()[sign_rows["row"]],
        evidence=checks["evidence"].to_numpy()[sign_rows["row"]],
        residual=checks["residual"].to_numpy(dtype=float)[sign_rows["row"]],
        scale=checks["scale"].to_numpy(dtype=float)[sign_rows["row"]],
        score=score[sign_rows["row"]],
    )
    magnitude = joined["evidence"].isin([e.value for e in MAGNITUDE]).to_numpy() & (
        joined["scale"].to_numpy(dtype=float) > 0
    )
    a = joined["a"].to_numpy(dtype=float)
    sigma = same_resolution(
        joined, effective_scale(joined), checks["check_id"].to_numpy()[sign_rows["row"]]
    )
    b = np.where(magnitude, a / np.where(magnitude, sigma, 1.0), 0.0)
    residual = np.nan_to_num(joined["residual"].to_numpy(dtype=float))
    weight = np.where(
        magnitude & np.isfinite(joined["residual"].to_numpy(dtype=float)), a / sigma**2, 0.0
    )
    # Checks that read the parameter itself (ln x_j with elasticity ±1) move by exactly the
    # fault's size however large it is; the others are linearised at the reported figures.
    direct = np.isclose(np.abs(a), 1.0)
    scores = joined["score"].to_numpy(dtype=float)
    whole = ~magnitude & (np.abs(scores) >= SUPPORT_SCORE)
    keys = [joined["um"].to_numpy(), joined["parameter"].to_numpy(), joined["lag"].to_numpy()]
    sums = (
        pd.DataFrame(
            {
                "num": b * scores,
                "den": b**2,
                "whole": np.where(whole, scores**2, 0.0),
                "delta_num": weight * residual,
                "delta_den": weight * np.where(magnitude, a, 0.0),
                "direct_num": np.where(direct, weight * residual, 0.0),
                "direct_den": np.where(direct & magnitude, weight * a, 0.0),
            }
        )
        .groupby(keys)
        .sum()
    )
    sums = sums[(sums["den"] > 0) | (sums["whole"] > 0)]
    lam = sums["num"] ** 2 / sums["den"].where(sums["den"] > 0, 1.0)
    found = pd.DataFrame(
        {
            "lam": lam.to_numpy(),
            "delta": _ratio(sums["delta_num"], sums["delta_den"]),
            "direct": _ratio(sums["direct_num"], sums["direct_den"]),
        },
        index=sums.index,
    ).reset_index()
    found.columns = ["um", "parameter", "lag", "lam", "delta", "direct"]
    whole_rows = joined.loc[whole, ["row", "um", "parameter", "lag", "a", "residual"]].assign(
        bound=joined["evidence"].to_numpy()[whole] == EvidenceClass.HARD.value,
        score2=scores[whole] ** 2,
    )
    found = _best_variant(_with_bound_evidence(found, whole_rows, _best_delta(found)))
    found["observed"] = _values(found, months, lagged_values)
    # A fault size on the log scale cannot size a figure at 0 or below (an NCV of 0, hours of
    # -5): such a hypothesis is unsized, and expected_at_the_bound takes it into its bounds.
    positive = found["observed"].to_numpy(dtype=float) > 0
    found["expected"] = np.where(positive, found["observed"] * np.exp(-found["delta"]), np.nan)
    found = _sized_directly(found, _within_bounds(found, months))
    found = found[_within_bounds(found, months)]
    found = found.sort_values(
        ["um", "lam", "lag", "parameter"], ascending=[True, False, False, True]
    )
    return found[CANDIDATE_COLUMNS].reset_index(drop=True)


def _resized(found: pd.DataFrame, ok: np.ndarray | bool = True) -> np.ndarray:
    """Where a hypothesis takes its direct checks' size instead of its fitted one: it is not
    `ok` at the fitted size, or that size lies past LINEAR_LIMIT, and direct checks size it."""
    delta = found["delta"].to_numpy(dtype=float)
    return (~np.asarray(ok) | (np.abs(delta) > np.log(LINEAR_LIMIT))) & np.isfinite(
        found["direct"].to_numpy(dtype=float)
    )


def _best_delta(found: pd.DataFrame) -> np.ndarray:
    """Each hypothesis' fault size as _sized_directly will keep it at the least: the direct
    checks' size past the range where the linearised checks hold, else the fitted one."""
    return np.where(_resized(found), found["direct"], found["delta"]).astype(float)


def _with_bound_evidence(
    found: pd.DataFrame, whole_rows: pd.DataFrame, delta: np.ndarray
) -> pd.DataFrame:
    """`found` with each breached bound's evidence (its score squared) added to the hypotheses
    that can explain the breach, each in proportion to the share of it its fitted size covers
    against the best explanation's share: a figure the magnitude checks find about right
    explains little of a bound it is on the wrong side of when another figure explains all of
    it (a unit's generation that agrees with its fuel, beside hours typed a thousand times too
    small: the hours explain generation above what the capacity gives in them). A hypothesis no
    magnitude check sizes, or a breach without a size (on a zero), explains it whole, and so
    does every hypothesis of a copied series (no bound); when no hypothesis' size explains any
    of it, each takes the whole evidence."""
    sized = found[["um", "parameter", "lag"]].assign(delta=delta)
    rows = whole_rows.merge(sized, on=["um", "parameter", "lag"], how="left")
    residual = rows["residual"].to_numpy(dtype=float)
    moved = rows["a"].to_numpy(dtype=float) * rows["delta"].to_numpy(dtype=float)
    measurable = (
        rows["bound"].to_numpy(dtype=bool)
        & np.isfinite(residual)
        & (residual != 0)
        & np.isfinite(moved)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(measurable, np.clip(moved / residual, 0.0, 1.0), 1.0)
    best = pd.Series(share).groupby(rows["row"].to_numpy()).transform("max").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(best > 0, share / best, 1.0)
    credit = (
        rows.assign(credit=rows["score2"].to_numpy(dtype=float) * share)
        .groupby(["um", "parameter", "lag"])["credit"]
        .sum()
    )
    keys = pd.MultiIndex.from_frame(found[["um", "parameter", "lag"]])
    found = found.copy()
    found["lam"] = found["lam"].to_numpy() + credit.reindex(keys).fillna(0.0).to_numpy()
    return found


def _sized_directly(found: pd.DataFrame, ok: np.ndarray) -> pd.DataFrame:
    """`found` with the hypotheses not `ok` at their fitted size, or fitted beyond a factor of
    LINEAR_LIMIT, put at the size of their direct checks where they have any: a slip of orders
    of magnitude (a percentage typed as a fraction) is far outside where the checks linearised
    at the reported figures hold, and their fit overshoots."""
    retry = _resized(found, ok)
    if not retry.any():
        return found
    found = found.copy()
    found.loc[retry, "delta"] = found.loc[retry, "direct"]
    found.loc[retry, "expected"] = found.loc[retry, "observed"] * np.exp(-found.loc[retry, "delta"])
    return found


def plausibly_sized(candidates: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The candidates within the physical bounds, with `plausible` as that function finds
    them, a hypothesis it rejects at its fitted size taken at its direct checks' size when that
    one is plausible. `candidates`' `um` are positions in `frame`."""
    sized = _sized_directly(candidates, plausible(candidates, frame))
    sized = sized[_within_bounds(sized, frame)].reset_index(drop=True)
    return sized.assign(plausible=plausible(sized, frame))


def _ratio(num: pd.Series, den: pd.Series) -> np.ndarray:
    """num / den where den > 0, else NaN (no magnitude check sizes the fault)."""
    return np.where(den > 0, num / den.where(den > 0, 1.0), np.nan)


def plausible(candidates: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """False for a hypothesis no unit-month of its unit makes plausible: one that puts a figure
    beyond a factor of PLAUSIBLE_FACTOR of everything the unit itself reported for it (over at
    least MIN_HISTORY months: the figures a fault hides are the unit's usual ones), or blames a
    figure that is its regulatory default (prescribed, not measured: nothing to be wrong).
    `candidates`' `um` are positions in `frame`."""
    units = frame["unit_id"].to_numpy()[candidates["um"].to_numpy(dtype=int)]
    ok = np.ones(len(candidates), dtype=bool)
    for parameter in candidates["parameter"].unique():
        if parameter not in frame:
            continue
        values = pd.to_numeric(frame[parameter], errors="coerce")
        own = values.where(values > 0).groupby(frame["unit_id"]).agg(["min", "max", "count"])
        rows = (candidates["parameter"] == parameter).to_numpy()
        seen = own.reindex(units[rows])
        expected = candidates.loc[rows, "expected"].to_numpy(dtype=float)
        known = (seen["count"].to_numpy() >= MIN_HISTORY) & np.isfinite(expected)
        inside = (expected >= seen["min"].to_numpy() / PLAUSIBLE_FACTOR) & (
            expected <= seen["max"].to_numpy() * PLAUSIBLE_FACTOR
        )
        keep = ~known | inside
        default = DEFAULTS.get(parameter)
        if default is not None:
            keep &= ~np.isclose(candidates.loc[rows, "observed"].to_numpy(dtype=float), default)
        ok[rows] = keep
    return ok


def _best_variant(found: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter: a documented figure keeps the stronger of "the figure alone is
    wrong" and "the figure and its document are wrong"; `moves_with` says which it kept."""
    codes, variants = pd.factorize(found["parameter"])
    moves = np.empty(len(variants), dtype=object)
    moves[:] = [moved_with(str(v)) for v in variants]
    named = found.assign(
        parameter=found["parameter"].str.split(VARIANT_MARK, regex=False).str[0],
        moves_with=moves[codes],
    )
    ranked = named.sort_values("lam", ascending=False, kind="stable")
    return ranked.drop_duplicates(["um", "parameter", "lag"]).reset_index(drop=True)


def _bounds(found: pd.DataFrame, months: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of each hypothesis' parameter: the rules' bands, and for the hours on line
    the month itself (no more hours than it has, and enough for the unit, at its capacity, to
    have generated what it did); ±inf where nothing bounds it."""
    bounds = pd.DataFrame.from_dict(PHYSICAL_BOUNDS, orient="index", columns=["low", "high"])
    limits = bounds.reindex(found["parameter"].to_numpy())
    low = np.array(limits["low"].fillna(-np.inf), dtype=float)
    high = np.array(limits["high"].fillna(np.inf), dtype=float)
    hours = (found["parameter"] == "operating_hours").to_numpy() & (found["lag"] == 0).to_numpy()
    if hours.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            least = _figure(found, months, "power_generation_mwh", hours) / _figure(
                found, months, "capacity_mw", hours
            )
        low[hours] = np.fmax(low[hours], least)
        high[hours] = np.fmin(high[hours], _figure(found, months, "hours_in_month", hours))
    return low, high


def _figure(found: pd.DataFrame, months: pd.DataFrame, name: str, rows: np.ndarray) -> np.ndarray:
    """`name` of the month of each hypothesis in `rows` (NaN for a fleet without it)."""
    if name not in months:
        return np.full(int(np.count_nonzero(rows)), np.nan)
    return months[name].reindex(found["um"].to_numpy()[rows]).to_numpy(dtype=float)


def _ordered(
    found: pd.DataFrame, months: pd.DataFrame, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`low` and `high` within what each order of the month leaves a hypothesis' parameter,
    the month's other figures as reported: both sides of an order are affine in the figure
    (engine.signatures.affine_parts), so a(x) ≤ (1 + tol)·b(x) solves for x (net supply no
    more than the gross generation; the gross no less than the net, and no more than 1.2 ×
    capacity × operating hours; the hours enough for that generation)."""
    low, high = low.copy(), high.copy()
    this_month = (found["lag"] == 0).to_numpy()
    sides = list(dict.fromkeys(q for o in PHYSICAL_ORDERS for q in (o.a, o.b)))
    for parameter in found.loc[this_month, "parameter"].unique():
        if parameter not in ROOT_PARAMETERS:
            continue
        rows = this_month & (found["parameter"] == parameter).to_numpy()
        parts = affine_parts(months.reindex(found["um"].to_numpy()[rows]), parameter, sides)
        for order in PHYSICAL_ORDERS:
            (slope_a, at_zero_a), (slope_b, at_zero_b) = parts[order.a], parts[order.b]
            k = slope_a - (1 + order.tol) * slope_b
            rest = (1 + order.tol) * at_zero_b - at_zero_a
            with np.errstate(divide="ignore", invalid="ignore"):
                limit = rest / k
            high[rows] = np.where(k > 0, np.fmin(high[rows], limit), high[rows])
            low[rows] = np.where(k < 0, np.fmax(low[rows], limit), low[rows])
    return low, high


def unmended_breaches(
    found: pd.DataFrame, months: pd.DataFrame, fired: pd.DataFrame
) -> list[tuple[str, ...]]:
    """Per hypothesis, the breached orders and bounds of its month that still break with its
    figure at its expected value (all of them, for a figure of an earlier month): had it been
    the one wrong figure, they would hold, so another figure of the month is wrong too
    (1353-BSU2 in 2012-09: net supply expected at the gross leaves the gross above 1.2 ×
    capacity × hours; any figure but the NCV leaves an NCV of 0 outside 8–32 GJ/t).
    Breached means among `fired` (`um`, `check_id` of the month's firing checks): a net supply
    a unit-year reports as one spread figure may sit above a month's gross with nothing wrong
    in that month, and engine.annual_figures silences that check. An order the sweep checks in
    steady months only (the heat a month's generation needs) still holds in a short one, where
    it is silent, not kept: there, breached means breached beyond rounding by the month's own
    figures (3297-WAT1 in 2012-02: 1,560 MWh gross in 0.13 h beside no heat input at all; hours
    enough for the gross would leave it generated without fuel)."""
    original = months.reindex(found["um"].to_numpy()).reset_index(drop=True)
    corrected = original.copy()
    expected = found["expected"].to_numpy(dtype=float)
    this_month = (found["lag"] == 0).to_numpy()
    for parameter in found.loc[this_month, "parameter"].unique():
        if parameter not in corrected:
            continue
        known = this_month & (found["parameter"] == parameter).to_numpy() & np.isfinite(expected)
        corrected.loc[known, parameter] = expected[known]
    names = [q for o in PHYSICAL_ORDERS for q in (o.a, o.b)]
    before = quantities_at(original, [*names, "operating_hours", "power_generation_mwh"])
    after = quantities_at(corrected, names)
    short = ~steady(
        before["operating_hours"],
        before["power_generation_mwh"],
        original["hours_in_month"].to_numpy(dtype=float),
    )
    spoken = pd.MultiIndex.from_frame(fired[["um", "check_id"]])
    left = {}
    for o in PHYSICAL_ORDERS:
        fired_here = pd.MultiIndex.from_arrays([found["um"].to_numpy(), [o.rule_id] * len(found)])
        breached = fired_here.isin(spoken)
        if not o.everywhere:
            breached |= short & _broken(original, before, o)
        left[o.rule_id] = breached & (_broken(corrected, after, o) | ~this_month)
    for rule_id, parameter in BOUND_RULES:
        fired_here = pd.MultiIndex.from_arrays([found["um"].to_numpy(), [rule_id] * len(found)])
        # Expected within its bounds (expected_at_the_bound), only the figure itself mends it.
        itself = this_month & (found["parameter"] == parameter).to_numpy()
        left[rule_id] = fired_here.isin(spoken) & ~itself
    return [
        tuple(rule_id for rule_id, broken in left.items() if broken[i]) for i in range(len(found))
    ]


def _broken(frame: pd.DataFrame, values: Mapping[str, np.ndarray], order: Order) -> np.ndarray:
    """Where `frame`'s figures (`values` of the order's quantities) break the order as the rule
    reads it (only where the bounding side is not negative), and as the sweep judges a breach:
    beyond the rounding of the figures the order reads."""
    a = np.asarray(values[order.a], dtype=float)
    bound = np.asarray(values[order.b], dtype=float) * (1 + order.tol)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.log(a / bound)
    return beyond_rounding(frame, order.check, excess, (bound >= 0) & (a > bound))


def _within_bounds(found: pd.DataFrame, months: pd.DataFrame) -> np.ndarray:
    """False where a hypothesis' expected value breaks its parameter's physical bounds."""
    low, high = _bounds(found, months)
    expected = found["expected"].to_numpy(dtype=float)
    outside = (expected < low) | (expected > high)
    return ~(np.isfinite(expected) & outside)


def expected_at_the_bound(
    found: pd.DataFrame, months: pd.DataFrame, fired: pd.DataFrame
) -> pd.DataFrame:
    """`found` with each hypothesis no magnitude check sizes (only breached bounds speak for
    it) whose figure lies outside its parameter's bounds, or on the wrong side of an order
    with other figures of its month, expected at the nearest bound: the least change that
    clears the breach (0.03 hours for 12 MWh of a 322 MW unit is expected at 0.037, what the
    capacity needs; 126,529 MWh of net supply beside a gross of 0 at 0). A sized hypothesis
    whose expected value would still break such an order is expected at it (net supply 43 %
    above the gross, sized a little down by its peers, at the gross).
    A hypothesis whose figure no value brings within every bound and order of its month comes
    after each that some value does, within its unit-month: had that one figure alone been
    wrong, its true value would keep them all (gross generation below the net supply that 1.2 ×
    capacity × hours also caps below it). A hypothesis `plausible` (a column; True where
    absent) rejects is kept only when it can and none that `plausible` keeps can: a figure far
    from the unit's usual ones is likelier than one no value of which is physically possible (a
    net supply four times a part month's gross, and more than its heat input could generate).
    A hypothesis that mends every breached order of its month (no `unmended`) ranks before
    one that keeps only its own figure's orders (a heat input that leaves a net 123 times the
    gross as it is), and an implausible one that mends them all is kept when no plausible one
    does. `found` is sorted strongest first within each unit-month, and comes back so, with
    `consistent` False for the hypotheses that cannot, and `unmended` the breached orders and
    bounds each leaves as they are (`unmended_breaches`, of the breaches among `fired`)."""
    low, high = _ordered(found, months, *_bounds(found, months))
    observed = found["observed"].to_numpy(dtype=float)
    expected = found["expected"].to_numpy(dtype=float)
    figure = np.where(np.isfinite(expected), expected, observed)
    with np.errstate(invalid="ignore"):
        outside = np.isfinite(figure) & ((figure < low) | (figure > high)) & (low <= high)
    found = found.copy()
    found.loc[outside, "expected"] = np.clip(figure[outside], low[outside], high[outside])
    found["consistent"] = ~(low > high)
    found["unmended"] = unmended_breaches(found, months, fired)
    consistent = found["consistent"].to_numpy()
    complete = consistent & (found["unmended"].map(len).to_numpy() == 0)
    likely = found["plausible"].to_numpy(dtype=bool) if "plausible" in found else True
    um = found["um"].to_numpy()
    possible = pd.Series(likely & consistent).groupby(um).transform("any").to_numpy()
    whole = pd.Series(likely & complete).groupby(um).transform("any").to_numpy()
    keep = likely | (consistent & ~possible) | (complete & ~whole)
    found = found[keep].assign(complete=complete[keep])
    ordered = found.sort_values(
        ["um", "complete", "consistent"], ascending=[True, False, False], kind="stable"
    )
    return ordered.drop(columns=["plausible", "complete"], errors="ignore").reset_index(drop=True)


def _values(
    found: pd.DataFrame, months: pd.DataFrame, lagged: Mapping[int, pd.DataFrame]
) -> np.ndarray:
    """The observed value of each hypothesis' parameter in its month."""
    out = np.full(len(found), np.nan)
    for lag, source in [(0, months), *lagged.items()]:
        at = (found["lag"] == lag).to_numpy()
        if not at.any():
            continue
        for parameter in found.loc[at, "parameter"].unique():
            rows = at & (found["parameter"] == parameter).to_numpy()
            if parameter in source.columns:
                out[rows] = source[parameter].reindex(found.loc[rows, "um"]).to_numpy(dtype=float)
    return out


def hypothesis_probability(lam: np.ndarray) -> np.ndarray:
    """1 − P(χ²₁ ≥ Λ): how strongly the checks point at a parameter, in [0, 1]."""
    return 1.0 - stats.chi2.sf(np.asarray(lam, dtype=float), 1)


def one_root_per_episode(
    candidates: pd.DataFrame, checks: pd.DataFrame, units: np.ndarray, share: float
) -> pd.DataFrame:
    """A drift episode is one fault: its months take the root of the month where its drift
    speaks loudest (the largest residual of the drift check), when that root is among their own
    hypotheses. Its first months drift by a fraction of the last; alone, their small residuals
    can favour a figure that a weak unrelated check hints at (a monitor drifting 5 % in a month
    whose coal reads 2 % high), though the episode as a whole points at the monitor.
    `checks` are the listed months' checks; `units` the unit of each `um`; `candidates` are
    sorted strongest first within each unit-month, and come back so."""
    drifting = checks[
        checks["check_id"].astype(str).str.startswith(DRIFT_PREFIX)
        & (checks["p"].to_numpy(dtype=float) <= share)
    ]
    if drifting.empty or candidates.empty:
        return candidates
    # The loudest month's root, unless it lies in an earlier month (then it is no root of the
    # episode's months).
    first = candidates.groupby("um").head(1).set_index("um")
    tops = first["parameter"].where(first["lag"] == 0)
    episode = drifting.assign(
        unit=units[drifting["um"].to_numpy(dtype=int)],
        size=np.abs(drifting["residual"].to_numpy(dtype=float)),
    )
    peaks = episode.sort_values("size", ascending=False, kind="stable").drop_duplicates(
        ["unit", "check_id"]
    )
    peak_root = peaks.assign(root=tops.reindex(peaks["um"]).to_numpy()).dropna(subset=["root"])
    wanted = episode.merge(peak_root[["unit", "check_id", "root"]], on=["unit", "check_id"])
    wanted = wanted.drop_duplicates("um", keep="first").set_index("um")["root"]
    promoted = (candidates["lag"] == 0).to_numpy() & (
        candidates["parameter"].to_numpy() == wanted.reindex(candidates["um"]).to_numpy()
    )
    order = candidates.assign(_first=~promoted)
    order = order.sort_values(["um", "_first"], kind="stable")
    return order.drop(columns="_first").reset_index(drop=True)


__all__ = [
    "CANDIDATE_COLUMNS",
    "EvidenceClass",
    "attribute",
    "hypothesis_probability",
    "normal_scores",
    "one_root_per_episode",
]
