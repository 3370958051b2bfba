"""The traced code gives the engine's numbers where a gradient meets inf or nan: the engine's
chain rule lets a zero factor win (0 * inf passes back 0, and an upstream 0 passes back
nothing even against an infinite local derivative); the trace's careful copy of its code does
the same, in straight-line and in looped code, sample by sample."""

from __future__ import annotations

import math
import threading

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


def test_the_careful_copy_is_made_when_first_needed_mid_run():
    """Training-like use: finite steps make no careful copy; the first step whose gradient
    is not finite makes it and gives the engine's numbers; the steps after it too."""
    n, k = 200, 7
    data = [(0.5 + 0.01 * j, 0.25 + 0.02 * j) for j in range(n)]
    data[k] = (-1.0, 0.0)  # with w > 0: relu(-w) = 0 and b * 0 = 0 against sqrt'(0) = inf

    def batch(w, b):
        total = Value(0.0)
        for a, c in data:
            total = total + relu_then_sqrt(w, b, a, c)
        return total

    t = trace(batch, -1.0, 1.0)
    assert t.layout.startswith("loops"), t.layout
    variant = t._variants[0]
    w, b = -1.0, 1.0
    for _ in range(5):  # w < 0: every gradient finite, the fast code alone
        out, grads = t(w, b)
        assert (bits(out), [bits(g) for g in grads]) == engine(batch, [w, b])
        assert all(not math.isinf(g) for g in grads)
        w, b = w - 1e-4 * grads[0], b - 1e-4 * grads[1]
    assert variant._careful is None
    out, grads = t(0.5, b)  # mid-run, the first gradient that meets inf
    assert variant._careful is not None
    assert (bits(out), [bits(g) for g in grads]) == engine(batch, [0.5, b])
    assert all(g == g and not math.isinf(g) for g in grads)  # the zero factor won
    assert t.traces == 1
    out, grads = t(w, b)  # finite again: the fast code's numbers, the engine's
    assert (bits(out), [bits(g) for g in grads]) == engine(batch, [w, b])


def test_the_careful_copy_is_made_once_when_threads_need_it_at_once(monkeypatch):
    from autograd.trace import careful

    made = []
    original = careful.careful_function

    def counting(*args):
        made.append(1)
        return original(*args)

    monkeypatch.setattr(careful, "careful_function", counting)
    t = trace(zero_local_inf_upstream, 1.0, 1.0)
    barrier = threading.Barrier(4)
    results: list = []

    def call() -> None:
        barrier.wait()
        out, grads = t(-1.0, 0.0)
        results.append((bits(out), [bits(g) for g in grads]))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [engine(zero_local_inf_upstream, [-1.0, 0.0])] * 4
    assert made == [1]


@pytest.mark.parametrize("unroll", [True, False])
def test_the_careful_copy_rewrites_every_chain_rule_term(unroll):
    """Every assignment to a gradient variable in the careful copy is a `_product` (or a
    constant): no term of the fast code is left multiplied out."""
    import ast

    from autograd.trace.careful import GRADIENT, _Rewrite

    data = [(0.5 + 0.01 * j, -0.25 + 0.02 * j) for j in range(60)]

    def batch(w, b):
        return sum(((w * a - b * c).relu() * (w - c) - b).tanh() for a, c in data)

    t = trace(batch, 1.0, 1.0, unroll=unroll)
    assert t.layout.startswith("straight" if unroll else "loops"), t.layout
    tree = _Rewrite().visit(ast.parse(t.source))
    terms = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(x, ast.Name) and GRADIENT.match(x.id) for x in targets):
                value = node.value
                if isinstance(value, ast.Call):
                    assert value.func.id == "_product"  # type: ignore[attr-defined]
                    terms += 1
                else:
                    number = ast.literal_eval(value)  # the seed 1.0, a -0.0 before a sum
                    assert number in (1.0, 0.0), ast.dump(node)
                if isinstance(node, ast.AugAssign):
                    assert isinstance(node.op, ast.Add)
    assert terms > 100


def test_a_gradient_summed_over_items_from_one_zero_is_rewritten_too():
    """One input that only the looped items reach: its sum starts from a single -0.0."""
    data = [(0.5 + 0.01 * j, 0.25 + 0.02 * j) for j in range(200)]
    data[3] = (-1.0, 0.0)

    def batch(w, b):
        return sum(((w * a).relu() + c).sqrt() for a, c in data) + b * b

    t = trace(batch, 1.0, 1.0)
    assert t.layout.startswith("loops"), t.layout
    assert "    g0 = -0.0  # summed over the items below" in t.source.splitlines()
    out, grads = t(0.5, 2.0)
    assert t._variants[0]._careful is not None
    assert (bits(out), [bits(g) for g in grads]) == engine(batch, [0.5, 2.0])
