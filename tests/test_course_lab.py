"""The README's "open the course" command: `python3 course.py lab` prints a URL that works.

No browser here (tests/browser, run by `python3 course.py test-browser`, opens that URL in
Chromium); this checks the server behind it: loopback only, the printed port and token, the
notebooks served, the token kept off every command line.
"""

from lab_server import CourseLab


def test_course_lab_prints_a_working_loopback_url(tmp_path):
    lab = CourseLab(tmp_path)
    try:
        lab.wait_until_serving(timeout=120)  # fails unless the printed URL's server answers with the token
        assert lab.http("/api/status", with_token=False) == 403, "the server must want the token"
        assert not [p.pid for p in lab.processes() if lab.token in " ".join(p.cmdline())], \
            "the token must not be on a command line (anyone on the machine can read those)"
        assert lab.http("/api/contents/01_gan_concepts.ipynb?content=0") == 200, "notebooks/ not served"
        assert lab.http(lab.url[len(lab.base):], with_token=False) == 200, "the printed URL itself does not open"
    finally:
        lab.stop()
