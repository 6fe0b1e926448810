"""The course's widget cells under plain ``papermill`` (nbclient's defaults): never a hang.

A headless runner plays the browser's part for ipywidgets' ``Output`` widget (nbclient's
stand-in): for each output the kernel routes into one while a cell runs, it sends the widget's
new state back over the shell channel, from the task that reads IOPub, while the main task
waits on that channel for the cell's reply. Now and then that wait misses the reply, which the
kernel sent at once: the cell then lasts until its time limit, and without one (papermill's
default) for ever (jupyter/nbclient#312). ``ipywidgets.interact`` draws into an ``Output``
widget while the cell runs; ``gan_helpers.widgets`` never captures through one (see its
docstring).

This module runs a notebook made of the course's widget cell patterns --
:func:`~gan_helpers.widgets.interact` with a Matplotlib figure and printed text (02, 03, 06),
with text only (04), a playground (01, 05), a ``LiveView`` updated several times (01, 04), and
the code-driven calls the notebook tests make (``update``, a click) -- ``RUNS`` times in a row
through plain ``papermill.execute_notebook`` (nbclient's stand-in active) with a per-cell time
limit, so a hang costs that limit instead of for ever, and checks each run: no cell took its
limit or failed, the stand-in never captured or sent anything, and the first drawings are the
cells' ordinary outputs. No TensorFlow: a run takes about 6 s on two cores, most of it the
kernel's start, so each run holds every widget cell ``COPIES`` times.

The same loop over the old pattern (``ipywidgets.interact`` / ``interactive`` with a figure)
shows that it sees the hang; it is evidence, not a test (a hang costs ``--timeout`` seconds)::

    .venv/bin/python tests/test_plain_papermill.py --pattern old --runs 20
    .venv/bin/python tests/test_plain_papermill.py --pattern new --runs 20

(On two cores, with nbclient 0.11.0 and ipykernel 7.4.0: old, 28 hung cells in 14 of 20 runs
of 30 widget cells, the stand-ins sending 1,213 messages; new, 0 in 20 runs, 0 messages.)
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNS = 6  # consecutive plain-papermill runs in the test
CELL_TIMEOUT_S = 30  # a cell's time limit: a hang fails the run instead of waiting (a cell takes < 1 s)
COPIES = 10  # each run holds every widget cell pattern this many times
OUTPUT_MODEL = ("@jupyter-widgets/output", "OutputModel")

SETUP = """\
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from gan_helpers.widgets import LiveView, in_notebook, interact, playground

assert in_notebook()
plt.rcParams.update({"figure.dpi": 40, "savefig.dpi": 40})  # small figures: fast runs
views = []


def draw(seed=0, t=0.5, spherical=True):  # like 02's show_epoch, 03's explore, 06's show_edit
    points = np.random.default_rng(seed).normal(size=(50, 2)) * (1 + t)
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.scatter(*points.T, s=4)
    ax.set_title(f"seed {seed}, t = {t:.2f}")
    print(f"drew seed {seed} at t = {t:.2f} ({'spherical' if spherical else 'linear'})")
    plt.show()
    return points


def describe(model="GAN", temperature=1.0):  # like 04's explore: text only
    print(f"{model} at T={temperature:.1f}: grammatical 50%")
    for k in range(3):
        print(f"  sentence {k}")


def train(steps, target):  # like 01's and 05's run_playground
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot(np.arange(steps))
    display(fig)
    plt.close(fig)
    print(f"trained {steps} steps on the {target}: modes captured 8/8")
"""

NEW_CELLS = {
    "interact_figure": """\
# NBVAL_IGNORE_OUTPUT
view = interact(draw, seed=widgets.IntSlider(value=3, min=0, max=100, description="pair"),
                t=widgets.FloatSlider(value=0.5, min=0, max=1, step=0.05, continuous_update=False),
                spherical=widgets.Checkbox(value=True, description="spherical"))
views.append(view)
""",
    "interact_text": """\
