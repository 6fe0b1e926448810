#!/usr/bin/env python3
"""Notebook 07's two comparisons over seeds: pix2pix (L1 + GAN) against the L1-only generator, and
CycleGAN with its cycle-consistency loss against the same without it (identity loss in both).

    .venv/bin/python bench/translation_07.py                      # seeds 0 1 2, about 15 minutes on 2 idle cores
    .venv/bin/python bench/translation_07.py --quick --seeds 0    # smoke run (quick mode, under a minute)
    .venv/bin/python bench/translation_07.py --measure-only       # re-summarise the runs already there

Each seed is one run of ``notebooks/07_image_translation.ipynb`` itself (papermill, in its own
process, default parameters but ``seed`` and ``output_dir``), so the numbers come from exactly the
notebook's code: the same data split, networks, train steps, **equal training steps** for the two
models of each comparison, and the same measurements on the held-out digits. The notebook's
committed run is seed 0.

For every metric: mean ± standard deviation (ddof 1) over the seeds for each model, the
difference of the means, and the noise band ``2 sqrt(s_a^2/n + s_b^2/n)``; a difference counts
only beyond the band ("no difference detected" otherwise).

Results: ``bench/results/translation_07.json`` (git-ignored; ``--out`` to change) with the
per-seed values, the summary and a ``markdown`` table; ``bench/reference/translation_07.json``
is the reference run quoted in the notebook and in ``bench/README.md``. ``--keep`` leaves the
executed notebooks and their outputs in ``bench/results/translation_07/`` (otherwise only the
results JSONs are kept there) and reuses a seed's results when they are already there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "07_image_translation.ipynb"
PAIRED = ("L1 only", "L1 + GAN")
UNPAIRED = ("without cycle", "with cycle")
PAIRED_METRICS = {"l1_error": ("L1 error", "{:.3f}", 1), "sharpness": ("sharpness", "{:.3f}", 1),
                  "accuracy": ("evaluator accuracy", "{:.1%}", 1), "fid": ("classifier FID", "{:.2f}", 1)}
UNPAIRED_METRICS = {"accuracy": ("accuracy (thin → thick)", "{:.1%}", 1), "changed": ("digit changed", "{:.1%}", 1),
                    "ink": ("ink share", "{:.3f}", 1), "cycle_l1": ("cycle error", "{:.3f}", 1),
                    "accuracy_to_thin": ("accuracy (thick → thin)", "{:.1%}", 1),
                    "ink_to_thin": ("ink share (thick → thin)", "{:.3f}", 1)}


def run_seed(seed: int, task: str, folder: Path, quick: bool, keep: bool) -> dict:
    """Run the notebook for ``seed`` (unless ``keep`` and its results are there); return its results."""
    name = f"results_{task}_seed{seed}" + ("_quick" if quick else "") + ".json"
    found = folder / name
    if keep and found.exists():
        print(f"seed {seed}: reusing {found}")
        return json.loads(found.read_text())
    outputs = folder / f"seed{seed}"
    env = dict(os.environ, GAN_COURSE_QUICK="1" if quick else "0")
    cmd = [sys.executable, "-m", "papermill", str(NOTEBOOK), str(outputs / "executed.ipynb"), "-p", "seed", str(seed),
           "-p", "task", task, "-p", "output_dir", str(outputs), "--cwd", str(NOTEBOOK.parent), "--no-progress-bar"]
    outputs.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"seed {seed}: {time.perf_counter() - start:.0f} s")
    shutil.copy(outputs / name, found)
    if not keep:
        shutil.rmtree(outputs)
    return json.loads(found.read_text())


def stats(values) -> list:
    values = np.asarray(values, dtype=float)
    return [float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0]


def compare(runs: list, section: str, models: tuple, metrics: dict) -> dict:
    """{metric: {model: [mean, std], "difference": d, "band": b, "verdict": ...}} (second model minus first)."""
    n = len(runs)
    table = {}
    for key in metrics:
        a = [r[section][models[0]][key] for r in runs]
        b = [r[section][models[1]][key] for r in runs]
        (ma, sa), (mb, sb) = stats(a), stats(b)
        band = 2 * np.sqrt(sa ** 2 / n + sb ** 2 / n) if n > 1 else float("nan")
        difference = mb - ma
        if n < 2:
            verdict = "one seed: no verdict"
        elif abs(difference) > band:
            verdict = "higher" if difference > 0 else "lower"
        else:
            verdict = "no difference detected"
        table[key] = {models[0]: [ma, sa], models[1]: [mb, sb], "difference": float(difference),
                      "band": float(band), "verdict": verdict, "per_seed": {models[0]: a, models[1]: b}}
    return table


def markdown_table(table: dict, models: tuple, metrics: dict, real_row: list | None, difference_label: str) -> str:
    def cell(fmt, mean, std):
        return f"{fmt.format(mean)} ± {fmt.format(std)}"

    lines = ["| model | " + " | ".join(label for label, _, _ in metrics.values()) + " |",
             "|---|" + "---|" * len(metrics)]
    for model in models:
        lines.append(f"| `{model}` | " + " | ".join(cell(fmt, *table[key][model])
                                                   for key, (_, fmt, _) in metrics.items()) + " |")
    diffs = []
    for key, (_, fmt, _) in metrics.items():
        row = table[key]
        signed = fmt.replace("{:", "{:+")
        diffs.append(f"{signed.format(row['difference'])} (band {fmt.format(row['band'])}): {row['verdict']}")
    lines.append(f"| `{difference_label}` | " + " | ".join(diffs) + " |")
    if real_row:
        lines.append("| real held-out digits | " + " | ".join(real_row) + " |")
    return "\n".join(lines)


def summarise(runs: list, seeds: list, task: str) -> dict:
    paired = compare(runs, "pix2pix", PAIRED, PAIRED_METRICS)
    unpaired = compare(runs, "cyclegan", UNPAIRED, UNPAIRED_METRICS)
    real = runs[0]["real"]   # the real digits do not depend on the seed
    p = runs[0]["parameters"]
    real_paired = ["0 (the targets)", f"{real['sharpness']:.3f}", f"{real['accuracy']:.1%}", f"{real['fid']:.2f}"]
    real_unpaired = [f"{real['accuracy_thick']:.1%} (thick)", "–", f"{real['ink_thick']:.3f} (thick)", "–",
                     f"{real['accuracy']:.1%} (thin)", f"{real['ink_thin']:.3f} (thin)"]
    markdown = (f"pix2pix, task `{task}`, {p['pix2pix_steps']} steps each, batch {p['batch_size']}, "
                f"lambda_l1 {p['lambda_l1']:g}; {len(runs)} seeds ({', '.join(map(str, seeds))}), "
                f"{p['eval_digits']} held-out digits:\n\n"
                + markdown_table(paired, PAIRED, PAIRED_METRICS, real_paired, "L1 + GAN minus L1 only")
                + f"\n\nCycleGAN thin ↔ thick, {p['cycle_steps']} steps each, batch {p['batch_size']}, "
                  f"lambda_identity {p['lambda_identity']:g} in both, lambda_cycle {p['lambda_cycle']:g} against 0:\n\n"
                + markdown_table(unpaired, UNPAIRED, UNPAIRED_METRICS, real_unpaired, "with cycle minus without cycle"))
    ms = {name: stats([r["ms_per_step"][name] for r in runs]) for name in PAIRED + UNPAIRED}
    return {"pix2pix": paired, "cyclegan": unpaired, "real": real, "parameters": p, "ms_per_step": ms,
            "markdown": markdown}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--task", default="inpaint", choices=["inpaint", "upscale"])
    parser.add_argument("--quick", action="store_true", help="quick mode (GAN_COURSE_QUICK=1): a smoke run")
    parser.add_argument("--keep", action="store_true", help="keep the executed notebooks; reuse results already there")
    parser.add_argument("--measure-only", action="store_true", help="only summarise the results already there")
    parser.add_argument("--folder", type=Path, default=ROOT / "bench" / "results" / "translation_07")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "translation_07.json")
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    runs = []
    for seed in args.seeds:
        if args.measure_only:
            name = f"results_{args.task}_seed{seed}" + ("_quick" if args.quick else "") + ".json"
            runs.append(json.loads((args.folder / name).read_text()))
        else:
            runs.append(run_seed(seed, args.task, args.folder, args.quick, args.keep))
    summary = summarise(runs, args.seeds, args.task)
    summary.update(seeds=args.seeds, quick=args.quick, task=args.task,
                   per_seed=[{"seed": s, "pix2pix": r["pix2pix"], "cyclegan": r["cyclegan"]}
                             for s, r in zip(args.seeds, runs)],
                   machine={"platform": platform.platform(), "cpus": os.cpu_count()},
                   command="python bench/translation_07.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                   wall_seconds=time.perf_counter() - start)
    if args.measure_only and args.out.exists():   # the runs' own command and time, not this re-summary's
        previous = json.loads(args.out.read_text())
        summary.update(command=previous.get("command", summary["command"]),
                       wall_seconds=previous.get("wall_seconds", summary["wall_seconds"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    print(summary["markdown"])
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
