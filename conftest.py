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
