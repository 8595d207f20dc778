"""test_reports: the monthly coal test report of every operating unit-month.

A plant's lab samples during the month and issues its report within 40 days of the month's
end; in the honest case the report's carbon and NCV are what the unit reports.
"""

import numpy as np
import pandas as pd

from synthetic.periods import Month


def report_ids(unit_ids: np.ndarray, month: Month) -> np.ndarray:
    return np.char.add(np.char.add("R", unit_ids.astype(str)), month.period.replace("-", ""))


def draw_report_dates(n: int, month: Month, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Sample date in the month, report date 3–40 days after its end, and the delay from the
    report to the enterprise's submission."""
    sample = month.first_day + rng.integers(0, month.days, n).astype("timedelta64[D]")
    report = month.last_day + rng.integers(3, 41, n).astype("timedelta64[D]")
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
