"""Interactive pieces that also run headless (papermill, nbval, plain Python).

- :class:`LiveView` -- a figure (or a line of text) that updates in place while a model trains.
- :func:`playground` -- controls + a Run button + an output area that calls your function.
- :func:`interact` -- controls that redraw your function's output each time one of them moves
  (the course's replacement for ``ipywidgets.interact`` / ``interactive``).

Nothing here needs a browser to execute: without a Jupyter front end the widgets are still
built (so a notebook runs top to bottom), a button simply is never clicked, a slider never
moves, and :class:`LiveView` shows only its last state.

Nothing here captures output through an ipywidgets ``Output`` widget while a cell executes. A
headless runner (plain ``papermill``, nbclient) plays the browser's part for ``Output`` widgets,
and that stand-in can hang a run (jupyter/nbclient#312). :func:`interact` records what its
function prints and draws and *sets* it as an ``Output`` widget's content (and as the cell's
ordinary output for front ends without widgets); a playground captures only a click made in a
browser, which happens outside any cell's execution.

Defined in: ``notebooks/01_gan_concepts.ipynb`` (live training view and the GAN playground);
:func:`interact` is used by the explorers of notebooks 02, 03, 04 and 06.
"""

from __future__ import annotations

import base64
import inspect
import sys
import traceback
from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt

__all__ = ["in_notebook", "LiveView", "playground", "interact", "Interactive"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Google Colab, nbval, papermill), False in plain Python.

    A kernel's shell is ipykernel's ``ZMQInteractiveShell`` or a subclass of it (Colab's shell
    is one, under another name).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return False
    shell = get_ipython()
    if shell is None:
        return False
    zmqshell = sys.modules.get("ipykernel.zmqshell")  # a kernel's shell has imported it already
    if zmqshell is not None and isinstance(shell, zmqshell.ZMQInteractiveShell):
        return True
    return any(cls.__name__ == "ZMQInteractiveShell" for cls in type(shell).__mro__)


