#!/usr/bin/env python3
"""Which network should learn faster? The generator/discriminator learning-rate ratio on the 2-D ring.

    .venv/bin/python bench/lr_ratio.py                   # about 5 minutes on 2 CPU cores
    .venv/bin/python bench/lr_ratio.py --steps 200 --seeds 1 --ratios 1 4   # smoke run

The setting of notebook 05 (PacGAN's ring: 8 Gaussians, std 0.01, 100,000 training points; MLP
generator and discriminator of ``gan_helpers.models``; batch 256; Adam beta_1 0.5; 4,000
generator steps, one discriminator step each) with the **non-saturating** generator loss (the one
notebooks 02, 03 and 06 train with). The discriminator's learning rate is fixed at ``--d-lr``
(1e-3); the generator's is ``ratio x d_lr`` for each ``--ratios`` value (1/4: the generator 4x
slower, as in TTUR; 4 and 5: 4x and 5x faster, as notebooks 05 and 03 use). Every ratio runs the
same seeds, the same number of steps; the last samples are scored with
``gan_helpers.metrics.mode_coverage`` (modes captured, high-quality share, reverse KL).

Notebook 03's image version of the same question is in ``bench/ablation_03.py`` (rows
``dcgan``, ``equal-lr-*``, ``g-slower``). Results: ``bench/results/lr_ratio.json`` (git-ignored)
and a Markdown table on stdout; ``bench/README.md`` keeps the reference run's table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_helpers.data import toy_distribution  # noqa: E402
from gan_helpers.losses import minimax_discriminator_loss, nonsaturating_generator_loss  # noqa: E402
from gan_helpers.metrics import mode_coverage  # noqa: E402
from gan_helpers.models import toy_discriminator, toy_generator  # noqa: E402

LATENT_DIM = 8


def train(data, g_lr, d_lr, steps, seed, batch_size=256):
    keras.utils.set_random_seed(seed)
    scale = float(data.std())
    generator = toy_generator(LATENT_DIM, output_scale=scale)
    discriminator = toy_discriminator(input_scale=scale)
    g_optimizer = keras.optimizers.Adam(g_lr, beta_1=0.5)
    d_optimizer = keras.optimizers.Adam(d_lr, beta_1=0.5)
    points, n = tf.constant(data), len(data)

    @tf.function
    def train_steps(k):
        for _ in tf.range(k):
            real = tf.gather(points, tf.random.uniform((batch_size,), 0, n, tf.int32))
            fake = generator(tf.random.normal((batch_size, LATENT_DIM)))
            with tf.GradientTape() as tape:
                d_loss = minimax_discriminator_loss(discriminator(real), discriminator(fake))
            grads = tape.gradient(d_loss, discriminator.trainable_variables)
            d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
            with tf.GradientTape() as tape:
                g_loss = nonsaturating_generator_loss(discriminator(generator(tf.random.normal((batch_size, LATENT_DIM)))))
            grads = tape.gradient(g_loss, generator.trainable_variables)
            g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return d_loss

    train_steps(tf.constant(steps))
    z = np.random.default_rng(seed + 10_000).normal(size=(2500, LATENT_DIM)).astype("float32")
    return generator(z).numpy()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--d-lr", type=float, default=1e-3)
    parser.add_argument("--ratios", type=float, nargs="+", default=[0.25, 1.0, 4.0, 5.0])
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "lr_ratio.json")
    args = parser.parse_args(argv)
    for name in ("steps", "seeds"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name} must be at least 1")
    data, _, modes, std = toy_distribution("ring", 100_000, seed=np.random.default_rng(0))
    results = {}
    start = time.perf_counter()
    for ratio in args.ratios:
        scores = []
        for seed in range(args.seeds):
            samples = train(data, ratio * args.d_lr, args.d_lr, args.steps, seed)
            score = mode_coverage(samples, modes, std)
            scores.append({"seed": seed, "modes": int(score["modes_captured"]), "high_quality": float(score["high_quality"]),
                           "reverse_kl": float(score["reverse_kl"])})
            print(f"ratio {ratio:g} seed {seed}: {scores[-1]} ({time.perf_counter() - start:.0f} s)", flush=True)
        results[str(ratio)] = scores
    text = render(results, args.steps, args.d_lr, args.seeds, len(modes))
    print("\n" + text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"steps": args.steps, "d_lr": args.d_lr, "seeds": args.seeds, "results": results,
                                       "markdown": text, "date": time.strftime("%Y-%m-%d")}, indent=1))


def render(results, steps, d_lr, seeds, n_modes=8):
    """The Markdown table of a run: one row per ratio."""
    lines = [f"Ring, {steps} steps, D lr {d_lr:g}, non-saturating loss, {seeds} seeds:", "",
             "| G lr / D lr | modes captured (per seed) | all 8 modes | HQ share, mean ± std |", "|---|---|---|---|"]
    for ratio, scores in results.items():
        hq = np.array([s["high_quality"] for s in scores])
        modes_list = [s["modes"] for s in scores]
        lines.append(f"| {float(ratio):g} | {modes_list} | {sum(m == n_modes for m in modes_list)}/{len(scores)} | "
                     f"{100 * hq.mean():.1f} ± {100 * hq.std(ddof=1) if len(hq) > 1 else 0:.1f} % |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
