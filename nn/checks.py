"""Checking nn's int arguments (sizes, step counts, seeds), by the engine's one rule:
TypeError for the wrong kind of thing, ValueError for a bad value, each naming where.

Numbers that may be fractional go through `autograd.engine.to_float`, the same check.
"""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeGuard  # in typing from Python 3.10; the tests also run on 3.9


def is_int(x: object) -> TypeGuard[Integral]:
    """An integer that is not a bool (a numpy integer counts; True is not 1 here)."""
    return isinstance(x, Integral) and not isinstance(x, bool)


def to_int(x: object, where: str, minimum: int | None = None) -> int:
    """`x` as an int: TypeError unless it is one, ValueError when below `minimum`.

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
