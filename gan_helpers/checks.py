"""Self-checks for the notebooks' exercises: each one can say "not yet, because ..." to a wrong
answer, and "correct" to a right one.

Every check prints one line that starts with ``Exercise <n>:`` and returns ``True`` (correct),
``False`` (not yet, with the reason) or ``None`` (not answered yet: the answer is still ``None``).
Checks of code the learner writes (a loss, an update rule, a size formula) call the learner's
function on fixed inputs and compare it with the package's version or with Keras itself.

``tests/test_exercises_<notebook>.py`` injects wrong answers into each exercise cell and checks
that these functions reject them, and that the reference solutions pass.
"""

from __future__ import annotations

__all__ = ["report", "unanswered", "close"]


def report(exercise, ok: bool, because: str = "", praise: str = "") -> bool:
    """Print ``Exercise <exercise>: correct! <praise>`` or ``Exercise <exercise>: not yet, because <because>``."""
    if ok:
        print(f"Exercise {exercise}: correct!" + (f" {praise}" if praise else ""))
        return True
    print(f"Exercise {exercise}: not yet, because {because}")
    return False


def unanswered(exercise, answer, what: str = "your answer") -> bool:
    """``True`` (and a message) when ``answer`` is still ``None``."""
    if answer is None:
        print(f"Exercise {exercise}: not answered yet (put {what} in the cell above and run it again).")
        return True
    return False


def close(value, expected, rel: float = 1e-3, abs_: float = 1e-6) -> bool:
    """``True`` when the number ``value`` is within ``rel`` (relative) or ``abs_`` of ``expected``."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return False
    return abs(value - expected) <= max(abs_, rel * abs(expected))


# ---- notebook 03: a convolutional GAN on MNIST
def _call_first(exercise, function, *args):
    """``(value, verdict)`` of the learner's first call: ``value`` is None while the body is still
    ``return None`` or raises NotImplementedError; ``verdict`` is False (already reported) when it
    raised anything else, otherwise None."""
    try:
        return function(*args), None
    except NotImplementedError:
        return None, None
    except Exception as error:  # the learner's code may fail in any way: say so, don't crash
        return None, report(exercise, False, f"your function raised {type(error).__name__}: {error}.")
def _keras_transposed_size(n, kernel_size, stride, padding):
    import keras
    import numpy as np

    layer = keras.layers.Conv2DTranspose(1, kernel_size, strides=stride, padding=padding)
    return int(layer(np.zeros((1, n, n, 1), dtype="float32")).shape[1])


def check_transposed_conv_size(exercise, size_function) -> bool | None:
    """Compare ``size_function(n, kernel_size, stride, padding)`` with what Keras's
    ``Conv2DTranspose`` really outputs, on cases that include both paddings and kernels smaller,
    equal to and larger than the stride."""
    cases = [(7, 4, 2, "same"), (7, 4, 2, "valid"), (7, 3, 2, "valid"), (14, 5, 1, "same"), (5, 2, 3, "valid"),
             (3, 5, 3, "valid"), (4, 3, 1, "valid")]
    first, failed = _call_first(exercise, size_function, *cases[0])
    if failed is False:
        return False
    if unanswered(exercise, first, "your function's body"):
        return None
    for case in cases:
        expected = _keras_transposed_size(*case)
        try:
            got = size_function(*case)
        except Exception as error:  # the learner's code may fail in any way: say so, don't crash
            return report(exercise, False, f"your function raised {type(error).__name__}: {error} for "
                                           f"n={case[0]}, kernel_size={case[1]}, stride={case[2]}, padding={case[3]!r}.")
        if got != expected:
            return report(exercise, False, f"for n={case[0]}, kernel_size={case[1]}, stride={case[2]}, padding="
                                           f"{case[3]!r} it returns {got!r}, and Keras's Conv2DTranspose outputs a "
                                           "different size. Think of where each input pixel's k x k patch lands.")
    return report(exercise, True, praise=f"It agrees with Keras on all {len(cases)} cases.")


def _keras_overlap_counts(n, kernel_size, stride):
    import keras
    import numpy as np

    layer = keras.layers.Conv1DTranspose(1, kernel_size, strides=stride, padding="valid", use_bias=False,
                                         kernel_initializer="ones")
    return np.asarray(layer(np.ones((1, n, 1), dtype="float32")))[0, :, 0].round().astype(int)


def check_overlap_counts(exercise, counts_function) -> bool | None:
    """Compare ``counts_function(n, kernel_size, stride)`` (how many input pixels paint each output
    position of a 1-D transposed convolution with ``padding="valid"``) with Keras: a
    ``Conv1DTranspose`` whose kernel is all ones, applied to an input of ones, outputs exactly
    those counts."""
    import numpy as np

    cases = [(6, 3, 2), (6, 4, 2), (5, 5, 2), (4, 2, 2), (5, 3, 1)]
    first, failed = _call_first(exercise, counts_function, *cases[0])
    if failed is False:
        return False
    if unanswered(exercise, first, "your function's body"):
        return None
    for n, k, s in cases:
        expected = _keras_overlap_counts(n, k, s)
        try:
            got = np.asarray(counts_function(n, k, s)).astype(int).ravel()
        except Exception as error:
            return report(exercise, False, f"your function raised {type(error).__name__}: {error} for n={n}, "
                                           f"kernel_size={k}, stride={s}.")
        if got.shape != expected.shape:
            return report(exercise, False, f"for n={n}, kernel_size={k}, stride={s} it returns {len(got)} counts, "
                                           "but the layer's output has a different length: where does the last "
                                           "input pixel's patch end?")
        if not np.array_equal(got, expected):
            return report(exercise, False, f"for n={n}, kernel_size={k}, stride={s} some counts differ from a "
                                           "Conv1DTranspose with an all-ones kernel applied to ones.")
    return report(exercise, True, praise="Compare the middle of the output for kernel 3 and for kernel 4 "
                                         "(stride 2): which one is even?")


def check_ema_update(exercise, update_function) -> bool | None:
    """Check ``update_function(average, current, decay)`` on arrays, then against one real
    training step of :class:`gan_helpers.training.GAN` with ``ema_decay``: starting from the
    generator's initial weights, the learner's update applied to the weights after the step must
    give the GAN's averaged generator (BatchNorm's moving statistics included)."""
    import keras
    import numpy as np

    from gan_helpers.training import GAN

    average, current = np.array([1.0, -2.0, 0.5]), np.array([3.0, 2.0, 0.5])
    first, failed = _call_first(exercise, update_function, average, current, 0.9)
    if failed is False:
        return False
    if unanswered(exercise, first, "your function's body"):
        return None
    try:
        got = np.asarray(first, dtype=float)
    except (TypeError, ValueError):
        return report(exercise, False, f"it returns {type(first).__name__}, not an array of numbers.")
    if got.shape != average.shape or not np.allclose(got, 0.9 * average + 0.1 * current):
        return report(exercise, False, "on average=[1, -2, 0.5], current=[3, 2, 0.5], decay=0.9 the result "
                                       f"{np.round(got, 4).tolist()} is not the exponential moving average. With "
                                       "decay close to 1 the average should move only a little towards current.")
    keras.utils.set_random_seed(0)
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.BatchNormalization(),
                                  keras.layers.Dense(28 * 28, activation="tanh"), keras.layers.Reshape((28, 28, 1))])
    discriminator = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    gan = GAN(generator, discriminator, seed=0, ema_decay=0.9)
    gan.compile(g_optimizer=keras.optimizers.Adam(0.01), d_optimizer=keras.optimizers.Adam(0.01))
    before = [np.array(w) for w in generator.get_weights()]
    gan.fit(np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32"), batch_size=16, epochs=1,
            verbose=0)
    after = generator.get_weights()
    for old, new, package in zip(before, after, gan.ema_generator.get_weights()):
        try:
            mine = np.asarray(update_function(old, new, 0.9), dtype=float)
        except Exception as error:
            return report(exercise, False, f"your function raised {type(error).__name__}: {error} on a layer's weights.")
        if not np.allclose(mine, package, atol=1e-5):
            return report(exercise, False, "after one training step your update gives other weights than the "
                                           "GAN's averaged generator.")
    return report(exercise, True, praise="It matches the averaged generator of gan_helpers.training.GAN after a "
                                         "real training step, BatchNorm's moving statistics included.")


def check_epoch_estimate(exercise, answer, seconds, ms_per_step, steps_per_epoch, tolerance=0.15) -> bool | None:
    """``answer``: how many epochs a model costing ``ms_per_step`` gets in ``seconds`` of training
    with ``steps_per_epoch`` steps per epoch; accepted within ``tolerance`` (relative)."""
    if unanswered(exercise, answer, "your number of epochs"):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(exercise, False, f"{answer!r} is not a number of epochs.")
    expected = seconds / (ms_per_step / 1000 * steps_per_epoch)
    if abs(value - expected) > tolerance * expected:
        return report(exercise, False, f"{value:g} epochs is more than {tolerance:.0%} away. Time per epoch = "
                                       "time per step x steps per epoch; how many of those fit in this run's "
                                       "training time?")
    return report(exercise, True, praise=f"About {expected:.0f} epochs.")


__all__ += ["check_transposed_conv_size", "check_overlap_counts", "check_ema_update", "check_epoch_estimate"]


# ---- notebook 02: a fully connected GAN on MNIST
def check_layer_parameter_count(exercise, answer, layer):
    """Exercise: the number of parameters of the Dense ``layer``, counted by hand.

    A Dense layer from ``n`` inputs to ``m`` units has an ``n x m`` kernel and ``m`` biases; the
    expected count is read from ``layer`` itself, so the check follows the notebook's parameters.
    """
    if unanswered(exercise, answer, "your count"):
        return None
    inputs, units = (int(size) for size in layer.kernel.shape)
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(exercise, False, f"answer_{exercise} should be a number; got {answer!r}.")
    if value == int(layer.count_params()):
        return report(exercise, True, praise="Compare with the layer's own count_params().")
    if value == inputs * units:
        because = "that counts the weights of the kernel only; a Dense layer has one more kind of parameter."
    elif value == inputs * units + inputs:
        because = "a Dense layer has one bias per unit (per output), not one per input."
    elif value in (inputs + units, inputs * units + 1):
        because = "there is one weight per (input, unit) pair, and one bias for each unit."
    else:
        because = (f"{value:g} is not the count. The layer turns {inputs} inputs into {units} outputs: "
                   "count its weights and its biases.")
    return report(exercise, False, because)


def _tiny_generator_and_discriminator(latent_dim: int = 4):
    """A small generator with BatchNorm and a small discriminator, with fixed initial weights (no
    global seeding: the learner's session keeps its random state)."""
    import keras

    def dense(units, seed, activation=None):
        return keras.layers.Dense(units, activation=activation, kernel_initializer=keras.initializers.GlorotUniform(seed),
                                  bias_initializer=keras.initializers.RandomNormal(stddev=0.1, seed=seed + 100))

    generator = keras.Sequential([keras.Input((latent_dim,)), dense(16, 1), keras.layers.LeakyReLU(0.2),
                                  keras.layers.BatchNormalization(momentum=0.8), dense(28 * 28, 2, "tanh"),
                                  keras.layers.Reshape((28, 28, 1))])
    discriminator = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), dense(8, 3),
                                      keras.layers.LeakyReLU(0.2), dense(1, 4)])
    return generator, discriminator


