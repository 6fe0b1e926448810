"""gan_helpers.losses against hand-computed values, Keras' binary cross-entropy, and the
gradient claims notebook 01 makes (minimax saturates, non-saturating does not)."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_helpers.losses import minimax_discriminator_loss, minimax_generator_loss, nonsaturating_generator_loss

BCE = keras.losses.BinaryCrossentropy(from_logits=True)


def test_undecided_discriminator_gives_log_4_and_log_2():
    zeros = tf.zeros((5, 1))
    assert float(minimax_discriminator_loss(zeros, zeros)) == pytest.approx(math.log(4), abs=1e-6)
    assert float(nonsaturating_generator_loss(zeros)) == pytest.approx(math.log(2), abs=1e-6)
    assert float(minimax_generator_loss(zeros)) == pytest.approx(-math.log(2), abs=1e-6)


def test_hand_computed_values():
    # logit 2 for real: -log(sigmoid(2)) = log(1 + e^-2); logit -1 for fake: -log(1 - sigmoid(-1)) = log(1 + e^-1)
    real, fake = tf.constant([[2.0]]), tf.constant([[-1.0]])
    expected = math.log1p(math.exp(-2)) + math.log1p(math.exp(-1))
    assert float(minimax_discriminator_loss(real, fake)) == pytest.approx(expected, rel=1e-6)
    assert float(nonsaturating_generator_loss(fake)) == pytest.approx(math.log1p(math.e), rel=1e-6)


def test_agree_with_keras_binary_cross_entropy():
    rng = np.random.default_rng(0)
    real = tf.constant(rng.normal(size=(64, 1)) * 3, tf.float32)
    fake = tf.constant(rng.normal(size=(64, 1)) * 3, tf.float32)
    ones, zeros = tf.ones_like(real), tf.zeros_like(fake)
    assert float(minimax_discriminator_loss(real, fake)) == pytest.approx(
        float(BCE(ones, real) + BCE(zeros, fake)), rel=1e-5)
    assert float(nonsaturating_generator_loss(fake)) == pytest.approx(float(BCE(tf.ones_like(fake), fake)), rel=1e-5)
    assert float(minimax_generator_loss(fake)) == pytest.approx(-float(BCE(zeros, fake)), rel=1e-5)


def test_numerically_stable_for_extreme_logits():
    big = tf.constant([[100.0]])
    assert float(nonsaturating_generator_loss(big)) == pytest.approx(0.0, abs=1e-6)
    assert float(nonsaturating_generator_loss(-big)) == pytest.approx(100.0, rel=1e-6)
    assert float(minimax_generator_loss(big)) == pytest.approx(-100.0, rel=1e-6)
    assert np.isfinite(float(minimax_discriminator_loss(-big, big)))


def test_gradients_saturate_for_minimax_but_not_for_nonsaturating():
    logits = tf.constant([[-6.0], [0.0], [3.0]])  # D(G(z)) ~ 0.0025, 0.5, 0.95
    n = logits.shape[0]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(logits)
        mm, ns = minimax_generator_loss(logits), nonsaturating_generator_loss(logits)
    d = tf.sigmoid(logits).numpy()
    np.testing.assert_allclose(tape.gradient(mm, logits).numpy(), -d / n, rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(ns, logits).numpy(), -(1 - d) / n, rtol=1e-5)
    # where D rejects the fake, the minimax gradient is ~400 times smaller than the non-saturating one
    assert abs(tape.gradient(ns, logits)[0, 0]) > 300 * abs(tape.gradient(mm, logits)[0, 0])
