"""gan_helpers.losses: the three GAN losses written on discriminator logits.

Checked against hand-computed values (an undecided discriminator, logit 0, costs log 2 per
term), against Keras' ``BinaryCrossentropy(from_logits=True)`` (real -> label 1, fake -> label
0) on random logits, for numerical stability at logits of +-100, and for the gradient claim of
notebook 01: with respect to a fake logit ``l`` the minimax generator loss has gradient
``-sigmoid(l)/n`` (vanishes when D rejects the fakes) and the non-saturating one
``-(1 - sigmoid(l))/n`` (largest exactly then).

Notebook 05's additions: the hinge loss's margin (zero gradient beyond +-1, by hand); the R1 penalty
(a linear D gives |w|^2 exactly, a quadratic D by hand, images summed over every axis,
differentiable in D's weights, inside tf.function); the unrolled generator loss (0 steps = the plain
loss, the real D untouched, the gradient through one SGD step of a linear game by hand and through two
steps of a small MLP by central finite differences, in float64).
"""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_helpers.losses import minimax_discriminator_loss, minimax_generator_loss, nonsaturating_generator_loss

BCE = keras.losses.BinaryCrossentropy(from_logits=True)


def softplus(t):
    """Reference log(1 + e^t) in float64."""
    return math.log1p(math.exp(t))


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


# ------------------------------------------------------------------------ hand-computed values


def test_undecided_discriminator_costs_log_2_per_term():
    zeros = tf.zeros((5, 1))
    assert float(minimax_discriminator_loss(zeros, zeros)) == pytest.approx(math.log(4), abs=1e-6)
    assert float(nonsaturating_generator_loss(zeros)) == pytest.approx(math.log(2), abs=1e-6)
    assert float(minimax_generator_loss(zeros)) == pytest.approx(-math.log(2), abs=1e-6)


def test_hand_computed_single_logits():
    # real logit 2: -log sigmoid(2) = log(1 + e^-2); fake logit -1: -log(1 - sigmoid(-1)) = log(1 + e^-1)
    real, fake = tf.constant([[2.0]]), tf.constant([[-1.0]])
    assert float(minimax_discriminator_loss(real, fake)) == pytest.approx(softplus(-2) + softplus(-1), rel=1e-6)
    # generator, non-saturating: -log sigmoid(-1) = log(1 + e)
    assert float(nonsaturating_generator_loss(fake)) == pytest.approx(softplus(1), rel=1e-6)
    # generator, minimax: log(1 - sigmoid(-1)) = -log(1 + e^-1)
    assert float(minimax_generator_loss(fake)) == pytest.approx(-softplus(-1), rel=1e-6)


def test_each_term_is_averaged_over_its_own_batch():
    real = tf.constant([[0.0], [0.0]])            # two real samples, log 2 each
    fake = tf.constant([[1.0], [-1.0], [3.0]])    # three fakes
    expected = math.log(2) + (softplus(1) + softplus(-1) + softplus(3)) / 3
    assert float(minimax_discriminator_loss(real, fake)) == pytest.approx(expected, rel=1e-6)


def test_losses_return_scalars():
    logits = tf.constant(np.linspace(-3, 3, 8).reshape(8, 1), tf.float32)
    for loss in (minimax_discriminator_loss(logits, logits), minimax_generator_loss(logits),
                 nonsaturating_generator_loss(logits)):
        assert tuple(loss.shape) == ()


# ------------------------------------------------------------- agreement with Keras' BCE


@pytest.fixture
def random_logits():
    rng = np.random.default_rng(0)
    real = tf.constant(rng.normal(size=(64, 1)) * 3, tf.float32)
    fake = tf.constant(rng.normal(size=(48, 1)) * 3, tf.float32)
    return real, fake


def test_discriminator_loss_is_bce_real_1_plus_bce_fake_0(random_logits):
    real, fake = random_logits
    expected = float(BCE(tf.ones_like(real), real)) + float(BCE(tf.zeros_like(fake), fake))
    assert float(minimax_discriminator_loss(real, fake)) == pytest.approx(expected, rel=1e-5)


