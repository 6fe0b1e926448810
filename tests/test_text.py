"""Text pieces of notebook 04: the course grammar and its shipped corpus, corpus loading, text
metrics (on hand-computed cases and against a plain reference implementation of BLEU), and the
Gumbel-softmax / text GAN building blocks."""

import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from gan_helpers import grammar
from gan_helpers.data import tokenize
from gan_helpers.text import (distinct_n, load_corpus, ngram_validity, ngrams, novelty, self_bleu, sentence_bleu,
                              text_metrics)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "gan_helpers" / "resources" / "grammar_sentences.txt"


def test_text_modules_declare_all_and_import_light():
    import importlib

    for name in ("grammar", "text", "text_gan"):
        module = importlib.import_module(f"gan_helpers.{name}")
        assert module.__all__ and all(hasattr(module, symbol) for symbol in module.__all__), name
    code = "import sys, gan_helpers.text, gan_helpers.grammar; assert 'tensorflow' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)  # the notebook's validation cell stays fast


# ----------------------------------------------------------------------------- grammar
def test_generated_sentences_are_grammatical_short_and_reproducible():
    sentences = grammar.generate_sentences(500, seed=3)
    assert all(grammar.is_grammatical(s) for s in sentences)
    assert all(3 <= len(s) <= grammar.MAX_TOKENS and s[-1] == "." for s in sentences)
    assert max(len(s) for s in sentences) >= 11  # the long rules are used
    assert grammar.generate_sentences(500, seed=3) == sentences
    assert grammar.generate_sentences(500, seed=4) != sentences


@pytest.mark.parametrize("sentence", [
    "the cats sleeps .",                        # subject-verb number
    "the dogs who sleeps see a cat .",          # number inside the relative clause
    "the dog who sleeps see a cat .",           # main verb after the relative clause
    "this dogs sleep .",                        # determiner-noun number
    "every cats sleep .",
    "a old cat sleeps .",                       # a / an
    "an cat sleeps .",
    "the cat sees .",                           # transitive verb without object
    "the cat sleeps the dog .",                 # intransitive verb with object
    "the apple sleeps .",                       # things are not subjects
    "the garden sees the cat .",                # places are not subjects
    "the cat sees the garden .",                # places only after a preposition
    "the cat sleeps in garden .",               # a place needs its determiner
    "the cat sleeps",                           # no final period
    "cat the sleeps .",                         # word order
    "the cat sleeps . .",
    "the the cat sleeps .",
    ".",
    "",
])
def test_broken_sentences_are_rejected(sentence):
    assert not grammar.is_grammatical(sentence.split())


@pytest.mark.parametrize("sentence", [
    "the cats sleep .", "an old cat sleeps .", "a young owl sees an egg .", "alice sees bob today .",
    "the dogs who sleep chase two red balls into the river .", "every owl runs quickly .",
])
def test_correct_sentences_are_accepted(sentence):
    assert grammar.is_grammatical(sentence.split())


def _count_parses(tokens):
    """Number of derivations of ``tokens`` (an independent check that the grammar is unambiguous)."""
    memo = {}

    def parses(symbol, i):  # {end position: number of derivations}
        key = (symbol, i)
        if key not in memo:
            if symbol not in grammar.GRAMMAR:
                memo[key] = {i + 1: 1} if i < len(tokens) and tokens[i] == symbol else {}
            else:
                total = Counter()
                for rhs, _ in grammar.GRAMMAR[symbol]:
                    partial = Counter({i: 1})
                    for s in rhs:
                        nxt = Counter()
                        for p, k in partial.items():
                            for e, m in parses(s, p).items():
                                nxt[e] += k * m
                        partial = nxt
                    total.update(partial)
                memo[key] = dict(total)
        return memo[key]

    return parses(grammar.START, 0).get(len(tokens), 0)


def test_grammar_is_unambiguous_so_count_sentences_counts_sentences():
    assert all(_count_parses(s) == 1 for s in grammar.generate_sentences(300, seed=11))
    assert _count_parses("the cats sleeps .".split()) == 0
    count = grammar.count_sentences()
    assert isinstance(count, int) and count > 10**12  # far more sentences than any training set
    assert 200 <= len(grammar.vocabulary()) <= 400  # "a few hundred words"


