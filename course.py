#!/usr/bin/env python3
"""One entry point for the course. Needs only Python 3.10+ and pip; works on Linux, macOS, Windows.

    python3 course.py lab        set up .venv, then open the notebooks in JupyterLab (prints the URL to open)
    python3 course.py run        set up .venv, then execute every notebook into build/ (+ HTML)
    python3 course.py test       set up .venv, then run the whole test suite (what CI runs)
    python3 course.py setup      only create/update .venv
    python3 course.py test-browser   maintainers: the notebooks in a real (headless) Chromium, see below

Options of `lab`:  --port N (default: 8888, or the next free port), --notebook-dir DIR (default:
                   notebooks/); other arguments go to `jupyter lab` (e.g. --no-browser).
Options of `run`:  --quick (GAN_COURSE_QUICK=1), -p NAME VALUE (a papermill parameter, repeatable),
                   --notebook NAME (only notebooks whose file name contains NAME).
Maintainers:       python3 course.py refresh notebooks/01_gan_concepts.ipynb
                   re-executes a notebook in place with its default parameters (a real, full run)
                   and normalizes it, so that the committed outputs are those of a real run.
                   python3 course.py test-browser
                   installs Playwright into .venv (the `browser` extra) and uses Debian's Chromium
                   (/usr/bin/chromium; installed with apt-get when missing and running as root),
                   then runs tests/browser: JupyterLab started by `course.py lab`, notebooks run
                   in the browser, widgets checked and moved, screenshots into build/browser/.

Set-up is idempotent: .venv is created once, and `pip install -e .[test]` runs again only
when pyproject.toml changes (its hash is stored in .venv/course-installed.txt).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
STAMP = VENV / "course-installed.txt"
PAPERMILL = ROOT / "tools" / "papermill_safe.py"  # papermill, minus a stand-in that can hang (see there)
BROWSER_STAMP = VENV / "course-browser-installed.txt"
CHROMIUM = Path("/usr/bin/chromium")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def venv_env(**extra: str) -> dict:
    """This process's environment with .venv's scripts first on PATH, plus ``extra``."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def run(cmd: list, **kwargs) -> None:
    result = subprocess.run([str(c) for c in cmd], env=venv_env(**kwargs.pop("env", {})), **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def install(extras: str, stamp: Path, message: str) -> bool:
    """``pip install -e .[extras]`` into .venv, unless ``stamp`` holds the hash of this pyproject.toml
    (written after a successful install); True when it installed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return False
    say(message)
    run([PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f"{ROOT}[{extras}]"])
    stamp.write_text(wanted + "\n")
    return True


def setup() -> None:
    if sys.version_info < (3, 10):
        sys.exit(f"Python 3.10 or newer is needed; this is {sys.version.split()[0]}.")
    start = time.perf_counter()
    if not PYTHON.exists():
        say(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)  # clears a stale stamp too
    if install("test", STAMP, "installing the course and its dependencies into .venv (a few minutes the first time)"):
        say(f"set-up done in {time.perf_counter() - start:.0f} s")


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
        run([PYTHON, PAPERMILL, nb, target, "--cwd", NOTEBOOKS, "--log-level", "WARNING", *params], env=env)
        run([PYTHON, "-m", "jupyter", "nbconvert", "--to", "html", "--log-level", "WARN", target])
        say(f"{nb.name}: {time.perf_counter() - start:.0f} s; HTML at {target.with_suffix('.html').relative_to(ROOT)}")


def cmd_test(args) -> None:
    env = {"GAN_COURSE_QUICK": "1"}
    run([PYTHON, "-m", "pytest", *args.extra], cwd=ROOT, env=env)


def browser_setup() -> Path:
    """Playwright (the `browser` extra, no browser download) in .venv, and Debian's Chromium."""
    install("test,browser", BROWSER_STAMP, "installing the browser extra (Playwright for Python) into .venv")
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
    chromium = browser_setup()
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
        run([PYTHON, PAPERMILL, nb, nb, "--cwd", nb.parent, "--log-level", "WARNING"],
            env={"GAN_COURSE_QUICK": "0"})
        run([PYTHON, str(ROOT / "tools" / "normalize_notebooks.py"), nb])
        say(f"{nb.name}: {time.perf_counter() - start:.0f} s")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="course.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create/update .venv only")
    lab = sub.add_parser("lab", help="open the notebooks in JupyterLab, print the URL (other arguments go to jupyter lab)")
    lab.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: 8888 or the next free one)")
    lab.add_argument("--notebook-dir", default=str(NOTEBOOKS), help="folder to serve (default: notebooks/)")
    run_p = sub.add_parser("run", help="execute every notebook into build/ with papermill, plus HTML")
    run_p.add_argument("--quick", action="store_true", help="quick mode: GAN_COURSE_QUICK=1")
    run_p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    run_p.add_argument("--notebook", help="only notebooks whose file name contains this text")
    sub.add_parser("test", help="run the test suite, what CI runs (other arguments go to pytest)")
    sub.add_parser("test-browser", help="maintainers: notebooks in headless Chromium (other arguments go to pytest)")
    refresh = sub.add_parser("refresh", help="maintainers: re-execute notebooks in place and normalize")
    refresh.add_argument("notebook_paths", nargs="+")
    args, args.extra = parser.parse_known_args(argv)
    if args.extra and args.command not in ("lab", "test", "test-browser"):
        parser.error(f"unrecognized arguments: {' '.join(args.extra)}")
    setup()
    {"setup": lambda a: None, "lab": cmd_lab, "run": cmd_run, "test": cmd_test,
     "test-browser": cmd_test_browser, "refresh": cmd_refresh}[args.command](args)


if __name__ == "__main__":
    main()
