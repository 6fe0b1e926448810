"""gan_helpers.widgets outside a notebook: LiveView degrades to printing, the playground calls
its function with the controls' current values when clicked, and never lets an error escape."""

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from gan_helpers.widgets import LiveView, in_notebook, playground  # noqa: E402


def test_not_in_a_notebook_under_pytest():
    assert in_notebook() is False


def test_liveview_prints_text_and_closes_figures(capsys):
    view = LiveView()
    view.show("step 10/100")
    assert capsys.readouterr().out == "step 10/100\n"
    fig = plt.figure()
    view.show(fig)
    assert not plt.fignum_exists(fig.number)


def test_playground_click_passes_current_values():
    calls = []
    steps = widgets.IntSlider(value=100, min=1, max=1000)
    target = widgets.Dropdown(options=["ring", "grid"], value="ring")
    app = playground({"steps": steps, "target": target}, lambda **kw: calls.append(kw))
    assert list(app.children) == [steps, target, app.button, app.output]
    steps.value, target.value = 250, "grid"
    app.button.click()
    assert calls == [{"steps": 250, "target": "grid"}]


def test_playground_error_is_caught_and_button_reenabled():
    def broken(**_):
        raise RuntimeError("boom")

    app = playground({"steps": widgets.IntSlider(value=1)}, broken)
    app.button.click()  # must not raise
    assert app.button.disabled is False


def test_playground_argument_errors():
    with pytest.raises(ValueError, match="at least one"):
        playground({}, lambda: None)
    with pytest.raises(TypeError, match=r"controls\['steps'\]"):
        playground({"steps": 5}, lambda **kw: None)