def test_grammar_arguments_are_checked():
    with pytest.raises(TypeError, match="tokens"):
        grammar.is_grammatical("the cat sleeps .")  # a string, not a token list
    with pytest.raises(TypeError, match="tokens"):
        grammar.is_grammatical(["the", 3, "."])
    with pytest.raises(ValueError, match="n must be"):
        grammar.generate_sentences(0)
    with pytest.raises(ValueError, match="seed"):
        grammar.generate_sentences(3, seed=-1)
    with pytest.raises(ValueError, match="seed"):
        grammar.generate_sentences(3, seed=1.5)


def test_detokenize_round_trips_through_tokenize():
    for tokens in grammar.generate_sentences(200, seed=5):
        assert tokenize(grammar.detokenize(tokens)) == tokens
    assert grammar.detokenize(["the", "cat", "sleeps", "."]) == "the cat sleeps."


def test_shipped_corpus_is_what_the_tool_writes_and_fully_grammatical():
    text = SHIPPED.read_text(encoding="utf-8")
    assert text == "\n".join(grammar.corpus_lines()) + "\n"
    lines = text.splitlines()
    assert len(lines) == grammar.CORPUS_SIZE and SHIPPED.stat().st_size < 300_000
    assert all(grammar.is_grammatical(tokenize(line)) for line in lines)
    assert len(set(lines)) > 0.99 * len(lines)
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "make_grammar_corpus.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_tool_writes_a_file_and_check_detects_a_change(tmp_path):
    target = tmp_path / "corpus.txt"
    tool = [sys.executable, str(ROOT / "tools" / "make_grammar_corpus.py"), "--output", str(target)]
    subprocess.run(tool, check=True, capture_output=True)
    assert target.read_text(encoding="utf-8") == SHIPPED.read_text(encoding="utf-8")
    target.write_text("The cat sleeps.\n", encoding="utf-8")
    assert subprocess.run(tool + ["--check"], capture_output=True).returncode == 1


# ----------------------------------------------------------------------------- corpus loading
def test_load_corpus_word_and_char(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("The cat sleeps.\nA dog runs fast!\n\n", encoding="utf-8")
    words = load_corpus(path, 5)
    assert words.units == [["the", "cat", "sleeps", "."], ["a", "dog", "runs", "fast", "!"]]
    assert words.ids.shape == (2, 6) and words.ids.dtype == np.int32
    assert words.ids[0, 4] == words.vocab.eos_id and words.ids[0, 5] == words.vocab.pad_id
    assert words.to_words(words.ids) == words.words == words.units
    chars = load_corpus(path, 16, level="char")
    assert chars.units[0] == list("the cat sleeps.") and chars.ids.shape == (2, 17)
    assert chars.to_words(chars.ids) == words.units  # metrics always see words


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"", "empty"),
    (b"\n  \n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a UTF-8"),
    ("caf\u00e9 au lait\n".encode("latin-1"), "not a UTF-8"),
    (b"only one sentence here\n", "at least 2"),
    (b"short one\n" + b"a line with far too many words to fit in eight\n", "line 2 has 11 word units"),
])
def test_bad_corpus_files_name_the_parameter(tmp_path, content, message):
    path = tmp_path / "corpus.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        load_corpus(path, 8)
    assert f"Parameter 'corpus_path' = {str(path)!r}" in str(info.value)


def test_empty_corpus_path_reads_the_shipped_corpus_wherever_the_package_is():
    shipped, again = load_corpus("", 12), load_corpus(SHIPPED, 12)
    assert shipped.name == again.name == "grammar_sentences"
    assert len(shipped.sentences) == 8000 and shipped.sentences == again.sentences


def test_load_corpus_arguments():
    with pytest.raises(TypeError, match="corpus_path"):
        load_corpus(3, 8)
    with pytest.raises(ValueError, match="level"):
        load_corpus(SHIPPED, 12, level="byte")
    with pytest.raises(ValueError, match="max_length"):
        load_corpus(SHIPPED, 0)


