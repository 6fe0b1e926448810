"""course.py, the course's one entry point: which Python builds .venv, when .venv is rebuilt, which
extras it installs (the `gpu` one included), and how it calls papermill and pytest.

Nothing here needs TensorFlow or a network: interpreters, `py`, `uv` and `nvidia-smi` are small shell
scripts on a PATH of the test's own, answering as the real ones do. One test runs course.py for real
under Python 3.8/3.9 (when pyenv has them) with no supported Python around.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(os.name == "nt", reason="the fake interpreters are POSIX shell scripts")


def load_course():
    spec = importlib.util.spec_from_file_location("course_under_test", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course = load_course()


def script(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


def fake_python(folder: Path, name: str, version: str) -> Path:
    """Answers the version probe (`-c ...`) with ``version``; anything else fails, as `-m venv` should here."""
    return script(folder, name, f'if [ "$1" = "-c" ]; then echo {version}; exit 0; fi\necho "fake $0: $*" >&2; exit 3')


@pytest.fixture
def path_dir(tmp_path, monkeypatch):
    """An empty folder that is the whole PATH."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def no_lookup(name):
    raise AssertionError(f"looked for {name} although the running Python will do")


# --- which Python builds .venv ------------------------------------------------------------------------------

def test_supported_versions_are_those_tensorflow_has_wheels_for():
    assert course.SUPPORTED == ((3, 10), (3, 11), (3, 12), (3, 13))


@pytest.mark.parametrize("version", [(3, 10), (3, 11), (3, 12), (3, 13)])
def test_a_supported_running_python_is_used(version):
    cmd, chosen, why = course.choose_interpreter(current=version, platform="linux", which=no_lookup,
                                                 executable="/opt/py/bin/python3")
    assert (cmd, chosen) == (["/opt/py/bin/python3"], version)
    assert "supported" in why


def test_python314_picks_python312_on_path(path_dir):
    python312 = fake_python(path_dir, "python3.12", "3.12")
    cmd, chosen, why = course.choose_interpreter(current=(3, 14), platform="linux")
    assert (cmd, chosen) == ([str(python312)], (3, 12))
    assert "Python 3.14" in why and "python3.12 on PATH" in why


def test_newest_supported_python_first(path_dir):
    fake_python(path_dir, "python3.10", "3.10")
    python313 = fake_python(path_dir, "python3.13", "3.13")
    assert course.choose_interpreter(current=(3, 9), platform="linux")[:2] == ([str(python313)], (3, 13))


def test_a_python_that_fails_or_lies_is_skipped(path_dir):
    # a pyenv shim for a version that is not installed exits non-zero; a misnamed link reports another version
    script(path_dir, "python3.13", 'echo "pyenv: python3.13: command not found" >&2; exit 127')
    fake_python(path_dir, "python3.11", "3.14")
    python310 = fake_python(path_dir, "python3.10", "3.10")
    assert course.choose_interpreter(current=(3, 14), platform="linux")[:2] == ([str(python310)], (3, 10))


def test_windows_uses_the_py_launcher(path_dir):
    py = script(path_dir, "py", 'if [ "$1" = "-3.11" ] && [ "$2" = "-c" ]; then echo 3.11; exit 0; fi\n'
                                'echo "No suitable Python runtime found" >&2; exit 103')
    cmd, chosen, why = course.choose_interpreter(current=(3, 14), platform="win32")
    assert (cmd, chosen) == ([str(py), "-3.11"], (3, 11))
    assert "py -3.11" in why
    with pytest.raises(SystemExit):  # the launcher counts on Windows only
        course.choose_interpreter(current=(3, 14), platform="linux")


def test_uv_finds_an_installed_python_without_downloading(tmp_path, path_dir):
    elsewhere = fake_python(tmp_path / "uv-pythons", "python3.12", "3.12")  # not on PATH
    script(path_dir, "uv", f'if [ "$1 $2 $3 $4" = "python find --system 3.12" ] && [ "$UV_PYTHON_DOWNLOADS" = never ]; '
                           f'then echo {elsewhere}; exit 0; fi\necho "error: No interpreter found" >&2; exit 2')
    cmd, chosen, why = course.choose_interpreter(current=(3, 14), platform="darwin")
    assert (cmd, chosen) == ([str(elsewhere)], (3, 12))
    assert "uv python find 3.12" in why