def _generator_update(generator, discriminator, optimizer, z, loss_fn, training=True):
    """The generator half of ``gan_helpers.training.GAN.train_step`` (its reference)."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        g_loss = loss_fn(discriminator(generator(z, training=training), training=True))
    grads = tape.gradient(g_loss, generator.trainable_variables)
    optimizer.apply_gradients(zip(grads, generator.trainable_variables))
    return float(g_loss)


def _largest_difference(weights_a, weights_b) -> float:
    import numpy as np

    return max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(weights_a, weights_b))


def check_generator_step(exercise, generator_step):
    """Exercise: write the generator half of the GAN training step,
    ``generator_step(generator, discriminator, g_optimizer, z) -> g_loss``.

    Runs it once on a small generator (with BatchNorm) and discriminator from fixed weights and
    a fixed ``z``, and compares with the generator update of ``GAN.train_step``
    (non-saturating loss, generator in training mode, gradients for the generator's trainable
    variables only): same loss, same trainable generator weights afterwards, discriminator
    untouched (BatchNorm's moving statistics move in every training-mode call, so an extra call
    only earns a remark).
    Recognizes the usual mistakes (the saturating loss, the generator in inference mode, the
    discriminator updated too) without printing the solution.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from gan_helpers.losses import minimax_generator_loss, nonsaturating_generator_loss

    if not callable(generator_step):
        return report(exercise, False, f"generator_step should be a function; got {type(generator_step).__name__}.")
    z = tf.constant(np.random.default_rng(0).normal(size=(16, 4)).astype("float32"))

    def fresh():
        generator, discriminator = _tiny_generator_and_discriminator()
        return generator, discriminator, keras.optimizers.Adam(0.01, beta_1=0.5)

    def trainable(model):
        return [variable.numpy() for variable in model.trainable_weights]

    generator, discriminator, optimizer = fresh()
    g_start, d_start = trainable(generator), trainable(discriminator)
    try:
        loss = generator_step(generator, discriminator, optimizer, z)
    except Exception as exc:  # the learner's code: show what went wrong, not a traceback
        return report(exercise, False, f"generator_step raised {type(exc).__name__}: {str(exc)[:300]}")
    g_moved = _largest_difference(g_start, trainable(generator)) > 0   # (BatchNorm's running statistics
    d_moved = _largest_difference(d_start, trainable(discriminator)) > 0   # move in any training-mode call)
    if loss is None and not g_moved and not d_moved:
        print(f"Exercise {exercise}: not answered yet (write generator_step in the cell above and run it again).")
        return None
    if d_moved:
        return report(exercise, False, "the discriminator's weights changed: in the generator's half of the step "
                                       "only the generator may learn.")
    if not g_moved:
        return report(exercise, False, "the generator's weights did not change: the step must apply the "
                                       "gradients with g_optimizer.")
    if loss is None:
        return report(exercise, False, "generator_step returns None: return g_loss, the loss it minimized.")
    try:
        loss = np.asarray(loss, dtype=np.float64)
    except (TypeError, ValueError):
        return report(exercise, False, f"generator_step should return g_loss, a number; got {type(loss).__name__}.")
    if loss.size != 1:
        return report(exercise, False, f"g_loss should be one number (the mean over the batch); got shape {loss.shape}.")
    loss = float(loss.reshape(()))

    expected = {}
    for name, loss_fn, training in (("reference", nonsaturating_generator_loss, True),
                                    ("saturating", minimax_generator_loss, True),
                                    ("inference mode", nonsaturating_generator_loss, False)):
        g_ref, d_ref, opt_ref = fresh()
        value = _generator_update(g_ref, d_ref, opt_ref, z, loss_fn, training)
        expected[name] = value, _largest_difference(trainable(g_ref), trainable(generator))
        if name == "reference":   # BatchNorm's moving statistics (not trainable) of the reference update
            statistics_gap = _largest_difference([v.numpy() for v in g_ref.non_trainable_weights],
                                                  [v.numpy() for v in generator.non_trainable_weights])
    reference_loss, reference_gap = expected["reference"]
    if close(loss, reference_loss, rel=1e-4) and reference_gap < 1e-5:
        praise = "Same loss and same updated generator as GAN.train_step."
        if statistics_gap > 1e-5:
            praise += (" (Only BatchNorm's moving statistics differ, which are not trained: the generator ran in "
                       "training mode more often than the step needs, and each such call moves them.)")
        return report(exercise, True, praise=praise)
    if close(loss, expected["saturating"][0], rel=1e-4) or expected["saturating"][1] < 1e-5:
        return report(exercise, False, "this is the saturating loss log(1 - D(G(z))); the step this notebook "
                                       "teaches uses the non-saturating one.")
    if close(loss, -reference_loss, rel=1e-4):
        return report(exercise, False, "the sign of g_loss: the generator *minimizes* its loss, and the loss "
                                       "should be large when D rejects the fakes.")
    if expected["inference mode"][1] < 1e-5 or (close(loss, expected["inference mode"][0], rel=1e-4)
                                                 and not close(loss, reference_loss, rel=1e-4)):
        return report(exercise, False, "the generator ran in inference mode: while it trains, its BatchNorm "
                                       "layers must normalize with the statistics of the batch.")
    if not close(loss, reference_loss, rel=1e-4):
        return report(exercise, False, f"g_loss is {loss:.4f}, not the non-saturating loss of these fakes "
                                       "(from the same weights and the same z).")
    return report(exercise, False, "the loss is right, but the generator's weights after the step differ from "
                                   f"GAN.train_step's update (by up to {reference_gap:.2g}): take the gradient of "
                                   "g_loss with respect to the generator's trainable variables.")