# ----------------------------------------------------------------------------- metrics
def test_ngrams_and_distinct_n_by_hand():
    assert ngrams(["a", "b", "c"], 2) == [("a", "b"), ("b", "c")]
    assert ngrams(["a"], 2) == []
    sentences = [["a", "b", "a"], ["a", "b"]]
    assert distinct_n(sentences, 1) == pytest.approx(2 / 5)  # a b a a b
    assert distinct_n(sentences, 2) == pytest.approx(2 / 3)  # ab ba ab
    assert distinct_n([["x", "y", "z"]], 3) == 1.0
    assert distinct_n([["a"]], 2) == 0.0                     # no bigram at all


def test_bleu_by_hand():
    a, b = list("abcd"), list("abce")
    # p1 = 3/4, p2 = 2/3 (ab, bc match; cd does not), equal lengths: BP = 1
    assert sentence_bleu(a, [b], max_n=2) == pytest.approx(math.sqrt(0.75 * 2 / 3))
    # p3 = 1/2 (abc), p4 = 0 -> 0.1 ("method1" smoothing)
    assert sentence_bleu(a, [b], max_n=4) == pytest.approx((0.75 * 2 / 3 * 0.5 * 0.1) ** 0.25)
    # brevity penalty: hypothesis 2 words, reference 4: exp(1 - 4/2)
    assert sentence_bleu(list("ab"), [list("abcd")], max_n=2) == pytest.approx(math.exp(-1))
    assert sentence_bleu(list("xy"), [list("abcd")]) == 0.0  # no matching unigram
    assert self_bleu([a, b], max_n=2) == pytest.approx(math.sqrt(0.75 * 2 / 3))
    assert self_bleu([a, a]) == pytest.approx(1.0)
    assert self_bleu([list("abc"), list("xyz")]) == 0.0


