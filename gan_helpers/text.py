"""Text corpora for the text GAN, and how to judge generated sentences (no TensorFlow here).

Corpus: :func:`load_corpus` reads any UTF-8 file with one sentence per line into word or
character units, a vocabulary and an id matrix; every problem with the file is a ``ValueError``
that names the notebook parameter (``corpus_path``) and the value.

Metrics, on sentences given as lists of word tokens (``gan_helpers.data.tokenize``):

- :func:`distinct_n` -- distinct n-grams / all n-grams of a set of sentences (Li et al., "A
  Diversity-Promoting Objective Function for Neural Conversation Models", NAACL 2016).
- :func:`sentence_bleu` and :func:`self_bleu` -- BLEU (Papineni et al., "BLEU: a Method for
  Automatic Evaluation of Machine Translation", ACL 2002) of each sentence against all the
  others of its own set: high self-BLEU = the sentences repeat each other (Zhu et al., "Texygen:
  A Benchmarking Platform for Text Generation Models", SIGIR 2018).
- :func:`ngram_validity` -- share of generated n-grams that occur in the training corpus.
- :func:`length_matched` -- subsets of several sentence sets with the same number of sentences of
  every length, so that distinct-n and self-BLEU compare diversity, not sentence length.
- :func:`text_metrics` -- all of the above plus grammar validity (exact, when a grammar is
  known), novelty (share of sentences not in the training set) and uniqueness.

Caccia et al., "Language GANs Falling Short" (ICLR 2020) is why quality alone or diversity
alone says nothing: a temperature knob trades one for the other, so generators are compared on
a quality-diversity curve.

Defined in: ``notebooks/04_text_gan.ipynb`` (section "Measuring sentences").
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gan_helpers.data import Vocabulary, load_text, pad_sequences, resource_path, tokenize
from gan_helpers.params import positive_integer

__all__ = ["Corpus", "load_corpus", "ngrams", "distinct_n", "sentence_bleu", "self_bleu", "ngram_validity",
           "novelty", "text_metrics", "length_matched"]


# ----------------------------------------------------------------------------- corpus
@dataclass
class Corpus:
    """A corpus ready for a sequence model.

    ``units`` are what the model reads and writes (words or characters); ``words`` are the
    word tokens of each sentence, used by every metric whatever the level; ``ids`` is an int32
    matrix (N, max_length + 1): the units, ``<eos>``, then ``<pad>``. ``name`` is the file's stem
    (``"grammar_sentences"`` for the shipped corpus), for naming outputs.
    """

    sentences: list
    level: str
    units: list
    words: list
    vocab: Vocabulary
    ids: np.ndarray
    name: str = "corpus"

    def to_units(self, id_rows):
        """Rows of ids -> lists of units, stopping at ``<eos>``."""
        return [self.vocab.decode([int(i) for i in row]) for row in np.asarray(id_rows)]

    def to_words(self, id_rows):
        """Rows of ids -> word tokens (characters are joined and re-tokenized first)."""
        units = self.to_units(id_rows)
        return units if self.level == "word" else [tokenize("".join(u)) for u in units]


def load_corpus(corpus_path, max_length, level="word"):
    """Read ``corpus_path`` (UTF-8, one sentence per line) for a model of ``max_length`` units.

    An empty ``corpus_path`` (``""``) reads the corpus shipped in the package: 8,000 sentences of the
    course grammar (:mod:`gan_helpers.grammar`), so the default works wherever the package is installed.

    ``level="word"``: units are :func:`gan_helpers.data.tokenize` tokens (lowercase words,
    punctuation apart); ``"char"``: the characters of the lowercased line. A missing, empty or
    binary file, one with fewer than 2 sentences, or a line of more than ``max_length`` units
    raises ``ValueError("Parameter 'corpus_path' ...")`` (lines are never silently cut).
    """
    if not isinstance(corpus_path, (str, os.PathLike)):
        raise TypeError(f"Parameter 'corpus_path' must be a path (str); got {corpus_path!r}")
    if level not in ("word", "char"):
        raise ValueError(f"Parameter 'level' must be 'word' or 'char'; got {level!r}")
    max_length = positive_integer("max_length", max_length)
    if isinstance(corpus_path, str) and corpus_path == "":
        corpus_path = resource_path("grammar_sentences.txt")
    where = f"Parameter 'corpus_path' = {str(corpus_path)!r}"
    try:
        text = load_text(corpus_path)
    except (FileNotFoundError, ValueError) as exc:
        raise ValueError(f"{where}: {exc} Give a UTF-8 text file with one sentence per line.") from None
    if len(text.sentences) < 2:
        raise ValueError(f"{where}: the corpus has {len(text.sentences)} sentence; at least 2 are needed.")
    units = text.tokens if level == "word" else [list(s.lower()) for s in text.sentences]
    lengths = [len(u) for u in units]
    longest = int(np.argmax(lengths))
    if lengths[longest] > max_length:
        raise ValueError(f"{where}: line {longest + 1} has {lengths[longest]} {level} units, more than "
                         f"max_length = {max_length} (the longest line has {lengths[longest]}); raise max_length "
                         "or shorten the line (lines are never cut silently).")
    vocab = Vocabulary(units)
    ids = pad_sequences([vocab.encode(u) for u in units], max_length + 1, pad_id=vocab.pad_id)
    words = text.tokens if level == "word" else [tokenize(s) for s in text.sentences]
    return Corpus(sentences=text.sentences, level=level, units=units, words=words, vocab=vocab, ids=ids,
                  name=os.path.splitext(os.path.basename(corpus_path))[0])


# ----------------------------------------------------------------------------- metrics
def _check_sentences(name, sentences, at_least=1):
    if isinstance(sentences, str) or not isinstance(sentences, Sequence):
        raise TypeError(f"{name} must be a list of token lists; got {type(sentences).__name__}")
    out = []
    for s in sentences:
        if isinstance(s, str) or not isinstance(s, Sequence) or not all(isinstance(t, str) for t in s):
            raise TypeError(f"{name} must be a list of token lists (lists of str), e.g. [['a', 'cat', '.']]; "
                            f"got an item {s!r}")
        out.append(tuple(s))
    if len(out) < at_least:
        raise ValueError(f"{name} must hold at least {at_least} sentence(s); got {len(out)}")
    return out


def ngrams(tokens, n):
    """The n-grams of one token sequence, as tuples (none if it is shorter than ``n``)."""
    n = positive_integer("n", n)
    tokens = tuple(tokens)
    return [tokens[i:i + n] for i in range(len(tokens) - n + 1)]


def distinct_n(sentences, n):
    """distinct-n = (number of different n-grams) / (number of n-grams), over all sentences.

    N-grams never cross sentence boundaries. 1.0 means no n-gram repeats; it depends on the
    amount of text, so compare sets of the same size. 0.0 for a set without any n-gram.
    (Li et al., NAACL 2016.)
    """
    sentences = _check_sentences("sentences", sentences)
    grams = [g for s in sentences for g in ngrams(s, n)]
    return len(set(grams)) / len(grams) if grams else 0.0


def _closest_length(candidates, length):
    """nltk's closest_ref_length: the reference length nearest to ``length``, the shorter on ties."""
    return min(candidates, key=lambda r: (abs(r - length), r))


