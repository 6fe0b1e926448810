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
"""

from __future__ import annotations

from keras import ops

__all__ = [
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "nonsaturating_generator_loss",
]


def minimax_discriminator_loss(real_logits, fake_logits):
    """``-E_x[log D(x)] - E_z[log(1 - D(G(z)))]``: binary cross-entropy, real -> 1, fake -> 0.

    Equals ``-V(D, G)`` (Goodfellow et al., 2014, eq. 1); its minimum over D is
    ``log 4 - 2 JSD(p_data || p_g)``.
    """
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


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
