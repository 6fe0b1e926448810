"""gan_helpers.training: the GAN model's update, fit smoke test, callbacks, checkpoint/resume.
Training under tf.distribute (MirroredStrategy, MultiWorkerMirroredStrategy): tests/test_distribute.py."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_helpers.losses import minimax_discriminator_loss, nonsaturating_generator_loss
from gan_helpers.training import GAN, ImageMetrics, LiveMonitor, ResumableCheckpoint, to_uint8

LATENT = 4


def tiny_models():
    g = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(784, activation="tanh"), keras.layers.Reshape((28, 28, 1))])
    d = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(8),
                          keras.layers.LeakyReLU(0.2), keras.layers.Dense(1)])
    return g, d


def tiny_gan(seed=0, weights_from=None, lr=0.01, ema_decay=None):
    keras.utils.set_random_seed(seed)
    g, d = tiny_models()
    gan = GAN(g, d, seed=seed, ema_decay=ema_decay)
    gan.compile(g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5), d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5))
    if weights_from is not None:
        g.set_weights(weights_from.generator.get_weights())
        d.set_weights(weights_from.discriminator.get_weights())
    return gan


def real_data(n=64, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, 28, 28, 1)).astype("float32")


def dataset(images, batch_size=16):
    return tf.data.Dataset.from_tensor_slices(images).batch(batch_size, drop_remainder=True)


def test_one_epoch_smoke_changes_both_networks_and_logs_finite_losses():
    gan = tiny_gan()
    g_before, d_before = gan.generator.get_weights(), gan.discriminator.get_weights()
    history = gan.fit(dataset(real_data()), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert 0 < history.history["d_real"][0] < 1 and 0 < history.history["d_fake"][0] < 1
    assert not np.allclose(g_before[0], gan.generator.get_weights()[0])
    assert not np.allclose(d_before[0], gan.discriminator.get_weights()[0])


def test_train_step_matches_a_hand_written_update():
    """The same step written out (as notebook 02 does) gives the same weights."""
    gan = tiny_gan(seed=3)
    manual = tiny_gan(seed=5, weights_from=gan)  # same weights, fresh optimizers
    real_images = real_data(16, seed=1)
    gan.fit(dataset(real_images), epochs=1, verbose=0)

    seed_generator = keras.random.SeedGenerator(3)  # the GAN's noise: same seed, same draws
    g, d = manual.generator, manual.discriminator
    z = keras.random.normal((16, LATENT), seed=seed_generator)
    fake_images = g(z, training=True)
    with tf.GradientTape() as tape:
        d_loss = minimax_discriminator_loss(d(real_images, training=True), d(fake_images, training=True))
    manual.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d.trainable_variables), d.trainable_variables))
    z = keras.random.normal((16, LATENT), seed=seed_generator)
    with tf.GradientTape() as tape:
        g_loss = nonsaturating_generator_loss(d(g(z, training=True), training=True))
    manual.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g.trainable_variables), g.trainable_variables))

    for a, b in zip(gan.generator.get_weights() + gan.discriminator.get_weights(), g.get_weights() + d.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)  # graph vs eager round-off


def test_gan_argument_checks():
    g, d = tiny_models()
    with pytest.raises(TypeError, match="generator and discriminator"):
        GAN(g, "not a model")
    with pytest.raises(ValueError, match="latent_dim"):
        GAN(g, d, latent_dim=0)
    with pytest.raises(TypeError, match="seed"):
        GAN(g, d, seed=1.5)
    gan = GAN(g, d)
    assert gan.latent_dim == LATENT  # read from the generator
    with pytest.raises(TypeError, match="d_optimizer"):
        gan.compile(g_optimizer=keras.optimizers.Adam(), d_optimizer="adam")
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two optimizer objects"):
        gan.compile(g_optimizer=opt, d_optimizer=opt)


def test_generate_is_repeatable_and_checks_z():
    gan = tiny_gan()
    a, b = gan.generate(5, seed=1), gan.generate(5, seed=1)
    assert a.shape == (5, 28, 28, 1) and np.array_equal(a, b)
    assert not np.array_equal(a, gan.generate(5, seed=2))
    with pytest.raises(ValueError, match="z must have shape"):
        gan.generate(z=np.zeros((2, LATENT + 1)))
    with pytest.raises(ValueError, match="n must be"):
        gan.generate(0)


def test_to_uint8():
    out = to_uint8(np.array([-1.0, 0.0, 1.0, 7.0]).reshape(1, 2, 2, 1))
    assert out.dtype == np.uint8 and out.shape == (1, 2, 2)
    assert out.ravel().tolist() == [0, 128, 255, 255]


def test_live_monitor_headless_prints_one_line_per_epoch_and_keeps_frames(capsys):
    gan = tiny_gan()
    monitor = LiveMonitor(n_images=4, seed=0)
    gan.fit(dataset(real_data()), epochs=2, verbose=0, callbacks=[monitor])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert len(lines) == 2 and lines[1].startswith("epoch 2/2") and "d_loss" in lines[1]
    assert sorted(monitor.frames) == [0, 1, 2] and monitor.frames[2].shape == (4, 28, 28, 1)
    assert not np.array_equal(monitor.frames[0], monitor.frames[2])
    assert len(monitor.history["g_loss"]) == 2
    fig = monitor._draw(2, 2, "status")  # the Jupyter figure also draws
    assert len(fig.axes) == 2


@pytest.fixture(scope="module")
def measure():
    from gan_helpers.data import load_mnist
    from gan_helpers.metrics import ClassifierMetrics

    (x_train, _), _ = load_mnist()
    return ClassifierMetrics(x_train[:500])


def test_image_metrics_every_second_epoch_and_after_the_last(measure):
    gan = tiny_gan()
    metrics = ImageMetrics(measure, n_samples=50, every=2)
    history = gan.fit(dataset(real_data()), epochs=3, verbose=0, callbacks=[metrics])
    fid = history.history["fid"]
    assert len(fid) == 3 and np.isnan(fid[0]) and np.isfinite(fid[1]) and np.isfinite(fid[2])
    assert sorted(metrics.class_shares) == [2, 3] and sum(metrics.class_shares[3]) == pytest.approx(1.0)
    assert fid[2] > 10  # a 2-epoch tiny GAN on noise images is far from MNIST
    with pytest.raises(ValueError, match="n_samples"):
        ImageMetrics(measure, n_samples=1)


def test_checkpoint_resume_equals_an_uninterrupted_run(tmp_path, capsys):
    data = dataset(real_data())
    straight = tiny_gan(seed=7)
    straight.fit(data, epochs=3, verbose=0)

    first = tiny_gan(seed=7)
    monitor = LiveMonitor(n_images=2)
    first.fit(data, epochs=2, verbose=0, callbacks=[monitor, ResumableCheckpoint(tmp_path, monitor=monitor)])
    assert json.loads((tmp_path / "state.json").read_text())["epoch"] == 2
    assert len(list(tmp_path.glob("*.weights.h5"))) == 1  # older epochs' weights are removed

    resumed = tiny_gan(seed=99)  # different initial weights: all must come from the checkpoint
    monitor = LiveMonitor(n_images=2)
    checkpoint = ResumableCheckpoint(tmp_path, monitor=monitor)
    resumed.fit(data, epochs=3, verbose=0, callbacks=[monitor, checkpoint])
    assert "Resumed from the checkpoint" in capsys.readouterr().out
    assert checkpoint.resumed_from == 2 and len(checkpoint.history["d_loss"]) == 3
    assert sorted(monitor.frames) == [0, 1, 2, 3] and len(monitor.history["d_loss"]) == 3
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)

    # a re-run of the finished training trains nothing and keeps the weights
    again = tiny_gan(seed=1)
    again.fit(data, epochs=3, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])
    assert "nothing to do" in capsys.readouterr().out
    for a, b in zip(resumed.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert again._initial_epoch is None  # the next fit() is not affected


class StopAfter(keras.callbacks.Callback):
    """Presses Ctrl-C (raises KeyboardInterrupt) after ``steps`` training steps, counting them."""

    def __init__(self, steps=None):
        super().__init__()
        self.steps, self.done = steps, 0

    def on_train_batch_end(self, batch, logs=None):
        self.done += 1
        if self.steps is not None and self.done >= self.steps:
            raise KeyboardInterrupt


def test_an_interrupted_run_resumes_from_its_last_checkpoint_losing_less_than_one_epoch(tmp_path):
    data = dataset(real_data())  # 4 steps per epoch; the checkpoint is saved after every epoch
    per_epoch = 4
    straight = tiny_gan(seed=7)
    straight.fit(data, epochs=4, verbose=0)

    stop = StopAfter(steps=2 * per_epoch + 3)  # part-way through the third epoch
    with pytest.raises(KeyboardInterrupt):
        tiny_gan(seed=7).fit(data, epochs=4, verbose=0, callbacks=[ResumableCheckpoint(tmp_path), stop])
    assert stop.done == 11
    assert json.loads((tmp_path / "state.json").read_text())["epoch"] == 2

    count = StopAfter()
    checkpoint = ResumableCheckpoint(tmp_path)
    resumed = tiny_gan(seed=99)
    resumed.fit(data, epochs=4, verbose=0, callbacks=[checkpoint, count])
    assert checkpoint.resumed_from == 2
    lost = stop.done - checkpoint.resumed_from * per_epoch  # steps done but not saved
    assert 0 <= lost < per_epoch and count.done == 2 * per_epoch
    assert len(checkpoint.history["d_loss"]) == 4
    for a, b in zip(straight.get_weights(), resumed.get_weights()):  # as if never interrupted
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_an_interruption_while_saving_leaves_the_previous_checkpoint_usable(tmp_path, monkeypatch):
    import gan_helpers.training as training

    data = dataset(real_data())
    replace = training.os.replace

    def interrupted_on_epoch_2(src, dst):
        if str(dst).endswith("state.json") and json.loads(Path(src).read_text())["epoch"] == 2:
            raise KeyboardInterrupt  # after epoch 2's weights are written, before its state is
        return replace(src, dst)

    monkeypatch.setattr(training.os, "replace", interrupted_on_epoch_2)
    with pytest.raises(KeyboardInterrupt):
        tiny_gan(seed=3).fit(data, epochs=3, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])
    monkeypatch.setattr(training.os, "replace", replace)
    assert json.loads((tmp_path / "state.json").read_text())["epoch"] == 1

    one_epoch = tiny_gan(seed=3)
    one_epoch.fit(data, epochs=1, verbose=0)
    checkpoint = ResumableCheckpoint(tmp_path)
    resumed = tiny_gan(seed=50)
    resumed.fit(data, epochs=1, verbose=0, callbacks=[checkpoint])  # loads epoch 1, trains nothing
    assert checkpoint.resumed_from == 1
    for a, b in zip(one_epoch.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    resumed.fit(data, epochs=3, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])
    assert [p.name for p in tmp_path.glob("*.weights.h5")] == ["gan_epoch3.weights.h5"]  # stray file gone


def test_checkpoint_errors_are_clear(tmp_path):
    data = dataset(real_data())
    tiny_gan().fit(data, epochs=1, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])
    g = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(784), keras.layers.Reshape((28, 28, 1))])
    other = GAN(g, tiny_models()[1])
    other.compile(g_optimizer=keras.optimizers.Adam(), d_optimizer=keras.optimizers.Adam())
    with pytest.raises(ValueError, match="does not fit this GAN"):
        other.fit(data, epochs=2, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])
    (tmp_path / "state.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a valid checkpoint"):
        tiny_gan().fit(data, epochs=2, verbose=0, callbacks=[ResumableCheckpoint(tmp_path)])
    with pytest.raises(TypeError, match="directory"):
        ResumableCheckpoint(3)


def test_export_samples_writes_uint8_images_under_one_key(tmp_path):
    from gan_helpers.training import export_samples

    gan = tiny_gan()
    path = export_samples(gan, tmp_path / "sub" / "samples.npz", n=7, seed=3)
    with np.load(path) as exported:  # loads without allow_pickle
        assert exported.files == ["images"]
        images = exported["images"]
    assert images.shape == (7, 28, 28) and images.dtype == np.uint8
    assert np.array_equal(images, to_uint8(gan.generate(7, seed=3)))
    with pytest.raises(ValueError, match=r"\.npz"):
        export_samples(gan, tmp_path / "samples.csv")
    with pytest.raises(ValueError, match="n must be a positive integer"):
        export_samples(gan, tmp_path / "samples.npz", n=0)


# ---------------------------------------------------------------------------- notebook plumbing
from gan_helpers.training import checkpoint_folder, describe_training, save_results  # noqa: E402


def test_checkpoint_folder_names_every_setting_and_keeps_it_when_resuming(tmp_path):
    folder = checkpoint_folder(tmp_path, "subset_seed0", bs=64, z=100, lr=0.0002)
    assert folder == tmp_path / "checkpoints" / "subset_seed0_bs64_z100_lr0.0002"
    assert checkpoint_folder(str(tmp_path), "run") == tmp_path / "checkpoints" / "run"
    # a different setting is a different folder: it never resumes another configuration's run
    assert checkpoint_folder(tmp_path, "subset_seed0", bs=32, z=100, lr=0.0002) != folder
    (folder / "sub").mkdir(parents=True)
    (folder / "state.json").write_text("{}")
    assert checkpoint_folder(tmp_path, "subset_seed0", resume=True, bs=64, z=100, lr=0.0002) == folder
    assert (folder / "state.json").is_file()


def test_checkpoint_folder_without_resume_deletes_only_its_own_folder(tmp_path):
    mine = checkpoint_folder(tmp_path, "run", bs=64)
    other = checkpoint_folder(tmp_path, "run", bs=32)
    for folder in (mine, other):
        folder.mkdir(parents=True)
        (folder / "state.json").write_text("{}")
    assert checkpoint_folder(tmp_path, "run", resume=False, bs=64) == mine
    assert not mine.exists() and (other / "state.json").is_file()
    assert checkpoint_folder(tmp_path, "run", resume=False, bs=64) == mine  # nothing there: fine


@pytest.mark.parametrize("kwargs, error", [
    ({"output_dir": None, "run_name": "run"}, TypeError),
    ({"output_dir": "out", "run_name": ""}, ValueError),
    ({"output_dir": "out", "run_name": "a/b"}, ValueError),
    ({"output_dir": "out", "run_name": "run", "resume": "no"}, TypeError),
    ({"output_dir": "out", "run_name": "run", "path": "../../x"}, ValueError),
])
def test_checkpoint_folder_refuses_bad_arguments(kwargs, error):
    with pytest.raises(error):
        checkpoint_folder(**kwargs)


def test_save_results_writes_numpy_values_and_nan_as_json(tmp_path):
    path = save_results(tmp_path / "new" / "folder" / "results.json",
                        parameters={"epochs": np.int64(3), "quick": np.bool_(True), "lr": np.float32(0.5)},
                        final={"fid": np.float64(1.25), "shares": np.array([0.25, 0.75]), "where": tmp_path},
                        history={"fid": [float("nan"), 2.0, np.float32("inf")], "loss": np.array([1.0, np.nan])},
                        by_epoch={np.int64(2): [1, 2]})
    assert path == tmp_path / "new" / "folder" / "results.json"
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text and text.startswith('{\n "parameters"')
    assert json.loads(text) == {
        "parameters": {"epochs": 3, "quick": True, "lr": 0.5},
        "final": {"fid": 1.25, "shares": [0.25, 0.75], "where": str(tmp_path)},
        "history": {"fid": [None, 2.0, None], "loss": [1.0, None]},
        "by_epoch": {"2": [1, 2]},
    }


def test_save_results_names_what_json_cannot_hold(tmp_path):
    with pytest.raises(TypeError, match=r"final\['model'\] is a object"):
        save_results(tmp_path / "r.json", final={"model": object()})
    assert not (tmp_path / "r.json").exists()
    with pytest.raises(TypeError):
        save_results(None, final={})


def test_describe_training_of_a_fresh_run_a_resumed_run_and_a_restored_run():
    history = {"d_loss": [1.0] * 4, "train_seconds": [2.0, 4.0, 6.0, 8.0]}
    fresh = describe_training(history, resumed_from=0, train_seconds=10.4, steps_per_epoch=100)
    assert fresh == ("4 epochs in the history; trained 4 now in 10 s, of which 8 s training steps "
                     "(the rest: measuring, drawing and saving checkpoints)\ntraining time per step: 20 ms")
    resumed = describe_training(history, resumed_from=1, train_seconds=7.0, steps_per_epoch=100)
    assert resumed.startswith("4 epochs in the history; trained 3 now in 7 s, of which 6 s training steps")
    restored = describe_training(history, resumed_from=4, train_seconds=0.2, steps_per_epoch=100)
    assert restored == ("4 epochs in the history, all restored from the checkpoint: nothing trained now\n"
                        "training time per step: 20 ms")


@pytest.mark.parametrize("history, resumed_from, seconds, steps", [
    ({}, 0, 1.0, 10),
    ({"d_loss": [1.0]}, 0, 1.0, 10),
    ({"d_loss": [1.0], "train_seconds": [1.0, 2.0]}, 0, 1.0, 10),
    ({"d_loss": [1.0], "train_seconds": [1.0]}, 2, 1.0, 10),
    ({"d_loss": [1.0], "train_seconds": [1.0]}, 0, -1.0, 10),
    ({"d_loss": [1.0], "train_seconds": [1.0]}, 0, 1.0, 0),
])
def test_describe_training_refuses_inconsistent_arguments(history, resumed_from, seconds, steps):
    with pytest.raises(ValueError):
        describe_training(history, resumed_from, seconds, steps)
