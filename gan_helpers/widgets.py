"""Interactive pieces that also run headless (papermill, nbval, plain Python).

- :class:`LiveView` -- a figure (or a line of text) that updates in place while a model trains.
- :func:`playground` -- controls + a Run button + an output area that calls your function.

Nothing here needs a browser to execute: without a Jupyter front end the widgets are still
built (so a notebook runs top to bottom), a button simply is never clicked, and
:class:`LiveView` shows only its last state.

Defined in: ``notebooks/01_gan_concepts.ipynb`` (live training view and the GAN playground).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt

__all__ = ["in_notebook", "LiveView", "playground"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, nbval, papermill), False in plain Python."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


class LiveView:
    """Show a figure or a text line that is replaced in place each time you call :meth:`show`.

    In a notebook the first call displays the object and keeps its display id; later calls
    update the same output instead of appending new ones (the page does not flood, and the
    saved notebook keeps only the last state). Outside a notebook text is printed and
    figures are just closed. Figures are always closed after rendering so Matplotlib does
    not display them a second time.
    """

    def __init__(self):
        self._handle = None

    def show(self, obj) -> None:
        is_figure = isinstance(obj, plt.Figure)
        if in_notebook():
            from IPython.display import display

            if self._handle is None:
                self._handle = display(obj, display_id=True)
            else:
                self._handle.update(obj)
        elif not is_figure:
            print(obj)
        if is_figure:
            plt.close(obj)


LABEL_FITS = 9  # characters of a control's label that JupyterLab's default label column shows whole


def playground(controls: Mapping[str, object], run: Callable[..., object], button_description: str = "Train"):
    """Build a small app: the ``controls`` (ipywidgets), a button, and an output area.

    Clicking the button calls ``run(**{name: control.value})`` with everything it prints or
    displays captured in the output area; an exception is shown there as a short message
    instead of being lost in the browser console. The returned ``VBox`` has ``.button``,
    ``.output`` and ``.controls`` attributes; ``box.button.click()`` runs it from code (tests).

    JupyterLab cuts a label longer than about ``LABEL_FITS`` characters ("learning r…"); then every
    control gets a label column wide enough for the longest label, so they stay aligned.
    """
    import ipywidgets as widgets
    from IPython.display import clear_output

    if not controls:
        raise ValueError("controls must contain at least one widget")
    for name, control in controls.items():
        if not (isinstance(control, widgets.DOMWidget) and hasattr(control, "value")):
            raise TypeError(f"controls['{name}'] must be an ipywidgets value widget; got {type(control).__name__}")
    longest = max(len(getattr(control, "description", "")) for control in controls.values())
    if longest > LABEL_FITS:
        for control in controls.values():
            control.style.description_width = f"{longest + 2}ch"
    button = widgets.Button(description=button_description, button_style="primary", icon="play")
    output = widgets.Output()

    def on_click(_):
        button.disabled = True
        try:
            with output:
                clear_output(wait=True)
                try:
                    run(**{name: control.value for name, control in controls.items()})
                except Exception as exc:  # shown to the learner, not swallowed
                    print(f"{type(exc).__name__}: {exc}")
                    traceback.print_exc(limit=1)
        finally:
            button.disabled = False

    button.on_click(on_click)
    box = widgets.VBox([*controls.values(), button, output])
    box.button, box.output, box.controls = button, output, dict(controls)
    return box
