"""Run one exercise cell of a committed notebook with an injected answer (tests/test_exercises_*.py).

An exercise cell starts by assigning the learner's answer, e.g. ``answer_1 = None`` or
``def ema_update(...): ...  # your code`` up to a line ``# --- check ---``; everything below that
line is the check. :func:`run_exercise` replaces the part above the marker with ``answer_source``,
executes the whole cell in ``namespace`` and returns what it printed and what the check returned
(the value of the cell's last expression statement, the check call).
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHECK_MARKER = "# --- check ---"


def exercise_cells(notebook: str) -> dict:
    """``{n: source}`` for every code cell that contains the check marker, keyed by the exercise
    number printed by the check (``Exercise <n>:``), read from the cell's ``checks.`` call."""
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    cells = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and CHECK_MARKER in cell.source:
            tree = ast.parse(cell.source)
            last = tree.body[-1]
            if not isinstance(last, ast.Expr) or not isinstance(last.value, ast.Call):
                raise AssertionError(f"exercise cell must end with the check call:\n{cell.source}")
            number = None
            for arg in last.value.args[:1]:
                if isinstance(arg, ast.Constant):
                    number = arg.value
            if number is None:
                raise AssertionError(f"the check call must name the exercise first:\n{cell.source}")
            cells[number] = cell.source
    return cells


def run_exercise(source: str, answer_source: str | None, namespace: dict):
    """Execute ``source`` with the part above the marker replaced by ``answer_source`` (None: as
    committed). Returns ``(printed, result)``."""
    head, marker, check = source.partition(CHECK_MARKER)
    assert marker, "no check marker in the cell"
    code = (head if answer_source is None else answer_source + "\n") + marker + check
    tree = ast.parse(code)
    last = tree.body.pop()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(tree, "<exercise>", "exec"), namespace)
        result = eval(compile(ast.Expression(last.value), "<check>", "eval"), namespace)
    return printed.getvalue(), result


def folded_solutions(notebook: str) -> dict:
    """``{n: code}``: the ```python block of each folded "Solution n" in the notebook's markdown."""
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    found = {}
    for match in re.finditer(r"<summary>Solution (\d+)</summary>(.*?)</details>", text, re.S):
        block = re.search(r"```python\n(.*?)```", match.group(2), re.S)
        if block:
            found[int(match.group(1))] = block.group(1)
    return found


def code_cell(notebook: str, defines: str) -> str:
    """The source of the notebook's first code cell that contains ``defines``."""
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    return next(cell.source for cell in nb.cells if cell.cell_type == "code" and defines in cell.source)


def standard_exercise_tests(cells: dict, wrong: dict, namespace):
    """The two tests every exercise notebook has, parametrized over its exercises: the committed cell
    says "not answered yet" (and its check returns None), and each injected wrong answer in
    ``wrong`` ({number: [answer source, ...]}) is rejected with a reason. ``namespace()`` builds
    a fresh namespace per run. Use: ``test_committed_cell_is_unanswered, test_wrong_answer_is_rejected
    = standard_exercise_tests(CELLS, WRONG, namespace)``."""
    import pytest

    @pytest.mark.parametrize("number", sorted(cells))
    def test_committed_cell_is_unanswered(number):
        printed, result = run_exercise(cells[number], None, namespace())
        assert result is None and f"Exercise {number}: not answered yet" in printed

    @pytest.mark.parametrize("number,wrong_answer", [(n, w) for n, ws in wrong.items() for w in ws])
    def test_wrong_answer_is_rejected(number, wrong_answer):
        printed, result = run_exercise(cells[number], wrong_answer, namespace())
        assert result is False, printed
        assert f"Exercise {number}: not yet, because" in printed

    return test_committed_cell_is_unanswered, test_wrong_answer_is_rejected
