"""docs/INSTRUCTOR.md stays true to the notebooks and the README: every notebook in the course
map, every exercise in the exercises map (with the right self-check status), the README's run
times, the committed runs' clocks, the build backend in the offline command, and links that
resolve. Reads files only: no notebook is executed."""

import re
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI (the test extra installs it there)
    import tomli as tomllib
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
KIT_PATH = ROOT / "docs" / "INSTRUCTOR.md"
KIT = KIT_PATH.read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TIME = re.compile(r"\d+ min \d+ s|\d+ s")
EXERCISE = re.compile(r"\*\*Exercise (\d+) \((.+?)\)\.\*\*")


def section(text: str, heading: str) -> str:
    """The text under the first heading that contains `heading`, up to the next heading of its level."""
    match = re.search(rf"^(#+) [^\n]*{re.escape(heading)}[^\n]*$", text, re.M)
    assert match, f"docs/INSTRUCTOR.md: no heading containing {heading!r}"
    level = len(match.group(1))
    end = re.search(rf"^#{{1,{level}}} ", text[match.end():], re.M)
    return text[match.end():match.end() + end.start()] if end else text[match.end():]


def table_rows(text: str) -> list[list[str]]:
    """The cells of every markdown table row in `text`, header and separator rows left out."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| :]+\|$", line):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def course_map() -> dict[str, list[str]]:
    rows = table_rows(section(KIT, "Course map"))
    return {row[0]: row for row in rows if re.fullmatch(r"\d\d", row[0])}


def notebook_exercises(path: Path) -> dict[int, tuple[str, bool]]:
    """{number: (title, has a self-check cell)} from the notebook's "## Exercises" section.

    An exercise has a self-check cell when a code cell lies between the cell with its text and
    the cell with its folded "Solution N".
    """
    cells = nbformat.read(path, as_version=4).cells
    start = next((i for i, c in enumerate(cells)
                  if c.cell_type == "markdown" and re.search(r"^## Exercises", c.source, re.M)), None)
    assert start is not None, f"{path.name}: no '## Exercises' section"
    found, text_cell, solution_cell = {}, {}, {}
    for i, cell in enumerate(cells[start:], start):
        if cell.cell_type != "markdown":
            continue
        for m in EXERCISE.finditer(cell.source):
            found[int(m.group(1))] = m.group(2)
            text_cell[int(m.group(1))] = i
        for m in re.finditer(r"<summary>Solution (\d+)</summary>", cell.source):
            solution_cell[int(m.group(1))] = i
    assert found, f"{path.name}: no '**Exercise N (title).**' in its Exercises section"
    result = {}
    for number, title in found.items():
        assert number in solution_cell, f"{path.name}: exercise {number} has no folded 'Solution {number}'"
        between = cells[text_cell[number] + 1:solution_cell[number]]
        result[number] = (title, any(c.cell_type == "code" for c in between))
    return result


def exercises_map() -> dict[tuple[str, int], tuple[str, str]]:
    """{(notebook, number): (title, self-check cell text)} from the kit's exercises map."""
    rows = table_rows(section(KIT, "Exercises map"))
    listed = {}
    for row in rows:
        if not re.fullmatch(r"\d\d", row[0]):
            continue
        m = re.fullmatch(r"(\d+) \((.+)\)", row[1])
        assert m, f"docs/INSTRUCTOR.md exercises map: write the exercise as 'N (title)', got {row[1]!r}"
        listed[(row[0], int(m.group(1)))] = (m.group(2), row[3])
    return listed


def readme_default_times() -> dict[str, str]:
    rows = table_rows(section(README, "The course"))
    times = {}
    for row in rows:
        if re.fullmatch(r"\d\d", row[0]):
            match = TIME.search(row[-1])
            assert match, f"README.md course table: no run time in the last column of row {row[0]}"
            times[row[0]] = match.group(0)
    return times


def test_every_notebook_is_in_the_course_map():
    rows = course_map()
    for path in NOTEBOOKS:
        number = path.name[:2]
        assert number in rows, (f"docs/INSTRUCTOR.md: add {path.name} to the course map (section 1), "
                                "the learning objectives, the workshop plans and the exercises map")
        assert f"(../notebooks/{path.name})" in rows[number][1], (
            f"docs/INSTRUCTOR.md course map: row {number} must link ../notebooks/{path.name}")
    stale = set(rows) - {p.name[:2] for p in NOTEBOOKS}
    assert not stale, f"docs/INSTRUCTOR.md course map lists notebooks that do not exist: {sorted(stale)}"


