#!/usr/bin/env python3
"""Train the evaluator classifier behind the course's image metrics, reproducibly.

    .venv/bin/python tools/train_evaluator.py            # writes gan_helpers/resources/mnist_evaluator.weights.h5

A small CNN (``gan_helpers.metrics.build_evaluator``) trained on the training part of the
offline MNIST subset (4,000 digits, ``load_mnist(seed=0)``), seed 0, then evaluated on the
1,000 held-out digits. Its penultimate layer (128 features) is the feature space of the
"classifier FID"; its softmax gives the classifier score and the class shares. The script
prints the test accuracy and the weights' SHA-256 to put into datasets/README.md and
gan_helpers.metrics.EVALUATOR_SHA256.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--output", type=Path, default=ROOT / "gan_helpers" / "resources" / "mnist_evaluator.weights.h5")
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    from gan_helpers.data import load_mnist, sha256_of
    from gan_helpers.metrics import build_evaluator

    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()
    (x_train, y_train), (x_test, y_test) = load_mnist(seed=0)
    model = build_evaluator()
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=64, epochs=args.epochs, shuffle=True, verbose=2)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    model.save_weights(args.output)
    print(f"trained in {time.perf_counter() - start:.0f} s; test accuracy on the 1,000 held-out digits: "
          f"{accuracy:.4f}; wrote {args.output} (sha256 {sha256_of(args.output)})")


if __name__ == "__main__":
    main()