def _reference_bleu(hypothesis, references, max_n):
    """BLEU as nltk's sentence_bleu(..., smoothing_function=SmoothingFunction().method1) computes it."""
    precisions = []
    for n in range(1, max_n + 1):
        counts = Counter(tuple(hypothesis[i:i + n]) for i in range(len(hypothesis) - n + 1))
        max_ref = Counter()
        for ref in references:
            for g, c in Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1)).items():
                max_ref[g] = max(max_ref[g], c)
        clipped = sum(min(c, max_ref[g]) for g, c in counts.items())
        precisions.append((clipped, max(1, sum(counts.values()))))  # unreduced, as nltk keeps them
    if precisions[0][0] == 0:
        return 0.0
    smoothed = [(0.1 if matches == 0 else matches) / total for matches, total in precisions]
    c = len(hypothesis)
    r = min((len(ref) for ref in references), key=lambda length: (abs(length - c), length))
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(sum(math.log(p) for p in smoothed) / max_n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_self_bleu_matches_a_plain_reference_implementation(seed):
    rng = np.random.default_rng(seed)
    words = list("abcdef")
    sentences = [list(rng.choice(words, size=rng.integers(1, 9))) for _ in range(40)]
    sentences += [sentences[0], sentences[1][:]]  # duplicates
    expected = [_reference_bleu(s, sentences[:i] + sentences[i + 1:], 4) for i, s in enumerate(sentences)]
    assert self_bleu(sentences) == pytest.approx(np.mean(expected), abs=1e-12)
    assert [sentence_bleu(s, sentences[:i] + sentences[i + 1:]) for i, s in enumerate(sentences)] == \
        pytest.approx(expected, abs=1e-12)
    assert self_bleu(sentences, max_n=2) == pytest.approx(
        np.mean([_reference_bleu(s, sentences[:i] + sentences[i + 1:], 2) for i, s in enumerate(sentences)]))


def test_ngram_validity_novelty_and_text_metrics():
    corpus = [["a", "b", "c"], ["b", "c", "d"]]
    assert ngram_validity([["a", "b", "d"]], corpus, n=2) == pytest.approx(1 / 2)  # ab seen, bd not
    assert math.isnan(ngram_validity([["a"]], corpus, n=2))
    assert novelty([["a", "b", "c"], ["a", "b"]], corpus) == 0.5
    generated = [["a", "b", "c"], ["a", "b", "c"], ["c", "b", "a"], ["d"]]
    m = text_metrics(generated, corpus, is_grammatical=lambda s: s[0] == "a")
    assert m["grammatical"] == 0.5 and m["in_training"] == 0.5 and m["novel"] == 0.5
    assert m["novel_grammatical"] == 0.0 and m["unique"] == 0.75 and m["n"] == 4
    assert m["mean_length"] == pytest.approx(2.5)
    assert m["self_bleu"] == pytest.approx(self_bleu(generated))
    without = text_metrics(generated, corpus)
    assert without["grammatical"] is None and without["novel_grammatical"] is None


@pytest.mark.parametrize("call, error, name", [
    (lambda: distinct_n("a b c", 1), TypeError, "sentences"),
    (lambda: distinct_n([["a", 1]], 1), TypeError, "sentences"),
    (lambda: distinct_n([["a"]], 0), ValueError, "n must be"),
    (lambda: distinct_n([], 1), ValueError, "sentences"),
    (lambda: self_bleu([["a"]]), ValueError, "at least 2"),
    (lambda: self_bleu([["a"], ["b"]], max_n=0), ValueError, "max_n"),
    (lambda: sentence_bleu("abc", [["a"]]), TypeError, "hypothesis"),
    (lambda: sentence_bleu(["a"], []), ValueError, "references"),
    (lambda: ngram_validity([["a"]], "corpus"), TypeError, "corpus_sentences"),
    (lambda: text_metrics([["a"], ["b"]], [["a"]], is_grammatical="yes"), TypeError, "is_grammatical"),
])
def test_metric_arguments_are_checked(call, error, name):
    with pytest.raises(error, match=name):
        call()


# ----------------------------------------------------------------------------- Gumbel-softmax and the text GAN
tf = pytest.importorskip("tensorflow")


def test_gumbel_softmax_gives_distributions_and_straight_through_one_hots():
    import keras

    from gan_helpers.text_gan import gumbel_softmax

    logits = tf.constant(np.random.default_rng(0).normal(size=(64, 7)), tf.float32)
    soft = gumbel_softmax(logits, 0.7, seed=keras.random.SeedGenerator(0)).numpy()
    assert soft.shape == (64, 7) and np.all(soft >= 0) and np.allclose(soft.sum(-1), 1, atol=1e-5)
    assert not np.all(np.isin(soft, (0.0, 1.0)))
    with tf.GradientTape() as tape:
        tape.watch(logits)
        hard = gumbel_softmax(logits, 0.7, hard=True, seed=keras.random.SeedGenerator(0))
        out = tf.reduce_sum(hard * tf.range(7, dtype=tf.float32))
    grad = tape.gradient(out, logits).numpy()
    assert np.all(np.isin(hard.numpy(), (0.0, 1.0))) and np.allclose(hard.numpy().sum(-1), 1)
    assert np.array_equal(hard.numpy().argmax(-1), soft.argmax(-1))  # same noise -> same sample
    assert np.all(np.isfinite(grad)) and np.abs(grad).sum() > 0      # the straight-through gradient


def test_low_temperature_approaches_the_argmax_sample_and_its_statistics():
    from gan_helpers.text_gan import gumbel_noise, gumbel_softmax

    logits = tf.constant([[1.5, 0.5, 0.0, -1.0]] * 20_000)
    noise = gumbel_noise(logits.shape, seed=3)
    cold = gumbel_softmax(logits, 0.01, noise=noise).numpy()
    hard = gumbel_softmax(logits, 0.01, hard=True, noise=noise).numpy()
    assert cold.max(-1).mean() > 0.99 and np.abs(cold - hard).mean() < 0.01
    frequencies = hard.mean(axis=0)  # the Gumbel-max trick: argmax samples follow softmax(logits)
    assert np.abs(frequencies - tf.nn.softmax(logits[0]).numpy()).max() < 0.015
    warm = gumbel_softmax(logits, 50.0, noise=noise).numpy()
    assert warm.max(-1).mean() < 0.3  # a high temperature flattens the sample towards uniform (0.25)


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), "1"])
def test_gumbel_softmax_rejects_bad_temperatures(temperature):
    from gan_helpers.text_gan import gumbel_softmax

    with pytest.raises(ValueError, match="temperature"):
        gumbel_softmax(tf.zeros((2, 3)), temperature)


