"""What the generated code calls and writes for an op: the numeric rule (raising the
engine's overflow message), the names of its derivatives, and constants as literals.

Everything about an op itself (its symbol, its method's name, its constant) is read off
its entry of `autograd/ops.py`; this module only says which entries the writer spells out
inline instead of calling their rule."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from numbers import Real
from typing import Any

from autograd import ops
from autograd.trace.errors import TraceError

ADD, SUB, RSUB, MUL, NEG = ops.ADD, ops.SUB, ops.RSUB, ops.MUL, ops.NEG
RELU, DETACH, WEIGHTED_SUM = ops.RELU, ops.DETACH, ops.WEIGHTED_SUM
INLINE_INFIX = (ADD, SUB, RSUB, MUL)  # written as Python's operator, not a call


def word(op: ops.Op) -> str:
    """An identifier for `op` in the generated code: its method's name for an operator
    (`truediv`, `rpow`), else its name cut down to ASCII letters, digits and `_`."""
    if op.symbol is not None and op.method:
        return op.method.strip("_")
    return re.sub(r"[^A-Za-z0-9_]", "_", op.name)[:40]


def literal(x: Any) -> str:
    """Python source for a constant: exact for floats, `inf` and `nan` as names."""
    if isinstance(x, float):
        if x != x:
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(x, tuple):
        inner = ", ".join(literal(item) for item in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    if x is None or isinstance(x, int):  # clamp's missing bound, round's decimals
        return repr(x)
    raise TraceError(f"trace: cannot write the constant {x!r} ({type(x).__name__}) as code")


def numeric_rule(op: ops.Op) -> Callable[..., tuple[float, ...]]:
    """What the generated code calls for `op`: its numeric rule, raising, as the engine does,
    `ops.overflow_error` where the result is beyond a float.

    The engine applies a built-in op of one operand through `engine._unary`, which turns an
    OverflowError into that message; so does the function returned here. Other ops' rules
    are called as the engine calls them: as they are."""
    numeric = op.numeric
    if op.user_defined or op.arity != 1 or op.left:  # (2 ** x raises as the operator does)
        return numeric
    name = op.name
    if op.has_constant:

        def with_constant(x: float, c: Any) -> tuple[float, ...]:
            try:
                return numeric(x, c)
            except OverflowError:
                raise ops.overflow_error(name, x) from None

        return with_constant

    def rule(x: float) -> tuple[float, ...]:
        try:
            return numeric(x)
        except OverflowError:
            raise ops.overflow_error(name, x) from None

    return rule


def derivatives(op: ops.Op, parents: int, stem: str) -> list[str]:
    """The names a call of `op`'s numeric rule unpacks its local derivatives into: one per
    parent, then `_` for the derivative by a folded constant (the 2 of `x / 2`), if any.

    An op with a constant argument (`leaky_relu(x, slope)`) returns one derivative; a
    two-operand op with one parent (`x / 2`) returns two, of which the first is needed."""
    if op.arity == 2 and parents == 1:
        return [stem, "_"]
    if parents == 1:
        return [stem]
    return [f"{stem}_{j}" for j in range(parents)]


def exact_number(x: Any, names: dict[str, Any]) -> str:
    """A number a guard compares with, in code, exactly: a float or an int as a literal (an
    int as a float where that is the same number: 0 -> 0.0), any other number (a Fraction,
    an int beyond 2**53) as a global of `names` holding it."""
    if type(x) is float:
        return literal(x)
    if type(x) is int and abs(x) <= 2**53:
        return literal(float(x))
    if type(x) is int or (isinstance(x, Real) and not isinstance(x, bool)):
        name = f"k{len(names)}"
        names[name] = x
        return name
    return literal(x)
