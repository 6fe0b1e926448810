"""Notebooks as documents and as programs.

Static checks on every committed notebook (size, parameters cell, real-run outputs,
normalized metadata), then papermill re-executions of notebook 01: an overridden parameter
must change the run (read back from the results JSON the notebook writes), the run must
still learn (distances fall), and a bad parameter must stop in the validation cell with a
message that names it. nbval executes every notebook separately (see pyproject.toml).
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from notebook_checks import assert_stopped_in_validation, execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NB01 = ROOT / "notebooks" / "01_gan_concepts.ipynb"


def test_there_are_notebooks():
    assert NB01 in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_a_clean_real_run(path):
    assert path.stat().st_size < 1_000_000, f"{path.name} is over the 1 MB budget"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one code cell must be tagged 'parameters'"
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in code)
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "outputs must come from one top-to-bottom run"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert sum(1 for c in code for o in c.outputs if "image/png" in o.get("data", {})) >= 3
    quick = "".join(o.get("text", "") for c in code for o in c.outputs)
    assert "Quick mode" not in quick, "commit the outputs of a full run, not a quick one"
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "normalize_notebooks.py"), "--check", str(path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, f"run tools/normalize_notebooks.py: {check.stdout}"


# What the playground's Train button runs, with the values its controls hold. (The click itself,
# controls -> run(**values), is tested in test_widgets.py: clicking inside a kernel driven by
# nbclient, with no browser, sometimes leaves nbclient waiting forever on the Output widget.)
RUN_THE_PLAYGROUND = """
app.controls["target"].value = "grid"
app.controls["steps"].value = 200
run_playground(**{name: control.value for name, control in app.controls.items()})
"""


def _execute(tmp_path, extra_cell=None, **parameters):
    out = tmp_path / "executed.ipynb"
    execute_notebook(NB01, out, extra_cell, **parameters)
    return out


def test_papermill_override_changes_the_run_and_it_still_learns(tmp_path):
    executed = _execute(tmp_path, RUN_THE_PLAYGROUND, target="grid", seed=3, steps_2d=300, eval_every=50,
                        output_dir=str(tmp_path / "outputs"))
    nb = nbformat.read(executed, as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    # the playground trains with its controls' values and shows its film and its numbers
    shown = nb.cells[-1].outputs
    assert any("modes captured" in o.get("text", "") and "/25" in o.get("text", "") for o in shown), shown
    assert any("image/png" in o.get("data", {}) for o in shown)

    results = json.loads((tmp_path / "outputs" / "results_grid_z2_seed3_quick.json").read_text())
    assert results["parameters"]["target"] == "grid"
    assert results["parameters"]["seed"] == 3
    assert results["parameters"]["steps_2d"] == 300
    assert results["history_2d"]["step"] == list(range(0, 301, 50))
    assert results["modes_captured"]["of"] == 25
    assert (tmp_path / "outputs" / "frames_grid_z2_seed3_quick.png").is_file()
    # a run that stopped learning fails here (measured: grid 2.3 -> 0.3, 1-D 3.0 -> 0.2)
    assert results["distance_2d"]["end"] < 0.5 * results["distance_2d"]["start"]
    assert results["distance_1d"]["end"] < 0.5 * results["distance_1d"]["start"]
    assert results["optimal_discriminator_max_abs_error"] < 0.15


@pytest.mark.parametrize("name, value, error", [
    ("learning_rate", -1.0, "ValueError"),
    ("target", "circle", "ValueError"),
    ("steps_2d", "many", "TypeError"),
    ("latent_dim", 2.5, "TypeError"),
])
def test_bad_parameter_stops_in_the_validation_cell(tmp_path, name, value, error):
    with pytest.raises(pm.PapermillExecutionError) as info:
        _execute(tmp_path, **{name: value, "output_dir": str(tmp_path / "outputs")})
    assert_stopped_in_validation(info, tmp_path / "executed.ipynb", tmp_path / "outputs", name, value, error)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_readme_lists_every_parameter_with_its_default(path):
    """The README's parameter table of each notebook is tools/params_table.py's output."""
    table = subprocess.run([sys.executable, str(ROOT / "tools" / "params_table.py"), str(path)],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert table in (ROOT / "README.md").read_text(encoding="utf-8"), (
        f"README.md: update the parameter table of {path.name} with `python tools/params_table.py {path}`")
