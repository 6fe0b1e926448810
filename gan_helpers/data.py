"""Data sets for the course: MNIST (offline subset or full), a toy text corpus, 2-D mixtures.

Importing this module is cheap: it never imports TensorFlow/Keras (only the optional
full-MNIST download does, lazily), never seeds a global random generator and never
touches the network.
"""

import hashlib
import importlib.resources
import os
import re
import socket
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gan_helpers.params import is_integer, positive_number

__all__ = [
    "MNIST_SHA256", "MNIST_SUBSET_SHA256", "MNIST_URL", "RESOURCES", "resource_path", "sha256_of", "load_mnist",
    "tokenize", "Vocabulary", "pad_sequences", "TextCorpus", "load_text",
    "ring_modes", "grid_modes", "ring_of_gaussians", "grid_of_gaussians", "toy_distribution",
]

MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_SUBSET_SHA256 = "246e0c30eeea57c8d0037d3f38c8e00651ec204cc61b8022563e9aeeb9d756f4"
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
_REPO = Path(__file__).resolve().parent.parent  # the course's clone, when the package runs from one
RESTORE = ("restore it: in the course's folder `git checkout -- gan_helpers/resources/`; a package installed "
           "from the repository: pip install --force-reinstall --no-deps \"gan-helpers @ git+<repository URL>\"")
_HOW_TO = ("Copy mnist.npz (e.g. ~/.keras/datasets/mnist.npz from a machine with network) to "
           "~/.keras/datasets/mnist.npz ($KERAS_HOME/datasets/ when KERAS_HOME is set), or into datasets/mnist.npz "
           'of the course\'s folder, or pass path=...; the default source="subset" works offline.')
RESOURCES = ("mnist_subset.npz", "mnist_evaluator.weights.h5", "grammar_sentences.txt", "text_data.txt")
"""Files shipped inside the package (``gan_helpers/resources/``, in the wheel too)."""


def resource_path(name):
    """Path of a file shipped inside the package, one of :data:`RESOURCES`, found with
    ``importlib.resources`` (so it works from a clone, an editable install and a wheel alike)."""
    if name not in RESOURCES:
        raise ValueError(f"name must be one of {RESOURCES}; got {name!r}")
    path = Path(str(importlib.resources.files("gan_helpers") / "resources" / name))
    if not path.is_file():
        raise FileNotFoundError(f"{name} is missing from the installed package ({path}); {RESTORE}.")
    return path