def test_an_existing_supported_venv_is_kept_by_an_unsupported_python():
    cmd, chosen, why = course.choose_interpreter(current=(3, 14), platform="linux", which=no_lookup, keep=(3, 12))
    assert (cmd, chosen) == (None, (3, 12))
    assert "kept" in why


def test_an_unsupported_venv_is_not_kept(path_dir):
    python311 = fake_python(path_dir, "python3.11", "3.11")
    assert course.choose_interpreter(current=(3, 9), platform="linux", keep=(3, 9))[:2] == ([str(python311)], (3, 11))


@pytest.mark.parametrize("platform, expected, foreign", [
    ("linux", ["sudo apt install python3.12 python3.12-venv", "pyenv install 3.12", "uv python install 3.12",
               "python3.12 course.py setup"], "winget"),
    ("darwin", ["brew install python@3.12", "python.org", "python3.12 course.py setup", "Intel"], "apt install"),
    ("win32", ["winget install Python.Python.3.12", "python.org", "py -3.12 course.py setup"], "brew"),
])
def test_no_supported_python_stops_with_install_instructions(path_dir, platform, expected, foreign):
    fake_python(path_dir, "python3.13", "3.14")  # there, but not what its name says
    with pytest.raises(SystemExit) as stop:
        course.choose_interpreter(current=(3, 14), platform=platform, command="setup")
    message = str(stop.value.code)
    assert message.startswith("[course] This is Python 3.14; the course needs Python 3.10 to 3.13")
    for text in expected:
        assert text in message, f"{platform}: {text!r} missing from:\n{message}"
    assert foreign not in message


# --- when .venv is rebuilt ----------------------------------------------------------------------------------

def make_venv(folder: Path, cfg: str) -> Path:
    (folder / course.BIN.name).mkdir(parents=True)
    (folder / course.BIN.name / course.PYTHON.name).write_text("")
    (folder / "pyvenv.cfg").write_text(f"home = /usr/bin\ninclude-system-site-packages = false\n{cfg}\n")
    return folder


def test_venv_of_the_chosen_python_stays(tmp_path):
    assert course.venv_problem(make_venv(tmp_path / "a", "version = 3.11.7"), (3, 11)) is None
    assert course.venv_problem(make_venv(tmp_path / "b", "version_info = 3.12.1.final.0"), (3, 12)) is None


def test_venv_of_another_python_is_rebuilt(tmp_path):
    venv = make_venv(tmp_path / ".venv", "version = 3.11.7")
    assert course.venv_version(venv) == (3, 11)
    problem = course.venv_problem(venv, (3, 12))
    assert problem and "3.11" in problem and "3.12" in problem


def test_a_half_done_setup_rebuilds_venv(tmp_path):
    venv = make_venv(tmp_path / ".venv", "version = 3.12.1")
    (venv / course.INCOMPLETE).write_text("")
    assert "half-way" in course.venv_problem(venv, (3, 12))


def test_missing_venv_or_python(tmp_path):
    assert course.venv_problem(tmp_path / ".venv", (3, 12)) == "there is none yet"
    (tmp_path / ".venv").mkdir()
    assert course.venv_problem(tmp_path / ".venv", (3, 12)) == "it has no Python"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """course.py's paths pointed at a temporary project with a complete .venv of this Python, and
    `run` recording its commands instead of running them."""
    venv = make_venv(tmp_path / ".venv", "version = %d.%d.0" % sys.version_info[:2])
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'stub'\n")
    for name, value in {"ROOT": tmp_path, "VENV": venv, "STAMP": venv / "course-installed.txt", "BUILD": tmp_path / "build",
                        "NOTEBOOKS": tmp_path / "notebooks", "PYTHON": venv / course.BIN.name / course.PYTHON.name}.items():
        monkeypatch.setattr(course, name, value)
    calls = []
    monkeypatch.setattr(course, "run", lambda cmd, **kwargs: calls.append([str(c) for c in cmd]))
    return SimpleNamespace(root=tmp_path, venv=venv, calls=calls)


