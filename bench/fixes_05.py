#!/usr/bin/env python3
"""Notebook 05's fixes for mode collapse, compared on equal terms, and the PacGAN paper's vanilla GAN.

    .venv/bin/python bench/fixes_05.py --unrolled-broken  # the reference run: about 40 minutes of one CPU core
    .venv/bin/python bench/fixes_05.py --methods vanilla recipe --settings healthy --rates 1e-3 \\
        --seeds 0 --steps 200 --sweep-steps 100 --no-pacgan --output /tmp/smoke.json        # smoke run
    .venv/bin/python bench/fixes_05.py --measure-only   # re-print the table of --output (or the reference)

**The comparison.** Every method of notebook 05 (its ``METHODS``: vanilla, nonsaturating, wgan-gp,
hinge, pacgan, minibatch-std, spectral-norm, r1, unrolled, ttur, label-smoothing, lr-decay,
recipe) trains on the ring with the notebook's own ``train_gan`` (this script executes the
notebook cell that defines it, so the benchmark measures exactly the loop the notebook teaches)
in two settings:

- ``broken``: the generator's learning rate is 4x the discriminator's (``lr_g = 4 r``, ``lr_d = r``),
  the setting notebook 05 uses to make the vanilla GAN collapse;
- ``healthy``: equal learning rates (``lr_g = lr_d = r``).

``ttur`` sets its own ratio (``lr_g = lr_d / 4``), so its two settings are the same runs; they are
trained once and shown in both. For each (setting, method):

1. **Sweep**: one run (seed ``--sweep-seed``, a seed not used below) for each base rate ``r`` in
   ``--rates`` (the same rates for every method), ``--sweep-steps`` generator steps each; the rate
   with the highest **fair-share score** (below) is kept.
2. **Seeds**: ``--seeds`` runs at the kept rate, ``--steps`` generator steps each.

Every run is scored the same way: the mean over its **last** ``--last-k`` **measurements**
(one every ``--eval-every`` steps, 2,500 samples of a fixed noise batch each), not its last frame,
of modes captured, high-quality share, reverse KL, within-mode spread
(``gan_helpers.metrics.mode_spread``: 1 for real data) and the fair-share score: the share of
samples that are high quality, counting each mode only up to its fair share 1/K of the samples
(real data score about 0.97; one mode captured perfectly scores 1/K). The losses of the last
``--last-k`` measurements are averaged too (``g_loss``, ``d_loss``: notebook 05, section 7, ranks
runs by them).

**The published vanilla setting** (``--pacgan-*``): the GAN of the PacGAN paper's synthetic
experiments (Lin et al. 2018, ``fjxmlzn/PacGAN``, ``synthetic_data_experiments``), rebuilt in
Keras: 2-D Gaussian noise; generator 4 x Dense(400, no bias) + BatchNorm (momentum 0.95) + ReLU,
then Dense(2); discriminator 3 maxout layers (200 units, 5 pieces) then Dense(1); weights
N(0, 0.02), biases 0; Adam(1e-4, beta_1 0.8) for both; batch 100; the non-saturating generator loss
(the repository's ``generator_loss``); raw (not standardized) data, 100,000 training points;
2,500 samples (BatchNorm in inference mode) scored at the end. The paper trains 400 epochs of
100,000 points (400,000 steps, 10 runs); this script trains ``--pacgan-steps`` steps (far fewer,
for CPU time; default 4,000), ``--pacgan-seeds`` runs per distribution (default: the grid only).

Each job (one (setting, method) pair, or one PacGAN run) runs in a process of its own with one
TensorFlow thread, ``--workers`` at a time; ``cpu_seconds`` is that process's CPU time, the time
the job takes on one idle core. Results: ``--output`` (default ``bench/results/fixes_05.json``);
``--merge`` adds the jobs of this invocation to an existing output (e.g. methods run later);
``--keep`` skips jobs already in the output; ``--merge-from`` adds the jobs of other outputs made with
the same settings (e.g. in parallel). The unrolled GAN (about 5x the CPU time of a plain run) runs in the
healthy setting only unless ``--unrolled-broken``. The reference run is committed as
``bench/reference/fixes_05.json`` and shown by notebook 05, section 6.
"""