def _dense_units(model) -> list:
    import keras

    return [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def _value(variable) -> float:
    """A Keras variable's (or a plain number's) value as a float."""
    return float(variable.numpy() if hasattr(variable, "numpy") else variable)


def _optimizer_settings_differ(optimizer, learning_rate, beta_1) -> bool:
    import keras

    if not isinstance(optimizer, keras.optimizers.Adam):
        return True
    lr = _value(optimizer.learning_rate)
    return not (close(lr, learning_rate, rel=1e-4) and close(optimizer.beta_1, beta_1, rel=1e-6))


def _spread_across_z(images) -> float:
    """The mean over pixels of each pixel's standard deviation across a set of images: about 0
    when the images hardly differ (a generator that ignores z), about 0.4-0.5 for real digits in [-1, 1]."""
    import numpy as np

    images = np.asarray(images, dtype=float)
    return float(images.reshape(len(images), -1).std(axis=0).mean())


def check_generator_without_batchnorm(exercise, answer, steps_per_epoch, epochs=5, learning_rate=2e-4, beta_1=0.5,
                                      measure=None, history=None, n_samples=1000, seed=1, notebook_gan=None,
                                      real_images=None):
    """Exercise: the notebook's GAN with the BatchNorm layers taken out of the generator, trained
    for ``epochs`` epochs with the notebook's settings.

    ``answer`` is the trained ``gan_helpers.training.GAN``. The check reads what it can verify:
    no BatchNormalization in the generator, the generator's and the discriminator's Dense sizes
    and the generator's three LeakyReLUs unchanged, Adam with ``learning_rate`` and ``beta_1``
    for both, and exactly ``epochs * steps_per_epoch`` updates of each network. When it passes
    and ``measure`` (a ``ClassifierMetrics``) is given, it measures ``n_samples`` generated digits
    and prints them next to the BatchNorm run after the same number of epochs (``history``: FID and
    smallest/largest class share), with the spread of the samples across z (each pixel's standard
    deviation over the samples, averaged over pixels) next to that of ``real_images``. A GAN that
    reuses the discriminator of ``notebook_gan`` (already trained) is rejected.
    """
    import keras
    import numpy as np

    if unanswered(exercise, answer, "your trained GAN"):
        return None
    generator = getattr(answer, "generator", None)
    discriminator = getattr(answer, "discriminator", None)
    if not isinstance(generator, keras.Model) or not isinstance(discriminator, keras.Model):
        return report(exercise, False, f"answer_{exercise} should be the trained GAN (the object whose fit you "
                                       f"called); got {type(answer).__name__}.")
    if any(isinstance(layer, keras.layers.BatchNormalization) for layer in generator.layers):
        return report(exercise, False, "its generator still has BatchNormalization layers.")
    if _dense_units(generator) != [256, 512, 1024, 28 * 28]:
        return report(exercise, False, f"its generator's Dense layers have {_dense_units(generator)} units; keep "
                                       "the sizes of make_generator, only BatchNorm goes.")
    if sum(isinstance(layer, keras.layers.LeakyReLU) for layer in generator.layers) != 3:
        return report(exercise, False, "keep the generator's LeakyReLU activations: only BatchNorm goes.")
    if notebook_gan is not None and discriminator is getattr(notebook_gan, "discriminator", None):
        return report(exercise, False, "its discriminator is the notebook's, already trained for the whole run: "
                                       "build a fresh one with make_discriminator(), so that both runs start alike.")
    if _dense_units(discriminator) != [512, 256, 1]:
        return report(exercise, False, "use the notebook's discriminator (make_discriminator), so that only the "
                                       "generator changes.")
    for name in ("g_optimizer", "d_optimizer"):
        if _optimizer_settings_differ(getattr(answer, name, None), learning_rate, beta_1):
            return report(exercise, False, f"its {name} is not Adam with this notebook's learning_rate "
                                           f"({learning_rate:g}) and beta_1 ({beta_1:g}): change one thing at a time.")
    steps, d_steps = int(_value(answer.g_optimizer.iterations)), int(_value(answer.d_optimizer.iterations))
    if steps != epochs * steps_per_epoch or d_steps != steps:
        return report(exercise, False, f"its networks took {steps} (generator) and {d_steps} (discriminator) "
                                       f"training steps; {epochs} epochs of {steps_per_epoch} steps is "
                                       f"{epochs * steps_per_epoch} each. Build a fresh GAN and fit it for "
                                       f"{epochs} epochs.")
    praise = "It has the notebook's networks without BatchNorm, trained for the same number of steps."
    if measure is not None:
        images = answer.generate(n_samples, seed=seed)
        result = measure(images)
        praise += (f"\n  without BatchNorm, after {epochs} epochs: FID {result['fid']:.1f}, score {result['score']:.2f}, "
                   f"class shares {min(result['class_shares']):.3f}-{max(result['class_shares']):.3f}, "
                   f"spread across z {_spread_across_z(images):.3f}")
        history = history or {}
        fid = np.asarray(history.get("fid", []), dtype=float)
        if len(fid) >= epochs and np.isfinite(fid[epochs - 1]):
            praise += f"\n  with BatchNorm (this notebook's run), after {epochs} epochs: FID {fid[epochs - 1]:.1f}"
            shares = [np.asarray(history.get(key, []), dtype=float) for key in ("min_class_share", "max_class_share")]
            if all(len(share) >= epochs and np.isfinite(share[epochs - 1]) for share in shares):
                praise += f", class shares {shares[0][epochs - 1]:.3f}-{shares[1][epochs - 1]:.3f}"
        else:
            praise += f"\n  (this notebook's run has no FID for epoch {epochs}: it measures every eval_every epochs)"
        if real_images is not None:
            praise += f"\n  spread across z of real digits (for comparison): {_spread_across_z(real_images):.3f}"
    return report(exercise, True, praise=praise)


def check_minimax_generator_history(exercise, answer, epochs=5, history=None):
    """Exercise: the ``fit`` history of a run with the saturating (minimax) generator loss and an
    ``ImageMetrics`` callback, ``epochs`` epochs long.

    Checks what distinguishes such a history: the keys of ``GAN`` and ``ImageMetrics``, one entry
    per epoch, an FID after the last epoch, and a generator loss that is never positive (the
    minimax generator loss ``log(1 - D(G(z)))`` cannot be; the non-saturating one cannot be
    negative). Then prints the lowest epoch-mean D(G(z)) (where the saturating loss would fade)
    and the FID after the last epoch, next to the notebook's run (``history``).
    """
    import numpy as np

    if unanswered(exercise, answer, "the history dict of your run"):
        return None
    answer = getattr(answer, "history", answer)  # a keras History object: its dict
    if not isinstance(answer, dict):
        return report(exercise, False, f"answer_{exercise} should be the history dict of fit (fit(...).history); "
                                       f"got {type(answer).__name__}.")
    missing = [key for key in ("d_loss", "g_loss", "d_real", "d_fake") if key not in answer]
    if missing:
        return report(exercise, False, f"the history has no {missing}: is it the history of a GAN's fit?")
    if "fid" not in answer:
        return report(exercise, False, "the history has no 'fid': train with an ImageMetrics callback.")
    lengths = {len(answer[key]) for key in ("d_loss", "g_loss", "d_fake", "fid")}
    if lengths != {epochs}:
        return report(exercise, False, f"the history has {sorted(lengths)} entries per value, not one per epoch of "
                                       f"a {epochs}-epoch run.")
    g_loss = np.asarray(answer["g_loss"], dtype=float)
    if np.any(g_loss > 0):
        return report(exercise, False, "this run's g_loss is positive, so it was not trained with "
                                       "minimax_generator_loss (that loss is never positive).")
    fid = np.asarray(answer["fid"], dtype=float)
    if not np.isfinite(fid[-1]):
        return report(exercise, False, f"the FID after epoch {epochs} was not measured: ImageMetrics measures "
                                       "every `every` epochs and after the last one.")
    def lowest(d_fake):
        d_fake = np.asarray(d_fake, dtype=float)[:epochs]
        return f"lowest D(G(z)) {d_fake.min():.3f} (epoch {int(d_fake.argmin()) + 1})"

    praise = (f"With the minimax generator loss, over {epochs} epochs: {lowest(answer['d_fake'])}, "
              f"FID after epoch {epochs}: {fid[-1]:.1f}")
    if history is not None and len(history.get("d_fake", [])) >= epochs:
        ours = np.asarray(history.get("fid", [np.nan] * epochs), dtype=float)[epochs - 1]
        fid_text = f"FID after epoch {epochs}: {ours:.1f}" if np.isfinite(ours) else \
            f"its FID was not measured after epoch {epochs}"
        praise += (f"\n  this notebook's run (non-saturating loss), over its first {epochs} epochs: "
                   f"{lowest(history['d_fake'])}, {fid_text}")
    return report(exercise, True, praise=praise)


def check_exported_images(exercise, answer, n=10_000):
    """Exercise: the array stored under ``images`` in the ``.npz`` file that ``export_samples``
    wrote: ``n`` generated digits, ``uint8``, 28x28, no channel axis, not all the same."""
    import numpy as np

    if unanswered(exercise, answer, "the array from your exported file"):
        return None
    if hasattr(answer, "files"):  # an NpzFile: the whole file
        return report(exercise, False, "that is the whole .npz file; take the array stored in it.")
    if not isinstance(answer, np.ndarray):
        return report(exercise, False, f"answer_{exercise} should be a NumPy array; got {type(answer).__name__}.")
    if answer.dtype != np.uint8:
        return report(exercise, False, f"its values are {answer.dtype}: the exported file stores bytes, like "
                                       "the original MNIST files. Is this the array from the file?")
    if answer.shape != (n, 28, 28):
        return report(exercise, False, f"its shape is {answer.shape}, not what export_samples writes "
                                       f"({n:,} images). Is this the array from the file?")
    if float(answer.std()) <= 1:
        return report(exercise, False, "all its pixels have (almost) the same value: no digits in there.")
    return report(exercise, True, praise=f"{len(answer):,} images of 28x28 bytes, values {int(answer.min())} to "
                                  f"{int(answer.max())}: any MNIST tool can read them.")


__all__ += ["check_layer_parameter_count", "check_generator_step", "check_generator_without_batchnorm",
            "check_minimax_generator_history", "check_exported_images"]


# ---- notebook 01: GAN concepts (toy GANs in 1-D and 2-D)
def check_optimal_discriminator_at_a_point(exercise, answer, p_data=0.3, p_g=0.1):
    """Exercise: D*(x) at a point where the densities are ``p_data`` and ``p_g``:
    D*(x) = p_data / (p_data + p_g) (Goodfellow et al. 2014, Proposition 1). Recognizes the
    probability of "fake", the density ratio and a plain density without printing the answer."""
    if unanswered(exercise, answer, "your number"):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(exercise, False, f"answer_{exercise} should be a number; got {answer!r}.")
    if close(value, p_data / (p_data + p_g)):
        return report(exercise, True, praise="Real samples are more common than fakes there, so D* leans to 'real'.")
    if close(value, p_g / (p_data + p_g)):
        because = "that is the probability that x is fake; D(x) is the probability that x is real."
    elif not 0 <= value <= 1:
        because = f"{value:g} is not a probability: D*(x) lies between 0 and 1."
    elif close(value, p_data) or close(value, p_g):
        because = "D* compares the two densities at x; a single density is not enough."
    else:
        because = f"{value:g} is not D*(x) for these densities: put them into the formula of section 3."
    return report(exercise, False, because)


def check_generator_loss_run(exercise, history, lowest_d_fake, reference_history,
                             expected_loss="minimax_generator_loss"):
    """Exercise: does the minimax generator loss saturate in notebook 01's training loop?

    ``history`` is the dict that notebook 01's ``train_toy_gan`` returns (``step``, ``distance``,
    ``d_fake`` and the ``generator_loss``'s name); it must come from a new run of
    ``expected_loss`` as long as ``reference_history``. ``lowest_d_fake`` is the learner's reading
    of that run: the lowest mean D(G(z)) it measured, ``min(history["d_fake"])`` (within 0.0005).
    The minimax loss log(1 - D(G(z))) saturates only where D(G(z)) is near 0: its gradient with
    respect to the logit is D(G(z)) against the non-saturating loss's 1 - D(G(z)) (Goodfellow et
    al. 2014, section 3). When both are right, prints both runs' best and final distances and
    lowest mean D(G(z)), and the two gradients at the lowest value."""
    import numpy as np

    if (unanswered(exercise, history, "the history your train_toy_gan(...) call returned")
            or unanswered(exercise, lowest_d_fake, "the lowest mean D(fake) of that run")):
        return None
    if not isinstance(history, dict) or not {"step", "distance", "d_fake"} <= set(history):
        return report(exercise, False, "pass the history dict, the third value that train_toy_gan returns "
                                       f"(with 'step', 'distance' and 'd_fake'); got {type(history).__name__}.")
    if history is reference_history:
        return report(exercise, False, "this is the history of the run above, not of a new one.")
    used = history.get("generator_loss")
    if used != expected_loss:
        return report(exercise, False, f"this run trained its generator with {used or 'an unnamed loss'}, "
                                       "not with the loss the exercise asks for.")
    if list(history["distance"]) == list(reference_history["distance"]):
        return report(exercise, False, "its distances are those of the run above: pass the history of your new run.")
    if list(history["step"]) != list(reference_history["step"]):
        return report(exercise, False, f"your run was measured at steps {history['step'][0]}..{history['step'][-1]} "
                                       f"({len(history['step'])} times), the run above at "
                                       f"{reference_history['step'][0]}..{reference_history['step'][-1]} "
                                       f"({len(reference_history['step'])} times): give it the same steps.")
    if isinstance(lowest_d_fake, bool) or not isinstance(lowest_d_fake, (int, float, np.floating, np.integer)):
        return report(exercise, False, f"lowest_d_fake should be a number, a mean of D between 0 and 1; got "
                                       f"{lowest_d_fake!r:.60}.")
    d_fake, reference_d_fake = np.asarray(history["d_fake"], float), np.asarray(reference_history["d_fake"], float)
    lowest = float(np.min(d_fake))

    def near(value):
        return close(float(lowest_d_fake), value, rel=0.0, abs_=0.0005)

    if not near(lowest):
        if not 0 <= lowest_d_fake <= 1:
            because = f"{lowest_d_fake!r} is not a mean of D, which lies between 0 and 1."
        elif near(float(np.min(reference_d_fake))):
            because = "that is the lowest mean D(fake) of the run above (non-saturating), not of your minimax run."
        elif near(float(np.mean(d_fake))):
            because = "that is the average over all measurements of your run; the exercise asks for the lowest one."
        elif near(float(d_fake[-1])):
            because = "that is your run's last measurement; the exercise asks for the lowest one over the run."
        elif near(float(np.min(history.get("d_real", [np.nan])))):
            because = "that is a mean of D on *real* samples (d_real); the exercise asks about the generated ones."
        else:
            because = ("that is not the lowest value in your run's history['d_fake'] (the mean of D on the "
                       "generated samples at each measurement).")
        return report(exercise, False, because)
    rows = [f"{name}: best distance {min(h['distance']):.3f}, final {h['distance'][-1]:.3f}, "
            f"lowest mean D(fake) {min(h['d_fake']):.3f}"
            for name, h in ((reference_history.get("generator_loss", "reference"), reference_history),
                            (expected_loss, history))]
    if lowest >= 0.1:
        verdict = (f"At D(fake) = {lowest:.2f} the minimax gradient per sample is {lowest:.2f} against the "
                   f"non-saturating {1 - lowest:.2f} (section 4): a factor {(1 - lowest) / max(lowest, 1e-12):.1f}, "
                   "not saturated.")
    else:
        verdict = (f"At D(fake) = {lowest:.3f} the minimax gradient per sample is {lowest:.3f} against the "
                   f"non-saturating {1 - lowest:.3f} (section 4): {(1 - lowest) / max(lowest, 1e-12):.0f} times "
                   "smaller, saturated at that measurement.")
    return report(exercise, True, praise="; ".join(rows) + ". " + verdict)


def check_modes_captured(exercise, answer, results_path):
    """Exercise: the modes captured at the end of a run of notebook 01, read from its results JSON
    (``results_path``: ``modes_captured.end`` of ``modes_captured.of``). The check needs the file:
    without it, it says which run to make first."""
    import json
    from pathlib import Path

    if unanswered(exercise, answer, "the number of modes captured"):
        return None
    path = Path(results_path)
    if not path.is_file():
        return report(exercise, False, f"there is no results file {path} yet: make the run the exercise asks "
                                       "for first, then read its table.")
    results = json.loads(path.read_text(encoding="utf-8"))
    captured, of = results["modes_captured"]["end"], results["modes_captured"]["of"]
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or answer != int(answer):
        return report(exercise, False, f"answer_{exercise} should be a whole number of modes; got {answer!r}.")
    if not 0 <= answer <= of:
        return report(exercise, False, f"this target has {of} modes, so a count lies between 0 and {of}.")
    if answer != captured:
        return report(exercise, False, f"your run's results file ({path.name}) records another count: read the "
                                       "row 'modes captured', column 'end', of its table.")
    return report(exercise, True, praise=f"{captured} of {of} modes; {results['high_quality_end']:.1%} of that "
                                         "run's samples are high quality.")


_EXPLANATIONS_OF_BRIDGES = ("A", "B", "C", "D")


def check_bridges_between_modes(exercise, samples_by_latent, share_between_modes, explanation, modes, std,
                                section_samples=None, threshold=3.0, correct="C"):
    """Exercise: does a larger latent space remove the generated samples *between* the modes?

    ``samples_by_latent`` maps latent sizes (1 and 8) to 2-D samples of generators trained on the
    ring; ``share_between_modes`` maps the same sizes to the learner's measurement of each run's
    share of samples farther than ``threshold * std`` from every mode (1 - high quality,
    :func:`gan_helpers.metrics.mode_coverage`; VEEGAN and PacGAN's definition), which the check
    recomputes (within 0.005); ``explanation`` is the letter of the statement in the notebook that
    explains it (``correct``: a continuous generator maps the connected latent space onto a
    connected set, so some mass lies between the modes for any latent size).
    ``section_samples`` (optional) are the samples of the notebook's own run, which no answer may
    reuse."""
    import numpy as np

    from gan_helpers.metrics import mode_coverage

    if (unanswered(exercise, samples_by_latent, "samples_by_latent")
            or unanswered(exercise, share_between_modes, "share_between_modes")
            or unanswered(exercise, explanation, "the letter of your explanation")):
        return None
    if not isinstance(samples_by_latent, dict) or len(samples_by_latent) < 2:
        return report(exercise, False, "samples_by_latent should be a dict with at least two latent sizes, "
                                       "{latent size: generated samples}.")
    if not all(isinstance(size, int) and not isinstance(size, bool) and size >= 1 for size in samples_by_latent):
        return report(exercise, False, f"the keys of samples_by_latent should be latent sizes (whole numbers "
                                       f">= 1); got {sorted(map(repr, samples_by_latent))}.")
    if not {1, 8} <= set(samples_by_latent):
        return report(exercise, False, f"the exercise compares latent_dim 1 and 8; samples_by_latent has the sizes "
                                       f"{sorted(samples_by_latent)}.")
    off_mode, arrays = {}, {}
    for size, samples in sorted(samples_by_latent.items()):
        samples = np.asarray(samples, dtype=float)
        if samples.ndim != 2 or samples.shape[1] != np.shape(modes)[1] or len(samples) < 100:
            return report(exercise, False, f"samples_by_latent[{size}] has shape {samples.shape}: pass at least 100 "
                                           f"generated samples, points of shape (n, {np.shape(modes)[1]}) "
                                           "(not the noise z).")
        if section_samples is not None and np.array_equal(samples, np.asarray(section_samples, dtype=float)):
            return report(exercise, False, f"samples_by_latent[{size}] are the samples of the run above, whose "
                                           f"generator has latent_dim 2: train a new one with latent_dim={size}.")
        for other, seen in arrays.items():
            if seen.shape == samples.shape and np.array_equal(seen, samples):
                return report(exercise, False, f"samples_by_latent[{other}] and samples_by_latent[{size}] are the "
                                               "same samples: each latent size needs its own run.")
        arrays[size] = samples
        off_mode[size] = 1.0 - mode_coverage(samples, modes, std, threshold)["high_quality"]
    largest = max(off_mode)
    if off_mode[largest] > 0.9:
        return report(exercise, False, f"{off_mode[largest]:.0%} of the samples for latent size {largest} are far "
                                       "from every mode: that generator has not learned the target yet (pass the "
                                       "last frame of a run as long as section 6's).")
    if not isinstance(share_between_modes, dict) or set(share_between_modes) != set(samples_by_latent):
        keys = (sorted(share_between_modes) if isinstance(share_between_modes, dict)
                else f"a {type(share_between_modes).__name__}")
        return report(exercise, False, "share_between_modes should be a dict with the same latent sizes as "
                                       f"samples_by_latent ({sorted(samples_by_latent)}); got {keys}.")
    for size, measured in off_mode.items():
        value = share_between_modes[size]
        if isinstance(value, bool) or not close(value, measured, rel=0.0, abs_=0.005):
            if not isinstance(value, bool) and close(value, 1.0 - measured, rel=0.0, abs_=0.005):
                because = (f"share_between_modes[{size}] is the share of samples *near* a mode (high quality); "
                           "the exercise asks for the others, farther than 3 std from every mode.")
            elif not isinstance(value, bool) and close(value, 100 * measured, rel=0.0, abs_=0.5) and measured > 0.01:
                because = f"share_between_modes[{size}] looks like a percentage: write a share between 0 and 1."
            else:
                because = (f"share_between_modes[{size}] = {value!r} is not the share measured in "
                           f"samples_by_latent[{size}]: count the samples whose distance to the nearest mode is "
                           "more than 3 * mode_std, and divide by the number of samples.")
            return report(exercise, False, because)
    shares = ", ".join(f"latent_dim {size}: {share:.1%}" for size, share in off_mode.items())
    letter = explanation.strip().upper() if isinstance(explanation, str) else explanation
    if letter not in _EXPLANATIONS_OF_BRIDGES:
        return report(exercise, False, f"explanation should be one of the letters {', '.join(_EXPLANATIONS_OF_BRIDGES)}"
                                       f"; got {explanation!r}.")
    if letter == correct:
        return report(exercise, True, praise=f"Samples between the modes: {shares}.")
    if letter == "A":
        if off_mode[largest] > 0:
            because = (f"your own run with latent_dim {largest} still puts {off_mode[largest]:.1%} of its samples "
                       f"farther than {threshold:g} std from every mode. Could any amount of training bring that to "
                       "exactly zero? Think about what kind of function the generator is.")
        else:
            because = (f"none of your {len(samples_by_latent[largest])} samples with latent_dim {largest} fell "
                       "between the modes, yet think about what kind of function the generator is, and count again "
                       "with many more samples.")
    elif letter == "B":
        because = ("look at section 6's game: between the modes D(x) is purple ('fake'), and the arrows push the "
                   "samples there towards the modes. The discriminator does see them.")
    else:
        because = (f"that statement is about latent_dim 1 only, yet your latent_dim {largest} run also puts "
                   f"{off_mode[largest]:.1%} of its samples between the modes.")
    return report(exercise, False, because)


def _tiny_toy_networks(latent_dim: int = 2, data_dim: int = 2, spy: bool = False):
    """A small generator and discriminator for 2-D toy data, with fixed initial weights.

    The generator's first kernel is zero: until its first update it maps every z to the same
    point, so the discriminator steps before it are deterministic and can be compared with a
    reference. With ``spy=True`` its first layer records the sum of every noise batch it receives
    (:func:`_noise_spy_layer`)."""
    import keras

    def dense(units, seed, activation=None, **kwargs):
        kwargs.setdefault("kernel_initializer", keras.initializers.GlorotUniform(seed))
        return keras.layers.Dense(units, activation=activation, **kwargs)

    first = [_noise_spy_layer()] if spy else []
    generator = keras.Sequential([keras.Input((latent_dim,)), *first,
                                  dense(16, 11, "leaky_relu", kernel_initializer="zeros",
                                        bias_initializer=keras.initializers.Constant(0.1)),
                                  dense(data_dim, 12)])
    discriminator = keras.Sequential([keras.Input((data_dim,)), dense(16, 13, "leaky_relu"), dense(1, 14)])
    return generator, discriminator


def _noise_spy_layer(slots: int = 64):
    """A Keras layer that passes its input through and writes the sum of each batch it sees into
    ``seen`` (``calls`` counts the batches): which noise batches a generator was given."""
    import keras
    import tensorflow as tf

    class NoiseSpy(keras.layers.Layer):
        def build(self, input_shape):
            self.seen = self.add_weight(shape=(slots,), initializer="zeros", trainable=False, name="seen")
            self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False, name="calls")

        def call(self, inputs):
            index = tf.minimum(tf.cast(self.calls, "int32"), slots - 1)
            total = tf.cast(tf.reduce_sum(inputs), self.seen.dtype)
            self.seen.assign(tf.tensor_scatter_nd_update(self.seen, tf.reshape(index, (1, 1)), tf.reshape(total, (1,))))
            self.calls.assign_add(1.0)
            return inputs

    return NoiseSpy(name="noise_spy")


