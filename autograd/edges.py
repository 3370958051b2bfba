"""The edges of the ops' numeric rules, kept out of the table so that it reads as a list of
derivatives: the errors an input outside a domain raises, the slope at a singular point,
and `x ** y` where a naive formula overflows or has no value.

Every function here is called by one or more entries of `autograd/ops.py`.
"""

from __future__ import annotations

import math
from typing import Any

INF = math.inf
NAN = math.nan
LN2 = math.log(2.0)


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


# --- x ** y ---------------------------------------------------------------------------------


def power(x: float, y: float) -> float:
    """x ** y, or the error that names `**` and both operands."""
    if x < 0.0 and math.isfinite(y) and not y.is_integer():  # -inf too: the docs' rule
        raise ValueError(
            f"'**': {x!r} ** {y!r} has no real value (negative base, non-integer exponent)"
        )
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(
            f"'**': {x!r} ** {y!r} divides by zero (zero base, negative exponent)"
        )
    try:
        return x**y
    except OverflowError:
        raise OverflowError(f"'**': {x!r} ** {y!r} overflows a float") from None


def d_base(x: float, y: float) -> float:
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


def d_exponent(x: float, out: float) -> float:
    """d(x**y)/dy = log(x) * x**y; 0 at x == 0 (y >= 0) and nan for x < 0, as PyTorch."""
    if x > 0.0:
        return math.log(x) * out
    if x == 0.0:
        return 0.0
    return NAN


def diff_d_base(x: Any, y: Any, node: Any) -> Any:
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


def diff_d_exponent(x: Any, y: Any, node: Any) -> Any:
    """d(x**y)/dy = log(x) * x**y as a form, `x` a Value or the folded constant (`2 ** y`).

    0 at x == 0 (y >= 0), a true constant as PyTorch's mask; nan for x < 0, whose own
    derivatives are nan too."""
    x_data = x if isinstance(x, float) else x.data
    if x_data > 0.0:
        if isinstance(x, float):
            return math.log(x) * node
        # Below 1e-300 (subnormal x) log's own derivative 1/x is beyond a float, and d/dx
        # of this would be inf * x**y; log(x * 2**64) - 64 log 2 is the same number, whose
        # derivative 2**64 / (x * 2**64) stays finite on the way.
        log_x = x.log() if x_data >= 1e-300 else (x * 2.0**64).log() - 64.0 * LN2
        return log_x * node
    if x_data == 0.0:
        return 0.0
    return (y * NAN) if isinstance(x, float) else (x * NAN + y * NAN)