# NBVAL_IGNORE_OUTPUT
views.append(interact(describe, model=widgets.ToggleButtons(options=["GAN", "MLE"], value="GAN"),
                      temperature=widgets.FloatSlider(value=1.0, min=0.2, max=2.0, step=0.1,
                                                      continuous_update=False)))
""",
    "playground": """\
# NBVAL_IGNORE_OUTPUT
app = playground({"steps": widgets.IntSlider(value=100, min=100, max=5000, step=100, description="steps"),
                  "target": widgets.Dropdown(options=["ring", "grid"], value="ring", description="target")},
                 train)
app
""",
}

LIVEVIEW = """\
view_text, view_figure = LiveView(), LiveView()
for step in range(1, 4):
    view_text.show(f"step {step}/3")
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot(np.arange(step))
    view_figure.show(fig)
"""

# What the notebook tests do after a run (call the callbacks from code), and what must hold.
CHECKS = """\
assert len(views) == 2 * COPIES and views[0].result.shape == (50, 2) and views[0].kwargs["t"] == 0.5
first = views[0].output.outputs  # the first drawing, set as the Output widget's content
assert [o["output_type"] for o in first] == ["stream", "display_data"], first
assert first[0]["text"] == "drew seed 3 at t = 0.50 (spherical)\\n"
views[0].update(t=0.75)
assert views[0].result.std() > 0 and views[0].kwargs["t"] == 0.75
assert [o["output_type"] for o in views[0].output.outputs] == ["stream", "display_data"]
assert views[0].output.outputs[0]["text"] == "drew seed 3 at t = 0.75 (spherical)\\n"
assert isinstance(views[0].output.outputs[1]["data"]["image/png"], str)
app.controls["steps"].value = 200
app.button.click()  # a click made by code while a cell runs: its output is this cell's
assert app.output.outputs == ()
print("checks passed")
"""

# The old pattern (ipywidgets' own interact), for the evidence run only.
OLD_CELLS = {
    "interact_figure": """\
# NBVAL_IGNORE_OUTPUT
widgets.interact(draw, seed=widgets.IntSlider(value=3, min=0, max=100, description="pair"),
                 t=widgets.FloatSlider(value=0.5, min=0, max=1, step=0.05, continuous_update=False),
                 spherical=widgets.Checkbox(value=True, description="spherical"));
""",
    "interact_text": """\
# NBVAL_IGNORE_OUTPUT
widgets.interact(describe, model=widgets.ToggleButtons(options=["GAN", "MLE"], value="GAN"),
                 temperature=widgets.FloatSlider(value=1.0, min=0.2, max=2.0, step=0.1, continuous_update=False));
""",
    "interactive_figure": """\
# NBVAL_IGNORE_OUTPUT
explorer = widgets.interactive(draw, seed=widgets.IntSlider(value=3, min=0, max=100),
                               t=widgets.FloatSlider(value=0.5, min=0, max=1, step=0.05, continuous_update=False))
