"""gan_helpers.metrics on known cases.

- :func:`sliced_wasserstein_distance`: 0 for identical sets, exactly SciPy's Wasserstein-1
  distance in 1-D, the closed form ``|d| * E|cos|`` for a sample and the same sample shifted by
  ``d`` (``2/pi`` on the circle, ``1/2`` on the sphere), symmetry, reproducibility with a seed,
  invariance to a common shift and scaling, and ValueErrors for bad inputs.
- :func:`mode_coverage`: hand-made points around four modes with hand-computed counts, share
  of high-quality samples and reverse KL; the strict ``< threshold * std`` boundary; the
  no-high-quality-sample case; ValueErrors for bad arguments.
- Fréchet distance, classifier score, class shares and the shipped evaluator (see each test).
- :func:`nearest_neighbour_distances` and :func:`knn_radii`: against brute force
  (``scipy.spatial.distance.cdist``) for several batch sizes, ``exclude_self``, exact copies at
  exactly 0, hand-made points on a line and on a 3-4-5 rectangle.
- :func:`precision_recall_from_features`: brute force; identical sets 1/1; far-apart sets 0/0;
  the ball boundary; fakes on one of two clusters (precision 1, recall 1/2); outliers lower
  precision by exactly their share.
- :func:`memorization_from_features` / :func:`memorization_check` /
  :meth:`ClassifierMetrics.precision_recall`: synthetic copies vs fresh samples, then real MNIST
  digits (noisy copies of training digits are caught, held-out digits are not).
"""

import math

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from gan_helpers.metrics import mode_coverage, sliced_wasserstein_distance

# ---------------------------------------------------------------- sliced_wasserstein_distance


def test_identical_sets_are_zero_apart():
    x = np.random.default_rng(0).normal(size=(500, 2))
    assert sliced_wasserstein_distance(x, x) == 0.0
    assert sliced_wasserstein_distance(x, x.copy()[::-1]) == pytest.approx(0.0, abs=1e-12)  # order does not matter


@pytest.mark.parametrize("shape_x, shape_y", [((300,), (300,)), ((300, 1), (300, 1)), ((300,), (200, 1))])
def test_one_dimension_is_exactly_scipys_wasserstein_1(shape_x, shape_y):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=shape_x), rng.normal(2.0, 0.5, size=shape_y)
    expected = wasserstein_distance(np.ravel(x), np.ravel(y))
    assert sliced_wasserstein_distance(x, y) == expected
    # in 1-D there is nothing to sample: seed and n_projections do not change the value
    assert sliced_wasserstein_distance(x, y, n_projections=3, seed=99) == expected


def test_one_dimension_hand_computed():
    # W1 between {0, 1} and {2, 3}: every unit of mass moves by 2
    assert sliced_wasserstein_distance([0.0, 1.0], [2.0, 3.0]) == pytest.approx(2.0)
    assert sliced_wasserstein_distance(np.array([[0.0], [1.0]]), np.array([[5.0], [1.0]])) == pytest.approx(2.5)


def test_shifted_sample_in_2d_is_norm_times_two_over_pi():
    x = np.random.default_rng(2).normal(size=(400, 2))
    shift = np.array([3.0, -4.0])  # |d| = 5; per direction theta the 1-D distance is |<d, theta>| exactly
    value = sliced_wasserstein_distance(x, x + shift, n_projections=2000)
    assert value == pytest.approx(5 * 2 / math.pi, rel=0.02)


def test_shifted_sample_in_3d_is_half_the_norm():
    x = np.random.default_rng(2).normal(size=(400, 3))
    shift = np.array([1.0, 2.0, 2.0])  # |d| = 3; E|cos| over the sphere is 1/2
    value = sliced_wasserstein_distance(x, x + shift, n_projections=2000)
    assert value == pytest.approx(3 / 2, rel=0.03)


def test_symmetric():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(200, 3)), rng.normal(1.0, size=(250, 3))
    assert sliced_wasserstein_distance(x, y, seed=4) == pytest.approx(sliced_wasserstein_distance(y, x, seed=4), rel=1e-12)


def test_same_seed_same_value_other_seed_other_value():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(200, 2)), rng.normal(1.0, 2.0, size=(250, 2))
    first = sliced_wasserstein_distance(x, y, n_projections=8, seed=4)
    assert sliced_wasserstein_distance(x, y, n_projections=8, seed=4) == first
    assert sliced_wasserstein_distance(x, y, n_projections=8, seed=5) != first


def test_invariant_to_a_common_shift_and_proportional_to_scale():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(150, 2)), rng.normal(0.5, 1.5, size=(150, 2))
    base = sliced_wasserstein_distance(x, y)
    assert base > 0
    assert sliced_wasserstein_distance(x + 7.0, y + 7.0) == pytest.approx(base, rel=1e-9)
    assert sliced_wasserstein_distance(3.0 * x, 3.0 * y) == pytest.approx(3.0 * base, rel=1e-9)


