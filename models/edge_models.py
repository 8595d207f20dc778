"""Learned models of the statistical, cross-check and vertical data-transfer edges.

Each edge type gets a robust regression of its child on its parent with covariates (unit class,
cooling, load factor, season), fitted on peers; vertical edges regress a parameter on the unit's
own history. Values are taken through `asinh(x / s)` (log-like for large values, defined at 0)
and every regressor is standardised (median and IQR), because raw mixed units break least
squares (see docs/architecture.md, pitfalls). Faulty rows are kept out of the fit by a leverage
screen, a HuberRegressor start and trimmed least-squares refits, so ~10 % corrupted rows barely
move it.

Per edge instance the models give `expected` (of the child), `residual`, a robust `z` (residual
over the MAD scale of the unit's class) and a calibrated `score` in [0, 1].
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import HuberRegressor, LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, RobustScaler

from graph_schema.frames import EDGE_SCORE_COLUMNS
from graph_schema.transfer_edges import TRANSFER_EDGES, EdgeKind, TransferEdge

LEARNED_KINDS = (EdgeKind.STATISTICAL, EdgeKind.CROSS_CHECK, EdgeKind.VERTICAL)

# Score = logistic((|z| - Z_MID) / Z_WIDTH): 0.5 at |z| = 3.5, 0.9 at |z| ≈ 4.6. For normal
# residuals fewer than 1 in 100,000 honest edges score above 0.9.
Z_MID = 3.5
Z_WIDTH = 0.5
# Smallest robust scale in the transformed (≈ relative) space: 0.2 %; constant parameters
# would otherwise get a zero scale and infinite z.
MIN_SCALE = 2e-3
# A run of this many identical non-zero monthly values is a frozen (copied) series …
FROZEN_RUN = 3
FROZEN_SCORE = 0.97
# … unless identical values are this common for the parameter on the whole fleet.
FROZEN_NATURAL_RATE = 0.01
MAX_FIT_ROWS = 200_000
TRIM_Z = 3.0
TRIM_ROUNDS = 2
HUBER_ROWS = 20_000
MIN_FIT_ROWS = 30
# One unit's month-to-month history is a weaker yardstick than its peers (heating season,
# overhauls and fuel switches are structural breaks), so vertical z counts at half weight; it
# still catches order-of-magnitude slips, and copied series are scored apart.
VERTICAL_SCALE_FACTOR = 2.0
HEAT_SCALE_GJ = 10_000.0
LEVERAGE_Z = 6.0

_UNIT_NUMERIC = ["heat_t", "heat_ratio", "log_capacity", "age"]
_NUMERIC = ["parent_t", "load_factor_c", *_UNIT_NUMERIC, "month_sin", "month_cos"]
_VERTICAL_NUMERIC = [
    "lag1_t",
    "lag12_t",
    "has_lag12",
    "hours_ratio1",
    "hours_ratio12",
    *_UNIT_NUMERIC,
    "month_sin",
    "month_cos",
]
_CATEGORICAL = ["unit_class", "cooling"]
# The covariates that are computed from a parameter (so never used to predict it).
_COVARIATES_OF: dict[str, tuple[str, ...]] = {
    "power_generation_mwh": ("load_factor_c", "heat_ratio"),
    "operating_hours": ("load_factor_c",),
    "heat_supply_gj": ("heat_t", "heat_ratio"),
}


def calibrated_score(z: np.ndarray | pd.Series) -> np.ndarray:
    """Map a robust z to an anomaly score in [0, 1] (NaN stays NaN)."""
    absz = np.abs(np.asarray(z, dtype=float))
    return 1.0 / (1.0 + np.exp(-(absz - Z_MID) / Z_WIDTH))


def _calendar_month(periods: pd.Series) -> np.ndarray:
    return periods.astype(str).str.slice(5, 7).astype(int).to_numpy()


def month_index(periods: pd.Series) -> pd.Series:
    """`YYYY-MM` as a month count, so that lags are plain integer shifts."""
    text = periods.astype(str)
    return text.str.slice(0, 4).astype(int) * 12 + text.str.slice(5, 7).astype(int) - 1


def learned_edges() -> list[TransferEdge]:
    return [e for e in TRANSFER_EDGES if e.kind in LEARNED_KINDS]


@dataclass
class FittedEdgeModel:
    """One edge type's regression and its fit diagnostics."""

    edge_type: str
    kind: str
    parent: str
    child: str
    transform_scale: float
    parent_scale: float
    pipeline: Pipeline
    class_scale: dict[str, float]
    # Calendar month → robust scale (vertical models: volatility is seasonal, e.g. heat).
    month_scale: dict[int, float]
    default_scale: float
    n: int
    r2: float
    frozen_check: bool = False

    def diagnostics(self) -> dict[str, object]:
        return {
            "edge_type": self.edge_type,
            "n": self.n,
            "r2": self.r2,
            "robust_scale": self.default_scale,
            "class_scale": self.class_scale,
            "month_scale": self.month_scale,
            "frozen_check": self.frozen_check,
        }


