"""The declarative rules: what each states, by basis, on an honest fleet and on its own example.

Hard, copy, slip and procedural rules give a verdict (`violated`); exact rules a gap in units of
the figures' own rounding; statistical rules a distance only, which the engine turns into a tail
probability against the fleet's own null. Every rule's `example` must make it speak at the test
unit's latest month(s), and nothing may speak on the honest baseline.
"""

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from app.presentation.cli import rules_command
from engine.engine import UnitMonthEngine
from engine.evidence import build_evidence, rounding_tolerance
from graph_schema.parameters import parameter_names
from models.rule_engine import RuleOutcome, evaluate_rules, list_rules, rule_counts
from models.rules import (
    RULES,
    Agrees,
    Band,
    Basis,
    DateOrder,
    DateWindow,
    DecadeJump,
    Family,
    Frozen,
    ImpliesNotPositive,
    ImpliesZero,
    Jump,
    LessEqual,
    OwnZ,
    PeerZ,
    Ratio,
    RequiresPositive,
    Rule,
    rule,
)
from tests.frames import PERIODS, TEST_UNIT, apply_example, honest_frame, latest_period

# Bases whose rules give their own verdict.
VERDICT_BASES = frozenset(
    {Basis.PHYSICAL, Basis.REGULATORY, Basis.SLIP, Basis.COPY, Basis.PROCEDURAL}
)
# A statistical example must lie this many times beyond the rule's largest honest distance.
TAIL_MARGIN = 1.5
# An exact example must break its equality by this many rounding tolerances (beyond it a
# normal tail gives p < 1e-6).
ROUNDING_MARGIN = 5.0
PREFIX = {
    Family.EXTREME_VALUE: "EXT",
    Family.STANDARD_VALUE: "STD",
    Family.THRESHOLD: "THR",
    Family.LOGIC: "LOG",
}
STATISTICAL = [r for r in RULES if r.basis == Basis.STATISTICAL]
EXACT = [r for r in RULES if r.basis == Basis.EXACT]


@pytest.fixture(scope="module")
def baseline() -> pd.DataFrame:
    return honest_frame()


@pytest.fixture(scope="module")
def honest_outcomes(baseline: pd.DataFrame) -> dict[str, RuleOutcome]:
    return {o.rule.rule_id: o for o in evaluate_rules(baseline)}


def _outcome(frame: pd.DataFrame, r: Rule) -> RuleOutcome:
    (outcome,) = evaluate_rules(frame, [r])
    return outcome


def _mutated_rows(frame: pd.DataFrame, months: int) -> np.ndarray:
    """Positions (in frame order) of the test unit's latest `months` months."""
    return np.flatnonzero((frame["unit_id"] == TEST_UNIT).to_numpy())[-months:]


def _latest_row(frame: pd.DataFrame) -> int:
    return int(_mutated_rows(frame, 1)[0])


def _exact_gap(frame: pd.DataFrame, outcome: RuleOutcome) -> np.ndarray:
    """|ln(a/b)| of an equality in units of the rounding its figures are written with."""
    check = outcome.rule.check
    assert isinstance(check, Agrees)
    tolerance = rounding_tolerance(frame.reset_index(drop=True), check.a, check.b)
    return np.abs(outcome.statistic) / tolerance


# --- the catalogue ------------------------------------------------------------------------------


def test_there_are_at_least_100_rules_with_unique_ids() -> None:
    ids = [r.rule_id for r in RULES]
    assert len(ids) >= 100
    assert len(set(ids)) == len(ids)


def test_all_four_families_have_at_least_ten_rules() -> None:
    counts = rule_counts()
    assert set(counts) == {f.value for f in Family}
    assert sum(counts.values()) == len(RULES)
    assert all(counts[f.value] >= 10 for f in Family)


def test_every_rule_names_catalogue_parameters_and_its_family_in_its_id() -> None:
    catalogue = set(parameter_names())
    for r in RULES:
        assert r.target in catalogue, r.rule_id
        assert r.target in r.parameters, r.rule_id
        assert set(r.parameters) <= catalogue, r.rule_id
        assert 1 <= r.severity <= 3, r.rule_id
        assert r.rationale, r.rule_id
        assert r.rule_id.split("-")[0] == PREFIX[r.family], r.rule_id


