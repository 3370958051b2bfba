"""Check the engine's derivatives against finite differences.

>>> from autograd.gradcheck import gradcheck
>>> gradcheck(lambda x, y: (x * y).tanh() + y.exp(), [0.5, -1.2])
True

A wrong derivative raises `GradcheckError` with a report of every input:

>>> from autograd import Value
>>> gradcheck(lambda x: Value(x.data ** 2), [3.0])   # not recorded: analytic 0, numeric 6
Traceback (most recent call last):
  ...
autograd.gradcheck.GradcheckError: gradcheck: 1 of 1 derivatives disagree ...
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from autograd.engine import Value, to_float

Function = Callable[..., Value]


class GradcheckError(AssertionError):
    """The analytic and numeric derivatives disagree; the message has every input's pair."""


def numerical_grad(f: Function, xs: Sequence[float], eps: float = 1e-6) -> list[float]:
    """Central differences (f(x + eps) - f(x - eps)) / 2eps, one input at a time.

    `f` takes one `Value` per entry of `xs` and returns a `Value`.
    """
    points = _as_points(xs, eps)
    derivatives = []
    for i in range(len(points)):
        up, down = list(points), list(points)
        up[i] += eps
        down[i] -= eps
        derivatives.append((_evaluate(f, up) - _evaluate(f, down)) / (2.0 * eps))
    return derivatives


def gradcheck(
    f: Function,
    xs: Sequence[float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True when `backward()` agrees with `numerical_grad` for every input, else raise.

    Agreement is PyTorch's: |analytic - numeric| <= atol + rtol * |numeric|.
    """
    points = _as_points(xs, eps)
    inputs = [Value(x) for x in points]
    out = _call(f, inputs)
    out.backward()
    analytic = [x.grad for x in inputs]
    numeric = numerical_grad(f, points, eps)
    bad = [
        i
        for i, (a, n) in enumerate(zip(analytic, numeric))
        if not abs(a - n) <= atol + rtol * abs(n)  # `not <=` also catches nan
    ]
    if bad:
        raise GradcheckError(_report(points, analytic, numeric, bad, eps, atol, rtol))
    return True


def _report(points, analytic, numeric, bad, eps, atol, rtol) -> str:
    lines = [
        f"gradcheck: {len(bad)} of {len(points)} derivatives disagree "
        f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g})",
        f"{'input':>6} {'x':>14} {'analytic':>16} {'numeric':>16} {'difference':>12}",
    ]
    for i, (x, a, n) in enumerate(zip(points, analytic, numeric)):
        verdict = "  <-- disagrees" if i in bad else ""
        lines.append(f"{i:>6} {x:>14.6g} {a:>16.8g} {n:>16.8g} {abs(a - n):>12.3g}{verdict}")
    return "\n".join(lines)


def _as_points(xs: Sequence[float], eps: float) -> list[float]:
    step = to_float(eps, "gradcheck: eps")
    if not (step > 0 and math.isfinite(step)):
        raise ValueError(f"gradcheck: eps must be a positive finite number, got {eps!r}")
    points = [to_float(x, "gradcheck: an input") for x in xs]
    if not points:
        raise ValueError("gradcheck: no inputs to check")
    return points


def _evaluate(f: Function, points: list[float]) -> float:
    # Recorded like any call (not under no_grad): `f` may itself call `grad`, as when
    # checking a second derivative.
    return _call(f, [Value(x) for x in points]).data


def _call(f: Function, inputs: list[Value]) -> Value:
    out = f(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {out!r} ({type(out).__name__})")
    return out