def test_install_stamp_holds_pyproject_hash_and_extras(project):
    stamp = project.venv / "course-installed.txt"
    assert course.install(["course", "test"], stamp, "installing") is True
    assert project.calls[-1][-2:] == ["-e", f"{project.root}[course,test]"]
    assert not (project.venv / course.INCOMPLETE).exists() and course.stamp_has_gpu(stamp) is False
    assert course.install(["course", "test"], stamp, "installing") is False and len(project.calls) == 1
    assert course.install(["course", "test", "gpu"], stamp, "installing") is True  # the extras changed
    assert project.calls[-1][-1] == f"{project.root}[course,test,gpu]" and course.stamp_has_gpu(stamp) is True
    (project.root / "pyproject.toml").write_text("[project]\nname = 'stub2'\n")
    assert course.install(["course", "test", "gpu"], stamp, "installing") is True  # pyproject.toml changed


def test_a_failed_install_leaves_the_marker(project, monkeypatch):
    def failing(cmd, **kwargs):
        raise SystemExit(1)
    monkeypatch.setattr(course, "run", failing)
    with pytest.raises(SystemExit):
        course.install(["course", "test"], project.venv / "course-installed.txt", "installing")
    assert (project.venv / course.INCOMPLETE).exists()
    assert "half-way" in course.venv_problem(project.venv, sys.version_info[:2])


# --- the gpu extra ------------------------------------------------------------------------------------------

SMI_OK = 'if [ "$1" = "-L" ]; then echo "GPU 0: NVIDIA H200 (UUID: GPU-0e1f2a3b)"; exit 0; fi; exit 1'
SMI_NO_DRIVER = ('echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." >&2; '
                 'exit 9')


def test_gpu_found_by_nvidia_smi(path_dir):
    script(path_dir, "nvidia-smi", SMI_OK)
    gpu, message = course.gpu_extra(None, "linux", "x86_64")
    assert gpu is True
    assert "NVIDIA H200" in message and "UUID" not in message and "--cpu" in message
    assert course.gpu_extra("cpu", "linux", "x86_64") == (False, None)
    assert course.gpu_extra(None, "linux", "aarch64") == (False, None)  # no CUDA wheels of TensorFlow there
    assert course.gpu_extra(None, "linux", "x86_64", previous=False) == (False, None)  # an earlier --cpu stands


@pytest.mark.parametrize("body", [SMI_NO_DRIVER, "exit 0", 'echo "No devices were found"; exit 0', None])
def test_no_gpu_without_a_working_nvidia_smi(path_dir, body):
    if body is not None:
        script(path_dir, "nvidia-smi", body)
    assert course.gpu_extra(None, "linux", "x86_64") == (False, None)
    assert course.gpu_extra(None, "linux", "x86_64", previous=True) == (True, None)


def test_gpu_flag(path_dir):
    gpu, message = course.gpu_extra("gpu", "linux", "x86_64", previous=False)
    assert gpu is True and "--gpu" in message
    for platform, machine, hint in [("win32", "AMD64", "WSL2"), ("darwin", "arm64", "tensorflow-metal"),
                                    ("linux", "aarch64", "aarch64")]:
        gpu, message = course.gpu_extra("gpu", platform, machine)
        assert gpu is False
        assert "Linux x86-64 only" in message and hint in message and "CPU" in message


def test_setup_adds_the_gpu_extra_when_nvidia_smi_lists_one(project, path_dir, monkeypatch):
    monkeypatch.setattr(course.platform_module, "machine", lambda: "x86_64")
    monkeypatch.setattr(course.sys, "platform", "linux")
    assert course.setup(SimpleNamespace(device=None, command="setup")) == ["course", "test"]
    assert project.calls[-1][-1] == f"{project.root}[course,test]"
    (project.venv / "course-installed.txt").unlink()
    script(path_dir, "nvidia-smi", SMI_OK)
    assert course.setup(SimpleNamespace(device=None, command="setup")) == ["course", "test", "gpu"]
    assert project.calls[-1][-1] == f"{project.root}[course,test,gpu]"
    assert course.setup(SimpleNamespace(device="cpu", command="lab")) == ["course", "test"]
    assert course.setup(SimpleNamespace(device=None, command="lab")) == ["course", "test"]  # --cpu is remembered


@pytest.mark.parametrize("argv, device", [(["setup"], None), (["setup", "--gpu"], "gpu"), (["--gpu", "setup"], "gpu"),
                                          (["setup", "--cpu"], "cpu"), (["--cpu", "test", "-x"], "cpu")])