def test_each_kind_of_check_has_the_basis_the_rules_declare() -> None:
    declared = {
        Basis.PHYSICAL: (Band, LessEqual, ImpliesZero, ImpliesNotPositive, RequiresPositive),
        Basis.REGULATORY: (Band,),
        Basis.EXACT: (Agrees,),
        Basis.STATISTICAL: (PeerZ, OwnZ, Jump),
        Basis.SLIP: (DecadeJump,),
        Basis.COPY: (Frozen,),
        Basis.PROCEDURAL: (DateOrder, DateWindow),
    }
    assert {r.basis for r in RULES} == set(Basis)
    for r in RULES:
        assert isinstance(r.check, declared[r.basis]), r.rule_id


def test_physical_and_regulatory_bounds_name_their_source() -> None:
    hard = [r for r in RULES if r.basis in (Basis.PHYSICAL, Basis.REGULATORY)]
    assert len(hard) >= 30
    for r in hard:
        assert len(r.source) > 10, r.rule_id


def test_statistical_rules_carry_no_threshold() -> None:
    """A statistical rule states a distance; its verdict is the engine's, from the fleet."""
    assert len(STATISTICAL) >= 50
    for r in STATISTICAL:
        fields = vars(r.check)
        assert not {"lo", "hi", "tol"} & set(fields), r.rule_id


# --- the honest baseline ------------------------------------------------------------------------


def test_the_honest_baseline_breaches_no_rule(honest_outcomes: dict[str, RuleOutcome]) -> None:
    verdicts = [o for o in honest_outcomes.values() if o.rule.basis in VERDICT_BASES]
    assert len(verdicts) >= 50
    breached = sorted(o.rule.rule_id for o in verdicts if o.violated.any())
    assert breached == []


@pytest.mark.parametrize("r", STATISTICAL, ids=[r.rule_id for r in STATISTICAL])
def test_a_statistical_rule_states_a_finite_distance_on_the_honest_baseline(
    honest_outcomes: dict[str, RuleOutcome], r: Rule
) -> None:
    outcome = honest_outcomes[r.rule_id]
    assert outcome.applies.sum() >= 16
    assert np.isfinite(outcome.statistic[outcome.applies]).all()
    assert not outcome.violated.any()


@pytest.mark.parametrize("r", EXACT, ids=[r.rule_id for r in EXACT])
def test_an_equality_holds_within_rounding_on_the_honest_baseline(
    baseline: pd.DataFrame, honest_outcomes: dict[str, RuleOutcome], r: Rule
) -> None:
    outcome = honest_outcomes[r.rule_id]
    assert outcome.applies.all()
    gap = _exact_gap(baseline, outcome)
    assert np.nanmax(np.where(outcome.applies, gap, 0.0)) <= 1.0


# --- every rule on its own example --------------------------------------------------------------


@pytest.mark.parametrize("r", RULES, ids=[r.rule_id for r in RULES])
def test_a_rule_speaks_on_its_own_example(
    baseline: pd.DataFrame, honest_outcomes: dict[str, RuleOutcome], r: Rule
) -> None:
    mutated = apply_example(baseline, r.example)
    outcome = _outcome(mutated, r)
    latest = _latest_row(mutated)
    mutated_rows = _mutated_rows(mutated, r.example.months)
    assert mutated["period"].iloc[latest] == latest_period()
    assert outcome.applies[latest], r.rule_id
    honest = honest_outcomes[r.rule_id]
    if r.basis in VERDICT_BASES:
        assert outcome.violated[latest]
        assert set(np.flatnonzero(outcome.violated)) <= set(mutated_rows)
        assert not honest.violated.any()
    elif r.basis == Basis.EXACT:
        assert _exact_gap(mutated, outcome)[latest] > ROUNDING_MARGIN
    else:
        distances = np.abs(honest.statistic[honest.applies])
        assert distances.size >= 16
        assert abs(outcome.statistic[latest]) > TAIL_MARGIN * distances.max()


def test_the_steam_cycle_limit_is_held_only_against_a_month_on_line_half_of_it(
    baseline: pd.DataFrame,
) -> None:
    """A monitor reading 40 % of the heat breaks LOG-039 in a full month; a start-up of
    0.25 hours with 2 MWh beside 0.022 tce (the real sample's 708-01 in 2012-02) is not held
    to it, though it turns more than the heat could give."""
    limit = rule("LOG-039")
    latest = _latest_row(baseline)
    full = apply_example(baseline, limit.example)
    start_up = full.copy()
    start_up.loc[start_up.index[latest], ["operating_hours", "power_generation_mwh"]] = [0.25, 2.0]
    start_up.loc[start_up.index[latest], ["power_supply_mwh", "energy_monitor_tce"]] = [0.0, 0.022]
    assert _outcome(full, limit).violated[latest]
    assert not _outcome(start_up, limit).applies[latest]


