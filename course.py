#!/usr/bin/env python3
"""One entry point for the course. Needs only Python 3.10+ and pip; works on Linux, macOS, Windows.

    python3 course.py lab        set up .venv, then open the notebooks in JupyterLab
    python3 course.py run        set up .venv, then execute every notebook into build/ (+ HTML)
    python3 course.py test       set up .venv, then run the whole test suite (what CI runs)
    python3 course.py setup      only create/update .venv

Options of `run`:  --quick (GAN_COURSE_QUICK=1), -p NAME VALUE (a papermill parameter, repeatable),
                   --notebook NAME (only notebooks whose file name contains NAME).
Maintainers:       python3 course.py refresh notebooks/01_gan_concepts.ipynb
                   re-executes a notebook in place with its default parameters (a real, full run)
                   and normalizes it, so that the committed outputs are those of a real run.

Set-up is idempotent: .venv is created once, and `pip install -e .[test]` runs again only
when pyproject.toml changes (its hash is stored in .venv/course-installed.txt).
"""

from __future__ import annotations

import argparse
import hashlib
import os
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
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(cmd: list, **kwargs) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **kwargs.pop("env", {})}
    result = subprocess.run([str(c) for c in cmd], env=env, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup() -> None:
    if sys.version_info < (3, 10):
        sys.exit(f"Python 3.10 or newer is needed; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    start = time.perf_counter()
    if not PYTHON.exists():
        say(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    say("installing the course and its dependencies into .venv (a few minutes the first time)")
    run([PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f"{ROOT}[test]"])
    STAMP.write_text(wanted + "\n")
    say(f"set-up done in {time.perf_counter() - start:.0f} s")


def notebooks(name_filter: str | None = None) -> list[Path]:
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if name_filter:
        found = [p for p in found if name_filter in p.name]
        if not found:
            sys.exit(f"No notebook matches --notebook {name_filter!r}.")
    return found


def cmd_lab(args) -> None:
    say(f"starting JupyterLab on {NOTEBOOKS}; open the URL it prints (Ctrl+C to stop)")
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers
    run([PYTHON, "-m", "jupyter", "lab", f"--notebook-dir={NOTEBOOKS}", *as_root, *args.extra])


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


def cmd_test(args) -> None:
    env = {"GAN_COURSE_QUICK": "1"}
    run([PYTHON, "-m", "pytest", *args.extra], cwd=ROOT, env=env)


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
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create/update .venv only")
    sub.add_parser("lab", help="open the notebooks in JupyterLab (other arguments go to jupyter lab)")
    run_p = sub.add_parser("run", help="execute every notebook into build/ with papermill, plus HTML")
    run_p.add_argument("--quick", action="store_true", help="quick mode: GAN_COURSE_QUICK=1")
    run_p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    run_p.add_argument("--notebook", help="only notebooks whose file name contains this text")
    sub.add_parser("test", help="run the test suite, what CI runs (other arguments go to pytest)")
    refresh = sub.add_parser("refresh", help="maintainers: re-execute notebooks in place and normalize")
    refresh.add_argument("notebook_paths", nargs="+")
    args, args.extra = parser.parse_known_args(argv)
    if args.extra and args.command not in ("lab", "test"):
        parser.error(f"unrecognized arguments: {' '.join(args.extra)}")
    setup()
    {"setup": lambda a: None, "lab": cmd_lab, "run": cmd_run, "test": cmd_test, "refresh": cmd_refresh}[args.command](args)


if __name__ == "__main__":
    main()
