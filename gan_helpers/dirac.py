"""The Dirac GAN: the smallest GAN that shows why gradient descent circles, and how R1 stops it.

Mescheder, Geiger & Nowozin, "Which training methods for GANs do actually converge?", ICML 2018
(https://arxiv.org/abs/1801.04406), section 2 and figure 1. The real data are a point mass at 0,
the generator is a point mass at ``theta``, the discriminator is linear, ``D(x) = psi * x``. The
game's value is

    L(theta, psi) = f(psi * theta) + f(0),    f(t) = -log(1 + exp(-t))   (the standard GAN)

(``f(t) = t`` gives the WGAN). The generator descends L, the discriminator ascends it: one
simultaneous step is ``(theta, psi) += h * v(theta, psi)`` with the game's vector field

    v(theta, psi) = (-psi f'(psi theta),  theta f'(psi theta)).

The only equilibrium is (0, 0). There the Jacobian of v is ``[[0, -f'(0)], [f'(0), 0]]`` with
eigenvalues ``+- i f'(0)`` (``f'(0) = 1/2``): no real part, so the continuous flow circles
around (0, 0) (``theta^2 + psi^2`` is conserved to first order), simultaneous gradient descent
multiplies the distance by ``|1 + h i f'(0)| = sqrt(1 + h^2 f'(0)^2) > 1`` per step near (0, 0)
and spirals **out** for every step size ``h > 0``, and alternating steps (the discriminator
first, then the generator on the updated discriminator) keep circling.

A gradient penalty on the discriminator changes the picture. ``R1 = ||grad_x D||^2 = psi^2`` at
the real data (:func:`gan_helpers.losses.r1_penalty`); the discriminator ascends
``L - gamma/2 psi^2``, which adds ``-gamma psi`` to ``v_psi`` and turns the eigenvalues into
``-gamma/2 +- sqrt(gamma^2/4 - f'(0)^2)``: negative real parts, so (0, 0) attracts, for the flow
and for gradient descent with a small enough ``h``. The WGAN-GP-style penalty
``gamma/2 (|psi| - g0)^2`` pushes ``|psi|`` towards ``g0 > 0`` instead, so it is not smooth at
``psi = 0`` and has no Jacobian there (:func:`equilibrium_eigenvalues` refuses it).

Pure NumPy. Defined in notebook 05 (section "The Dirac GAN").
"""

from __future__ import annotations

import numpy as np

__all__ = ["f", "f_prime", "game_value", "vector_field", "trajectory", "numerical_jacobian",
           "equilibrium_eigenvalues", "plot_dirac_gan", "LOSSES", "REGULARIZERS", "METHODS"]

LOSSES = ("standard", "nonsaturating", "wasserstein")
REGULARIZERS = (None, "r1", "gp")
METHODS = ("simultaneous", "alternating")


def _check(loss, regularizer, gamma, g0):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
    if regularizer not in REGULARIZERS:
        raise ValueError(f"regularizer must be one of {REGULARIZERS}; got {regularizer!r}")
    if isinstance(gamma, bool) or not np.isscalar(gamma) or not np.isfinite(gamma) or gamma < 0:
        raise ValueError(f"gamma must be a number >= 0; got {gamma!r}")
    if isinstance(g0, bool) or not np.isscalar(g0) or not np.isfinite(g0) or g0 < 0:
        raise ValueError(f"g0 must be a number >= 0; got {g0!r}")


def f(t, loss="standard"):
    """``f(t) = -log(1 + exp(-t)) = log sigmoid(t)`` (standard GAN; stable for large ``|t|``); ``t`` for the WGAN."""
    t = np.asarray(t, dtype=float)
    return t if loss == "wasserstein" else -np.logaddexp(0.0, -t)