def test_an_order_breached_by_less_than_its_figures_rounding_is_no_breach(
    baseline: pd.DataFrame,
) -> None:
    """12 MWh in 0.03 h on a 322 MW unit (the real sample's 6249-02 in 2008-11) passes
    1.2 × capacity × hours by 3.5 %, but hours written to 0.01 h may be up to 0.035 h: nothing
    says the bound is broken. 24 MWh in the same 0.03 h breaks it past any rounding."""
    order = rule("LOG-002")
    latest = _latest_row(baseline)
    month = baseline.index[latest]
    fleet = baseline.copy()
    fleet.loc[month, ["capacity_mw", "operating_hours", "power_generation_mwh"]] = [322, 0.03, 12]

    def breached() -> bool:
        assert _outcome(fleet, order).violated[latest]
        (evidence,) = build_evidence(fleet.reset_index(drop=True), [], [order])
        assert evidence.hard is not None
        return bool(evidence.hard[latest])

    assert not breached()
    fleet.loc[month, "power_generation_mwh"] = 24
    assert breached()


def test_a_breached_band_points_its_expected_value_back_into_the_band(
    baseline: pd.DataFrame,
) -> None:
    band = rule("LOG-020")
    mutated = apply_example(baseline, band.example)
    outcome = _outcome(mutated, band)
    latest = _latest_row(mutated)
    assert outcome.violated[latest]
    ncv = float(mutated["coal_ncv_gj_t"].iloc[latest])
    # The lowest carbon per heat of coal, 0.0238 tC/GJ, times the month's NCV, in per cent.
    assert outcome.expected[latest] == pytest.approx(0.0238 * 100 * ncv)
    assert float(mutated["coal_carbon_pct"].iloc[latest]) < outcome.expected[latest]


# --- what does not speak ------------------------------------------------------------------------


def test_a_default_carbon_past_the_physical_band_is_no_breach(baseline: pd.DataFrame) -> None:
    """Without a test report the regulatory default carbon per heat (0.03085 tC/GJ) times the
    NCV is the carbon content: punitive by design, so a rich coal's default may pass 80 %
    without breaching carbon's physical band; a measured 83 % or a slip still does."""
    latest = _latest_row(baseline)
    frame = baseline.copy()
    frame.iloc[latest, frame.columns.get_loc("coal_ncv_gj_t")] = 27.0
    frame.iloc[latest, frame.columns.get_loc("carbon_report_id")] = None
    default = round(0.03085 * 27.0 * 100, 2)
    coal = float(frame["coal_consumption_t"].iloc[latest])
    # The enterprise's CO2 from that carbon, every tonne of it oxidised.
    co2 = coal * default / 100 * 44 / 12
    frame.iloc[latest, frame.columns.get_loc("reported_co2_t")] = co2
    measured = frame.copy()
    measured.iloc[latest, measured.columns.get_loc("coal_carbon_pct")] = default + 0.5
    frame.iloc[latest, frame.columns.get_loc("coal_carbon_pct")] = default
    slipped = frame.copy()
    slipped.iloc[latest, slipped.columns.get_loc("coal_carbon_pct")] = default / 100
    assert default > 80.0
    for rule_id in ("EXT-002", "LOG-025"):
        assert not _outcome(frame, rule(rule_id)).violated[latest]
    assert co2 / coal > 3.0
    for rule_id in ("EXT-002", "LOG-025"):
        assert _outcome(measured, rule(rule_id)).violated[latest]
    assert _outcome(slipped, rule("EXT-002")).violated[latest]


def test_a_gap_in_the_months_is_not_read_as_last_month(baseline: pd.DataFrame) -> None:
    """The month before the latest is missing: the slip has nothing to compare with and the
    copied run is broken."""
    month_before = PERIODS[-2]
    for r in (rule("THR-016"), rule("LOG-029")):
        mutated = apply_example(baseline, r.example)
        assert _outcome(mutated, r).violated[_latest_row(mutated)], r.rule_id
        hole = (mutated["unit_id"] == TEST_UNIT) & (mutated["period"] == month_before)
        gapped = mutated[~hole].reset_index(drop=True)
        outcome = _outcome(gapped, r)
        assert not outcome.violated.any(), r.rule_id
        if r.basis == Basis.SLIP:
            assert not outcome.applies[_latest_row(gapped)]


