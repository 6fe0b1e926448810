#!/usr/bin/env python3
"""How much does compiling notebook 01's train step buy? Ratios against eager execution, one run.

    .venv/bin/python bench/bench_toy_train_step.py [--steps 100] [--repeats 3]

The code measured is the notebook's own: the cells that define the networks, the losses and
``make_train_step`` are read from notebooks/01_gan_concepts.ipynb and executed here verbatim,
so the benchmark cannot drift from the lesson. Variants of the same step:

- ``eager``: the Python function run op by op (the baseline, ratio 1.0);
- ``tf.function``: traced into a graph, as the notebook uses it;
- ``tf.function(jit_compile=True)``: the same graph compiled with XLA.

Each variant is warmed up (tracing and compilation excluded), then timed ``--repeats`` times
over ``--steps`` steps; the median is reported. Results: printed, and written to
bench/results/toy_train_step.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import linecache
import os
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "01_gan_concepts.ipynb"
DEFINITIONS = ("def make_generator", "def minimax_discriminator_loss", "def make_train_step")


def notebook_namespace():
    """Execute the notebook cells that define the networks, the losses and the train step."""
    import keras
    import numpy as np
    import tensorflow as tf

    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    namespace = {"keras": keras, "np": np, "tf": tf}
    for marker in DEFINITIONS:
        sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and marker in "".join(c["source"])]
        if len(sources) != 1:
            raise RuntimeError(f"expected one cell with {marker!r} in {NOTEBOOK.name}, found {len(sources)}")
        filename = f"<{NOTEBOOK.name}: {marker}>"
        # register the source so that tf.function's autograph can read it, as in a notebook
        linecache.cache[filename] = (len(sources[0]), None, sources[0].splitlines(True), filename)
        exec(compile(sources[0], filename, "exec"), namespace)
    return namespace


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--hidden-units", type=int, default=128)
    args = parser.parse_args(argv)

    import keras
    import numpy as np
    import tensorflow as tf

    ns = notebook_namespace()
    keras.utils.set_random_seed(0)
    real = np.random.default_rng(0).normal(size=(args.batch_size, 2)).astype("float32")

    def fresh_step():
        generator = ns["make_generator"](2, 2, args.hidden_units)
        discriminator = ns["make_discriminator"](2, args.hidden_units)
        optimizers = [keras.optimizers.Adam(1e-3, beta_1=0.5) for _ in range(2)]
        return ns["make_train_step"](generator, discriminator, *optimizers, ns["nonsaturating_generator_loss"])

    graph_step = fresh_step()
    variants = {
        "eager": fresh_step().python_function,
        "tf.function": graph_step,
        "tf.function(jit_compile=True)": tf.function(fresh_step().python_function, jit_compile=True),
    }
    timings = {}
    for name, step in variants.items():
        for _ in range(5):  # warm-up: tracing / XLA compilation are not measured
            step(real)
        runs = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            for _ in range(args.steps):
                d_loss, _ = step(real)
            float(d_loss)  # wait for the last step
            runs.append((time.perf_counter() - start) / args.steps * 1000)
        timings[name] = statistics.median(runs)

    baseline = timings["eager"]
    print(f"notebook 01 train step, batch {args.batch_size}, hidden {args.hidden_units}, "
          f"{os.cpu_count()} CPU cores, TensorFlow {tf.__version__}")
    print(f"{'variant':32s}{'ms/step':>10s}{'speed-up vs eager':>20s}")
    for name, ms in timings.items():
        print(f"{name:32s}{ms:10.2f}{baseline / ms:19.1f}x")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "toy_train_step.json").write_text(json.dumps({
        "ms_per_step": timings, "speedup_vs_eager": {k: baseline / v for k, v in timings.items()},
        "args": vars(args), "cpu_count": os.cpu_count(), "machine": platform.machine(),
        "tensorflow": tf.__version__}, indent=2))


if __name__ == "__main__":
    main()