def sha256_of(path):
    """Return the hex SHA-256 digest of the file at ``path`` (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ----------------------------------------------------------------------------- MNIST
def _subset_path():
    """Path of ``mnist_subset.npz`` shipped in the package."""
    return resource_path("mnist_subset.npz")


def _repo_mnist_path():
    """Where a manually provided full MNIST lives: ``<repo>/datasets/mnist.npz``."""
    return _REPO / "datasets" / "mnist.npz"


def _keras_home():
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()


def _scale(images):  # uint8-range pixels -> float32 in [-1, 1] with a channel axis
    return (np.asarray(images, dtype=np.float32) / 127.5 - 1.0)[..., None]


def _load_subset(test_size, seed):
    if not is_integer(test_size) or not 0 <= test_size <= 4990 or test_size % 10:
        raise ValueError("test_size must be an int between 0 and 4990 and a multiple of 10 "
                         f"(the split is stratified over 10 classes), got {test_size!r}")
    path = _subset_path()
    actual = sha256_of(path)
    if actual != MNIST_SUBSET_SHA256:
        raise ValueError(f"{path} has SHA-256 {actual}, expected {MNIST_SUBSET_SHA256}: the file "
                         f"is corrupt or a different version; {RESTORE}.")
    with np.load(path, allow_pickle=False) as npz:
        images, labels = npz["images"], npz["labels"].astype(np.int64)
    rng = np.random.default_rng(seed)
    per_class = int(test_size) // 10
    train_idx, test_idx = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        test_idx.append(idx[:per_class])
        train_idx.append(idx[per_class:])
    parts = [rng.permutation(np.concatenate(idx)) for idx in (train_idx, test_idx)]
    return tuple((_scale(images[idx]), labels[idx]) for idx in parts)


def _download_mnist(timeout):
    import keras  # lazy: importing TensorFlow takes seconds

    datadir = _keras_home() / "datasets"
    existed = datadir.exists()
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        return Path(keras.utils.get_file("mnist.npz", origin=MNIST_URL, file_hash=MNIST_SHA256,
                                         cache_dir=str(_keras_home()), cache_subdir="datasets"))
    except Exception as exc:
        if not existed and datadir.is_dir() and not any(datadir.iterdir()):
            datadir.rmdir()  # keras leaves an empty folder behind on failure
        cause = str(exc)[:200]
        raise RuntimeError(f"Full MNIST could not be downloaded ({cause}). {_HOW_TO}") from exc
    finally:
        socket.setdefaulttimeout(old_timeout)


def _read_npz(path, expected_sha256):
    if expected_sha256 is not None:
        actual = sha256_of(path)
        if actual != expected_sha256:
            raise ValueError(f"{path}: SHA-256 hash mismatch (expected {expected_sha256}, got "
                             f"{actual}); the file is corrupt or not the official mnist.npz "
                             "(delete it and retry).")
    with open(path, "rb") as fh:
        if fh.read(4) != b"PK\x03\x04":
            raise ValueError(f"{path} is not a valid .npz archive (truncated or wrong file).")
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise KeyError(missing)
            arrays = {k: npz[k] for k in keys}
    except KeyError as exc:
        raise ValueError(f"{path} lacks the arrays {exc.args[0]}; need {list(keys)}.") from None
    except Exception as exc:  # bad zip, object arrays (pickle refused), truncated members ...
        raise ValueError(f"{path} could not be read as a plain numeric .npz archive: "
                         f"{exc}") from None
    if expected_sha256 == MNIST_SHA256:
        want = {"x_train": (60000, 28, 28), "y_train": (60000,),
                "x_test": (10000, 28, 28), "y_test": (10000,)}
        bad = {k: arrays[k].shape for k in keys if arrays[k].shape != want[k]}
    else:
        bad = {k: arrays[k].shape for k in ("x_train", "x_test")
               if arrays[k].ndim != 3 or arrays[k].shape[1:] != (28, 28)}
        bad.update({k: arrays[k].shape for k in ("y_train", "y_test")
                    if arrays[k].ndim != 1 or len(arrays[k]) != len(arrays["x" + k[1:]])})
    bad.update({k: arrays[k].dtype for k in keys if not np.issubdtype(arrays[k].dtype, np.number)})
    if bad:
        raise ValueError(f"{path} has unexpected arrays {bad}: need 28x28 images and one "
                         "label per image.")
    return ((_scale(arrays["x_train"]), arrays["y_train"].astype(np.int64)),
            (_scale(arrays["x_test"]), arrays["y_test"].astype(np.int64)))


def load_mnist(source="subset", path=None, test_size=1000, seed=0, download=True, timeout=10.0,
               *, expected_sha256=MNIST_SHA256):
    """Load MNIST digits as float32 images in [-1, 1] with int64 labels.

    Parameters
    ----------
    source : {"subset", "full"}
        ``"subset"`` (default, offline): 5,000 real MNIST digits (500 per class) shipped
        inside this package (``resources/mnist_subset.npz``), split into train/test with a
        seeded, stratified split. ``"full"``: the
        official 60,000/10,000 split from keras' ``mnist.npz``; ``test_size`` and ``seed``
        are ignored. The file is looked up at ``path``, ``datasets/mnist.npz`` of the course's clone,
        ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras``), then downloaded.
    path : str or os.PathLike, optional
        Explicit ``mnist.npz``; must exist. Only with ``source="full"`` (else ValueError).
    test_size : int
        Subset only: number of test digits, multiple of 10 in [0, 4990].
    seed : int, optional
        Subset only: seed of the local generator that shuffles and splits.
    download : bool
        Full only: download when no local file is found.
    timeout : float
        Full only: socket timeout in seconds during the download.
    expected_sha256 : str or None
        Full only: required hash of the file (``None`` disables the check and the
        60000/10000 shape check, e.g. for small synthetic files).

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        Images of shape (N, 28, 28, 1), float32 in [-1, 1]; labels of shape (N,), int64.
    """
    if not isinstance(source, str) or source not in ("subset", "full"):
        raise ValueError(f'source must be "subset" or "full", got {source!r}')
    if source == "subset":
        if path is not None:
            raise ValueError(f'path={path!r} is only used with source="full" (source is "subset")')
        return _load_subset(test_size, seed)
    timeout = positive_number("timeout", timeout)
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        found = Path(path).expanduser()
        if not found.is_file():
            raise FileNotFoundError(f"path={str(path)!r}: no such file.")
    else:
        found = next((p for p in (_repo_mnist_path(), _keras_home() / "datasets" / "mnist.npz")
                      if p.is_file()), None)
        if found is None:
            if not download:
                raise FileNotFoundError("Full MNIST not found locally and download=False. "
                                        + _HOW_TO)
            found = _download_mnist(timeout)
    return _read_npz(found, expected_sha256)


# ----------------------------------------------------------------------------- text
_TOKEN_RE = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


def tokenize(sentence):
    """Lowercase word tokens, punctuation as separate tokens ("mat." -> ["mat", "."])."""
    if not isinstance(sentence, str):
        raise TypeError(f"sentence must be a str, got {type(sentence).__name__}")
    return _TOKEN_RE.findall(sentence.lower())


class Vocabulary:
    """Token <-> id mapping built from token lists.

    Ids 0..3 are ``<pad>``, ``<bos>``, ``<eos>``, ``<unk>``; then words by descending
    frequency, ties broken alphabetically (deterministic).
    """

    PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"

    def __init__(self, token_lists):
        specials = [self.PAD, self.BOS, self.EOS, self.UNK]
        counts = Counter(t for toks in token_lists for t in toks if t not in specials)
        words = sorted(counts, key=lambda t: (-counts[t], t))
        self.tokens = specials + words
        self._index = {t: i for i, t in enumerate(self.tokens)}
        self.pad_id, self.bos_id, self.eos_id, self.unk_id = 0, 1, 2, 3

    def __len__(self):
        return len(self.tokens)

    def __repr__(self):
        return f"Vocabulary({len(self)} tokens: {self.tokens[:8]}...)"

    def token_to_id(self, tok):
        """Id of ``tok``; unknown tokens map to the ``<unk>`` id."""
        return self._index.get(tok, self.unk_id)

    def id_to_token(self, i):
        """Token with id ``i`` (0 <= i < len(self))."""
        if not is_integer(i) or not 0 <= i < len(self):
            raise ValueError(f"i must be an int in [0, {len(self)}), got {i!r}")
        return self.tokens[int(i)]

    def encode(self, tokens, add_bos=False, add_eos=True):
        """List of ids for ``tokens``, optionally framed by ``<bos>``/``<eos>``."""
        ids = [self.token_to_id(t) for t in tokens]
        return ([self.bos_id] if add_bos else []) + ids + ([self.eos_id] if add_eos else [])

    def decode(self, ids, strip_special=True):
        """Tokens for ``ids``; ``strip_special`` stops at ``<eos>``, drops ``<pad>``/``<bos>``."""
        out = []
        for i in ids:
            if strip_special and i == self.eos_id:
                break
            if strip_special and i in (self.pad_id, self.bos_id):
                continue
            out.append(self.id_to_token(i))
        return out


def pad_sequences(seqs, max_length, pad_id=0, truncate=False):
    """Right-pad integer sequences into an int32 array of shape (N, max_length).

    Sequences longer than ``max_length`` raise ValueError unless ``truncate=True``.
    """
    if not is_integer(max_length) or max_length < 1:
        raise ValueError(f"max_length must be a positive int, got {max_length!r}")
    seqs = [list(s) for s in seqs]
    longest = max((len(s) for s in seqs), default=0)
    if longest > max_length and not truncate:
        raise ValueError(f"max_length={max_length} is shorter than the longest sequence "
                         f"({longest}); raise max_length or pass truncate=True")
    out = np.full((len(seqs), max_length), pad_id, dtype=np.int32)
    for row, s in zip(out, seqs):
        s = s[:max_length]
        row[:len(s)] = s
    return out


@dataclass
class TextCorpus:
    """Sentences (raw lines), their tokens and the vocabulary built from them."""

    sentences: list
    tokens: list
    vocab: Vocabulary

    @property
    def max_tokens(self):
        """Number of tokens of the longest sentence (without special tokens)."""
        return max((len(t) for t in self.tokens), default=0)

    def encode(self, max_length=None, add_bos=False, add_eos=True, truncate=False):
        """All sentences as an int32 id matrix (N, max_length); None -> longest encoding."""
        seqs = [self.vocab.encode(t, add_bos=add_bos, add_eos=add_eos) for t in self.tokens]
        max_length = max([len(s) for s in seqs] + [1]) if max_length is None else max_length
        return pad_sequences(seqs, max_length, pad_id=self.vocab.pad_id, truncate=truncate)


def load_text(path=None, max_lines=None):
    """Load a one-sentence-per-line UTF-8 file (default: the five toy sentences shipped in the package).

    Blank lines are skipped and whitespace is stripped; ``max_lines`` keeps the first lines.
    """
    if path is None:
        path = resource_path("text_data.txt")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str, os.PathLike or None, got {type(path).__name__}")
    if max_lines is not None and (not is_integer(max_lines) or max_lines < 1):
        raise ValueError(f"max_lines must be a positive int or None, got {max_lines!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r}: no such file.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeError:
        text = "\x00"
    if "\x00" in text:
        raise ValueError(f"{path} is not a UTF-8 text file (binary or other encoding).")
    sentences = [line.strip() for line in text.splitlines() if line.strip()]
    if not sentences:
        raise ValueError(f"{path} is empty: it has no non-blank lines.")
    sentences = sentences[:max_lines]
    tokens = [tokenize(s) for s in sentences]
    return TextCorpus(sentences=sentences, tokens=tokens, vocab=Vocabulary(tokens))


# ----------------------------------------------------------------------------- 2-D toys
def ring_modes(n_modes=8, radius=1.0):
    """(n_modes, 2) float32 centres on a circle, at angles 2*pi*k/n_modes."""
    if not is_integer(n_modes) or n_modes < 1:
        raise ValueError(f"n_modes must be a positive int, got {n_modes!r}")
    radius = positive_number("radius", radius)
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


def grid_modes(size=5, spacing=2.0):
    """(size*size, 2) float32 centres of a square grid centred on 0 ({-4,...,4}^2 by default)."""
    if not is_integer(size) or size < 1:
        raise ValueError(f"size must be a positive int, got {size!r}")
    spacing = positive_number("spacing", spacing)
    coords = (np.arange(size) - (size - 1) / 2) * spacing
    gx, gy = np.meshgrid(coords, coords, indexing="ij")
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)


def _sample_mixture(modes, n, std, seed):
    if not is_integer(n) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    std = positive_number("std", std)
    if not (seed is None or is_integer(seed) or isinstance(seed, np.random.Generator)):
        raise TypeError(f"seed must be an int, None or np.random.Generator, got {seed!r}")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(modes), size=int(n)).astype(np.int64)
    samples = modes[labels] + rng.normal(0.0, std, size=(int(n), 2))
    return samples.astype(np.float32), labels


def ring_of_gaussians(n, n_modes=8, radius=1.0, std=0.01, seed=None):
    """``n`` samples of a ring mixture; returns (samples float32 (n, 2), labels int64 (n,))."""
    return _sample_mixture(ring_modes(n_modes, radius), n, std, seed)


def grid_of_gaussians(n, size=5, spacing=2.0, std=0.05, seed=None):
    """``n`` samples of a grid mixture; returns (samples float32 (n, 2), labels int64 (n,))."""
    return _sample_mixture(grid_modes(size, spacing), n, std, seed)


_TOYS = {"ring": (ring_of_gaussians, ring_modes, dict(n_modes=8, radius=1.0, std=0.01)),
         "grid": (grid_of_gaussians, grid_modes, dict(size=5, spacing=2.0, std=0.05))}


def toy_distribution(name, n, seed=None, **kw):
    """Sample the "ring" or "grid" toy; returns (samples, labels, modes, std)."""
    if not isinstance(name, str) or name not in _TOYS:
        raise ValueError(f"name must be one of {sorted(_TOYS)}, got {name!r}")
    sampler, mode_fn, params = _TOYS[name]
    unknown = sorted(set(kw) - set(params))
    if unknown:
        raise TypeError(f"toy_distribution({name!r}) got unexpected keyword(s) {unknown}; "
                        f"allowed: {sorted(params)}")
    params = {**params, **kw}
    samples, labels = sampler(n, seed=seed, **params)
    modes = mode_fn(**{k: v for k, v in params.items() if k != "std"})
    return samples, labels, modes, float(params["std"])
