"""generate_dataset: the static fleet once, then the months in chunks appended to the files.

Random streams are keyed by purpose (and month), so the clean data do not depend on the fault
rate nor on the chunking, and the same seed always writes the same bytes.
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
from synthetic.periods import Month, month_range
from synthetic.physics import draw_outages, reported_co2, simulate_month
from synthetic.regions import regions_table
from synthetic.reports import draw_report_dates, report_ids, test_reports
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
    FAULT_PLAN = 100
    FAULT_MONTH = 101


@dataclass
class GenerationSummary:
    out: Path
    scale: str
    seed: int
    months: int
    format: str
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
) -> GenerationSummary:
    """Write a synthetic dataset (contract version 1) and its ground truth `faults` into `out`.

    `progress(done, total)` is called after each month.
    """
    if scale not in SCALE_ENTERPRISES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALE_ENTERPRISES)}")
    if months < 1:
        raise ValueError("months must be at least 1")
    if not 0 <= fault_rate < 1:
        raise ValueError("fault_rate must be in [0, 1)")
    started = time.perf_counter()

    def rng(*key: int) -> np.random.Generator:
        return np.random.default_rng([seed, *key])

    calendar = month_range(start_period, months)
    fleet = build_fleet(scale, rng(Stream.FLEET))
    units = fleet.units
    offline = draw_outages(len(units), calendar, rng(Stream.OUTAGES))
    plan = plan_faults(units, ~offline, calendar, fault_rate, rng(Stream.FAULT_PLAN))
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
                frames, injected, truth = _month(
                    fleet, plan, month, offline[:, month.index], previous, seed
                )
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


def _month(
    fleet: Fleet,
    plan: FaultPlan,
    month: Month,
    offline: np.ndarray,
    previous: pd.DataFrame | None,
    seed: int,
) -> tuple[dict[str, pd.DataFrame], InjectedMonth, pd.DataFrame]:
    """One month's three monthly tables, the injected values and the truth."""
    units = fleet.units
    n = len(units)
    online = ~offline
    truth = simulate_month(
        units, month, offline, np.random.default_rng([seed, Stream.MONTH, month.index])
    )
    sample, report_date, submit_delay = draw_report_dates(
        n, month, np.random.default_rng([seed, Stream.REPORTS, month.index])
    )
    injected = inject_month(
        plan,
        month,
        truth,
        previous,
        report_date,
        np.random.default_rng([seed, Stream.FAULT_MONTH, month.index]),
    )
    reports = test_reports(
        units,
        month,
        injected.report_carbon_pct,
        truth["coal_ncv_gj_t"].to_numpy(),
        sample,
        injected.report_date,
        online,
    )
    external = external_month(
        units, truth, np.random.default_rng([seed, Stream.EXTERNAL, month.index])
    )
    external["cems_co2_t"] = np.round(external["cems_co2_t"].to_numpy() * injected.cems_factor, 3)
    external.insert(0, "unit_id", units["unit_id"].to_numpy(str))
    external.insert(1, "period", month.period)

    # Outage months have no test report; their submission follows the month's end.
    submitted = np.where(
        online,
        injected.report_date + submit_delay,
        month.last_day + submit_delay + np.timedelta64(5, "D"),
    )
    current = injected.reported.copy()
    current.insert(0, "unit_id", units["unit_id"].to_numpy(str))
    current.insert(1, "period", month.period)
    current.insert(2, "revision", 1)
    current["carbon_report_id"] = pd.Series(
        report_ids(units["unit_id"].to_numpy(str), month), dtype="string"
    ).where(online)
    current["submitted_on"] = np.datetime_as_string(submitted.astype("datetime64[D]"), unit="D")
    unit_month = _with_resubmissions(
        current, online, np.random.default_rng([seed, Stream.REVISIONS, month.index])
    )
    frames = {"test_reports": reports, "unit_month": unit_month, "external_month": external}
    return frames, injected, truth


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
