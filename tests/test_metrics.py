"""gan_helpers.metrics on known cases: reference implementations, closed forms, hand-made points."""

import math

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from gan_helpers.metrics import mode_coverage, sliced_wasserstein_distance


def test_identical_sets_are_zero_apart():
    x = np.random.default_rng(0).normal(size=(500, 2))
    assert sliced_wasserstein_distance(x, x) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("shape", [(300,), (300, 1)])
def test_one_dimension_is_exactly_wasserstein_1(shape):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=shape), rng.normal(2.0, 0.5, size=shape)
    assert sliced_wasserstein_distance(x, y) == wasserstein_distance(np.ravel(x), np.ravel(y))


def test_shifted_gaussian_matches_the_closed_form():
    x = np.random.default_rng(2).normal(size=(400, 2))
    shift = np.array([3.0, -4.0])  # |d| = 5: E|<d, theta>| = 5 * 2/pi over directions on the circle
    value = sliced_wasserstein_distance(x, x + shift, n_projections=2000)
    assert value == pytest.approx(5 * 2 / math.pi, rel=0.02)


def test_symmetric_and_reproducible():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(200, 3)), rng.normal(1.0, size=(250, 3))
    assert sliced_wasserstein_distance(x, y, seed=4) == pytest.approx(sliced_wasserstein_distance(y, x, seed=4))
    assert sliced_wasserstein_distance(x, y, seed=4) == sliced_wasserstein_distance(x, y, seed=4)


@pytest.mark.parametrize("x, y, kwargs, match", [
    (np.zeros((5, 2)), np.zeros((5, 3)), {}, "same dimension"),
    (np.full((5, 2), np.nan), np.zeros((5, 2)), {}, "NaN"),
    (np.zeros((0, 2)), np.zeros((5, 2)), {}, "n >= 1"),
    (np.zeros((5, 2)), np.zeros((5, 2)), {"n_projections": 0}, "n_projections"),
    (np.zeros((5, 2)), np.zeros((5, 2)), {"n_projections": True}, "n_projections"),
])
def test_bad_inputs(x, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sliced_wasserstein_distance(x, y, **kwargs)


MODES = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


def test_mode_coverage_on_hand_made_points():
    samples = np.array([[0, 0], [0, 0], [0.05, 0], [1, 0], [5, 5]], dtype=float)
    result = mode_coverage(samples, MODES, std=0.1)
    assert result["counts"] == [3, 1, 0, 0]
    assert result["modes_captured"] == 2 and result["n_modes"] == 4
    assert result["high_quality"] == pytest.approx(4 / 5)
    q = np.array([3 / 4, 1 / 4])
    assert result["reverse_kl"] == pytest.approx(float(np.sum(q * np.log(q * 4))))


def test_perfectly_spread_samples_have_zero_reverse_kl():
    result = mode_coverage(np.repeat(MODES, 5, axis=0), MODES, std=0.1)
    assert result["modes_captured"] == 4 and result["high_quality"] == 1.0
    assert result["reverse_kl"] == pytest.approx(0.0, abs=1e-12)


def test_high_quality_threshold_is_strict():
    one_mode = np.array([[0.0, 0.0]])
    assert mode_coverage(np.array([[0.75, 0.0]]), one_mode, std=0.25)["high_quality"] == 0.0  # exactly 3 std
    assert mode_coverage(np.array([[0.74, 0.0]]), one_mode, std=0.25)["high_quality"] == 1.0


def test_no_high_quality_sample():
    result = mode_coverage(np.array([[0.5, 0.5]]), MODES, std=0.01)
    assert result["modes_captured"] == 0 and result["high_quality"] == 0.0
    assert math.isnan(result["reverse_kl"])


@pytest.mark.parametrize("kwargs, match", [({"std": 0}, "std"), ({"std": -1}, "std"),
                                           ({"std": 0.1, "threshold": 0}, "threshold")])
def test_mode_coverage_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mode_coverage(MODES, MODES, **kwargs)
