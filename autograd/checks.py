"""Checking arguments: one check and one message for every place that takes a number.

TypeError for the wrong kind of thing, ValueError for a bad value; each names the op or
the function (`where`) and the value it got. Used by the value type, the ops, `nn` and the
tools; it imports nothing of the engine, so anything may import it.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeGuard  # in typing from Python 3.10; PyPy 3.9 runs the tests


def is_number(x: object) -> TypeGuard[Real]:
    """Whether `x` is a real number: an int, a float or another `numbers.Real`, not a bool.

    Exact ints and floats are told first: isinstance() against the `numbers.Real` ABC is
    slow (on PyPy it runs the ABC machinery's Python code), and `1 - x` asks it each time.
    """
    kind = type(x)
    return kind is float or kind is int or (kind is not bool and isinstance(x, Real))


def to_float(x: object, where: str) -> float:
    """`x` as a float, if it is a real number (an int or a float, not a bool).

    Anything else is a TypeError naming `where` and `x`: one check and one message for
    every place that takes a number.
    """
    if type(x) is float:
        return x
    if not is_number(x):
        from autograd.value import Value  # here: the value type imports this module

        hint = " (pass its .data)" if isinstance(x, Value) else ""
        raise TypeError(
            f"{where}: expected an int or a float, got {x!r} ({type(x).__name__}){hint}"
        )
    try:
        return float(x)
    except OverflowError:  # an int beyond 1.8e308: a bad value, as every other bad value
        raise ValueError(f"{where}: {x!r} is too large for a float") from None


def is_int(x: object) -> TypeGuard[Integral]:
    """Whether `x` is an integer (a numpy integer counts), not a bool."""
    return type(x) is int or (isinstance(x, Integral) and not isinstance(x, bool))


def to_int(x: object, where: str, minimum: int | None = None) -> int:
    """`x` as an int (sizes, counts, seeds): TypeError unless it is one, ValueError when
    below `minimum`; both name `where` and `x`.

    >>> to_int(3, "MLP: nin", minimum=1)
    3
    >>> to_int(0, "MLP: nin", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: MLP: nin: expected an int >= 1, got 0
    """
    if not is_int(x):
        raise TypeError(f"{where}: expected an int, got {x!r} ({type(x).__name__})")
    n = int(x)
    if minimum is not None and n < minimum:
        raise ValueError(f"{where}: expected an int >= {minimum}, got {n!r}")
    return n


def _constant(c: object, op: str) -> float:
    """A number operand of `op`, as a float; the TypeError says what an op accepts."""
    if type(c) is float:
        return c
    if not is_number(c):
        raise TypeError(
            f"'{op}': cannot combine a Value with {c!r} ({type(c).__name__}); "
            "use a Value, an int or a float"
        )
    return to_float(c, f"'{op}'")


def _not_nan(c: object, op: str, what: str) -> float:
    """An op's number argument (a slope, an alpha): nan would make every output nan."""
    c = _constant(c, op)
    if c != c:
        raise ValueError(f"{op}: the {what} must be a number, got {c!r}")
    return c
