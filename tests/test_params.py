"""gan_helpers.params: the papermill parameter rules and quick mode.

Covers every rule (Int, Float, Choice, Bool, Text and their ``optional=True`` variants): what it
accepts and how it normalizes it, what it refuses, with which exception (TypeError for a wrong
type, ValueError for a wrong range or choice) and a message naming the parameter, the bad value
and what is allowed; then :func:`validate_parameters` (order, normalization, missing names, bad
arguments) and :func:`quick_mode`'s strict reading of ``GAN_COURSE_QUICK``.
"""

import math
import re
from types import MappingProxyType

import numpy as np
import pytest

from gan_helpers.params import QUICK_ENV, Bool, Choice, Float, Int, Text, quick_mode, validate_parameters

# ---------------------------------------------------------------------------------------- Int


@pytest.mark.parametrize("value, expected", [
    (3, 3),
    (0, 0),
    (np.int64(7), 7),
    (np.int32(-2), -2),
    (1e3, 1000),            # papermill/YAML may hand over 1e3 as a float
    (20.0, 20),
    (np.float64(50.0), 50),
])
def test_int_accepts_integers_and_integral_floats_and_returns_a_python_int(value, expected):
    result = Int().check("steps", value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("value, shown", [
    (True, "True (bool)"),
    (False, "False (bool)"),
    ("20", "'20' (str)"),
    (2.5, "2.5 (float)"),
    (math.nan, "nan (float)"),
    (math.inf, "inf (float)"),
    (None, "None (NoneType)"),
    ([3], "[3] (list)"),
])
def test_int_refuses_non_integers_with_a_type_error_naming_parameter_and_value(value, shown):
    expected = f"Parameter 'steps' must be an integer >= 1; got {shown}."
    with pytest.raises(TypeError, match=f"^{re.escape(expected)}$"):
        Int(min=1).check("steps", value)


@pytest.mark.parametrize("value", [1, 10, 5])
def test_int_bounds_are_inclusive(value):
    assert Int(min=1, max=10).check("epochs", value) == value


@pytest.mark.parametrize("value, shown", [(0, "0"), (11, "11"), (-3, "-3"), (1e2, "100")])
def test_int_outside_bounds_is_a_value_error(value, shown):
    expected = f"Parameter 'epochs' must be an integer in [1, 10]; got {shown}."
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        Int(min=1, max=10).check("epochs", value)


def test_int_with_only_a_maximum_says_so():
    with pytest.raises(ValueError, match=re.escape("'batch' must be an integer <= 64; got 65.")):
        Int(max=64).check("batch", 65)


def test_optional_int_accepts_none_but_plain_int_does_not():
    assert Int(optional=True).check("limit", None) is None
    assert Int(optional=True).check("limit", 4.0) == 4
    with pytest.raises(TypeError, match=re.escape("'limit' must be an integer; got None (NoneType)")):
        Int().check("limit", None)
    with pytest.raises(TypeError, match=re.escape("must be an integer >= 0 or None; got 'x' (str)")):
        Int(min=0, optional=True).check("limit", "x")


# -------------------------------------------------------------------------------------- Float


@pytest.mark.parametrize("value, expected", [(1, 1.0), (np.int64(0), 0.0), (0.25, 0.25), (np.float32(0.5), 0.5)])
def test_float_accepts_real_numbers_and_returns_a_python_float(value, expected):
    result = Float(min=0.0, max=1.0).check("dropout", value)
    assert result == expected
    assert type(result) is float


def test_float_bounds_are_inclusive_by_default():
    rule = Float(min=0.0, max=1.0)
    assert rule.check("dropout", 0.0) == 0.0
    assert rule.check("dropout", 1.0) == 1.0
    with pytest.raises(ValueError, match=re.escape("'dropout' must be a number in [0.0, 1.0]; got 1.5.")):
        rule.check("dropout", 1.5)


def test_float_exclusive_minimum_refuses_the_bound_itself():
    rule = Float(min=0.0, max=1.0, min_inclusive=False)
    assert rule.check("learning_rate", 1e-4) == 1e-4
    assert rule.check("learning_rate", 1.0) == 1.0
    with pytest.raises(ValueError, match=re.escape("Parameter 'learning_rate' must be a number in (0.0, 1.0]; got 0.0.")):
        rule.check("learning_rate", 0.0)
    with pytest.raises(ValueError, match=re.escape("got -0.5.")):
        rule.check("learning_rate", -0.5)


def test_float_exclusive_maximum_refuses_the_bound_itself():
    rule = Float(max=1.0, max_inclusive=False)
    assert rule.check("beta_1", 0.999) == 0.999
    with pytest.raises(ValueError, match=re.escape("'beta_1' must be a number < 1.0; got 1.0.")):
        rule.check("beta_1", 1.0)


@pytest.mark.parametrize("value, shown", [(math.inf, "inf"), (-math.inf, "-inf"), (math.nan, "nan")])
def test_float_refuses_non_finite_values_with_a_value_error(value, shown):
    expected = f"Parameter 'lr' must be a number; got {shown}."
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        Float().check("lr", value)


@pytest.mark.parametrize("value, shown", [(True, "True (bool)"), ("0.1", "'0.1' (str)"), (None, "None (NoneType)")])
def test_float_refuses_bools_strings_and_none_with_a_type_error(value, shown):
    with pytest.raises(TypeError, match=re.escape(f"Parameter 'lr' must be a number; got {shown}.")):
        Float().check("lr", value)


def test_optional_float_accepts_none():
    assert Float(min=0.0, optional=True).check("clip", None) is None
    with pytest.raises(TypeError, match=re.escape("must be a number >= 0.0 or None; got 'no' (str)")):
        Float(min=0.0, optional=True).check("clip", "no")


# ------------------------------------------------------------------------------------- Choice


def test_choice_accepts_each_option_and_returns_it():
    rule = Choice("ring", "grid")
    assert rule.check("target", "ring") == "ring"
    assert rule.check("target", "grid") == "grid"


def test_choice_of_strings_refuses_a_non_string_with_a_type_error():
    with pytest.raises(TypeError, match=re.escape("Parameter 'target' must be one of 'ring', 'grid'; got 1 (int).")):
        Choice("ring", "grid").check("target", 1)


@pytest.mark.parametrize("value", ["Ring", "GRID", "ring ", "spiral", ""])
def test_choice_is_case_sensitive_and_lists_the_options(value):
    expected = f"Parameter 'target' must be one of 'ring', 'grid'; got {value!r}."
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        Choice("ring", "grid").check("target", value)


@pytest.mark.parametrize("value", [True, 1.0, "1"])
def test_choice_needs_the_exact_type_not_just_equality(value):
    # True == 1 and 1.0 == 1 in Python, but none of them is the option 1: a wrong type
    with pytest.raises(TypeError, match=re.escape(f"'n' must be one of 1, 2; got {value!r} ({type(value).__name__}).")):
        Choice(1, 2).check("n", value)


def test_huge_int_for_a_float_is_a_value_error_and_inverted_bounds_are_refused():
    with pytest.raises(ValueError, match="Parameter 'learning_rate'"):
        Float().check("learning_rate", 10**400)
    with pytest.raises(ValueError, match="min"):
        Int(min=5, max=1)
    with pytest.raises(ValueError, match="min"):
        Float(min=1.0, max=0.0)


def test_choice_of_numbers_accepts_the_exact_values():
    assert Choice(1, 2).check("n", 2) == 2
    assert Choice(0.5, 1.0).check("scale", 0.5) == 0.5


def test_choice_needs_an_option_and_optional_choice_accepts_none():
    with pytest.raises(ValueError, match="at least one option"):
        Choice()
    assert Choice("ring", optional=True).check("target", None) is None
    with pytest.raises(ValueError, match=re.escape("must be one of 'ring' or None; got 'grid'")):
        Choice("ring", optional=True).check("target", "grid")


# --------------------------------------------------------------------------------- Bool, Text


@pytest.mark.parametrize("value", [True, False])
def test_bool_accepts_true_and_false(value):
    assert Bool().check("flag", value) is value


@pytest.mark.parametrize("value, shown", [(0, "0 (int)"), (1, "1 (int)"), ("False", "'False' (str)"),
                                          ("true", "'true' (str)"), (None, "None (NoneType)")])
def test_bool_refuses_look_alikes(value, shown):
    with pytest.raises(TypeError, match=re.escape(f"Parameter 'flag' must be True or False; got {shown}.")):
        Bool().check("flag", value)


def test_bool_refuses_numpy_bools():
    with pytest.raises(TypeError, match="^Parameter 'flag' must be True or False; got "):
        Bool().check("flag", np.True_)


def test_optional_bool_accepts_none():
    assert Bool(optional=True).check("flag", None) is None
    with pytest.raises(TypeError, match=re.escape("must be True or False or None; got 0 (int)")):
        Bool(optional=True).check("flag", 0)


def test_text_accepts_strings_unchanged():
    assert Text().check("output_dir", "out") == "out"
    assert Text().check("output_dir", " out ") == " out "
    assert Text(allow_empty=True).check("suffix", "") == ""


@pytest.mark.parametrize("value", ["", "  ", "\t\n"])
def test_text_refuses_blank_strings_with_a_value_error(value):
    expected = f"Parameter 'output_dir' must be a non-empty string; got {value!r}."
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        Text().check("output_dir", value)


@pytest.mark.parametrize("value, shown", [(3, "3 (int)"), (None, "None (NoneType)"), (b"out", "b'out' (bytes)")])
def test_text_refuses_non_strings_with_a_type_error(value, shown):
    with pytest.raises(TypeError, match=re.escape(f"Parameter 'output_dir' must be a non-empty string; got {shown}.")):
        Text().check("output_dir", value)


def test_optional_text_accepts_none_and_says_so_when_refusing():
    assert Text(optional=True).check("export", None) is None
    with pytest.raises(TypeError, match=re.escape("'export' must be a non-empty string or None; got 5 (int).")):
        Text(optional=True).check("export", 5)
    with pytest.raises(ValueError, match=re.escape("'export' must be a non-empty string or None; got ''.")):
        Text(optional=True).check("export", "")


# ------------------------------------------------------------------------ validate_parameters


def test_validate_parameters_returns_normalized_values_in_rule_order():
    namespace = {"seed": 0, "steps": 1e3, "target": "ring", "lr": 1, "export": None, "unrelated": object()}
    rules = {"steps": Int(min=1), "seed": Int(min=0), "target": Choice("ring", "grid"),
             "lr": Float(min=0.0, min_inclusive=False), "export": Text(optional=True)}
    checked = validate_parameters(namespace, rules)
    assert list(checked.items()) == [("steps", 1000), ("seed", 0), ("target", "ring"), ("lr", 1.0), ("export", None)]
    assert type(checked["steps"]) is int and type(checked["lr"]) is float
    assert namespace["steps"] == 1e3 and type(namespace["steps"]) is float  # the namespace is not changed


def test_validate_parameters_accepts_any_mapping():
    assert validate_parameters(MappingProxyType({"n": 2}), {"n": Int()}) == {"n": 2}
    assert validate_parameters({}, {}) == {}


def test_validate_parameters_raises_at_the_first_bad_value():
    # 'seed' is checked first (ValueError); the TypeError 'steps' would give is never reached
    with pytest.raises(ValueError, match=re.escape("Parameter 'seed' must be an integer >= 0; got -1.")):
        validate_parameters({"seed": -1, "steps": "x"}, {"seed": Int(min=0), "steps": Int()})
    with pytest.raises(TypeError, match=re.escape("Parameter 'steps' must be an integer; got 'x' (str).")):
        validate_parameters({"seed": -1, "steps": "x"}, {"steps": Int(), "seed": Int(min=0)})


def test_validate_parameters_reports_a_missing_parameter():
    with pytest.raises(ValueError, match=re.escape("Parameter 'steps' is not defined: add it to the parameters cell.")):
        validate_parameters({"seed": 0}, {"seed": Int(), "steps": Int()})


@pytest.mark.parametrize("rule, shown", [(int, "<class 'int'> (type)"), (Int, "<class 'gan_helpers.params.Int'> (type)"),
                                         ("Int()", "'Int()' (str)")])
def test_validate_parameters_refuses_rules_that_are_not_rule_instances(rule, shown):
    with pytest.raises(TypeError, match=re.escape(f"rules['steps'] must be a gan_helpers.params.Rule; got {shown}")):
        validate_parameters({"steps": 1}, {"steps": rule})


@pytest.mark.parametrize("namespace, shown",
                         [([("steps", 1)], "(list)"), (None, "None (NoneType)"), ("steps", "'steps' (str)")])
def test_validate_parameters_refuses_a_namespace_that_is_not_a_mapping(namespace, shown):
    with pytest.raises(TypeError, match=r"namespace must be a mapping such as globals\(\); got .*" + re.escape(shown)):
        validate_parameters(namespace, {"steps": Int()})


# --------------------------------------------------------------------------------- quick_mode


def test_quick_mode_reads_the_documented_variable():
    assert QUICK_ENV == "GAN_COURSE_QUICK"


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "YES", "yes", " on ", "On"])
def test_quick_mode_on(monkeypatch, raw):
    monkeypatch.setenv("GAN_COURSE_QUICK", raw)
    assert quick_mode() is True