def _k_step_by_the_book(real_batches, k, same_batch=False):
    """Algorithm 1 of Goodfellow et al. (2014), eagerly, on fresh copies of ``_tiny_toy_networks``:
    k steps of the minimax discriminator loss (real batch i, fakes of the current generator), then
    one step of the non-saturating generator loss. Returns the discriminator's weights after the k
    steps, every d_loss and the g_loss. ``same_batch=True``: every step on real batch 0."""
    import keras
    import tensorflow as tf

    from gan_helpers.losses import minimax_discriminator_loss, nonsaturating_generator_loss

    generator, discriminator = _tiny_toy_networks()
    d_optimizer = keras.optimizers.Adam(1e-2, beta_1=0.5)
    n = real_batches.shape[1]
    d_losses = []
    for i in range(k):
        with tf.GradientTape() as tape:
            fake_samples = generator(tf.random.normal((n, generator.input_shape[-1])))
            d_loss = minimax_discriminator_loss(discriminator(real_batches[0 if same_batch else i]),
                                                discriminator(fake_samples))
        grads = tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        d_losses.append(float(d_loss))
    fake_samples = generator(tf.random.normal((n, generator.input_shape[-1])))
    g_loss = float(nonsaturating_generator_loss(discriminator(fake_samples)))
    return [w.numpy() for w in discriminator.trainable_weights], d_losses, g_loss


