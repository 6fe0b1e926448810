#!/usr/bin/env python3
"""Run the course with the OLDEST versions that pyproject.toml declares (a maintainer check, not CI).

pyproject.toml gives the package's dependencies as ranges (tensorflow>=2.18, keras>=3.5, ...), and
tests/test_packaging.py names the lowest release of each (MINIMUM_SUPPORTED). This script proves
those floors: it builds a Python 3.10 virtual environment with exactly those releases, installs the
package into it, and runs the unit tests and every notebook (quick mode, under nbval) there.

    python3 tools/oldest_env.py                          # build build/oldest-venv if missing, run all
    python3 tools/oldest_env.py --recreate               # throw the environment away first
    python3 tools/oldest_env.py --no-notebooks           # unit tests only
    python3 tools/oldest_env.py --no-unit --notebooks notebooks/03_dcgan_mnist.ipynb
    python3 tools/oldest_env.py --pin keras==3.6.0 --venv build/keras36-venv   # try one floor higher
    python3 tools/oldest_env.py --python ~/.pyenv/versions/3.10.13/bin/python3.10

It needs the network (about 1 GB of wheels the first time) and takes ~10-15 minutes on two cores.
The summary (versions, pass/fail counts, durations) goes to stdout and to build/oldest_env.txt; the
full pytest logs and JUnit reports go to build/oldest_env-*.log / *.xml. Exit status 0 only if
everything passed. Standard library only, so any python3 can run it.
"""

from __future__ import annotations

import argparse
import ast
import glob
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

# Fallback only: the floors are read from tests/test_packaging.py (MINIMUM_SUPPORTED) so that the
# two cannot drift apart.
MINIMUMS_FALLBACK = {"tensorflow": "2.18.0", "keras": "3.5.0", "numpy": "1.26.0", "scipy": "1.11.1",
                     "matplotlib": "3.8.0", "ipywidgets": "7.7.1"}
# The kernel side as on Colab (ipykernel 6.17.1); if it cannot be installed with the floors above,
# the next candidates are tried in order and the summary says which one was used.
IPYKERNEL_CANDIDATES = ["6.17.1", "6.19.4", "6.29.5", None]
# The test tooling, unpinned (whatever is newest and installs next to the floors).
TOOLING = ["pytest", "pytest-timeout", "nbval", "papermill", "nbconvert", "pyyaml", "packaging", "tomli"]

# The unit-test modules that need nothing beyond the package and the tooling above (not ruff,
# JupyterLab, a browser, or the course extras' exact widget pins).
UNIT_TESTS = ["test_data.py", "test_params.py", "test_losses.py", "test_models.py", "test_training.py",
              "test_metrics.py", "test_plotting.py", "test_widgets.py", "test_text.py", "test_colab.py"]
NOTEBOOKS = "notebooks/0*.ipynb"

KEY_PACKAGES = ["tensorflow", "keras", "numpy", "scipy", "matplotlib", "ipywidgets", "widgetsnbextension",
                "jupyterlab-widgets", "ipykernel", "ipython", "jupyter-client", "nbclient", "nbformat", "nbval",
                "papermill", "nbconvert", "pytest", "pytest-timeout", "ml-dtypes", "h5py", "protobuf",
                "tensorboard", "gan-helpers"]


def minimums() -> dict[str, str]:
    """MINIMUM_SUPPORTED from tests/test_packaging.py, read without importing the test module."""
    try:
        tree = ast.parse((ROOT / "tests" / "test_packaging.py").read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MINIMUM_SUPPORTED" for t in node.targets):
                return dict(ast.literal_eval(node.value))
    except (OSError, SyntaxError, ValueError):
        pass
    return dict(MINIMUMS_FALLBACK)


def find_python310(explicit: str | None) -> str:
    candidates = [explicit] if explicit else []
    candidates += [shutil.which("python3.10") or ""]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10*/bin/python3.10")), reverse=True)
    candidates += ["/usr/bin/python3.10", "/usr/local/bin/python3.10"]
    for candidate in filter(None, candidates):
        try:  # a pyenv shim is on PATH even when 3.10 is not the active version: it then fails
            out = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
                                 capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip() == "True":
            return candidate
    sys.exit("oldest_env: no working python3.10 found (pass --python PATH)")


class Log:
    """Prints and keeps the summary lines."""

    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)


