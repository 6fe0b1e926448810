"""Tests for gan_helpers.data (fast; no network needed)."""

import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest

from gan_helpers import data


# ----------------------------------------------------------------------------- MNIST subset
@pytest.fixture(scope="module")
def subset():
    return data.load_mnist()


def test_subset_shapes_dtypes_range(subset):
    (x_tr, y_tr), (x_te, y_te) = subset
    assert x_tr.shape == (4000, 28, 28, 1) and x_te.shape == (1000, 28, 28, 1)
    assert y_tr.shape == (4000,) and y_te.shape == (1000,)
    assert x_tr.dtype == np.float32 and y_tr.dtype == np.int64
    assert x_tr.min() == -1.0 and x_tr.max() == 1.0
    assert x_te.min() == -1.0 and x_te.max() == 1.0


def test_subset_stratified_and_shuffled(subset):
    (x_tr, y_tr), (x_te, y_te) = subset
    assert np.bincount(y_tr, minlength=10).tolist() == [400] * 10
    assert np.bincount(y_te, minlength=10).tolist() == [100] * 10
    assert len(set(y_tr[:20].tolist())) > 1  # input rows are sorted by label
    assert len(set(y_te[:20].tolist())) > 1


def test_subset_train_test_disjoint(subset):
    (x_tr, _), (x_te, _) = subset
    train_rows = {row.tobytes() for row in x_tr}
    assert not any(row.tobytes() in train_rows for row in x_te)


def test_subset_seed_determinism(subset):
    (x_tr, y_tr), (x_te, y_te) = subset
    (x_tr2, y_tr2), (x_te2, y_te2) = data.load_mnist(seed=0)
    np.testing.assert_array_equal(x_tr, x_tr2)
    np.testing.assert_array_equal(y_te, y_te2)
    (x_tr3, y_tr3), _ = data.load_mnist(seed=1)
    assert not np.array_equal(y_tr, y_tr3)
    assert not np.array_equal(x_tr, x_tr3)


def test_subset_custom_test_size():
    (x_tr, y_tr), (x_te, y_te) = data.load_mnist(test_size=50, seed=3)
    assert x_tr.shape[0] == 4950 and x_te.shape[0] == 50
    assert np.bincount(y_te, minlength=10).tolist() == [5] * 10


@pytest.mark.parametrize("bad", [-10, 5, 4995, 5000, 100.0, "100", True, None])
def test_subset_bad_test_size(bad):
    with pytest.raises(ValueError, match="test_size"):
        data.load_mnist(test_size=bad)


def test_bad_source_and_path():
    with pytest.raises(ValueError, match="source"):
        data.load_mnist(source="fashion")
    with pytest.raises(ValueError, match="source"):
        data.load_mnist(source=None)
    with pytest.raises(ValueError, match="path"):
        data.load_mnist(path="mnist.npz")  # path only makes sense for source="full"


def test_subset_corrupt_file(tmp_path, monkeypatch):
    fake = tmp_path / "mnist_subset.npz"
    fake.write_bytes(b"not the real file")
    monkeypatch.setattr(data, "_subset_path", lambda: fake)
    with pytest.raises(ValueError, match="corrupt"):
        data.load_mnist()


def test_subset_missing_from_the_installation(tmp_path, monkeypatch):
    monkeypatch.setattr(data.importlib.resources, "files", lambda package: tmp_path)
    with pytest.raises(FileNotFoundError, match="git checkout -- gan_helpers/resources/"):
        data._subset_path()
    with pytest.raises(ValueError, match="must be one of"):
        data.resource_path("../pyproject.toml")


def test_shipped_resources_are_inside_the_package():
    package = pathlib.Path(data.__file__).resolve().parent
    for name in data.RESOURCES:
        assert data.resource_path(name).resolve() == package / "resources" / name