def check_k_step_train_step(exercise, make_k_step_train_step, k=3):
    """Exercise: ``make_k_step_train_step(generator, discriminator, g_optimizer, d_optimizer,
    generator_loss, k)`` returns ``train_step(real_batches)`` that makes k discriminator steps
    (one per real batch of ``real_batches``, shape (k, batch, data_dim), each against fresh fakes)
    and then one generator step on fresh noise, returning ``(d_loss, g_loss)`` of the last steps
    (Goodfellow et al. 2014, Algorithm 1).

    Calls it twice on small networks and counts each optimizer's updates (``iterations``): k and
    1 per call. In the first call the generator maps every z to one point until its own update
    (:func:`_tiny_toy_networks`), so the discriminator after the first call and the two losses it
    returns must equal those of k steps done by the book (:func:`_k_step_by_the_book`), within
    float32 round-off; a spy layer counts the distinct noise batches the generator receives
    (at least k + 1). Also checks that both networks' weights moved."""
    import keras
    import numpy as np

    from gan_helpers.losses import nonsaturating_generator_loss

    if unanswered(exercise, make_k_step_train_step, "your function make_k_step_train_step"):
        return None
    if not callable(make_k_step_train_step):
        return report(exercise, False, "make_k_step_train_step should be a function; got "
                                       f"{type(make_k_step_train_step).__name__}.")
    generator, discriminator = _tiny_toy_networks(spy=True)
    spy = generator.get_layer("noise_spy")
    g_optimizer, d_optimizer = keras.optimizers.Adam(1e-2, beta_1=0.5), keras.optimizers.Adam(1e-2, beta_1=0.5)
    centres = np.array([[2.0, 0.0], [-1.0, 2.0], [0.0, -2.0], [-2.0, -1.0], [1.5, 1.5]])
    rng = np.random.default_rng(0)
    real_batches = (centres[np.arange(k) % len(centres), None, :]
                    + 0.3 * rng.normal(size=(k, 32, 2))).astype("float32")
    g_start = [w.numpy() for w in generator.trainable_weights]
    d_start = [w.numpy() for w in discriminator.trainable_weights]
    try:
        train_step = make_k_step_train_step(generator, discriminator, g_optimizer, d_optimizer,
                                            nonsaturating_generator_loss, k)
        if not callable(train_step):
            return report(exercise, False, "make_k_step_train_step should return the train_step function it builds; "
                                           f"it returned {type(train_step).__name__}.")
        result = train_step(real_batches)
        d_after_one, g_after_one = int(d_optimizer.iterations), int(g_optimizer.iterations)
        d_weights_after_one = [w.numpy() for w in discriminator.trainable_weights]
        calls = int(spy.calls.numpy())
        noise_batches = len(np.unique(spy.seen.numpy()[:min(calls, 64)]))
        train_step(real_batches)
    except Exception as exc:  # the learner's code: say what went wrong, not a traceback
        return report(exercise, False, f"calling it raised {type(exc).__name__}: {str(exc)[:300]}")
    if d_after_one != k:
        return report(exercise, False, f"one call with k = {k} made {d_after_one} discriminator update(s): "
                                       "there should be one per discriminator step.")
    if g_after_one != 1:
        return report(exercise, False, f"one call made {g_after_one} generator updates: the generator takes one "
                                       "step per call, after the discriminator's steps.")
    if (int(d_optimizer.iterations), int(g_optimizer.iterations)) != (2 * k, 2):
        return report(exercise, False, "a second call did not make the same updates as the first.")
    if max(float(np.max(np.abs(a - b.numpy()))) for a, b in zip(d_start, discriminator.trainable_weights)) == 0:
        return report(exercise, False, "the discriminator's weights did not change.")
    if max(float(np.max(np.abs(a - b.numpy()))) for a, b in zip(g_start, generator.trainable_weights)) == 0:
        return report(exercise, False, "the generator's weights did not change: apply its gradients to its "
                                       "own trainable variables.")
    if noise_batches < k + 1:
        return report(exercise, False, f"in one call the generator received {noise_batches} different noise "
                                       f"batch(es); {k} discriminator steps and one generator step each need "
                                       "their own fresh z.")
    expected, d_losses, g_loss = _k_step_by_the_book(real_batches, k)

    def same_weights(weights, reference):
        return all(np.allclose(a, b, rtol=1e-3, atol=1e-5) for a, b in zip(weights, reference))

    if not same_weights(d_weights_after_one, expected):
        if same_weights(d_weights_after_one, _k_step_by_the_book(real_batches, k, same_batch=True)[0]):
            because = (f"all {k} discriminator steps trained on the same real batch: step i should use "
                       "real_batches[i].")
        else:
            because = (f"after one call the discriminator is not where {k} steps of minimax_discriminator_loss "
                       "take it: one step on each real batch, in order, each against the current generator's fakes, "
                       "all before the generator's step.")
        return report(exercise, False, because)
    try:
        losses = [float(np.asarray(value).reshape(())) for value in result]
    except (TypeError, ValueError):
        losses = []
    if len(losses) != 2 or not all(np.isfinite(losses)):
        return report(exercise, False, f"train_step should return (d_loss, g_loss), two numbers; got {result!r:.200}.")
    if not close(losses[0], d_losses[-1], rel=1e-3, abs_=1e-5):
        return report(exercise, False, "the d_loss it returns is not the loss of the last discriminator step "
                                       "(minimax_discriminator_loss of that step's real and fake logits).")
    if not close(losses[1], g_loss, rel=1e-3, abs_=1e-5):
        return report(exercise, False, "the g_loss it returns is not generator_loss of the discriminator's logits "
                                       "on fresh fakes, computed after the discriminator's steps.")
    return report(exercise, True, praise=f"{k} discriminator updates on {k} real batches and 1 generator update per "
                                         "call, each on fresh noise.")


__all__ += ["check_optimal_discriminator_at_a_point", "check_generator_loss_run", "check_modes_captured",
            "check_bridges_between_modes", "check_k_step_train_step"]


# ---- notebook 04: text GANs
def check_gumbel_max_shares(exercise, answer, probs, n=10_000, tolerance=0.02, seed=0) -> bool | None:
    """``answer``: the share of each of the 5 words among ``n`` Gumbel-max draws from ``probs``.

    The exercise fixes the random numbers (``rng = np.random.default_rng(seed)``,
    ``u = rng.uniform(size=(n, 5))``, or ``rng.gumbel(size=(n, 5))``), so the shares of the trick,
    ``argmax(log p + g)`` row by row, are known exactly: accepted only when the answer is those shares.
    Shares that are close to ``probs`` but come from another sampler (``rng.choice``,
    ``rng.multinomial``) are rejected with a hint, as are typed-in numbers and non-counts."""
    import numpy as np

    if unanswered(exercise, answer, "the shares of your 10,000 words"):
        return None
    try:
        shares = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return report(exercise, False, f"the answer must be 5 numbers (one share per word); got {type(answer).__name__}.")
    probs = np.asarray(probs, dtype=float)
    if shares.shape != probs.shape:
        return report(exercise, False, f"the answer must hold {probs.size} shares, one per word; got shape {shares.shape}.")
    if np.any(shares < 0) or abs(shares.sum() - 1) > 1e-6:
        return report(exercise, False, f"shares are non-negative and add up to 1; yours add up to {shares.sum():.4f}.")
    if not np.allclose(shares * n, np.round(shares * n), atol=1e-6):
        return report(exercise, False, f"these are not counts out of {n:,} draws: divide np.bincount(words, minlength=5) "
                                       f"by {n:,}.")
    gap = float(np.abs(shares - probs).max())
    if gap > tolerance:
        return report(exercise, False, f"the largest gap to probs is {gap:.3f}: add Gumbel noise -log(-log(u)) to the "
                                       "*log*-probabilities (or logits), then take the argmax of each row.")
    expected = []
    for draw in ("uniform", "gumbel"):
        rng = np.random.default_rng(seed)
        g = -np.log(-np.log(rng.uniform(size=(n, probs.size)))) if draw == "uniform" else rng.gumbel(size=(n, probs.size))
        expected.append(np.bincount(np.argmax(np.log(probs) + g, axis=1), minlength=probs.size) / n)
    if not any(np.abs(shares - e).max() <= 2 / n for e in expected):
        return report(exercise, False, "these shares are close to probs, but they are not the Gumbel-max draws the "
                                       f"exercise asks for: with rng = np.random.default_rng({seed}) draw "
                                       f"u = rng.uniform(size=({n:_}, 5)), add -np.log(-np.log(u)) to np.log(probs) and "
                                       "take the argmax of each row (rng.choice or rng.multinomial sample p directly, "
                                       "without the trick).")
    return report(exercise, True, praise=f"Largest gap to probs {gap:.3f}: the argmax of log p + Gumbel noise is a "
                                         "draw from p.")


