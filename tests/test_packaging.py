"""pyproject.toml and environment.yml describe the same environment; the package imports cleanly."""

import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

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