def test_gpu_and_cpu_flags_before_or_after_the_command(monkeypatch, argv, device):
    seen = []
    monkeypatch.setattr(course, "setup", lambda args: seen.append(args.device) or ["course", "test"])
    monkeypatch.setattr(course, "cmd_test", lambda args: seen.append(args.extra))
    course.main(argv)
    assert seen[0] == device
    assert seen[1:] == ([["-x"]] if argv[-2:] == ["test", "-x"] else [])


def test_gpu_and_cpu_together_is_an_error(monkeypatch, capsys):
    monkeypatch.setattr(course, "setup", lambda args: pytest.fail("set up despite a bad command line"))
    with pytest.raises(SystemExit):
        course.main(["setup", "--gpu", "--cpu"])
    assert "not allowed with" in capsys.readouterr().err


# --- papermill and pytest -----------------------------------------------------------------------------------

def test_notebooks_run_with_plain_papermill(project):
    (project.root / "notebooks").mkdir()
    (project.root / "notebooks" / "01_x.ipynb").write_text("{}")
    course.cmd_run(SimpleNamespace(quick=True, parameter=[["seed", "1"]], notebook=None))
    assert project.calls[0][1:4] == ["-m", "papermill", str(project.root / "notebooks" / "01_x.ipynb")]
    assert project.calls[0][-2:] == ["seed", "1"]
    assert "papermill_safe" not in (ROOT / "course.py").read_text()


@pytest.mark.parametrize("extra, workers, expected", [
    ([], None, ["-n", "2", "--dist", "loadfile"]),
    (["-x"], "3", ["-n", "3", "--dist", "loadfile"]),
    ([], "0", []), ([], "1", []),
    (["-n", "4"], None, []), (["-n4"], None, []), (["--numprocesses=auto"], None, []), (["-p", "no:xdist"], "2", []),
])
def test_pytest_runs_on_two_workers_unless_told(extra, workers, expected):
    assert course.xdist_args(extra, {} if workers is None else {"GAN_COURSE_TEST_WORKERS": workers}) == expected


def test_bad_worker_count_stops():
    with pytest.raises(SystemExit):
        course.xdist_args([], {"GAN_COURSE_TEST_WORKERS": "two"})


def test_cmd_test_passes_workers_then_the_users_arguments(project, monkeypatch):
    monkeypatch.delenv("GAN_COURSE_TEST_WORKERS", raising=False)
    course.cmd_test(SimpleNamespace(extra=["-k", "losses"]))
    assert project.calls[-1][1:] == ["-m", "pytest", "-n", "2", "--dist", "loadfile", "-k", "losses"]


# --- course.py for real, under an unsupported Python ---------------------------------------------------------

OLD_PYTHONS = [Path.home() / ".pyenv" / "versions" / v / "bin" / "python3" for v in ("3.8.18", "3.9.18")]


@pytest.mark.parametrize("old", OLD_PYTHONS, ids=["3.8", "3.9"])
def test_unsupported_python_with_nothing_around_stops_before_creating_anything(tmp_path, old):
    if not old.exists():
        pytest.skip(f"{old} is not installed")
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "course.py", tmp_path / "course.py")
    done = subprocess.run([str(old), "course.py", "setup"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": str(tmp_path / "bin"), "HOME": str(tmp_path)})
    assert done.returncode != 0
    assert "This is Python 3." in done.stderr and "sudo apt install python3.12 python3.12-venv" in done.stderr
    assert "python3.12 course.py setup" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / ".venv").exists()


def test_unsupported_python_says_which_one_it_picked(tmp_path):
    old = OLD_PYTHONS[1]
    if not old.exists():
        pytest.skip(f"{old} is not installed")
    python312 = fake_python(tmp_path / "bin", "python3.12", "3.12")  # passes the probe, then `-m venv` fails
    shutil.copy(ROOT / "course.py", tmp_path / "course.py")
    done = subprocess.run([str(old), "course.py", "lab"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": str(tmp_path / "bin"), "HOME": str(tmp_path)})
    picked = ("this is Python 3.9, which TensorFlow has no wheels for; "
              f"using Python 3.12 from python3.12 on PATH: {python312}")
    assert picked in done.stdout
    assert f"creating {tmp_path / '.venv'} with Python 3.12" in done.stdout
    assert done.returncode != 0 and "-m venv" in done.stderr
    assert (tmp_path / ".venv" / course.INCOMPLETE).exists()  # so the next set-up starts afresh