def test_accepts_lists_and_numpy_integer_projection_counts():
    value = sliced_wasserstein_distance([[0.0, 0.0], [1.0, 1.0]], [[0.0, 0.0], [1.0, 1.0]], n_projections=np.int64(4))
    assert value == 0.0


@pytest.mark.parametrize("x, y, kwargs, match", [
    (np.zeros((5, 2)), np.zeros((5, 3)), {}, r"x and y must have the same dimension; got 2 and 3"),
    (np.full((5, 2), np.nan), np.zeros((5, 2)), {}, r"x contains NaN or infinite values"),
    (np.zeros((5, 2)), np.array([[0.0, np.inf]]), {}, r"y contains NaN or infinite values"),
    (np.zeros((0, 2)), np.zeros((5, 2)), {}, r"x must have shape \(n,\) or \(n, d\) with n >= 1; got shape \(0, 2\)"),
    (np.zeros((5, 2)), np.zeros((0,)), {}, r"y must have shape .*got shape \(0, 1\)"),
    (np.zeros((5, 2, 2)), np.zeros((5, 2, 2)), {}, r"x must have shape .*got shape \(5, 2, 2\)"),
    (np.zeros((5, 2)), np.zeros((5, 2)), {"n_projections": 0}, r"n_projections must be a positive integer; got 0"),
    (np.zeros((5, 2)), np.zeros((5, 2)), {"n_projections": -3}, r"n_projections must be a positive integer; got -3"),
    (np.zeros((5, 2)), np.zeros((5, 2)), {"n_projections": True}, r"n_projections must be a positive integer; got True"),
    (np.zeros((5, 2)), np.zeros((5, 2)), {"n_projections": 2.5}, r"n_projections must be a positive integer; got 2.5"),
    (np.zeros((5, 2)), np.zeros((5, 2)), {"n_projections": "8"}, r"n_projections must be a positive integer; got '8'"),
])
def test_sliced_wasserstein_bad_inputs(x, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sliced_wasserstein_distance(x, y, **kwargs)


# ------------------------------------------------------------------------------ mode_coverage

MODES = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


def test_mode_coverage_on_hand_made_points():
    # 3 points on mode 0, 1 on mode 1, 1 far away (nearest mode (1, 1), 5.66 away: not high quality)
    samples = np.array([[0, 0], [0, 0], [0, 0], [1, 0], [5, 5]], dtype=float)
    result = mode_coverage(samples, MODES, std=0.1)
    assert result["counts"] == [3, 1, 0, 0]
    assert result["nearest_counts"] == [3, 1, 0, 1]  # the far point still has a nearest mode
    assert result["modes_captured"] == 2 and type(result["modes_captured"]) is int
    assert result["n_modes"] == 4
    assert result["high_quality"] == pytest.approx(4 / 5)
    q1, q2 = 3 / 4, 1 / 4
    assert result["reverse_kl"] == pytest.approx(q1 * math.log(q1 * 4) + q2 * math.log(q2 * 4), rel=1e-12)
    assert set(result) == {"modes_captured", "n_modes", "high_quality", "reverse_kl", "counts", "nearest_counts"}


def test_points_near_but_not_on_a_mode_count_for_the_nearest_mode():
    samples = np.array([[0.05, 0.0], [0.0, 0.95], [0.9, 1.1], [0.6, 0.1]])  # the last one is 0.41 from (1, 0)
    result = mode_coverage(samples, MODES, std=0.1)
    assert result["counts"] == [1, 0, 1, 1]
    assert result["nearest_counts"] == [1, 1, 1, 1]  # (0.6, 0.1) is nearest to (1, 0), too far to count
    assert result["high_quality"] == pytest.approx(3 / 4)
    assert result["reverse_kl"] == pytest.approx(math.log(4 / 3), rel=1e-12)  # 3 modes with q = 1/3 each


def test_equally_spread_samples_have_zero_reverse_kl():
    result = mode_coverage(np.repeat(MODES, 5, axis=0), MODES, std=0.1)
    assert result["counts"] == [5, 5, 5, 5]
    assert result["modes_captured"] == 4 and result["high_quality"] == 1.0
    assert result["reverse_kl"] == pytest.approx(0.0, abs=1e-12)


def test_all_samples_on_one_mode_give_log_k():
    result = mode_coverage(np.zeros((7, 2)), MODES, std=0.1)
    assert result["counts"] == [7, 0, 0, 0] and result["modes_captured"] == 1
    assert result["reverse_kl"] == pytest.approx(math.log(4), rel=1e-12)


def test_high_quality_threshold_is_strict():
    # std = 0.25 keeps 3 * std = 0.75 exact in binary floating point
    one_mode = np.array([[0.0, 0.0]])
    exactly = mode_coverage(np.array([[0.75, 0.0]]), one_mode, std=0.25)
    assert exactly["high_quality"] == 0.0 and exactly["modes_captured"] == 0
    inside = mode_coverage(np.array([[2.99 * 0.25, 0.0]]), one_mode, std=0.25)
    assert inside["high_quality"] == 1.0 and inside["modes_captured"] == 1


def test_threshold_argument_moves_the_boundary():
    one_mode = np.array([[0.0, 0.0]])
    point = np.array([[0.0, 0.6]])  # 2.4 std away with std = 0.25
    assert mode_coverage(point, one_mode, std=0.25, threshold=3.0)["high_quality"] == 1.0
    assert mode_coverage(point, one_mode, std=0.25, threshold=2.0)["high_quality"] == 0.0


def test_no_high_quality_sample_gives_nan_reverse_kl():
    result = mode_coverage(np.array([[0.5, 0.5], [3.0, -2.0]]), MODES, std=0.01)
    assert result["modes_captured"] == 0 and result["high_quality"] == 0.0
    assert result["counts"] == [0, 0, 0, 0]
    assert math.isnan(result["reverse_kl"])


@pytest.mark.parametrize("kwargs, match", [
    ({"std": 0}, r"std must be a positive number; got 0"),
    ({"std": -1.0}, r"std must be a positive number; got -1.0"),
    ({"std": math.nan}, r"std must be a positive number; got nan"),
    ({"std": "0.1"}, r"std must be a positive number; got '0.1'"),
    ({"std": None}, r"std must be a positive number; got None"),
    ({"std": 0.1, "threshold": 0}, r"threshold must be a positive number; got 0"),
    ({"std": 0.1, "threshold": -3.0}, r"threshold must be a positive number; got -3.0"),
    ({"std": math.inf}, r"std must be a positive number; got inf"),
    ({"std": True}, r"std must be a positive number; got True"),
])
def test_mode_coverage_bad_std_or_threshold(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mode_coverage(MODES, MODES, **kwargs)


@pytest.mark.parametrize("samples, modes, match", [
    (np.zeros((3, 3)), MODES, r"samples and modes must have the same dimension; got 3 and 2"),
    (np.zeros((0, 2)), MODES, r"samples must have shape"),
    (np.array([[np.nan, 0.0]]), MODES, r"samples contains NaN"),
    (np.zeros((3, 2)), np.zeros((0, 2)), r"modes must have shape"),
])
def test_mode_coverage_bad_arrays(samples, modes, match):
    with pytest.raises(ValueError, match=match):
        mode_coverage(samples, modes, std=0.1)


def test_numpy_integer_std_is_accepted_and_seed_must_be_an_integer():
    assert mode_coverage(np.zeros((1, 2)), np.zeros((1, 2)), std=np.int64(1))["high_quality"] == 1.0
    with pytest.raises(ValueError, match="seed must be an integer"):
        sliced_wasserstein_distance(np.zeros((3, 2)), np.ones((3, 2)), seed=None)


# ----------------------------------------------------------------------------- classifier-based metrics
from gan_helpers.metrics import (  # noqa: E402
    EVALUATOR_PATH,
    class_shares,
    classifier_metrics,
    classifier_score_from_probabilities,
    frechet_distance_from_activations,
    frechet_distance_from_statistics,
    load_evaluator,
)


def test_frechet_identical_sets_are_zero():
    a = np.random.default_rng(0).normal(size=(300, 8))
    assert frechet_distance_from_activations(a, a) == pytest.approx(0.0, abs=1e-6)


def test_frechet_closed_form_for_known_gaussians():
    # diagonal covariances commute: Tr(S1 + S2 - 2 sqrt(S1 S2)) = (1 + 4 - 2*2) + (4 + 9 - 2*6) = 2
    mu1, mu2 = np.array([0.0, 0.0]), np.array([3.0, 4.0])
    s1, s2 = np.diag([1.0, 4.0]), np.diag([4.0, 9.0])
    assert frechet_distance_from_statistics(mu1, s1, mu2, s2) == pytest.approx(25.0 + 2.0, rel=1e-9)
    # a non-diagonal case against the definition computed with scipy directly
    from scipy.linalg import sqrtm
    s3 = np.array([[2.0, 0.5], [0.5, 1.0]])
    expected = 25.0 + np.trace(s1 + s3 - 2 * np.real(sqrtm(s1 @ s3)))
    assert frechet_distance_from_statistics(mu1, s1, mu2, s3) == pytest.approx(expected, rel=1e-9)


def test_frechet_sampled_gaussians_approach_the_closed_form():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(20000, 2)) * [1.0, 2.0]
    b = rng.normal(size=(20000, 2)) * [2.0, 3.0] + [3.0, 4.0]
    assert frechet_distance_from_activations(a, b) == pytest.approx(27.0, rel=0.03)


def test_frechet_of_a_collapsed_set_is_finite():
    real = np.random.default_rng(2).normal(size=(200, 16))
    collapsed = np.tile(real[:1], (200, 1))  # zero covariance: singular product
    value = frechet_distance_from_activations(real, collapsed)
    assert np.isfinite(value) and value > 10


def test_frechet_bad_shapes():
    with pytest.raises(ValueError, match="same width"):
        frechet_distance_from_activations(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance_from_activations(np.zeros((1, 2)), np.zeros((5, 2)))


def test_classifier_score_one_class_is_one_and_balanced_confident_is_ten():
    one_class = np.tile(np.eye(10)[3], (50, 1))
    assert classifier_score_from_probabilities(one_class) == pytest.approx(1.0, abs=1e-6)
    balanced = np.tile(np.eye(10), (5, 1))
    assert classifier_score_from_probabilities(balanced) == pytest.approx(10.0, rel=1e-6)
    uncertain = np.full((20, 10), 0.1)
    assert classifier_score_from_probabilities(uncertain) == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match="probabilities"):
        classifier_score_from_probabilities(np.full((3, 10), 0.5))


def test_class_shares_counts_the_argmax():
    p = np.eye(10)[[0, 0, 1, 9]]
    assert class_shares(p) == pytest.approx([0.5, 0.25] + [0.0] * 7 + [0.25])


@pytest.fixture(scope="module")
def evaluator():
    return load_evaluator()


@pytest.fixture(scope="module")
def mnist():
    from gan_helpers.data import load_mnist

    return load_mnist()


def test_shipped_evaluator_is_accurate_on_held_out_digits(evaluator, mnist):
    (_, _), (x_test, y_test) = mnist
    logits = evaluator.predict(x_test, verbose=0)
    assert (logits.argmax(axis=1) == y_test).mean() > 0.95  # measured 0.976 (datasets/README.md)


def test_classifier_metrics_real_vs_real_and_vs_noise(evaluator, mnist):
    (x_train, _), (x_test, _) = mnist
    real = classifier_metrics(x_train[:1000], x_test, evaluator)
    noise = classifier_metrics(x_train[:1000], np.random.default_rng(0).uniform(-1, 1, x_test.shape), evaluator)
    assert real["score"] > 8.0 and all(0.05 < share < 0.15 for share in real["class_shares"])
    assert noise["fid"] > 10 * real["fid"] and noise["score"] < real["score"]


def test_load_evaluator_checks_hash_and_architecture(tmp_path, monkeypatch):
    import keras

    import gan_helpers.metrics as metrics

    corrupt = tmp_path / "corrupt.weights.h5"
    corrupt.write_bytes(EVALUATOR_PATH.read_bytes()[:-100])
    monkeypatch.setattr(metrics, "EVALUATOR_PATH", corrupt)
    with pytest.raises(ValueError, match="SHA-256"):
        load_evaluator()
    other = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    wrong = tmp_path / "wrong.weights.h5"
    other.save_weights(wrong)
    with pytest.raises(ValueError, match="does not match the evaluator architecture"):
        load_evaluator(wrong)
    with pytest.raises(FileNotFoundError, match="check the path"):
        load_evaluator(tmp_path / "missing.weights.h5")


def test_classifier_metrics_object_matches_the_one_off_call(evaluator, mnist):
    from gan_helpers.metrics import ClassifierMetrics

    (x_train, _), (x_test, _) = mnist
    measure = ClassifierMetrics(x_train[:500], evaluator)
    assert measure.real_features.shape == (500, 128)
    once = classifier_metrics(x_train[:500], x_test[:300], evaluator)
    again = measure(x_test[:300])
    assert again["fid"] == pytest.approx(once["fid"], rel=1e-6)
    assert again["score"] == pytest.approx(once["score"], rel=1e-6)
    assert again["class_shares"] == pytest.approx(once["class_shares"])
    assert measure(x_train[:500])["fid"] == pytest.approx(0.0, abs=1e-3)  # the real set against itself


def test_classifier_metrics_rejects_bad_images(evaluator):
    from gan_helpers.metrics import ClassifierMetrics

    measure = ClassifierMetrics(np.zeros((10, 28, 28, 1), "float32"), evaluator)
    with pytest.raises(ValueError, match="NaN"):
        measure(np.full((10, 28, 28, 1), np.nan, "float32"))
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        measure(np.zeros((10, 32, 32, 3), "float32"))
    with pytest.raises(ValueError, match="at least 2"):
        measure(np.zeros((1, 28, 28, 1), "float32"))
    with pytest.raises(ValueError, match="batch_size"):
        ClassifierMetrics(np.zeros((10, 28, 28, 1), "float32"), evaluator, batch_size=0)


def test_the_two_output_model_is_built_once_per_evaluator():
    from gan_helpers.metrics import _two_output_model, build_evaluator

    evaluator, other = build_evaluator(), build_evaluator()
    assert _two_output_model(evaluator) is _two_output_model(evaluator)
    assert _two_output_model(other) is not _two_output_model(evaluator)


# ----------------------------------------------------------------------------- nearest neighbours
from scipy.spatial.distance import cdist  # noqa: E402

from gan_helpers.metrics import (  # noqa: E402
    ClassifierMetrics,
    knn_radii,
    memorization_check,
    memorization_from_features,
    nearest_neighbour_distances,
    precision_recall_from_features,
)


@pytest.mark.parametrize("batch_size", [1, 7, 64, 1000])
def test_nearest_neighbours_match_brute_force_cdist(batch_size):
    rng = np.random.default_rng(10)
    queries, references = rng.normal(size=(97, 6)), rng.normal(size=(213, 6))
    distances, indices = nearest_neighbour_distances(queries, references, batch_size=batch_size)
    brute = cdist(queries, references)
    np.testing.assert_array_equal(indices, brute.argmin(axis=1))
    np.testing.assert_allclose(distances, brute.min(axis=1), rtol=1e-12)
    assert distances.shape == indices.shape == (97,)


def test_nearest_neighbours_of_pixel_images_far_from_the_origin():
    # MNIST-like rows: 784 values in [-1, 1], mostly -1 (large norms, small differences)
    rng = np.random.default_rng(11)
    references = np.where(rng.random((300, 784)) < 0.2, rng.uniform(-1, 1, (300, 784)), -1.0).astype("float32")
    queries = np.clip(references[::3] + rng.normal(0, 0.01, references[::3].shape), -1, 1)
    distances, indices = nearest_neighbour_distances(queries, references, batch_size=50)
    brute = cdist(queries.astype(np.float64), references.astype(np.float64))
    np.testing.assert_array_equal(indices, np.arange(0, 300, 3))
    np.testing.assert_allclose(distances, brute.min(axis=1), rtol=1e-9)


def test_exact_copies_are_exactly_zero_apart():
    references = np.random.default_rng(12).uniform(-1, 1, size=(50, 784)) - 5.0
    distances, indices = nearest_neighbour_distances(references[[4, 9, 49]], references)
    assert distances.tolist() == [0.0, 0.0, 0.0] and indices.tolist() == [4, 9, 49]


def test_exclude_self_gives_the_nearest_other_row():
    rng = np.random.default_rng(13)
    x = rng.normal(size=(150, 4))
    brute = cdist(x, x)
    np.fill_diagonal(brute, np.inf)
    for batch_size in (7, 16, 1000):
        distances, indices = nearest_neighbour_distances(x, x, batch_size=batch_size, exclude_self=True)
        np.testing.assert_array_equal(indices, brute.argmin(axis=1))
        np.testing.assert_allclose(distances, brute.min(axis=1), rtol=1e-12)
    plain, _ = nearest_neighbour_distances(x, x)
    assert np.all(plain == 0.0)  # without it every row finds itself


def test_exclude_self_by_index_so_a_duplicate_still_counts():
    x = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 4.0]])
    distances, indices = nearest_neighbour_distances(x, x, exclude_self=True)
    assert distances.tolist() == [0.0, 0.0, 5.0] and indices.tolist() == [1, 0, 0]


