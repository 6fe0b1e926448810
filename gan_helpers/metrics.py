"""Measuring how close generated samples are to real ones.

Maths-only functions on NumPy arrays (no model inside):

- :func:`sliced_wasserstein_distance` -- distance between two sample sets in any dimension
  (exactly the 1-D Wasserstein-1 distance for 1-D data).
- :func:`mode_coverage` -- modes captured, share of high-quality samples and reverse KL on a
  Gaussian mixture with known centres (the synthetic benchmark of VEEGAN and PacGAN).
- :func:`frechet_distance_from_statistics` / :func:`frechet_distance_from_activations` -- the
  Fréchet distance behind FID.
- :func:`classifier_score_from_probabilities` -- the Inception-score formula.
- :func:`class_shares` -- how often each class is predicted (mode coverage for MNIST).
- :func:`nearest_neighbour_distances` / :func:`knn_radii` -- distance to the nearest row of
  another set, and to the k-th nearest other row of the same set (batched, any size).
- :func:`precision_recall_from_features` -- improved precision (quality) and recall (coverage)
  of Kynkäänniemi et al. (2019).
- :func:`memorization_from_features` -- are the fakes closer to training rows than held-out
  real rows are? (nearest-neighbour distances, near-copy share).

Convenience calls that run the course's MNIST evaluator classifier (a small CNN trained by
``tools/train_evaluator.py``, weights shipped in the package, ``gan_helpers/resources/``): :func:`load_evaluator`,
:func:`evaluator_outputs`, :class:`ClassifierMetrics` (real features computed once, for
per-epoch evaluation; also :meth:`~ClassifierMetrics.features` and
:meth:`~ClassifierMetrics.precision_recall`), :func:`classifier_metrics` and
:func:`memorization_check` (does a generator copy its training digits? pixels and features).

Defined in: ``notebooks/01_gan_concepts.ipynb`` (sliced Wasserstein and mode coverage, used
there to watch a GAN learn).
"""

from __future__ import annotations

import warnings
import weakref
from pathlib import Path

import numpy as np
from scipy import linalg
from scipy.stats import wasserstein_distance

from gan_helpers.params import is_integer, positive_integer, positive_number

__all__ = [
    "sliced_wasserstein_distance",
    "mode_coverage",
    "frechet_distance_from_statistics",
    "frechet_distance_from_activations",
    "classifier_score_from_probabilities",
    "class_shares",
    "nearest_neighbour_distances",
    "knn_radii",
    "precision_recall_from_features",
    "memorization_from_features",
    "build_evaluator",
    "load_evaluator",
    "evaluator_outputs",
    "classifier_metrics",
    "ClassifierMetrics",
    "memorization_check",
    "EVALUATOR_PATH",
    "EVALUATOR_SHA256",
]

EVALUATOR_PATH = Path(__file__).resolve().parent / "resources" / "mnist_evaluator.weights.h5"  # in the wheel too
EVALUATOR_SHA256 = "99871ee5035c62d09509b4a81646701d681cfe714ac929f0e2ca4beca71edc6b"


def _as_2d(name: str, x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n,) or (n, d) with n >= 1; got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def sliced_wasserstein_distance(x, y, n_projections: int = 128, seed: int = 0) -> float:
    """Sliced Wasserstein-1 distance between the sample sets ``x`` and ``y``.

    ``SW(x, y) = E_theta[ W1(<x, theta>, <y, theta>) ]`` over unit directions ``theta``, estimated
    with ``n_projections`` directions drawn from a generator seeded with ``seed`` (so the same
    inputs always give the same number). Each 1-D distance is exact (``scipy.stats.wasserstein_distance``).
    For 1-D data there is only one direction and the result is the exact Wasserstein-1 distance.

    Two Gaussians that differ by a shift ``d`` in 2-D are ``|d| * 2/pi`` apart (the mean of
    ``|cos|`` over the circle). Reference: Bonneel et al., "Sliced and Radon Wasserstein
    barycenters of measures", JMIV 2015.
    """
    x, y = _as_2d("x", x), _as_2d("y", y)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same dimension; got {x.shape[1]} and {y.shape[1]}")
    n_projections = positive_integer("n_projections", n_projections)
    if not is_integer(seed):
        raise ValueError(f"seed must be an integer (the same seed gives the same directions); got {seed!r}")
    dim = x.shape[1]
    if dim == 1:
        return float(wasserstein_distance(x[:, 0], y[:, 0]))
    directions = np.random.default_rng(seed).normal(size=(n_projections, dim))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    px, py = x @ directions.T, y @ directions.T
    return float(np.mean([wasserstein_distance(px[:, k], py[:, k]) for k in range(directions.shape[0])]))


