"""Train notebook 03's DCGAN (small) under tf.distribute; run as a script by tests/test_distribute.py.

    python tests/distribute_worker.py mirrored OUT_DIR [--contrasts]
        a single-device run, then MirroredStrategy over 2 logical CPUs (and with per-replica
        BatchNorm); --contrasts adds the runs that leave out one of the other points below and
        prints how far each run ends up from the single-device one
    python tests/distribute_worker.py multiworker OUT_DIR
        one worker of a MultiWorkerMirroredStrategy, its cluster and index in TF_CONFIG

Every run trains the course's ``GAN`` (``gan_helpers.training``) with the ``dcgan_generator`` /
``dcgan_discriminator`` builders at a small size, with ``fit`` on notebook 03's input pipeline
(64 real digits in a new order every epoch, global batches of 16: 4 steps per epoch, 3 epochs),
from the same initial weights, and writes the final weights to ``OUT_DIR/<run>.npz`` and its
logs to ``OUT_DIR/<run>.json``. The single-device run is the course's ``GAN`` as it is. Four
things make a distributed run the same computation as that one:

- loss scaling: ``GAN.train_step`` multiplies each loss (a mean over the replica's share of the
  batch) by ``1 / num_replicas_in_sync`` and Keras' optimizer sums the replicas' gradients, so
  every update uses the mean over the *global* batch;
- BatchNorm: the generator's BatchNormalization layers get ``synchronized=True`` (statistics
  over the global batch; otherwise each replica normalizes with the statistics of its share);
- noise: every replica holds the same seed state, so a plain draw would give them all the same
  ``z``; ``GAN.sample_noise`` draws the noise of the whole global batch and keeps the rows of its
  replica, which are the ``z`` a single device draws for those images (``SameNoiseGAN``, the
  plain draw, is only a contrast);
- batches: the order of every epoch is drawn up front (see :func:`dataset`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

SEED = 0
IMAGES = 64
GLOBAL_BATCH = 16
STEPS = IMAGES // GLOBAL_BATCH  # per epoch
EPOCHS = 3
LATENT_DIM = 16
WIDTH = 8
DENSE_UNITS = 32
KERNEL_SIZE = 4
G_LR, D_LR, BETA_1 = 1e-3, 2e-4, 0.5  # notebook 03's defaults
EMA_DECAY = 0.99


def configure(mode):
    """Before TensorFlow initializes: two logical CPUs (mirrored) or the multi-worker strategy."""
    import tensorflow as tf

    if mode == "mirrored":
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        strategy = None
    else:  # first thing: it starts this worker's server and waits for the others (TF_CONFIG)
        strategy = tf.distribute.MultiWorkerMirroredStrategy(
            communication_options=tf.distribute.experimental.CommunicationOptions(
                implementation=tf.distribute.experimental.CommunicationImplementation.RING))
    tf.config.experimental.enable_op_determinism()
    return strategy


def dataset(reshuffled=False):
    """Notebook 03's input pipeline on its first IMAGES training digits, with the order of every
    epoch drawn up front (``fit`` then runs STEPS steps per epoch through one iterator).

    Not notebook 03's ``Dataset.shuffle`` (``reshuffled=True``): under a strategy, Keras 3's
    ``fit`` reads a batch from a first iterator before training, so a dataset that reshuffles
    on every iteration starts with its second order, and the run does not see the batches of
    a single-device run. Every worker builds the same dataset and keeps its share of each batch."""
    import tensorflow as tf

    from gan_helpers.data import load_mnist

    (x_train, _), _ = load_mnist(seed=SEED)
    if reshuffled:
        ds = tf.data.Dataset.from_tensor_slices(x_train[:IMAGES]).shuffle(IMAGES, seed=SEED).repeat(EPOCHS)
    else:
        rng = np.random.default_rng(SEED)
        ds = tf.data.Dataset.from_tensor_slices(x_train[:IMAGES][np.concatenate([rng.permutation(IMAGES)
                                                                                 for _ in range(EPOCHS)])])
    ds = ds.batch(GLOBAL_BATCH, drop_remainder=True)
    options = tf.data.Options()  # no files to hand out: split each global batch by its elements
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options)


def build_models(synchronized):
    import keras

    from gan_helpers.models import dcgan_discriminator, dcgan_generator

    def with_synchronized_bn(layer):
        config = layer.get_config()
        if isinstance(layer, keras.layers.BatchNormalization):
            config["synchronized"] = True
        return layer.__class__.from_config(config)

    generator = dcgan_generator(LATENT_DIM, WIDTH, KERNEL_SIZE, DENSE_UNITS)
    if synchronized:
        generator = keras.models.clone_model(generator, clone_function=with_synchronized_bn)
    return generator, dcgan_discriminator(WIDTH, KERNEL_SIZE, dense_units=DENSE_UNITS)


def initial_weights():
    """The same starting point for every run, whatever strategy scope builds the models."""
    import keras

    keras.utils.set_random_seed(SEED)
    generator, discriminator = build_models(synchronized=False)
    return generator.get_weights(), discriminator.get_weights()


def same_noise_gan():
    """A contrast only: ``GAN`` whose replicas all draw the same noise (a plain draw from the shared
    seed state), instead of each keeping its rows of the global batch's noise as ``GAN`` does."""
    import keras

    from gan_helpers.training import GAN

    class SameNoiseGAN(GAN):
        def sample_noise(self, batch_size):
            return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    return SameNoiseGAN


