"""Papermill parameter validation and the course's quick mode.

Every notebook has one cell tagged ``parameters`` (plain assignments that papermill can
override) followed by one cell that checks them all in a single call::

    from gan_helpers.params import Choice, Float, Int, validate_parameters

    validate_parameters(globals(), {
        "seed": Int(min=0),
        "target": Choice("ring", "grid"),
        "learning_rate": Float(min=0.0, max=1.0, min_inclusive=False),
    })

A bad value stops the notebook at once with one message that names the parameter, the value
it got and what is allowed: ``TypeError`` for a wrong type, ``ValueError`` for a wrong range
or choice. Nothing is seeded or changed here.

Quick mode (``GAN_COURSE_QUICK=1``) is how the tests and an instructor's dry run execute a
notebook in seconds: the notebook reads :func:`quick_mode` right after validating its
parameters, shrinks its step counts, and prints what it changed; :func:`apply_quick_mode` does
all three in one line (``apply_quick_mode(globals(), epochs=2, eval_samples=200)``).
:func:`training_device` says
where a notebook trains (every notebook prints it in its set-up cell).
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping, MutableMapping
from typing import Any

__all__ = [
    "training_device",
    "Rule",
    "Int",
    "Float",
    "Choice",
    "Bool",
    "Text",
    "Names",
    "validate_parameters",
    "quick_mode",
    "apply_quick_mode",
    "QUICK_ENV",
    "is_integer",
    "positive_number",
    "positive_integer",
]

QUICK_ENV = "GAN_COURSE_QUICK"


def is_integer(value: Any) -> bool:
    """True for Python and NumPy integers; False for booleans (``True`` is an ``int`` in Python)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_number(name: str, value: Any) -> float:
    """``value`` as a float if it is a finite real number > 0, else ``ValueError`` naming ``name``.

    The check behind the package's own arguments (``std``, ``radius``, ``timeout`` ...).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


def positive_integer(name: str, value: Any) -> int:
    """``value`` as an int if it is an integer >= 1 (not a bool), else ``ValueError`` naming ``name``.

    The check behind the package's own counts and sizes (``latent_dim``, ``width``, ``n`` ...).
    """
    if not is_integer(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def _describe(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


class Rule:
    """A rule checks one parameter value and returns it, normalized (e.g. ``20.0`` -> ``20``).

    ``optional=True`` also accepts ``None`` (for example "no export path given").
    """

    expected = "a value"

    def __init__(self, optional: bool = False):
        self.optional = optional

    def allowed(self) -> str:
        text = self.expected
        return f"{text} or None" if self.optional else text

    def check(self, name: str, value: Any) -> Any:
        if value is None and self.optional:
            return None
        return self._check(name, value)

    def _check(self, name: str, value: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _type_error(self, name: str, value: Any) -> TypeError:
        return TypeError(f"Parameter '{name}' must be {self.allowed()}; got {_describe(value)}.")

    def _value_error(self, name: str, value: Any) -> ValueError:
        return ValueError(f"Parameter '{name}' must be {self.allowed()}; got {value!r}.")


def _check_bounds(lo, hi) -> None:
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"min ({lo}) must not be larger than max ({hi})")


def _bounds_text(lo, hi, lo_inclusive=True, hi_inclusive=True) -> str:
    if lo is not None and hi is not None:
        left = "[" if lo_inclusive else "("
        right = "]" if hi_inclusive else ")"
        return f" in {left}{lo}, {hi}{right}"
    if lo is not None:
        return f" {'>=' if lo_inclusive else '>'} {lo}"
    if hi is not None:
        return f" {'<=' if hi_inclusive else '<'} {hi}"
    return ""


class Int(Rule):
    """An integer in ``[min, max]``. Booleans are refused; integral floats (``1e3``) are accepted."""

    def __init__(self, min: int | None = None, max: int | None = None, optional: bool = False):
        super().__init__(optional)
        _check_bounds(min, max)
        self.min, self.max = min, max
        self.expected = "an integer" + _bounds_text(min, max)

    def _check(self, name, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self._type_error(name, value)
        if not isinstance(value, numbers.Integral):
            if not math.isfinite(value) or value != int(value):
                raise self._type_error(name, value)
        value = int(value)
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise self._value_error(name, value)
        return value


class Float(Rule):
    """A finite real number between ``min`` and ``max`` (inclusive unless told otherwise)."""

    def __init__(
        self,
        min: float | None = None,
        max: float | None = None,
        min_inclusive: bool = True,
        max_inclusive: bool = True,
        optional: bool = False,
    ):
        super().__init__(optional)
        _check_bounds(min, max)
        self.min, self.max = min, max
        self.min_inclusive, self.max_inclusive = min_inclusive, max_inclusive
        self.expected = "a number" + _bounds_text(min, max, min_inclusive, max_inclusive)

    def _check(self, name, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self._type_error(name, value)
        try:
            value = float(value)
        except OverflowError:  # an int too large for a float
            raise self._value_error(name, value) from None
        if not math.isfinite(value):
            raise self._value_error(name, value)
        if self.min is not None and (value < self.min or (value == self.min and not self.min_inclusive)):
            raise self._value_error(name, value)
        if self.max is not None and (value > self.max or (value == self.max and not self.max_inclusive)):
            raise self._value_error(name, value)
        return value


class Choice(Rule):
    """One of a fixed set of values: same type and equal value (strings are case-sensitive).

    A value whose type is not the type of any option raises ``TypeError`` (so ``True`` is not
    the option ``1``, and ``"1"`` is not ``1``); a value of the right type that is not among
    the options raises ``ValueError``.
    """

    def __init__(self, *options: Any, optional: bool = False):
        if not options:
            raise ValueError("Choice needs at least one option")
        super().__init__(optional)
        self.options = options
        self.expected = "one of " + ", ".join(repr(o) for o in options)

    def _check(self, name, value):
        for option in self.options:
            if type(value) is type(option) and value == option:
                return value
        if not any(type(value) is type(option) for option in self.options):
            raise self._type_error(name, value)
        raise self._value_error(name, value)


class Bool(Rule):
    """``True`` or ``False`` (not 0/1, not the string "False")."""

    expected = "True or False"

    def _check(self, name, value):
        if not isinstance(value, bool):
            raise self._type_error(name, value)
        return value


class Text(Rule):
    """A string; empty strings are refused unless ``allow_empty=True``."""

    def __init__(self, allow_empty: bool = False, optional: bool = False):
        super().__init__(optional)
        self.allow_empty = allow_empty
        self.expected = "a string" if allow_empty else "a non-empty string"

    def _check(self, name, value):
        if not isinstance(value, str):
            raise self._type_error(name, value)
        if not self.allow_empty and not value.strip():
            raise self._value_error(name, value)
        return value


class Names(Rule):
    """A non-empty list of distinct names, each one of ``options``; returns a list.

    Accepts a list or tuple of strings, or one string of comma-separated names (handy on the
    command line: ``papermill ... -p fixes "pacgan,ttur"``). Order is kept.
    """

    def __init__(self, *options: str, optional: bool = False):
        if not options or not all(isinstance(o, str) for o in options):
            raise ValueError("Names needs at least one option, all strings")
        super().__init__(optional)
        self.options = options
        self.expected = "a list of distinct names from " + ", ".join(repr(o) for o in options)

    def _check(self, name, value):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise self._type_error(name, value)
        unknown = [v for v in value if v not in self.options]
        if not value or unknown or len(set(value)) != len(value):
            detail = (f"unknown {unknown}" if unknown else "empty" if not value else "a name is repeated")
            raise ValueError(f"Parameter '{name}' must be {self.allowed()}; got {value!r} ({detail}).")
        return list(value)


def validate_parameters(namespace: Mapping[str, Any], rules: Mapping[str, Rule]) -> dict[str, Any]:
    """Check the parameters named in ``rules`` and return ``{name: normalized value}``.

    Parameters
    ----------
    namespace:
        Where the values live; a notebook passes ``globals()``.
    rules:
        ``{name: Rule}``, checked in order; the first bad value raises.

    Raises
    ------
    TypeError
        A value of the wrong type, e.g. ``Parameter 'steps' must be an integer >= 1; got '20' (str).``
    ValueError
        A value out of range or not among the choices, or a parameter missing from ``namespace``.
    """
    if not isinstance(namespace, Mapping):
        raise TypeError(f"namespace must be a mapping such as globals(); got {_describe(namespace)}")
    checked = {}
    for name, rule in rules.items():
        if not isinstance(rule, Rule):
            raise TypeError(f"rules['{name}'] must be a gan_helpers.params.Rule; got {_describe(rule)}")
        if name not in namespace:
            raise ValueError(f"Parameter '{name}' is not defined: add it to the parameters cell.")
        checked[name] = rule.check(name, namespace[name])
    return checked


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def quick_mode() -> bool:
    """Whether the course runs in quick mode: environment variable ``GAN_COURSE_QUICK``.

    ``1``/``true``/``yes``/``on`` turn it on; unset, empty, ``0``/``false``/``no``/``off`` leave
    it off; anything else raises ``ValueError`` (a typo should not silently run the full course).
    The test suite sets it; a learner normally leaves it unset.
    """
    raw = os.environ.get(QUICK_ENV, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"Environment variable {QUICK_ENV} must be 1 or 0 (or true/false); got {raw!r}.")


def apply_quick_mode(namespace: MutableMapping[str, Any], **quick_values) -> bool:
    """Shrink the named parameters in quick mode, say what this run is, and return whether it is quick.

    In quick mode (:func:`quick_mode`) each ``name=value`` sets ``namespace[name]`` to
    ``min(namespace[name], value)`` (an override smaller than the quick value is kept) and one line
    says the result, e.g. ``Quick mode (GAN_COURSE_QUICK=1): epochs=2, eval_samples=200``. Otherwise
    nothing changes and it prints ``Full run (set GAN_COURSE_QUICK=1 for a quick one).`` A notebook
    calls it right after :func:`validate_parameters`::

        QUICK = apply_quick_mode(globals(), epochs=2, eval_samples=200)

    Raises ``ValueError`` for a name that is not in ``namespace`` (in either mode, so a typo shows
    at once) and ``TypeError`` for a parameter or quick value that is not a number.
    """
    if not isinstance(namespace, MutableMapping):
        raise TypeError(f"namespace must be a mutable mapping such as globals(); got {_describe(namespace)}")
    for name, value in quick_values.items():
        if name not in namespace:
            raise ValueError(f"apply_quick_mode: parameter '{name}' is not defined: add it to the parameters cell.")
        for what, number in (("parameter", namespace[name]), ("quick value", value)):
            if isinstance(number, bool) or not isinstance(number, numbers.Real):
                raise TypeError(f"apply_quick_mode: the {what} of '{name}' must be a number; got {_describe(number)}")
    quick = quick_mode()
    if not quick:
        print(f"Full run (set {QUICK_ENV}=1 for a quick one).")
        return False
    for name, value in quick_values.items():
        namespace[name] = min(namespace[name], value)
    changed = ", ".join(f"{name}={namespace[name]}" for name in quick_values)
    print(f"Quick mode ({QUICK_ENV}=1)" + (f": {changed}" if changed else ""))
    return True


def training_device() -> str:
    """Where TensorFlow trains in this process, in words: the GPUs it sees, or the CPU.

    E.g. ``"GPU: NVIDIA H200"`` or ``"CPU (2 cores; TensorFlow sees no GPU)"``: the logical cores this
    process may use where the system says (a container or CPU affinity can allow fewer than the
    machine has). TensorFlow places every model and step on the first GPU when there is one, so
    this is what the notebook's timings are measured on. Imports TensorFlow (the notebooks have already done so).
    """
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        return f"CPU ({cores} cores; TensorFlow sees no GPU)"
    names = [tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name) for gpu in gpus]
    return "GPU: " + ", ".join(names) + (" (the first one trains)" if len(names) > 1 else "")