@pytest.mark.parametrize("raw", [None, "", "   ", "0", "false", "False", "no", "off", " OFF "])
def test_quick_mode_off(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("GAN_COURSE_QUICK", raising=False)
    else:
        monkeypatch.setenv("GAN_COURSE_QUICK", raw)
    assert quick_mode() is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "ture", "1.0"])
def test_quick_mode_typo_is_an_error_naming_the_variable_and_value(monkeypatch, raw):
    monkeypatch.setenv("GAN_COURSE_QUICK", raw)
    message = f"Environment variable GAN_COURSE_QUICK must be 1 or 0 (or true/false); got {raw!r}."
    with pytest.raises(ValueError, match=re.escape(message)):
        quick_mode()


def test_positive_integer_accepts_counts_and_names_the_argument():
    from gan_helpers.params import positive_integer

    assert positive_integer("n", 3) == 3 and isinstance(positive_integer("n", np.int64(2)), int)
    for bad in (0, -1, 2.0, True, "3", None):
        with pytest.raises(ValueError, match=r"^width must be a positive integer; got "):
            positive_integer("width", bad)


# ----------------------------------------------------------------------------- Names (lists of choices)
from gan_helpers.params import Names  # noqa: E402


def test_names_accepts_lists_tuples_and_comma_separated_strings():
    rule = Names("a", "b", "c")
    assert rule.check("fixes", ["b", "a"]) == ["b", "a"]
    assert rule.check("fixes", ("c",)) == ["c"]
    assert rule.check("fixes", "a, c") == ["a", "c"]


