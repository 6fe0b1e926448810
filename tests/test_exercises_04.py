"""Notebook 04's exercises: every self-check rejects wrong answers (saying why, without the answer),
accepts the reference solution (the code folded below the exercise in the notebook), and says
"not answered yet" to the cell as committed.

The cells run with ``tests/exercise_harness.py`` in a namespace holding what they use from the
notebook, on a tiny stand-in: the five-sentence toy corpus, a small generator (16 GRU units) and
discriminator, and exercise 2's 600 GAN steps cut to 3 (the check judges the measurement, not the
training length).
"""

import numpy as np
import pytest
from exercise_harness import exercise_cells, folded_solutions, run_exercise, standard_exercise_tests

from gan_helpers import checks, grammar

NOTEBOOK = "04_text_gan.ipynb"
CELLS = exercise_cells(NOTEBOOK)
PROBS = np.exp([2.0, 1.0, 0.5, -1.0, 0.0]) / np.exp([2.0, 1.0, 0.5, -1.0, 0.0]).sum()


def namespace():
    # gan_generator / batches / V: exercise 3's check measures a discriminator with them; every answer given
    # in this namespace is rejected before they are used (answers that are models run in model_namespace)
    return {"checks": checks, "np": np, "probs": PROBS, "grammar": grammar, "quality_key": "grammatical",
            "gan_point": {"grammatical": 0.92, "unique": 0.99, "mean_length": 6.4, "n": 1000},
            "gan_generator": None, "batches": None, "V": 5}


def model_namespace():
    """The notebook's names for exercises 2 and 3, on the toy corpus with tiny models."""
    import keras
    import tensorflow as tf

    from gan_helpers.data import resource_path
    from gan_helpers.losses import minimax_discriminator_loss
    from gan_helpers.text import load_corpus, text_metrics
    from gan_helpers.text_gan import TextDiscriminator, TextGenerator, make_gan_step

    keras.utils.set_random_seed(0)
    corpus = load_corpus(resource_path("text_data.txt"), 12)
    V, T, batch_size = len(corpus.vocab), corpus.ids.shape[1], 16

    def new_generator():
        return TextGenerator(V, T, embed_dim=8, units=16)

    def make_sampler(model, seed_value):
        noise = keras.random.SeedGenerator(seed_value)
        return lambda n, temperature=1.0: tf.argmax(model.generate(n, 1.0, hard=True, seed=noise,
                                                                   sample_temperature=temperature), axis=-1).numpy()

    def measure(sampler, n=120, temperature=1.0):
        return text_metrics(corpus.to_words(sampler(n, temperature)), corpus.words, None)

    batches = iter(tf.data.Dataset.from_tensor_slices(np.tile(corpus.ids, (8, 1))).repeat().batch(batch_size))
    ns = namespace()
    ns.update(keras=keras, tf=tf, V=V, T=T, batch_size=batch_size, batches=batches, new_generator=new_generator,
              make_sampler=make_sampler, measure=measure, TextDiscriminator=TextDiscriminator,
              make_gan_step=make_gan_step, minimax_discriminator_loss=minimax_discriminator_loss,
              gan_generator=new_generator(), temperature_start=1.0, temperature_end=0.5, quality_key="ngram_valid",
              gan_point={"ngram_valid": 0.9, "unique": 0.9, "mean_length": 6.0, "n": 120})
    return ns


def solutions() -> dict:
    return folded_solutions(NOTEBOOK)


WRONG = {
    1: ["exercise_1 = probs",                                                         # typed in, not sampled
        "rng = np.random.default_rng(0)\nu = rng.uniform(size=(10_000, 5))\n"
        "exercise_1 = np.bincount(np.argmax(probs + -np.log(-np.log(u)), axis=1), minlength=5) / 10_000",  # not log p
        "exercise_1 = np.array([0.2, 0.2, 0.2, 0.2, 0.2])",
        "exercise_1 = [0.5, 0.5]",
        "exercise_1 = 'uniform'",
        # sampled from p, but without the Gumbel-max trick: close to probs, yet not the draws the exercise fixes
        "rng = np.random.default_rng(0)\nexercise_1 = np.bincount(rng.choice(5, 10_000, p=probs), minlength=5) / 10_000",
        "exercise_1 = np.random.default_rng(0).multinomial(10_000, probs) / 10_000",
        # the trick with other random numbers than the exercise's
        "rng = np.random.default_rng(1)\nu = rng.uniform(size=(10_000, 5))\n"
        "exercise_1 = np.bincount(np.argmax(np.log(probs) - np.log(-np.log(u)), axis=1), minlength=5) / 10_000"],
    2: ["exercise_2 = gan_point",                                                     # the pre-trained GAN's
        "exercise_2 = 0.1",
        "exercise_2 = {'grammatical': 0.0}",
        "exercise_2 = {**gan_point, 'grammatical': 0.01, 'n': 8}",
        "exercise_2 = {**gan_point, 'grammatical': 0.905, 'unique': 0.995}",     # the pre-trained GAN sampled again
        "exercise_2 = {**gan_point, 'grammatical': 0.943, 'mean_length': 6.75}",  # the MLE model's measurement
        "exercise_2 = {**gan_point, 'grammatical': None}"],
    3: ["exercise_3 = 0.5", "exercise_3 = 1.7", "exercise_3 = 'high'", "exercise_3 = True", "exercise_3 = [0.98]",
        "exercise_3 = 1", "exercise_3 = 0.98"],                                  # a typed accuracy, not a model
    4: ["exercise_4 = -20.901133", "exercise_4 = 20.901133 / np.log(10)", "exercise_4 = 20.901133 / 7",
        "exercise_4 = 21.5", "exercise_4 = 'about 21'"],
}


def test_every_exercise_has_a_check_and_a_solution():
    assert sorted(CELLS) == [1, 2, 3, 4]
    assert sorted(WRONG) == sorted(CELLS)
    assert sorted(solutions()) == [1, 2, 3, 4]


test_committed_cell_is_unanswered, test_wrong_answer_is_rejected = standard_exercise_tests(CELLS, WRONG, namespace)


@pytest.mark.parametrize("number", [1, 4])
def test_reference_solution_is_accepted(number):
    printed, result = run_exercise(CELLS[number], solutions()[number], namespace())
    assert result is True, printed
    assert f"Exercise {number}: correct!" in printed


def test_reference_solutions_with_models_are_accepted():
    pytest.importorskip("tensorflow")
    ns = model_namespace()
    scratch = solutions()[2].replace("range(600)", "range(3)").replace("(i / 599)", "(i / 2)")
    assert scratch != solutions()[2]
    for number, answer in ((2, scratch), (3, solutions()[3])):
        printed, result = run_exercise(CELLS[number], answer, ns)
        assert result is True, printed
        assert f"Exercise {number}: correct!" in printed


def test_wrong_answers_with_models_are_rejected():
    """An untrained discriminator (near chance on soft fakes) does not pass exercise 3."""
    pytest.importorskip("tensorflow")
    ns = model_namespace()
    printed, result = run_exercise(CELLS[3], "exercise_3 = TextDiscriminator(V, T)", ns)
    assert result is False, printed
    assert "Exercise 3: not yet, because" in printed and "accuracy is" in printed


def test_checks_do_not_print_the_answer():
    printed, _ = run_exercise(CELLS[4], "exercise_4 = 21.5", namespace())
    assert "20.9" not in printed