def test_one_dimensional_inputs_are_points_on_a_line():
    distances, indices = nearest_neighbour_distances([0.0, 2.9, 10.0], [1.0, 3.0, 7.0])
    np.testing.assert_allclose(distances, [1.0, 0.1, 3.0])
    assert indices.tolist() == [0, 1, 2]


def test_knn_radii_on_a_hand_example():
    points = np.array([[0.0], [1.0], [3.0], [6.0]])  # distances: 0-1: 1, 0-3: 3, 0-6: 6, 1-3: 2, 1-6: 5, 3-6: 3
    np.testing.assert_allclose(knn_radii(points, k=1), [1, 1, 2, 3])
    np.testing.assert_allclose(knn_radii(points, k=2), [3, 2, 3, 5])
    np.testing.assert_allclose(knn_radii(points, k=3), [6, 5, 3, 6])
    square = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [3.0, 4.0]])  # sides 3 and 4, diagonal 5
    np.testing.assert_allclose(knn_radii(square, k=1), [3, 3, 3, 3])
    np.testing.assert_allclose(knn_radii(square, k=3), [5, 5, 5, 5])


@pytest.mark.parametrize("k", [1, 3, 10])
def test_knn_radii_match_brute_force(k):
    x = np.random.default_rng(14).normal(size=(257, 5))
    brute = np.sort(cdist(x, x), axis=1)[:, k]  # column 0 is the row itself
    np.testing.assert_allclose(knn_radii(x, k=k, batch_size=40), brute, rtol=1e-12)


