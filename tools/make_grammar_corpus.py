#!/usr/bin/env python3
"""Write ``gan_helpers/resources/grammar_sentences.txt``: sentences sampled from the course's hand-written
probabilistic grammar (``gan_helpers.grammar``), one per line, UTF-8, with a fixed seed.

    python tools/make_grammar_corpus.py           # (re)write the file
    python tools/make_grammar_corpus.py --check   # exit 1 if the shipped file differs

The file is shipped so that notebook 04 needs no generation step; tests/test_text.py checks that
it is exactly what this script writes and that the grammar accepts every line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_helpers.grammar import CORPUS_SEED, CORPUS_SIZE, corpus_lines  # noqa: E402

TARGET = ROOT / "gan_helpers" / "resources" / "grammar_sentences.txt"


def corpus_text(n: int = CORPUS_SIZE, seed: int = CORPUS_SEED) -> str:
    return "\n".join(corpus_lines(n, seed)) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare the shipped file with a fresh one")
    parser.add_argument("--output", type=Path, default=TARGET, help=f"where to write (default {TARGET.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    text = corpus_text()
    if args.check:
        same = args.output.is_file() and args.output.read_text(encoding="utf-8") == text
        print(f"{args.output}: {'up to date' if same else 'differs from what the grammar generates'}")
        return 0 if same else 1
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {CORPUS_SIZE} sentences (seed {CORPUS_SEED}, {len(text.encode()):,} bytes) to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
