"""Notebook 01's exercises: every self-check rejects wrong answers (saying "not yet" and why, without
the answer), accepts the reference solution (the code folded below the exercise in the notebook, or
the number it derives), and says "not answered yet" to the cell as committed.

The cells run with ``tests/exercise_harness.py`` in a namespace that holds what they use from the
notebook: the losses, the notebook's own ``make_train_step`` (executed from its cell), the ring's
modes, a small stand-in for the 2-D run's ``history_2d``, a results file of a grid run in a
temporary ``out`` folder, and a cheap stand-in for ``train_toy_gan`` that returns a history naming
its generator loss and a last frame with a known share of samples between the modes (more for
``latent_dim=1``), so no exercise trains a real GAN here except exercise 5's small step.
"""

import json
import re

import keras
import nbformat
import numpy as np
import pytest
import tensorflow as tf
from exercise_harness import ROOT, exercise_cells, run_exercise

from gan_helpers import checks
from gan_helpers.data import toy_distribution
from gan_helpers.losses import minimax_discriminator_loss, minimax_generator_loss, nonsaturating_generator_loss
from gan_helpers.metrics import mode_coverage

NOTEBOOK = "01_gan_concepts.ipynb"
CELLS = exercise_cells(NOTEBOOK)
NB = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
_, _, MODES, MODE_STD = toy_distribution("ring", 100, seed=0, std=0.05)
STEPS_2D = 200
GRID_CAPTURED = 21


def solutions() -> dict:
    """``{n: code}``: the ```python block of each folded "Solution n" in the notebook's markdown."""
    text = "\n".join(cell.source for cell in NB.cells if cell.cell_type == "markdown")
    found = {}
    for match in re.finditer(r"<summary>Solution (\d+)</summary>(.*?)</details>", text, re.S):
        block = re.search(r"```python\n(.*?)```", match.group(2), re.S)
        if block:
            found[int(match.group(1))] = block.group(1)
    return found


def notebook_cell(defines: str) -> str:
    return next(cell.source for cell in NB.cells if cell.cell_type == "code" and defines in cell.source)


def last_frame(latent_dim, n=2000, bridges=None):
    """Samples of the ring with a share ``bridges`` (default: 40 % for latent_dim 1, 15 % otherwise)
    on the segments between neighbouring modes, at least 0.3 of the way from both."""
    rng = np.random.default_rng(latent_dim)
    share = (0.4 if latent_dim == 1 else 0.15) if bridges is None else bridges
    samples = MODES[rng.integers(0, len(MODES), n)] + rng.normal(scale=MODE_STD, size=(n, 2))
    k = int(share * n)
    start, t = rng.integers(0, len(MODES), k), rng.uniform(0.3, 0.7, (k, 1))
    samples[:k] = MODES[start] * (1 - t) + MODES[(start + 1) % len(MODES)] * t
    return samples


def fake_train_toy_gan(real_data, steps, generator_loss=nonsaturating_generator_loss, latent_dim=2, live=True,
                       eval_every=50, **unused):
    """What train_toy_gan returns, without training: (generator, discriminator, history, frames, surfaces)."""
    measured = list(range(0, steps, eval_every)) + [steps]
    offset = 0.0 if generator_loss is nonsaturating_generator_loss else 0.02
    history = {"step": measured, "distance": list(np.linspace(0.6, 0.05, len(measured)) + offset),
               "generator_loss": generator_loss.__name__}
    return None, None, history, {steps: last_frame(latent_dim)}, {}


@pytest.fixture
def namespace(tmp_path):
    """What the exercise cells and their solutions read from the notebook's kernel."""
    out = tmp_path / "outputs"
    out.mkdir()
    (out / "results_grid_z2_seed0.json").write_text(json.dumps(
        {"modes_captured": {"start": 0, "end": GRID_CAPTURED, "of": 25}, "high_quality_end": 0.61}))
    ns = {
        "keras": keras, "tf": tf, "np": np, "checks": checks,
        "minimax_discriminator_loss": minimax_discriminator_loss, "minimax_generator_loss": minimax_generator_loss,
        "nonsaturating_generator_loss": nonsaturating_generator_loss,
        "seed": 0, "latent_dim": 2, "QUICK": False, "out": out, "batch_size": 32,
        "real_2d": MODES, "steps_2d": STEPS_2D, "modes": MODES, "mode_std": MODE_STD,
        "train_toy_gan": fake_train_toy_gan,
    }
    ns["history_2d"] = fake_train_toy_gan(None, STEPS_2D)[2]
    exec(notebook_cell("def make_train_step("), ns)   # the notebook's own one-step loop (section 5)
    return ns


