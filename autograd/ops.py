"""Every primitive op of the engine: its name, its numbers, and its differentiable form.

An op is one `Op`: a name (the `op` string a node records), a numeric rule, and a
differentiable form. The numeric rule takes the operands' floats (and the op's constant
argument, for ops that have one: the exponent of `x ** c`, the slope of `leaky_relu`) and
returns the output and the local derivatives d(output)/d(operand), as floats, for
`backward()`. The differentiable form gives the same derivatives as Values built from the
node and its parents with the engine's own ops, for `grad(..., create_graph=True)`.

Each op's two rules sit side by side below, one op after the other, so that the table
reads as the derivatives of a calculus book. This module knows nothing of `Value`: a
differentiable form only calls methods on the Values it is given. `engine.py` builds the
nodes; a user-defined op (`autograd.define_op`) is an `Op` too, kept by its nodes
themselves rather than in the registry, so that two may share a name.

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

Floats = tuple[float, ...]
# (output, local derivatives...): what a numeric rule returns.
Numeric = Callable[..., Floats]
# (*parents, node) -> local derivatives as Values or numbers.
Differentiable = Callable[..., tuple[Any, ...]]

INF = math.inf
NAN = math.nan
LN2 = math.log(2.0)
LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SOFTPLUS_THRESHOLD = 20.0


class Op:
    """One primitive: a name, an arity, a numeric rule and (optionally) a differentiable form.

    `numeric(*operands[, constant]) -> (output, d_1, ..., d_arity)` on floats.
    `differentiable(*parents, node) -> (d_1, ..., d_arity)` as Values or numbers; None when
    the op has none (a user op defined without one): then a second derivative through it
    raises. `has_constant`: the op takes a folded constant argument, kept on the node.
    `formula`: the local derivatives as text, one template per operand, for people (the
    replay writes `tanh: 1 − o² = 1 − 0.7071² = 0.5`): `{x}`, `{y}` stand for the operands,
    `{o}` for the output, `{c}` for the folded constant; None when the op has none. The
    built-in ops' formulas are set at the end of this module, in `FORMULAS`.
    """

    __slots__ = (
        "arity",
        "differentiable",
        "formula",
        "has_constant",
        "name",
        "numeric",
        "user_defined",
    )

    def __init__(
        self,
        name: str,
        arity: int,
        numeric: Numeric,
        differentiable: Differentiable | None,
        has_constant: bool = False,
        user_defined: bool = False,
    ) -> None:
        self.name = name
        self.arity = arity
        self.numeric = numeric
        self.differentiable = differentiable
        self.has_constant = has_constant
        self.user_defined = user_defined
        self.formula: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        return f"Op({self.name!r}, arity={self.arity})"


REGISTRY: dict[str, Op] = {}  # built-in op name -> Op (a node records the name)


def _register(op: Op) -> Op:
    if op.name in REGISTRY:
        raise ValueError(f"ops: {op.name!r} is defined twice")
    REGISTRY[op.name] = op
    return op


def _builtin(
    name: str,
    arity: int,
    numeric: Numeric,
    differentiable: Differentiable,
    has_constant: bool = False,
) -> Op:
    return _register(Op(name, arity, numeric, differentiable, has_constant))


def undefined(op: str, x: float, need: str) -> ValueError:
    """The ValueError for an input outside an op's domain."""
    return ValueError(f"{op}: {op}({x!r}) is undefined; {op} needs {need}")


def overflow_error(op: str, *operands: float) -> OverflowError:
    """The OverflowError for a result beyond a float, `exp: exp(1000.0) overflows a float`:
    one message, raised alike by the engine and by traced code (`autograd.trace`)."""
    shown = ", ".join(repr(x) for x in operands)
    return OverflowError(f"{op}: {op}({shown}) overflows a float")


