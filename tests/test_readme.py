"""The README as the course's front page: its pictures are the notebooks' real figures, small,
all shown, and the numbers in their captions are the committed runs' numbers."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT / "tools"))
from readme_images import IMAGES, PICTURES  # noqa: E402


def test_pictures_are_the_notebooks_figures_byte_for_byte():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "readme_images.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_picture_is_shown_small_and_nothing_else_lies_in_docs_images():
    shown = set(re.findall(r"!\[[^\]]+\]\((docs/images/[^)]+)\)", README))
    expected = {f"docs/images/{name}" for name, *_ in PICTURES}
    assert shown == expected
    assert {p.name for p in IMAGES.iterdir()} == {name for name, *_ in PICTURES}
    for name, *_ in PICTURES:
        assert (IMAGES / name).stat().st_size < 100_000, f"{name} is over 100 KB: make the figure smaller"


def committed_output_text(notebook: str) -> str:
    cells = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                   for c in cells if c["cell_type"] == "code" for o in c["outputs"])


def test_caption_numbers_come_from_the_committed_runs():
    nb06 = committed_output_text("06_applications")
    caption = re.search(r"reads it correctly ([\d.]+) % of the time", README).group(1)
    assert f"{caption}%" in nb06.replace(" %", "%"), f"notebook 06's committed run does not show {caption} %"
    nb03 = committed_output_text("03_dcgan_mnist")
    epochs = re.search(r"DCGAN digits after (\d+) epochs", README).group(1)
    assert f"{epochs} epochs" in nb03 or f"epoch {epochs}" in nb03
