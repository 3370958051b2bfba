"""Every error names its op and its value, word for word.

The contract's rule is that a bad input gets a clear exception naming the op and the
offending value; these pin the whole message, so that a changed op name, a lost value or
a message meant for another op fails a test (mutation testing found many that did not).
"""

from __future__ import annotations

import math

import pytest

from autograd import Value, define_op, grad
from autograd.engine import to_int, weighted_sum, weighted_sums
from autograd.trace import trace

MESSAGES = [
    pytest.param(lambda: Value(-1.0).log(), ValueError, 'log: log(-1.0) is undefined; log needs a positive input', id='log'),
    pytest.param(lambda: Value(0.0).log(), ValueError, 'log: log(0.0) is undefined; log needs a positive input', id='log0'),
    pytest.param(lambda: Value(0.0).log2(), ValueError, 'log2: log2(0.0) is undefined; log2 needs a positive input', id='log2'),
    pytest.param(lambda: Value(-2.0).log10(), ValueError, 'log10: log10(-2.0) is undefined; log10 needs a positive input', id='log10'),
    pytest.param(lambda: Value(-1.0).log1p(), ValueError, 'log1p: log1p(-1.0) is undefined; log1p needs an input above -1', id='log1p'),
    pytest.param(lambda: Value(-1.0).sqrt(), ValueError, 'sqrt: sqrt(-1.0) is undefined; sqrt needs an input >= 0', id='sqrt'),
    pytest.param(lambda: Value(2.0).asin(), ValueError, 'asin: asin(2.0) is undefined; asin needs an input in [-1, 1]', id='asin'),
    pytest.param(lambda: Value(-1.5).acos(), ValueError, 'acos: acos(-1.5) is undefined; acos needs an input in [-1, 1]', id='acos'),
    pytest.param(lambda: Value(0.5).acosh(), ValueError, 'acosh: acosh(0.5) is undefined; acosh needs an input >= 1', id='acosh'),
    pytest.param(lambda: Value(1.0).atanh(), ValueError, 'atanh: atanh(1.0) is undefined; atanh needs an input in (-1, 1)', id='atanh'),
    pytest.param(lambda: Value(1000.0).exp(), OverflowError, 'exp: exp(1000.0) overflows a float', id='exp'),
    pytest.param(lambda: Value(2000.0).exp2(), OverflowError, 'exp2: exp2(2000.0) overflows a float', id='exp2'),
    pytest.param(lambda: Value(800.0).expm1(), OverflowError, 'expm1: expm1(800.0) overflows a float', id='expm1'),
    pytest.param(lambda: Value(800.0).sinh(), OverflowError, 'sinh: sinh(800.0) overflows a float', id='sinh'),
    pytest.param(lambda: Value(800.0).cosh(), OverflowError, 'cosh: cosh(800.0) overflows a float', id='cosh'),
    pytest.param(lambda: Value(-8.0) ** 0.5, ValueError, "'**': -8.0 ** 0.5 has no real value (negative base, non-integer exponent)", id='pow_neg'),
    pytest.param(lambda: Value(0.0) ** -1, ZeroDivisionError, "'**': 0.0 ** -1.0 divides by zero (zero base, negative exponent)", id='pow_zero'),
    pytest.param(lambda: Value(10.0) ** 400, OverflowError, "'**': 10.0 ** 400.0 overflows a float", id='pow_over'),
    pytest.param(lambda: Value(1.0) / 0, ZeroDivisionError, "'/': 1.0 / 0.0 divides by zero", id='div'),
    pytest.param(lambda: 1 / Value(0.0), ZeroDivisionError, "'/': 1.0 / 0.0 divides by zero", id='rdiv'),
    pytest.param(lambda: Value(3.0) % 0, ZeroDivisionError, "'%': 3.0 % 0.0 divides by zero", id='mod'),
    pytest.param(lambda: Value(3.0) // 0, ZeroDivisionError, "'//': 3.0 // 0.0 divides by zero", id='floordiv'),
    pytest.param(lambda: Value(1.0) + "a", TypeError, "'+': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='add_t'),
    pytest.param(lambda: Value(1.0) - "a", TypeError, "'-': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='sub_t'),
    pytest.param(lambda: "a" - Value(1.0), TypeError, "'-': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='rsub_t'),
    pytest.param(lambda: Value(1.0) * "a", TypeError, "'*': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='mul_t'),
    pytest.param(lambda: Value(1.0) / "a", TypeError, "'/': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='div_t'),
    pytest.param(lambda: "a" / Value(1.0), TypeError, "'/': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='rdiv_t'),
    pytest.param(lambda: Value(1.0) ** "a", TypeError, "'**': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='pow_t'),
    pytest.param(lambda: "a" ** Value(1.0), TypeError, "'**': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='rpow_t'),
    pytest.param(lambda: Value(1.0) % "a", TypeError, "'%': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='mod_t'),
    pytest.param(lambda: Value(1.0) // "a", TypeError, "'//': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='fd_t'),
    pytest.param(lambda: "a" // Value(1.0), TypeError, "'//': cannot combine a Value with 'a' (str); use a Value, an int or a float", id='rfd_t'),
    pytest.param(lambda: Value(1.0) < "a", TypeError, "'<': cannot compare a Value with 'a' (str)", id='lt'),
    pytest.param(lambda: Value(1.0) <= "a", TypeError, "'<=': cannot compare a Value with 'a' (str)", id='le'),
    pytest.param(lambda: Value(1.0) > "a", TypeError, "'>': cannot compare a Value with 'a' (str)", id='gt'),
    pytest.param(lambda: Value(1.0) >= "a", TypeError, "'>=': cannot compare a Value with 'a' (str)", id='ge'),
    pytest.param(lambda: Value(1.0).clamp("0"), TypeError, "'clamp': cannot combine a Value with '0' (str); use a Value, an int or a float", id='clamp_t'),
    pytest.param(lambda: Value(1.0).clamp(), ValueError, 'clamp: give at least one of min and max', id='clamp_none'),
    pytest.param(lambda: Value(1.0).clamp(math.nan), ValueError, 'clamp: a bound is nan (min=nan, max=None)', id='clamp_nan'),
    pytest.param(lambda: Value(1.0).leaky_relu(math.nan), ValueError, 'leaky_relu: the slope must be a number, got nan', id='leaky'),
    pytest.param(lambda: Value(1.0).elu(math.nan), ValueError, 'elu: the alpha must be a number, got nan', id='elu'),
    pytest.param(lambda: Value(1.0).round(1.5), TypeError, 'round: decimals: expected an int, got 1.5 (float)', id='round_t'),
    pytest.param(lambda: Value("3"), TypeError, "Value: expected an int or a float, got '3' (str)", id='value_t'),
    pytest.param(lambda: setattr(Value(1.0), "data", "x"), TypeError, "Value.data: expected an int or a float, got 'x' (str)", id='data_t'),
    pytest.param(lambda: setattr(Value(1.0), "grad", None), TypeError, 'Value.grad (set 0.0 to clear it): expected an int or a float, got None (NoneType)', id='grad_t'),
    pytest.param(lambda: Value(1.0, label=3), TypeError, 'Value.label: expected a str, got 3 (int)', id='label_t'),
    pytest.param(lambda: Value(1.0).backward("1"), TypeError, "backward: expected an int or a float, got '1' (str)", id='backward_t'),
    pytest.param(lambda: Value(1.0).maximum([1]), TypeError, "'maximum': cannot combine a Value with [1] (list); use a Value, an int or a float", id='max_t'),
    pytest.param(lambda: Value(1.0).minimum([1]), TypeError, "'minimum': cannot combine a Value with [1] (list); use a Value, an int or a float", id='min_t'),
    pytest.param(lambda: grad(Value(1.0) * 2, Value(1.0)), TypeError, 'grad: inputs must be a sequence of Values (a list), got Value(data=1.0, grad=0.0)', id='grad_inputs'),
    pytest.param(lambda: grad(Value(1.0) * 2, [Value(1.0)], create_graph="y"), TypeError, "grad: create_graph must be True or False, got 'y'", id='grad_cg'),
    pytest.param(lambda: grad(1.0, [Value(1.0)]), TypeError, 'grad: output and inputs must be Values, got 1.0 (float)', id='grad_out'),
    pytest.param(lambda: weighted_sum([Value(1.0), Value(2.0)], [Value(1.0), 2.0], Value(0.0)), TypeError, 'w·x+b: inputs must be all Values or all numbers, not a mix', id='ws_mix'),
    pytest.param(lambda: weighted_sum([Value(1.0)], [1.0, 2.0], Value(0.0)), ValueError, 'w·x+b: 1 weights for 2 inputs; they must match', id='ws_len'),
    pytest.param(lambda: weighted_sums([[Value(1.0)]], [1.0], []), ValueError, 'w·x+b: 1 rows of weights for 0 biases', id='ws_rows'),
    pytest.param(lambda: weighted_sum([1.0], [1.0], Value(0.0)), TypeError, 'w·x+b: weights and bias must be Values, got [1.0], Value(data=0.0, grad=0.0)', id='ws_w'),
    pytest.param(lambda: to_int(0, "MLP: nin", minimum=1), ValueError, 'MLP: nin: expected an int >= 1, got 0', id='toint'),
    pytest.param(lambda: to_int(1.5, "MLP: nin"), TypeError, 'MLP: nin: expected an int, got 1.5 (float)', id='toint_t'),
    pytest.param(lambda: define_op(3, lambda x: x, lambda x, o: (1.0,)), TypeError, 'define_op: the name must be a str, got 3', id='defop_name'),
    pytest.param(lambda: define_op(" a", lambda x: x, lambda x, o: (1.0,)), ValueError, "define_op: the name must be printable text without surrounding spaces, got ' a'", id='defop_empty'),
    pytest.param(lambda: define_op("a", 3, lambda x, o: (1.0,)), TypeError, 'define_op: forward must be callable, got 3', id='defop_call'),
    pytest.param(lambda: define_op("a", lambda: 1.0, lambda o: ()), ValueError, "define_op: 'a''s forward must take at least one operand", id='defop_arity0'),
    pytest.param(lambda: define_op("exp", lambda x: x, lambda x, o: (1.0,)), ValueError, "define_op: 'exp' is a built-in op; choose another name", id='defop_builtin'),
    pytest.param(lambda: define_op("two", lambda x: x, lambda x, o: (1.0, 2.0))(Value(1.0)), ValueError, 'two: derivatives returned 2 values for 1 operand(s); it must return one d(out)/d(x) per operand', id='defop_count'),
    pytest.param(lambda: define_op("one", lambda x: x, lambda x, o: (1.0,))(Value(1.0), Value(2.0)), TypeError, 'one: takes 1 operand(s), got 2', id='defop_apply'),
    pytest.param(lambda: define_op("var", lambda *x: 1.0, lambda *x: (1.0,)), TypeError, "define_op: cannot read how many operands 'var''s forward takes", id='defop_var'),
]


@pytest.mark.parametrize("run, exception, message", MESSAGES)
def test_the_whole_message(run, exception, message):
    with pytest.raises(exception) as caught:
        run()
    assert str(caught.value) == message


def test_an_int_beyond_a_float_is_named_whole():
    with pytest.raises(ValueError, match=r"^Value: 1(0){400} is too large for a float$"):
        Value(10**400)


@pytest.mark.parametrize(
    "compare, at, other_side",
    [
        (lambda x: x < 1, 1.0, 0.5),
        (lambda x: x <= 1, 1.0, 1.5),
        (lambda x: x > 1, 1.0, 1.5),
        (lambda x: x >= 1, 1.0, 0.5),
        (lambda x: x < x * 0.5 + 0.5, 1.0, 0.5),
    ],
)
def test_a_traced_comparison_is_guarded_at_its_boundary(compare, at, other_side):
    def f(x):
        return x * 2 if compare(x) else x * x * x

    def expected(x0):
        x = Value(x0)
        out = f(x)
        out.backward()
        return out.data, (x.grad,)

    traced = trace(f, at)
    for x0 in (at, other_side, at):
        assert traced(x0) == expected(x0), x0
