"""Papermill re-execution of notebook 07 (pix2pix against an L1-only generator, CycleGAN with and
without its cycle and identity losses), in quick mode.

- Overridden parameters must change the run: read back from the results JSON the notebook
  writes (parameter values, the generator's size that depends on ``width``, the task's input).
- ``export_samples`` must write the held-out inputs, targets, every model's outputs and the
  labels, uint8 28x28, loadable without allow_pickle; the inputs must be the task's inputs.
- The translation widget's update function, called with a control value in an extra cell, must
  draw and return the seven panels of that held-out digit.
- A bad parameter must stop in the validation cell, naming it, with nothing written.
"""

import json
from pathlib import Path

import numpy as np
import papermill as pm
import pytest
from notebook_checks import assert_stopped_in_validation, execute_notebook

from gan_helpers.data import load_mnist
from gan_helpers.training import to_uint8
from gan_helpers.translation import shrink_and_enlarge

ROOT = Path(__file__).resolve().parent.parent
NB07 = ROOT / "notebooks" / "07_image_translation.ipynb"

USE_THE_WIDGET = """
panels = show_translation(index=5)
print("panels", panels.shape, float(panels.min()) >= -1.0, float(panels.max()) <= 1.0)
print("target is digit 5", np.array_equal(panels[3], x_eval[5]), "real thick", np.array_equal(panels[6], thick_eval[5]))
print("controls", sorted(translator.kwargs))
"""


def execute(tmp_path, extra_cell=None, **parameters):
    return execute_notebook(NB07, tmp_path / "executed.ipynb", extra_cell, **parameters)


def test_overrides_take_effect_samples_are_exported_and_the_widget_draws(tmp_path):
    nb = execute(tmp_path, USE_THE_WIDGET, seed=3, task="upscale", lambda_l1=50.0, pix2pix_steps=12,
                 lambda_cycle=4.0, lambda_identity=1.0, cycle_steps=8, batch_size=16, width=8,
                 learning_rate=1e-3, eval_digits=100, export_samples=str(tmp_path / "samples.npz"),
                 output_dir=str(tmp_path / "outputs"))
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Quick mode (GAN_COURSE_QUICK=1):" in printed

    results = json.loads((tmp_path / "outputs" / "results_upscale_seed3_quick.json").read_text())
    p = results["parameters"]
    assert (p["seed"], p["task"], p["lambda_l1"], p["pix2pix_steps"], p["lambda_cycle"], p["lambda_identity"],
            p["cycle_steps"], p["batch_size"], p["width"], p["learning_rate"], p["eval_digits"], p["quick"]) == \
        (3, "upscale", 50.0, 12, 4.0, 1.0, 8, 16, 8, 1e-3, 100, True)
    # the U-Net of width 8 (see tests/test_translation.py for the count)
    assert results["parameters_count"]["generator"] == (16 * 8 + 8) + (16 * 8 * 16 + 4 * 16) + (9 * 16 * 16 + 4 * 16) \
        + (16 * 16 * 8 + 4 * 8) + (16 * 16 * 8 + 4 * 8) + (9 * 9 + 1)
    assert set(results["pix2pix"]) == {"L1 only", "L1 + GAN", "input (no model)"}
    assert set(results["cyclegan"]) == {"with cycle", "without cycle"}
    for row in results["pix2pix"].values():
        assert 0 <= row["l1_error"] <= 2 and 0 <= row["sharpness"] <= 4 and 0 <= row["accuracy"] <= 1
        assert np.isfinite(row["fid"])
    for row in results["cyclegan"].values():
        assert 0 <= row["accuracy"] <= 1 and 0 <= row["changed"] <= 1 and 0 <= row["ink"] <= 1
        assert 0 <= row["cycle_l1"] <= 2
    real = results["real"]
    assert real["accuracy"] > 0.9 and real["ink_thick"] > 1.5 * real["ink_thin"]
    assert set(results["ms_per_step"]) == {"L1 only", "L1 + GAN", "with cycle", "without cycle"}
    # the L1-only model has no discriminator: its adversarial loss is 0 throughout
    assert results["final_losses"]["L1 only"]["g_adversarial"] == 0.0
    assert results["final_losses"]["L1 + GAN"]["g_adversarial"] > 0.0
    for name in ("data", "pix2pix", "cyclegan", "changed"):
        assert (tmp_path / "outputs" / f"{name}_upscale_seed3_quick.png").stat().st_size > 1000

    with np.load(tmp_path / "samples.npz") as exported:   # plain arrays: loads without allow_pickle
        assert sorted(exported.files) == sorted(["inputs", "targets", "l1_only", "l1_gan", "thick_with_cycle",
                                                 "thick_without_cycle", "labels"])
        arrays = {key: exported[key] for key in exported.files}
    (_, _), (x_test, y_test) = load_mnist("subset", seed=0)
    assert np.array_equal(arrays["targets"], to_uint8(x_test[:100]))
    assert np.array_equal(arrays["inputs"], to_uint8(shrink_and_enlarge(x_test[:100])))
    assert np.array_equal(arrays["labels"], y_test[:100])
    for key in ("l1_only", "l1_gan", "thick_with_cycle", "thick_without_cycle"):
        assert arrays[key].shape == (100, 28, 28) and arrays[key].dtype == np.uint8 and arrays[key].std() > 1

    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "panels (7, 28, 28, 1) True True" in text
    assert "target is digit 5 True real thick True" in text
    assert "controls ['index']" in text
    assert any("image/png" in o.get("data", {}) for o in nb.cells[-1].outputs)


@pytest.mark.parametrize("name, value, error", [
    ("task", "edges", "ValueError"),
    ("lambda_l1", -1.0, "ValueError"),
    ("cycle_steps", 2.5, "TypeError"),
    ("eval_digits", 5000, "ValueError"),
    ("export_samples", "samples.csv", "ValueError"),
])
def test_bad_parameter_stops_in_the_validation_cell(tmp_path, name, value, error):
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute(tmp_path, **{name: value, "output_dir": str(tmp_path / "outputs")})
    assert_stopped_in_validation(info, tmp_path / "executed.ipynb", tmp_path / "outputs", name, value, error)
