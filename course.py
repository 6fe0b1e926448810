#!/usr/bin/env python3
"""One entry point for the course. Needs only Python 3.10-3.13 and pip; written for Linux, macOS and Windows
(tested on Linux).

    python3 course.py lab        set up .venv, then open the notebooks in JupyterLab (prints the URL to open)
    python3 course.py run        set up .venv, then execute every notebook into build/ (+ HTML)
    python3 course.py test       set up .venv, then run the whole test suite (what CI runs)
    python3 course.py setup      only create/update .venv
    python3 course.py test-browser   maintainers: the notebooks in a real (headless) Chromium, see below

Python: 3.10 to 3.13, the versions TensorFlow has wheels for (SUPPORTED below). Run by another Python
(3.14, 3.9, ...), course.py keeps a .venv that has a supported one, or else builds .venv with the newest it
finds: python3.13 ... python3.10 on PATH, `py -3.13` ... `py -3.10` on Windows, `uv python find` (installed
ones only); with none, it stops before creating anything and says how to install Python 3.12.
Every command:     --gpu adds the `gpu` extra (TensorFlow's CUDA build, Linux x86-64 only), --cpu leaves it
                   out; without either, the last set-up's choice, or on the first one, `gpu` when
                   `nvidia-smi -L` lists a GPU (Linux x86-64).
Options of `lab`:  --port N (default: 8888, or the next free port), --notebook-dir DIR (default:
                   notebooks/); other arguments go to `jupyter lab` (e.g. --no-browser).
Options of `run`:  --quick (GAN_COURSE_QUICK=1), -p NAME VALUE (a papermill parameter, repeatable),
                   --notebook NAME (only notebooks whose file name contains NAME).
Options of `test`: other arguments go to pytest; 2 workers (pytest-xdist: -n 2 --dist loadfile) unless
                   they include -n/--numprocesses; GAN_COURSE_TEST_WORKERS=N sets the count (0 or 1: no xdist).
Maintainers:       python3 course.py refresh notebooks/01_gan_concepts.ipynb
                   re-executes a notebook in place with its default parameters (a real, full run)
                   and normalizes it, so that the committed outputs are those of a real run.
                   python3 course.py test-browser
                   installs Playwright into .venv (the `browser` extra) and uses Debian's Chromium
                   (/usr/bin/chromium; installed with apt-get when missing and running as root),
                   then runs tests/browser: JupyterLab started by `course.py lab`, notebooks run
                   in the browser, widgets checked and moved, screenshots into build/browser/.

Set-up is idempotent: `pip install -e .[course,test]` (plus `gpu`) runs again only when pyproject.toml
or the extras change (both in .venv/course-installed.txt). .venv is deleted and built again when its
Python (pyvenv.cfg) is not the chosen one, or when a set-up stopped half-way (.venv/course-setup-incomplete,
written before creating or installing, removed once the install succeeded).
"""

from __future__ import annotations  # course.py must start on Python 3.8+ to say which Python it needs

import argparse
import hashlib
import os
import platform as platform_module
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

# The Pythons TensorFlow ships wheels for: TensorFlow 2.21 has cp310-cp313 wheels, none for 3.14 yet,
# and none at all for Intel macOS since TF 2.17. Add a version here when TensorFlow does.
SUPPORTED = ((3, 10), (3, 11), (3, 12), (3, 13))
RECOMMENDED = (3, 12)  # the one the install instructions name

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
STAMP = VENV / "course-installed.txt"
INCOMPLETE = "course-setup-incomplete"  # in .venv while a set-up runs; left there, it means "rebuild"
BROWSER_STAMP = VENV / "course-browser-installed.txt"
CHROMIUM = Path("/usr/bin/chromium")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def dotted(version) -> str:
    return "%d.%d" % tuple(version)


