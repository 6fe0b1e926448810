"""gan_helpers.models: shapes, output ranges, hand-counted parameters, argument checks."""

import numpy as np
import pytest

from gan_helpers.models import dcgan_discriminator, dcgan_generator, mlp_discriminator, mlp_generator


def test_mlp_generator_shapes_range_and_parameter_count():
    g = mlp_generator(latent_dim=100)
    images = np.asarray(g(np.random.default_rng(0).normal(size=(3, 100)).astype("float32")))
    assert images.shape == (3, 28, 28, 1) and images.min() >= -1 and images.max() <= 1
    # Dense: in*out + out; BatchNorm: 4 per unit (gamma, beta, moving mean, moving variance)
    dense = (100 * 256 + 256) + (256 * 512 + 512) + (512 * 1024 + 1024) + (1024 * 784 + 784)
    assert g.count_params() == dense + 4 * (256 + 512 + 1024) == 1_493_520


def test_mlp_discriminator_gives_one_logit_and_parameter_count():
    d = mlp_discriminator()
    logits = np.asarray(d(np.zeros((2, 28, 28, 1), "float32")))
    assert logits.shape == (2, 1)
    assert d.count_params() == (784 * 512 + 512) + (512 * 256 + 256) + (256 + 1) == 533_505


def test_dcgan_shapes_and_parameter_count():
    g = dcgan_generator(latent_dim=8, width=4, kernel_size=4, dense_units=16)
    d = dcgan_discriminator(width=4, kernel_size=4, dense_units=16)
    images = np.asarray(g(np.ones((2, 8), "float32")))
    assert images.shape == (2, 28, 28, 1) and np.abs(images).max() <= 1
    assert np.asarray(d(images)).shape == (2, 1)
    # generator: Dense 8->16 and 16->7*7*8 without bias, each + BN (4 per unit);
    # ConvT 4x4 8->4 without bias + BN(4); ConvT 4x4 4->1 with bias
    assert g.count_params() == 8 * 16 + 4 * 16 + 16 * 392 + 4 * 392 + 16 * 8 * 4 + 4 * 4 + 16 * 4 + 1 == 8625
    # discriminator: Conv 4x4 1->4, Conv 4x4 4->8, Dense 7*7*8 -> 16, Dense 16 -> 1
    assert d.count_params() == (16 * 4 + 4) + (16 * 4 * 8 + 8) + (392 * 16 + 16) + (16 + 1) == 6893


def test_dcgan_without_the_dense_layer():
    g = dcgan_generator(latent_dim=8, width=4, dense_units=0)
    d = dcgan_discriminator(width=4, dense_units=0)
    assert g.count_params() == 8 * 392 + 4 * 392 + 16 * 8 * 4 + 4 * 4 + 16 * 4 + 1
    assert d.count_params() == (16 * 4 + 4) + (16 * 4 * 8 + 8) + (392 + 1)


def test_dcgan_discriminator_dropout_layers():
    names = [layer.__class__.__name__ for layer in dcgan_discriminator(width=4, dropout=0.3).layers]
    assert names.count("Dropout") == 2
    assert "Dropout" not in [layer.__class__.__name__ for layer in dcgan_discriminator(width=4).layers]


