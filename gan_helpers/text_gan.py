"""A text GAN that trains: Gumbel-softmax sampling, a recurrent generator, a convolutional
discriminator that reads one-hot vectors through an embedding matrix, and their train steps.

Why these pieces (notebook 04 shows each failure first):

* Sampling a word, ``argmax`` or ``categorical``, has no gradient. The **Gumbel-max trick**
  samples ``y = one_hot(argmax_i (l_i + g_i))`` with ``g_i = -log(-log u_i)``, ``u_i ~ U(0, 1)``:
  exactly a draw from ``softmax(l)``. The **Gumbel-softmax** (Jang, Gu & Poole, "Categorical
  Reparameterization with Gumbel-Softmax", ICLR 2017; Maddison, Mnih & Teh, "The Concrete
  Distribution", ICLR 2017) replaces the argmax by ``softmax((l + g) / tau)``: differentiable,
  and one-hot in the limit ``tau -> 0``. Its **straight-through** form returns the one-hot
  sample forward and the soft sample's gradient backward: ``y = stop_gradient(y_hard - y_soft) + y_soft``.
  Kusner & Hernández-Lobato ("GANS for Sequences of Discrete Elements with the Gumbel-softmax
  Distribution", 2016) first trained a text GAN this way.
* A discriminator fed integer ids for real sentences and probability vectors for fake ones
  separates them by *format* alone. Here both are ``(batch, time, vocab)`` one-hot tensors that
  go through the same embedding matrix, ``x @ E`` (:class:`OneHotEmbedding`).

* The other way around the missing gradient is **REINFORCE** (Williams 1992), used by SeqGAN
  (Yu et al., AAAI 2017): sample sentences ``y ~ p_G``, score each with a reward ``r(y)`` (here
  the discriminator's probability that ``y`` is real) and follow ``(r(y) - b) grad log p_G(y)``,
  an unbiased estimate of ``grad E[r(y)]``; the baseline ``b`` (a moving average of the rewards)
  only lowers its variance (:func:`make_reinforce_step`). Straight-through Gumbel-softmax is
  biased (its backward pass differentiates the soft sample, not the expected reward) but has a far
  lower variance.

Defined in: ``notebooks/04_text_gan.ipynb``, which writes :func:`gumbel_softmax` and the GAN
train step out by hand and checks that they agree with this module.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from gan_helpers.losses import minimax_discriminator_loss, nonsaturating_generator_loss
from gan_helpers.params import positive_integer, positive_number

__all__ = ["gumbel_noise", "gumbel_softmax", "OneHotEmbedding", "TextGenerator", "TextDiscriminator",
           "mle_loss", "sequence_nll", "make_mle_step", "make_gan_step", "make_reinforce_step"]


# The functions below contain no Python control flow on tensors; do_not_convert keeps tf.function's
# autograph from re-reading and rewriting their source (and the argument checks they call).
_plain = tf.autograph.experimental.do_not_convert


@_plain
def gumbel_noise(shape, seed=None):
    """Standard Gumbel noise ``-log(-log u)``, ``u ~ U(0, 1)`` (clipped away from 0 and 1)."""
    u = keras.random.uniform(shape, minval=1e-7, maxval=1.0 - 1e-7, seed=seed)
    return -ops.log(-ops.log(u))


@_plain
def gumbel_softmax(logits, temperature, hard=False, seed=None, noise=None):
    """A Gumbel-softmax sample ``softmax((logits + g) / temperature)`` over the last axis.

    ``hard=True``: straight-through -- the forward value is the one-hot of the argmax (an exact
    sample of ``softmax(logits)``), the gradient is the soft sample's. ``noise`` (same shape as
    ``logits``) replaces the random draw, for tests and for checking a hand-written version.
    """
    if not isinstance(temperature, (tf.Tensor, tf.Variable)):
        temperature = positive_number("temperature", temperature)
    logits = ops.convert_to_tensor(logits)
    if noise is None:
        noise = gumbel_noise(ops.shape(logits), seed=seed)
    y_soft = ops.softmax((logits + ops.cast(noise, logits.dtype)) / temperature, axis=-1)
    if not hard:
        return y_soft
    y_hard = ops.one_hot(ops.argmax(y_soft, axis=-1), ops.shape(logits)[-1], dtype=y_soft.dtype)
    return ops.stop_gradient(y_hard - y_soft) + y_soft


class OneHotEmbedding(keras.layers.Layer):
    """An embedding matrix ``E`` (vocab_size, dim) that reads ids *or* (soft) one-hot vectors.

    Integer ids (batch, time) -> ``E[ids]``; floats (batch, time, vocab) -> ``x @ E``. For a
    one-hot ``x`` both give the same vectors; for a soft ``x`` the matmul is a weighted mix of
    embeddings, and gradients flow back into ``x``.
    """

    def __init__(self, vocab_size, dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.dim = positive_integer("vocab_size", vocab_size), positive_integer("dim", dim)
        self.embeddings = self.add_weight(shape=(self.vocab_size, self.dim), initializer="uniform", name="embeddings")

    def call(self, x):
        if "int" in str(x.dtype):
            return ops.take(self.embeddings, x, axis=0)
        return ops.matmul(x, self.embeddings)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "dim": self.dim}


class TextGenerator(keras.Model):
    """GRU language model that can be trained by teacher forcing and run free with Gumbel-softmax.

    ``call(inputs)``: ids (batch, T) starting with ``<bos>`` -> next-unit logits (batch, T, vocab).
    :meth:`generate` runs the GRU on its own outputs for ``length`` steps. The special ids
    ``<pad>``, ``<bos>``, ``<unk>`` are never produced; after ``<eos>`` every position is ``<pad>``,
    so generated sentences have exactly the format of the encoded real ones.
    """

    def __init__(self, vocab_size, length, embed_dim=64, units=256, pad_id=0, bos_id=1, eos_id=2, unk_id=3, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.length = positive_integer("vocab_size", vocab_size), positive_integer("length", length)
        self.pad_id, self.bos_id, self.eos_id = pad_id, bos_id, eos_id
        self.embedding = OneHotEmbedding(vocab_size, embed_dim, name="embedding")
        self.gru = keras.layers.GRU(positive_integer("units", units), return_sequences=True, name="gru")
        self.head = keras.layers.Dense(vocab_size, name="head")
        mask = [-1e9 if i in (pad_id, bos_id, unk_id) else 0.0 for i in range(vocab_size)]
        self.logit_mask = ops.convert_to_tensor(mask, dtype="float32")
        self(ops.full((1, self.length), bos_id, dtype="int32"))  # build all weights

    def call(self, inputs):
        return self.head(self.gru(self.embedding(inputs))) + self.logit_mask

    @_plain
    def generate(self, batch, temperature=1.0, hard=True, seed=None, sample_temperature=1.0, feed_gradient=True):
        """``batch`` sequences as (batch, length, vocab) one-hot/soft vectors, differentiable.

        Each step feeds the previous output (through the embedding matrix) back into the GRU and
        draws the next unit with :func:`gumbel_softmax` (``temperature`` = tau) from the logits
        divided by ``sample_temperature``. ``feed_gradient=False`` stops the gradient at the fed-back
        samples (each position then gets only its direct gradient: less variance, more bias).
        """
        x = tf.one_hot(tf.fill([batch], self.bos_id), self.vocab_size)
        pad = tf.one_hot(tf.fill([batch], self.pad_id), self.vocab_size)
        units = self.gru.cell.units

        def body(t, x, state, done, outputs):
            h, state = self.gru.cell(self.embedding(x), state)
            state = state[0] if isinstance(state, (list, tuple)) else state
            logits = (self.head(h) + self.logit_mask) / sample_temperature
            y = gumbel_softmax(logits, temperature, hard=hard, seed=seed)
            outputs = outputs.write(t, (1.0 - done) * y + done * pad)
            is_eos = tf.cast(tf.equal(tf.argmax(y, axis=-1), self.eos_id), tf.float32)[:, None]
            return t + 1, (y if feed_gradient else tf.stop_gradient(y)), state, tf.maximum(done, is_eos), outputs

        # a symbolic loop: traced once (an unrolled Python loop makes tf.function tracing several times slower)
        _, _, _, _, outputs = tf.while_loop(
            lambda t, *_: t < self.length, body,
            (tf.constant(0), x, tf.zeros([batch, units]), tf.zeros([batch, 1]),
             tf.TensorArray(tf.float32, size=self.length)),
            maximum_iterations=self.length)
        return tf.transpose(outputs.stack(), [1, 0, 2])

    def sample_ids(self, n, temperature=1.0, seed=None):
        """``n`` sequences of ids (n, length), each unit drawn from softmax(logits / temperature)."""
        temperature = positive_number("temperature", temperature)
        return ops.argmax(self.generate(n, 1.0, hard=True, seed=seed, sample_temperature=temperature), axis=-1)


class TextDiscriminator(keras.Model):
    """(Soft) one-hot sentences (batch, T, vocab) -> one logit: embedding matrix, two 1-D
    convolutions (LeakyReLU 0.2), max over time, Dense(1). Integer ids are accepted too."""

    def __init__(self, vocab_size, length, embed_dim=64, filters=128, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.length = positive_integer("length", length)
        self.embedding = OneHotEmbedding(vocab_size, embed_dim, name="embedding")
        self.convs = [keras.layers.Conv1D(positive_integer("filters", filters), kernel_size, padding="same",
                                          name=f"conv{i}") for i in (1, 2)]
        self.pool = keras.layers.GlobalMaxPooling1D()
        self.out = keras.layers.Dense(1, name="logit")
        self(ops.zeros((1, self.length), dtype="int32"))

    def call(self, x):
        h = self.embedding(x)
        for conv in self.convs:
            h = keras.activations.leaky_relu(conv(h), negative_slope=0.2)
        return self.out(self.pool(h))


@_plain
def mle_loss(generator, targets):
    """Teacher forcing: mean cross-entropy of each real unit given the real units before it.

    ``targets`` (batch, T) are ids ending in ``<eos>`` then ``<pad>``; inputs are ``<bos>``
    followed by the targets shifted right; ``<pad>`` positions are not counted.
    """
    targets = ops.convert_to_tensor(targets, dtype="int32")
    inputs = ops.concatenate([ops.full_like(targets[:, :1], generator.bos_id), targets[:, :-1]], axis=1)
    nll = keras.losses.sparse_categorical_crossentropy(targets, generator(inputs), from_logits=True)
    mask = ops.cast(ops.not_equal(targets, generator.pad_id), "float32")
    return ops.sum(nll * mask) / ops.sum(mask)


@_plain
def sequence_nll(generator, targets):
    """``-log p_G(sentence)`` of each row of ``targets`` (batch, T), in nats: shape (batch,).

    The sum of the teacher-forced cross-entropies over the units and the ``<eos>``, ``<pad>`` not
    counted: exactly the negative log-probability that the generator, sampling at temperature 1
    (:meth:`TextGenerator.generate`), writes this sentence. Test NLL (Caccia et al. 2020) is its
    mean over held-out sentences; REINFORCE differentiates it.
    """
    targets = ops.convert_to_tensor(targets, dtype="int32")
    inputs = ops.concatenate([ops.full_like(targets[:, :1], generator.bos_id), targets[:, :-1]], axis=1)
    nll = keras.losses.sparse_categorical_crossentropy(targets, generator(inputs), from_logits=True)
    mask = ops.cast(ops.not_equal(targets, generator.pad_id), "float32")
    return ops.sum(nll * mask, axis=1)


def make_mle_step(generator, optimizer):
    """A ``tf.function`` step: one Adam update of :func:`mle_loss` on a batch; returns the loss."""
    @tf.function
    def step(targets):
        with tf.GradientTape() as tape:
            loss = mle_loss(generator, targets)
        grads = tape.gradient(loss, generator.trainable_variables)
        optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return loss
    return step


def make_gan_step(generator, discriminator, g_optimizer, d_optimizer, seed):
    """A ``tf.function`` GAN step on a batch of real ids (batch, T) and a Gumbel temperature tau.

    1. D: minimax loss on one-hot real sentences vs. straight-through Gumbel fakes (no gradient to G);
    2. G: non-saturating loss on fresh fakes, the gradient flowing through the soft samples.

    ``seed`` is a ``keras.random.SeedGenerator``; returns ``(d_loss, g_loss, D(real), D(fake))``.
    """
    vocab = generator.vocab_size

    @tf.function
    def step(real_ids, tau):
        batch = tf.shape(real_ids)[0]
        real = tf.one_hot(real_ids, vocab)
        fake = tf.stop_gradient(generator.generate(batch, tau, hard=True, seed=seed))
        with tf.GradientTape() as tape:
            real_logits, fake_logits = discriminator(real), discriminator(fake)
            d_loss = minimax_discriminator_loss(real_logits, fake_logits)
        grads = tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        with tf.GradientTape() as tape:
            g_loss = nonsaturating_generator_loss(discriminator(generator.generate(batch, tau, hard=True, seed=seed)))
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return d_loss, g_loss, tf.reduce_mean(tf.sigmoid(real_logits)), tf.reduce_mean(tf.sigmoid(fake_logits))
    return step


def make_reinforce_step(generator, discriminator, g_optimizer, d_optimizer, seed, baseline_decay=0.9):
    """A ``tf.function`` GAN step whose generator learns by REINFORCE with a baseline (SeqGAN-style).

    Same signature and discriminator update as :func:`make_gan_step` (``tau`` is accepted and
    unused: the samples are exact draws whatever tau is). The generator:

    1. samples a batch of sentences ``y`` (ids; no gradient through the sampling);
    2. reward ``r = sigmoid(D(one_hot(y)))``, the discriminator's probability of "real";
    3. minimizes ``mean((r - b) * (-log p_G(y)))`` (:func:`sequence_nll`), whose gradient is the
       REINFORCE estimate of ``-grad E[r]``; ``b`` is a moving average of the mean reward of earlier
       batches (``b <- decay * b + (1 - decay) * mean(r)``, started at the first batch's mean).

    One reward per sentence (SeqGAN also scores every prefix with Monte Carlo roll-outs, which
    costs many more generator runs per step). Returns ``(d_loss, g_loss, D(real), D(fake))``, where
    ``g_loss`` is the surrogate loss above and ``D(fake)`` the mean reward.
    """
    vocab = generator.vocab_size
    if not 0.0 <= float(baseline_decay) < 1.0:
        raise ValueError(f"baseline_decay must be in [0, 1); got {baseline_decay!r}")
    baseline = tf.Variable(0.0, trainable=False, dtype=tf.float32)
    started = tf.Variable(False, trainable=False)

    @tf.function
    def step(real_ids, tau):
        batch = tf.shape(real_ids)[0]
        real = tf.one_hot(real_ids, vocab)
        fake_ids = tf.stop_gradient(tf.argmax(generator.generate(batch, 1.0, hard=True, seed=seed), axis=-1,
                                              output_type=tf.int32))
        fake = tf.one_hot(fake_ids, vocab)
        with tf.GradientTape() as tape:
            real_logits, fake_logits = discriminator(real), discriminator(fake)
            d_loss = minimax_discriminator_loss(real_logits, fake_logits)
        grads = tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        fake_ids = tf.stop_gradient(tf.argmax(generator.generate(batch, 1.0, hard=True, seed=seed), axis=-1,
                                              output_type=tf.int32))
        reward = tf.stop_gradient(tf.sigmoid(discriminator(tf.one_hot(fake_ids, vocab)))[:, 0])
        mean_reward = tf.reduce_mean(reward)
        b = tf.cond(started, lambda: tf.identity(baseline), lambda: mean_reward)
        with tf.GradientTape() as tape:
            g_loss = tf.reduce_mean((reward - b) * sequence_nll(generator, fake_ids))
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        baseline.assign(baseline_decay * b + (1.0 - baseline_decay) * mean_reward)
        started.assign(True)
        return d_loss, g_loss, tf.reduce_mean(tf.sigmoid(real_logits)), mean_reward
    step.baseline = baseline
    return step
