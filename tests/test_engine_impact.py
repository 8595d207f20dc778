"""Impact and materiality through the engine, and the compliance checklist beside it: a root's
tonnes and allowances, a probable finding below the materiality floor listed rather than
flagged, a certain error flagged whatever its size, and a late test report on the checklist,
never in a score or an impact."""

import numpy as np
import pandas as pd
import pytest

from engine.checklist import PROCEDURAL_RULES, checklist_items, per_lab, per_unit_year
from engine.engine import EngineResult, UnitMonthEngine
from engine.impact import BENCHMARK_T_PER_MWH
from engine.policy import DEFAULT_POLICY, ScoringPolicy
from tests import engine_fleets as ef

N_UNITS, N_MONTHS, SEED = 40, 24, 0
PERIODS = ef.periods(N_MONTHS)
FAULT_MONTHS = PERIODS[14:17]
# A materiality floor far above the default: a 5 % fault falls below it.
HIGH_FLOOR = ScoringPolicy(materiality_share=0.1)


@pytest.fixture(scope="module")
def honest() -> pd.DataFrame:
    return ef.fleet(N_UNITS, N_MONTHS, seed=SEED)


@pytest.fixture(scope="module")
def honest_engine(honest: pd.DataFrame) -> UnitMonthEngine:
    return UnitMonthEngine().fit(honest)


def _score(frame: pd.DataFrame, policy: ScoringPolicy = DEFAULT_POLICY) -> EngineResult:
    return UnitMonthEngine(policy).fit(frame).score(frame)


def _rows(result: EngineResult, unit: str, periods: list[str]) -> pd.DataFrame:
    months = result.unit_months
    found = months[(months["unit_id"] == unit) & months["period"].isin(periods)]
    assert len(found) == len(periods)
    return found.set_index("period")


def _column(frame: pd.DataFrame, unit: str, periods: list[str], name: str) -> pd.Series:
    rows = frame[(frame["unit_id"] == unit) & frame["period"].isin(periods)]
    return rows.set_index("period")[name]


# --- tonnes and allowances ----------------------------------------------------------------------


def test_a_consumption_root_owes_the_counterfactual_co2(honest: pd.DataFrame) -> None:
    unit = ef.steady_unit(honest, FAULT_MONTHS)
    frame = honest.copy()
    ef.scale_input(frame, ef.rows_of(frame, unit, FAULT_MONTHS), "coal_consumption_t", 0.85)
    found = _rows(_score(frame), unit, FAULT_MONTHS)
    assert (found["top_parameter"] == "coal_consumption_t").all()
    missing = _column(honest, unit, FAULT_MONTHS, "total_co2_t") - _column(
        frame, unit, FAULT_MONTHS, "reported_co2_t"
    )
    assert (missing > 0).all()
    np.testing.assert_allclose(found["co2_delta_t"], missing, rtol=0.05)
    assert (found["allocation_delta_t"] == 0).all()
    np.testing.assert_allclose(found["impact_cny"], found["impact_t"] * 90.0)
    assert (found["priority"] > 0).all()


def test_a_supply_root_moves_allowances_by_the_class_benchmark(honest: pd.DataFrame) -> None:
    unit = ef.steady_unit(honest, FAULT_MONTHS)
    frame = honest.copy()
    ef.scale_input(frame, ef.rows_of(frame, unit, FAULT_MONTHS), "power_supply_mwh", 1.08)
    found = _rows(_score(frame), unit, FAULT_MONTHS)
    assert (found["top_parameter"] == "power_supply_mwh").all()
    observed = _column(frame, unit, FAULT_MONTHS, "power_supply_mwh")
    benchmark = BENCHMARK_T_PER_MWH[str(frame.loc[frame["unit_id"] == unit, "unit_class"].iloc[0])]
    np.testing.assert_allclose(
        found["allocation_delta_t"], (observed - found["root_expected"]) * benchmark, rtol=1e-9
    )
    over = _column(frame, unit, FAULT_MONTHS, "power_supply_mwh") - _column(
        honest, unit, FAULT_MONTHS, "power_supply_mwh"
    )
    np.testing.assert_allclose(found["allocation_delta_t"], over * benchmark, rtol=0.25)
    # No tonne moves, beyond the rounding of the reported CO2 (0.1 t).
    np.testing.assert_allclose(found["co2_delta_t"], 0.0, atol=0.1)


def test_an_external_roots_impact_is_the_tonnes_its_disagreement_is_worth(
    honest: pd.DataFrame,
) -> None:
    drifting = PERIODS[14:]
    unit = ef.steady_unit(honest, drifting)
    frame = honest.copy()
    ef.drift_cems(frame, unit, drifting[0], per_month=0.02)
    found = _rows(_score(frame), unit, drifting)
    rooted = found[found["top_parameter"] == "cems_co2_t"]
    assert len(rooted) >= len(drifting) / 2
    observed = _column(frame, unit, list(rooted.index), "cems_co2_t")
    np.testing.assert_allclose(rooted["co2_delta_t"], rooted["root_expected"] - observed)
    assert (rooted["co2_delta_t"] < 0).all()
    np.testing.assert_allclose(rooted["impact_t"], -rooted["co2_delta_t"])
    assert (rooted["allocation_delta_t"] == 0).all()


