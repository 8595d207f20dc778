"""Learned models of the statistical and cross-check data-transfer edges, one per edge type.

An edge parent → child is a relation between two figures that independent physics or an
independent measurement ties together: carbon content and NCV, fuel heat and generation, net
and gross generation, CEMS and calculated CO2, and so on. On the log scale the relation is
y = ln(child) − ln(parent), and a unit-month's y is

    y = u_unit + f(x) + e

with u_unit the unit's own level (its coal rank, its CEMS analyser's bias, its nameplate; a
month of another coal, far off the unit's usual NCV, has a level of its own),
f a robust regression on the month's operating covariates (load, hours on line, heat supplied,
season) fitted on the fleet, and e the residual. Nothing here is a noise figure of any
generator: the fit, the residual scales and the unit levels come from the fleet being scored.

Each fitted model gives two views of a residual:
- own: e, against the unit's own level, over a scale that depends on the month's covariates
  (start-ups and part months are noisier: a robust regression of ln|e| learns how much) and on
  the unit (its own residual spread, shrunk towards the fleet's by `shrink_months`);
- peer: the unit's level itself against its peers' (unit class, or NCV band for coal), over the
  spread of levels among peers plus the own scale, which sees a fault that has lasted all along.

Regressors are standardised inside a scikit-learn pipeline (raw mixed units break least squares;
see docs/architecture.md) and winsorised at the fleet's 1st and 99th percentiles, so that a
slip in a covariate cannot drag a prediction off the chart.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import HuberRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from graph_schema.parameters import FORMULA_CONSTANTS
from graph_schema.transfer_edges import EdgeKind, TransferEdge
from loaders.formulas import MONITOR_HEAT

MAD_TO_SIGMA = 1.4826
# A coal edge's month whose NCV departs from its unit's usual coal by more than this many of the
# fleet's robust sigmas of such departures is another coal (a rank switch), which no honest
# wobble of one coal reaches: it has a level of its own, so a new rank is judged against its
# peers, never against the old rank's history.
OTHER_COAL_SIGMAS = 8.0
# Covariates the location and scale regressions may use, by name.
COVARIATES = (
    "log_load",
    "hours_share",
    "start_share",
    "heat_ratio",
    "month_sin",
    "month_cos",
    "log_ncv",
)
# Figures an edge compares on the log scale: the edge's own parameters, except that the energy
# monitor's tce are compared as GJ.
_AS_HEAT = {"energy_monitor_tce": MONITOR_HEAT}
WINSOR = (0.01, 0.99)


def edge_covariates(edge: TransferEdge) -> tuple[str, ...]:
    """The covariates an edge's relation moves with: the operating point for the physical
    relations, the coal's NCV for its carbon, the hours on line (stock changes, part months,
    start-ups) for the measurement cross-checks."""
    if edge.child == "coal_carbon_pct":
        return ("log_ncv",)
    if edge.kind == EdgeKind.STATISTICAL:
        return ("log_load", "hours_share", "start_share", "heat_ratio", "month_sin", "month_cos")
    return ("hours_share", "start_share")


def _log(values: pd.Series | np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name == MONITOR_HEAT:
        return frame["energy_monitor_tce"].to_numpy(dtype=float) * FORMULA_CONSTANTS["gj_per_tce"]
    return frame[name].to_numpy(dtype=float)


def relation_values(frame: pd.DataFrame, edge: TransferEdge) -> np.ndarray:
    """y = ln(child) − ln(parent) of every row (NaN where either is missing or not positive)."""
    child = _column(frame, _AS_HEAT.get(edge.child, edge.child))
    parent = _column(frame, _AS_HEAT.get(edge.parent, edge.parent))
    return _log(child) - _log(parent)


def covariate_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every covariate of every row (NaN where undefined)."""
    hours = frame["operating_hours"].to_numpy(dtype=float)
    generation = frame["power_generation_mwh"].to_numpy(dtype=float)
    capacity = frame["capacity_mw"].to_numpy(dtype=float)
    month = frame["period"].astype(str).str.slice(5, 7).astype(int).to_numpy()
    angle = 2 * np.pi * (month - 1) / 12
    heat = frame["heat_supply_gj"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        hours_share = hours / frame["hours_in_month"].to_numpy(dtype=float)
        heat_ratio = np.log1p(np.clip(np.nan_to_num(heat) / (generation * 3.6), 0, 10))
        return pd.DataFrame(
            {
                "log_load": _log(generation / (capacity * hours)),
                "hours_share": hours_share,
                # Start-up fuel and the station's own draw while starting are about fixed per
                # start, so their share of a month's figures grows as 1 / hours on line.
                # An idle month has no start in it.
                "start_share": np.where(hours > 0, 1.0 / hours_share - 1.0, 0.0),
                "heat_ratio": np.where(generation > 0, heat_ratio, np.nan),
                "month_sin": np.sin(angle),
                "month_cos": np.cos(angle),
                "log_ncv": _log(frame["coal_ncv_gj_t"]),
            },
            index=frame.index,
        )


def _unit_median(values: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Each row's unit median of `values` (NaN-skipping), aligned with the rows."""
    return pd.Series(values).groupby(units).transform("median").to_numpy(dtype=float)


@dataclass(frozen=True)
class EdgeResiduals:
    """Both views of one edge's residuals, aligned with the scored frame's rows (NaN where the
    edge does not apply): own residual and scale, peer residual and scale, the unit level."""

    own: np.ndarray
    own_scale: np.ndarray
    peer: np.ndarray
    peer_scale: np.ndarray
    level: np.ndarray


class EdgeRegression:
    """One edge type's relation model. Hyperparameters are constructor arguments; `fit` learns
    from a unit-month frame and sets the attributes ending in `_`; `residuals` only reads them.
    """

    def __init__(
        self,
        edge: TransferEdge,
        *,
        min_rows: int = 30,
        max_rows: int = 200_000,
        shrink_months: float = 6.0,
        huber_epsilon: float = 1.35,
        seed: int = 0,
    ) -> None:
        self.edge = edge
        self.min_rows = min_rows
        self.max_rows = max_rows
        self.shrink_months = shrink_months
        self.huber_epsilon = huber_epsilon
        self.seed = seed

    @property
    def edge_type(self) -> str:
        return self.edge.edge_type

    @property
    def covariates(self) -> tuple[str, ...]:
        return edge_covariates(self.edge)

    def _design(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """y, the covariates (rows × covariates) and the rows where the relation applies: both
        figures and the covariates defined and, for a physical relation, the unit running (an
        idle month has no operating point)."""
        y = relation_values(frame, self.edge)
        x = covariate_frame(frame)[list(self.covariates)].to_numpy(dtype=float)
        ok = np.isfinite(y) & np.isfinite(x).all(axis=1)
        if self.edge.kind == EdgeKind.STATISTICAL and self.edge.child != "coal_carbon_pct":
            hours = frame["operating_hours"].to_numpy(dtype=float)
            ok &= (hours > 0) & (frame["power_generation_mwh"].to_numpy(dtype=float) > 0)
        return y, x, ok

    def _regressor(self) -> Pipeline:
        return make_pipeline(
            StandardScaler(), HuberRegressor(epsilon=self.huber_epsilon, max_iter=500)
        )

    def _sample(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) <= self.max_rows:
            return rows
        return np.random.default_rng(self.seed).choice(rows, self.max_rows, replace=False)

    def _ncv_departure(self, frame: pd.DataFrame) -> np.ndarray | None:
        """|ln NCV − the unit's median ln NCV| of each row, for an edge of coal quality."""
        if "coal_ncv_gj_t" not in (self.edge.parent, self.edge.child) and (
            self.edge.child != "coal_carbon_pct"
        ):
            return None
        ncv = frame["coal_ncv_gj_t"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ncv = np.log(np.where(ncv > 0, ncv, np.nan))
        units = frame["unit_id"].astype(str).to_numpy()
        return np.abs(log_ncv - _unit_median(log_ncv, units))

    def _unit_keys(self, frame: pd.DataFrame, departure: np.ndarray | None) -> np.ndarray:
        """Each row's unit, or for another coal the unit and that coal's side."""
        units = frame["unit_id"].astype(str).to_numpy()
        if departure is None or not np.isfinite(self.other_coal_cut_):
            return units
        other = np.nan_to_num(departure) > self.other_coal_cut_
        ncv = frame["coal_ncv_gj_t"].to_numpy(dtype=float)
        side = np.where(ncv > _unit_median(ncv, units), "|higher-ncv", "|lower-ncv")
        return np.where(other, np.char.add(units.astype(str), side), units)

    def _within(self, x: np.ndarray, units: np.ndarray) -> np.ndarray:
        """Covariates as departures from the unit's own typical operating point (the fleet's
        for a unit the fit never saw), winsorised at the fleet's percentiles."""
        clipped = np.clip(x, self.lower_, self.upper_)
        centre = self.unit_centre_.reindex(units).to_numpy(dtype=float)
        centre = np.where(np.isfinite(centre), centre, self.fleet_centre_)
        return np.nan_to_num(clipped - centre)

    def fit(self, frame: pd.DataFrame, peer_groups: pd.Series) -> "EdgeRegression":
        """Learn the relation on `frame` (the unit-month frame); `peer_groups` names each row's
        peer group (aligned with the frame), for the peer view."""
        y, x, ok = self._design(frame)
        self.n_ = int(ok.sum())
        self.fitted_ = self.n_ >= self.min_rows
        if not self.fitted_:
            return self
        departure = self._ncv_departure(frame)
        seen = departure[ok] if departure is not None else np.array([])
        seen = seen[np.isfinite(seen)]
        # |departure| has median 0.6745 sigma for normal wobble.
        sigma = float(np.median(seen)) / 0.6745 if seen.size else 0.0
        self.other_coal_cut_ = OTHER_COAL_SIGMAS * sigma if sigma > 0 else np.inf
        units = self._unit_keys(frame, departure)
        self.lower_ = np.quantile(x[ok], WINSOR[0], axis=0)
        self.upper_ = np.quantile(x[ok], WINSOR[1], axis=0)
        clipped = pd.DataFrame(np.clip(x[ok], self.lower_, self.upper_), index=units[ok])
        self.unit_centre_ = clipped.groupby(level=0).median()
        self.fleet_centre_ = clipped.median().to_numpy(dtype=float)
        within = self._within(x, units)
        masked_y = np.where(ok, y, np.nan)
        y_within = masked_y - _unit_median(masked_y, units)
        rows = self._sample(np.flatnonzero(ok))
        self.location_ = self._regressor().fit(within[rows], y_within[rows])
        effect = self.location_.predict(within)
        level = _unit_median(masked_y - effect, units)
        self.unit_level_ = pd.Series(level[ok], index=units[ok]).groupby(level=0).first()
        residual = masked_y - effect - level
        self._fit_scale(residual, np.clip(x, self.lower_, self.upper_), ok, units, rows)
        self._fit_peers(peer_groups.to_numpy()[ok], units[ok])
        return self

    def _fit_scale(
        self,
        residual: np.ndarray,
        x: np.ndarray,
        ok: np.ndarray,
        units: np.ndarray,
        rows: np.ndarray,
    ) -> None:
        """How the size of a residual moves with the operating point (a robust regression of
        ln|e|), and each unit's own spread around that, shrunk towards the fleet's."""
        size = np.abs(residual[ok])
        positive = size[size > 0]
        # Exact zeros (rounded figures) have no logarithm: they count as the smallest seen.
        floor = float(positive.min()) if positive.size else 1e-9
        log_size = np.log(np.maximum(np.abs(np.nan_to_num(residual)), floor))
        self.scale_model_ = self._regressor().fit(np.nan_to_num(x[rows]), log_size[rows])
        local = np.exp(self.scale_model_.predict(np.nan_to_num(x)))
        # |e| / scale has median 0.6745 for normal residuals: rescale so the scale is a sigma.
        standard = np.where(ok, np.abs(residual) / local, np.nan)
        self.scale_factor_ = float(np.nanmedian(standard)) / 0.6745
        # A fleet of one month may leave no spread at all: NaN, said by the scale, not a warning.
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = standard / self.scale_factor_ / 0.6745
        spread = pd.Series(relative).groupby(units).median().dropna()
        months = pd.Series(ok).groupby(units).sum().reindex(spread.index)
        self.unit_scale_ = np.sqrt(
            (months * spread**2 + self.shrink_months) / (months + self.shrink_months)
        )

    def _fit_peers(self, groups: np.ndarray, units: np.ndarray) -> None:
        """Each peer group's typical unit level and the spread of levels around it."""
        by_unit = (
            pd.DataFrame(
                {"level": self.unit_level_.reindex(units).to_numpy(), "group": groups}, index=units
            )
            .groupby(level=0)
            .first()
        )
        self.peer_centre_ = by_unit.groupby("group")["level"].median()
        departure = (by_unit["level"] - by_unit["group"].map(self.peer_centre_)).abs()
        pooled = MAD_TO_SIGMA * float(departure.median())
        spread = MAD_TO_SIGMA * departure.groupby(by_unit["group"]).median()
        self.peer_spread_ = spread.where(spread > 0, pooled)
        self.fleet_level_ = float(by_unit["level"].median())
        self.fleet_spread_ = pooled

    def residuals(self, frame: pd.DataFrame, peer_groups: pd.Series) -> EdgeResiduals:
        """Both views of the residual of every row of `frame`. A unit the fit never saw is
        measured against its peers (its own level is the peer group's)."""
        y, x, ok = self._design(frame)
        units = self._unit_keys(frame, self._ncv_departure(frame))
        groups = pd.Series(peer_groups.to_numpy())
        effect = self.location_.predict(self._within(x, units))
        peer_centre = groups.map(self.peer_centre_).fillna(self.fleet_level_).to_numpy(dtype=float)
        level = self.unit_level_.reindex(units).to_numpy(dtype=float)
        level = np.where(np.isfinite(level), level, peer_centre)
        local = np.exp(
            self.scale_model_.predict(np.nan_to_num(np.clip(x, self.lower_, self.upper_)))
        )
        unit_scale = self.unit_scale_.reindex(units).fillna(1.0).to_numpy(dtype=float)
        own_scale = local * self.scale_factor_ * unit_scale
        spread = groups.map(self.peer_spread_).fillna(self.fleet_spread_).to_numpy(dtype=float)
        return EdgeResiduals(
            own=np.where(ok, y - effect - level, np.nan),
            own_scale=np.where(ok, own_scale, np.nan),
            peer=np.where(ok, y - effect - peer_centre, np.nan),
            peer_scale=np.where(ok, np.sqrt(spread**2 + own_scale**2), np.nan),
            level=np.where(ok, level, np.nan),
        )

    def coefficients(self) -> dict[str, float]:
        """The location regression's slopes in the covariates' own units (d y / d covariate)."""
        scaler: StandardScaler = self.location_.named_steps["standardscaler"]
        huber: HuberRegressor = self.location_.named_steps["huberregressor"]
        slopes = huber.coef_ / np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        return {name: float(s) for name, s in zip(self.covariates, slopes, strict=True)}

    def describe(self) -> dict[str, object]:
        """The fit in numbers, for the sweep record and `mrvtrace calibrate`."""
        if not self.fitted_:
            return {"edge_type": self.edge_type, "n": self.n_, "fitted": False}
        return {
            "edge_type": self.edge_type,
            "n": self.n_,
            "fitted": True,
            "coefficients": {k: round(v, 5) for k, v in self.coefficients().items()},
            "fleet_level": round(self.fleet_level_, 5),
            "peer_spread": round(self.fleet_spread_, 5),
            "scale_factor": round(self.scale_factor_, 6),
        }
