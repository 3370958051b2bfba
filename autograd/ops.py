"""Every primitive op of the engine: its name, its numbers, and its differentiable form.

An op is one `Op` (`op_type.py`): a name (the `op` string of its nodes), a numeric rule, a
differentiable form, and what the rest of the library reads about it (its operator or
method, its folded constant, its domain and kinks: see `Op`). Every node records its
entry, and nothing else names an op: `docs/contributing-an-op.md` says how to add one.

The numeric rule takes the operands' floats (and the op's constant argument, for ops that
have one: the exponent of `x ** c`, the slope of `leaky_relu`) and returns the output and
the local derivatives d(output)/d(operand), as floats, for `backward()`. The
differentiable form gives the same derivatives as Values built from the node and its
parents with the engine's own ops, for `grad(..., create_graph=True)`.

Each op's two rules sit side by side below, one op after the other, so that the table
reads as the derivatives of a calculus book; the edge cases of `**` and the domain errors
are in `edges.py`. This module knows nothing of `Value`: a differentiable form only calls
methods on the Values it is given. `value.py` builds the nodes; a user-defined op
(`autograd.define_op`) is an `Op` too, kept by its nodes rather than in the registry, so
that two may share a name.

Conventions where a derivative is undefined follow PyTorch: `relu`, `abs`, `sign` at 0
have derivative 0; `sqrt` at 0 has derivative inf; `maximum`/`minimum` split the gradient
evenly at a tie; `floor`, `ceil`, `round`, `trunc`, `x // y` have derivative 0. An input
outside an op's domain (`asin(2)`, `log(0)`, `sqrt(-1)`) is a ValueError naming the op and
the value; `nan` and `inf` pass through as IEEE arithmetic says.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from autograd import edges, op_type
from autograd.edges import (
    INF,
    LN2,
    NAN,
    d_base,
    d_exponent,
    diff_d_base,
    diff_d_exponent,
    infinite_slope,
    power,
    undefined,
)
from autograd.op_type import Floats, _builtin, _reflect

# What an entry is, the registry and the leaf's entry are defined in `op_type.py`; the
# engine and the tracer read them, and the overflow message, from here.
Op = op_type.Op
REGISTRY = op_type.REGISTRY
LEAF = op_type.LEAF
CONSTANT_KINDS = op_type.CONSTANT_KINDS
entries = op_type.entries
constant_derivatives = op_type.constant_derivatives
overflow_error = edges.overflow_error

LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SOFTPLUS_THRESHOLD = 20.0


def _near_whole(x: float, margin: float, offset: float = 0.0) -> bool:
    """Whether x is within `margin` of a whole number (plus `offset`): a step of floor & co."""
    shifted = x - offset
    return abs(shifted - round(shifted)) < margin


def _quotient_near_whole(x: float, y: float, margin: float) -> bool:
    """`x % y` and `x // y` jump where x / y is whole; a divisor near 0 is trouble too."""
    return abs(y) < margin or _near_whole(x / y, margin / abs(y))


def _other(a: list, c: Any) -> float:
    """The second operand of a two-operand op: the other Value's number, or the constant."""
    return a[1] if c is None else c


# --- arithmetic ---------------------------------------------------------------------------
# `+`, `*` and `neg`/`-` of two nodes are written inline in `Value` for speed; their entries
# here are what `grad(create_graph=True)`, the tracer and the drawings read. With a number
# on the right (`x + 2`), the node keeps one parent and the number as its constant; on the
# left (`2 - x`), the same, as a node of the op's `reflected` entry (`2 + x` is `x + 2`).

