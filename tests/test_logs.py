"""gan_helpers.logs: TensorFlow's known-harmless C++ log lines are dropped from fd 2, nothing else is.

Each filter test runs in a fresh Python (a subprocess), since the filter rewires the process's
file descriptor 2; one test runs a small notebook in a real Jupyter kernel.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from gan_helpers.logs import KNOWN_HARMLESS_LINES, is_known_tensorflow_noise

ROOT = Path(__file__).resolve().parent.parent

# Copied from the notebooks' committed outputs (TensorFlow 2.21 on a machine without a GPU).
HARMLESS = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796141686.579892   17287 port.cc:153] oneDNN custom operations are on. You may see slightly different "
    "numerical results due to floating-point round-off errors from different computation orders. To turn them off, set "
    "the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.",
    "I0000 00:00:1796141686.581119   17287 cudart_stub.cc:31] Could not find cuda drivers on your machine, "
    "GPU will not be used.",
    "I0000 00:00:1796141687.372007   17287 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available "
    "CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 AVX512_FP16 AVX_VNNI AMX_TILE AMX_INT8 "
    "AMX_BF16 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.",
    "E0000 00:00:1796141695.723649   17287 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: Failed call "
    "to cuInit: UNKNOWN ERROR (303)",
    "E0000 00:00:1796141701.630111   17287 meta_optimizer.cc:967] remapper failed: INVALID_ARGUMENT: Mutation::Apply error: "
    "fanout 'StatefulPartitionedCall/gradient_tape/discriminator_5/leaky_re_lu_7_1/LeakyRelu/LeakyReluGrad' exist for "
    "missing node 'StatefulPartitionedCall/discriminator_5/conv2d_7_1/BiasAdd'.",
    # after absl is initialised the time stamp has its usual form
    "I0521 14:03:07.123456    4242 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.",
]

# Lines that must still show: look alike, but are not the known-harmless ones.
REAL = [
    "real problem",
    "E0000 00:00:1796141695.723649   17287 cuda_platform.cc:52] failed call to cuInit: CUDA_ERROR_NO_DEVICE: "
    "no CUDA-capable device is detected",
    "W0000 00:00:1796141701.630111   17287 op_level_cost_estimator.cc:699] Error in PredictCost() for the op: Conv2D",
    "E0000 00:00:1796141701.630111   17287 meta_optimizer.cc:967] layout failed: INVALID_ARGUMENT: Size of values 0",
    "F0000 00:00:1796141701.630111   17287 port.cc:153] Check failed: oneDNN custom operations are on. x",
    "To enable the following instructions: AVX2 FMA",
    "  WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
]


def run_python(*code_parts: str, env_extra=None, timeout=60) -> subprocess.CompletedProcess:
    """Run the code (its parts dedented one by one) in a fresh Python; return what it printed."""
    env = {k: v for k, v in os.environ.items() if k != "GAN_COURSE_SHOW_TF_LOGS"}
    env.update(env_extra or {})
    code = "\n".join(textwrap.dedent(part) for part in code_parts)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=timeout)


WRITE_ALL = f"""
import os
for line in {HARMLESS + REAL!r}:
    os.write(2, line.encode() + b"\\n")
"""


def test_every_known_line_matches_and_no_real_line_does():
    assert all(is_known_tensorflow_noise(line) for line in HARMLESS)
    assert all(is_known_tensorflow_noise(line.encode() + b"\n") for line in HARMLESS)
    assert not any(is_known_tensorflow_noise(line) for line in REAL)
    assert len(KNOWN_HARMLESS_LINES) == 7
    with pytest.raises(TypeError, match="line"):
        is_known_tensorflow_noise(3)


def test_importing_the_module_imports_neither_tensorflow_nor_keras():
    done = run_python("""
        import sys
        import gan_helpers.logs
        print(sorted(name for name in ("tensorflow", "keras") if name in sys.modules))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == "[]"


def test_the_filter_drops_the_known_lines_and_passes_every_other_line_in_order():
    done = run_python("""
        import sys, warnings
        from gan_helpers.logs import hide_known_tensorflow_noise
        print(hide_known_tensorflow_noise(), hide_known_tensorflow_noise())
        import threading
        print(sum(t.name == "gan_helpers.logs" for t in threading.enumerate()))
        """, WRITE_ALL, """
        print("python stderr", file=sys.stderr, flush=True)
        warnings.warn("a Python warning")
        os.write(2, b"last words without a newline")
        raise RuntimeError("a traceback must show")
    """)
    assert done.returncode == 1
    assert done.stdout.decode().split() == ["True", "True", "1"]  # one filter after two calls
    err = done.stderr.decode()
    lines = err.splitlines()
    assert lines[:len(REAL) + 1] == REAL + ["python stderr"]
    assert "UserWarning: a Python warning" in err
    assert "last words without a newline" in err
    assert err.rstrip().endswith("RuntimeError: a traceback must show")
    assert not set(HARMLESS) & set(lines)