# ----------------------------------------------------------------------------- precision and recall
def _brute_precision_recall(real, fake, k):
    real_radii, fake_radii = np.sort(cdist(real, real), axis=1)[:, k], np.sort(cdist(fake, fake), axis=1)[:, k]
    precision = np.mean(np.any(cdist(fake, real) <= real_radii[None, :], axis=1))
    recall = np.mean(np.any(cdist(real, fake) <= fake_radii[None, :], axis=1))
    return precision, recall


def _two_clusters(rng, n_each):
    return np.concatenate([rng.normal(size=(n_each, 2)), rng.normal(size=(n_each, 2)) + [20.0, 0.0]])


def test_precision_recall_match_brute_force():
    rng = np.random.default_rng(15)
    real, fake = rng.normal(size=(300, 5)), rng.normal(0.5, 1.2, size=(280, 5))
    for k in (1, 3, 5):
        result = precision_recall_from_features(real, fake, k=k, batch_size=77)
        expected = _brute_precision_recall(real, fake, k)
        assert (result["precision"], result["recall"]) == pytest.approx(expected, abs=1e-12)
        assert result["k"] == k and set(result) == {"precision", "recall", "k"}
        assert 0.5 < result["precision"] < 1 and 0.5 < result["recall"] < 1  # neither trivial


