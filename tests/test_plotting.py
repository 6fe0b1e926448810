"""gan_helpers.plotting draws what it says (Matplotlib Agg, figures closed after each test).

- :func:`plot_samples`: 2-D data -> two scatter collections (real grey, generated red, at most
  ``max_points`` each); 1-D data -> two 40-bin histograms; title and limits applied.
- :func:`plot_frames`: one panel per step up to ``max_frames``, evenly spaced, always the first
  and the last step (read from the panel titles), ValueError for no frames.
- :func:`plot_curves`: a Figure with one line per curve, a legend only for 2+ curves, log
  scale on request, drawing on a given axes when one is passed.
- :func:`plot_discriminator_surface`: D(x) as a mesh with the diverging colormap fixed to [0, 1],
  the D = 1/2 line only when D crosses 1/2, real then generated samples on top, arrows in the
  push's directions scaled so the 95th percentile spans ``arrow_length`` of the width (longer
  ones cut, none for a zero push), bad shapes refused naming the argument.
- :func:`plot_discriminator_frames` / :func:`discriminator_colorbar`: one panel per chosen step
  (the steps asked for, or evenly spaced ones), arrows on the first ``len(push)`` samples of
  that step, one colorbar whose ticks say "fake", "can't tell", "real".
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gan_helpers.plotting import FAKE_COLOR, REAL_COLOR, plot_curves, plot_frames, plot_samples  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# ------------------------------------------------------------------------------- plot_samples


def test_plot_samples_2d_draws_two_scatters_real_then_generated(rng):
    fig, ax = plt.subplots()
    real, fake = rng.normal(size=(50, 2)), rng.normal(size=(60, 2))
    returned = plot_samples(ax, real, fake, title="step 0", limits=(-3, 3))
    assert returned is ax
    assert len(ax.collections) == 2 and len(ax.patches) == 0
    real_points, fake_points = ax.collections
    np.testing.assert_array_equal(real_points.get_offsets(), real)
    np.testing.assert_array_equal(fake_points.get_offsets(), fake)
    assert tuple(real_points.get_facecolors()[0][:3]) == pytest.approx(to_rgba(REAL_COLOR)[:3])
    assert tuple(fake_points.get_facecolors()[0][:3]) == pytest.approx(to_rgba(FAKE_COLOR)[:3])
    assert [c.get_label() for c in ax.collections] == ["real", "generated"]
    assert ax.get_title() == "step 0"
    assert ax.get_xlim() == (-3, 3) and ax.get_ylim() == (-3, 3)


def test_plot_samples_2d_keeps_at_most_max_points(rng):
    fig, ax = plt.subplots()
    plot_samples(ax, rng.normal(size=(50, 2)), rng.normal(size=(8, 2)), max_points=20)
    assert [len(c.get_offsets()) for c in ax.collections] == [20, 8]
    assert ax.get_title() == ""  # no title asked for


@pytest.mark.parametrize("real_shape, fake_shape", [((50,), (60,)), ((50, 1), (60,)), ((50, 1), (60, 1))])
def test_plot_samples_1d_draws_two_40_bin_histograms(rng, real_shape, fake_shape):
    fig, ax = plt.subplots()
    returned = plot_samples(ax, rng.normal(size=real_shape), rng.normal(size=fake_shape), limits=(-4, 4))
    assert returned is ax
    assert len(ax.collections) == 0
    assert len(ax.patches) == 2 * 40  # 41 bin edges from the limits -> 40 bars per histogram
    lefts = [p.get_x() for p in ax.patches[:40]]
    assert lefts[0] == pytest.approx(-4.0) and lefts[-1] == pytest.approx(4.0 - 8 / 40)
    assert to_rgba(ax.patches[0].get_facecolor())[:3] == pytest.approx(to_rgba(REAL_COLOR)[:3])
    assert to_rgba(ax.patches[40].get_facecolor())[:3] == pytest.approx(to_rgba(FAKE_COLOR)[:3])


def test_plot_samples_1d_histograms_are_normalized(rng):
    fig, ax = plt.subplots()
    plot_samples(ax, rng.normal(size=200), rng.normal(size=100))  # limits from the data
    for bars in (ax.patches[:40], ax.patches[40:]):
        area = sum(p.get_width() * p.get_height() for p in bars)
        assert area == pytest.approx(1.0)


# -------------------------------------------------------------------------------- plot_frames


def _titles(fig):
    return [ax.get_title() for ax in fig.axes]


def test_plot_frames_picks_evenly_spaced_steps_with_first_and_last(rng):
    real = rng.normal(size=(30, 2))
    frames = {step: rng.normal(size=(30, 2)) for step in range(0, 1001, 100)}  # 11 steps
    fig = plot_frames(real, frames, max_frames=4)
    assert isinstance(fig, Figure)
    assert _titles(fig) == ["step 0", "step 300", "step 700", "step 1000"]  # indices round(0, 3.33, 6.67, 10)
    fig = plot_frames(real, frames)  # default max_frames=6
    assert _titles(fig) == ["step 0", "step 200", "step 400", "step 600", "step 800", "step 1000"]


@pytest.mark.parametrize("n_steps, max_frames", [(3, 2), (7, 5), (20, 6), (100, 3)])
def test_plot_frames_never_exceeds_max_frames(rng, n_steps, max_frames):
    frames = {10 * i: rng.normal(size=(5, 2)) for i in range(n_steps)}
    titles = _titles(plot_frames(rng.normal(size=(5, 2)), frames, max_frames=max_frames))
    assert len(titles) == max_frames
    assert titles[0] == "step 0" and titles[-1] == f"step {10 * (n_steps - 1)}"


def test_plot_frames_draws_every_step_when_few_and_sorts_them(rng):
    frames = {300: rng.normal(size=(5, 2)), 0: rng.normal(size=(5, 2)), 100: rng.normal(size=(5, 2))}
    fig = plot_frames(rng.normal(size=(5, 2)), frames, max_frames=6)
    assert _titles(fig) == ["step 0", "step 100", "step 300"]
    for ax, step in zip(fig.axes, [0, 100, 300]):
        np.testing.assert_array_equal(ax.collections[1].get_offsets(), frames[step])  # generated on top of real


def test_plot_frames_single_step_and_legend_on_the_first_panel(rng):
    fig = plot_frames(rng.normal(size=(5, 2)), {42: rng.normal(size=(5, 2))})
    assert _titles(fig) == ["step 42"]
    legend = fig.axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["real", "generated"]


def test_plot_frames_refuses_empty_frames(rng):
    with pytest.raises(ValueError, match="frames is empty: record at least one step"):
        plot_frames(rng.normal(size=(5, 2)), {})


# -------------------------------------------------------------------------------- plot_curves


def test_plot_curves_single_curve_has_no_legend():
    fig = plot_curves([0, 1, 2], {"d_loss": [1.0, 2.0, 3.0]}, title="losses", ylabel="loss")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.lines) == 1
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 1, 2])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 2.0, 3.0])
    assert ax.get_legend() is None
    assert ax.get_xlabel() == "training step" and ax.get_ylabel() == "loss" and ax.get_title() == "losses"
    assert ax.get_yscale() == "linear"


def test_plot_curves_one_line_per_curve_and_a_legend_for_several():
    curves = {"d_loss": [1, 2, 3], "g_loss": [3, 2, 1], "sw": [0.5, 0.4, 0.3]}
    fig = plot_curves([0, 1, 2], curves, xlabel="epoch", logy=True)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["d_loss", "g_loss", "sw"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [3, 2, 1])
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["d_loss", "g_loss", "sw"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"


def test_plot_curves_draws_on_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    returned = plot_curves([0, 1], {"a": [1, 2], "b": [2, 1]}, ax=right)
    assert returned is fig
    assert len(right.lines) == 2 and len(left.lines) == 0
    assert plt.get_fignums() == [fig.number]  # no extra figure created


@pytest.mark.parametrize("bad", [0, 1, -1, True, 2.5])
def test_plot_frames_max_frames_must_keep_first_and_last(bad):
    with pytest.raises(ValueError, match="max_frames"):
        plot_frames(np.zeros((3, 2)), {0: np.zeros((3, 2)), 10: np.zeros((3, 2))}, max_frames=bad)


def test_plot_samples_1d_with_all_values_equal_has_finite_bars():
    fig, ax = plt.subplots()
    plot_samples(ax, np.full(10, 2.0), np.full(10, 2.0))
    assert all(np.isfinite(patch.get_height()) for patch in ax.patches)


def test_image_grid_tiles_rows_and_pads_with_white():
    from gan_helpers.plotting import image_grid

    images = np.stack([np.full((2, 3), v) for v in (-1.0, 0.0, 1.0)])  # black, grey, white
    grid = image_grid(images, ncols=2, padding=1)
    assert grid.shape == (2 * (2 + 1) + 1, 2 * (3 + 1) + 1)
    assert np.all(grid[1:3, 1:4] == 0.0) and np.all(grid[1:3, 5:8] == 0.5) and np.all(grid[4:6, 1:4] == 1.0)
    assert np.all(grid[4:6, 5:8] == 1.0)  # the empty cell is white
    assert np.all(grid[0] == 1.0)  # padding
    assert image_grid(images[..., None], ncols=5).shape == (2 + 2, 3 * (3 + 1) + 1)  # ncols capped at N


def test_image_grid_argument_checks():
    from gan_helpers.plotting import image_grid

    with pytest.raises(ValueError, match="images must have shape"):
        image_grid(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="ncols"):
        image_grid(np.zeros((1, 2, 2)), ncols=0)
    with pytest.raises(ValueError, match="padding"):
        image_grid(np.zeros((1, 2, 2)), padding=-1)


def test_plot_image_frames_picks_first_and_last():
    from gan_helpers.plotting import plot_image_frames

    frames = {epoch: np.zeros((4, 28, 28, 1)) for epoch in range(11)}
    fig = plot_image_frames(frames, max_frames=3)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["epoch 0", "epoch 5", "epoch 10"]
    plt.close(fig)
    with pytest.raises(ValueError, match="frames is empty"):
        plot_image_frames({})


def test_plot_class_shares_draws_both_bar_sets_and_checks_lengths():
    from gan_helpers.plotting import plot_class_shares

    fig, ax = plt.subplots()
    plot_class_shares(ax, [0.2] * 5, [0.2, 0.1, 0.3, 0.2, 0.2], label="GAN")
    heights = [round(p.get_height(), 3) for p in ax.patches]
    assert heights == [0.2] * 5 + [0.2, 0.1, 0.3, 0.2, 0.2]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GAN", "real held-out"]
    plt.close(fig)
    with pytest.raises(ValueError, match="same length"):
        plot_class_shares(plt.subplots()[1], [0.5, 0.5], [1.0])


# ------------------------------------------------------------------ the discriminator's surface

from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402

from gan_helpers.plotting import (DISCRIMINATOR_CMAP, discriminator_colorbar, plot_discriminator_frames,  # noqa: E402
                                  plot_discriminator_surface)


def _grid(n=11, low=-2.0, high=2.0):
    ticks = np.linspace(low, high, n)
    return np.meshgrid(ticks, ticks)


def _quivers(ax):
    return [c for c in ax.collections if isinstance(c, Quiver)]


def test_discriminator_surface_draws_d_with_a_fixed_diverging_scale_under_the_samples(rng):
    grid_x, grid_y = _grid()
    d_values = 1 / (1 + np.exp(-grid_x))  # 'real' on the right, 'fake' on the left
    real, fake = rng.normal(size=(40, 2)), rng.normal(size=(30, 2))
    fig, ax = plt.subplots()
    returned = plot_discriminator_surface(ax, grid_x, grid_y, d_values.ravel(), real, fake, title="step 7",
                                          limits=(-2, 2))
    assert returned is ax
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(mesh) == 1
    assert mesh[0].get_cmap().name == DISCRIMINATOR_CMAP and mesh[0].get_clim() == (0.0, 1.0)
    np.testing.assert_allclose(np.asarray(mesh[0].get_array()).reshape(grid_x.shape), d_values)
    scatters = [c for c in ax.collections if c.get_label() in ("real", "generated")]
    assert [c.get_label() for c in scatters] == ["real", "generated"]
    np.testing.assert_array_equal(scatters[0].get_offsets(), real)
    np.testing.assert_array_equal(scatters[1].get_offsets(), fake)
    assert ax.collections.index(mesh[0]) < ax.collections.index(scatters[0])  # the samples on top of D
    assert ax.get_title() == "step 7" and ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-2, 2)
    assert not _quivers(ax)  # no arrows asked for
    assert len(ax.collections) == 4  # mesh, the D = 1/2 line, real, generated


def test_discriminator_surface_draws_the_half_line_only_where_d_crosses_one_half(rng):
    grid_x, grid_y = _grid()
    fig, ax = plt.subplots()
    plot_discriminator_surface(ax, grid_x, grid_y, np.full(grid_x.shape, 0.2), rng.normal(size=(5, 2)),
                               rng.normal(size=(5, 2)))
    assert len(ax.collections) == 3  # mesh, real, generated: no contour (and no warning)


def test_discriminator_surface_arrows_keep_direction_and_relative_length_up_to_the_cut(rng):
    grid_x, grid_y = _grid(low=-1.0, high=1.0)
    points = rng.uniform(-1, 1, size=(40, 2))
    push = np.tile([[3.0, 4.0]], (40, 1)) * np.linspace(0.1, 1.0, 40)[:, None]  # lengths 0.5 .. 5
    push[-1] = [0.0, -50.0]  # one huge push: cut to the longest drawn length
    fig, ax = plt.subplots()
    plot_discriminator_surface(ax, grid_x, grid_y, np.full(grid_x.shape, 0.5), points, points,
                               arrows=(points, push), arrow_length=0.1)
    (quiver,) = _quivers(ax)
    np.testing.assert_allclose(quiver.X, points[:, 0])
    np.testing.assert_allclose(quiver.Y, points[:, 1])
    drawn = np.stack([quiver.U, quiver.V], axis=1)
    lengths = np.linalg.norm(drawn, axis=1)
    reference = np.percentile(np.linalg.norm(push, axis=1), 95)
    expected = np.minimum(np.linalg.norm(push, axis=1) / reference, 1.0) * 0.1 * 2.0  # 10 % of the width 2
    np.testing.assert_allclose(lengths, expected, rtol=1e-9)
    np.testing.assert_allclose(drawn[:-1] / lengths[:-1, None], np.tile([[0.6, 0.8]], (39, 1)))  # directions kept
    np.testing.assert_allclose(drawn[-1], [0.0, -0.2])


def test_discriminator_surface_draws_no_arrows_for_a_zero_push(rng):
    grid_x, grid_y = _grid()
    points = rng.normal(size=(6, 2))
    fig, ax = plt.subplots()
    plot_discriminator_surface(ax, grid_x, grid_y, np.full(grid_x.shape, 0.5), points, points,
                               arrows=(points, np.zeros((6, 2))))
    assert not _quivers(ax)


@pytest.mark.parametrize("change, message", [
    (dict(grid_y=np.zeros((3, 4))), "grid_x and grid_y must be two 2-D arrays"),
    (dict(d_values=np.zeros(7)), "d_values must hold one value of D"),
    (dict(real_samples=np.zeros((5, 3))), "real_samples must be 2-D points"),
    (dict(arrows=(np.zeros((4, 2)), np.zeros((3, 2)))), "arrows must be .points, push. of the same length"),
    (dict(arrows=(np.zeros((4, 2)), np.zeros(4))), "arrows' push must be 2-D points"),
    (dict(arrow_length=0.0), "arrow_length must be a fraction"),
])
def test_discriminator_surface_refuses_bad_shapes_naming_the_argument(change, message):
    grid_x, grid_y = _grid(n=4)
    arguments = dict(grid_x=grid_x, grid_y=grid_y, d_values=np.zeros(16), real_samples=np.zeros((5, 2)),
                     fake_samples=np.zeros((5, 2)))
    arguments.update(change)
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        plot_discriminator_surface(ax, **arguments)


def test_discriminator_colorbar_says_fake_cant_tell_real():
    fig, axes = plt.subplots(1, 2)
    bar = discriminator_colorbar(axes)
    assert [t.get_text() for t in bar.ax.get_yticklabels()] == ["0 fake", "0.5 can't tell", "1 real"]
    assert bar.mappable.get_cmap().name == DISCRIMINATOR_CMAP and tuple(bar.mappable.get_clim()) == (0.0, 1.0)


def _game(rng, steps, n_arrows=3):
    grid_x, grid_y = _grid(n=5)
    frames = {step: rng.normal(size=(10, 2)) for step in steps}
    surfaces = {step: (np.full(25, 0.1 * k), rng.normal(size=(n_arrows, 2))) for k, step in enumerate(steps)}
    return grid_x, grid_y, frames, surfaces


def test_discriminator_frames_draw_the_chosen_steps_with_their_own_surface_and_one_colorbar(rng):
    steps = list(range(0, 1001, 100))
    grid_x, grid_y, frames, surfaces = _game(rng, steps)
    fig = plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["step 0", "step 300", "step 700", "step 1000"]
    assert len(fig.axes) == len(panels) + 1  # one colorbar for all
    for ax, step in zip(panels, [0, 300, 700, 1000]):
        mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
        np.testing.assert_allclose(np.asarray(mesh.get_array()).ravel(), surfaces[step][0])  # D of that step
        (quiver,) = _quivers(ax)
        np.testing.assert_allclose(quiver.X, frames[step][:3, 0])  # arrows on the first len(push) samples
    fig = plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y, steps=[100, 200, 900],
                                    max_frames=5)
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["step 100", "step 200", "step 900"]


def test_discriminator_frames_without_push_draw_no_arrows_and_refuse_unknown_steps(rng):
    grid_x, grid_y, frames, surfaces = _game(rng, [0, 10])
    surfaces = {step: (d_values, None) for step, (d_values, _) in surfaces.items()}
    fig = plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y)
    assert not any(_quivers(ax) for ax in fig.axes)
    with pytest.raises(ValueError, match=r"steps \[20\] have no recorded surface"):
        plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y, steps=[0, 20])


def test_discriminator_frames_lay_four_steps_out_two_by_two_with_the_legend_below_them(rng):
    grid_x, grid_y, frames, surfaces = _game(rng, [0, 10, 20, 30])
    fig = plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == 4 and len(fig.axes) == 5   # four panels and one colorbar
    fig.canvas.draw()
    boxes = [ax.get_position() for ax in panels]
    assert len({round(box.x0, 3) for box in boxes}) == 2 and len({round(box.y0, 3) for box in boxes}) == 2
    assert boxes[0].y0 > boxes[2].y0 and boxes[0].x0 < boxes[1].x0   # steps read left to right, top to bottom
    assert all(ax.get_legend() is None for ax in panels)   # no legend on top of a panel's samples
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["real", "generated", "push on G(z)"]
    legend_box = legend.get_window_extent()
    assert all(legend_box.y1 <= ax.get_window_extent().y0 + 1 for ax in panels)   # below every panel


def test_discriminator_frames_with_three_steps_leave_no_empty_panel(rng):
    grid_x, grid_y, frames, surfaces = _game(rng, [0, 10, 20])
    fig = plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y)
    assert len(fig.axes) == 4 and [ax.get_title() for ax in fig.axes[:3]] == ["step 0", "step 10", "step 20"]
    fig = plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y, ncols=3)
    assert len({round(ax.get_position().y0, 3) for ax in fig.axes if ax.get_title()}) == 1   # one row


def test_discriminator_frames_draw_at_most_max_arrows_on_the_first_samples(rng):
    grid_x, grid_y, frames, surfaces = _game(rng, [0, 10], n_arrows=150)
    frames = {step: rng.normal(size=(200, 2)) for step in frames}
    fig = plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y)
    (quiver,) = _quivers(fig.axes[0])
    assert quiver.N == 60
    np.testing.assert_allclose(quiver.X, frames[0][:60, 0])
    fig = plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y, max_arrows=7)
    assert _quivers(fig.axes[1])[0].N == 7


def test_discriminator_frames_pass_the_arrow_length_to_every_panel(rng):
    grid_x, grid_y, frames, surfaces = _game(rng, [0, 10], n_arrows=5)   # the grid spans 4 units
    for arrow_length in (0.05, 0.2):
        fig = plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y,
                                        arrow_length=arrow_length)
        for ax in fig.axes[:2]:
            (quiver,) = _quivers(ax)
            longest = np.max(np.hypot(quiver.U, quiver.V))
            np.testing.assert_allclose(longest, arrow_length * 4.0, rtol=1e-9)


@pytest.mark.parametrize("change, message", [
    (dict(ncols=0), "ncols"), (dict(max_arrows=0), "max_arrows"), (dict(max_arrows=2.5), "max_arrows"),
    (dict(panel_size=0), "panel_size"), (dict(panel_size="big"), "panel_size"),
])
def test_discriminator_frames_refuse_bad_layout_arguments_naming_them(rng, change, message):
    grid_x, grid_y, frames, surfaces = _game(rng, [0, 10])
    with pytest.raises((ValueError, TypeError), match=message):
        plot_discriminator_frames(rng.normal(size=(20, 2)), frames, surfaces, grid_x, grid_y, **change)
