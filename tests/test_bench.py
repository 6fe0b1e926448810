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
