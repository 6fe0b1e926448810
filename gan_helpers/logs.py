"""Hide TensorFlow's known-harmless C++ log lines; let every other line through.

On a machine without a GPU driver, importing TensorFlow writes a handful of log lines to the
process's standard error (file descriptor 2), and a notebook shows them on a red background
although nothing is wrong. :func:`hide_known_tensorflow_noise` puts a filter on file descriptor 2:
a pipe and a daemon thread that drops each line matching one of :data:`KNOWN_HARMLESS_LINES` and
passes every other line on, unchanged and at once, to where standard error went before.

Hidden (only these; each pattern names the level letter, the source file and the message):

- ``WARNING: All log messages before absl::InitializeLog() is called are written to STDERR``
- ``I... port.cc:...] oneDNN custom operations are on. ...``
- ``I... cudart_stub.cc:...] Could not find cuda drivers on your machine, GPU will not be used.``
- ``I... cpu_feature_guard.cc:...] This TensorFlow binary is optimized to use available CPU
  instructions ...`` and its second line ``To enable the following instructions: ..., in other
  operations, rebuild TensorFlow with the appropriate compiler flags.``
- ``E... cuda_platform.cc:...] failed call to cuInit: ... UNKNOWN ERROR (303)`` (no driver; a
  GPU machine whose driver fails with another code still shows its error)
- ``E... meta_optimizer.cc:...] remapper failed: INVALID_ARGUMENT: Mutation::Apply error: ...``
  (a graph optimisation pass gives up on one fusion; the step runs without it)

Everything else written to file descriptor 2 still shows: other TensorFlow warnings and errors,
Python warnings and tracebacks (a notebook kernel sends those through ``sys.stderr``, which this
filter does not touch), and what subprocesses print. To see every line again: call
:func:`show_all_tensorflow_logs`, or set the environment variable ``GAN_COURSE_SHOW_TF_LOGS=1``
before the call (then it does nothing). ``TF_CPP_MIN_LOG_LEVEL`` is left alone.

The filter holds a line until its newline arrives (a line without one is passed on after 0.1 s).
Inside IPython it drains after every cell, so a cell's lines stay in that cell's output; at exit
it drains too. A line still in the pipe when the process is killed outright (``abort``, a
segfault) is lost, as it can be in a notebook kernel without the filter; set
``GAN_COURSE_SHOW_TF_LOGS=1`` when chasing such a crash from a terminal.

This module imports neither TensorFlow nor Keras: it must act before they are imported.
"""

from __future__ import annotations

import atexit
import os
import re
import select
import sys
import threading

__all__ = ["hide_known_tensorflow_noise", "show_all_tensorflow_logs", "is_known_tensorflow_noise",
           "KNOWN_HARMLESS_LINES", "SHOW_LOGS_VARIABLE"]

SHOW_LOGS_VARIABLE = "GAN_COURSE_SHOW_TF_LOGS"

# absl's prefix: level letter, MMDD, time (before absl is initialised: 00:00:<seconds since 1970>),
# thread id, then "file.cc:line] ".
_ABSL = r"{level}\d{{4}} \d+:\d+:\d+\.\d+ +\d+ {file}:\d+\] "

KNOWN_HARMLESS_LINES = {
    # name: regular expression that the whole line (without its newline) must match
    "absl not initialised": r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    "oneDNN notice": _ABSL.format(level="I", file=r"port\.cc") + r"oneDNN custom operations are on\. .*",
    "no CUDA driver": _ABSL.format(level="I", file=r"cudart_stub\.cc")
    + r"Could not find cuda drivers on your machine, GPU will not be used\.",
    "CPU instructions": _ABSL.format(level="I", file=r"cpu_feature_guard\.cc")
    + r"This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations\.",
    "CPU instructions, second line": r"To enable the following instructions: [A-Za-z0-9_ ]+, in other operations, "
    r"rebuild TensorFlow with the appropriate compiler flags\.",
    "cuInit without driver": _ABSL.format(level="E", file=r"cuda_platform\.cc")
    + r"failed call to cuInit: .*UNKNOWN ERROR \(303\)",
    "remapper skips a fusion": _ABSL.format(level="E", file=r"meta_optimizer\.cc")
    + r"remapper failed: INVALID_ARGUMENT: Mutation::Apply error: .*",
}

_PATTERNS = [re.compile(pattern.encode()) for pattern in KNOWN_HARMLESS_LINES.values()]
_DRAIN_MARK = b"\0gan_helpers.logs drain\0"  # written by _Filter.drain() only; never passed on
_PARTIAL_LINE_WAIT = 0.1  # seconds a line without its newline is held
_DRAIN_TIMEOUT = 2.0

_filter = None  # the installed _Filter, or None
_lock = threading.Lock()


def is_known_tensorflow_noise(line) -> bool:
    """Whether ``line`` (str or bytes, with or without its newline) is one the filter hides."""
    if isinstance(line, str):
        line = line.encode("utf-8", "replace")
    if not isinstance(line, (bytes, bytearray)):
        raise TypeError(f"line must be str or bytes; got {type(line).__name__}")
    line = bytes(line).rstrip(b"\r\n")
    return any(pattern.fullmatch(line) for pattern in _PATTERNS)


def _flush_python_stderr():
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError, OSError):  # no sys.stderr, or a closed one
        pass


