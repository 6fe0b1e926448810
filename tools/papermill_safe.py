#!/usr/bin/env python3
"""papermill without nbclient's Output-widget stand-in, which can hang a run.

A headless run has no browser, so nbclient plays one for ipywidgets' Output widget: for every
output a widget captures (``interact`` shows its function's output in one) it sends the widget's
new state back to the kernel over the shell channel, from the task that reads IOPub, while the
main task waits on that same channel for the cell's reply. Now and then that reply is never seen
and the run hangs until the cell's time limit (jupyter/nbclient#312, still open; seen here on
notebook 04's `interact` cell in 1 of the first 8 papermill runs of it). Without the stand-in, what
a widget prints goes into the cell's outputs, as under nbval, which is what a headless run wants.

    python tools/papermill_safe.py IN.ipynb OUT.ipynb [papermill's options]   # as `papermill`

course.py (run, refresh) and the tests (tests/notebook_checks.py) execute notebooks through it.
"""

from __future__ import annotations

import sys


def disable_output_widget_stand_in() -> None:
    """Make every nbclient NotebookClient created from now on ignore widgets' comm_open."""
    from nbclient.client import NotebookClient

    NotebookClient.on_comm_open_jupyter_widget = lambda self, msg: None


def main(argv: list[str] | None = None) -> None:
    disable_output_widget_stand_in()
    from papermill.cli import papermill

    papermill.main(args=sys.argv[1:] if argv is None else argv, prog_name="papermill")


if __name__ == "__main__":
    main()
