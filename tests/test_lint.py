"""Lint: ruff over the package, tests, tools, benchmarks and the notebooks (ruff reads .ipynb).

The rules and their few exceptions live in pyproject.toml ([tool.ruff]); ruff is pinned in the
test extra so that a new ruff release cannot turn CI red on its own. Fix a finding with
`.venv/bin/ruff check --fix .` or by hand; a notebook fixed by hand keeps its outputs only when
the change cannot alter them (e.g. an unused import), otherwise re-run it (`course.py refresh`).
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"ruff check . found problems:\n{done.stdout}{done.stderr}"


def test_ruff_checks_the_notebooks_and_the_package():
    """The lint test would pass vacuously if the notebooks fell out of ruff's file set."""
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--show-files", "."],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    checked = {Path(line.strip()).resolve() for line in done.stdout.splitlines() if line.strip()}
    expected = {*ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"), *ROOT.glob("gan_helpers/*.py"), ROOT / "course.py",
                *ROOT.glob("tools/*.py"), *ROOT.glob("bench/*.py"), *ROOT.glob("tests/*.py")}
    assert expected <= checked, f"ruff skips {sorted(str(p.relative_to(ROOT)) for p in expected - checked)}"