@dataclass
class EdgeModelSet:
    """All learned edge models of one fit, versioned and persisted with each sweep."""

    version: str
    trained_from: str
    trained_to: str
    models: dict[str, FittedEdgeModel] = field(default_factory=dict)

    def diagnostics(self) -> dict[str, object]:
        return {
            "version": self.version,
            "trained_from": self.trained_from,
            "trained_to": self.trained_to,
            "models": [m.diagnostics() for m in self.models.values()],
        }


def _asinh_scale(values: pd.Series) -> float:
    positive = values[values > 0]
    return float(0.05 * positive.median()) if len(positive) else 1.0


def _to_t(values: pd.Series | np.ndarray, scale: float) -> np.ndarray:
    return np.arcsinh(np.asarray(values, dtype=float) / scale)


def _from_t(values: np.ndarray, scale: float) -> np.ndarray:
    return np.sinh(values) * scale


def _covariates(frame: pd.DataFrame) -> pd.DataFrame:
    """Covariates shared by every model: class, cooling, load, season."""
    month = frame["period"].astype(str).str.slice(5, 7).astype(int).to_numpy()
    angle = 2 * np.pi * (month - 1) / 12
    load = pd.to_numeric(frame.get("load_factor"), errors="coerce")
    load = load.where(np.isfinite(load)).clip(0, 1.5)
    # Heat supplied by a CHP unit burns fuel without generating power.
    heat = frame["heat_supply_gj"].astype(float).fillna(0.0)
    heat_t = _to_t(heat, HEAT_SCALE_GJ)
    generation_gj = frame["power_generation_mwh"].astype(float) * 3.6
    with np.errstate(divide="ignore", invalid="ignore"):
        heat_ratio = np.log1p((heat / generation_gj).clip(0, 10)).fillna(0.0)
    # Heat rate depends on size and age (vintage of the technology).
    capacity = frame["capacity_mw"].astype(float)
    log_capacity = np.log(capacity.where(capacity > 0)).fillna(np.log(300.0))
    year = frame["period"].astype(str).str.slice(0, 4).astype(float)
    built = (
        pd.to_numeric(frame["commissioned_year"], errors="coerce").astype(float)
        if "commissioned_year" in frame
        else pd.Series(np.nan, index=frame.index)
    )
    age = (year - built).clip(0, 60).fillna(15.0)
    return pd.DataFrame(
        {
            "unit_id": frame["unit_id"].astype(str).to_numpy(),
            "period": frame["period"].astype(str).to_numpy(),
            "unit_class": frame["unit_class"].astype(str).fillna("unknown").to_numpy(),
            "cooling": frame["cooling"].astype(str).fillna("unknown").to_numpy(),
            "load_factor_c": load.fillna(load.median() if load.notna().any() else 0.0).to_numpy(),
            "heat_t": heat_t,
            "heat_ratio": heat_ratio.to_numpy(dtype=float),
            "log_capacity": log_capacity.to_numpy(dtype=float),
            "age": age.to_numpy(dtype=float),
            "month_sin": np.sin(angle),
            "month_cos": np.cos(angle),
        },
        index=frame.index,
    )


