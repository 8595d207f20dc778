"""generate_dataset: the static fleet once, then the months in chunks appended to the files.

Random streams are keyed by purpose (and month), so the clean data do not depend on the fault
rate nor on the chunking, and the same seed always writes the same bytes. The world's
conventions (synthetic/worlds.py) draw from streams of their own, so the baseline world draws
exactly what the generator always drew.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

import numpy as np
import pandas as pd

from loaders.contract import FAULT_TYPES
from synthetic.annual import annual_tables, enterprise_year_sums
from synthetic.external import external_month
from synthetic.faults import (
    FAULT_COLUMNS,
    FaultPlan,
    InjectedMonth,
    inject_month,
    plan_faults,
)
from synthetic.fleet import SCALE_ENTERPRISES, Fleet, build_fleet
from synthetic.formats import OutputFormat
from synthetic.fuel import FuelPlan, plan_fuel
from synthetic.operation import State, operation_calendar
from synthetic.periods import Month, month_range
from synthetic.physics import DECIMALS, MonthTruth, reported_co2, simulate_month
from synthetic.regions import regions_table
from synthetic.reports import draw_report_dates, report_ids, test_reports
from synthetic.worlds import BASELINE, World
from synthetic.writer import DatasetWriter

MONTHS_PER_CHUNK = 3
# Share of operating unit-months resubmitted after an audit return (revision 2 is current).
RESUBMITTED_SHARE = 0.01


class Stream(IntEnum):
    FLEET = 0
    OUTAGES = 1
    MONTH = 2
    EXTERNAL = 3
    REPORTS = 4
    REVISIONS = 5
    ANNUAL = 6
    CONVENTIONS = 7
    OPERATION = 8
    FUEL = 9
    MONTH_WORLD = 10
    FAULT_PLAN = 100
    FAULT_MONTH = 101


@dataclass
class GenerationSummary:
    out: Path
    scale: str
    seed: int
    months: int
    format: str
    world: World = BASELINE
    enterprises: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    faulted_unit_months: int = 0
    seconds: float = 0.0


ProgressCallback = Callable[[int, int], None]


def generate_dataset(
    out: Path,
    scale: str = "small",
    seed: int = 0,
    fault_rate: float = 0.03,
    months: int = 12,
    start_period: str = "2023-01",
    fmt: str = "csv",
    progress: ProgressCallback | None = None,
    world: World = BASELINE,
    enterprises: int | None = None,
) -> GenerationSummary:
    """Write a synthetic dataset (contract version 1) and its ground truth `faults` into `out`.

    `enterprises` overrides the scale's number of enterprises. `progress(done, total)` is
    called after each month.
    """
    if scale not in SCALE_ENTERPRISES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALE_ENTERPRISES)}")
    if enterprises is not None and enterprises < 1:
        raise ValueError("enterprises must be at least 1")
    if months < 1:
        raise ValueError("months must be at least 1")
    if not 0 <= fault_rate < 1:
        raise ValueError("fault_rate must be in [0, 1)")
    started = time.perf_counter()

    def rng(*key: int) -> np.random.Generator:
        return np.random.default_rng([seed, *key])

    calendar = month_range(start_period, months)
    n_enterprises = SCALE_ENTERPRISES[scale] if enterprises is None else enterprises
    fleet = build_fleet(n_enterprises, world, rng(Stream.FLEET), rng(Stream.CONVENTIONS))
    units = fleet.units
    state = operation_calendar(units, calendar, world, rng(Stream.OUTAGES), rng(Stream.OPERATION))
    fuel = plan_fuel(units, months, world, rng(Stream.FUEL))
    plan = plan_faults(units, state != State.IDLE, calendar, fault_rate, rng(Stream.FAULT_PLAN))
    simulation = _Simulation(fleet, state, fuel, world, seed)
    annual_supply = _annual_supply(simulation, calendar)
    frozen_sum = np.zeros(len(plan.faults))
    frozen_count = np.zeros(len(plan.faults))

    with DatasetWriter(out, OutputFormat(fmt)) as writer:
        _write_static(writer, fleet)
        previous: pd.DataFrame | None = None
        sums: list[pd.DataFrame] = []
        for first in range(0, months, MONTHS_PER_CHUNK):
            chunk = calendar[first : first + MONTHS_PER_CHUNK]
            tables: dict[str, list[pd.DataFrame]] = {
                "test_reports": [],
                "unit_month": [],
                "external_month": [],
            }
            for month in chunk:
                frames, injected, truth = _month(simulation, plan, month, annual_supply, previous)
                for name, frame in frames.items():
                    tables[name].append(frame)
                np.add.at(frozen_sum, injected.frozen_fault, injected.frozen_deviation)
                np.add.at(frozen_count, injected.frozen_fault, 1)
                sums.append(enterprise_year_sums(units, month.year, injected.reported, truth))
                previous = injected.reported
                if progress is not None:
                    progress(month.index + 1, months)
            for name, frames_of_table in tables.items():
                writer.write(name, pd.concat(frames_of_table, ignore_index=True))
            sums = [pd.concat(sums).groupby(["enterprise_id", "year"], as_index=False).sum()]

        annual = annual_tables(
            pd.concat(sums), fleet.enterprises, fleet.verifier_pools, rng(Stream.ANNUAL)
        )
        for name, frame in annual.items():
            writer.write(name, frame)
        faults = _faults_table(plan, frozen_sum, frozen_count)
        writer.write("faults", faults)
        rows = dict(writer.rows)

    counts = faults["fault_type"].value_counts()
    return GenerationSummary(
        out=out,
        scale=scale,
        seed=seed,
        months=months,
        format=fmt,
        world=world,
        enterprises=n_enterprises,
        rows=rows,
        faults={t: int(counts.get(t, 0)) for t in FAULT_TYPES},
        faulted_unit_months=len(plan.months),
        seconds=time.perf_counter() - started,
    )


def _write_static(writer: DatasetWriter, fleet: Fleet) -> None:
    writer.write("regions", regions_table())
    writer.write("groups", fleet.groups)
    writer.write("enterprises", fleet.enterprises)
    writer.write("units", fleet.units)
    writer.write("verifiers", fleet.verifiers)
    writer.write("labs", fleet.labs)


@dataclass(frozen=True)
class _Simulation:
    """What every month of one dataset is simulated from."""

    fleet: Fleet
    state: np.ndarray
    fuel: FuelPlan
    world: World
    seed: int

    def simulate(self, month: Month) -> MonthTruth:
        i = month.index
        return simulate_month(
            self.fleet.units,
            month,
            self.state[:, i],
            self.fuel.ncv_mean[:, i],
            self.fuel.carbon_per_heat[:, i],
            self.world,
            np.random.default_rng([self.seed, Stream.MONTH, i]),
            np.random.default_rng([self.seed, Stream.MONTH_WORLD, i]),
        )


def _annual_supply(simulation: _Simulation, calendar: list[Month]) -> np.ndarray | None:
    """(unit, month) net supply an annual respondent reports: its net supply of each year
    (of the months covered) spread evenly over those months; None without respondents.

    The months are simulated once more for this: each month's draws are its own, so the
    second simulation gives the same values as the one written.
    """
    respondent = simulation.fleet.units["annual_respondent"].to_numpy()
    if not respondent.any():
        return None
    supply = np.column_stack([simulation.simulate(m).physical_supply_mwh for m in calendar])
    years = np.array([m.year for m in calendar])
    flat = np.empty_like(supply)
    for year in np.unique(years):
        in_year = years == year
        flat[:, in_year] = supply[:, in_year].mean(axis=1, keepdims=True)
    return np.where(respondent[:, None], np.round(flat, DECIMALS["power_supply_mwh"]), supply)


def _month(
    simulation: _Simulation,
    plan: FaultPlan,
    month: Month,
    annual_supply: np.ndarray | None,
    previous: pd.DataFrame | None,
) -> tuple[dict[str, pd.DataFrame], InjectedMonth, pd.DataFrame]:
    """One month's three monthly tables, the injected values and the truth."""
    fleet, world, seed = simulation.fleet, simulation.world, simulation.seed
    units = fleet.units
    n = len(units)
    online = simulation.state[:, month.index] != State.IDLE
    with_report = online & units["has_test_reports"].to_numpy()
    truth = simulation.simulate(month)
    if annual_supply is not None:
        truth.reported["power_supply_mwh"] = annual_supply[:, month.index]
    sample, report_date, submit_delay = draw_report_dates(
        n, month, world, np.random.default_rng([seed, Stream.REPORTS, month.index])
    )
    injected = inject_month(
        plan,
        month,
        truth.reported,
        previous,
        report_date,
        np.random.default_rng([seed, Stream.FAULT_MONTH, month.index]),
    )
    reports = test_reports(
        units,
        month,
        injected.report_carbon_pct,
        truth.reported["coal_ncv_gj_t"].to_numpy(),
        sample,
        injected.report_date,
        with_report,
    )
    external = external_month(
        units,
        truth,
        world,
        np.random.default_rng([seed, Stream.EXTERNAL, month.index]),
        cems_drifting=injected.cems_factor != 1,
    )
    external["cems_co2_t"] = np.round(external["cems_co2_t"].to_numpy() * injected.cems_factor, 3)
    external.insert(0, "unit_id", units["unit_id"].to_numpy(str))
    external.insert(1, "period", month.period)

    # Data are submitted after the month's end and after the test report; outage months have
    # no report and follow the month's end.
    submitted = np.where(
        online,
        np.maximum(injected.report_date, month.last_day) + submit_delay,
        month.last_day + submit_delay + np.timedelta64(5, "D"),
    )
    current = injected.reported.copy()
    current.insert(0, "unit_id", units["unit_id"].to_numpy(str))
    current.insert(1, "period", month.period)
    current.insert(2, "revision", 1)
    current["carbon_report_id"] = pd.Series(
        report_ids(units["unit_id"].to_numpy(str), month), dtype="string"
    ).where(with_report)
    current["submitted_on"] = np.datetime_as_string(submitted.astype("datetime64[D]"), unit="D")
    unit_month = _with_resubmissions(
        current, online, np.random.default_rng([seed, Stream.REVISIONS, month.index])
    )
    frames = {"test_reports": reports, "unit_month": unit_month, "external_month": external}
    return frames, injected, truth.reported


