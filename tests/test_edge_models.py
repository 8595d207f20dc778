"""Learned edges (`models.edge_models.EdgeRegression`) on small hand-made fleets: a known
coefficient on mixed-unit data, a unit's own level against its peers, a scale that follows the
operating point, and no residual where the relation does not apply."""

import numpy as np
import pandas as pd
import pytest

from graph_schema.transfer_edges import TransferEdge, learned_edges
from models.edge_models import EdgeRegression, EdgeResiduals
from tests import engine_fleets as ef

EDGES = {e.edge_type: e for e in learned_edges()}
HEAT = EDGES["statistical:power_generation_mwh->fuel_heat_gj"]
CEMS = EDGES["cross_check:cems_co2_t->total_co2_t"]
CARBON = EDGES["statistical:coal_ncv_gj_t->coal_carbon_pct"]
# Plain operation: no heat supplied, no part months, little heat-rate noise, a wide load range.
PLAIN = ef.with_noise(ef.TYPICAL, chp_share=0.0, part_month_share=0.0, heat_rate=0.004, load=0.1)


def _groups(frame: pd.DataFrame) -> pd.Series:
    return frame["unit_class"].astype(str).reset_index(drop=True)


def _fit(edge: TransferEdge, frame: pd.DataFrame) -> EdgeRegression:
    model = EdgeRegression(edge).fit(frame, _groups(frame))
    assert model.fitted_
    return model


def _residuals(model: EdgeRegression, frame: pd.DataFrame) -> EdgeResiduals:
    return model.residuals(frame, _groups(frame))


@pytest.fixture(scope="module")
def plain() -> pd.DataFrame:
    return ef.fleet(40, 24, seed=2, noise=PLAIN)


def test_the_fit_learns_every_row_it_applies_to_and_scores_each_row(plain: pd.DataFrame) -> None:
    model = _fit(HEAT, plain)
    assert model.n_ == len(plain)
    views = _residuals(model, plain)
    for values in (views.own, views.own_scale, views.peer, views.peer_scale, views.level):
        assert values.shape == (len(plain),)
        assert np.isfinite(values).all()
    assert (views.own_scale > 0).all()
    assert (views.peer_scale >= views.own_scale).all()
    # Honest residuals are small against their scale.
    assert np.median(np.abs(views.own / views.own_scale)) < 1.0


def test_a_known_slope_is_recovered_on_mixed_unit_data(plain: pd.DataFrame) -> None:
    """Fuel heat is ~10^6 GJ, generation ~10^5 MWh, carbon per heat ~0.026 tC/GJ; the heat rate
    rises with a known elasticity of the load, and the fit recovers it in the covariate's own
    units."""
    assert plain["fuel_heat_gj"].median() > 5e5
    assert plain["carbon_per_heat"].median() == pytest.approx(ef.CARBON_PER_HEAT, rel=0.05)
    model = _fit(HEAT, plain)
    slopes = model.coefficients()
    assert set(slopes) == set(model.covariates)
    assert slopes["log_load"] == pytest.approx(ef.HEAT_RATE_LOAD_SLOPE, rel=0.04)
    assert abs(slopes["month_sin"]) < 0.01
    assert abs(slopes["month_cos"]) < 0.01


def test_a_few_corrupted_rows_barely_move_the_slope(plain: pd.DataFrame) -> None:
    corrupted = plain.copy()
    rng = np.random.default_rng(11)
    bad = rng.random(len(corrupted)) < 0.05
    assert bad.sum() > 20
    corrupted.loc[bad, "coal_consumption_t"] *= 0.7
    ef.recompute(corrupted, bad)
    slope = _fit(HEAT, corrupted).coefficients()["log_load"]
    # Within 10 %: the start-up share beside the load shares some of its variation.
    assert slope == pytest.approx(ef.HEAT_RATE_LOAD_SLOPE, rel=0.1)


def test_a_units_persistent_offset_is_its_own_level_but_stands_out_among_its_peers() -> None:
    frame = ef.fleet(40, 24, seed=3)
    odd = "U007"
    rows = (frame["unit_id"] == odd).to_numpy()
    frame.loc[rows, "cems_co2_t"] = (frame.loc[rows, "cems_co2_t"] * 1.10).round(1)
    views = _residuals(_fit(CEMS, frame), frame)
    own_z = views.own / views.own_scale
    peer_z = views.peer / views.peer_scale
    # y = ln(total / CEMS): a CEMS reading 10 % high sits ln(1.1) below the fleet.
    assert np.median(views.level[rows]) - np.median(views.level[~rows]) == pytest.approx(
        -np.log(1.10), abs=0.02
    )
    assert abs(np.median(own_z[rows])) < 1.0
    assert np.median(peer_z[rows]) < -3.0
    others = pd.Series(np.abs(peer_z[~rows])).groupby(frame["unit_id"][~rows].to_numpy()).median()
    assert len(others) == 39
    assert (others < 3.0).all()


