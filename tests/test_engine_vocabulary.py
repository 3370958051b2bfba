"""The whole scalar vocabulary: every op's value, first and second derivative, over its
domain and at its edges; against finite differences always and PyTorch float64 when it is
installed. Also comparisons, backward(gradient), the function forms and the domain errors."""

from __future__ import annotations

import math

import pytest

from autograd import Value, functional, grad, no_grad, ops
from autograd.engine import op_of
from autograd.gradcheck import numerical_grad

INF = math.inf

# name -> (how to apply it to a Value, PyTorch's form as text, points inside the domain)
# PyTorch's form is evaluated only when torch is importable.
GENERAL = (-2.3, -0.7, 0.4, 1.9)
UNIT = (-0.9, -0.3, 0.5, 0.95)
POSITIVE = (0.1, 1.0, 2.5, 40.0)
UNARY = {
    "sin": (lambda x: x.sin(), "torch.sin(x)", GENERAL),
    "cos": (lambda x: x.cos(), "torch.cos(x)", GENERAL),
    "tan": (lambda x: x.tan(), "torch.tan(x)", GENERAL),
    "asin": (lambda x: x.asin(), "torch.asin(x)", UNIT),
    "acos": (lambda x: x.acos(), "torch.acos(x)", UNIT),
    "atan": (lambda x: x.atan(), "torch.atan(x)", GENERAL),
    "sinh": (lambda x: x.sinh(), "torch.sinh(x)", GENERAL),
    "cosh": (lambda x: x.cosh(), "torch.cosh(x)", GENERAL),
    "tanh": (lambda x: x.tanh(), "torch.tanh(x)", GENERAL),
    "asinh": (lambda x: x.asinh(), "torch.asinh(x)", GENERAL),
    "acosh": (lambda x: x.acosh(), "torch.acosh(x)", (1.2, 2.5, 40.0)),
    "atanh": (lambda x: x.atanh(), "torch.atanh(x)", UNIT),
    "sqrt": (lambda x: x.sqrt(), "torch.sqrt(x)", POSITIVE),
    "abs": (lambda x: abs(x), "torch.abs(x)", GENERAL),
    "sign": (lambda x: x.sign(), "torch.sign(x)", GENERAL),
    "exp": (lambda x: x.exp(), "torch.exp(x)", GENERAL),
    "exp2": (lambda x: x.exp2(), "torch.exp2(x)", GENERAL),
    "expm1": (lambda x: x.expm1(), "torch.expm1(x)", GENERAL),
    "log": (lambda x: x.log(), "torch.log(x)", POSITIVE),
    "log2": (lambda x: x.log2(), "torch.log2(x)", POSITIVE),
    "log10": (lambda x: x.log10(), "torch.log10(x)", POSITIVE),
    "log1p": (lambda x: x.log1p(), "torch.log1p(x)", (-0.9, 0.3, 2.5, 40.0)),
    "erf": (lambda x: x.erf(), "torch.erf(x)", GENERAL),
    "floor": (lambda x: x.floor(), "torch.floor(x)", GENERAL),
    "ceil": (lambda x: x.ceil(), "torch.ceil(x)", GENERAL),
    "round": (lambda x: x.round(), "torch.round(x)", GENERAL),
    "trunc": (lambda x: x.trunc(), "torch.trunc(x)", GENERAL),
    "relu": (lambda x: x.relu(), "torch.relu(x)", GENERAL),
    "sigmoid": (lambda x: x.sigmoid(), "torch.sigmoid(x)", GENERAL),
    "leaky_relu": (lambda x: x.leaky_relu(0.1), "F.leaky_relu(x, 0.1)", GENERAL),
    "elu": (lambda x: x.elu(0.7), "F.elu(x, 0.7)", GENERAL),
    "softplus": (lambda x: x.softplus(), "F.softplus(x)", (*GENERAL, -30.0, 25.0)),
    "silu": (lambda x: x.silu(), "F.silu(x)", GENERAL),
    "gelu": (lambda x: x.gelu(), "F.gelu(x)", GENERAL),
    "x//c": (lambda x: x // 0.65, 'torch.div(x, 0.65, rounding_mode="floor")', GENERAL),
    "clamp": (lambda x: x.clamp(-1.0, 1.5), "torch.clamp(x, -1.0, 1.5)", GENERAL),
    "clamp_min": (lambda x: x.clamp(min=0.0), "torch.clamp(x, min=0.0)", GENERAL),
    "detach": (lambda x: x.detach(), "x.detach()", GENERAL),
    "neg": (lambda x: -x, "-x", GENERAL),
    "x+c": (lambda x: x + 2, "x + 2", GENERAL),
    "c-x": (lambda x: 2 - x, "2 - x", GENERAL),
    "x*c": (lambda x: x * 3, "x * 3", GENERAL),
    "x/c": (lambda x: x / 4, "x / 4", GENERAL),
    "c/x": (lambda x: 4 / x, "4 / x", GENERAL),
    "x**c": (lambda x: x**3, "x ** 3", GENERAL),
    "x**0.5": (lambda x: x**0.5, "x ** 0.5", POSITIVE),
    "c**x": (lambda x: 3**x, "3 ** x", GENERAL),
    "x%c": (lambda x: x % 1.5, "torch.remainder(x, 1.5)", GENERAL),
    "c%x": (lambda x: 5.5 % x, "torch.remainder(torch.tensor(5.5, dtype=x.dtype), x)", GENERAL),
    "c//x": (
        lambda x: 5.5 // x,
        'torch.div(torch.tensor(5.5, dtype=x.dtype), x, rounding_mode="floor")',
        GENERAL,
    ),
}

# name -> (apply to two Values, PyTorch's form, pairs of points)
PAIRS = ((1.3, 0.4), (-2.1, 0.7), (5.5, -2.0), (-5.5, 2.0))
BINARY = {
    "+": (lambda x, y: x + y, "x + y", PAIRS),
    "-": (lambda x, y: x - y, "x - y", PAIRS),
    "*": (lambda x, y: x * y, "x * y", PAIRS),
    "/": (lambda x, y: x / y, "x / y", PAIRS),
    "**": (lambda x, y: x**y, "x ** y", ((1.3, 0.4), (0.7, -2.1), (2.0, 3.0))),
    "%": (lambda x, y: x % y, "torch.remainder(x, y)", ((1.3, 0.4), (-2.1, 0.8), (5.5, -2.0))),
    "maximum": (lambda x, y: x.maximum(y), "torch.maximum(x, y)", PAIRS),
    "minimum": (lambda x, y: x.minimum(y), "torch.minimum(x, y)", PAIRS),
}

# Piecewise ops whose finite differences jump at these points (a kink or a step).
STEPS = {"floor", "ceil", "round", "trunc", "sign", "x//c", "c//x"}
# Ops whose derivative is 0 by definition, not by their finite differences.
NO_GRADIENT = {"detach"}


def derivatives(f, *xs: float) -> tuple[float, list[float], list[list[float]]]:
    """f's value, gradient (backward) and Hessian (grad of grad, create_graph=True)."""
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    out.backward()
    first = [x.grad for x in inputs]
    firsts = grad(out, inputs, create_graph=True)
    hessian = [[h.data for h in grad(g, inputs)] for g in firsts]
    assert [g.data for g in firsts] == pytest.approx(first, rel=1e-12, abs=1e-300)
    return out.data, first, hessian


def torch_derivatives(form: str, *xs: float) -> tuple[float, list[float], list[list[float]]]:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: no float64 cross-check")
    F = torch.nn.functional  # PyTorch's own name, used inside the forms
    inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    names = {"x": inputs[0], "torch": torch, "F": F}
    if len(inputs) == 2:
        names["y"] = inputs[1]
    out = eval(form, names)
    if not out.requires_grad:  # x.detach(): no graph, so every derivative is 0
        zeros = [0.0] * len(inputs)
        return out.item(), zeros, [list(zeros) for _ in inputs]
    firsts = torch.autograd.grad(out, inputs, create_graph=True, allow_unused=True)
    first, hessian = [], []
    for g in firsts:
        g = torch.zeros((), dtype=torch.float64) if g is None else g
        first.append(g.item())
        if g.requires_grad:
            row = torch.autograd.grad(g, inputs, allow_unused=True)
            hessian.append([0.0 if h is None else h.item() for h in row])
        else:
            hessian.append([0.0] * len(inputs))
    return out.item(), first, hessian


UNARY_CASES = [(name, x) for name, (_, _, points) in UNARY.items() for x in points]
BINARY_CASES = [(name, p) for name, (_, _, pairs) in BINARY.items() for p in pairs]


@pytest.mark.parametrize("name, x", UNARY_CASES)
def test_unary_op_against_finite_differences(name, x):
    f = UNARY[name][0]
    value, first, hessian = derivatives(f, x)
    if name in STEPS or name in NO_GRADIENT:
        assert first == [0.0] and hessian == [[0.0]]
        return
    eps = 1e-6 * max(1.0, abs(x))
    assert first == pytest.approx(numerical_grad(f, [x], eps=eps), rel=1e-5, abs=1e-6)

    def slope(v: Value) -> Value:
        return grad(f(v), [v], create_graph=True)[0]

    assert hessian[0] == pytest.approx(numerical_grad(slope, [x], eps=eps), rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("name, x", UNARY_CASES)
def test_unary_op_against_pytorch(name, x):
    f, form, _ = UNARY[name]
    ours = derivatives(f, x)
    theirs = torch_derivatives(form, x)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12, abs=1e-14)
    assert ours[1] == pytest.approx(theirs[1], rel=1e-12, abs=1e-14)
    assert ours[2][0] == pytest.approx(theirs[2][0], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name, pair", BINARY_CASES)
def test_binary_op_against_finite_differences(name, pair):
    f = BINARY[name][0]
    _, first, hessian = derivatives(f, *pair)
    assert first == pytest.approx(numerical_grad(f, list(pair)), rel=1e-5, abs=1e-6)
    for i in range(2):

        def partial(*vs: Value, i: int = i) -> Value:
            return grad(f(*vs), list(vs), create_graph=True)[i]

        assert hessian[i] == pytest.approx(numerical_grad(partial, list(pair)), rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("name, pair", BINARY_CASES)
def test_binary_op_against_pytorch(name, pair):
    f, form, _ = BINARY[name]
    ours = derivatives(f, *pair)
    theirs = torch_derivatives(form, *pair)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
    assert ours[1] == pytest.approx(theirs[1], rel=1e-12, abs=1e-14)
    for mine, torch_row in zip(ours[2], theirs[2]):
        assert mine == pytest.approx(torch_row, rel=1e-9, abs=1e-12)


# The edges named by the conventions: value, first derivative (PyTorch's where undefined).
EDGES = [
    ("abs at 0", lambda x: abs(x), 0.0, 0.0, 0.0, "torch.abs(x)"),
    ("sign at 0", lambda x: x.sign(), 0.0, 0.0, 0.0, "torch.sign(x)"),
    ("relu at 0", lambda x: x.relu(), 0.0, 0.0, 0.0, "torch.relu(x)"),
    ("sqrt at 0", lambda x: x.sqrt(), 0.0, 0.0, INF, "torch.sqrt(x)"),
    ("asin at 1", lambda x: x.asin(), 1.0, math.pi / 2, INF, "torch.asin(x)"),
    ("asin at -1", lambda x: x.asin(), -1.0, -math.pi / 2, INF, "torch.asin(x)"),
    ("acos at 1", lambda x: x.acos(), 1.0, 0.0, -INF, "torch.acos(x)"),
    ("acosh at 1", lambda x: x.acosh(), 1.0, 0.0, INF, "torch.acosh(x)"),
    ("leaky_relu at 0", lambda x: x.leaky_relu(), 0.0, 0.0, 0.01, "F.leaky_relu(x)"),
    ("elu at 0", lambda x: x.elu(), 0.0, 0.0, 1.0, "F.elu(x)"),
    ("clamp at its min", lambda x: x.clamp(0.0, 1.0), 0.0, 0.0, 1.0, "torch.clamp(x, 0.0, 1.0)"),
    ("clamp at its max", lambda x: x.clamp(0.0, 1.0), 1.0, 1.0, 1.0, "torch.clamp(x, 0.0, 1.0)"),
    ("clamp min > max", lambda x: x.clamp(2.0, 1.0), 1.5, 1.0, 0.0, "torch.clamp(x, 2.0, 1.0)"),
    ("round half to even", lambda x: x.round(), 2.5, 2.0, 0.0, "torch.round(x)"),
    ("round half to even", lambda x: x.round(), -0.5, -0.0, 0.0, "torch.round(x)"),
    ("softplus far left", lambda x: x.softplus(), -800.0, 0.0, 0.0, "F.softplus(x)"),
    ("softplus far right", lambda x: x.softplus(), 800.0, 800.0, 1.0, "F.softplus(x)"),
    ("silu far left", lambda x: x.silu(), -800.0, -0.0, 0.0, "F.silu(x)"),
    ("gelu far right", lambda x: x.gelu(), 40.0, 40.0, 1.0, "F.gelu(x)"),
]


@pytest.mark.parametrize("case", EDGES, ids=[e[0] for e in EDGES])
def test_edges_follow_the_conventions(case):
    _, f, x, value, slope, form = case
    v = Value(x)
    out = f(v)
    out.backward()
    assert out.data == pytest.approx(value, abs=1e-15)
    assert v.grad == slope
    try:
        import torch  # noqa: F401
    except ImportError:
        return
    theirs = torch_derivatives(form, x)
    assert out.data == pytest.approx(theirs[0], abs=1e-15)
    assert v.grad == theirs[1][0]


def test_mod_derivatives_follow_pytorch():
    x, y = Value(7.5), Value(2.0)
    (x % y).backward()
    assert (x.grad, y.grad) == (1.0, -3.0)  # d/dy = -floor(x/y)
    x, y = Value(-7.5), Value(2.0)
    out = x % y
    out.backward()
    assert out.data == 0.5 and (x.grad, y.grad) == (1.0, 4.0)  # the divisor's sign, as Python


def test_floor_division_has_derivative_zero():
    x, y = Value(7.5), Value(2.0)
    out = x // y
    out.backward()
    assert out.data == 3.0 and (x.grad, y.grad) == (0.0, 0.0)
    assert (Value(-7.5) // 2).data == -4.0 and (7 // Value(2.0)).data == 3.0


def test_maximum_and_minimum_split_a_tie_evenly():
    a, b = Value(1.0), Value(1.0)
    a.maximum(b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)
    a, b = Value(2.0), Value(1.0)
    a.minimum(b).backward()
    assert (a.grad, b.grad) == (0.0, 1.0)
    assert math.isnan(Value(math.nan).maximum(1.0).data)


def test_inf_and_nan_propagate_as_ieee_says():
    assert math.isnan(Value(INF).sin().data) and math.isnan(Value(-INF).cos().data)
    assert Value(INF).atan().data == math.pi / 2
    assert Value(-INF).exp().data == 0.0 and Value(INF).sqrt().data == INF
    assert Value(INF).floor().data == INF and math.isnan(Value(math.nan).round().data)
    for name in ("sin", "sqrt", "log", "asin", "acosh", "atanh", "log1p", "erf", "gelu", "sign"):
        assert math.isnan(getattr(Value(math.nan), name)().data), name


# --- bad input: a domain error is a ValueError naming the op and the value -------------------

DOMAIN_ERRORS = [
    (lambda: Value(2.0).asin(), ValueError, "asin", "2.0"),
    (lambda: Value(-1.5).acos(), ValueError, "acos", "-1.5"),
    (lambda: Value(0.5).acosh(), ValueError, "acosh", "0.5"),
    (lambda: Value(1.0).atanh(), ValueError, "atanh", "1.0"),
    (lambda: Value(-1.0).log2(), ValueError, "log2", "-1.0"),
    (lambda: Value(0.0).log10(), ValueError, "log10", "0.0"),
    (lambda: Value(-1.0).log1p(), ValueError, "log1p", "-1.0"),
    (lambda: Value(-1.0).sqrt(), ValueError, "sqrt", "-1.0"),
    (lambda: Value(3.0) % 0, ZeroDivisionError, "%", "3.0"),
    (lambda: Value(3.0) % Value(0.0), ZeroDivisionError, "%", "3.0"),
    (lambda: 3 % Value(0.0), ZeroDivisionError, "%", "3.0"),
    (lambda: Value(3.0) // 0, ZeroDivisionError, "//", "3.0"),
    (lambda: Value(800.0).sinh(), OverflowError, "sinh", "800.0"),
    (lambda: Value(800.0).cosh(), OverflowError, "cosh", "800.0"),
    (lambda: Value(2000.0).exp2(), OverflowError, "exp2", "2000.0"),
    (lambda: Value(800.0).expm1(), OverflowError, "expm1", "800.0"),
    (lambda: Value(1.0) % "a", TypeError, "%", "'a'"),
    (lambda: Value(1.0).clamp("0"), TypeError, "clamp", "'0'"),
    (lambda: Value(1.0).clamp(), ValueError, "clamp", "min"),
    (lambda: Value(1.0).clamp(min=math.nan), ValueError, "clamp", "nan"),
    (lambda: Value(1.0).clamp(0, math.nan), ValueError, "clamp", "nan"),
    (lambda: Value(1.0).leaky_relu(None), TypeError, "leaky_relu", "None"),
    (lambda: Value(1.0).maximum([1]), TypeError, "maximum", "[1]"),
    (lambda: Value(1.0) < "a", TypeError, "<", "'a'"),
    (lambda: Value(1.0) >= None, TypeError, ">=", "None"),
    (lambda: Value(1.0).backward(gradient="1"), TypeError, "backward", "'1'"),
    (lambda: functional.sin("x"), TypeError, "sin", "'x'"),
]


@pytest.mark.parametrize("run, exception, op, value", DOMAIN_ERRORS)
def test_bad_input_names_the_op_and_the_value(run, exception, op, value):
    with pytest.raises(exception) as caught:
        run()
    assert op in str(caught.value) and value in str(caught.value)


def test_a_failed_op_records_nothing_and_changes_nothing():
    x = Value(2.0)
    with pytest.raises(ValueError):
        x.asin()
    assert x.data == 2.0 and x.grad == 0.0 and x.parents == ()


# --- comparisons -----------------------------------------------------------------------------


def test_comparisons_compare_data_and_return_bools():
    a, b = Value(1.0), Value(2.0)
    assert (a < b, a <= b, a > b, a >= b) == (True, True, False, False)
    assert (a < 1.5, a > 0, 3 > a, 0.5 <= a) == (True, True, True, True)
    assert all(type(r) is bool for r in (a < b, a >= 1, 2 <= a))
    assert not (Value(math.nan) < 1.0) and not (Value(math.nan) >= 1.0)


def test_equality_and_hash_stay_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and len({a, b}) == 2
    assert {a: 1}[a] == 1


def test_max_sends_the_gradient_to_the_larger_only():
    a, b = Value(3.0), Value(5.0)
    winner = max(a, b)
    assert winner is b
    (winner * 2).backward()
    assert (a.grad, b.grad) == (0.0, 2.0)
    assert min(a, b) is a


def test_sorted_and_branches_on_values():
    values = [Value(x) for x in (3.0, -1.0, 2.0)]
    assert [v.data for v in sorted(values)] == [-1.0, 2.0, 3.0]
    x = Value(-2.0)
    y = x * 3 if x > 0 else x * -1  # the branch taken keeps its graph
    y.backward()
    assert x.grad == -1.0


# --- backward(gradient) ----------------------------------------------------------------------


def test_backward_gradient_scales_every_grad():
    x, w = Value(2.0), Value(-3.0)
    y = (x * w).tanh()
    y.backward(gradient=2.5)
    scaled = (x.grad, w.grad, y.grad)
    x.grad = w.grad = 0.0
    y.backward()
    assert scaled == pytest.approx((2.5 * x.grad, 2.5 * w.grad, 2.5 * y.grad), rel=1e-15)
    assert scaled[2] == 2.5  # d(root)/d(root), scaled


def test_backward_gradient_on_a_leaf_accumulates():
    x = Value(1.0)
    x.backward(3)
    x.backward()
    assert x.grad == 4.0


def test_backward_gradient_matches_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    x = Value(0.7)
    (x.sin() * x).backward(gradient=-1.5)
    t = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    (t.sin() * t).backward(gradient=torch.tensor(-1.5, dtype=torch.float64))
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-15)


# --- the function forms ----------------------------------------------------------------------

FUNCTIONS = sorted(set(functional.__all__))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_is_the_method_on_values_and_numbers(name):
    f = getattr(functional, name)
    arguments = {"clamp": (0.0, 1.0), "minimum": (0.1,), "maximum": (0.1,)}.get(name, ())
    x = 1.3 if name == "acosh" else 0.3
    v = Value(x)
    by_function = f(v, *arguments)
    method = "__abs__" if name == "abs" else name
    by_method = getattr(Value(x), method)(*arguments)
    assert isinstance(by_function, Value) and by_function.op == by_method.op
    assert by_function.data == by_method.data
    assert by_function.parents[0] is v  # a Value goes in as itself
    from_number = f(x, *arguments)
    assert from_number.data == by_method.data  # a number becomes a leaf


def test_every_builtin_op_has_a_method_or_operator():
    # Every entry of the table, reflected ones too (`c // x`), is checked here against PyTorch.
    reached = {op_of(f(Value(points[0]))) for f, _, points in UNARY.values()}
    reached |= {op_of(f(Value(x), Value(y))) for f, _, ((x, y), *_) in BINARY.values()}
    missing = [f"{op.name} ({op.method})" for op in ops.entries() if op not in reached]
    assert missing == ["w·x+b ()"], f"UNARY and BINARY reach no node of {missing}"


def test_python_builtins_reach_the_ops():
    x = Value(-2.7)
    assert (abs(x).op, round(x).op, math.floor(x).op, math.ceil(x).op, math.trunc(x).op) == (
        "abs",
        "round",
        "floor",
        "ceil",
        "trunc",
    )
    assert (round(x).data, math.floor(x).data, math.trunc(x).data) == (-3.0, -3.0, -2.0)
    assert round(Value(1.2345), 2).data == 1.23


# --- found by review: each of these once gave a silently wrong number -----------------------


def test_grad_with_create_graph_inside_no_grad_still_records():
    x = Value(3.0)
    y = x**3
    with no_grad():
        (d,) = grad(y, [x], create_graph=True)
        assert (x * 2).parents == ()  # no_grad itself is unchanged
    assert d.data == 27.0 and grad(d, [x])[0].data == 18.0


def test_grad_with_create_graph_refuses_a_graph_whose_leaves_changed():
    w, x = Value(2.0), Value(3.0)
    y = (w * x).sin()
    w.data = 5.0  # an optimizer's step, after the graph was built
    with pytest.raises(ValueError, match="changed after the graph was built"):
        grad(y, [x], create_graph=True)


@pytest.mark.parametrize(
    "base, exponent",
    [(INF, 1.0), (INF, 2.0), (-INF, 3.0), (1e-200, 2.0), (1e-200, -1.0), (-1e-200, -1.0)],
)
def test_power_derivative_at_extremes_matches_pytorch(base, exponent):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    x = Value(base)
    (x**exponent).backward()
    t = torch.tensor(base, dtype=torch.float64, requires_grad=True)
    (t**exponent).backward()
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-12)


@pytest.mark.parametrize("x", [-20.0, -40.0, -700.0])
def test_elu_and_expm1_keep_their_derivative_far_left(x):
    v = Value(x)
    v.elu(0.5).backward()
    assert v.grad == pytest.approx(0.5 * math.exp(x), rel=1e-12)
    w = Value(x)
    (d,) = grad(w.expm1(), [w], create_graph=True)
    assert d.data == pytest.approx(math.exp(x), rel=1e-12)
    u = Value(x)
    (d,) = grad(u.elu(0.5), [u], create_graph=True)
    assert d.data == pytest.approx(0.5 * math.exp(x), rel=1e-12)


def test_clamp_of_nan_has_derivative_zero():
    x = Value(math.nan)
    out = x.clamp(0.0, 1.0)
    out.backward()
    assert math.isnan(out.data) and x.grad == 0.0


def test_a_nan_first_derivative_has_a_nan_second():
    x = Value(math.nan)
    (d,) = grad(x.sin(), [x], create_graph=True)
    assert math.isnan(grad(d, [x])[0].data)


def test_a_grad_that_is_not_a_number_is_refused_when_set():
    b = Value(3.0, label="b")
    with pytest.raises(TypeError, match=r"Value.grad \(set 0.0 to clear it\).*None"):
        b.grad = None  # type: ignore[assignment]  # PyTorch's way to clear a grad
    with pytest.raises(TypeError, match=r"Value.grad.*Value\(data=0.0"):
        b.grad = Value(0.0)  # type: ignore[assignment]  # would make the next sum a graph
    b.grad = 2  # an int is a number
    assert b.grad == 2.0 and type(b.grad) is float


def test_grad_wants_a_list_of_inputs():
    x = Value(1.0)
    with pytest.raises(TypeError, match="grad: inputs must be a sequence"):
        grad(x * x, x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="create_graph"):
        grad(x * x, [x], create_graph="yes")  # type: ignore[arg-type]
