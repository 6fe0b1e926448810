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
  SAGAN/BigGAN (Lim & Ye, "Geometric GAN", 2017; Miyato et al., 2018);
- :func:`r1_penalty` -- the zero-centred gradient penalty on real data (Mescheder et al., 2018);
- :func:`unrolled_generator_loss` -- the unrolled GAN's generator loss (Metz et al., 2017).

Spectral normalization is a switch of the discriminator builders in :mod:`gan_helpers.models`;
the Dirac GAN, the two-number game behind the R1 penalty, is :mod:`gan_helpers.dirac`.
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
    "r1_penalty",
    "unrolled_generator_loss",
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
    """``E_x[max(0, 1 - D(x))] + E_z[max(0, 1 + D(G(z)))]``, the hinge loss of the discriminator.

    Lim & Ye, "Geometric GAN", 2017 (https://arxiv.org/abs/1705.02894); used with spectral
    normalization by Miyato et al., "Spectral normalization for generative adversarial
    networks", ICLR 2018 (https://arxiv.org/abs/1802.05957), and by SAGAN and BigGAN.
    ``D`` is the raw score (logit). A real score above +1 or a fake score below -1 costs nothing
    and gives no gradient: the discriminator stops pushing samples it already separates by the
    margin. Defined in notebook 05 (as a switch of its training loop).
    """
    return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """``-E_z[D(G(z))]``, the generator's side of the hinge loss (Lim & Ye, 2017; Miyato et al., 2018).

    Not a hinge: the generator raises the raw score of its samples without a margin, as in the
    papers (the same generator loss as WGAN's). Its gradient with respect to each logit is
    ``-1/n``. Defined in notebook 05.
    """
    return -ops.mean(fake_logits)


def r1_penalty(discriminator, real_images, training=True):
    """``R1 = E_x[ ||grad_x D(x)||^2 ]`` at **real** samples: the mean over the batch of the squared gradient norm.

    Mescheder, Geiger & Nowozin, "Which training methods for GANs do actually converge?", ICML
    2018 (https://arxiv.org/abs/1801.04406), the paper's R1 regularizer. The discriminator's loss adds
    ``gamma / 2 * R1``; **the caller multiplies by gamma / 2** (gamma is a hyperparameter; 10 is
    a common choice on images). Unlike WGAN-GP's penalty it is centred at 0
    and needs no fake samples: on the Dirac GAN (:mod:`gan_helpers.dirac`) it turns the
    circling of gradient descent into convergence. ``D`` is the discriminator's logit; the
    squared gradient is summed over all axes but the first, so the function serves 2-D points
    ``(batch, 2)`` and images ``(batch, 28, 28, 1)`` alike. The gradient of the summed logits is
    each sample's own gradient only when samples do not interact inside ``D`` (no BatchNorm,
    no minibatch-std feature). ``training`` is passed to the discriminator (keep True where its
    layers, e.g. spectral normalization, must behave as in the training step).

    The penalty is differentiable in the discriminator's weights (a gradient of a gradient):
    call it inside the discriminator step's ``GradientTape``. Defined in notebook 05.
    """
    import tensorflow as tf

    real_images = ops.convert_to_tensor(real_images)
    with tf.GradientTape() as tape:
        tape.watch(real_images)
        logits = discriminator(real_images, training=training)
    grads = tape.gradient(logits, real_images)
    return ops.mean(ops.sum(ops.square(ops.reshape(grads, (ops.shape(grads)[0], -1))), axis=1))


def unrolled_generator_loss(generator, discriminator, z, real_images, unroll_steps, learning_rate,
                            d_loss_fn=minimax_discriminator_loss, g_loss_fn=nonsaturating_generator_loss,
                            backprop_through_unroll=True, training=True):
    """The unrolled GAN's generator loss ``g_loss(D_{psi_K}(G(z)))`` (Metz, Poole, Pfau & Sohl-Dickstein, 2017).

    "Unrolled generative adversarial networks", ICLR 2017 (https://arxiv.org/abs/1611.02163):
    the generator is scored not against the current discriminator ``psi_0`` but against
    ``psi_K``, the discriminator after ``K = unroll_steps`` further training steps
    ``psi_{k+1} = psi_k - learning_rate * grad_psi d_loss(psi_k, G)``, taken on **copies** of its
    weights (``discriminator.stateless_call``: the real discriminator is left unchanged). With
    ``backprop_through_unroll=True`` (the paper) the generator's gradient flows through the K
    steps, ``d psi_K / d theta_G`` included: the generator sees how the discriminator would
    react to its move, which discourages hopping onto a single mode. ``False`` is the cheap
    variant: the generator is scored against the same ``psi_K``, but held fixed (no gradient
    through the K steps, no second derivatives).
    ``unroll_steps = 0`` is the plain generator loss.

    Simplifications against the paper: the unrolled steps are **plain SGD** with
    ``learning_rate`` (the paper unrolls the discriminator's own Adam update, moments included),
    and every step reuses the same ``real_images`` and generated batch. ``d_loss_fn(real_logits,
    fake_logits)`` and ``g_loss_fn(fake_logits)`` take logits like the rest of this module.
    ``unroll_steps`` is a Python int (the K steps are unrolled into the graph, so the cost grows
    about linearly in K: measured in notebook 05). Call it inside the generator step's
    ``GradientTape`` (it runs inside ``tf.function``); the caller's own discriminator step is
    unchanged. Samples are not packed (PacGAN) here. Defined in notebook 05.
    """
    import tensorflow as tf

    if isinstance(unroll_steps, bool) or not isinstance(unroll_steps, numbers.Integral) or unroll_steps < 0:
        raise ValueError(f"unroll_steps must be a non-negative integer; got {unroll_steps!r}")
    fake_images = generator(z, training=training)
    weights = [tf.convert_to_tensor(v) for v in discriminator.trainable_variables]   # copies (values)
    state = [tf.convert_to_tensor(v) for v in discriminator.non_trainable_variables]
    fake_for_d = fake_images if backprop_through_unroll else ops.stop_gradient(fake_images)
    for _ in range(int(unroll_steps)):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            real_logits, state = discriminator.stateless_call(weights, state, real_images, training=training)
            fake_logits, state = discriminator.stateless_call(weights, state, fake_for_d, training=training)
            d_loss = d_loss_fn(real_logits, fake_logits)
        grads = tape.gradient(d_loss, weights)
        weights = [w - learning_rate * g for w, g in zip(weights, grads)]
        if not backprop_through_unroll:
            weights = [ops.stop_gradient(w) for w in weights]
    fake_logits, _ = discriminator.stateless_call(weights, state, fake_images, training=training)
    return g_loss_fn(fake_logits)