def infinite_slope(x: Any, first: float, second: float) -> Any:
    """The differentiable form of a derivative that is infinite at a singular point (sqrt
    at 0, asin at 1): a Value equal to `first`·inf whose own derivative is `second`·inf,
    the signs of the one-sided limits, as PyTorch's second derivatives give. Built from
    the engine's `-` and `*`: (x - (x0 - s)) * K is s·K at x0, with slope K."""
    slope = math.copysign(INF, second)
    return (x - (x.data - first * second)) * slope


def constant_derivatives(*parents_and_node: Any) -> tuple[Any, ...]:
    """The differentiable form of an op whose local derivatives are constants (0, 1, -1, a
    slope): they are their own form, read back off the node."""
    return parents_and_node[-1].local_grads


# --- arithmetic ---------------------------------------------------------------------------
# `+`, `*` and `neg`/`-` of two nodes are written inline in `Value` for speed; their entries
# here are what `grad(create_graph=True)`, the tracer and the drawings read. With a folded
# constant (`x + 2`), the node keeps one parent and the constant.

ADD = _builtin("+", 2, lambda x, y: (x + y, 1.0, 1.0), constant_derivatives)
SUB = _builtin("-", 2, lambda x, y: (x - y, 1.0, -1.0), constant_derivatives)
NEG = _builtin("neg", 1, lambda x: (-x, -1.0), constant_derivatives)


def _mul(x: float, y: float) -> Floats:
    return x * y, y, x


def _diff_mul(*parents_and_node: Any) -> tuple[Any, ...]:
    if len(parents_and_node) == 2:  # x * c: the constant is the derivative
        _, node = parents_and_node
        return node.local_grads
    x, y, _ = parents_and_node
    return y, x


MUL = _builtin("*", 2, _mul, _diff_mul)


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


DIV = _builtin("/", 2, _div, _diff_div)


def _pow(x: float, y: float) -> Floats:
    if x < 0.0 and math.isfinite(y) and not y.is_integer():  # -inf too: the docs' rule
        raise ValueError(
            f"'**': {x!r} ** {y!r} has no real value (negative base, non-integer exponent)"
        )
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(
            f"'**': {x!r} ** {y!r} divides by zero (zero base, negative exponent)"
        )
    try:
        out = x**y
    except OverflowError:
        raise OverflowError(f"'**': {x!r} ** {y!r} overflows a float") from None
    return out, _d_base(x, y), _d_exponent(x, out)


def _d_base(x: float, y: float) -> float:
    """d(x**y)/dx = y * x**(y-1)."""
    if y == 0.0:
        return 0.0  # x**0 is constant, even at x == 0 (PyTorch agrees)
    if x == 0.0:
        return 0.0 if y > 1.0 else (1.0 if y == 1.0 else INF)
    try:
        return y * x ** (y - 1.0)
    except OverflowError:
        # |x ** (y-1)| is beyond a float, y * x ** (y-1) not always (x = 5e-324,
        # y = 1e-300: 2e23): add the logarithms, then overflow to inf only if it does.
        negative = x < 0.0 and y % 2.0 == 0.0  # x ** (y-1): an odd power of a negative base
        sign = -1.0 if (y < 0.0) != negative else 1.0
        try:
            return sign * math.exp(math.log(abs(y)) + (y - 1.0) * math.log(abs(x)))
        except OverflowError:
            return sign * INF


def _d_exponent(x: float, out: float) -> float:
    """d(x**y)/dy = log(x) * x**y; 0 at x == 0 (y >= 0) and nan for x < 0, as PyTorch."""
    if x > 0.0:
        return math.log(x) * out
    if x == 0.0:
        return 0.0
    return NAN


def _diff_d_base(x: Any, y: Any, node: Any) -> Any:
    """d(x**y)/dx = y * x**(y-1) as a form, `y` a Value or the folded constant."""
    constant = isinstance(y, float)
    y_data = y if constant else y.data
    if y_data == 0.0 and (constant or x.data == 0.0):
        # x**0 is 1 for every x: a true constant 0, as PyTorch's mask. (With y a Value
        # and x != 0 the form below keeps d/dy of it, 1/x; at x == 0 that has no value.)
        return 0.0
    if x.data == 0.0 and y_data < 1.0:  # 0 < y < 1: inf, falling from +inf to the right
        return infinite_slope(x, 1.0, -1.0)
    try:
        return y * x ** (y - 1.0)
    except OverflowError:  # x ** (y-1) alone is beyond a float; the product may not be
        return (y * node) / x


