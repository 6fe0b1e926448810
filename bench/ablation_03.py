#!/usr/bin/env python3
"""What makes notebook 03's DCGAN better than notebook 02's MLP GAN? A controlled ablation.

    .venv/bin/python bench/ablation_03.py                       # about 30 minutes on 2 idle CPU cores
    .venv/bin/python bench/ablation_03.py --budget 2 --seeds 0 --configs dcgan mlp --eval-samples 200   # smoke run

Each row changes ONE thing against notebook 03's default (``dcgan``), and every row gets the
same **training time budget**: ``--budget`` seconds of one CPU core.

1. Training: every (configuration, seed) pair in its own process, ``--workers`` at a time, each
   with one TensorFlow thread, stops after the first training step at which the process has used
   ``--budget`` seconds of CPU time (counted from the end of the first step, which traces and
   compiles the graph). With one thread, CPU time is the wall-clock time the run would take on
   one idle core, and it is not inflated by other work on the machine. A model that is cheap per
   step gets more steps, as it would on a learner's laptop.
2. Measurement: classifier FID, score and class shares (``gan_helpers.metrics.ClassifierMetrics``,
   1,000 generated images against the 4,000 training digits, as in notebooks 02 and 03) of the
   weight-averaged (EMA) generator **and** of the raw generator of the same run, and the FID of
   five sample sets of the EMA generator (its spread is the sampling noise of one FID value).
   Precision and recall (Kynkäänniemi et al. 2019, ``ClassifierMetrics.precision_recall``).

Rows: ``dcgan`` (width 32, dense 1024 next to z and the logit, latent 64, Adam G 1e-3 / D 2e-4,
beta_1 0.5, EMA 0.99, batch 64); ``mlp`` (notebook 02's networks with latent 64 and everything
else as ``dcgan``); ``allconv`` (``dcgan`` without the two dense-1024 layers); ``equal-lr-2e-4``
and ``equal-lr-1e-3`` (``dcgan`` with both learning rates equal); ``g-slower`` (the ratio turned round:
G 2e-4, D 1e-3). EMA on/off is read from the
same runs (EMA does not change training, only which weights are sampled).

Results: ``bench/results/ablation_03.json`` (git-ignored) and a Markdown table on stdout;
``bench/README.md`` keeps the reference run's table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE = dict(width=32, dense_units=1024, latent_dim=64, g_lr=1e-3, d_lr=2e-4, beta_1=0.5, ema_decay=0.99,
            batch_size=64, model="dcgan")
CONFIGS = {
    "dcgan": {},
    "mlp": {"model": "mlp"},
    "allconv": {"dense_units": 0},
    "equal-lr-2e-4": {"g_lr": 2e-4},
    "equal-lr-1e-3": {"d_lr": 1e-3},
    "g-slower": {"g_lr": 2e-4, "d_lr": 1e-3},
}
DESCRIPTION = {
    "dcgan": "notebook 03's DCGAN (dense 1024, G lr 5x D lr, EMA)",
    "mlp": "MLP networks of 02, everything else as dcgan",
    "allconv": "dcgan without the dense-1024 layers",
    "equal-lr-2e-4": "dcgan, both learning rates 2e-4",
    "equal-lr-1e-3": "dcgan, both learning rates 1e-3",
    "g-slower": "dcgan, G lr 2e-4 and D lr 1e-3 (G 5x slower)",
}


def settings(name):
    return {**BASE, **CONFIGS[name]}


def build(name, seed):
    import keras

    from gan_helpers.models import dcgan_discriminator, dcgan_generator, mlp_discriminator, mlp_generator
    from gan_helpers.training import GAN

    s = settings(name)
    keras.utils.set_random_seed(seed)
    if s["model"] == "mlp":
        generator, discriminator = mlp_generator(s["latent_dim"]), mlp_discriminator()
    else:
        generator = dcgan_generator(s["latent_dim"], s["width"], 4, s["dense_units"])
        discriminator = dcgan_discriminator(s["width"], 4, dense_units=s["dense_units"])
    gan = GAN(generator, discriminator, seed=seed, ema_decay=s["ema_decay"])
    gan.compile(g_optimizer=keras.optimizers.Adam(s["g_lr"], beta_1=s["beta_1"]),
                d_optimizer=keras.optimizers.Adam(s["d_lr"], beta_1=s["beta_1"]))
    return gan


def training_data(seed, batch_size, repeat=True):
    import tensorflow as tf

    from gan_helpers.data import load_mnist

    (x_train, _), _ = load_mnist("subset", seed=0)
    ds = tf.data.Dataset.from_tensor_slices(x_train).shuffle(len(x_train), seed=seed)
    ds = ds.batch(batch_size, drop_remainder=True)
    return (ds.repeat() if repeat else ds).prefetch(tf.data.AUTOTUNE)


def train_one(name, seed, budget, eval_samples, out):
    """Train one row with one thread for ``budget`` CPU seconds; save its samples for measurement."""
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from gan_helpers.training import to_uint8

    class CpuBudget(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                self.start, self.wall = time.process_time(), time.perf_counter()
            self.steps = batch + 1
            if time.process_time() - self.start >= budget:
                self.model.stop_training = True

    gan = build(name, seed)
    stopper = CpuBudget()
    gan.fit(training_data(seed, settings(name)["batch_size"]), epochs=1, steps_per_epoch=10**7, verbose=0,
            callbacks=[stopper])
    steps, seconds = stopper.steps, time.perf_counter() - stopper.wall
    ema = [to_uint8(gan.generate(eval_samples, seed=10_000 + k)) for k in range(5)]
    z = np.random.default_rng(10_000).normal(size=(eval_samples, gan.latent_dim)).astype("float32")
    raw = to_uint8(np.asarray(gan.generator(z, training=False)))
    np.savez_compressed(out, ema=np.stack(ema), raw=raw, steps=steps, seconds=seconds,
                        cpu_ms_per_step=1000 * budget / max(steps - 1, 1))


def measure_all(names, seeds, cache, eval_samples):
    from gan_helpers.data import load_mnist
    from gan_helpers.metrics import ClassifierMetrics

    (x_train, _), (x_test, _) = load_mnist("subset", seed=0)
    measure = ClassifierMetrics(x_train)
    to_float = lambda u8: u8.astype("float32") / 127.5 - 1.0  # noqa: E731

    def quality(images):
        return measure(images) | measure.precision_recall(images)

    reference = quality(x_test[:eval_samples])
    rows = {}
    for name in names:
        for seed in seeds:
            saved = np.load(cache / f"{name}_seed{seed}.npz")
            ema_sets = [to_float(s) for s in saved["ema"]]
            ema = quality(ema_sets[0])
            rows[f"{name}/{seed}"] = {
                "config": name, "seed": seed, "steps": int(saved["steps"]), "wall_seconds": float(saved["seconds"]),
                "cpu_ms_per_step": float(saved["cpu_ms_per_step"]),
                "ema": ema, "raw": quality(to_float(saved["raw"])),
                "ema_fid_sample_sets": [ema["fid"]] + [measure(s)["fid"] for s in ema_sets[1:]],
            }
    return reference, rows


def summarise(names, seeds, rows, reference, budget):
    def stats(values):
        values = np.asarray(values, dtype=float)
        return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0

    table = {}
    for name in names:
        rs = [rows[f"{name}/{seed}"] for seed in seeds]
        entry = {"steps": stats([r["steps"] for r in rs]), "step_ms": stats([r["cpu_ms_per_step"] for r in rs]),
                 "description": DESCRIPTION[name]}
        for which in ("ema", "raw"):
            for key in ("fid", "score", "precision", "recall"):
                entry[f"{which}_{key}"] = stats([r[which][key] for r in rs])
            entry[f"{which}_min_class_share"] = stats([min(r[which]["class_shares"]) for r in rs])
        entry["fid_per_seed"] = [r["ema"]["fid"] for r in rs]
        entry["sampling_noise_fid"] = float(np.mean([np.std(r["ema_fid_sample_sets"], ddof=1) for r in rs]))
        table[name] = entry
    lines = [f"Equal training budget: {budget:.0f} s of one CPU core per run; "
             f"{len(seeds)} seeds; mean ± std over seeds.",
             "", "| row | what changes | ms/step | steps | FID (EMA) | FID (raw) | score (EMA) | smallest class share |"
             " precision | recall |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, e in table.items():
        line = (f"| `{name}` | {e['description']} | {e['step_ms'][0]:.0f} | {e['steps'][0]:.0f} | "
                f"{e['ema_fid'][0]:.2f} ± {e['ema_fid'][1]:.2f} | {e['raw_fid'][0]:.2f} ± {e['raw_fid'][1]:.2f} | "
                f"{e['ema_score'][0]:.2f} ± {e['ema_score'][1]:.2f} | {e['ema_min_class_share'][0]:.3f} |"
                f" {e['ema_precision'][0]:.2f} ± {e['ema_precision'][1]:.2f} |"
                f" {e['ema_recall'][0]:.2f} ± {e['ema_recall'][1]:.2f} |")
        lines.append(line)
    ref = (f"| real held-out digits | | | | {reference['fid']:.2f} | | {reference['score']:.2f} | "
           f"{min(reference['class_shares']):.3f} | {reference['precision']:.2f} | {reference['recall']:.2f} |")
    lines.append(ref)
    noise = np.mean([e["sampling_noise_fid"] for e in table.values()])
    lines += ["", f"Sampling noise of one FID value (std over 5 sample sets of one generator, averaged): {noise:.2f}",
              "A difference counts only when it exceeds twice its standard error, 2·sqrt(sa²/n + sb²/n) over seeds."]
    base = table[names[0]]
    for name in names[1:]:
        e = table[name]
        diff = e["ema_fid"][0] - base["ema_fid"][0]
        band = 2 * np.sqrt((e["ema_fid"][1] ** 2 + base["ema_fid"][1] ** 2) / len(seeds))
        verdict = "beyond the noise" if abs(diff) > band else "within the noise"
        lines.append(f"- `{name}` − `{names[0]}`: FID {diff:+.2f} (noise band ±{band:.2f}): {verdict}")
    diffs = [rows[f"{names[0]}/{s}"]["raw"]["fid"] - rows[f"{names[0]}/{s}"]["ema"]["fid"] for s in seeds]
    lines.append(f"- EMA vs raw generator of the same `{names[0]}` runs: raw − EMA FID per seed "
                 + ", ".join(f"{d:+.2f}" for d in diffs))
    return table, "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=150.0, help="CPU seconds of training per run (default 150)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--eval-samples", type=int, default=1000)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "results" / "ablation_03_runs")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "ablation_03.json")
    parser.add_argument("--measure-only", action="store_true", help="re-measure saved runs only")
    parser.add_argument("--keep", action="store_true", help="keep runs already saved in --cache (resume an interrupted run)")
    parser.add_argument("--_one", nargs=2, metavar=("CONFIG", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.budget <= 0:
        raise ValueError(f"--budget must be positive; got {args.budget}")
    args.cache.mkdir(parents=True, exist_ok=True)
    if args._one:
        name, seed = args._one[0], int(args._one[1])
        train_one(name, seed, args.budget, args.eval_samples, args.cache / f"{name}_seed{seed}.npz")
        return
    if not args.measure_only:
        jobs = [(name, seed) for seed in args.seeds for name in args.configs
                if not (args.keep and (args.cache / f"{name}_seed{seed}.npz").exists())]
        running = []
        start = time.perf_counter()
        while jobs or running:
            while jobs and len(running) < args.workers:
                name, seed = jobs.pop(0)
                cmd = [sys.executable, __file__, "--_one", name, str(seed), "--budget", str(args.budget),
                       "--eval-samples", str(args.eval_samples), "--cache", str(args.cache)]
                env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
                running.append((name, seed, subprocess.Popen(cmd, env=env)))
            time.sleep(1)
            for job in list(running):
                if job[2].poll() is not None:
                    running.remove(job)
                    if job[2].returncode:
                        raise RuntimeError(f"run {job[0]} seed {job[1]} failed")
                    print(f"done {job[0]} seed {job[1]} at {time.perf_counter() - start:.0f} s",
                          flush=True)
    reference, rows = measure_all(args.configs, args.seeds, args.cache, args.eval_samples)
    table, text = summarise(args.configs, args.seeds, rows, reference, args.budget)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "budget_cpu_seconds": args.budget, "seeds": args.seeds,
        "eval_samples": args.eval_samples, "reference": reference, "table": table, "runs": rows,
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "processor": platform.processor()},
        "date": time.strftime("%Y-%m-%d"), "markdown": text,
    }, indent=1, default=float))
    print(text)


if __name__ == "__main__":
    main()