def test_without_the_filter_the_known_lines_show():
    done = run_python(WRITE_ALL)
    assert done.stderr.decode().splitlines() == HARMLESS + REAL


def test_the_variable_switches_the_filter_off():
    done = run_python("""
        from gan_helpers.logs import hide_known_tensorflow_noise
        print(hide_known_tensorflow_noise())
        """, WRITE_ALL, env_extra={"GAN_COURSE_SHOW_TF_LOGS": "1"})
    assert done.stdout.decode().strip() == "False"
    assert done.stderr.decode().splitlines() == HARMLESS + REAL


def test_show_all_undoes_the_filter_and_restores_fd_2():
    done = run_python("""
        import os
        from gan_helpers.logs import hide_known_tensorflow_noise, show_all_tensorflow_logs
        before = os.fstat(2).st_ino
        print(show_all_tensorflow_logs(), hide_known_tensorflow_noise(), os.fstat(2).st_ino != before)
        os.write(2, b"%s\\n" % HIDDEN)
        print(show_all_tensorflow_logs(), show_all_tensorflow_logs(), os.fstat(2).st_ino == before)
        os.write(2, b"%s\\n" % HIDDEN)
        print(hide_known_tensorflow_noise())
        os.write(2, b"%s\\n" % HIDDEN)
    """.replace("HIDDEN", repr(HARMLESS[2].encode())))
    assert done.stdout.decode().split() == ["False", "True", "True", "True", "False", "True", "True"]
    assert done.stderr.decode().splitlines() == [HARMLESS[2]]  # shown only between show_all and hide


def test_a_closed_fd_2_leaves_the_filter_off():
    done = run_python("""
        import os, sys
        os.close(2)
        from gan_helpers.logs import hide_known_tensorflow_noise
        print(hide_known_tensorflow_noise())
    """)
    assert done.stdout.decode().strip() == "False"


def test_lines_pass_at_once_while_the_process_runs_and_from_forked_children():
    # The test's own pipe stands in for the terminal; each line must arrive before the writer moves on.
    done = run_python("""
        import os, select, time
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        from gan_helpers.logs import hide_known_tensorflow_noise
        hide_known_tensorflow_noise()

        def arrives(expected):
            got, deadline = b"", time.monotonic() + 10
            while got != expected and time.monotonic() < deadline:
                if select.select([read_end], [], [], 0.05)[0]:
                    got += os.read(read_end, 1000)
            return got == expected

        os.write(2, b"%s\\nfirst\\n" % HIDDEN)
        print(arrives(b"first\\n"))
        os.write(2, b"no newline yet")
        print(arrives(b"no newline yet"))
        pid = os.fork()
        if pid == 0:
            os.write(2, b"from a child\\n")
            os._exit(0)
        os.waitpid(pid, 0)
        print(arrives(b"from a child\\n"))
    """.replace("HIDDEN", repr(HARMLESS[1].encode())))
    assert done.stdout.decode().split() == ["True", "True", "True"], done.stderr.decode()


def test_in_a_jupyter_kernel_a_cell_keeps_its_own_real_lines_and_loses_the_known_ones():
    from nbclient import NotebookClient

    write = "import os\nos.write(2, {!r})"
    cells = ["from gan_helpers.logs import hide_known_tensorflow_noise\nhide_known_tensorflow_noise()",
             write.format("\n".join(HARMLESS + ["real problem", ""]).encode()),
             "print('next cell')",
             "import sys, warnings\nprint('python stderr', file=sys.stderr)\nwarnings.warn('a Python warning')"]
    cells += [write.format(f"line of cell {i}\n".encode()) for i in range(100)]
    cells += ["from gan_helpers.logs import show_all_tensorflow_logs\nshow_all_tensorflow_logs()",
              write.format(HARMLESS[2].encode() + b"\n")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    # ipykernel shows fd 2 in the notebook only when PYTEST_CURRENT_TEST is unset, as for a learner.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST", "GAN_COURSE_SHOW_TF_LOGS")}
    NotebookClient(nb, timeout=60, kernel_name="python3", startup_timeout=120).execute(env=env, cwd=str(ROOT))

    def stderr(cell):
        return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr")

    first, noisy, after, python = nb.cells[:4]
    assert [o.output_type for o in first.outputs] == ["execute_result"]
    assert first.outputs[0].data["text/plain"] == "True"
    assert stderr(noisy) == "real problem\n"
    assert stderr(after) == "" and "next cell" in after.outputs[0].text
    assert "python stderr" in stderr(python) and "UserWarning: a Python warning" in stderr(python)
    assert [stderr(cell) for cell in nb.cells[4:104]] == [f"line of cell {i}\n" for i in range(100)]
    assert stderr(nb.cells[-1]) == HARMLESS[2] + "\n"  # shown again after show_all_tensorflow_logs()
