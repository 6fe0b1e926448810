"""Image-to-image translation on digits: the tasks, the networks and the measures of notebook 07.

Defined in ``notebooks/07_image_translation.ipynb``, which writes the losses and the train steps
out inline (pix2pix and CycleGAN) and uses this module for the plumbing it shares with
``bench/translation_07.py``. Images are (N, 28, 28, 1) in [-1, 1] (-1 background, +1 ink).

Paired translation (pix2pix: Isola et al., "Image-to-Image Translation with Conditional Adversarial
Networks", CVPR 2017, https://arxiv.org/abs/1611.07004): ``G(x) ~ y`` for pairs ``(x, y)``, with
``L = L_cGAN(G, D) + lambda * E|y - G(x)|_1`` (the paper's lambda: 100).

- :func:`make_task_input` -- the input ``x`` of a paired task made from a digit ``y``:
  ``"upscale"`` (:func:`shrink_and_enlarge`: the digit averaged down to 7x7 and blown back up,
  nearest neighbour) or ``"inpaint"`` (:func:`hide_lower_half`: rows 14-27 set to background).
- :func:`build_unet_generator` -- a small U-Net (encoder-decoder with skip connections).
- :func:`build_patch_discriminator` -- a PatchGAN: a grid of logits, one per overlapping patch;
  :func:`receptive_field` gives the patch size, ``r_{l-1} = (r_l - 1) * s_l + k_l`` from the top.

Unpaired translation (CycleGAN: Zhu et al., "Unpaired Image-to-Image Translation using
Cycle-Consistent Adversarial Networks", ICCV 2017, https://arxiv.org/abs/1703.10593): two digit
styles, thin (as written) and thick (:func:`thicken`, a grey dilation).

Measures: :func:`edge_sharpness` (the mean absolute difference between neighbouring pixels) and
:func:`ink_share` (the style measure: the share of pixels above mid-grey).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

__all__ = ["TASKS", "shrink_and_enlarge", "hide_lower_half", "make_task_input", "thicken", "ink_share",
           "edge_sharpness", "receptive_field", "build_unet_generator", "build_patch_discriminator"]

TASKS = ("upscale", "inpaint")


def _images(images) -> np.ndarray:
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"images must have shape (N, 28, 28, 1); got {images.shape}")
    return images


def shrink_and_enlarge(images, factor: int = 4) -> np.ndarray:
    """Average ``factor`` x ``factor`` blocks (28x28 -> 7x7 for 4), then repeat each value over its
    block again: the digit at a quarter of its resolution, at the original size."""
    images = _images(images)
    if factor < 1 or 28 % factor:
        raise ValueError(f"factor must divide 28; got {factor}")
    n = len(images)
    small = images.reshape(n, 28 // factor, factor, 28 // factor, factor, 1).mean(axis=(2, 4))
    return np.repeat(np.repeat(small, factor, axis=1), factor, axis=2)


def hide_lower_half(images) -> np.ndarray:
    """The digit with rows 14-27 set to background (-1): the generator must draw the missing half."""
    images = _images(images).copy()
    images[:, 14:] = -1.0
    return images


def make_task_input(images, task: str) -> np.ndarray:
    """The input of the paired task ``task`` (one of :data:`TASKS`) for target digits ``images``."""
    if task == "upscale":
        return shrink_and_enlarge(images)
    if task == "inpaint":
        return hide_lower_half(images)
    raise ValueError(f"task must be one of {TASKS}; got {task!r}")


def thicken(images, size: int = 3) -> np.ndarray:
    """Grey dilation: each pixel becomes the maximum of its ``size`` x ``size`` neighbourhood (the
    border padded with background), so every stroke grows by ``size - 1`` pixels across."""
    images = _images(images)
    if size < 1 or size % 2 == 0:
        raise ValueError(f"size must be a positive odd number; got {size}")
    pad = size // 2
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), constant_values=-1.0)
    result = np.full_like(images, -1.0)
    for dr in range(size):
        for dc in range(size):
            result = np.maximum(result, padded[:, dr:dr + 28, dc:dc + 28])
    return result


def ink_share(images, threshold: float = 0.0) -> np.ndarray:
    """Per image: the share of pixels above ``threshold`` (0: mid-grey), i.e. ink area / 784."""
    return np.mean(_images(images)[..., 0] > threshold, axis=(1, 2))


def edge_sharpness(images) -> np.ndarray:
    """Per image: the mean absolute difference between neighbouring pixels, down and across,
    ``mean|x[i+1, j] - x[i, j]| + mean|x[i, j+1] - x[i, j]|`` (pixels in [-1, 1]). Crisp strokes
    change from background to ink within a pixel or two; blurred or faint strokes change slowly
    or little, and score lower. Compare with the real digits' value (about 0.27 on the course's
    held-out digits): higher than that is not sharper handwriting, but noise."""
    images = _images(images)[..., 0].astype("float64")
    down = np.abs(np.diff(images, axis=1)).mean(axis=(1, 2))
    across = np.abs(np.diff(images, axis=2)).mean(axis=(1, 2))
    return down + across


def receptive_field(kernel_sizes, strides) -> int:
    """Side (pixels) of the input patch that one output unit of a stack of convolutions sees:
    from the top unit (r = 1) down, ``r <- (r - 1) * stride + kernel`` for each layer."""
    kernel_sizes, strides = list(kernel_sizes), list(strides)
    if len(kernel_sizes) != len(strides):
        raise ValueError("kernel_sizes and strides must have one entry per layer")
    r = 1
    for k, s in zip(reversed(kernel_sizes), reversed(strides)):
        r = (r - 1) * s + k
    return r


def build_unet_generator(width: int = 32, name: str = "generator") -> keras.Model:
    """A U-Net for 28x28x1 -> 28x28x1 (tanh). Encoder: conv 4x4 stride 2 to 14x14 (``width``
    filters), conv 4x4 stride 2 to 7x7 (2 ``width``), conv 3x3 at 7x7 (bottleneck). Decoder:
    transposed conv stride 2 to 14x14, concatenated with the encoder's 14x14 features (skip),
    transposed conv stride 2 to 28x28, concatenated with the input (skip), conv 3x3 to one channel.
    Without the skips every detail would have to pass the 7x7 bottleneck."""
    inputs = keras.Input(shape=(28, 28, 1), name="input_image")
    e1 = layers.LeakyReLU(0.2)(layers.Conv2D(width, 4, strides=2, padding="same")(inputs))          # 14x14
    e2 = layers.Conv2D(2 * width, 4, strides=2, padding="same", use_bias=False)(e1)                    # 7x7
    e2 = layers.LeakyReLU(0.2)(layers.BatchNormalization()(e2))
    b = layers.Conv2D(2 * width, 3, padding="same", use_bias=False)(e2)
    b = layers.ReLU()(layers.BatchNormalization()(b))
    d1 = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False)(b)                # 14x14
    d1 = layers.ReLU()(layers.BatchNormalization()(d1))
    d1 = layers.Concatenate(name="skip_14x14")([d1, e1])
    d2 = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False)(d1)               # 28x28
    d2 = layers.ReLU()(layers.BatchNormalization()(d2))
    d2 = layers.Concatenate(name="skip_28x28")([d2, inputs])
    outputs = layers.Conv2D(1, 3, padding="same", activation="tanh", name="output_image")(d2)
    return keras.Model(inputs, outputs, name=name)


def build_patch_discriminator(width: int = 32, conditional: bool = True, name: str = "discriminator") -> keras.Model:
    """A PatchGAN for 28x28 images: conv 4x4 stride 2 (``width``), conv 4x4 stride 2 (2 ``width``),
    conv 4x4 stride 1 to one logit per position: a 7x7 grid of logits, each judging a
    ``receptive_field([4, 4, 4], [2, 2, 1])`` = 22-pixel patch. ``conditional=True`` (pix2pix):
    two inputs, the condition and the image, concatenated on the channel axis, so D judges pairs;
    ``False`` (CycleGAN): the image alone."""
    image = keras.Input(shape=(28, 28, 1), name="image")
    if conditional:
        condition = keras.Input(shape=(28, 28, 1), name="condition")
        x = layers.Concatenate()([condition, image])
        inputs = [condition, image]
    else:
        x, inputs = image, image
    x = layers.LeakyReLU(0.2)(layers.Conv2D(width, 4, strides=2, padding="same")(x))
    x = layers.Conv2D(2 * width, 4, strides=2, padding="same", use_bias=False)(x)
    x = layers.LeakyReLU(0.2)(layers.BatchNormalization()(x))
    logits = layers.Conv2D(1, 4, padding="same", name="patch_logits")(x)
    return keras.Model(inputs, logits, name=name)
