"""Month arithmetic on `YYYY-MM` period text."""

import pandas as pd


def shift_period(period: str, months: int) -> str:
    """The period `months` later (negative: earlier)."""
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def window(period: str, depth: int) -> list[str]:
    """`period` and the `depth` months before it, oldest first."""
    return [shift_period(period, -lag) for lag in range(depth, -1, -1)]


def month_index(periods: pd.Series) -> pd.Series:
    """`YYYY-MM` as a month count, so that lags are plain integer shifts (unparsable: NaN)."""
    text = periods.astype(str)
    year = pd.to_numeric(text.str.slice(0, 4), errors="coerce")
    month = pd.to_numeric(text.str.slice(5, 7), errors="coerce")
    return year * 12 + month - 1