def test_subset_is_the_real_mnist_subset():
    with np.load(data._subset_path(), allow_pickle=False) as npz:
        assert npz["images"].shape == (5000, 28, 28) and npz["images"].dtype == np.uint8
        assert np.bincount(npz["labels"]).tolist() == [500] * 10
        assert npz["images"].max() == 255 and npz["images"].min() == 0


def test_subset_hash_constant():
    assert data.sha256_of(data._subset_path()) == data.MNIST_SUBSET_SHA256


def test_import_is_light():
    code = ("import sys, gan_helpers.data; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    repo = pathlib.Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=repo)


# ----------------------------------------------------------------------------- full MNIST
def _write_npz(path, n_train=5, n_test=3, **override):
    rng = np.random.default_rng(0)
    arrays = dict(x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
                  y_train=np.arange(n_train, dtype=np.uint8) % 10,
                  x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
                  y_test=np.arange(n_test, dtype=np.uint8) % 10)
    arrays.update(override)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(path, **arrays)
    return path


def test_full_synthetic_npz(tmp_path):
    path = _write_npz(tmp_path / "mini.npz")
    (x_tr, y_tr), (x_te, y_te) = data.load_mnist("full", path=path, expected_sha256=None)
    assert x_tr.shape == (5, 28, 28, 1) and x_te.shape == (3, 28, 28, 1)
    assert x_tr.dtype == np.float32 and y_te.dtype == np.int64
    assert y_tr.tolist() == [0, 1, 2, 3, 4]
    assert -1.0 <= x_tr.min() and x_tr.max() <= 1.0
    raw = np.load(path)["x_train"]
    np.testing.assert_allclose(x_tr[..., 0], raw / 127.5 - 1, atol=1e-6)
    # passing the file's real hash works too
    data.load_mnist("full", path=str(path), expected_sha256=data.sha256_of(path))


def test_full_wrong_hash(tmp_path):
    path = _write_npz(tmp_path / "mini.npz")
    with pytest.raises(ValueError, match="hash") as err:
        data.load_mnist("full", path=path)
    assert data.MNIST_SHA256 in str(err.value) and str(path) in str(err.value)


def test_full_garbage_and_truncated(tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"\x80\x04definitely not an npz" * 10)
    with pytest.raises(ValueError, match="npz") as err:
        data.load_mnist("full", path=garbage, expected_sha256=None)
    assert "pickle" not in str(err.value)
    good = _write_npz(tmp_path / "mini.npz").read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="npz"):
        data.load_mnist("full", path=truncated, expected_sha256=None)


