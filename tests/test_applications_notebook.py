"""Papermill re-execution of notebook 06 (conditional GAN, diversity per class, latent editing,
GAN data augmentation against classic augmentation, image completion), in quick mode.

- Overridden parameters must change the run: read back from the results JSON the notebook
  writes (parameter values, the generator's size that depends on ``latent_dim`` and ``width``,
  the augmentation table over the seeds).
- ``export_samples`` must write 1,000 uint8 28x28 images per digit under ``images``, with
  their ``labels``.
- The latent explorer's update function, called with control values in an extra cell,
  must display an image of the requested digit; so must the completion widget's, and its
  pieces must do what section 7 says: a mask that hides nothing leaves a digit unchanged, a
  training digit's nearest neighbour on its visible pixels is itself, mean fill puts the class's
  mean digit in the hole.
- A bad parameter must stop in the validation cell, naming it, with nothing written.
"""

import json
from pathlib import Path

import numpy as np
import papermill as pm
import pytest
from notebook_checks import assert_stopped_in_validation, execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NB06 = ROOT / "notebooks" / "06_applications.ipynb"

# What the explorer's sliders run, with the values its controls would hold.
USE_THE_EXPLORER = """
edited = show_edit(digit=3, sample=5, thickness=1.5, slant=-1.0)
print("explorer image", edited.shape, float(edited.min()) >= -1.0, float(edited.max()) <= 1.0)
print("controls", sorted(explorer.kwargs))
completed_digit = show_completion(index=7, top=10, left=6, size=10)
print("completion image", completed_digit.shape, float(completed_digit.min()) >= -1.0, float(completed_digit.max()) <= 1.0)
print("completion controls", sorted(completer.kwargs))
nothing_hidden = np.ones((2, 28, 28, 1), "float32")
print("unchanged", np.array_equal(complete_with_gan(x_test[:2], nothing_hidden, y_test[:2], steps=2)[0], x_test[:2]))
hole = np.ones((1, 28, 28, 1), "float32")
hole[0, 8:20, 8:20] = 0.0
print("itself", np.array_equal(nearest_neighbour_fill(x_train[3:4], hole, y_train[3:4]), x_train[3:4]))
print("class mean", np.allclose(mean_fill(x_train[3:4], hole, y_train[3:4])[0, 8:20, 8:20],
                                x_train[y_train == y_train[3]].mean(axis=0)[8:20, 8:20]))
"""


def execute(tmp_path, extra_cell=None, **parameters):
    return execute_notebook(NB06, tmp_path / "executed.ipynb", extra_cell, **parameters)


