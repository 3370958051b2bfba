"""Your own ops (define_op), micrograd's hooks (the lecture's manual walk), and the
traversal's correctness whatever the grads held before (the PyPy bug)."""

from __future__ import annotations

import math
import random

import pytest

from autograd import Value, define_op, grad, ops, topological_order
from autograd.engine import op_of
from autograd.gradcheck import gradcheck, numerical_grad


def _sinc_forward(x: float) -> float:
    return math.sin(x) / x if x != 0.0 else 1.0


def _sinc_derivatives(x: float, out: float) -> tuple[float]:
    return ((math.cos(x) - out) / x if x != 0.0 else 0.0,)


def _sinc_differentiable(x: Value, out: Value) -> tuple[Value]:
    return ((x.cos() - out) / x,)


sinc = define_op("sinc", _sinc_forward, _sinc_derivatives, _sinc_differentiable)
sinc_first_order_only = define_op("sinc1", _sinc_forward, _sinc_derivatives)
hypot = define_op(
    "hypot",
    lambda x, y: math.hypot(x, y),
    lambda x, y, out: (x / out, y / out),
    lambda x, y, out: (x / out, y / out),
)


def test_a_user_op_is_a_node_like_any_other():
    x = Value(2.0, label="x")
    y = sinc(x)
    assert (y.op, y.parents, y.data) == ("sinc", (x,), math.sin(2.0) / 2.0)
    assert y.local_grads == ((math.cos(2.0) - y.data) / 2.0,)
    assert op_of(y) is sinc.op and op_of(y).user_defined and "sinc" not in ops.REGISTRY
    assert sinc(0.5).data == _sinc_forward(0.5)  # a number becomes a leaf


def test_a_user_op_passes_gradcheck():
    assert gradcheck(lambda x: sinc(x * 1.5) + x, [0.7])
    assert gradcheck(lambda x, y: hypot(x, y.tanh()), [0.3, -1.2])


def test_a_wrong_derivative_is_caught_by_gradcheck():
    wrong = define_op("wrong_square", lambda x: x * x, lambda x, out: (x,))  # should be 2x
    with pytest.raises(AssertionError, match="disagree"):
        gradcheck(lambda x: wrong(x), [1.5])


def test_second_derivative_with_a_differentiable_form():
    x = Value(0.8)
    (d1,) = grad(sinc(x), [x], create_graph=True)
    (d2,) = grad(d1, [x])

    def first(v: Value) -> Value:
        return grad(sinc(v), [v], create_graph=True)[0]

    assert d2.data == pytest.approx(numerical_grad(first, [0.8])[0], rel=1e-6)


def test_second_derivative_without_a_differentiable_form_raises():
    x = Value(0.8)
    with pytest.raises(NotImplementedError, match="sinc1.*differentiable"):
        grad(sinc_first_order_only(x), [x], create_graph=True)
    (d1,) = grad(sinc_first_order_only(x), [x])  # first order still works
    assert d1.data == pytest.approx(_sinc_derivatives(0.8, _sinc_forward(0.8))[0])


def test_a_wrong_number_of_derivatives_is_an_error_at_first_use():
    two = define_op("two_derivatives", lambda x: x, lambda x, out: (1.0, 2.0))
    with pytest.raises(ValueError, match="two_derivatives.*2 values for 1 operand"):
        two(Value(1.0))
    with pytest.raises(TypeError, match="hypot: takes 2 operand"):
        hypot(Value(1.0))


def test_bad_definitions_are_refused():
    with pytest.raises(ValueError, match="built-in"):
        define_op("sin", math.sin, lambda x, out: (math.cos(x),))
    with pytest.raises(ValueError, match="name"):
        define_op("", math.sin, lambda x, out: (math.cos(x),))
    with pytest.raises(ValueError, match="printable"):
        define_op("twice\n    v1 = 42.0 #", math.sin, lambda x, out: (math.cos(x),))
    with pytest.raises(TypeError, match="name"):
        define_op(3, math.sin, lambda x, out: (math.cos(x),))
    with pytest.raises(TypeError, match="derivatives must be callable"):
        define_op("f", math.sin, 3)
    with pytest.raises(TypeError, match="not_a_number.*forward"):
        define_op("not_a_number", lambda x: "1", lambda x, out: (0.0,))(Value(1.0))


def test_redefining_a_user_op_changes_no_node_built_before():
    # A notebook cell run again, changed: the nodes of the first definition keep theirs.
    sq = define_op("sq", lambda x: x * x, lambda x, out: (2 * x,), lambda x, out: (2 * x,))
    x = Value(3.0)
    y = sq(x)
    cube = define_op("sq", lambda x: x**3, lambda x, out: (3 * x * x,), lambda x, out: (3 * x * x,))
    (d,) = grad(y, [x], create_graph=True)
    assert d.data == 6.0 and grad(d, [x])[0].data == 2.0
    assert sq(x).data == 9.0 and cube(x).data == 27.0 and cube(x).op == y.op == "sq"


def test_a_differentiable_form_of_the_wrong_length_is_an_error():
    empty = define_op("w2", lambda x: x * x, lambda x, out: (2 * x,), lambda x, out: ())
    with pytest.raises(ValueError, match="w2.*0 derivatives for 1 operand"):
        grad(empty(Value(2.0)), [Value(2.0)] * 0 + [Value(2.0)], create_graph=True)


def test_a_wrong_differentiable_form_is_caught():
    wrong = define_op("sq3", lambda x: x * x, lambda x, out: (2 * x,), lambda x, out: (3 * x,))
    x = Value(2.0)
    with pytest.raises(ValueError, match="sq3.*6.0.*4.0"):
        grad(wrong(x), [x], create_graph=True)