def test_every_exercise_has_a_check_cell_and_a_folded_solution():
    assert set(CELLS) == {1, 2, 3, 4, 5}
    assert set(solutions()) == {2, 4, 5}   # 1 and 3 are numbers: solved below from what they derive


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_the_committed_cell_is_not_answered_yet(namespace, number):
    printed, result = run_exercise(CELLS[number], None, namespace)
    assert result is None
    assert printed.startswith(f"Exercise {number}: not answered yet"), printed


REFERENCE = {
    1: "answer_1 = 0.3 / (0.3 + 0.1)",
    3: f"answer_3 = {GRID_CAPTURED}",
}


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_the_reference_solution_passes(namespace, number):
    answer = REFERENCE.get(number) or solutions()[number]
    printed, result = run_exercise(CELLS[number], answer, namespace)
    assert result is True, printed
    assert printed.startswith(f"Exercise {number}: correct!"), printed


def test_exercise_1_solution_text_gives_the_number_the_check_accepts(namespace):
    text = "\n".join(cell.source for cell in NB.cells if cell.cell_type == "markdown")
    assert "0.3 / (0.3 + 0.1) = 0.75" in text
    assert run_exercise(CELLS[1], "answer_1 = 0.75", namespace)[1] is True


def test_exercise_2_prints_both_runs_best_and_final_distances(namespace):
    printed, _ = run_exercise(CELLS[2], solutions()[2], namespace)
    assert "nonsaturating_generator_loss: best 0.050, final 0.050" in printed
    assert "minimax_generator_loss: best 0.070, final 0.070" in printed


def test_exercise_4_prints_the_measured_shares_between_modes(namespace):
    printed, _ = run_exercise(CELLS[4], solutions()[4], namespace)
    shares = {int(size): float(share) for size, share in re.findall(r"latent_dim (\d+): ([\d.]+)%", printed)}
    assert shares.keys() == {1, 8}
    assert 40 <= shares[1] <= 43 and 15 <= shares[8] <= 18  # the bridges put there, plus Gaussian tails beyond 3 std


# ----------------------------------------------------------------------------- wrong answers
IGNORES_K = """
def make_k_step_train_step(generator, discriminator, g_optimizer, d_optimizer, generator_loss, k):
    one_step = make_train_step(generator, discriminator, g_optimizer, d_optimizer, generator_loss)
    return lambda real_batches: one_step(real_batches[0])
"""

GENERATOR_IN_THE_LOOP = """
def make_k_step_train_step(generator, discriminator, g_optimizer, d_optimizer, generator_loss, k):
    one_step = make_train_step(generator, discriminator, g_optimizer, d_optimizer, generator_loss)

    def train_step(real_batches):
        for i in range(k):
            d_loss, g_loss = one_step(real_batches[i])
        return d_loss, g_loss

    return train_step
"""



def solution_5_changed(old: str, new: str) -> str:
    """The folded solution of exercise 5 with one thing changed (a typical mistake)."""
    code = solutions()[5]
    assert old in code, old
    return code.replace(old, new)


BOTH_RUNS = ("samples_by_latent = {1: train_toy_gan(real_2d, steps_2d, latent_dim=1)[3][steps_2d],\n"
             "                     8: train_toy_gan(real_2d, steps_2d, latent_dim=8)[3][steps_2d]}\n")
OFF_MODE_8 = 1 - mode_coverage(last_frame(8), MODES, MODE_STD)["high_quality"]

