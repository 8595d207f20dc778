"""Many checks, one decision: combining p-values that are not independent, and controlling
how many of a fleet's flags are false.

A unit-month has dozens of checks and they move together (a wrong coal figure moves fuel heat,
CO2 and the heat rate at once), so their p-values are combined with the Cauchy combination
(Liu & Xie, "Cauchy combination test", JASA 2020), which stays valid under arbitrary
dependence in the tail. Across unit-months, Benjamini–Hochberg bounds the share of flags that
are false.
"""

import numpy as np
import pandas as pd

# p-values this close to 0 or 1 are clipped so tan() stays finite.
_EDGE = 1e-15


def cauchy_statistic(p_values: np.ndarray) -> np.ndarray:
    """tan((0.5 − p)·π) of each p-value; their mean is the Cauchy combination statistic."""
    p = np.clip(np.asarray(p_values, dtype=float), _EDGE, 1.0 - _EDGE)
    # For tiny p, tan((0.5 - p)π) ≈ 1 / (pπ): the exact form avoids cancellation.
    return np.where(p < 1e-6, 1.0 / (p * np.pi), np.tan((0.5 - p) * np.pi))


def cauchy_combine(p_values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """The combined p-value of each group of `p_values` (missing ones skipped)."""
    statistic = pd.Series(cauchy_statistic(p_values.to_numpy()), index=p_values.index)
    mean = statistic.groupby(groups, sort=False).mean()
    values = mean.to_numpy(dtype=float)
    combined = np.where(values > 1e6, 1.0 / (values * np.pi), 0.5 - np.arctan(values) / np.pi)
    return pd.Series(np.clip(combined, 0.0, 1.0), index=mean.index)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """BH-adjusted q-values, in the input order."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return np.array([], dtype=float)
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(m, dtype=float)
    q[order] = np.minimum(adjusted, 1.0)
    return q