@pytest.mark.parametrize("value, error, shown", [
    (["a", "z"], ValueError, "unknown ['z']"),
    ([], ValueError, "empty"),
    ("", ValueError, "empty"),
    (["a", "a"], ValueError, "repeated"),
    ([1], TypeError, "[1] (list)"),
    (3, TypeError, "3 (int)"),
])
def test_names_refuses_bad_lists_naming_the_parameter(value, error, shown):
    with pytest.raises(error) as info:
        Names("a", "b").check("fixes", value)
    assert "'fixes'" in str(info.value) and shown in str(info.value)


def test_training_device_names_the_gpu_or_the_cpu(monkeypatch):
    import os

    import tensorflow as tf

    from gan_helpers.params import training_device

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert training_device() == f"CPU ({cores} cores; TensorFlow sees no GPU)"
    gpus = [tf.config.PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in (0, 1)]
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: gpus[:1] if kind == "GPU" else [])
    monkeypatch.setattr(tf.config.experimental, "get_device_details", lambda gpu: {"device_name": "NVIDIA H200"})
    assert training_device() == "GPU: NVIDIA H200"
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: gpus if kind == "GPU" else [])
    assert training_device() == "GPU: NVIDIA H200, NVIDIA H200 (the first one trains)"


# ---------------------------------------------------------------------------- apply_quick_mode
from gan_helpers.params import apply_quick_mode  # noqa: E402