def test_text_gan_pieces_on_a_tiny_corpus(tmp_path):
    import keras

    from gan_helpers.text_gan import (OneHotEmbedding, TextDiscriminator, TextGenerator, make_gan_step, make_mle_step,
                                      mle_loss)

    path = tmp_path / "tiny.txt"
    path.write_text("the cat sleeps.\nthe dog runs.\na bird sings today.\n", encoding="utf-8")
    corpus = load_corpus(path, 6)
    V, T = len(corpus.vocab), corpus.ids.shape[1]
    keras.utils.set_random_seed(0)
    embedding = OneHotEmbedding(V, 4)
    ids = tf.constant(corpus.ids)
    assert np.allclose(embedding(ids), embedding(tf.one_hot(ids, V)), atol=1e-6)

    generator, discriminator = TextGenerator(V, T, embed_dim=8, units=16), TextDiscriminator(V, T, filters=8)
    fake = generator.generate(32, 1.0, seed=keras.random.SeedGenerator(1)).numpy()
    assert fake.shape == (32, T, V) and np.all(np.isin(fake, (0.0, 1.0))) and np.allclose(fake.sum(-1), 1)
    fake_ids = fake.argmax(-1)
    assert not np.isin(fake_ids, (corpus.vocab.bos_id, corpus.vocab.unk_id)).any()
    for row in fake_ids:  # after <eos> only <pad>; <pad> never before <eos>
        eos = np.flatnonzero(row == corpus.vocab.eos_id)
        tail = row[eos[0] + 1:] if len(eos) else []
        head = row[:eos[0]] if len(eos) else row
        assert np.all(np.asarray(tail) == corpus.vocab.pad_id) and not np.any(head == corpus.vocab.pad_id)
    with pytest.raises(ValueError, match="temperature"):
        generator.sample_ids(4, temperature=0.0)

    before = float(mle_loss(generator, ids))
    step = make_mle_step(generator, keras.optimizers.Adam(0.02))
    for _ in range(60):
        step(ids)
    assert float(mle_loss(generator, ids)) < 0.5 * before  # it memorizes three sentences
    learned = corpus.to_words(generator.sample_ids(50, temperature=0.5, seed=2).numpy())
    assert np.mean([w in corpus.words for w in learned]) > 0.8

    weights = [w.copy() for w in generator.get_weights()]
    gan_step = make_gan_step(generator, discriminator, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                             keras.random.SeedGenerator(4))
    d_loss, g_loss, d_real, d_fake = (float(v) for v in gan_step(ids, tf.constant(0.5)))
    assert all(np.isfinite([d_loss, g_loss, d_real, d_fake])) and 0 < d_real < 1 and 0 < d_fake < 1
    changed = [not np.allclose(a, b) for a, b in zip(weights, generator.get_weights())]
    assert all(changed), "every generator weight must get a gradient through the Gumbel-softmax samples"