def _diff_pow(*parents_and_node: Any) -> tuple[Any, ...]:
    # d/dy: log(x) * x**y for x > 0; 0 at x == 0 (y >= 0), a true constant as PyTorch's
    # mask; nan for x < 0, whose own derivatives are nan too (x * nan + y * nan).
    node = parents_and_node[-1]
    x = parents_and_node[0]
    if len(parents_and_node) == 2:  # x ** c: the exponent is the node's constant
        return (_diff_d_base(x, node.constant, node),)
    y = parents_and_node[1]
    d_base = _diff_d_base(x, y, node)
    if x.data > 0.0:
        # log(x) * x**y. Below 1e-300 (subnormal x) log's own derivative 1/x is beyond a
        # float, and d/dx of this would be inf * x**y; log(x * 2**64) - 64 log 2 is the
        # same number, whose derivative 2**64 / (x * 2**64) stays finite on the way.
        log_x = x.log() if x.data >= 1e-300 else (x * 2.0**64).log() - 64.0 * LN2
        d_exponent = log_x * node
    elif x.data == 0.0:
        d_exponent = 0.0
    else:
        d_exponent = x * NAN + y * NAN
    return d_base, d_exponent


POW = _builtin("**", 2, _pow, _diff_pow)


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


MOD = _builtin("%", 2, _mod, _diff_mod)


def _floordiv(x: float, y: float) -> Floats:
    if y == 0.0:
        raise ZeroDivisionError(f"'//': {x!r} // {y!r} divides by zero")
    return x // y, 0.0, 0.0  # piecewise constant: derivative 0, as PyTorch


FLOORDIV = _builtin("//", 2, _floordiv, constant_derivatives)


# --- no gradient ----------------------------------------------------------------------------
# `x.detach()`, as PyTorch's: the same number, through which no gradient flows back. It is
# a node (local derivative 0, a constant), not a leaf, so that a trace replays its number.

DETACH = _builtin("detach", 1, lambda x: (x, 0.0), constant_derivatives)


# --- exponentials and logarithms ------------------------------------------------------------


def _exp(x: float) -> Floats:
    e = math.exp(x)
    return e, e  # d exp(x)/dx = exp(x): the output itself


EXP = _builtin("exp", 1, _exp, lambda x, out: (out,))


def _exp2(x: float) -> Floats:
    out = 2.0**x
    return out, LN2 * out


EXP2 = _builtin("exp2", 1, _exp2, lambda x, out: (LN2 * out,))


def _expm1(x: float) -> Floats:
    return math.expm1(x), math.exp(x)


EXPM1 = _builtin("expm1", 1, _expm1, lambda x, out: (x.exp(),))  # not out + 1: it cancels


def _log(x: float) -> Floats:
    if x <= 0.0:
        raise undefined("log", x, "a positive input")
    return math.log(x), 1.0 / x


LOG = _builtin("log", 1, _log, lambda x, out: (1.0 / x,))


def _log2(x: float) -> Floats:
    if x <= 0.0:
        raise undefined("log2", x, "a positive input")
    return math.log2(x), 1.0 / (x * LN2)


LOG2 = _builtin("log2", 1, _log2, lambda x, out: (1.0 / (x * LN2),))


def _log10(x: float) -> Floats:
    if x <= 0.0:
        raise undefined("log10", x, "a positive input")
    return math.log10(x), 1.0 / (x * LN10)


LOG10 = _builtin("log10", 1, _log10, lambda x, out: (1.0 / (x * LN10),))


def _log1p(x: float) -> Floats:
    if x <= -1.0:
        raise undefined("log1p", x, "an input above -1")
    return math.log1p(x), 1.0 / (1.0 + x)


