"""gan_helpers as a real package: the built wheel carries everything the package needs at run time,
and notebooks run from it outside the repository.

The wheel is built from this checkout and installed (no dependencies) into a fresh virtual
environment in a temporary folder. The heavy third-party dependencies (TensorFlow and friends,
already installed in the course's .venv) are lent to it through a path entry, so the test takes
seconds instead of a multi-GB install; the course package itself comes only from the wheel (the
test checks where it was imported from). Two notebooks, copied alone into another temporary
folder, then run in quick mode with plain papermill: 02 (the MNIST subset and the evaluator
weights) and 04 (the grammar corpus and the toy sentences).
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import version
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("wheel")


def _run(cmd, **kwargs):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # built from a copy of what the wheel is made of, so no stale build/ folder of the checkout can leak in
    source, dist = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "gan_helpers", source / "gan_helpers", ignore=shutil.ignore_patterns("__pycache__"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
          "-q", "-w", dist, source])
    (built,) = dist.glob("gan_helpers-*.whl")
    return built


def test_wheel_carries_the_package_data(wheel):
    from gan_helpers.data import RESOURCES

    names = set(zipfile.ZipFile(wheel).namelist())
    for name in RESOURCES:
        assert f"gan_helpers/resources/{name}" in names, f"{name} is not in the wheel"
    assert not [n for n in names if n.startswith(("tests/", "notebooks/", "datasets/", "tools/"))]
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    required = [Requirement(line.split(":", 1)[1].strip()) for line in metadata.splitlines()
                if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert {r.name.lower() for r in required} == {"tensorflow", "keras", "numpy", "scipy", "matplotlib", "ipywidgets"}
    for requirement in required:  # what the fresh environment borrows satisfies what the wheel asks for
        assert requirement.specifier.contains(version(requirement.name), prereleases=True), requirement


@pytest.fixture(scope="module")
def fresh_python(wheel, tmp_path_factory):
    env_dir = tmp_path_factory.mktemp("fresh") / "venv"
    _run([sys.executable, "-m", "venv", env_dir])
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check", "-q", wheel])
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # the dependencies, from the course's environment: a plain path entry, so .venv's own .pth files
    # (among them the editable install of this checkout) are not processed
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_the_installed_package_finds_its_data_outside_the_repository(fresh_python, tmp_path):
    code = ("import gan_helpers, gan_helpers.data as d, gan_helpers.metrics as m, gan_helpers.text as t; "
            "(x, y), _ = d.load_mnist(); c = t.load_corpus('', 12); "
            "print(gan_helpers.__file__); print(x.shape, len(c.sentences), m.EVALUATOR_PATH.is_file())")
    out = _run([fresh_python, "-c", code], cwd=tmp_path).stdout.splitlines()
    assert Path(out[0]).resolve().is_relative_to(fresh_python.parent.parent.resolve()), out[0]
    assert out[1] == "(4000, 28, 28, 1) 8000 True"


@pytest.mark.parametrize("name", ["02_mlp_gan", "04_text_gan"])
def test_notebook_runs_from_the_wheel_in_a_folder_of_its_own(fresh_python, tmp_path, name):
    folder = tmp_path / "my_course"
    folder.mkdir()
    notebook = folder / f"{name}.ipynb"
    notebook.write_bytes((ROOT / "notebooks" / f"{name}.ipynb").read_bytes())
    env = {**os.environ, "GAN_COURSE_QUICK": "1"}
    _run([fresh_python, "-m", "papermill", notebook, folder / "run.out.ipynb", "--log-level", "WARNING",
          "--execution-timeout", "300", "-k", "python3"], cwd=folder, env=env, timeout=600)
    nb = nbformat.read(folder / "run.out.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Quick mode" in text and "Training on:" in text
    assert str(folder / "outputs") in text, "outputs must land next to the notebook that runs"
    results = list((folder / "outputs").glob("*/results_*_quick.json"))
    assert len(results) == 1 and json.loads(results[0].read_text()), results
