"""Learned edge models: known coefficients on mixed units, robustness, calibration."""

import numpy as np
import pandas as pd
import pytest
from unit_month_examples import clean_frame, drift_cems, lower_carbon

from graph_schema.transfer_edges import EdgeKind, TransferEdge
from models.edge_models import (
    EdgeModelSet,
    FittedEdgeModel,
    calibrated_score,
    fit_edge_model,
    fit_edge_models,
    score_all_edges,
    score_learned_edges,
)
from models.node_scores import score_nodes
from models.unit_month_scores import score_unit_months

CARBON_EDGE = TransferEdge(EdgeKind.STATISTICAL, "coal_ncv_gj_t", "coal_carbon_pct")
HEAT_EDGE = TransferEdge(EdgeKind.STATISTICAL, "power_generation_mwh", "fuel_heat_gj")


@pytest.fixture(scope="module")
def fleet() -> pd.DataFrame:
    return clean_frame(n_units=60, months=24, seed=3)


@pytest.fixture(scope="module")
def fleet_models(fleet: pd.DataFrame) -> EdgeModelSet:
    return fit_edge_models(fleet, version="test")


def _fit(frame: pd.DataFrame, edge: TransferEdge) -> FittedEdgeModel:
    model = fit_edge_model(frame, edge)
    assert model is not None
    return model


def _predict(model: FittedEdgeModel, frame: pd.DataFrame) -> np.ndarray:
    one = EdgeModelSet("one", "", "", {model.edge_type: model})
    return score_learned_edges(frame, one)["expected"].to_numpy()


def test_known_coefficient_on_mixed_units(fleet: pd.DataFrame) -> None:
    """Fuel heat (~10^6 GJ) against generation (~10^5 MWh): doubling generation at fixed
    covariates must double the expected heat (elasticity 1 in the data)."""
    model = _fit(fleet, HEAT_EDGE)
    base = fleet.iloc[:50].copy()
    doubled = base.copy()
    doubled["power_generation_mwh"] *= 2
    ratio = _predict(model, doubled) / _predict(model, base)
    assert np.median(ratio) == pytest.approx(2.0, rel=0.03)
    assert model.r2 > 0.95


def test_carbon_tracks_ncv_across_ranks(fleet: pd.DataFrame) -> None:
    model = _fit(fleet, CARBON_EDGE)
    expected = _predict(model, fleet)
    ratio = expected / fleet["coal_ncv_gj_t"].to_numpy()
    # The generator's carbon is 2.65 × NCV (in %), so expected carbon per NCV is 2.65.
    assert np.median(ratio) == pytest.approx(2.65, rel=0.01)


def test_ten_percent_corrupted_rows_barely_move_the_fit(fleet: pd.DataFrame) -> None:
    clean_model = _fit(fleet, HEAT_EDGE)
    corrupted = fleet.copy()
    rng = np.random.default_rng(7)
    bad = rng.random(len(corrupted)) < 0.10
    # A mix of scale slips (kWh typed as MWh) and under-reported coal.
    corrupted.loc[bad, "power_generation_mwh"] *= np.where(rng.random(bad.sum()) < 0.5, 1000, 1)
    corrupted.loc[bad, "fuel_heat_gj"] *= 0.7
    dirty_model = _fit(corrupted, HEAT_EDGE)
    honest = fleet[~bad]
    shift = _predict(dirty_model, honest) / _predict(clean_model, honest) - 1
    assert np.median(np.abs(shift)) < 0.01
    assert dirty_model.default_scale < 1.5 * clean_model.default_scale


def test_scores_are_calibrated_on_clean_data(
    fleet: pd.DataFrame, fleet_models: EdgeModelSet
) -> None:
    scored = score_all_edges(fleet, fleet_models)
    # Only vertical edges of a unit's first month lack a parent value.
    scores = scored.dropna(subset=["score"])
    assert len(scores) > 0.95 * len(scored) > 40 * len(fleet)
    assert scores["score"].between(0, 1).all()
    assert (scores["score"] > 0.9).mean() < 0.001
    assert (scores["score"] > 0.5).mean() < 0.005


def test_calibrated_score_is_monotone_in_abs_z() -> None:
    z = np.array([0.0, 1.0, -3.5, 4.0, -8.0])
    s = calibrated_score(z)
    assert s[0] < 0.01 and s[2] == pytest.approx(0.5) and s[4] > 0.999
    assert s[3] > s[2] > s[1] > s[0]


def test_lowered_carbon_is_named_and_cems_drift_blames_the_cems(
    fleet: pd.DataFrame, fleet_models: EdgeModelSet
) -> None:
    faulty = fleet.copy()
    carbon_rows = lower_carbon(faulty, "00000003", "2023-03")
    cems_rows = drift_cems(faulty, "00000005", "2023-03", factor=1.2)
    edges = score_all_edges(faulty, fleet_models)
    unit_months = score_unit_months(score_nodes(faulty, edges))
    keyed = unit_months.set_index(["unit_id", "period"])
    for rows, root in ((carbon_rows, "coal_carbon_pct"), (cems_rows, "cems_co2_t")):
        hit = keyed.loc[pd.MultiIndex.from_frame(faulty.loc[rows, ["unit_id", "period"]])]
        assert hit["flagged"].all()
        assert (hit["top_parameter"] == root).all()
    others = unit_months[~unit_months["unit_id"].isin(["00000003", "00000005"])]
    assert others["flagged"].mean() < 0.01


def test_frozen_series_is_scored(fleet: pd.DataFrame, fleet_models: EdgeModelSet) -> None:
    faulty = fleet.copy()
    rows = (faulty["unit_id"] == "00000009") & (faulty["period"].between("2022-05", "2022-10"))
    faulty.loc[rows, "coal_ncv_gj_t"] = faulty.loc[rows, "coal_ncv_gj_t"].iloc[0]
    edges = score_learned_edges(faulty, fleet_models)
    vertical = edges[
        (edges["edge_type"] == "vertical:coal_ncv_gj_t@-1->coal_ncv_gj_t")
        & (edges["unit_id"] == "00000009")
    ].set_index("period")
    assert (vertical.loc["2022-05":"2022-10", "score"] > 0.9).all()
    assert (vertical.loc["2023-01":, "score"] < 0.5).all()