ADD = _builtin(
    "+",
    2,
    lambda x, y: (x + y, 1.0, 1.0),
    constant_derivatives,
    formula=("1", "1"),
    method="__add__",
    symbol="+",
    constant="operand",
    samples=(-2.0, 0.5, 3.0),
)
SUB = _builtin(
    "-",
    2,
    lambda x, y: (x - y, 1.0, -1.0),
    constant_derivatives,
    formula=("1", "−1"),
    method="__sub__",
    symbol="-",
    constant="operand",
    samples=(1.5, -0.5),
)
RSUB = _reflect(
    SUB, lambda x, c: (c - x, -1.0), constant_derivatives, formula="−1", samples=(-1.0, 2.0)
)
NEG = _builtin(
    "neg",
    1,
    lambda x: (-x, -1.0),
    constant_derivatives,
    formula=("−1",),
    method="__neg__",
    symbol="-",
)


def _mul(x: float, y: float) -> Floats:
    return x * y, y, x


def _diff_mul(*parents_and_node: Any) -> tuple[Any, ...]:
    if len(parents_and_node) == 2:  # x * c: the constant is the derivative
        _, node = parents_and_node
        return node.local_grads
    x, y, _ = parents_and_node
    return y, x


MUL = _builtin(
    "*",
    2,
    _mul,
    _diff_mul,
    formula=("{y}", "{x}"),
    method="__mul__",
    symbol="*",
    constant="operand",
    samples=(-1.5, 0.5, 2.0),
)


def _div(x: float, y: float) -> Floats:
    if y == 0.0:
        raise ZeroDivisionError(f"'/': {x!r} / {y!r} divides by zero")
    q = x / y
    return q, 1.0 / y, -q / y


def _diff_div(*parents_and_node: Any) -> tuple[Any, ...]:
    if len(parents_and_node) == 2:  # x / c: the derivative 1/c is a constant
        _, node = parents_and_node
        return node.local_grads
    _, y, node = parents_and_node
    return 1.0 / y, -node / y  # d(x/y)/dy = -x/y**2 = -(x/y)/y


def _rdiv(x: float, c: float) -> Floats:
    q, _, d = _div(c, x)
    return q, d


DIV = _builtin(
    "/",
    2,
    _div,
    _diff_div,
    formula=("1/{y}", "−{x}/{y}²"),
    method="__truediv__",
    symbol="/",
    constant="operand",
    domain="y ≠ 0",
    kinks="y = 0 (a pole)",
    trouble=lambda a, c, m: abs(_other(a, c)) < m,
    samples=(-4.0, 0.5, 3.0),
)
RDIV = _reflect(
    DIV,
    _rdiv,
    lambda x, node: (-node / x,),  # d(c/x)/dx = -c/x**2 = -(c/x)/x
    formula="−{c}/{x}²",
    trouble=lambda a, c, m: abs(a[0]) < m,
    samples=(-2.0, 1.0, 3.0),
)


def _pow(x: float, y: float) -> Floats:
    out = power(x, y)
    return out, d_base(x, y), d_exponent(x, out)


def _diff_pow(*parents_and_node: Any) -> tuple[Any, ...]:
    node = parents_and_node[-1]
    x = parents_and_node[0]
    if len(parents_and_node) == 2:  # x ** c: the exponent is the node's constant
        return (diff_d_base(x, node.constant, node),)
    y = parents_and_node[1]
    return diff_d_base(x, y, node), diff_d_exponent(x, y, node)


def _rpow(x: float, c: float) -> Floats:
    out = power(c, x)
    return out, d_exponent(c, out)


def _pow_trouble(a: list, c: Any, m: float) -> bool:
    if c is None:  # d/dy needs log(x): x > 0; and x ** y grows too fast past 4
        return a[0] < m or max(a) > 4.0
    return (a[0] < m and not float(c).is_integer()) or (c < 0 and abs(a[0]) < m)


