"""The prevalence guard on small hand-made fleets: what a check says, alone, of a large share of
a fleet is that fleet's convention, and what it says of most months of one unit is that unit's
condition; each is reported once and drives no monthly flags. A physical impossibility is a
fact however common it is."""

import numpy as np
import pandas as pd
import pytest

from engine.engine import EngineResult, UnitMonthEngine
from engine.evidence import HARD_P
from engine.policy import DEFAULT_POLICY, ScoringPolicy
from tests import engine_fleets as ef

N_UNITS, N_MONTHS, SEED = 40, 24, 0
ALPHA = DEFAULT_POLICY.false_alarm_share
# The same engine without a prevalence guard: what the patterns would otherwise do.
UNGUARDED = ScoringPolicy(prevalence_share=1.0, unit_prevalence_share=1.0)
CONTRACT_UNITS = ("U003", "U013", "U023", "U033")
HIGH_CEMS_UNIT = "U007"


@pytest.fixture(scope="module")
def honest() -> pd.DataFrame:
    return ef.fleet(N_UNITS, N_MONTHS, seed=SEED)


def _score(frame: pd.DataFrame, policy: ScoringPolicy = DEFAULT_POLICY) -> EngineResult:
    return UnitMonthEngine(policy).fit(frame).score(frame)


def _patterns(result: EngineResult, check_id: str) -> list[dict[str, object]]:
    return [p for p in result.patterns if p["check_id"] == check_id]


# --- a convention of the fleet ------------------------------------------------------------------


@pytest.fixture(scope="module")
def contract_fleet(honest: pd.DataFrame) -> pd.DataFrame:
    """A tenth of the fleet buys its station power on a fixed half-year contract: the same
    purchased electricity each month of a half-year, consistent with everything else. The copy
    rule fires from the third month of each half on, and nothing corroborates it. (One value
    all year would be an annual figure, engine.annual_figures.)"""
    frame = honest.copy()
    half = frame["period"].str.slice(5, 7).astype(int).gt(6).astype(float)
    for unit in CONTRACT_UNITS:
        at = (frame["unit_id"] == unit).to_numpy()
        frame.loc[at, "purchased_electricity_mwh"] = 250.0 + 10.0 * half[at]
        ef.enterprise_recomputes(frame, at)
    return frame


def test_a_check_firing_alone_on_much_of_the_fleet_is_reported_once_as_a_convention(
    contract_fleet: pd.DataFrame,
) -> None:
    result = _score(contract_fleet)
    found = _patterns(result, "LOG-030")
    assert len(found) == 1
    (pattern,) = found
    assert pattern["scope"] == "fleet"
    assert pattern["unit_id"] is None
    assert isinstance(pattern["share"], float)
    assert pattern["share"] > DEFAULT_POLICY.prevalence_share
    examples = pattern["example_units"]
    assert isinstance(examples, list)
    assert len(examples) > 0
    assert set(examples) <= set(CONTRACT_UNITS)
    months = result.unit_months
    assert not months.loc[months["unit_id"].isin(CONTRACT_UNITS), "flagged"].any()
    assert int(months["flagged"].sum()) <= 2 * ALPHA * len(months)


def test_without_the_guard_the_same_convention_would_flag_its_units(
    contract_fleet: pd.DataFrame,
) -> None:
    months = _score(contract_fleet, UNGUARDED).unit_months
    contract = months[months["unit_id"].isin(CONTRACT_UNITS)]
    assert contract["flagged"].mean() > 0.5


# --- a condition of one unit --------------------------------------------------------------------


@pytest.fixture(scope="module")
def high_cems(honest: pd.DataFrame) -> pd.DataFrame:
    """One unit's CEMS analyser reads 10 % high against its peers, every month."""
    frame = honest.copy()
    at = (frame["unit_id"] == HIGH_CEMS_UNIT).to_numpy()
    frame.loc[at, "cems_co2_t"] = (frame.loc[at, "cems_co2_t"] * 1.10).round(1)
    return frame


PEER_CEMS = "cross_check:cems_co2_t->total_co2_t:peer"


def test_a_relation_off_on_most_months_of_one_unit_is_one_unit_pattern(
    high_cems: pd.DataFrame,
) -> None:
    result = _score(high_cems)
    unit_patterns = [p for p in result.patterns if p["unit_id"] == HIGH_CEMS_UNIT]
    assert len(unit_patterns) > 0
    ids = [p["check_id"] for p in unit_patterns]
    assert len(ids) == len(set(ids))
    assert PEER_CEMS in ids
    (peer,) = [p for p in unit_patterns if p["check_id"] == PEER_CEMS]
    assert peer["scope"] == "unit"
    assert isinstance(peer["share"], float)
    assert peer["share"] > DEFAULT_POLICY.unit_prevalence_share
    periods = peer["periods"]
    assert isinstance(periods, list)
    assert len(periods) >= DEFAULT_POLICY.persistent_months
    # Nobody else's CEMS is a persistent condition.
    cems_units = {p["unit_id"] for p in result.patterns if p["check_id"] == PEER_CEMS}
    assert cems_units == {HIGH_CEMS_UNIT}