def test_default_run_times_are_the_readmes():
    readme = readme_default_times()
    assert set(readme) == {p.name[:2] for p in NOTEBOOKS}, "README.md course table: one row per notebook"
    for number, row in course_map().items():
        assert row[3] == readme[number], (
            f"docs/INSTRUCTOR.md course map, notebook {number}: default run {row[3]!r} but README.md's course "
            f"table says {readme[number]!r}; copy the README's time (and update the workshop plans)")


def test_committed_run_clocks_are_the_notebooks():
    """The kit quotes each committed notebook's last line, `Notebook run time: N s (after imports)`."""
    quoted = re.search(r"The committed notebooks show (.+?)\. A learner", KIT, re.S)
    assert quoted, "docs/INSTRUCTOR.md section 1: the sentence 'The committed notebooks show ...' is missing"
    kit = {nb: int(s) for s, nb in re.findall(r"(\d+) s \((\d\d)\)", quoted.group(1))}
    for path in NOTEBOOKS:
        outputs = "".join(o.get("text", "") for c in nbformat.read(path, as_version=4).cells
                          if c.cell_type == "code" for o in c.get("outputs", []))
        clock = re.search(r"Notebook run time: (\d+) s", outputs)
        assert clock, f"{path.name}: its last cell no longer prints 'Notebook run time: N s'"
        assert kit.get(path.name[:2]) == int(clock.group(1)), (
            f"docs/INSTRUCTOR.md section 1: the committed {path.name} shows 'Notebook run time: "
            f"{clock.group(1)} s'; update the sentence 'The committed notebooks show ...'")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_exercise_is_in_the_exercises_map(path):
    number = path.name[:2]
    listed = {n: v for (nb, n), v in exercises_map().items() if nb == number}
    in_notebook = notebook_exercises(path)
    assert sorted(listed) == sorted(in_notebook), (
        f"docs/INSTRUCTOR.md exercises map lists exercises {sorted(listed)} of {path.name}, the notebook has "
        f"{sorted(in_notebook)}: update the map (and the exercises count in the course map)")
    for n, (title, has_check) in in_notebook.items():
        kit_title, kit_check = listed[n]
        assert kit_title == title, (f"docs/INSTRUCTOR.md exercises map, {number} exercise {n}: title "
                                    f"{kit_title!r}, the notebook says {title!r}")
        assert ("no check cell" in kit_check) == (not has_check), (
            f"docs/INSTRUCTOR.md exercises map, {number} exercise {n}: the notebook "
            f"{'has a' if has_check else 'has no'} self-check cell; fix the self-check column "
            "(write 'no check cell' exactly when there is none) and the solution column")
    assert course_map()[number][5] == str(len(in_notebook)), (
        f"docs/INSTRUCTOR.md course map: {path.name} has {len(in_notebook)} exercises")


def test_relative_links_resolve():
    for target in re.findall(r"\]\(([^)]+)\)", KIT):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (KIT_PATH.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"docs/INSTRUCTOR.md links {target}, which does not exist"


def test_offline_download_command_has_the_build_backend():
    """`pip install -e .` offline needs the [build-system] requirements in the wheel folder."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    joined = re.sub(r"\\\n\s*", " ", KIT)   # a trailing backslash continues a shell command
    commands = [line for line in joined.splitlines() if "pip download" in line]
    assert commands, "docs/INSTRUCTOR.md section 6: the `pip download` command is missing"
    for requirement in requires:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
        for command in commands:
            assert re.search(rf"\s{re.escape(name)}(\s|$)", command), (
                f"docs/INSTRUCTOR.md section 6: add {name} (pyproject.toml [build-system]) to: {command.strip()}")


def test_run_command_output_is_as_quoted():
    course = (ROOT / "course.py").read_text(encoding="utf-8")
    assert '"--quick"' in course and " s; HTML at " in course, (
        "course.py's `run` changed its options or its per-notebook line; update docs/INSTRUCTOR.md section 1")


def test_readme_points_to_the_kit():
    assert "docs/INSTRUCTOR.md" in section(README, "The course"), (
        "README.md: the '## The course' section should point to docs/INSTRUCTOR.md")