def _bleu_from_counts(matches, totals, length, ref_length, max_n):
    if length == 0 or matches[0] == 0:
        return 0.0
    # "method1" smoothing of Chen & Cherry (2014), as in nltk and Texygen: 0 matches -> 0.1 matches
    log_p = sum(math.log((m if m > 0 else 0.1) / max(1, t)) for m, t in zip(matches, totals)) / max_n
    brevity = 1.0 if length > ref_length else math.exp(1 - ref_length / length)
    return brevity * math.exp(log_p)


def sentence_bleu(hypothesis, references, max_n=4):
    """BLEU-``max_n`` of one token list against a list of reference token lists.

    ``BLEU = BP * exp(sum_n (1/max_n) log p_n)`` with the clipped n-gram precision
    ``p_n = sum_g min(c_hyp(g), max_ref c_ref(g)) / max(1, sum_g c_hyp(g))`` and the brevity
    penalty ``BP = 1 if c > r else exp(1 - r/c)`` (c: hypothesis length, r: the closest
    reference length). A p_n with no match counts 0.1 matches ("method1" smoothing); no
    matching unigram at all gives 0. Same numbers as ``nltk.translate.bleu_score.sentence_bleu``
    with ``SmoothingFunction().method1``, Texygen's choice.
    """
    hyp = _check_sentences("hypothesis", [hypothesis])[0]
    refs = _check_sentences("references", references)
    max_n = positive_integer("max_n", max_n)
    matches, totals = [], []
    for n in range(1, max_n + 1):
        counts = Counter(ngrams(hyp, n))
        best = Counter()
        for r in refs:
            for g, c in Counter(ngrams(r, n)).items():
                best[g] = max(best[g], c)
        matches.append(sum(min(c, best[g]) for g, c in counts.items()))
        totals.append(sum(counts.values()))
    return _bleu_from_counts(matches, totals, len(hyp), _closest_length([len(r) for r in refs], len(hyp)), max_n)


def self_bleu(sentences, max_n=4):
    """Mean BLEU-``max_n`` of each sentence against all the *other* sentences of the set.

    0 = the sentences share nothing; 1 = every sentence also occurs elsewhere in the set (or
    is made of pieces that do). Equal to averaging :func:`sentence_bleu` over the set (Texygen's
    Self-BLEU, Zhu et al. 2018), computed in one pass: for every n-gram the largest and
    second-largest count over the sentences give its largest count over "all the others".
    """
    sents = _check_sentences("sentences", sentences, at_least=2)
    max_n = positive_integer("max_n", max_n)
    per_order = []
    for n in range(1, max_n + 1):
        counts = [Counter(ngrams(s, n)) for s in sents]
        top = {}  # n-gram -> [largest count, index holding it, second largest]
        for i, cnt in enumerate(counts):
            for g, c in cnt.items():
                t = top.setdefault(g, [0, -1, 0])
                if c > t[0]:
                    t[:] = [c, i, t[0]]
                elif c > t[2]:
                    t[2] = c
        matches = [sum(min(c, top[g][2] if top[g][1] == i else top[g][0]) for g, c in cnt.items())
                   for i, cnt in enumerate(counts)]
        per_order.append((matches, [sum(cnt.values()) for cnt in counts]))
    lengths = Counter(len(s) for s in sents)
    scores = []
    for i, s in enumerate(sents):
        others = [L for L, k in lengths.items() if k > (1 if L == len(s) else 0)]
        scores.append(_bleu_from_counts([m[i] for m, _ in per_order], [t[i] for _, t in per_order], len(s),
                                        _closest_length(others, len(s)), max_n))
    return float(np.mean(scores))


