"""Every elementary function of the engine as a plain function: `sin(x)`, `clamp(x, 0, 1)`.

Each takes a `Value` or a number and returns a `Value`, the same node as the method
(`sin(x)` is `x.sin()`); a number becomes a leaf first, so `sin(0.5).data` is `math.sin(0.5)`
and the result still has a graph to draw. The math of every op is in `autograd/ops.py`.

>>> from autograd import Value
>>> x = Value(0.5)
>>> y = sin(x) * exp(x) + clamp(x, 0.0, 0.25)
>>> print(f"{y.data:.6f}", y.op)
1.040439 +
"""

from __future__ import annotations

from autograd.engine import Number, Scalar, Value, to_float

__all__ = [
    "abs",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "ceil",
    "clamp",
    "cos",
    "cosh",
    "elu",
    "erf",
    "exp",
    "exp2",
    "expm1",
    "floor",
    "gelu",
    "leaky_relu",
    "log",
    "log1p",
    "log2",
    "log10",
    "maximum",
    "minimum",
    "relu",
    "round",
    "sigmoid",
    "sign",
    "silu",
    "sin",
    "sinh",
    "softplus",
    "sqrt",
    "tan",
    "tanh",
    "trunc",
]


def as_value(x: Scalar, where: str = "autograd.functional") -> Value:
    """`x` itself if it is a `Value`, else a new leaf holding the number `x`."""
    if isinstance(x, Value):
        return x
    return Value(to_float(x, where))


def exp(x: Scalar) -> Value:
    return as_value(x, "exp").exp()


def exp2(x: Scalar) -> Value:
    return as_value(x, "exp2").exp2()


def expm1(x: Scalar) -> Value:
    return as_value(x, "expm1").expm1()


def log(x: Scalar) -> Value:
    return as_value(x, "log").log()


def log2(x: Scalar) -> Value:
    return as_value(x, "log2").log2()


def log10(x: Scalar) -> Value:
    return as_value(x, "log10").log10()


def log1p(x: Scalar) -> Value:
    return as_value(x, "log1p").log1p()


def sqrt(x: Scalar) -> Value:
    return as_value(x, "sqrt").sqrt()


def sin(x: Scalar) -> Value:
    return as_value(x, "sin").sin()


def cos(x: Scalar) -> Value:
    return as_value(x, "cos").cos()


def tan(x: Scalar) -> Value:
    return as_value(x, "tan").tan()


def asin(x: Scalar) -> Value:
    return as_value(x, "asin").asin()


def acos(x: Scalar) -> Value:
    return as_value(x, "acos").acos()


def atan(x: Scalar) -> Value:
    return as_value(x, "atan").atan()


def sinh(x: Scalar) -> Value:
    return as_value(x, "sinh").sinh()


def cosh(x: Scalar) -> Value:
    return as_value(x, "cosh").cosh()


def tanh(x: Scalar) -> Value:
    return as_value(x, "tanh").tanh()


def asinh(x: Scalar) -> Value:
    return as_value(x, "asinh").asinh()


def acosh(x: Scalar) -> Value:
    return as_value(x, "acosh").acosh()


def atanh(x: Scalar) -> Value:
    return as_value(x, "atanh").atanh()


def erf(x: Scalar) -> Value:
    return as_value(x, "erf").erf()


def abs(x: Scalar) -> Value:
    return as_value(x, "abs").abs()


def sign(x: Scalar) -> Value:
    return as_value(x, "sign").sign()


def floor(x: Scalar) -> Value:
    return as_value(x, "floor").floor()


def ceil(x: Scalar) -> Value:
    return as_value(x, "ceil").ceil()


def round(x: Scalar, decimals: int = 0) -> Value:
    return as_value(x, "round").round(decimals)


def trunc(x: Scalar) -> Value:
    return as_value(x, "trunc").trunc()


def clamp(x: Scalar, min: Number | None = None, max: Number | None = None) -> Value:
    return as_value(x, "clamp").clamp(min, max)


def minimum(a: Scalar, b: Scalar) -> Value:
    return as_value(a, "minimum").minimum(b)


def maximum(a: Scalar, b: Scalar) -> Value:
    return as_value(a, "maximum").maximum(b)


def relu(x: Scalar) -> Value:
    return as_value(x, "relu").relu()


def sigmoid(x: Scalar) -> Value:
    return as_value(x, "sigmoid").sigmoid()


def leaky_relu(x: Scalar, negative_slope: float = 0.01) -> Value:
    return as_value(x, "leaky_relu").leaky_relu(negative_slope)


def elu(x: Scalar, alpha: float = 1.0) -> Value:
    return as_value(x, "elu").elu(alpha)


def softplus(x: Scalar) -> Value:
    return as_value(x, "softplus").softplus()


def silu(x: Scalar) -> Value:
    return as_value(x, "silu").silu()


def gelu(x: Scalar) -> Value:
    return as_value(x, "gelu").gelu()
