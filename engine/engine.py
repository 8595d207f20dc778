"""The engine: one fitted object per sweep that scores every check of every unit-month against
the fleet it was fitted on, decides which unit-months to flag, and says why.

    engine = UnitMonthEngine(policy).fit(frame)      # learn the fleet: edges, nulls, conventions
    result = engine.score(frame, periods)            # evidence, flags, roots, impact, sources

Scoring, step by step:
1. evidence: every rule and both views of every learned edge, with calibrated p-values, plus
   drift episodes of every edge (engine.sequential), whose nulls leave out the months other
   relations explain (engine.explained);
2. annual figures spread over months (engine.annual_figures), fleet conventions and persistent
   unit conditions (the prevalence guard) leave the monthly decisions and are reported as
   patterns;
3. a unit-month's p-value is its strongest flagging check, corrected for the number of
   effectively independent checks it has; that number is learned from the fleet (the share
   ρ of its checks that makes the fleet's combined p-values uniform at the median);
4. Benjamini–Hochberg across the fleet's unit-months bounds the share of false flags;
5. listed unit-months are attributed (engine.attribution), their root's impact computed
   (engine.impact), and a unit-month is flagged when its p-value and q-value pass, its root is
   in its own month, and its evidence is certain or its impact material; a flag then grows
   back over the run of consecutive listed months with its root before it (a drift's change
   point);
6. labs and verifiers are tested directly for systemic shifts (engine.systemic); a shifted
   lab's listed carbon months of its shifted months are flagged with it.
A why answer at request time reads the root, its candidates and their expected values that
the sweep stored (app/services/tracing): it does not attribute again.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import orjson
import pandas as pd
from scipy import optimize

from engine.annual_figures import silence_annual_figures
from engine.attribution import (
    SUPPORT_SCORE,
    attribute,
    expected_at_the_bound,
    hypothesis_probability,
    normal_scores,
    one_root_per_episode,
    plausibly_sized,
)
from engine.catalogue import DRIFT_PREFIX, catalogue
from engine.checks import CERTAIN, CONTINUOUS, FLAGGING, CheckEvidence
from engine.combine import benjamini_hochberg
from engine.evidence import (
    assign_p_values,
    build_evidence,
    calibrate,
    group_for,
    peer_groups,
)
from engine.explained import ExplainedElsewhere
from engine.impact import impacts
from engine.policy import DEFAULT_POLICY, ScoringPolicy
from engine.prevalence import Pattern, fleet_conventions, silence, unit_conditions
from engine.sequential import DriftNull, drift_matrix, drift_p_values, proving_months
from engine.systemic import (
    CARBON_EDGE,
    CARBON_ROOTS,
    find_systemic_sources,
    shifted_client_months,
    systemic_links,
)
from engine.zero_conflicts import size_the_odd_figures, zero_conflicts
from graph_schema.frames import CHECK_SCORE_COLUMNS, NODE_SCORE_COLUMNS, UNIT_MONTH_SCORE_COLUMNS
from graph_schema.keys import edge_ids, parameter_keys
from graph_schema.periods import shift_periods
from graph_schema.transfer_edges import learned_edges
from models.edge_models import EdgeRegression
from models.rule_engine import RuleFrame
from models.rules import RULES, Quantity, Rule

MAX_CANDIDATES = 5


def prepared(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with text keys, sorted by unit and period, indexed 0..n-1."""
    out = frame.assign(unit_id=frame["unit_id"].astype(str), period=frame["period"].astype(str))
    return out.sort_values(["unit_id", "period"]).reset_index(drop=True)


@dataclass
class FleetEvidence:
    """The evidence of a fleet's rows: `frame` is the prepared frame, `checks` every check of
    its rows without what the fleet's conventions (and `conditions`, the units' persistent
    ones) explain; `annual` the annual figures spread over months."""

    frame: pd.DataFrame
    checks: list[CheckEvidence]
    annual: list[Pattern]
    conditions: list[Pattern]


@dataclass
class EngineResult:
    """What one scoring pass found, for the rows of the periods asked for."""

    unit_months: pd.DataFrame
    nodes: pd.DataFrame
    checks: pd.DataFrame
    patterns: list[dict[str, object]] = field(default_factory=list)
    systemic: pd.DataFrame = field(default_factory=pd.DataFrame)


