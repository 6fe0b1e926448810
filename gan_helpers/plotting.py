"""Figures shared by several notebooks: sample clouds, training frame strips, metric curves, and
the discriminator's surface with the generator's push (the picture of the game itself).

All functions draw with Matplotlib, keep figures small (the committed notebooks must stay
under 1 MB) and return the figure so a notebook can save it or show it in a live view.

Defined in: ``notebooks/01_gan_concepts.ipynb`` (training film of a toy GAN, the discriminator's
surface) and ``notebooks/02_mlp_gan.ipynb`` (image grids).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from gan_helpers.params import is_integer, positive_integer

__all__ = ["plot_samples", "plot_frames", "plot_curves", "image_grid", "plot_image_grid", "plot_image_frames",
           "plot_class_shares", "plot_discriminator_surface", "plot_discriminator_frames", "discriminator_colorbar",
           "REAL_COLOR", "FAKE_COLOR", "DISCRIMINATOR_CMAP"]

REAL_COLOR = "#9e9e9e"
FAKE_COLOR = "#d62728"
DISCRIMINATOR_CMAP = "PRGn"  # diverging: purple D = 0 ("fake"), white D = 1/2 ("can't tell"), green D = 1 ("real")


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
        ax.set_title(title, fontsize=10)
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
    axes[0][0].legend(loc="lower left", fontsize=8, markerscale=2, frameon=False, handletextpad=0.1)
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


# ------------------------------------------------------------------ the discriminator's surface


def _grid_values(grid_x, grid_y, d_values):
    """``grid_x``, ``grid_y`` (2-D, same shape) and ``d_values`` reshaped to that shape, checked."""
    grid_x, grid_y = np.asarray(grid_x, float), np.asarray(grid_y, float)
    if grid_x.ndim != 2 or grid_x.shape != grid_y.shape or min(grid_x.shape) < 2:
        raise ValueError(f"grid_x and grid_y must be two 2-D arrays of the same shape, at least 2 x 2 (np.meshgrid); "
                         f"got shapes {grid_x.shape} and {grid_y.shape}")
    d_values = np.asarray(d_values, float)
    if d_values.size != grid_x.size:
        raise ValueError(f"d_values must hold one value of D(x) per grid point ({grid_x.size}); got {d_values.size}")
    return grid_x, grid_y, d_values.reshape(grid_x.shape)


def _points(name, points):
    points = np.asarray(points, float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"{name} must be 2-D points of shape (n, 2); got shape {points.shape}")
    return points


def plot_discriminator_surface(ax, grid_x, grid_y, d_values, real_samples, fake_samples, arrows=None,
                               title: str | None = None, limits=None, max_points: int = 500,
                               arrow_length: float = 0.12):
    """The game in one picture: D(x) as a heatmap under the real (grey) and generated (red) samples,
    and the generator's push on its samples as arrows, as GAN Lab draws it live (Kahng et al. 2018;
    Goodfellow et al. 2014, Figure 1, draws D in 1-D next to the mapping x = G(z)).

    ``d_values`` is D(x) in [0, 1] at the points of the grid ``grid_x``, ``grid_y`` (from
    ``np.meshgrid``; any array with one value per grid point). The colormap
    :data:`DISCRIMINATOR_CMAP` is diverging around 1/2: purple where D says "fake" (0), white
    where it cannot tell (1/2), green where it says "real" (1); a dashed line marks D = 1/2.

    ``arrows`` is ``(points, push)``: 2-D points (generated samples x = G(z)) and at each the push
    -d g_loss/dx, the direction in which the generator's loss moves that sample (for the
    non-saturating loss, d/dx log D(x)). Lengths are scaled by one factor per panel: the 95th
    percentile of the push spans ``arrow_length`` of the plot's width, longer ones are cut to that
    length, so relative strengths stay visible. Add a legend for the colors with
    :func:`discriminator_colorbar`. Returns ``ax``.
    """
    grid_x, grid_y, d_values = _grid_values(grid_x, grid_y, d_values)
    real, fake = _points("real_samples", real_samples)[:max_points], _points("fake_samples", fake_samples)[:max_points]
    if not 0 < arrow_length <= 1:
        raise ValueError(f"arrow_length must be a fraction of the plot's width in (0, 1]; got {arrow_length!r}")
    ax.pcolormesh(grid_x, grid_y, d_values, cmap=DISCRIMINATOR_CMAP, vmin=0.0, vmax=1.0, shading="auto",
                  rasterized=True)
    if np.nanmin(d_values) < 0.5 < np.nanmax(d_values):
        ax.contour(grid_x, grid_y, d_values, levels=[0.5], colors="0.25", linewidths=0.8, linestyles="dashed")
    ax.scatter(real[:, 0], real[:, 1], s=4, c=REAL_COLOR, alpha=0.7, label="real", linewidths=0)
    ax.scatter(fake[:, 0], fake[:, 1], s=5, c=FAKE_COLOR, alpha=0.8, label="generated", linewidths=0)
    low, high = limits if limits is not None else (grid_x.min(), grid_x.max())
    if arrows is not None:
        points, push = (_points(name, value) for name, value in zip(("arrows' points", "arrows' push"), arrows))
        if len(points) != len(push):
            raise ValueError(f"arrows must be (points, push) of the same length; got {len(points)} and {len(push)}")
        norms = np.linalg.norm(push, axis=1)
        scale = np.percentile(norms, 95) if len(norms) else 0.0
        if scale > 0:
            shown = push / scale
            shown *= np.minimum(1.0, 1.0 / np.maximum(np.linalg.norm(shown, axis=1), 1e-12))[:, None]
            shown *= arrow_length * (high - low)
            ax.quiver(points[:, 0], points[:, 1], shown[:, 0], shown[:, 1], angles="xy", scale_units="xy", scale=1,
                      width=0.006, headwidth=3.5, headlength=4, color="k", alpha=0.8, label="push on G(z)")
    ax.set_xlim(low, high)
    ax.set_ylim(*(limits if limits is not None else (grid_y.min(), grid_y.max())))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def discriminator_colorbar(axes, label: str = "D(x)"):
    """A colorbar for :func:`plot_discriminator_surface` next to ``axes`` (one axes or several),
    its ticks read: 0 "fake", 0.5 "can't tell", 1 "real". Returns the colorbar."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    first = axes if hasattr(axes, "figure") else np.ravel(axes)[0]
    mappable = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=DISCRIMINATOR_CMAP)
    bar = first.figure.colorbar(mappable, ax=axes, ticks=[0.0, 0.5, 1.0], fraction=0.04, pad=0.02)
    bar.ax.set_yticklabels(["0 fake", "0.5 can't tell", "1 real"])
    bar.set_label(label)
    return bar


