"""Differentiable augmentation for GAN training on little data (DiffAugment) and the truncation trick.

**DiffAugment** (Zhao, Liu, Lin, Zhu & Han, "Differentiable augmentation for data-efficient GAN
training", NeurIPS 2020, https://arxiv.org/abs/2006.10738; official code
``mit-han-lab/data-efficient-gans``, ``DiffAugment_tf.py``): the discriminator only ever sees
*augmented* images, real **and** fake, with the same random transformations, in both the
discriminator's and the generator's step. Because every transformation is differentiable, the
generator's gradient flows back through the augmentation. Augmenting only the real images
would teach the generator to produce augmented digits; augmenting both keeps the target the
real distribution while the discriminator can no longer memorise a small training set.

The three policies of the paper, for grey digits in [-1, 1] (``images`` of shape
``(batch, height, width, channels)``), each drawn independently per image:

- ``"color"`` -- brightness ``x + (u - 0.5)`` and contrast ``(x - mean(x)) * (u + 0.5) + mean(x)``,
  ``u ~ U(0, 1)`` (the paper's saturation step changes nothing on one channel and is left out);
- ``"translation"`` -- a shift by up to ``round(ratio * size)`` pixels (paper: 1/8, i.e. 4 pixels on 28),
  filled with the background;
- ``"cutout"`` -- a square of side ``ratio * size`` (paper: 1/2, i.e. 14 pixels) at a random
  centre set to the background.

One deviation from the official code, for digits: the empty pixels of a shift and the cut-out
square take the background value ``-1`` (black), where the official code fills with ``0``
(mid-grey in [-1, 1]). Defined in notebook 08.

**Truncation** (:func:`truncate_noise`): scale the latent vector towards the mean of its
distribution, ``z' = psi * z`` with ``0 <= psi <= 1``. ``psi = 1`` is no truncation and ``psi = 0``
gives every sample the same ``z = 0``. This is the truncation trick of StyleGAN (Karras et al.
2019, applied to ``w``, ``w' = w_mean + psi (w - w_mean)``) written for a generator whose ``z`` has
mean 0; BigGAN (Brock et al. 2019) truncates differently, re-drawing every ``|z_i|`` above a
threshold. Both trade diversity for typicality: samples near the mean are more often good, but
more alike. Defined in notebook 08.
"""

from __future__ import annotations

import numbers

import numpy as np
from keras import ops

__all__ = ["POLICIES", "diff_augment", "rand_brightness", "rand_contrast", "rand_translation", "rand_cutout",
           "truncate_noise"]

POLICIES = ("color", "translation", "cutout")


def _uniform(shape, seed):
    import keras

    return keras.random.uniform(shape, seed=seed)


def rand_brightness(images, seed=None, u=None):
    """``x + (u - 0.5)`` with one ``u ~ U(0, 1)`` per image (DiffAugment's brightness).

    ``u`` (shape ``(batch,)``) may be given instead of drawn, for tests."""
    images = ops.convert_to_tensor(images)
    u = _uniform((ops.shape(images)[0],), seed) if u is None else ops.convert_to_tensor(u, images.dtype)
    return images + ops.reshape(u - 0.5, (-1, 1, 1, 1))


def rand_contrast(images, seed=None, u=None):
    """``(x - mean(x)) * (u + 0.5) + mean(x)``, the mean over each image's pixels (DiffAugment's contrast)."""
    images = ops.convert_to_tensor(images)
    u = _uniform((ops.shape(images)[0],), seed) if u is None else ops.convert_to_tensor(u, images.dtype)
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * ops.reshape(u + 0.5, (-1, 1, 1, 1)) + mean


def _shift_indices(size, shift, pad):
    """For each image, the row (or column) of the padded image that output position ``i`` reads: ``i + pad - shift``."""
    return ops.arange(size)[None, :] + pad - shift[:, None]


