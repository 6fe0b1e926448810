"""gan_helpers.losses: the three GAN losses written on discriminator logits.

Checked against hand-computed values (an undecided discriminator, logit 0, costs log 2 per
term), against Keras' ``BinaryCrossentropy(from_logits=True)`` (real -> label 1, fake -> label
0) on random logits, for numerical stability at logits of +-100, and for the gradient claim of
notebook 01: with respect to a fake logit ``l`` the minimax generator loss has gradient
``-sigmoid(l)/n`` (vanishes when D rejects the fakes) and the non-saturating one
``-(1 - sigmoid(l))/n`` (largest exactly then).
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