def test_overrides_take_effect_samples_are_exported_and_the_explorer_draws(tmp_path):
    nb = execute(tmp_path, USE_THE_EXPLORER, seed=4, batch_size=32, latent_dim=16, width=8, labels_per_class=5,
                 synthetic_per_class=20, augmentation_seeds=2, classifier_steps=30, completion_digits=10,
                 completion_steps=5, prior_weight=0.5,
                 export_samples=str(tmp_path / "samples.npz"), output_dir=str(tmp_path / "outputs"))
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Quick mode (GAN_COURSE_QUICK=1):" in printed

    results = json.loads((tmp_path / "outputs" / "results_seed4_quick.json").read_text())
    p = results["parameters"]
    assert (p["seed"], p["batch_size"], p["latent_dim"], p["width"], p["labels_per_class"],
            p["synthetic_per_class"], p["classifier_steps"], p["quick"]) == (4, 32, 16, 8, 5, 20, 30, True)
    assert (p["completion_digits"], p["completion_steps"], p["prior_weight"]) == (10, 5, 0.5)
    assert p["augmentation_seeds"] == 1  # quick mode runs one seed whatever is asked
    # generator: Dense (16 + 10) -> 7*7*16 without bias, its BatchNorm, ConvT 16 -> 8 (4x4), BatchNorm, ConvT 8 -> 1
    assert results["parameters_count"]["generator"] == (26 * 784 + 4 * 784 + 16 * 16 * 8 + 4 * 8 + 16 * 8 + 1)
    assert results["training_digits"] == 1000 and len(results["history"]["d_loss"]) == 2
    conditional = results["conditional"]
    assert len(conditional["per_class_accuracy"]) == 10 and conditional["samples_per_class"] == 1000
    assert all(0 <= a <= 1 for a in conditional["per_class_accuracy"]) and np.isfinite(conditional["fid"])
    assert np.sum(conditional["confusion"]) == 10_000
    assert results["reference"]["fid"] < 10 and np.mean(results["reference"]["per_class_accuracy"]) > 0.95
    table = results["augmentation"]["table"]
    assert set(results["augmentation"]["per_seed"]) == {"real only", "classic", "real + GAN", "classic + GAN", "all real"}
    assert table["classic + GAN minus real + GAN"]["mean"] == pytest.approx(
        table["classic + GAN"]["mean"] - table["real + GAN"]["mean"])
    assert table["classic + GAN minus classic"]["mean"] == pytest.approx(
        table["classic + GAN"]["mean"] - table["classic"]["mean"])
    assert all(len(v) == 1 for v in results["augmentation"]["per_seed"].values())
    assert table["real + GAN minus real only"]["mean"] == pytest.approx(
        table["real + GAN"]["mean"] - table["real only"]["mean"])
    assert table["all real"]["mean"] > 0.2  # 30 steps on the 1,000 quick-mode digits: far above chance (0.1)
    assert {row["alpha"] for row in results["attribute_edits"]["thickness"]} == {-2.0, -1.0, 0.0, 1.0, 2.0}
    for row in results["shared_style"].values():   # correlations; shuffling the codes breaks any link
        assert -1 <= row["correlation"] <= 1 and abs(row["shuffled_mean"]) < 0.1 and row["shuffled_std"] > 0
    diversity = results["diversity"]["per_class"]
    assert [row["digit"] for row in diversity] == list(range(10)) and results["diversity"]["samples_per_class"] == 100
    assert all(0 <= row[key] <= 1 for row in diversity for key in ("precision", "recall", "real_precision", "real_recall"))
    # real held-out digits against training digits of their class: whatever the GAN, they cover each other
    assert np.mean([row["real_recall"] for row in diversity]) > 0.7
    assert all(row["real_pixel_distance"] > 5 for row in diversity)
    completion = results["completion"]
    assert completion["digits_per_mask"] == 10 and set(completion["table"]) == {"block", "stroke"}
    for rows in completion["table"].values():
        for method in ("hole left empty", "mean fill", "nearest neighbour", "GAN (z search)", "GAN, prior off"):
            assert 0 <= rows[method]["hole_error"] <= 2 and 0 <= rows[method]["accuracy"] <= 1
        for other in ("mean fill", "nearest neighbour", "GAN, prior off"):
            assert rows[f"GAN minus {other}: pixel error"]["mean"] == pytest.approx(
                rows["GAN (z search)"]["hole_error"] - rows[other]["hole_error"])
            assert rows[f"GAN minus {other}: accuracy"]["mean"] == pytest.approx(
                rows["GAN (z search)"]["accuracy"] - rows[other]["accuracy"])
    for name in ("conditional", "style", "interpolation", "attribute_edits", "augmentation", "frames", "completion"):
        assert (tmp_path / "outputs" / f"{name}_seed4_quick.png").stat().st_size > 1000

    with np.load(tmp_path / "samples.npz") as exported:  # plain arrays: loads without allow_pickle
        assert sorted(exported.files) == ["images", "labels"]
        images, labels = exported["images"], exported["labels"]
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8 and images.std() > 1
    assert labels.shape == (10_000,) and np.array_equal(np.bincount(labels), np.full(10, 1000))

    shown = nb.cells[-1].outputs
    text = "".join(o.get("text", "") for o in shown)
    assert "explorer image (1, 28, 28, 1) True True" in text
    assert "controls ['digit', 'sample', 'slant', 'thickness']" in text
    assert "completion image (1, 28, 28, 1) True True" in text
    assert "completion controls ['index', 'left', 'size', 'top']" in text
    assert "unchanged True" in text and "itself True" in text and "class mean True" in text
    assert any("image/png" in o.get("data", {}) for o in shown), shown


@pytest.mark.parametrize("name, value, error", [
    ("labels_per_class", 0, "ValueError"),
    ("augmentation_seeds", 2.5, "TypeError"),
    ("export_samples", "samples.csv", "ValueError"),
    ("latent_dim", "big", "TypeError"),
    ("completion_digits", 25, "ValueError"),
    ("prior_weight", -0.5, "ValueError"),
])
def test_bad_parameter_stops_in_the_validation_cell(tmp_path, name, value, error):
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute(tmp_path, **{name: value, "output_dir": str(tmp_path / "outputs")})
    assert_stopped_in_validation(info, tmp_path / "executed.ipynb", tmp_path / "outputs", name, value, error)
