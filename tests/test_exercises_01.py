"""Notebook 01's exercises: every self-check rejects wrong answers (saying "not yet" and why, without
the answer), accepts the reference solution (the code folded below the exercise in the notebook, or
the number it derives), and says "not answered yet" to the cell as committed.

The cells run with ``tests/exercise_harness.py`` in a namespace that holds what they use from the
notebook: the losses, the notebook's own ``make_train_step`` (executed from its cell), the ring's
modes, small stand-ins for the 2-D run's ``history_2d`` and ``frames_2d``, a results file of a grid
run in a temporary ``out`` folder, and a cheap stand-in for ``train_toy_gan`` that returns a history
naming its generator loss (with means of D on real and generated samples whose lowest is not the
last) and a last frame with a known share of samples between the modes (more for ``latent_dim=1``),
so no exercise trains a real GAN here except exercise 5's small step.

Exercise 2 cannot be passed without reading the run: the lowest mean D(fake) must be that of the
minimax run's own history, not the reference run's, its average or its last value.

Exercise 4 cannot be passed by guessing: the shares between the modes must be measured from the
samples, and the explanation is one of four statements. Exercise 5's check compares the
discriminator after one call with k steps done by the book, so it rejects a step that trains on
one real batch k times, reuses the noise, puts the generator first or trains D towards the wrong
labels, and it still accepts other correct ways to write the step.
"""

import json
import re
import sys

import keras
import nbformat
import numpy as np
import pytest
import tensorflow as tf
from exercise_harness import ROOT, code_cell, exercise_cells, folded_solutions, run_exercise

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
    return folded_solutions(NOTEBOOK)


