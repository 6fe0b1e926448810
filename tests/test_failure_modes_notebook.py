"""Papermill re-executions of notebook 05 (failure modes), in quick mode.

- Overridden parameters must change the run: the distribution (25 grid modes instead of 8 ring
  modes), the list of fixes (exactly those methods in the table, after the vanilla baseline),
  the seed (file names), the step counts (measurement steps), the scoring window (``score_last``)
  - read back from the results JSON.
- ``export_samples`` must write one float32 (2500, 2) array per method, keyed by method name.
- The playground's callback must train and report with the values of its controls.
- A bad parameter must stop in the validation cell, naming it, with nothing written.
"""

import json
from pathlib import Path

import numpy as np
import papermill as pm
import pytest
from notebook_checks import assert_stopped_in_validation, execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NB05 = ROOT / "notebooks" / "05_failure_modes.ipynb"

RUN_THE_PLAYGROUND = """
app.controls["distribution"].value = "ring"
app.controls["method"].value = "wgan-gp"
app.controls["steps"].value = 200
run_playground(**{name: control.value for name, control in app.controls.items()})
"""


def execute(out, extra_cell=None, **parameters):
    return execute_notebook(NB05, out, extra_cell, **parameters)


def test_overrides_take_effect_export_and_playground(tmp_path):
    outputs = tmp_path / "outputs"
    export = tmp_path / "points.npz"
    nb = execute(tmp_path / "executed.ipynb", RUN_THE_PLAYGROUND, distribution="grid", fixes=["pacgan", "ttur"],
                 seed=4, steps=120, eval_every=40, batch_size=128, learning_rate_g=0.002, learning_rate_d=0.0005,
                 score_last=2, export_samples=str(export), output_dir=str(outputs))
    results = json.loads((outputs / "results_grid_seed4_quick.json").read_text())
    p = results["parameters"]
    assert (p["distribution"], p["seed"], p["steps"], p["eval_every"], p["batch_size"]) == ("grid", 4, 120, 40, 128)
    assert (p["learning_rate_g"], p["learning_rate_d"], p["fixes"]) == (0.002, 0.0005, ["pacgan", "ttur"])
    assert p["score_last"] == 2
    assert results["quick_mode"] is True and p["seeds"] == 1
    assert results["n_modes"] == 25
    assert list(results["table"]) == ["vanilla", "pacgan", "ttur"]
    assert list(results["vanilla_modes_over_training"]) == ["0", "40", "80", "120"]
    for row in results["table"].values():
        s = row["summary"]
        assert 0 <= s["modes"]["min"] <= s["modes"]["max"] <= 25 and 0 <= s["high_quality"]["mean"] <= 1
        assert 0 <= s["fair_share"]["mean"] <= s["high_quality"]["mean"] + 1e-9   # the capped share is never larger
    # the unrolled GAN's cost is measured in the run (a plain step and an unrolled one)
    assert sorted(results["unrolled_cost_ms_per_step"]) == ["nonsaturating", "unrolled"]
    # the gradient measurement: the minimax gradient shrinks as D becomes confident, the other does not
    g = results["gradient_norms"]
    assert g["minimax"][-1] < 0.1 * g["non-saturating"][-1]
    for name in ("collapse_frames", "collapse_shares", "comparison", "final_samples"):
        assert (outputs / f"{name}_grid_seed4_quick.png").is_file()

    with np.load(export) as arrays:   # plain arrays: loads without allow_pickle
        assert sorted(arrays.files) == ["pacgan", "ttur", "vanilla"]
        for key in arrays.files:
            assert arrays[key].shape == (2500, 2) and arrays[key].dtype == np.float32
            assert np.isfinite(arrays[key]).all()

    shown = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "wgan-gp on the ring: modes captured" in shown and "/8" in shown, shown
    assert any("image/png" in o.get("data", {}) for o in nb.cells[-1].outputs)


@pytest.mark.parametrize("name, value, error", [
    ("distribution", "circle", "ValueError"),
    ("fixes", ["pacgan", "dropout"], "ValueError"),
    ("score_last", 0, "ValueError"),
    ("steps", "many", "TypeError"),
    ("learning_rate_g", -1.0, "ValueError"),
    ("seeds", 0, "ValueError"),
])
def test_bad_parameter_stops_in_the_validation_cell(tmp_path, name, value, error):
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute(tmp_path / "executed.ipynb", **{name: value, "output_dir": str(tmp_path / "outputs")})
    assert_stopped_in_validation(info, tmp_path / "executed.ipynb", tmp_path / "outputs", name, value, error)
