"""Generator and discriminator builders for the MNIST notebooks.

Every builder returns a plain ``keras.Sequential`` model: generators map a latent vector
``z`` of size ``latent_dim`` to a 28x28x1 image in [-1, 1] (``tanh``); discriminators map an
image to **one logit** (no sigmoid: the losses in :mod:`gan_helpers.losses` take logits).

- :func:`mlp_generator` / :func:`mlp_discriminator` -- the fully connected GAN of Goodfellow
  et al. (2014) as popularised by the Keras/PyTorch GAN examples: Dense 256-512-1024 with
  LeakyReLU(0.2) and BatchNorm; discriminator Dense 512-256.
  Defined in: ``notebooks/02_mlp_gan.ipynb``.
- :func:`dcgan_generator` / :func:`dcgan_discriminator` -- a DCGAN (Radford et al.,
  "Unsupervised representation learning with deep convolutional GANs", ICLR 2016,
  https://arxiv.org/abs/1511.06434) in the MNIST layout of InfoGAN (Chen et al., 2016) sized
  for a laptop CPU: ``width`` sets the number of filters, ``dense_units`` the fully connected
  layer next to the latent code / the logit. Defined in: ``notebooks/03_dcgan_mnist.ipynb``.
"""

from __future__ import annotations

import keras
from keras import layers

from gan_helpers.params import is_integer, positive_integer

__all__ = ["mlp_generator", "mlp_discriminator", "dcgan_generator", "dcgan_discriminator", "IMAGE_SHAPE"]

IMAGE_SHAPE = (28, 28, 1)


def mlp_generator(latent_dim: int = 100, hidden_units=(256, 512, 1024)) -> keras.Model:
    """``z -> [Dense(h) -> LeakyReLU(0.2) -> BatchNorm] for h in hidden_units -> Dense(784, tanh)``."""
    latent_dim = positive_integer("latent_dim", latent_dim)
    hidden_units = [positive_integer("hidden_units", h) for h in hidden_units]
    model = keras.Sequential(name="mlp_generator")
    model.add(keras.Input(shape=(latent_dim,), name="z"))
    for units in hidden_units:
        model.add(layers.Dense(units))
        model.add(layers.LeakyReLU(0.2))
        model.add(layers.BatchNormalization(momentum=0.8))
    model.add(layers.Dense(28 * 28, activation="tanh"))
    model.add(layers.Reshape(IMAGE_SHAPE))
    return model


def mlp_discriminator(hidden_units=(512, 256)) -> keras.Model:
    """``x -> Flatten -> [Dense(h) -> LeakyReLU(0.2)] for h in hidden_units -> Dense(1)`` (a logit)."""
    hidden_units = [positive_integer("hidden_units", h) for h in hidden_units]
    model = keras.Sequential(name="mlp_discriminator")
    model.add(keras.Input(shape=IMAGE_SHAPE, name="images"))
    model.add(layers.Flatten())
    for units in hidden_units:
        model.add(layers.Dense(units))
        model.add(layers.LeakyReLU(0.2))
    model.add(layers.Dense(1))
    return model


def _dense_units(value):
    if not is_integer(value) or value < 0:
        raise ValueError(f"dense_units must be a non-negative integer (0: no hidden Dense layer); got {value!r}")
    return int(value)


def dcgan_generator(latent_dim: int = 64, width: int = 32, kernel_size: int = 4, dense_units: int = 1024) -> keras.Model:
    """``z -> Dense(dense_units) -> Dense(7*7*2w) -> ConvT(w, stride 2) -> ConvT(1, stride 2, tanh)``.

    Every layer but the last is followed by BatchNorm and ReLU (the DCGAN recipe for the
    generator). Two stride-2 transposed convolutions upsample 7x7 -> 14x14 -> 28x28; a kernel
    size that is a multiple of the stride (4 with stride 2) avoids the checkerboard artefacts
    of uneven overlap (Odena et al., "Deconvolution and checkerboard artifacts", Distill
    2016). With the defaults this is the MNIST generator of InfoGAN (Chen et al., 2016, table
    1) and of TF-GAN's MNIST example. ``dense_units=0`` drops the first Dense layer.
    """
    latent_dim = positive_integer("latent_dim", latent_dim)
    width = positive_integer("width", width)
    kernel_size = positive_integer("kernel_size", kernel_size)
    dense_units = _dense_units(dense_units)
    model = keras.Sequential(name="dcgan_generator")
    model.add(keras.Input(shape=(latent_dim,), name="z"))
    for units in ([dense_units] if dense_units else []) + [7 * 7 * 2 * width]:
        model.add(layers.Dense(units, use_bias=False))  # BatchNorm's shift makes a bias redundant
        model.add(layers.BatchNormalization())
        model.add(layers.ReLU())
    model.add(layers.Reshape((7, 7, 2 * width)))
    model.add(layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same", use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.ReLU())
    model.add(layers.Conv2DTranspose(1, kernel_size, strides=2, padding="same", activation="tanh"))
    return model


def dcgan_discriminator(width: int = 32, kernel_size: int = 4, dropout: float = 0.0, dense_units: int = 1024) -> keras.Model:
    """``x -> Conv(w, stride 2) -> Conv(2w, stride 2) -> Flatten -> Dense(dense_units) -> Dense(1)``.

    LeakyReLU(0.2) after every hidden layer. Strided convolutions instead of pooling (the
    DCGAN recipe); no BatchNorm in the discriminator, so real and fake batches never share
    batch statistics. ``dropout`` > 0 adds Dropout after each convolution (TensorFlow's DCGAN
    tutorial uses 0.3). ``dense_units=0`` drops the hidden Dense layer.
    """
    width = positive_integer("width", width)
    kernel_size = positive_integer("kernel_size", kernel_size)
    dense_units = _dense_units(dense_units)
    if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1); got {dropout!r}")
    model = keras.Sequential(name="dcgan_discriminator")
    model.add(keras.Input(shape=IMAGE_SHAPE, name="images"))
    for filters in (width, 2 * width):
        model.add(layers.Conv2D(filters, kernel_size, strides=2, padding="same"))
        model.add(layers.LeakyReLU(0.2))
        if dropout:
            model.add(layers.Dropout(dropout))
    model.add(layers.Flatten())
    if dense_units:
        model.add(layers.Dense(dense_units))
        model.add(layers.LeakyReLU(0.2))
    model.add(layers.Dense(1))
    return model
