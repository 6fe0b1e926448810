"""Notebook 03's DCGAN trained with tf.distribute ends with the weights of a single-device run.

tests/distribute_worker.py trains the course's ``GAN`` with the ``dcgan_generator`` /
``dcgan_discriminator`` builders (small) with ``fit``, 3 epochs x 4 steps of a global batch of
16 real digits, from the same initial weights and on the same batches, in fresh processes
(logical devices and TF_CONFIG must be set before TensorFlow starts):

- one process: a single-device run of the course's GAN as it is (the reference), then
  MirroredStrategy over 2 logical CPUs, and the same with per-replica BatchNorm statistics (a
  run the check must reject);
- two processes: the 2 workers of a MultiWorkerMirroredStrategy on 127.0.0.1, one CPU each.

The distributed runs synchronize BatchNorm; ``GAN.sample_noise`` lets each replica keep its rows
of the global batch's noise and ``GAN.train_step`` scales the losses (see the worker's docstring).
All three processes run at once; a hang fails the tests after TIMEOUT seconds. The figures are
printed (``pytest -s``) and quoted in docs/DISTRIBUTED.md.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import distribute_worker as worker  # tests/ is on sys.path under pytest
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).with_name("distribute_worker.py")
TIMEOUT = 180  # seconds for the three processes together (they share the cores; about a minute on 2)
STEPS = worker.EPOCHS * worker.STEPS  # 3 epochs x 4 steps
# Agreement asked of a distributed run: the same float32 computation with the sums over the
# global batch split in two, so only rounding differs (measured: ~5e-7 after 12 steps).
ATOL = 1e-5  # max |w_distributed - w_single| over all weights
RTOL = 1e-4  # ... divided by max |w_single| (generator, discriminator, averaged generator apart)

pytestmark = pytest.mark.xdist_group("distribute")


def _env(**extra):
    env = dict(os.environ)
    env.pop("TF_CONFIG", None)
    env.update(CUDA_VISIBLE_DEVICES="-1", TF_CPP_MIN_LOG_LEVEL="2", **extra)  # CPUs only, fewer log lines
    return env


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _commands(out):
    """{name: (command, environment)}: the mirrored process and the two workers."""
    cluster = {"worker": [f"127.0.0.1:{port}" for port in _free_ports(2)]}
    commands = {"mirrored": ([sys.executable, str(WORKER), "mirrored", str(out)], _env())}
    for index in range(2):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        commands[f"worker {index}"] = ([sys.executable, str(WORKER), "multiworker", str(out)], _env(TF_CONFIG=tf_config))
    return commands


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run all three processes at once: the output folder and {name: (exit code, why stopped, output)}.

    Output goes to files (a full pipe would block a process). A worker whose peer failed would
    wait for it forever, so it is stopped; when time runs out, every process still running is."""
    out = tmp_path_factory.mktemp("distribute")
    start = time.monotonic()
    processes, logs, stopped = {}, {}, {}
    for name, (command, env) in _commands(out).items():
        logs[name] = out / f"{name.replace(' ', '_')}.log"
        with open(logs[name], "w") as log:
            processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    while None in (codes := {name: process.poll() for name, process in processes.items()}).values():
        late = time.monotonic() - start > TIMEOUT
        failed_worker = next((name for name, code in codes.items() if code and name.startswith("worker")), None)
        for name, process in processes.items():
            if codes[name] is None and (late or (failed_worker and name.startswith("worker"))):
                stopped[name] = f"no result after {TIMEOUT} s (hang?)" if late else f"stopped: {failed_worker} failed"
                process.kill()
        time.sleep(0.2)
    for process in processes.values():
        process.wait()
    print(f"\ndistributed runs: {time.monotonic() - start:.0f} s")
    return out, {name: (p.returncode, stopped.get(name), logs[name].read_text(errors="replace"))
                 for name, p in processes.items()}


def _check_finished(outcomes, *names):
    for name in sorted(names, key=lambda n: outcomes[n][1] is not None):  # a failure before those it stopped
        code, why, output = outcomes[name]
        assert why is None and code == 0 and "DONE" in output, f"{name}: {why or f'exit code {code}'}\n{output[-3000:]}"


def _logs(out, name):
    return json.loads((out / f"{name}.json").read_text())


def _compare(out, name, reference="single"):
    return worker.agreement(worker.load_weights(out / f"{name}.npz"), worker.load_weights(out / f"{reference}.npz"))


def _check_against_single(out, name):
    single, run = _logs(out, "single"), _logs(out, name)
    assert single["replicas"] == 1 and run["replicas"] == 2
    assert single["iterations"] == run["iterations"] == {"g": STEPS, "d": STEPS}
    for key, values in single["history"].items():  # the logged losses and probabilities, one per epoch
        assert len(values) == worker.EPOCHS
        np.testing.assert_allclose(run["history"][key], values, rtol=1e-5, atol=1e-6, err_msg=key)
    figures = _compare(out, name)
    print(f"{name} vs single device, {STEPS} steps, max abs difference: {worker.describe(figures)}")
    for part, (max_abs, relative) in figures.items():
        assert max_abs <= ATOL and relative <= RTOL, f"{name} vs single, {part}: {max_abs:.3g} (rel {relative:.3g})"


def test_mirrored_strategy_on_two_logical_cpus_matches_a_single_device(runs):
    out, outcomes = runs
    _check_finished(outcomes, "mirrored")
    assert len(_logs(out, "mirrored")["devices"]) == 2
    _check_against_single(out, "mirrored")

    # the check can tell: training moved the weights far more than ATOL, and per-replica
    # BatchNorm statistics (each replica normalizes with those of its half batch) fail it
    moved = _compare(out, "single", reference="initial")
    print(f"training itself (single device, final vs initial): {worker.describe(moved, relative=False)}")
    assert all(max_abs > 100 * ATOL for max_abs, _ in moved.values())
    local_bn = _compare(out, "mirrored_local_bn")
    print(f"mirrored with per-replica BatchNorm vs single device: {worker.describe(local_bn)}")
    assert local_bn["g"][0] > 100 * ATOL


def test_multi_worker_strategy_with_two_workers_matches_a_single_device(runs):
    out, outcomes = runs
    _check_finished(outcomes, "mirrored", "worker 0", "worker 1")
    _check_against_single(out, "multiworker_0")  # the chief
    same = _compare(out, "multiworker_1", reference="multiworker_0")
    print(f"worker 1 vs worker 0: {worker.describe(same)}")
    assert all(max_abs <= 1e-6 for max_abs, _ in same.values())
