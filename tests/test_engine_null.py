"""The nulls a fleet's checks are read against, and how many checks become one decision:
TailNull, ExactNull and DriftNull fitted on simulated residuals whose null is known; the Cauchy
combination, Benjamini–Hochberg and the Šidák correction with a fleet-fitted effective share."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from engine.combine import benjamini_hochberg, cauchy_combine, cauchy_statistic
from engine.engine import fit_effective_share, sidak
from engine.null import MAX_DOF, ExactNull, TailNull
from engine.sequential import (
    DriftNull,
    cusum_paths,
    drift_matrix,
    drift_p_values,
    largest_excursions,
    proving_months,
)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- TailNull -----------------------------------------------------------------------------------


def test_a_tail_null_fitted_on_normal_residuals_is_the_normal() -> None:
    null = TailNull().fit(_rng(0).normal(0.0, 1.0, 20_000))
    assert null.location_ == pytest.approx(0.0, abs=0.03)
    assert null.scale_ == pytest.approx(1.0, rel=0.03)
    assert null.dof_ > 50
    z = np.array([2.0, 3.0, 4.0])
    np.testing.assert_allclose(null.p_values(z), 2 * stats.norm.sf(z), rtol=0.2)
    np.testing.assert_allclose(null.normal_scores(z), z, rtol=0.03)


def test_tail_probabilities_stay_honest_on_heavy_tailed_residuals() -> None:
    """A fleet whose residuals are t3 (start-ups, part months): p ≤ 0.001 on fresh draws from
    the same null stays near 0.001, where a normal null with a robust scale cries wolf."""
    rng = _rng(1)
    null = TailNull().fit(0.5 + 2.0 * rng.standard_t(3, 20_000))
    assert null.dof_ == pytest.approx(3.0, rel=0.25)
    fresh = 0.5 + 2.0 * rng.standard_t(3, 400_000)
    share = float((null.p_values(fresh) <= 1e-3).mean())
    assert 0.5e-3 <= share <= 2e-3
    mad = stats.median_abs_deviation(fresh, scale="normal")
    normal_share = float((2 * stats.norm.sf(np.abs(fresh - 0.5) / mad) <= 1e-3).mean())
    assert normal_share > 10 * share


def test_faults_beyond_the_shoulder_barely_move_the_centre_of_the_fit() -> None:
    rng = _rng(2)
    honest = rng.normal(0.0, 1.0, 20_000)
    faults = rng.choice([-1.0, 1.0], 200) * rng.uniform(8.0, 30.0, 200)
    clean = TailNull().fit(honest)
    dirty = TailNull().fit(np.concatenate([honest, faults]))
    assert dirty.location_ == pytest.approx(clean.location_, abs=0.02)
    assert dirty.scale_ == pytest.approx(clean.scale_, rel=0.03)
    # The faults still stand far out, and honest residuals are never made to look stronger.
    assert dirty.p_values(faults).max() < 1e-5
    z = np.linspace(2.0, 5.0, 7)
    assert (dirty.p_values(z) >= clean.p_values(z)).all()


@pytest.mark.xfail(
    strict=True,
    reason="engine/null.py TailNull.fit matches the 95th percentile of |z - location|: 1 % of "
    "faults far in the tail move it to the clean 96th, the fitted dof falls from 200 to 20-25 "
    "and fresh normal residuals get p <= 1e-3 at 2.3e-4 instead of 1e-3 (4x too conservative; "
    "3 % faults: dof 6, a 4-sigma residual gets p 5e-3 instead of 6e-5). Fit the shoulder on "
    "residuals trimmed of the fitted far tail (iterate), or match quantiles nearer the centre",
)
def test_one_percent_of_faults_leave_the_honest_tail_within_a_factor_of_two() -> None:
    rng = _rng(3)
    honest = rng.normal(0.0, 1.0, 20_000)
    faults = rng.choice([-1.0, 1.0], 200) * rng.uniform(8.0, 30.0, 200)
    dirty = TailNull().fit(np.concatenate([honest, faults]))
    fresh = rng.normal(0.0, 1.0, 400_000)
    share = float((dirty.p_values(fresh) <= 1e-3).mean())
    assert 0.5e-3 <= share <= 2e-3


def test_too_few_residuals_leave_the_standard_normal() -> None:
    null = TailNull(min_rows=30).fit(np.array([0.0, 10.0, -10.0, np.nan] * 5))
    assert null.n_ == 15
    assert (null.location_, null.scale_, null.dof_) == (0.0, 1.0, MAX_DOF)


def test_rounded_residuals_that_are_mostly_exact_zeros_get_a_positive_scale() -> None:
    values = np.zeros(1000)
    values[:40] = _rng(4).normal(0.0, 1.0, 40)
    null = TailNull().fit(values)
    assert null.scale_ > 0
    assert np.isfinite(null.p_values(np.array([3.0]))).all()


def test_missing_residuals_stay_missing() -> None:
    null = TailNull().fit(_rng(5).normal(size=500))
    p = null.p_values(np.array([np.nan, 0.0]))
    assert np.isnan(p[0])
    assert p[1] == pytest.approx(1.0, abs=0.05)


# --- ExactNull ----------------------------------------------------------------------------------


def test_an_equality_within_rounding_keeps_a_scale_of_one_rounding_unit() -> None:
    gaps = _rng(6).uniform(-1.0, 1.0, 5000)
    null = ExactNull().fit(gaps)
    assert null.scale_ == 1.0
    assert null.p_values(np.array([6.0]))[0] < 1e-8
    assert null.p_values(np.array([0.5]))[0] > 0.5


def test_a_fleet_whose_honest_gaps_are_wider_widens_the_equality() -> None:
    rng = _rng(7)
    tight = ExactNull().fit(rng.uniform(-1.0, 1.0, 5000))
    loose = ExactNull().fit(rng.uniform(-5.0, 5.0, 5000))
    assert loose.scale_ > 2 * tight.scale_
    gap = np.array([6.0])
    assert loose.p_values(gap)[0] > 100 * tight.p_values(gap)[0]


# --- DriftNull ----------------------------------------------------------------------------------


def test_the_cusum_accumulates_a_slow_drift_and_forgets_noise() -> None:
    months = 24
    ramp = np.r_[np.zeros(8), 0.3 * np.arange(1, months - 7)]
    upper, lower = cusum_paths(np.vstack([ramp, np.zeros(months)]), reference=0.5)
    assert upper[0, -1] > 10
    assert upper[1].max() == 0 and lower.max() == 0


def test_a_drift_null_fitted_on_honest_units_is_honest_on_fresh_ones() -> None:
    rng = _rng(8)
    null = DriftNull(reference=0.5).fit(rng.normal(size=(400, 24)))
    assert null.n_ == 400
    fresh = null.p_values(largest_excursions(rng.normal(size=(20_000, 24)), 0.5))
    assert 0.005 <= float((fresh <= 0.01).mean()) <= 0.02
    assert 0.025 <= float((fresh <= 0.05).mean()) <= 0.1


def test_a_drifting_unit_stands_far_out_of_the_drift_null() -> None:
    rng = _rng(9)
    null = DriftNull(reference=0.5).fit(rng.normal(size=(200, 24)))
    drifting = rng.normal(size=24) + np.r_[np.zeros(8), 0.35 * np.arange(1, 17)]
    assert null.p_values(largest_excursions(drifting[None, :], 0.5))[0] < 1e-6


def test_too_few_units_fit_no_drift_null() -> None:
    null = DriftNull(min_units=20).fit(_rng(10).normal(size=(5, 24)))
    assert null.n_ == 5
    np.testing.assert_array_equal(null.p_values(np.array([0.0, 50.0])), [1.0, 1.0])


def test_only_the_months_of_a_drift_episode_carry_its_p_value() -> None:
    rng = _rng(11)
    units = [f"U{i:03d}" for i in range(60)]
    periods = [f"2022-{m:02d}" for m in range(1, 13)] + [f"2023-{m:02d}" for m in range(1, 13)]
    frame = pd.DataFrame([(u, p) for u in units for p in periods], columns=["unit_id", "period"])
    scores = rng.normal(size=len(frame)) * 0.3
    drifting = (frame["unit_id"] == "U000").to_numpy()
    scores[drifting] = np.r_[np.zeros(12), 0.8 * np.arange(1, 13)]
    null = DriftNull(reference=0.5).fit(drift_matrix(scores, frame)[0])
    p = drift_p_values(scores, frame, null)
    inside = drifting & frame["period"].ge("2023-01").to_numpy()
    assert p[inside].max() < 1e-6
    assert (p[drifting & ~inside] == 1.0).all()
    assert float((p[~drifting] <= 1e-3).mean()) < 0.01


def test_a_flag_grows_back_over_its_run_of_listed_months_and_no_further() -> None:
    months = pd.DataFrame(
        {
            "unit_id": ["A"] * 7 + ["B"] * 2,
            "period": [f"2023-{m:02d}" for m in (1, 2, 3, 4, 5, 7, 8)] + ["2023-01", "2023-02"],
            "root_parameter": ["cems_co2_t"] * 4
            + ["coal_carbon_pct", "cems_co2_t", "cems_co2_t"]
            + ["cems_co2_t"] * 2,
        }
    )
    # A: Jan clear, Feb-Mar listed, Apr flagged (the drift proven), May listed with another
    # root, Jul-Aug listed after a gap. B: listed only, never flagged.
    eligible = pd.Series([False, True, True, True, True, True, True, True, True])
    flagged = pd.Series([False, False, False, True, False, False, False, False, False])
    proved = proving_months(months, flagged, eligible)
    # Feb and Mar are flagged by April's evidence, April by its own.
    assert proved.tolist() == [None, "2023-04", "2023-04", "2023-04", None, None, None, None, None]
    # A weak month after the flag, with its root, does not join it (a drift precedes its alarm).
    same_root = months.assign(root_parameter="cems_co2_t")
    assert proving_months(same_root, flagged, eligible).tolist() == proved.tolist()


# --- combining ----------------------------------------------------------------------------------


def test_the_cauchy_statistic_is_zero_at_one_half_and_falls_with_p() -> None:
    p = np.array([1e-12, 1e-7, 1e-3, 0.1, 0.5, 0.9])
    t = cauchy_statistic(p)
    assert t[4] == pytest.approx(0.0, abs=1e-12)
    assert (np.diff(t) < 0).all()


def test_the_cauchy_combination_of_one_strong_check_among_silent_ones() -> None:
    p = pd.Series([1e-10, 0.5, 0.5, 0.8, 0.2])
    group = pd.Series([0, 0, 0, 1, 1])
    combined = cauchy_combine(p, [group])
    assert combined[0] == pytest.approx(3e-10, rel=1e-3)
    assert 0.2 < combined[1] < 0.8


def test_the_cauchy_combination_of_independent_null_p_values_is_uniform() -> None:
    rng = _rng(12)
    p = pd.Series(rng.random(200_000))
    group = pd.Series(np.repeat(np.arange(20_000), 10))
    combined = cauchy_combine(p, [group])
    assert len(combined) == 20_000
    assert 0.007 <= float((combined <= 0.01).mean()) <= 0.013


def test_benjamini_hochberg_matches_a_hand_computation() -> None:
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5]))
    np.testing.assert_allclose(q, [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    assert benjamini_hochberg(np.array([])).size == 0


def test_sidak_corrects_the_smallest_p_for_the_checks_that_count() -> None:
    p = np.array([0.01, 0.01, 0.01])
    np.testing.assert_allclose(sidak(p[:1], np.array([1.0]), 1.0), [0.01])
    corrected = sidak(p, np.array([1.0, 10.0, 40.0]), 1.0)
    assert (np.diff(corrected) > 0).all()
    np.testing.assert_allclose(corrected[1], 1 - 0.99**10)
    assert sidak(np.array([1e-20]), np.array([40.0]), 0.5)[0] == pytest.approx(20e-20)


def test_the_effective_share_puts_a_null_fleets_median_combined_p_at_one_half() -> None:
    """Checks that move in groups of four: the share of effectively independent checks is a
    quarter, and with it the fleet's combined p-values are uniform, flags at their target."""
    rng = _rng(13)
    count = rng.integers(20, 41, 20_000).astype(float)
    p_min = np.array([rng.random(int(np.ceil(k / 4))).min() for k in count])
    share = fit_effective_share(p_min, count)
    assert share == pytest.approx(0.25, abs=0.03)
    combined = sidak(p_min, count, share)
    assert float(np.median(combined)) == pytest.approx(0.5, abs=1e-6)
    assert 0.0035 <= float((combined <= 0.005).mean()) <= 0.0065
    assert fit_effective_share(np.array([]), np.array([])) == 1.0
