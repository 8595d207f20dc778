"""The months a dataset covers: period text, calendar month, length and day numbers."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class Month:
    index: int  # position in the dataset, 0-based
    period: str  # YYYY-MM
    year: int
    month: int  # 1..12
    first_day: np.datetime64
    days: int

    @property
    def hours(self) -> float:
        return 24.0 * self.days

    @property
    def last_day(self) -> np.datetime64:
        return self.first_day + np.timedelta64(self.days - 1, "D")


def month_range(start_period: str, months: int) -> list[Month]:
    starts = pd.period_range(start=pd.Period(start_period, freq="M"), periods=months, freq="M")
    return [
        Month(
            index=i,
            period=str(p),
            year=p.year,
            month=p.month,
            first_day=np.datetime64(p.start_time.date(), "D"),
            days=p.days_in_month,
        )
        for i, p in enumerate(starts)
    ]


def iso_dates(days: np.ndarray) -> np.ndarray:
    """`YYYY-MM-DD` text for datetime64[D] values."""
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D")