def test_missing_values_do_not_speak(baseline: pd.DataFrame) -> None:
    holes = baseline.copy()
    numeric = [c for c in parameter_names() if c in holes]
    unit = (holes["unit_id"] == TEST_UNIT).to_numpy()
    holes.loc[unit, numeric] = np.nan
    outcomes = evaluate_rules(holes)
    assert len(outcomes) == len(RULES)
    assert [o.rule.rule_id for o in outcomes if o.violated.any()] == []
    values = [o for o in outcomes if o.rule.basis != Basis.PROCEDURAL]
    assert len(values) > 90
    assert [o.rule.rule_id for o in values if o.applies[unit].any()] == []


def test_a_departure_from_the_default_oxidation_speaks_where_peers_measure_theirs(
    baseline: pd.DataFrame,
) -> None:
    """The test unit keeps 0.99 every month (a constant history, MAD 0): its own-history rule
    borrows the fleet's scale rather than dividing by zero."""
    own = rule("STD-018")
    mutated = apply_example(baseline, own.example)
    outcome = _outcome(mutated, own)
    assert np.isfinite(outcome.statistic[_latest_row(mutated)])


@pytest.mark.xfail(
    strict=True,
    reason="models/rule_engine.py _robust_z: when every unit reports the default oxidation "
    "0.99, every MAD is 0, the pooled MAD is NaN, and STD-010/STD-018 state no distance at "
    "all, so a unit writing 0.93 is never seen (calibration.md: test a constant as 'differs "
    "from its constant')",
)
def test_a_departure_from_a_fleet_wide_default_oxidation_speaks(baseline: pd.DataFrame) -> None:
    default_fleet = baseline.assign(oxidation_rate=0.99)
    for r in (rule("STD-010"), rule("STD-018")):
        mutated = apply_example(default_fleet, r.example)
        outcome = _outcome(mutated, r)
        latest = _latest_row(mutated)
        assert outcome.applies[latest], r.rule_id
        assert abs(outcome.statistic[latest]) > 10, r.rule_id


# --- scoring some periods -----------------------------------------------------------------------


def test_scoring_some_periods_limits_the_rows_not_the_history(baseline: pd.DataFrame) -> None:
    """A copied series is seen in the latest month only because the earlier months are read."""
    copy = rule("LOG-029")
    mutated = apply_example(baseline, copy.example)
    engine = UnitMonthEngine().fit(mutated)
    latest = engine.score(mutated, [latest_period()]).unit_months
    assert set(latest["period"]) == {latest_period()}
    assert len(latest) == baseline["unit_id"].nunique()
    flagged = latest[latest["flagged"]]
    assert list(zip(flagged["unit_id"], flagged["top_parameter"], strict=True)) == [
        (TEST_UNIT, copy.target)
    ]
    early = engine.score(mutated, [PERIODS[5]]).unit_months
    assert set(early["period"]) == {PERIODS[5]}
    assert not early["flagged"].any()


# --- listing ------------------------------------------------------------------------------------


def test_list_rules_describes_every_rule_with_its_basis_and_source() -> None:
    table = list_rules()
    assert list(table["rule_id"]) == [r.rule_id for r in RULES]
    assert table["check"].str.len().gt(0).all()
    assert set(table["basis"]) == {b.value for b in Basis}
    hard = table[table["basis"].isin([Basis.PHYSICAL.value, Basis.REGULATORY.value])]
    assert len(hard) > 0
    assert hard["source"].str.len().gt(0).all()


def test_each_rule_describes_its_check_in_words_naming_what_it_reads() -> None:
    for each in RULES:
        text = each.describe()
        assert f"{type(each.check).__name__}(" not in text, each.rule_id
        # Plain strings are parameter or column names (enums are options, said in words).
        read = [v for v in vars(each.check).values() if type(v) is str]
        read += [
            part
            for v in vars(each.check).values()
            if isinstance(v, Ratio)
            for part in (v.num, v.den)
        ]
        assert read and all(name in text for name in read), each.rule_id


def test_rules_list_prints_every_family_with_counts() -> None:
    app = typer.Typer()
    app.callback()(lambda: None)
    rules_command.register(app)
    result = CliRunner().invoke(app, ["rules", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    counts = rule_counts()
    assert len(counts) == len(Family)
    for family, count in counts.items():
        assert f"{family} ({count} rules)" in result.output
    assert f"{len(RULES)} rules" in result.output
    assert "LOG-001" in result.output
