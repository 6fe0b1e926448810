"""The course as a learner meets it: JupyterLab in a real (headless) Chromium.

nbval executes the widget cells without a front end; only a browser shows whether the controls
render ("Error displaying widget" / "Loading widget..." when ipywidgets and jupyterlab_widgets
drift apart), whether they react, and whether a live view floods the page. For each notebook
with a widget (01 and 05: the playground, 06: the latent explorer and the completion widget) this test

1. starts JupyterLab through the README's command (``python3 course.py lab``) on a temporary
   copy of the notebooks (so nothing is ever saved into ``notebooks/``) and reads the URL it prints;
2. opens the notebook in Chromium (Debian's package, driven by Playwright; never a browser
   download), runs all cells in quick mode and checks: every code cell ran, no error output,
   at most ``MAX_OUTPUTS_PER_CELL`` outputs and ``MAX_STREAM_LINES`` lines of text per cell;
3. checks the widget renders as real controls, moves a control and checks the widget's output
   area changes, and saves element screenshots into ``build/browser/`` (06 has two widgets, the
   latent explorer and the completion widget: both are checked);
4. stops JupyterLab (with its kernels) and Chromium by their process ids.

Runs only under ``python3 course.py test-browser`` (it sets GAN_COURSE_BROWSER=1 and installs
Playwright and Chromium); ``python3 course.py test`` and CI skip this module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

if os.environ.get("GAN_COURSE_BROWSER") != "1":
    pytest.skip("browser tests run only under `python3 course.py test-browser` (GAN_COURSE_BROWSER=1)",
                allow_module_level=True)

import psutil  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the launcher test_course_lab.py uses too
from lab_server import CourseLab, stop_processes  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "browser"
CHROMIUM = os.environ.get("GAN_COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# A page flood is many outputs in one cell (a new figure per step) or a long scroll of text: in
# quick mode the notebooks show at most 3 outputs and 18 lines of text in a cell (live views
# update one output in place), so these bounds leave some room but let no flood through.
MAX_OUTPUTS_PER_CELL = 4
MAX_STREAM_LINES = 40
RUN_ALL_TIMEOUT_S = 420
WIDGET_STRINGS = ("Error displaying widget", "Loading widget")
CONTROLS = ".widget-slider, .widget-dropdown, .widget-button, .widget-toggle-buttons"


# ---------------------------------------------------------------- JupyterLab

def start_lab(tmp: Path) -> CourseLab:
    """`course.py lab` (the README's command) on a temporary copy of the notebooks."""
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        shutil.copy2(nb, notebooks / nb.name)
    settings = tmp / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # no "get notified about Jupyter news?" toast over the notebook, and no request for it
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return CourseLab(tmp, "--notebook-dir", str(notebooks), "--LabApp.expose_app_in_browser=True",
                     env={"GAN_COURSE_QUICK": "1"})


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = start_lab(tmp_path_factory.mktemp("lab"))
    try:
        server.wait_until_serving()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `python3 course.py test-browser`"
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data dir
    playwright = sync_playwright().start()
    context, processes = None, {}
    try:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1000})
        # Chromium's own processes: the ones started with our profile, and their children
        mains = [p for p in psutil.process_iter(["cmdline"]) if str(profile) in " ".join(p.info["cmdline"] or [])]
        processes = {p.pid: p for m in mains for p in [m, *m.children(recursive=True)]}
        assert processes, "found no Chromium process for the test's profile"
        yield context
    finally:
        try:
            if context is not None:
                context.close()
        finally:
            playwright.stop()
            stop_processes(list(processes.values()), "Chromium")


# ---------------------------------------------------------------- the notebook in the page

OPEN = """async (path) => {
  const app = window.jupyterapp;
  await app.restored;
  for (const w of Array.from(app.shell.widgets('main'))) { w.dispose(); }   // nothing left from another test
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  window.__nb = panel;
  await panel.context.ready;
  await panel.sessionContext.ready;
  return panel.content.widgets.length;
}"""

KERNEL_IDLE = """() => { const k = window.__nb.sessionContext.session && window.__nb.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }"""

RUN_ALL = """async () => {
  const app = window.jupyterapp;
  app.shell.activateById(window.__nb.id);
  await app.commands.execute('notebook:clear-all-cell-outputs');
  window.__runAll = null;
  app.commands.execute('notebook:run-all-cells').then(ok => { window.__runAll = ok; },
                                                      err => { window.__runAll = 'failed: ' + err; });
}"""

CELLS = """(widgetMime) => window.__nb.content.widgets.map((cell, index) => {
  if (cell.model.type !== 'code') return null;
  const outputs = [];
  for (let k = 0; k < cell.model.outputs.length; k++) {
    const o = cell.model.outputs.get(k).toJSON();
    const text = o.output_type === 'stream' ? [].concat(o.text).join('') : '';
    outputs.push({type: o.output_type, name: o.name || '', ename: o.ename || '', evalue: o.evalue || '',
                  lines: text ? text.split('\\n').filter(l => l.length).length : 0,
                  widget: !!(o.data && o.data[widgetMime])});
  }
  const area = cell.node.querySelector('.jp-Cell-outputArea');
  const rendered = area ? area.querySelectorAll(':scope > .jp-OutputArea-child').length : 0;
  const text = area ? area.textContent : '';
  return {index, count: cell.model.executionCount, outputs, rendered,
          traceback: text.includes('Traceback (most recent call last)'),
          source: cell.model.sharedModel.getSource().split('\\n')[0].slice(0, 80)};
}).filter(c => c !== null)"""