def _hours(frame: pd.DataFrame) -> pd.Series:
    """Operating hours, the calendar month standing in for a missing figure."""
    hours = frame["operating_hours"].astype(float)
    if "hours_in_month" in frame:
        hours = hours.fillna(frame["hours_in_month"].astype(float))
    return hours


def _online(frame: pd.DataFrame) -> np.ndarray:
    """Unit-months with the unit on line: an outage month has no mechanism to score (the
    logic rules check that its figures are zero)."""
    generation = frame["power_generation_mwh"].to_numpy(dtype=float)
    return ((_hours(frame).to_numpy() > 0) & (generation > 0)).astype(bool)


def _history(frame: pd.DataFrame, values: pd.Series | np.ndarray) -> pd.DataFrame:
    """Last month's and the same month last year's `values` of each unit-month."""
    keys = pd.DataFrame(
        {
            "unit_id": frame["unit_id"].astype(str).to_numpy(),
            "m": month_index(frame["period"]).to_numpy(),
            "x": np.asarray(values, dtype=float),
        }
    )
    out = pd.DataFrame(index=frame.index)
    for lag, col in ((1, "lag1"), (12, "lag12")):
        shifted = keys.assign(m=keys["m"] + lag).rename(columns={"x": col})
        merged = keys[["unit_id", "m"]].merge(shifted, on=["unit_id", "m"], how="left")
        out[col] = merged[col].to_numpy()
    return out


def _frozen_runs(frame: pd.DataFrame, name: str) -> np.ndarray:
    """True where the value sits in a run of FROZEN_RUN or more identical non-zero months."""
    unit = frame["unit_id"].astype(str).to_numpy()
    m = month_index(frame["period"]).to_numpy()
    x = frame[name].to_numpy(dtype=float)
    order = np.lexsort((m, unit))
    xs, us, ms = x[order], unit[order], m[order]
    breaks = np.ones(len(xs), dtype=bool)
    if len(xs) > 1:
        same = (xs[1:] == xs[:-1]) & (us[1:] == us[:-1]) & (ms[1:] == ms[:-1] + 1)
        breaks[1:] = ~same
    run_id = np.cumsum(breaks)
    run_len = np.bincount(run_id)[run_id]
    frozen_sorted = (run_len >= FROZEN_RUN) & np.isfinite(xs) & (xs != 0)
    frozen = np.empty_like(frozen_sorted)
    frozen[order] = frozen_sorted
    return frozen


def _design(
    frame: pd.DataFrame, edge: TransferEdge, transform_scale: float, parent_scale: float
) -> pd.DataFrame:
    """Regressors and target of one edge type, in the transformed space."""
    design = _covariates(frame)
    # A covariate computed from the child itself would predict it perfectly.
    for column in _COVARIATES_OF.get(edge.child, ()):
        design[column] = 0.0
    online = _online(frame)
    if edge.kind == EdgeKind.VERTICAL:
        hist = _history(frame, frame[edge.child])
        lag1 = _to_t(hist["lag1"], transform_scale)
        lag12 = _to_t(hist["lag12"], transform_scale)
        design["lag1_t"] = lag1
        design["has_lag12"] = np.isfinite(lag12).astype(float)
        design["lag12_t"] = np.where(np.isfinite(lag12), lag12, lag1)
        design["parent_value"] = hist["lag1"].to_numpy()
        # Activity changes with the hours on line; hours themselves are the target of their
        # own vertical model, so they are no covariate there.
        hours = _hours(frame).to_numpy()
        hours_hist = _history(frame, hours)
        own = edge.child == "operating_hours"
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio1 = np.log(hours / hours_hist["lag1"].to_numpy())
            ratio12 = np.log(hours / hours_hist["lag12"].to_numpy())
        design["hours_ratio1"] = 0.0 if own else ratio1
        design["hours_ratio12"] = 0.0 if own else np.where(np.isfinite(ratio12), ratio12, 0.0)
        lag_online = _history(frame, online.astype(float))["lag1"].to_numpy() == 1.0
        # A series starting from or falling to zero (outages, heat out of season) is a
        # switch, not a drift: the logic rules judge it.
        positive = (frame[edge.child].to_numpy(dtype=float) > 0) & (hist["lag1"].to_numpy() > 0)
        online = online & lag_online & positive
    else:
        design["parent_t"] = _to_t(frame[edge.parent], parent_scale)
        design["parent_value"] = frame[edge.parent].to_numpy(dtype=float)
    design["child_value"] = frame[edge.child].to_numpy(dtype=float)
    design["y"] = _to_t(frame[edge.child], transform_scale)
    design["online"] = online
    return design


