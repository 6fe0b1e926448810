"""GAN losses, written on the discriminator's logits.

The discriminator outputs a logit ``l``; ``D(x) = sigmoid(l)`` is its probability that ``x`` is
real. With ``softplus(t) = log(1 + e^t)`` two identities keep everything numerically stable:
``-log D = softplus(-l)`` and ``-log(1 - D) = softplus(l)``.

Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014 (https://arxiv.org/abs/1406.2661),
value function ``V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]``:

- :func:`minimax_discriminator_loss` -- the discriminator maximizes V, i.e. minimizes ``-V``.
- :func:`minimax_generator_loss` -- the generator minimizes V's second term (saturates).
- :func:`nonsaturating_generator_loss` -- the paper's practical fix: maximize ``log D(G(z))``.

Defined in: ``notebooks/01_gan_concepts.ipynb`` (section "Why the generator's loss saturates"),
which writes these three out by hand and checks that they agree with this module.

The fixes of ``notebooks/05_failure_modes.ipynb``, which writes the gradient penalty out by hand
and checks it against :func:`gradient_penalty`:

- one-sided label smoothing: ``minimax_discriminator_loss(..., label_smoothing=0.1)``
  (Salimans et al., "Improved techniques for training GANs", NeurIPS 2016, sec. 3.4);
- :func:`wasserstein_critic_loss` / :func:`wasserstein_generator_loss` with
  :func:`gradient_penalty` -- WGAN-GP (Gulrajani et al., "Improved training of Wasserstein
  GANs", NeurIPS 2017, https://arxiv.org/abs/1704.00028);
- :func:`hinge_discriminator_loss` / :func:`hinge_generator_loss` -- the hinge loss of
  SAGAN/BigGAN (Lim & Ye, "Geometric GAN", 2017; Miyato et al., 2018).
"""

from __future__ import annotations

import numbers

from keras import ops

__all__ = [
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "nonsaturating_generator_loss",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
]


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """``-E_x[log D(x)] - E_z[log(1 - D(G(z)))]``: binary cross-entropy, real -> 1, fake -> 0.

    Equals ``-V(D, G)`` (Goodfellow et al., 2014, eq. 1); its minimum over D is
    ``log 4 - 2 JSD(p_data || p_g)``.

    ``label_smoothing = a > 0`` is *one-sided* label smoothing (Salimans et al., 2016): the real
    target becomes ``1 - a``, i.e. the real term is ``-(1 - a) log D(x) - a log(1 - D(x))``; the
    fake target stays 0. D can then no longer push its real logits to infinity, which keeps
    its gradients for the generator moderate.
    """
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real) \
            or not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be a number in [0, 1); got {label_smoothing!r}")
    real_term = ops.softplus(-real_logits)
    if label_smoothing:
        real_term = (1.0 - label_smoothing) * real_term + label_smoothing * ops.softplus(real_logits)
    return ops.mean(real_term) + ops.mean(ops.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """``E_z[log(1 - D(G(z)))]``, the generator's side of the minimax game (minimized by G).

    Its gradient with respect to the logit is ``-D(G(z))``: almost zero when D confidently
    rejects the fakes, which is exactly the situation early in training (it *saturates*).
    """
    return -ops.mean(ops.softplus(fake_logits))


def nonsaturating_generator_loss(fake_logits):
    """``-E_z[log D(G(z))]``, the non-saturating generator loss (Goodfellow et al., 2014, sec. 3).

    Same fixed point as the minimax loss, but its gradient with respect to the logit is
    ``-(1 - D(G(z)))``: strongest exactly when D rejects the fakes.
    """
    return ops.mean(ops.softplus(-fake_logits))


def wasserstein_critic_loss(real_scores, fake_scores):
    """``E_z[f(G(z))] - E_x[f(x)]``: the WGAN critic's loss (Arjovsky et al., 2017, eq. 3).

    The critic ``f`` outputs an unbounded score, not a probability. Minimizing this maximizes
    ``E_x[f(x)] - E_z[f(G(z))]``, which for a 1-Lipschitz ``f`` estimates the Wasserstein-1
    distance between the data and the generator. Use it with :func:`gradient_penalty`.
    """
    return ops.mean(fake_scores) - ops.mean(real_scores)


def wasserstein_generator_loss(fake_scores):
    """``-E_z[f(G(z))]``: the generator raises the critic's score of its samples."""
    return -ops.mean(fake_scores)


def gradient_penalty(critic, real_samples, fake_samples, epsilon=None, seed=None):
    """``E[(||grad_x f(x_hat)||_2 - 1)^2]`` with ``x_hat = eps * x_real + (1 - eps) * x_fake``.

    WGAN-GP's soft Lipschitz constraint (Gulrajani et al., 2017, eq. 3; weight lambda = 10 in
    the paper, applied by the caller): the critic's gradient norm is pushed to 1 on random
    points between real and fake samples. ``epsilon`` (shape ``(batch, 1, ...)`` or
    broadcastable) fixes the interpolation weights, for tests; otherwise they are drawn
    uniformly in [0, 1], one per sample, with ``seed`` (an int or ``keras.random.SeedGenerator``).
    The norm is taken over all axes but the first.
    """
    import tensorflow as tf

    real_samples = ops.convert_to_tensor(real_samples)
    fake_samples = ops.cast(ops.convert_to_tensor(fake_samples), real_samples.dtype)
    if tuple(real_samples.shape) != tuple(fake_samples.shape):
        raise ValueError("real_samples and fake_samples must have the same shape; got "
                         f"{tuple(real_samples.shape)} and {tuple(fake_samples.shape)}")
    if epsilon is None:
        import keras

        shape = (ops.shape(real_samples)[0],) + (1,) * (len(real_samples.shape) - 1)
        epsilon = keras.random.uniform(shape, seed=seed, dtype=real_samples.dtype)
    epsilon = ops.cast(epsilon, real_samples.dtype)
    interpolated = epsilon * real_samples + (1.0 - epsilon) * fake_samples
    with tf.GradientTape() as tape:
        tape.watch(interpolated)
        scores = critic(interpolated, training=True)
    grads = tape.gradient(scores, interpolated)
    norms = ops.sqrt(ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


def hinge_discriminator_loss(real_logits, fake_logits):
    """``E_x[max(0, 1 - D(x))] + E_z[max(0, 1 + D(G(z)))]`` (Lim & Ye, 2017; Miyato et al., 2018)."""
    return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """``-E_z[D(G(z))]``, the generator's side of the hinge loss."""
    return -ops.mean(fake_logits)