def notebook_cell(defines: str) -> str:
    return code_cell(NOTEBOOK, defines)


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
    d_fake = np.linspace(0.5, 0.45, len(measured)) - 4 * offset   # minimax: D lower on the fakes
    d_fake[len(measured) // 2] -= 0.03                             # the lowest is not the last measurement
    history = {"step": measured, "distance": list(np.linspace(0.6, 0.05, len(measured)) + offset),
               "d_real": list(np.full(len(measured), 0.52)), "d_fake": list(d_fake),
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
        "train_toy_gan": fake_train_toy_gan, "mode_coverage": mode_coverage,
    }
    _, _, ns["history_2d"], ns["frames_2d"], _ = fake_train_toy_gan(None, STEPS_2D)
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


def test_exercise_2_prints_both_runs_distances_lowest_d_fake_and_the_two_gradients(namespace):
    printed, _ = run_exercise(CELLS[2], solutions()[2], namespace)
    minimax = fake_train_toy_gan(None, STEPS_2D, generator_loss=minimax_generator_loss)[2]
    lowest, reference_lowest = min(minimax["d_fake"]), min(namespace["history_2d"]["d_fake"])
    assert lowest != minimax["d_fake"][-1] and lowest < reference_lowest
    assert ("nonsaturating_generator_loss: best distance 0.050, final 0.050, "
            f"lowest mean D(fake) {reference_lowest:.3f}") in printed
    assert f"minimax_generator_loss: best distance 0.070, final 0.070, lowest mean D(fake) {lowest:.3f}" in printed
    assert f"minimax gradient per sample is {lowest:.2f} against the non-saturating {1 - lowest:.2f}" in printed
    assert "not saturated" in printed


def test_exercise_2_calls_a_run_with_a_confident_discriminator_saturated(namespace, capsys):
    history = fake_train_toy_gan(None, STEPS_2D, generator_loss=minimax_generator_loss)[2]
    history["d_fake"] = [0.3, 0.01, 0.002, 0.05, 0.2]
    reference = dict(namespace["history_2d"], distance=[0.5] * len(history["step"]))
    assert checks.check_generator_loss_run(2, history, 0.002, reference) is True
    printed = capsys.readouterr().out
    assert "gradient per sample is 0.002 against the non-saturating 0.998" in printed
    assert "499 times smaller, saturated" in printed


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



def solution_5_changed(old: str, new: str, *more: str) -> str:
    """The folded solution of exercise 5 with one thing changed (a typical mistake): ``old`` by
    ``new``, then any further (old, new) pairs in ``more``."""
    code = solutions()[5]
    pairs = [(old, new), *zip(more[::2], more[1::2])]
    for before, after in pairs:
        assert code.count(before) == 1, before
        code = code.replace(before, after)
    return code


LOWEST_MINIMAX = min(fake_train_toy_gan(None, STEPS_2D, generator_loss=minimax_generator_loss)[2]["d_fake"])
MINIMAX_RUN = "exercise_2_history = train_toy_gan(real_2d, steps_2d, generator_loss=minimax_generator_loss)[2]\n"
BOTH_RUNS = ("samples_by_latent = {1: train_toy_gan(real_2d, steps_2d, latent_dim=1)[3][steps_2d],\n"
             "                     8: train_toy_gan(real_2d, steps_2d, latent_dim=8)[3][steps_2d]}\n")
MEASURED = ("share_between_modes = {size: 1 - mode_coverage(samples, modes, mode_std)['high_quality']\n"
            "                       for size, samples in samples_by_latent.items()}\n")
ANSWERED = "share_between_modes = {1: 0.4, 8: 0.15}\nexplanation = 'C'\n"   # checked only after the samples
LOSS_INDENT = " " * 52   # the second argument of minimax_discriminator_loss in solution 5
OFF_MODE_1 = 1 - mode_coverage(last_frame(1), MODES, MODE_STD)["high_quality"]
OFF_MODE_8 = 1 - mode_coverage(last_frame(8), MODES, MODE_STD)["high_quality"]

# exercise 5: more typical mistakes, each a whole function
GENERATOR_FIRST = """
def make_k_step_train_step(generator, discriminator, g_optimizer, d_optimizer, generator_loss, k):
    latent_dim = generator.input_shape[-1]

    @tf.function
    def train_step(real_batches):
        n = tf.shape(real_batches)[1]
        with tf.GradientTape() as tape:
            g_loss = generator_loss(discriminator(generator(tf.random.normal((n, latent_dim)), training=True)))
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        for i in range(k):
            fake_samples = generator(tf.random.normal((n, latent_dim)), training=True)
            with tf.GradientTape() as tape:
                d_loss = minimax_discriminator_loss(discriminator(real_batches[i]), discriminator(fake_samples))
            grads = tape.gradient(d_loss, discriminator.trainable_variables)
            d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        return d_loss, g_loss

    return train_step
"""

# exercise 5: correct steps written differently from the folded solution; the check must accept them
EAGER_CONCATENATED_BCE = """
def make_k_step_train_step(generator, discriminator, g_optimizer, d_optimizer, generator_loss, k):
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    latent_dim = generator.input_shape[-1]

    def train_step(real_batches):   # no tf.function: slower, equally right
        n = real_batches.shape[1]
        for i in range(k):
            fake_samples = generator(tf.random.normal((n, latent_dim)))
            with tf.GradientTape() as tape:
                logits = discriminator(tf.concat([real_batches[i], fake_samples], axis=0))
                d_loss = bce(tf.ones((n, 1)), logits[:n]) + bce(tf.zeros((n, 1)), logits[n:])
            grads = tape.gradient(d_loss, discriminator.trainable_variables)
            d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        with tf.GradientTape() as tape:
            g_loss = generator_loss(discriminator(generator(tf.random.normal((n, latent_dim)))))
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return d_loss, g_loss

    return train_step
"""


WRONG = [
    # exercise 1: D* at a point
    (1, "answer_1 = 0.25", "probability that x is fake"),
    (1, "answer_1 = 3.0", "is not a probability"),
    (1, "answer_1 = 0.3", "a single density is not enough"),
    (1, "answer_1 = 0.5", "put them into the formula"),
    (1, "answer_1 = 'three quarters'", "should be a number"),
    # exercise 2: the minimax run, and the lowest mean D(fake) it measured
    (2, "exercise_2_history = history_2d\nlowest_d_fake = 0.42", "the history of the run above"),
    (2, "exercise_2_history = train_toy_gan(real_2d, steps_2d, live=False)[2]\nlowest_d_fake = 0.42",
     "trained its generator with nonsaturating_generator_loss"),
    (2, "exercise_2_history = train_toy_gan(real_2d, 2 * steps_2d, generator_loss=minimax_generator_loss)[2]\n"
        "lowest_d_fake = 0.4", "give it the same steps"),
    (2, "exercise_2_history = train_toy_gan(real_2d, steps_2d, generator_loss=minimax_generator_loss)\n"
        "lowest_d_fake = 0.4", "pass the history dict"),
    (2, MINIMAX_RUN + "lowest_d_fake = min(history_2d['d_fake'])", "lowest mean D(fake) of the run above"),
    (2, MINIMAX_RUN + "lowest_d_fake = float(np.mean(exercise_2_history['d_fake']))", "average over all measurements"),
    (2, MINIMAX_RUN + "lowest_d_fake = exercise_2_history['d_fake'][-1]", "your run's last measurement"),
    (2, MINIMAX_RUN + "lowest_d_fake = min(exercise_2_history['d_real'])", "on *real* samples"),
    (2, MINIMAX_RUN + "lowest_d_fake = 0.1", "not the lowest value in your run's history['d_fake']"),
    (2, MINIMAX_RUN + "lowest_d_fake = 42", "not a mean of D"),
    (2, MINIMAX_RUN + "lowest_d_fake = 'low'", "should be a number"),
    (2, MINIMAX_RUN + "lowest_d_fake = True", "should be a number"),
    # exercise 3: the grid run's count
    (3, f"answer_3 = {GRID_CAPTURED - 1}", "records another count"),
    (3, "answer_3 = 30", "between 0 and 25"),
    (3, "answer_3 = 20.5", "whole number"),
    (3, "answer_3 = 21\nseed = 5", "there is no results file"),
    # exercise 4: the bridges (the samples; the measured shares and the explanation follow below)
    (4, "samples_by_latent = {8: train_toy_gan(real_2d, steps_2d, latent_dim=8)[3][steps_2d]}\n" + ANSWERED,
     "at least two latent sizes"),
    (4, "samples_by_latent = {1: np.random.normal(size=(2000, 1)), 8: np.random.normal(size=(2000, 8))}\n"
        + ANSWERED, "not the noise z"),
    (4, "samples_by_latent = {1: np.zeros((2000, 2)), 8: np.full((2000, 2), 0.01)}\n" + ANSWERED,
     "has not learned the target yet"),
    (4, "samples_by_latent = {'one': np.zeros((2000, 2)), 'eight': np.zeros((2000, 2))}\n" + ANSWERED,
     "should be latent sizes"),
    (4, "samples_by_latent = {1: train_toy_gan(real_2d, steps_2d, latent_dim=1)[3][steps_2d],\n"
        "                     2: train_toy_gan(real_2d, steps_2d, latent_dim=2)[3][steps_2d]}\n" + ANSWERED,
     "compares latent_dim 1 and 8"),
    (4, "samples_by_latent = {1: train_toy_gan(real_2d, steps_2d, latent_dim=1)[3][steps_2d], 8: frames_2d[steps_2d]}\n"
        + ANSWERED, "are the samples of the run above"),
    (4, "run = train_toy_gan(real_2d, steps_2d, latent_dim=8)[3][steps_2d]\nsamples_by_latent = {1: run, 8: run}\n"
        + ANSWERED, "are the same samples"),
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
    # exercise 4: the shares must be measured, not guessed
    (4, BOTH_RUNS + "share_between_modes = {1: 0.5, 8: 0.1}\nexplanation = 'C'", "is not the share measured"),
    (4, BOTH_RUNS + "share_between_modes = {1: True, 8: False}\nexplanation = 'C'", "is not the share measured"),
    (4, BOTH_RUNS + f"share_between_modes = {{1: {OFF_MODE_8}, 8: {OFF_MODE_1}}}\nexplanation = 'C'",
     "is not the share measured"),
    (4, BOTH_RUNS + "share_between_modes = {size: mode_coverage(samples, modes, mode_std)['high_quality']\n"
                    "                       for size, samples in samples_by_latent.items()}\nexplanation = 'C'",
     "the share of samples *near* a mode"),
    (4, BOTH_RUNS + f"share_between_modes = {{1: {100 * OFF_MODE_1:.1f}, 8: {100 * OFF_MODE_8:.1f}}}\n"
                    "explanation = 'C'", "looks like a percentage"),
    (4, BOTH_RUNS + f"share_between_modes = {{1: {OFF_MODE_1}}}\nexplanation = 'C'", "the same latent sizes"),
    (4, BOTH_RUNS + "share_between_modes = 0.15\nexplanation = 'C'", "the same latent sizes"),
    # exercise 4: the explanation
    (4, BOTH_RUNS + MEASURED + "explanation = 'A'", f"still puts {OFF_MODE_8:.1%} of its samples"),
    (4, BOTH_RUNS + MEASURED + "explanation = 'B'", "The discriminator does see them"),
    (4, BOTH_RUNS + MEASURED + "explanation = 'D'", "about latent_dim 1 only"),
    (4, BOTH_RUNS + MEASURED + "explanation = False", "one of the letters"),
    (4, BOTH_RUNS + MEASURED + "explanation = 'no'", "one of the letters"),
    # exercise 5: the right number of updates, but not Algorithm 1
    (5, solution_5_changed("real_batches[i]", "real_batches[0]"), "trained on the same real batch"),
    (5, solution_5_changed("        for i in range(k):          # a Python loop: traced k times into the graph\n"
                           "            z = tf.random.normal((n, latent_dim))\n",
                           "        z = tf.random.normal((n, latent_dim))   # once, before the loop\n"
                           "        for i in range(k):\n"), "received 2 different noise batch"),
    (5, solution_5_changed("        z = tf.random.normal((n, latent_dim))\n        with tf.GradientTape() as tape:\n"
                           "            g_loss", "        with tf.GradientTape() as tape:\n            g_loss"),
     "received 3 different noise batch"),
    (5, GENERATOR_FIRST, "all before the generator's step"),
    (5, solution_5_changed("discriminator(real_batches[i], training=True),\n" + LOSS_INDENT
                           + "discriminator(fake_samples, training=True))",
                           "discriminator(fake_samples, training=True),\n" + LOSS_INDENT
                           + "discriminator(real_batches[i], training=True))"),   # labels swapped
     "is not where 3 steps of minimax_discriminator_loss take it"),
    (5, solution_5_changed("        return d_loss, g_loss\n", "        return g_loss, d_loss\n"),
     "the d_loss it returns is not the loss of the last discriminator step"),
    (5, solution_5_changed("        for i in range(k):", "        d_losses = []\n        for i in range(k):",
                           "            d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))\n",
                           "            d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))\n"
                           "            d_losses.append(d_loss)\n",
                           "        return d_loss, g_loss\n", "        return tf.reduce_mean(d_losses), g_loss\n"),
     "the d_loss it returns is not the loss of the last discriminator step"),
]


def test_exercise_5_accepts_another_correct_step(namespace):
    printed, result = run_exercise(CELLS[5], EAGER_CONCATENATED_BCE, namespace)
    assert result is True, printed


GRAPH_LOOP = """
import tensorflow as tf

from gan_helpers.losses import minimax_discriminator_loss


def make_k_step_train_step(generator, discriminator, g_optimizer, d_optimizer, generator_loss, k):
    latent_dim = generator.input_shape[-1]

    @tf.function
    def train_step(real_batches):
        n = tf.shape(real_batches)[1]
        d_loss = tf.constant(0.0)
        for i in tf.range(k):   # a graph loop: AutoGraph turns it into a tf.while_loop
            with tf.GradientTape() as tape:
                fake_samples = generator(tf.random.normal((n, latent_dim)), training=True)
                d_loss = minimax_discriminator_loss(discriminator(real_batches[i], training=True),
                                                    discriminator(fake_samples, training=True))
            grads = tape.gradient(d_loss, discriminator.trainable_variables)
            d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        with tf.GradientTape() as tape:
            g_loss = generator_loss(discriminator(generator(tf.random.normal((n, latent_dim)), training=True)))
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return d_loss, g_loss

    return train_step
"""


@pytest.mark.parametrize("code", [GRAPH_LOOP, "import tensorflow as tf\n"
                                  "from gan_helpers.losses import minimax_discriminator_loss\n" + solutions()[5]],
                         ids=["graph-loop", "solution"])
def test_exercise_5_accepts_correct_steps_that_autograph_converts(tmp_path, monkeypatch, code):
    """As in a notebook, where AutoGraph finds the source: from a module file, not from exec."""
    (tmp_path / "k_step_answer.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    import k_step_answer

    try:
        assert checks.check_k_step_train_step(5, k_step_answer.make_k_step_train_step) is True
    finally:
        del sys.modules["k_step_answer"]


@pytest.mark.parametrize("letter", ["c", " C "])
def test_exercise_4_accepts_the_letter_in_any_case(namespace, letter):
    printed, result = run_exercise(CELLS[4], BOTH_RUNS + MEASURED + f"explanation = {letter!r}", namespace)
    assert result is True, printed


def test_exercise_4_accepts_shares_rounded_to_two_decimals(namespace):
    answer = BOTH_RUNS + f"share_between_modes = {{1: {OFF_MODE_1:.2f}, 8: {OFF_MODE_8:.2f}}}\nexplanation = 'C'"
    printed, result = run_exercise(CELLS[4], answer, namespace)
    assert result is True, printed


@pytest.mark.parametrize("number, answer, because", WRONG)
def test_a_wrong_answer_gets_not_yet_and_the_reason(namespace, number, answer, because):
    printed, result = run_exercise(CELLS[number], answer, namespace)
    assert result is False, printed
    assert printed.startswith(f"Exercise {number}: not yet, because"), printed
    assert because in printed, printed


@pytest.mark.parametrize("number, answer, secret", [
    (1, "answer_1 = 0.5", "0.75"), (1, "answer_1 = 0.25", "0.75"),
    (2, MINIMAX_RUN + "lowest_d_fake = 0.1", f"{LOWEST_MINIMAX:.2f}"),
    (2, MINIMAX_RUN + "lowest_d_fake = exercise_2_history['d_fake'][-1]", f"{LOWEST_MINIMAX:.2f}"),
    (3, f"answer_3 = {GRID_CAPTURED - 1}", str(GRID_CAPTURED)), (3, "answer_3 = 30", str(GRID_CAPTURED)),
    (4, BOTH_RUNS + "share_between_modes = {1: 0.5, 8: 0.1}\nexplanation = 'C'", f"{OFF_MODE_1:.1%}"),
    (4, BOTH_RUNS + "share_between_modes = {1: 0.5, 8: 0.1}\nexplanation = 'C'", f"{OFF_MODE_8:.2f}"),
])
def test_a_wrong_answer_does_not_give_the_answer_away(namespace, number, answer, secret):
    printed, _ = run_exercise(CELLS[number], answer, namespace)
    assert secret not in printed, printed


@pytest.mark.parametrize("letter", ["A", "B", "D"])
def test_a_wrong_explanation_does_not_name_the_right_one(namespace, letter):
    printed, result = run_exercise(CELLS[4], BOTH_RUNS + MEASURED + f"explanation = {letter!r}", namespace)
    assert result is False and not re.search(r"\bC\b", printed), printed


def test_exercise_4_with_no_sample_between_the_modes_still_rejects_explanation_a(namespace):
    rng = np.random.default_rng(3)
    namespace["perfect"] = MODES[rng.integers(0, len(MODES), 2000)] + rng.normal(scale=0.3 * MODE_STD, size=(2000, 2))
    namespace["perfect_8"] = namespace["perfect"][::-1].copy()
    answer = ("samples_by_latent = {1: perfect, 8: perfect_8}\nshare_between_modes = {1: 0.0, 8: 0.0}\n"
              "explanation = 'A'")
    printed, result = run_exercise(CELLS[4], answer, namespace)
    assert result is False and "count again with many more samples" in printed, printed