def test_apply_quick_mode_shrinks_the_named_parameters_and_says_so(monkeypatch, capsys):
    monkeypatch.setenv(QUICK_ENV, "1")
    namespace = {"epochs": 120, "eval_samples": 1000, "batch_size": 64, "steps": 1}
    assert apply_quick_mode(namespace, epochs=2, eval_samples=200, steps=5) is True
    # min(current, quick): a value already smaller than the quick one (an override) is kept
    assert namespace == {"epochs": 2, "eval_samples": 200, "batch_size": 64, "steps": 1}
    assert capsys.readouterr().out == "Quick mode (GAN_COURSE_QUICK=1): epochs=2, eval_samples=200, steps=1\n"


def test_apply_quick_mode_changes_nothing_in_a_full_run(monkeypatch, capsys):
    monkeypatch.delenv(QUICK_ENV, raising=False)
    namespace = {"epochs": 120, "eval_samples": 1000}
    assert apply_quick_mode(namespace, epochs=2, eval_samples=200) is False
    assert namespace == {"epochs": 120, "eval_samples": 1000}
    assert capsys.readouterr().out == "Full run (set GAN_COURSE_QUICK=1 for a quick one).\n"


@pytest.mark.parametrize("quick", ["0", "1"])
def test_apply_quick_mode_refuses_an_unknown_name_in_either_mode(monkeypatch, quick):
    monkeypatch.setenv(QUICK_ENV, quick)
    namespace = {"epochs": 120}
    with pytest.raises(ValueError, match="'epoch' is not defined"):
        apply_quick_mode(namespace, epoch=2)
    assert namespace == {"epochs": 120}


def test_apply_quick_mode_refuses_non_numbers_and_non_mappings(monkeypatch):
    monkeypatch.setenv(QUICK_ENV, "1")
    with pytest.raises(TypeError, match="'epochs' must be a number; got '120' \\(str\\)"):
        apply_quick_mode({"epochs": "120"}, epochs=2)
    with pytest.raises(TypeError, match="quick value of 'epochs'"):
        apply_quick_mode({"epochs": 120}, epochs=None)
    with pytest.raises(TypeError, match="mutable mapping"):
        apply_quick_mode(MappingProxyType({"epochs": 120}), epochs=2)
