"""Every row of the contract's bad-input table: the named exception, naming op and value."""

import math

import pytest

from autograd import Value

# (what to run, exception, words its message must contain: the op and the value)
BAD_INPUTS = [
    (lambda: Value("3"), TypeError, ["Value", "'3'"]),
    (lambda: Value(None), TypeError, ["Value", "None"]),
    (lambda: Value(1 + 2j), TypeError, ["Value", "(1+2j)"]),
    (lambda: Value(True), TypeError, ["Value", "True"]),
    (lambda: Value(Value(1)), TypeError, ["Value", "Value(data=1.0"]),
    (lambda: Value(1) + "a", TypeError, ["'+'", "'a'"]),
    (lambda: "a" + Value(1), TypeError, ["'+'", "'a'"]),
    (lambda: Value(1) * [1], TypeError, ["'*'", "[1]"]),
    (lambda: Value(1) - None, TypeError, ["'-'", "None"]),
    (lambda: Value(1) / "2", TypeError, ["'/'", "'2'"]),
    (lambda: Value(1) ** "2", TypeError, ["'**'", "'2'"]),
    (lambda: Value(-1.0).log(), ValueError, ["log", "-1.0"]),
    (lambda: Value(0.0).log(), ValueError, ["log", "0.0"]),
    (lambda: Value(-8.0) ** (1 / 3), ValueError, ["'**'", "-8.0", "0.333"]),
    (lambda: Value(-8.0) ** Value(0.5), ValueError, ["'**'", "-8.0", "0.5"]),
    (lambda: (-8.0) ** Value(0.5), ValueError, ["'**'", "-8.0", "0.5"]),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, ["'**'", "0.0", "-1"]),
    (lambda: Value(1.0) / 0, ZeroDivisionError, ["'/'", "1.0", "0"]),
    (lambda: 1 / Value(0.0), ZeroDivisionError, ["'/'", "1.0", "0.0"]),
    (lambda: Value(1000.0).exp(), OverflowError, ["exp", "1000.0"]),
    (lambda: Value(10.0) ** 400, OverflowError, ["'**'", "10.0", "400"]),
    (lambda: Value(10**400), ValueError, ["Value", "1000000"]),
    (lambda: Value(1.0, label=3), TypeError, ["label", "3"]),
]


@pytest.mark.parametrize("run, exception, words", BAD_INPUTS)
def test_bad_input_raises_a_clear_exception(run, exception, words):
    with pytest.raises(exception) as caught:
        run()
    assert type(caught.value) is exception
    for word in words:
        assert word in str(caught.value)


def test_negative_base_to_a_non_integer_power_is_never_complex():
    with pytest.raises(ValueError):
        Value(-8.0) ** (1 / 3)
    assert (Value(-8.0) ** 3).data == -512.0  # integer exponents are fine


@pytest.mark.parametrize("x", [1e308, -1e308, 710.0, -710.0, 5e-324, math.inf, -math.inf])
def test_sigmoid_and_tanh_never_overflow(x):
    v = Value(x)
    s, t = v.sigmoid(), v.tanh()
    assert 0.0 <= s.data <= 1.0 and -1.0 <= t.data <= 1.0
    (s + t).backward()
    assert math.isfinite(v.grad)


def test_sigmoid_and_tanh_saturate_at_the_extremes():
    assert (Value(1e308).sigmoid().data, Value(-1e308).sigmoid().data) == (1.0, 0.0)
    assert (Value(1e308).tanh().data, Value(-1e308).tanh().data) == (1.0, -1.0)


def test_nan_and_inf_propagate_as_ieee_arithmetic_says():
    nan, inf = Value(math.nan), Value(math.inf)
    assert math.isnan((nan + 1).data) and math.isnan((nan * 0).data)
    assert math.isnan(nan.relu().data) and math.isnan(nan.exp().data)
    assert (inf + 1).data == math.inf and inf.log().data == math.inf
    assert (Value(-math.inf)).exp().data == 0.0
    assert math.isnan((inf - inf).data)
