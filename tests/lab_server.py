"""JupyterLab started the way the README says (`python3 course.py lab`), for tests.

Used by tests/test_course_lab.py (the command itself, in CI) and tests/browser/ (the notebooks
in Chromium): both start the same command, read the URL it prints, wait until the server
answers there, and stop every process of it by pid at the end.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil  # ipykernel's dependency

ROOT = Path(__file__).resolve().parent.parent
PRINTED_URL = re.compile(r"http://127\.0\.0\.1:\d+/lab\?token=[0-9a-f]{32,}")


def stop_processes(processes, what: str) -> None:
    """Terminate the given psutil processes, kill those still alive after 15 s, check all are gone."""
    for signal_them, wait_s in (("terminate", 15), ("kill", 10)):
        for p in processes:
            try:
                getattr(p, signal_them)()
            except psutil.NoSuchProcess:
                pass
        _, processes = psutil.wait_procs(processes, timeout=wait_s)
    assert not processes, f"{what}: processes still running: {[p.pid for p in processes]}"


class CourseLab:
    """``python3 course.py lab --no-browser *args`` with every Jupyter folder inside ``tmp``
    (nothing read from or written to the user's own), its output in ``tmp/lab.log``."""

    def __init__(self, tmp: Path, *args: str, env: dict | None = None):
        self.log = tmp / "lab.log"
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"), "JUPYTER_DATA_DIR": str(tmp / "data"),
               "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(tmp / "lab-settings"),
               "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"), **(env or {})}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, str(ROOT / "course.py"), "lab", "--no-browser", *args],
                                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.url = self.base = self.token = None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def http(self, path: str, with_token: bool = True, method: str = "GET") -> int:
        """The HTTP status of ``base + path`` (an error status is returned, not raised)."""
        headers = {"Authorization": f"token {self.token}"} if with_token else {}
        request = urllib.request.Request(f"{self.base}{path}", method=method, headers=headers)
        # A loopback server is never reached through a proxy. urlopen's shared opener reads the proxy
        # variables once, when first used in this process: a test that cut the network with proxies
        # (tests/test_data.py's offline fixture) would otherwise leave it pointing at a closed port.
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with direct.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def wait_until_serving(self, timeout: float = 180) -> None:
        """Read the URL ``course.py lab`` printed, then wait until the server answers there."""
        deadline = time.monotonic() + timeout
        while self.url is None:
            found = PRINTED_URL.search(self.log.read_text(errors="replace"))
            if found:
                self.url = found.group(0)
            elif self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"`course.py lab` printed no URL to open:\n{self.log_tail()}")
            else:
                time.sleep(0.3)
        self.base, self.token = self.url.split("/lab?token=")
        while True:
            assert self.process.poll() is None, f"JupyterLab stopped:\n{self.log_tail()}"
            try:
                if self.http("/api/status") == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"JupyterLab does not answer at {self.base}:\n{self.log_tail()}")
            time.sleep(0.3)

    def processes(self) -> list:
        """``course.py lab``, the JupyterLab it started and its kernels."""
        try:
            return [psutil.Process(self.process.pid), *psutil.Process(self.process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        """Shut the server (and so its kernels) down, then make sure every process of it is gone."""
        processes = self.processes()
        try:
            if self.token:
                self.http("/api/shutdown", method="POST")
                self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        stop_processes(processes, "JupyterLab")
