"""Forward mode and the transforms (jvp, vjp, jacfwd, jacrev, jacobian, hessian, hvp):
against finite differences on random programs, against each other, and their errors.

PyTorch's `torch.func` as an oracle is in test_transforms_torch.py; each op's tangent at
hard points in test_forward_ops.py.
"""

import math

import pytest
from hypothesis import given, settings

from autograd import (
    Value,
    grad,
    hessian,
    hvp,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    no_grad,
    vjp,
)
from autograd.forward import ForwardStep, forward_steps, push_tangents, tangents
from autograd.testing import expressions, forms
from autograd.transforms import count_passes

EPS = 1e-6


def close(a, b, rtol=1e-3, atol=1e-5):
    """gradcheck's agreement, |a - b| <= atol + rtol·|b|, entry by entry."""
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        return all(close(x, y, rtol, atol) for x, y in zip(a, b))
    return abs(a - b) <= atol + rtol * abs(b)


def program_values(expr, xs):
    """Every value the program computes, inputs first: for functions of several outputs."""
    values = list(xs)
    for step in expr.steps:
        values.append(forms()[step.op].build(step.constant, *(values[i] for i in step.operands)))
    return values


def several_outputs(expr, count=3):
    """A function of the program's inputs returning its last `count` values."""
    n = len(expr.inputs)

    def f(*xs):
        values = program_values(expr, xs)
        return values[max(n, len(values) - count) :]

    return f


def evaluate(f, points):
    out = f(*[Value(x) for x in points])
    return [v.data for v in out] if isinstance(out, list) else [out.data]


def numerical_jacobian(f, points, eps=EPS):
    """Central differences, a column per input: rows per output."""
    columns = []
    for j in range(len(points)):
        up, down = list(points), list(points)
        up[j] += eps
        down[j] -= eps
        columns.append([(a - b) / (2 * eps) for a, b in zip(evaluate(f, up), evaluate(f, down))])
    return [list(row) for row in zip(*columns)]


def direction(n):
    return [0.5 + 0.25 * i * (-1) ** i for i in range(n)]


# --- against finite differences ---------------------------------------------------------------


@given(expressions(max_steps=10))
def test_jvp_is_the_directional_finite_difference(expr):
    t = direction(len(expr.inputs))
    out, tangent = jvp(expr, expr.inputs, t)
    assert out == expr(*[Value(x) for x in expr.inputs]).data
    up = [x + EPS * d for x, d in zip(expr.inputs, t)]
    down = [x - EPS * d for x, d in zip(expr.inputs, t)]
    numeric = (evaluate(expr, up)[0] - evaluate(expr, down)[0]) / (2 * EPS)
    assert close(tangent, numeric)


@given(expressions(max_steps=10))
def test_jacobians_of_several_outputs_are_the_finite_differences(expr):
    f = several_outputs(expr)
    forward = jacfwd(f)(*expr.inputs)
    reverse = jacrev(f)(*expr.inputs)
    numeric = numerical_jacobian(f, expr.inputs)
    assert close(forward, numeric) and close(reverse, numeric)
    # the two directions add the same products, only in another order
    assert close(forward, reverse, rtol=1e-9, atol=1e-12)
    assert jacobian(f, expr.inputs, mode="forward") == forward
    assert jacobian(f, expr.inputs) == jacobian(f, expr.inputs, mode="reverse") == reverse


@given(expressions(max_steps=8))
def test_vjp_is_the_cotangent_times_the_jacobian(expr):
    f = several_outputs(expr)
    J = jacrev(f)(*expr.inputs)
    u = direction(len(J))
    out, vjp_fn = vjp(f, *expr.inputs)
    assert list(out) == evaluate(f, expr.inputs)
    expected = [sum(u[i] * J[i][j] for i in range(len(J))) for j in range(len(expr.inputs))]
    assert close(list(vjp_fn(*u)), expected, rtol=1e-9, atol=1e-12)
    assert vjp_fn(*u) == vjp_fn(u)  # m numbers, or one sequence of m


@given(expressions(max_steps=8))
def test_hessian_forward_over_reverse_equals_reverse_over_reverse_and_is_symmetric(expr):
    xs = [Value(x) for x in expr.inputs]
    first = grad(expr(*xs), xs, create_graph=True)
    reverse_over_reverse = [[h.data for h in grad(g, xs)] for g in first]
    H = hessian(expr)(*expr.inputs)
    n = len(xs)
    assert len(H) == n and all(len(row) == n for row in H)
    assert close(H, reverse_over_reverse, rtol=1e-9, atol=1e-10)
    for i in range(n):
        for j in range(n):
            assert close(H[i][j], H[j][i], rtol=1e-9, atol=1e-10)
    # and the finite differences of the gradient
    gradient = lambda *vs: grad(expr(*vs), list(vs), create_graph=True)  # noqa: E731
    assert close(H, numerical_jacobian(gradient, expr.inputs), rtol=1e-3, atol=1e-4)


