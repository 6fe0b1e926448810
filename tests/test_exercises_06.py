"""Notebook 06's exercises with a self-check: every check rejects wrong answers (saying why, without
the answer), accepts a right one, and says "not answered yet" to the cell as committed.

- 1: the accuracy of a label-blind generator (a number).
- 2: the width direction in latent space. The notebook's generator is replaced by a small synthetic
  one whose image width grows with the first latent coordinate and whose height grows with the
  second, so the folded solution (with the notebook's own ``attribute_direction``) can be run, and
  the wrong directions (the opposite sign, another attribute, a random vector, a wrong size) have
  known answers.
- 3: the accuracies of "real + GAN" with a GAN trained on the labelled digits only. Training those
  GANs is the exercise, so the check can only test the form of the answer and that it is not one of
  section 6's own rows; the test feeds it made-up section 6 numbers.
- 5: the contextual loss of image completion.

The cells run with ``tests/exercise_harness.py`` in a namespace holding what they use from the
notebook. Exercise 4 has no check cell.
"""

import numpy as np
import pytest
from exercise_harness import code_cell, exercise_cells, folded_solutions, run_exercise, standard_exercise_tests

from gan_helpers import checks

NOTEBOOK = "06_applications.ipynb"
CELLS = exercise_cells(NOTEBOOK)
LATENT_DIM = 8


def synthetic_images(z):
    """digits as ink rectangles: width (columns with ink) grows with z[:, 0], height with z[:, 1]"""
    z = np.asarray(z)
    widths = np.clip(np.round(14 + 4 * z[:, 0]), 2, 26).astype(int)
    heights = np.clip(np.round(14 + 6 * z[:, 1]), 2, 26).astype(int)
    images = -np.ones((len(z), 28, 28, 1), "float32")
    for i, (w, h) in enumerate(zip(widths, heights)):
        images[i, 14 - h // 2:14 - h // 2 + h, 14 - w // 2:14 - w // 2 + w] = 1.0
    return images


class SyntheticGAN:
    def generate(self, n=None, seed=0, z=None, labels=None):
        return synthetic_images(z)


def attribute_direction_from_the_notebook():
    source = code_cell(NOTEBOOK, "def attribute_direction")
    start = source.index("def attribute_direction")
    end = source.index("\n\n\n", start)
    found = {"np": np}
    exec(source[start:end], found)
    return found["attribute_direction"]


def namespace():
    rng = np.random.default_rng(0)
    probe_z = rng.normal(size=(400, LATENT_DIM)).astype("float32")
    edit_z = rng.normal(size=(100, LATENT_DIM)).astype("float32")
    augmentation = {"real only": [0.82, 0.88, 0.85], "classic": [0.89, 0.93, 0.90], "real + GAN": [0.91, 0.92, 0.91],
                    "classic + GAN": [0.93, 0.94, 0.93], "all real": [0.96, 0.96, 0.95]}
    return {"checks": checks, "np": np, "gan": SyntheticGAN(), "probe_z": probe_z,
            "probe_labels": np.arange(400) % 10, "probe_images": synthetic_images(probe_z),
            "edit_z": edit_z, "edit_labels": np.arange(100) % 10, "augmentation": augmentation,
            "attribute_direction": attribute_direction_from_the_notebook()}


def loss(body):
    return f"def contextual_loss(fake_images, images, visible):\n    return {body}"


RIGHT_WIDTH = ("width_direction = attribute_direction(probe_z, probe_labels, "
               "np.sum(probe_images[..., 0].max(axis=1) > 0.0, axis=1))")
WRONG = {
    1: ["answer_1 = 0.5", "answer_1 = 1.0", "answer_1 = 0.976", "answer_1 = 10", "answer_1 = 'a tenth'"],
    2: [RIGHT_WIDTH.replace("width_direction = ", "width_direction = -"),                        # the opposite sign
        "width_direction = attribute_direction(probe_z, probe_labels, "                         # the height
        "np.sum(probe_images[..., 0].max(axis=2) > 0.0, axis=1))",
        "width_direction = attribute_direction(probe_z, probe_labels, probe_z[:, 3])",          # another attribute
        "width_direction = probe_z[0]",                                                         # a random vector
        "width_direction = np.zeros(8)",
        "width_direction = np.ones(3)",                                                         # the wrong size
        "width_direction = 'wide'"],
    3: ["exercise_3 = [82.0, 85.0, 84.0]",                                   # percentages
        "exercise_3 = [0.8, 0.85]",                                          # not one per seed
        "exercise_3 = 0.84",                                                 # one number
        "exercise_3 = augmentation['real + GAN']",                           # section 6's own GAN
        "exercise_3 = list(augmentation['real only'])",                      # section 6's real only
        "exercise_3 = ['a', 'b', 'c']"],
    5: [loss("np.sum(np.abs(fake_images - images), axis=(1, 2, 3))"),                    # no mask
        loss("np.sum(np.abs((1 - visible) * (fake_images - images)), axis=(1, 2, 3))"),   # the hole
        loss("np.sum((visible * (fake_images - images)) ** 2, axis=(1, 2, 3))"),          # squares
        loss("np.mean(np.abs(visible * (fake_images - images)), axis=(1, 2, 3))"),        # a mean
        loss("np.sum(np.abs(visible * (fake_images - images)))"),                         # one number
        loss("np.sum(visible * (fake_images - images), axis=(1, 2, 3))"),                 # no absolute value
        "def contextual_loss(fake_images, images, visible):\n    raise ValueError('oops')"],
}
RIGHT = {
    1: "answer_1 = 0.1",                                       # 1's solution is a number in prose
    2: folded_solutions(NOTEBOOK)[2],
    3: "exercise_3 = [0.80, 0.86, 0.83]",                      # made-up accuracies of the right form
    5: folded_solutions(NOTEBOOK)[5],
}


def test_every_checked_exercise_has_wrong_answers_and_a_right_one():
    assert sorted(CELLS) == [1, 2, 3, 5]
    assert sorted(WRONG) == sorted(CELLS) == sorted(RIGHT)
    assert {2, 5} <= set(folded_solutions(NOTEBOOK))


test_committed_cell_is_unanswered, test_wrong_answer_is_rejected = standard_exercise_tests(CELLS, WRONG, namespace)


@pytest.mark.parametrize("number", sorted(RIGHT))
def test_right_answer_is_accepted(number):
    printed, result = run_exercise(CELLS[number], RIGHT[number], namespace())
    assert result is True, printed
    # exercise 3's check can test only the form of the numbers: it says "recorded", never "correct!"
    assert f"Exercise {number}: {'recorded' if number == 3 else 'correct!'}" in printed


def test_the_width_check_applies_the_direction():
    """a direction equal to the recipe's but with the generator drawing narrower digits along it fails"""
    ns = namespace()
    exec(RIGHT_WIDTH, ns)
    shrinking = lambda z: synthetic_images(-np.asarray(z))   # noqa: E731 (the generator reversed)
    result = checks.check_width_direction(2, ns["width_direction"], ns["probe_z"], ns["probe_labels"],
                                          ns["probe_images"], shrinking, ns["edit_z"])
    assert result is False