def f_prime(t, loss="standard"):
    """``f'(t) = 1 / (1 + exp(t)) = sigmoid(-t)``; 1 for the WGAN. ``f'(0) = 1/2`` for the standard GAN."""
    t = np.asarray(t, dtype=float)
    return np.ones_like(t) if loss == "wasserstein" else 0.5 * (1.0 - np.tanh(t / 2.0))


def game_value(theta, psi, loss="standard"):
    """``L(theta, psi) = f(psi theta) + f(0)``: the generator minimizes it, the discriminator maximizes it."""
    return f(np.asarray(psi) * np.asarray(theta), loss) + f(0.0, loss)


def vector_field(theta, psi, loss="standard", regularizer=None, gamma=1.0, g0=1.0):
    """``(v_theta, v_psi)``: the direction both players move in (gradient descent for G, ascent for D).

    - ``loss="standard"`` (the paper's): ``v_theta = -psi f'(psi theta)``, the minus gradient of L;
    - ``loss="nonsaturating"``: the generator maximizes ``f(-psi theta)`` (``log D(G(z))``) instead,
      ``v_theta = -psi f'(-psi theta)``; same behaviour near (0, 0);
    - ``loss="wasserstein"``: ``f(t) = t``;
    - always ``v_psi = theta f'(psi theta)`` (the gradient of L), minus the regularizer's gradient:
      ``regularizer="r1"`` (``gamma/2 psi^2``, i.e. gamma/2 times :func:`gan_helpers.losses.r1_penalty`, as
      ``grad_x D = psi``): ``- gamma psi``; ``regularizer="gp"`` (WGAN-GP-style ``gamma/2 (|psi| - g0)^2``):
      ``- gamma (|psi| - g0) sign(psi)``.

    Works elementwise on arrays (for a quiver plot on a grid).
    """
    _check(loss, regularizer, gamma, g0)
    theta, psi = np.asarray(theta, dtype=float), np.asarray(psi, dtype=float)
    t = psi * theta
    v_theta = -psi * (f_prime(-t, loss) if loss == "nonsaturating" else f_prime(t, loss))
    v_psi = theta * f_prime(t, loss)
    if regularizer == "r1":
        v_psi = v_psi - gamma * psi
    elif regularizer == "gp":
        v_psi = v_psi - gamma * (np.abs(psi) - g0) * np.sign(psi)
    return v_theta, v_psi


