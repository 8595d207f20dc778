"""Slow faults: a monitor drifting a percent a month, a figure shaded a little more each month.

Each month of such a fault hides inside the noise, but the months add up. A two-sided CUSUM on
a unit's series of normal scores of one relation (S_t = max(0, S_{t−1} + s_t − k), and its mirror
for downward drifts) accumulates them. Its null is the fleet's own: the largest excursion each
unit reaches, whose distribution has an exponential tail (Siegmund, "Sequential Analysis",
1985); the tail is fitted between the fleet's 75th and 95th percentiles, which a few drifting
units cannot move. An alarm's episode runs from the last month S stood at zero to the month it
peaked, and its p-value goes to the months of the episode that moved S towards the alarm (a
month of noise inside it is not part of the drift).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

# The exponential tail of the fleet's largest excursions is fitted between these quantiles.
CENTRE, SHOULDER = 0.75, 0.95


def _series(
    scores: np.ndarray, units: np.ndarray, months: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scores as a (units × months) matrix (NaN where absent), with each row's unit and
    month positions."""
    unit_codes, unit_index = np.unique(units, return_inverse=True)
    first = months.min() if months.size else 0
    span = int(months.max() - first + 1) if months.size else 0
    matrix = np.full((len(unit_codes), span), np.nan)
    matrix[unit_index, months - first] = scores
    return matrix, unit_index, months - first


def cusum_paths(matrix: np.ndarray, reference: float) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower CUSUM paths of each row of `matrix` (a missing month carries S over)."""
    upper = np.zeros_like(matrix)
    lower = np.zeros_like(matrix)
    up = np.zeros(matrix.shape[0])
    down = np.zeros(matrix.shape[0])
    for t in range(matrix.shape[1]):
        x = matrix[:, t]
        seen = np.isfinite(x)
        up = np.where(seen, np.maximum(0.0, up + np.nan_to_num(x) - reference), up)
        down = np.where(seen, np.maximum(0.0, down - np.nan_to_num(x) - reference), down)
        upper[:, t] = up
        lower[:, t] = down
    return upper, lower


@dataclass
class DriftNull:
    """The null of a unit's largest CUSUM excursion on one relation, fitted on the fleet."""

    reference: float = 0.5
    min_units: int = 20

    def fit(self, matrix: np.ndarray) -> "DriftNull":
        maxima = largest_excursions(matrix, self.reference)[np.isfinite(matrix).sum(axis=1) >= 3]
        self.n_ = int(maxima.size)
        if self.n_ < self.min_units:
            self.centre_, self.rate_ = np.inf, 0.0
            return self
        self.centre_ = float(np.quantile(maxima, CENTRE))
        spread = float(np.quantile(maxima, SHOULDER)) - self.centre_
        self.rate_ = np.log((1 - CENTRE) / (1 - SHOULDER)) / spread if spread > 0 else 0.0
        return self

    def p_values(self, maxima: np.ndarray) -> np.ndarray:
        """P(largest excursion ≥ observed) under the fleet's null (1 below its centre, and
        everywhere when the fleet was too small to fit one)."""
        if not np.isfinite(self.centre_):
            return np.ones(len(maxima))
        tail = (1 - CENTRE) * np.exp(-self.rate_ * (maxima - self.centre_))
        return np.clip(np.where(maxima > self.centre_, tail, 1.0), 1e-300, 1.0)

    def describe(self) -> dict[str, float]:
        return {"units": self.n_, "centre": round(self.centre_, 4), "rate": round(self.rate_, 4)}


def largest_excursions(matrix: np.ndarray, reference: float) -> np.ndarray:
    upper, lower = cusum_paths(matrix, reference)
    return np.maximum(upper.max(axis=1, initial=0.0), lower.max(axis=1, initial=0.0))


def drift_matrix(
    scores: np.ndarray, frame: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    units = frame["unit_id"].astype(str).to_numpy()
    period = frame["period"].astype(str)
    months = (
        period.str.slice(0, 4).astype(int) * 12 + period.str.slice(5, 7).astype(int)
    ).to_numpy()
    return _series(np.where(np.isfinite(scores), scores, np.nan), units, months)


def drift_p_values(scores: np.ndarray, frame: pd.DataFrame, null: DriftNull) -> np.ndarray:
    """Per row, the p-value of its unit's drift episode when the row lies inside one (1
    elsewhere). Two-sided: the larger of the upward and downward excursions, doubled."""
    matrix, unit_index, month_pos = drift_matrix(scores, frame)
    upper, lower = cusum_paths(matrix, null.reference)
    rising = upper.max(axis=1) >= lower.max(axis=1)
    path = np.where(rising[:, None], upper, lower)
    peak_at = path.argmax(axis=1)
    peak = path[np.arange(len(path)), peak_at]
    p_unit = null.p_values(peak)
    # The episode: from the month after S last stood at zero, up to the peak.
    positions = np.arange(path.shape[1])[None, :]
    zero_before = np.where((path == 0) & (positions <= peak_at[:, None]), positions, -1).max(axis=1)
    towards = np.where(rising[:, None], matrix, -matrix) > null.reference
    inside = (
        (positions > zero_before[:, None])
        & (positions <= peak_at[:, None])
        & np.isfinite(matrix)
        & towards
    )
    row_inside = inside[unit_index, month_pos]
    return np.where(row_inside, p_unit[unit_index], 1.0)


def proving_months(months: pd.DataFrame, flagged: pd.Series, eligible: pd.Series) -> pd.Series:
    """The month whose own evidence flags each month: itself for a `flagged` one; in an
    unbroken run of a unit's consecutive `eligible` months (each listed on its own, with the
    same root parameter), the first flagged month after it; None for the rest. A drift's first
    months are listed but weak; once a later month of the run proves the fault, the run's start
    is its change point (Page 1954), not a new alarm. `months` is sorted by unit and period."""
    month = months["period"].str.slice(0, 4).astype(int) * 12 + months["period"].str.slice(
        5, 7
    ).astype(int)
    root = months["root_parameter"]
    unit = months["unit_id"]
    continues = (
        eligible
        & eligible.shift(fill_value=False)
        & (unit == unit.shift())
        & (month - month.shift() == 1)
        & (root == root.shift())
    )
    run = (~continues).cumsum()
    # Only months before a flag of their run join it: a drift's change point precedes its
    # alarm, while weak months after one are a fault that has faded or a month that moved on.
    proof = months["period"].astype(object).where(flagged).groupby(run).bfill()
    return proof.where((flagged | eligible) & proof.notna(), None)
