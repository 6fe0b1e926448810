"""The course teaches one thing one way: shared lessons are word for word the same where they
appear, and measured tables quoted in notebooks are the ones the benchmarks wrote.

- The learning-rate lesson (which network should learn faster) appears in notebooks 03, 05 and 06
  as the same paragraph.
- Notebook 03's ablation table is quoted row for row from the reference run committed in
  ``bench/reference/`` (written by ``bench/ablation_03.py``), and so are ``bench/README.md``'s
  tables (also ``bench/lr_ratio.py``'s); the numbers the prose quotes come from those runs.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LR_LESSON_START = "**Which network should learn faster?**"


def markdown(notebook: str) -> str:
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    return "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def lr_lesson(text: str) -> str:
    start = text.find(LR_LESSON_START)
    assert start >= 0, "the learning-rate lesson is missing"
    end = text.find("\n\n", start)
    return text[start:end if end >= 0 else None]


def test_learning_rate_lesson_is_the_same_in_03_05_06():
    lessons = {nb: lr_lesson(markdown(nb)) for nb in ("03_dcgan_mnist.ipynb", "05_failure_modes.ipynb",
                                                      "06_applications.ipynb")}
    first = next(iter(lessons.values()))
    assert len(first) > 300
    for notebook, lesson in lessons.items():
        assert lesson == first, f"{notebook}'s learning-rate lesson differs from 03's"


def test_no_notebook_keeps_the_old_learning_rate_reason():
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        text = markdown(path.name)
        assert "generator's gradients fade" not in text, path.name
        assert "cheap ways to better samples" not in text, path.name


def table_rows(text: str) -> list:
    return [line for line in text.splitlines() if line.startswith("| `") or line.startswith("| real held-out")
            or re.match(r"\| [\d.]+ \|", line)]


@pytest.mark.parametrize("reference,quoted_in", [
    ("ablation_03.json", ["notebooks/03_dcgan_mnist.ipynb", "bench/README.md"]),
    ("lr_ratio.json", ["bench/README.md"]),   # the notebooks quote its percentages (test below)
])
def test_benchmark_tables_are_quoted_from_the_reference_run(reference, quoted_in):
    data = json.loads((ROOT / "bench" / "reference" / reference).read_text(encoding="utf-8"))
    rows = table_rows(data["markdown"])
    assert len(rows) >= 3
    for where in quoted_in:
        text = markdown(Path(where).name) if where.endswith(".ipynb") else (ROOT / where).read_text(encoding="utf-8")
        for row in rows:
            assert row in text, f"{where} does not quote this row of bench/reference/{reference}:\n{row}"


def test_every_mean_and_spread_quoted_in_03_comes_from_the_reference_ablation():
    """Prose may quote 'FID 18.9 ± 2.0': each such pair must be a row's value in the reference table,
    rounded to the decimals quoted."""
    data = json.loads((ROOT / "bench" / "reference" / "ablation_03.json").read_text(encoding="utf-8"))
    values = [tuple(v) for row in data["table"].values() for k, v in row.items()
              if isinstance(v, list) and len(v) == 2 and k not in ("steps", "step_ms")]
    quoted = re.findall(r"(\d+\.\d+) ± (\d+\.\d+)", markdown("03_dcgan_mnist.ipynb"))
    assert len(quoted) >= 8
    for mean, spread in quoted:
        decimals = len(mean.split(".")[1])
        assert any(round(m, decimals) == float(mean) and round(s, decimals) == float(spread) for m, s in values), (
            f"notebook 03 quotes {mean} ± {spread}, which is no row of bench/reference/ablation_03.json")


def test_lr_lesson_percentages_come_from_the_reference_run():
    data = json.loads((ROOT / "bench" / "reference" / "lr_ratio.json").read_text(encoding="utf-8"))
    share = {float(r): 100 * sum(s["high_quality"] for s in scores) / len(scores)
             for r, scores in data["results"].items()}
    lesson = lr_lesson(markdown("03_dcgan_mnist.ipynb"))
    faster = re.search(r"4× and 5× the discriminator's kept only (\d+) % and (\d+) %", lesson)
    slower = re.search(r"all 8 modes in every seed \((\d+) % and (\d+) %", lesson)
    assert faster and slower
    assert [round(share[4.0]), round(share[5.0])] == [int(faster.group(1)), int(faster.group(2))]
    assert [round(share[1.0]), round(share[0.25])] == [int(slower.group(1)), int(slower.group(2))]
    missed = [sum(s["modes"] < 8 for s in data["results"][r]) for r in ("4.0", "5.0")]
    assert f"missed modes in {missed[0]} and {missed[1]} of the {data['seeds']} seeds" in lesson


def test_translation_tables_are_quoted_whole_from_the_reference_run():
    """Notebook 07, bench/README.md and README.md quote bench/reference/translation_07.json's two tables row for row,
    and every 'mean ± std' or percentage pair the notebook's prose quotes is a value of that run."""
    data = json.loads((ROOT / "bench" / "reference" / "translation_07.json").read_text(encoding="utf-8"))
    assert data["seeds"] == [0, 1, 2] and data["quick"] is False
    rows = [line for line in data["markdown"].splitlines() if line.startswith("|") and not line.startswith("|---")]
    assert len(rows) >= 10
    for where in ("notebooks/07_image_translation.ipynb", "bench/README.md", "README.md"):
        text = markdown(Path(where).name) if where.endswith(".ipynb") else (ROOT / where).read_text(encoding="utf-8")
        for row in rows:
            assert row in text, f"{where} does not quote this row of bench/reference/translation_07.json:\n{row}"
    cells = set()
    for row in rows:
        cells.update(re.findall(r"-?\d+(?:\.\d+)?%? ± \d+(?:\.\d+)?%?", row))
    prose = markdown("07_image_translation.ipynb")
    for row in rows:
        prose = prose.replace(row, "")
    quoted = re.findall(r"-?\d+(?:\.\d+)?%? ± \d+(?:\.\d+)?%?", prose)
    assert len(quoted) >= 10
    for pair in quoted:
        assert pair in cells, f"notebook 07 quotes {pair}, which is no cell of bench/reference/translation_07.json"