def test_identical_sets_have_precision_and_recall_one():
    x = np.random.default_rng(16).normal(size=(200, 8))
    assert precision_recall_from_features(x, x) == {"precision": 1.0, "recall": 1.0, "k": 3}
    assert precision_recall_from_features(x, x[::-1].copy(), k=1) == {"precision": 1.0, "recall": 1.0, "k": 1}


def test_far_apart_sets_have_precision_and_recall_zero():
    rng = np.random.default_rng(17)
    real, fake = rng.normal(size=(200, 3)), rng.normal(size=(200, 3)) + 100.0
    assert precision_recall_from_features(real, fake) == {"precision": 0.0, "recall": 0.0, "k": 3}


def test_a_point_on_a_ball_surface_counts_as_inside():
    real = np.array([[0.0, 0.0], [3.0, 4.0]])  # k = 1: both radii are 5
    on_surface = np.array([[-3.0, -4.0], [6.0, 8.0]])  # 5 from one real point, 10 from the other
    step = np.array([0.6e-6, 0.8e-6])  # 1e-6 along the line through both real points
    just_outside = np.array([[-3.0, -4.0] - step, [6.0, 8.0] + step])  # 5.000001 and 10.000001 away
    assert precision_recall_from_features(real, on_surface, k=1)["precision"] == 1.0
    assert precision_recall_from_features(real, just_outside, k=1)["precision"] == 0.0