def plot_discriminator_frames(real_samples, frames: Mapping[int, np.ndarray], surfaces: Mapping[int, tuple],
                              grid_x, grid_y, limits=None, steps: Sequence[int] | None = None, max_frames: int = 4,
                              panel_size: float = 3.0, ncols: int = 2, max_arrows: int = 60,
                              arrow_length: float = 0.12):
    """Panels of :func:`plot_discriminator_surface` at several training steps, with one colorbar.

    ``frames[step]`` are the generated samples at that step and ``surfaces[step]`` is
    ``(d_values, push)``: the discriminator *of that step* on the grid, and the push -d g_loss/dx on
    the first ``len(push)`` samples of ``frames[step]`` (``push`` may be None: no arrows). At most
    ``max_frames`` evenly spaced steps (always the first and the last) of ``steps`` (default: all
    steps of ``surfaces``) are drawn.

    The panels fill ``ncols`` columns (four steps in 2 columns: a 2 x 2 block), ``panel_size``
    inches each, so that a mode of a toy target covers more than a few pixels. Arrows are drawn on
    at most ``max_arrows`` samples (the first ones): more pile up into black clusters.
    ``arrow_length`` is the longest arrow as a fraction of the plot's width
    (:func:`plot_discriminator_surface`); scale it to the target, e.g. half the distance between
    two neighbouring modes, so that no arrow reaches past the next mode. The legend sits below the
    panels, outside them, where it hides no sample.
    """
    steps = _pick_steps(surfaces if steps is None else list(steps), max_frames)
    missing = [step for step in steps if step not in surfaces or step not in frames]
    if missing:
        raise ValueError(f"steps {missing} have no recorded surface (surfaces) or no generated samples (frames)")
    ncols, max_arrows = positive_integer("ncols", ncols), positive_integer("max_arrows", max_arrows)
    if isinstance(panel_size, bool) or not isinstance(panel_size, (int, float)) or not panel_size > 0:
        raise ValueError(f"panel_size must be a positive size in inches; got {panel_size!r}")
    ncols = min(ncols, len(steps))
    nrows = -(-len(steps) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols + 1.3, panel_size * nrows + 0.7),
                             squeeze=False, layout="constrained")
    panels = list(axes.ravel())
    for unused in panels[len(steps):]:   # e.g. three steps in a 2 x 2 block: no empty fourth panel
        unused.remove()
    panels = panels[:len(steps)]
    for ax, step in zip(panels, steps):
        d_values, push = surfaces[step]
        fake = np.asarray(frames[step])
        arrows = None
        if push is not None:
            shown = min(len(push), max_arrows)
            arrows = (fake[:shown], np.asarray(push)[:shown])
        plot_discriminator_surface(ax, grid_x, grid_y, d_values, real_samples, fake, arrows=arrows,
                                   title=f"step {step}", limits=limits, arrow_length=arrow_length)
    handles, labels = panels[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=max(1, len(labels)), fontsize=9, markerscale=2,
               frameon=False, handletextpad=0.3)
    discriminator_colorbar(panels)
    return fig