LOG1P = _builtin("log1p", 1, _log1p, lambda x, out: (1.0 / (1.0 + x),))


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
)


# --- trigonometric and hyperbolic -----------------------------------------------------------
# sin, cos and tan of inf are nan (IEEE, PyTorch); Python's math raises, so say it here.


def _sin(x: float) -> Floats:
    if math.isinf(x):
        return NAN, NAN
    return math.sin(x), math.cos(x)


SIN = _builtin("sin", 1, _sin, lambda x, out: (x.cos(),))


def _cos(x: float) -> Floats:
    if math.isinf(x):
        return NAN, NAN
    return math.cos(x), -math.sin(x)


COS = _builtin("cos", 1, _cos, lambda x, out: (-x.sin(),))


def _tan(x: float) -> Floats:
    if math.isinf(x):
        return NAN, NAN
    t = math.tan(x)
    return t, 1.0 + t * t


TAN = _builtin("tan", 1, _tan, lambda x, out: (1.0 + out * out,))


def _asin(x: float) -> Floats:
    if x < -1.0 or x > 1.0:
        raise undefined("asin", x, "an input in [-1, 1]")
    root = math.sqrt(1.0 - x * x)
    return math.asin(x), (1.0 / root if root != 0.0 else INF)


def _diff_asin(x: Any, out: Any) -> tuple[Any, ...]:
    if abs(x.data) == 1.0:  # +inf, and asin'' = x (1 - x²)^-1.5 is inf with x's sign
        return (infinite_slope(x, 1.0, x.data),)
    return ((1.0 - x * x) ** -0.5,)


ASIN = _builtin("asin", 1, _asin, _diff_asin)


def _acos(x: float) -> Floats:
    if x < -1.0 or x > 1.0:
        raise undefined("acos", x, "an input in [-1, 1]")
    root = math.sqrt(1.0 - x * x)
    return math.acos(x), (-1.0 / root if root != 0.0 else -INF)


def _diff_acos(x: Any, out: Any) -> tuple[Any, ...]:
    if abs(x.data) == 1.0:  # -inf, and acos'' = -x (1 - x²)^-1.5 is inf with -x's sign
        return (infinite_slope(x, -1.0, -x.data),)
    return (-((1.0 - x * x) ** -0.5),)


ACOS = _builtin("acos", 1, _acos, _diff_acos)


def _atan(x: float) -> Floats:
    return math.atan(x), 1.0 / (1.0 + x * x)


ATAN = _builtin("atan", 1, _atan, lambda x, out: (1.0 / (1.0 + x * x),))


def _sinh(x: float) -> Floats:
    return math.sinh(x), math.cosh(x)


SINH = _builtin("sinh", 1, _sinh, lambda x, out: (x.cosh(),))


def _cosh(x: float) -> Floats:
    return math.cosh(x), math.sinh(x)


COSH = _builtin("cosh", 1, _cosh, lambda x, out: (x.sinh(),))


def _tanh(x: float) -> Floats:
    t = math.tanh(x)  # never overflows: saturates at +-1
    return t, 1.0 - t * t


TANH = _builtin("tanh", 1, _tanh, lambda x, out: (1.0 - out * out,))


def _asinh(x: float) -> Floats:
    return math.asinh(x), 1.0 / math.sqrt(x * x + 1.0)


ASINH = _builtin("asinh", 1, _asinh, lambda x, out: ((x * x + 1.0) ** -0.5,))


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
)


def _atanh(x: float) -> Floats:
    if x <= -1.0 or x >= 1.0:
        raise undefined("atanh", x, "an input in (-1, 1)")
    return math.atanh(x), 1.0 / (1.0 - x * x)


ATANH = _builtin("atanh", 1, _atanh, lambda x, out: (1.0 / (1.0 - x * x),))


# --- the error function and activations -----------------------------------------------------


def _erf(x: float) -> Floats:
    return math.erf(x), TWO_OVER_SQRT_PI * math.exp(-x * x)


ERF = _builtin("erf", 1, _erf, lambda x, out: (TWO_OVER_SQRT_PI * (-(x * x)).exp(),))