def test_a_user_op_shows_in_every_view():
    dot = pytest.importorskip("autograd.viz")
    from autograd.explain import backward_table, chain_rule
    from autograd.replay import BackwardReplay
    from autograd.text import text_tree

    x = Value(1.2, label="x")
    y = sinc(x)
    loss = y * y
    loss.backward()
    assert "sinc" in dot.draw(loss).source
    assert "sinc" in str(chain_rule(root=loss, node=x))
    assert "sinc" in str(backward_table(loss))
    assert "sinc" in text_tree(loss)
    assert any("sinc" in BackwardReplay(loss).caption(k) for k in range(len(BackwardReplay(loss))))


# --- micrograd's hooks: the lecture's manual walk -----------------------------------------


def lecture_neuron():
    """Karpathy's micrograd lecture: o = tanh(x1*w1 + x2*w2 + b), by hand, with labels."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    n = x1w1 + x2w2 + b
    o = n.tanh()
    return o, n, {"x1": x1, "x2": x2, "w1": w1, "w2": w2}


def test_the_lectures_manual_walk_with_underscore_backward():
    o, n, leaves = lecture_neuron()
    o.grad = 1.0
    # The lecture calls _backward() from o down, node by node; here in the lecture's order,
    # the reverse of a topological order built through micrograd's `_prev`.
    order, visited = [], set()
    stack = [(o, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
        elif v not in visited:
            visited.add(v)
            stack.append((v, True))
            stack.extend((child, False) for child in v._prev)
    for node in reversed(order):
        node._backward()
    by_hand = {name: v.grad for name, v in leaves.items()}
    assert n.grad == pytest.approx(0.5, abs=1e-6)
    assert by_hand == pytest.approx({"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0}, abs=1e-6)

    o2, n2, leaves2 = lecture_neuron()
    o2.backward()
    assert n2.grad == n.grad
    assert {name: v.grad for name, v in leaves2.items()} == by_hand


def test_underscore_prev_and_op_are_micrographs():
    x = Value(3.0)
    y = x * x
    assert y._prev == {x} and y._op == "*" and x._prev == set() and x._op == ""
    z = y + x
    assert z._prev == {x, y} and isinstance(z._prev, set)


def test_underscore_backward_accumulates_like_micrographs_closure():
    a, b = Value(2.0), Value(-4.0)
    c = a * b
    c.grad = 3.0
    c._backward()
    c._backward()
    assert (a.grad, b.grad) == (2 * 3.0 * -4.0, 2 * 3.0 * 2.0)
    a._backward()  # a leaf's step does nothing
    assert a.grad == -24.0


# --- the traversal: correct whatever the grads held before --------------------------------


def random_graph(seed: int, xs) -> Value:
    """A random DAG of 60 ops over the inputs `xs`, the same for the same seed."""
    rng = random.Random(seed)
    nodes = list(xs)
    for _ in range(60):
        a, b = rng.choice(nodes), rng.choice(nodes)
        kind = rng.randrange(4)
        if kind == 0:
            node = a * b
        elif kind == 1:
            node = a + b
        elif kind == 2:
            node = (a * 0.5).tanh()
        else:
            node = a.sigmoid() - b
        nodes.append(node)
    return sum(nodes[-10:], Value(0.0))


@pytest.mark.parametrize("seed", range(5))
def test_gradients_are_right_when_every_node_starts_at_zero(seed):
    # On PyPy, marking nodes with distinct 0.0 floats in .grad made every fresh node look
    # already placed, and every gradient came out 0.0. Whatever the interpreter, backward()
    # on a graph whose grads are all 0.0 must match finite differences.
    points = [random.Random(100 + seed).uniform(-1.0, 1.0) for _ in range(4)]
    inputs = [Value(x) for x in points]
    out = random_graph(seed, inputs)
    assert all(node.grad == 0.0 for node in topological_order(out))
    out.backward()
    analytic = [x.grad for x in inputs]
    numeric = numerical_grad(lambda *xs: random_graph(seed, xs), points)
    assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-7)
    assert any(g != 0.0 for g in analytic)


def test_backward_twice_gives_the_same_grads_and_leaves_no_marks():
    inputs = [Value(x) for x in (0.3, -0.8, 0.5, 0.9)]
    out = random_graph(7, inputs)
    out.backward()
    first = [x.grad for x in inputs]
    for x in inputs:
        x.grad = 0.0
    out.backward()
    assert [x.grad for x in inputs] == first
    assert all(type(node.grad) is float for node in topological_order(out))


class _Exploding(Value):
    """A leaf whose operand slot, once armed, cannot be read: it interrupts a traversal
    that reaches it, as Ctrl-C could."""

    __slots__ = ()
    armed = False

    @property  # type: ignore[override]
    def _a(self):
        if _Exploding.armed:
            raise KeyboardInterrupt
        return None

    @_a.setter
    def _a(self, value) -> None:
        pass  # a leaf: there is nothing to keep


def test_an_interrupted_backward_leaves_no_marks_behind():
    x = Value(1.0)
    bomb = _Exploding(2.0)
    y = x
    for _ in range(50):
        y = y * 1.01
    out = (y * bomb) * 3.0
    nodes = topological_order(out)
    _Exploding.armed = True
    try:
        with pytest.raises(KeyboardInterrupt):
            out.backward()
    finally:
        _Exploding.armed = False
    assert all(type(node.grad) is float for node in nodes)
