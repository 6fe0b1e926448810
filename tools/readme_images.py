#!/usr/bin/env python3
"""Copy the README's pictures out of the committed notebooks' outputs into docs/images/.

The pictures on the README are figures of the notebooks' real default runs, byte for byte: each
is found by a line of the cell's source that draws it and the index of the figure among that
cell's image outputs. After `course.py refresh` of a notebook, run this again; `--check` (used by
tests/test_readme.py) fails when a picture differs from its notebook.

    python tools/readme_images.py           # write docs/images/*.png
    python tools/readme_images.py --check   # exit 1 if any is missing or stale
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

# (file name, notebook, a line of the drawing cell's source, which of its figures)
PICTURES = [
    ("01_toy_training.png", "01_gan_concepts", "fig = plot_frames(real_2d, frames_2d, limits=limits_2d)", 0),
    ("03_dcgan_samples.png", "03_dcgan_mnist", "plot_image_grid(final_images[:64], ncols=8", 0),
    ("05_fixes_compared.png", "05_failure_modes", 'fig.savefig(out / f"comparison_{run_name}.png")', 1),
    ("06_conditional_digits.png", "06_applications", 'title="one row per requested digit (0 at the top)"', 0),
]


def picture(notebook: str, marker: str, index: int) -> bytes:
    path = ROOT / "notebooks" / f"{notebook}.ipynb"
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code" and marker in "".join(c["source"])]
    if len(cells) != 1:
        raise SystemExit(f"{path.name}: {len(cells)} code cells contain {marker!r}; expected 1 (update PICTURES)")
    figures = [o["data"]["image/png"] for o in cells[0]["outputs"] if "image/png" in o.get("data", {})]
    if index >= len(figures):
        raise SystemExit(f"{path.name}: the cell with {marker!r} has {len(figures)} figures; no figure {index}")
    data = figures[index]
    return base64.b64decode("".join(data) if isinstance(data, list) else data)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if a picture is stale")
    args = parser.parse_args(argv)
    stale = []
    for name, notebook, marker, index in PICTURES:
        data, target = picture(notebook, marker, index), IMAGES / name
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(name)
        else:
            IMAGES.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"wrote {target.relative_to(ROOT)} ({len(data) // 1024} KB)")
    if stale:
        print(f"stale or missing: {', '.join(stale)}; run python tools/readme_images.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
