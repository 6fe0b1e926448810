"""The time-to-quality benchmark still runs (a smoke run: 1 epoch each, tiny timings).

Its numbers are not checked here: benchmarks report ratios in bench/README.md, tests never
assert on timings.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_time_to_quality_smoke_run(tmp_path):
    out = tmp_path / "ttq.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "time_to_quality.py"), "--tutorial-epochs", "1",
                             "--course-epochs", "1", "--eval-samples", "100", "--steps", "2", "--step-repeats", "1",
                             "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["tutorial"]["epochs"] == 1 and len(results["course"]["curve"]) == 1
    assert results["step_ms"]["gan_fit"] > 0 and results["step_ms"]["hand_loop"] > 0
    assert "| TF tutorial DCGAN | 1 |" in result.stdout


def test_time_to_quality_rejects_bad_arguments():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "time_to_quality.py"), "--steps", "0"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "--steps must be at least 1" in result.stderr


# bench/device_bench.py: the notebooks on the accelerator next to the CPU. Only its plan (--dry-run) and
# its bookkeeping run here, with made-up timings; a real run executes every notebook (see bench/README.md).

DEVICE_BENCH = ROOT / "bench" / "device_bench.py"


def load_device_bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location("device_bench", DEVICE_BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_device_bench(*args):
    return subprocess.run([sys.executable, str(DEVICE_BENCH), *args], capture_output=True, text=True, timeout=120)


def test_device_bench_dry_run_plans_quick_runs_and_the_default_run(tmp_path):
    result = run_device_bench("--dry-run", "--notebooks", "01,3", "--devices", "cpu,gpu", "--out", str(tmp_path / "x.json"))
    assert result.returncode == 0, result.stderr
    runs = [line for line in result.stdout.splitlines() if line.startswith("[")]
    labels = [line.split(":", 1)[0] for line in runs]
    assert labels == ["[cpu] 01 quick", "[gpu] 01 quick", "[cpu] 03 quick", "[gpu] 03 quick",
                      "[cpu] 03 default", "[gpu] 03 default"]
    for line in runs:
        quick = " quick:" in line
        assert ("GAN_COURSE_QUICK=1" in line) == quick and ("GAN_COURSE_QUICK=0" in line) != quick
        assert ("CUDA_VISIBLE_DEVICES=-1" in line) == line.startswith("[cpu]")
        output_dir = line.split("-p output_dir ", 1)[1].strip()
        assert "notebooks/outputs" not in output_dir and Path(output_dir).is_absolute()
    # every run has its own output folder: no run can resume from another's checkpoint
    assert len({line.split("-p output_dir ", 1)[1] for line in runs}) == len(runs)
    assert f"results -> {tmp_path / 'x.json'}" in result.stdout
    assert not (tmp_path / "x.json").exists(), "a dry run writes nothing"


def test_device_bench_dry_run_defaults_and_skip_default():
    bench = load_device_bench()
    result = run_device_bench("--dry-run", "--skip-default")
    assert result.returncode == 0, result.stderr
    runs = [line for line in result.stdout.splitlines() if line.startswith("[")]
    devices = ["cpu", "gpu"] if bench.nvidia_smi() else ["cpu"]
    notebooks = sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [line.split(":", 1)[0] for line in runs] == [f"[{d}] {n} quick" for n in notebooks for d in devices]
    assert (bench.NO_GPU in result.stdout) == (devices == ["cpu"])


def test_device_bench_rejects_bad_arguments():
    for args, message in ((["--notebooks", "09"], "--notebooks: unknown 09"),
                          (["--devices", "tpu"], "--devices: expected auto"),
                          (["--cell-timeout", "0"], "--cell-timeout must be at least 1")):
        result = run_device_bench("--dry-run", *args)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)


def test_device_bench_does_not_import_tensorflow():
    code = (f"import importlib.util, sys; spec = importlib.util.spec_from_file_location('b', {str(DEVICE_BENCH)!r}); "
            "spec.loader.exec_module(importlib.util.module_from_spec(spec)); print('tensorflow' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


def test_device_bench_table_with_fake_timings():
    bench = load_device_bench()
    records = [
        {"run": "01 quick", "device": "cpu", "ok": True, "wall_seconds": 40.0, "train_seconds": 20.0},
        {"run": "01 quick", "device": "gpu", "ok": True, "wall_seconds": 25.0, "train_seconds": 5.0},
        {"run": "03 default", "device": "cpu", "ok": True, "wall_seconds": 400.0, "step_ms": 86.0},
        {"run": "03 default", "device": "gpu", "ok": False, "wall_seconds": 3.0},
    ]
    table = bench.format_table(records, ["cpu", "gpu"]).splitlines()
    assert table[0] == "| run | measure | CPU | GPU | CPU/GPU |"
    assert table[1] == "|---|---|---|---|---|"
    assert table[2:] == [
        "| 01 quick | wall time | 40.0 s | 25.0 s | 1.60× |",
        "| 01 quick | training time | 20.0 s | 5.0 s | 4.00× |",
        "| 03 default | wall time | 400 s | failed | – |",
        "| 03 default | train step (all steps) | 86.0 ms | failed | – |",
    ]
    cpu_only = bench.format_table([r for r in records if r["device"] == "cpu"], ["cpu"]).splitlines()
    assert cpu_only[0] == "| run | measure | CPU |" and cpu_only[2] == "| 01 quick | wall time | 40.0 s |"


def test_device_bench_reads_step_times_from_the_results_json(tmp_path):
    bench = load_device_bench()
    assert bench.read_metrics(tmp_path) == {}
    # notebook 03's fields: cumulative training seconds per epoch, seconds per step over all of them
    cumulative = [3.0, 4.0, 5.5, 6.5]  # epoch times 3 (tracing), 1, 1.5, 1; 10 steps per epoch
    (tmp_path / "results_subset_seed0.json").write_text(json.dumps({
        "train_seconds": 7.0, "seconds_per_step": cumulative[-1] / 40, "history": {"train_seconds": cumulative}}))
    metrics = bench.read_metrics(tmp_path)
    assert metrics["train_seconds"] == 7.0 and metrics["steps_per_epoch"] == 10
    assert abs(metrics["step_ms"] - 162.5) < 1e-9 and abs(metrics["median_epoch_step_ms"] - 125.0) < 1e-9
    text = tmp_path / "text"  # notebook 04's training time has parts; no step time
    text.mkdir()
    (text / "results_word_seed0.json").write_text(json.dumps({"train_seconds": {"mle": 2.5, "gan": 4.0}}))
    assert bench.read_metrics(text) == {"results_file": "results_word_seed0.json", "train_seconds": 6.5}


# bench/ablation_03.py and bench/lr_ratio.py: smoke runs (their reference tables are checked against the
# notebooks' quotes in tests/test_lessons_agree.py)
def test_ablation_smoke_run(tmp_path):
    out = tmp_path / "ablation.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "ablation_03.py"), "--budget", "1", "--seeds", "0",
                             "--configs", "dcgan", "allconv", "--workers", "2", "--eval-samples", "100",
                             "--cache", str(tmp_path / "runs"), "--output", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(out.read_text())
    assert set(results["table"]) == {"dcgan", "allconv"} and results["budget_cpu_seconds"] == 1
    run = results["runs"]["allconv/0"]
    assert run["steps"] >= 2 and len(run["ema_fid_sample_sets"]) == 5 and "precision" in run["ema"]
    assert "| `allconv` |" in results["markdown"] and "noise band" in results["markdown"]


def test_lr_ratio_smoke_run(tmp_path):
    out = tmp_path / "lr.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "lr_ratio.py"), "--steps", "20", "--seeds", "1",
                             "--ratios", "1", "4", "--output", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(out.read_text())
    assert set(results["results"]) == {"1.0", "4.0"} and "| 4 |" in results["markdown"]


def test_modern_08_smoke_run(tmp_path):
    out = tmp_path / "modern.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "modern_08.py"), "--budget", "1", "--little-budget", "1",
                             "--seeds", "0", "--configs", "dcgan", "diffaug", "--little", "equal-lr+diffaug",
                             "--sizes", "100", "--workers", "2", "--eval-samples", "100",
                             "--cache", str(tmp_path / "runs"), "--output", str(out)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(out.read_text())
    assert set(results["table"]) == {"dcgan", "diffaug"} and results["budget_cpu_seconds"] == 1
    assert "ema_fid" in results["table"]["diffaug"] and "raw_fid" in results["table"]["diffaug"]
    run = results["runs"]["diffaug/0"]
    assert run["steps"] >= 2 and len(run["ema_fid_sample_sets"]) == 5 and "precision" in run["raw"]
    little = results["little_runs"]["equal-lr+diffaug/100/0"]
    assert little["digits"] == 100 and 0 <= little["near_copies_features"] <= 1
    assert "| `diffaug` |" in results["markdown"] and "| 100 |" in results["little_markdown"]
    assert "noise band" in results["markdown"]


# bench/translation_07.py: one quick-mode run of notebook 07 through the bench, and its summary on made-up runs
def test_translation_07_smoke_run(tmp_path):
    out = tmp_path / "translation.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "translation_07.py"), "--quick", "--seeds", "0",
                             "--folder", str(tmp_path / "runs"), "--out", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["seeds"] == [0] and results["quick"] is True and results["task"] == "inpaint"
    assert (tmp_path / "runs" / "results_inpaint_seed0_quick.json").exists()
    assert not (tmp_path / "runs" / "seed0").exists(), "without --keep only the results JSON stays"
    assert "| `L1 + GAN` |" in results["markdown"] and "| `with cycle` |" in results["markdown"]
    assert results["pix2pix"]["fid"]["verdict"] == "one seed: no verdict"


def test_translation_07_summary_and_noise_band():
    import importlib.util

    import numpy as np

    spec = importlib.util.spec_from_file_location("translation_07", ROOT / "bench" / "translation_07.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    def run(l1_gan_fid, l1_only_fid, changed_cycle, changed_without):
        paired = {"l1_error": 0.1, "sharpness": 0.2, "accuracy": 0.8}
        unpaired = {"accuracy": 0.9, "ink": 0.2, "cycle_l1": 0.1, "accuracy_to_thin": 0.9, "ink_to_thin": 0.15}
        return {"pix2pix": {"L1 only": dict(paired, fid=l1_only_fid), "L1 + GAN": dict(paired, fid=l1_gan_fid)},
                "cyclegan": {"with cycle": dict(unpaired, changed=changed_cycle),
                             "without cycle": dict(unpaired, changed=changed_without)}}

    runs = [run(10, 30, 0.05, 0.10), run(12, 32, 0.06, 0.30), run(11, 28, 0.04, 0.05)]
    paired = bench.compare(runs, "pix2pix", bench.PAIRED, bench.PAIRED_METRICS)
    fid = paired["fid"]
    assert fid["L1 only"] == [30.0, 2.0] and fid["L1 + GAN"] == [11.0, 1.0] and fid["difference"] == -19.0
    assert abs(fid["band"] - 2 * np.sqrt((4 + 1) / 3)) < 1e-12 and fid["verdict"] == "lower"
    assert paired["l1_error"]["verdict"] == "no difference detected"   # identical values: no spread, no difference
    changed = bench.compare(runs, "cyclegan", bench.UNPAIRED, bench.UNPAIRED_METRICS)["changed"]
    assert changed["verdict"] == "no difference detected"   # -0.10 against a band of about 0.29