def _with_resubmissions(
    current: pd.DataFrame, online: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """A few unit-months were returned by the audit: the first submission (revision 1) had a
    wrong coal figure; the corrected one (revision 2) came 2–6 weeks later and is current."""
    n = len(current)
    returned = online & (rng.random(n) < RESUBMITTED_SHARE)
    error = rng.uniform(0.01, 0.04, n) * np.where(rng.random(n) < 0.5, -1, 1)
    delay = rng.integers(14, 43, n).astype("timedelta64[D]")
    first = current[returned].copy()
    first["coal_consumption_t"] = np.round(first["coal_consumption_t"] * (1 + error[returned]), 2)
    first["reported_co2_t"] = reported_co2(first)
    corrected = current.copy()
    corrected_dates = current["submitted_on"].to_numpy().astype("datetime64[D]") + delay
    corrected.loc[returned, "revision"] = 2
    corrected.loc[returned, "submitted_on"] = np.datetime_as_string(
        corrected_dates[returned], unit="D"
    )
    return (
        pd.concat([corrected, first], ignore_index=True)
        .sort_values(["unit_id", "revision"], kind="stable")
        .reset_index(drop=True)
    )


def _faults_table(
    plan: FaultPlan, frozen_sum: np.ndarray, frozen_count: np.ndarray
) -> pd.DataFrame:
    faults = plan.faults.copy()
    frozen = faults["fault_type"].to_numpy(str) == "frozen_series"
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_deviation = frozen_sum / frozen_count
    faults["magnitude"] = np.round(
        np.where(frozen, mean_deviation, faults["magnitude"].to_numpy(float)), 4
    )
    faults["unit_id"] = faults["unit_id"].astype("string")
    faults["root_entity"] = faults["root_entity"].replace("", None).astype("string")
    return faults.loc[:, list(FAULT_COLUMNS)]
