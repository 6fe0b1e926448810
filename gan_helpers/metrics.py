"""Measuring how close generated samples are to real ones.

Maths-only functions on NumPy arrays (no model inside):

- :func:`sliced_wasserstein_distance` -- distance between two sample sets in any dimension
  (exactly the 1-D Wasserstein-1 distance for 1-D data).
- :func:`mode_coverage` -- modes captured, share of high-quality samples and reverse KL on a
  Gaussian mixture with known centres (the synthetic benchmark of VEEGAN and PacGAN).

Defined in: ``notebooks/01_gan_concepts.ipynb`` (both are used there to watch a GAN learn).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import wasserstein_distance

__all__ = ["sliced_wasserstein_distance", "mode_coverage"]


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
    if isinstance(n_projections, bool) or not isinstance(n_projections, (int, np.integer)) or n_projections < 1:
        raise ValueError(f"n_projections must be a positive integer; got {n_projections!r}")
    dim = x.shape[1]
    if dim == 1:
        return float(wasserstein_distance(x[:, 0], y[:, 0]))
    directions = np.random.default_rng(seed).normal(size=(int(n_projections), dim))
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
    ``reverse_kl`` (float) and ``counts`` (list of high-quality samples per mode).
    """
    samples, modes = _as_2d("samples", samples), _as_2d("modes", modes)
    if samples.shape[1] != modes.shape[1]:
        raise ValueError(f"samples and modes must have the same dimension; got {samples.shape[1]} and {modes.shape[1]}")
    if not (isinstance(std, (int, float, np.floating)) and std > 0):
        raise ValueError(f"std must be a positive number; got {std!r}")
    if not (isinstance(threshold, (int, float, np.floating)) and threshold > 0):
        raise ValueError(f"threshold must be a positive number; got {threshold!r}")
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
    }
