#!/usr/bin/env python3
"""Keep every notebook's set-up cell and "Open in Colab" link in step with pyproject.toml.

    python tools/colab_links.py           # rewrite the notebooks' set-up cells and badges, and the README's
    python tools/colab_links.py --check   # exit 1 if anything is out of step (tests/test_colab.py runs it)

The course's repository is named once, in pyproject.toml (``[project.urls] Repository``). From it:

- each notebook's first code cell, the set-up cell (``SETUP_CELL`` below), which installs the
  package from that repository on Colab and Kaggle only, and stops with a set-up message anywhere
  else when ``gan_helpers`` is missing; then it hides TensorFlow's known-harmless C++ log lines
  (``gan_helpers.logs.hide_known_tensorflow_noise``) before any later cell imports TensorFlow;
- the "Open in Colab" badge under each notebook's title and in the README's course table.

Only the set-up cell's source and the badge lines are touched; a notebook's outputs are not.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from normalize_notebooks import dumps, write_or_check  # noqa: E402

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
README = ROOT / "README.md"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
SETUP_MARKER = "# Set-up: the course's helper package, gan_helpers."

SETUP_CELL = '''# Set-up: the course's helper package, gan_helpers.
# If you set up with `python3 course.py lab` (README), this cell only checks that gan_helpers is there.
# On Google Colab or Kaggle it installs the package from the course's repository, once per session
# (about a minute; on Kaggle, switch on "Internet" in the notebook's settings first). Anywhere else it
# says how to set up.
import importlib.util
import os
import subprocess
import sys

COURSE_SOURCE = "git+{repository}"
if importlib.util.find_spec("gan_helpers") is None:
    if "google.colab" in sys.modules or "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
        print(f"Installing gan_helpers from {{COURSE_SOURCE}} ...")
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"gan-helpers @ {{COURSE_SOURCE}}"])
        if pip.returncode != 0:
            raise RuntimeError("Installing gan_helpers failed (see pip's message above). Does this notebook have "
                               "internet access? On Kaggle: Settings > Internet on, then run this cell again.")
        importlib.invalidate_caches()
    else:
        raise ModuleNotFoundError("This notebook needs the course's package gan_helpers, which this Python lacks. "
                                  "In the course's folder run `python3 course.py lab` (Windows: `py course.py lab`; it "
                                  "installs everything and opens JupyterLab), or install it into this kernel: "
                                  "%pip install -e <course folder>")

# TensorFlow writes a few known-harmless log lines when it starts on a machine without a GPU driver, which
# Jupyter shows in red; hide just those. Every other line still shows (GAN_COURSE_SHOW_TF_LOGS=1 shows all).
from gan_helpers.logs import hide_known_tensorflow_noise  # noqa: E402 (an import after the install above)
hide_known_tensorflow_noise();'''


def repository() -> str:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    return urls["Repository"].rstrip("/")


def setup_cell(repo: str) -> str:
    return SETUP_CELL.format(repository=repo)


def colab_url(repo: str, notebook: str) -> str:
    if not repo.startswith("https://github.com/"):
        raise ValueError(f"[project.urls] Repository must be a https://github.com/ URL; got {repo!r}")
    return f"https://colab.research.google.com/github/{repo[len('https://github.com/'):]}/blob/main/notebooks/{notebook}"


def badge(repo: str, notebook: str) -> str:
    return f"[![Open in Colab]({BADGE_IMAGE})]({colab_url(repo, notebook)})"


BADGE_RE = re.compile(r"\[!\[Open in Colab\]\([^)]*\)\]\([^)]*\)")


def notebook_text(path: Path, repo: str) -> str:
    """The notebook's JSON with the badge under its title and the set-up cell as they should be."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    title = "".join(cells[0]["source"])
    wanted = badge(repo, path.name)
    if BADGE_RE.search(title):
        title = BADGE_RE.sub(wanted, title)
    else:
        first, _, rest = title.partition("\n")
        title = f"{first}\n\n{wanted}\n{rest}"
    cells[0]["source"] = title.splitlines(keepends=True)
    code = [c for c in cells if c["cell_type"] == "code"]
    if not code or not "".join(code[0]["source"]).startswith(SETUP_MARKER):
        raise SystemExit(f"{path.name}: the first code cell must be the set-up cell starting with {SETUP_MARKER!r}")
    code[0]["source"] = setup_cell(repo).splitlines(keepends=True)
    return dumps(nb)


def readme_text(repo: str) -> str:
    """The README with a badge after each notebook's link in the course table."""
    text = README.read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        row = re.compile(rf"(\| \[`{re.escape(path.stem)}`\]\(notebooks/{re.escape(path.name)}\))(?: {BADGE_RE.pattern})?")
        text = row.sub(lambda m, p=path: f"{m.group(1)} {badge(repo, p.name)}", text)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of step")
    args = parser.parse_args(argv)
    repo = repository()
    wanted = {path: notebook_text(path, repo) for path in NOTEBOOKS}
    wanted[README] = readme_text(repo)
    return write_or_check(wanted, args.check, "updated from pyproject.toml")


if __name__ == "__main__":
    sys.exit(main())