def test_fakes_on_one_of_two_clusters_have_full_precision_and_half_recall():
    rng = np.random.default_rng(18)
    real = _two_clusters(rng, 200)
    copies = precision_recall_from_features(real, real[:200])  # exactly the first cluster's real points
    assert copies["precision"] == 1.0 and copies["recall"] == 0.5
    fresh = precision_recall_from_features(real, rng.normal(size=(400, 2)))  # new samples, first cluster only
    assert fresh["precision"] > 0.9  # measured 0.95-0.99 over seeds 0-4
    assert 0.4 < fresh["recall"] <= 0.5  # the second cluster (half the real points) is never covered
    both = precision_recall_from_features(real, _two_clusters(rng, 200))
    assert both["recall"] > 0.9  # the same number of fresh fakes over both clusters covers both


def test_outliers_lower_precision_by_their_share():
    rng = np.random.default_rng(19)
    real = _two_clusters(rng, 200)
    inliers = _two_clusters(rng, 180)  # 360 fresh samples over both clusters
    outliers = rng.normal(size=(40, 2)) + [0.0, 60.0]  # 10 % of the fakes, far from both clusters
    clean = precision_recall_from_features(real, inliers)
    dirty = precision_recall_from_features(real, np.concatenate([inliers, outliers]))
    # precision depends only on the real balls: the same inliers are inside, out of 400 instead of 360
    assert dirty["precision"] == pytest.approx(clean["precision"] * 360 / 400, abs=1e-12)
    assert dirty["precision"] < 0.91
    copies = precision_recall_from_features(real, np.concatenate([real[::10].repeat(9, axis=0), outliers]))
    assert copies["precision"] == pytest.approx(0.9, abs=1e-12)


# ----------------------------------------------------------------------------- memorization
def test_exact_copies_of_training_rows_are_near_copies():
    rng = np.random.default_rng(20)
    train, held_out = rng.normal(size=(2000, 10)), rng.normal(size=(500, 10))
    result = memorization_from_features(train, held_out, train[:500])
    assert result["near_copies"] == 1.0 and result["ratio"] == 0.0 and result["fake_median"] == 0.0
    assert result["fake_nearest"].tolist() == list(range(500))
    assert np.all(result["fake_distances"] == 0.0)
    assert result["expected_near_copies"] == 0.01
    assert result["held_out_median"] > 1.0


