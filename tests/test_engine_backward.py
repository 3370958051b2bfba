"""backward(): reused nodes, repeated calls, resets, deep graphs, and the order it uses."""

import sys

import pytest
from hypothesis import given

from autograd import Value, grad, topological_order
from autograd.engine import _intermediates_in_order, backward_steps
from autograd.gradcheck import gradcheck
from autograd.testing import expressions


@given(expressions())
def test_random_graphs_pass_gradcheck(expr):
    assert gradcheck(expr, expr.inputs)


def test_a_plus_a_counts_both_edges():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_x_times_x():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_diamond():
    # x feeds y and z, which meet again: dL/dx = dL/dy * dy/dx + dL/dz * dz/dx
    x = Value(2.0)
    y = x * 3
    z = x.exp()
    out = y * z
    out.backward()
    assert x.grad == pytest.approx(3 * z.data + y.data * z.data)
    assert (y.grad, z.grad) == (z.data, y.data)


def test_repeated_backward_accumulates_leaves_and_resets_intermediates():
    x = Value(2.0)
    xx = x * x
    z = xx * 3
    z.backward()
    z.backward()
    assert x.grad == 24.0  # PyTorch with retain_graph=True gives 24 too
    assert xx.grad == 3.0  # an intermediate reads d(z)/d(xx) for the latest call
    x.grad = 0.0
    z.backward()
    assert x.grad == 12.0


def test_backward_from_another_root_resets_intermediates_it_reaches():
    x = Value(2.0)
    shared = x * x
    a = shared * 5
    b = shared + 1
    a.backward()
    assert shared.grad == 5.0
    b.backward()
    assert shared.grad == 1.0


def test_backward_of_a_leaf_seeds_it():
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_unused_leaf_keeps_its_grad():
    x, unused = Value(1.0), Value(5.0)
    unused.grad = 7.0
    (x * 2).backward()
    assert unused.grad == 7.0


def test_a_million_op_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.000001
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100)  # proves nothing below recurses
    try:
        y.backward()
        order = topological_order(y)
    finally:
        sys.setrecursionlimit(old_limit)
    assert x.grad == pytest.approx(1.000001**1_000_000, rel=1e-9)
    assert len(order) == 1_000_001


@given(expressions(max_steps=12))
def test_topological_order_is_complete_and_parents_first(expr):
    inputs = [Value(x) for x in expr.inputs]
    root = expr(*inputs)
    order = topological_order(root)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)  # each node once
    assert order[-1] is root
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    # every node reachable from the root is there
    reachable, stack = {id(root)}, [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in reachable:
                reachable.add(id(parent))
                stack.append(parent)
    assert reachable == set(position)


@given(expressions(max_steps=12))
def test_backward_uses_the_same_order_as_topological_order(expr):
    root = expr(*[Value(x) for x in expr.inputs])
    public = [node for node in topological_order(root) if node.parents]
    assert _intermediates_in_order(root) == public


@given(expressions(max_steps=12))
def test_backward_steps_add_up_to_exactly_what_backward_leaves(expr):
    inputs = [Value(x) for x in expr.inputs]
    root = expr(*inputs)
    steps = backward_steps(root)
    grads = {id(root): 1.0}
    for step in steps:
        assert step.upstream == grads[id(step.node)]  # final when its turn comes
        for parent, local, product in step.contributions:
            assert product == local * step.upstream
            grads[id(parent)] = grads.get(id(parent), 0.0) + product
    assert all(node.grad == 0.0 for node in topological_order(root))  # nothing touched
    root.backward()
    for node in topological_order(root):
        assert node.grad == grads[id(node)]


def test_a_zero_factor_wins_over_an_infinite_one_in_the_chain_rule():
    # 0 * sqrt(x) is 0 for every x >= 0: its derivative is 0, not 0 * inf = nan (PyTorch
    # gives nan here; the engine's convention, in docs/api.md, keeps the true number).
    x = Value(0.0)
    y = x**0.5 * 0.0
    y.backward()
    assert x.grad == 0.0
    (d,) = grad(x**0.5 * 0.0, [x])
    assert d.data == 0.0


def test_nodes_behind_a_dead_relu_get_exact_zeros():
    w, x = Value(-2.0), Value(3.0)
    hidden = (w * x).exp() * w  # a subgraph that backward() can skip entirely
    out = (hidden - 1.0).relu() + w
    out.backward()
    assert hidden.grad == 0.0 and x.grad == 0.0 and w.grad == 1.0
