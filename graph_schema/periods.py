"""Month arithmetic on `YYYY-MM` period text."""

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike


def shift_period(period: str, months: int) -> str:
    """The period `months` later (negative: earlier)."""
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift_periods(periods: ArrayLike, months: ArrayLike) -> np.ndarray:
    """Each period shifted by its own number of months; a fleet has few distinct pairs, so
    each is computed once."""
    pairs = pd.DataFrame(
        {"period": np.asarray(periods, dtype=object), "months": np.asarray(months, dtype=int)}
    )
    distinct = pairs.drop_duplicates()
    shifted = pd.Series(
        [shift_period(p, m) for p, m in zip(distinct["period"], distinct["months"], strict=True)],
        index=pd.MultiIndex.from_frame(distinct),
        dtype=object,
    )
    return shifted.reindex(pd.MultiIndex.from_frame(pairs)).to_numpy(dtype=object)


def window(period: str, depth: int) -> list[str]:
    """`period` and the `depth` months before it, oldest first."""
    return [shift_period(period, -lag) for lag in range(depth, -1, -1)]


def month_index(periods: pd.Series) -> pd.Series:
    """`YYYY-MM` as a month count, so that lags are plain integer shifts (unparsable: NaN)."""
    text = periods.astype(str)
    year = pd.to_numeric(text.str.slice(0, 4), errors="coerce")
    month = pd.to_numeric(text.str.slice(5, 7), errors="coerce")
    return year * 12 + month - 1
