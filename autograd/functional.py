"""Every elementary function of the engine as a plain function: `sin(x)`, `clamp(x, 0, 1)`.

Each takes a `Value` or a number and returns a `Value`, the same node as the method
(`sin(x)` is `x.sin()`); a number becomes a leaf first, so `sin(0.5).data` is `math.sin(0.5)`
and the result still has a graph to draw. The math of every op is in `autograd/ops.py`,
and so is the list of functions here: every op whose method has a plain name (not an
operator such as `__add__`) is a function of that name, with the method's parameters.

>>> from autograd import Value
>>> x = Value(0.5)
>>> y = sin(x) * exp(x) + clamp(x, 0.0, 0.25)
>>> print(f"{y.data:.6f}", y.op)
1.040439 +
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from autograd import ops
from autograd.engine import Scalar, Value, to_float


def as_value(x: Scalar, where: str = "autograd.functional") -> Value:
    """`x` itself if it is a `Value`, else a new leaf holding the number `x`."""
    if isinstance(x, Value):
        return x
    return Value(to_float(x, where))


def names() -> list[str]:
    """The functions of this module, read from the op table: one per op whose `Value`
    method has a plain name."""
    return sorted(
        op.method for op in ops.REGISTRY.values() if op.method and not op.method.startswith("_")
    )


def _function(name: str) -> Callable[..., Value]:
    """`name(x, ...)`: `x.name(...)`, `x` a Value or a number."""
    method = getattr(Value, name, None)
    if method is None:
        raise AttributeError(
            f"autograd.functional: the op table lists {name!r}, but Value has no method "
            f"{name!r} to apply it: add one (docs/contributing-an-op.md)"
        )

    def function(x: Scalar, *args: Any, **kwargs: Any) -> Value:
        return getattr(as_value(x, name), name)(*args, **kwargs)

    signature = inspect.signature(method)
    parameters = list(signature.parameters.values())
    first = parameters[0].replace(name="x", annotation="Scalar")
    function.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[first, *parameters[1:]]
    )
    function.__name__ = function.__qualname__ = name
    function.__module__ = __name__
    function.__doc__ = f"`{name}(x, ...)` is `x.{name}(...)`; a number x becomes a leaf first."
    if method.__doc__:
        function.__doc__ += "\n\n" + inspect.cleandoc(method.__doc__)
    return function


__all__ = names()
globals().update((name, _function(name)) for name in __all__)


def __getattr__(name: str) -> Callable[..., Value]:
    """An op added to the table after this module was imported (a test's throwaway op)."""
    if name in names():
        return _function(name)
    raise AttributeError(f"module 'autograd.functional' has no attribute {name!r}")
