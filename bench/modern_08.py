#!/usr/bin/env python3
"""Notebook 08's measurements: the modern stabilizers one at a time, and training on little data.

    .venv/bin/python bench/modern_08.py                      # about an hour on 2 busy CPU cores
    .venv/bin/python bench/modern_08.py --budget 2 --little-budget 2 --seeds 0 --eval-samples 200   # smoke run

**Ablation** (on the 4,000 training digits): notebook 03's DCGAN, then one change per row,
each row keeping every change of the row above: ``dcgan`` (notebook 03's networks, losses and
learning rates: G 1e-3, D 2e-4) -> ``equal-lr`` (D 1e-3 too: the stabilizers below slow the
discriminator down, and are used with rates of their own) -> ``sn`` (+ spectral normalization in
the discriminator) -> ``hinge`` (+ the hinge loss) -> ``r1`` (+ the R1 penalty, gamma 1) ->
``diffaug`` (+ DiffAugment: colour, translation, cutout) -> ``ema`` (the weight-averaged generator
of the ``diffaug`` runs; averaging does not change training, so it is read from the same runs).
Every row gets the same **training time budget**: ``--budget`` seconds of one CPU core, measured
as in ``bench/ablation_03.py`` (process CPU time with one TensorFlow thread, counted from the end
of the first, compiling step), so a switch that makes a step dearer costs that row steps, as it
would on a learner's laptop.
Notebook 03 samples its DCGAN from the averaged generator: its row here is ``dcgan`` with EMA,
reported too.

**Little data**: the ``equal-lr`` row's GAN (notebook 03's DCGAN with equal learning rates, no
other stabilizer, averaged generator: the discriminator most able to memorise) without and with
DiffAugment on the first 100 and the first 500 training digits, ``--little-budget`` CPU
seconds each. Every 25 steps the run records the discriminator's accuracy (logit > 0 read as
"real") on 500 of its training digits (all of them when it has fewer) and on 500 held-out
digits: a discriminator that memorises its training set keeps calling those real while it
rejects fresh real digits.
Measured at the end: FID and score against the 4,000 training digits (the distribution),
recall, and the memorization check of notebooks 02-03 against the digits the run trained on.

Measurement as in ``bench/ablation_03.py``: 1,000 generated images, ``ClassifierMetrics``,
precision/recall (k = 3), and the FID of five sample sets (the sampling noise of one value).
Three seeds; mean ± std; a difference counts only beyond 2·sqrt(sa²/n + sb²/n).

Results: ``bench/results/modern_08.json`` (git-ignored) and Markdown tables on stdout;
``bench/reference/modern_08.json`` keeps the reference run, which notebook 08 quotes.
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
            batch_size=64, sn=False, hinge=False, r1_gamma=0.0, diffaug=False, digits=4000)
EQUAL = {"d_lr": 1e-3}
CHAIN = {
    "dcgan": {},
    "equal-lr": {**EQUAL},
    "sn": {**EQUAL, "sn": True},
    "hinge": {**EQUAL, "sn": True, "hinge": True},
    "r1": {**EQUAL, "sn": True, "hinge": True, "r1_gamma": 1.0},
    "diffaug": {**EQUAL, "sn": True, "hinge": True, "r1_gamma": 1.0, "diffaug": True},
}
DESCRIPTION = {
    "dcgan": "notebook 03's DCGAN (G lr 1e-3, D lr 2e-4)",
    "equal-lr": "D lr 1e-3 (equal rates)",
    "sn": "+ spectral normalization (D)",
    "hinge": "+ hinge loss",
    "r1": "+ R1 penalty (gamma 1)",
    "diffaug": "+ DiffAugment (colour, translation, cutout)",
}
LITTLE = {"equal-lr": CHAIN["equal-lr"], "equal-lr+diffaug": {**CHAIN["equal-lr"], "diffaug": True}}
SIZES = (100, 500)
LOG_EVERY = 25


def settings(name, digits=4000):
    config = CHAIN[name] if name in CHAIN else LITTLE[name]
    return {**BASE, **config, "digits": digits}


def build(s, seed):
    """The GAN of one run (what notebook 08's ``build_gan`` builds)."""
    import keras

    from gan_helpers.augment import diff_augment
    from gan_helpers.losses import (hinge_discriminator_loss, hinge_generator_loss, minimax_discriminator_loss,
                                    nonsaturating_generator_loss)
    from gan_helpers.models import dcgan_discriminator, dcgan_generator
    from gan_helpers.training import GAN

    keras.utils.set_random_seed(seed)
    generator = dcgan_generator(s["latent_dim"], s["width"], 4, s["dense_units"])
    discriminator = dcgan_discriminator(s["width"], 4, dense_units=s["dense_units"], spectral_norm=s["sn"])
    losses = ((hinge_discriminator_loss, hinge_generator_loss) if s["hinge"]
              else (minimax_discriminator_loss, nonsaturating_generator_loss))
    gan = GAN(generator, discriminator, seed=seed, ema_decay=s["ema_decay"], d_loss_fn=losses[0],
              g_loss_fn=losses[1], r1_gamma=s["r1_gamma"],
              augment=(lambda images, seed_generator: diff_augment(images, seed=seed_generator)) if s["diffaug"] else None)
    gan.compile(g_optimizer=keras.optimizers.Adam(s["g_lr"], beta_1=s["beta_1"]),
                d_optimizer=keras.optimizers.Adam(s["d_lr"], beta_1=s["beta_1"]))
    return gan


def digits(n):
    from gan_helpers.data import load_mnist

    (x_train, _), (x_test, _) = load_mnist("subset", seed=0)
    return x_train[:n], x_test


def train_one(s, seed, budget, eval_samples, out):
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from gan_helpers.training import to_uint8

    x_train, x_test = digits(s["digits"])
    ds = tf.data.Dataset.from_tensor_slices(x_train).shuffle(len(x_train), seed=seed).repeat()
    ds = ds.batch(s["batch_size"], drop_remainder=True).prefetch(tf.data.AUTOTUNE)
    probe_train, probe_test = x_train[:500], x_test[:500]

    class CpuBudget(keras.callbacks.Callback):
        log = []
        excluded = 0.0

        def accuracy(self, images):
            logits = np.asarray(self.model.discriminator(images, training=False)).ravel()
            return float(np.mean(logits > 0))

        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                self.start, self.wall = time.process_time(), time.perf_counter()
            self.steps = batch + 1
            if self.steps % LOG_EVERY == 0:
                t = time.process_time()
                self.log.append([self.steps, self.accuracy(probe_train), self.accuracy(probe_test)])
                self.excluded += time.process_time() - t
            if time.process_time() - self.start - self.excluded >= budget:
                self.model.stop_training = True

    gan = build(s, seed)
    stopper = CpuBudget()
    gan.fit(ds, epochs=1, steps_per_epoch=10**7, verbose=0, callbacks=[stopper])
    steps, seconds = stopper.steps, time.perf_counter() - stopper.wall
    ema = [to_uint8(gan.generate(eval_samples, seed=10_000 + k)) for k in range(5)]
    raw = to_uint8(gan.generate(eval_samples, seed=10_000, averaged=False))
    np.savez_compressed(out, ema=np.stack(ema), raw=raw, steps=steps, seconds=seconds,
                        cpu_ms_per_step=1000 * budget / max(steps - 1, 1), d_accuracy=np.array(stopper.log))


def run_name(name, n):
    return name if n == 4000 else f"{name}_n{n}"


def stats(values):
    values = np.asarray(values, dtype=float)
    return [float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0]


def tail(log, column, last=True):
    """Mean of one column of a run's D-accuracy log over its last (or first) 4 records (NaN if none)."""
    log = np.asarray(log, dtype=float).reshape(-1, 3)
    part = log[-4:] if last else log[:4]
    return float(part[:, column].mean()) if len(part) else float("nan")


def band(a, b, n):
    return float(2 * np.sqrt((a[1] ** 2 + b[1] ** 2) / n))


def measure_all(args):
    from gan_helpers.data import load_mnist
    from gan_helpers.metrics import ClassifierMetrics, load_evaluator, memorization_check

    (x_train, _), (x_test, _) = load_mnist("subset", seed=0)
    evaluator = load_evaluator()
    measure = ClassifierMetrics(x_train, evaluator=evaluator)
    to_float = lambda u8: u8.astype("float32")[..., None] / 127.5 - 1.0  # noqa: E731

    def quality(images):
        return measure(images) | measure.precision_recall(images)

    reference = quality(x_test[:args.eval_samples])
    runs = {}
    for name in args.configs:
        for seed in args.seeds:
            saved = np.load(args.cache / f"{run_name(name, 4000)}_seed{seed}.npz")
            sets = [to_float(s) for s in saved["ema"]]
            ema = quality(sets[0])
            runs[f"{name}/{seed}"] = {
                "config": name, "seed": seed, "steps": int(saved["steps"]), "wall_seconds": float(saved["seconds"]),
                "cpu_ms_per_step": float(saved["cpu_ms_per_step"]), "ema": ema, "raw": quality(to_float(saved["raw"])),
                "ema_fid_sample_sets": [ema["fid"]] + [measure(s)["fid"] for s in sets[1:]],
                "d_accuracy": saved["d_accuracy"].tolist()}
    little = {}
    for n in args.sizes:
        train_n = x_train[:n]
        for name in args.little:
            for seed in args.seeds:
                saved = np.load(args.cache / f"{run_name(name, n)}_seed{seed}.npz")
                fake = to_float(saved["ema"][0])
                copies = memorization_check(train_n, x_test[:args.eval_samples], fake, evaluator=evaluator)
                acc = saved["d_accuracy"].reshape(-1, 3)
                little[f"{name}/{n}/{seed}"] = {
                    "config": name, "digits": n, "seed": seed, "steps": int(saved["steps"]),
                    "cpu_ms_per_step": float(saved["cpu_ms_per_step"]), "ema": quality(fake),
                    "near_copies_pixels": copies["pixels"]["near_copies"],
                    "near_copies_features": copies["features"]["near_copies"],
                    "expected_near_copies": copies["features"]["expected_near_copies"], "copies": copies["copies"],
                    "d_accuracy": acc.tolist(),
                    "d_train_accuracy_end": tail(acc, 1), "d_held_out_accuracy_end": tail(acc, 2),
                    "d_held_out_accuracy_start": tail(acc, 2, last=False)}
    return reference, runs, little


def summarise(args, reference, runs, little):
    seeds, n = args.seeds, len(args.seeds)
    table = {}
    for row in args.configs:
        rs = [runs[f"{row}/{seed}"] for seed in seeds]
        entry = {"description": DESCRIPTION[row], "steps": stats([r["steps"] for r in rs]),
                 "step_ms": stats([r["cpu_ms_per_step"] for r in rs])}
        for which in ("raw", "ema"):
            for key in ("fid", "score", "precision", "recall"):
                entry[f"{which}_{key}"] = stats([r[which][key] for r in rs])
            entry[f"{which}_fid_per_seed"] = [r[which]["fid"] for r in rs]
        entry["d_held_out_accuracy_end"] = stats([tail(r["d_accuracy"], 2) for r in rs])
        table[row] = entry
    noise = float(np.mean([np.std(r["ema_fid_sample_sets"], ddof=1) for r in runs.values()]))
    lines = [f"Equal training budget: {args.budget:.0f} s of one CPU core per run; {n} seeds; mean ± std over seeds; "
             "1,000 images per measurement against the 4,000 training digits. Raw: the generator as trained; EMA: "
             "its weight average (decay 0.99) from the same runs.", "",
             "| row | what changes | CPU ms/step (1 thread) | steps | FID (raw) | FID (EMA) | score (raw) | score (EMA) |"
             " precision (EMA) | recall (EMA) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for row, e in table.items():
        lines.append(f"| `{row}` | {e['description']} | {e['step_ms'][0]:.0f} | {e['steps'][0]:.0f} | "
                     f"{e['raw_fid'][0]:.2f} ± {e['raw_fid'][1]:.2f} | {e['ema_fid'][0]:.2f} ± {e['ema_fid'][1]:.2f} | "
                     f"{e['raw_score'][0]:.2f} ± {e['raw_score'][1]:.2f} | "
                     f"{e['ema_score'][0]:.2f} ± {e['ema_score'][1]:.2f} | "
                     f"{e['ema_precision'][0]:.2f} ± {e['ema_precision'][1]:.2f} | "
                     f"{e['ema_recall'][0]:.2f} ± {e['ema_recall'][1]:.2f} |")
    lines.append(f"| real held-out digits | | | | {reference['fid']:.2f} | | {reference['score']:.2f} | | "
                 f"{reference['precision']:.2f} | {reference['recall']:.2f} |")
    lines += ["", f"Sampling noise of one FID value (std over 5 sample sets of one generator, averaged): {noise:.2f}",
              "Each row against the row above (FID; noise band 2·sqrt(sa²/n + sb²/n)):"]
    verdicts = {}
    names = list(table)
    for above, row in zip(names, names[1:]):
        for which in ("raw", "ema"):
            a, b_ = table[above][f"{which}_fid"], table[row][f"{which}_fid"]
            diff, b = b_[0] - a[0], band(a, b_, n)
            verdicts[f"{row}/{which}"] = {"minus": above, "difference": diff, "band": b, "beyond_noise": bool(abs(diff) > b)}
        said = []
        for which in ("raw", "ema"):
            v = verdicts[f"{row}/{which}"]
            said.append(f"FID ({which}) {v['difference']:+.2f} (noise band ±{v['band']:.2f}): "
                        + ("beyond the noise" if v["beyond_noise"] else "no difference detected"))
        lines.append(f"- `{row}` − `{above}`: " + "; ".join(said))
    for row in names:
        diffs = [r - e for r, e in zip(table[row]["raw_fid_per_seed"], table[row]["ema_fid_per_seed"])]
        verdicts[f"{row}/raw-ema"] = diffs
    lines.append("- raw − EMA FID per seed: " + "; ".join(
        f"`{row}` " + ", ".join(f"{d:+.1f}" for d in verdicts[f"{row}/raw-ema"]) for row in names))
    if "dcgan" in table:
        best = min([r for r in names if r != "dcgan"] or names, key=lambda r: table[r]["ema_fid"][0])
        base = table["dcgan"]["ema_fid"]
        ratio = table[best]["ema_fid"][0] / base[0]
        verdicts["target"] = {"best": best, "fid_ratio_to_03": ratio,
                              "score_share_of_real": table[best]["ema_score"][0] / reference["score"],
                              "band": band(table[best]["ema_fid"], base, n),
                              "difference": table[best]["ema_fid"][0] - base[0]}
        change = (f"{100 * (1 - ratio):.0f} % lower than" if ratio < 1 else f"{100 * (ratio - 1):.0f} % higher than")
        lines.append(f"- lowest mean FID (EMA) of the changed rows: `{best}`, {change} notebook 03's default (`dcgan`, EMA) "
                     "at the same budget "
                     f"(difference {verdicts['target']['difference']:+.2f}, noise band ±{verdicts['target']['band']:.2f}); "
                     f"its score (EMA) is {100 * verdicts['target']['score_share_of_real']:.0f} % of the real held-out "
                     "digits'")
    little_table, little_lines = {}, []
    if little:
        little_lines = [f"Little data: {args.little_budget:.0f} s of one CPU core per run; {n} seeds; mean ± std. "
                        "D accuracy: share of real digits the discriminator calls real (logit > 0), averaged over "
                        "the last 100 steps; near copies: share of 1,000 generated digits closer to a training digit "
                        "than 99 % of held-out digits are (evaluator features; real digits give about 0.01).", "",
                        "| training digits | recipe | steps | D accuracy, training digits | D accuracy, held-out digits |"
                        " FID | score | recall | near copies |", "|---|---|---|---|---|---|---|---|---|"]
        for size in args.sizes:
            for name in args.little:
                rs = [little[f"{name}/{size}/{seed}"] for seed in seeds]
                e = {"steps": stats([r["steps"] for r in rs]),
                     "d_train": stats([r["d_train_accuracy_end"] for r in rs]),
                     "d_held_out": stats([r["d_held_out_accuracy_end"] for r in rs]),
                     "fid": stats([r["ema"]["fid"] for r in rs]), "score": stats([r["ema"]["score"] for r in rs]),
                     "recall": stats([r["ema"]["recall"] for r in rs]),
                     "near_copies": stats([r["near_copies_features"] for r in rs]),
                     "copies_flagged": int(sum(r["copies"] for r in rs))}
                little_table[f"{name}/{size}"] = e
                label = "DCGAN, equal rates" + (" + DiffAugment" if "diffaug" in name else "")
                little_lines.append(
                    f"| {size} | {label} | {e['steps'][0]:.0f} | {e['d_train'][0]:.2f} ± {e['d_train'][1]:.2f} | "
                    f"{e['d_held_out'][0]:.2f} ± {e['d_held_out'][1]:.2f} | {e['fid'][0]:.2f} ± {e['fid'][1]:.2f} | "
                    f"{e['score'][0]:.2f} ± {e['score'][1]:.2f} | {e['recall'][0]:.2f} ± {e['recall'][1]:.2f} | "
                    f"{e['near_copies'][0]:.3f} ± {e['near_copies'][1]:.3f} |")
        little_lines.append("")
        for size in args.sizes:
            if len(args.little) == 2:
                a, b = (little_table[f"{name}/{size}"] for name in args.little)
                for key, what in (("d_held_out", "D accuracy on held-out digits"), ("fid", "FID")):
                    diff, nb = b[key][0] - a[key][0], band(a[key], b[key], n)
                    little_lines.append(f"- {size} digits, with − without DiffAugment: {what} {diff:+.2f} "
                                        f"(noise band ±{nb:.2f}): "
                                        + ("beyond the noise" if abs(diff) > nb else "no difference detected"))
    return table, verdicts, little_table, "\n".join(lines), "\n".join(little_lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=150.0, help="CPU seconds per ablation run (default 150)")
    parser.add_argument("--little-budget", type=float, default=60.0, help="CPU seconds per little-data run (default 60)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--configs", nargs="*", default=list(CHAIN), choices=list(CHAIN))
    parser.add_argument("--little", nargs="*", default=list(LITTLE), choices=list(LITTLE))
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--eval-samples", type=int, default=1000)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "results" / "modern_08_runs")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "modern_08.json")
    parser.add_argument("--measure-only", action="store_true", help="re-measure saved runs only")
    parser.add_argument("--keep", action="store_true", help="keep runs already saved in --cache (resume)")
    parser.add_argument("--_one", nargs=4, metavar=("CONFIG", "DIGITS", "SEED", "BUDGET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.budget <= 0 or args.little_budget <= 0:
        raise ValueError(f"--budget and --little-budget must be positive; got {args.budget}, {args.little_budget}")
    args.cache.mkdir(parents=True, exist_ok=True)
    if args._one:
        name, n, seed, budget = args._one[0], int(args._one[1]), int(args._one[2]), float(args._one[3])
        train_one(settings(name, n), seed, budget, args.eval_samples, args.cache / f"{run_name(name, n)}_seed{seed}.npz")
        return
    if not args.measure_only:
        jobs = [(name, 4000, seed, args.budget) for seed in args.seeds for name in args.configs]
        jobs += [(name, n, seed, args.little_budget) for seed in args.seeds for n in args.sizes for name in args.little]
        jobs = [j for j in jobs if not (args.keep and (args.cache / f"{run_name(j[0], j[1])}_seed{j[2]}.npz").exists())]
        running, start = [], time.perf_counter()
        while jobs or running:
            while jobs and len(running) < args.workers:
                job = jobs.pop(0)
                cmd = [sys.executable, __file__, "--_one", *map(str, job), "--eval-samples", str(args.eval_samples),
                       "--cache", str(args.cache)]
                running.append((job, subprocess.Popen(cmd, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})))
            time.sleep(1)
            for job, proc in list(running):
                if proc.poll() is not None:
                    running.remove((job, proc))
                    if proc.returncode:
                        raise RuntimeError(f"run {job} failed")
                    print(f"done {job} at {time.perf_counter() - start:.0f} s", flush=True)
    reference, runs, little = measure_all(args)
    table, verdicts, little_table, text, little_text = summarise(args, reference, runs, little)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "budget_cpu_seconds": args.budget, "little_budget_cpu_seconds": args.little_budget, "seeds": args.seeds,
        "eval_samples": args.eval_samples, "sizes": args.sizes, "log_every": LOG_EVERY, "reference": reference,
        "table": table, "verdicts": verdicts, "little_table": little_table, "runs": runs, "little_runs": little,
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "processor": platform.processor()},
        "date": time.strftime("%Y-%m-%d"), "markdown": text, "little_markdown": little_text,
    }, indent=1, default=float))
    print(text)
    print()
    print(little_text)


if __name__ == "__main__":
    main()