def ngram_validity(sentences, corpus_sentences, n=3):
    """Share of the n-grams of ``sentences`` that occur somewhere in ``corpus_sentences``.

    A grammar-free proxy for validity: 1.0 means every local piece was seen in training. It
    also punishes correct but new combinations, so read it next to the same number for real
    unseen sentences. ``nan`` if ``sentences`` has no n-gram.
    """
    sentences = _check_sentences("sentences", sentences)
    corpus = _check_sentences("corpus_sentences", corpus_sentences)
    seen = {g for s in corpus for g in ngrams(s, n)}
    grams = [g for s in sentences for g in ngrams(s, n)]
    return sum(g in seen for g in grams) / len(grams) if grams else float("nan")


def novelty(sentences, corpus_sentences):
    """Share of ``sentences`` that are not (token for token) a sentence of ``corpus_sentences``."""
    sentences = _check_sentences("sentences", sentences)
    known = set(_check_sentences("corpus_sentences", corpus_sentences))
    return sum(s not in known for s in sentences) / len(sentences)


def text_metrics(sentences, corpus_sentences, is_grammatical: Callable | None = None, ngram_n=3, bleu_n=4):
    """Every number of notebook 04 for one set of generated sentences (word token lists).

    Returns a dict: ``grammatical`` (share accepted by ``is_grammatical``; ``None`` when no
    grammar is known), ``ngram_valid`` (:func:`ngram_validity`), ``in_training`` (share identical
    to a training sentence), ``novel`` (1 - in_training), ``novel_grammatical`` (new *and*
    grammatical; ``None`` without grammar), ``unique`` (different sentences / all),
    ``distinct_1``, ``distinct_2``, ``self_bleu`` (BLEU-``bleu_n``), ``mean_length`` and ``n``.
    """
    sents = _check_sentences("sentences", sentences, at_least=2)
    corpus = _check_sentences("corpus_sentences", corpus_sentences)
    if is_grammatical is not None and not callable(is_grammatical):
        raise TypeError(f"is_grammatical must be a function of a token list, or None; got {is_grammatical!r}")
    known = set(corpus)
    new = [s not in known for s in sents]
    result = {"n": len(sents), "grammatical": None, "novel_grammatical": None}
    if is_grammatical is not None:
        ok = [bool(is_grammatical(list(s))) for s in sents]
        result["grammatical"] = float(np.mean(ok))
        result["novel_grammatical"] = float(np.mean([a and b for a, b in zip(ok, new)]))
    result.update(
        ngram_valid=ngram_validity(sents, corpus, ngram_n), in_training=1 - float(np.mean(new)),
        novel=float(np.mean(new)), unique=len(set(sents)) / len(sents), distinct_1=distinct_n(sents, 1),
        distinct_2=distinct_n(sents, 2), self_bleu=self_bleu(sents, bleu_n),
        mean_length=float(np.mean([len(s) for s in sents])))
    return result


def length_matched(sentence_sets, seed=0):
    """Subsets of several sets of sentences with *identical* length histograms.

    ``sentence_sets``: ``{name: [token list, ...]}``. For every length L, each set keeps
    ``min over the sets of (its number of sentences of length L)`` of its sentences of length L,
    drawn without replacement by ``numpy.random.default_rng(seed)`` (in their original order).
    Every returned set then has the same number of sentences and of n-grams of every order, so
    distinct-n and self-BLEU differ only through what the sentences say: shorter sentences have
    fewer n-grams and score as more diverse on distinct-n.
    """
    if not isinstance(sentence_sets, dict) or len(sentence_sets) < 1:
        raise TypeError("sentence_sets must be a non-empty dict {name: list of token lists}")
    sets = {name: _check_sentences(f"sentence_sets[{name!r}]", s) for name, s in sentence_sets.items()}
    counts = {name: Counter(len(x) for x in s) for name, s in sets.items()}
    keep = {L: min(c.get(L, 0) for c in counts.values()) for L in set().union(*counts.values())}
    rng = np.random.default_rng(seed)
    out = {}
    for name, s in sets.items():
        chosen = []
        for L in sorted(keep):
            if keep[L]:
                idx = [i for i, x in enumerate(s) if len(x) == L]
                chosen += list(rng.choice(idx, keep[L], replace=False))
        out[name] = [list(s[i]) for i in sorted(chosen)]
    return out