def check_from_scratch(exercise, answer, pretrained, quality_key="grammatical", at_most=0.5) -> bool | None:
    """``answer``: the dict that ``measure`` returned for a GAN trained without MLE pre-training.

    Accepted when it is such a measurement (``quality_key``, ``unique``, ``mean_length``, ``n``), of
    at least 100 sentences, whose quality is below ``at_most`` times the pre-trained GAN's
    (``pretrained``): 600 adversarial steps from random weights do not reach a pre-trained model's
    quality, so a measurement that does is of a pre-trained model (the GAN or the MLE model sampled
    again). Prints both qualities side by side."""
    if unanswered(exercise, answer, "the dict returned by measure(...)"):
        return None
    keys = (quality_key, "unique", "mean_length", "n")
    if not isinstance(answer, dict) or any(k not in answer for k in keys):
        return report(exercise, False, "the answer must be the dict that measure(make_sampler(g, 0)) returns "
                                       f"(with the keys {', '.join(keys)}).")
    if answer == pretrained or answer is pretrained:
        return report(exercise, False, "this is the pre-trained GAN's measurement: train a new generator from "
                                       "fresh weights (new_generator(), no set_weights) and measure that one.")
    if not isinstance(answer["n"], int) or answer["n"] < 100:
        return report(exercise, False, f"measure at least 100 sentences (measure() uses eval_samples); got {answer['n']!r}.")
    quality = answer[quality_key]
    if quality is None or not 0 <= quality <= 1:
        return report(exercise, False, f"{quality_key} must be a share between 0 and 1; got {quality!r}.")
    if quality > at_most * pretrained[quality_key]:
        return report(exercise, False, f"{quality_key} {quality:.1%} is close to the pre-trained GAN's "
                                       f"({pretrained[quality_key]:.1%}): this measures a pre-trained model. Train "
                                       "new_generator() (no set_weights, no MLE steps) with make_gan_step, then "
                                       "measure make_sampler(g, 0).")
    return report(exercise, True, praise=f"From scratch: {quality_key} {quality:.1%}, unique {answer['unique']:.1%}, "
                                         f"mean length {answer['mean_length']:.1f}; the pre-trained GAN: "
                                         f"{pretrained[quality_key]:.1%}.")


def check_soft_fake_accuracy(exercise, answer, generator, batches, vocab_size, at_least=0.9,
                             seed=12345) -> bool | None:
    """``answer``: a discriminator trained on real one-hot sentences against *soft* Gumbel-softmax
    fakes of ``generator``.

    The check measures it itself, on the next batch of ``batches`` (real ids) and as many new soft
    fakes (``generator.generate(n, 1.0, hard=False)``): accuracy = (share of real logits > 0 + share of
    fake logits < 0) / 2. Accepted from ``at_least`` (the format leak makes it near 100 %); a typed-in
    number, or an untrained discriminator (near 50 %), is rejected."""
    if unanswered(exercise, answer, "your trained discriminator"):
        return None
    import numpy as np

    if not callable(answer) or not hasattr(answer, "trainable_variables"):
        return report(exercise, False, f"the answer must be the trained discriminator itself (a Keras model, e.g. "
                                       f"exercise_3 = d); got {type(answer).__name__}. The check measures its accuracy.")
    import keras
    import tensorflow as tf

    real_ids = next(batches)
    fake = generator.generate(int(tf.shape(real_ids)[0]), 1.0, hard=False, seed=keras.random.SeedGenerator(seed))
    try:
        real_logits = np.asarray(answer(tf.one_hot(real_ids, vocab_size))).reshape(-1)
        fake_logits = np.asarray(answer(fake)).reshape(-1)
    except Exception as error:  # noqa: BLE001 (any failure of the learner's model is reported, not raised)
        return report(exercise, False, f"calling your discriminator on one-hot sentences failed: {error}")
    value = 0.5 * (float(np.mean(real_logits > 0)) + float(np.mean(fake_logits < 0)))
    if value < at_least:
        return report(exercise, False, f"on a new batch this discriminator's accuracy is {value:.0%}: train it for 100 "
                                       "steps on real one-hot sentences against soft fakes (hard=False), real -> 1, "
                                       "fake -> 0, and pass the trained model.")
    return report(exercise, True, praise=f"{value:.0%} on a new batch of real and soft fake sentences: soft vectors are "
                                         "recognisable whatever the words.")


def check_oracle_nll_by_hand(exercise, answer, tokens) -> bool | None:
    """``answer``: -log p_grammar(tokens) in nats, computed by multiplying rule probabilities by hand.

    Compared with ``gan_helpers.grammar.oracle_nll`` (relative 1e-4); per-token, log10 and
    log-probability (sign) mistakes get their own hints."""
    import math

    from gan_helpers.grammar import oracle_nll

    if unanswered(exercise, answer, "-log p of the sentence (nats)"):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(exercise, False, f"the answer must be one number (nats); got {answer!r}.")
    expected = oracle_nll(list(tokens))
    if close(value, expected, rel=1e-4):
        return report(exercise, True, praise=f"p = {math.exp(-expected):.2e}: each rule's probability, and 1 / (number "
                                             "of words) for each word picked from a list.")
    if close(-value, expected, rel=1e-4):
        return report(exercise, False, "that is log p; the NLL is -log p (a positive number).")
    if close(value, expected / math.log(10), rel=1e-4):
        return report(exercise, False, "that is in log base 10; use the natural log (nats).")
    if close(value, expected / len(tokens), rel=1e-4):
        return report(exercise, False, "that is per token; give the NLL of the whole sentence.")
    return report(exercise, False, f"{value:g} nats is not -log p of this sentence: list the rules of its derivation "
                                   "(S, the subject with its relative clause, the verb phrase, the object) and each "
                                   "word's probability, 1 / len(grammar.LEXICON[symbol]).")


__all__ += ["check_gumbel_max_shares", "check_from_scratch", "check_soft_fake_accuracy", "check_oracle_nll_by_hand"]


# ---- notebook 06: applications (conditional GAN, latent editing, augmentation, image completion)
def check_label_blind_accuracy(exercise, answer) -> bool | None:
    """``answer``: the mean per-class accuracy (requested digit read as requested) of a generator
    that ignores its label but draws all ten digits equally often: 0.1."""
    if unanswered(exercise, answer, "a number between 0 and 1 in answer_1"):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(exercise, False, f"{answer!r} is not a number.")
    if not 0 <= value <= 1:
        return report(exercise, False, f"{value:g} is not a share: an accuracy lies between 0 and 1.")
    if abs(value - 0.1) >= 0.01:
        return report(exercise, False, "for each request, how often is a random digit the right one?")
    return report(exercise, True, praise="A random digit is the requested one once in ten: the floor of section "
                                         "4's table. The ceiling is not 100 %: real digits reach the evaluator's "
                                         "own accuracy, and clear, typical generated digits can even score above "
                                         "it (section 4).")


def _reference_contextual_loss(fake_images, images, visible):
    import numpy as np

    return np.sum(np.abs(np.asarray(visible) * (np.asarray(fake_images) - np.asarray(images))), axis=(1, 2, 3))


def check_contextual_loss(exercise, loss_function) -> bool | None:
    """``loss_function(fake_images, images, visible)``: the contextual loss of notebook 06, section 7
    (Yeh et al. 2017), one number per image: ``sum over pixels of |visible * (fake_images - images)|``
    for images of shape (N, 28, 28, 1) and a mask ``visible`` (1 visible, 0 hidden) of the same shape.
    Tried on random images with random holes, where every wrong variant (no mask, the hidden pixels,
    squares, a mean, one number for the batch) gives other numbers."""
    import numpy as np

    rng = np.random.default_rng(6)
    fake_images, images = rng.uniform(-1, 1, size=(2, 3, 28, 28, 1)).astype("float32")
    visible = np.ones((3, 28, 28, 1), "float32")
    for i, (top, left) in enumerate([(2, 5), (10, 10), (15, 3)]):
        visible[i, top:top + 9, left:left + 12] = 0.0
    value, verdict = _call_first(exercise, loss_function, fake_images, images, visible)
    if verdict is False:
        return False
    if value is None:
        print(f"Exercise {exercise}: not answered yet (write the body of the function in the cell above and run it "
              "again).")
        return None
    try:
        value = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        return report(exercise, False, f"your function returned {type(value).__name__}, not numbers.")
    expected = _reference_contextual_loss(fake_images, images, visible)
    if value.shape != (3,):
        return report(exercise, False, f"for 3 images it returned shape {value.shape}: the search needs one loss per "
                                       "image (sum over the pixels of each image, not over the batch).")
    if np.allclose(value, _reference_contextual_loss(fake_images, images, 1 - visible), rtol=1e-4):
        return report(exercise, False, "it measures the hidden pixels: the loss must compare the pixels that are "
                                       "still there (visible = 1).")
    if np.allclose(value, _reference_contextual_loss(fake_images, images, np.ones_like(visible)), rtol=1e-4):
        return report(exercise, False, "it compares every pixel, the hole too: multiply the difference by the mask.")
    if not np.allclose(value, expected, rtol=1e-4, atol=1e-3):
        return report(exercise, False, "the numbers differ from the L1 distance on the visible pixels (absolute "
                                       "differences, multiplied by the mask, summed over each image).")
    return report(exercise, True, praise="This is the first term of the search of section 7.")


def _columns_with_ink(images):
    import numpy as np

    return np.sum(np.asarray(images)[..., 0].max(axis=1) > 0.0, axis=1)


def _quartile_direction(z, labels, values):
    import numpy as np

    high, low = np.zeros(len(z), bool), np.zeros(len(z), bool)
    for k in np.unique(labels):
        idx = np.flatnonzero(labels == k)
        lo, hi = np.quantile(values[idx], [0.25, 0.75])
        high[idx[values[idx] >= hi]], low[idx[values[idx] <= lo]] = True, True
    return z[high].mean(axis=0) - z[low].mean(axis=0)


