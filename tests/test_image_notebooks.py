"""Papermill re-executions of the MNIST notebooks (02 MLP GAN, 03 DCGAN), in quick mode.

- Overridden parameters must change the run: read back from the results JSON each notebook
  writes (parameter values, history length, model sizes that depend on them).
- ``export_samples`` must write 10,000 uint8 28x28 images under the key ``images``.
- A second run with the same output folder must resume from the checkpoint (train nothing)
  and give the same final numbers.
- Notebook 03 must read notebook 02's results from the sibling output folder.
- A bad parameter must stop in the validation cell, naming it, with nothing written.
"""

import json
from pathlib import Path

import numpy as np
import papermill as pm
import pytest
from notebook_checks import assert_stopped_in_validation, execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NB02 = ROOT / "notebooks" / "02_mlp_gan.ipynb"
NB03 = ROOT / "notebooks" / "03_dcgan_mnist.ipynb"


def execute(notebook, out, **parameters):
    return execute_notebook(notebook, out, **parameters)


def printed(nb):
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def check_export(path):
    with np.load(path) as exported:  # plain arrays: loads without allow_pickle
        assert exported.files == ["images"]
        images = exported["images"]
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert images.std() > 1  # not one constant image (the values of a 2-epoch quick run are not yet digits)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    return tmp_path_factory.mktemp("outputs")


@pytest.fixture(scope="module")
def nb02_results(outputs):
    nb = execute(NB02, outputs / "02_first.ipynb", seed=5, batch_size=32, latent_dim=16, learning_rate=0.0005,
                 eval_samples=150, export_samples=str(outputs / "mlp_samples.npz"),
                 output_dir=str(outputs / "02_mlp_gan"))
    return nb, json.loads((outputs / "02_mlp_gan" / "results_subset_seed5_quick.json").read_text())


def test_nb02_overrides_take_effect_and_samples_are_exported(nb02_results, outputs):
    nb, results = nb02_results
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    p = results["parameters"]
    assert (p["seed"], p["batch_size"], p["latent_dim"], p["learning_rate"], p["quick"]) == (5, 32, 16, 0.0005, True)
    # the first Dense layer shrinks from 100*256+256 to 16*256+256 weights
    assert results["parameters_count"]["generator"] == 1_493_520 - (100 - 16) * 256
    assert len(results["history"]["d_loss"]) == 2 and results["epochs_trained_now"] == 2
    assert results["history"]["fid"][0] is None and np.isfinite(results["history"]["fid"][1])  # eval_every = 2
    assert results["final"]["fid"] > results["reference"]["fid"]  # 2 quick epochs are not real digits
    assert 8 < results["reference"]["score"] <= 10
    check_export(outputs / "mlp_samples.npz")


def test_nb02_rerun_resumes_from_its_checkpoint(nb02_results, outputs):
    _, first = nb02_results
    nb = execute(NB02, outputs / "02_again.ipynb", seed=5, batch_size=32, latent_dim=16, learning_rate=0.0005,
                 eval_samples=150, output_dir=str(outputs / "02_mlp_gan"))
    again = json.loads((outputs / "02_mlp_gan" / "results_subset_seed5_quick.json").read_text())
    assert "Resumed from the checkpoint" in printed(nb) and "nothing to do" in printed(nb)
    assert again["epochs_trained_now"] == 0 and again["history"]["d_loss"] == first["history"]["d_loss"]
    assert again["final"]["fid"] == pytest.approx(first["final"]["fid"], rel=1e-4)


def test_nb03_overrides_take_effect_and_it_reads_nb02(nb02_results, outputs):
    from gan_helpers.models import dcgan_discriminator, dcgan_generator

    execute(NB03, outputs / "03.ipynb", seed=5, width=8, dense_units=0, kernel_size=3, ema_decay=0.0,
                 latent_dim=16, eval_samples=150, export_samples=str(outputs / "dcgan_samples.npz"),
                 output_dir=str(outputs / "03_dcgan_mnist"))
    results = json.loads((outputs / "03_dcgan_mnist" / "results_subset_seed5_quick.json").read_text())
    p = results["parameters"]
    assert (p["width"], p["dense_units"], p["kernel_size"], p["ema_decay"], p["latent_dim"]) == (8, 0, 3, 0.0, 16)
    assert results["parameters_count"] == {"generator": dcgan_generator(16, 8, 3, 0).count_params(),
                                           "discriminator": dcgan_discriminator(8, 3, dense_units=0).count_params()}
    assert len(results["history"]["d_loss"]) == 2
    assert results["history"]["fid"][0] is None and np.isfinite(results["history"]["fid"][1])  # eval_every = 2
    assert "notebook 02's results" in results["mlp"]["source"]
    assert results["mlp"]["final"]["fid"] == pytest.approx(nb02_results[1]["final"]["fid"])
    assert set(results["step_ms"]) == {"width16_dense0", "width8_dense0"}
    assert (outputs / "03_dcgan_mnist" / "training_subset_seed5_quick.gif").stat().st_size > 1000
    check_export(outputs / "dcgan_samples.npz")


@pytest.mark.parametrize("notebook, name, value, error", [
    (NB02, "dataset", "mnist", "ValueError"),
    (NB02, "export_samples", "samples.csv", "ValueError"),
    (NB02, "resume", "yes", "TypeError"),
    (NB03, "width", 0, "ValueError"),
    (NB03, "ema_decay", 1.5, "ValueError"),
    (NB03, "epochs", 2.5, "TypeError"),
])
def test_bad_parameter_stops_in_the_validation_cell(tmp_path, notebook, name, value, error):
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute(notebook, tmp_path / "executed.ipynb", **{name: value, "output_dir": str(tmp_path / "outputs")})
    assert_stopped_in_validation(info, tmp_path / "executed.ipynb", tmp_path / "outputs", name, value, error)