def make_gan(init, synchronized=True, replica_noise=True, scaled=True):
    import keras
    import tensorflow as tf

    from gan_helpers.losses import minimax_discriminator_loss, nonsaturating_generator_loss
    from gan_helpers.training import GAN

    losses = {}
    if not scaled:  # undo train_step's 1 / num_replicas: each replica's mean loss as it is

        def replicas():
            return tf.distribute.get_replica_context().num_replicas_in_sync

        losses = {"d_loss_fn": lambda real, fake: replicas() * minimax_discriminator_loss(real, fake),
                  "g_loss_fn": lambda fake: replicas() * nonsaturating_generator_loss(fake)}
    generator, discriminator = build_models(synchronized)
    generator.set_weights(init[0])
    discriminator.set_weights(init[1])
    gan_class = GAN if replica_noise else same_noise_gan()
    gan = gan_class(generator, discriminator, seed=SEED, ema_decay=EMA_DECAY, **losses)
    gan.ema_generator.set_weights(init[0])
    gan.compile(g_optimizer=keras.optimizers.Adam(G_LR, beta_1=BETA_1),
                d_optimizer=keras.optimizers.Adam(D_LR, beta_1=BETA_1))
    return gan


def save_weights(path, generator, discriminator, ema):
    """Lists of arrays -> one .npz, keys ``g_0``, ``g_1``, ..., ``d_0``, ..., ``ema_0``, ..."""
    parts = {"g": generator, "d": discriminator, "ema": ema}
    np.savez(path, **{f"{part}_{i}": w for part, ws in parts.items() for i, w in enumerate(ws)})


def load_weights(path):
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def agreement(a, b):
    """{part: (max |a - b|, the same divided by max |b|)} for the parts g (generator),
    d (discriminator) and ema (averaged generator) of two weight files."""
    figures = {}
    for part in ("g", "d", "ema"):
        keys = [k for k in b if k.split("_")[0] == part]
        assert keys and set(keys) <= set(a), f"{part}: different weights"
        diff = max(float(np.abs(a[k] - b[k]).max()) for k in keys)
        figures[part] = (diff, diff / max(float(np.abs(b[k]).max()) for k in keys))
    return figures


def describe(figures, relative=True):
    return " | ".join(f"{part} {d:.2g}" + (f" (rel {r:.2g})" if relative else "") for part, (d, r) in figures.items())


def train(name, out, strategy, init, reshuffled=False, **options):
    import tensorflow as tf

    start = time.perf_counter()
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        gan = make_gan(init, **options)
    history = gan.fit(dataset(reshuffled), epochs=EPOCHS, steps_per_epoch=STEPS, verbose=0)
    save_weights(out / f"{name}.npz", gan.generator.get_weights(), gan.discriminator.get_weights(),
                 gan.ema_generator.get_weights())
    info = {"replicas": strategy.num_replicas_in_sync if strategy is not None else 1,
            "devices": [d.name for d in tf.config.list_logical_devices("CPU")],
            "iterations": {"g": int(gan.g_optimizer.iterations.numpy()), "d": int(gan.d_optimizer.iterations.numpy())},
            "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
            "seconds": time.perf_counter() - start}
    (out / f"{name}.json").write_text(json.dumps(info, indent=1))


def main(mode, out, *flags):
    if mode not in ("mirrored", "multiworker") or set(flags) - {"--contrasts"}:
        raise SystemExit(f"usage: {sys.argv[0]} mirrored|multiworker OUT_DIR [--contrasts]")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    strategy = configure(mode)
    import tensorflow as tf

    init = initial_weights()
    if mode == "multiworker":
        train(f"multiworker_{json.loads(os.environ['TF_CONFIG'])['task']['index']}", out, strategy, init)
    else:
        save_weights(out / "initial.npz", init[0], init[1], init[0])
        train("single", out, None, init, synchronized=False, replica_noise=False)  # the course's GAN as it is
        mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        train("mirrored", out, mirrored, init)
        train("mirrored_local_bn", out, mirrored, init, synchronized=False)
        if flags:
            train("mirrored_same_noise", out, mirrored, init, replica_noise=False)
            train("mirrored_unscaled", out, mirrored, init, scaled=False)
            train("mirrored_reshuffled", out, mirrored, init, reshuffled=True)
            train("single_reshuffled", out, None, init, reshuffled=True, synchronized=False, replica_noise=False)
            for name in ("initial", "mirrored", "mirrored_local_bn", "mirrored_same_noise", "mirrored_unscaled",
                         "mirrored_reshuffled"):
                reference = "single_reshuffled" if name.endswith("reshuffled") else "single"
                figures = agreement(load_weights(out / f"{name}.npz"), load_weights(out / f"{reference}.npz"))
                print(f"{name:20} vs {reference}, max abs difference: {describe(figures, relative=name != 'initial')}")
    print(f"{mode.upper()} DONE")


if __name__ == "__main__":
    main(*sys.argv[1:])
