"""pytest configuration shared by the unit tests (tests/) and the notebook runs (notebooks/).

- Quick mode is switched on *before* any Jupyter kernel starts, so the kernels that nbval and
  papermill launch inherit it. (Kernels keep their inline Matplotlib backend, as for a learner;
  this process has no display, so Matplotlib falls back to Agg here.)
- nbval runs with --nbval-lax (see pyproject.toml): only cells marked ``# NBVAL_CHECK_OUTPUT``
  are compared with their committed outputs. stderr is never compared: TensorFlow prints
  log lines there (oneDNN, CUDA probing) that no log-level variable silences.
"""

import os

os.environ.setdefault("GAN_COURSE_QUICK", "1")

# Executed copies (papermill nb.ipynb run.out.ipynb) and what runs write are not lessons to test.
collect_ignore_glob = ["notebooks/*.out.ipynb", "notebooks/outputs/*"]


def pytest_collectstart(collector):
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb":
        collector.skip_compare += ("stderr", "application/vnd.jupyter.widget-view+json")


import pytest  # noqa: E402


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Group tests for ``pytest-xdist --dist loadgroup`` (what ``python3 course.py test`` uses): each test
    file's tests stay on one worker, as with ``--dist loadfile`` (nbval's cells of one notebook share a
    kernel; module-level caches are computed once), except ``tests/test_reliability.py``, which forms
    one group per notebook: its quick runs of different notebooks are independent, and as one file
    they kept one worker busy while the other idled."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        group = str(item.path)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.path.name == "test_reliability.py" and "path" in params:
            group += "::" + params["path"].stem
        item.add_marker(pytest.mark.xdist_group(group))