POW = _builtin(
    "**",
    2,
    _pow,
    _diff_pow,
    formula=("{y}·{x}^({y} − 1)", "log({x})·{o}"),
    method="__pow__",
    symbol="**",
    constant="operand",
    domain="x > 0, or x = 0 with y ≥ 0, or x < 0 with y whole (d/dy: nan)",
    kinks="x = 0",
    trouble=_pow_trouble,
    samples=(2.0, 3.0, -1.0, 0.5, 1.5),
)
RPOW = _reflect(
    POW,
    _rpow,
    lambda x, node: (diff_d_exponent(node.constant, x, node),),
    formula="log({c})·{o}",
    trouble=lambda a, c, m: a[0] > 4.0,
    samples=(0.5, 2.0, 3.0),
)


def _mod(x: float, y: float) -> Floats:
    # Python's float %, like torch.remainder: the result has the divisor's sign.
    if y == 0.0:
        raise ZeroDivisionError(f"'%': {x!r} % {y!r} divides by zero")
    return x % y, 1.0, -(x // y)  # x % y = x - floor(x/y) * y


def _diff_mod(*parents_and_node: Any) -> tuple[Any, ...]:
    if len(parents_and_node) == 2:  # x % c: d/dx is 1
        return (1.0,)
    x, y, _ = parents_and_node
    return 1.0, -(x // y)  # floor division has derivative 0: a constant in effect


def _rmod(x: float, c: float) -> Floats:
    out, _, d = _mod(c, x)
    return out, d


MOD = _builtin(
    "%",
    2,
    _mod,
    _diff_mod,
    formula=("1", "−floor({x}/{y})"),
    method="__mod__",
    symbol="%",
    constant="operand",
    domain="y ≠ 0",
    kinks="x/y whole (a jump)",
    trouble=lambda a, c, m: _quotient_near_whole(a[0], _other(a, c), m),
    samples=(-1.5, 0.7, 2.0),
)
RMOD = _reflect(
    MOD,
    _rmod,
    constant_derivatives,  # -floor(c/x): piecewise constant, derivative 0
    formula="−floor({c}/{x})",
    trouble=lambda a, c, m: _quotient_near_whole(c, a[0], m),
    samples=(5.5, -3.0),
)


def _floordiv(x: float, y: float) -> Floats:
    if y == 0.0:
        raise ZeroDivisionError(f"'//': {x!r} // {y!r} divides by zero")
    return x // y, 0.0, 0.0  # piecewise constant: derivative 0, as PyTorch


def _rfloordiv(x: float, c: float) -> Floats:
    out, _, d = _floordiv(c, x)
    return out, d


FLOORDIV = _builtin(
    "//",
    2,
    _floordiv,
    constant_derivatives,
    formula=("0", "0"),
    method="__floordiv__",
    symbol="//",
    constant="operand",
    domain="y ≠ 0",
    kinks="x/y whole (a jump)",
    trouble=lambda a, c, m: _quotient_near_whole(a[0], _other(a, c), m),
    samples=(0.7, -1.5),
)
RFLOORDIV = _reflect(
    FLOORDIV,
    _rfloordiv,
    constant_derivatives,
    formula="0",
    trouble=lambda a, c, m: _quotient_near_whole(c, a[0], m),
    samples=(5.5, -3.0),
)


# --- no gradient ----------------------------------------------------------------------------
# `x.detach()`, as PyTorch's: the same number, through which no gradient flows back. It is
# a node (local derivative 0, a constant), not a leaf, so that a trace replays its number.

DETACH = _builtin("detach", 1, lambda x: (x, 0.0), constant_derivatives, formula=("0",))


# --- exponentials and logarithms ------------------------------------------------------------
# exp-like growth past 4 spoils finite differences: the strategies keep below it.


def _grows(a: list, c: Any, m: float) -> bool:
    return a[0] > 4.0


def _exp(x: float) -> Floats:
    e = math.exp(x)
    return e, e  # d exp(x)/dx = exp(x): the output itself


EXP = _builtin("exp", 1, _exp, lambda x, out: (out,), formula=("{o}",), trouble=_grows)


def _exp2(x: float) -> Floats:
    out = 2.0**x
    return out, LN2 * out


EXP2 = _builtin(
    "exp2", 1, _exp2, lambda x, out: (LN2 * out,), formula=("ln 2·{o}",), trouble=_grows
)


def _expm1(x: float) -> Floats:
    return math.expm1(x), math.exp(x)


EXPM1 = _builtin(
    "expm1",
    1,
    _expm1,
    lambda x, out: (x.exp(),),  # not out + 1: it cancels
    formula=("exp({x})",),
    trouble=_grows,
)


def _log(x: float) -> Floats:
    if x <= 0.0:
        raise undefined("log", x, "a positive input")
    return math.log(x), 1.0 / x


def _near_zero_or_below(a: list, c: Any, m: float) -> bool:
    return a[0] < m


LOG = _builtin(
    "log",
    1,
    _log,
    lambda x, out: (1.0 / x,),
    formula=("1/{x}",),
    domain="x > 0",
    trouble=_near_zero_or_below,
)


def _log2(x: float) -> Floats:
    if x <= 0.0:
        raise undefined("log2", x, "a positive input")
    return math.log2(x), 1.0 / (x * LN2)


LOG2 = _builtin(
    "log2",
    1,
    _log2,
    lambda x, out: (1.0 / (x * LN2),),
    formula=("1/({x}·ln 2)",),
    domain="x > 0",
    trouble=_near_zero_or_below,
)


def _log10(x: float) -> Floats:
    if x <= 0.0:
        raise undefined("log10", x, "a positive input")
    return math.log10(x), 1.0 / (x * LN10)


LOG10 = _builtin(
    "log10",
    1,
    _log10,
    lambda x, out: (1.0 / (x * LN10),),
    formula=("1/({x}·ln 10)",),
    domain="x > 0",
    trouble=_near_zero_or_below,
)


def _log1p(x: float) -> Floats:
    if x <= -1.0:
        raise undefined("log1p", x, "an input above -1")
    return math.log1p(x), 1.0 / (1.0 + x)


LOG1P = _builtin(
    "log1p",
    1,
    _log1p,
    lambda x, out: (1.0 / (1.0 + x),),
    formula=("1/(1 + {x})",),
    domain="x > -1",
    trouble=lambda a, c, m: a[0] < -1.0 + m,
)


def _sqrt(x: float) -> Floats:
    if x < 0.0:
        raise undefined("sqrt", x, "an input >= 0")
    out = math.sqrt(x)
    return out, (0.5 / out if out != 0.0 else INF)  # inf at 0, as PyTorch


SQRT = _builtin(
    "sqrt",
    1,
    _sqrt,
    lambda x, out: (0.5 / out if out.data != 0.0 else infinite_slope(x, 1.0, -1.0),),
    formula=("1/(2·{o})",),
    domain="x ≥ 0",
    kinks="x = 0 (slope inf)",
    trouble=_near_zero_or_below,
)


# --- trigonometric and hyperbolic -----------------------------------------------------------
# sin, cos and tan of inf are nan (IEEE, PyTorch); Python's math raises, so say it here.


def _sin(x: float) -> Floats:
    if math.isinf(x):
        return NAN, NAN
    return math.sin(x), math.cos(x)


SIN = _builtin("sin", 1, _sin, lambda x, out: (x.cos(),), formula=("cos({x})",))


def _cos(x: float) -> Floats:
    if math.isinf(x):
        return NAN, NAN
    return math.cos(x), -math.sin(x)


COS = _builtin("cos", 1, _cos, lambda x, out: (-x.sin(),), formula=("−sin({x})",))


def _tan(x: float) -> Floats:
    if math.isinf(x):
        return NAN, NAN
    t = math.tan(x)
    return t, 1.0 + t * t


TAN = _builtin(
    "tan",
    1,
    _tan,
    lambda x, out: (1.0 + out * out,),
    formula=("1 + {o}²",),
    kinks="x = π/2 + kπ (poles)",
    trouble=lambda a, c, m: abs(math.cos(a[0])) < m,
)


def _asin(x: float) -> Floats:
    if x < -1.0 or x > 1.0:
        raise undefined("asin", x, "an input in [-1, 1]")
    root = math.sqrt(1.0 - x * x)
    return math.asin(x), (1.0 / root if root != 0.0 else INF)


def _diff_asin(x: Any, out: Any) -> tuple[Any, ...]:
    if abs(x.data) == 1.0:  # +inf, and asin'' = x (1 - x²)^-1.5 is inf with x's sign
        return (infinite_slope(x, 1.0, x.data),)
    return ((1.0 - x * x) ** -0.5,)


def _near_one_or_beyond(a: list, c: Any, m: float) -> bool:
    return abs(a[0]) > 1.0 - m


ASIN = _builtin(
    "asin",
    1,
    _asin,
    _diff_asin,
    formula=("1/√(1 − {x}²)",),
    domain="-1 ≤ x ≤ 1",
    kinks="x = ±1 (slope inf)",
    trouble=_near_one_or_beyond,
)


def _acos(x: float) -> Floats:
    if x < -1.0 or x > 1.0:
        raise undefined("acos", x, "an input in [-1, 1]")
    root = math.sqrt(1.0 - x * x)
    return math.acos(x), (-1.0 / root if root != 0.0 else -INF)


def _diff_acos(x: Any, out: Any) -> tuple[Any, ...]:
    if abs(x.data) == 1.0:  # -inf, and acos'' = -x (1 - x²)^-1.5 is inf with -x's sign
        return (infinite_slope(x, -1.0, -x.data),)
    return (-((1.0 - x * x) ** -0.5),)


ACOS = _builtin(
    "acos",
    1,
    _acos,
    _diff_acos,
    formula=("−1/√(1 − {x}²)",),
    domain="-1 ≤ x ≤ 1",
    kinks="x = ±1 (slope -inf)",
    trouble=_near_one_or_beyond,
)


def _atan(x: float) -> Floats:
    return math.atan(x), 1.0 / (1.0 + x * x)


ATAN = _builtin("atan", 1, _atan, lambda x, out: (1.0 / (1.0 + x * x),), formula=("1/(1 + {x}²)",))


def _sinh(x: float) -> Floats:
    return math.sinh(x), math.cosh(x)


def _grows_both_ways(a: list, c: Any, m: float) -> bool:
    return abs(a[0]) > 4.0


SINH = _builtin(
    "sinh", 1, _sinh, lambda x, out: (x.cosh(),), formula=("cosh({x})",), trouble=_grows_both_ways
)


def _cosh(x: float) -> Floats:
    return math.cosh(x), math.sinh(x)


COSH = _builtin(
    "cosh", 1, _cosh, lambda x, out: (x.sinh(),), formula=("sinh({x})",), trouble=_grows_both_ways
)


def _tanh(x: float) -> Floats:
    t = math.tanh(x)  # never overflows: saturates at +-1
    return t, 1.0 - t * t


TANH = _builtin("tanh", 1, _tanh, lambda x, out: (1.0 - out * out,), formula=("1 − {o}²",))


def _asinh(x: float) -> Floats:
    return math.asinh(x), 1.0 / math.sqrt(x * x + 1.0)


ASINH = _builtin(
    "asinh", 1, _asinh, lambda x, out: ((x * x + 1.0) ** -0.5,), formula=("1/√({x}² + 1)",)
)


def _acosh(x: float) -> Floats:
    if x < 1.0:
        raise undefined("acosh", x, "an input >= 1")
    root = math.sqrt(x * x - 1.0)
    return math.acosh(x), (1.0 / root if root != 0.0 else INF)


ACOSH = _builtin(
    "acosh",
    1,
    _acosh,
    lambda x, out: ((x * x - 1.0) ** -0.5 if x.data != 1.0 else infinite_slope(x, 1.0, -1.0),),
    formula=("1/√({x}² − 1)",),
    domain="x ≥ 1",
    kinks="x = 1 (slope inf)",
    trouble=lambda a, c, m: a[0] < 1.0 + m,
)


def _atanh(x: float) -> Floats:
    if x <= -1.0 or x >= 1.0:
        raise undefined("atanh", x, "an input in (-1, 1)")
    return math.atanh(x), 1.0 / (1.0 - x * x)


ATANH = _builtin(
    "atanh",
    1,
    _atanh,
    lambda x, out: (1.0 / (1.0 - x * x),),
    formula=("1/(1 − {x}²)",),
    domain="-1 < x < 1",
    trouble=_near_one_or_beyond,
)


# --- the error function and activations -----------------------------------------------------


def _erf(x: float) -> Floats:
    return math.erf(x), TWO_OVER_SQRT_PI * math.exp(-x * x)


ERF = _builtin(
    "erf",
    1,
    _erf,
    lambda x, out: (TWO_OVER_SQRT_PI * (-(x * x)).exp(),),
    formula=("2/√π·exp(−{x}²)",),
)


def _relu(x: float) -> Floats:
    if x > 0.0 or x != x:  # nan passes through, as in PyTorch
        return x, 1.0
    return 0.0, 0.0  # derivative 0 at exactly 0, as in PyTorch


def _near_zero(a: list, c: Any, m: float) -> bool:
    return abs(a[0]) < m


RELU = _builtin(
    "relu",
    1,
    _relu,
    constant_derivatives,
    formula=("1 if {x} > 0 else 0",),
    kinks="x = 0",
    trouble=_near_zero,
)


def _sigmoid(x: float) -> Floats:
    if x >= 0.0:
        s = 1.0 / (1.0 + math.exp(-x))
    else:  # exp of a large positive number overflows; here exp(x) is in (0, 1)
        e = math.exp(x)
        s = e / (1.0 + e)
    return s, s * (1.0 - s)


SIGMOID = _builtin(
    "sigmoid", 1, _sigmoid, lambda x, out: (out * (1.0 - out),), formula=("{o}·(1 − {o})",)
)


def _leaky_relu(x: float, negative_slope: float) -> Floats:
    if x > 0.0 or x != x:
        return x, 1.0
    return negative_slope * x, negative_slope  # the slope at 0, as PyTorch


LEAKY_RELU = _builtin(
    "leaky_relu",
    1,
    _leaky_relu,
    constant_derivatives,
    formula=("1 if {x} > 0 else {c}",),
    constant="argument",
    kinks="x = 0",
    trouble=_near_zero,
    samples=(0.01, 0.2),
)


def _elu(x: float, alpha: float) -> Floats:
    if x > 0.0 or x != x:
        return x, 1.0
    return alpha * math.expm1(x), alpha * math.exp(x)  # alpha at 0, as PyTorch


def _diff_elu(x: Any, node: Any) -> tuple[Any, ...]:
    if x.data > 0.0 or x.data != x.data:  # nan takes the identity branch, as `_elu`
        return (1.0,)
    return (node.constant * x.exp(),)


ELU = _builtin(
    "elu",
    1,
    _elu,
    _diff_elu,
    formula=("1 if {x} > 0 else {o} + {c}",),
    constant="argument",
    kinks="x = 0 (unless alpha = 1)",
    trouble=_near_zero,
    samples=(0.5, 1.0),
)


def _softplus(x: float) -> Floats:
    # log(1 + exp(x)), as PyTorch's softplus (beta 1, threshold 20): x itself above 20,
    # where the two differ by less than 2e-9; below, log1p(exp(x)), where exp cannot overflow.
    if x > SOFTPLUS_THRESHOLD:
        return x, 1.0
    return math.log1p(math.exp(x)), _sigmoid(x)[0]


SOFTPLUS = _builtin(
    "softplus",
    1,
    _softplus,
    lambda x, out: (1.0,) if x.data > SOFTPLUS_THRESHOLD else (x.sigmoid(),),
    formula=("sigmoid({x})",),
    kinks="x = 20 (PyTorch's threshold: a step of 2e-9)",
    trouble=lambda a, c, m: abs(a[0] - SOFTPLUS_THRESHOLD) < m,
)


def _silu(x: float) -> Floats:
    s = _sigmoid(x)[0]
    return x * s, s * (1.0 + x * (1.0 - s))


def _diff_silu(x: Any, out: Any) -> tuple[Any, ...]:
    s = x.sigmoid()
    return (s * (1.0 + x * (1.0 - s)),)


SILU = _builtin(
    "silu", 1, _silu, _diff_silu, formula=("sigmoid({x})·(1 + {x}·(1 − sigmoid({x})))",)
)


def _gelu(x: float) -> Floats:
    # The exact GELU, x * Phi(x) with the normal CDF Phi (PyTorch's approximate="none").
    cdf = 0.5 * (1.0 + math.erf(x * INV_SQRT2))
    pdf = INV_SQRT_2PI * math.exp(-0.5 * x * x)
    return x * cdf, cdf + x * pdf


def _diff_gelu(x: Any, out: Any) -> tuple[Any, ...]:
    cdf = 0.5 * (1.0 + (x * INV_SQRT2).erf())
    pdf = INV_SQRT_2PI * (-0.5 * x * x).exp()
    return (cdf + x * pdf,)


GELU = _builtin("gelu", 1, _gelu, _diff_gelu, formula=("Φ({x}) + {x}·φ({x})",))


# --- piecewise: absolute value, sign, rounding, clamping, min and max -----------------------


def _abs(x: float) -> Floats:
    return abs(x), _sign(x)[0]  # derivative sign(x): 0 at 0, as PyTorch


ABS = _builtin(
    "abs",
    1,
    _abs,
    lambda x, out: (x.sign(),),
    formula=("sign({x})",),
    kinks="x = 0",
    trouble=_near_zero,
)


def _sign(x: float) -> Floats:
    if x != x:
        return NAN, 0.0
    return (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0), 0.0


SIGN = _builtin(
    "sign",
    1,
    _sign,
    constant_derivatives,
    formula=("0",),
    kinks="x = 0 (a jump)",
    trouble=_near_zero,
)


def _rounding(name: str, to_integer: Callable[[float], Any]) -> Op:
    # Piecewise constant: derivative 0. Infinities and nan are already whole (IEEE). A
    # whole number has x's sign, a zero too (ceil(-0.5) is -0.0, as torch.ceil): Python's
    # int has no -0, so the sign is put back.
    def numeric(x: float) -> Floats:
        return (math.copysign(float(to_integer(x)), x) if math.isfinite(x) else x), 0.0

    return _builtin(
        name,
        1,
        numeric,
        constant_derivatives,
        formula=("0",),
        kinks="x whole (a jump)",
        trouble=lambda a, c, m: _near_whole(a[0], m),
    )


FLOOR = _rounding("floor", math.floor)
CEIL = _rounding("ceil", math.ceil)
TRUNC = _rounding("trunc", math.trunc)


def _round(x: float, decimals: int) -> Floats:
    # Half to even, as PyTorch, and a zero keeps x's sign (round(-0.4) is -0.0, as
    # torch.round). With decimals, Python's round(x, n): correctly rounded, where
    # torch.round's nearbyint(x * 10**n) / 10**n can differ in the last place.
    if not math.isfinite(x):
        return x, 0.0
    return round(x, decimals), 0.0


ROUND = _builtin(
    "round",
    1,
    _round,
    constant_derivatives,
    formula=("0",),
    constant="decimals",
    kinks="x·10^decimals half-way between whole numbers (a jump)",
    trouble=lambda a, c, m: _near_whole(a[0] * 10.0**c, m, offset=0.5),
    samples=(0, 1, 2),
)


def _clamp(x: float, bounds: tuple[float | None, float | None]) -> Floats:
    # As torch.clamp: max wins when min > max; the gradient passes where min <= x <= max.
    low, high = bounds
    if x != x:
        return x, 0.0  # nan is inside no bounds (PyTorch: 0)
    out = x
    if low is not None and out < low:
        out = low
    if high is not None and out > high:
        out = high
    inside = (low is None or x >= low) and (high is None or x <= high)
    return out, (1.0 if inside else 0.0)


CLAMP = _builtin(
    "clamp",
    1,
    _clamp,
    constant_derivatives,
    formula=("1 between the bounds, else 0",),
    constant="bounds",
    kinks="x = min, x = max",
    trouble=lambda a, c, m: any(b is not None and abs(a[0] - b) < m for b in c),
    samples=((-0.5, 0.5), (-2.0, 2.0), (-1.0, None), (0.5, None), (None, 1.0)),
)


def _maximum(x: float, y: float) -> Floats:
    # As torch.maximum: nan wins, and a tie splits the gradient evenly.
    if x != x or y != y:
        return NAN, 1.0, 1.0
    if x > y:
        return x, 1.0, 0.0
    if x < y:
        return y, 0.0, 1.0
    return x, 0.5, 0.5


def _near_tie(a: list, c: Any, m: float) -> bool:
    return abs(a[0] - _other(a, c)) < m


MAXIMUM = _builtin(
    "maximum",
    2,
    _maximum,
    constant_derivatives,
    formula=("1 if {x} > {y}, ½ at a tie, else 0", "1 if {y} > {x}, ½ at a tie, else 0"),
    constant="operand",
    kinks="x = y",
    trouble=_near_tie,
    samples=(-0.5, 1.0),
)


def _minimum(x: float, y: float) -> Floats:
    if x != x or y != y:
        return NAN, 1.0, 1.0
    if x < y:
        return x, 1.0, 0.0
    if x > y:
        return y, 0.0, 1.0
    return x, 0.5, 0.5


MINIMUM = _builtin(
    "minimum",
    2,
    _minimum,
    constant_derivatives,
    formula=("1 if {x} < {y}, ½ at a tie, else 0", "1 if {y} < {x}, ½ at a tie, else 0"),
    constant="operand",
    kinks="x = y",
    trouble=_near_tie,
    samples=(-0.5, 1.0),
)


# --- the fused weighted sum of a neuron ----------------------------------------------------
# z = w·x + b over n weights: parents (w_1..w_n, x_1..x_n, b), derivatives (x, w, 1); with
# constant inputs, parents (w_1..w_n, b) and derivatives (x, 1). Built by `weighted_sums`
# (`autograd.define`), not by a method of `Value`.


def _weighted_sum(*operands: float) -> Floats:
    n = (len(operands) - 1) // 2
    ws, xs, b = operands[:n], operands[n : 2 * n], operands[-1]
    # b + w0*x0 + w1*x1 + ...: as `engine.weighted_sums` adds, with sum(); left to right up
    # to Python 3.11, compensated from 3.12 (the last bit may differ from a plain loop).
    z = sum(map(operator.mul, ws, xs), b)
    return (z, *xs, *ws, 1.0)


def _diff_weighted_sum(*parents_and_node: Any) -> tuple[Any, ...]:
    node = parents_and_node[-1]
    n = node.constant  # the number of weights
    parents = parents_and_node[:-1]
    if len(parents) == n + 1:  # constant inputs: derivatives (x, 1) are constants
        return node.local_grads
    weights, inputs = parents[:n], parents[n : 2 * n]
    return (*inputs, *weights, 1.0)


WEIGHTED_SUM = _builtin(
    "w·x+b",
    -1,
    _weighted_sum,
    _diff_weighted_sum,
    formula=("the other factor of each product; 1 for the bias",),
    method="",
    constant="count",
)
