"""gan_helpers.augment (DiffAugment, truncation) and the GAN switches notebook 08 uses (augment, R1, truncation,
raw vs averaged generator): hand-computed cases."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_helpers.augment import (diff_augment, rand_brightness, rand_contrast, rand_cutout, rand_translation,
                                 truncate_noise)
from gan_helpers.losses import minimax_discriminator_loss, r1_penalty
from gan_helpers.training import GAN


def _images(batch=2, size=6, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=(batch, size, size, 1)).astype("float32")


def test_brightness_adds_u_minus_half_per_image():
    x = _images()
    out = np.asarray(rand_brightness(x, u=np.array([0.0, 0.75], "float32")))
    np.testing.assert_allclose(out[0], x[0] - 0.5, atol=1e-6)
    np.testing.assert_allclose(out[1], x[1] + 0.25, atol=1e-6)


def test_contrast_scales_around_each_images_mean():
    x = np.zeros((1, 2, 2, 1), "float32")
    x[0, :, :, 0] = [[0.0, 1.0], [0.5, -0.5]]   # mean 0.25
    out = np.asarray(rand_contrast(x, u=np.array([1.5], "float32")))[0, :, :, 0]   # factor u + 0.5 = 2
    np.testing.assert_allclose(out, [[-0.25, 1.75], [0.75, -1.25]], atol=1e-6)


def test_translation_moves_content_and_fills_with_the_background():
    x = _images(batch=2, size=8)
    out = np.asarray(rand_translation(x, ratio=0.25, shifts=[[1, -2], [0, 0]]))
    assert out.shape == x.shape
    np.testing.assert_allclose(out[1], x[1], atol=1e-6)           # no shift: unchanged
    np.testing.assert_allclose(out[0, 1:, :6], x[0, :7, 2:], atol=1e-6)   # down 1, left 2
    assert np.all(out[0, 0] == -1.0) and np.all(out[0, :, 6:] == -1.0)


def test_translation_stays_within_the_ratio_and_passes_gradients():
    x = tf.constant(np.full((64, 8, 8, 1), 1.0, "float32"))
    seed = keras.random.SeedGenerator(3)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = rand_translation(x, ratio=0.25, seed=seed)   # up to 2 pixels
        total = tf.reduce_sum(out)
    kept = np.asarray(out).reshape(64, -1).mean(axis=1)
    assert kept.min() >= (6 * 6 - 28) / 64 and kept.max() == 1.0 and len(set(kept.round(4))) > 1
    grad = np.asarray(tape.gradient(total, x))
    assert set(np.unique(grad)) <= {0.0, 1.0} and grad.sum() == np.sum(np.asarray(out) == 1.0)


def test_cutout_sets_one_square_to_the_background():
    x = np.ones((2, 8, 8, 1), "float32")
    out = np.asarray(rand_cutout(x, ratio=0.5, centres=[[4, 4], [0, 0]]))
    np.testing.assert_array_equal(out[0, 2:6, 2:6], -1.0)   # a 4x4 square inside
    assert (out[0] == -1).sum() == 16
    assert (out[1] == -1).sum() == 4                         # at the corner only a 2x2 corner is left


def test_diff_augment_is_repeatable_per_seed_checks_the_policy_and_reaches_the_input():
    x = _images(batch=4, size=28)
    a = np.asarray(diff_augment(x, seed=keras.random.SeedGenerator(1)))
    b = np.asarray(diff_augment(x, seed=keras.random.SeedGenerator(1)))
    c = np.asarray(diff_augment(x, seed=keras.random.SeedGenerator(2)))
    assert a.shape == x.shape and np.array_equal(a, b) and not np.array_equal(a, c)
    np.testing.assert_array_equal(np.asarray(diff_augment(x, policy=())), x)
    with pytest.raises(ValueError, match="policy"):
        diff_augment(x, policy=("rotation",))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        total = tf.reduce_sum(diff_augment(xt, policy="color,translation,cutout", seed=keras.random.SeedGenerator(0)))
    assert np.abs(np.asarray(tape.gradient(total, xt))).sum() > 0


def test_truncate_noise():
    z = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    np.testing.assert_array_equal(truncate_noise(z, 1.0), z)
    np.testing.assert_array_equal(truncate_noise(z, 0.0), np.zeros_like(z))
    np.testing.assert_allclose(truncate_noise(z, 0.5), z / 2)
    with pytest.raises(ValueError, match="psi"):
        truncate_noise(z, 1.5)
    with pytest.raises(TypeError, match="psi"):
        truncate_noise(z, "half")


def _tiny_gan(**kwargs):
    keras.utils.set_random_seed(0)
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="tanh"),
                                  keras.layers.Reshape((4, 4, 1))])
    discriminator = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    gan = GAN(generator, discriminator, seed=0, **kwargs)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-2), d_optimizer=keras.optimizers.Adam(1e-2))
    return gan


def test_r1_term_is_added_to_the_discriminator_loss():
    real = _images(batch=8, size=4)
    plain, with_r1 = _tiny_gan(), _tiny_gan(r1_gamma=10.0)
    d_plain = float(plain.train_step(tf.constant(real))["d_loss"])
    expected_r1 = float(r1_penalty(with_r1.discriminator, real))   # same initial weights, same fakes (same seed)
    d_r1 = float(with_r1.train_step(tf.constant(real))["d_loss"])
    assert expected_r1 > 0
    assert d_r1 == pytest.approx(d_plain + 5.0 * expected_r1, rel=1e-4)
    fake = plain.generator(np.zeros((1, 4), "float32"))
    assert np.isfinite(float(minimax_discriminator_loss(plain.discriminator(real), plain.discriminator(fake))))


def test_augment_is_applied_before_every_discriminator_call_and_the_generator_learns_through_it():
    calls = []

    def record(images, seed_generator):
        calls.append(seed_generator)
        return images

    gan = _tiny_gan(augment=record)
    gan.train_step(tf.constant(_images(batch=8, size=4)))
    assert len(calls) == 3 and all(s is gan.augment_seed for s in calls)   # real, fake (D step), fake (G step)

    blind = _tiny_gan(augment=lambda images, seed_generator: images * 0.0 + 0.5)   # D sees nothing of the images
    g_before = [w.copy() for w in blind.generator.get_weights()]
    d_before = [w.copy() for w in blind.discriminator.get_weights()]
    blind.train_step(tf.constant(_images(batch=8, size=4)))
    assert all(np.array_equal(a, b) for a, b in zip(g_before, blind.generator.get_weights()))   # no gradient reached G
    assert not all(np.array_equal(a, b) for a, b in zip(d_before, blind.discriminator.get_weights()))


def test_gan_switch_arguments_are_checked():
    with pytest.raises(ValueError, match="r1_gamma"):
        _tiny_gan(r1_gamma=-1.0)
    with pytest.raises(TypeError, match="augment"):
        _tiny_gan(augment="diffaugment")
    assert _tiny_gan().augment_seed is None   # a GAN without augmentation draws no augmentation noise


def test_generate_truncation_and_raw_generator():
    gan = _tiny_gan(ema_decay=0.5)
    gan.train_step(tf.constant(_images(batch=8, size=4)))
    same = gan.generate(5, seed=1, truncation=0.0)
    assert np.allclose(same, same[:1])   # psi = 0: every sample is the generator's image of z = 0
    np.testing.assert_allclose(gan.generate(5, seed=1, truncation=1.0), gan.generate(5, seed=1))
    z = np.random.default_rng(1).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(gan.generate(z=z, averaged=False), np.asarray(gan.generator(z)), atol=1e-6)
    assert not np.allclose(gan.generate(z=z, averaged=False), gan.generate(z=z))
    with pytest.raises(TypeError, match="averaged"):
        gan.generate(5, averaged="no")
