"""How precisely figures are written, read off the figures themselves.

Two figures that must agree (a recomputation, a document's value) can only disagree by the
rounding they were written with: a CO2 figure to 3 decimals, a carbon content to 2. The
tolerance of an equality is therefore a property of the data, not a constant.
"""

import numpy as np

MAX_DECIMALS = 6


def decimals(values: np.ndarray) -> np.ndarray:
    """The number of decimals each value is written with (0–6; NaN for missing values)."""
    x = np.abs(np.asarray(values, dtype=float))
    places = np.full(x.shape, np.nan)
    todo = np.isfinite(x)
    for k in range(MAX_DECIMALS + 1):
        scaled = x * 10.0**k
        whole = np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, scaled)
        places = np.where(todo & whole, k, places)
        todo &= ~whole
    return np.where(todo, MAX_DECIMALS, places)


def relative_rounding(values: np.ndarray) -> np.ndarray:
    """Half a unit of the last written decimal, relative to the value (NaN for 0 or missing)."""
    x = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(x) > 0, 0.5 * 10.0 ** (-decimals(x)) / np.abs(x), np.nan)
