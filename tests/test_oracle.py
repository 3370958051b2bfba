"""A high-precision oracle: every op's value, first and second derivatives, against mpmath.

mpmath evaluates each op's mathematical definition at 50 digits and differentiates it
numerically at that precision (`mpmath.diff`); the engine's numbers come from `grad(...,
create_graph=True)` twice, as a user gets them. Each must agree to a relative 1e-9
(absolute 1e-12 near zero), at random points of the op's domain and at hard ones (near its
edges, large, tiny), except where the float64 formula itself is ill-conditioned: PyTorch's
float64 backward is then just as far off, and the point is listed in `ILL_CONDITIONED`
with the reason and the tolerance that holds.

`ORACLE_POINTS` (default 6 random points per op) is raised by `make fuzz`.
"""

from __future__ import annotations

import math
import os
import random

import pytest

from autograd import Value, grad

mpmath = pytest.importorskip("mpmath", reason="mpmath is not installed: no oracle")
mp = mpmath.mp
mp.dps = 60

RANDOM_POINTS = int(os.environ.get("ORACLE_POINTS", "6"))
REL, ABS = 1e-9, 1e-12


def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


# name -> (engine function, mpmath function, domain for random points (low, high), hard points)
UNARY = {
    "exp": (lambda v: v.exp(), mpmath.exp, (-30, 30), [0.0, -700.0, 700.0, 1e-300]),
    "exp2": (lambda v: v.exp2(), lambda x: mpmath.power(2, x), (-30, 30), [0.0, 1000.0, -1000.0]),
    "expm1": (lambda v: v.expm1(), mpmath.expm1, (-30, 30), [1e-12, -1e-12, 1e-300, 700.0]),
    "log": (lambda v: v.log(), mpmath.log, (1e-3, 1e3), [1.0, 1e-300, 1e300, 1 + 2**-52]),
    "log2": (lambda v: v.log2(), lambda x: mpmath.log(x, 2), (1e-3, 1e3), [1.0, 1e-300, 1e300]),
    "log10": (lambda v: v.log10(), mpmath.log10, (1e-3, 1e3), [1.0, 1e-300, 1e300]),
    "log1p": (lambda v: v.log1p(), mpmath.log1p, (-0.9, 1e3), [1e-12, -1e-12, -0.999, 1e300]),
    "sqrt": (lambda v: v.sqrt(), mpmath.sqrt, (1e-3, 1e3), [1e-300, 1e300, 2.0]),
    "sin": (lambda v: v.sin(), mpmath.sin, (-10, 10), [0.0, 1e-300, 1e5, math.pi]),
    "cos": (lambda v: v.cos(), mpmath.cos, (-10, 10), [0.0, 1e-300, 1e5, math.pi / 2]),
    "tan": (lambda v: v.tan(), mpmath.tan, (-1.5, 1.5), [0.0, 1e-300, 1.5707, 1.5707963267948966]),
    "asin": (lambda v: v.asin(), mpmath.asin, (-0.99, 0.99), [0.0, 1e-300, -0.999, 1 - 1e-12]),
    "acos": (lambda v: v.acos(), mpmath.acos, (-0.99, 0.99), [0.0, 1e-300, 0.999, -0.999]),
    "atan": (lambda v: v.atan(), mpmath.atan, (-100, 100), [0.0, 1e-300, 1e150, -1e150]),
    "sinh": (lambda v: v.sinh(), mpmath.sinh, (-30, 30), [0.0, 1e-300, 700.0, -700.0]),
    "cosh": (lambda v: v.cosh(), mpmath.cosh, (-30, 30), [0.0, 1e-300, 700.0, -700.0]),
    "tanh": (lambda v: v.tanh(), mpmath.tanh, (-20, 20), [0.0, 1e-300, 5.0, -5.0]),
    "asinh": (lambda v: v.asinh(), mpmath.asinh, (-100, 100), [0.0, 1e-300, 1e150, -1e150]),
    "acosh": (lambda v: v.acosh(), mpmath.acosh, (1.01, 1e3), [1.5, 1e150, 1.001, 1.00000001]),
    "atanh": (lambda v: v.atanh(), mpmath.atanh, (-0.99, 0.99), [0.0, 1e-300, -0.999, 1 - 1e-12]),
    "erf": (lambda v: v.erf(), mpmath.erf, (-5, 5), [0.0, 1e-300, 5.9, -5.9]),
    "sigmoid": (lambda v: v.sigmoid(), _sigmoid, (-30, 30), [0.0, 1e-300, 35.0, -700.0]),
    "softplus": (
        lambda v: v.softplus(),
        lambda x: mpmath.log1p(mpmath.exp(x)),
        (-30, 20),
        [0.0, -700.0, 19.9],
    ),
    "silu": (lambda v: v.silu(), lambda x: x * _sigmoid(x), (-30, 30), [0.0, 1e-300, -700.0]),
    "gelu": (
        lambda v: v.gelu(),
        lambda x: x * (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2,
        (-8, 8),
        [0.0, 1e-300, 8.0],
    ),
    "elu": (
        lambda v: v.elu(0.7),
        lambda x: x if x > 0 else mpmath.mpf("0.7") * mpmath.expm1(x),
        (-30, 30),
        [1e-300, -1e-300, -700.0],
    ),
    "relu": (lambda v: v.relu(), lambda x: x if x > 0 else 0 * x, (-30, 30), [1e-300, -1e-300]),
    "leaky_relu": (
        lambda v: v.leaky_relu(0.2),
        lambda x: x if x > 0 else mpmath.mpf("0.2") * x,
        (-30, 30),
        [1e-300, -1e-300],
    ),
    "abs": (lambda v: abs(v), mpmath.fabs, (-30, 30), [1e-300, -1e-300, -1e300]),
    "neg": (lambda v: -v, lambda x: -x, (-30, 30), [0.0, 1e300]),
    "square": (lambda v: v**2, lambda x: x**2, (-30, 30), [0.0, 1e-300, 1e150]),
    "cube": (lambda v: v**3, lambda x: x**3, (-30, 30), [0.0, -1e-100, -1e100]),
    "rsqrt": (lambda v: v**-0.5, lambda x: x**-0.5, (1e-3, 1e3), [1e-300, 1e300]),
    "pow 2.5": (lambda v: v**2.5, lambda x: x**2.5, (1e-3, 1e3), [1e-100, 1e100]),
    "reciprocal": (lambda v: 1 / v, lambda x: 1 / x, (0.1, 100), [-1e-100, 1e100, -3.0]),
    "2 ** x": (lambda v: 2.0**v, lambda x: mpmath.power(2, x), (-30, 30), [0.0, 1000.0]),
    "x * 3 - 1": (lambda v: v * 3 - 1, lambda x: 3 * x - 1, (-30, 30), [1 / 3, 1e300]),
    "1 - x": (lambda v: 1 - v, lambda x: 1 - x, (-30, 30), [1.0, 1e-300]),
}

# (name, x0) -> (the tolerance that holds, why): float64 formulas whose rounding the
# derivative amplifies. PyTorch's float64 backward uses the same formulas and is exactly as
# far off (`test_ill_conditioned_points_are_as_far_off_in_pytorch` checks it).
ILL_CONDITIONED = {
    ("tan", 1.5707963267948966): (1e-6, "1 + tan(x)**2 at the float next to pi/2: tan's rounding, squared"),
    ("acosh", 1.00000001): (1e-7, "1 / sqrt(x*x - 1): x*x - 1 cancels next to 1"),
}

def engine_numbers(f, x0):
    x = Value(x0)
    y = f(x)
    (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x])
    return [y.data, d1.data, d2.data]