@pytest.mark.parametrize("build, kwargs, message", [
    (mlp_generator, {"latent_dim": 0}, "latent_dim"),
    (mlp_generator, {"hidden_units": (256, 2.5)}, "hidden_units"),
    (mlp_discriminator, {"hidden_units": (-1,)}, "hidden_units"),
    (dcgan_generator, {"width": "32"}, "width"),
    (dcgan_generator, {"kernel_size": 0}, "kernel_size"),
    (dcgan_discriminator, {"dropout": 1.0}, "dropout"),
    (dcgan_discriminator, {"dropout": True}, "dropout"),
    (dcgan_discriminator, {"dense_units": -1}, "dense_units"),
    (dcgan_generator, {"dense_units": 1.5}, "dense_units"),
])
def test_bad_arguments_name_the_parameter(build, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build(**kwargs)


# ----------------------------------------------------------------------------- notebook 05's toy models
import tensorflow as tf  # noqa: E402

from gan_helpers.models import MinibatchStdDev, pack_samples, toy_discriminator, toy_generator  # noqa: E402


def test_toy_models_shapes_and_parameter_counts():
    g = toy_generator(latent_dim=8, hidden_units=128)
    assert g.input_shape == (None, 8) and g.output_shape == (None, 2)
    assert g.count_params() == (8 * 128 + 128) + (128 * 128 + 128) + (128 * 2 + 2)
    d = toy_discriminator(hidden_units=128, pack=2)
    assert d.input_shape == (None, 4) and d.output_shape == (None, 1)
    assert d.count_params() == (4 * 128 + 128) + (128 * 128 + 128) + (128 + 1)
    # minibatch std adds one input to the second layer: 128 more weights
    assert toy_discriminator(minibatch_std=True).count_params() == toy_discriminator().count_params() + 128


def test_toy_scales_multiply_the_output_and_divide_the_input():
    g1, g3 = toy_generator(4), toy_generator(4, output_scale=3.0)
    g3.set_weights(g1.get_weights())
    z = np.ones((2, 4), "float32")
    np.testing.assert_allclose(g3(z).numpy(), 3.0 * g1(z).numpy(), rtol=1e-6)
    d1, d2 = toy_discriminator(), toy_discriminator(input_scale=2.0)
    d2.set_weights(d1.get_weights())
    x = np.array([[1.0, -2.0]], "float32")
    np.testing.assert_allclose(d2(2 * x).numpy(), d1(x).numpy(), rtol=1e-6)


def test_pack_samples_groups_consecutive_samples():
    x = np.arange(12, dtype="float32").reshape(6, 2)   # samples (0,1), (2,3), ...
    packed = pack_samples(tf.constant(x), 2).numpy()
    assert packed.shape == (3, 4)
    # each row holds exactly the two consecutive samples' numbers
    for row, pair in zip(packed, x.reshape(3, 4)):
        assert sorted(row) == sorted(pair)
    assert pack_samples(x, 1) is x
    images = tf.zeros((4, 28, 28, 1))
    assert tuple(pack_samples(images, 2).shape) == (2, 28, 28, 2)
    with pytest.raises(ValueError, match="multiple of pack"):
        pack_samples(tf.zeros((5, 2)), 2)
    with pytest.raises(ValueError, match="pack"):
        pack_samples(x, 0)


def test_minibatch_std_feature_is_the_mean_spread_of_the_batch():
    x = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]], "float32")
    out = MinibatchStdDev()(tf.constant(x)).numpy()
    spread = np.mean(np.std(x, axis=0))   # std of column 0 is sqrt(8/3), of column 1 is 0
    np.testing.assert_allclose(out[:, :2], x)
    np.testing.assert_allclose(out[:, 2], [spread] * 3, rtol=1e-6)
    collapsed = MinibatchStdDev()(tf.constant(np.ones((5, 2), "float32"))).numpy()
    assert np.all(collapsed[:, 2] == 0.0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(pack=0), "pack"), (dict(hidden_units=0), "hidden_units"), (dict(minibatch_std=1), "minibatch_std"),
])
def test_toy_discriminator_bad_arguments_name_the_parameter(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        toy_discriminator(**kwargs)


# ----------------------------------------------------------------------------- spectral normalization
import keras  # noqa: E402

from gan_helpers.models import spectral_norm_layer  # noqa: E402


def _wrapped(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.SpectralNormalization)]


def _top_singular_value(layer):
    kernel = layer.layer.kernel.numpy()
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


