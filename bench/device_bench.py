#!/usr/bin/env python3
"""The notebooks on the accelerator next to the CPU: wall times and train-step times, one run.

    .venv/bin/python bench/device_bench.py [--notebooks 01,03] [--skip-default] [--devices cpu,gpu]
                                           [--out bench/results/device_bench.json] [--dry-run]

What runs, each as its own plain papermill execution (``python -m papermill``, as ``course.py run``
does) in notebooks/ as working folder:

- every notebook ``notebooks/NN_*.ipynb`` in quick mode (``GAN_COURSE_QUICK=1``), in order;
- notebook 03 with its default parameters (``GAN_COURSE_QUICK=0``: 30 epochs), unless
  ``--skip-default`` (this run does not depend on ``--notebooks``).

Each of them once per device: ``gpu`` with the GPUs TensorFlow sees, ``cpu`` with them hidden
(``CUDA_VISIBLE_DEVICES=-1``). By default both when TensorFlow sees a GPU, else the CPU only.
A TensorFlow probe in a subprocess (this process never imports TensorFlow) checks each
device's environment before anything runs: the ``gpu`` one must list a GPU, the ``cpu`` one none.

Every run writes into its own temporary folder (``-p output_dir``), one per device and mode laid
out like notebooks/outputs/, so nothing of the repository is overwritten, no run resumes from
another's checkpoint, and notebook 03's quick run finds notebook 02's quick results as it does
in the course. (03's default run finds no 02 results of the same configuration and retrains its
small MLP comparison, 10 epochs, on the same device.)

Measured per run: the wall time of the papermill process (kernel start, imports, data, training,
metrics, figures); from the results JSON the notebook writes, its training time
(``train_seconds``, summed when it has parts) and, for notebooks 02 and 03, the time per training
step (``seconds_per_step``: training time over all steps, graph tracing included, as the notebook
prints it) and, when it trained at least 3 epochs, the median epoch's time per step (tracing
excluded). Printed as a markdown table with the CPU/GPU ratio; everything goes to ``--out``
(git-ignored bench/results/), rewritten after every run so that an interrupted run keeps what
it measured.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_RUN_NOTEBOOK = "03"
DEVICES = ("cpu", "gpu")
NO_GPU = "no GPU found: CPU column only"
PROBE = """\
import json, tensorflow as tf
gpus = tf.config.list_physical_devices("GPU")
names = []
for gpu in gpus:
    try:
        names.append(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
    except Exception:
        names.append(gpu.name)
print("PROBE " + json.dumps({"tensorflow": tf.__version__, "gpus": names,
                             "built_with_cuda": tf.test.is_built_with_cuda()}))
"""


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def device_env(device: str, base: dict | None = None) -> dict:
    """The environment of a run on ``device``: ``cpu`` hides every GPU, ``gpu`` leaves them visible."""
    env = dict(os.environ if base is None else base)
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = "-1"
    return env


def probe(device: str) -> dict:
    """Ask TensorFlow, in a subprocess with ``device``'s environment, which GPUs it sees."""
    done = subprocess.run([sys.executable, "-c", PROBE], env=device_env(device), capture_output=True, text=True,
                          timeout=300)
    for line in done.stdout.splitlines():
        if line.startswith("PROBE "):
            return json.loads(line[len("PROBE "):])
    raise RuntimeError(f"the TensorFlow probe failed (exit {done.returncode}):\n{done.stderr[-2000:]}")


def nvidia_smi() -> list[str]:
    """The GPUs ``nvidia-smi -L`` lists (empty without the tool or a driver)."""
    if not shutil.which("nvidia-smi"):
        return []
    try:
        done = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 else []


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def select_notebooks(spec: str | None, paths: list[Path]) -> list[Path]:
    """``"01,03"`` -> those notebooks (by their two-digit number), in course order; None -> all."""
    if spec is None:
        return list(paths)
    by_number = {p.name[:2]: p for p in paths}
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [s for s in wanted if s.zfill(2) not in by_number]
    if not wanted or unknown:
        raise ValueError(f"--notebooks: unknown {', '.join(unknown) or 'empty list'}; "
                         f"choose from {','.join(sorted(by_number))}")
    numbers = {s.zfill(2) for s in wanted}
    return [p for p in paths if p.name[:2] in numbers]


def parse_devices(spec: str) -> list[str] | None:
    """``"cpu,gpu"`` -> ["cpu", "gpu"]; ``"auto"`` -> None (decided by the probe)."""
    if spec == "auto":
        return None
    devices = [s.strip().lower() for s in spec.split(",") if s.strip()]
    if not devices or any(d not in DEVICES for d in devices):
        raise ValueError(f"--devices: expected auto or a list of {', '.join(DEVICES)}; got {spec!r}")
    return [d for d in DEVICES if d in devices]  # CPU first, no duplicates


def build_plan(notebooks: list[Path], include_default: bool, devices: list[str], workdir: Path,
               cell_timeout: int = 3600, paths: list[Path] | None = None) -> list[dict]:
    """One entry per (notebook run, device): its label, environment changes and papermill command."""
    specs = [(nb, "quick") for nb in notebooks]
    if include_default:
        default_nb = [p for p in (paths if paths is not None else notebook_paths())
                      if p.name.startswith(DEFAULT_RUN_NOTEBOOK + "_")]
        if len(default_nb) != 1:
            raise RuntimeError(f"expected one notebook {DEFAULT_RUN_NOTEBOOK}_*.ipynb, found {len(default_nb)}")
        specs.append((default_nb[0], "default"))
    plan = []
    for nb, mode in specs:
        for device in devices:
            folder = workdir / f"{device}-{mode}"
            env = {"GAN_COURSE_QUICK": "1" if mode == "quick" else "0"}
            if device == "cpu":
                env["CUDA_VISIBLE_DEVICES"] = "-1"
            plan.append({
                "run": f"{nb.name[:2]} {mode}", "notebook": nb.name, "mode": mode, "device": device, "env": env,
                "output_dir": str(folder / nb.stem),
                "command": [sys.executable, "-m", "papermill", str(nb), str(folder / nb.name), "--cwd", str(NOTEBOOKS),
                            "--log-level", "WARNING", "--execution-timeout", str(cell_timeout),
                            "-p", "output_dir", str(folder / nb.stem)],
            })
    return plan


def shell_line(entry: dict) -> str:
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in entry["env"].items())
    return f"{env} {shlex.join(entry['command'])}"