def test_fresh_samples_are_not_near_copies():
    rng = np.random.default_rng(21)
    train, held_out, fake = rng.normal(size=(2000, 10)), rng.normal(size=(500, 10)), rng.normal(size=(500, 10))
    result = memorization_from_features(train, held_out, fake)
    assert result["near_copies"] < 0.05  # measured 0.012-0.026 over seeds 0-4; copies give 1.0
    assert 0.9 < result["ratio"] < 1.1
    brute = cdist(held_out, train).min(axis=1)
    np.testing.assert_allclose(result["held_out_distances"], brute, rtol=1e-12)
    assert result["held_out_median"] == pytest.approx(np.median(brute), rel=1e-12)
    assert result["threshold"] == pytest.approx(np.quantile(brute, 0.01), rel=1e-12)
    assert result["near_copies"] == np.mean(cdist(fake, train).min(axis=1) < result["threshold"])


def test_near_copy_quantile_is_a_parameter():
    rng = np.random.default_rng(22)
    train, held_out = rng.normal(size=(500, 3)), rng.normal(size=(1000, 3))
    result = memorization_from_features(train, held_out, held_out, quantile=0.2)
    # the held-out rows measured against their own quantile: exactly that share is below it
    assert result["expected_near_copies"] == 0.2 and result["near_copies"] == pytest.approx(0.2, abs=0.002)
    assert result["ratio"] == 1.0


# ----------------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("call, match", [
    (lambda: nearest_neighbour_distances(np.zeros((3, 2)), np.zeros((4, 3))),
     r"queries and references must have the same number of columns; got 2 and 3"),
    (lambda: nearest_neighbour_distances(np.zeros((3, 2, 2)), np.zeros((4, 2))), r"queries must have shape"),
    (lambda: nearest_neighbour_distances(np.zeros((3, 2)), np.zeros((0, 2))), r"references must have shape"),
    (lambda: nearest_neighbour_distances(np.zeros((3, 2)), [[np.nan, 0.0]]), r"references contains NaN"),
    (lambda: nearest_neighbour_distances(np.zeros((3, 2)), np.zeros((4, 2)), batch_size=0),
     r"batch_size must be a positive"),
    (lambda: nearest_neighbour_distances(np.zeros((3, 2)), np.zeros((4, 2)), exclude_self=True),
     r"exclude_self=True needs queries to be the references"),
    (lambda: nearest_neighbour_distances(np.zeros((1, 2)), np.zeros((1, 2)), exclude_self=True), r"at least 2 references"),
    (lambda: nearest_neighbour_distances(np.zeros((3, 2)), np.zeros((3, 2)), exclude_self="yes"), r"exclude_self must be"),
    (lambda: knn_radii(np.zeros((3, 2)), k=3), r"k must be smaller than the number of rows of features \(3\); got 3"),
    (lambda: knn_radii(np.zeros((3, 2)), k=0), r"k must be a positive integer; got 0"),
    (lambda: knn_radii(np.zeros((3, 2)), k=1.5), r"k must be a positive integer"),
    (lambda: knn_radii(np.zeros((5, 2, 1))), r"features must have shape"),
    (lambda: precision_recall_from_features(np.zeros((5, 2)), np.zeros((5, 3))),
     r"real_features and fake_features must have the same number of columns"),
    (lambda: precision_recall_from_features(np.zeros((10, 2)), np.zeros((3, 2)), k=3),
     r"k must be smaller than the number of rows of fake_features \(3\)"),
    (lambda: precision_recall_from_features(np.zeros((10, 2)), np.zeros((10, 2)), k=-1), r"k must be a positive"),
    (lambda: precision_recall_from_features(np.zeros((10, 2)), np.zeros((0, 2))), r"fake_features must have shape"),
    (lambda: memorization_from_features(np.zeros((5, 2)), np.zeros((5, 3)), np.zeros((5, 2))),
     r"train_features and held_out_features must have the same number of columns"),
    (lambda: memorization_from_features(np.zeros((5, 2)), np.zeros((5, 2)), np.zeros((5, 4))),
     r"train_features and fake_features must have the same number of columns"),
    (lambda: memorization_from_features(np.zeros((5, 2)), np.zeros((5, 2)), np.zeros((5, 2)), quantile=0),
     r"quantile must be a positive number"),
    (lambda: memorization_from_features(np.zeros((5, 2)), np.zeros((5, 2)), np.zeros((5, 2)), quantile=1.0),
     r"quantile must be between 0 and 1"),
    (lambda: memorization_check(np.zeros((5, 28, 28, 1)), np.zeros((5, 28, 28, 1)), np.zeros((5, 32, 32, 3))),
     r"fake_images must have shape \(N, 28, 28, 1\)"),
    (lambda: memorization_check(np.zeros((5, 28, 28, 1)), np.full((5, 28, 28, 1), np.nan), np.zeros((5, 28, 28, 1))),
     r"held_out_images contain NaN"),
    (lambda: memorization_check(np.zeros((5, 28, 28)), np.zeros((5, 28, 28)), np.zeros((5, 28, 28)), factor=0),
     r"factor must be a positive number; got 0"),
])
def test_neighbour_metrics_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------------------- on real MNIST digits
def test_memorization_check_catches_copied_digits_and_passes_held_out_ones(evaluator, mnist):
    (x_train, _), (x_test, _) = mnist
    train, held_out = x_train[:1000], x_test[:300]
    noisy_copies = np.clip(train[:300] + np.random.default_rng(0).normal(0, 0.05, train[:300].shape), -1, 1)
    copied = memorization_check(train, held_out, noisy_copies, evaluator)
    assert copied["copies"] is True
    for space in ("pixels", "features"):
        assert copied[space]["near_copies"] > 0.9 and copied[space]["ratio"] < 0.3
        assert copied[space]["fake_nearest"].tolist() == list(range(300))  # each copy finds its original
    fresh = memorization_check(train, held_out, x_test[300:600], evaluator)
    assert fresh["copies"] is False
    for space in ("pixels", "features"):
        assert fresh[space]["near_copies"] < 0.05 and 0.8 < fresh[space]["ratio"] < 1.25
    # the rule is "near-copy share > factor x quantile" in either space: no share exceeds 200 x 1 %
    assert memorization_check(train, held_out, noisy_copies, evaluator, factor=200)["copies"] is False


