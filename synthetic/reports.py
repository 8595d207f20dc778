"""test_reports: the monthly coal test report of every operating unit-month that has one.

A plant's lab samples in the world's window (during the month by default) and issues its
report the world's delay after the month's end (within 40 days by default); in the honest case
the report's carbon and NCV are what the unit reports.
"""

import numpy as np
import pandas as pd

from synthetic.periods import Month
from synthetic.worlds import World

# Fewest days from sample to report (preparation and analysis).
LAB_TURNAROUND = np.timedelta64(2, "D")


def report_ids(unit_ids: np.ndarray, month: Month) -> np.ndarray:
    return np.char.add(np.char.add("R", unit_ids.astype(str)), month.period.replace("-", ""))


def draw_report_dates(
    n: int, month: Month, world: World, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    """Sample date in the world's sampling window, report date the world's delay after the
    month's end (never before the lab had the sample), and the delay from the report to the
    enterprise's submission."""
    sample = month.first_day + rng.integers(
        world.sample_start_day, month.days + world.sample_days_past_end, n
    ).astype("timedelta64[D]")
    report = month.last_day + rng.integers(
        world.report_delay_min_days, world.report_delay_max_days + 1, n
    ).astype("timedelta64[D]")
    report = np.maximum(report, sample + LAB_TURNAROUND)
    submit_delay = rng.integers(1, 11, n).astype("timedelta64[D]")
    return sample, report, submit_delay


def test_reports(
    units: pd.DataFrame,
    month: Month,
    carbon_pct: np.ndarray,
    ncv_gj_t: np.ndarray,
    sample_date: np.ndarray,
    report_date: np.ndarray,
    operating: np.ndarray,
) -> pd.DataFrame:
    unit_ids = units["unit_id"].to_numpy(str)
    frame = pd.DataFrame(
        {
            "report_id": report_ids(unit_ids, month),
            "lab_id": units["lab_id"].to_numpy(str),
            "unit_id": unit_ids,
            "period": month.period,
            "sample_date": np.datetime_as_string(sample_date, unit="D"),
            "report_date": np.datetime_as_string(report_date, unit="D"),
            "carbon_pct": carbon_pct,
            "ncv_gj_t": ncv_gj_t,
        }
    )
    return frame[operating].reset_index(drop=True)
