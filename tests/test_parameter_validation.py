"""Every papermill parameter of every notebook is validated, and a bad one stops the notebook at once.

For each notebook the rules are read from its validation cell (the cell right after the
``parameters`` cell). The test checks that they cover every name of the parameters cell, then
feeds each parameter wrong types and out-of-range values *the way papermill does*: in a real
Jupyter kernel started in the notebook's folder, it runs the parameters cell, papermill's
injected cell (written by papermill's own translator) and then the validation cell (sent as one
request, to save round trips). That cell
must fail with ``TypeError``/``ValueError``, a message that names the parameter, and a traceback
that stays in the notebook and ``gan_helpers`` (nothing from deep inside TensorFlow or Keras).

One kernel per notebook serves all its cases (a fresh papermill run per case would cost a
kernel start each); the papermill tests of each notebook (test_*notebook*.py) also run a few bad
values through papermill itself and check that nothing is written.
"""

import math
import re
from pathlib import Path

import nbformat
import pytest
from papermill.translators import PythonTranslator

import gan_helpers.params as params

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Captured(Exception):
    pass


def cells(path: Path):
    """The parameters cell's and the validation cell's sources."""
    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    index = next(i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
    return code[index].source, code[index + 1].source


def rules_of(path: Path) -> tuple[dict, dict]:
    """(parameters with their defaults, the rules the validation cell passes to validate_parameters)."""
    parameters_cell, validation_cell = cells(path)
    defaults: dict = {}
    exec(parameters_cell, {}, defaults)
    seen = {}

    def capture(namespace, rules):
        seen.update(rules)
        raise _Captured

    original = params.validate_parameters
    params.validate_parameters = capture  # the cell's `from gan_helpers.params import ...` picks this up
    try:
        exec(validation_cell, dict(defaults))
    except _Captured:
        pass
    finally:
        params.validate_parameters = original
    return defaults, seen


def bad_values(rule) -> list:
    """(value, expected exception name) pairs that ``rule`` must refuse."""
    cases = []
    if isinstance(rule, params.Int):
        cases += [("many", "TypeError"), (2.5, "TypeError"), (True, "TypeError"), (None, "TypeError")]
        if rule.min is not None:
            cases.append((rule.min - 1, "ValueError"))
        if rule.max is not None:
            cases.append((rule.max + 1, "ValueError"))
    elif isinstance(rule, params.Float):
        cases += [("fast", "TypeError"), (True, "TypeError"), (math.nan, "ValueError"), (math.inf, "ValueError")]
        if rule.min is not None:
            cases.append((rule.min if not rule.min_inclusive else rule.min - 1.0, "ValueError"))
        if rule.max is not None:
            cases.append((rule.max if not rule.max_inclusive else rule.max + 1.0, "ValueError"))
    elif isinstance(rule, params.Choice):
        other_type = 3 if isinstance(rule.options[0], str) else "three"
        cases += [(other_type, "TypeError"), (None, "TypeError")]
        if isinstance(rule.options[0], str):
            cases.append(("no-such-choice", "ValueError"))
    elif isinstance(rule, params.Bool):
        cases += [("yes", "TypeError"), (1, "TypeError")]
    elif isinstance(rule, params.Names):
        cases += [(5, "TypeError"), ("no-such-name", "ValueError"), ([], "ValueError"),
                  ([rule.options[0], rule.options[0]], "ValueError")]
    elif isinstance(rule, params.Text):
        cases += [(5, "TypeError"), (None, "TypeError")]
        if not rule.allow_empty:
            cases.append(("  ", "ValueError"))
    else:  # a new kind of rule needs its bad values here
        raise AssertionError(f"no bad values known for {type(rule).__name__}")
    return cases


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_has_a_rule(path):
    defaults, rules = rules_of(path)
    assert list(rules) == list(defaults), (
        f"{path.name}: the validation cell must check every parameter of the parameters cell, in order; "
        f"unchecked: {sorted(set(defaults) - set(rules))}, unknown: {sorted(set(rules) - set(defaults))}")
    for name, rule in rules.items():  # the defaults themselves pass
        rule.check(name, defaults[name])


@pytest.fixture(scope="module")
def kernels():
    from jupyter_client.manager import start_new_kernel

    started = {}

    def kernel_for(path):
        if path not in started:
            started[path] = start_new_kernel(kernel_name="python3", cwd=str(path.parent))
        return started[path][1]

    yield kernel_for
    for manager, client in started.values():
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def execute(client, code: str) -> dict:
    reply = client.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
    return reply["content"]


def extra_cases(path: Path) -> list:
    """Checks some validation cells make beyond their rules."""
    _, validation_cell = cells(path)
    found = []
    if "export_samples.endswith" in validation_cell:
        found.append(("export_samples", "samples.txt", "ValueError"))
    if "load_corpus(corpus_path" in validation_cell:
        found.append(("corpus_path", "no_such_corpus.txt", "ValueError"))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_bad_values_stop_in_the_validation_cell_naming_the_parameter(path, kernels):
    parameters_cell, validation_cell = cells(path)
    _, rules = rules_of(path)
    cases = [(name, value, error) for name, rule in rules.items() for value, error in bad_values(rule)]
    cases += extra_cases(path)
    client = kernels(path)
    problems = []
    for name, value, error in cases:
        # the three cells in one request (one round trip): the values are papermill's, the error the cell's
        reply = execute(client, "\n".join((parameters_cell, PythonTranslator.codify({name: value}), validation_cell)))
        trace = ANSI.sub("", "\n".join(reply.get("traceback", [])))
        if reply["status"] != "error":
            problems.append(f"{name}={value!r} was accepted")
        elif reply["ename"] != error or f"'{name}'" not in reply["evalue"]:
            problems.append(f"{name}={value!r}: {reply['ename']}: {reply['evalue']} (expected {error} naming it)")
        elif re.search(r"site-packages[/\\](tensorflow|keras)[/\\]", trace):
            problems.append(f"{name}={value!r}: the traceback goes into TensorFlow/Keras:\n{trace}")
    assert not problems, f"{path.name}: " + "\n".join(problems)
    assert len(cases) >= 3 * len(rules)
    # and the defaults still pass in the same kernel
    assert execute(client, parameters_cell)["status"] == "ok"
    assert execute(client, validation_cell)["status"] == "ok"
