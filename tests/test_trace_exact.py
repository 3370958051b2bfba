"""The traced code gives the engine's numbers where a gradient meets inf or nan: the engine's
chain rule lets a zero factor win (0 * inf passes back 0, and an upstream 0 passes back
nothing even against an infinite local derivative); the trace's careful copy of its code does
the same, in straight-line and in looped code, sample by sample."""

from __future__ import annotations

import math

import pytest

from autograd.engine import Value
from autograd.trace import trace


def bits(x: float) -> str:
    """A float exactly, nan and the sign of zero included."""
    return "nan" if x != x else repr(x)


def engine(f, xs):
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    out.backward()
    return bits(out.data), [bits(v.grad) for v in inputs]


def traced(f, example, xs, unroll):
    t = trace(f, *example, unroll=unroll)
    out, grads = t(*xs)
    return t, (bits(out), [bits(g) for g in grads])


def zero_local_inf_upstream(x, y):  # relu'(-1) = 0 against sqrt'(0) = inf
    return (x.relu() + y).sqrt()


def zero_upstream_inf_local(x, y):  # y = 0 upstream of sqrt'(0) = inf
    return x.sqrt() * y


def nan_upstream(x, y):  # y = nan upstream of relu'(-1) = 0
    return x.relu() * y


CASES = [
    (zero_local_inf_upstream, (1.0, 1.0), (-1.0, 0.0)),
    (zero_upstream_inf_local, (1.0, 1.0), (0.0, 0.0)),
    (nan_upstream, (-2.0, 1.0), (-1.0, math.nan)),
]


@pytest.mark.parametrize("unroll", [True, False])
@pytest.mark.parametrize("f, example, xs", CASES)
def test_straight_line_code_applies_the_engines_rule(f, example, xs, unroll):
    _, got = traced(f, example, xs, unroll)
    want = engine(f, xs)
    assert got == want
    assert "nan" not in want[1][:1] or f is nan_upstream  # the case is not all-nan
    assert want[1][0] == "0.0"  # the zero factor won


def relu_then_sqrt(w, b, a, c):  # sample a = -1, c = 0: relu' = 0 and c = 0 against sqrt'(0)
    return ((w * a).relu() + b * c).sqrt()


def sqrt_times(w, b, a, c):  # sample a = 0, c = 0: upstream 0 against sqrt'(0) = inf
    return (w * a).sqrt() * (b * c)


def relu_times(w, b, a, c):  # sample a = -1, c = nan: nan upstream against relu' = 0
    return (w * a).relu() * (b * c)


@pytest.mark.parametrize(
    "term, odd",
    [(relu_then_sqrt, (-1.0, 0.0)), (sqrt_times, (0.0, 0.0)), (relu_times, (-1.0, math.nan))],
)
def test_looped_code_applies_the_engines_rule_to_the_one_nonfinite_sample(term, odd):
    n, k = 200, 7
    data = [(0.5 + 0.01 * j, 0.25 + 0.02 * j) for j in range(n)]
    data[k] = odd  # sample k alone meets inf or nan

    def batch(w, b):
        total = Value(0.0)
        for a, c in data:
            total = total + term(w, b, a, c)
        return total

    t = trace(batch, 1.0, 1.0)
    assert t.layout.startswith("loops"), t.layout
    for w, b in [(1.0, 1.0), (2.0, 3.0), (0.5, 0.75)]:
        out, grads = t(w, b)
        want = engine(batch, [w, b])
        assert (bits(out), [bits(g) for g in grads]) == want
        assert all(g == g and not math.isinf(g) for g in grads)  # the zero factor won
    # without the odd sample, the fast code alone, the engine's numbers
    data[k] = (0.5, 0.25)
    t = trace(batch, 1.0, 1.0)
    out, grads = t(2.0, 3.0)
    assert (bits(out), [bits(g) for g in grads]) == engine(batch, [2.0, 3.0])