@given(expressions(max_steps=8))
def test_hvp_is_the_hessian_times_v(expr):
    v = direction(len(expr.inputs))
    H = hessian(expr)(*expr.inputs)
    expected = [sum(H[i][j] * v[j] for j in range(len(v))) for i in range(len(v))]
    assert close(hvp(expr, expr.inputs, v), expected, rtol=1e-9, atol=1e-10)


# --- colah's example, by hand ------------------------------------------------------------------


def test_colahs_example_both_ways():
    a, b = Value(2.0, "a"), Value(1.0, "b")
    c = a + b
    d = b + 1
    e = c * d
    assert (c.data, d.data, e.data) == (3.0, 2.0, 6.0)
    forward = tangents([e], {b: 1.0})
    assert [forward[n] for n in (a, b, c, d, e)] == [0.0, 1.0, 1.0, 1.0, 5.0]
    steps = forward_steps(e, {b: 1.0})
    assert [s.node for s in steps] == [c, d, e] or [s.node for s in steps] == [d, c, e]
    last = steps[-1]
    assert isinstance(last, ForwardStep) and last.tangent == 5.0
    assert sorted(product for _, _, _, product in last.contributions) == [2.0, 3.0]
    f = lambda a, b: (a + b) * (b + 1)  # noqa: E731
    assert jvp(f, (2.0, 1.0), (0.0, 1.0)) == (6.0, 5.0)
    assert jacfwd(f)(2.0, 1.0) == jacrev(f)(2.0, 1.0) == [[2.0, 5.0]]


def test_an_unseeded_leaf_has_no_tangent_and_an_infinite_derivative_behind_it_stays_out():
    # sqrt at 0 has derivative inf; seeding x alone, y's branch carries nothing, and
    # ∂(x * sqrt(y))/∂x is sqrt(0) = 0, as reverse mode says, not 0·inf = nan.
    f = lambda x, y: x * y.sqrt()  # noqa: E731
    assert jacfwd(f)(3.0, 0.0)[0][0] == jacrev(f)(3.0, 0.0)[0][0] == 0.0
    assert jacfwd(f)(3.0, 0.0)[0][1] == jacrev(f)(3.0, 0.0)[0][1] == math.inf


def test_push_tangents_keeps_a_seed_and_skips_what_the_seed_does_not_reach():
    x, y = Value(1.0), Value(2.0)
    z = x * y
    found = push_tangents([x, y, z], {x: 0.0})
    assert found == {x: 0.0, z: 0.0}  # a seed of 0.0 is a number; y got nothing


# --- shapes ------------------------------------------------------------------------------------


def test_shapes_as_torch_func_gives_them_for_scalars():
    scalar = lambda x, y: x * y  # noqa: E731
    several = lambda x, y: (x * y, x + y, x - y)  # noqa: E731
    out, t = jvp(scalar, [2.0, 3.0], [1.0, 0.0])
    assert (out, t) == (6.0, 3.0) and type(out) is float and type(t) is float
    assert jvp(several, (2.0, 3.0), (1.0, 0.0)) == ((6.0, 5.0, -1.0), (3.0, 1.0, 1.0))
    out, vjp_fn = vjp(scalar, 2.0, 3.0)
    assert out == 6.0 and vjp_fn(1.0) == (3.0, 2.0) and vjp_fn(2) == (6.0, 4.0)
    assert jacfwd(several)(2.0, 3.0) == [[3.0, 2.0], [1.0, 1.0], [1.0, -1.0]]
    assert jacrev(scalar)(2.0, 3.0) == [[3.0, 2.0]]  # one row for a scalar f
    assert hessian(scalar)(2.0, 3.0) == [[0.0, 1.0], [1.0, 0.0]]
    assert hvp(scalar, (2.0, 3.0), (1.0, 1.0)) == [1.0, 1.0]