def _running_a_cell() -> bool:
    """True while the kernel executes a cell (also a headless one), False in a widget's callback
    that a browser triggered (a comm message) and outside a kernel."""
    if not in_notebook():
        return False
    from IPython import get_ipython

    shell = get_ipython()
    try:
        parent = shell.get_parent() if hasattr(shell, "get_parent") else shell.kernel.get_parent()
    except Exception:  # pragma: no cover - an ipykernel without parent requests
        return True  # the safe guess: never capture into an Output widget
    return (parent or {}).get("header", {}).get("msg_type", "execute_request") == "execute_request"


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
    Building the app runs nothing, and a click made by code while a cell executes (a headless
    run has no other) writes into that cell's outputs, not into the output area.

    JupyterLab cuts a label longer than about ``LABEL_FITS`` characters ("learning r…"); then every
    control gets a label column wide enough for the longest label, so they stay aligned.
    """
    import ipywidgets as widgets
    from IPython.display import clear_output

    _check_controls(controls)
    longest = max(len(getattr(control, "description", "")) for control in controls.values())
    if longest > LABEL_FITS:
        for control in controls.values():
            control.style.description_width = f"{longest + 2}ch"
    button = widgets.Button(description=button_description, button_style="primary", icon="play")
    output = widgets.Output()

    def on_click(_):
        button.disabled = True
        try:
            if _running_a_cell():  # never capture while a cell executes: see the module's docstring
                _call_and_report(run, controls)
            else:
                with output:
                    clear_output(wait=True)
                    _call_and_report(run, controls)
        finally:
            button.disabled = False

    button.on_click(on_click)
    box = widgets.VBox([*controls.values(), button, output])
    box.button, box.output, box.controls = button, output, dict(controls)
    return box


def _call_and_report(function, controls):
    """Call ``function`` with the controls' values; an exception is printed (type, message and
    the line that raised it), not raised, and None is returned."""
    try:
        return function(**{name: control.value for name, control in controls.items()})
    except Exception as exc:  # shown to the learner, not swallowed
        print(f"{type(exc).__name__}: {exc}")
        traceback.print_exc(limit=1)
        return None


def _check_controls(controls: Mapping[str, object], label: str = "controls['{}']") -> None:
    """Refuse an empty ``controls`` and any control that is not an ipywidgets value widget,
    naming it (``label`` formatted with its name)."""
    import ipywidgets as widgets

    if not controls:
        raise ValueError("controls must contain at least one widget")
    for name, control in controls.items():
        if not (isinstance(control, widgets.DOMWidget) and hasattr(control, "value")):
            raise TypeError(f"{label.format(name)} must be an ipywidgets value widget; got {type(control).__name__}")


class _Recorder:
    """Record, in order, what code prints (stdout, stderr) and displays (figures, HTML, ...),
    instead of sending it anywhere. ``items`` holds ``{"output_type": "stream", "name", "text"}``
    and ``{"output_type": "display_data", "data", "metadata"}`` dicts (nbformat's outputs)."""

    def __init__(self):
        self.items: list[dict] = []
        self._ids: dict[str, dict] = {}  # display id -> its item, for updates made while recording

    def write(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.items[-1] if self.items else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def publish(self, data, metadata=None, transient=None, update=False) -> None:
        display_id = (transient or {}).get("display_id")
        item = {"output_type": "display_data", "data": dict(data), "metadata": dict(metadata or {})}
        if update and display_id in self._ids:
            self._ids[display_id].update(item)  # a live view inside the function: keep its last state
            return
        if update:
            return  # an update of a display made elsewhere: not ours to record
        self.items.append(item)
        if display_id:
            self._ids[display_id] = item

    def clear(self) -> None:
        self.items.clear()
        self._ids.clear()

    def __enter__(self):
        from IPython import get_ipython

        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        self._saved_streams = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _RecordingStream(self, "stdout"), _RecordingStream(self, "stderr")
        self._shell = get_ipython()
        if self._shell is not None and hasattr(self._shell, "display_pub"):
            self._saved_pub = self._shell.display_pub
            self._shell.display_pub = _recording_publisher(self)
        return self

    def __exit__(self, *exc_info):
        if self._shell is not None and hasattr(self._shell, "display_pub"):
            self._shell.display_pub = self._saved_pub
        sys.stdout, sys.stderr = self._saved_streams
        return False


class _RecordingStream:
    """A write-only text stream that hands what is written to a :class:`_Recorder`."""

    encoding = "utf-8"

    def __init__(self, recorder: _Recorder, name: str):
        self._recorder, self._name = recorder, name

    def write(self, text: str) -> int:
        self._recorder.write(self._name, str(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _recording_publisher(recorder: _Recorder):
    from IPython.core.displaypub import DisplayPublisher

    class RecordingPublisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False):
            recorder.publish(data, metadata, transient, update)

        def clear_output(self, wait=False):
            recorder.clear()

        def set_parent(self, parent):  # asked for by a kernel shell; nothing is sent from here
            pass

    return RecordingPublisher()


def _json_safe(item: dict) -> dict:
    """An output whose binary values (a PNG's bytes) are base64 text, as in a saved notebook;
    a widget's state must not carry raw bytes (ipywidgets would send them as binary buffers)."""
    if item["output_type"] != "display_data":
        return dict(item)
    data = {mime: base64.b64encode(value).decode("ascii") if isinstance(value, (bytes, bytearray)) else value
            for mime, value in item["data"].items()}
    return {**item, "data": data}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _static_bundle(items: list[dict]) -> tuple[dict, dict]:
    """One display bundle (data, metadata) that shows recorded ``items`` without a widget: all
    their text as ``text/plain``, the figure as ``image/png`` when there is exactly one, and
    everything as ``text/html`` when there is more than one item and not all of it is text."""
    from html import escape

    texts, pngs, html = [], [], []
    for item in items:
        if item["output_type"] == "stream":
            texts.append(item["text"])
            html.append(f"<pre>{escape(item['text'])}</pre>")
            continue
        data = item["data"]
        text = data.get("text/plain", "")
        texts.append(text if text.endswith("\n") or not text else text + "\n")
        if "image/png" in data:
            pngs.append((data["image/png"], item["metadata"].get("image/png", {})))
            html.append(f'<img src="data:image/png;base64,{data["image/png"]}"/>')
        elif "text/html" in data:
            html.append(data["text/html"])
        else:
            html.append(f"<pre>{escape(text)}</pre>")
    bundle, metadata = {"text/plain": "".join(texts)}, {}
    if len(pngs) == 1:
        bundle["image/png"] = pngs[0][0]
        if pngs[0][1]:
            metadata["image/png"] = pngs[0][1]
    if len(items) > 1 and any(item["output_type"] == "display_data" for item in items):
        bundle["text/html"] = "\n".join(html)
    elif len(items) == 1 and items[0]["output_type"] == "display_data":
        bundle.update({k: v for k, v in items[0]["data"].items() if k not in bundle})
        metadata.update(items[0]["metadata"])
    return bundle, metadata


class Interactive:
    """What :func:`interact` returns: the controls, the output area, and the function's last result.

    - ``controls``: the dict of named controls; ``kwargs``: their current values.
    - ``box``: the displayed ``VBox``: the controls above ``output``, the ``Output`` widget that
      shows the function's drawing.
    - ``result``: what the function returned last time (None after an exception).
    - ``update(**values)``: set some controls (all others keep their values) and redraw once,
      as if a learner had moved them: the way tests and code drive the explorer.
    """

    def __init__(self, function: Callable[..., object], controls: Mapping[str, object]):
        import ipywidgets as widgets

        self.function = function
        self.controls = dict(controls)
        self.output = widgets.Output()
        self.box = widgets.VBox([*self.controls.values(), self.output])
        self.box.add_class("widget-interact")
        self.result = None
        self._muted = False
        for name, control in self.controls.items():
            if not getattr(control, "description", ""):  # as ipywidgets.interact: label a control by its name
                control.description = name
            control.observe(self._on_change, names="value")

    @property
    def kwargs(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in self.kwargs.items())
        return f"<Interactive {getattr(self.function, '__name__', 'function')}({values})>"

    def _show_first(self) -> None:
        """Call the function once with the controls' initial values, then display the controls.

        In a kernel what the function prints and draws is recorded (not sent), becomes the
        ``Output`` widget's content (its state: set, never captured) and is also part of the
        displayed output itself, as the ``text/plain``, ``image/png`` (and ``text/html``) that a
        front end without widgets (a saved notebook, nbconvert, a headless run) shows. Outside
        a kernel the function simply runs. An exception propagates: the cell fails, as a plain
        call of the function would, after showing what was drawn before it."""
        if not in_notebook():
            self.result = self.function(**self.kwargs)
            return
        from IPython.display import display

        try:
            self._record(lambda: self.function(**self.kwargs))
        finally:
            bundle, metadata = _static_bundle(list(self.output.outputs))
            bundle[WIDGET_VIEW] = {"version_major": 2, "version_minor": 0, "model_id": self.box.model_id}
            display(bundle, raw=True, metadata=metadata)

    def _on_change(self, change) -> None:
        if not self._muted:
            self._redraw()

    def update(self, **values) -> None:
        """Set the named controls to ``values`` and redraw once with all controls' values."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise TypeError(f"update() got values for unknown controls {unknown}; controls: {sorted(self.controls)}")
        self._muted = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._muted = False
        self._redraw()

    def _redraw(self) -> None:
        """Call the function with the controls' values and make what it prints and draws the
        ``Output`` widget's new content, in one step (no flicker, and nothing is ever captured
        through the widget); an exception is shown there as a short message."""
        self._record(lambda: _call_and_report(self.function, self.controls))

    def _record(self, call: Callable[[], object]) -> None:
        """Run ``call`` (its result becomes ``result``) with everything it prints and draws
        recorded, then set that as the ``Output`` widget's content, also when ``call`` raises."""
        recorder = _Recorder()
        try:
            with recorder:
                self.result = call()
                _show_inline_figures()
        finally:
            self.output.outputs = tuple(_json_safe(item) for item in recorder.items)


def _show_inline_figures() -> None:
    """Display the figures the function left open, as the inline backend does at a cell's end
    (a control's callback runs outside any cell)."""
    if "matplotlib" not in sys.modules:
        return
    import matplotlib

    if matplotlib.get_backend() not in ("inline", "module://matplotlib_inline.backend_inline"):
        return
    from matplotlib_inline.backend_inline import flush_figures

    flush_figures()


def interact(function: Callable[..., object], **controls) -> Interactive:
    """Show ``controls`` (ipywidgets) that call ``function(**{name: control.value})`` each time one moves.

    The course's ``ipywidgets.interact``, safe under plain ``papermill``: its output is never
    captured through an ``Output`` widget. The function's first drawing (with the controls'
    initial values) is recorded while the cell runs and shown in the output area below the
    controls; a front end without widgets (a headless run, a saved notebook, nbconvert) shows it
    as the cell's ordinary output instead. Each time a learner moves a control the drawing is
    replaced; a control with ``continuous_update=False`` redraws when it is released.

    Returns an :class:`Interactive` (``.controls``, ``.output``, ``.result``, ``.update(**values)``);
    it is displayed already, so end the cell with ``;`` or an assignment. An exception in the
    first call fails the cell; a later one is shown in the output area as a short message.
    """
    if not callable(function):
        raise TypeError(f"function must be callable; got {type(function).__name__}")
    _check_controls(controls, label="control '{}'")
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # pragma: no cover - a builtin without a signature
        signature = None
    if signature is not None:
        try:
            signature.bind(**controls)
        except TypeError as exc:
            name = getattr(function, "__name__", "function")
            raise TypeError(f"the controls {sorted(controls)} do not fit {name}{signature}: {exc}") from None
    view = Interactive(function, controls)
    view._show_first()
    return view