def test_classifier_metrics_precision_recall_and_features(evaluator, mnist):
    (x_train, _), (x_test, _) = mnist
    measure = ClassifierMetrics(x_train[:500], evaluator)
    np.testing.assert_allclose(measure.features(x_train[:500]), measure.real_features, rtol=1e-5, atol=1e-5)
    assert measure.features(x_test[:7]).shape == (7, 128)
    same = measure.precision_recall(x_train[:500])
    assert same["precision"] == 1.0 and same["recall"] == 1.0
    held_out = measure.precision_recall(x_test[:300])  # n = 300 of each set
    assert 0.75 < held_out["precision"] < 1.0 and 0.75 < held_out["recall"] < 1.0
    assert measure.precision_recall(x_test[:300], n=300, seed=0) == held_out
    noise = measure.precision_recall(np.random.default_rng(1).uniform(-1, 1, (300, 28, 28, 1)))
    assert noise["recall"] < 0.05  # noise covers no digit. Its precision is NOT low in these features
    # (noise lands inside the large balls of a few faint real digits): precision alone is no quality verdict
    assert measure.precision_recall(x_test[:300], n=200, k=5)["k"] == 5
    with pytest.raises(ValueError, match=r"n must be at most the size of both sets \(500 real, 300 fake\); got 400"):
        measure.precision_recall(x_test[:300], n=400)
    with pytest.raises(ValueError, match="seed must be an integer"):
        measure.precision_recall(x_test[:300], seed=0.5)
    with pytest.raises(ValueError, match=r"fake_images must have shape"):
        measure.precision_recall(np.zeros((10, 32, 32, 3)))


# ------------------------------------------------------------------------------ mode_spread
def test_mode_spread_hand_computed_and_real_samples():
    from scipy.stats import chi2

    from gan_helpers.metrics import mode_spread

    modes = np.array([[0.0, 0.0], [10.0, 0.0]])
    # every high-quality sample at distance 0.1 from its centre (std 0.1): r^2 = 0.01
    expected = 0.01 * 2 * chi2.cdf(9, 4) / chi2.cdf(9, 2)   # truncated E|x - mu|^2 in 2-D
    assert math.isclose(expected, 0.01 * 2 * (1 - 4.5 * math.exp(-4.5) / (1 - math.exp(-4.5))), rel_tol=1e-9)
    ring = np.array([[0.1, 0.0], [0.0, 0.1], [10.0, -0.1], [5.0, 5.0]])   # the last one is not high quality
    result = mode_spread(ring, modes, std=0.1)
    assert math.isclose(result["spread"], math.sqrt(0.01 / expected), rel_tol=1e-9)
    assert all(math.isclose(v, math.sqrt(0.01 / expected), rel_tol=1e-9) for v in result["per_mode"])
    # samples exactly on the centres: spread 0; a mode without high-quality samples: NaN
    assert mode_spread(np.array([[0.0, 0.0]]), modes, std=0.1)["spread"] == 0.0
    assert math.isnan(mode_spread(np.array([[0.0, 0.0]]), modes, std=0.1)["per_mode"][1])
    assert math.isnan(mode_spread(np.array([[5.0, 5.0]]), modes, std=0.1)["spread"])
    # real samples score 1, samples at half the real std about 0.5
    rng = np.random.default_rng(0)
    real = modes[rng.integers(0, 2, 20_000)] + rng.normal(0, 0.1, (20_000, 2))
    tight = modes[rng.integers(0, 2, 20_000)] + rng.normal(0, 0.05, (20_000, 2))
    assert abs(mode_spread(real, modes, std=0.1)["spread"] - 1.0) < 0.02
    assert 0.48 < mode_spread(tight, modes, std=0.1)["spread"] < 0.54
    with pytest.raises(ValueError, match="std"):
        mode_spread(real, modes, std=0.0)