# ----------------------------------------------------------------------------- oracle NLL, test NLL, REINFORCE
def test_oracle_nll_of_hand_computed_sentences():
    # S -> SUBJ_sg VP_sg "." (0.6); SUBJ_sg -> NAME (0.1); NAME: 12 words; VP_sg -> VI_sg (0.15); VI_sg: 16 words
    assert grammar.oracle_nll("alice sleeps .".split()) == pytest.approx(-math.log(0.6 * 0.1 / 12 * 0.15 / 16))
    # S -> SUBJ_pl VP_pl "." (0.4); SUBJ_pl -> NP_pl_animate (0.85) -> DET_pl (14 words) NOM_pl_animate (1.0);
    # NOM_pl_animate -> N_pl_animate (0.6; 40 words); VP_pl -> VI_pl (0.15; 16 words)
    expected = 0.4 * 0.85 * 1.0 / 14 * 0.6 / 40 * 0.15 / 16
    assert grammar.oracle_log_prob("the cats sleep .".split()) == pytest.approx(math.log(expected))
    # "an old dog": NP_sg_animate -> "an" NOM_sg_animate_V (0.10) -> ADJ_V N_sg_animate (0.4)
    adj_v = len(grammar.LEXICON["ADJ_V"])
    expected = 0.6 * 0.75 * 0.10 * 0.4 / adj_v / 40 * 0.15 / 16
    assert grammar.oracle_nll("an old dog runs .".split()) == pytest.approx(-math.log(expected))
    for bad in ("the cats sleeps .", "alice sleeps", "sleeps alice .", "a old dog runs ."):
        assert grammar.oracle_nll(bad.split()) == math.inf and grammar.count_derivations(bad.split()) == 0


def _sample_with_log_prob(rng):
    """Sample a sentence top-down as generate_sentences does, adding up the log-probability of each choice."""
    tokens, log_p = [], 0.0

    def expand(symbol):
        nonlocal log_p
        rules = grammar.GRAMMAR.get(symbol)
        if rules is None:
            tokens.append(symbol)
            return
        k = rng.choice(len(rules), p=[p for _, p in rules])
        log_p += math.log(rules[k][1])
        for s in rules[k][0]:
            expand(s)

    expand(grammar.START)
    return tokens, log_p


def test_oracle_log_prob_is_the_probability_of_the_sampled_derivation():
    rng = np.random.default_rng(4)
    for _ in range(200):
        tokens, log_p = _sample_with_log_prob(rng)
        assert grammar.count_derivations(tokens) == 1          # one derivation: its probability is the sentence's
        assert grammar.oracle_log_prob(tokens) == pytest.approx(log_p, rel=1e-9)


def test_oracle_sums_over_derivations_of_an_ambiguous_grammar(monkeypatch):
    toy = {"S": ((("X", "."), 0.5), (("Y", "."), 0.3), (("Z",), 0.2)),
           "X": ((("a", "b"), 1.0),), "Y": ((("a", "W"), 1.0),), "W": ((("b",), 0.5), (("c",), 0.5)),
           "Z": ((("a", "b", "."), 1.0),)}
    monkeypatch.setattr(grammar, "GRAMMAR", toy)
    monkeypatch.setattr(grammar, "LEXICON", {})
    monkeypatch.setattr(grammar, "_LEXICON_SETS", {})
    # "a b ." has three derivations: X (0.5), Y with W -> b (0.3 * 0.5) and Z (0.2)
    assert grammar.count_derivations(["a", "b", "."]) == 3
    assert grammar.oracle_log_prob(["a", "b", "."]) == pytest.approx(math.log(0.5 + 0.15 + 0.2))
    assert grammar.oracle_log_prob(["a", "c", "."]) == pytest.approx(math.log(0.15))


def test_oracle_nll_summary_by_hand():
    good = "alice sleeps .".split()
    nll = -math.log(0.6 * 0.1 / 12 * 0.15 / 16)
    s = grammar.oracle_nll_summary([good, good, "the cats sleeps .".split(), "alice sleeps".split()])
    assert s["invalid"] == 0.5 and s["n"] == 4
    assert s["per_sentence"] == pytest.approx(nll) and s["per_token"] == pytest.approx(nll / 3)
    s = grammar.oracle_nll_summary([good, "bob runs .".split() + []])
    assert s["per_token"] == pytest.approx(2 * nll / 6)   # bob/runs: same rule probabilities and word counts
    assert grammar.oracle_nll_summary([["x", "."]])["per_token"] == math.inf
    with pytest.raises(TypeError):
        grammar.oracle_nll_summary("alice sleeps .")
    with pytest.raises(TypeError, match="tokens"):
        grammar.oracle_nll("alice sleeps .")