def check_width_direction(exercise, width_direction, probe_z, probe_labels, probe_images, generate, edit_z) -> bool | None:
    """``width_direction``: notebook 06's attribute vector for the width of a digit (the number of
    columns that contain ink, pixel > 0), found like the thickness and slant vectors of section 5:
    mean ``probe_z`` of the widest quarter minus that of the narrowest quarter, decided within each
    label. Compared with that recipe by its cosine (>= 0.8 passes, so small changes of the recipe
    pass, another attribute or the opposite sign does not), then applied: ``generate(edit_z +- 2 v)``
    must give wider digits at +2 than at -2."""
    import numpy as np

    if unanswered(exercise, width_direction, "a vector of size latent_dim in width_direction"):
        return None
    try:
        direction = np.asarray(width_direction, dtype="float64")
    except (TypeError, ValueError):
        return report(exercise, False, f"{type(width_direction).__name__} is not a vector of numbers.")
    probe_z = np.asarray(probe_z, dtype="float64")
    if direction.shape != probe_z.shape[1:]:
        return report(exercise, False, f"it has shape {direction.shape}; a direction in latent space has one number "
                                       f"per latent dimension: shape {probe_z.shape[1:]}.")
    if not np.all(np.isfinite(direction)) or np.linalg.norm(direction) == 0:
        return report(exercise, False, "it is zero or not finite: no direction at all.")
    expected = _quartile_direction(probe_z, np.asarray(probe_labels), _columns_with_ink(probe_images))
    cosine = float(direction @ expected / (np.linalg.norm(direction) * np.linalg.norm(expected)))
    if cosine <= -0.8:
        return report(exercise, False, "it points the other way: from wide digits towards narrow ones (wide minus "
                                       "narrow, not narrow minus wide).")
    if cosine < 0.8:
        return report(exercise, False, f"its cosine with the width direction is {cosine:+.2f}: measure the columns "
                                       "with ink on probe_images and average probe_z over the widest and the "
                                       "narrowest quarter of each digit, as attribute_direction does.")
    edit_z = np.asarray(edit_z, dtype="float32")
    narrow, wide = (float(np.mean(_columns_with_ink(generate(edit_z + a * direction.astype("float32")))))
                    for a in (-2.0, 2.0))
    if not wide > narrow:
        return report(exercise, False, f"applied to edit_z it gives {narrow:.1f} columns at alpha -2 and {wide:.1f} "
                                       "at +2: the width does not grow.")
    return report(exercise, True, praise=f"Mean width {narrow:.1f} columns at alpha -2, {wide:.1f} at +2 (cosine "
                                         f"{cosine:+.2f} with the recipe). Now compare it with the slant direction.")


def check_small_gan_accuracies(exercise, accuracies, augmentation) -> bool | None:
    """``accuracies``: notebook 06's exercise 3, the held-out accuracy of "real + GAN" with a GAN
    trained on the labelled digits only, one per augmentation seed. The check can only test the form
    (one share in [0, 1] per seed of section 6) and that the numbers are not one of section 6's own
    rows (``augmentation``: setting -> accuracies); it cannot tell which GAN made the digits. Then
    it prints the paired difference with section 6's "real only"."""
    import numpy as np

    if unanswered(exercise, accuracies, "the list of accuracies in exercise_3"):
        return None
    try:
        values = np.asarray(accuracies, dtype="float64")
    except (TypeError, ValueError):
        return report(exercise, False, f"{accuracies!r} is not a list of numbers.")
    seeds = len(augmentation["real only"])
    if values.ndim != 1 or len(values) != seeds:
        return report(exercise, False, f"it holds {values.size} number(s) in shape {values.shape}: section 6 ran "
                                       f"{seeds} seed(s), so give one accuracy per seed, in the same order.")
    if not np.all((values >= 0) & (values <= 1)):
        return report(exercise, False, "an accuracy is a share between 0 and 1 (0.82, not 82).")
    for name, row in augmentation.items():
        if np.allclose(values, np.asarray(row, dtype="float64")):
            return report(exercise, False, f"these are section 6's own \"{name}\" numbers: train a new GAN on the "
                                           "labelled digits of each seed and measure its digits.")
    difference = values - np.asarray(augmentation["real only"], dtype="float64")
    spread = f" ± {100 * difference.std(ddof=1) / np.sqrt(seeds):.1f}" if seeds > 1 else ""
    # the numbers have the right form; whether they are right only a re-run of the experiment can tell
    print(f"Exercise {exercise}: recorded (this check tests only the form of your numbers). Real + small-GAN digits "
          f"minus real only: {100 * difference.mean():+.1f}{spread} points (mean ± standard error over {seeds} seed(s)); "
          "compare with Solution 3.")
    return True


__all__ += ["check_label_blind_accuracy", "check_contextual_loss", "check_width_direction",
            "check_small_gan_accuracies"]


# ---- notebook 05: failure modes and their fixes
def check_reverse_kl_by_hand(exercise, answer, n_modes=8) -> bool | None:
    """``answer``: the reverse KL of high-quality samples split half and half over 2 of ``n_modes`` modes.

    Expected ``2 * 1/2 * log((1/2) / (1/n_modes)) = log(n_modes / 2)`` (natural log); base-10,
    sign and one-mode mistakes get their own hints."""
    import math

    if unanswered(exercise, answer, "the reverse KL (a number)"):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(exercise, False, f"the answer must be one number; got {answer!r}.")
    expected = math.log(n_modes / 2)
    if close(value, expected, rel=1e-2):
        return report(exercise, True, praise=f"KL = log {n_modes // 2} = {expected:.3f}: every mode that gets q_k = 1/2 "
                                             f"instead of 1/{n_modes} adds q_k log(q_k K).")
    if close(value, expected / math.log(10), rel=1e-2):
        return report(exercise, False, "that is in log base 10; the benchmark uses the natural log.")
    if close(-value, expected, rel=1e-2):
        return report(exercise, False, "a KL divergence is never negative: sum q_k log(q_k / p_k), q first.")
    if close(value, math.log(n_modes), rel=1e-2):
        return report(exercise, False, f"log {n_modes} is the KL of a generator on ONE mode; here two modes share "
                                       "the samples.")
    if close(value, expected / 2, rel=1e-2):
        return report(exercise, False, "that is one mode's term; add the terms of both modes.")
    return report(exercise, False, f"{value:g} is not the reverse KL: q = (1/2, 1/2) on two modes, p = 1/{n_modes} each; "
                                   "sum q_k log(q_k / p_k) over the modes with q_k > 0.")


def _reference_fair_share(counts, n_samples):
    return sum(min(c, n_samples / len(counts)) for c in counts) / n_samples


def check_fair_share(exercise, fair_share) -> bool | None:
    """``fair_share(counts, n_samples)``: the share of samples that are high quality, each mode's
    high-quality count capped at its fair share ``n_samples / K`` (``K = len(counts)``).

    Tried on hand-made cases: a balanced generator, one mode only, an overfull mode next to empty
    ones, and samples that are not high quality at all."""
    cases = [([100, 100, 100, 100], 400), ([400, 0, 0, 0], 400), ([250, 50, 50, 0], 400), ([60, 40, 10, 0], 400),
             ([0, 0, 0, 0], 400), ([300, 310, 290, 300, 295, 305, 300, 300], 2500)]
    value, verdict = _call_first(exercise, fair_share, *cases[0])
    if verdict is False:
        return False
    if value is None:
        return unanswered(exercise, None, "your code in fair_share") and None
    for counts, n in cases:
        try:
            value = float(fair_share(list(counts), n))
        except Exception as error:  # the learner's code may fail in any way
            return report(exercise, False, f"fair_share({counts}, {n}) raised {type(error).__name__}: {error}.")
        expected = _reference_fair_share(counts, n)
        if not close(value, expected, rel=1e-6, abs_=1e-9):
            high_quality = sum(counts) / n
            hint = ("that is the plain high-quality share: cap each mode's count at n_samples / K first"
                    if close(value, high_quality, rel=1e-6) else
                    "divide the capped sum by n_samples (a share between 0 and 1)" if close(value, expected * n, rel=1e-6)
                    else "each mode counts min(its high-quality count, n_samples / K); add them up and divide by n_samples")
            return report(exercise, False, f"fair_share({counts}, {n}) = {value:g}, expected {expected:g}: {hint}.")
    return report(exercise, True, praise="One mode, however perfect, scores at most 1/K; real data score about 0.97 "
                                         "(a random draw gives some modes more than n/K samples: the surplus is lost).")


def check_dirac_smallest_gamma(exercise, answer, h=0.2, f_prime_0=0.5) -> bool | None:
    """``answer``: the smallest R1 weight gamma for which simultaneous gradient descent with step ``h``
    converges on the Dirac GAN.

    Near the equilibrium a step multiplies distances by ``|1 + h lambda|`` with
    ``lambda = -gamma/2 +- i sqrt(f'(0)^2 - gamma^2/4)``: ``|1 + h lambda|^2 = 1 - h gamma + h^2 f'(0)^2``,
    below 1 exactly when ``gamma > h f'(0)^2``. Accepted within 5 % (a numerical search finds it
    to about that precision)."""
    if unanswered(exercise, answer, "the smallest gamma"):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(exercise, False, f"the answer must be one number; got {answer!r}.")
    expected = h * f_prime_0 ** 2
    if close(value, expected, rel=0.05):
        return report(exercise, True, praise=f"gamma > h f'(0)^2 = {expected:g}: |1 + h lambda|^2 = 1 - h gamma + "
                                             "h^2 f'(0)^2. The smaller the step, the less damping it needs.")
    if value <= 0:
        return report(exercise, False, "without the penalty (gamma = 0) the simultaneous steps spiral out for every h > 0.")
    if value < expected:
        return report(exercise, False, f"with gamma = {value:g} the steps near the equilibrium still spiral out, "
                                       "slowly: start closer to (0, 0) or run more steps, and watch the distance.")
    return report(exercise, False, f"gamma = {value:g} converges, but a smaller gamma does too: find where |1 + h lambda| "
                                   "crosses 1 (by bisection on dirac_descend, or from the eigenvalues).")


__all__ += ["check_reverse_kl_by_hand", "check_fair_share", "check_dirac_smallest_gamma"]