class _Trap:
    """Unpickling this creates a marker file: proves pickle was executed."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def test_full_object_array_never_unpickled(tmp_path):
    marker = tmp_path / "pickle_ran"
    obj = np.empty(1, dtype=object)
    obj[0] = _Trap(marker)
    path = _write_npz(tmp_path / "evil.npz", x_train=obj)
    with pytest.raises(ValueError):
        data.load_mnist("full", path=path, expected_sha256=None)
    assert not marker.exists()


@pytest.mark.parametrize("override", [dict(x_test=np.zeros((3, 32, 32), np.uint8)),
                                      dict(y_train=np.zeros(4, np.uint8)),
                                      dict(y_test=None)])
def test_full_bad_arrays(tmp_path, override):
    path = _write_npz(tmp_path / "bad.npz", **override)
    with pytest.raises(ValueError):
        data.load_mnist("full", path=path, expected_sha256=None)


def test_full_missing_path(tmp_path):
    missing = tmp_path / "nope.npz"
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        data.load_mnist("full", path=missing)


@pytest.fixture
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(data, "_repo_mnist_path", lambda: tmp_path / "no_repo" / "mnist.npz")
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def test_full_no_network_fails_fast(offline):
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="datasets/mnist.npz") as err:
        data.load_mnist(source="full", timeout=5)
    assert time.monotonic() - start < 30
    assert "subset" in str(err.value) and "could not be downloaded" in str(err.value)
    assert isinstance(err.value.__cause__, Exception)


def test_full_download_false(offline):
    with pytest.raises(FileNotFoundError, match="datasets/mnist.npz"):
        data.load_mnist(source="full", download=False)


def test_full_found_in_keras_home(offline):
    path = offline / "keras_home" / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True)
    _write_npz(path)
    with pytest.raises(ValueError, match="hash"):  # found (not downloaded), then hash-checked
        data.load_mnist(source="full", download=False)
    (x_tr, _), _ = data.load_mnist(source="full", download=False, expected_sha256=None)
    assert x_tr.shape == (5, 28, 28, 1)


# ----------------------------------------------------------------------------- text
def test_tokenize():
    assert data.tokenize("The cat is sitting on the mat.") == [
        "the", "cat", "is", "sitting", "on", "the", "mat", "."]
    assert data.tokenize("Don't stop, 2 dogs!") == ["don't", "stop", ",", "2", "dogs", "!"]
    with pytest.raises(TypeError, match="sentence"):
        data.tokenize(None)


def test_vocabulary_order_and_specials():
    vocab = data.Vocabulary([["b", "a", "c", "a"], ["c", "d"]])
    assert vocab.tokens == ["<pad>", "<bos>", "<eos>", "<unk>", "a", "c", "b", "d"]
    assert (vocab.pad_id, vocab.bos_id, vocab.eos_id, vocab.unk_id) == (0, 1, 2, 3)
    assert len(vocab) == 8
    assert vocab.token_to_id("zebra") == vocab.unk_id
    assert vocab.id_to_token(4) == "a"
    with pytest.raises(ValueError, match="i must"):
        vocab.id_to_token(8)


def test_encode_decode_round_trip():
    vocab = data.Vocabulary([["the", "cat", "."]])
    ids = vocab.encode(["the", "cat", "."], add_bos=True)
    assert ids[0] == vocab.bos_id and ids[-1] == vocab.eos_id and len(ids) == 5
    assert vocab.decode(ids + [vocab.pad_id, 4]) == ["the", "cat", "."]
    assert vocab.decode(ids, strip_special=False)[0] == "<bos>"
    assert vocab.decode(vocab.encode(["the", "dog"])) == ["the", "<unk>"]


def test_pad_sequences():
    out = data.pad_sequences([[5, 6, 7], [8]], max_length=4)
    assert out.dtype == np.int32 and out.tolist() == [[5, 6, 7, 0], [8, 0, 0, 0]]
    assert data.pad_sequences([[1]], 2, pad_id=9).tolist() == [[1, 9]]
    with pytest.raises(ValueError, match=r"max_length.*\(3\)"):
        data.pad_sequences([[5, 6, 7]], max_length=2)
    assert data.pad_sequences([[5, 6, 7]], 2, truncate=True).tolist() == [[5, 6]]
    with pytest.raises(ValueError, match="max_length"):
        data.pad_sequences([[1]], max_length=0)


def test_load_text_default():
    corpus = data.load_text()
    assert corpus.sentences[0] == "The cat is sitting on the mat."
    assert len(corpus.sentences) == 5
    # 23 distinct tokens (22 words + ".") + 4 special tokens
    assert len(corpus.vocab) == 27
    # "." x5, "the" x3, then "in"/"love"/"to" x2 (alphabetical)
    assert corpus.vocab.tokens[4:9] == [".", "the", "in", "love", "to"]
    assert corpus.max_tokens == 8
    enc = corpus.encode()
    assert enc.shape == (5, 9) and enc.dtype == np.int32
    assert corpus.vocab.decode(enc[0]) == corpus.tokens[0]
    assert corpus.encode(max_length=12, add_bos=True).shape == (5, 12)
    assert len(data.load_text(max_lines=2).sentences) == 2


def test_load_text_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        data.load_text(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n   \n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty"):
        data.load_text(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"hello\x00world\n")
    with pytest.raises(ValueError, match="not a UTF-8 text file"):
        data.load_text(binary)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Café au lait.\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not a UTF-8 text file"):
        data.load_text(str(latin))
    with pytest.raises(TypeError, match="path"):
        data.load_text(42)


def test_load_text_strips_blank_lines(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("  Hello world.  \n\n\tBye!\n", encoding="utf-8")
    corpus = data.load_text(f)
    assert corpus.sentences == ["Hello world.", "Bye!"]
    assert corpus.tokens[1] == ["bye", "!"]


# ----------------------------------------------------------------------------- toy 2-D
def test_modes():
    ring = data.ring_modes()
    assert ring.shape == (8, 2) and ring.dtype == np.float32
    np.testing.assert_allclose(ring[0], [1, 0], atol=1e-7)
    np.testing.assert_allclose(ring[2], [0, 1], atol=1e-7)
    np.testing.assert_allclose(np.linalg.norm(data.ring_modes(6, 2.0), axis=1), 2.0, rtol=1e-6)
    grid = data.grid_modes()
    assert grid.shape == (25, 2) and grid.dtype == np.float32
    points = {tuple(p) for p in grid.tolist()}
    assert (-4.0, -4.0) in points and (4.0, 4.0) in points and (0.0, 0.0) in points
    assert sorted({p[0] for p in points}) == [-4, -2, 0, 2, 4]


@pytest.mark.parametrize("name, std, n_modes", [("ring", 0.01, 8), ("grid", 0.05, 25)])
def test_toy_samples(name, std, n_modes):
    x, y, modes, s = data.toy_distribution(name, 10000, seed=0)
    assert s == std and modes.shape == (n_modes, 2)
    assert x.shape == (10000, 2) and x.dtype == np.float32
    assert y.shape == (10000,) and y.dtype == np.int64
    assert set(np.unique(y).tolist()) == set(range(n_modes))
    for k in range(n_modes):
        np.testing.assert_allclose((x[y == k] - modes[k]).std(), std, rtol=0.15)
    nearest = np.argmin(((x[:, None, :] - modes[None]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(nearest, y)


def test_toy_seeding():
    a, la = data.ring_of_gaussians(100, seed=3)
    b, lb = data.ring_of_gaussians(100, seed=3)
    c, _ = data.ring_of_gaussians(100, seed=4)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(a, c)
    g1 = data.grid_of_gaussians(50, seed=np.random.default_rng(7))
    g2 = data.grid_of_gaussians(50, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(g1[0], g2[0])
    x, _, modes, std = data.toy_distribution("ring", 200, seed=0, n_modes=4, radius=2.0, std=0.1)
    assert modes.shape == (4, 2) and std == 0.1
    np.testing.assert_allclose(np.linalg.norm(x, axis=1).mean(), 2.0, rtol=0.05)


@pytest.mark.parametrize("kw, match", [(dict(n=0), "n must"), (dict(n=True), "n must"),
                                       (dict(n=2.5), "n must"), (dict(n=10, std=0), "std"),
                                       (dict(n=10, std=-1.0), "std"),
                                       (dict(n=10, n_modes=0), "n_modes"),
                                       (dict(n=10, radius=float("nan")), "radius")])
def test_toy_bad_args(kw, match):
    with pytest.raises(ValueError, match=match):
        data.ring_of_gaussians(**kw)


def test_toy_bad_args_other():
    with pytest.raises(ValueError, match="spacing"):
        data.grid_of_gaussians(10, spacing=0)
    with pytest.raises(TypeError, match="seed"):
        data.grid_of_gaussians(10, seed="abc")
    with pytest.raises(ValueError, match="name"):
        data.toy_distribution("spiral", 10)
    with pytest.raises(TypeError, match="n_modes"):
        data.toy_distribution("grid", 10, n_modes=3)
