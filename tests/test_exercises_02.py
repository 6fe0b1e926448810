"""Notebook 02's exercises: every self-check rejects wrong answers (saying why, without the answer),
accepts the reference solution (the code folded below the exercise in the notebook), and says
"not answered yet" to the cell as committed.

The cells run with ``tests/exercise_harness.py`` in a namespace that holds what they use from the
notebook: its own model builders and optimizer factory (executed from the notebook's cells), a
tiny training set of real digits (2 steps per epoch), a real ``ClassifierMetrics`` on 200 digits
and a stand-in for the notebook's ``history``.
"""

import re
from types import SimpleNamespace

import keras
import nbformat
import numpy as np
import pytest
import tensorflow as tf
from exercise_harness import ROOT, code_cell, exercise_cells, folded_solutions, run_exercise

from gan_helpers import checks
from gan_helpers.data import load_mnist
from gan_helpers.losses import minimax_discriminator_loss, minimax_generator_loss, nonsaturating_generator_loss
from gan_helpers.metrics import ClassifierMetrics
from gan_helpers.training import GAN, ImageMetrics, export_samples

NOTEBOOK = "02_mlp_gan.ipynb"
CELLS = exercise_cells(NOTEBOOK)
NB = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)


def solutions() -> dict:
    return folded_solutions(NOTEBOOK)


def notebook_cell(defines: str) -> str:
    return code_cell(NOTEBOOK, defines)


@pytest.fixture(scope="module")
def digits():
    (x_train, _), _ = load_mnist(seed=0)
    return x_train


@pytest.fixture(scope="module")
def measure(digits):
    return ClassifierMetrics(digits[:200])


def no_bn_generator(latent_dim, leaky=True):
    model = keras.Sequential([keras.Input(shape=(latent_dim,))])
    for units in (256, 512, 1024):
        model.add(keras.layers.Dense(units))
        if leaky:
            model.add(keras.layers.LeakyReLU(0.2))
    model.add(keras.layers.Dense(28 * 28, activation="tanh"))
    model.add(keras.layers.Reshape((28, 28, 1)))
    return model


@pytest.fixture
def namespace(digits, measure):
    """What the exercise cells and their solutions read from the notebook's kernel."""
    fid = [float("nan")] * 4 + [239.0] + [float("nan")] * 4 + [180.0]
    ns = {
        "keras": keras, "tf": tf, "np": np, "checks": checks, "GAN": GAN, "ImageMetrics": ImageMetrics,
        "minimax_discriminator_loss": minimax_discriminator_loss, "minimax_generator_loss": minimax_generator_loss,
        "nonsaturating_generator_loss": nonsaturating_generator_loss,
        "seed": 0, "latent_dim": 100, "learning_rate": 0.0002, "beta_1": 0.5, "batch_size": 8,
        "train_ds": tf.data.Dataset.from_tensor_slices(digits[:16]).batch(8, drop_remainder=True),
        "steps_per_epoch": 2, "measure": measure, "n_reference": 100,
        "history": {"d_fake": [0.17, 0.03, 0.06, 0.18, 0.27, 0.47, 0.53, 0.52, 0.51, 0.49], "fid": fid,
                    "min_class_share": [0.0] * 4 + [0.012] + [0.05] * 5,
                    "max_class_share": [0.9] * 4 + [0.586] + [0.15] * 5},
        "x_test": digits[200:300],
        "no_bn_generator": no_bn_generator,
    }
    exec(notebook_cell("def make_generator(latent_dim)"), ns)   # make_generator, make_discriminator
    exec(notebook_cell("def new_optimizer()"), ns)               # make_train_step, new_optimizer
    ns["gan"] = SimpleNamespace(generator=ns["make_generator"](100), discriminator=ns["make_discriminator"]())
    return ns


def test_every_exercise_has_a_check_cell_and_a_folded_solution():
    assert set(CELLS) == {1, 2, 3, 4, 5}
    assert set(solutions()) == set(CELLS)


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_the_committed_cell_is_not_answered_yet(namespace, number):
    printed, result = run_exercise(CELLS[number], None, namespace)
    assert result is None
    assert printed.startswith(f"Exercise {number}: not answered yet")


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_the_reference_solution_passes(namespace, number):
    printed, result = run_exercise(CELLS[number], solutions()[number], namespace)
    assert result is True, printed
    assert printed.startswith(f"Exercise {number}: correct!")


