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
