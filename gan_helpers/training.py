"""Training a GAN with ``keras.Model.fit``: the :class:`GAN` model and its callbacks.

:class:`GAN` wraps a generator and a discriminator in one ``keras.Model`` whose
``train_step`` does one discriminator update and one generator update per batch, each with
its own optimizer and a loss from :mod:`gan_helpers.losses`. So ``fit`` gives progress bars,
``History`` and callbacks for free, runs under any ``tf.distribute`` strategy (build and
compile the GAN inside ``strategy.scope()``; docs/DISTRIBUTED.md) and on a GPU when TensorFlow
sees one.

Callbacks:

- :class:`LiveMonitor` -- a sample grid and the loss curves updating in place in Jupyter
  (one plain log line per epoch when headless), with an epoch progress bar and ETA; keeps the
  sample grid of every epoch (``frames``) for a training film.
- :class:`ImageMetrics` -- every ``every`` epochs, generates images and adds the classifier
  FID, score and class shares of :class:`gan_helpers.metrics.ClassifierMetrics` to the logs.
- :class:`ResumableCheckpoint` -- saves weights, optimizer states, history and frames after
  each epoch; a re-run of the same ``fit`` resumes where the last one stopped (and skips
  training altogether when it had finished).

Plumbing that keeps a notebook's training cell about the idea it teaches:
:func:`checkpoint_folder` (one folder per configuration, emptied when ``resume`` is off),
:func:`describe_training` (what a ``fit`` call trained, and at what cost per step) and
:func:`save_results` (the notebook's numbers as JSON, NumPy values and NaN included).

Defined in: ``notebooks/02_mlp_gan.ipynb``, which writes the train step out by hand first and
checks that :class:`GAN` does the same update.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import shutil
import time
from pathlib import Path

import keras
import numpy as np
from keras import ops

from gan_helpers.losses import minimax_discriminator_loss, nonsaturating_generator_loss
from gan_helpers.params import is_integer, positive_integer

__all__ = ["GAN", "LiveMonitor", "ImageMetrics", "ResumableCheckpoint", "to_uint8", "export_samples",
           "checkpoint_folder", "save_results", "describe_training"]


def _replicas_in_sync() -> int:
    """Number of replicas the current ``tf.distribute`` strategy runs (1 without one)."""
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    return context.num_replicas_in_sync if context is not None else 1


def _across_workers() -> bool:
    """Whether the current ``tf.distribute`` strategy spans several worker processes."""
    import tensorflow as tf

    strategy = tf.distribute.get_strategy()
    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.num_replicas_in_sync > len(strategy.extended.worker_devices))


class GAN(keras.Model):
    """A generator and a discriminator trained together by ``fit``.

    Parameters
    ----------
    generator, discriminator : keras.Model
        ``generator(z)`` gives images; ``discriminator(images)`` gives one **logit** per image.
    latent_dim : int, optional
        Size of ``z``; read from ``generator.input_shape`` when not given.
    d_loss_fn, g_loss_fn : callable
        ``d_loss_fn(real_logits, fake_logits)`` and ``g_loss_fn(fake_logits)``; defaults: the
        minimax discriminator loss and the non-saturating generator loss (Goodfellow et al.,
        2014).
    seed : int, optional
        Seed of the noise drawn in ``train_step`` (``keras.random.SeedGenerator``), so a run
        is repeatable.
    ema_decay : float, optional
        When given (e.g. 0.999), also keep ``ema_generator``, an exponential moving average of
        the generator's weights, ``w_ema <- decay * w_ema + (1 - decay) * w`` after every
        generator update; :meth:`generate` then uses it. Averaging irons out the generator's
        oscillation around the equilibrium and gives cleaner samples at no training cost
        (Yazici et al., "The unusual effectiveness of averaging in GAN training", ICLR 2019).
    augment : callable, optional
        ``augment(images, seed_generator)`` applied to the real **and** the fake images before
        every discriminator call, in both steps (DiffAugment, Zhao et al. 2020:
        :func:`gan_helpers.augment.diff_augment`). It must be differentiable: the generator's
        gradient flows through it. Defined in notebook 08.
    r1_gamma : float, optional
        When > 0, the discriminator's loss adds ``r1_gamma / 2 * R1``, ``R1 = E_x ||grad_x D(x)||^2``
        at the real images (Mescheder et al. 2018; :func:`gan_helpers.losses.r1_penalty`), computed
        in the same forward pass (through ``augment`` when given, as the official DiffAugment
        code does). ``d_loss`` includes the penalty. Defined in notebook 08 (on 2-D points: 05).

    ``compile(g_optimizer=..., d_optimizer=...)`` takes the two optimizers. Each ``train_step``
    on a batch of ``real_images`` returns ``d_loss``, ``g_loss`` and the discriminator's mean
    probabilities ``d_real`` = D(x) and ``d_fake`` = D(G(z)), averaged over the epoch so far.
    """

    def __init__(self, generator, discriminator, latent_dim=None, d_loss_fn=minimax_discriminator_loss,
                 g_loss_fn=nonsaturating_generator_loss, seed=None, ema_decay=None, augment=None, r1_gamma=0.0,
                 **kwargs):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model) or not isinstance(discriminator, keras.Model):
            raise TypeError("generator and discriminator must be keras.Model instances; got "
                            f"{type(generator).__name__} and {type(discriminator).__name__}")
        if latent_dim is None:
            latent_dim = generator.input_shape[-1]
        latent_dim = positive_integer("latent_dim", latent_dim)
        if not callable(d_loss_fn) or not callable(g_loss_fn):
            raise TypeError("d_loss_fn and g_loss_fn must be callables taking logits")
        if seed is not None and not is_integer(seed):
            raise TypeError(f"seed must be an integer or None; got {seed!r}")
        if ema_decay is not None and (isinstance(ema_decay, bool) or not isinstance(ema_decay, (int, float))
                                      or not 0 < ema_decay < 1):
            raise ValueError(f"ema_decay must be None or a number in (0, 1); got {ema_decay!r}")
        if augment is not None and not callable(augment):
            raise TypeError(f"augment must be None or a callable (images, seed_generator) -> images; got {augment!r}")
        if isinstance(r1_gamma, bool) or not isinstance(r1_gamma, (int, float)) or not r1_gamma >= 0:
            raise ValueError(f"r1_gamma must be a number >= 0; got {r1_gamma!r}")
        self.augment = augment
        self.r1_gamma = float(r1_gamma)
        self.generator = generator
        self.discriminator = discriminator
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_generator.trainable = False
        self.latent_dim = latent_dim
        self.d_loss_fn = d_loss_fn
        self.g_loss_fn = g_loss_fn
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.augment_seed = None  # only a GAN that augments draws (and stores) augmentation noise
        if augment is not None:
            self.augment_seed = keras.random.SeedGenerator(None if seed is None else seed + 1)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")

    def compile(self, g_optimizer, d_optimizer, **kwargs):
        for name, opt in (("g_optimizer", g_optimizer), ("d_optimizer", d_optimizer)):
            if not isinstance(opt, keras.optimizers.Optimizer):
                raise TypeError(f"{name} must be a keras optimizer; got {type(opt).__name__}")
        if g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two optimizer objects (each keeps "
                             "its own moment estimates)")
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer
        self.build()

    def fit(self, x=None, *args, shuffle=False, **kwargs):
        """``keras.Model.fit``; ``shuffle`` defaults to False because GAN data come as a
        ``tf.data.Dataset`` that shuffles itself (Keras warns on every call otherwise)."""
        return super().fit(x, *args, shuffle=shuffle, **kwargs)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def build(self, input_shape=None):
        """Create the optimizers' slots (needed before restoring a checkpoint)."""
        for opt, model in ((self.g_optimizer, self.generator), (self.d_optimizer, self.discriminator)):
            if not opt.built:
                opt.build(model.trainable_variables)
        self.built = True

    def generate(self, n=None, seed=0, z=None, batch_size=500, truncation=1.0, averaged=True):
        """Generate ``n`` images (NumPy, in [-1, 1]) from noise seeded by ``seed``, or from ``z``.

        Uses the averaged generator when the GAN keeps one (``ema_decay``), unless ``averaged``
        is False. ``truncation`` (psi in [0, 1]) scales ``z`` towards its mean first, ``psi * z``
        (the truncation trick, :func:`gan_helpers.augment.truncate_noise`; 1: none)."""
        from gan_helpers.augment import truncate_noise

        if z is None:
            n = positive_integer("n", n)
            z = np.random.default_rng(seed).normal(size=(n, self.latent_dim)).astype("float32")
        z = np.asarray(z, dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (n, {self.latent_dim}); got {z.shape}")
        if truncation != 1.0:
            z = truncate_noise(z, truncation)
        if not isinstance(averaged, bool):
            raise TypeError(f"averaged must be True or False; got {averaged!r}")
        generator = self.generator if (self.ema_generator is None or not averaged) else self.ema_generator
        return np.concatenate([ops.convert_to_numpy(generator(z[i:i + batch_size], training=False))
                               for i in range(0, len(z), batch_size)])

    def sample_noise(self, batch_size):
        """The noise ``z`` of one update in :meth:`train_step`: ``batch_size`` standard normal
        vectors drawn with ``seed_generator``.

        Under a ``tf.distribute`` strategy every replica holds the same seed state, so a plain draw
        would give every replica the same ``z``. Instead each replica draws the noise of the whole
        global batch and keeps its own rows: the replicas together use exactly the ``z`` one device
        draws for the same global batch (docs/DISTRIBUTED.md)."""
        import tensorflow as tf

        context = tf.distribute.get_replica_context()
        replicas = 1 if context is None else context.num_replicas_in_sync
        if replicas == 1:
            return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        z = keras.random.normal((replicas * batch_size, self.latent_dim), seed=self.seed_generator)
        start = context.replica_id_in_sync_group * batch_size
        return z[start:start + batch_size]

    def _augment(self, images):
        return images if self.augment is None else self.augment(images, self.augment_seed)

    def train_step(self, real_images):
        import tensorflow as tf

        if isinstance(real_images, tuple):  # (images, labels) datasets: labels are not used
            real_images = real_images[0]
        batch_size = ops.shape(real_images)[0]
        scale = 1.0 / _replicas_in_sync()  # gradients are summed over replicas

        # 1. discriminator: real -> 1, fake -> 0
        z = self.sample_noise(batch_size)
        fake_images = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            if self.r1_gamma > 0:
                real_images = ops.convert_to_tensor(real_images)
                with tf.GradientTape() as r1_tape:
                    r1_tape.watch(real_images)
                    real_logits = self.discriminator(self._augment(real_images), training=True)
                r1_grads = r1_tape.gradient(real_logits, real_images)
                r1 = ops.mean(ops.sum(ops.square(ops.reshape(r1_grads, (ops.shape(r1_grads)[0], -1))), axis=1))
            else:
                real_logits = self.discriminator(self._augment(real_images), training=True)
            fake_logits = self.discriminator(self._augment(fake_images), training=True)
            d_loss = self.d_loss_fn(real_logits, fake_logits)
            if self.r1_gamma > 0:
                d_loss = d_loss + 0.5 * self.r1_gamma * r1
            scaled = d_loss * scale
        grads = tape.gradient(scaled, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_variables))

        # 2. generator: make D call fresh fakes real
        z = self.sample_noise(batch_size)
        with tf.GradientTape() as tape:
            fake_logits_g = self.discriminator(self._augment(self.generator(z, training=True)), training=True)
            g_loss = self.g_loss_fn(fake_logits_g)
            scaled = g_loss * scale
        grads = tape.gradient(scaled, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        if self.ema_generator is not None:
            for average, current in zip(self.ema_generator.weights, self.generator.weights):
                average.assign(self.ema_decay * average + (1.0 - self.ema_decay) * current)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(ops.mean(ops.sigmoid(real_logits)))
        self.d_fake_tracker.update_state(ops.mean(ops.sigmoid(fake_logits)))
        logs = {m.name: m.result() for m in self.metrics}
        if _across_workers():  # Keras 3's fit averages the logs of several workers along axis 0 and
            # fails on scalars (keras-team/keras#20585): give each value that axis
            logs = {name: ops.reshape(value, (1,)) for name, value in logs.items()}
        return logs


# ----------------------------------------------------------------------------- callbacks
def to_uint8(images):
    """Images in [-1, 1] -> uint8 in [0, 255] without the channel axis (the ``export_samples`` format)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    return np.round((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def _due(callback, epoch, every):
    """``(done, total, due)``: epochs done, epochs planned, and whether this epoch is one of
    every ``every``-th or the last one (when a callback measures or draws)."""
    done = epoch + 1
    total = callback.params.get("epochs", done) if callback.params else done
    return done, total, done % every == 0 or done == total


def export_samples(gan, path, n: int = 10_000, seed: int = 0):
    """Write ``n`` images generated by ``gan`` (from noise seeded by ``seed``) to the ``.npz``
    file ``path`` as uint8 28x28 under the key ``images``, the format other tools read (loads
    without ``allow_pickle``). Returns the path. Used by notebooks 02 and 03."""
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"path must end in .npz; got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, images=to_uint8(gan.generate(positive_integer("n", n), seed=seed)))
    return path


def _format_seconds(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class LiveMonitor(keras.callbacks.Callback):
    """Sample grid + loss curves updating in place during ``fit``; a log line when headless.

    The same ``n_images`` noise vectors (seeded by ``seed``) are decoded after every epoch, so
    you watch the *same* samples improve. Each grid is kept in ``frames`` (epoch -> images), and
    every logged value in ``history`` (name -> list, one entry per epoch), across several
    ``fit`` calls and across a resume by :class:`ResumableCheckpoint`.

    It adds ``train_seconds`` to the logs: the training time so far, without the time spent
    by :class:`ImageMetrics` (put the monitor after it), so you can plot quality against cost.

    The title carries a progress bar, the time per epoch and the estimated time left. In
    Jupyter the figure replaces itself (the saved notebook keeps only the last one); elsewhere
    (scripts, tests) one line per epoch is printed instead and no figure is drawn.
    """

    def __init__(self, n_images: int = 16, seed: int = 0, every: int = 1, figure: bool | None = None):
        super().__init__()
        if not is_integer(seed):
            raise TypeError(f"seed must be an integer; got {seed!r}")
        self.n_images, self.seed = positive_integer("n_images", n_images), int(seed)
        self.every = positive_integer("every", every)
        self.figure = figure
        self.frames: dict[int, np.ndarray] = {}
        self.history: dict[str, list] = {}
        self._view = None
        self._z = None

    def on_train_begin(self, logs=None):
        from gan_helpers.widgets import LiveView, in_notebook

        if self.figure is None:
            self.figure = in_notebook()
        if self._view is None:
            self._view = LiveView()
        self._z = np.random.default_rng(self.seed).normal(size=(self.n_images, self.model.latent_dim)).astype("float32")
        self._start = time.perf_counter()
        self._first_epoch = None
        if 0 not in self.frames and not self.history:  # the untrained generator: epoch 0
            self.frames[0] = self.model.generate(z=self._z)

    def on_epoch_begin(self, epoch, logs=None):
        if self._first_epoch is None:
            self._first_epoch = epoch
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:  # cumulative training time, without the time spent measuring
            seconds = time.perf_counter() - self._epoch_start - logs.get("eval_seconds", 0.0)
            logs["train_seconds"] = self.history.get("train_seconds", [0.0])[-1] + seconds
        logs = dict(logs or {})
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        done, total, due = _due(self, epoch, self.every)
        if not due:
            return
        self.frames[done] = self.model.generate(z=self._z)
        elapsed = time.perf_counter() - self._start
        per_epoch = elapsed / (done - self._first_epoch)
        status = (f"epoch {done}/{total} · {_format_seconds(elapsed)} elapsed · "
                  f"{per_epoch:.1f} s/epoch · about {_format_seconds(per_epoch * (total - done))} left")
        if self.figure:
            self._view.show(self._draw(done, total, status))
        else:
            values = " · ".join(f"{k} {v:.3f}" for k, v in logs.items()
                                if np.isfinite(v) and not k.endswith("seconds"))
            self._view.show(f"{status} · {values}")

    def _draw(self, done, total, status):
        import matplotlib.pyplot as plt

        from gan_helpers.plotting import plot_curves, plot_image_grid

        has_fid = any(np.isfinite(self.history.get("fid", [np.nan])))
        fig, axes = plt.subplots(1, 3 if has_fid else 2, figsize=(8.4 if has_fid else 6.0, 2.5),
                                 gridspec_kw={"width_ratios": [1, 1.4, 1.4] if has_fid else [1, 1.4]})
        plot_image_grid(self.frames[done], ncols=int(np.ceil(np.sqrt(self.n_images))), ax=axes[0])
        epochs = np.arange(1, len(self.history.get("d_loss", [])) + 1)
        plot_curves(epochs, {k: self.history[k] for k in ("d_loss", "g_loss") if k in self.history},
                    xlabel="epoch", title="losses", ax=axes[1])
        if has_fid:
            fid = np.asarray(self.history["fid"])
            ok = np.isfinite(fid)
            plot_curves(epochs[ok], {"classifier FID": fid[ok]}, xlabel="epoch", title="classifier FID (lower is better)",
                        logy=True, ax=axes[2])
        bar = "█" * round(20 * done / total) + "░" * (20 - round(20 * done / total))
        fig.suptitle(f"{bar}  {status}", fontsize=9)
        fig.tight_layout()
        return fig


class ImageMetrics(keras.callbacks.Callback):
    """Adds ``fid``, ``score``, ``min_class_share``, ``max_class_share`` and ``eval_seconds`` to the logs.

    Every ``every`` epochs (and after the last one) it generates ``n_samples`` images from a
    fixed seed and measures them with ``measure``, a :class:`gan_helpers.metrics.ClassifierMetrics`
    (or real images to build one from). Other epochs get NaN so ``History`` stays aligned
    with the epochs. ``class_shares`` maps each measured epoch to the ten shares. Put this
    callback **before** :class:`LiveMonitor` and :class:`ResumableCheckpoint` in the list so
    they see the values.
    """

    def __init__(self, measure, n_samples: int = 1000, every: int = 1, seed: int = 1234):
        super().__init__()
        from gan_helpers.metrics import ClassifierMetrics

        self.n_samples, self.every = positive_integer("n_samples", n_samples), positive_integer("every", every)
        if self.n_samples < 2:
            raise ValueError(f"n_samples must be at least 2 (a covariance is estimated); got {n_samples}")
        self.measure = measure if isinstance(measure, ClassifierMetrics) else ClassifierMetrics(measure)
        self.seed = seed
        self.class_shares: dict[int, list] = {}

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        done, _, due = _due(self, epoch, self.every)
        if not due:
            logs.update(fid=float("nan"), score=float("nan"), min_class_share=float("nan"),
                        max_class_share=float("nan"), eval_seconds=0.0)
            return
        start = time.perf_counter()
        result = self.measure(self.model.generate(self.n_samples, seed=self.seed))
        self.class_shares[done] = result["class_shares"]
        logs.update(fid=result["fid"], score=result["score"], min_class_share=min(result["class_shares"]),
                    max_class_share=max(result["class_shares"]), eval_seconds=time.perf_counter() - start)


class ResumableCheckpoint(keras.callbacks.Callback):
    """Save the whole training state after every epoch; resume from it when ``fit`` runs again.

    ``directory`` receives ``gan_epoch<N>.weights.h5`` (generator, discriminator, both optimizers
    and the noise seed state), ``state.json`` (epochs done, the weights file and the history)
    and, when a :class:`LiveMonitor` is given, ``frames.npz``. ``state.json`` is written last,
    under a temporary name and then renamed, so an interruption (Ctrl-C, a closed laptop, a
    killed kernel) at any moment leaves a consistent checkpoint of the last finished epoch.

    At the start of ``fit`` an existing checkpoint is loaded and training continues at the
    next epoch (like ``keras.callbacks.BackupAndRestore``, which deletes its backup at the end;
    this one keeps it, so re-running a finished notebook skips training and restores the
    history). ``history`` is the full history, restored epochs included; ``resumed_from`` is
    the epoch the run started from. Use a directory per configuration (the notebooks build
    its name from their parameters).
    """

    def __init__(self, directory, monitor: LiveMonitor | None = None, verbose: bool = True):
        super().__init__()
        if not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"directory must be a str or os.PathLike; got {type(directory).__name__}")
        if monitor is not None and not isinstance(monitor, LiveMonitor):
            raise TypeError(f"monitor must be a LiveMonitor or None; got {type(monitor).__name__}")
        self.directory = Path(directory)
        self.monitor = monitor
        self.verbose = verbose
        self.history: dict[str, list] = {}
        self.resumed_from = 0

    @property
    def state_path(self):
        return self.directory / "state.json"

    @property
    def frames_path(self):
        return self.directory / "frames.npz"

    def exists(self) -> bool:
        return self.state_path.is_file()

    def on_train_begin(self, logs=None):
        self.resumed_from = 0
        if not self.exists():
            return
        try:
            state = json.loads(self.state_path.read_text())
            epoch = int(state["epoch"])
            weights_path = self.directory / state["weights"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{self.state_path} is not a valid checkpoint state ({exc}); delete "
                             f"{self.directory} to start over") from exc
        self.model.build()
        try:
            self.model.load_weights(weights_path)
        except Exception as exc:
            raise ValueError(f"the checkpoint in {self.directory} does not fit this GAN (different models or "
                             f"parameters?): {exc}. Delete the folder to start over.") from exc
        if "noise_state" in state and hasattr(self.model, "seed_generator"):
            noise = self.model.seed_generator.state
            noise.assign(np.asarray(state["noise_state"], dtype=noise.dtype))
        self.history = {k: list(v) for k, v in state.get("history", {}).items()}
        if self.monitor is not None:
            self.monitor.history = {k: list(v) for k, v in self.history.items()}
            if self.frames_path.is_file():
                with np.load(self.frames_path) as frames:  # plain arrays: no pickle
                    self.monitor.frames = {int(k.split("_")[1]): frames[k] for k in frames.files
                                           if int(k.split("_")[1]) <= epoch}
        self.model._initial_epoch = epoch
        self.resumed_from = epoch
        if self.verbose:
            total = self.params.get("epochs", epoch) if self.params else epoch
            what = "training already finished: nothing to do" if epoch >= total else f"continuing to epoch {total}"
            print(f"Resumed from the checkpoint in {self.directory} at epoch {epoch} ({what}). "
                  f"Delete that folder to train from scratch.")

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        self.directory.mkdir(parents=True, exist_ok=True)
        # each epoch's weights get a new file; state.json, replaced atomically last, points to it,
        # so an interruption at any moment leaves a consistent checkpoint behind
        weights_name = f"gan_epoch{epoch + 1}.weights.h5"
        self.model.save_weights(self.directory / weights_name)
        if self.monitor is not None and self.monitor.frames:
            tmp_frames = self.directory / "tmp_frames.npz"
            np.savez_compressed(tmp_frames, **{f"epoch_{k}": v for k, v in self.monitor.frames.items()})
            os.replace(tmp_frames, self.frames_path)
        tmp_state = self.directory / "tmp_state.json"
        state = {"epoch": epoch + 1, "weights": weights_name, "history": self.history}
        if hasattr(self.model, "seed_generator"):  # Keras' weights files leave the noise state out
            state["noise_state"] = ops.convert_to_numpy(self.model.seed_generator.state).tolist()
        tmp_state.write_text(json.dumps(state))
        os.replace(tmp_state, self.state_path)
        for old in self.directory.glob("gan_epoch*.weights.h5"):
            if old.name != weights_name:
                old.unlink()

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None  # a later fit() on this model starts where it is told


# ----------------------------------------------------------------------------- notebook plumbing
def checkpoint_folder(output_dir, run_name: str, resume: bool = True, **settings) -> Path:
    """The checkpoint folder of one training configuration, for :class:`ResumableCheckpoint`.

    ``Path(output_dir) / "checkpoints" / (run_name + "".join(f"_{k}{v}" for k, v in settings.items()))``,
    e.g. ``checkpoint_folder("outputs/02", "subset_seed0", bs=64, lr=0.0002)`` is
    ``outputs/02/checkpoints/subset_seed0_bs64_lr0.0002``. With ``resume=False`` an existing folder
    is deleted, so the run starts from scratch.

    **Every setting that changes training must be in** ``run_name`` **or** ``settings`` (batch size,
    learning rates, model sizes, losses ...): a run resumes from whatever checkpoint its folder
    holds, so two configurations that share a folder would continue each other's training. A
    setting that only changes what is measured or drawn (how often, how many samples) may be left out.
    """
    if not isinstance(output_dir, (str, os.PathLike)):
        raise TypeError(f"output_dir must be a str or os.PathLike; got {type(output_dir).__name__}")
    if not isinstance(run_name, str) or not run_name.strip() or any(sep in run_name for sep in "/\\"):
        raise ValueError(f"run_name must be a non-empty name without path separators; got {run_name!r}")
    if not isinstance(resume, bool):
        raise TypeError(f"resume must be True or False; got {resume!r}")
    name = run_name + "".join(f"_{k}{v}" for k, v in settings.items())
    if any(sep in name for sep in "/\\"):
        raise ValueError(f"settings must not contain path separators; got {settings!r}")
    folder = Path(output_dir) / "checkpoints" / name
    if not resume and folder.exists():
        shutil.rmtree(folder)
    return folder


def _jsonable(value, where: str):
    """``value`` with NumPy scalars and arrays turned into Python ones and NaN/inf into None."""
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist(), where)
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key = key.item() if isinstance(key, np.generic) else key
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise TypeError(f"save_results: {where} has a key of type {type(key).__name__}; JSON keys are "
                                "strings or numbers")
            out[key] = _jsonable(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [_jsonable(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(f"save_results: {where} is a {type(value).__name__}, which JSON cannot hold")


def save_results(path, **sections) -> Path:
    """Write ``sections`` as one JSON object to ``path`` (indent 1) and return the path.

    NumPy scalars and arrays become numbers and lists, NaN and infinities become ``null`` (JSON has
    no NaN), ``Path`` values become strings; parent folders are created. Each keyword is one
    top-level key, e.g. ``save_results(out / "results.json", parameters={...}, final=final)``.
    Anything else that JSON cannot hold raises ``TypeError`` naming where it is.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    path = Path(path)
    text = json.dumps({name: _jsonable(value, name) for name, value in sections.items()}, indent=1, allow_nan=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    return path


def describe_training(history, resumed_from: int, train_seconds: float, steps_per_epoch: int) -> str:
    """Two lines on what a ``fit`` call with :class:`ResumableCheckpoint` did and what a step costs.

    ``history`` is the full history (``checkpoint.history``: restored epochs included, with the
    cumulative ``train_seconds`` that :class:`LiveMonitor` logs), ``resumed_from`` the epoch the
    run started from (``checkpoint.resumed_from``), ``train_seconds`` the wall-clock time of the
    ``fit`` call. E.g. (the first line is one line)::

        120 epochs in the history; trained 120 now in 289 s, of which 203 s training steps
        (the rest: measuring, drawing and saving checkpoints)
        training time per step: 27 ms

    or, when everything came from the checkpoint, ``120 epochs in the history, all restored from
    the checkpoint: nothing trained now``. The time per step is the training-steps time of all
    epochs (restored ones included) over their steps.
    """
    if not isinstance(history, dict) or not history.get("d_loss") or "train_seconds" not in history:
        raise ValueError("history must be a non-empty fit history with 'd_loss' and 'train_seconds' "
                         "(put a LiveMonitor in the callbacks)")
    epochs = len(history["d_loss"])
    seconds = history["train_seconds"]
    if len(seconds) != epochs:
        raise ValueError(f"history has {epochs} epochs of d_loss but {len(seconds)} of train_seconds")
    if not is_integer(resumed_from) or not 0 <= resumed_from <= epochs:
        raise ValueError(f"resumed_from must be an integer in [0, {epochs}]; got {resumed_from!r}")
    if isinstance(train_seconds, bool) or not isinstance(train_seconds, numbers.Real) or train_seconds < 0:
        raise ValueError(f"train_seconds must be a number >= 0; got {train_seconds!r}")
    steps_per_epoch = positive_integer("steps_per_epoch", steps_per_epoch)
    trained = epochs - int(resumed_from)
    if trained:
        step_seconds = seconds[-1] - (seconds[resumed_from - 1] if resumed_from else 0.0)
        first = (f"{epochs} epochs in the history; trained {trained} now in {train_seconds:.0f} s, of which "
                 f"{step_seconds:.0f} s training steps (the rest: measuring, drawing and saving checkpoints)")
    else:
        first = f"{epochs} epochs in the history, all restored from the checkpoint: nothing trained now"
    return f"{first}\ntraining time per step: {1000 * seconds[-1] / (epochs * steps_per_epoch):.0f} ms"