def test_spectral_norm_wraps_every_dense_and_adds_only_non_trainable_vectors():
    plain, sn = toy_discriminator(), toy_discriminator(spectral_norm=True)
    assert len(_wrapped(sn)) == 3 and not _wrapped(plain)          # 2 hidden Dense + the logit layer
    trainable = [tuple(v.shape) for v in sn.trainable_variables]
    assert trainable == [tuple(v.shape) for v in plain.trainable_variables]
    assert sum(np.prod(s) for s in trainable) == (2 * 128 + 128) + (128 * 128 + 128) + (128 + 1)
    # the power iteration's vector u, one per wrapped layer, of the layer's output size
    assert [tuple(v.shape) for v in sn.non_trainable_variables] == [(1, 128), (1, 128), (1, 1)]
    assert sn.count_params() == plain.count_params() + 128 + 128 + 1


def test_spectral_norm_makes_each_largest_singular_value_one_in_training_mode():
    keras.utils.set_random_seed(0)
    d = toy_discriminator(spectral_norm=True)
    x = tf.random.normal((32, 2), seed=5)
    before = [_top_singular_value(layer) for layer in _wrapped(d)]
    d(x)                                           # inference mode normalizes nothing
    assert [_top_singular_value(layer) for layer in _wrapped(d)] == before
    assert max(abs(s - 1) for s in before) > 0.05
    for _ in range(40):                            # one power iteration per training call
        d(x, training=True)
    np.testing.assert_allclose([_top_singular_value(layer) for layer in _wrapped(d)], 1.0, atol=2e-3)


def test_spectral_norm_in_a_tf_function_train_step():
    keras.utils.set_random_seed(1)
    d = toy_discriminator(spectral_norm=True)
    optimizer = keras.optimizers.Adam(1e-2)
    x = tf.random.normal((32, 2), seed=6)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(d(x, training=True) - 3.0))
        grads = tape.gradient(loss, d.trainable_variables)
        optimizer.apply_gradients(zip(grads, d.trainable_variables))
        return loss

    for _ in range(30):
        step()
    d(x, training=True)       # the last optimizer step moved the kernels; a training call re-normalizes them
    np.testing.assert_allclose([_top_singular_value(layer) for layer in _wrapped(d)], 1.0, atol=1e-2)


def test_dcgan_discriminator_spectral_norm_wraps_convolutions_and_dense_layers():
    plain = dcgan_discriminator(width=4, dense_units=16)
    d = dcgan_discriminator(width=4, dense_units=16, spectral_norm=True)
    assert [type(layer.layer).__name__ for layer in _wrapped(d)] == ["Conv2D", "Conv2D", "Dense", "Dense"]
    assert [tuple(v.shape) for v in d.trainable_variables] == [tuple(v.shape) for v in plain.trainable_variables]
    assert d.count_params() == plain.count_params() + 4 + 8 + 16 + 1
    images = tf.random.uniform((4, 28, 28, 1), -1, 1, seed=7)
    assert max(abs(_top_singular_value(layer) - 1) for layer in _wrapped(d)) > 0.05
    for _ in range(40):
        d(images, training=True)
    # a convolution's kernel (k, k, c_in, c_out) is normalized as the matrix (k*k*c_in, c_out). The power
    # iteration's error shrinks like (s2 / s1)^2 per call: slower for the 392 x 16 Dense kernel, whose two
    # largest singular values are close, hence the wider tolerance
    np.testing.assert_allclose([_top_singular_value(layer) for layer in _wrapped(d)], 1.0, atol=1e-2)


def test_spectral_norm_layer_switch_and_bad_values():
    dense = keras.layers.Dense(3)
    assert spectral_norm_layer(dense, False) is dense
    wrapped = spectral_norm_layer(keras.layers.Dense(3), True, power_iterations=2)
    assert isinstance(wrapped, keras.layers.SpectralNormalization) and wrapped.power_iterations == 2
    for build in (toy_discriminator, dcgan_discriminator):
        with pytest.raises(TypeError, match="spectral_norm"):
            build(spectral_norm=1)
    with pytest.raises(ValueError, match="power_iterations"):
        spectral_norm_layer(keras.layers.Dense(3), True, power_iterations=0)