def venv_env(**extra: str) -> dict:
    """This process's environment with .venv's scripts first on PATH, plus ``extra``."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def run(cmd: list, **kwargs) -> None:
    result = subprocess.run([str(c) for c in cmd], env=venv_env(**kwargs.pop("env", {})), **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def output(cmd: list, **env: str) -> str | None:
    """What ``cmd`` prints, or None when it cannot start, fails or hangs."""
    try:
        done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL, env={**os.environ, **env})
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def python_version(cmd: list) -> tuple | None:
    """(major, minor) that the interpreter ``cmd`` reports when it runs, else None."""
    found = re.fullmatch(r"(\d+)\.(\d+)", output([*cmd, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]) or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


def candidates(platform: str, which):
    """Commands that may start a supported Python, newest first, each with where it came from."""
    launcher = which("py") if platform == "win32" else None
    for version in reversed(SUPPORTED):
        path = which(f"python{dotted(version)}")
        if path:
            yield [path], f"python{dotted(version)} on PATH"
        if launcher:
            yield [launcher, f"-{dotted(version)}"], f"the py launcher (py -{dotted(version)})"
    uv = which("uv")
    if uv:
        for version in reversed(SUPPORTED):  # installed interpreters only: never a download
            path = output([uv, "python", "find", "--system", dotted(version)], UV_PYTHON_DOWNLOADS="never")
            if path:
                yield [path], f"uv (uv python find {dotted(version)})"


def install_instructions(platform: str, command: str = "lab") -> str:
    """How to install a supported Python on ``platform`` (sys.platform), then run ``command`` with it."""
    want = dotted(RECOMMENDED)
    if platform == "win32":
        return (f"Install Python {want} (64-bit), either with the python.org installer "
                f"(https://www.python.org/downloads/windows/, the latest {want}.x) or in a terminal:\n"
                f"    winget install Python.Python.{want}\n"
                f"then run:\n    py -{want} course.py {command}")
    if platform == "darwin":
        return (f"Install Python {want}, either with Homebrew:\n    brew install python@{want}\n"
                f"or with python.org's installer of {want} (https://www.python.org/downloads/macos/), then run:\n"
                f"    python{want} course.py {command}\n"
                "Note: on an Intel Mac this will not help: TensorFlow has no wheels for Intel macOS since 2.17.")
    return (f"Install Python {want} with your distribution's packages where it has them (Ubuntu 24.04 does):\n"
            f"    sudo apt install python{want} python{want}-venv\n"
            f"or with pyenv or uv:\n    pyenv install {want} && pyenv shell {want}      or      uv python install {want}\n"
            f"then run:\n    python{want} course.py {command}\n"
            f"(python3 course.py {command} finds it too: it looks for python{want} on PATH and asks uv)")


def choose_interpreter(current=None, platform=None, which=shutil.which, probe=python_version,
                       executable=None, keep=None, command="lab"):
    """The Python that builds .venv: (command list, (major, minor), why), or SystemExit with the
    install instructions when there is none. ``keep``: the version of an existing, complete .venv,
    which an unsupported Python keeps using rather than rebuild it for whatever it finds now."""
    current = tuple((current or sys.version_info)[:2])
    platform = platform or sys.platform
    if current in SUPPORTED:
        return [executable or sys.executable], current, f"this Python ({dotted(current)}) is supported"
    why = f"this is Python {dotted(current)}, which TensorFlow has no wheels for"
    if keep in SUPPORTED:
        return None, tuple(keep), f"{why}; .venv has Python {dotted(keep)}, kept"
    for cmd, where in candidates(platform, which):
        version = probe(cmd)
        if version in SUPPORTED:
            return cmd, version, f"{why}; using Python {dotted(version)} from {where}: {' '.join(cmd)}"
    new, old = dotted(SUPPORTED[-1]), dotted(SUPPORTED[0])
    looked = f"python{new} ... python{old} on PATH" + (f", py -{new} ... py -{old}" if platform == "win32" else "")
    raise SystemExit(f"[course] This is Python {dotted(current)}; the course needs Python {old} to {new} (the versions "
                     f"TensorFlow has wheels for) and found none ({looked}, uv's if uv is installed).\n"
                     + install_instructions(platform, command))


def venv_version(venv: Path) -> tuple | None:
    """(major, minor) of the Python ``venv`` was built with (pyvenv.cfg: version or version_info)."""
    try:
        text = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r"^\s*version(?:_info)?\s*=\s*(\d+)\.(\d+)", text, re.MULTILINE)
    return (int(found.group(1)), int(found.group(2))) if found else None


def venv_problem(venv: Path, version) -> str | None:
    """Why ``venv`` must be (re)built for Python ``version``; None when it can stay."""
    if (venv / INCOMPLETE).exists():
        return f"an earlier set-up stopped half-way ({INCOMPLETE} is there)"
    if not (venv / BIN.name / PYTHON.name).exists():
        return "it has no Python" if venv.exists() else "there is none yet"
    have = venv_version(venv)
    if have != tuple(version):
        return f"it has Python {dotted(have) if have else '(unknown)'}, and this set-up uses {dotted(version)}"
    return None


def gpu_extra(choice=None, platform=None, machine=None, which=shutil.which, previous=None):
    """(add the `gpu` extra?, what to tell). ``choice``: "gpu", "cpu" or None (then the ``previous``
    set-up's choice, or on a first one, a GPU that `nvidia-smi -L` lists)."""
    platform = platform or sys.platform
    machine = (machine or platform_module.machine()).lower()
    linux_x86 = platform.startswith("linux") and machine in ("x86_64", "amd64")
    if choice == "cpu":
        return False, None
    if choice == "gpu":
        if linux_x86:
            return True, "--gpu: adding the gpu extra (TensorFlow's CUDA build)"
        where = {"win32": "on Windows, run the course inside WSL2 (Ubuntu) to use an NVIDIA GPU",
                 "darwin": "on macOS the GPU would need tensorflow-metal, which this course does not support"
                 }.get(platform, f"this machine is {platform} {machine}")
        return False, f"--gpu: TensorFlow's pip GPU build is for Linux x86-64 only; {where}. Continuing on the CPU."
    if previous is not None:
        return previous, None
    smi = which("nvidia-smi") if linux_x86 else None
    gpus = [line for line in (output([smi, "-L"]) or "").splitlines() if line.startswith("GPU ")] if smi else []
    if gpus:
        gpu = re.sub(r"\s*\(UUID:.*", "", gpus[0])
        return True, f"found {gpu}: adding the gpu extra (TensorFlow's CUDA build); --cpu leaves it out"
    return False, None


def stamp_has_gpu(stamp: Path) -> bool | None:
    """Whether the install that wrote ``stamp`` ("<pyproject.toml hash> [extra,...]") had `gpu`; None: no such."""
    found = re.search(r"\[(.*)\]", stamp.read_text()) if stamp.exists() else None
    return "gpu" in found.group(1).split(",") if found else None


def install(extras: list, stamp: Path, message: str) -> bool:
    """``pip install -e .[extras]`` into .venv, unless ``stamp`` holds this pyproject.toml's hash and these
    extras (written after a successful install); True when it installed."""
    wanted = f"{hashlib.sha256((ROOT / 'pyproject.toml').read_bytes()).hexdigest()} [{','.join(extras)}]"
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return False
    say(message)
    (VENV / INCOMPLETE).write_text("course.py is installing; if this file stays, the next set-up rebuilds .venv\n")
    run([PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f"{ROOT}[{','.join(extras)}]"])
    stamp.write_text(wanted + "\n")
    (VENV / INCOMPLETE).unlink()
    return True


def build_venv(cmd: list, version, problem: str) -> None:
    if VENV.exists():
        say(f"rebuilding {VENV}: {problem}")
        shutil.rmtree(VENV)
    say(f"creating {VENV} with Python {dotted(version)} ({' '.join(cmd)})")
    VENV.mkdir()
    (VENV / INCOMPLETE).write_text("course.py is creating .venv; if this file stays, the next set-up rebuilds it\n")
    if subprocess.run([*cmd, "-m", "venv", str(VENV)]).returncode != 0 or not PYTHON.exists():
        hint = f" (Debian/Ubuntu: sudo apt install python{dotted(version)}-venv)" if sys.platform == "linux" else ""
        sys.exit(f"[course] `{' '.join(cmd)} -m venv {VENV}` failed{hint}; the next set-up starts .venv afresh.")


def setup(args) -> list:
    """Create or update .venv; the extras installed."""
    start = time.perf_counter()
    healthy, previous_gpu = not (VENV / INCOMPLETE).exists() and PYTHON.exists(), stamp_has_gpu(STAMP)
    inside = Path(sys.prefix).resolve() == VENV.resolve()  # run by .venv's Python (as tests do): rebuild from its base
    cmd, version, why = choose_interpreter(keep=venv_version(VENV) if healthy else None, command=args.command,
                                           executable=getattr(sys, "_base_executable", None) if inside else None)
    if sys.version_info[:2] not in SUPPORTED:
        say(why)
    problem = venv_problem(VENV, version)
    if problem:
        build_venv(cmd, version, problem)
    if sys.platform == "darwin" and platform_module.machine() == "x86_64":
        say("warning: TensorFlow has no wheels for Intel macOS (x86-64) since 2.17; the install will fail "
            "(on Apple Silicon, use an arm64 Python, not one running under Rosetta)")
    gpu, message = gpu_extra(args.device, previous=previous_gpu)
    if message:
        say(message)
    extras = ["course", "test"] + (["gpu"] if gpu else [])
    if install(extras, STAMP, f"installing the course ({','.join(extras)}) into .venv (a few minutes the first time)"):
        say(f"set-up done in {time.perf_counter() - start:.0f} s")
    return extras


def notebooks(name_filter: str | None = None) -> list[Path]:
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if name_filter:
        found = [p for p in found if name_filter in p.name]
        if not found:
            sys.exit(f"No notebook matches --notebook {name_filter!r}.")
    return found


def free_port(first: int = 8888, tries: int = 100) -> int:
    """The first port from `first` on that nothing listens on at 127.0.0.1."""
    for port in range(first, first + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"No free port in {first}-{first + tries - 1} on 127.0.0.1; pass --port N.")


def cmd_lab(args) -> None:
    port = args.port or free_port()
    token = secrets.token_hex(24)
    root = Path(args.notebook_dir).resolve()
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers
    # Loopback only, a fixed port (no silent retry on another one) and our own token, so that the
    # URL printed here is the one to open. The token goes in the environment (JUPYTER_TOKEN), not on
    # the command line, where other users of the machine could read it in `ps`.
    cmd = [PYTHON, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", *as_root, *args.extra]
    say(f"starting JupyterLab on {root}; Ctrl+C (twice) to stop. Open this URL in your browser:")
    print(f"\n    http://127.0.0.1:{port}/lab?token={token}\n", flush=True)
    lab = subprocess.Popen([str(c) for c in cmd], env=venv_env(JUPYTER_TOKEN=token))
    while True:  # Ctrl+C reaches JupyterLab too: let it shut its kernels down, then leave
        try:
            sys.exit(lab.wait())
        except KeyboardInterrupt:
            continue


def cmd_run(args) -> None:
    BUILD.mkdir(exist_ok=True)
    env = {"GAN_COURSE_QUICK": "1"} if args.quick else {}
    params = [x for name, value in args.parameter for x in ("-p", name, value)]
    for nb in notebooks(args.notebook):
        target = BUILD / nb.name
        say(f"executing {nb.name} -> {target.relative_to(ROOT)}" + (" (quick mode)" if args.quick else ""))
        start = time.perf_counter()
        run([PYTHON, "-m", "papermill", nb, target, "--cwd", NOTEBOOKS, "--log-level", "WARNING", *params], env=env)
        run([PYTHON, "-m", "jupyter", "nbconvert", "--to", "html", "--log-level", "WARN", target])
        say(f"{nb.name}: {time.perf_counter() - start:.0f} s; HTML at {target.with_suffix('.html').relative_to(ROOT)}")


def xdist_args(extra: list, environ=os.environ) -> list:
    """``-n N --dist loadfile`` (pytest-xdist, 2 workers: both cores of the reference machine; by file, because
    nbval's cells of one notebook share one kernel and must stay on one worker), unless
    ``extra`` chooses itself (-n, --numprocesses, -p no:xdist); GAN_COURSE_TEST_WORKERS sets N (0, 1: none)."""
    if any(a.startswith(("-n", "--numprocesses")) or a.endswith("no:xdist") for a in extra):
        return []
    workers = environ.get("GAN_COURSE_TEST_WORKERS", "2").strip()
    if not (workers.isdigit() or workers == "auto"):
        sys.exit(f"GAN_COURSE_TEST_WORKERS={workers!r}: give a number of workers (0 or 1: no xdist) or 'auto'.")
    return [] if workers.isdigit() and int(workers) <= 1 else ["-n", workers, "--dist", "loadfile"]


def cmd_test(args) -> None:
    run([PYTHON, "-m", "pytest", *xdist_args(args.extra), *args.extra], cwd=ROOT, env={"GAN_COURSE_QUICK": "1"})


def browser_setup(extras: list) -> Path:
    """Playwright (the `browser` extra, no browser download) in .venv, and Debian's Chromium."""
    install(extras + ["browser"], BROWSER_STAMP, "installing the browser extra (Playwright for Python) into .venv")
    found = CHROMIUM if CHROMIUM.exists() else None
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's chromium package with apt-get (once)")
        apt = {"DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-qq"], env=apt)
        run(["apt-get", "install", "-y", "-qq", "chromium"], env=apt)
        found = CHROMIUM if CHROMIUM.exists() else None
    if found is None:
        sys.exit(f"The browser test needs Debian's Chromium at {CHROMIUM} (Playwright never downloads a browser "
                 "here). Install it as root: apt-get install -y chromium   (or: sudo apt-get install -y chromium)")
    return found


def cmd_test_browser(args) -> None:
    chromium = browser_setup(args.extras)
    shots = BUILD / "browser"
    shutil.rmtree(shots, ignore_errors=True)  # only this run's screenshots
    start = time.perf_counter()
    result = subprocess.run([str(PYTHON), "-m", "pytest", "tests/browser", "-rA", *args.extra], cwd=ROOT,
                            env=venv_env(GAN_COURSE_QUICK="1", GAN_COURSE_BROWSER="1", GAN_COURSE_CHROMIUM=str(chromium)))
    for png in sorted(shots.glob("*.png")):
        say(f"screenshot {png.relative_to(ROOT)}")
    say(f"browser test: {time.perf_counter() - start:.0f} s")
    sys.exit(result.returncode)


def cmd_refresh(args) -> None:
    for path in args.notebook_paths:
        nb = Path(path).resolve()
        say(f"re-executing {nb.name} in place with its default parameters (full run)")
        start = time.perf_counter()
        run([PYTHON, "-m", "papermill", nb, nb, "--cwd", nb.parent, "--log-level", "WARNING"],
            env={"GAN_COURSE_QUICK": "0"})
        run([PYTHON, str(ROOT / "tools" / "normalize_notebooks.py"), nb])
        say(f"{nb.name}: {time.perf_counter() - start:.0f} s")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="course.py", description=__doc__.split("\n\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    # --gpu/--cpu before or after the command: the command's default (SUPPRESS) leaves the other one's value
    for where, default in ((parser, None), (common, argparse.SUPPRESS)):
        group = where.add_mutually_exclusive_group()
        group.add_argument("--gpu", dest="device", action="store_const", const="gpu", default=default,
                           help="add the gpu extra: TensorFlow's CUDA build (Linux x86-64)")
        group.add_argument("--cpu", dest="device", action="store_const", const="cpu", default=default,
                           help="no gpu extra, even when nvidia-smi finds a GPU")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", parents=[common], help="create/update .venv only")
    lab = sub.add_parser("lab", parents=[common],
                         help="open the notebooks in JupyterLab, print the URL (other arguments go to jupyter lab)")
    lab.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: 8888 or the next free one)")
    lab.add_argument("--notebook-dir", default=str(NOTEBOOKS), help="folder to serve (default: notebooks/)")
    run_p = sub.add_parser("run", parents=[common], help="execute every notebook into build/ with papermill, plus HTML")
    run_p.add_argument("--quick", action="store_true", help="quick mode: GAN_COURSE_QUICK=1")
    run_p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    run_p.add_argument("--notebook", help="only notebooks whose file name contains this text")
    sub.add_parser("test", parents=[common], help="run the test suite, what CI runs (other arguments go to pytest)")
    sub.add_parser("test-browser", parents=[common],
                   help="maintainers: notebooks in headless Chromium (other arguments go to pytest)")
    refresh = sub.add_parser("refresh", parents=[common], help="maintainers: re-execute notebooks in place and normalize")
    refresh.add_argument("notebook_paths", nargs="+")
    args, args.extra = parser.parse_known_args(argv)
    if args.extra and args.command not in ("lab", "test", "test-browser"):
        parser.error(f"unrecognized arguments: {' '.join(args.extra)}")
    args.extras = setup(args)
    {"setup": lambda a: None, "lab": cmd_lab, "run": cmd_run, "test": cmd_test,
     "test-browser": cmd_test_browser, "refresh": cmd_refresh}[args.command](args)


if __name__ == "__main__":
    main()
