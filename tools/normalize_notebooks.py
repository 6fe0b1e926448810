#!/usr/bin/env python3
"""Normalize committed notebooks so that diffs show content, not run noise.

    python tools/normalize_notebooks.py notebooks/*.ipynb          # rewrite in place
    python tools/normalize_notebooks.py --check notebooks/*.ipynb  # exit 1 if any would change

It keeps the outputs of the real run (learners read them on a web viewer) and removes only
what changes from run to run or machine to machine: papermill's and the executor's timing
metadata, the exact Python version, and cell ids (replaced by stable ones: cell-00, cell-01 ...).
tests/test_notebooks.py runs the --check mode.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
CELL_METADATA_DROP = ("papermill", "execution", "collapsed", "scrolled", "ExecuteTime")


def normalize(nb: dict) -> dict:
    meta = nb.setdefault("metadata", {})
    for key in ("papermill", "toc", "vscode"):
        meta.pop(key, None)
    meta["kernelspec"] = dict(KERNELSPEC)
    meta["language_info"] = dict(LANGUAGE_INFO)
    nb["nbformat"], nb["nbformat_minor"] = 4, 5
    for index, cell in enumerate(nb.get("cells", [])):
        cell["id"] = f"cell-{index:02d}"
        cell_meta = cell.setdefault("metadata", {})
        for key in CELL_METADATA_DROP:
            cell_meta.pop(key, None)
        tags = cell_meta.get("tags")
        if tags is not None and not tags:
            del cell_meta["tags"]
        if cell.get("cell_type") == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)
    return nb


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def write_or_check(wanted: dict, check: bool, verb: str) -> int:
    """For each ``{path: text}``: write the text where the file differs (or, with ``check``, only
    report it); print one line per such file; 1 when ``check`` found any, else 0."""
    stale = [path for path, text in wanted.items() if path.read_text(encoding="utf-8") != text]
    for path in stale:
        if not check:
            path.write_text(wanted[path], encoding="utf-8")
        print(f"{'not ' + verb if check else verb}: {path}")
    return 1 if (check and stale) else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only report notebooks that are not normalized")
    args = parser.parse_args(argv)
    wanted = {path: dumps(normalize(json.loads(path.read_text(encoding="utf-8")))) for path in args.paths}
    return write_or_check(wanted, args.check, "normalized")


if __name__ == "__main__":
    sys.exit(main())
