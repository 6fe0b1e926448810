"""Notebook 05's exercises: every self-check rejects wrong answers (saying why, without the answer),
accepts the reference solution (the code folded below the exercise in the notebook), and says
"not answered yet" to the cell as committed.

The cells run with ``tests/exercise_harness.py`` in a namespace holding what they use from the
notebook: ``checks``, NumPy, and the Dirac GAN's ``dirac_descend`` (the notebook's section-5 cell,
executed here).
"""

import numpy as np
import pytest
from exercise_harness import code_cell, exercise_cells, folded_solutions, run_exercise, standard_exercise_tests

from gan_helpers import checks

NOTEBOOK = "05_failure_modes.ipynb"
CELLS = exercise_cells(NOTEBOOK)


def namespace():
    source = code_cell(NOTEBOOK, "def dirac_descend(")
    # the cell's functions only; its printing and the check against gan_helpers.dirac are not needed here
    head = source.split("DIRAC_START")[0]
    ns = {"checks": checks, "np": np}
    exec(head.replace("from gan_helpers import dirac", ""), ns)
    return ns


WRONG = {
    1: ["answer_1 = np.log10(4)", "answer_1 = -np.log(4)", "answer_1 = np.log(8)", "answer_1 = 0.5 * np.log(4)",
        "answer_1 = 'log 4'", "answer_1 = 1.0"],
    2: ["def fair_share(counts, n_samples):\n    return sum(counts) / n_samples",
        "def fair_share(counts, n_samples):\n    cap = n_samples / len(counts)\n    return sum(min(c, cap) for c in counts)",
        "def fair_share(counts, n_samples):\n    return min(counts) * len(counts) / n_samples",
        "def fair_share(counts, n_samples):\n    raise ValueError('oops')"],
    3: ["answer_3 = 0.0", "answer_3 = 0.3", "answer_3 = 0.04", "answer_3 = 0.2", "answer_3 = 'small'"],
}


def test_every_exercise_has_a_check_and_a_solution():
    assert sorted(CELLS) == [1, 2, 3]
    assert sorted(WRONG) == sorted(CELLS)
    assert sorted(folded_solutions(NOTEBOOK)) == [1, 2, 3], "exercise 4 is an open experiment, without a check"


test_committed_cell_is_unanswered, test_wrong_answer_is_rejected = standard_exercise_tests(CELLS, WRONG, namespace)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_reference_solution_is_accepted(number):
    printed, result = run_exercise(CELLS[number], folded_solutions(NOTEBOOK)[number], namespace())
    assert result is True, printed
    assert f"Exercise {number}: correct!" in printed


def test_dirac_threshold_is_where_the_steps_turn():
    """The check's closed form (gamma > h f'(0)^2) agrees with the notebook's own Dirac GAN steps."""
    ns = namespace()
    distance = {g: np.hypot(*ns["dirac_descend"]((0.05, 0.05), 5000, 0.2, r1_gamma=g)[-1]) for g in (0.045, 0.055)}
    assert distance[0.045] > np.hypot(0.05, 0.05) > distance[0.055]
