"""gan_helpers.params: every rule accepts what it should, refuses the rest with a message
naming the parameter, the value and what is allowed; quick mode reads its variable strictly."""

import math

import numpy as np
import pytest

from gan_helpers.params import Bool, Choice, Float, Int, Text, quick_mode, validate_parameters


@pytest.mark.parametrize("value, expected", [(3, 3), (np.int64(7), 7), (1e3, 1000), (20.0, 20)])
def test_int_accepts_integers_and_integral_floats(value, expected):
    result = Int(min=0).check("steps", value)
    assert result == expected and type(result) is int


@pytest.mark.parametrize("value", [True, "20", 2.5, math.nan, math.inf, None, [3]])
def test_int_refuses_other_types_with_a_type_error(value):
    with pytest.raises(TypeError, match=r"Parameter 'steps' must be an integer >= 1; got .*\("):
        Int(min=1).check("steps", value)


@pytest.mark.parametrize("value, ok", [(1, True), (10, True), (0, False), (11, False)])
def test_int_bounds_are_inclusive(value, ok):
    rule = Int(min=1, max=10)
    if ok:
        assert rule.check("epochs", value) == value
    else:
        with pytest.raises(ValueError, match=rf"'epochs' must be an integer in \[1, 10\]; got {value}\."):
            rule.check("epochs", value)


def test_float_accepts_ints_and_respects_exclusive_bounds():
    rule = Float(min=0.0, max=1.0, min_inclusive=False)
    assert rule.check("learning_rate", 1) == 1.0 and type(rule.check("learning_rate", 1)) is float
    assert rule.check("learning_rate", 1e-4) == 1e-4
    with pytest.raises(ValueError, match=r"'learning_rate' must be a number in \(0.0, 1.0\]; got 0.0"):
        rule.check("learning_rate", 0.0)
    with pytest.raises(ValueError, match="got 1.5"):
        rule.check("learning_rate", 1.5)


@pytest.mark.parametrize("value, error", [(math.inf, ValueError), (math.nan, ValueError),
                                          (True, TypeError), ("0.1", TypeError)])
def test_float_refuses_non_finite_and_non_numbers(value, error):
    with pytest.raises(error, match="Parameter 'learning_rate'"):
        Float().check("learning_rate", value)


def test_choice_matches_type_and_value_exactly():
    rule = Choice("ring", "grid")
    assert rule.check("target", "grid") == "grid"
    with pytest.raises(TypeError, match=r"'target' must be one of 'ring', 'grid'; got 1 \(int\)"):
        rule.check("target", 1)
    with pytest.raises(ValueError, match=r"one of 'ring', 'grid'; got 'Ring'"):
        rule.check("target", "Ring")
    with pytest.raises(ValueError):
        Choice(1, 2).check("n", True)  # True == 1, but it is not the option 1


@pytest.mark.parametrize("value", [0, 1, "False", None])
def test_bool_refuses_look_alikes(value):
    with pytest.raises(TypeError, match="Parameter 'flag' must be True or False"):
        Bool().check("flag", value)


def test_text_refuses_empty_and_non_strings():
    assert Text().check("output_dir", "out") == "out"
    assert Text(allow_empty=True).check("suffix", "") == ""
    with pytest.raises(ValueError, match="non-empty string"):
        Text().check("output_dir", "  ")
    with pytest.raises(TypeError, match=r"got 3 \(int\)"):
        Text().check("output_dir", 3)


def test_optional_rules_accept_none_and_say_so():
    assert Text(optional=True).check("export", None) is None
    with pytest.raises(TypeError, match="must be a non-empty string or None"):
        Text(optional=True).check("export", 5)


def test_validate_parameters_returns_normalized_values_in_order():
    namespace = {"seed": 0, "steps": 1e3, "target": "ring", "unrelated": object()}
    checked = validate_parameters(namespace, {"steps": Int(min=1), "seed": Int(min=0), "target": Choice("ring")})
    assert list(checked.items()) == [("steps", 1000), ("seed", 0), ("target", "ring")]


def test_validate_parameters_raises_at_the_first_bad_value():
    with pytest.raises(ValueError, match="'seed'"):
        validate_parameters({"seed": -1, "steps": "x"}, {"seed": Int(min=0), "steps": Int()})


def test_validate_parameters_rejects_missing_names_and_bad_arguments():
    with pytest.raises(ValueError, match="Parameter 'steps' is not defined"):
        validate_parameters({}, {"steps": Int()})
    with pytest.raises(TypeError, match=r"rules\['steps'\]"):
        validate_parameters({"steps": 1}, {"steps": int})
    with pytest.raises(TypeError, match="namespace must be a mapping"):
        validate_parameters([("steps", 1)], {"steps": Int()})


@pytest.mark.parametrize("raw", ["1", "true", "YES", " on "])
def test_quick_mode_on(monkeypatch, raw):
    monkeypatch.setenv("GAN_COURSE_QUICK", raw)
    assert quick_mode() is True


@pytest.mark.parametrize("raw", [None, "", "0", "false", "off"])
def test_quick_mode_off(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("GAN_COURSE_QUICK", raising=False)
    else:
        monkeypatch.setenv("GAN_COURSE_QUICK", raw)
    assert quick_mode() is False


def test_quick_mode_typo_is_an_error(monkeypatch):
    monkeypatch.setenv("GAN_COURSE_QUICK", "maybe")
    with pytest.raises(ValueError, match="GAN_COURSE_QUICK must be 1 or 0.*'maybe'"):
        quick_mode()