def rand_translation(images, ratio=0.125, seed=None, shifts=None, background=-1.0):
    """Shift each image by ``(dy, dx)`` whole pixels, each uniform in ``[-r, r]``, ``r = round(ratio * size)``.

    The pixels shifted in take ``background``. ``shifts`` (int array ``(batch, 2)``: rows, columns;
    positive moves the content down / right) may be given instead of drawn, for tests.
    The output is a gather of input pixels, so its gradient is 1 for every pixel kept."""
    import tensorflow as tf

    images = ops.convert_to_tensor(images)
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    pad = max(int(round(ratio * height)), int(round(ratio * width)))
    if shifts is None:
        r_h, r_w = int(round(ratio * height)), int(round(ratio * width))
        u = _uniform((batch, 2), seed)
        dy = ops.cast(ops.floor(u[:, 0] * (2 * r_h + 1)), "int32") - r_h
        dx = ops.cast(ops.floor(u[:, 1] * (2 * r_w + 1)), "int32") - r_w
    else:
        shifts = ops.convert_to_tensor(np.asarray(shifts), "int32")
        dy, dx = shifts[:, 0], shifts[:, 1]
    padded = tf.pad(images - background, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) + background
    rows = _shift_indices(height, dy, pad)   # (batch, height)
    cols = _shift_indices(width, dx, pad)    # (batch, width)
    out = tf.gather(padded, rows, axis=1, batch_dims=1)      # (batch, height, width + 2 pad, c)
    return tf.gather(out, cols, axis=2, batch_dims=1)        # (batch, height, width, c)


def rand_cutout(images, ratio=0.5, seed=None, centres=None, background=-1.0):
    """Set a square of side ``round(ratio * size)`` to ``background``, centred at a random pixel of each image.

    As in the official code the square may stick out of the image (then less is cut).
    ``centres`` (int array ``(batch, 2)``) may be given instead of drawn, for tests."""
    images = ops.convert_to_tensor(images)
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    side_h, side_w = int(round(ratio * height)), int(round(ratio * width))
    if centres is None:
        u = _uniform((batch, 2), seed)
        cy = ops.cast(ops.floor(u[:, 0] * (height + (1 - side_h % 2))), "int32")
        cx = ops.cast(ops.floor(u[:, 1] * (width + (1 - side_w % 2))), "int32")
    else:
        centres = ops.convert_to_tensor(np.asarray(centres), "int32")
        cy, cx = centres[:, 0], centres[:, 1]
    y = ops.arange(height)[None, :]
    x = ops.arange(width)[None, :]
    in_y = (y >= (cy - side_h // 2)[:, None]) & (y < (cy - side_h // 2 + side_h)[:, None])   # (batch, height)
    in_x = (x >= (cx - side_w // 2)[:, None]) & (x < (cx - side_w // 2 + side_w)[:, None])   # (batch, width)
    cut = ops.cast(in_y[:, :, None, None] & in_x[:, None, :, None], images.dtype)
    return images * (1.0 - cut) + background * cut


def diff_augment(images, policy=POLICIES, seed=None):
    """Apply the DiffAugment ``policy`` (a sequence of ``"color"``, ``"translation"``, ``"cutout"``) to ``images``.

    Call it on the real **and** the fake batch before every discriminator call, in both steps
    (``GAN(augment=...)`` does). ``seed`` is a ``keras.random.SeedGenerator`` (or ``None``)."""
    if isinstance(policy, str):
        policy = tuple(p for p in policy.split(",") if p)
    unknown = [p for p in policy if p not in POLICIES]
    if unknown:
        raise ValueError(f"policy must name some of {POLICIES}; got {unknown}")
    out = ops.convert_to_tensor(images)
    for name in policy:
        if name == "color":
            out = rand_contrast(rand_brightness(out, seed), seed)
        elif name == "translation":
            out = rand_translation(out, seed=seed)
        else:
            out = rand_cutout(out, seed=seed)
    return out


def truncate_noise(z, psi):
    """``psi * z``: the truncation trick for a latent ``z ~ N(0, I)`` (module docstring), ``0 <= psi <= 1``."""
    if isinstance(psi, bool) or not isinstance(psi, numbers.Real):
        raise TypeError(f"psi must be a number in [0, 1]; got {psi!r}")
    if not 0 <= psi <= 1:
        raise ValueError(f"psi must be in [0, 1]; got {psi!r}")
    return np.asarray(z, dtype="float32") * np.float32(psi)