def _relu(x: float) -> Floats:
    if x > 0.0 or x != x:  # nan passes through, as in PyTorch
        return x, 1.0
    return 0.0, 0.0  # derivative 0 at exactly 0, as in PyTorch


RELU = _builtin("relu", 1, _relu, constant_derivatives)


def _sigmoid(x: float) -> Floats:
    if x >= 0.0:
        s = 1.0 / (1.0 + math.exp(-x))
    else:  # exp of a large positive number overflows; here exp(x) is in (0, 1)
        e = math.exp(x)
        s = e / (1.0 + e)
    return s, s * (1.0 - s)


SIGMOID = _builtin("sigmoid", 1, _sigmoid, lambda x, out: (out * (1.0 - out),))


def _leaky_relu(x: float, negative_slope: float) -> Floats:
    if x > 0.0 or x != x:
        return x, 1.0
    return negative_slope * x, negative_slope  # the slope at 0, as PyTorch


LEAKY_RELU = _builtin("leaky_relu", 1, _leaky_relu, constant_derivatives, has_constant=True)


def _elu(x: float, alpha: float) -> Floats:
    if x > 0.0 or x != x:
        return x, 1.0
    return alpha * math.expm1(x), alpha * math.exp(x)  # alpha at 0, as PyTorch


def _diff_elu(x: Any, node: Any) -> tuple[Any, ...]:
    if x.data > 0.0 or x.data != x.data:  # nan takes the identity branch, as `_elu`
        return (1.0,)
    return (node.constant * x.exp(),)


ELU = _builtin("elu", 1, _elu, _diff_elu, has_constant=True)


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
)


def _silu(x: float) -> Floats:
    s = _sigmoid(x)[0]
    return x * s, s * (1.0 + x * (1.0 - s))


def _diff_silu(x: Any, out: Any) -> tuple[Any, ...]:
    s = x.sigmoid()
    return (s * (1.0 + x * (1.0 - s)),)


SILU = _builtin("silu", 1, _silu, _diff_silu)


def _gelu(x: float) -> Floats:
    # The exact GELU, x * Phi(x) with the normal CDF Phi (PyTorch's approximate="none").
    cdf = 0.5 * (1.0 + math.erf(x * INV_SQRT2))
    pdf = INV_SQRT_2PI * math.exp(-0.5 * x * x)
    return x * cdf, cdf + x * pdf


def _diff_gelu(x: Any, out: Any) -> tuple[Any, ...]:
    cdf = 0.5 * (1.0 + (x * INV_SQRT2).erf())
    pdf = INV_SQRT_2PI * (-0.5 * x * x).exp()
    return (cdf + x * pdf,)


GELU = _builtin("gelu", 1, _gelu, _diff_gelu)


# --- piecewise: absolute value, sign, rounding, clamping, min and max -----------------------


def _abs(x: float) -> Floats:
    return abs(x), _sign(x)[0]  # derivative sign(x): 0 at 0, as PyTorch


ABS = _builtin("abs", 1, _abs, lambda x, out: (x.sign(),))


def _sign(x: float) -> Floats:
    if x != x:
        return NAN, 0.0
    return (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0), 0.0


SIGN = _builtin("sign", 1, _sign, constant_derivatives)


def _rounding(name: str, to_integer: Callable[[float], Any]) -> Op:
    # Piecewise constant: derivative 0. Infinities and nan are already whole (IEEE).
    def numeric(x: float) -> Floats:
        return (float(to_integer(x)) if math.isfinite(x) else x), 0.0

    return _builtin(name, 1, numeric, constant_derivatives)


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


ROUND = _builtin("round", 1, _round, constant_derivatives, has_constant=True)


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


CLAMP = _builtin("clamp", 1, _clamp, constant_derivatives, has_constant=True)


def _maximum(x: float, y: float) -> Floats:
    # As torch.maximum: nan wins, and a tie splits the gradient evenly.
    if x != x or y != y:
        return NAN, 1.0, 1.0
    if x > y:
        return x, 1.0, 0.0
    if x < y:
        return y, 0.0, 1.0
    return x, 0.5, 0.5