from __future__ import annotations

import argparse
import json
import linecache
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOTEBOOK = ROOT / "notebooks" / "05_failure_modes.ipynb"
REFERENCE = ROOT / "bench" / "reference" / "fixes_05.json"
ALL_METHODS = ["vanilla", "nonsaturating", "wgan-gp", "hinge", "pacgan", "minibatch-std", "spectral-norm", "r1",
               "unrolled", "ttur", "label-smoothing", "lr-decay", "recipe"]
SETTINGS = {"broken": 4.0, "healthy": 1.0}   # lr_g / lr_d
METRICS = ("fair_share", "modes", "high_quality", "reverse_kl", "spread")
HEALTHY_ONLY = {"unrolled"}   # about 5x the CPU time of a plain run: by default trained in the healthy setting only


def _one_thread():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def notebook_source():
    """The source of notebook 05's training-loop cell (the one defining ``train_gan``)."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return next("".join(c["source"]) for c in cells if c["cell_type"] == "code" and "def train_gan(" in "".join(c["source"]))


def notebook_namespace(source, eval_every, batch_size=256):
    """Execute notebook 05's training-loop cell in a fresh namespace (read once, when the run starts)."""
    import keras
    import numpy as np
    import tensorflow as tf

    from gan_helpers import losses as gh_losses
    from gan_helpers.metrics import mode_coverage, mode_spread
    from gan_helpers.models import pack_samples, toy_discriminator, toy_generator

    namespace = dict(np=np, tf=tf, keras=keras, time=time, gh_losses=gh_losses, toy_generator=toy_generator,
                     toy_discriminator=toy_discriminator, pack_samples=pack_samples, mode_coverage=mode_coverage,
                     mode_spread=mode_spread, seed=0, learning_rate_g=4e-3, learning_rate_d=1e-3,
                     batch_size=batch_size, eval_every=eval_every)
    filename = f"{NOTEBOOK}:train_gan"   # AutoGraph reads the source of tf.functions: give it the cell's
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def comparison_job(setting, method, args):
    """Sweep the base rate, then train the seeds at the kept rate; return the job's record."""
    _one_thread()
    import numpy as np

    from gan_helpers.data import toy_distribution

    ns = notebook_namespace(args["source"], args["eval_every"])
    data, _, modes, std = toy_distribution(args["distribution"], 100_000, seed=np.random.default_rng(0))
    ratio = SETTINGS[setting]
    cpu0 = time.process_time()

    def run(rate, seed, steps):
        result = ns["train_gan"](method, data, steps, seed, learning_rate_g=ratio * rate, learning_rate_d=rate,
                                 eval_every=min(args["eval_every"], steps))
        k = args["last_k"]
        return {**ns["score_run"](result, modes, std, last_k=k), "steps_per_second": result["steps_per_second"],
                "g_loss": float(np.mean(result["history"]["g_loss"][-k:])),
                "d_loss": float(np.mean(result["history"]["d_loss"][-k:]))}

    sweep = {f"{rate:g}": run(rate, args["sweep_seed"], args["sweep_steps"]) for rate in args["rates"]}
    kept = max(args["rates"], key=lambda r: sweep[f"{r:g}"]["fair_share"])
    per_seed = [run(kept, seed, args["steps"]) for seed in args["seeds"]]
    summary = {}
    for key in METRICS:
        values = np.array([p[key] for p in per_seed], dtype=float)
        finite = values[np.isfinite(values)]
        summary[key] = {"mean": float(finite.mean()) if len(finite) else float("nan"),
                        "std": float(finite.std()) if len(finite) else float("nan"),
                        "min": float(finite.min()) if len(finite) else float("nan"),
                        "max": float(finite.max()) if len(finite) else float("nan")}
    return {"setting": setting, "method": method, "lr_ratio_g_to_d": ratio if method != "ttur" else 0.25,
            "rate_d": kept, "rate_g": kept * ratio if method != "ttur" else kept / 4, "sweep": sweep,
            "per_seed": per_seed, "summary": summary, "cpu_seconds": round(time.process_time() - cpu0, 1),
            "steps_per_second": float(np.mean([p["steps_per_second"] for p in per_seed]))}