def test_nonsaturating_generator_loss_is_bce_fake_labelled_1(random_logits):
    _, fake = random_logits
    assert float(nonsaturating_generator_loss(fake)) == pytest.approx(float(BCE(tf.ones_like(fake), fake)), rel=1e-5)


def test_minimax_generator_loss_is_minus_bce_fake_labelled_0(random_logits):
    _, fake = random_logits
    assert float(minimax_generator_loss(fake)) == pytest.approx(-float(BCE(tf.zeros_like(fake), fake)), rel=1e-5)


def test_minimax_generator_loss_is_minus_the_fake_half_of_the_discriminator_loss(random_logits):
    # the game is zero-sum in the fake term: D's loss = BCE(real, 1) - G's minimax loss
    real, fake = random_logits
    expected = float(BCE(tf.ones_like(real), real)) - float(minimax_generator_loss(fake))
    assert float(minimax_discriminator_loss(real, fake)) == pytest.approx(expected, rel=1e-5)


# ------------------------------------------------------------------------ numerical stability


def test_nonsaturating_is_stable_at_extreme_logits():
    assert float(nonsaturating_generator_loss(tf.constant([[100.0]]))) == pytest.approx(0.0, abs=1e-6)
    assert float(nonsaturating_generator_loss(tf.constant([[-100.0]]))) == pytest.approx(100.0, rel=1e-6)


def test_minimax_generator_is_stable_at_extreme_logits():
    assert float(minimax_generator_loss(tf.constant([[100.0]]))) == pytest.approx(-100.0, rel=1e-6)
    assert float(minimax_generator_loss(tf.constant([[-100.0]]))) == pytest.approx(0.0, abs=1e-6)


def test_discriminator_loss_is_stable_at_extreme_logits():
    big = tf.constant([[100.0]])
    assert float(minimax_discriminator_loss(big, -big)) == pytest.approx(0.0, abs=1e-6)      # D always right
    assert float(minimax_discriminator_loss(-big, big)) == pytest.approx(200.0, rel=1e-6)    # D always wrong
    mixed = tf.constant([[-100.0], [100.0]])
    values = [minimax_discriminator_loss(mixed, mixed), minimax_generator_loss(mixed), nonsaturating_generator_loss(mixed)]
    assert all(np.isfinite(float(v)) for v in values)
    assert float(values[0]) == pytest.approx(100.0, rel=1e-6)  # (100 + 0)/2 + (0 + 100)/2