def step(x0):
    """mpmath.diff's step, relative to x0: a kink at 0 stays out of reach of 1e-300."""
    return mpmath.mpf(abs(x0) if x0 != 0 else 1) * mpmath.mpf("1e-20")


def digits(*xs):
    """Working digits for a point: enough that a step of 1e-20 relative to the smallest
    coordinate still moves a sum with the largest one (1e300 + 1e-300 needs 640)."""
    scales = [abs(math.log10(abs(x))) for x in xs if x != 0 and math.isfinite(x)]
    return 60 + 2 * int(max(scales, default=0))


def oracle_numbers(f, x0):
    with mp.workdps(digits(x0)):
        x = mpmath.mpf(x0)
        h = step(x0)
        return [+f(x), +mpmath.diff(f, x, 1, h=h), +mpmath.diff(f, x, 2, h=h)]


def close(ours, exact, rel, abs_):
    exact_float = float(exact)
    if math.isinf(exact_float):  # beyond a float: the engine must say inf of that sign
        return ours == exact_float
    return abs(ours - exact) <= max(abs_, rel * abs(exact))


def points(name, low, high, hard):
    rng = random.Random(name)
    return [rng.uniform(low, high) for _ in range(RANDOM_POINTS)] + hard


CASES = [
    (name, x0)
    for name, (_, _, (low, high), hard) in UNARY.items()
    for x0 in points(name, low, high, hard)
]


