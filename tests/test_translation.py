"""gan_helpers.translation (notebook 07): the tasks and styles on hand-made images, the measures on
hand-counted pixels, the receptive field against the closed form and the pix2pix paper's 70x70,
the networks' shapes and sizes, and one training step of each model that changes its weights."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from gan_helpers.translation import (TASKS, build_patch_discriminator, build_unet_generator, hide_lower_half,
                                     edge_sharpness, ink_share, make_task_input, receptive_field,
                                     shrink_and_enlarge, thicken)


def blank(n=1):
    return -np.ones((n, 28, 28, 1), "float32")


def test_shrink_and_enlarge_averages_each_4x4_block_and_repeats_it():
    images = blank()
    images[0, 0:4, 0:4] = 1.0            # a full block of ink stays ink
    images[0, 4:6, 8:12] = 1.0           # half a block: mean of 8 ink and 8 background pixels = 0
    result = shrink_and_enlarge(images)
    assert result.shape == (1, 28, 28, 1)
    assert np.all(result[0, 0:4, 0:4] == 1.0)
    assert np.allclose(result[0, 4:8, 8:12], 0.0)
    assert np.all(result[0, 8:, :] == -1.0) and np.all(result[0, 4:8, 0:8] == -1.0)
    # a coarse image is its own coarse version
    assert np.array_equal(shrink_and_enlarge(result), result)
    with pytest.raises(ValueError):
        shrink_and_enlarge(images, factor=5)


def test_hide_lower_half_and_the_task_inputs():
    images = np.ones((2, 28, 28, 1), "float32")
    hidden = hide_lower_half(images)
    assert np.all(hidden[:, :14] == 1.0) and np.all(hidden[:, 14:] == -1.0)
    assert np.all(images == 1.0), "the input must not be changed in place"
    assert TASKS == ("upscale", "inpaint")
    assert np.array_equal(make_task_input(images, "inpaint"), hidden)
    assert np.array_equal(make_task_input(images, "upscale"), shrink_and_enlarge(images))
    with pytest.raises(ValueError, match="task"):
        make_task_input(images, "edges")
    with pytest.raises(ValueError, match="shape"):
        make_task_input(np.zeros((2, 28, 28)), "upscale")


def test_thicken_is_a_3x3_maximum():
    images = blank()
    images[0, 10, 10] = 1.0
    images[0, 0, 27] = 0.5               # at the corner: the padding is background
    result = thicken(images)
    assert np.all(result[0, 9:12, 9:12] == 1.0)
    assert np.sum(result[0, ..., 0] == 1.0) == 9
    assert np.all(result[0, 0:2, 26:28] == 0.5) and np.sum(result[0, ..., 0] == 0.5) == 4
    assert np.sum(thicken(images, size=5)[0, ..., 0] == 1.0) == 25
    assert np.array_equal(thicken(images, size=1), images)
    with pytest.raises(ValueError):
        thicken(images, size=2)


def test_ink_share_on_counted_pixels():
    images = blank(2)
    images[0, 0, :10] = 1.0              # 10 ink pixels
    images[0, 1, :5] = 0.0               # 5 mid-grey pixels (not ink: 0 is not above 0)
    images[0, 2, :3] = -0.7              # 3 faint pixels
    assert np.allclose(ink_share(images), [10 / 784, 0.0])
    assert np.allclose(ink_share(images, threshold=-0.8), [18 / 784, 0.0])


def test_edge_sharpness_on_hand_computed_images():
    images = blank(3)
    images[0, 10, 5:15] = 1.0            # a 1-pixel line of 10 ink pixels: 20 steps of 2 down, 2 of 2 across
    images[1, 10, 5:15] = 0.0            # the same line at half contrast: half the value
    expected = (20 * 2.0) / (27 * 28) + (2 * 2.0) / (28 * 27)
    assert np.allclose(edge_sharpness(images), [expected, expected / 2, 0.0])
    assert edge_sharpness(images[:1]) > edge_sharpness(images[1:2]) > edge_sharpness(images[2:])


def test_receptive_field():
    assert receptive_field([4, 4, 4], [2, 2, 1]) == 22          # this notebook's PatchGAN
    assert receptive_field([4, 4, 4, 4, 4], [2, 2, 2, 1, 1]) == 70   # the pix2pix paper's 70x70
    assert receptive_field([3], [1]) == 3
    # stride-1 layers: r = 1 + sum(k - 1)
    assert receptive_field([3, 5, 7], [1, 1, 1]) == 1 + 2 + 4 + 6
    with pytest.raises(ValueError):
        receptive_field([4, 4], [2])


def test_the_patch_discriminator_sees_exactly_its_receptive_field():
    """Change one input pixel: only the logits whose patch covers it may change, and the farthest
    changed logit lies within the receptive field."""
    keras.utils.set_random_seed(0)
    discriminator = build_patch_discriminator(4, conditional=False)
    images = np.random.default_rng(0).uniform(-1, 1, (1, 28, 28, 1)).astype("float32")
    changed = images.copy()
    changed[0, 0, 0] += 1.0
    before = ops.convert_to_numpy(discriminator(images, training=False))[0, ..., 0]
    after = ops.convert_to_numpy(discriminator(changed, training=False))[0, ..., 0]
    rows, cols = np.nonzero(~np.isclose(before, after, atol=1e-7))
    assert len(rows) > 0
    # "same" padding puts 1 pixel before each 4x4 window: logit i (layer 3, stride 1) sees rows i-1..i+2 of
    # layer 2's output, which see rows 2i-3..2i+6 of layer 1's, which see input rows 4i-7..4i+14: 22 pixels.
    # Input row 0 is inside for i = 0 and 1 only.
    assert set(rows) == {0, 1} and set(cols) == {0, 1}
    assert before.shape == (7, 7)


def test_networks_shapes_and_sizes():
    generator = build_unet_generator(8)
    x = np.zeros((3, 28, 28, 1), "float32")
    y = ops.convert_to_numpy(generator(x, training=False))
    assert y.shape == (3, 28, 28, 1) and np.all(np.abs(y) <= 1)
    assert {layer.name for layer in generator.layers} >= {"skip_14x14", "skip_28x28", "output_image"}
    # conv 1->8 (4x4, bias), conv 8->16 (no bias) + BN, conv 16->16 3x3 + BN, convT 16->8 + BN,
    # convT 16->8 + BN, conv 9->1 3x3 (bias)
    expected = (16 * 8 + 8) + (16 * 8 * 16 + 4 * 16) + (9 * 16 * 16 + 4 * 16) + (16 * 16 * 8 + 4 * 8) + \
        (16 * 16 * 8 + 4 * 8) + (9 * 9 + 1)
    assert generator.count_params() == expected
    conditional = build_patch_discriminator(8)
    assert ops.convert_to_numpy(conditional([x, x])).shape == (3, 7, 7, 1)
    plain = build_patch_discriminator(8, conditional=False)
    assert ops.convert_to_numpy(plain(x)).shape == (3, 7, 7, 1)
    # the conditional one's first convolution reads two channels
    assert conditional.count_params() - plain.count_params() == 16 * 8


def test_one_pix2pix_step_changes_both_networks():
    keras.utils.set_random_seed(0)
    generator, discriminator = build_unet_generator(4), build_patch_discriminator(4)
    g_opt, d_opt = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
    rng = np.random.default_rng(0)
    targets = np.clip(rng.normal(-0.5, 0.8, (8, 28, 28, 1)), -1, 1).astype("float32")
    inputs = make_task_input(targets, "upscale")
    inputs, targets = ops.convert_to_tensor(inputs), ops.convert_to_tensor(targets)   # a list mixing NumPy and tensors fails
    g_before = [w.copy() for w in generator.get_weights()]
    d_before = [w.copy() for w in discriminator.get_weights()]
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fake = generator(inputs, training=True)
        real_logits = discriminator([inputs, targets], training=True)
        fake_logits = discriminator([inputs, fake], training=True)
        d_loss = ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))
        g_loss = ops.mean(ops.softplus(-fake_logits)) + 100 * ops.mean(ops.abs(targets - fake))
    g_opt.apply_gradients(zip(g_tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables))
    d_opt.apply_gradients(zip(d_tape.gradient(d_loss, discriminator.trainable_variables),
                              discriminator.trainable_variables))
    assert np.isfinite(float(g_loss)) and np.isfinite(float(d_loss))
    assert any(not np.allclose(a, b) for a, b in zip(g_before, generator.get_weights()))
    assert any(not np.allclose(a, b) for a, b in zip(d_before, discriminator.get_weights()))