def test_an_output_that_does_not_depend_on_an_input_has_zero_derivatives():
    constant = Value(7.0)
    f = lambda x, y: [x * 2, constant, y]  # noqa: E731
    expected = [[2.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
    assert jacfwd(f)(1.0, 5.0) == jacrev(f)(1.0, 5.0) == expected
    assert hessian(lambda x, y: x * 2)(1.0, 5.0) == [[0.0, 0.0], [0.0, 0.0]]


def test_rosenbrock_hessian_by_hand():
    def rosenbrock(x, y):
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    for x, y in [(-1.2, 1.0), (0.3, -0.4), (1.0, 1.0)]:
        by_hand = [[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]]
        assert close(hessian(rosenbrock)(x, y), by_hand, rtol=1e-12, atol=1e-9)


def test_the_transforms_record_inside_no_grad():
    f = lambda x, y: x * y  # noqa: E731
    with no_grad():
        assert jvp(f, (2.0, 3.0), (1.0, 1.0)) == (6.0, 5.0)
        assert jacfwd(f)(2.0, 3.0) == jacrev(f)(2.0, 3.0) == [[3.0, 2.0]]
        assert vjp(lambda x, y: [x * y, x], 2.0, 3.0)[1](1.0, 1.0) == (4.0, 2.0)
        assert hessian(f)(2.0, 3.0) == [[0.0, 1.0], [1.0, 0.0]]
        assert (Value(1.0) + Value(2.0)).parents == ()  # and no_grad still holds after


# --- counting passes ---------------------------------------------------------------------------


def test_forward_mode_makes_a_pass_per_input_reverse_mode_a_pass_per_output():
    two_to_three = lambda x, y: [x * y, x + y, x.sin()]  # noqa: E731
    three_to_one = lambda x, y, z: x * y + z  # noqa: E731
    with count_passes() as fwd:
        jacfwd(two_to_three)(1.0, 2.0)
    with count_passes() as rev:
        jacrev(two_to_three)(1.0, 2.0)
    assert (fwd.forward, fwd.reverse, rev.forward, rev.reverse) == (2, 0, 0, 3)
    with count_passes() as fwd:
        jacfwd(three_to_one)(1.0, 2.0, 3.0)
    with count_passes() as rev:
        jacrev(three_to_one)(1.0, 2.0, 3.0)
    assert (fwd.forward, rev.reverse) == (3, 1)
    assert fwd.forward_edges == 3 * rev.reverse_edges == 3 * 4  # each pass walks every edge
    with count_passes() as both:
        jvp(three_to_one, (1.0, 2.0, 3.0), (1.0, 0.0, 0.0))
        vjp(two_to_three, 1.0, 2.0)[1](1.0, 1.0, 1.0)
        hvp(three_to_one, (1.0, 2.0, 3.0), (1.0, 0.0, 0.0))
    assert (both.forward, both.reverse) == (2, 2)  # hvp: one reverse, then one forward


# --- errors that name the transform ------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: jvp(lambda x: x, (1.0, 2.0), (1.0, 1.0)), TypeError, "jvp: f(x) cannot take 2"),
        (lambda: jacfwd(lambda x, y: x)(1.0), TypeError, "jacfwd: f(x, y) cannot take 1"),
        (lambda: jacrev(lambda x: x)(1.0, 2.0), TypeError, "jacrev: f(x) cannot take 2"),
        (lambda: hessian(lambda x: x)(1.0, 2.0), TypeError, "hessian: f(x) cannot take 2"),
        (lambda: vjp(lambda x: x, 1.0, 2.0), TypeError, "vjp: f(x) cannot take 2"),
        (lambda: hvp(lambda x: x, (1.0, 2.0), (1, 1)), TypeError, "hvp: f(x) cannot take 2"),
        (lambda: jvp(lambda x: 3.0, (1.0,), (1.0,)), TypeError, "jvp: f must return a Value"),
        (lambda: jacfwd(lambda x: [x, 2])(1.0), TypeError, "jacfwd: f must return a Value or a "),
        (lambda: jacrev(lambda x: None)(1.0), TypeError, "jacrev: f must return a Value"),
        (lambda: hessian(lambda x: "x")(1.0), TypeError, "hessian: f must return a Value"),
        (lambda: vjp(lambda x: x.data, 1.0), TypeError, "vjp: f must return a Value"),
        (lambda: jvp(lambda x: [], (1.0,), (1.0,)), ValueError, "jvp: f returned an empty"),
        (lambda: jvp(lambda x, y: x, (1.0, 2.0), (1.0,)), ValueError, "jvp: 1 tangent(s) for 2"),
        (lambda: jvp(lambda x: x, (1.0,), (1.0, 0.0)), ValueError, "jvp: 2 tangent(s) for 1"),
        (lambda: hvp(lambda x, y: x, (1.0, 2.0), (1.0,)), ValueError, "hvp: v has 1 number(s)"),
        (lambda: vjp(lambda x: [x, x], 1.0)[1](1.0), ValueError, "vjp_fn: 1 cotangent number"),
        (lambda: vjp(lambda x: x, 1.0)[1](1.0, 2.0), ValueError, "vjp_fn: 2 cotangent number"),
        (lambda: hessian(lambda x: [x, x])(1.0), ValueError, "hessian: f must return one Value"),
        (lambda: hvp(lambda x: [x], (1.0,), (1.0,)), ValueError, "hvp: f must return one Value"),
        (lambda: jvp(lambda x: x, 1.0, (1.0,)), TypeError, "jvp: primals must be a sequence"),
        (lambda: jvp(lambda x: x, (1.0,), 1.0), TypeError, "jvp: tangents must be a sequence"),
        (lambda: jvp(lambda x: x, ("1",), (1.0,)), TypeError, "jvp: primals[0]: expected an int"),
        (lambda: jvp(lambda x: x, (Value(1.0),), (1.0,)), TypeError, "jvp: primals[0]"),
        (lambda: jacfwd(lambda: Value(1.0))(), ValueError, "jacfwd: no primals"),
        (lambda: jacobian(lambda x: x, (1.0,), mode="sideways"), ValueError, "jacobian: mode"),
        (lambda: jacfwd(3.0), TypeError, "jacfwd: f must be a function"),
        (lambda: jvp(None, (1.0,), (1.0,)), TypeError, "jvp: f must be a function"),
    ],
)
def test_errors_name_the_transform(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message), str(info.value)


