#!/usr/bin/env python3
"""Time to quality: TensorFlow's DCGAN tutorial vs the course's notebook-03 DCGAN, and the cost
of ``gan_helpers.training.GAN.fit`` vs a hand-written ``tf.function`` loop.

    .venv/bin/python bench/time_to_quality.py            # about 12 minutes on 2 CPU cores
    .venv/bin/python bench/time_to_quality.py --tutorial-epochs 5 --course-epochs 2 --step-repeats 1   # smoke run

Everything runs in one process, on the same machine and the same data (the offline 4,000
training digits), measured with the same classifier FID (1,000 generated images against the
training digits; ``gan_helpers.metrics.ClassifierMetrics``). Training time excludes the time
spent measuring.

(a) The tutorial (https://www.tensorflow.org/tutorials/generative/dcgan), reproduced from its
    published description: generator Dense(7*7*256) -> Conv2DTranspose 128 (stride 1), 64, 1 with
    5x5 kernels, BatchNorm and LeakyReLU; discriminator Conv 64, 128 (5x5, stride 2) with
    LeakyReLU and Dropout(0.3); both Adam(1e-4); batch 256; noise 100; its own train step (both
    networks updated from one forward pass). Trained ``--tutorial-epochs`` (50) epochs.
(b) The course's DCGAN with notebook 03's default settings, trained until it reaches the FID
    the tutorial had after its last epoch (at most ``--course-epochs`` epochs).
(c) ms per training step of the course's DCGAN through ``GAN.fit`` and through a hand-written
    ``tf.function`` loop doing the same update, interleaved ``--step-repeats`` times; medians.

Results go to ``bench/results/time_to_quality.json`` (git-ignored) and a Markdown table to
stdout; ``bench/README.md`` holds the table of the reference run.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_helpers.data import load_mnist  # noqa: E402
from gan_helpers.losses import minimax_discriminator_loss, nonsaturating_generator_loss  # noqa: E402
from gan_helpers.metrics import ClassifierMetrics  # noqa: E402
from gan_helpers.models import dcgan_discriminator, dcgan_generator  # noqa: E402
from gan_helpers.training import GAN  # noqa: E402

# notebook 03's defaults
COURSE = dict(batch_size=64, latent_dim=64, learning_rate=0.001, discriminator_learning_rate=0.0002, beta_1=0.5,
              width=32, dense_units=1024, kernel_size=4, ema_decay=0.99)


# ----------------------------------------------------------------------------- (a) the tutorial
def tutorial_generator():
    layers = keras.layers
    return keras.Sequential([
        keras.Input((100,)),
        layers.Dense(7 * 7 * 256, use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Reshape((7, 7, 256)),
        layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False), layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False), layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh"),
    ])


def tutorial_discriminator():
    layers = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Conv2D(128, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Flatten(), layers.Dense(1),
    ])


def train_tutorial(x_train, measure, epochs, n_eval):
    generator, discriminator = tutorial_generator(), tutorial_discriminator()
    g_opt, d_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([tf.shape(images)[0], 100])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated, training=True)
            gen_loss = nonsaturating_generator_loss(fake_output)
            disc_loss = minimax_discriminator_loss(real_output, fake_output)
        g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, generator.trainable_variables),
                                  generator.trainable_variables))
        d_opt.apply_gradients(zip(disc_tape.gradient(disc_loss, discriminator.trainable_variables),
                                  discriminator.trainable_variables))

    ds = tf.data.Dataset.from_tensor_slices(x_train).shuffle(len(x_train), seed=0).batch(256, drop_remainder=True)
    z_eval = np.random.default_rng(1).normal(size=(n_eval, 100)).astype("float32")
    curve, seconds = [], 0.0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        for batch in ds:
            train_step(batch)
        seconds += time.perf_counter() - start
        fid = measure(np.asarray(generator(z_eval, training=False)))["fid"]
        curve.append((epoch, seconds, fid))
        print(f"tutorial epoch {epoch:3d}: {seconds:7.1f} s, FID {fid:8.2f}", flush=True)
    return curve, (len(x_train) // 256)


# ----------------------------------------------------------------------------- (b) the course
def course_gan(seed=0):
    keras.utils.set_random_seed(seed)
    c = COURSE
    gan = GAN(dcgan_generator(c["latent_dim"], c["width"], c["kernel_size"], c["dense_units"]),
              dcgan_discriminator(c["width"], c["kernel_size"], dense_units=c["dense_units"]),
              seed=seed, ema_decay=c["ema_decay"])
    gan.compile(g_optimizer=keras.optimizers.Adam(c["learning_rate"], beta_1=c["beta_1"]),
                d_optimizer=keras.optimizers.Adam(c["discriminator_learning_rate"], beta_1=c["beta_1"]))
    return gan


def train_course_until(x_train, measure, target_fid, max_epochs, n_eval):
    gan = course_gan()
    ds = tf.data.Dataset.from_tensor_slices(x_train).shuffle(len(x_train), seed=0).batch(
        COURSE["batch_size"], drop_remainder=True)
    curve, seconds = [], 0.0
    for epoch in range(1, max_epochs + 1):
        start = time.perf_counter()
        gan.fit(ds, epochs=epoch, initial_epoch=epoch - 1, verbose=0)
        seconds += time.perf_counter() - start
        fid = measure(gan.generate(n_eval, seed=1))["fid"]
        curve.append((epoch, seconds, fid))
        print(f"course   epoch {epoch:3d}: {seconds:7.1f} s, FID {fid:8.2f}", flush=True)
        if fid <= target_fid:
            break
    return curve


# ----------------------------------------------------------------------------- (c) step time
def step_times(x_train, steps, repeats):
    """Median ms per step: GAN.fit vs a hand-written tf.function loop, same models and update."""
    bs, c = COURSE["batch_size"], COURSE
    data = tf.data.Dataset.from_tensor_slices(x_train[: bs * steps]).batch(bs, drop_remainder=True).cache()

    fit_gan = course_gan(seed=1)
    hand = course_gan(seed=1)  # its models and optimizers, driven by the loop below
    g, d, g_opt, d_opt = hand.generator, hand.discriminator, hand.g_optimizer, hand.d_optimizer
    noise = keras.random.SeedGenerator(1)
    averaged = hand.ema_generator

    @tf.function
    def hand_step(real_images):
        batch = tf.shape(real_images)[0]
        z = keras.random.normal((batch, c["latent_dim"]), seed=noise)
        fake_images = g(z, training=True)
        with tf.GradientTape() as tape:
            d_loss = minimax_discriminator_loss(d(real_images, training=True), d(fake_images, training=True))
        d_opt.apply_gradients(zip(tape.gradient(d_loss, d.trainable_variables), d.trainable_variables))
        z = keras.random.normal((batch, c["latent_dim"]), seed=noise)
        with tf.GradientTape() as tape:
            g_loss = nonsaturating_generator_loss(d(g(z, training=True), training=True))
        g_opt.apply_gradients(zip(tape.gradient(g_loss, g.trainable_variables), g.trainable_variables))
        for average, current in zip(averaged.weights, g.weights):
            average.assign(c["ema_decay"] * average + (1 - c["ema_decay"]) * current)
        return d_loss, g_loss

    def run_fit():
        start = time.perf_counter()
        fit_gan.fit(data, epochs=1, verbose=0)
        return time.perf_counter() - start

    def run_hand():
        start = time.perf_counter()
        for batch in data:
            d_loss, g_loss = hand_step(batch)
        float(d_loss)  # wait for the last step
        return time.perf_counter() - start

    run_fit(), run_hand()  # compile both
    fit_ms, hand_ms = [], []
    for _ in range(repeats):
        fit_ms.append(1000 * run_fit() / steps)
        hand_ms.append(1000 * run_hand() / steps)
    return float(np.median(fit_ms)), float(np.median(hand_ms)), fit_ms, hand_ms


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tutorial-epochs", type=int, default=50)
    parser.add_argument("--course-epochs", type=int, default=40)
    parser.add_argument("--eval-samples", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=60, help="steps per timing of (c)")
    parser.add_argument("--step-repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "time_to_quality.json")
    args = parser.parse_args(argv)
    for name in ("tutorial_epochs", "course_epochs", "eval_samples", "steps", "step_repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")

    (x_train, _), _ = load_mnist()
    measure = ClassifierMetrics(x_train)
    total_start = time.perf_counter()
    tutorial_curve, tutorial_steps_per_epoch = train_tutorial(x_train, measure, args.tutorial_epochs, args.eval_samples)
    target_epoch, tutorial_seconds, target_fid = tutorial_curve[-1]
    course_curve = train_course_until(x_train, measure, target_fid, args.course_epochs, args.eval_samples)
    reached = next(((e, s, f) for e, s, f in course_curve if f <= target_fid), None)
    fit_ms, hand_ms, fit_all, hand_all = step_times(x_train, args.steps, args.step_repeats)
    # each repeat times both back to back, so a pair shares the machine's momentary speed
    paired_ratio = float(np.median(np.asarray(fit_all) / np.asarray(hand_all)))

    results = {
        "command": "python bench/time_to_quality.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {"platform": platform.platform(), "cpu_count": __import__("os").cpu_count(),
                    "tensorflow": tf.__version__, "keras": keras.__version__},
        "tutorial": {"epochs": target_epoch, "seconds": tutorial_seconds, "fid": target_fid,
                     "ms_per_step": 1000 * tutorial_seconds / (target_epoch * tutorial_steps_per_epoch),
                     "curve": tutorial_curve},
        "course": {"settings": COURSE, "reached": reached, "curve": course_curve},
        "time_ratio_course_over_tutorial": None if reached is None else reached[1] / tutorial_seconds,
        "step_ms": {"gan_fit": fit_ms, "hand_loop": hand_ms, "ratio_fit_over_hand": fit_ms / hand_ms,
                    "ratio_median_of_pairs": paired_ratio, "gan_fit_all": fit_all, "hand_loop_all": hand_all},
        "total_seconds": time.perf_counter() - total_start,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))

    print("\n| | epochs | training time | classifier FID |")
    print("|---|---|---|---|")
    print(f"| TF tutorial DCGAN | {target_epoch} | {tutorial_seconds:.0f} s | {target_fid:.2f} |")
    if reached:
        print(f"| course DCGAN (notebook 03), first epoch at or below that FID | {reached[0]} | {reached[1]:.1f} s | "
              f"{reached[2]:.2f} |")
        print(f"\ntime to the tutorial's {target_epoch}-epoch FID: course / tutorial = {reached[1] / tutorial_seconds:.3f} "
              f"(1/{tutorial_seconds / reached[1]:.0f})")
    else:
        print(f"| course DCGAN | did not reach {target_fid:.2f} in {args.course_epochs} epochs | | |")
    print(f"\nms per step (course DCGAN, batch {COURSE['batch_size']}, medians of {args.step_repeats}): GAN.fit "
          f"{fit_ms:.1f}, hand-written loop {hand_ms:.1f}; ratio fit / hand: {fit_ms / hand_ms:.3f} (medians), "
          f"{paired_ratio:.3f} (median of the paired repeats, range "
          f"{min(np.asarray(fit_all) / np.asarray(hand_all)):.2f}-{max(np.asarray(fit_all) / np.asarray(hand_all)):.2f})")
    print(f"tutorial DCGAN: {results['tutorial']['ms_per_step']:.0f} ms per step at batch 256")
    print(f"total {results['total_seconds']:.0f} s; results in {args.out}")


if __name__ == "__main__":
    main()
