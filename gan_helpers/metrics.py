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

Convenience calls that run the course's MNIST evaluator classifier (a small CNN trained by
``tools/train_evaluator.py``, weights shipped in the package, ``gan_helpers/resources/``): :func:`load_evaluator`,
:func:`evaluator_outputs`, :class:`ClassifierMetrics` (real features computed once, for
per-epoch evaluation) and :func:`classifier_metrics`.

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
    "build_evaluator",
    "load_evaluator",
    "evaluator_outputs",
    "classifier_metrics",
    "ClassifierMetrics",
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


def _check_images(images):
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"images must have shape (N, 28, 28, 1); got {images.shape}")
    if len(images) < 2:
        raise ValueError(f"need at least 2 images to estimate feature statistics; got {len(images)}")
    if not np.all(np.isfinite(images)):
        raise ValueError("images contain NaN or infinite values (did training diverge?)")
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


def classifier_metrics(real_images, fake_images, evaluator=None) -> dict:
    """Classifier FID between real and generated images, the classifier score of the generated
    ones and their class shares, all measured with the course's evaluator (a one-off
    :class:`ClassifierMetrics`)."""
    return ClassifierMetrics(real_images, evaluator)(fake_images)  # both sets are checked there