def test_gradients_are_finite_at_extreme_logits():
    logits = tf.constant([[-100.0], [100.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(logits)
        losses = [minimax_generator_loss(logits), nonsaturating_generator_loss(logits)]
    for loss in losses:
        assert np.all(np.isfinite(tape.gradient(loss, logits).numpy()))


# -------------------------------------------------------------------------------- gradients


@pytest.fixture
def fake_logits():
    return tf.constant([[-6.0], [-2.0], [0.0], [3.0]])  # D(G(z)) ~ 0.0025, 0.12, 0.5, 0.95


def _gradient(loss_fn, logits):
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = loss_fn(logits)
    return tape.gradient(loss, logits).numpy()


def test_minimax_generator_gradient_is_minus_d_over_n(fake_logits):
    n = fake_logits.shape[0]
    expected = -sigmoid(fake_logits.numpy()) / n
    np.testing.assert_allclose(_gradient(minimax_generator_loss, fake_logits), expected, rtol=1e-5)


def test_nonsaturating_generator_gradient_is_minus_one_minus_d_over_n(fake_logits):
    n = fake_logits.shape[0]
    expected = -(1 - sigmoid(fake_logits.numpy())) / n
    np.testing.assert_allclose(_gradient(nonsaturating_generator_loss, fake_logits), expected, rtol=1e-5)


def test_minimax_saturates_where_the_discriminator_rejects_the_fakes(fake_logits):
    mm = _gradient(minimax_generator_loss, fake_logits)[:, 0]
    ns = _gradient(nonsaturating_generator_loss, fake_logits)[:, 0]
    # logit -6 (D(G(z)) ~ 0.0025): the non-saturating gradient is (1 - D)/D = e^6 ~ 403 times larger
    assert abs(ns[0]) / abs(mm[0]) == pytest.approx(math.exp(6), rel=1e-4)
    # both push the logit up (negative gradient of a loss to minimize)
    assert np.all(mm < 0) and np.all(ns < 0)
    # the minimax gradient grows as D is fooled; the non-saturating one shrinks
    assert np.all(np.diff(np.abs(mm)) > 0) and np.all(np.diff(np.abs(ns)) < 0)


# ------------------------------------------------------------------------ notebook 05's fixes
from gan_helpers.losses import (gradient_penalty, hinge_discriminator_loss, hinge_generator_loss,  # noqa: E402
                                wasserstein_critic_loss, wasserstein_generator_loss)


def test_one_sided_label_smoothing_matches_the_hand_formula():
    real, fake = np.array([[2.0], [-0.5]]), np.array([[0.3], [-1.0]])
    a = 0.1
    expected = (np.mean([(1 - a) * softplus(-r) + a * softplus(r) for r in real[:, 0]])
                + np.mean([softplus(f) for f in fake[:, 0]]))
    got = float(minimax_discriminator_loss(tf.constant(real), tf.constant(fake), label_smoothing=a))
    assert got == pytest.approx(expected, rel=1e-6)
    # real target 0.9: Keras' BCE with label 0.9 on the real half, label 0 on the fake half
    reference = float(BCE(np.full((2, 1), 0.9), real)) + float(BCE(np.zeros((2, 1)), fake))
    assert got == pytest.approx(reference, rel=1e-5)


def test_label_smoothing_zero_is_the_plain_loss_and_bad_values_are_refused():
    real, fake = tf.constant([[1.0]]), tf.constant([[-1.0]])
    unsmoothed = float(minimax_discriminator_loss(real, fake))
    assert float(minimax_discriminator_loss(real, fake, label_smoothing=0.0)) == unsmoothed
    for bad in (-0.1, 1.0, True, "0.1"):
        with pytest.raises(ValueError, match="label_smoothing"):
            minimax_discriminator_loss(real, fake, label_smoothing=bad)


def test_wasserstein_and_hinge_losses_on_hand_computed_scores():
    real, fake = tf.constant([[3.0], [1.0]]), tf.constant([[-1.0], [0.5]])
    assert float(wasserstein_critic_loss(real, fake)) == pytest.approx(-0.25 - 2.0)
    assert float(wasserstein_generator_loss(fake)) == pytest.approx(0.25)
    # hinge: real max(0, 1 - 3), max(0, 1 - 1) -> 0, 0; fake max(0, 1 - 1), max(0, 1.5) -> 0, 1.5
    assert float(hinge_discriminator_loss(real, fake)) == pytest.approx(0.75)
    assert float(hinge_generator_loss(fake)) == pytest.approx(0.25)


def _linear_critic(weights):
    critic = keras.Sequential([keras.Input((len(weights),)), keras.layers.Dense(1, use_bias=False)])
    critic.set_weights([np.array(weights, dtype="float32")[:, None]])
    return critic


def test_gradient_penalty_of_a_linear_critic_is_norm_minus_one_squared():
    real = tf.random.normal((16, 2), seed=1)
    fake = tf.random.normal((16, 2), seed=2)
    assert float(gradient_penalty(_linear_critic([3.0, 4.0]), real, fake)) == pytest.approx(16.0, rel=1e-5)
    assert float(gradient_penalty(_linear_critic([0.6, 0.8]), real, fake)) == pytest.approx(0.0, abs=1e-6)


def test_gradient_penalty_of_a_quadratic_critic_at_fixed_interpolation_points():
    class Quadratic(keras.Model):  # f(x) = |x|^2 / 2, gradient x: the penalty is mean((|x_hat| - 1)^2)
        def call(self, x, training=False):
            return 0.5 * tf.reduce_sum(x * x, axis=1, keepdims=True)

    real = tf.constant([[2.0, 0.0], [0.0, 3.0]])
    fake = tf.constant([[0.0, 0.0], [0.0, -1.0]])
    eps = tf.constant([[0.5], [0.25]])
    # x_hat = (1, 0) -> |x_hat| = 1; (0, 0.75 - 0.75) = (0, 0) -> |x_hat| = 0
    expected = ((1.0 - 1.0) ** 2 + (0.0 - 1.0) ** 2) / 2
    assert float(gradient_penalty(Quadratic(), real, fake, epsilon=eps)) == pytest.approx(expected, abs=1e-5)


def test_gradient_penalty_is_differentiable_and_checks_shapes():
    critic = _linear_critic([1.0, 1.0])
    real, fake = tf.ones((4, 2)), tf.zeros((4, 2))
    with tf.GradientTape() as tape:
        penalty = gradient_penalty(critic, real, fake, seed=0)
    grads = tape.gradient(penalty, critic.trainable_variables)
    # d/dw (|w| - 1)^2 = 2 (|w| - 1) w / |w|, with w = (1, 1)
    expected = 2 * (math.sqrt(2) - 1) / math.sqrt(2)
    np.testing.assert_allclose(grads[0].numpy()[:, 0], [expected, expected], rtol=1e-4)
    with pytest.raises(ValueError, match="same shape"):
        gradient_penalty(critic, tf.ones((4, 2)), tf.ones((3, 2)))


def test_hinge_losses_have_no_gradient_beyond_the_margin():
    real, fake = tf.constant([[2.0], [0.5]]), tf.constant([[-3.0], [0.2]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([real, fake])
        d_loss = hinge_discriminator_loss(real, fake)
        g_loss = hinge_generator_loss(fake)
    # by hand: (max(0, -1) + max(0, 0.5)) / 2 + (max(0, -2) + max(0, 1.2)) / 2 = 0.25 + 0.6
    assert float(d_loss) == pytest.approx(0.85)
    # real 2 > 1 and fake -3 < -1 lie beyond the margin: zero gradient; the others get -+1/n
    np.testing.assert_allclose(tape.gradient(d_loss, real).numpy()[:, 0], [0.0, -0.5])
    np.testing.assert_allclose(tape.gradient(d_loss, fake).numpy()[:, 0], [0.0, 0.5])
    # the generator's side has no margin: -1/n for every fake, however far it already is
    np.testing.assert_allclose(tape.gradient(g_loss, fake).numpy()[:, 0], [-0.5, -0.5])


# ------------------------------------------------------------------------------ R1 penalty
from gan_helpers.losses import r1_penalty  # noqa: E402


def test_r1_of_a_linear_discriminator_is_the_squared_weight_norm():
    real = tf.random.normal((16, 2), seed=3)
    assert float(r1_penalty(_linear_critic([3.0, 4.0]), real)) == pytest.approx(25.0, rel=1e-5)
    assert float(r1_penalty(_linear_critic([0.0, 0.0]), real)) == pytest.approx(0.0, abs=1e-12)


def test_r1_of_a_quadratic_discriminator_by_hand():
    class Quadratic(keras.Model):  # D(x) = x1^2 + 2 x2: gradient (2 x1, 2), squared norm 4 x1^2 + 4
        def call(self, x, training=False):
            return x[:, :1] ** 2 + 2.0 * x[:, 1:2]

    real = tf.constant([[1.0, 0.0], [0.0, 3.0], [-2.0, 5.0]])
    expected = ((4 + 4) + (0 + 4) + (16 + 4)) / 3
    assert float(r1_penalty(Quadratic(), real)) == pytest.approx(expected, rel=1e-6)


def test_r1_sums_over_every_image_axis():
    weights = np.linspace(-1.0, 1.0, 28 * 28).astype("float32")
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1, use_bias=False)])
    model.set_weights([weights[:, None]])
    images = tf.random.uniform((3, 28, 28, 1), -1, 1, seed=4)
    assert float(r1_penalty(model, images)) == pytest.approx(float(np.sum(weights.astype("float64") ** 2)), rel=1e-5)


def test_r1_is_differentiable_in_the_discriminator_weights():
    critic = _linear_critic([1.0, -2.0])
    with tf.GradientTape() as tape:
        penalty = r1_penalty(critic, tf.ones((4, 2)))
    # d/dw |w|^2 = 2 w
    np.testing.assert_allclose(tape.gradient(penalty, critic.trainable_variables)[0].numpy()[:, 0], [2.0, -4.0],
                               rtol=1e-5)


def test_r1_inside_a_tf_function_discriminator_step():
    critic = _linear_critic([3.0, 4.0])
    optimizer = keras.optimizers.SGD(0.1)

    @tf.function
    def step(real):
        with tf.GradientTape() as tape:
            loss = 0.5 * r1_penalty(critic, real)   # gamma = 1
        optimizer.apply_gradients(zip(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables))
        return loss

    assert float(step(tf.ones((8, 2)))) == pytest.approx(12.5, rel=1e-5)
    # gradient of |w|^2 / 2 is w: one SGD step of 0.1 shrinks w by 10 %
    np.testing.assert_allclose(critic.get_weights()[0][:, 0], [2.7, 3.6], rtol=1e-5)


# ------------------------------------------------------------------------------ unrolled GAN
from gan_helpers.losses import unrolled_generator_loss  # noqa: E402


def _tiny_gan(dtype="float64", hidden=0, seed=0):
    """G(z) = a z (1-D, no bias); D a linear logit psi x (or a small tanh MLP), in float64."""
    keras.utils.set_random_seed(seed)
    generator = keras.Sequential([keras.Input((1,), dtype=dtype), keras.layers.Dense(1, use_bias=False, dtype=dtype)])
    d_layers = [keras.layers.Dense(hidden, activation="tanh", dtype=dtype)] if hidden else []
    discriminator = keras.Sequential([keras.Input((1,), dtype=dtype), *d_layers,
                                      keras.layers.Dense(1, use_bias=not hidden, dtype=dtype)])
    return generator, discriminator


def _loss_and_gradient(generator, discriminator, z, real, **kwargs):
    with tf.GradientTape() as tape:
        loss = unrolled_generator_loss(generator, discriminator, z, real, **kwargs)
    return float(loss), tape.gradient(loss, generator.trainable_variables)[0].numpy().ravel()


def test_zero_unroll_steps_is_the_plain_generator_loss():
    generator, discriminator = _tiny_gan(hidden=8)
    z, real = tf.constant([[0.5], [-1.0], [2.0]], "float64"), tf.constant([[1.0], [0.2], [0.3]], "float64")
    for g_loss_fn in (nonsaturating_generator_loss, minimax_generator_loss):
        plain = float(g_loss_fn(discriminator(generator(z))))
        got = float(unrolled_generator_loss(generator, discriminator, z, real, 0, 0.5, g_loss_fn=g_loss_fn))
        assert got == pytest.approx(plain, rel=1e-12)
    with pytest.raises(ValueError, match="unroll_steps"):
        unrolled_generator_loss(generator, discriminator, z, real, -1, 0.5)


def test_unrolling_leaves_the_real_discriminator_unchanged_and_changes_the_loss():
    generator, discriminator = _tiny_gan(hidden=8)
    z, real = tf.constant([[0.5], [-1.0], [2.0]], "float64"), tf.constant([[1.0], [0.2], [0.3]], "float64")
    before = [w.copy() for w in discriminator.get_weights()]
    plain, _ = _loss_and_gradient(generator, discriminator, z, real, unroll_steps=0, learning_rate=0.5)
    unrolled, _ = _loss_and_gradient(generator, discriminator, z, real, unroll_steps=3, learning_rate=0.5)
    for old, new in zip(before, discriminator.get_weights()):
        np.testing.assert_array_equal(old, new)
    # three SGD steps make the discriminator better at rejecting the fakes: a higher generator loss
    assert unrolled > plain + 1e-3


def test_one_unrolled_step_on_a_linear_game_matches_the_hand_gradient():
    # D(x) = psi x + b, Wasserstein losses: d_loss = psi (mean G - mean x), so one SGD step gives
    # psi_1 = psi - eta (a zbar - xbar), and g_loss = -psi_1 a zbar (the bias cancels in d_loss's gradient for psi)
    generator, discriminator = _tiny_gan()
    a, psi, eta = 0.7, -0.4, 0.3
    generator.set_weights([np.array([[a]])])
    discriminator.set_weights([np.array([[psi]]), np.array([0.25])])
    z, real = tf.constant([[1.0], [2.0], [-0.5]], "float64"), tf.constant([[0.5], [1.5], [1.0]], "float64")
    zbar, xbar = 2.5 / 3, 1.0
    psi_1 = psi - eta * (a * zbar - xbar)
    kwargs = dict(unroll_steps=1, learning_rate=eta, d_loss_fn=wasserstein_critic_loss,
                  g_loss_fn=wasserstein_generator_loss)
    loss, grad = _loss_and_gradient(generator, discriminator, z, real, **kwargs)
    assert loss == pytest.approx(-(psi_1 * a * zbar + 0.25), rel=1e-12)
    # through the unroll: dL/da = -psi_1 zbar + eta zbar (a zbar) = -psi zbar + eta zbar (2 a zbar - xbar)
    assert grad[0] == pytest.approx(-psi * zbar + eta * zbar * (2 * a * zbar - xbar), rel=1e-12)
    # the cheap variant holds psi_1 fixed: dL/da = -psi_1 zbar
    _, cheap = _loss_and_gradient(generator, discriminator, z, real, backprop_through_unroll=False, **kwargs)
    assert cheap[0] == pytest.approx(-psi_1 * zbar, rel=1e-12)


def test_unrolled_gradient_matches_finite_differences_on_a_small_mlp():
    generator, discriminator = _tiny_gan(hidden=4, seed=2)
    z = tf.constant([[0.3], [-1.2], [0.8], [1.5]], "float64")
    real = tf.constant([[1.0], [0.9], [1.2], [1.1]], "float64")
    kwargs = dict(unroll_steps=2, learning_rate=0.8)   # standard GAN losses: minimax D, non-saturating G
    _, grad = _loss_and_gradient(generator, discriminator, z, real, **kwargs)
    a, h = generator.get_weights()[0][0, 0], 1e-6
    values = []
    for shift in (h, -h):
        generator.set_weights([np.array([[a + shift]])])
        values.append(float(unrolled_generator_loss(generator, discriminator, z, real, **kwargs)))
    assert grad[0] == pytest.approx((values[0] - values[1]) / (2 * h), rel=1e-6)
    generator.set_weights([np.array([[a]])])
    _, cheap = _loss_and_gradient(generator, discriminator, z, real, backprop_through_unroll=False, **kwargs)
    assert abs(cheap[0] - grad[0]) > 1e-4    # the terms through the unroll matter here


def test_unrolled_loss_inside_a_tf_function_generator_step():
    generator, discriminator = _tiny_gan(dtype="float32", hidden=8)
    optimizer = keras.optimizers.SGD(0.1)
    z, real = tf.constant([[0.5], [-1.0]]), tf.constant([[1.0], [0.2]])
    before = [w.copy() for w in discriminator.get_weights()]

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            g_loss = unrolled_generator_loss(generator, discriminator, z, real, 5, 0.5)
        grads = tape.gradient(g_loss, generator.trainable_variables)
        optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return g_loss

    a = generator.get_weights()[0].copy()
    assert np.isfinite(float(step()))
    assert not np.array_equal(a, generator.get_weights()[0])
    for old, new in zip(before, discriminator.get_weights()):
        np.testing.assert_array_equal(old, new)