WIDGET_STATE = """(index) => {
  const cell = window.__nb.content.widgets[index];
  const area = cell.node.querySelector('.jp-Cell-outputArea');
  const output = cell.model.outputs.get(0);
  const rendermime = window.__nb.content.rendermime;
  return {html: area ? area.innerHTML.slice(0, 600) : '', trusted: output ? output.trusted : null,
          preferred: output ? rendermime.preferredMimeType(output.data, output.trusted ? 'any' : 'ensure') : null};
}"""

WIDGET_READY = """([index, controls, bad]) => {
  const area = window.__nb.content.widgets[index].node.querySelector('.jp-Cell-outputArea');
  if (!area) return false;
  const text = area.textContent;
  return area.querySelector('.jupyter-widgets') !== null && area.querySelector(controls) !== null
      && !bad.some(b => text.includes(b));
}"""

CLOSE = """async () => {
  const panel = window.__nb;
  if (!panel) return;
  window.__nb = null;
  try { await panel.sessionContext.shutdown(); } finally { panel.dispose(); }
}"""


def _open_and_run(page, lab, name):
    page.goto(lab.url)  # the URL `course.py lab` printed, as a learner opens it
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=120_000)
    page.evaluate(OPEN, name)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    start = time.monotonic()
    page.evaluate(RUN_ALL)
    page.wait_for_function("() => window.__runAll !== null", timeout=RUN_ALL_TIMEOUT_S * 1000, polling=1000)
    ran = page.evaluate("() => window.__runAll")
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    return ran, time.monotonic() - start


def _check_cells(cells, name):
    problems = []
    for c in cells:
        where = f"{name} cell {c['index']} ({c['source']!r})"
        if c["count"] is None:
            problems.append(f"{where} did not run")
        for o in c["outputs"]:
            if o["type"] == "error":
                problems.append(f"{where} shows an error: {o['ename']}: {o['evalue']}")
        if c["traceback"]:
            problems.append(f"{where} shows a traceback")
        if len(c["outputs"]) > MAX_OUTPUTS_PER_CELL or c["rendered"] > MAX_OUTPUTS_PER_CELL:
            problems.append(f"{where} floods the page: {len(c['outputs'])} outputs ({c['rendered']} rendered), "
                            f"at most {MAX_OUTPUTS_PER_CELL}")
        lines = sum(o["lines"] for o in c["outputs"])
        if lines > MAX_STREAM_LINES:
            problems.append(f"{where} floods the page: {lines} lines of text, at most {MAX_STREAM_LINES}")
    return problems


def _widget_cell(page, cells, name, which=-1):
    found = [c["index"] for c in cells if any(o["widget"] for o in c["outputs"])]
    assert found, f"{name}: no cell displays an ipywidgets widget"
    index = found[which]
    page.evaluate("() => document.querySelectorAll('[data-browser-test]')"
                  ".forEach(n => n.removeAttribute('data-browser-test'))")
    page.evaluate("(i) => window.__nb.content.scrollToItem(i, 'start')", index)
    try:
        page.wait_for_function(WIDGET_READY, arg=[index, CONTROLS, list(WIDGET_STRINGS)], timeout=60_000)
    except Exception as exc:
        state = page.evaluate(WIDGET_STATE, index)
        raise AssertionError(f"{name} cell {index}: the widget does not render as controls: {state}") from exc
    page.evaluate("(i) => window.__nb.content.widgets[i].node.setAttribute('data-browser-test', 'widget')", index)
    cell = page.locator("[data-browser-test=widget]")
    cell.scroll_into_view_if_needed()
    return index, cell


def _slider(cell, label):
    slider = cell.locator(".widget-slider", has=cell.page.locator(".widget-label", has_text=re.compile(f"^{label}$")))
    assert slider.count() == 1, f"no slider labelled {label!r}"
    return slider


def _move_slider(slider, key, expected_readout):
    slider.locator(".noUi-handle").first.focus()
    slider.page.keyboard.press(key)
    readout = slider.locator(".widget-readout")
    for _ in range(50):
        if readout.inner_text().strip() == expected_readout:
            return
        time.sleep(0.1)
    raise AssertionError(f"slider readout is {readout.inner_text()!r} after {key}, expected {expected_readout!r}")


