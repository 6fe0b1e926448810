"""The whole course, as a room full of laptops meets it: other seeds, no network, same seed twice.

Every notebook runs top to bottom (papermill = Restart & Run All) in quick mode:

- with seeds 1 and 2 (nbval runs each notebook with its default seed 0, so that is three seeds);
  each run must finish without an error, write its results JSON (named after the seed), and the
  two seeds must give different metrics (the seed really changes the run);
- with the network cut off: the kernel loads ``tests/no_network/sitecustomize.py``, which
  refuses and logs any connection or name lookup that leaves this machine, and the proxy
  variables point at a closed loopback port. The log must stay empty (the course never even
  tries the network) and papermill's per-cell limit turns a hang into a failure;
- seed 1 a second time: the same seed must give the same metrics, to ``RTOL`` = 1e-6 (measured:
  equal to the last digit on CPU). Timings, and what depends on them, are left out.
"""

import json
import math
import os
import time
from pathlib import Path

import pytest
from notebook_checks import execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NO_NETWORK = Path(__file__).resolve().parent / "no_network"
TRAP_PORT = "9"  # discard: nothing listens there, so a connection is refused at once
SEEDS = (1, 2)
RTOL, ATOL = 1e-6, 1e-9
# results that measure the clock, not the model: timings, and notebook 03's all-convolutional DCGAN trained
# for a fixed number of seconds (how many steps fit in them depends on the machine's load)
TIMING_KEYS = ("seconds", "step_ms", "ms_per_step", "allconv")

_runs: dict = {}


def _no_network_env(log: Path) -> dict:
    proxy = f"http://127.0.0.1:{TRAP_PORT}"
    env = {name: proxy for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                                    "all_proxy")}
    env.update(NO_PROXY="", no_proxy="", GAN_COURSE_TRAP_PORT=TRAP_PORT, GAN_COURSE_NETWORK_LOG=str(log),
               PYTHONPATH=os.pathsep.join(p for p in (str(NO_NETWORK), os.environ.get("PYTHONPATH")) if p))
    return env


CHECK_THE_GUARD = "import socket\nassert getattr(socket, 'NO_NETWORK_GUARD', False), 'the no-network guard is not loaded'"


def quick_run(path: Path, seed: int, repeat: int, factory) -> dict:
    """Run ``path`` in quick mode with ``seed`` (once per ``repeat``), offline; return what it made."""
    key = (path.stem, seed, repeat)
    if key not in _runs:
        folder = factory.mktemp(f"{path.stem}_seed{seed}_run{repeat}")
        log = folder / "network.log"
        output_dir = folder / "outputs" / path.stem
        with pytest.MonkeyPatch.context() as mp:  # the kernel inherits this process's environment
            for name, value in _no_network_env(log).items():
                mp.setenv(name, value)
            mp.setenv("GAN_COURSE_QUICK", "1")
            start = time.perf_counter()
            nb = execute_notebook(path, folder / "executed.ipynb", CHECK_THE_GUARD, seed=seed,
                                  output_dir=str(output_dir))
            seconds = time.perf_counter() - start
        found = sorted(output_dir.glob(f"results_*seed{seed}*.json"))
        _runs[key] = {"nb": nb, "seconds": seconds, "results_files": found,
                      "results": json.loads(found[0].read_text()) if len(found) == 1 else None,
                      "network": log.read_text() if log.exists() else ""}
    return _runs[key]


def metrics(results: dict, prefix: str = "") -> dict:
    """The numeric leaves of a results JSON, by path; parameters and timings left out."""
    found = {}
    items = results.items() if isinstance(results, dict) else enumerate(results)
    for key, value in items:
        where = f"{prefix}/{key}"
        if where == "/parameters" or any(t in str(key).lower() for t in TIMING_KEYS):
            continue
        if isinstance(value, (dict, list)):
            found.update(metrics(value, where))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found[where] = float(value)
    return found


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_quick_run_passes_with_another_seed_and_no_network(path, seed, tmp_path_factory):
    run = quick_run(path, seed, 0, tmp_path_factory)
    print(f"{path.name}, seed {seed}: {run['seconds']:.1f} s")
    code = [c for c in run["nb"].cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert "Quick mode" in "".join(o.get("text", "") for c in code for o in c.outputs)
    assert run["network"] == "", f"{path.name} tried to reach the network:\n{run['network']}"
    assert len(run["results_files"]) == 1, f"one results JSON named after the seed, found {run['results_files']}"
    results = run["results"]
    assert results["parameters"]["seed"] == seed
    assert len(metrics(results)) >= 5, "the results JSON should hold the run's measured metrics"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_other_seeds_change_the_metrics(path, tmp_path_factory):
    one, two = (metrics(quick_run(path, seed, 0, tmp_path_factory)["results"]) for seed in SEEDS)
    assert one.keys() == two.keys()
    assert any(not same(one[k], two[k]) for k in one), "seeds 1 and 2 gave identical metrics: is the seed used?"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_same_seed_gives_the_same_metrics(path, tmp_path_factory):
    first = metrics(quick_run(path, SEEDS[0], 0, tmp_path_factory)["results"])
    again = metrics(quick_run(path, SEEDS[0], 1, tmp_path_factory)["results"])
    assert first.keys() == again.keys()
    differ = {k: (first[k], again[k]) for k in first if not same(first[k], again[k])}
    assert not differ, f"{len(differ)} of {len(first)} metrics differ between two runs of seed {SEEDS[0]}: " + \
        ", ".join(f"{k}: {a!r} vs {b!r}" for k, (a, b) in list(differ.items())[:8])


def test_the_guard_really_cuts_the_network(tmp_path):
    """The no-network check would pass vacuously if the guard were not loaded: prove it bites."""
    import subprocess
    import sys

    log = tmp_path / "network.log"
    probe = ("import socket, urllib.request\n"
             "for url in ('http://example.com', 'https://storage.googleapis.com/tensorflow/x'):\n"
             "    try:\n        urllib.request.urlopen(url, timeout=5)\n"
             "    except OSError as exc:\n        print('refused:', exc)\n"
             "s = socket.socket(); print('loopback:', s.connect_ex(('127.0.0.1', 1)))\n")
    env = {**os.environ, **_no_network_env(log)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("refused:") == 2
    assert "loopback:" in done.stdout  # loopback is left alone (the kernel needs it)
    logged = log.read_text().splitlines()  # both tries, each refused at the proxy's closed port
    assert len(logged) == 2 and all(f", {TRAP_PORT})" in line for line in logged), logged