def read_metrics(output_dir: Path) -> dict:
    """Training seconds and step times from the results JSON a notebook wrote into ``output_dir``."""
    found = sorted(output_dir.glob("results_*.json"))
    if not found:
        return {}
    results = json.loads(found[0].read_text())
    metrics = {"results_file": found[0].name}
    seconds = results.get("train_seconds")
    if isinstance(seconds, dict):
        seconds = sum(v for v in seconds.values() if isinstance(v, (int, float)))
    if isinstance(seconds, (int, float)):
        metrics["train_seconds"] = float(seconds)
    if isinstance(results.get("seconds_per_step"), (int, float)):
        metrics["step_ms"] = 1000 * results["seconds_per_step"]
        cumulative = (results.get("history") or {}).get("train_seconds") or []
        epochs = len(cumulative)
        if epochs >= 3 and results["seconds_per_step"] > 0:
            steps_per_epoch = round(cumulative[-1] / (results["seconds_per_step"] * epochs))
            epoch_seconds = [b - a for a, b in zip([0.0, *cumulative[:-1]], cumulative)]
            if steps_per_epoch > 0:
                metrics["steps_per_epoch"] = steps_per_epoch
                metrics["median_epoch_step_ms"] = 1000 * statistics.median(epoch_seconds) / steps_per_epoch
    return metrics