def test_the_reference_solution_of_exercise_5_reads_the_export(namespace, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # the solution reads outputs/02_mlp_gan/samples.npz, relative to the notebook
    gan = GAN(namespace["make_generator"](100), namespace["make_discriminator"](), seed=0)
    export_samples(gan, "outputs/02_mlp_gan/samples.npz", seed=20_000)
    printed, result = run_exercise(CELLS[5], solutions()[5], namespace)
    assert result is True, printed


def test_exercise_3_prints_the_comparison_with_the_notebook_run(namespace):
    printed, result = run_exercise(CELLS[3], solutions()[3], namespace)
    assert result is True
    assert "without BatchNorm, after 5 epochs: FID" in printed
    assert "with BatchNorm (this notebook's run), after 5 epochs: FID 239.0, class shares 0.012-0.586" in printed
    spreads = [float(x) for x in re.findall(r"spread across z(?: of real digits \(for comparison\):)? ([\d.]+)", printed)]
    assert len(spreads) == 2 and 0.2 < spreads[1] < 0.8, printed   # the generator's and the real digits'


def test_exercise_4_prints_the_comparison_with_the_notebook_run(namespace):
    printed, result = run_exercise(CELLS[4], solutions()[4], namespace)
    assert result is True
    assert re.search(r"minimax generator loss, over 5 epochs: lowest D\(G\(z\)\) [\d.]+ \(epoch [1-5]\)", printed)
    assert ("this notebook's run (non-saturating loss), over its first 5 epochs: lowest D(G(z)) 0.030 (epoch 2), "
            "FID after epoch 5: 239.0") in printed


def test_exercise_2_accepts_an_extra_training_mode_call_and_says_what_differs(namespace):
    answer = step(GOOD_LOSS).replace("    with tf.GradientTape()", "    generator(z, training=True)\n"
                                                                    "    with tf.GradientTape()")
    printed, result = run_exercise(CELLS[2], answer, namespace)
    assert result is True, printed
    assert "Only BatchNorm's moving statistics differ" in printed, printed


def test_exercise_2_makes_no_remark_on_the_reference_solution(namespace):
    printed, result = run_exercise(CELLS[2], solutions()[2], namespace)
    assert result is True and "moving statistics" not in printed, printed


# ----------------------------------------------------------------------------- wrong answers
STEP_HEAD = "def generator_step(generator, discriminator, g_optimizer, z):\n"
UPDATE = ("    grads = tape.gradient(g_loss, variables)\n"
          "    g_optimizer.apply_gradients(zip(grads, variables))\n")


def step(loss_line, variables="generator.trainable_variables", returns="g_loss", z="z"):
    """A generator_step with one thing changed."""
    return (STEP_HEAD + f"    variables = {variables}\n    z = {z}\n    with tf.GradientTape() as tape:\n"
            f"        {loss_line}\n" + UPDATE + f"    return {returns}\n")


GOOD_LOSS = "g_loss = nonsaturating_generator_loss(discriminator(generator(z, training=True), training=True))"

WRONG = [
    # exercise 1: the count
    (1, "answer_1 = 100 * 256", "weights of the kernel only"),
    (1, "answer_1 = 100 * 256 + 100", "one bias per unit"),
    (1, "answer_1 = 1_493_520", "is not the count"),
    (1, "answer_1 = 'many'", "should be a number"),
    # exercise 2: the generator's step
    (2, step("g_loss = minimax_generator_loss(discriminator(generator(z, training=True), training=True))"),
     "saturating loss"),
    (2, step("g_loss = nonsaturating_generator_loss(discriminator(generator(z), training=True))"), "inference mode"),
    (2, step(GOOD_LOSS, variables="generator.trainable_variables + discriminator.trainable_variables"),
     "discriminator's weights changed"),
    (2, step(GOOD_LOSS, returns="None"), "returns None"),
    (2, step("g_loss = -" + GOOD_LOSS.split(" = ", 1)[1]), "the sign of g_loss"),
    (2, step(GOOD_LOSS, z="tf.random.normal(tf.shape(z))"), "not the non-saturating loss of these fakes"),
    (2, step(GOOD_LOSS, returns="[g_loss, g_loss]"), "one number"),
    (2, STEP_HEAD + "    return nonsaturating_generator_loss(discriminator(generator(z, training=True)))\n",
     "generator's weights did not change"),
    (2, STEP_HEAD + "    raise NotImplementedError('later')\n", "raised NotImplementedError: later"),
    (2, "generator_step = 3", "should be a function"),
    # exercise 3: the GAN without BatchNorm
    (3, "answer_3 = measure(np.zeros((10, 28, 28, 1)))", "should be the trained GAN"),
    (3, "answer_3 = GAN(make_generator(latent_dim), make_discriminator(), seed=seed)\n"
        "answer_3.compile(g_optimizer=new_optimizer(), d_optimizer=new_optimizer())",
     "still has BatchNormalization"),
    (3, "answer_3 = GAN(no_bn_generator(latent_dim, leaky=False), make_discriminator(), seed=seed)\n"
        "answer_3.compile(g_optimizer=new_optimizer(), d_optimizer=new_optimizer())", "LeakyReLU"),
    (3, "g = keras.Sequential([keras.Input((latent_dim,)), keras.layers.Dense(784, activation='tanh'),\n"
        "                      keras.layers.Reshape((28, 28, 1))])\n"
        "answer_3 = GAN(g, make_discriminator(), seed=seed)\n"
        "answer_3.compile(g_optimizer=new_optimizer(), d_optimizer=new_optimizer())", "Dense layers have [784]"),
    (3, "d = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])\n"
        "answer_3 = GAN(no_bn_generator(latent_dim), d, seed=seed)\n"
        "answer_3.compile(g_optimizer=new_optimizer(), d_optimizer=new_optimizer())", "notebook's discriminator"),
    (3, "answer_3 = GAN(no_bn_generator(latent_dim), gan.discriminator, seed=seed)\n"
        "answer_3.compile(g_optimizer=new_optimizer(), d_optimizer=new_optimizer())", "discriminator is the notebook's"),
    (3, "answer_3 = GAN(no_bn_generator(latent_dim), make_discriminator(), seed=seed)\n"
        "answer_3.compile(g_optimizer=keras.optimizers.Adam(0.001, beta_1=0.5), d_optimizer=new_optimizer())",
     "g_optimizer is not Adam with this notebook's learning_rate"),
    (3, "answer_3 = GAN(no_bn_generator(latent_dim), make_discriminator(), seed=seed)\n"
        "answer_3.compile(g_optimizer=new_optimizer(), d_optimizer=new_optimizer())", "took 0 (generator)"),
    (3, "answer_3 = GAN(no_bn_generator(latent_dim), make_discriminator(), seed=seed)\n"
        "answer_3.compile(g_optimizer=new_optimizer(), d_optimizer=new_optimizer())\n"
        "answer_3.fit(train_ds, epochs=4, verbose=0)", "took 8 (generator)"),
    # exercise 4: the history of the minimax run
    (4, "answer_4 = [0.1, 0.2]", "should be the history dict"),
    (4, "answer_4 = {'d_loss': [1.0] * 5, 'g_loss': [-0.5] * 5, 'd_real': [0.5] * 5}", "no ['d_fake']"),
    (4, "answer_4 = {'d_loss': [1.0] * 5, 'g_loss': [-0.5] * 5, 'd_real': [0.5] * 5, 'd_fake': [0.3] * 5}",
     "no 'fid'"),
    (4, "answer_4 = {'d_loss': [1.0] * 4, 'g_loss': [-0.5] * 4, 'd_real': [0.5] * 4, 'd_fake': [0.3] * 4,\n"
        "            'fid': [200.0] * 4}", "not one per epoch"),
    (4, "answer_4 = {'d_loss': [1.0] * 5, 'g_loss': [2.2, 3.8, 3.9, 2.9, 2.3], 'd_real': [0.5] * 5,\n"
        "            'd_fake': [0.3] * 5, 'fid': [200.0] * 5}", "g_loss is positive"),
    (4, "answer_4 = {'d_loss': [1.0] * 5, 'g_loss': [-0.5] * 5, 'd_real': [0.5] * 5, 'd_fake': [0.3] * 5,\n"
        "            'fid': [200.0] * 4 + [float('nan')]}", "was not measured"),
    # exercise 5: the exported array
    (5, "answer_5 = np.random.default_rng(0).uniform(-1, 1, (10_000, 28, 28)).astype('float32')", "float32"),
    (5, "answer_5 = np.random.default_rng(0).integers(0, 256, (10_000, 28, 28, 1), dtype=np.uint8)", "its shape is"),
    (5, "answer_5 = np.random.default_rng(0).integers(0, 256, (4_000, 28, 28), dtype=np.uint8)", "its shape is"),
    (5, "answer_5 = np.zeros((10_000, 28, 28), dtype=np.uint8)", "the same value"),
    (5, "answer_5 = [[0, 255]]", "should be a NumPy array"),
]


@pytest.mark.parametrize("number, answer, because", WRONG, ids=[f"ex{n}-{i}" for i, (n, _, _) in enumerate(WRONG)])
def test_a_wrong_answer_is_rejected_with_a_reason(namespace, number, answer, because):
    printed, result = run_exercise(CELLS[number], answer, namespace)
    assert result is False, printed
    assert printed.startswith(f"Exercise {number}: not yet, because"), printed
    assert because in printed, printed


def test_the_whole_npz_file_is_not_the_array(namespace, tmp_path):
    path = tmp_path / "samples.npz"
    np.savez_compressed(path, images=np.zeros((2, 28, 28), np.uint8))
    with np.load(path) as exported:
        namespace["exported"] = exported
        printed, result = run_exercise(CELLS[5], "answer_5 = exported", namespace)
    assert result is False and "whole .npz file" in printed


def test_the_messages_of_exercise_1_never_contain_the_count(namespace):
    for answer in ("100 * 256", "100 * 256 + 100", "1", "25_855", "'x'"):
        printed, result = run_exercise(CELLS[1], f"answer_1 = {answer}", namespace)
        assert result is False
        assert "25856" not in printed and "25,856" not in printed, printed