def _write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def _kernel_stream():
    """ipykernel's ``sys.stderr`` when it shows what is written to fd 2 in the notebook, else None.

    ipykernel (6 and later, on Linux and macOS) points fd 2 at a pipe of its own, and a thread
    hands what comes out of it to its ``OutStream``, under the cell that is running when that thread
    gets to it. Lines written at the very end of a cell can miss the cell's output that way (seen
    here, ipykernel 7.4 on a busy machine: 9, 19 and 31 of 1000 one-line cells in three runs). The
    filter hands its lines to the ``OutStream`` itself and drains after each cell, before ipykernel
    flushes the cell's output (0 of 2000 cells missed).
    """
    stream = sys.stderr
    if (type(stream).__module__.startswith("ipykernel.") and getattr(stream, "_should_watch", False)
            and getattr(stream, "_original_stdstream_fd", None) == 2):
        return stream
    return None


class _Filter:
    """fd 2 -> pipe -> reader thread -> where fd 2 led before, minus the known-harmless lines.

    "Where fd 2 led before" is the saved original fd 2, or, in a Jupyter kernel that shows fd 2 in
    the notebook, the kernel's ``sys.stderr`` (see :func:`_kernel_stream`).
    """

    def __init__(self):
        self.pid = os.getpid()
        self.original_fd = os.dup(2)  # raises OSError when fd 2 is closed
        try:
            self.read_fd, self.write_fd = os.pipe()
        except OSError:
            os.close(self.original_fd)
            raise
        self.condition = threading.Condition()
        self.marks_sent = self.marks_seen = 0
        self.send_lock = threading.Lock()
        self.kernel_stream = _kernel_stream()
        _flush_python_stderr()  # what Python buffered for the old fd 2 goes there first
        os.dup2(self.write_fd, 2)
        self.thread = threading.Thread(target=self._forward, name="gan_helpers.logs", daemon=True)
        self.thread.start()

    def _pass_on(self, data):
        kept = b"".join(line for line in data.splitlines(keepends=True) if not is_known_tensorflow_noise(line))
        if not kept:
            return
        if self.kernel_stream is not None:
            try:
                self.kernel_stream.write(kept.decode("utf-8", "replace"))
                return
            except (ValueError, OSError):  # the kernel's stream is closed: write to the fd instead
                pass
        try:
            _write_all(self.original_fd, kept)
        except OSError:  # the old stderr is gone; nothing is left to show it on
            pass

    def _forward(self):
        pending = b""
        try:
            while True:
                if pending and not select.select([self.read_fd], [], [], _PARTIAL_LINE_WAIT)[0]:
                    self._pass_on(pending)  # a line without its newline: pass it on after a short wait
                    pending = b""
                chunk = os.read(self.read_fd, 65536)
                if not chunk:  # every writer has closed the pipe
                    break
                pending += chunk
                while _DRAIN_MARK in pending:
                    before, _, pending = pending.partition(_DRAIN_MARK)
                    self._pass_on(before)
                    with self.condition:
                        self.marks_seen += 1
                        self.condition.notify_all()
                complete, newline, pending = pending.rpartition(b"\n")
                if newline:
                    self._pass_on(complete + newline)
        finally:
            self._pass_on(pending)
            os.close(self.read_fd)
            os.close(self.original_fd)

    def drain(self):
        """Return once every byte written to fd 2 before this call has been passed on (or dropped)."""
        if os.getpid() != self.pid or not self.thread.is_alive():
            return  # a forked child: the reader thread lives in the parent
        with self.send_lock:
            self.marks_sent += 1
            ticket = self.marks_sent
            _write_all(self.write_fd, _DRAIN_MARK)
        with self.condition:
            self.condition.wait_for(lambda: self.marks_seen >= ticket, timeout=_DRAIN_TIMEOUT)

    def remove(self):
        self.drain()
        _flush_python_stderr()
        os.dup2(self.original_fd, 2)
        os.close(self.write_fd)  # the reader ends once forked children, if any, close their copies too


def _ipython():
    ipython_module = sys.modules.get("IPython")
    return ipython_module.get_ipython() if ipython_module is not None else None


def _drain_after_cell(*_):
    current = _filter
    if current is not None:
        current.drain()


def hide_known_tensorflow_noise() -> bool:
    """Drop TensorFlow's known-harmless C++ log lines from this process's standard error.

    Call it before importing TensorFlow. Idempotent: a second call keeps the one filter.
    Lines hidden: :data:`KNOWN_HARMLESS_LINES` (see the module's docstring); every other line
    passes unchanged.

    Returns
    -------
    bool
        True when the filter is on; False when it was not installed: the environment variable
        ``GAN_COURSE_SHOW_TF_LOGS`` is set (to anything but ``0``), the platform is not POSIX, or
        file descriptor 2 cannot be redirected.
    """
    global _filter
    if os.environ.get(SHOW_LOGS_VARIABLE, "").strip() not in ("", "0") or os.name != "posix":
        return False
    with _lock:
        if _filter is not None:  # on already (in a forked child: fd 2 still leads to the parent's filter)
            return True
        try:
            _filter = _Filter()
        except (OSError, ValueError):  # fd 2 closed or not redirectable; sys.stderr closed
            _filter = None
            return False
        shell = _ipython()
        if shell is not None and _drain_after_cell not in shell.events.callbacks["post_execute"]:
            shell.events.register("post_execute", _drain_after_cell)
        return True


def show_all_tensorflow_logs() -> bool:
    """Undo :func:`hide_known_tensorflow_noise`: every line on standard error shows again.

    Returns True when a filter was removed, False when none was on.
    """
    global _filter
    with _lock:
        if _filter is None or _filter.pid != os.getpid():
            return False
        _filter.remove()
        _filter = None
        shell = _ipython()
        if shell is not None and _drain_after_cell in shell.events.callbacks["post_execute"]:
            shell.events.unregister("post_execute", _drain_after_cell)
        return True


atexit.register(_drain_after_cell)
