"""The engine's shortcuts give the numbers of its reference paths.

`backward()` has a fast loop and a slow step for an infinite or nan gradient; `grad()` has
a float path and a Value path; `+`, `-`, `*` build their nodes inline; the `.data` check has
a quick answer and a full one. Each test here puts the engine where the two paths part,
and checks the numbers against the rule (or against the other path), so that a shortcut
that took the wrong turn fails.
"""

from __future__ import annotations

import math

import pytest

from autograd import Value, grad
from autograd.engine import weighted_sum

INF, NAN = math.inf, math.nan


class Sub(Value):
    """A user's subclass of Value: still a Value operand, never a number."""

    __slots__ = ()


@pytest.mark.parametrize(
    ("op", "data", "d_left", "d_right"),
    [
        (lambda a, b: a + b, 5.0, 1.0, 1.0),
        (lambda a, b: a - b, -1.0, 1.0, -1.0),
        (lambda a, b: a * b, 6.0, 3.0, 2.0),
        (lambda a, b: a / b, 2.0 / 3.0, 1.0 / 3.0, -2.0 / 9.0),
        (lambda a, b: a**b, 8.0, 12.0, 8.0 * math.log(2.0)),
    ],
    ids=["+", "-", "*", "/", "**"],
)
def test_a_value_subclass_is_an_operand_with_its_own_gradient(op, data, d_left, d_right):
    a, b = Value(2.0), Sub(3.0)
    out = op(a, b)
    assert out.parents == (a, b)
    assert out.data == data
    out.backward()
    assert (a.grad, b.grad) == (d_left, d_right)
    c, d = Sub(2.0), Value(3.0)  # the subclass on the left
    out = op(c, d)
    assert out.parents == (c, d) and out.data == data
    out.backward()
    assert (c.grad, d.grad) == (d_left, d_right)


def test_a_value_subclass_compares_by_its_data_on_either_side():
    small, big = Value(1.0), Sub(2.0)
    assert small < big and small <= big and not small > big and not small >= big
    assert big > small and big >= small and not big < small
    assert Sub(2.0) <= Sub(2.0) and not Sub(2.0) < Sub(2.0)


@pytest.mark.parametrize("sqrt_first", [True, False])
def test_an_infinite_gradient_in_one_branch_leaves_the_other_branches_exact(sqrt_first):
    # sqrt at 0 sends inf back into its branch (the slow step); the product's branch must
    # still get its finite gradient, whichever of the two the loop reaches first.
    a, b, c = Value(0.0), Value(2.0), Value(-3.0)
    root_sqrt = (a * 1.0).sqrt()
    product = (b * c) * 1.0
    out = root_sqrt + product if sqrt_first else product + root_sqrt
    out.backward()
    assert a.grad == INF
    assert (b.grad, c.grad) == (-3.0, 2.0)
    g_a, g_b, g_c = grad(out, [a, b, c])
    assert (g_a.data, g_b.data, g_c.data) == (INF, -3.0, 2.0)


def test_an_infinite_gradient_reaches_every_operand_of_a_weighted_sum():
    w = [Value(2.0), Value(0.0)]
    x = [Value(3.0), Value(5.0)]
    b = Value(-6.0)
    z = weighted_sum(w, x, b)  # 2*3 + 0*5 - 6 = 0: sqrt' is inf there
    z.sqrt().backward()
    # d z / d(w, x, b) = (x, w, 1): inf times each; a derivative of 0 passes 0, not nan.
    assert [v.grad for v in w] == [INF, INF]
    assert [v.grad for v in x] == [INF, 0.0]
    assert b.grad == INF


def test_grad_and_backward_agree_to_the_sign_of_a_zero_gradient():
    # A dead relu (local derivative 0.0) under a negative gradient: 0.0 * -3.0 is -0.0 in
    # IEEE arithmetic; the chain rule's zero factor gives +0.0, in both engines' paths.
    x = Value(-1.0)
    out = x.relu() * -3.0
    (g,) = grad(out, [x])
    out.backward()
    assert g.data == 0.0 and x.grad == 0.0
    assert math.copysign(1.0, g.data) == math.copysign(1.0, x.grad) == 1.0


def test_grad_refuses_inputs_that_are_not_a_sequence():
    x = Value(2.0)
    y = x * x
    for inputs in ({x}, (v for v in [x]), x):
        with pytest.raises(TypeError, match=r"^grad: inputs must be a sequence of Values"):
            grad(y, inputs)  # type: ignore[arg-type]
    assert grad(y, (x,))[0].data == 4.0  # a tuple is a sequence


def test_a_write_to_a_value_outside_the_graph_refuses_nothing():
    x = Value(2.0)
    y = x * x
    elsewhere = Value(1.0)
    elsewhere.data = 5.0  # a write after y was made, to no node of y's graph
    y.backward()
    assert x.grad == 4.0
    assert grad(y, [x])[0].data == 4.0


def test_a_node_whose_data_was_written_before_its_consumer_was_made_is_fine():
    x = Value(2.0)
    y = x * x
    y.data = 10.0  # written before z exists: z's derivatives read 10
    z = y * y
    z.backward()
    assert y.grad == 20.0
    assert grad(z, [y])[0].data == 20.0


def test_a_write_between_two_parts_of_a_graph_is_found_whichever_node_is_first():
    x, w = Value(2.0), Value(3.0)
    old = x * x  # made before the write
    x.data = 4.0
    new = w * 2.0  # made after it
    for out in (old + new, new + old):
        with pytest.raises(ValueError, match=r"^backward: Value\(data=4\.0"):
            out.backward()
        with pytest.raises(ValueError, match=r"^grad: Value\(data=4\.0"):
            grad(out, [x])
