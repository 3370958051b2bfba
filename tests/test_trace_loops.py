"""autograd.trace over a batch: one per-item computation written once, as a loop.

The looped code must give the straight-line code's numbers (`unroll=True`) to the last bit
and the engine's, at the traced inputs and at others; an item that takes another path is
an item of its own; guards stay per item."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from autograd.testing import expressions
from autograd.trace import GuardFailure, loops, trace
from nn import MLP
from nn.losses import hinge, mse


def engine_step(f, params, numbers):
    """f's output and d/d(params) by the engine, the params set to `numbers`."""
    for p, x in zip(params, numbers):
        p.data = x
        p.grad = 0.0
    out = f(*params)
    out.backward()
    return out.data, tuple(p.grad for p in params)


def same(a, b):
    return a == b or (a != a and b != b)


def assert_bitwise(looped, unrolled, numbers):
    a, b = looped(*numbers), unrolled(*numbers)
    assert same(a[0], b[0]) and len(a[1]) == len(b[1])
    assert all(same(x, y) for x, y in zip(a[1], b[1])), (a[1], b[1])


def assert_engine(looped, f, params, numbers):
    out, grads = looped(*numbers)
    expected_out, expected_grads = engine_step(f, params, numbers)
    assert math.isclose(out, expected_out, rel_tol=1e-12, abs_tol=1e-300)
    for g, e in zip(grads, expected_grads):
        assert math.isclose(g, e, rel_tol=1e-9, abs_tol=1e-12), (g, e)


def jitter(params, seed, scale=0.3):
    rng = random.Random(seed)
    return [p.data + rng.uniform(-scale, scale) for p in params]


