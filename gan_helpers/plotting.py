"""Figures shared by several notebooks: sample clouds, training frame strips, metric curves.

All functions draw with Matplotlib, keep figures small (the committed notebooks must stay
under 1 MB) and return the figure so a notebook can save it or show it in a live view.

Defined in: ``notebooks/01_gan_concepts.ipynb`` (training film of a toy GAN) and
``notebooks/02_mlp_gan.ipynb`` (image grids).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from gan_helpers.params import is_integer, positive_integer

__all__ = ["plot_samples", "plot_frames", "plot_curves", "image_grid", "plot_image_grid", "plot_image_frames",
           "plot_class_shares",
           "REAL_COLOR", "FAKE_COLOR"]

REAL_COLOR = "#9e9e9e"
FAKE_COLOR = "#d62728"


def _pick_steps(frames, max_frames):
    """At most ``max_frames`` evenly spaced keys of ``frames``, always the first and the last."""
    if not is_integer(max_frames) or max_frames < 2:
        raise ValueError(f"max_frames must be an integer >= 2 (the first and the last step); got {max_frames!r}")
    steps = sorted(frames)
    if not steps:
        raise ValueError("frames is empty: record at least one step")
    if len(steps) > max_frames:
        picks = np.unique(np.linspace(0, len(steps) - 1, max_frames).round().astype(int))
        steps = [steps[i] for i in picks]
    return steps


def plot_samples(ax, real_samples, fake_samples, title: str | None = None, limits=None, max_points: int = 1000):
    """Draw real (grey) and generated (red) samples on ``ax``.

    2-D data: a scatter plot. 1-D data: two normalized histograms.
    ``limits`` is ``(low, high)`` for both axes (2-D) or the x axis (1-D).
    """
    real = np.asarray(real_samples)[:max_points]
    fake = np.asarray(fake_samples)[:max_points]
    if real.ndim == 1 or real.shape[-1] == 1:
        real, fake = real.reshape(-1), fake.reshape(-1)
        low, high = limits if limits is not None else (min(real.min(), fake.min()), max(real.max(), fake.max()))
        if high <= low:  # all values equal: give the histogram a unit-wide range around them
            low, high = low - 0.5, low + 0.5
        bins = np.linspace(low, high, 41)
        ax.hist(real, bins=bins, density=True, color=REAL_COLOR, alpha=0.7, label="real")
        ax.hist(fake, bins=bins, density=True, color=FAKE_COLOR, alpha=0.5, label="generated")
        ax.set_yticks([])
    else:
        ax.scatter(real[:, 0], real[:, 1], s=4, c=REAL_COLOR, alpha=0.5, label="real", linewidths=0)
        ax.scatter(fake[:, 0], fake[:, 1], s=4, c=FAKE_COLOR, alpha=0.6, label="generated", linewidths=0)
        if limits is not None:
            ax.set_xlim(*limits)
            ax.set_ylim(*limits)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_frames(real_samples, frames: Mapping[int, np.ndarray], limits=None, max_frames: int = 6, panel_size: float = 1.9):
    """A strip of panels: the generated samples at several training steps over the real ones.

    ``frames`` maps a training step to the samples generated at that step; at most
    ``max_frames`` evenly spaced steps (always the first and the last) are drawn.
    """
    steps = _pick_steps(frames, max_frames)
    fig, axes = plt.subplots(1, len(steps), figsize=(panel_size * len(steps), panel_size + 0.3), squeeze=False)
    for ax, step in zip(axes[0], steps):
        plot_samples(ax, real_samples, frames[step], title=f"step {step}", limits=limits)
    axes[0][0].legend(loc="lower left", fontsize=6, markerscale=2, frameon=False)
    fig.tight_layout()
    return fig


def plot_curves(x: Sequence[float], curves: Mapping[str, Sequence[float]], xlabel: str = "training step",
                title: str | None = None, ylabel: str | None = None, logy: bool = False, ax=None):
    """Plot one or more curves against ``x`` (e.g. losses or distances over training)."""
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.2, 2.8))
    for name, values in curves.items():
        ax.plot(x, values, label=name, linewidth=1.5)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title, fontsize=10)
    if len(curves) > 1:
        ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    if fig is not None:
        fig.tight_layout()
    return fig if fig is not None else ax.figure


def image_grid(images, ncols: int = 8, padding: int = 1):
    """Tile images of shape (N, H, W) or (N, H, W, 1) in [-1, 1] into one 2-D array in [0, 1].

    Rows are filled left to right; empty cells and the ``padding`` between images are white
    (1.0), so digits (light strokes on dark) stand out.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, 1) with N >= 1; got {np.shape(images)}")
    ncols = positive_integer("ncols", ncols)
    if not is_integer(padding) or padding < 0:
        raise ValueError(f"padding must be a non-negative integer; got {padding!r}")
    n, h, w = images.shape
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    grid = np.ones((nrows * (h + padding) + padding, ncols * (w + padding) + padding), np.float32)
    for i, image in enumerate(np.clip((images + 1) / 2, 0, 1)):
        r, c = divmod(i, ncols)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        grid[top:top + h, left:left + w] = image
    return grid


def plot_image_grid(images, ncols: int = 8, title: str | None = None, ax=None, size: float = 2.6):
    """Draw :func:`image_grid` of ``images`` (grey scale) on ``ax`` or on a new small figure."""
    grid = image_grid(images, ncols)
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(size, size * grid.shape[0] / grid.shape[1]))
    ax.imshow(grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    if fig is not None:
        fig.tight_layout(pad=0.2)
    return fig if fig is not None else ax.figure


def plot_image_frames(frames: Mapping[int, np.ndarray], max_frames: int = 6, ncols: int = 4, panel_size: float = 1.6,
                      label: str = "epoch"):
    """A strip of image grids at several training epochs (always the first and the last)."""
    steps = _pick_steps(frames, max_frames)
    fig, axes = plt.subplots(1, len(steps), figsize=(panel_size * len(steps), panel_size + 0.25), squeeze=False)
    for ax, step in zip(axes[0], steps):
        plot_image_grid(frames[step], ncols=ncols, title=f"{label} {step}", ax=ax)
    fig.tight_layout(pad=0.3)
    return fig


def plot_class_shares(ax, shares, reference_shares, label: str = "generated"):
    """Bars of the share of each digit among generated images, over the outlines of the real
    reference's shares, with the uniform 0.1 line (notebooks 02 and 03)."""
    shares, reference_shares = np.asarray(shares, float), np.asarray(reference_shares, float)
    if shares.shape != reference_shares.shape or shares.ndim != 1:
        raise ValueError(f"shares and reference_shares must be two lists of the same length; got shapes "
                         f"{shares.shape} and {reference_shares.shape}")
    classes = np.arange(len(shares))
    ax.bar(classes, shares, color=FAKE_COLOR, alpha=0.7, label=label)
    ax.bar(classes, reference_shares, fill=False, edgecolor="k", label="real held-out")
    ax.axhline(1 / len(shares), color="grey", linewidth=0.8)
    ax.set_xticks(classes)
    ax.set_xlabel("digit (the evaluator's prediction)")
    ax.set_title("class shares", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    return ax