def test_length_matched_keeps_the_common_length_histogram():
    from gan_helpers.text import length_matched

    a = [["x", "."], ["y", "z", "."], ["q", "."], ["p", "r", "."], ["s", "t", "u", "."]]
    b = [["x", "."], ["u", "v", "w", "."], ["k", "l", "."]]
    out = length_matched({"a": a, "b": b}, seed=1)
    for name in out:
        assert sorted(len(s) for s in out[name]) == [2, 3, 4]
    assert out["b"] == b                       # b is the limiting set: all of it is kept, in order
    assert all(s in a for s in out["a"]) and len({tuple(s) for s in out["a"]}) == 3
    assert length_matched({"a": a}, seed=0)["a"] == a
    with pytest.raises(TypeError):
        length_matched([a, b])


def test_sequence_nll_is_a_normalized_log_probability_and_matches_mle_loss():
    import itertools

    import keras

    from gan_helpers.text_gan import TextGenerator, mle_loss, sequence_nll

    keras.utils.set_random_seed(0)
    V, T = 7, 3                                   # <pad> <bos> <eos> <unk> + 3 words
    g = TextGenerator(V, T, embed_dim=4, units=8)
    rows = []
    for n in range(T + 1):                        # n words, then <eos> (if it fits), then <pad>
        for words in itertools.product([4, 5, 6], repeat=n):
            if n < T:
                rows.append(list(words) + [2] + [0] * (T - n - 1))
            else:
                rows.append(list(words))
    nll = sequence_nll(g, tf.constant(rows)).numpy()
    assert nll.shape == (len(rows),) and np.all(nll > 0)
    assert np.exp(-nll).sum() == pytest.approx(1.0, abs=1e-4)  # every sentence the generator can write, summed
    ids = tf.constant(rows[:9])
    mask = (np.asarray(rows[:9]) != 0).sum()
    assert float(mle_loss(g, ids)) == pytest.approx(sequence_nll(g, ids).numpy().sum() / mask, rel=1e-5)
    # the sampler's frequencies follow exp(-nll): the most likely sentence is drawn most often
    samples = g.sample_ids(4000, seed=3).numpy().tolist()
    counts = Counter(map(tuple, samples))
    top = max(range(len(rows)), key=lambda i: -nll[i])
    assert counts[tuple(rows[top])] / 4000 == pytest.approx(np.exp(-nll[top]), abs=0.03)


def test_reinforce_step_trains_the_generator_and_tracks_a_baseline(tmp_path):
    import keras

    from gan_helpers.text_gan import TextDiscriminator, TextGenerator, make_reinforce_step

    path = tmp_path / "tiny.txt"
    path.write_text("the cat sleeps.\nthe dog runs.\na bird sings today.\n", encoding="utf-8")
    corpus = load_corpus(path, 6)
    V, T = len(corpus.vocab), corpus.ids.shape[1]
    keras.utils.set_random_seed(0)
    generator, discriminator = TextGenerator(V, T, embed_dim=8, units=16), TextDiscriminator(V, T, filters=8)
    weights = [w.copy() for w in generator.get_weights()]
    step = make_reinforce_step(generator, discriminator, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                               keras.random.SeedGenerator(4), baseline_decay=0.5)
    ids = tf.constant(corpus.ids)
    d_loss, g_loss, d_real, reward = (float(v) for v in step(ids, tf.constant(1.0)))
    assert all(np.isfinite([d_loss, g_loss])) and 0 < d_real < 1 and 0 < reward < 1
    assert float(step.baseline) == pytest.approx(reward, rel=1e-5)   # started at the first batch's mean reward
    assert all(not np.allclose(a, b) for a, b in zip(weights, generator.get_weights()))
    _, _, _, reward2 = (float(v) for v in step(ids, tf.constant(1.0)))
    assert float(step.baseline) == pytest.approx(0.5 * reward + 0.5 * reward2, rel=1e-5)
    with pytest.raises(ValueError, match="baseline_decay"):
        make_reinforce_step(generator, discriminator, keras.optimizers.Adam(), keras.optimizers.Adam(),
                            keras.random.SeedGenerator(0), baseline_decay=1.0)
