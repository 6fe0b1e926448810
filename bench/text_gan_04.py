#!/usr/bin/env python3
"""Notebook 04: does adversarial training improve a pre-trained language model? Five rows, several seeds.

    .venv/bin/python bench/text_gan_04.py                        # about 15 minutes on one idle CPU core
    .venv/bin/python bench/text_gan_04.py --seeds 0 --pretrain-epochs 1 --epochs 1 --steps-per-epoch 20 \\
        --eval-samples 200 --output /tmp/text_gan_04_smoke.json                  # smoke run, about a minute

Every row starts from the same maximum-likelihood (MLE) model of its seed, trained as in notebook 04
(12 epochs of 125 steps, batch 64, Adam 2e-3, GRU 256 units, the 8,000 grammar sentences), and then
gets the **same number of extra steps** (6 epochs of 125 steps), on the same batches:

* ``mle``        -- no extra steps: the pre-trained model, notebook 04's MLE baseline;
* ``mle-18``     -- 6 more MLE epochs with the pre-training optimizer (Adam 2e-3): MLE gets the
  GAN's extra steps too;
* ``adv-off``    -- 6 more MLE epochs with the GAN generator's optimizer settings (Adam 5e-5,
  beta_1 0.5): the GAN row with the adversarial loss switched off and the MLE loss in its place;
* ``gan-st``     -- 6 epochs of the GAN of notebook 04 (straight-through Gumbel-softmax, tau 1 -> 0.5,
  discriminator Adam 1e-3, generator Adam 5e-5, both beta_1 0.5; ``make_gan_step``);
* ``reinforce``  -- 6 epochs of the same GAN whose generator learns by REINFORCE with a moving-average
  baseline (SeqGAN-style, one reward per sentence; ``make_reinforce_step``), same optimizers,
  same discriminator initialization.

Measured on 1,000 sentences sampled at temperature 1 per row (``--eval-samples``): grammatical
share, oracle NLL (``gan_helpers.grammar.oracle_nll_summary``: -log p_grammar per token of the
grammatical sentences, nats), test NLL (``gan_helpers.text_gan.sequence_nll`` on 1,000 fresh
grammar sentences that are not training sentences: nats per token, the same tokens as the oracle
NLL, the model's <eos> included in each sentence's sum), distinct-2, self-BLEU-4 and mean length,
and distinct-2 / self-BLEU-4 on length-matched subsets (``gan_helpers.text.length_matched``: all
rows of a seed and the fresh grammar sentences cut to the same length histogram).

``--rewrite FILE`` recomputes the table, its Markdown and the paired differences of a results file
without training.

One process, one TensorFlow thread (the timings are CPU seconds of one core and hardly depend on
other work on the machine). Results: ``bench/results/text_gan_04.json`` (git-ignored; written after
every seed) and a Markdown table on stdout; ``bench/reference/text_gan_04.json`` is the reference run
that notebook 04 shows (copy the results file there to update it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS = ["mle", "mle-18", "adv-off", "gan-st", "reinforce"]
DESCRIPTION = {
    "mle": "MLE, 12 epochs (the pre-trained start)",
    "mle-18": "MLE, 12 + 6 epochs (Adam 2e-3 throughout)",
    "adv-off": "12 MLE + 6 MLE epochs with the GAN's optimizer (adversarial loss off)",
    "gan-st": "12 MLE + 6 GAN epochs, straight-through Gumbel-softmax",
    "reinforce": "12 MLE + 6 GAN epochs, REINFORCE with a baseline",
}
METRICS = ["grammatical", "oracle_nll", "test_nll", "distinct_2", "self_bleu", "mean_length",
           "distinct_2_matched", "self_bleu_matched", "novel"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--pretrain-epochs", type=int, default=12)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--steps-per-epoch", type=int, default=125, help="125 = 8,000 sentences / batch 64")
    p.add_argument("--eval-samples", type=int, default=1000)
    p.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "text_gan_04.json")
    return p.parse_args(argv)


SETTINGS = dict(batch_size=64, units=256, learning_rate=2e-3, gan_learning_rate=5e-5, discriminator_learning_rate=1e-3,
                temperature_start=1.0, temperature_end=0.5, max_length=12)


def run_seed(seed, args, corpus, grammar, test_ids, test_words):
    import keras
    import tensorflow as tf

    from gan_helpers.text import distinct_n, length_matched, self_bleu, text_metrics
    from gan_helpers.text_gan import (TextDiscriminator, TextGenerator, make_gan_step, make_mle_step,
                                      make_reinforce_step, sequence_nll)

    s = SETTINGS
    V, T = len(corpus.vocab), s["max_length"] + 1

    def new_generator():
        return TextGenerator(V, T, embed_dim=64, units=s["units"], pad_id=corpus.vocab.pad_id,
                             bos_id=corpus.vocab.bos_id, eos_id=corpus.vocab.eos_id, unk_id=corpus.vocab.unk_id)

    def batches(shuffle_seed):
        ds = (tf.data.Dataset.from_tensor_slices(corpus.ids).shuffle(len(corpus.ids), seed=shuffle_seed).repeat()
              .batch(s["batch_size"], drop_remainder=True))
        return iter(ds)

    keras.utils.set_random_seed(seed)
    cpu = {}
    mle_generator = new_generator()
    mle_optimizer = keras.optimizers.Adam(s["learning_rate"])
    step = make_mle_step(mle_generator, mle_optimizer)
    it = batches(seed)
    start = time.process_time()
    for _ in range(args.pretrain_epochs * args.steps_per_epoch):
        step(next(it))
    cpu["pretrain"] = time.process_time() - start
    models = {"mle": mle_generator}
    extra = args.epochs * args.steps_per_epoch
    total = max(1, extra - 1)
    history = {}

    for row in ROWS[1:]:
        keras.utils.set_random_seed(seed + 1)          # the same discriminator initialization for both GANs
        g = new_generator()
        g.set_weights(mle_generator.get_weights())
        it = batches(seed + 1000)                      # the same batches for every continuation
        if row == "mle-18":                            # the pre-training optimizer, its state included
            opt = keras.optimizers.Adam(s["learning_rate"])
            opt.build(g.trainable_variables)
            for mine, theirs in zip(opt.variables, mle_optimizer.variables):   # moments and step count
                mine.assign(theirs)
            step = make_mle_step(g, opt)
        elif row == "adv-off":
            step = make_mle_step(g, keras.optimizers.Adam(s["gan_learning_rate"], beta_1=0.5))
        else:
            d = TextDiscriminator(V, T)
            make = make_gan_step if row == "gan-st" else make_reinforce_step
            step = make(g, d, keras.optimizers.Adam(s["gan_learning_rate"], beta_1=0.5),
                        keras.optimizers.Adam(s["discriminator_learning_rate"], beta_1=0.5),
                        keras.random.SeedGenerator(seed + 3))
        d_fake = []
        start = time.process_time()
        for i in range(extra):
            if row in ("mle-18", "adv-off"):
                step(next(it))
            else:
                tau = s["temperature_start"] * (s["temperature_end"] / s["temperature_start"]) ** (i / total)
                d_fake.append(float(step(next(it), tf.constant(tau, tf.float32))[3]))
        cpu[row] = time.process_time() - start
        if d_fake:
            history[row] = {"d_fake_last_100": float(np.mean(d_fake[-100:]))}
        models[row] = g

    samples, results = {}, {}
    for row, g in models.items():
        noise = keras.random.SeedGenerator(seed + 4)
        ids = tf.argmax(g.generate(args.eval_samples, 1.0, hard=True, seed=noise), axis=-1).numpy()
        samples[row] = corpus.to_words(ids)
        m = text_metrics(samples[row], corpus.words, grammar.is_grammatical)
        o = grammar.oracle_nll_summary(samples[row])
        nll = np.concatenate([sequence_nll(g, test_ids[i:i + 250]).numpy() for i in range(0, len(test_ids), 250)])
        results[row] = {**{k: m[k] for k in ("grammatical", "distinct_2", "self_bleu", "mean_length", "novel")},
                        "oracle_nll": o["per_token"], "oracle_nll_sentence": o["per_sentence"],
                        "test_nll": float(nll.sum() / sum(len(w) for w in test_words)),
                        "test_nll_sentence": float(nll.mean()), "cpu_seconds": cpu.get(row, 0.0),
                        **history.get(row, {})}
    matched = length_matched({**samples, "fresh": test_words}, seed=seed)
    for row in models:
        results[row]["distinct_2_matched"] = distinct_n(matched[row], 2)
        results[row]["self_bleu_matched"] = self_bleu(matched[row])
        results[row]["matched_n"] = len(matched[row])
    fresh = {"distinct_2_matched": distinct_n(matched["fresh"], 2), "self_bleu_matched": self_bleu(matched["fresh"]),
             "oracle_nll": grammar.oracle_nll_summary(test_words)["per_token"],
             "oracle_nll_sentence": grammar.oracle_nll_summary(test_words)["per_sentence"]}
    return {"rows": results, "fresh": fresh, "cpu_pretrain": cpu["pretrain"]}


def summarize(per_seed):
    table = {}
    for row in ROWS:
        table[row] = {}
        for k in METRICS + ["cpu_seconds"]:
            values = [r["rows"][row][k] for r in per_seed.values()]
            std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
            table[row][k] = {"mean": float(np.mean(values)), "std": std, "values": values}
    return table


PAIRS = [("mle-18", "mle"), ("adv-off", "mle"), ("gan-st", "mle"), ("reinforce", "mle"), ("gan-st", "adv-off"),
         ("reinforce", "adv-off"), ("gan-st", "mle-18"), ("gan-st", "reinforce")]


def paired_differences(per_seed):
    """For each pair of rows and metric: the per-seed differences a - b (both rows of a seed share its
    pre-trained start), their mean and standard deviation, and whether the difference is beyond the
    seed spread: |mean| > 2 x the standard deviation of the differences over the seeds."""
    out = {}
    for a, b in PAIRS:
        out[f"{a} - {b}"] = {}
        for k in METRICS:
            d = [r["rows"][a][k] - r["rows"][b][k] for r in per_seed.values()]
            std = float(np.std(d, ddof=1)) if len(d) > 1 else float("nan")
            out[f"{a} - {b}"][k] = {"mean": float(np.mean(d)), "std": std, "values": d,
                                    "beyond_spread": bool(len(d) >= 3 and abs(np.mean(d)) > 2 * std)}
    return out


def markdown(table, fresh):
    head = ["row", "grammatical", "oracle NLL", "test NLL", "distinct-2", "self-BLEU-4", "length",
            "distinct-2 (length-matched)", "self-BLEU-4 (length-matched)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    keys = ["grammatical", "oracle_nll", "test_nll", "distinct_2", "self_bleu", "mean_length",
            "distinct_2_matched", "self_bleu_matched"]
    for row in ROWS:
        cells = [f"{table[row][k]['mean']:.3f} ± {table[row][k]['std']:.3f}" for k in keys]
        lines.append(f"| `{row}` | " + " | ".join(cells) + " |")
    f = {k: np.mean([x[k] for x in fresh]) for k in fresh[0]}
    lines.append(f"| fresh grammar sentences | 1.000 | {f['oracle_nll']:.3f} | – | – | – | – | "
                 f"{f['distinct_2_matched']:.3f} | {f['self_bleu_matched']:.3f} |")
    return "\n".join(lines)


def rewrite(path):
    """Recompute the table, its Markdown and the paired differences of a results file (no training)."""
    data = json.loads(Path(path).read_text())
    per_seed = data["per_seed"]
    data["table"] = summarize(per_seed)
    data["markdown"] = markdown(data["table"], [r["fresh"] for r in per_seed.values()])
    data["differences"] = paired_differences(per_seed)
    Path(path).write_text(json.dumps(data, indent=1))
    print(data["markdown"])


def main(argv=None):
    if argv is None and sys.argv[1:2] == ["--rewrite"]:
        return rewrite(sys.argv[2])
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    from gan_helpers import grammar
    from gan_helpers.data import pad_sequences
    from gan_helpers.text import load_corpus

    corpus = load_corpus("", SETTINGS["max_length"])
    known = set(map(tuple, corpus.words))
    per_seed = {}
    wall = time.perf_counter()
    for seed in args.seeds:
        fresh = [w for w in grammar.generate_sentences(2 * args.eval_samples, seed=10_000 + seed) if tuple(w) not in known]
        test_words = fresh[:args.eval_samples]
        test_ids = pad_sequences([corpus.vocab.encode(w) for w in test_words], SETTINGS["max_length"] + 1,
                                 pad_id=corpus.vocab.pad_id)
        t0 = time.perf_counter()
        per_seed[str(seed)] = run_seed(seed, args, corpus, grammar, test_ids, test_words)
        print(f"seed {seed} done in {time.perf_counter() - t0:.0f} s wall", flush=True)
        table = summarize(per_seed)
        fresh_rows = [r["fresh"] for r in per_seed.values()]
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps({
            "command": "python " + " ".join(["bench/text_gan_04.py"] + (argv if argv is not None else sys.argv[1:])),
            "settings": {**SETTINGS, "pretrain_epochs": args.pretrain_epochs, "epochs": args.epochs,
                         "steps_per_epoch": args.steps_per_epoch, "eval_samples": args.eval_samples,
                         "seeds": args.seeds[:len(per_seed)], "tensorflow_threads": 1},
            "description": DESCRIPTION, "table": table, "markdown": markdown(table, fresh_rows),
            "differences": paired_differences(per_seed), "per_seed": per_seed,
            "wall_seconds": time.perf_counter() - wall,
            "machine": {"python": platform.python_version(), "tensorflow": tf.__version__,
                        "cpu_count": os.cpu_count(), "processor": platform.processor()},
        }, indent=1))
    print(markdown(summarize(per_seed), [r["fresh"] for r in per_seed.values()]))
    print("wrote", args.output)


if __name__ == "__main__":
    main()
