#!/usr/bin/env python3
"""Print the Markdown table of a notebook's parameters (name, default, meaning), read from its
cell tagged ``parameters`` (``name = value  # meaning`` per line), for the README.

    python tools/params_table.py notebooks/02_mlp_gan.ipynb
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path


def parameter_rows(notebook: Path) -> list[tuple[str, str, str]]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ValueError(f"{notebook}: expected one cell tagged 'parameters', found {len(tagged)}")
    rows = []
    for line in "".join(tagged[0]["source"]).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        code, _, comment = line.partition("#")
        name, _, value = code.partition("=")
        ast.literal_eval(value.strip())  # a parameter is a plain literal (papermill needs that)
        rows.append((name.strip(), value.strip(), comment.strip()))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    args = parser.parse_args(argv)
    print("| parameter | default | meaning |")
    print("|---|---|---|")
    for name, value, comment in parameter_rows(args.notebook):
        print(f"| `{name}` | `{value}` | {comment.replace('|', '/')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