def pacgan_models(seed):
    import keras
    from keras import layers, ops

    keras.utils.set_random_seed(seed)
    init = keras.initializers.RandomNormal(stddev=0.02)
    generator = keras.Sequential([keras.Input((2,))], name="pacgan_generator")
    for _ in range(4):
        generator.add(layers.Dense(400, use_bias=False, kernel_initializer=init))
        generator.add(layers.BatchNormalization(momentum=0.95, epsilon=1e-4))
        generator.add(layers.ReLU())
    generator.add(layers.Dense(2, kernel_initializer=init))

    class Maxout(layers.Layer):
        def __init__(self, units, pieces, **kw):
            super().__init__(**kw)
            self.units, self.pieces = units, pieces
            self.dense = layers.Dense(units * pieces, kernel_initializer=init)

        def call(self, x):
            return ops.max(ops.reshape(self.dense(x), (-1, self.units, self.pieces)), axis=-1)

        def compute_output_shape(self, shape):
            return (shape[0], self.units)

    discriminator = keras.Sequential([keras.Input((2,)), Maxout(200, 5), Maxout(200, 5), Maxout(200, 5),
                                      layers.Dense(1, kernel_initializer=init)], name="pacgan_discriminator")
    return generator, discriminator


def pacgan_job(distribution, seed, args):
    """The PacGAN paper's vanilla GAN (see the module docstring), ``pacgan_steps`` steps; scored at the end."""
    _one_thread()
    import keras
    import numpy as np
    import tensorflow as tf

    from gan_helpers import losses as gh_losses
    from gan_helpers.data import toy_distribution
    from gan_helpers.metrics import mode_coverage, mode_spread

    cpu0 = time.process_time()
    data, _, modes, std = toy_distribution(distribution, 100_000, seed=np.random.default_rng(seed))
    generator, discriminator = pacgan_models(seed)
    g_opt, d_opt = keras.optimizers.Adam(1e-4, beta_1=0.8), keras.optimizers.Adam(1e-4, beta_1=0.8)
    real_points, batch = tf.constant(data, tf.float32), 100

    @tf.function
    def train_steps(k):
        for _ in tf.range(k):
            real = tf.gather(real_points, tf.random.uniform((batch,), 0, len(data), tf.int32))
            with tf.GradientTape() as tape:
                fake = generator(tf.random.normal((batch, 2)), training=True)
                d_loss = gh_losses.minimax_discriminator_loss(discriminator(real), discriminator(fake))
            d_opt.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_variables),
                                      discriminator.trainable_variables))
            with tf.GradientTape() as tape:
                fake = generator(tf.random.normal((batch, 2)), training=True)
                g_loss = gh_losses.nonsaturating_generator_loss(discriminator(fake))
            g_opt.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_variables),
                                      generator.trainable_variables))

    z_eval = np.random.default_rng(seed + 10_000).normal(size=(2500, 2)).astype("float32")
    curve, done, every = [], 0, max(1, args["pacgan_steps"] // 10)
    while done < args["pacgan_steps"]:
        k = min(every, args["pacgan_steps"] - done)
        train_steps(tf.constant(k))
        done += k
        fake = generator(z_eval, training=False).numpy()
        found = mode_coverage(fake, modes, std)
        curve.append({"step": done, "modes": found["modes_captured"], "high_quality": found["high_quality"],
                      "reverse_kl": found["reverse_kl"], "spread": mode_spread(fake, modes, std)["spread"]})
    return {"distribution": distribution, "seed": seed, "steps": done, "final": curve[-1], "curve": curve,
            "cpu_seconds": round(time.process_time() - cpu0, 1)}


def _run(job):
    kind, a, b, args = job
    return kind, (comparison_job(a, b, args) if kind == "compare" else pacgan_job(a, b, args))


def print_tables(results):
    jobs = results.get("comparison", {})
    meta = results["meta"]
    print(f"\nRing, {meta['steps']} generator steps per run, seeds {meta['seeds']}; each run scored as the mean of its last "
          f"{meta['last_k']} measurements (every {meta['eval_every']} steps); base rate r swept over {meta['rates']} "
          f"({meta['sweep_steps']} steps, seed {meta['sweep_seed']}); mean ± std over seeds.\n")
    print("| setting | method | lr_d | lr_g | fair share | modes (of 8) | high-quality % | reverse KL | spread | CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for setting in SETTINGS:
        for method in ALL_METHODS:
            job = jobs.get(f"{setting}/{method}") or (jobs.get(f"both/{method}") if method == "ttur" else None)
            if job is None:
                continue
            s = job["summary"]
            print(f"| {setting} | `{method}` | {job['rate_d']:.0e} | {job['rate_g']:.0e} | "
                  f"{s['fair_share']['mean']:.3f} ± {s['fair_share']['std']:.3f} | {s['modes']['mean']:.1f} | "
                  f"{100 * s['high_quality']['mean']:.1f} ± {100 * s['high_quality']['std']:.1f} | "
                  f"{s['reverse_kl']['mean']:.3f} | {s['spread']['mean']:.2f} | {job['cpu_seconds']:.0f} |")
    runs = results.get("pacgan_vanilla", {})
    if runs:
        print(f"\nThe PacGAN paper's vanilla GAN, rebuilt ({meta.get('pacgan_steps')} steps; the paper: 400,000):\n")
        print("| distribution | seed | modes | high-quality % | reverse KL | spread | CPU s |")
        print("|---|---|---|---|---|---|---|")
        for key in sorted(runs):
            r = runs[key]
            f = r["final"]
            print(f"| {r['distribution']} | {r['seed']} | {f['modes']} | {100 * f['high_quality']:.1f} | "
                  f"{f['reverse_kl']:.3f} | {f['spread']:.2f} | {r['cpu_seconds']:.0f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", nargs="+", default=ALL_METHODS, choices=ALL_METHODS)
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--distribution", default="ring", choices=["ring", "grid"])
    parser.add_argument("--rates", type=float, nargs="+", default=[3e-4, 1e-3, 3e-3],
                        help="base learning rates r swept for every method (lr_d = r, lr_g = ratio * r)")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--sweep-steps", type=int, default=1000)
    parser.add_argument("--sweep-seed", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--last-k", type=int, default=4)
    parser.add_argument("--pacgan-steps", type=int, default=4000)
    parser.add_argument("--pacgan-seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--pacgan-distributions", nargs="+", default=["grid"], choices=["ring", "grid"])
    parser.add_argument("--unrolled-broken", action="store_true",
                        help="also train the unrolled GAN in the broken setting "
                             "(skipped by default: it costs ~5x; the reference includes it)")
    parser.add_argument("--merge-from", type=Path, nargs="+", default=[],
                        help="add the jobs of these outputs (same settings) to --output, e.g. a run made in parallel")
    parser.add_argument("--no-pacgan", action="store_true", help="skip the PacGAN vanilla reproduction")
    parser.add_argument("--no-comparison", action="store_true", help="run only the PacGAN vanilla reproduction")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "fixes_05.json")
    parser.add_argument("--merge", action="store_true", help="add this run's jobs to an existing --output")
    parser.add_argument("--keep", action="store_true", help="skip jobs already in --output (implies --merge)")
    parser.add_argument("--measure-only", action="store_true", help="print the tables of --output (or the reference)")
    args = parser.parse_args(argv)
    for name in ("steps", "sweep_steps", "eval_every", "last_k", "pacgan_steps", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if any(r <= 0 for r in args.rates):
        parser.error("--rates must be positive")

    if args.measure_only:
        path = args.output if args.output.exists() else REFERENCE
        print(f"(from {path})")
        print_tables(json.loads(path.read_text()))
        return 0

    merge = args.merge or args.keep
    results = json.loads(args.output.read_text()) if merge and args.output.exists() else {}
    results.setdefault("comparison", {})
    results.setdefault("pacgan_vanilla", {})
    common = dict(distribution=args.distribution, rates=args.rates, steps=args.steps, sweep_steps=args.sweep_steps,
                  sweep_seed=args.sweep_seed, seeds=args.seeds, eval_every=args.eval_every, last_k=args.last_k,
                  pacgan_steps=args.pacgan_steps)
    old = results.get("meta", {})
    for key in common:
        unused = key == "pacgan_steps" and (args.no_pacgan or not results["pacgan_vanilla"])
        if key in old and old[key] != common[key] and not unused:
            parser.error(f"--merge: this run's {key} ({common[key]}) differs from the output's ({old[key]})")
    if args.no_pacgan and "pacgan_steps" in old:
        common["pacgan_steps"] = old["pacgan_steps"]
    command = "bench/fixes_05.py " + " ".join(sys.argv[1:] if argv is None else argv)
    earlier = ([old.pop("command")] if "command" in old else []) + old.pop("commands", [])
    results["meta"] = {**old, **common, "commands": earlier + [command],
                       "machine": f"{platform.machine()}, {os.cpu_count()} cores, one TensorFlow thread per job",
                       "date": time.strftime("%Y-%m-%d")}

    for path in args.merge_from:
        other = json.loads(path.read_text())
        for key in ("distribution", "rates", "steps", "sweep_steps", "sweep_seed", "seeds", "eval_every", "last_k"):
            if other["meta"][key] != common[key]:
                parser.error(f"--merge-from {path}: its {key} ({other['meta'][key]}) differs from this run's "
                             f"({common[key]})")
        results["comparison"].update(other.get("comparison", {}))
        results["pacgan_vanilla"].update(other.get("pacgan_vanilla", {}))
        merged = other["meta"].get("commands", [other["meta"].get("command")])
        results["meta"]["commands"] += [f"(merged) {c}" for c in merged]
    common["source"] = notebook_source()
    jobs = []
    if not args.no_comparison:
        for method in args.methods:
            skip = method in HEALTHY_ONLY and not args.unrolled_broken
            settings = [s for s in args.settings if not (skip and s == "broken")]
            for setting in (["both"] if method == "ttur" else settings):
                key = f"{setting}/{method}"
                if not (args.keep and key in results["comparison"]):
                    jobs.append(("compare", "broken" if setting == "both" else setting, method, common))
    if not args.no_pacgan:
        for distribution in args.pacgan_distributions:
            for seed in args.pacgan_seeds:
                if not (args.keep and f"{distribution}/{seed}" in results["pacgan_vanilla"]):
                    jobs.append(("pacgan", distribution, seed, common))
    # the expensive jobs first, so the last worker is not left alone with one of them
    cost = {"wgan-gp": 4, "unrolled": 4, "pacgan": 1.3, "recipe": 1.3}
    jobs.sort(key=lambda j: -(10 if j[0] == "pacgan" else cost.get(j[2], 1)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    import multiprocessing

    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for kind, record in pool.map(_run, jobs):
            if kind == "compare":
                key = f"{'both' if record['method'] == 'ttur' else record['setting']}/{record['method']}"
                results["comparison"][key] = record
                s = record["summary"]
                print(f"{key:26s} rate {record['rate_d']:.0e}  fair share {s['fair_share']['mean']:.3f} ± "
                      f"{s['fair_share']['std']:.3f}  modes {s['modes']['mean']:.1f}  "
                      f"HQ {100 * s['high_quality']['mean']:.1f} %  ({record['cpu_seconds']:.0f} CPU s)", flush=True)
            else:
                results["pacgan_vanilla"][f"{record['distribution']}/{record['seed']}"] = record
                f = record["final"]
                print(f"pacgan-vanilla {record['distribution']} seed {record['seed']}: modes {f['modes']}  HQ "
                      f"{100 * f['high_quality']:.1f} %  KL {f['reverse_kl']:.3f}  ({record['cpu_seconds']:.0f} CPU s)",
                      flush=True)
            args.output.write_text(json.dumps(results, indent=1))
    results["meta"]["wall_seconds_last_invocation"] = round(time.perf_counter() - start, 1)
    args.output.write_text(json.dumps(results, indent=1))
    print_tables(results)
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