# ---- notebook 07: image-to-image translation (pix2pix, CycleGAN)
def check_patch_size(exercise, answer) -> bool | None:
    """``answer``: the receptive field of pix2pix's default PatchGAN (five 4x4 convolutions with
    strides 2, 2, 2, 1, 1): from the top unit down, ``r <- (r - 1) * s + k`` gives 70."""
    if unanswered(exercise, answer, "an integer in answer_1"):
        return None
    if isinstance(answer, bool):
        return report(exercise, False, f"{answer!r} is not a number of pixels.")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return report(exercise, False, f"{answer!r} is not a number.")
    if value == 70:
        return report(exercise, True, praise="The paper's 70x70 PatchGAN: 1 -> 4 -> 7 -> 16 -> 34 -> 70. The strides "
                                             "near the input multiply the field the most.")
    if value == 28:          # the layers taken first to last (the strides applied in the wrong order)
        return report(exercise, False, "go from the top logit down: the last layers (stride 1) come first, the "
                                       "first layers (stride 2) last.")
    if value == 20:          # 5 * 4: kernels added without the strides
        return report(exercise, False, "a layer of stride s multiplies the field of everything above it by s.")
    return report(exercise, False, "start at r = 1 for the logit and apply r <- (r - 1) * s + k once per layer, the "
                                   "last layer first.")


def check_l1_l2_minimizers(exercise, answer, p_ink=0.3) -> bool | None:
    """``answer``: ``(v_l1, v_l2)`` for a pixel that is +1 with probability ``p_ink`` and -1
    otherwise: the value minimizing E|y - v| is the median (-1 for p_ink < 0.5), the value
    minimizing E(y - v)^2 is the mean ``2 p_ink - 1`` (-0.4)."""
    if unanswered(exercise, answer, "the pair (v_l1, v_l2) in answer_2"):
        return None
    try:
        v_l1, v_l2 = (float(v) for v in answer)
    except (TypeError, ValueError):
        return report(exercise, False, f"the answer must be a pair of numbers (v_l1, v_l2); got {answer!r}.")
    median, mean = (1.0 if p_ink > 0.5 else -1.0), 2 * p_ink - 1
    if close(v_l1, mean, abs_=1e-3) and close(v_l2, median, abs_=1e-3):
        return report(exercise, False, "the two are swapped: which of the two losses is minimized by the mean?")
    if not close(v_l2, mean, abs_=1e-3):
        return report(exercise, False, "for the squared error, set the derivative of 0.3 (1 - v)^2 + 0.7 (-1 - v)^2 to "
                                       "zero.")
    if not close(v_l1, median, abs_=1e-3):
        return report(exercise, False, "for the L1 error, how do 0.3 |1 - v| + 0.7 |-1 - v| change when v moves one "
                                       "step toward -1 (for v between -1 and 1)?")
    return report(exercise, True, praise="L1 picks the median, the squared error the mean (a grey pixel). Per pixel, "
                                         "L1 is not blurred; over a whole stroke whose place is uncertain, it still is.")


def _reference_cycle_loss(a, b, g, f):
    import numpy as np

    return float(np.mean(np.abs(f(g(a)) - a)) + np.mean(np.abs(g(f(b)) - b)))


def check_cycle_loss(exercise, loss_function) -> bool | None:
    """``loss_function(a, b, g, f)``: CycleGAN's cycle-consistency loss,
    ``mean |f(g(a)) - a| + mean |g(f(b)) - b|``, one number. Tried with two made-up translations
    that are not inverses of each other, where every wrong variant (one direction only, squares,
    a sum instead of a mean, the identity loss, no absolute value) gives another number."""
    import numpy as np

    rng = np.random.default_rng(7)
    a, b = rng.uniform(-1, 1, size=(2, 4, 28, 28, 1)).astype("float32")
    g = lambda x: np.clip(1.3 * x + 0.2, -1, 1)    # noqa: E731 (made-up translations)
    f = lambda x: 0.6 * x - 0.1                      # noqa: E731
    value, verdict = _call_first(exercise, loss_function, a, b, g, f)
    if verdict is False:
        return False
    if value is None:
        print(f"Exercise {exercise}: not answered yet (write the body of the function in the cell above and run it "
              "again).")
        return None
    try:
        value = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        return report(exercise, False, f"your function returned {type(value).__name__}, not a number.")
    if value.shape != ():
        return report(exercise, False, f"it returned shape {value.shape}: the loss is one number for the batch.")
    value = float(value)
    expected = _reference_cycle_loss(a, b, g, f)
    one_way = (float(np.mean(np.abs(f(g(a)) - a))), float(np.mean(np.abs(g(f(b)) - b))))
    if any(np.isclose(value, v, rtol=1e-4) for v in one_way):
        return report(exercise, False, "it measures one direction only: there and back from style A *and* from style B.")
    identity = float(np.mean(np.abs(g(b) - b)) + np.mean(np.abs(f(a) - a)))
    if np.isclose(value, identity, rtol=1e-4):
        return report(exercise, False, "that is the identity loss (g applied to b, f to a): the cycle applies both "
                                       "translations in turn.")
    if not np.isclose(value, expected, rtol=1e-4):
        return report(exercise, False, "the number differs from the mean absolute error of f(g(a)) against a plus that "
                                       "of g(f(b)) against b.")
    return report(exercise, True, praise="The cycle term of section 4, without the weight lambda_cycle.")


__all__ += ["check_patch_size", "check_l1_l2_minimizers", "check_cycle_loss"]


# ---- notebook 08: modern image GANs (spectral norm, hinge, R1, DiffAugment, EMA, truncation)
def check_hinge_by_hand(exercise, answer) -> bool | None:
    """The hinge discriminator loss of real scores (2.0, 0.5) and fake scores (-3.0, 0.0): 0.25 + 0.5."""
    if unanswered(exercise, answer, "a number"):
        return None
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return report(exercise, False, f"the answer should be one number; got {type(answer).__name__}.")
    if close(answer, 0.75):
        return report(exercise, True, praise="The real 2.0 and the fake -3.0 are past the margin: they cost nothing.")
    import math

    minimax = (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(-0.5))) / 2 + \
        (math.log1p(math.exp(-3.0)) + math.log1p(math.exp(0.0))) / 2
    if close(answer, minimax, rel=1e-2):
        return report(exercise, False, "that is the minimax (cross-entropy) loss of these scores, not the hinge loss.")
    if close(answer, 1.5):
        return report(exercise, False, "the loss averages over each batch; it does not sum.")
    return report(exercise, False, "take max(0, 1 - D(x)) for each real score and max(0, 1 + D(G(z))) for each fake, "
                                   "and average each group.")


def check_translate(exercise, translate) -> bool | None:
    """Compare ``translate(image, dy, dx)`` with :func:`gan_helpers.augment.rand_translation` on several shifts."""
    import numpy as np

    from gan_helpers.augment import rand_translation

    image = np.random.default_rng(8).uniform(-1, 1, size=(28, 28)).astype("float32")
    first, failed = _call_first(exercise, translate, image.copy(), 2, 3)
    if failed is False:
        return False
    if unanswered(exercise, first, "your function's body"):
        return None
    for dy, dx in ((2, 3), (0, 0), (-3, 1), (1, -2), (-2, -3), (3, 0)):
        expected = np.asarray(rand_translation(image[None, :, :, None], ratio=0.125, shifts=[[dy, dx]]))[0, :, :, 0]
        try:
            got = np.asarray(translate(image.copy(), dy, dx), dtype="float32")
        except Exception as error:  # the learner's code may fail in any way: say so, don't crash
            return report(exercise, False, f"your function raised {type(error).__name__}: {error} for dy={dy}, dx={dx}.")
        if got.shape != (28, 28):
            return report(exercise, False, f"the result should have the image's shape (28, 28); got {got.shape}.")
        if not np.allclose(got, expected, atol=1e-5):
            if np.allclose(got, np.roll(image, (dy, dx), axis=(0, 1)), atol=1e-5):
                return report(exercise, False, f"for dy={dy}, dx={dx} the pixels that leave one side come back on the "
                                               "other (a roll); uncovered pixels should be the background -1.")
            if np.allclose(got, np.asarray(rand_translation(image[None, :, :, None], shifts=[[dx, dy]]))[0, :, :, 0],
                           atol=1e-5):
                return report(exercise, False, "rows and columns are swapped: dy moves rows (down), dx columns (right).")
            return report(exercise, False, f"for dy={dy}, dx={dx} the result differs from the shifted image "
                                           f"in {int(np.sum(~np.isclose(got, expected, atol=1e-5)))} pixels.")
    return report(exercise, True, praise="Your shift agrees with DiffAugment's translation.")


def check_r1_linear(exercise, answer) -> bool | None:
    """R1 of D(x) = a . x with a = (0.5, -1, 2, 0): ||a||^2 = 5.25; with gamma 10 the loss gains 26.25."""
    if unanswered(exercise, answer, "a pair (R1, added loss)"):
        return None
    try:
        r1, added = (float(v) for v in answer)
    except (TypeError, ValueError):
        return report(exercise, False, "the answer should be a pair of numbers, (R1, gamma / 2 * R1).")
    if close(r1, 5.25) and close(added, 26.25):
        return report(exercise, True, praise="The gradient of a linear D is its weight vector, at every image.")
    if close(r1, 5.25 ** 0.5):
        return report(exercise, False, "R1 is the *squared* norm of the gradient.")
    if close(r1, 1.5):
        return report(exercise, False, "R1 squares the gradient's components before adding them (it is not their sum).")
    if close(r1, 5.25):
        return report(exercise, False, "R1 is right; the loss adds gamma / 2 times it.")
    return report(exercise, False, "the gradient of a sum of a_i x_i with respect to x is the vector a; R1 is its "
                                   "squared length.")


def check_held_out_share(exercise, answer, log, other_log) -> bool | None:
    """The last record's share of held-out real digits called real, from ``log`` (step, training share, held-out share)."""
    import numpy as np

    if unanswered(exercise, answer, "a share between 0 and 1"):
        return None
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.floating)):
        return report(exercise, False, f"the answer should be one number; got {type(answer).__name__}.")
    log, other_log = np.asarray(log, dtype=float), np.asarray(other_log, dtype=float)
    expected = log[-1, 2]
    if close(answer, expected, abs_=1e-6):
        return report(exercise, True, praise=f"At the end, D called {100 * log[-1, 1]:.0f} % of its training digits real "
                                      f"and {100 * expected:.0f} % of the held-out digits.")
    if answer > 1 and close(answer / 100, expected, abs_=1e-6):
        return report(exercise, False, "give a share between 0 and 1, not a percentage.")
    if close(answer, log[-1, 1], abs_=1e-6):
        return report(exercise, False, "that is the share of the *training* digits (the second column).")
    if close(answer, other_log[-1, 2], abs_=1e-6):
        return report(exercise, False, "that is the run *with* DiffAugment.")
    return report(exercise, False, "read the third column of the last row of the log.")


__all__ += ["check_hinge_by_hand", "check_translate", "check_r1_linear", "check_held_out_share"]