MAXIMUM = _builtin("maximum", 2, _maximum, constant_derivatives)


def _minimum(x: float, y: float) -> Floats:
    if x != x or y != y:
        return NAN, 1.0, 1.0
    if x < y:
        return x, 1.0, 0.0
    if x > y:
        return y, 0.0, 1.0
    return x, 0.5, 0.5


MINIMUM = _builtin("minimum", 2, _minimum, constant_derivatives)


# --- the fused weighted sum of a neuron ----------------------------------------------------
# z = w·x + b over n weights: parents (w_1..w_n, x_1..x_n, b), derivatives (x, w, 1); with
# constant inputs, parents (w_1..w_n, b) and derivatives (x, 1). Built by `weighted_sums`.


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


WEIGHTED_SUM = _builtin("w·x+b", -1, _weighted_sum, _diff_weighted_sum, has_constant=True)


# --- the local derivatives as text ----------------------------------------------------------
# One template per operand, for people: `{x}` and `{y}` are the operands, `{o}` the output,
# `{c}` the folded constant. With a folded constant (`x * 2`, `2 - x`) the constant takes
# the place of the missing operand. Read by `autograd.explain.local_formula`.

FORMULAS: dict[Op, tuple[str, ...]] = {
    ADD: ("1", "1"),
    SUB: ("1", "−1"),
    NEG: ("−1",),
    MUL: ("{y}", "{x}"),
    DIV: ("1/{y}", "−{x}/{y}²"),
    POW: ("{y}·{x}^({y} − 1)", "log({x})·{o}"),
    MOD: ("1", "−floor({x}/{y})"),
    FLOORDIV: ("0", "0"),
    DETACH: ("0",),
    EXP: ("{o}",),
    EXP2: ("ln 2·{o}",),
    EXPM1: ("exp({x})",),
    LOG: ("1/{x}",),
    LOG2: ("1/({x}·ln 2)",),
    LOG10: ("1/({x}·ln 10)",),
    LOG1P: ("1/(1 + {x})",),
    SQRT: ("1/(2·{o})",),
    SIN: ("cos({x})",),
    COS: ("−sin({x})",),
    TAN: ("1 + {o}²",),
    ASIN: ("1/√(1 − {x}²)",),
    ACOS: ("−1/√(1 − {x}²)",),
    ATAN: ("1/(1 + {x}²)",),
    SINH: ("cosh({x})",),
    COSH: ("sinh({x})",),
    TANH: ("1 − {o}²",),
    ASINH: ("1/√({x}² + 1)",),
    ACOSH: ("1/√({x}² − 1)",),
    ATANH: ("1/(1 − {x}²)",),
    ERF: ("2/√π·exp(−{x}²)",),
    RELU: ("1 if {x} > 0 else 0",),
    SIGMOID: ("{o}·(1 − {o})",),
    LEAKY_RELU: ("1 if {x} > 0 else {c}",),
    ELU: ("1 if {x} > 0 else {o} + {c}",),
    SOFTPLUS: ("sigmoid({x})",),
    SILU: ("sigmoid({x})·(1 + {x}·(1 − sigmoid({x})))",),
    GELU: ("Φ({x}) + {x}·φ({x})",),
    ABS: ("sign({x})",),
    SIGN: ("0",),
    FLOOR: ("0",),
    CEIL: ("0",),
    TRUNC: ("0",),
    ROUND: ("0",),
    CLAMP: ("1 between the bounds, else 0",),
    MAXIMUM: ("1 if {x} > {y}, ½ at a tie, else 0", "1 if {y} > {x}, ½ at a tie, else 0"),
    MINIMUM: ("1 if {x} < {y}, ½ at a tie, else 0", "1 if {y} < {x}, ½ at a tie, else 0"),
    WEIGHTED_SUM: ("the other factor of each product; 1 for the bias",),
}
for _op, _formula in FORMULAS.items():
    _op.formula = _formula