def mode_coverage(samples, modes, std: float, threshold: float = 3.0) -> dict:
    """Mode statistics of 2-D (or any-D) samples from a mixture of isotropic Gaussians.

    Each sample is assigned to its nearest mode centre. It is **high quality** when it lies
    within ``threshold * std`` of that centre. A mode is **captured** when it receives at least
    one high-quality sample. **Reverse KL** is ``KL(q || p)`` between the histogram ``q`` of
    high-quality samples over the modes and the true, uniform ``p`` (0 when every mode gets the
    same share, ``log K`` when one mode gets everything); it is NaN when there is no
    high-quality sample at all. These are the definitions of VEEGAN (Srivastava et al., 2017)
    and PacGAN (Lin et al., 2018; https://github.com/fjxmlzn/PacGAN).

    Returns
    -------
    dict with ``modes_captured`` (int), ``n_modes`` (int), ``high_quality`` (fraction in [0, 1]),
    ``reverse_kl`` (float), ``counts`` (list of high-quality samples per mode) and
    ``nearest_counts`` (list of *all* samples per nearest mode: where the mass goes, good or not;
    notebook 05 draws collapse with it).
    """
    samples, modes = _as_2d("samples", samples), _as_2d("modes", modes)
    if samples.shape[1] != modes.shape[1]:
        raise ValueError(f"samples and modes must have the same dimension; got {samples.shape[1]} and {modes.shape[1]}")
    std, threshold = positive_number("std", std), positive_number("threshold", threshold)
    distances = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    good = distances[np.arange(len(samples)), nearest] < threshold * std
    counts = np.bincount(nearest[good], minlength=len(modes))
    n_good = int(counts.sum())
    if n_good:
        q = counts[counts > 0] / n_good
        reverse_kl = float(np.sum(q * np.log(q * len(modes))))
    else:
        reverse_kl = float("nan")
    return {
        "modes_captured": int(np.count_nonzero(counts)),
        "n_modes": int(len(modes)),
        "high_quality": n_good / len(samples),
        "reverse_kl": reverse_kl,
        "counts": counts.tolist(),
        "nearest_counts": np.bincount(nearest, minlength=len(modes)).tolist(),
    }