def _numeric_columns(edge: TransferEdge) -> list[str]:
    return _VERTICAL_NUMERIC if edge.kind == EdgeKind.VERTICAL else _NUMERIC


def _usable(design: pd.DataFrame, edge: TransferEdge) -> np.ndarray:
    cols = [*_numeric_columns(edge), "y"]
    finite = np.isfinite(design[cols].to_numpy(dtype=float)).all(axis=1)
    return finite & design["online"].to_numpy(dtype=bool)


def _new_pipeline(numeric: list[str], robust: bool) -> Pipeline:
    prep = ColumnTransformer(
        [
            ("num", RobustScaler(), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), _CATEGORICAL),
        ]
    )
    regressor = HuberRegressor(epsilon=1.35, max_iter=200) if robust else LinearRegression()
    return Pipeline([("prep", prep), ("regressor", regressor)])


def _robust_scale(residuals: np.ndarray) -> float:
    if len(residuals) == 0:
        return MIN_SCALE
    mad = np.median(np.abs(residuals - np.median(residuals)))
    return max(float(1.4826 * mad), MIN_SCALE)


def _seasonal_scale(residuals: np.ndarray) -> float:
    """A month's scale from its 90th percentile as well as its MAD: a seasonal switch (heat
    supply at the start and end of the heating season) moves a large minority of units at
    once, which the MAD alone calls outliers."""
    if len(residuals) == 0:
        return MIN_SCALE
    tail = float(np.quantile(np.abs(residuals - np.median(residuals)), 0.9)) / 1.645
    return max(_robust_scale(residuals), tail)


def _not_outlying(values: np.ndarray) -> np.ndarray:
    """Rows inside median ± LEVERAGE_Z robust scales in every column: scale slips in a
    regressor are leverage points that even a Huber loss follows, so they are left out first."""
    centre = np.median(values, axis=0)
    mad = 1.4826 * np.median(np.abs(values - centre), axis=0)
    spread = np.where(mad > 0, mad, np.inf)
    return (np.abs(values - centre) <= LEVERAGE_Z * spread).all(axis=1)


