"""gan_helpers.widgets without a Jupyter front end (and with a faked one where it matters).

- :func:`in_notebook`: False under pytest; True only for a ZMQ (Jupyter kernel) shell.
- :class:`LiveView`: prints text and closes figures outside a notebook; inside one, displays
  once and then updates the same display.
- :func:`playground`: the box layout, a click calls ``run`` with the controls' *current*
  values, an exception in ``run`` is reported instead of raised, the button is disabled while
  ``run`` works and enabled again afterwards, and bad ``controls`` are refused.
"""

import IPython
import IPython.display
import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import gan_helpers.widgets as gw  # noqa: E402
from gan_helpers.widgets import LiveView, in_notebook, playground  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -------------------------------------------------------------------------------- in_notebook


def test_not_in_a_notebook_under_pytest():
    assert in_notebook() is False


class ZMQInteractiveShell:  # same class name as the Jupyter kernel's shell
    pass


class TerminalInteractiveShell:  # plain IPython in a terminal
    pass


@pytest.mark.parametrize("shell, expected",
                         [(ZMQInteractiveShell(), True), (TerminalInteractiveShell(), False), (None, False)])
def test_in_notebook_recognizes_only_a_kernel_shell(monkeypatch, shell, expected):
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert in_notebook() is expected


# ----------------------------------------------------------------------------------- LiveView


def test_liveview_prints_text_outside_a_notebook(capsys):
    view = LiveView()
    view.show("step 10/100")
    view.show("step 20/100")
    assert capsys.readouterr().out == "step 10/100\nstep 20/100\n"


def test_liveview_closes_figures_without_printing_them(capsys):
    fig = plt.figure()
    assert plt.fignum_exists(fig.number)
    LiveView().show(fig)
    assert not plt.fignum_exists(fig.number)
    assert capsys.readouterr().out == ""


class FakeHandle:
    def __init__(self):
        self.updates = []

    def update(self, obj):
        self.updates.append(obj)


def test_liveview_in_a_notebook_displays_once_then_updates(monkeypatch, capsys):
    displayed, handle = [], FakeHandle()

    def fake_display(obj, display_id=None):
        displayed.append((obj, display_id))
        return handle

    monkeypatch.setattr(gw, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", fake_display)
    view = LiveView()
    first = plt.figure()
    view.show(first)
    assert displayed == [(first, True)] and handle.updates == []
    assert not plt.fignum_exists(first.number)  # closed after display, so it is not shown twice
    second = plt.figure()
    view.show(second)
    view.show("done")
    assert displayed == [(first, True)]  # no new output appended
    assert handle.updates == [second, "done"]
    assert not plt.fignum_exists(second.number)
    assert capsys.readouterr().out == ""  # text goes to the display, not to stdout


# --------------------------------------------------------------------------------- playground


def test_playground_box_holds_controls_button_and_output():
    steps = widgets.IntSlider(value=100, min=1, max=1000)
    target = widgets.Dropdown(options=["ring", "grid"], value="ring")
    app = playground({"steps": steps, "target": target}, lambda **kw: None, button_description="Go")
    assert isinstance(app, widgets.VBox)
    assert isinstance(app.button, widgets.Button) and isinstance(app.output, widgets.Output)
    assert list(app.children) == [steps, target, app.button, app.output]
    assert app.controls == {"steps": steps, "target": target}
    assert app.button.description == "Go"
    assert app.button.disabled is False


def test_playground_widens_the_labels_only_when_one_would_be_cut():
    short = {"steps": widgets.IntSlider(description="steps"), "lr G": widgets.FloatSlider(description="lr G")}
    playground(short, lambda **kw: None)
    assert all(c.style.description_width == "" for c in short.values())  # the front end's default
    long = {"lr": widgets.FloatSlider(description="learning rate"), "steps": widgets.IntSlider(description="steps")}
    playground(long, lambda **kw: None)
    assert [c.style.description_width for c in long.values()] == ["15ch", "15ch"]  # 13 characters + 2


def test_playground_default_button_says_train():
    assert playground({"n": widgets.IntText(value=1)}, lambda **kw: None).button.description == "Train"


def test_playground_click_passes_the_controls_current_values():
    calls = []
    steps = widgets.IntSlider(value=100, min=1, max=1000)
    target = widgets.Dropdown(options=["ring", "grid"], value="ring")
    app = playground({"steps": steps, "target": target}, lambda **kw: calls.append(kw))
    assert calls == []  # building the app does not run it
    steps.value = 250
    app.button.click()
    assert calls == [{"steps": 250, "target": "ring"}]
    target.value = "grid"
    app.button.click()
    assert calls == [{"steps": 250, "target": "ring"}, {"steps": 250, "target": "grid"}]


def test_playground_button_is_disabled_while_running():
    seen = []
    app = playground({"n": widgets.IntText(value=1)}, lambda **kw: seen.append(app.button.disabled))
    app.button.click()
    assert seen == [True]
    assert app.button.disabled is False


def test_playground_error_is_reported_not_raised_and_button_reenabled(capsys):
    seen = []

    def broken(**kw):
        seen.append(app.button.disabled)
        raise RuntimeError(f"boom at {kw['n']}")

    app = playground({"n": widgets.IntSlider(value=3)}, broken)
    app.button.click()  # must return normally
    assert seen == [True]
    assert app.button.disabled is False
    # outside a kernel the Output widget captures nothing, so the report reaches stdout
    assert "RuntimeError: boom at 3" in capsys.readouterr().out
    app.button.click()  # still usable after a failure
    assert seen == [True, True]


def test_playground_needs_at_least_one_control():
    with pytest.raises(ValueError, match="controls must contain at least one widget"):
        playground({}, lambda **kw: None)


@pytest.mark.parametrize("control, type_name", [(5, "int"), ("ring", "str"), (widgets.Button(), "Button")])
def test_playground_refuses_controls_without_a_value(control, type_name):
    with pytest.raises(TypeError, match=rf"controls\['steps'\] must be an ipywidgets value widget; got {type_name}$"):
        playground({"n": widgets.IntText(), "steps": control}, lambda **kw: None)


def test_playground_refuses_look_alike_controls():
    from types import SimpleNamespace

    with pytest.raises(TypeError, match=r"controls\['a'\] must be an ipywidgets value widget"):
        playground({"a": SimpleNamespace(value=1)}, lambda **kw: None)