# --- materiality --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_coal_fault(honest: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    unit = ef.steady_unit(honest, FAULT_MONTHS)
    frame = honest.copy()
    ef.scale_input(frame, ef.rows_of(frame, unit, FAULT_MONTHS), "coal_consumption_t", 0.95)
    return frame, unit


def test_a_probable_root_below_the_materiality_floor_is_listed_not_flagged(
    small_coal_fault: tuple[pd.DataFrame, str],
) -> None:
    frame, unit = small_coal_fault
    default = _rows(_score(frame), unit, FAULT_MONTHS)
    flagged = default[default["flagged"]]
    assert len(flagged) > 0
    assert (flagged["top_parameter"] == "coal_consumption_t").all()
    emissions = _column(frame, unit, list(flagged.index), "reported_co2_t")
    share = flagged["impact_t"] / emissions
    assert (share > DEFAULT_POLICY.materiality_share).all()
    assert (share < HIGH_FLOOR.materiality_share).all()
    high = _rows(_score(frame, HIGH_FLOOR), unit, FAULT_MONTHS).loc[flagged.index]
    assert (high["status"] == "listed").all()
    assert (high["top_parameter"] == "coal_consumption_t").all()
    np.testing.assert_allclose(high["impact_t"], flagged["impact_t"])


def test_a_certain_error_is_flagged_whatever_its_size(honest: pd.DataFrame) -> None:
    """A kWh-for-MWh slip in generation moves no tonne of CO2, yet it is certain."""
    slipped = [PERIODS[15]]
    unit = ef.steady_unit(honest, slipped)
    frame = honest.copy()
    at = ef.rows_of(frame, unit, slipped)
    frame.loc[at, "power_generation_mwh"] *= 1000
    ef.recompute(frame, at)
    found = _rows(_score(frame, HIGH_FLOOR), unit, slipped).iloc[0]
    assert found["top_parameter"] == "power_generation_mwh"
    assert found["impact_t"] < 1.0
    assert found["flagged"]


# --- the compliance checklist -------------------------------------------------------------------


@pytest.fixture(scope="module")
def late_report(honest: pd.DataFrame) -> tuple[pd.DataFrame, str, str]:
    """One unit-month's test report issued 55 days after the month's end (the guideline
    allows 40); the data were submitted after it, so only the deadline is missed."""
    unit, period = "U005", PERIODS[10]
    frame = honest.copy()
    at = ef.rows_of(frame, unit, [period])
    month_end = pd.Timestamp(period + "-01") + pd.offsets.MonthEnd(0)
    frame.loc[at, "report_date"] = (month_end + pd.Timedelta(days=55)).strftime("%Y-%m-%d")
    frame.loc[at, "submitted_on"] = (month_end + pd.Timedelta(days=58)).strftime("%Y-%m-%d")
    return frame, unit, period


def test_a_late_test_report_is_a_checklist_item(
    honest: pd.DataFrame, late_report: tuple[pd.DataFrame, str, str]
) -> None:
    frame, unit, period = late_report
    assert checklist_items(honest).empty
    items = checklist_items(frame)
    assert len(items) == 1
    item = items.iloc[0]
    assert (item["unit_id"], item["period"], item["rule_id"]) == (unit, period, "LOG-014")
    assert item["days_beyond"] == pytest.approx(15.0)
    assert item["lab_id"] == frame.loc[ef.rows_of(frame, unit, [period]), "lab_id"].iloc[0]
    by_year = per_unit_year(items)
    assert by_year[["unit_id", "year", "rule_id", "months"]].values.tolist() == [
        [unit, int(period[:4]), "LOG-014", 1]
    ]
    by_lab = per_lab(items)
    assert by_lab[["lab_id", "rule_id", "reports", "units"]].values.tolist() == [
        [item["lab_id"], "LOG-014", 1, 1]
    ]


def test_procedural_rules_never_enter_a_score_or_an_impact(
    honest: pd.DataFrame,
    honest_engine: UnitMonthEngine,
    late_report: tuple[pd.DataFrame, str, str],
) -> None:
    frame, unit, period = late_report
    result = honest_engine.score(frame)
    procedural = {r.rule_id for r in PROCEDURAL_RULES}
    assert len(procedural) >= 5
    assert procedural.isdisjoint(set(result.checks["check_id"]))
    as_if_on_time = honest_engine.score(honest)
    np.testing.assert_array_equal(
        result.unit_months["p_value"].to_numpy(), as_if_on_time.unit_months["p_value"].to_numpy()
    )
    late = _rows(result, unit, [period]).iloc[0]
    assert late["status"] == "clear"
    assert np.isnan(late["impact_t"])