def test_a_switch_to_another_coal_is_judged_against_peers_not_the_old_coals_history() -> None:
    """A unit that switches to a coal of half again the NCV, whose carbon per heat is 6 %
    higher (another rank's), is not a carbon fault; the same 6 % at its usual NCV stands out."""
    frame = ef.fleet(40, 24, seed=3)
    periods = sorted(frame["period"].unique())
    rows = ((frame["unit_id"] == "U007") & frame["period"].isin(periods[-4:])).to_numpy()
    switched = frame.copy()
    switched.loc[rows, "coal_ncv_gj_t"] = (switched.loc[rows, "coal_ncv_gj_t"] * 1.5).round(2)
    switched.loc[rows, "coal_carbon_pct"] = (
        switched.loc[rows, "coal_carbon_pct"] * 1.5 * 1.06
    ).round(2)
    views = _residuals(_fit(CARBON, switched), switched)
    own_z = np.abs(views.own[rows] / views.own_scale[rows])
    assert np.median(own_z) < 1.5 and own_z.max() < 3.5
    shaded = frame.copy()
    shaded.loc[rows, "coal_carbon_pct"] = (shaded.loc[rows, "coal_carbon_pct"] * 1.06).round(2)
    views = _residuals(_fit(CARBON, shaded), shaded)
    assert np.abs(views.own[rows] / views.own_scale[rows]).min() > 3.0


def test_part_months_get_a_wider_scale_when_the_fleets_part_months_are_noisier() -> None:
    noisy_parts = ef.fleet(60, 24, seed=4, noise=ef.with_noise(ef.TYPICAL, part_month_share=0.15))
    share = noisy_parts["operating_hours"] / noisy_parts["hours_in_month"]
    part = (share < 0.7).to_numpy()
    assert 0.05 < part.mean() < 0.3
    calm_parts = noisy_parts.copy()
    rng = np.random.default_rng(5)
    noisy_parts.loc[part, "coal_consumption_t"] *= rng.normal(1, 0.05, part.sum())
    ef.recompute(noisy_parts, part)

    def scale_ratio(frame: pd.DataFrame) -> float:
        scale = _residuals(_fit(HEAT, frame), frame).own_scale
        return float(np.median(scale[part]) / np.median(scale[~part]))

    assert scale_ratio(noisy_parts) > 2.0
    assert scale_ratio(calm_parts) < 1.5


def test_residuals_are_missing_where_the_relation_does_not_apply() -> None:
    frame = ef.fleet(40, 24, seed=6)
    idle = ef.rows_of(frame, "U003", ["2023-05"])
    frame.loc[idle, ["operating_hours", "power_generation_mwh", "coal_consumption_t"]] = 0.0
    frame.loc[idle, "power_supply_mwh"] = -120.0
    ef.recompute(frame, idle)
    no_cems = ef.rows_of(frame, "U004", ["2023-06", "2023-07"])
    frame.loc[no_cems, "cems_co2_t"] = np.nan
    heat = _residuals(_fit(HEAT, frame), frame)
    cems = _residuals(_fit(CEMS, frame), frame)
    for views, rows in ((heat, idle), (cems, no_cems)):
        for values in (views.own, views.own_scale, views.peer, views.peer_scale):
            assert np.isnan(values[rows]).all()
        assert np.isfinite(views.own[~rows]).sum() >= len(frame) - 2


def test_a_unit_the_fit_never_saw_is_measured_against_its_peers() -> None:
    frame = ef.fleet(40, 24, seed=7)
    model = _fit(CARBON, frame[frame["unit_id"] != "U010"].reset_index(drop=True))
    newcomer = frame[frame["unit_id"] == "U010"].reset_index(drop=True)
    views = _residuals(model, newcomer)
    assert np.isfinite(views.own).all()
    np.testing.assert_allclose(views.own, views.peer)


def test_too_few_rows_leave_an_edge_unfitted() -> None:
    frame = ef.fleet(2, 12, seed=8)
    model = EdgeRegression(HEAT, min_rows=30).fit(frame, _groups(frame))
    assert model.n_ == 24
    assert not model.fitted_
    assert model.describe() == {"edge_type": HEAT.edge_type, "n": 24, "fitted": False}