@pytest.mark.parametrize("name, x0", CASES, ids=[f"{n}({x:.6g})" for n, x in CASES])
def test_value_and_two_derivatives_match_the_oracle(name, x0):
    ours_f, exact_f, _, _ = UNARY[name]
    rel, _why = ILL_CONDITIONED.get((name, x0), (REL, ""))
    try:
        exact = oracle_numbers(exact_f, x0)
    except (OverflowError, ValueError):
        pytest.fail(f"the oracle cannot evaluate {name} at {x0!r}: choose another point")
    ours = engine_numbers(ours_f, x0)
    for order, (a, b) in enumerate(zip(ours, exact)):
        assert close(a, b, rel, ABS), f"{name}({x0!r}), order {order}: {a!r} vs {mpmath.nstr(b, 17)}"


def test_ill_conditioned_points_are_as_far_off_in_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: no cross-check")
    for name, x0 in ILL_CONDITIONED:
        t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        y = getattr(torch, name)(t)
        (d1,) = torch.autograd.grad(y, t, create_graph=True)
        (d2,) = torch.autograd.grad(d1, t)
        exact = oracle_numbers(UNARY[name][1], x0)
        ours = engine_numbers(UNARY[name][0], x0)
        for a, theirs, e in zip(ours, (y.item(), d1.item(), d2.item()), exact):
            if not close(a, e, REL, ABS):  # off: PyTorch no closer
                assert abs(theirs - e) >= 0.5 * abs(a - e), (name, x0, a, theirs)


# --- two operands: value, gradient and Hessian ------------------------------------------

BINARY = {
    "+": (lambda x, y: x + y, lambda x, y: x + y, [(1.5, -2.0), (1e300, 1e-300)]),
    "-": (lambda x, y: x - y, lambda x, y: x - y, [(1.5, -2.0), (1.0, 1.0)]),
    "*": (lambda x, y: x * y, lambda x, y: x * y, [(1.5, -2.0), (1e150, 1e-150), (0.0, 3.0)]),
    "/": (lambda x, y: x / y, lambda x, y: x / y, [(1.5, -2.0), (1e-150, 1e150), (3.0, 1e-100)]),
    "**": (lambda x, y: x**y, mpmath.power, [(1.5, -2.0), (2.0, 0.5), (0.3, 7.0), (5e-3, 1e-3)]),
    "%": (lambda x, y: x % y, lambda x, y: x - mpmath.floor(x / y) * y, [(5.5, 2.0), (-5.5, 2.0)]),
    "maximum": (lambda x, y: x.maximum(y), max, [(1.5, -2.0), (-1.0, 2.0)]),
    "minimum": (lambda x, y: x.minimum(y), min, [(1.5, -2.0), (-1.0, 2.0)]),
}
ORDERS = [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]


def binary_cases():
    rng = random.Random("binary")
    for name, (_, _, hard) in BINARY.items():
        low = 0.1 if name in ("**", "/") else -5.0
        for _ in range(RANDOM_POINTS):
            yield name, (rng.uniform(low, 5.0), rng.uniform(0.1, 5.0))
        for point in hard:
            yield name, point


BINARY_CASES = list(binary_cases())


@pytest.mark.parametrize(
    "name, point", BINARY_CASES, ids=[f"{n}{p[0]:.4g},{p[1]:.4g}" for n, p in BINARY_CASES]
)
def test_binary_value_gradient_and_hessian_match_the_oracle(name, point):
    ours_f, exact_f, _ = BINARY[name]
    x, y = Value(point[0]), Value(point[1])
    out = ours_f(x, y)
    dx, dy = grad(out, [x, y], create_graph=True)
    dxx, dxy = grad(dx, [x, y])
    dyx, dyy = grad(dy, [x, y])
    assert dxy.data == pytest.approx(dyx.data, rel=1e-12, abs=1e-300)  # symmetric
    ours = {(0, 0): out.data, (1, 0): dx.data, (0, 1): dy.data, (2, 0): dxx.data}
    ours.update({(1, 1): dxy.data, (0, 2): dyy.data})
    with mp.workdps(digits(*point)):
        mx, my = mpmath.mpf(point[0]), mpmath.mpf(point[1])
        hx, hy = step(point[0]), step(point[1])

    def partial(g, nx, ny):  # d^(nx+ny) g / dx^nx dy^ny, one variable at a time
        def along_y(b):
            return mpmath.diff(lambda a: g(a, b), mx, nx, h=hx) if nx else g(mx, b)

        return mpmath.diff(along_y, my, ny, h=hy) if ny else along_y(my)

    for order in ORDERS:
        with mp.workdps(digits(*point)):
            exact = partial(exact_f, *order)
        a = ours[order]
        assert close(a, exact, REL, ABS), f"{name}{point}, order {order}: {a!r} vs {exact}"
