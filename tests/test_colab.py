"""Colab and Kaggle: every notebook's set-up cell and "Open in Colab" link come from the one
repository URL in pyproject.toml, and the set-up cell decides right (``google.colab`` faked).

Colab itself cannot be reached from here; what can be tested is what the cell does in each case.
"""

import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_links  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _first_code_cell(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


def test_links_and_set_up_cells_are_in_step_with_pyproject():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "colab_links.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"run python tools/colab_links.py:\n{result.stdout}{result.stderr}"
    repo = colab_links.repository()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        url = f"https://colab.research.google.com/github/{repo.removeprefix('https://github.com/')}/blob/main/notebooks/{path.name}"
        assert url in readme, f"README lacks the Colab link of {path.name}"
        title = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
        assert url in title, f"{path.name}: no Colab link under the title"
        assert f'COURSE_SOURCE = "git+{repo}"' in _first_code_cell(path)


def test_a_changed_repository_makes_the_check_fail(monkeypatch):
    monkeypatch.setattr(colab_links, "repository", lambda: "https://github.com/someone-else/fork")
    assert colab_links.main(["--check"]) == 1


@pytest.fixture
def setup_cell():
    cells = {_first_code_cell(path) for path in NOTEBOOKS}
    assert len(cells) == 1, "every notebook must start with the same set-up cell"
    (cell,) = cells
    assert cell.startswith(colab_links.SETUP_MARKER)
    return compile(cell, "<set-up cell>", "exec")


@pytest.fixture
def without_gan_helpers(monkeypatch):
    """A kernel where gan_helpers is not installed; pip calls are recorded, never run."""
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "gan_helpers" else real_find_spec(name, *args))
    calls = []

    def fake_run(cmd, *args, **kwargs):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, fake_run.returncode)

    fake_run.returncode = 0
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.delenv("KAGGLE_KERNEL_RUN_TYPE", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    return calls, fake_run


def test_installed_package_means_nothing_to_do(setup_cell, monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, *a, **k: calls.append(cmd))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(setup_cell, {})  # gan_helpers is installed here
    assert calls == []


def test_colab_installs_the_package_from_the_repository(setup_cell, without_gan_helpers, monkeypatch):
    calls, _ = without_gan_helpers
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(setup_cell, {})
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet",
                      f"gan-helpers @ git+{colab_links.repository()}"]]


def test_kaggle_installs_and_says_what_to_do_when_it_has_no_internet(setup_cell, without_gan_helpers, monkeypatch):
    calls, fake_run = without_gan_helpers
    monkeypatch.setenv("KAGGLE_KERNEL_RUN_TYPE", "Interactive")
    exec(setup_cell, {})
    assert len(calls) == 1 and calls[0][-1].startswith("gan-helpers @ git+https://github.com/")
    fake_run.returncode = 1
    with pytest.raises(RuntimeError, match="Internet on"):
        exec(setup_cell, {})


def test_anywhere_else_it_stops_with_the_set_up_command(setup_cell, without_gan_helpers):
    calls, _ = without_gan_helpers
    with pytest.raises(ModuleNotFoundError, match=r"python3 course\.py lab"):
        exec(setup_cell, {})
    assert calls == [], "nothing may be installed outside Colab and Kaggle"