def trajectory(theta, psi, steps, h, method="simultaneous", **field):
    """Iterates of gradient descent with step size ``h`` from ``(theta, psi)``: an array ``(steps + 1, 2)``.

    ``method="simultaneous"``: both players step from the same point, ``x += h v(x)``.
    ``method="alternating"``: the discriminator steps first, ``psi += h v_psi(theta, psi)``, then
    the generator against the updated discriminator, ``theta += h v_theta(theta, psi_new)`` (the
    order of the course's training loops). ``field`` goes to :func:`vector_field`.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer; got {steps!r}")
    if isinstance(h, bool) or not np.isscalar(h) or not np.isfinite(h) or h <= 0:
        raise ValueError(f"h must be a number > 0; got {h!r}")
    path = np.empty((steps + 1, 2))
    path[0] = theta, psi
    for k in range(steps):
        theta, psi = path[k]
        if method == "simultaneous":
            v_theta, v_psi = vector_field(theta, psi, **field)
            path[k + 1] = theta + h * v_theta, psi + h * v_psi
        else:
            psi = psi + h * vector_field(theta, psi, **field)[1]
            path[k + 1] = theta + h * vector_field(theta, psi, **field)[0], psi
    return path


def numerical_jacobian(theta=0.0, psi=0.0, eps=1e-6, **field):
    """The 2x2 Jacobian ``d(v_theta, v_psi) / d(theta, psi)`` by central differences (rows: v_theta, v_psi)."""
    jac = np.empty((2, 2))
    for j, (dt, dp) in enumerate(((eps, 0.0), (0.0, eps))):
        plus = vector_field(theta + dt, psi + dp, **field)
        minus = vector_field(theta - dt, psi - dp, **field)
        jac[:, j] = (np.asarray(plus, dtype=float) - np.asarray(minus, dtype=float)) / (2 * eps)
    return jac


def equilibrium_eigenvalues(loss="standard", regularizer=None, gamma=1.0):
    """The eigenvalues of the Jacobian of :func:`vector_field` at (0, 0), in closed form (Mescheder et al., 2018).

    Unregularized: ``+- i f'(0)``. With R1: ``-gamma/2 +- sqrt(gamma^2/4 - f'(0)^2)``. With
    ``f'(0) = 1/2`` (standard, non-saturating) or 1 (WGAN). Refuses ``regularizer="gp"``: its
    field jumps at ``psi = 0`` (for ``g0 > 0``), so there is no Jacobian.
    """
    _check(loss, regularizer, gamma, 1.0)
    if regularizer == "gp":
        raise ValueError("regularizer='gp' has no Jacobian at (0, 0): gamma (|psi| - g0) sign(psi) jumps at psi = 0")
    a = float(f_prime(0.0, loss))
    if regularizer is None:
        return np.array([1j * a, -1j * a])
    root = np.sqrt(complex(gamma ** 2 / 4 - a ** 2))
    return np.array([-gamma / 2 + root, -gamma / 2 - root])


def plot_dirac_gan(start=(0.5, 0.5), h=0.2, steps=250, gamma=0.3, loss="standard", limit=2.0,
                   figsize=(11, 3.6)):
    """Three panels on ``(theta, psi) in [-limit, limit]^2``: the game's vector field (grey streamlines)
    and a gradient-descent trajectory from ``start`` (``steps`` steps of size ``h``) in each:

    1. simultaneous steps, no regularizer: spirals **out**;
    2. alternating steps, no regularizer: keeps circling;
    3. simultaneous steps with R1 (``gamma``; the field drawn is the regularized one): converges to (0, 0).

    The black cross marks the equilibrium (the generator on the data, ``theta = 0``, and an
    undecided discriminator, ``psi = 0``); the dot marks the start. Returns the figure.
    """
    import matplotlib.pyplot as plt

    panels = [("simultaneous GD", "simultaneous", {}),
              ("alternating GD", "alternating", {}),
              (f"simultaneous GD + R1 (gamma = {gamma:g})", "simultaneous", {"regularizer": "r1", "gamma": gamma})]
    grid = np.linspace(-limit, limit, 41)
    theta_grid, psi_grid = np.meshgrid(grid, grid)
    fig, axes = plt.subplots(1, len(panels), figsize=figsize, sharey=True, layout="constrained")
    for ax, (title, method, reg) in zip(axes, panels):
        v_theta, v_psi = vector_field(theta_grid, psi_grid, loss=loss, **reg)
        ax.streamplot(grid, grid, v_theta, v_psi, color="#b0b0b0", density=0.6, linewidth=0.7, arrowsize=0.8)
        path = trajectory(*start, steps, h, method, loss=loss, **reg)
        ax.plot(path[:, 0], path[:, 1], color="#d62728", linewidth=1.2)
        ax.plot(*path[0], "o", color="#d62728", markersize=5)
        ax.plot(0, 0, "kx", markersize=8, markeredgewidth=2)
        distance = np.hypot(*path[-1])
        ax.set_title(f"{title}\ndistance from (0, 0): {np.hypot(*path[0]):.2f} -> {distance:.2f}", fontsize=9)
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ax.set_aspect("equal")
        ax.set_xlabel(r"generator $\theta$")
    axes[0].set_ylabel(r"discriminator $\psi$")
    fig.suptitle(f"Dirac GAN ({loss} loss): {steps} steps of size h = {h:g} from "
                 f"(theta, psi) = ({start[0]:g}, {start[1]:g})", fontsize=10)
    return fig
