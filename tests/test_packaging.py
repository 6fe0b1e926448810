"""pyproject.toml and environment.yml describe the same environment; the package imports cleanly."""

import json
import subprocess
import sys
import tomllib
from importlib.metadata import requires, version
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _normalized(requirements):
    return {Requirement(r).name.lower().replace("_", "-"): str(Requirement(r).specifier) for r in requirements}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = _pyproject()
    wanted = _normalized(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = [r for r in pip_section if not r.startswith("-e")]
    assert _normalized(listed) == wanted
    assert any(r.startswith("-e .") for r in pip_section), "environment.yml must install the project itself"


# A widget that executes headless can still show "Error displaying widget" in JupyterLab when these
# drift apart: they are pinned exactly, together (tests/browser checks them in a real browser).
WIDGET_STACK = ("ipywidgets", "jupyterlab-widgets", "jupyterlab")  # canonical names


def _by_name(requirements):
    return {canonicalize_name(Requirement(r).name): Requirement(r) for r in requirements}


def _environment_yml_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return _by_name(r for r in pip_section if not r.startswith("-e"))


def _pyproject_pins():
    return {name: _exact_pin(r) for name, r in _by_name(_pyproject()["dependencies"]).items() if name in WIDGET_STACK}


def _exact_pin(requirement):
    (spec,) = requirement.specifier  # exactly one clause
    assert spec.operator == "==" and "*" not in spec.version, f"{requirement} is not an exact == pin"
    return Version(spec.version)


def test_widget_stack_is_pinned_exactly_and_identically_in_both_files():
    in_pyproject = _by_name(_pyproject()["dependencies"])
    in_environment = _environment_yml_pins()
    for name in WIDGET_STACK:
        assert name in in_pyproject and name in in_environment, f"{name} must be listed in both files"
        assert _exact_pin(in_pyproject[name]) == _exact_pin(in_environment[name]), name


def test_installed_widget_stack_is_the_pinned_one():
    pins = _pyproject_pins()
    installed = {name: Version(version(name)) for name in WIDGET_STACK}
    assert installed == pins, "the environment differs from pyproject.toml: run `python3 course.py setup`"


def test_pinned_ipywidgets_accepts_the_pinned_jupyterlab_widgets():
    pins = _pyproject_pins()
    wanted = [Requirement(r) for r in requires("ipywidgets")
              if canonicalize_name(Requirement(r).name) == "jupyterlab-widgets"]
    assert wanted, "ipywidgets no longer declares jupyterlab_widgets"
    for requirement in wanted:
        assert requirement.specifier.contains(pins["jupyterlab-widgets"]), (
            f"ipywidgets {pins['ipywidgets']} wants {requirement}, pinned jupyterlab_widgets {pins['jupyterlab-widgets']}")


def test_served_widget_labextension_is_jupyterlab_widgets_and_fits_this_jupyterlab():
    # the front-end half of the widgets, as JupyterLab loads it from the environment
    from jupyter_core.paths import jupyter_path

    found = [Path(d) / "@jupyter-widgets" / "jupyterlab-manager" for d in jupyter_path("labextensions")]
    found = [d for d in found if (d / "package.json").exists()]
    assert found, "the @jupyter-widgets/jupyterlab-manager labextension is not installed"
    assert json.loads((found[0] / "install.json").read_text())["packageName"] == "jupyterlab_widgets"
    caret = json.loads((found[0] / "package.json").read_text())["dependencies"]["@jupyterlab/application"]
    assert caret.startswith("^"), caret  # npm's ^X.Y.Z: same major X, at least X.Y.Z
    lowest, lab = Version(caret[1:]), Version(version("jupyterlab"))
    assert lab.major == lowest.major and lab >= lowest, f"the widgets extension wants JupyterLab {caret}, not {lab}"


def test_environment_yml_python_satisfies_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    version = python.split("=")[-1]
    assert version in SpecifierSet(_pyproject()["requires-python"])


def test_import_is_light_and_does_not_seed():
    # importing gan_helpers must not import TensorFlow (slow) nor touch global random state
    code = ("import sys, random, numpy as np; a = np.random.get_state()[1].copy(); r = random.getstate(); "
            "import gan_helpers; assert 'tensorflow' not in sys.modules, 'tensorflow imported'; "
            "assert (np.random.get_state()[1] == a).all() and random.getstate() == r, 'seeded on import'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_module_declares_all():
    import gan_helpers

    for name in ("data", "params", "losses", "models", "training", "metrics", "plotting", "widgets",
                 "grammar", "text", "text_gan"):
        module = __import__(f"gan_helpers.{name}", fromlist=["__all__"])
        assert module.__all__, name
        for symbol in module.__all__:
            assert hasattr(module, symbol), f"gan_helpers.{name}.__all__ names missing {symbol}"
    assert gan_helpers.load_mnist is gan_helpers.data.load_mnist
