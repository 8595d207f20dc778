"""The null distribution of a check's standardised residual, fitted on the fleet being scored.

Most unit-months are honest, so the centre of a check's residual distribution is its null
(Efron, "Large-scale simultaneous hypothesis testing", JASA 2004). Real residuals have heavy
tails, so the null is a Student t whose location, scale and degrees of freedom are matched to
the fleet's own median and its 75th and 95th percentiles of |z − median|: the faults a sweep
looks for sit far beyond the 95th percentile of any one check, so they barely move the fit,
while the honest tail of a heavy-tailed fleet (start-ups, part months) widens it. Tail
probabilities and normal scores are then read from the fitted t.
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

# Quantiles of |z - location| the fit matches: the centre and the shoulder of the null.
CENTRE_QUANTILE = 0.75
SHOULDER_QUANTILE = 0.95
# Degrees of freedom the fit may choose: from Cauchy-like tails to the normal.
MIN_DOF, MAX_DOF = 1.0, 200.0
# Smallest p-value kept distinct (its normal score is about 38).
MIN_P = 1e-300


def _ratio(dof: float) -> float:
    """q_shoulder / q_centre of |t_dof|."""
    upper = stats.t.ppf(0.5 + SHOULDER_QUANTILE / 2, dof)
    centre = stats.t.ppf(0.5 + CENTRE_QUANTILE / 2, dof)
    return float(upper / centre)


def _dof_for(ratio: float) -> float:
    """The t's degrees of freedom whose quantile ratio is `ratio` (clipped to the range)."""
    if ratio >= _ratio(MIN_DOF):
        return MIN_DOF
    if ratio <= _ratio(MAX_DOF):
        return MAX_DOF
    return float(optimize.brentq(lambda dof: _ratio(dof) - ratio, MIN_DOF, MAX_DOF))


@dataclass
class TailNull:
    """A Student-t null of one check's residuals: fit on the fleet, then p-values and normal
    scores of any residual. `min_rows`: fewer finite residuals than this leave the standard
    normal in place (too few to learn a tail from)."""

    min_rows: int = 30

    def fit(self, z: np.ndarray) -> "TailNull":
        values = np.asarray(z, dtype=float)
        values = values[np.isfinite(values)]
        self.n_ = int(values.size)
        if self.n_ < self.min_rows:
            self.location_, self.scale_, self.dof_ = 0.0, 1.0, MAX_DOF
            return self
        self.location_ = float(np.median(values))
        spread = np.abs(values - self.location_)
        centre = float(np.quantile(spread, CENTRE_QUANTILE))
        shoulder = float(np.quantile(spread, SHOULDER_QUANTILE))
        if centre <= 0:
            # Most residuals are exactly the location (rounded data): the shoulder sets the scale.
            centre = shoulder / _ratio(MAX_DOF) if shoulder > 0 else 1.0
            shoulder = centre * _ratio(MAX_DOF)
        self.dof_ = _dof_for(shoulder / centre)
        self.scale_ = centre / float(stats.t.ppf(0.5 + CENTRE_QUANTILE / 2, self.dof_))
        return self

    def p_values(self, z: np.ndarray) -> np.ndarray:
        """Two-sided tail probabilities (NaN stays NaN)."""
        distance = np.abs(np.asarray(z, dtype=float) - self.location_) / self.scale_
        return np.clip(2.0 * stats.t.sf(distance, self.dof_), MIN_P, 1.0)

    def normal_scores(self, z: np.ndarray) -> np.ndarray:
        """The residuals on the standard normal scale with the same tail probability and sign,
        so that checks with different tails can be added up."""
        values = np.asarray(z, dtype=float)
        score = stats.norm.isf(self.p_values(values) / 2.0)
        return np.sign(values - self.location_) * score

    def describe(self) -> dict[str, float]:
        return {
            "n": self.n_,
            "fitted": self.n_ >= self.min_rows,
            "location": round(self.location_, 6),
            "scale": round(self.scale_, 6),
            "dof": round(self.dof_, 3),
        }


@dataclass
class ExactNull:
    """The null of a disagreement between two figures that must agree, in units of their own
    rounding: within rounding by construction, so normal tails, with a scale of at least one
    rounding unit (a fleet whose honest gaps are wider widens it: a convention of computation
    the prevalence guard then reports)."""

    def fit(self, z: np.ndarray) -> "ExactNull":
        values = np.abs(np.asarray(z, dtype=float))
        values = values[np.isfinite(values)]
        self.n_ = int(values.size)
        self.location_ = 0.0
        spread = float(np.quantile(values, 0.9)) / stats.norm.ppf(0.95) if values.size else 1.0
        self.scale_ = max(1.0, spread)
        return self

    def p_values(self, z: np.ndarray) -> np.ndarray:
        distance = np.abs(np.asarray(z, dtype=float)) / self.scale_
        return np.clip(2.0 * stats.norm.sf(distance), MIN_P, 1.0)

    def describe(self) -> dict[str, float]:
        return {
            "n": self.n_,
            "fitted": self.n_ > 0,
            "location": 0.0,
            "scale": round(self.scale_, 6),
            "dof": float("inf"),
        }