WRONG = [
    # exercise 1: D* at a point
    (1, "answer_1 = 0.25", "probability that x is fake"),
    (1, "answer_1 = 3.0", "is not a probability"),
    (1, "answer_1 = 0.3", "a single density is not enough"),
    (1, "answer_1 = 0.5", "put them into the formula"),
    (1, "answer_1 = 'three quarters'", "should be a number"),
    # exercise 2: the minimax run
    (2, "exercise_2_history = history_2d", "the history of the run above"),
    (2, "exercise_2_history = train_toy_gan(real_2d, steps_2d, live=False)[2]", "trained its generator with "
                                                                                "nonsaturating_generator_loss"),
    (2, "exercise_2_history = train_toy_gan(real_2d, 2 * steps_2d, generator_loss=minimax_generator_loss)[2]",
     "give it the same steps"),
    (2, "exercise_2_history = train_toy_gan(real_2d, steps_2d, generator_loss=minimax_generator_loss)",
     "pass the history dict"),
    # exercise 3: the grid run's count
    (3, f"answer_3 = {GRID_CAPTURED - 1}", "records another count"),
    (3, "answer_3 = 30", "between 0 and 25"),
    (3, "answer_3 = 20.5", "whole number"),
    (3, "answer_3 = 21\nseed = 5", "there is no results file"),
    # exercise 4: the bridges
    (4, "samples_by_latent = {8: train_toy_gan(real_2d, steps_2d, latent_dim=8)[3][steps_2d]}\n"
        "bridges_vanish = False", "at least two latent sizes"),
    (4, "samples_by_latent = {1: np.random.normal(size=(2000, 1)), 8: np.random.normal(size=(2000, 8))}\n"
        "bridges_vanish = False", "not the noise z"),
    (4, "samples_by_latent = {1: np.zeros((2000, 2)), 8: np.zeros((2000, 2))}\nbridges_vanish = False",
     "has not learned the target yet"),
    (4, "samples_by_latent = {'one': np.zeros((2000, 2)), 'eight': np.zeros((2000, 2))}\nbridges_vanish = False",
     "should be latent sizes"),
    # exercise 5: k discriminator steps per generator step
    (5, IGNORES_K, "made 1 discriminator update"),
    (5, GENERATOR_IN_THE_LOOP, "one call made 3 generator updates"),
    (5, solution_5_changed("g_optimizer.apply_gradients(zip(grads, generator", "d_optimizer.apply_gradients(zip(grads, "
                           "generator"), "raised ValueError: Unknown variable"),
    (5, solution_5_changed("        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))\n", ""),
     "one call made 0 generator updates"),
    (5, solution_5_changed("        return d_loss, g_loss\n", "        return None\n"), "should return (d_loss, g_loss)"),
    (5, solution_5_changed("    return train_step\n", ""), "should return the train_step function"),
    (5, "make_k_step_train_step = 42", "should be a function"),
    (5, "def make_k_step_train_step(*args):\n    raise NotImplementedError('tomorrow')", "raised NotImplementedError"),
]
WRONG += [
    (4, BOTH_RUNS + "bridges_vanish = True", f"still puts {OFF_MODE_8:.1%} of its samples"),
    (4, BOTH_RUNS + "bridges_vanish = 'no'", "should be True or False"),
]


@pytest.mark.parametrize("number, answer, because", WRONG)
def test_a_wrong_answer_gets_not_yet_and_the_reason(namespace, number, answer, because):
    printed, result = run_exercise(CELLS[number], answer, namespace)
    assert result is False, printed
    assert printed.startswith(f"Exercise {number}: not yet, because"), printed
    assert because in printed, printed


@pytest.mark.parametrize("number, answer, secret", [
    (1, "answer_1 = 0.5", "0.75"), (1, "answer_1 = 0.25", "0.75"),
    (3, f"answer_3 = {GRID_CAPTURED - 1}", str(GRID_CAPTURED)), (3, "answer_3 = 30", str(GRID_CAPTURED)),
    (4, BOTH_RUNS + "bridges_vanish = True", "False"),
])
def test_a_wrong_answer_does_not_give_the_answer_away(namespace, number, answer, secret):
    printed, _ = run_exercise(CELLS[number], answer, namespace)
    assert secret not in printed, printed


def test_exercise_4_with_no_sample_between_the_modes_still_says_not_yet_to_vanishing_bridges(namespace):
    rng = np.random.default_rng(3)
    namespace["perfect"] = MODES[rng.integers(0, len(MODES), 2000)] + rng.normal(scale=0.3 * MODE_STD, size=(2000, 2))
    answer = "samples_by_latent = {1: perfect, 8: perfect}\nbridges_vanish = True"
    printed, result = run_exercise(CELLS[4], answer, namespace)
    assert result is False and "count again with many more samples" in printed, printed