def fit_edge_model(
    frame: pd.DataFrame, edge: TransferEdge, seed: int = 0
) -> FittedEdgeModel | None:
    """Fit one edge type on peers: a Huber start, then trimmed least-squares refits (None when
    fewer than MIN_FIT_ROWS unit-months can inform it, e.g. heat supply in a fleet without
    CHP)."""
    transform_scale = _asinh_scale(frame[edge.child])
    parent_scale = _asinh_scale(frame[edge.parent])
    design = _design(frame, edge, transform_scale, parent_scale)
    design = design[_usable(design, edge)]
    if len(design) < MIN_FIT_ROWS:
        return None
    if len(design) > MAX_FIT_ROWS:
        design = design.sample(MAX_FIT_ROWS, random_state=seed)
    numeric = _numeric_columns(edge)
    x = design[numeric + _CATEGORICAL]
    y = design["y"].to_numpy()
    keep = _not_outlying(design[[*numeric, "y"]].to_numpy(dtype=float))
    # The Huber start decides which rows are faulty; least squares on the trimmed rows then
    # refits fast (the Huber loss is slow on hundreds of thousands of rows).
    start = np.flatnonzero(keep)
    if len(start) > HUBER_ROWS:
        start = np.random.default_rng(seed).choice(start, HUBER_ROWS, replace=False)
    pipeline = _new_pipeline(numeric, robust=True).fit(x.iloc[start], y[start])
    for _ in range(TRIM_ROUNDS + 1):
        residuals = y - pipeline.predict(x)
        scale = _robust_scale(residuals[keep])
        keep = np.abs(residuals - np.median(residuals[keep])) <= TRIM_Z * scale
        if keep.sum() < max(10, len(y) // 2):
            break
        pipeline = _new_pipeline(numeric, robust=False).fit(x[keep], y[keep])
    residuals = y - pipeline.predict(x)
    classes = design["unit_class"].to_numpy()
    class_scale = {str(c): _robust_scale(residuals[classes == c]) for c in np.unique(classes) if c}
    month_scale: dict[int, float] = {}
    if edge.kind == EdgeKind.VERTICAL:
        months = _calendar_month(design["period"])
        month_scale = {int(m): _seasonal_scale(residuals[months == m]) for m in np.unique(months)}
    inliers = np.abs(residuals) <= TRIM_Z * _robust_scale(residuals)
    ss_res = float(np.sum(residuals[inliers] ** 2))
    ss_tot = float(np.sum((y[inliers] - y[inliers].mean()) ** 2)) if inliers.any() else 0.0
    frozen_check = False
    if edge.kind == EdgeKind.VERTICAL:
        natural = _frozen_runs(frame, edge.child)[_online(frame)]
        frozen_check = bool(natural.mean() < FROZEN_NATURAL_RATE) if len(natural) else False
    return FittedEdgeModel(
        edge_type=edge.edge_type,
        kind=edge.kind.value,
        parent=edge.parent,
        child=edge.child,
        transform_scale=transform_scale,
        parent_scale=parent_scale,
        pipeline=pipeline,
        class_scale=class_scale,
        month_scale=month_scale,
        default_scale=_robust_scale(residuals),
        n=len(y),
        r2=1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan"),
        frozen_check=frozen_check,
    )


def fit_edge_models(frame: pd.DataFrame, version: str) -> EdgeModelSet:
    """Fit every learned edge type on the whole frame (all periods, all peers)."""
    periods = frame["period"].astype(str)
    models = EdgeModelSet(version, str(periods.min()), str(periods.max()))
    for edge in learned_edges():
        if edge.parent in frame and edge.child in frame:
            model = fit_edge_model(frame, edge)
            if model is not None:
                models.models[edge.edge_type] = model
    return models


def _score_one(frame: pd.DataFrame, model: FittedEdgeModel, rows: np.ndarray) -> pd.DataFrame:
    edge = next(e for e in learned_edges() if e.edge_type == model.edge_type)
    design = _design(frame, edge, model.transform_scale, model.parent_scale).loc[rows]
    usable = _usable(design, edge)
    numeric = _numeric_columns(edge)
    pred = np.full(len(design), np.nan)
    if usable.any():
        pred[usable] = model.pipeline.predict(design.loc[usable, numeric + _CATEGORICAL])
    scale = design["unit_class"].map(model.class_scale).fillna(model.default_scale).to_numpy()
    if model.month_scale:
        by_month = pd.Series(_calendar_month(design["period"])).map(model.month_scale)
        scale = np.fmax(scale, by_month.fillna(model.default_scale).to_numpy())
        scale = scale * VERTICAL_SCALE_FACTOR
    z = (design["y"].to_numpy() - pred) / scale
    score = calibrated_score(z)
    if model.frozen_check:
        frozen = _frozen_runs(frame, edge.child)[rows] & design["online"].to_numpy(dtype=bool)
        score = np.where(frozen, np.fmax(score, FROZEN_SCORE), score)
    expected = _from_t(pred, model.transform_scale)
    return pd.DataFrame(
        {
            "unit_id": design["unit_id"].to_numpy(),
            "period": design["period"].to_numpy(),
            "edge_type": model.edge_type,
            "kind": model.kind,
            "parent": model.parent,
            "child": model.child,
            "expected": expected,
            "residual": design["child_value"].to_numpy() - expected,
            "z": z,
            "score": score,
        }
    )


def _selected_rows(frame: pd.DataFrame, periods: Sequence[str] | None) -> np.ndarray:
    if periods is None:
        return np.ones(len(frame), dtype=bool)
    return frame["period"].astype(str).isin(list(periods)).to_numpy()


def _with_edge_ids(scores: pd.DataFrame) -> pd.DataFrame:
    scores.insert(
        0,
        "edge_id",
        scores["unit_id"] + "|" + scores["period"] + "|" + scores["edge_type"],
    )
    return scores[EDGE_SCORE_COLUMNS]


def score_learned_edges(
    frame: pd.DataFrame, models: EdgeModelSet, periods: Sequence[str] | None = None
) -> pd.DataFrame:
    """Expected value, residual, robust z and score of every learned edge in `periods`.

    `frame` spans all periods, because vertical models read the unit's history.
    """
    frame = frame.reset_index(drop=True)
    rows = _selected_rows(frame, periods)
    parts = [_score_one(frame, m, rows) for m in models.models.values()]
    if not parts or not rows.any():
        return pd.DataFrame(columns=EDGE_SCORE_COLUMNS)
    return _with_edge_ids(pd.concat(parts, ignore_index=True))


# Relative gap at which an exact edge (formula, evidence) scores 1 - e^-1 ≈ 0.63; rounding
# of reported figures stays well below it.
EXACT_TOLERANCE = {EdgeKind.FORMULA: 0.01, EdgeKind.EVIDENCE: 0.005}


def _recompute(frame: pd.DataFrame, child: str) -> pd.Series:
    """The formula value of `child` from its parents (the frame's derived columns are built
    with the same formulas, so only reported children such as reported_co2_t can differ)."""
    if child == "reported_co2_t":
        return frame["total_co2_t"]
    return frame[child]


def exact_gap_score(gap: np.ndarray, kind: EdgeKind) -> np.ndarray:
    """Score of a relative recomputation or equality gap, in [0, 1]."""
    return 1.0 - np.exp(-((np.abs(gap) / EXACT_TOLERANCE[kind]) ** 2))


def score_exact_edges(frame: pd.DataFrame, periods: Sequence[str] | None = None) -> pd.DataFrame:
    """Formula edges by relative recomputation gap; evidence edges by equality with the report."""
    frame = frame.reset_index(drop=True)
    frame = frame[_selected_rows(frame, periods)]
    parts = []
    for edge in TRANSFER_EDGES:
        if edge.kind not in EXACT_TOLERANCE or edge.child not in frame:
            continue
        expected = (
            _recompute(frame, edge.child) if edge.kind == EdgeKind.FORMULA else frame[edge.parent]
        ).to_numpy(dtype=float)
        observed = frame[edge.child].to_numpy(dtype=float)
        residual = observed - expected
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = residual / np.abs(expected)
        gap = np.where((residual == 0), 0.0, gap)
        parts.append(
            pd.DataFrame(
                {
                    "unit_id": frame["unit_id"].astype(str).to_numpy(),
                    "period": frame["period"].astype(str).to_numpy(),
                    "edge_type": edge.edge_type,
                    "kind": edge.kind.value,
                    "parent": edge.parent,
                    "child": edge.child,
                    "expected": expected,
                    "residual": residual,
                    "z": gap / EXACT_TOLERANCE[edge.kind],
                    "score": exact_gap_score(gap, edge.kind),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=EDGE_SCORE_COLUMNS)
    return _with_edge_ids(pd.concat(parts, ignore_index=True))


def score_all_edges(
    frame: pd.DataFrame, models: EdgeModelSet, periods: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every data-transfer edge of the unit-months in `periods`, one row per edge instance."""
    learned = score_learned_edges(frame, models, periods)
    exact = score_exact_edges(frame, periods)
    parts = [p for p in (exact, learned) if len(p)]
    if not parts:
        return pd.DataFrame(columns=EDGE_SCORE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


__all__ = [
    "EDGE_SCORE_COLUMNS",
    "EdgeModelSet",
    "FittedEdgeModel",
    "calibrated_score",
    "exact_gap_score",
    "fit_edge_model",
    "fit_edge_models",
    "score_all_edges",
    "score_exact_edges",
    "score_learned_edges",
]
