"""A small probabilistic context-free grammar of English sentences, written for this course.

It generates the shipped corpus ``gan_helpers/resources/grammar_sentences.txt`` (``tools/make_grammar_corpus.py``)
and, because the grammar is known, lets notebook 04 check *exactly* whether a generated
sentence is grammatical -- the "CFG validity" of Texygen (Zhu et al., "Texygen: A Benchmarking
Platform for Text Generation Models", SIGIR 2018), here with a hand-written grammar.

The grammar (316 words, sentences of 3 to 12 tokens) has the agreements a language model
must learn, and nothing else::

    S        -> NP_sg VP_sg "." | NP_pl VP_pl "."
    NP_sg    -> DET_sg NOM_sg_animate | NAME | DET_sg N_sg_animate "who" VI_sg     (same for _pl, no NAME)
    VP_sg    -> VI_sg [ADV | PP] | VT_sg OBJ [ADV | PP]
    OBJ      -> DET_sg NOM_sg | DET_pl NOM_pl | NAME           (animals, people or things)
    PP       -> PREP DET_place PLACE

* number agreement of subject and verb, also across a relative clause ("the dogs who sleep see
  ...") and of determiner and noun ("these dogs", not "this dogs"; "every dog", not "every dogs");
* "a" before a consonant, "an" before a vowel ("an old dog", "a dog");
* only animals and people are subjects; places only follow a preposition; transitive verbs need
  an object, intransitive ones take none.

:func:`generate_sentences` samples it with a seed; :func:`is_grammatical` is an exact recognizer
(a memoized top-down parser; the grammar has no left recursion); :func:`count_sentences` counts
the sentences it can generate (8.2 x 10^13: any training set is a tiny part of it).

Because the grammar is probabilistic, the exact probability of any sentence is known:
:func:`oracle_log_prob` sums, by the inside algorithm, the probabilities of all derivations of the
sentence (the product of the probabilities of the rules used; a lexicon rule picks each of its
words with equal probability). :func:`oracle_nll` is ``-log p_grammar(sentence)`` in nats
(``inf`` for a sentence the grammar cannot generate) and :func:`oracle_nll_summary` the
"oracle NLL" of a set of generated sentences, the measure of SeqGAN (Yu et al., AAAI 2017),
which scored generators against a known random LSTM "oracle"; here the oracle is this grammar.

Defined in: ``notebooks/04_text_gan.ipynb`` (the grammar corpus and grammar validity).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gan_helpers.params import is_integer, positive_integer

__all__ = ["GRAMMAR", "LEXICON", "START", "MAX_TOKENS", "CORPUS_SIZE", "CORPUS_SEED", "generate_sentences",
           "is_grammatical", "count_sentences", "vocabulary", "detokenize", "corpus_lines", "oracle_log_prob",
           "oracle_nll", "count_derivations", "oracle_nll_summary"]

# ----------------------------------------------------------------------------- the words
_ANIMATE = [  # (singular, plural)
    ("cat", "cats"), ("dog", "dogs"), ("bird", "birds"), ("horse", "horses"), ("rabbit", "rabbits"),
    ("fox", "foxes"), ("mouse", "mice"), ("wolf", "wolves"), ("bear", "bears"), ("duck", "ducks"),
    ("goat", "goats"), ("owl", "owls"), ("frog", "frogs"), ("lion", "lions"), ("tiger", "tigers"),
    ("monkey", "monkeys"), ("eagle", "eagles"), ("child", "children"), ("man", "men"), ("woman", "women"),
    ("farmer", "farmers"), ("teacher", "teachers"), ("student", "students"), ("doctor", "doctors"),
    ("artist", "artists"), ("baker", "bakers"), ("sailor", "sailors"), ("king", "kings"),
    ("queen", "queens"), ("robot", "robots"), ("girl", "girls"), ("boy", "boys"), ("poet", "poets"),
    ("pilot", "pilots"), ("nurse", "nurses"), ("elephant", "elephants"), ("cook", "cooks"),
    ("singer", "singers"), ("neighbor", "neighbors"), ("uncle", "uncles"),
]
_THINGS = [
    ("apple", "apples"), ("book", "books"), ("ball", "balls"), ("box", "boxes"), ("letter", "letters"),
    ("song", "songs"), ("story", "stories"), ("cake", "cakes"), ("key", "keys"), ("hat", "hats"),
    ("stone", "stones"), ("flower", "flowers"), ("map", "maps"), ("picture", "pictures"),
    ("lamp", "lamps"), ("basket", "baskets"), ("coin", "coins"), ("bottle", "bottles"), ("shoe", "shoes"),
    ("kite", "kites"), ("orange", "oranges"), ("umbrella", "umbrellas"), ("egg", "eggs"),
    ("onion", "onions"), ("candle", "candles"),
]
_PLACES = ["garden", "river", "forest", "house", "market", "park", "school", "bridge", "village",
           "kitchen", "library", "hill", "lake", "road", "station", "tower", "beach", "field", "castle",
           "island", "office", "orchard"]
_ADJECTIVES = ["old", "young", "small", "big", "happy", "sad", "quiet", "loud", "clever", "lazy", "brave",
               "kind", "red", "green", "blue", "white", "black", "tall", "tiny", "strange", "friendly",
               "hungry", "sleepy", "busy", "gentle", "shy", "proud", "wild", "angry", "elegant", "honest",
               "ugly", "orange", "ancient", "empty", "clean"]
_TRANSITIVE = [  # (3rd person singular, plural)
    ("sees", "see"), ("likes", "like"), ("finds", "find"), ("carries", "carry"), ("wants", "want"),
    ("watches", "watch"), ("follows", "follow"), ("holds", "hold"), ("paints", "paint"), ("loves", "love"),
    ("hides", "hide"), ("drops", "drop"), ("brings", "bring"), ("forgets", "forget"), ("chases", "chase"),
    ("remembers", "remember"), ("buys", "buy"), ("sells", "sell"), ("draws", "draw"), ("needs", "need"),
]
_INTRANSITIVE = [
    ("sleeps", "sleep"), ("sings", "sing"), ("runs", "run"), ("laughs", "laugh"), ("waits", "wait"),
    ("dances", "dance"), ("smiles", "smile"), ("walks", "walk"), ("jumps", "jump"), ("swims", "swim"),
    ("cries", "cry"), ("rests", "rest"), ("works", "work"), ("plays", "play"), ("sits", "sit"),
    ("arrives", "arrive"),
]
_ADVERBS = ["quietly", "slowly", "happily", "often", "sometimes", "today", "again", "loudly", "quickly",
            "yesterday", "early", "late", "alone", "together"]
_PREPOSITIONS = ["in", "near", "behind", "under", "beside", "across", "inside", "outside", "into"]
_NAMES = ["alice", "bob", "carol", "dave", "emma", "frank", "grace", "henry", "ivy", "jack", "oscar", "lucy"]
_DET_SG = ["the", "this", "that", "every", "one", "my", "your", "our", "his", "her", "their"]
_DET_PL = ["the", "these", "those", "some", "many", "two", "three", "all", "my", "your", "our", "his",
           "her", "their"]
_DET_PLACE = ["the", "this", "that", "our", "their", "my"]


def _starts_with_vowel(word):
    return word[0] in "aeiou"


def _split(words):
    """(words starting with a consonant, words starting with a vowel)."""
    return [w for w in words if not _starts_with_vowel(w)], [w for w in words if _starts_with_vowel(w)]


def _lexicon():
    lex = {}
    for kind, pairs in (("animate", _ANIMATE), ("thing", _THINGS)):
        for number, index in (("sg", 0), ("pl", 1)):
            words = [p[index] for p in pairs]
            lex[f"N_{number}_{kind}"] = words
            if number == "sg":
                lex[f"N_sg_{kind}_C"], lex[f"N_sg_{kind}_V"] = _split(words)
    lex["ADJ"] = list(_ADJECTIVES)
    lex["ADJ_C"], lex["ADJ_V"] = _split(_ADJECTIVES)
    for name, pairs in (("VT", _TRANSITIVE), ("VI", _INTRANSITIVE)):
        lex[f"{name}_sg"], lex[f"{name}_pl"] = [p[0] for p in pairs], [p[1] for p in pairs]
    lex.update(PLACE=list(_PLACES), ADV=list(_ADVERBS), PREP=list(_PREPOSITIONS), NAME=list(_NAMES),
               DET_sg=list(_DET_SG), DET_pl=list(_DET_PL), DET_place=list(_DET_PLACE))
    return {k: tuple(v) for k, v in lex.items()}


LEXICON = _lexicon()
"""Pre-terminal -> the words it rewrites to (each with equal probability)."""

START = "S"
CORPUS_SIZE, CORPUS_SEED = 8000, 0
"""Size and seed of the shipped corpus ``gan_helpers/resources/grammar_sentences.txt``."""
MAX_TOKENS = 12
"""The longest sentence the grammar can generate, in tokens (the final "." included)."""


def _noun_phrases(kind, with_plural=True):
    """Rules for NP_sg_<kind> and NP_pl_<kind>: optional adjective, a/an agreement."""
    rules = {
        f"NP_sg_{kind}": [(("DET_sg", f"NOM_sg_{kind}"), 0.75), (("a", f"NOM_sg_{kind}_C"), 0.15),
                          (("an", f"NOM_sg_{kind}_V"), 0.10)],
        f"NOM_sg_{kind}": [((f"N_sg_{kind}",), 0.6), (("ADJ", f"N_sg_{kind}"), 0.4)],
        f"NOM_sg_{kind}_C": [((f"N_sg_{kind}_C",), 0.6), (("ADJ_C", f"N_sg_{kind}"), 0.4)],
        f"NOM_sg_{kind}_V": [((f"N_sg_{kind}_V",), 0.6), (("ADJ_V", f"N_sg_{kind}"), 0.4)],
    }
    if with_plural:
        rules[f"NP_pl_{kind}"] = [(("DET_pl", f"NOM_pl_{kind}"), 1.0)]
        rules[f"NOM_pl_{kind}"] = [((f"N_pl_{kind}",), 0.6), (("ADJ", f"N_pl_{kind}"), 0.4)]
    return rules


def _grammar():
    g = {
        "S": [(("SUBJ_sg", "VP_sg", "."), 0.6), (("SUBJ_pl", "VP_pl", "."), 0.4)],
        "OBJ": [(("NP_sg_animate",), 0.3), (("NP_pl_animate",), 0.2), (("NP_sg_thing",), 0.25),
                (("NP_pl_thing",), 0.15), (("NAME",), 0.1)],
        "PP": [(("PREP", "DET_place", "PLACE"), 1.0)],
    }
    for n in ("sg", "pl"):
        subject = [((f"NP_{n}_animate",), 0.75 if n == "sg" else 0.85),
                   (("DET_sg" if n == "sg" else "DET_pl", f"N_{n}_animate", "who", f"VI_{n}"), 0.15)]
        if n == "sg":
            subject.append((("NAME",), 0.10))
        g[f"SUBJ_{n}"] = subject
        g[f"VP_{n}"] = [((f"VI_{n}",), 0.15), ((f"VI_{n}", "ADV"), 0.15), ((f"VI_{n}", "PP"), 0.15),
                        ((f"VT_{n}", "OBJ"), 0.30), ((f"VT_{n}", "OBJ", "ADV"), 0.10),
                        ((f"VT_{n}", "OBJ", "PP"), 0.15)]
    g.update(_noun_phrases("animate"))
    g.update(_noun_phrases("thing"))
    for lhs, words in LEXICON.items():
        g[lhs] = [((w,), 1.0 / len(words)) for w in words]
    return {lhs: tuple((tuple(rhs), float(p)) for rhs, p in rules) for lhs, rules in g.items()}


GRAMMAR = _grammar()
"""Non-terminal -> ((right-hand side, probability), ...). A symbol not in GRAMMAR is a word."""


def vocabulary():
    """Every word the grammar can produce (sorted)."""
    return sorted({s for rules in GRAMMAR.values() for rhs, _ in rules for s in rhs if s not in GRAMMAR})


def _check_grammar():  # run at import: probabilities sum to 1, every symbol resolves
    for lhs, rules in GRAMMAR.items():
        total = sum(p for _, p in rules)
        if abs(total - 1.0) > 1e-9:
            raise AssertionError(f"rules of {lhs} sum to {total}")


_check_grammar()


# ----------------------------------------------------------------------------- sampling
def _expand(symbol, rng, out):
    rules = GRAMMAR.get(symbol)
    if rules is None:
        out.append(symbol)
        return
    probs = np.array([p for _, p in rules])
    rhs = rules[rng.choice(len(rules), p=probs)][0]
    for s in rhs:
        _expand(s, rng, out)


def generate_sentences(n, seed=0):
    """``n`` sentences sampled from the grammar, each a list of lowercase tokens ending in ".".

    Sentences are sampled independently (top-down, each rule with its probability) by a
    ``numpy.random.default_rng(seed)`` generator: the same ``n`` and ``seed`` always give the
    same list. Duplicates are possible (rare: the grammar has ~10^14 sentences).
    """
    n = positive_integer("n", n)
    if not is_integer(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    rng = np.random.default_rng(int(seed))
    sentences = []
    for _ in range(n):
        tokens = []
        _expand(START, rng, tokens)
        sentences.append(tokens)
    return sentences


# ----------------------------------------------------------------------------- recognizing
def _check_tokens(tokens):
    if isinstance(tokens, str) or not isinstance(tokens, Sequence):
        raise TypeError(f"tokens must be a list or tuple of str tokens (split the sentence first, e.g. with "
                        f"gan_helpers.data.tokenize); got {type(tokens).__name__}")
    if not all(isinstance(t, str) for t in tokens):
        raise TypeError("tokens must contain only str tokens")
    return tuple(tokens)


def is_grammatical(tokens):
    """True if the grammar generates exactly this token sequence (lowercase tokens, final ".").

    An exact recognizer: a top-down parser that, for every symbol and start position, memoizes
    the set of positions where a derivation of that symbol can end (the grammar has no left
    recursion, so this terminates; it is polynomial in the sentence length).
    """
    tokens = _check_tokens(tokens)
    if not 3 <= len(tokens) <= MAX_TOKENS:
        return False
    memo = {}

    def ends(symbol, i):
        key = (symbol, i)
        if key in memo:
            return memo[key]
        if symbol not in GRAMMAR:
            result = frozenset([i + 1]) if i < len(tokens) and tokens[i] == symbol else frozenset()
        elif symbol in LEXICON:
            result = frozenset([i + 1]) if i < len(tokens) and tokens[i] in _LEXICON_SETS[symbol] else frozenset()
        else:
            found = set()
            for rhs, _ in GRAMMAR[symbol]:
                positions = {i}
                for s in rhs:
                    positions = {e for p in positions for e in ends(s, p)}
                    if not positions:
                        break
                found |= positions
            result = frozenset(found)
        memo[key] = result
        return result

    return len(tokens) in ends(START, 0)


_LEXICON_SETS = {k: frozenset(v) for k, v in LEXICON.items()}


def _inside(tokens, rule_weight, word_weight):
    """Sum over all derivations of ``tokens`` from START of the product of weights (the inside
    algorithm, top-down and memoized): ``rule_weight(p)`` for a rule of probability p,
    ``word_weight(symbol)`` for a lexicon symbol rewriting to one word."""
    memo = {}

    def inside(symbol, i):  # {end position: summed weight of derivations of symbol over tokens[i:end]}
        key = (symbol, i)
        if key in memo:
            return memo[key]
        if symbol not in GRAMMAR:
            result = {i + 1: 1} if i < len(tokens) and tokens[i] == symbol else {}
        elif symbol in LEXICON:
            result = {i + 1: word_weight(symbol)} if i < len(tokens) and tokens[i] in _LEXICON_SETS[symbol] else {}
        else:
            result = {}
            for rhs, p in GRAMMAR[symbol]:
                partial = {i: rule_weight(p)}
                for s in rhs:
                    nxt = {}
                    for start, w in partial.items():
                        for end, w2 in inside(s, start).items():
                            nxt[end] = nxt.get(end, 0) + w * w2
                    partial = nxt
                    if not partial:
                        break
                for end, w in partial.items():
                    result[end] = result.get(end, 0) + w
        memo[key] = result
        return result

    return inside(START, 0).get(len(tokens), 0)


def oracle_log_prob(tokens):
    """``log p_grammar(tokens)`` in nats: the exact probability that the grammar samples this
    token sequence, summed over all its derivations; ``-inf`` if the grammar cannot generate it.

    Every rule contributes its probability; a lexicon symbol (e.g. ``N_sg_animate``) picks each of
    its words with probability 1 / (number of its words). Summing in the probability domain is
    exact here: the least likely sentences have probabilities above 10^-30.
    """
    tokens = _check_tokens(tokens)
    if not 3 <= len(tokens) <= MAX_TOKENS:
        return float("-inf")
    p = _inside(tokens, lambda q: q, lambda symbol: 1.0 / len(LEXICON[symbol]))
    return float(np.log(p)) if p > 0 else float("-inf")


def oracle_nll(tokens):
    """``-log p_grammar(tokens)`` in nats for one sentence (``inf`` if it is not grammatical)."""
    return -oracle_log_prob(tokens)


def count_derivations(tokens):
    """Number of different derivations (parse trees) of ``tokens``: 0 = not grammatical,
    1 = unambiguous, more = the grammar is ambiguous for this sentence."""
    tokens = _check_tokens(tokens)
    if not 3 <= len(tokens) <= MAX_TOKENS:
        return 0
    return int(_inside(tokens, lambda q: 1, lambda symbol: 1))


def oracle_nll_summary(sentences):
    """The oracle NLL of a set of sentences (lists of tokens), in nats.

    Returns ``{"invalid": share the grammar cannot generate (their NLL is infinite),
    "per_sentence": mean -log p over the grammatical sentences, "per_token": their summed -log p
    divided by their summed number of tokens (the final "." counts as a token), "n": sentences}``.
    The NLL is averaged over grammatical sentences only, so always read it next to ``invalid``;
    both are ``nan``-free as long as one sentence is grammatical (else the NLL entries are ``inf``).
    """
    if isinstance(sentences, str) or not isinstance(sentences, Sequence) or not sentences:
        raise TypeError("sentences must be a non-empty list of token lists")
    nll = [oracle_nll(s) for s in sentences]
    valid = [(x, len(s)) for x, s in zip(nll, sentences) if np.isfinite(x)]
    if not valid:
        return {"invalid": 1.0, "per_sentence": float("inf"), "per_token": float("inf"), "n": len(nll)}
    return {"invalid": 1 - len(valid) / len(nll), "per_sentence": float(np.mean([x for x, _ in valid])),
            "per_token": float(sum(x for x, _ in valid) / sum(n for _, n in valid)), "n": len(nll)}


def count_sentences():
    """Number of different token sequences the grammar generates (an exact integer).

    Counted as derivations (products over each rule's right-hand side, sums over alternatives);
    the grammar is unambiguous, which ``tests/test_text.py`` checks on samples, so this is the
    number of sentences.
    """
    memo = {}

    def count(symbol):
        if symbol not in GRAMMAR:
            return 1
        if symbol not in memo:
            memo[symbol] = sum(int(np.prod([count(s) for s in rhs], dtype=object)) for rhs, _ in GRAMMAR[symbol])
        return memo[symbol]

    return count(START)


def detokenize(tokens):
    """Tokens -> one readable line: words joined by spaces, punctuation attached ("cat ." -> "cat.")."""
    tokens = _check_tokens(tokens)
    text = ""
    for t in tokens:
        text += t if (text == "" or (len(t) == 1 and not t.isalnum())) else " " + t
    return text


def corpus_lines(n=CORPUS_SIZE, seed=CORPUS_SEED):
    """``n`` sampled sentences as lines of text: detokenized, first letter and names capitalized.

    ``tools/make_grammar_corpus.py`` writes these lines to ``gan_helpers/resources/grammar_sentences.txt``;
    ``gan_helpers.data.tokenize`` turns each line back into exactly the sampled tokens.
    """
    names = set(LEXICON["NAME"])
    lines = []
    for tokens in generate_sentences(n, seed):
        text = detokenize([t.capitalize() if t in names else t for t in tokens])
        lines.append(text[0].upper() + text[1:])
    return lines
