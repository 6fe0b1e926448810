"""Notebook 08's exercises with a self-check: every check rejects wrong answers (saying why, without the
answer), accepts a right one, and says "not answered yet" to the cell as committed.

- 1: the hinge loss of four scores, by hand (a number).
- 2: a translation with background fill (a function), compared with ``gan_helpers.augment.rand_translation``.
- 3: R1 of a linear discriminator and what it adds to the loss (a pair).
- 4: the share of held-out digits the discriminator called real at the last record of the run without
  DiffAugment, read from its log (the test gives made-up logs in which every candidate differs).
"""

import numpy as np
import pytest
from exercise_harness import exercise_cells, folded_solutions, run_exercise, standard_exercise_tests

from gan_helpers import checks

NOTEBOOK = "08_modern_image_gans.ipynb"
CELLS = exercise_cells(NOTEBOOK)


def namespace():
    without = np.array([[1, 0.55, 0.52], [25, 0.90, 0.61], [50, 0.98, 0.35]])
    with_aug = np.array([[1, 0.52, 0.50], [25, 0.70, 0.66], [50, 0.74, 0.71]])
    return {"checks": checks, "np": np, "little": {"without DiffAugment": {"log": without},
                                                   "with DiffAugment": {"log": with_aug}}}


def translate(body):
    return f"def translate(image, dy, dx):\n    {body}"


WRONG = {
    1: ["answer_1 = 1.5", "answer_1 = 0.5", "answer_1 = -0.75", "answer_1 = 0.9774", "answer_1 = '0.75'"],
    2: [translate("return np.roll(image, (dy, dx), axis=(0, 1))"),                          # wraps around
        translate("return np.roll(image, (dx, dy), axis=(0, 1))"),
        translate("out = np.zeros_like(image)\n    h, w = image.shape\n"                     # fills with 0
                  "    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = "
                  "image[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]\n    return out"),
        translate("return image"),
        translate("return image[None]"),
        translate("raise ValueError('oops')")],
    3: ["answer_3 = (5.25 ** 0.5, 10.0)", "answer_3 = (1.5, 7.5)", "answer_3 = (5.25, 52.5)", "answer_3 = (5.25, 5.25)",
        "answer_3 = 5.25", "answer_3 = ('a', 'b')"],
    4: ["answer_4 = 0.98", "answer_4 = 0.71", "answer_4 = 35", "answer_4 = 0.52", "answer_4 = 'low'"],
}
RIGHT = {
    1: "answer_1 = 0.75",
    2: folded_solutions(NOTEBOOK)[2],
    3: "answer_3 = (5.25, 26.25)",
    4: 'answer_4 = little["without DiffAugment"]["log"][-1, 2]',
}


def test_every_checked_exercise_has_wrong_answers_and_a_right_one():
    assert sorted(CELLS) == [1, 2, 3, 4] == sorted(WRONG) == sorted(RIGHT)


test_committed_cell_is_unanswered, test_wrong_answer_is_rejected = standard_exercise_tests(CELLS, WRONG, namespace)


@pytest.mark.parametrize("number", sorted(RIGHT))
def test_right_answer_is_accepted(number):
    printed, result = run_exercise(CELLS[number], RIGHT[number], namespace())
    assert result is True, printed
    assert f"Exercise {number}: correct!" in printed