def test_a_user_op_has_forward_mode_and_a_hessian_needs_its_differentiable_form():
    from autograd import define_op

    cube = define_op("cube_fwd_test", lambda x: x**3, lambda x, out: (3 * x**2,))
    assert jvp(lambda x: cube(x), (2.0,), (1.0,)) == (8.0, 12.0)  # forward mode for free
    assert jacfwd(lambda x: cube(x))(2.0) == jacrev(lambda x: cube(x))(2.0) == [[12.0]]
    with pytest.raises(NotImplementedError, match="^hessian: grad.create_graph=True.: the op"):
        hessian(lambda x: cube(x))(2.0)
    with pytest.raises(NotImplementedError, match="^hvp: "):
        hvp(lambda x: cube(x), (2.0,), (1.0,))


def test_primals_may_be_a_numpy_array():
    np = pytest.importorskip("numpy", reason="numpy is not installed")
    f = lambda x, y: x * y  # noqa: E731
    assert jvp(f, np.array([2.0, 3.0]), np.array([1.0, 0.0])) == (6.0, 3.0)
    assert hvp(f, np.array([2.0, 3.0]), np.array([1.0, 1.0])) == [1.0, 1.0]
    assert jacobian(f, np.array([2.0, 3.0]), mode="forward") == [[3.0, 2.0]]


def test_forward_helpers_check_their_arguments():
    x = Value(1.0)
    with pytest.raises(TypeError, match="tangents: seeds must be a mapping"):
        tangents([x], [x])
    with pytest.raises(TypeError, match="tangents: expected Values"):
        tangents([1.0], {x: 1.0})
    with pytest.raises(TypeError, match="forward_steps: the tangent of"):
        forward_steps(x, {x: "1"})


@settings(max_examples=20)
@given(expressions(max_steps=6))
def test_jvp_of_every_basis_direction_is_a_column_of_jacrev(expr):
    J = jacrev(expr)(*expr.inputs)
    for j in range(len(expr.inputs)):
        e = [1.0 if i == j else 0.0 for i in range(len(expr.inputs))]
        assert close(jvp(expr, expr.inputs, e)[1], J[0][j], rtol=1e-9, atol=1e-12)


def test_deep_chains_need_no_recursion():
    import sys

    from autograd.paths import sum_over_paths

    def chain(x, y):
        for _ in range(20_000):
            x = x * 1.0001 + y * 1e-4
        return x

    x, y = Value(1.0), Value(1.0)
    out = chain(x, y)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(120)  # proves nothing below recurses
    try:
        (_, tangent) = jvp(chain, (1.0, 1.0), (1.0, 0.0))
        H = hessian(chain)(1.0, 1.0)
        (path,) = sum_over_paths(out, x).paths  # one path, through every step
    finally:
        sys.setrecursionlimit(old_limit)
    assert tangent == pytest.approx(1.0001**20_000, rel=1e-9)
    assert H == [[0.0, 0.0], [0.0, 0.0]]  # linear in x and y
    assert len(path.nodes) == 40_001 and path.nodes[0] is x and path.nodes[-1] is out
    assert path.product == pytest.approx(tangent, rel=1e-12)
