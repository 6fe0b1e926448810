"""Checks shared by the papermill tests of several notebooks."""

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from papermill_safe import disable_output_widget_stand_in  # noqa: E402


def assert_stopped_in_validation(error_info, executed: Path, outputs: Path, name, value, error: str) -> None:
    """A bad parameter must raise ``error`` in the validation cell, naming the parameter and
    the value, and nothing may have been written to ``outputs``."""
    assert error_info.value.ename == error
    assert f"Parameter '{name}'" in error_info.value.evalue and repr(value) in error_info.value.evalue
    nb = nbformat.read(executed, as_version=4)
    failed = [c for c in nb.cells if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)]
    assert len(failed) == 1 and "validate_parameters(globals()" in failed[0].source
    assert not outputs.exists(), "nothing may run (or be written) after a bad parameter"


def execute_notebook(notebook: Path, out: Path, extra_cell: str | None = None, **parameters):
    """Run ``notebook`` with papermill (in its own folder) into ``out`` and return the result.

    ``extra_cell`` is appended after the last cell and runs in the same kernel (e.g. to call a
    widget's callback with its controls' values, which a headless run never clicks)."""
    import papermill as pm

    disable_output_widget_stand_in()  # course.py runs notebooks the same way (tools/papermill_safe.py)
    source = notebook
    if extra_cell:
        nb = nbformat.read(notebook, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(extra_cell))
        source = out.parent / f"{notebook.stem}_with_extra_cell.ipynb"
        nbformat.write(nb, source)
    pm.execute_notebook(str(source), str(out), parameters=parameters, cwd=str(notebook.parent),
                        kernel_name="python3", progress_bar=False, execution_timeout=300, start_timeout=120)
    return nbformat.read(out, as_version=4)