MEASURES = (  # key in a run's record, row label, unit
    ("wall_seconds", "wall time", "s"),
    ("train_seconds", "training time", "s"),
    ("step_ms", "train step (all steps)", "ms"),
    ("median_epoch_step_ms", "train step (median epoch)", "ms"),
)


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def format_table(records: list[dict], devices: list[str]) -> str:
    """Markdown: one row per (run, measure), a column per device, and CPU/GPU when both ran.

    ``records`` are the runs' records (``run``, ``device``, ``ok`` and the measures); a failed
    run shows ``failed`` in its cell."""
    runs = list(dict.fromkeys(r["run"] for r in records))
    by_key = {(r["run"], r["device"]): r for r in records}
    ratio = devices == ["cpu", "gpu"]
    header = ["run", "measure", *[d.upper() for d in devices]] + (["CPU/GPU"] if ratio else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for run in runs:
        cells = [by_key.get((run, d)) for d in devices]
        failed = any(c is not None and not c.get("ok") for c in cells)
        for key, label, unit in MEASURES:
            values = [c.get(key) if c is not None and c.get("ok") else None for c in cells]
            if all(v is None for v in values) and not (failed and key == "wall_seconds"):
                continue  # a measure this notebook does not report
            row = [run, label] + ["failed" if c is not None and not c.get("ok") else _value(v, unit)
                                  for c, v in zip(cells, values)]
            if ratio:
                row.append(f"{values[0] / values[1]:.2f}×" if values[0] and values[1] else "–")
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def machine_description(gpu_names: list[str], tensorflow: str | None) -> dict:
    return {"cpu_count": os.cpu_count(), "cpu": cpu_model(), "machine": platform.machine(),
            "python": platform.python_version(), "tensorflow": tensorflow, "gpus": gpu_names,
            "nvidia_smi": nvidia_smi(), "date": datetime.date.today().isoformat()}


def describe(machine: dict) -> str:
    gpu = "; ".join(machine["nvidia_smi"] or machine["gpus"]) or "no GPU"
    return (f"{machine['cpu_count']} CPU cores ({machine['cpu']}), {gpu}, TensorFlow {machine['tensorflow']}, "
            f"Python {machine['python']}, {machine['date']}")


def run_entry(entry: dict) -> dict:
    Path(entry["output_dir"]).parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **entry["env"]}
    start = time.perf_counter()
    done = subprocess.run(entry["command"], env=env, capture_output=True, text=True)
    record = {k: entry[k] for k in ("run", "notebook", "mode", "device")}
    record.update(ok=done.returncode == 0, returncode=done.returncode, wall_seconds=time.perf_counter() - start,
                  command=shell_line(entry))
    if done.returncode == 0:
        record.update(read_metrics(Path(entry["output_dir"])))
    else:
        record["error_tail"] = done.stderr[-3000:]
    return record


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", help="two-digit numbers, comma-separated (default: all), run in quick mode")
    parser.add_argument("--skip-default", action="store_true",
                        help=f"leave out notebook {DEFAULT_RUN_NOTEBOOK}'s run with its default parameters")
    parser.add_argument("--devices", default="auto", help="auto (default: cpu, plus gpu when TensorFlow sees one), "
                                                          "cpu, gpu or cpu,gpu")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "device_bench.json")
    parser.add_argument("--cell-timeout", type=int, default=3600, help="papermill's limit per cell, seconds")
    parser.add_argument("--dry-run", action="store_true", help="print the plan (devices, commands) and run nothing")
    args = parser.parse_args(argv)
    try:
        notebooks = select_notebooks(args.notebooks, notebook_paths())
        requested = parse_devices(args.devices)
    except ValueError as error:
        parser.error(str(error))
    if args.cell_timeout < 1:
        parser.error("--cell-timeout must be at least 1")

    if args.dry_run:  # no TensorFlow: nvidia-smi stands in for the probe
        smi = nvidia_smi()
        devices = requested or (["cpu", "gpu"] if smi else ["cpu"])
        print("dry run: nothing is executed.")
        print("GPUs (nvidia-smi -L): " + ("; ".join(smi) if smi else "none"))
        if "gpu" not in devices:
            print(NO_GPU if requested is None else "devices: " + ",".join(devices))
        elif not smi:
            print("nvidia-smi lists no GPU: the gpu runs below are dropped unless TensorFlow sees one")
        plan = build_plan(notebooks, not args.skip_default, devices, Path(tempfile.gettempdir()) / "device_bench-XXXX",
                          args.cell_timeout)
        print(f"{len(plan)} runs, devices {','.join(devices)}; results -> {args.out}")
        for entry in plan:
            print(f"[{entry['device']}] {entry['run']}: {shell_line(entry)}")
        return 0

    gpu_probe = probe("gpu")
    devices = requested or (["cpu", "gpu"] if gpu_probe["gpus"] else ["cpu"])
    if "gpu" in devices and not gpu_probe["gpus"]:
        print(NO_GPU + f" (TensorFlow {gpu_probe['tensorflow']}, built with CUDA: {gpu_probe['built_with_cuda']})")
        devices = [d for d in devices if d != "gpu"]
        if not devices:
            print("--devices gpu: nothing to run", file=sys.stderr)
            return 1
    elif "gpu" not in devices:
        print(NO_GPU if not gpu_probe["gpus"] else "devices: " + ",".join(devices))
    if "cpu" in devices and gpu_probe["gpus"]:
        hidden = probe("cpu")
        if hidden["gpus"]:
            print(f"CUDA_VISIBLE_DEVICES=-1 did not hide the GPUs: {hidden['gpus']}", file=sys.stderr)
            return 1

    machine = machine_description(gpu_probe["gpus"], gpu_probe["tensorflow"])
    print("machine:", describe(machine))
    records = []
    with tempfile.TemporaryDirectory(prefix="device_bench-") as workdir:
        plan = build_plan(notebooks, not args.skip_default, devices, Path(workdir), args.cell_timeout)
        for i, entry in enumerate(plan, 1):
            print(f"[{i}/{len(plan)}] {entry['run']} on {entry['device']} ...", flush=True)
            record = run_entry(entry)
            records.append(record)
            status = f"{record['wall_seconds']:.1f} s" if record["ok"] else f"FAILED (exit {record['returncode']})"
            print(f"    {status}" + (f", {record['step_ms']:.1f} ms/step" if record.get("step_ms") else ""), flush=True)
            if not record["ok"]:
                print(record["error_tail"], file=sys.stderr)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps({"machine": machine, "devices": devices, "runs": records}, indent=2))

    print()
    print(f"Machine: {describe(machine)}")
    print(format_table(records, devices))
    print(f"\nwritten to {args.out}")
    return 0 if all(r["ok"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
