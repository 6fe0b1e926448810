"""gan_helpers.widgets without a Jupyter front end (and with a faked one where it matters).

- :func:`in_notebook`: False under pytest; True only for a ZMQ (Jupyter kernel) shell, also
  one of a subclass under another name (Google Colab's).
- :class:`LiveView`: prints text and closes figures outside a notebook; inside one, displays
  once and then updates the same display.
- :func:`playground`: the box layout, a click calls ``run`` with the controls' *current*
  values, an exception in ``run`` is reported instead of raised, the button is disabled while
  ``run`` works and enabled again afterwards, bad ``controls`` are refused, and a click made
  while a cell executes never captures through the ``Output`` widget.
- :func:`interact`: the first call with the controls' initial values happens at once, and in a
  (faked) kernel what it prints and draws is recorded, set as the ``Output`` widget's content
  and displayed with the controls as ordinary ``text/plain`` / ``image/png`` / ``text/html``;
  an update calls the function with the new values and replaces the widget's content; the
  result is kept; bad arguments are refused naming them. (tests/test_plain_papermill.py runs
  it in real kernels.)
"""

import base64
import sys

import IPython
import IPython.display
import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import gan_helpers.widgets as gw  # noqa: E402
from gan_helpers.widgets import Interactive, LiveView, in_notebook, interact, playground  # noqa: E402


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


class Shell(ZMQInteractiveShell):  # a subclass under another name, as Google Colab's kernel shell
    pass


@pytest.mark.parametrize("shell, expected",
                         [(ZMQInteractiveShell(), True), (Shell(), True), (TerminalInteractiveShell(), False),
                          (None, False)])
def test_in_notebook_recognizes_only_a_kernel_shell(monkeypatch, shell, expected):
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert in_notebook() is expected


def test_in_notebook_recognizes_a_subclass_of_ipykernels_shell(monkeypatch):
    from ipykernel.zmqshell import ZMQInteractiveShell as KernelShell

    colab = type("Shell", (KernelShell,), {"__module__": "google.colab._shell"})  # Colab's, faked
    shell = colab.__new__(colab)  # not started: only its class matters
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert in_notebook() is True


def fake_parent(msg_type):
    return type("KernelShell", (ZMQInteractiveShell,), {"get_parent": lambda self: {"header": {"msg_type": msg_type}}})()


@pytest.mark.parametrize("shell, expected", [(fake_parent("execute_request"), True), (fake_parent("comm_msg"), False),
                                             (TerminalInteractiveShell(), False), (None, False)])
def test_running_a_cell_only_while_the_kernel_executes_one(monkeypatch, shell, expected):
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert gw._running_a_cell() is expected


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


@pytest.mark.parametrize("msg_type, captured", [("execute_request", False), ("comm_msg", True)])
def test_playground_captures_only_a_click_made_outside_a_cell(monkeypatch, capsys, msg_type, captured):
    entered = []
    monkeypatch.setattr(widgets.Output, "__enter__", lambda self: entered.append(self))
    monkeypatch.setattr(widgets.Output, "__exit__", lambda self, *exc: None)
    app = playground({"n": widgets.IntText(value=2)}, lambda n: print(f"ran with {n}"))
    monkeypatch.setattr(IPython, "get_ipython", lambda: fake_parent(msg_type))
    app.button.click()  # by code in a cell (a headless run's only click), or by a learner (a comm message)
    assert entered == ([app.output] if captured else [])
    assert capsys.readouterr().out.endswith("ran with 2\n")  # no real capture here: stdout either way


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


# ----------------------------------------------------------------------------------- interact


def explorer(calls, **kwargs):
    """interact() on a function that records its calls, prints them and returns their sum."""

    def draw(seed, t=0.5):
        calls.append({"seed": seed, "t": t})
        print(f"seed {seed} at t = {t}")
        return seed + t

    controls = {"seed": widgets.IntSlider(value=3, min=0, max=100),
                "t": widgets.FloatSlider(value=0.5, min=0, max=1, step=0.05, continuous_update=False)}
    controls.update(kwargs)
    return interact(draw, **controls)


def test_interact_calls_once_with_the_initial_values_and_keeps_the_output_area_empty(capsys):
    calls = []
    view = explorer(calls)
    assert isinstance(view, Interactive)
    assert calls == [{"seed": 3, "t": 0.5}]
    assert view.result == 3.5 and view.kwargs == {"seed": 3, "t": 0.5}
    assert view.output.outputs == ()  # nothing went through the Output widget
    assert capsys.readouterr().out == "seed 3 at t = 0.5\n"  # outside a kernel: a plain call
    assert list(view.box.children) == [*view.controls.values(), view.output]
    assert "widget-interact" in view.box._dom_classes
    assert view.controls["t"].continuous_update is False  # the controls' own settings are kept
    assert [c.description for c in view.controls.values()] == ["seed", "t"]  # unlabelled: named after the argument
    labelled = interact(lambda t: t, t=widgets.FloatSlider(description="time"))
    assert labelled.controls["t"].description == "time"  # a label of its own is kept
    assert repr(view) == "<Interactive draw(seed=3, t=0.5)>"


def test_interact_update_calls_with_the_new_values_and_renders_in_the_output_area(capsys):
    calls = []
    view = explorer(calls)
    capsys.readouterr()
    view.update(t=0.75)
    assert calls[1:] == [{"seed": 3, "t": 0.75}]  # once, with every control's value
    assert view.controls["t"].value == 0.75 and view.result == 3.75
    assert view.output.outputs == ({"output_type": "stream", "name": "stdout", "text": "seed 3 at t = 0.75\n"},)
    view.update(seed=10, t=0.25)
    assert calls[2:] == [{"seed": 10, "t": 0.25}]  # several values: still one call
    assert view.output.outputs[0]["text"] == "seed 10 at t = 0.25\n"  # replaced, not appended
    assert len(view.output.outputs) == 1 and view.result == 10.25
    assert capsys.readouterr().out == ""  # all of it went to the output area


