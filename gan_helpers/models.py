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
- :func:`toy_generator` / :func:`toy_discriminator` -- small MLPs for 2-D toy data, with the
  discriminator-side fixes of ``notebooks/05_failure_modes.ipynb``: packing (:func:`pack_samples`,
  PacGAN) and the minibatch standard deviation feature (:class:`MinibatchStdDev`).

Both discriminator builders (:func:`toy_discriminator`, :func:`dcgan_discriminator`) take
``spectral_norm=True``: every Dense and Conv2D, the logit layer included, is wrapped in
``keras.layers.SpectralNormalization`` (Miyato et al., "Spectral normalization for generative
adversarial networks", ICLR 2018, https://arxiv.org/abs/1802.05957), see :func:`spectral_norm_layer`.
Defined in notebook 05 (the toy discriminator; notebook 08 reuses the DCGAN one).
"""

from __future__ import annotations

import keras
from keras import layers, ops

from gan_helpers.params import is_integer, positive_integer

__all__ = ["mlp_generator", "mlp_discriminator", "dcgan_generator", "dcgan_discriminator", "IMAGE_SHAPE",
           "toy_generator", "toy_discriminator", "MinibatchStdDev", "pack_samples", "spectral_norm_layer"]

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


def _boolean(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return value


def spectral_norm_layer(layer, spectral_norm: bool = True, power_iterations: int = 1):
    """``layer`` wrapped in ``keras.layers.SpectralNormalization`` (if ``spectral_norm``), else ``layer`` itself.

    Spectral normalization (Miyato et al., ICLR 2018) divides a weight matrix ``W`` (a
    convolution kernel reshaped to ``(k*k*c_in, c_out)``) by its largest singular value
    ``sigma(W)``, so that each Dense layer is 1-Lipschitz and so is the discriminator (LeakyReLU
    is 1-Lipschitz too; for a convolution the reshaped kernel's norm is the paper's approximation
    of the layer's Lipschitz constant, not its exact value). ``sigma`` is estimated by power iteration: a vector ``u`` (a
    **non-trainable** weight of shape ``(1, c_out)``, the only thing the wrapper adds) is
    refined by ``power_iterations`` steps ``v = normalize(u W^T)``, ``u = normalize(v W)`` per call,
    and ``sigma ~ v W u^T``. As in the paper, one iteration per call is enough in practice
    because ``u`` is kept from call to call while ``W`` changes slowly.

    How Keras 3 does it (read from its source, keras 3.15): **only calls with**
    ``training=True`` **normalize**. Such a call updates ``u`` and *overwrites the layer's
    trainable kernel with* ``W / sigma`` before using it; a call with ``training=False`` uses the
    kernel as it is (normalized by the last training call, then moved by the optimizer since).
    The gradient is therefore the plain layer's gradient at the normalized kernel: Keras does
    not back-propagate through ``sigma(W)`` as the paper does (whose gradient has an extra term
    from ``sigma``'s dependence on ``W``); it re-projects the weights onto ``sigma = 1`` at every
    training call instead. The constraint on the weights the discriminator uses is the same.
    Defined in notebook 05.
    """
    if not _boolean("spectral_norm", spectral_norm):
        return layer
    return layers.SpectralNormalization(layer, power_iterations=positive_integer("power_iterations", power_iterations))


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


def dcgan_discriminator(width: int = 32, kernel_size: int = 4, dropout: float = 0.0, dense_units: int = 1024,
                        spectral_norm: bool = False) -> keras.Model:
    """``x -> Conv(w, stride 2) -> Conv(2w, stride 2) -> Flatten -> Dense(dense_units) -> Dense(1)``.

    LeakyReLU(0.2) after every hidden layer. Strided convolutions instead of pooling (the
    DCGAN recipe); no BatchNorm in the discriminator, so real and fake batches never share
    batch statistics. ``dropout`` > 0 adds Dropout after each convolution (TensorFlow's DCGAN
    tutorial uses 0.3). ``dense_units=0`` drops the hidden Dense layer. ``spectral_norm=True``
    wraps every Conv2D and Dense in spectral normalization (:func:`spectral_norm_layer`; call
    the model with ``training=True`` in the training step, or nothing is normalized).
    """
    width = positive_integer("width", width)
    kernel_size = positive_integer("kernel_size", kernel_size)
    dense_units = _dense_units(dense_units)
    if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1); got {dropout!r}")
    sn = _boolean("spectral_norm", spectral_norm)
    model = keras.Sequential(name="dcgan_discriminator")
    model.add(keras.Input(shape=IMAGE_SHAPE, name="images"))
    for filters in (width, 2 * width):
        model.add(spectral_norm_layer(layers.Conv2D(filters, kernel_size, strides=2, padding="same"), sn))
        model.add(layers.LeakyReLU(0.2))
        if dropout:
            model.add(layers.Dropout(dropout))
    model.add(layers.Flatten())
    if dense_units:
        model.add(spectral_norm_layer(layers.Dense(dense_units), sn))
        model.add(layers.LeakyReLU(0.2))
    model.add(spectral_norm_layer(layers.Dense(1), sn))
    return model


# ----------------------------------------------------------------------------- 2-D toys
def toy_generator(latent_dim: int = 8, hidden_units: int = 128, layers_count: int = 2, data_dim: int = 2,
                  output_scale: float = 1.0) -> keras.Model:
    """``z -> [Dense(hidden_units, relu)] * layers_count -> Dense(data_dim) * output_scale``.

    ``output_scale`` (e.g. the data's standard deviation) lets the network work at unit scale
    while its samples have the data's scale."""
    latent_dim = positive_integer("latent_dim", latent_dim)
    hidden_units = positive_integer("hidden_units", hidden_units)
    layers_count = positive_integer("layers_count", layers_count)
    data_dim = positive_integer("data_dim", data_dim)
    model = keras.Sequential(name="toy_generator")
    model.add(keras.Input(shape=(latent_dim,), name="z"))
    for _ in range(layers_count):
        model.add(layers.Dense(hidden_units, activation="relu"))
    model.add(layers.Dense(data_dim))
    if output_scale != 1.0:
        model.add(layers.Rescaling(float(output_scale)))
    return model


class MinibatchStdDev(layers.Layer):
    """Append one feature: the standard deviation of each feature over the batch, averaged.

    Karras et al., "Progressive growing of GANs", ICLR 2018, sec. 3 (a simplified form of
    Salimans et al.'s minibatch discrimination, 2016): a collapsed generator's batch has a
    small spread, and with this feature the discriminator can see it. Works on inputs of shape
    ``(batch, features)``.
    """

    def call(self, inputs):
        spread = ops.mean(ops.std(inputs, axis=0))
        return ops.concatenate([inputs, ops.ones_like(inputs[:, :1]) * spread], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], None if input_shape[-1] is None else input_shape[-1] + 1)


def toy_discriminator(hidden_units: int = 128, layers_count: int = 2, data_dim: int = 2, pack: int = 1,
                      minibatch_std: bool = False, input_scale: float = 1.0, spectral_norm: bool = False) -> keras.Model:
    """``x -> [Dense(hidden_units, LeakyReLU 0.2)] * layers_count -> Dense(1)``, one logit.

    ``pack = m > 1`` makes it a PacGAN discriminator: it reads ``m`` samples at once, concatenated
    (input size ``m * data_dim``; see :func:`pack_samples`). ``minibatch_std=True`` inserts
    :class:`MinibatchStdDev` after the first hidden layer. ``input_scale`` divides the input
    (e.g. by the data's standard deviation) so the network sees unit-scale numbers.
    ``spectral_norm=True`` wraps every Dense layer, the logit layer included, in spectral
    normalization (:func:`spectral_norm_layer`): same trainable weights, plus one non-trainable
    vector per layer (``hidden_units`` numbers per hidden layer, 1 for the logit layer). Call the
    model with ``training=True`` in the training step: only such calls normalize.
    """
    hidden_units = positive_integer("hidden_units", hidden_units)
    layers_count = positive_integer("layers_count", layers_count)
    data_dim = positive_integer("data_dim", data_dim)
    pack = positive_integer("pack", pack)
    _boolean("minibatch_std", minibatch_std)
    sn = _boolean("spectral_norm", spectral_norm)
    model = keras.Sequential(name="toy_discriminator")
    model.add(keras.Input(shape=(pack * data_dim,), name="samples"))
    if input_scale != 1.0:
        model.add(layers.Rescaling(1.0 / float(input_scale)))
    for i in range(layers_count):
        model.add(spectral_norm_layer(layers.Dense(hidden_units), sn))
        model.add(layers.LeakyReLU(0.2))
        if i == 0 and minibatch_std:
            model.add(MinibatchStdDev())
    model.add(spectral_norm_layer(layers.Dense(1), sn))
    return model


def pack_samples(samples, pack: int):
    """PacGAN packing (Lin et al., "PacGAN: the power of two samples in GANs", NeurIPS 2018).

    ``(n, *shape)`` -> ``(n // pack, *shape[:-1], shape[-1] * pack)``: each group of ``pack``
    consecutive samples becomes one input of the discriminator, concatenated on the last axis
    (features for vectors, channels for images). A discriminator that sees several samples at
    once can tell that they are all alike, which is how it notices mode collapse.
    ``n`` must be a multiple of ``pack``.
    """
    pack = positive_integer("pack", pack)
    if pack == 1:
        return samples
    shape = tuple(samples.shape[1:])
    n = samples.shape[0]
    if n is not None and n % pack:
        raise ValueError(f"the number of samples ({n}) must be a multiple of pack={pack}")
    grouped = ops.reshape(samples, (-1, pack) + shape)
    grouped = ops.moveaxis(grouped, 1, -1)  # (n/pack, *shape, pack)
    return ops.reshape(grouped, (-1,) + shape[:-1] + (shape[-1] * pack,))
