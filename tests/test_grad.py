"""grad(output, inputs, create_graph): first and higher derivatives."""

import math

import pytest
from hypothesis import given

from autograd import Value, grad, ops, topological_order
from autograd.engine import _differentiable_local_grads, op_of, weighted_sum
from autograd.gradcheck import numerical_grad
from autograd.testing import expressions


def derivative(f, x: float, order: int) -> float:
    """The order-th derivative of f at x, by applying grad repeatedly."""
    v = Value(x)
    y = f(v)
    for _ in range(order):
        (y,) = grad(y, [v], create_graph=True)
    return y.data


# f, x, first, second derivative (closed forms)
CLOSED_FORMS = [
    (lambda x: x.tanh(), 0.7, 1 - math.tanh(0.7) ** 2, -2 * math.tanh(0.7) * (1 - math.tanh(0.7) ** 2)),
    (
        lambda x: x.sigmoid(),
        0.3,
        (s := 1 / (1 + math.exp(-0.3))) * (1 - s),
        s * (1 - s) * (1 - 2 * s),
    ),
    (lambda x: x.exp(), 1.3, math.exp(1.3), math.exp(1.3)),
    (lambda x: x.log(), 2.5, 1 / 2.5, -1 / 2.5**2),
    (lambda x: x**3, -1.5, 3 * 1.5**2, 6 * -1.5),
    (lambda x: 2**x, 0.8, math.log(2) * 2**0.8, math.log(2) ** 2 * 2**0.8),
    (lambda x: 1 / x, 0.5, -4.0, 16.0),
    (lambda x: (x * x).relu(), 1.5, 3.0, 2.0),
]


@pytest.mark.parametrize("f, x, first, second", CLOSED_FORMS)
def test_closed_forms(f, x, first, second):
    assert derivative(f, x, 1) == pytest.approx(first, rel=1e-12)
    assert derivative(f, x, 2) == pytest.approx(second, rel=1e-12)


def test_x_to_the_y_in_both_arguments():
    x, y = Value(1.7), Value(2.3)
    dx, dy = grad(x**y, [x, y], create_graph=True)
    assert dx.data == pytest.approx(2.3 * 1.7**1.3)
    assert dy.data == pytest.approx(math.log(1.7) * 1.7**2.3)
    dxx, dxy = grad(dx, [x, y])
    dyx, dyy = grad(dy, [x, y])
    assert dxx.data == pytest.approx(2.3 * 1.3 * 1.7**0.3)
    assert dyy.data == pytest.approx(math.log(1.7) ** 2 * 1.7**2.3)
    mixed = 1.7**1.3 * (1 + 2.3 * math.log(1.7))
    assert dxy.data == pytest.approx(mixed) and dyx.data == pytest.approx(mixed)


def test_third_and_fourth_derivatives_of_x_to_the_fourth():
    assert derivative(lambda x: x**4, 2.0, 3) == 48.0
    assert derivative(lambda x: x**4, 2.0, 4) == 24.0
    assert derivative(lambda x: x**4, 2.0, 5) == 0.0


def test_a_two_by_two_hessian():
    # f = x**2 y + y**3 -> H = [[2y, 2x], [2x, 6y]]
    x, y = Value(1.5), Value(-0.5)
    f = x * x * y + y**3
    first = grad(f, [x, y], create_graph=True)
    hessian = [h.data for g in first for h in grad(g, [x, y])]
    assert hessian == pytest.approx([-1.0, 3.0, 3.0, -3.0])  # row by row


def test_grad_touches_no_grad_attribute():
    x, y = Value(1.5), Value(-0.5)
    x.grad, y.grad = 7.0, 8.0
    f = (x * y).tanh() + x.exp()
    before = [node.grad for node in topological_order(f)]
    (gx, _) = grad(f, [x, y], create_graph=True)
    grad(gx, [x, y])
    assert [node.grad for node in topological_order(f)] == before


def test_without_create_graph_the_results_are_leaves():
    x = Value(2.0)
    (g,) = grad(x * x, [x])
    assert (g.data, g.parents) == (4.0, ())


def test_an_input_the_output_does_not_depend_on_has_zero_derivative():
    x, unused = Value(2.0), Value(3.0)
    assert [g.data for g in grad(x * x, [x, unused])] == [4.0, 0.0]


def test_grad_equals_backward():
    x, y = Value(0.4), Value(-1.1)
    f = (x * y + x / y).sigmoid() * y.exp()
    values = [g.data for g in grad(f, [x, y])]
    f.backward()
    assert values == [x.grad, y.grad]


@given(expressions(max_inputs=2, max_steps=6))
def test_second_derivatives_match_finite_differences_of_first_derivatives(expr):
    def first_derivatives(*xs):
        return grad(expr(*xs), xs, create_graph=True)

    inputs = [Value(x) for x in expr.inputs]
    for i, g in enumerate(first_derivatives(*inputs)):
        analytic = [h.data for h in grad(g, inputs)]
        numeric = numerical_grad(lambda *xs: first_derivatives(*xs)[i], expr.inputs, eps=1e-5)  # noqa: B023 - called here
        assert analytic == pytest.approx(numeric, rel=1e-3, abs=1e-4)