def _shot(locator, name):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    locator.screenshot(path=str(path), animations="disabled")
    assert path.stat().st_size > 1000, path
    print(f"screenshot: {path.relative_to(ROOT)}")
    return path


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _playground(cell, stem, steps_readout):
    """01 and 05: set the steps slider to its minimum (Home key), press Train, the output area fills."""
    output = cell.locator(".widget-output").first
    before = output.inner_html()
    _move_slider(_slider(cell, "steps"), "Home", steps_readout)
    _shot(cell.locator(".jp-Cell-outputArea"), f"{stem}_playground_before")
    button = cell.locator("button.widget-button", has_text="Train")
    button.click()
    _wait(lambda: "modes captured" in output.inner_text() and output.locator("img").count() > 0
          and button.is_enabled(), 240, "the playground's training result")
    text = output.inner_text()
    assert output.inner_html() != before
    assert not re.search(r"^\w+(Error|Exception): ", text, re.M), f"the playground shows an error:\n{text}"
    _shot(cell.locator(".jp-Cell-outputArea"), f"{stem}_playground_after")
    return f"steps slider -> {steps_readout} (Home key), Train clicked: output shows frames + {text.strip()!r}"


def _explorer(cell, stem):
    """06: pick another digit and move the thickness slider; the generated image changes each time."""
    output = cell.locator(".widget-output").first
    image = output.locator("img")

    def src():
        return image.first.get_attribute("src") if image.count() == 1 else None

    _wait(lambda: src() is not None, 60, "the explorer's first image")
    first = src()
    _shot(cell.locator(".jp-Cell-outputArea"), f"{stem}_explorer_before")
    cell.locator(".widget-dropdown select").first.select_option(label="3")
    _wait(lambda: src() not in (None, first), 60, "a new image after choosing digit 3")
    second = src()
    _move_slider(_slider(cell, "thickness"), "ArrowRight", "0.25")
    _wait(lambda: src() not in (None, second), 60, "a new image after moving the thickness slider")
    _shot(cell.locator(".jp-Cell-outputArea"), f"{stem}_explorer_after")
    return "digit dropdown 7 -> 3 and thickness slider 0.00 -> 0.25 (arrow key): the image changed each time"


def _completer(cell, stem):
    """06: enlarge the hole (size slider) and pick another held-out image; the completion panels change each time."""
    output = cell.locator(".widget-output").first
    image = output.locator("img")

    def src():
        return image.first.get_attribute("src") if image.count() == 1 else None

    _wait(lambda: src() is not None, 60, "the completion widget's first image")
    first = src()
    _shot(cell.locator(".jp-Cell-outputArea"), f"{stem}_completion_before")
    _move_slider(_slider(cell, "size"), "ArrowRight", "13")
    _wait(lambda: src() not in (None, first), 90, "new completions after enlarging the hole")
    second = src()
    _move_slider(_slider(cell, "held-out image"), "ArrowRight", "5")
    _wait(lambda: src() not in (None, second), 90, "new completions after choosing another held-out image")
    _shot(cell.locator(".jp-Cell-outputArea"), f"{stem}_completion_after")
    return ("completion widget: size slider 12 -> 13 and held-out image slider 4 -> 5 (arrow keys): the panels changed "
            "each time")


# notebook -> [(which widget cell: its position among the cells that display a widget, what to do with it)]
CASES = {
    "01_gan_concepts.ipynb": [(-1, lambda cell, stem: _playground(cell, stem, "100"))],
    "05_failure_modes.ipynb": [(-1, lambda cell, stem: _playground(cell, stem, "200"))],
    "06_applications.ipynb": [(0, _explorer), (-1, _completer)],
}


@pytest.mark.parametrize("name", list(CASES))
def test_notebook_widgets_in_the_browser(name, lab, browser):
    if not (ROOT / "notebooks" / name).exists():
        pytest.skip(f"notebooks/{name} does not exist")
    stem = name.split("_")[0]
    page = browser.new_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    try:
        ran, seconds = _open_and_run(page, lab, name)
        cells = page.evaluate(CELLS, "application/vnd.jupyter.widget-view+json")
        problems = _check_cells(cells, name)
        assert ran is True and not problems, "\n".join([f"{name}: run all cells returned {ran!r}", *problems])
        moved = []
        for which, case in CASES[name]:
            index, cell = _widget_cell(page, cells, name, which)
            _shot(cell.locator(".jp-Cell-outputArea"), f"{stem}_widget" + ("" if which == -1 else f"_{index}"))
            moved.append(f"cell {index}: {case(cell, stem)}")
        page_text = page.evaluate("() => document.body.textContent")
        assert not [s for s in WIDGET_STRINGS if s in page_text], f"{name}: a widget placeholder is on the page"
        widget_errors = [e for e in console_errors if "widget" in e.lower()]
        assert not widget_errors, f"{name}: widget errors in the browser console: {widget_errors}"
        most = max(len(c["outputs"]) for c in cells)
        lines = max(sum(o["lines"] for o in c["outputs"]) for c in cells)
        print(f"{name}: all {len(cells)} code cells ran in {seconds:.0f} s, no errors, at most {most} outputs "
              f"and {lines} lines of text in a cell; widgets: {'; '.join(moved)}")
    finally:
        try:
            page.evaluate(CLOSE)
        finally:
            page.close()
