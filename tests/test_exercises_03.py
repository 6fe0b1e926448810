"""Notebook 03's exercises: every self-check rejects wrong answers (saying why, without the answer),
accepts the reference solution (the code folded below the exercise in the notebook), and says
"not answered yet" to the cell as committed.

The cells run with ``tests/exercise_harness.py`` in a namespace holding what they use from the
notebook: ``checks``, NumPy, and stand-ins for the run's ``history``, ``step_costs`` and
``steps_per_epoch``.
"""


import nbformat
import numpy as np
import pytest
from exercise_harness import ROOT, exercise_cells, folded_solutions, run_exercise, standard_exercise_tests

from gan_helpers import checks

NOTEBOOK = "03_dcgan_mnist.ipynb"
CELLS = exercise_cells(NOTEBOOK)
NB = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)


def solutions() -> dict:
    return folded_solutions(NOTEBOOK)


def namespace():
    return {"checks": checks, "np": np, "history": {"train_seconds": [7.0 * k for k in range(1, 31)]},
            "step_costs": {(16, 0): (30.0, 125_202), (32, 1024): (120.0, 6_573_538)}, "steps_per_epoch": 62}


WRONG = {
    1: ['def transposed_conv_output_size(n, kernel_size, stride, padding):\n    return n * stride',
        'def transposed_conv_output_size(n, kernel_size, stride, padding):\n'
        '    return n * stride if padding == "same" else (n - 1) * stride + kernel_size',   # wrong when k < s
        'def transposed_conv_output_size(n, kernel_size, stride, padding):\n    return n * stride + kernel_size',
        'def transposed_conv_output_size(n, kernel_size, stride, padding):\n    raise ValueError("oops")'],
    2: ['def overlap_counts(n, kernel_size, stride):\n    return np.ones((n - 1) * stride + kernel_size)',
        'def overlap_counts(n, kernel_size, stride):\n    return np.full(n * stride, 2)',
        'def overlap_counts(n, kernel_size, stride):\n'
        '    counts = np.zeros((n - 1) * stride + kernel_size)\n'
        '    for i in range(n):\n        counts[i * stride:i * stride + stride] += 1\n    return counts'],
    3: ['def ema_update(average, current, decay):\n    return (1 - decay) * average + decay * current',
        'def ema_update(average, current, decay):\n    return current',
        'def ema_update(average, current, decay):\n    return (average + current) / 2'],
    4: ["answer_4 = 30", "answer_4 = 1000", "answer_4 = 'many'"],
}


def test_every_exercise_has_a_check_and_a_solution():
    assert sorted(CELLS) == [1, 2, 3, 4]
    assert sorted(WRONG) == sorted(CELLS)
    found = solutions()
    assert sorted(found) == [1, 2, 3], "exercises 1-3 have code solutions; 4's is a formula"


test_committed_cell_is_unanswered, test_wrong_answer_is_rejected = standard_exercise_tests(CELLS, WRONG, namespace)


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_reference_solution_is_accepted(number):
    if number == 4:   # the solution's formula, on the stand-in run
        answer = "answer_4 = history['train_seconds'][-1] / (step_costs[(16, 0)][0] / 1000 * steps_per_epoch)"
    else:
        answer = solutions()[number]
    printed, result = run_exercise(CELLS[number], answer, namespace())
    assert result is True, printed
    assert f"Exercise {number}: correct!" in printed


def test_checks_do_not_print_the_answer():
    printed, _ = run_exercise(CELLS[4], "answer_4 = 30", namespace())
    assert "113" not in printed   # 210 s / (30 ms * 62) = 112.9 epochs
