"""Each op: its value, its recorded node, and its derivatives against finite differences."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, no_grad
from autograd.engine import weighted_sum
from autograd.gradcheck import gradcheck, numerical_grad

away_from_zero = st.floats(0.2, 3.0) | st.floats(-3.0, -0.2)
positive = st.floats(0.2, 3.0)
moderate = st.floats(-3.0, 3.0)

# op name, function of Values, strategy per input, the value the op must compute
CASES = [
    ("+", lambda a, b: a + b, (moderate, moderate), lambda a, b: a + b),
    ("-", lambda a, b: a - b, (moderate, moderate), lambda a, b: a - b),
    ("neg", lambda a: -a, (moderate,), lambda a: -a),
    ("*", lambda a, b: a * b, (moderate, moderate), lambda a, b: a * b),
    ("/", lambda a, b: a / b, (moderate, away_from_zero), lambda a, b: a / b),
    ("**", lambda a, b: a**b, (positive, moderate), lambda a, b: a**b),
    ("exp", lambda a: a.exp(), (moderate,), math.exp),
    ("log", lambda a: a.log(), (positive,), math.log),
    ("tanh", lambda a: a.tanh(), (moderate,), math.tanh),
    ("sigmoid", lambda a: a.sigmoid(), (moderate,), lambda a: 1 / (1 + math.exp(-a))),
    ("relu", lambda a: a.relu(), (away_from_zero,), lambda a: max(a, 0.0)),
]


@pytest.mark.parametrize("op, f, domains, expected", CASES, ids=[c[0] for c in CASES])
@given(data=st.data())
def test_op_value_node_and_derivatives(op, f, domains, expected, data):
    xs = [data.draw(d) for d in domains]
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    assert out.op == op
    assert out.parents == tuple(inputs)
    assert out.data == pytest.approx(expected(*xs), rel=1e-12)
    out.backward()
    analytic = [x.grad for x in inputs]
    assert list(out.local_grads) == analytic  # one op: the local grads are the grads
    assert analytic == pytest.approx(numerical_grad(f, xs), rel=1e-5, abs=1e-6)


# Constants on either side: the op is recorded with the constant folded in, or as a leaf.
CONSTANT_CASES = [
    (lambda x: x + 2, "+", 1.0),
    (lambda x: 2 + x, "+", 1.0),
    (lambda x: x - 2, "-", 1.0),
    (lambda x: 2 - x, "-", -1.0),
    (lambda x: x * 3, "*", 3.0),
    (lambda x: 3 * x, "*", 3.0),
    (lambda x: x / 4, "/", 0.25),
    (lambda x: x**3, "**", 3 * 1.5**2),
]


@pytest.mark.parametrize("f, op, derivative", CONSTANT_CASES)
def test_constant_operands_are_folded(f, op, derivative):
    x = Value(1.5)
    out = f(x)
    assert out.op == op
    assert out.parents == (x,)
    assert out.local_grads == pytest.approx((derivative,))


@pytest.mark.parametrize(
    "f, xs",
    [
        (lambda x: 2 / x, [1.5]),
        (lambda x: 2**x, [1.5]),
        (lambda x: 0.5**x, [-1.2]),
        (lambda x: 3 - x * 2 + 1 / x, [0.7]),
        (lambda x, y: x**y, [2.0, -1.5]),
        (lambda x, y: (x - y) / (x + y), [1.0, 2.0]),
        (lambda x, y, z: weighted_sum([x, y], [y, z], z).tanh(), [0.3, -0.6, 0.9]),
        (lambda x, y: weighted_sum([x, y], [2.0, -1.0], y), [0.3, -0.6]),
    ],
)
def test_reflected_and_composite_ops_pass_gradcheck(f, xs):
    assert gradcheck(f, xs)


def test_a_constant_on_either_side_of_an_operator_is_folded_in_the_same_way():
    # `c op x` keeps x as its one parent and c as its constant, as `x op c` does: `-`,
    # `/`, `**`, `%` and `//` alike (a node of the op's reflected entry, same `op` string).
    x = Value(2.0)
    for out, op in ((3 - x, "-"), (3 / x, "/"), (3**x, "**"), (3 % x, "%"), (3 // x, "//")):
        assert out.parents == (x,) and out.constant == 3.0 and out.op == op
    assert (3**x).local_grads == (pytest.approx(math.log(3) * 9),)
    assert (3 / x).local_grads == (-0.75,) and (3 % x).local_grads == (-1.0,)
    assert (3 - x).local_grads == (-1.0,) and (3 // x).local_grads == (0.0,)


def test_weighted_sum_is_one_node_with_every_operand():
    w = [Value(0.5), Value(-0.5)]
    x = [Value(2.0), Value(-4.0)]
    b = Value(1.0)
    z = weighted_sum(w, x, b)
    assert z.op == "w·x+b" and z.data == 4.0
    assert z.parents == (*w, *x, b)
    assert z.local_grads == (2.0, -4.0, 0.5, -0.5, 1.0)


def test_weighted_sum_with_numbers_as_inputs_records_them_as_constants():
    w, b = [Value(0.5), Value(-0.5)], Value(1.0)
    z = weighted_sum(w, [2, -4], b)
    assert z.parents == (*w, b)
    assert z.local_grads == (2.0, -4.0, 1.0)


def test_relu_derivative_at_exactly_zero_is_zero_as_in_pytorch():
    x = Value(0.0)
    y = x.relu()
    y.backward()
    assert (y.data, x.grad) == (0.0, 0.0)


def test_power_derivative_conventions_match_pytorch():
    # d(x**y)/dy: 0 at x == 0 (y >= 0), nan for x < 0 (integer y); d/dx: PyTorch's too.
    for base, exponent, d_base, d_exponent in [
        (0.0, 2.0, 0.0, 0.0),
        (0.0, 0.0, 0.0, 0.0),
        (0.0, 1.0, 1.0, 0.0),
        (0.0, 0.5, math.inf, 0.0),
        (-2.0, 3.0, 12.0, math.nan),
    ]:
        x, y = Value(base), Value(exponent)
        out = x**y
        out.backward()
        assert x.grad == d_base or (math.isnan(d_base) and math.isnan(x.grad))
        assert y.grad == d_exponent or (math.isnan(d_exponent) and math.isnan(y.grad))


def test_a_node_records_duplicate_parents():
    x = Value(3.0)
    y = x * x
    assert y.parents == (x, x)
    assert y.local_grads == (3.0, 3.0)


def test_data_is_always_a_float_and_validated():
    v = Value(3)
    assert type(v.data) is float and v.data == 3.0
    v.data = 2
    assert type(v.data) is float
    with pytest.raises(TypeError, match="Value.data"):
        v.data = "2"
    assert v.data == 2.0  # a failed assignment changes nothing


def test_public_members_and_repr():
    x = Value(2.0, label="x")
    assert (x.op, x.parents, x.local_grads, x.grad, float(x)) == ("", (), (), 0.0, 2.0)
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    y = x * x
    y.label = "y"
    assert (y.op, y.label) == ("*", "y")
    y.label = ""
    assert (y.op, y.label, repr(y)) == ("*", "", "Value(data=4.0, grad=0.0)")


def test_values_compare_and_hash_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2


def test_no_grad_records_nothing_and_restores_recording():
    x = Value(2.0)
    with no_grad():
        y = (x * x + 1).tanh()
        assert y.parents == () and y.op == ""
    z = x * x
    assert z.parents == (x, x)


def test_no_grad_restores_recording_after_an_exception():
    x = Value(2.0)
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert (x * x).parents == (x, x)