def moons_like(n=40, seed=0):
    rng = random.Random(seed)
    xs = [(rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(n)]
    ys = [1 if x0 * x1 > 0 else -1 for x0, x1 in xs]
    return xs, ys


# --- a loss over a batch, plus a whole-batch L2 term ----------------------------------------


def test_a_batch_loss_with_an_l2_term_is_a_loop_with_the_straight_line_numbers():
    xs, ys = moons_like()
    model = MLP(2, [8, 8, 1], activation="relu", output_activation="linear", rng=3)
    params = model.parameters()

    def f(*_):  # per-item hinge terms, and an L2 term over the whole model
        return hinge([model(x) for x in xs], ys) + 1e-3 * sum(p * p for p in params)

    looped = trace(f, *params)
    unrolled = trace(f, *params, unroll=True)
    assert looped.layout.startswith("loops: 40 items")
    assert looped.costs["looped"] >= 40 * 10
    assert looped.costs["lines"] * 8 < unrolled.costs["lines"]
    assert "for " in looped.source and "for " not in unrolled.source
    for seed in range(4):
        numbers = jitter(params, seed)
        assert_bitwise(looped, unrolled, numbers)
        assert_engine(looped, f, params, numbers)


def test_the_outputs_of_each_item_come_back_as_aux():
    xs, ys = moons_like(30, seed=1)
    model = MLP(2, [6, 1], activation="tanh", output_activation="linear", rng=1)
    params = model.parameters()

    def f(*_):
        scores = [model(x) for x in xs]
        return mse(scores, ys), scores

    looped = trace(f, *params, has_aux=True)
    assert looped.layout.startswith("loops")
    numbers = jitter(params, 7)
    _, _, aux = looped(*numbers)
    for p, x in zip(params, numbers):
        p.data = x
    assert aux == tuple(model(x).data for x in xs)
    unrolled = trace(f, *params, has_aux=True, unroll=True)
    assert_bitwise(lambda *n: looped(*n)[:2], lambda *n: unrolled(*n)[:2], numbers)


# --- items whose paths differ ---------------------------------------------------------------


def per_item_branch(model, xs, ys):
    def f(*_):
        terms = []
        for x, y in zip(xs, ys):
            score = model(x)
            if score > 0:  # a branch per item
                terms.append((score - y) ** 2)
            else:
                terms.append((score * y).exp())
        return sum(terms) * (1.0 / len(xs))

    return f


def test_items_that_branch_differently_are_items_of_their_own_paths():
    xs, ys = moons_like(40, seed=2)
    model = MLP(2, [6, 1], activation="tanh", output_activation="linear", rng=5)
    params = model.parameters()
    f = per_item_branch(model, xs, ys)
    looped = trace(f, *params)
    unrolled = trace(f, *params, unroll=True)
    scores = [model(x).data for x in xs]
    assert any(s > 0 for s in scores) and any(s <= 0 for s in scores)  # both paths taken
    assert looped.layout.startswith("loops")
    assert len(looped.guards) == len(xs)  # one guard per item, each item's own
    numbers = [p.data for p in params]
    assert_bitwise(looped, unrolled, numbers)
    assert_engine(looped, f, params, numbers)
    # at other parameters, some items take the other path: traced again, still right
    for seed in range(3):
        numbers = jitter(params, seed, scale=0.5)
        assert_engine(looped, f, params, numbers)
    assert looped.traces > 1


def test_one_item_of_another_path_in_a_batch():
    xs, ys = moons_like(30, seed=4)
    model = MLP(2, [5, 1], activation="tanh", output_activation="linear", rng=2)
    params = model.parameters()
    odd = 17

    def f(*_):
        terms = []
        for k, (x, y) in enumerate(zip(xs, ys)):
            score = model(x)
            terms.append((score - y).abs() if k == odd else (score - y) ** 2)
        return sum(terms)

    looped = trace(f, *params)
    assert looped.layout.startswith("loops: 29 items")
    for seed in range(3):
        numbers = jitter(params, seed)
        assert_bitwise(looped, trace(f, *params, unroll=True), numbers)
        assert_engine(looped, f, params, numbers)


def test_a_guard_inside_a_loop_fails_for_the_item_whose_number_crosses_it():
    xs = [(0.1 * k, 1.0) for k in range(30)]  # item k compares with its own threshold
    thresholds = [0.05 * k - 0.7 for k in range(30)]
    model = MLP(2, [4, 1], activation="tanh", output_activation="linear", rng=0)
    params = model.parameters()

    def f(*_):
        total = Value(0.0)
        for x, t in zip(xs, thresholds):
            score = model(x)
            total = total + (score * 2 if score.data > t else score * 3)
        return total

    looped = trace(f, *params, on_guard_failure="raise")
    assert looped.layout.startswith("loops")
    numbers = [p.data for p in params]
    assert_engine(looped, f, params, numbers)
    bias = len(params) - 1  # the output's bias moves every score
    for shift in (1.0, -1.0):
        moved = list(numbers)
        moved[bias] += shift
        with pytest.raises(GuardFailure, match=r"guard \d+, .* \(item \d+\)"):
            looped(*moved)


# --- random per-item programs ---------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(expr=expressions(max_inputs=3), data=st.data())
def test_random_per_item_programs_loop_with_the_straight_line_numbers(expr, data):
    """expr(w, x...) summed over items whose x differ, w the traced input: looped and
    straight-line code agree bit for bit, and with the engine."""
    n = len(expr.inputs)
    items = data.draw(st.integers(2, 6), label="items")
    shifts = [data.draw(st.floats(-0.01, 0.01), label=f"shift{k}") for k in range(items)]
    w0 = expr.inputs[0]

    def f(w):
        total = Value(0.0)
        for s in shifts:  # each item: the expression at the same w, its own other inputs
            total = total + expr(w, *(Value(x + s) for x in expr.inputs[1:n]))
        return total

    loop_min, loops.LOOP_MIN = loops.LOOP_MIN, 0  # loop even the smallest repetition
    try:
        looped = trace(f, w0)
        unrolled = trace(f, w0, unroll=True)
    except (ArithmeticError, ValueError):
        return  # outside an op's domain at a shifted input: the engine raises too
    finally:
        loops.LOOP_MIN = loop_min
    for w in (w0, w0 + 0.001):
        try:
            expected = unrolled(w)
        except (ArithmeticError, ValueError):
            with pytest.raises((ArithmeticError, ValueError)):
                looped(w)
            continue
        got = looped(w)
        assert same(got[0], expected[0]) and same(got[1][0], expected[1][0]), (got, expected)


def test_a_short_program_stays_straight_line():
    traced = trace(lambda x, y: x * y + x.exp(), 1.0, 2.0)
    assert traced.layout.startswith("straight-line") and traced.costs["looped"] == 0


@pytest.mark.parametrize("name", ["bce", "bce_with_logits", "mse", "hinge", "cross_entropy"])
def test_every_loss_of_nn_loops_with_the_straight_line_numbers(name):
    from nn import losses

    xs, ys = moons_like(24, seed=9)
    classes = 3 if name == "cross_entropy" else 1
    out = {"bce": "sigmoid"}.get(name, "linear")
    model = MLP(2, [5, classes], activation="tanh", output_activation=out, rng=4)
    params = model.parameters()
    if name in ("bce", "bce_with_logits"):
        ys = [(y + 1) // 2 for y in ys]
    elif name == "cross_entropy":
        ys = [k % 3 for k in range(len(xs))]
    loss = getattr(losses, name)

    def f(*_):
        return loss([model(x) for x in xs], ys) + 1e-3 * sum(p * p for p in params)

    loop_min, loops.LOOP_MIN = loops.LOOP_MIN, 0
    try:
        looped = trace(f, *params)
        unrolled = trace(f, *params, unroll=True)
    finally:
        loops.LOOP_MIN = loop_min
    assert looped.layout.startswith("loops"), looped.layout
    for seed in range(3):
        numbers = jitter(params, seed, scale=0.8)  # guards flip: traced again, both ways
        assert_bitwise(looped, unrolled, numbers)
        assert_engine(looped, f, params, numbers)


def test_c_minus_x_and_x_minus_c_are_different_computations():
    """`a - w` and `w - a` differ only in which side the folded constant is on: items of
    each kind are looped apart, and every number is the engine's."""
    data = [(0.05 * k - 2.0, k % 3 == 0) for k in range(90)]

    def batch(w, b):
        return sum((((a - w) if flip else (w - a)) * b).tanh() for a, flip in data)

    traced = trace(batch, 0.5, 1.5)
    assert traced.layout.startswith("loops"), traced.layout
    for w, b in [(0.5, 1.5), (-1.0, 0.25), (2.0, -0.75)]:
        inputs = [Value(w), Value(b)]
        out = batch(*inputs)
        out.backward()
        assert traced(w, b) == (out.data, (inputs[0].grad, inputs[1].grad))
