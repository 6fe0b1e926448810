"""gan_helpers.dirac: the Dirac GAN of Mescheder et al. (2018), checked by hand and by finite differences.

- f and f' against log(sigmoid) and a numerical derivative, stable at |t| = 1000;
- the vector field is minus / plus the finite-difference gradient of each player's objective
  (the generator descends L, the discriminator ascends L minus its penalty);
- the unregularized flow conserves theta^2 + psi^2 (d/dt = 2 theta v_theta + 2 psi v_psi = 0);
- simultaneous gradient descent moves away from (0, 0) at every step for every step size
  (|x + h v|^2 = |x|^2 + h^2 |v|^2 when x . v = 0); alternating steps stay on a bounded orbit;
  R1 converges; the WGAN-GP-style penalty centred at g0 = 1 does not bring the game to (0, 0);
- the numerical Jacobian's eigenvalues at (0, 0) equal the closed form.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gan_helpers import dirac  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _numerical_derivative(fn, x, eps=1e-6):
    return (fn(x + eps) - fn(x - eps)) / (2 * eps)


def test_f_and_its_derivative():
    assert float(dirac.f(0.0)) == pytest.approx(-np.log(2))
    assert float(dirac.f_prime(0.0)) == 0.5
    t = np.array([-3.0, -0.5, 0.7, 4.0])
    np.testing.assert_allclose(dirac.f(t), np.log(1 / (1 + np.exp(-t))), rtol=1e-12)
    np.testing.assert_allclose(dirac.f_prime(t), _numerical_derivative(dirac.f, t), rtol=1e-7)
    assert np.isfinite(dirac.f(-1000.0)) and float(dirac.f(-1000.0)) == pytest.approx(-1000.0)
    assert float(dirac.f_prime(1000.0)) == 0.0 and float(dirac.f_prime(-1000.0)) == 1.0
    np.testing.assert_array_equal(dirac.f(t, "wasserstein"), t)
    np.testing.assert_array_equal(dirac.f_prime(t, "wasserstein"), np.ones(4))


POINTS = [(0.3, -1.2), (-1.5, 0.8), (1.1, 1.7), (-0.4, -0.9)]


@pytest.mark.parametrize("loss", dirac.LOSSES)
@pytest.mark.parametrize("theta, psi", POINTS)
def test_vector_field_is_each_players_finite_difference_gradient(loss, theta, psi):
    gamma, g0 = 0.7, 1.0
    if loss == "nonsaturating":   # the generator maximizes f(-psi theta), i.e. log D(G(z))
        generator_objective = lambda th: -dirac.f(-psi * th)  # noqa: E731
    else:
        generator_objective = lambda th: dirac.game_value(th, psi, loss)  # noqa: E731
    penalties = {None: lambda p: 0.0, "r1": lambda p: gamma / 2 * p ** 2, "gp": lambda p: gamma / 2 * (abs(p) - g0) ** 2}
    for regularizer, penalty in penalties.items():
        v_theta, v_psi = dirac.vector_field(theta, psi, loss=loss, regularizer=regularizer, gamma=gamma, g0=g0)
        assert float(v_theta) == pytest.approx(-_numerical_derivative(generator_objective, theta), rel=1e-6)
        d_objective = lambda p: dirac.game_value(theta, p, loss) - penalty(p)  # noqa: E731, B023
        assert float(v_psi) == pytest.approx(_numerical_derivative(d_objective, psi), rel=1e-6)


def test_unregularized_flow_conserves_the_distance_to_first_order():
    grid = np.linspace(-2, 2, 21)
    theta, psi = np.meshgrid(grid, grid)
    for loss in ("standard", "wasserstein"):
        v_theta, v_psi = dirac.vector_field(theta, psi, loss=loss)
        np.testing.assert_allclose(theta * v_theta + psi * v_psi, 0.0, atol=1e-15)   # d/dt (theta^2 + psi^2) / 2
        assert np.abs(v_theta).max() > 0.1   # ... while the field itself is far from zero
    # with R1 the distance shrinks everywhere off the theta axis: d/dt (theta^2 + psi^2) / 2 = -gamma psi^2
    v_theta, v_psi = dirac.vector_field(theta, psi, regularizer="r1", gamma=1.0)
    np.testing.assert_allclose(theta * v_theta + psi * v_psi, -psi ** 2, atol=1e-14)


@pytest.mark.parametrize("h", [0.001, 0.05, 0.3, 1.0])
def test_simultaneous_gradient_descent_spirals_out_for_every_step_size(h):
    path = dirac.trajectory(0.5, 0.5, 200, h)
    distance = np.hypot(path[:, 0], path[:, 1])
    assert np.all(np.diff(distance) > 0)
    # near (0, 0) each step multiplies the distance by about sqrt(1 + h^2 f'(0)^2)
    first = dirac.trajectory(1e-4, 0.0, 1, h)
    assert np.hypot(*first[1]) / 1e-4 == pytest.approx(np.sqrt(1 + h ** 2 / 4), rel=1e-6)


def test_alternating_gradient_descent_circles():
    path = dirac.trajectory(0.5, 0.5, 5000, 0.1, "alternating")
    distance = np.hypot(path[:, 0], path[:, 1])
    assert distance.max() < 1.05 * distance[0] and distance.min() > 0.95 * distance[0]
    angle = np.unwrap(np.arctan2(path[:, 1], path[:, 0]))
    assert angle[-1] - angle[0] > 4 * 2 * np.pi       # it keeps going round (counter-clockwise)
    # the discriminator moves first: psi_1 = psi + h theta f'(psi theta), then theta uses psi_1
    psi_1 = 0.5 + 0.1 * 0.5 * dirac.f_prime(0.25)
    np.testing.assert_allclose(path[1], [0.5 - 0.1 * psi_1 * dirac.f_prime(0.5 * psi_1), psi_1])


def test_r1_makes_gradient_descent_converge():
    for gamma in (0.3, 1.0):
        path = dirac.trajectory(1.0, 1.0, 2000, 0.05, regularizer="r1", gamma=gamma)
        assert np.hypot(*path[-1]) < 1e-4
    # gamma = 0 is no regularizer at all
    np.testing.assert_array_equal(dirac.trajectory(0.5, 0.5, 50, 0.1, regularizer="r1", gamma=0.0),
                                  dirac.trajectory(0.5, 0.5, 50, 0.1))


def test_the_one_centred_penalty_does_not_bring_the_game_to_equilibrium():
    for method in dirac.METHODS:
        path = dirac.trajectory(0.5, 0.5, 4000, 0.05, method, regularizer="gp", gamma=1.0, g0=1.0)
        assert np.hypot(*path[-1]) > 0.5


@pytest.mark.parametrize("loss, regularizer, gamma", [
    ("standard", None, 1.0), ("nonsaturating", None, 1.0), ("wasserstein", None, 1.0),
    ("standard", "r1", 0.3), ("standard", "r1", 1.0), ("standard", "r1", 3.0), ("wasserstein", "r1", 0.5),
])
def test_numerical_jacobian_eigenvalues_match_the_closed_form(loss, regularizer, gamma):
    jac = dirac.numerical_jacobian(loss=loss, regularizer=regularizer, gamma=gamma)
    a = 1.0 if loss == "wasserstein" else 0.5
    reg = gamma if regularizer else 0.0
    np.testing.assert_allclose(jac, [[0.0, -a], [a, -reg]], atol=1e-9)
    numerical = sorted(np.linalg.eigvals(jac), key=lambda z: (z.real, z.imag))
    closed = sorted(dirac.equilibrium_eigenvalues(loss, regularizer, gamma), key=lambda z: (z.real, z.imag))
    np.testing.assert_allclose(numerical, closed, atol=1e-8)


def test_closed_form_eigenvalues_by_hand():
    np.testing.assert_allclose(dirac.equilibrium_eigenvalues(), [0.5j, -0.5j])
    np.testing.assert_allclose(dirac.equilibrium_eigenvalues(regularizer="r1", gamma=1.0), [-0.5, -0.5])  # critical
    np.testing.assert_allclose(dirac.equilibrium_eigenvalues(regularizer="r1", gamma=0.6), [-0.3 + 0.4j, -0.3 - 0.4j])
    with pytest.raises(ValueError, match="Jacobian"):
        dirac.equilibrium_eigenvalues(regularizer="gp")


@pytest.mark.parametrize("call, message", [
    (lambda: dirac.vector_field(0, 0, loss="hinge"), "loss"),
    (lambda: dirac.vector_field(0, 0, regularizer="r2"), "regularizer"),
    (lambda: dirac.vector_field(0, 0, gamma=-1), "gamma"),
    (lambda: dirac.vector_field(0, 0, regularizer="gp", g0=-1), "g0"),
    (lambda: dirac.trajectory(0, 0, 10, 0.0), "h"),
    (lambda: dirac.trajectory(0, 0, 2.5, 0.1), "steps"),
    (lambda: dirac.trajectory(0, 0, 10, 0.1, "leapfrog"), "method"),
])
def test_bad_arguments_name_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_plot_dirac_gan_draws_three_trajectories():
    fig = dirac.plot_dirac_gan(start=(0.5, 0.5), h=0.2, steps=100, gamma=0.3)
    axes = fig.get_axes()
    assert len(axes) == 3 and tuple(fig.get_size_inches()) == (11, 3.6)
    ends = []
    for ax, (method, reg) in zip(axes, [("simultaneous", {}), ("alternating", {}),
                                       ("simultaneous", {"regularizer": "r1", "gamma": 0.3})]):
        line = ax.get_lines()[0]
        expected = dirac.trajectory(0.5, 0.5, 100, 0.2, method, **reg)
        np.testing.assert_allclose(np.column_stack(line.get_data()), expected)
        assert ax.get_xlim() == (-2.0, 2.0)
        ends.append(np.hypot(*expected[-1]))
    assert ends[0] > np.hypot(0.5, 0.5) > ends[2]


def test_all_names_exist():
    assert all(hasattr(dirac, name) for name in dirac.__all__)
