"""gan_helpers.plotting draws what it says: the right artists, the chosen frames, one line per curve."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gan_helpers.plotting import plot_curves, plot_frames, plot_samples  # noqa: E402

rng = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_samples_2d_is_two_scatters():
    fig, ax = plt.subplots()
    plot_samples(ax, rng.normal(size=(50, 2)), rng.normal(size=(60, 2)), title="t", limits=(-3, 3))
    assert len(ax.collections) == 2 and ax.get_title() == "t" and ax.get_xlim() == (-3, 3)


def test_plot_samples_1d_is_two_histograms():
    fig, ax = plt.subplots()
    plot_samples(ax, rng.normal(size=(50, 1)), rng.normal(size=50), limits=(-4, 4))
    assert len(ax.patches) == 2 * 40  # 41 bin edges -> 40 bars per histogram


def test_plot_frames_keeps_first_and_last_and_at_most_max_frames():
    real = rng.normal(size=(30, 2))
    frames = {step: rng.normal(size=(30, 2)) for step in range(0, 1001, 100)}
    fig = plot_frames(real, frames, max_frames=4)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 4 and titles[0] == "step 0" and titles[-1] == "step 1000"
    with pytest.raises(ValueError, match="frames is empty"):
        plot_frames(real, {})


def test_plot_curves_one_line_per_curve_and_legend_only_for_several():
    fig = plot_curves([0, 1, 2], {"d_loss": [1, 2, 3]})
    assert len(fig.axes[0].lines) == 1 and fig.axes[0].get_legend() is None
    fig = plot_curves([0, 1, 2], {"d_loss": [1, 2, 3], "g_loss": [3, 2, 1]}, logy=True)
    assert len(fig.axes[0].lines) == 2 and fig.axes[0].get_legend() is not None
    assert fig.axes[0].get_yscale() == "log"