def _combined(evidence: Sequence[CheckEvidence], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the smallest flagging p-value and the number of continuous checks applying."""
    p_min = np.ones(n)
    count = np.zeros(n)
    for check in evidence:
        if check.evidence not in FLAGGING:
            continue
        p_min = np.minimum(p_min, np.where(check.applies, check.p, 1.0))
        if check.evidence in CONTINUOUS:
            count += check.applies
    return p_min, np.maximum(count, 1.0)


def sidak(p_min: np.ndarray, count: np.ndarray, share: float) -> np.ndarray:
    """1 − (1 − p_min)^(share·count), computed without cancellation."""
    return -np.expm1(share * count * np.log1p(-np.clip(p_min, 0.0, 1.0 - 1e-16)))


def fit_effective_share(p_min: np.ndarray, count: np.ndarray) -> float:
    """The share ρ of a unit-month's checks that are effectively independent: the ρ that puts
    the fleet's median combined p-value at 0.5, as under the null (most unit-months honest)."""

    if p_min.size == 0:
        return 1.0

    def gap(log_share: float) -> float:
        return float(np.median(sidak(p_min, count, np.exp(log_share)))) - 0.5

    low, high = np.log(1e-4), 0.0
    if gap(high) <= 0:
        return 1.0
    if gap(low) >= 0:
        return float(np.exp(low))
    return float(np.exp(optimize.brentq(gap, low, high)))


class UnitMonthEngine:
    """The fitted engine of one sweep. Hyperparameters come from `policy` (and the rule set);
    `fit` learns from the fleet and sets the attributes ending in `_`."""

    def __init__(
        self, policy: ScoringPolicy = DEFAULT_POLICY, rules: Sequence[Rule] = RULES
    ) -> None:
        self.policy = policy
        self.rules = tuple(rules)

    # --- fitting ---------------------------------------------------------------------------

    def fit(self, frame: pd.DataFrame) -> "UnitMonthEngine":
        self.fit_evidence(frame)
        return self

    def fit_evidence(self, frame: pd.DataFrame) -> FleetEvidence:
        """Fit on `frame` and return the evidence the fit ends with, which is what `evidence`
        would compute for the same frame: a full sweep scores the frame it fitted on."""
        f = prepared(frame)
        groups = peer_groups(f, RuleFrame(f))
        policy = self.policy
        self.edges_ = [
            EdgeRegression(
                edge,
                min_rows=policy.min_fit_rows,
                max_rows=policy.max_fit_rows,
                shrink_months=policy.shrink_months,
                seed=policy.seed,
            )
            for edge in learned_edges()
        ]
        for model in self.edges_:
            model.fit(f, group_for(groups, model))
        evidence = build_evidence(f, self.edges_, self.rules)
        self.nulls_ = calibrate(evidence, f, policy.min_fit_rows)
        assign_p_values(evidence, f, self.nulls_)
        explained = ExplainedElsewhere(evidence, policy.false_alarm_share)
        self.drift_nulls_ = {
            check.check_id: DriftNull(policy.cusum_reference).fit(
                drift_matrix(self._drift_scores(check, explained), f)[0]
            )
            for check in evidence
            if self._drifts(check)
        }
        evidence = [*evidence, *self._drift_evidence(evidence, f, explained)]
        annual = silence_annual_figures(evidence, f, self.rules)
        self.conventions_ = fleet_conventions(
            evidence, f, policy.false_alarm_share, policy.prevalence_share
        )
        fleet = self._silenced(f, evidence, annual)
        p_min, count = _combined(fleet.checks, len(f))
        self.effective_share_ = fit_effective_share(p_min, count)
        return fleet

    def evidence(self, frame: pd.DataFrame) -> FleetEvidence:
        """Every check of every row of `frame`, p-valued against the fitted nulls."""
        f = prepared(frame)
        evidence = build_evidence(f, self.edges_, self.rules)
        assign_p_values(evidence, f, self.nulls_)
        explained = ExplainedElsewhere(evidence, self.policy.false_alarm_share)
        evidence = [*evidence, *self._drift_evidence(evidence, f, explained)]
        annual = silence_annual_figures(evidence, f, self.rules)
        return self._silenced(f, evidence, annual)

    def _silenced(
        self, f: pd.DataFrame, evidence: list[CheckEvidence], annual: list[Pattern]
    ) -> FleetEvidence:
        """The evidence without what the fleet's conventions and the units' persistent
        conditions explain."""
        silence(evidence, f, self.conventions_)
        conditions = self._unit_conditions(evidence, f)
        silence(evidence, f, conditions)
        return FleetEvidence(f, evidence, annual, conditions)

    @staticmethod
    def _drifts(check: CheckEvidence) -> bool:
        return check.edge_type is not None and check.check_id == check.edge_type

    @staticmethod
    def _signed_scores(check: CheckEvidence) -> np.ndarray:
        scores = normal_scores(pd.DataFrame({"p": check.p, "residual": check.residual}))
        return np.where(check.applies, scores, np.nan)

    def _drift_scores(self, check: CheckEvidence, explained: ExplainedElsewhere) -> np.ndarray:
        """The check's signed scores, without the months another relation already explains:
        a fault elsewhere (carbon shaded for a season) moves this relation too, and would
        otherwise pass for a drift and widen the fleet's drift null."""
        return np.where(explained.months(check), np.nan, self._signed_scores(check))

    def _drift_evidence(
        self,
        evidence: Sequence[CheckEvidence],
        f: pd.DataFrame,
        explained: ExplainedElsewhere,
    ) -> list[CheckEvidence]:
        out = []
        for check in evidence:
            null = self.drift_nulls_.get(check.check_id) if self._drifts(check) else None
            if null is None:
                continue
            scores = self._drift_scores(check, explained)
            p = drift_p_values(scores, f, null)
            out.append(
                CheckEvidence(
                    check_id=DRIFT_PREFIX + check.check_id,
                    label=f"{check.label}, drifting over months",
                    evidence=check.evidence,
                    basis="statistical",
                    target=check.target,
                    quantity=check.quantity,
                    # A month another relation explains is no evidence either way.
                    applies=check.applies & np.isfinite(scores),
                    residual=check.residual,
                    scale=check.scale,
                    expected=check.expected,
                    parent=check.parent,
                    edge_type=check.edge_type,
                    p=p,
                )
            )
        return out

    def _unit_conditions(self, evidence: Sequence[CheckEvidence], f: pd.DataFrame) -> list[Pattern]:
        policy = self.policy
        return unit_conditions(
            evidence,
            f,
            policy.false_alarm_share,
            policy.unit_prevalence_share,
            policy.persistent_months,
        )

    # --- scoring ---------------------------------------------------------------------------

    def score(self, frame: pd.DataFrame, periods: Sequence[str] | None = None) -> EngineResult:
        """Score every row of `frame` (the fleet: history and peers need it all) and return the
        results of the rows in `periods` (None: all)."""
        return self.decide(self.evidence(frame), periods)

    def decide(self, fleet: FleetEvidence, periods: Sequence[str] | None = None) -> EngineResult:
        """Flags, roots, impact and systemic sources from the fleet's evidence, for the rows in
        `periods` (None: all)."""
        policy = self.policy
        f, evidence = fleet.frame, fleet.checks
        p_min, count = _combined(evidence, len(f))
        p_value = sidak(p_min, count, self.effective_share_)
        q_value = benjamini_hochberg(p_value)
        listed = p_value <= policy.listing_p
        checks = self._listed_checks(evidence, f, listed)
        roots = self._roots(checks, f, listed)
        months = f.assign(p_value=p_value, q_value=q_value, listed=listed).join(roots)
        found = impacts(
            months,
            months["root_parameter"].to_numpy(dtype=object),
            months["root_expected"].to_numpy(dtype=float),
            policy.materiality_share,
        )
        months = months.join(found)
        certain = self._certain(evidence, len(f))
        eligible = (
            months["listed"]
            & months["root_parameter"].notna()
            & (months["root_lag"] == 0)
            & (certain | months["material"].fillna(False).to_numpy(dtype=bool))
        )
        significant = (months["p_value"] <= policy.false_alarm_share) & (
            months["q_value"] <= policy.false_discovery_rate
        )
        months["proved_in"] = proving_months(months, eligible & significant, eligible)
        months["flagged"] = months["proved_in"].notna()
        records = self._carbon_records(evidence, f)
        systemic = self._systemic(records, months)
        # A lab the direct test found shifted explains the listed carbon months of its shifted
        # clients too: each is weak alone, the shared source is not.
        shared = eligible & ~months["flagged"] & self._of_shifted_labs(months, systemic, records)
        if shared.any():
            months["flagged"] = months["flagged"] | shared
            systemic = self._systemic(records, months)
        links = systemic_links(systemic)
        months = months.merge(links, on=["unit_id", "period"], how="left")
        wanted = (
            np.ones(len(months), dtype=bool)
            if periods is None
            else months["period"].isin(list(periods)).to_numpy()
        )
        patterns = [p.as_record() for p in [*self.conventions_, *fleet.conditions, *fleet.annual]]
        return EngineResult(
            unit_months=self._unit_month_rows(months[wanted], policy.allowance_price_cny),
            nodes=self._node_rows(checks, months, wanted),
            checks=self._check_rows(checks, f, wanted),
            patterns=patterns,
            systemic=systemic,
        )

    def _certain(self, evidence: Sequence[CheckEvidence], n: int) -> np.ndarray:
        """Rows with certain evidence: a breach, an equality broken, a slip, a copy."""
        certain = np.zeros(n, dtype=bool)
        for check in evidence:
            if check.evidence in CERTAIN:
                certain |= check.applies & (check.p <= self.policy.false_alarm_share)
        return certain

    @staticmethod
    def _listed_checks(
        evidence: Sequence[CheckEvidence], f: pd.DataFrame, listed: np.ndarray
    ) -> pd.DataFrame:
        """Every applicable check of every listed unit-month, one row each."""
        parts = []
        for check in evidence:
            rows = np.flatnonzero(check.applies & listed)
            if not rows.size:
                continue
            parts.append(
                pd.DataFrame(
                    {
                        "um": rows,
                        "check_id": check.check_id,
                        "evidence": check.evidence.value,
                        "edge_type": check.edge_type,
                        "parent": check.parent,
                        "target": check.target,
                        "residual": check.residual[rows],
                        "scale": check.scale[rows],
                        "p": check.p[rows],
                        "expected": np.asarray(check.expected, dtype=float)[rows],
                    }
                )
            )
        if not parts:
            return pd.DataFrame(
                columns=[
                    "um",
                    "check_id",
                    "evidence",
                    "edge_type",
                    "parent",
                    "target",
                    "residual",
                    "scale",
                    "p",
                    "expected",
                ]
            )
        return pd.concat(parts, ignore_index=True)

    @staticmethod
    def _attribute(
        checks: pd.DataFrame,
        months: pd.DataFrame,
        lagged: dict[int, pd.DataFrame],
        conflicts: pd.DataFrame,
    ) -> pd.DataFrame:
        known = catalogue()
        quantity_of: dict[str, Quantity] = {k: v.quantity for k, v in known.items()}
        lag_of = {k: v.lag for k, v in known.items()}
        return attribute(checks, months, quantity_of, lag_of, lagged, conflicts)

    def _roots(self, checks: pd.DataFrame, f: pd.DataFrame, listed: np.ndarray) -> pd.DataFrame:
        """Root, candidates and the explained share of every listed unit-month."""
        index = np.flatnonzero(listed)
        months = f.iloc[index]
        rule_frame = RuleFrame(f)
        lagged = {}
        parts = [pd.Series(dtype=bool, index=pd.MultiIndex.from_arrays([[], []]))]
        for lag in sorted({info.lag for info in catalogue().values() if info.lag}):
            positions = rule_frame.lag_positions(lag)[index]
            earlier = f.reindex(np.where(positions >= 0, positions, -1))
            lagged[lag] = earlier.set_axis(index)
            seen = np.where(positions >= 0, listed[np.maximum(positions, 0)], False)
            parts.append(
                pd.Series(seen, index=pd.MultiIndex.from_arrays([index, [lag] * len(index)]))
            )
        if parts:
            earlier_listed = pd.concat(parts)
        firing = np.abs(normal_scores(checks)) >= SUPPORT_SCORE
        conflicts = zero_conflicts(checks, firing, f, index)
        candidates = self._attribute(checks, months, lagged, conflicts)
        # A fault in an earlier month shows in that month's own checks: when they are silent
        # (the month is clear) the hypothesis is no explanation of this month's jump.
        lag = candidates["lag"].to_numpy()
        keys = pd.MultiIndex.from_arrays([candidates["um"].to_numpy(), lag])
        shown = earlier_listed.reindex(keys).fillna(False).to_numpy(dtype=bool)
        candidates = candidates[(lag == 0) | shown].reset_index(drop=True)
        candidates = plausibly_sized(candidates, f)
        candidates = size_the_odd_figures(candidates, conflicts)
        # After plausibility: a bound is a physical fact, not a size the unit's range must allow.
        candidates = expected_at_the_bound(candidates, f, checks[firing])
        candidates = one_root_per_episode(
            candidates, checks, f["unit_id"].to_numpy(), self.policy.false_alarm_share
        )
        return summarise_candidates(candidates, f, index)

    def _of_shifted_labs(
        self, months: pd.DataFrame, systemic: pd.DataFrame, records: pd.DataFrame
    ) -> pd.Series:
        """Rows rooted in carbon of the shifted clients of a systemic lab, in its months."""
        labs = systemic[systemic["entity_type"] == "lab"] if len(systemic) else systemic
        if labs.empty or "lab_id" not in months:
            return pd.Series(False, index=months.index)
        victims = pd.concat(
            shifted_client_months(
                records,
                "lab_id",
                lab.entity_id,
                lab.periods,
                lab.shift,
                self.policy.false_alarm_share,
            )
            for lab in labs.itertuples()
        )
        keys = pd.MultiIndex.from_frame(victims)
        rows = pd.MultiIndex.from_arrays(
            [months["unit_id"].astype(str), months["period"].astype(str)]
        )
        return pd.Series(rows.isin(keys), index=months.index) & months["root_parameter"].isin(
            CARBON_ROOTS
        )

    def _carbon_records(self, evidence: Sequence[CheckEvidence], f: pd.DataFrame) -> pd.DataFrame:
        """Per unit-month its entities and the signed score of its carbon-per-heat check, the
        records the direct test of systemic sources compares."""
        carbon = next((c for c in evidence if c.check_id == CARBON_EDGE), None)
        scores = self._signed_scores(carbon) if carbon is not None else np.full(len(f), np.nan)
        return f[
            [
                "unit_id",
                "period",
                *[c for c in ("enterprise_id", "lab_id", "verifier_id") if c in f],
            ]
        ].assign(score=scores)

    def _systemic(self, records: pd.DataFrame, months: pd.DataFrame) -> pd.DataFrame:
        flags = months.loc[months["flagged"], ["unit_id", "period", "root_parameter"]]
        return find_systemic_sources(
            records,
            flags,
            self.policy.systemic_fdr,
            self.policy.systemic_tail_share,
            self.policy.false_alarm_share,
        )

    # --- output rows -----------------------------------------------------------------------

    @staticmethod
    def _unit_month_rows(months: pd.DataFrame, price: float) -> pd.DataFrame:
        score = np.clip(1.0 - months["q_value"].to_numpy(dtype=float), 0.0, 1.0)
        impact = months["impact_t"].to_numpy(dtype=float)
        status = np.where(
            months["flagged"], "flagged", np.where(months["listed"], "listed", "clear")
        )
        out = pd.DataFrame(
            {
                "unit_id": months["unit_id"].to_numpy(),
                "period": months["period"].to_numpy(),
                "score": np.round(score, 6),
                "p_value": months["p_value"].to_numpy(dtype=float),
                "flagged": months["flagged"].to_numpy(dtype=bool),
                "status": status,
                "top_parameter": months["root_parameter"]
                .where(months["listed"])
                .to_numpy(dtype=object),
                "root_period": months["root_period"].where(months["listed"]).to_numpy(dtype=object),
                "root_expected": months["root_expected"].to_numpy(dtype=float),
                "explained": months["explained"].to_numpy(dtype=float),
                "co2_delta_t": months["co2_delta_t"].to_numpy(dtype=float),
                "allocation_delta_t": months["allocation_delta_t"].to_numpy(dtype=float),
                "impact_t": impact,
                "impact_cny": impact * price,
                "priority": np.round(score * np.nan_to_num(impact), 3),
                "systemic_source": months["systemic_source"].to_numpy(dtype=object),
                "proved_in": months["proved_in"].to_numpy(dtype=object),
                "candidates": months["candidates"].fillna("[]").to_numpy(dtype=object),
            }
        )
        return out[UNIT_MONTH_SCORE_COLUMNS].reset_index(drop=True)

    @staticmethod
    def _node_rows(checks: pd.DataFrame, months: pd.DataFrame, wanted: np.ndarray) -> pd.DataFrame:
        """A node per candidate parameter of its own month and per checked parameter of every
        listed unit-month in the wanted periods."""
        chosen = months[wanted & months["listed"].to_numpy()]
        if chosen.empty:
            return pd.DataFrame(columns=NODE_SCORE_COLUMNS)
        hypotheses = chosen[["unit_id", "period", "hypotheses"]].explode("hypotheses").dropna()
        named = pd.DataFrame(
            hypotheses["hypotheses"].tolist(),
            columns=["parameter", "observed", "expected", "z", "score"],
        )
        parts = [
            pd.DataFrame(
                {
                    "unit_id": hypotheses["unit_id"].to_numpy(),
                    "period": hypotheses["period"].to_numpy(),
                    "name": named["parameter"].to_numpy(),
                    "value": named["observed"].to_numpy(dtype=float),
                    "expected": named["expected"].to_numpy(dtype=float),
                    "z": named["z"].to_numpy(dtype=float),
                    "score": named["score"].to_numpy(dtype=float),
                }
            )
        ]
        targets = checks[checks["um"].isin(chosen.index)][["um", "target"]].drop_duplicates()
        target_rows = months.loc[targets["um"].to_numpy()]
        names = targets["target"].to_numpy()
        values = np.full(len(targets), np.nan)
        for name in np.unique(names):
            if name in target_rows:
                at = names == name
                values[at] = pd.to_numeric(target_rows[name].iloc[at], errors="coerce")
        parts.append(
            pd.DataFrame(
                {
                    "unit_id": target_rows["unit_id"].to_numpy(),
                    "period": target_rows["period"].to_numpy(),
                    "name": targets["target"].to_numpy(),
                    "value": values,
                    "expected": np.nan,
                    "z": np.nan,
                    "score": 0.0,
                }
            )
        )
        nodes = pd.concat(parts, ignore_index=True).drop_duplicates(
            ["unit_id", "period", "name"], keep="first"
        )
        nodes.insert(0, "key", parameter_keys(nodes["unit_id"], nodes["period"], nodes["name"]))
        return nodes[NODE_SCORE_COLUMNS].reset_index(drop=True)

    @staticmethod
    def _check_rows(checks: pd.DataFrame, f: pd.DataFrame, wanted: np.ndarray) -> pd.DataFrame:
        rows = checks[wanted[checks["um"].to_numpy(dtype=int)]] if len(checks) else checks
        if rows.empty:
            return pd.DataFrame(columns=CHECK_SCORE_COLUMNS)
        unit = f["unit_id"].to_numpy()[rows["um"].to_numpy(dtype=int)]
        period = f["period"].to_numpy()[rows["um"].to_numpy(dtype=int)]
        p = rows["p"].to_numpy(dtype=float)
        out = pd.DataFrame(
            {
                "edge_id": edge_ids(pd.Series(unit), pd.Series(period), rows["check_id"]),
                "unit_id": unit,
                "period": period,
                "check_id": rows["check_id"].to_numpy(),
                "evidence": rows["evidence"].to_numpy(),
                "edge_type": rows["edge_type"].to_numpy(dtype=object),
                "parent": rows["parent"].to_numpy(dtype=object),
                "child": rows["target"].to_numpy(),
                "expected": rows["expected"].to_numpy(dtype=float),
                "residual": rows["residual"].to_numpy(dtype=float),
                "scale": rows["scale"].to_numpy(dtype=float),
                "z": normal_scores(rows),
                "p": p,
                "score": 1.0 - p,
            }
        )
        return out[CHECK_SCORE_COLUMNS].reset_index(drop=True)

    # --- describing the fit ------------------------------------------------------------------

    def describe(self) -> dict[str, object]:
        """The fitted nulls, edges and conventions, for the sweep record and `mrvtrace
        calibrate`."""
        nulls = {k: v.describe() for k, v in self.nulls_.items() if hasattr(v, "describe")}
        rates = {k: round(float(v), 6) for k, v in self.nulls_.items() if isinstance(v, float)}
        return {
            "effective_share": round(self.effective_share_, 5),
            "nulls": nulls,
            "repeat_rates": rates,
            "edges": [m.describe() for m in self.edges_],
            "drift": {k: v.describe() for k, v in self.drift_nulls_.items()},
            "conventions": [p.as_record() for p in self.conventions_],
        }


def summarise_candidates(
    candidates: pd.DataFrame, f: pd.DataFrame, index: np.ndarray
) -> pd.DataFrame:
    """Per listed row: root parameter, its month's lag and period, expected value, the share of
    the evidence it explains, the candidates' JSON (each with its share, whether some value of
    it keeps the month's bounds, the breached orders it leaves as they are:
    engine.attribution.expected_at_the_bound, and the figures it corrects with its own:
    engine.moved_figures.moved_with) and the hypotheses for node rows."""
    columns = [
        "root_parameter",
        "root_lag",
        "root_period",
        "root_expected",
        "explained",
        "candidates",
        "hypotheses",
    ]
    if candidates.empty:
        return pd.DataFrame(columns=columns, index=pd.Index(index))
    periods = f["period"].to_numpy()
    candidates = candidates.assign(
        score=np.round(hypothesis_probability(candidates["lam"].to_numpy()), 4),
        period=shift_periods(
            periods[candidates["um"].to_numpy(dtype=int)], -candidates["lag"].to_numpy(dtype=int)
        ),
        z=np.sqrt(candidates["lam"].to_numpy(dtype=float))
        * -np.sign(np.nan_to_num(candidates["delta"].to_numpy(dtype=float))),
    )
    total = candidates.groupby("um")["lam"].transform("sum")
    candidates["share"] = candidates["lam"] / total.where(total > 0, 1.0)
    first = candidates.groupby("um").head(1).set_index("um")
    top = candidates.groupby("um").head(MAX_CANDIDATES)
    expected = top["expected"].to_numpy(dtype=float)
    shown = top.assign(
        score=top["score"].astype(float),
        expected=np.where(np.isfinite(expected), np.round(expected, 6), None),
        share=np.round(top["share"].to_numpy(dtype=float), 4),
        consistent=top["consistent"].astype(bool),
        unmended=[list(ids) for ids in top["unmended"]],
        moves_with=[list(names) for names in top["moves_with"]],
    )
    fields = [
        "parameter",
        "period",
        "score",
        "expected",
        "share",
        "consistent",
        "unmended",
        "moves_with",
    ]
    as_json = records_by_um(shown, fields).map(lambda rows: orjson.dumps(rows).decode())
    own = candidates[candidates["lag"] == 0]
    hypotheses = records_by_um(own, ["parameter", "observed", "expected", "z", "score"])
    out = pd.DataFrame(
        {
            "root_parameter": first["parameter"],
            "root_lag": first["lag"].astype(int),
            "root_period": first["period"],
            "root_expected": first["expected"],
            "explained": first["share"],
            "candidates": as_json,
            "hypotheses": hypotheses,
        }
    )
    return out.reindex(pd.Index(index))


def records_by_um(rows: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Each unit-month's rows, in their order, as a list of dicts of `columns`, indexed by
    `um` (one slice per unit-month, not one DataFrame per group)."""
    ordered = rows.sort_values("um", kind="stable")
    um = ordered["um"].to_numpy()
    records = ordered[columns].to_dict("records")
    starts = np.flatnonzero(np.r_[True, um[1:] != um[:-1]])
    ends = np.r_[starts[1:], len(um)]
    return pd.Series(
        [records[a:b] for a, b in zip(starts, ends, strict=True)], index=um[starts], dtype=object
    )