def test_a_units_persistent_condition_drives_no_monthly_flags_from_its_check(
    high_cems: pd.DataFrame,
) -> None:
    guarded = _score(high_cems)
    unguarded = _score(high_cems, UNGUARDED)
    persistent = {p["check_id"] for p in guarded.patterns if p["unit_id"] == HIGH_CEMS_UNIT}
    assert PEER_CEMS in persistent

    def firing(result: EngineResult) -> pd.DataFrame:
        checks = result.checks
        return checks[
            (checks["unit_id"] == HIGH_CEMS_UNIT)
            & checks["check_id"].isin(persistent)
            & (checks["p"] <= ALPHA)
        ]

    assert len(firing(unguarded)) >= N_MONTHS / 2
    assert firing(guarded).empty
    months = guarded.unit_months
    assert not months.loc[months["unit_id"] == HIGH_CEMS_UNIT, "flagged"].any()


# --- physical impossibilities -------------------------------------------------------------------


@pytest.fixture(scope="module")
def swapped() -> tuple[np.ndarray, EngineResult]:
    """A tenth of the running unit-months have net supply and gross generation swapped: net
    supply above gross, common enough to look like a convention."""
    frame = ef.fleet(N_UNITS, N_MONTHS, seed=SEED)
    rng = np.random.default_rng(3)
    rows = (frame["operating_hours"] > 0).to_numpy() & (rng.random(len(frame)) < 0.1)
    gross = frame.loc[rows, "power_generation_mwh"].copy()
    frame.loc[rows, "power_generation_mwh"] = frame.loc[rows, "power_supply_mwh"]
    frame.loc[rows, "power_supply_mwh"] = gross
    ef.enterprise_recomputes(frame, rows)
    assert rows.mean() > 2 * DEFAULT_POLICY.prevalence_share
    return rows, _score(frame)


def test_net_supply_above_gross_is_never_a_convention_however_common(
    swapped: tuple[np.ndarray, EngineResult],
) -> None:
    rows, result = swapped
    assert _patterns(result, "LOG-001") == []
    months = result.unit_months
    breached = months[rows]
    assert len(breached) > 50
    assert (breached["p_value"] <= ALPHA).all()
    assert (breached["status"] != "clear").all()
    checks = result.checks.merge(breached[["unit_id", "period"]], on=["unit_id", "period"])
    log_001 = checks[checks["check_id"] == "LOG-001"]
    assert len(log_001) == len(breached)
    assert (log_001["p"] == HARD_P).all()


def test_net_supply_above_gross_is_flagged_in_its_own_month_however_common(
    swapped: tuple[np.ndarray, EngineResult],
) -> None:
    rows, result = swapped
    breached = result.unit_months[rows]
    assert len(breached) > 50
    assert (breached["root_period"] == breached["period"]).all()
    assert breached["flagged"].all()


# --- a small fleet ------------------------------------------------------------------------------

SMALL_UNITS, SMALL_MONTHS = 6, 12
RECOMPUTATION = "LOG-010"


@pytest.fixture(scope="module")
def small_fleet_slip() -> tuple[pd.DataFrame, np.ndarray]:
    """Six units for a year; one of them reports a CO2 total 10 % below its own inputs in two
    months: 2.8 % of the fleet's unit-months, over the convention share, all in one enterprise."""
    frame = ef.fleet(SMALL_UNITS, SMALL_MONTHS, seed=SEED)
    months = ef.periods(SMALL_MONTHS)[4:6]
    rows = ef.rows_of(frame, ef.steady_unit(frame, months), months)
    ef.mistype_co2(frame, rows)
    assert rows.sum() / len(frame) > DEFAULT_POLICY.prevalence_share
    return frame, rows


def test_a_few_months_of_one_enterprise_in_a_small_fleet_are_not_its_convention(
    small_fleet_slip: tuple[pd.DataFrame, np.ndarray],
) -> None:
    frame, rows = small_fleet_slip
    result = _score(frame)
    assert _patterns(result, RECOMPUTATION) == []
    months = result.unit_months
    assert months[rows]["flagged"].all()
    assert (months[rows]["top_parameter"] == "reported_co2_t").all()
