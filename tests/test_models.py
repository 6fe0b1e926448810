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
