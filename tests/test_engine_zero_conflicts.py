"""A figure reported as zero beside one that says the unit ran, on a small hand-made fleet: the
month's other activity figures name the wrong one and give it its expected value."""

import numpy as np
import pandas as pd
import pytest

from engine.engine import EngineResult, UnitMonthEngine
from tests import engine_fleets as ef

N_UNITS, N_MONTHS, SEED = 30, 24, 3
PERIODS = ef.periods(N_MONTHS)
MONTH = PERIODS[15]


@pytest.fixture(scope="module")
def honest() -> pd.DataFrame:
    return ef.fleet(N_UNITS, N_MONTHS, seed=SEED)


def _root(frame: pd.DataFrame, unit: str) -> pd.Series:
    result: EngineResult = UnitMonthEngine().fit(frame).score(frame)
    rows = result.unit_months
    return rows[(rows["unit_id"] == unit) & (rows["period"] == MONTH)].iloc[0]


def _a_steady_month(honest: pd.DataFrame) -> tuple[pd.DataFrame, str, np.ndarray]:
    """A copy of the fleet, a unit on line all of MONTH, and that month's row."""
    unit = ef.steady_unit(honest, [MONTH])
    frame = honest.copy()
    return frame, unit, ef.rows_of(frame, unit, [MONTH])


def test_gross_generation_left_at_zero_in_a_month_the_unit_ran_is_the_root(
    honest: pd.DataFrame,
) -> None:
    frame, unit, rows = _a_steady_month(honest)
    truth = float(frame.loc[rows, "power_generation_mwh"].iloc[0])
    frame.loc[rows, "power_generation_mwh"] = 0.0
    root = _root(frame, unit)
    assert root["flagged"]
    assert root["top_parameter"] == "power_generation_mwh"
    # Its expected value: the month's net supply at the unit's own ratio of gross to net.
    assert root["root_expected"] == pytest.approx(truth, rel=0.05)


def test_net_supply_typed_into_a_month_the_unit_stood_idle_is_the_root_at_zero(
    honest: pd.DataFrame,
) -> None:
    frame, unit, rows = _a_steady_month(honest)
    ef.idle(frame, rows, np.random.default_rng(SEED))
    frame.loc[rows, "power_supply_mwh"] = 5000.0
    root = _root(frame, unit)
    assert root["flagged"]
    assert root["top_parameter"] == "power_supply_mwh"
    assert root["root_expected"] == 0.0


def test_a_zero_whose_mending_breaks_the_months_own_rules_is_not_named(
    honest: pd.DataFrame,
) -> None:
    """Gross generation at 0 in a start-up month of two hours on line beside a full month's
    net supply: the gross the net implies could not be generated in two hours, so the zero is
    no explanation."""
    frame, unit, rows = _a_steady_month(honest)
    frame.loc[rows, "power_generation_mwh"] = 0.0
    frame.loc[rows, "operating_hours"] = 2.0
    root = _root(frame, unit)
    assert root["flagged"]
    assert root["top_parameter"] != "power_generation_mwh"
