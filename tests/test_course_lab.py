"""The README's "open the course" command: `python3 course.py lab` prints a URL that works.

No browser here (tests/browser, run by `python3 course.py test-browser`, opens that URL in
Chromium); this checks the server behind it: loopback only, the printed port and token, the
notebooks served.
"""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _get(url, token=None, method="GET"):
    headers = {"Authorization": f"token {token}"} if token else {}
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_course_lab_prints_a_working_loopback_url(tmp_path):
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    log = tmp_path / "lab.log"
    with open(log, "wb") as out:
        lab = subprocess.Popen([sys.executable, str(ROOT / "course.py"), "lab", "--no-browser"], cwd=ROOT, env=env,
                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, url = time.monotonic() + 120, None
        while url is None and time.monotonic() < deadline and lab.poll() is None:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]{32,})", log.read_text(errors="replace"))
            url = found and found.group(0)
            time.sleep(0.3)
        assert url, f"no URL printed:\n{log.read_text(errors='replace')[-3000:]}"
        base, token = url.split("/lab?token=")
        status = None
        while time.monotonic() < deadline and status != 200:
            assert lab.poll() is None, f"JupyterLab stopped:\n{log.read_text(errors='replace')[-3000:]}"
            try:
                status = _get(f"{base}/api/status", token)
            except OSError:
                time.sleep(0.3)
        assert status == 200, "JupyterLab does not answer at the printed URL"
        assert _get(f"{base}/api/status") == 403, "the server must want the token"
        import psutil  # ipykernel's dependency

        started = [lab.pid] + [p.pid for p in psutil.Process(lab.pid).children(recursive=True)]
        assert not [pid for pid in started if token in " ".join(psutil.Process(pid).cmdline())], \
            "the token must not be on a command line (anyone on the machine can read those)"
        assert _get(f"{base}/api/contents/01_gan_concepts.ipynb?content=0", token) == 200, "notebooks/ not served"
        assert _get(url) == 200, "the printed URL itself does not open"
        _get(f"{base}/api/shutdown", token, method="POST")
        lab.wait(timeout=30)
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)  # course.py and the JupyterLab it started (no kernel runs)
            lab.wait(timeout=30)