# ----------------------------------------------------------------------------- Fréchet distance
def frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2, eps: float = 1e-6) -> float:
    """Fréchet distance between the Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    ``d^2 = |mu1 - mu2|^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))`` (Dowson & Landau,
    1982), the formula of FID (Heusel et al., "GANs trained by a two time-scale update rule
    converge to a local Nash equilibrium", NeurIPS 2017). The matrix square root is
    ``scipy.linalg.sqrtm``. When ``sigma1 sigma2`` is singular (a collapsed generator gives a
    rank-deficient covariance, and so do ReLU features that are always 0) its square root is
    inaccurate or not finite: then ``eps`` is added to both diagonals, as the reference
    implementations do. Tiny imaginary parts from round-off are
    dropped; the result is clipped at 0.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (mu1.size, mu1.size):
        raise ValueError(f"shapes do not match: mu {mu1.shape} / {mu2.shape}, sigma {sigma1.shape} / {sigma2.shape}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", linalg.LinAlgWarning)  # "matrix is singular"
        try:
            covmean = linalg.sqrtm(sigma1 @ sigma2)
            singular = not np.all(np.isfinite(covmean))
        except linalg.LinAlgWarning:
            singular = True
    if singular:  # e.g. dead ReLU features or a collapsed generator: regularize both covariances
        offset = np.eye(mu1.size) * eps
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", linalg.LinAlgWarning)
            covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    covmean = np.real(covmean)
    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)
    return float(max(value, 0.0))


def frechet_distance_from_activations(activations1, activations2, eps: float = 1e-6) -> float:
    """Fréchet distance between two sets of feature vectors (rows), each fitted by a Gaussian."""
    a1, a2 = _as_2d("activations1", activations1), _as_2d("activations2", activations2)
    if a1.shape[1] != a2.shape[1]:
        raise ValueError(f"activations must have the same width; got {a1.shape[1]} and {a2.shape[1]}")
    if len(a1) < 2 or len(a2) < 2:
        raise ValueError("need at least 2 activations per set to estimate a covariance")
    return frechet_distance_from_statistics(a1.mean(0), np.cov(a1, rowvar=False),
                                            a2.mean(0), np.cov(a2, rowvar=False), eps=eps)


# ----------------------------------------------------------------------------- classifier score
def _probabilities(name, p):
    p = _as_2d(name, p)
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(f"{name} must be rows of class probabilities (non-negative, summing to 1)")
    return p


def classifier_score_from_probabilities(probabilities, eps: float = 1e-12) -> float:
    """``exp(E_x[KL(p(y|x) || p(y))])``, the Inception score formula (Salimans et al., 2016).

    1 when every sample gets the same prediction; the number of classes (10 for MNIST) when the
    classifier is certain about each sample and the classes are equally frequent.
    """
    p = _probabilities("probabilities", probabilities)
    marginal = p.mean(axis=0, keepdims=True)
    kl = np.sum(p * (np.log(p + eps) - np.log(marginal + eps)), axis=1)
    return float(np.exp(kl.mean()))


def class_shares(probabilities, n_classes: int | None = None) -> list:
    """Share of samples whose most probable class is each class (sums to 1)."""
    p = _probabilities("probabilities", probabilities)
    n_classes = p.shape[1] if n_classes is None else n_classes
    return (np.bincount(p.argmax(axis=1), minlength=n_classes) / len(p)).tolist()


# ----------------------------------------------------------------------------- nearest neighbours
def _batch_size(batch_size) -> int:
    return positive_integer("batch_size", batch_size)


def _centred(queries: np.ndarray, references: np.ndarray):
    """Both sets shifted by the references' mean: distances do not change, the round-off of
    ``|q|^2 + |r|^2 - 2 q.r`` shrinks (MNIST pixels in [-1, 1] have a mean near -0.74)."""
    centre = references.mean(axis=0)
    return queries - centre, references - centre


def _squared_distance_blocks(queries: np.ndarray, references: np.ndarray, batch_size: int):
    """Yield ``(q0, q1, r0, r1, block, norms)``: the squared Euclidean distances of
    ``queries[q0:q1]`` to ``references[r0:r1]`` (at most ``batch_size x batch_size`` numbers at a
    time), computed as ``|q|^2 + |r|^2 - 2 q.r`` with one matrix product per block, and
    ``norms = |q|^2 + |r|^2`` per pair, which bounds the round-off of that expansion."""
    queries, references = _centred(queries, references)
    q_sq = np.einsum("ij,ij->i", queries, queries)
    r_sq = np.einsum("ij,ij->i", references, references)
    for q0 in range(0, len(queries), batch_size):
        q1 = min(q0 + batch_size, len(queries))
        q = queries[q0:q1]
        for r0 in range(0, len(references), batch_size):
            r1 = min(r0 + batch_size, len(references))
            norms = q_sq[q0:q1, None] + r_sq[None, r0:r1]
            block = q @ references[r0:r1].T
            block *= -2.0
            block += norms
            np.maximum(block, 0.0, out=block)
            yield q0, q1, r0, r1, block, norms


def _k_nearest(queries: np.ndarray, references: np.ndarray, k: int, batch_size: int, exclude_self: bool):
    """Distances (sorted, exact) and indices of the ``k`` nearest references of every query.

    The search ranks ``|r|^2 - 2 q.r`` (the squared distance less ``|q|^2``, which is the same
    for every reference of a query) block by block, keeping the best ``k`` so far; then the
    chosen distances are recomputed directly, so an exact copy is exactly 0 apart."""
    queries, references = _centred(queries, references)
    n = len(queries)
    r_sq = np.einsum("ij,ij->i", references, references)
    best = np.full((n, k), np.inf)
    best_index = np.zeros((n, k), dtype=np.int64)
    for q0 in range(0, n, batch_size):
        q1 = min(q0 + batch_size, n)
        q = -2.0 * queries[q0:q1]
        rows = np.arange(q1 - q0)
        for r0 in range(0, len(references), batch_size):
            r1 = min(r0 + batch_size, len(references))
            block = q @ references[r0:r1].T
            block += r_sq[None, r0:r1]
            if exclude_self:  # query i is reference i: drop that pair, by index (a duplicate row still counts)
                own = np.arange(max(q0, r0), min(q1, r1))
                block[own - q0, own - r0] = np.inf
            if k == 1:
                j = block.argmin(axis=1)
                value = block[rows, j]
                better = value < best[q0:q1, 0]
                best[q0:q1, 0][better] = value[better]
                best_index[q0:q1, 0][better] = j[better] + r0
            else:
                candidates = np.concatenate([best[q0:q1], block], axis=1)
                candidate_index = np.concatenate(
                    [best_index[q0:q1], np.broadcast_to(np.arange(r0, r1), block.shape)], axis=1)
                keep = np.argpartition(candidates, k - 1, axis=1)[:, :k]
                best[q0:q1] = np.take_along_axis(candidates, keep, axis=1)
                best_index[q0:q1] = np.take_along_axis(candidate_index, keep, axis=1)
    distances = np.empty((n, k))
    step = max(1, batch_size * batch_size // (k * queries.shape[1]))
    for q0 in range(0, n, step):
        diff = queries[q0:q0 + step, None, :] - references[best_index[q0:q0 + step]]
        distances[q0:q0 + step] = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    order = np.argsort(distances, axis=1, kind="stable")
    return np.take_along_axis(distances, order, axis=1), np.take_along_axis(best_index, order, axis=1)


def _same_width(name1: str, x1: np.ndarray, name2: str, x2: np.ndarray) -> None:
    if x1.shape[1] != x2.shape[1]:
        raise ValueError(f"{name1} and {name2} must have the same number of columns; "
                         f"got {x1.shape[1]} and {x2.shape[1]}")


def nearest_neighbour_distances(queries, references, batch_size: int = 1000, exclude_self: bool = False):
    """Euclidean distance from every row of ``queries`` (N, D) to its nearest row of
    ``references`` (M, D), and that row's index: ``(distances, indices)``, shapes (N,) and (N,).

    ``distances[i] = min_j |queries[i] - references[j]|_2`` and ``indices[i]`` is the ``j``
    reached (the first one on a tie). The search runs in blocks of ``batch_size x batch_size``
    distances, one matrix product each (``|q|^2 + |r|^2 - 2 q.r``): the work space is one block
    (8 MB at the default) besides float64 copies of the inputs, so 1,000 queries against 60,000
    MNIST images of 784 pixels need about 0.8 GB in all. The distances returned are then
    recomputed directly, so an exact copy is exactly 0 apart.

    ``exclude_self=True`` is for ``queries`` *being* ``references`` (same rows, same order): row
    ``i`` is not compared with itself, so the answer is the nearest *other* row. A duplicate of
    row ``i`` elsewhere in the set still counts, at distance 0. 1-D inputs are read as N points in
    one dimension.
    """
    queries, references = _as_2d("queries", queries), _as_2d("references", references)
    _same_width("queries", queries, "references", references)
    batch_size = _batch_size(batch_size)
    if not isinstance(exclude_self, (bool, np.bool_)):
        raise ValueError(f"exclude_self must be True or False; got {exclude_self!r}")
    if exclude_self:
        if queries.shape != references.shape:
            raise ValueError("exclude_self=True needs queries to be the references themselves (same shape); "
                             f"got queries {queries.shape} and references {references.shape}")
        if len(references) < 2:
            raise ValueError("exclude_self=True needs at least 2 references (a row has no other neighbour)")
    distances, indices = _k_nearest(queries, references, 1, batch_size, bool(exclude_self))
    return distances[:, 0], indices[:, 0]


def knn_radii(features, k: int = 3, batch_size: int = 1000) -> np.ndarray:
    """Distance of each row of ``features`` (N, D) to its ``k``-th nearest *other* row, shape (N,).

    ``radius_i = |phi_i - NN_k(phi_i)|_2``: the radius of the ball around sample ``i`` that
    holds its ``k`` nearest neighbours; the union of these balls is the estimate of the
    sample's manifold in Kynkäänniemi et al., "Improved Precision and Recall Metric for Assessing
    Generative Models", NeurIPS 2019 (https://arxiv.org/abs/1904.06991). Needs ``k < N``.
    """
    features = _as_2d("features", features)
    k = positive_integer("k", k)
    if k >= len(features):
        raise ValueError(f"k must be smaller than the number of rows of features ({len(features)}); got {k}")
    distances, _ = _k_nearest(features, features, k, _batch_size(batch_size), exclude_self=True)
    return distances[:, k - 1]


_ROUND_OFF = 1e-10  # relative slack of the ball test for the |q|^2 + |r|^2 - 2 q.r expansion


def _share_inside(points: np.ndarray, centres: np.ndarray, radii: np.ndarray, batch_size: int) -> float:
    """Share of ``points`` inside at least one ball ``|x - centres[j]| <= radii[j]``."""
    inside = np.zeros(len(points), dtype=bool)
    radii_sq = radii**2
    for q0, q1, r0, r1, block, norms in _squared_distance_blocks(points, centres, batch_size):
        inside[q0:q1] |= np.any(block <= radii_sq[None, r0:r1] + _ROUND_OFF * norms, axis=1)
    return float(inside.mean())


def precision_recall_from_features(real_features, fake_features, k: int = 3, batch_size: int = 1000) -> dict:
    """Improved precision and recall of generated samples, from feature vectors (rows).

    Each set's manifold is estimated as the union of balls around its samples, the ball of
    sample ``phi'`` having the radius of its ``k``-th nearest other sample (:func:`knn_radii`)::

        f(phi, Phi) = 1 if |phi - phi'|_2 <= |phi' - NN_k(phi')|_2 for at least one phi' in Phi, else 0
        precision   = mean over fake phi_g of f(phi_g, Phi_real)   # fakes that look real
        recall      = mean over real phi_r of f(phi_r, Phi_fake)   # real samples the generator covers

    Precision measures quality (1 - precision is the share of fakes off the real manifold);
    recall measures coverage (a generator that collapses onto a few modes keeps its precision and
    loses recall). T. Kynkäänniemi, T. Karras, S. Laine, J. Lehtinen, T. Aila, "Improved Precision
    and Recall Metric for Assessing Generative Models", NeurIPS 2019,
    https://arxiv.org/abs/1904.06991 (the paper uses k = 3 and VGG-16 features; this course uses
    its MNIST evaluator's features).

    Caution: the manifold estimate is only as good as the real sample. A real outlier has a large
    ball, and fakes far from every typical real sample can land inside it, so precision can be
    high for bad fakes (Naeem et al., "Reliable Fidelity and Diversity Metrics for Generative
    Models", ICML 2020). With the course's evaluator features, blank images and uniform noise
    fall inside the balls of a few faint real digits and get a high precision, with recall 0:
    read precision together with recall, and look at the samples.

    Caution: both numbers depend on ``k`` (larger balls, higher values) and on the sample sizes
    (more samples, smaller balls but more of them): compare runs only at the same ``k`` and the
    same sizes. The paper uses equal-size real and fake sets, and
    :meth:`ClassifierMetrics.precision_recall` draws equal sizes for you. A point exactly on a
    ball's surface counts as inside. Returns ``{"precision": p, "recall": r, "k": k}``.
    """
    real = _as_2d("real_features", real_features)
    fake = _as_2d("fake_features", fake_features)
    _same_width("real_features", real, "fake_features", fake)
    k = positive_integer("k", k)
    for name, x in (("real_features", real), ("fake_features", fake)):
        if k >= len(x):
            raise ValueError(f"k must be smaller than the number of rows of {name} ({len(x)}); got {k}")
    batch_size = _batch_size(batch_size)
    real_radii = _k_nearest(real, real, k, batch_size, exclude_self=True)[0][:, k - 1]
    fake_radii = _k_nearest(fake, fake, k, batch_size, exclude_self=True)[0][:, k - 1]
    return {
        "precision": _share_inside(fake, real, real_radii, batch_size),
        "recall": _share_inside(real, fake, fake_radii, batch_size),
        "k": k,
    }


def memorization_from_features(train_features, held_out_features, fake_features,
                               quantile: float = 0.01, batch_size: int = 1000) -> dict:
    """Does a generator copy its training set? Nearest-training-row distances of the fakes,
    against the same distances of real held-out rows the generator never saw.

    For each fake ``x_g``: ``d(x_g) = min_j |x_g - train_j|_2`` (and the ``j``); for each
    held-out row, the same ``d``. A generator that generalises as well as fresh real data gives
    fakes whose ``d`` looks like the held-out rows' ``d``; a generator that copies gives many
    fakes with ``d`` near 0. Two summaries:

    - ``ratio = median d(fakes) / median d(held-out)``: about 1 or above for a generator that
      does not copy (its fakes are usually farther from the training set than real data is),
      near 0 for a copier. (``inf`` when only the held-out median is 0, ``nan`` when both are.)
    - ``near_copies``: share of fakes with ``d`` strictly below the ``quantile`` (default 1st
      percentile) of the held-out rows' ``d``. Fresh real data scores about ``quantile``
      (``expected_near_copies``) by construction; a share far above it means fakes closer to
      training rows than real data ever comes. Use at least ``1 / quantile`` held-out rows (100
      for the 1st percentile), else the threshold is just the smallest held-out distance.

    Nearest-neighbour tests of this kind are the usual memorization check for GANs (e.g. the
    nearest-training-image panels of Brock et al., "Large Scale GAN Training", ICLR 2019, and the
    distance-ratio test of Meehan et al., "A Non-Parametric Test to Detect Data-Copying in
    Generative Models", AISTATS 2020).

    Returns ``{"fake_median", "held_out_median", "ratio", "near_copies", "expected_near_copies"
    (= quantile), "threshold" (the held-out quantile distance), "fake_distances", "fake_nearest"
    (index of each fake's nearest training row), "held_out_distances"}``.
    """
    train = _as_2d("train_features", train_features)
    held_out = _as_2d("held_out_features", held_out_features)
    fake = _as_2d("fake_features", fake_features)
    _same_width("train_features", train, "held_out_features", held_out)
    _same_width("train_features", train, "fake_features", fake)
    quantile = positive_number("quantile", quantile)
    if quantile >= 1:
        raise ValueError(f"quantile must be between 0 and 1 (0.01 is the 1st percentile); got {quantile!r}")
    batch_size = _batch_size(batch_size)
    fake_distances, fake_nearest = _k_nearest(fake, train, 1, batch_size, exclude_self=False)
    held_out_distances, _ = _k_nearest(held_out, train, 1, batch_size, exclude_self=False)
    fake_distances, fake_nearest, held_out_distances = fake_distances[:, 0], fake_nearest[:, 0], held_out_distances[:, 0]
    fake_median, held_out_median = float(np.median(fake_distances)), float(np.median(held_out_distances))
    if held_out_median > 0:
        ratio = fake_median / held_out_median
    else:
        ratio = float("inf") if fake_median > 0 else float("nan")
    threshold = float(np.quantile(held_out_distances, quantile))
    return {
        "fake_median": fake_median,
        "held_out_median": held_out_median,
        "ratio": ratio,
        "near_copies": float(np.mean(fake_distances < threshold)),
        "expected_near_copies": quantile,
        "threshold": threshold,
        "fake_distances": fake_distances,
        "fake_nearest": fake_nearest,
        "held_out_distances": held_out_distances,
    }


# ----------------------------------------------------------------------------- the evaluator
def build_evaluator():
    """The evaluator CNN: 28x28x1 images in [-1, 1] -> 10 logits; layer ``features`` (128)."""
    import keras

    inputs = keras.Input(shape=(28, 28, 1), name="images")
    x = keras.layers.Conv2D(32, 3, activation="relu")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    features = keras.layers.Dense(128, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.3)(features)
    logits = keras.layers.Dense(10, name="logits")(x)
    return keras.Model(inputs, logits, name="mnist_evaluator")


def load_evaluator(path=None):
    """The trained evaluator. Default: the weights shipped in the package (``resources/mnist_evaluator.weights.h5``),
    hash-checked; a ``path`` of your own is loaded without a hash check. Weights that do not
    fit :func:`build_evaluator`'s architecture raise ``ValueError``."""
    from gan_helpers.data import sha256_of

    weights = Path(EVALUATOR_PATH if path is None else path)
    if not weights.is_file():
        from gan_helpers.data import RESTORE

        fix = f"the package's installation is incomplete; {RESTORE}" if path is None else "check the path"
        raise FileNotFoundError(f"evaluator weights not found at {weights}; {fix}")
    if path is None and sha256_of(weights) != EVALUATOR_SHA256:
        raise ValueError(f"{weights} does not have the expected SHA-256 {EVALUATOR_SHA256}: corrupt or "
                         "retrained without updating gan_helpers.metrics.EVALUATOR_SHA256")
    model = build_evaluator()
    try:
        model.load_weights(weights)
    except Exception as exc:
        raise ValueError(f"{weights} does not match the evaluator architecture "
                         f"(gan_helpers.metrics.build_evaluator): {exc}") from exc
    return model


_TWO_OUTPUT_MODELS = weakref.WeakKeyDictionary()  # evaluator -> its (features, logits) model


def _two_output_model(evaluator):
    """The evaluator with a second output, its features; built once per evaluator, so repeated
    calls (one per epoch, one per digit) reuse one model and one traced predict function."""
    import keras

    model = _TWO_OUTPUT_MODELS.get(evaluator)
    if model is None:
        model = keras.Model(evaluator.inputs, [evaluator.get_layer("features").output, evaluator.outputs[0]])
        _TWO_OUTPUT_MODELS[evaluator] = model
    return model


def _check_images(images, name: str = "images"):
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"{name} must have shape (N, 28, 28, 1); got {images.shape}")
    if len(images) < 2:
        raise ValueError(f"need at least 2 images to estimate feature statistics; got {len(images)} in {name}")
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{name} contain NaN or infinite values (did training diverge?)")
    return images


def _run_two_output(model, images, batch_size):
    features, logits = model.predict(images, batch_size=batch_size, verbose=0)
    logits = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return features, probabilities


def evaluator_outputs(images, evaluator=None, batch_size: int = 500):
    """``(features, probabilities)`` of the evaluator for images of shape (N, 28, 28, 1) in [-1, 1]."""
    images = _check_images(images)
    evaluator = load_evaluator() if evaluator is None else evaluator
    return _run_two_output(_two_output_model(evaluator), images, batch_size)


class ClassifierMetrics:
    """Classifier FID, score and class shares of generated images against one fixed real set.

    The real images' features are computed once, at construction, so calling the object once
    per epoch costs one pass of the evaluator over the generated images only::

        measure = ClassifierMetrics(real_images)
        measure(fake_images)  # {"fid": ..., "score": ..., "class_shares": [...]}

    Compare with ``measure(held_out_real_images)``, the reference a perfect generator would
    reach with the same number of samples.
    """

    def __init__(self, real_images, evaluator=None, batch_size: int = 500):
        self.batch_size = positive_integer("batch_size", batch_size)
        self.evaluator = load_evaluator() if evaluator is None else evaluator
        self._model = _two_output_model(self.evaluator)
        self.real_features, _ = _run_two_output(self._model, _check_images(real_images), self.batch_size)

    def __call__(self, fake_images) -> dict:
        features, probabilities = _run_two_output(self._model, _check_images(fake_images), self.batch_size)
        return {
            "fid": frechet_distance_from_activations(self.real_features, features),
            "score": classifier_score_from_probabilities(probabilities),
            "class_shares": class_shares(probabilities, 10),
        }

    def features(self, images) -> np.ndarray:
        """The evaluator's features (layer ``features``, 128 numbers per image) of ``images``."""
        return _run_two_output(self._model, _check_images(images), self.batch_size)[0]

    def precision_recall(self, fake_images, k: int = 3, n: int | None = None, seed: int = 0) -> dict:
        """Improved precision and recall (:func:`precision_recall_from_features`) of
        ``fake_images`` against the real set this object was built with, in evaluator features.

        Both numbers depend on the sample sizes, so ``n`` rows of each set (default: the smaller
        of the two sizes) are drawn without replacement with a generator seeded by ``seed``
        before measuring: compare runs at the same ``n`` and ``k``.
        """
        fake_images = _check_images(fake_images, "fake_images")
        n_real, n_fake = len(self.real_features), len(fake_images)
        n = min(n_real, n_fake) if n is None else positive_integer("n", n)
        if n > min(n_real, n_fake):
            raise ValueError(f"n must be at most the size of both sets ({n_real} real, {n_fake} fake); got {n}")
        if not is_integer(seed):
            raise ValueError(f"seed must be an integer (the same seed draws the same rows); got {seed!r}")
        rng = np.random.default_rng(seed)
        real_rows = rng.choice(n_real, size=n, replace=False)
        fake_rows = rng.choice(n_fake, size=n, replace=False)
        return precision_recall_from_features(self.real_features[real_rows], self.features(fake_images[fake_rows]), k=k)


def classifier_metrics(real_images, fake_images, evaluator=None) -> dict:
    """Classifier FID between real and generated images, the classifier score of the generated
    ones and their class shares, all measured with the course's evaluator (a one-off
    :class:`ClassifierMetrics`)."""
    return ClassifierMetrics(real_images, evaluator)(fake_images)  # both sets are checked there


def memorization_check(train_images, held_out_images, fake_images, evaluator=None,
                       quantile: float = 0.01, factor: float = 5.0, batch_size: int = 1000) -> dict:
    """Does a generator copy its training digits? :func:`memorization_from_features` twice: on
    the flattened pixels and on the evaluator's features (images (N, 28, 28, 1) in [-1, 1]).

    Why it is needed: FID and the classifier score compare generated images with the *training*
    images. A generator that returns its training digits unchanged reaches the best values
    possible against that set, better than the "real held-out" reference (fresh real digits are
    not the training digits), so a good FID alone cannot rule out memorization. This check can:
    it asks whether the fakes are closer to training digits than fresh real digits are.

    Rule: ``copies`` is True when, in either space, the share of near copies (fakes closer to
    their nearest training digit than the ``quantile`` of the held-out digits' distances) is more
    than ``factor`` times what held-out digits give (``quantile``): with the defaults, more than
    5 % near copies where real digits give 1 %. Use a few hundred to 1,000 fakes and held-out
    digits: with fewer, the 1 % threshold and the share are too noisy to compare.

    The pixel space catches copies as they are; the feature space also catches copies whose
    pixels were changed enough to hide them from the pixel space (on the course's MNIST subset,
    training digits plus Gaussian pixel noise of std 0.2 are flagged in features only). Neither
    space catches every disguise: the same digits shifted by one pixel are flagged in neither, so
    a ``False`` means "no near copies found", not "no memorization". Returns ``{"pixels": ...,
    "features": ..., "copies": bool}``; the two dicts are described at
    :func:`memorization_from_features`.
    """
    sets = {"train_images": train_images, "held_out_images": held_out_images, "fake_images": fake_images}
    sets = {name: _check_images(images, name) for name, images in sets.items()}
    factor = positive_number("factor", factor)
    evaluator = load_evaluator() if evaluator is None else evaluator
    features, _ = _run_two_output(_two_output_model(evaluator), np.concatenate(list(sets.values())), 500)
    ends = np.cumsum([len(images) for images in sets.values()])[:-1]
    pixels = [images.reshape(len(images), -1) for images in sets.values()]
    result = {
        "pixels": memorization_from_features(*pixels, quantile=quantile, batch_size=batch_size),
        "features": memorization_from_features(*np.split(features, ends), quantile=quantile, batch_size=batch_size),
    }
    result["copies"] = bool(any(result[space]["near_copies"] > factor * result[space]["expected_near_copies"]
                                for space in ("pixels", "features")))
    return result


# ----------------------------------------------------------------------------- within-mode spread
def mode_spread(samples, modes, std: float, threshold: float = 3.0) -> dict:
    """How wide the high-quality samples are around their modes, relative to the real data.

    :func:`mode_coverage` counts a sample as high quality when it lies within ``threshold * std``
    of its nearest centre, so samples that are *too tight* score as well as real ones (a generator
    that puts every sample exactly on the centres scores 100 %). This measure catches that: over
    the high-quality samples ``x`` with nearest centre ``mu``,

    ``spread = sqrt( mean |x - mu|^2 / E[|x - mu|^2  |  |x - mu| < threshold * std] )``

    where the expectation is that of the real mixture component (isotropic Gaussian of standard
    deviation ``std`` in ``d`` dimensions, truncated at ``threshold * std`` like the high-quality
    test): ``E = std^2 * d * P(chi2_{d+2} < t^2) / P(chi2_d < t^2)`` with ``t = threshold``. Real
    samples score 1 (up to sampling noise), samples too tight score below 1 (all on the centres:
    0), samples too wide above 1 (at most ``threshold * std / sqrt(E)``).

    Returns ``{"spread": float, "per_mode": list}``: the pooled value over all high-quality
    samples, and the same ratio per mode (NaN for a mode with no high-quality sample);
    ``spread`` is NaN when no sample is high quality.

    Defined in notebook 05 (section 1, next to the high-quality share).
    """
    from scipy.stats import chi2

    samples, modes = _as_2d("samples", samples), _as_2d("modes", modes)
    if samples.shape[1] != modes.shape[1]:
        raise ValueError(f"samples and modes must have the same dimension; got {samples.shape[1]} and {modes.shape[1]}")
    std, threshold = positive_number("std", std), positive_number("threshold", threshold)
    dim = samples.shape[1]
    expected = std ** 2 * dim * chi2.cdf(threshold ** 2, dim + 2) / chi2.cdf(threshold ** 2, dim)
    squared = np.sum((samples[:, None, :] - modes[None, :, :]) ** 2, axis=-1)
    nearest = squared.argmin(axis=1)
    r2 = squared[np.arange(len(samples)), nearest]
    good = r2 < (threshold * std) ** 2
    per_mode = [float(np.sqrt(r2[good & (nearest == k)].mean() / expected)) if np.any(good & (nearest == k))
                else float("nan") for k in range(len(modes))]
    spread = float(np.sqrt(r2[good].mean() / expected)) if np.any(good) else float("nan")
    return {"spread": spread, "per_mode": per_mode}


__all__.append("mode_spread")