# Each op's differentiable local derivatives must equal its numeric ones.
OP_EXAMPLES = {
    "+": [lambda a, b: a + b, lambda a, b: a + 2],
    "-": [lambda a, b: a - b, lambda a, b: a - 2, lambda a, b: 2 - a],
    "neg": [lambda a, b: -a],
    "relu": [lambda a, b: a.relu(), lambda a, b: (-a).relu()],
    "*": [lambda a, b: a * b, lambda a, b: a * 3],
    "/": [lambda a, b: a / b, lambda a, b: a / 3, lambda a, b: 3 / a],
    "**": [lambda a, b: a**b, lambda a, b: a**3, lambda a, b: a**0.5, lambda a, b: 3**a],
    "exp": [lambda a, b: a.exp()],
    "log": [lambda a, b: a.log()],
    "tanh": [lambda a, b: a.tanh()],
    "sigmoid": [lambda a, b: a.sigmoid()],
    "sin": [lambda a, b: a.sin()],
    "cos": [lambda a, b: a.cos()],
    "tan": [lambda a, b: a.tan()],
    "asin": [lambda a, b: b.asin()],
    "acos": [lambda a, b: b.acos()],
    "atan": [lambda a, b: a.atan()],
    "sinh": [lambda a, b: a.sinh()],
    "cosh": [lambda a, b: a.cosh()],
    "asinh": [lambda a, b: a.asinh()],
    "acosh": [lambda a, b: a.acosh()],
    "atanh": [lambda a, b: b.atanh()],
    "sqrt": [lambda a, b: a.sqrt()],
    "abs": [lambda a, b: abs(a), lambda a, b: abs(-a)],
    "sign": [lambda a, b: a.sign()],
    "exp2": [lambda a, b: a.exp2()],
    "expm1": [lambda a, b: a.expm1()],
    "log2": [lambda a, b: a.log2()],
    "log10": [lambda a, b: a.log10()],
    "log1p": [lambda a, b: a.log1p()],
    "erf": [lambda a, b: a.erf()],
    "floor": [lambda a, b: a.floor()],
    "ceil": [lambda a, b: a.ceil()],
    "round": [lambda a, b: a.round(), lambda a, b: a.round(1)],
    "trunc": [lambda a, b: a.trunc()],
    "clamp": [lambda a, b: a.clamp(0.0, 1.0), lambda a, b: b.clamp(min=0.0)],
    "%": [lambda a, b: a % b, lambda a, b: a % 0.5, lambda a, b: 5 % a],
    "//": [lambda a, b: a // b, lambda a, b: a // 0.5, lambda a, b: 5 // a],
    "maximum": [lambda a, b: a.maximum(b), lambda a, b: a.maximum(2.0)],
    "minimum": [lambda a, b: a.minimum(b), lambda a, b: b.minimum(a)],
    "leaky_relu": [lambda a, b: a.leaky_relu(), lambda a, b: (-a).leaky_relu(0.2)],
    "elu": [lambda a, b: a.elu(), lambda a, b: (-a).elu(0.5)],
    "softplus": [lambda a, b: a.softplus(), lambda a, b: (a * 20).softplus()],
    "silu": [lambda a, b: a.silu()],
    "gelu": [lambda a, b: a.gelu()],
    "detach": [lambda a, b: a.detach(), lambda a, b: (a * b).detach()],
    "w·x+b": [
        lambda a, b: weighted_sum([a, b], [b, a], a),
        lambda a, b: weighted_sum([a, b], [2.0, 3.0], b),
    ],
}


def test_every_op_has_a_differentiable_form():
    missing = sorted(set(ops.REGISTRY) - set(OP_EXAMPLES))
    assert not missing and set(OP_EXAMPLES) <= set(ops.REGISTRY), f"OP_EXAMPLES lacks {missing}"
    reached = {op_of(f(Value(1.7), Value(0.6))) for fs in OP_EXAMPLES.values() for f in fs}
    unreached = [f"{op.name} ({op.method})" for op in ops.entries() if op not in reached]
    assert not unreached, f"OP_EXAMPLES reaches no node of {unreached}"


@pytest.mark.parametrize("op", sorted(OP_EXAMPLES))
def test_differentiable_and_numeric_local_derivatives_agree(op):
    for f in OP_EXAMPLES[op]:
        node = f(Value(1.7), Value(0.6))
        assert node.op == op
        differentiable = [float(d) for d in _differentiable_local_grads(node)]
        assert differentiable == pytest.approx(list(node.local_grads), rel=1e-14)


def test_grad_refuses_what_is_not_a_value():
    x = Value(1.0)
    with pytest.raises(TypeError, match="grad: .*2.0"):
        grad(x * x, [x, 2.0])
    with pytest.raises(TypeError, match="grad: .*3"):
        grad(3, [x])