explorer
""",
}


def build_notebook(pattern: str = "new", copies: int = COPIES) -> nbformat.NotebookNode:
    """The fixture notebook: setup, then ``copies`` rounds of every widget cell, then the checks."""
    cells = OLD_CELLS if pattern == "old" else NEW_CELLS
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell(SETUP + f"COPIES = {copies}\n"))
    for copy in range(copies):
        for name, source in cells.items():
            nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"widget_pattern": name}))
        if copy == 0:
            nb.cells.append(nbformat.v4.new_code_cell(LIVEVIEW, metadata={"widget_pattern": "liveview"}))
    if pattern == "new":
        nb.cells.append(nbformat.v4.new_code_cell(CHECKS))
    return nb


class StandInCounter:
    """Count, in this process (papermill runs nbclient here), what nbclient's Output-widget
    stand-ins do: how many were made, how many outputs they captured, how many messages they
    sent to the kernel. Each method still does its work: nothing of nbclient is switched off."""

    def __init__(self):
        self.made = self.captured = self.sent = 0

    def __enter__(self):
        from nbclient.output_widget import OutputWidget

        self._saved = {name: getattr(OutputWidget, name) for name in ("__init__", "output", "clear_output", "send")}
        counter = self

        def counting(name, field):
            original = self._saved[name]

            def wrapper(*args, **kwargs):
                setattr(counter, field, getattr(counter, field) + 1)
                return original(*args, **kwargs)

            return wrapper

        for name, field in (("__init__", "made"), ("output", "captured"), ("clear_output", "captured"),
                            ("send", "sent")):
            setattr(OutputWidget, name, counting(name, field))
        return self

    def __exit__(self, *exc_info):
        from nbclient.output_widget import OutputWidget

        for name, method in self._saved.items():
            setattr(OutputWidget, name, method)
        return False


def widget_cells(nb) -> int:
    return sum(1 for c in nb.cells if c.metadata.get("widget_pattern") in ("interact_figure", "interact_text",
                                                                            "interactive_figure", "playground"))


def run_once(source: Path, out: Path, timeout: int = CELL_TIMEOUT_S):
    """One plain papermill run (nothing of nbclient switched off, only a per-cell time limit).

    Returns (the executed notebook or None, what went wrong or None, the hangs, seconds). A hang
    of jupyter/nbclient#312 does not raise: the kernel replies at once, but the client does not
    notice the reply until its wait times out (without a limit, papermill's default, it waits
    for ever) and then carries on. So a hang is a cell that took about its time limit, or a
    timeout error."""
    import papermill as pm

    start = time.perf_counter()
    try:
        pm.execute_notebook(str(source), str(out), kernel_name="python3", cwd=str(ROOT), progress_bar=False,
                            log_output=False, execution_timeout=timeout, start_timeout=120)
    except Exception as exc:
        text = str(exc).strip()
        problem = f"{type(exc).__name__}: {text.splitlines()[-1] if text else ''}"
        hangs = [f"{problem} (a cell's time limit of {timeout} s)"] if "timeout" in problem.lower() \
            or "timed out" in problem.lower() else []
        return None, problem, hangs, time.perf_counter() - start
    nb = nbformat.read(out, as_version=4)
    hangs = []
    for index, cell in enumerate(nb.cells):
        took = cell.metadata.get("papermill", {}).get("duration") or 0
        if took >= 0.9 * timeout:
            hangs.append(f"cell {index} ({cell.metadata.get('widget_pattern', 'setup/checks')}) took {took:.1f} s "
                         f"of its {timeout} s limit")
    return nb, None, hangs, time.perf_counter() - start


def check_run(nb) -> list[str]:
    """What is wrong with one executed fixture notebook (empty: nothing)."""
    problems = []
    for index, cell in enumerate(nb.cells):
        pattern = cell.metadata.get("widget_pattern")
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            problems.append(f"cell {index}: {errors[0].ename}: {errors[0].evalue}")
        shown = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
        if pattern in ("interact_figure", "interact_text"):
            # one output: the controls, with the first drawing for front ends without widgets
            data = shown[0].data if len(shown) == 1 and len(cell.outputs) == 1 else {}
            text = data.get("text/plain", "")
            if "application/vnd.jupyter.widget-view+json" not in data:
                problems.append(f"cell {index}: expected one widget output, got {cell.outputs}")
            elif pattern == "interact_figure":
                png = base64.b64decode(data.get("image/png", ""))
                if not (png.startswith(b"\x89PNG") and "drew seed 3 at t = 0.50 (spherical)" in text
                        and "<img src=\"data:image/png;base64," in data.get("text/html", "")):
                    problems.append(f"cell {index}: the first drawing is not in the cell's output: {text!r}")
            elif not text.startswith("GAN at T=1.0: grammatical 50%\n  sentence 0"):
                problems.append(f"cell {index}: the first text is not in the cell's output: {text!r}")
        if pattern == "liveview" and len(shown) != 2:
            problems.append(f"cell {index}: the live views left {len(shown)} outputs, expected 2")
    last = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    if "checks passed" not in last or "trained 200 steps on the ring" not in last:
        problems.append(f"the checks cell printed {last!r}")
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    outputs = [w["state"].get("outputs") for w in state.values()
               if (w.get("model_module"), w.get("model_name")) == OUTPUT_MODEL]
    # the saved Output widgets: each interact's holds its drawing, each playground's is empty
    if sorted(len(o) for o in outputs) != sorted([0] * COPIES + [1] * COPIES + [2] * COPIES):
        problems.append(f"the saved Output widgets hold {sorted(len(o) for o in outputs)} outputs")
    return problems


def xdist_group(name):
    """``pytest.mark.xdist_group`` where pytest-xdist is installed (it registers the mark)."""
    if importlib.util.find_spec("xdist") is None:
        return lambda test: test
    return pytest.mark.xdist_group(name)


@xdist_group("plain_papermill")
@pytest.mark.timeout(RUNS * CELL_TIMEOUT_S + 300)
def test_widget_cells_never_hang_plain_papermill(tmp_path):
    source = tmp_path / "widget_cells.ipynb"
    nbformat.write(build_notebook("new"), source)
    cells = widget_cells(nbformat.read(source, as_version=4))
    failures, seconds = [], []
    with StandInCounter() as stand_in:
        for run in range(RUNS):
            nb, problem, hangs, took = run_once(source, tmp_path / f"run{run}.ipynb")
            seconds.append(took)
            failures += [f"run {run + 1}: HANG: {hang}" for hang in hangs]
            if problem is not None:
                failures.append(f"run {run + 1}: {problem}")
            elif not hangs:
                failures += [f"run {run + 1}: {p}" for p in check_run(nb)]
    print(f"{RUNS} plain papermill runs x {cells} widget cells = {RUNS * cells} widget cell executions, "
          f"0 hangs allowed, {len(failures)} failures; {sum(seconds):.0f} s ({max(seconds):.1f} s the slowest run); "
          f"nbclient made {stand_in.made} Output stand-ins, which captured {stand_in.captured} outputs "
          f"and sent {stand_in.sent} messages")
    assert not failures, "\n".join(failures)
    assert stand_in.made == RUNS * 3 * COPIES  # the stand-ins were there (one per Output widget) ...
    assert stand_in.captured == stand_in.sent == 0  # ... and never had anything to do


def test_fixture_holds_every_pattern():
    nb = build_notebook("new")
    patterns = [c.metadata.get("widget_pattern") for c in nb.cells]
    assert all(patterns.count(name) == COPIES for name in NEW_CELLS) and patterns.count("liveview") == 1
    assert widget_cells(nb) == 3 * COPIES
    assert not any("widgets.interact" in c.source for c in nb.cells)  # the old pattern only in the evidence run


def main(argv=None) -> int:
    """Evidence run: count the hangs of the old or the new pattern in consecutive runs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pattern", choices=["old", "new"], default="old")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--timeout", type=int, default=10, help="a cell's time limit in seconds (a hang's cost)")
    parser.add_argument("--copies", type=int, default=COPIES)
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{args.pattern}.ipynb"
        nbformat.write(build_notebook(args.pattern, args.copies), source)
        cells = widget_cells(nbformat.read(source, as_version=4))
        hangs = runs_with_hangs = errors = 0
        start = time.perf_counter()
        stand_in = StandInCounter().__enter__()
        for run in range(args.runs):
            nb, problem, hung, took = run_once(source, Path(tmp) / "out.ipynb", args.timeout)
            if problem is None and not hung and args.pattern == "new":
                problem = "; ".join(check_run(nb)) or None
            hangs += len(hung)
            runs_with_hangs += bool(hung)
            errors += problem is not None and not hung
            print(f"run {run + 1:3d}: {took:5.1f} s  {'; '.join(hung) or problem or 'ok'}", flush=True)
        print(f"{args.pattern} pattern: {hangs} hung cells in {runs_with_hangs} of {args.runs} plain papermill runs "
              f"({args.runs} x {cells} = {args.runs * cells} widget cell executions), {errors} other failures, "
              f"{time.perf_counter() - start:.0f} s; nbclient's Output stand-ins captured {stand_in.captured} "
              f"outputs and sent {stand_in.sent} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