def run(cmd: list[str], log_file: Path | None = None, env: dict | None = None, check: bool = True) -> tuple[int, str, float]:
    """Runs cmd in ROOT; output goes to log_file (and is returned) or to the terminal."""
    print("$ " + " ".join(map(str, cmd)), flush=True)
    start = time.monotonic()
    if log_file is None:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True)
        output = proc.stdout + proc.stderr
    else:
        with open(log_file, "w") as f:
            proc = subprocess.run(cmd, cwd=ROOT, env=env, text=True, stdout=f, stderr=subprocess.STDOUT)
        output = log_file.read_text()
    seconds = time.monotonic() - start
    if check and proc.returncode != 0:
        print(output[-6000:])
        sys.exit(f"oldest_env: failed ({proc.returncode}): {' '.join(map(str, cmd))}")
    return proc.returncode, output, seconds


def venv_env(venv: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYENV_VERSION"}}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def install(venv: Path, python310: str, pins: dict[str, str], recreate: bool, log: Log) -> str | None:
    """Creates venv (unless it is there) and installs the pins, the tooling and the package."""
    py = venv / "bin" / "python"
    env = venv_env(venv)
    if recreate and venv.exists():
        shutil.rmtree(venv)
    if not py.exists():
        run([python310, "-m", "venv", str(venv)])
    pinned = [f"{name}=={version}" for name, version in pins.items()]
    chosen = None
    for ipykernel in IPYKERNEL_CANDIDATES:
        spec = [f"ipykernel=={ipykernel}"] if ipykernel else ["ipykernel"]
        # An exact == pin also accepts a yanked release (PEP 592), e.g. scipy 1.11.0.
        code, output, seconds = run([str(py), "-m", "pip", "install", *pinned, *spec, *TOOLING],
                                    log_file=BUILD / "oldest_env-pip.log", env=env, check=False)
        if code == 0:
            chosen = ipykernel or "newest"
            print(f"installed in {seconds:.0f} s")
            for line in output.splitlines():
                if "yanked" in line.lower():
                    log(f"note: {line.strip()}")
            break
        print(output[-3000:])
        print(f"oldest_env: could not install with ipykernel {ipykernel or '(unpinned)'}; trying the next")
    if chosen is None:
        sys.exit("oldest_env: the minimum versions do not install together (see build/oldest_env-pip.log)")
    if chosen != IPYKERNEL_CANDIDATES[0]:
        log(f"note: ipykernel {IPYKERNEL_CANDIDATES[0]} did not install with the floors; used {chosen}")
    run([str(py), "-m", "pip", "install", "--no-deps", "-e", "."], env=env)
    return chosen


def freeze(venv: Path) -> dict[str, str]:
    _, output, _ = run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"], env=venv_env(venv))
    versions = {}
    for line in output.splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            versions[re.sub(r"[-_.]+", "-", name).lower()] = version
    return versions


def junit_counts(xml_path: Path) -> tuple[dict[str, dict], list[str]]:
    """Per file: passed/failed/error/skipped counts and summed seconds; and the failing test ids."""
    per_file: dict[str, dict] = defaultdict(lambda: {"passed": 0, "failed": 0, "error": 0, "skipped": 0, "seconds": 0.0})
    failures = []
    if not xml_path.exists():
        return {}, ["(no JUnit report: pytest did not run to the end)"]
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        name = case.get("file") or case.get("classname", "?")
        counts = per_file[name]
        counts["seconds"] += float(case.get("time") or 0)
        if case.find("failure") is not None:
            counts["failed"] += 1
            failures.append(f"{case.get('classname')}::{case.get('name')}")
        elif case.find("error") is not None:
            counts["error"] += 1
            failures.append(f"{case.get('classname')}::{case.get('name')} (error)")
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return dict(per_file), failures


def summary_line(output: str) -> str:
    lines = [line.strip("= ").strip() for line in output.splitlines() if re.match(r"^=+ .*\bin [\d.]+s", line)]
    return lines[-1] if lines else "(no pytest summary line)"


def fmt(counts: dict) -> str:
    parts = [f"{counts[k]} {k}" for k in ("passed", "failed", "error", "skipped") if counts[k] or k == "passed"]
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", help="the Python 3.10 interpreter (default: python3.10 or pyenv's 3.10)")
    parser.add_argument("--venv", default=str(BUILD / "oldest-venv"), help="where the environment lives")
    parser.add_argument("--recreate", action="store_true", help="delete the environment first")
    parser.add_argument("--no-install", action="store_true", help="use the environment as it is")
    parser.add_argument("--pin", action="append", default=[], metavar="NAME==VERSION",
                        help="replace one floor (to find the lowest version that works)")
    parser.add_argument("--no-unit", action="store_true", help="skip the unit tests")
    parser.add_argument("--no-notebooks", action="store_true", help="skip the notebooks")
    parser.add_argument("--notebooks", nargs="+", default=[NOTEBOOKS], help=f"notebooks to run (default {NOTEBOOKS})")
    parser.add_argument("--summary", default=str(BUILD / "oldest_env.txt"), help="where the summary is written")
    args = parser.parse_args(argv)

    BUILD.mkdir(exist_ok=True)
    venv = Path(args.venv).resolve()
    pins = minimums()
    for pin in args.pin:
        name, _, version = pin.partition("==")
        if not version:
            parser.error(f"--pin wants NAME==VERSION, not {pin!r}")
        pins[name.strip().lower()] = version.strip()
    log = Log()
    shown = venv.relative_to(ROOT) if venv.is_relative_to(ROOT) else venv
    log(f"oldest_env: {time.strftime('%Y-%m-%d %H:%M:%S')}, venv {shown}")
    log("floors: " + ", ".join(f"{k}=={v}" for k, v in pins.items()))

    total_start = time.monotonic()
    if not args.no_install:
        python310 = find_python310(args.python)
        start = time.monotonic()
        install(venv, python310, pins, args.recreate, log)
        log(f"install: {time.monotonic() - start:.0f} s")
    py = venv / "bin" / "python"
    if not py.exists():
        sys.exit(f"oldest_env: no environment at {venv} (run without --no-install)")

    versions = freeze(venv)
    _, pyversion, _ = run([str(py), "-c", "import platform; print(platform.python_version())"])
    log(f"python {pyversion.strip()}")
    log("pip freeze (key packages): " + " ".join(f"{n}=={versions[n]}" for n in KEY_PACKAGES if n in versions))
    mismatched = [f"{n} {versions.get(n, 'missing')} (wanted {v})" for n, v in pins.items() if versions.get(n) != v]
    if mismatched:
        log("NOT the floors: " + "; ".join(mismatched))
    code, output, _ = run([str(py), "-m", "pip", "check"], env=venv_env(venv), check=False)
    log("pip check: " + ("ok" if code == 0 else "; ".join(output.strip().splitlines())))

    ok = not mismatched
    env = venv_env(venv)
    env["GAN_COURSE_QUICK"] = "1"
    # The repository's addopts (pyproject.toml) hold nbval's flags and -p no:cacheprovider; both runs use them.
    if not args.no_unit:
        xml = BUILD / "oldest_env-unit.xml"
        xml.unlink(missing_ok=True)
        tests = [f"tests/{name}" for name in UNIT_TESTS]
        code, output, seconds = run([str(py), "-m", "pytest", *tests, "-m", "not slow", "--ignore=tests/browser",
                                     "-p", "no:cacheprovider", f"--junitxml={xml}"],
                                    log_file=BUILD / "oldest_env-unit.log", env=env, check=False)
        per_file, failures = junit_counts(xml)
        log(f"unit tests: {summary_line(output)}  (exit {code}, {seconds:.0f} s wall)")
        for name, counts in sorted(per_file.items()):
            if counts["failed"] or counts["error"]:
                log(f"  {name}: {fmt(counts)}")
        for failure in failures:
            log(f"  FAILED {failure}")
        ok &= code == 0
    if not args.no_notebooks:
        notebooks = sorted({nb for pattern in args.notebooks for nb in glob.glob(str(ROOT / pattern))
                            if not nb.endswith(".out.ipynb")})
        for notebook in notebooks:  # one pytest per notebook: its own time and a fresh kernel
            rel = os.path.relpath(notebook, ROOT)
            stem = Path(notebook).stem
            xml = BUILD / f"oldest_env-{stem}.xml"
            xml.unlink(missing_ok=True)
            code, output, seconds = run([str(py), "-m", "pytest", "--nbval-lax", "--nbval-current-env", rel,
                                         "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
                                         "-p", "no:cacheprovider", f"--junitxml={xml}"],
                                        log_file=BUILD / f"oldest_env-{stem}.log", env=env, check=False)
            per_file, failures = junit_counts(xml)
            counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
            for file_counts in per_file.values():
                for key in counts:
                    counts[key] += file_counts[key]
            verdict = "PASS" if code == 0 else "FAIL"
            log(f"{rel}: {verdict}, {fmt(counts)} cells, {seconds:.0f} s  ({summary_line(output)})")
            for failure in failures:
                log(f"  FAILED {failure}")
            ok &= code == 0
    log(f"total: {time.monotonic() - total_start:.0f} s; {'ALL PASSED' if ok else 'FAILURES (see build/oldest_env-*.log)'}")
    Path(args.summary).write_text("\n".join(log.lines) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