def test_interact_redraws_when_a_control_moves():
    calls = []
    view = explorer(calls)
    view.controls["seed"].value = 7  # what a learner's slider does
    assert calls[1:] == [{"seed": 7, "t": 0.5}] and view.result == 7.5
    assert view.output.outputs[0]["text"] == "seed 7 at t = 0.5\n"
    view.controls["seed"].value = 7  # no change: no redraw
    assert len(calls) == 2


def test_interact_update_refuses_unknown_controls():
    view = explorer([])
    with pytest.raises(TypeError, match=r"unknown controls \['speed'\]; controls: \['seed', 't'\]"):
        view.update(speed=3)


def test_interact_reports_an_exception_after_the_first_call_in_the_output_area():
    def draw(n):
        if n > 1:
            raise RuntimeError(f"boom at {n}")
        return n

    view = interact(draw, n=widgets.IntSlider(value=1))
    assert view.result == 1
    view.update(n=5)  # must return normally
    assert view.result is None
    shown = "".join(o["text"] for o in view.output.outputs)
    assert "RuntimeError: boom at 5" in shown
    view.update(n=0)  # still usable
    assert view.result == 0


def test_interact_first_call_raises_like_a_plain_call():
    def draw(n):
        raise ValueError("bad start")

    with pytest.raises(ValueError, match="bad start"):
        interact(draw, n=widgets.IntSlider(value=1))


def test_interact_refuses_a_function_that_is_not_callable():
    with pytest.raises(TypeError, match=r"^function must be callable; got int$"):
        interact(5, n=widgets.IntSlider())


@pytest.mark.parametrize("control, type_name", [(5, "int"), ("ring", "str"), (widgets.Button(), "Button")])
def test_interact_refuses_controls_without_a_value(control, type_name):
    with pytest.raises(TypeError, match=rf"^control 't' must be an ipywidgets value widget; got {type_name}$"):
        explorer([], t=control)


def test_interact_refuses_controls_that_do_not_fit_the_function():
    with pytest.raises(TypeError, match=r"the controls \['seed', 'speed', 't'\] do not fit draw\(seed, t=0.5\)"):
        explorer([], speed=widgets.IntSlider())


def test_interact_needs_at_least_one_control():
    with pytest.raises(ValueError, match="controls must contain at least one widget"):
        interact(lambda: None)


class FakeKernelShell(ZMQInteractiveShell):
    """Just enough of a kernel's shell: the display publisher that display() writes to."""

    def __init__(self):
        from IPython.core.displaypub import DisplayPublisher

        self.display_pub = DisplayPublisher()


PNG = b"\x89PNG\r\n\x1a\n fake"


def test_interact_in_a_kernel_records_the_first_drawing_and_displays_it_with_the_controls(monkeypatch):
    shell, displayed = FakeKernelShell(), []
    publisher, stdout = shell.display_pub, sys.stdout
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: displayed.append((objs, kw)))

    def draw(seed):
        print(f"seed {seed}")
        IPython.get_ipython().display_pub.publish({"image/png": PNG, "text/plain": "<Figure>"}, metadata={})
        return seed

    view = interact(draw, seed=widgets.IntSlider(value=4))
    assert shell.display_pub is publisher and sys.stdout is stdout  # put back
    encoded = base64.b64encode(PNG).decode("ascii")
    # the first drawing is the Output widget's content: set, not captured
    assert view.output.outputs == ({"output_type": "stream", "name": "stdout", "text": "seed 4\n"},
                                   {"output_type": "display_data", "data": {"image/png": encoded, "text/plain": "<Figure>"},
                                    "metadata": {}})
    # ... and one display: the controls, and the drawing for front ends without widgets
    [(objs, kw)] = displayed
    assert kw == {"raw": True, "metadata": {}}
    bundle = objs[0]
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == view.box.model_id
    assert bundle["text/plain"] == "seed 4\n<Figure>\n" and bundle["image/png"] == encoded
    assert bundle["text/html"] == f'<pre>seed 4\n</pre>\n<img src="data:image/png;base64,{encoded}"/>'
    assert view.result == 4

    view.update(seed=9)
    assert len(displayed) == 1  # a redraw displays nothing new: it replaces the widget's content
    assert [o["output_type"] for o in view.output.outputs] == ["stream", "display_data"]
    assert view.output.outputs[0]["text"] == "seed 9\n" and view.result == 9


def test_interact_in_a_kernel_shows_a_lone_figure_as_its_own_mime_types(monkeypatch):
    shell, displayed = FakeKernelShell(), []
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: displayed.append((objs, kw)))

    def draw(seed):
        IPython.get_ipython().display_pub.publish({"image/png": PNG, "text/plain": "<Figure>"},
                                                  metadata={"image/png": {"width": 80}})

    interact(draw, seed=widgets.IntSlider(value=4))
    [(objs, kw)] = displayed
    assert set(objs[0]) == {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"}
    assert kw["metadata"] == {"image/png": {"width": 80}}


def test_interact_in_a_kernel_shows_what_was_drawn_before_a_first_exception(monkeypatch):
    shell, displayed = FakeKernelShell(), []
    stdout = sys.stdout
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: displayed.append((objs, kw)))

    def draw(seed):
        print("about to fail")
        raise RuntimeError("no model yet")

    with pytest.raises(RuntimeError, match="no model yet"):
        interact(draw, seed=widgets.IntSlider(value=4))
    assert sys.stdout is stdout
    [(objs, _)] = displayed
    assert objs[0]["text/plain"] == "about to fail\n"
