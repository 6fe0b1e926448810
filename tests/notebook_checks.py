"""Checks shared by the papermill tests of several notebooks."""

from pathlib import Path

import nbformat


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
    """Run ``notebook`` with plain papermill (in its own folder) into ``out`` and return the result.

    ``extra_cell`` is appended after the last cell and runs in the same kernel (e.g. to call a
    widget's callback with its controls' values, which a headless run never clicks). Nothing of
    nbclient is switched off: the widget cells never capture through an ``Output`` widget while
    a cell runs (gan_helpers.widgets), so its stand-in cannot hang a run
    (tests/test_plain_papermill.py)."""
    import papermill as pm

    source = notebook
    if extra_cell:
        nb = nbformat.read(notebook, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(extra_cell))
        source = out.parent / f"{notebook.stem}_with_extra_cell.ipynb"
        nbformat.write(nb, source)
    pm.execute_notebook(str(source), str(out), parameters=parameters, cwd=str(notebook.parent),
                        kernel_name="python3", progress_bar=False, execution_timeout=300, start_timeout=120)
    return nbformat.read(out, as_version=4)
