"""Notebook 07's exercises with a self-check: every check rejects wrong answers (saying why, without
the answer), accepts a right one, and says "not answered yet" to the cell as committed.

- 1: the receptive field of the pix2pix paper's 70x70 PatchGAN (a number).
- 2: the values minimizing the expected L1 and squared errors of a pixel (a pair).
- 3: CycleGAN's cycle-consistency loss (a NumPy function).

Exercise 4 has no check cell.
"""

import numpy as np
import pytest
from exercise_harness import exercise_cells, folded_solutions, run_exercise, standard_exercise_tests

from gan_helpers import checks

NOTEBOOK = "07_image_translation.ipynb"
CELLS = exercise_cells(NOTEBOOK)


def namespace():
    return {"checks": checks, "np": np}


def loss(body):
    return f"def cycle_loss(a, b, g, f):\n    return {body}"


WRONG = {
    1: ["answer_1 = 22", "answer_1 = 28", "answer_1 = 20", "answer_1 = 256", "answer_1 = 'seventy'", "answer_1 = True"],
    2: ["answer_2 = (-0.4, -1.0)",          # swapped
        "answer_2 = (-0.4, -0.4)",          # the mean twice
        "answer_2 = (-1.0, -1.0)",          # the median twice
        "answer_2 = (1.0, 0.4)",            # the signs turned round
        "answer_2 = -1.0",                  # one number
        "answer_2 = ('a', 'b')"],
    3: [loss("np.mean(np.abs(f(g(a)) - a))"),                                       # one direction
        loss("np.mean(np.abs(g(f(b)) - b))"),                                       # the other one
        loss("np.mean((f(g(a)) - a) ** 2) + np.mean((g(f(b)) - b) ** 2)"),          # squares
        loss("np.sum(np.abs(f(g(a)) - a)) + np.sum(np.abs(g(f(b)) - b))"),          # sums
        loss("np.mean(np.abs(g(b) - b)) + np.mean(np.abs(f(a) - a))"),              # the identity loss
        loss("np.mean(f(g(a)) - a) + np.mean(g(f(b)) - b)"),                        # no absolute value
        loss("np.abs(f(g(a)) - a) + np.abs(g(f(b)) - b)"),                          # not one number
        "def cycle_loss(a, b, g, f):\n    raise ValueError('oops')"],
}
RIGHT = {
    1: "answer_1 = 70",
    2: folded_solutions(NOTEBOOK)[2],
    3: folded_solutions(NOTEBOOK)[3],
}


def test_every_checked_exercise_has_wrong_answers_and_a_right_one():
    assert sorted(CELLS) == [1, 2, 3]
    assert sorted(WRONG) == sorted(CELLS) == sorted(RIGHT)
    assert {2, 3} <= set(folded_solutions(NOTEBOOK))


test_committed_cell_is_unanswered, test_wrong_answer_is_rejected = standard_exercise_tests(CELLS, WRONG, namespace)


@pytest.mark.parametrize("number", sorted(RIGHT))
def test_right_answer_is_accepted(number):
    printed, result = run_exercise(CELLS[number], RIGHT[number], namespace())
    assert result is True, printed
    assert f"Exercise {number}: correct!" in printed


def test_the_patch_size_is_the_helpers_receptive_field():
    from gan_helpers.translation import receptive_field

    printed, result = run_exercise(CELLS[1], f"answer_1 = {receptive_field([4] * 5, [2, 2, 2, 1, 1])}", namespace())
    assert result is True, printed
