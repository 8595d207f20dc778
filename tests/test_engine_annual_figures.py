"""Annual figures spread over months, on a small hand-made fleet: units that report net supply
once a year, spread evenly over its months (EIA-923's annual respondents), get one pattern each
and no monthly flags from it, while a few copied months of net supply are still a fault."""

import numpy as np
import pandas as pd
import pytest

from engine.annual_figures import PATTERN_PREFIX, annual_figures
from engine.engine import EngineResult, UnitMonthEngine
from tests import engine_fleets as ef

N_UNITS, N_MONTHS, SEED = 40, 24, 0
ANNUAL_UNITS = ("U005", "U015", "U025")
PATTERN = PATTERN_PREFIX + "power_supply_mwh"


def _spread_supply(frame: pd.DataFrame, unit: str) -> None:
    """The unit's net supply of each year, spread evenly over the year's months."""
    at = (frame["unit_id"] == unit).to_numpy()
    year = frame.loc[at, "period"].str.slice(0, 4)
    supply = frame.loc[at, "power_supply_mwh"]
    frame.loc[at, "power_supply_mwh"] = supply.groupby(year).transform("mean").round(1)
    frame.loc[at, "grid_sales_mwh"] = frame.loc[at, "power_supply_mwh"]
    ef.enterprise_recomputes(frame, at)


@pytest.fixture(scope="module")
def annual_fleet() -> tuple[pd.DataFrame, str, list[str]]:
    """Three units report annual net supply; another copies one month's net supply into the
    next three (a fault)."""
    frame = ef.fleet(N_UNITS, N_MONTHS, seed=SEED)
    for unit in ANNUAL_UNITS:
        _spread_supply(frame, unit)
    copied = ef.periods(N_MONTHS)[8:11]
    unit = ef.steady_unit(frame, [ef.periods(N_MONTHS)[7], *copied], avoid=ANNUAL_UNITS)
    ef.freeze(frame, unit, "power_supply_mwh", copied)
    return frame, unit, copied


@pytest.fixture(scope="module")
def scored(annual_fleet: tuple[pd.DataFrame, str, list[str]]) -> EngineResult:
    frame = annual_fleet[0]
    return UnitMonthEngine().fit(frame).score(frame)


def test_net_above_gross_happens_in_the_spread_months(
    annual_fleet: tuple[pd.DataFrame, str, list[str]],
) -> None:
    """The fleet is a real test: spreading puts net supply above gross in some months."""
    frame = annual_fleet[0]
    spread = frame[frame["unit_id"].isin(ANNUAL_UNITS)]
    above = spread["power_supply_mwh"] > spread["power_generation_mwh"]
    assert above.sum() >= 3


def test_annual_figures_are_found_per_unit_year_and_copied_months_are_not(
    annual_fleet: tuple[pd.DataFrame, str, list[str]],
) -> None:
    frame, copied_unit, _ = annual_fleet
    found = annual_figures(frame)
    supply = found[found["quantity"] == "power_supply_mwh"]
    assert set(supply["unit_id"]) == set(ANNUAL_UNITS)
    assert len(supply) == len(ANNUAL_UNITS) * N_MONTHS // 12
    assert copied_unit not in set(found["unit_id"])


def test_each_annual_unit_is_one_pattern_and_drives_no_monthly_flag(
    scored: EngineResult,
) -> None:
    patterns = [p for p in scored.patterns if p["check_id"] == PATTERN]
    assert sorted(str(p["unit_id"]) for p in patterns) == sorted(ANNUAL_UNITS)
    for pattern in patterns:
        assert pattern["scope"] == "unit"
        assert pattern["unit_months"] == N_MONTHS
        assert pattern["periods"] == ef.periods(N_MONTHS)
    months = scored.unit_months
    annual = months[months["unit_id"].isin(ANNUAL_UNITS)]
    assert len(annual) == len(ANNUAL_UNITS) * N_MONTHS
    about_supply = annual["top_parameter"] == "power_supply_mwh"
    assert not (annual["status"].ne("clear") & about_supply).any()


def test_a_month_of_net_above_gross_from_spreading_is_not_a_breach(
    annual_fleet: tuple[pd.DataFrame, str, list[str]], scored: EngineResult
) -> None:
    frame = annual_fleet[0]
    spread = frame[frame["unit_id"].isin(ANNUAL_UNITS)]
    above = spread[spread["power_supply_mwh"] > spread["power_generation_mwh"]]
    assert len(above) >= 3
    months = scored.unit_months.merge(above[["unit_id", "period"]], on=["unit_id", "period"])
    assert len(months) == len(above)
    assert not months["flagged"].any()


def test_copied_months_of_net_supply_are_still_flagged(
    annual_fleet: tuple[pd.DataFrame, str, list[str]], scored: EngineResult
) -> None:
    _, unit, copied = annual_fleet
    months = scored.unit_months.set_index(["unit_id", "period"])
    rows = months.loc[[(unit, p) for p in copied]]
    assert rows["flagged"].any()
    assert np.isin(rows.loc[rows["flagged"], "top_parameter"], ["power_supply_mwh"]).all()
