"""The tangent of every op, in forward mode, against its finite difference at hard points:
near a domain's edge, near a kink, where an op saturates or nearly overflows, at tiny and
huge inputs. Forward mode reads the same local derivatives as backward(), so this is the
op table checked once more, through the forward chain rule; at the kinks themselves, where
a finite difference means nothing, the conventions are PyTorch's forward mode's.
"""

import math

import pytest

from autograd import Value, jvp, ops
from autograd.engine import weighted_sum
from autograd.forward import tangents

PI = math.pi


def point(*xs, h=None, seed=None):
    """Operands, the finite-difference step (default 1e-6·max(|x|, 1); a tuple: one per
    operand; 0.0: the op is meant to have no slope, so no finite difference), which operands to seed
    (default all, one at a time)."""
    return xs, h, seed


# op name -> (builder of the node from operand Values, hard points)
HARD_POINTS = {
    "+": (lambda x, y: x + y, [point(1e-300, -1e-300, h=1e-306), point(1e16, 1.0, h=16.0)]),
    "-": (lambda x, y: x - y, [point(1e16, 1.0, h=16.0), point(-1e-300, 1e-300, h=1e-306)]),
    "neg": (lambda x: -x, [point(1e300), point(-1e-300)]),
    "*": (lambda x, y: x * y, [point(1e-200, 1e200), point(0.0, 3.0, h=1e-6)]),
    "/": (lambda x, y: x / y, [point(1.0, 1e-8, h=1e-14), point(1e-300, 3.0), point(-2.0, 1e6)]),
    "**": (
        lambda x, y: x**y,
        [
            point(1e-6, 0.5, h=1e-12),  # a root near 0: derivative 500
            point(0.5, 40.0),  # a tiny power
            point(2.0, -3.0),
            point(1.0 + 1e-9, 1e6, h=(1e-13, 1e-3)),  # (1 + ε) ** large
            point(-2.0, 3.0, seed=[0]),  # a negative base: d/dy is nan, as PyTorch
        ],
    ),
    "%": (lambda x, y: x % y, [point(4.000001, 2.0, h=1e-9), point(-5.5, 2.0)]),
    "//": (lambda x, y: x // y, [point(4.000001, 2.0, h=1e-9), point(-5.5, 2.0)]),
    "detach": (lambda x: x.detach(), [point(3.0, h=0.0)]),  # no slope by design
    "exp": (lambda x: x.exp(), [point(700.0), point(-700.0), point(1e-10)]),
    "exp2": (lambda x: x.exp2(), [point(1000.0), point(-1000.0)]),
    "expm1": (lambda x: x.expm1(), [point(1e-10), point(-30.0), point(700.0)]),
    "log": (lambda x: x.log(), [point(1e-300, h=1e-306), point(1e300), point(1.0 + 1e-10, h=1e-14)]),
    "log2": (lambda x: x.log2(), [point(1e-300, h=1e-306), point(1e300)]),
    "log10": (lambda x: x.log10(), [point(1e-300, h=1e-306), point(1e300)]),
    "log1p": (
        lambda x: x.log1p(),
        [point(-1.0 + 1e-10, h=1e-14), point(1e-12), point(1e300)],
    ),
    "sqrt": (lambda x: x.sqrt(), [point(1e-300, h=1e-306), point(1e300), point(1e-12, h=1e-18)]),
    "sin": (lambda x: x.sin(), [point(1e6, h=1e-6), point(1e-8), point(PI)]),
    "cos": (lambda x: x.cos(), [point(1e6, h=1e-6), point(1e-8), point(PI / 2)]),
    "tan": (lambda x: x.tan(), [point(PI / 2 - 1e-6, h=1e-12), point(-1e-8)]),
    "asin": (lambda x: x.asin(), [point(1.0 - 1e-10, h=1e-13), point(-1.0 + 1e-10, h=1e-13)]),
    "acos": (lambda x: x.acos(), [point(1.0 - 1e-10, h=1e-13), point(1e-8)]),
    "atan": (lambda x: x.atan(), [point(1e8), point(-1e-8)]),
    "sinh": (lambda x: x.sinh(), [point(700.0), point(-700.0), point(1e-10)]),
    "cosh": (lambda x: x.cosh(), [point(700.0), point(-700.0), point(1e-10)]),
    "tanh": (lambda x: x.tanh(), [point(20.0), point(-20.0), point(1e-8), point(0.0, h=1e-6)]),
    "asinh": (lambda x: x.asinh(), [point(1e150), point(-1e-8)]),
    "acosh": (lambda x: x.acosh(), [point(1.0 + 1e-10, h=1e-13), point(1e150)]),
    "atanh": (lambda x: x.atanh(), [point(1.0 - 1e-10, h=1e-13), point(-1.0 + 1e-10, h=1e-13)]),
    "erf": (lambda x: x.erf(), [point(6.0), point(-6.0), point(1e-8)]),
    "relu": (lambda x: x.relu(), [point(1e-300, h=1e-306), point(-1e-300, h=1e-306)]),
    "sigmoid": (lambda x: x.sigmoid(), [point(40.0), point(-40.0), point(-700.0)]),
    "leaky_relu": (lambda x: x.leaky_relu(0.2), [point(-1e-300, h=1e-306), point(1e300)]),
    "elu": (lambda x: x.elu(1.0), [point(-1e-300, h=1e-306), point(-700.0), point(1e-8, h=1e-12)]),
    "softplus": (
        lambda x: x.softplus(),
        [point(19.999), point(20.001), point(-700.0), point(30.0)],
    ),
    "silu": (lambda x: x.silu(), [point(-700.0), point(-40.0), point(40.0)]),
    "gelu": (lambda x: x.gelu(), [point(-5.0), point(8.0), point(1e-8)]),  # -8: see below
    "abs": (lambda x: abs(x), [point(-1e-300, h=1e-306), point(1e300)]),
    "sign": (lambda x: x.sign(), [point(1e-300, h=1e-306), point(-5.0)]),
    "floor": (lambda x: x.floor(), [point(2.0000001, h=1e-9), point(-3.9999999, h=1e-9)]),
    "ceil": (lambda x: x.ceil(), [point(2.0000001, h=1e-9), point(-3.9999999, h=1e-9)]),
    "round": (lambda x: x.round(), [point(2.5000001, h=1e-9), point(-3.4999999, h=1e-9)]),
    "trunc": (lambda x: x.trunc(), [point(2.0000001, h=1e-9), point(-0.9999999, h=1e-9)]),
    "clamp": (
        lambda x: x.clamp(0.0, 1.0),
        [point(1.0 - 1e-10, h=1e-13), point(1e-10, h=1e-13), point(1.0 + 1e-10, h=1e-13)],
    ),
    "maximum": (lambda x, y: x.maximum(y), [point(1.0, 1.0 + 1e-9, h=1e-12)]),
    "minimum": (lambda x, y: x.minimum(y), [point(1.0, 1.0 + 1e-9, h=1e-12)]),
    "w·x+b": (
        lambda w0, w1, x0, x1, b: weighted_sum([w0, w1], [x0, x1], b),
        [point(1e150, -1e150, 1e-150, 2.0, 1e-300), point(1e-8, 3.0, -2.0, 1e-8, 5.0)],
    ),
}


def test_every_builtin_op_has_hard_points():
    missing = sorted(set(ops.REGISTRY) - set(HARD_POINTS))
    assert not missing and set(HARD_POINTS) <= set(ops.REGISTRY), f"HARD_POINTS lacks {missing}"


def finite_difference(build, xs, i, h):
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    high, low = build(*map(Value, up)).data, build(*map(Value, down)).data
    # the step actually taken: x + h rounds, and near 1 that is a relative error in h
    taken = up[i] - down[i]
    # how far rounding alone can move the difference quotient: a few ulps of f over 2h
    rounding = 4 * 2.3e-16 * max(abs(high), abs(low)) / taken
    return (high - low) / taken, rounding


CASES = [
    (name, xs, h, seed)
    for name, (_, points) in HARD_POINTS.items()
    for xs, h, seed in points
]


@pytest.mark.parametrize("name, xs, h, seed", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_the_tangent_of_each_op_is_its_finite_difference_at_hard_points(name, xs, h, seed):
    build = HARD_POINTS[name][0]
    for i in range(len(xs)) if seed is None else seed:
        inputs = [Value(x) for x in xs]
        out = build(*inputs)
        tangent = tangents([out], {inputs[i]: 1.0})[out]  # seeding operand i alone
        # forward mode and backward() read one local derivative: exactly the same number
        out.backward()
        assert tangent == inputs[i].grad
        if seed is None:  # jvp along the i-th axis: the others seeded with 0.0
            e = [1.0 if j == i else 0.0 for j in range(len(xs))]
            assert jvp(build, xs, e) == (out.data, tangent)
        assert math.isfinite(tangent), f"{name}{xs}: tangent {tangent} along operand {i}"
        step = h[i] if isinstance(h, tuple) else h
        if step is None:
            step = 1e-6 * max(abs(xs[i]), 1.0)
        if step == 0.0:
            assert tangent == 0.0
            continue
        numeric, rounding = finite_difference(build, xs, i, step)
        assert abs(tangent - numeric) <= rounding + 1e-4 * abs(numeric), (
            f"{name}{xs}, operand {i}: tangent {tangent!r}, finite difference {numeric!r}"
        )


@pytest.mark.parametrize("x", [-8.0, -30.0])
def test_the_tangent_of_gelu_far_left_is_accurate_against_the_exact_derivative(x):
    # There the engine's forward value, x·(1 + erf(x/√2))/2, has lost its relative precision
    # to cancellation (a finite difference of it is noise), but its derivative, Φ(x) + x·φ(x),
    # adds two accurate terms: the tangent matches the closed form written with erfc.
    exact = 0.5 * math.erfc(-x / math.sqrt(2)) + x * math.exp(-x * x / 2) / math.sqrt(2 * PI)
    assert jvp(lambda v: v.gelu(), (x,), (1.0,))[1] == pytest.approx(exact, rel=1e-6)


def test_a_negative_base_has_no_derivative_in_the_exponent():
    # (-2) ** y is only real at whole y: d/dy is nan, as PyTorch says; no finite difference.
    assert math.isnan(jvp(lambda x, y: x**y, (-2.0, 3.0), (0.0, 1.0))[1])


# At a kink, a finite difference gives a one-sided slope or their mean: what the engine
# gives there is a convention, PyTorch's (its forward mode agrees with its backward here).
KINKS = [
    ("relu", lambda x: x.relu(), (0.0,), 0.0),
    ("abs", lambda x: abs(x), (0.0,), 0.0),
    ("sign", lambda x: x.sign(), (0.0,), 0.0),
    ("leaky_relu", lambda x: x.leaky_relu(0.2), (0.0,), 0.2),
    ("elu", lambda x: x.elu(1.0), (0.0,), 1.0),
    ("sqrt", lambda x: x.sqrt(), (0.0,), math.inf),
    ("clamp", lambda x: x.clamp(0.0, 1.0), (1.0,), 1.0),
    ("maximum", lambda x, y: x.maximum(y), (1.0, 1.0), 1.0),  # 0.5 + 0.5
    ("minimum", lambda x, y: x.minimum(y), (1.0, 1.0), 1.0),
    ("floor", lambda x: x.floor(), (2.0,), 0.0),
    ("**", lambda x, y: x**y, (0.0, 2.0), 0.0),  # d/dx = 0 and d/dy = 0 at 0 ** 2
]


@pytest.mark.parametrize("name, build, xs, expected", KINKS, ids=[k[0] for k in KINKS])
def test_tangents_at_kinks_follow_the_conventions(name, build, xs, expected):
    ones = [1.0] * len(xs)
    assert jvp(build, xs, ones)[1] == expected


@pytest.mark.parametrize("name, build, xs, expected", KINKS, ids=[k[0] for k in KINKS])
def test_tangents_at_kinks_match_torch_func_jvp(name, build, xs, expected):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: no cross-check")
    forms = {
        "relu": torch.relu,
        "abs": torch.abs,
        "sign": torch.sign,
        "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.2),
        "elu": lambda x: torch.nn.functional.elu(x, 1.0),
        "sqrt": torch.sqrt,
        "clamp": lambda x: torch.clamp(x, 0.0, 1.0),
        "maximum": torch.maximum,
        "minimum": torch.minimum,
        "floor": torch.floor,
        "**": lambda x, y: x**y,
    }
    primals = tuple(torch.tensor(x, dtype=torch.float64) for x in xs)
    ones = tuple(torch.ones((), dtype=torch.float64) for _ in xs)
    _, theirs = torch.func.jvp(forms[name], primals, ones)
    assert jvp(build, xs, [1.0] * len(xs))[1] == theirs.item()
