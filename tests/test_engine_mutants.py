"""Tests written to kill mutants that survived `make mutation`: each pins a number or a
rule that no other test checked (see docs/mutants.md for those that stay, and why)."""

from __future__ import annotations

import math

import pytest

from autograd import Value, define_op, grad, ops
from autograd.engine import is_int, to_int, weighted_sum
from autograd.trace import trace

NAN, INF = math.nan, math.inf


# --- user ops of two and three operands ------------------------------------------------------


def test_a_two_operand_user_op_records_both_operands_and_derivatives():
    hypot = define_op(
        "hypot2",
        lambda x, y: math.hypot(x, y),
        lambda x, y, out: (x / out, y / out),
        lambda x, y, node: (x / node, y / node),
    )
    x, y = Value(3.0), Value(4.0)
    h = hypot(x, y)
    assert (h.data, h.op, h.parents, h.local_grads) == (5.0, "hypot2", (x, y), (0.6, 0.8))
    h.backward()
    assert (x.grad, y.grad) == (0.6, 0.8)
    dx, dy = grad(h, [x, y], create_graph=True)
    assert grad(dx, [x, y])[0].data == pytest.approx(16 / 125) and dy.data == 0.8
    with_number = hypot(3, Value(4.0))  # a number operand becomes a leaf holding it
    assert with_number.parents[0].data == 3.0 and with_number.parents[0].op == ""
    assert hypot.op.arity == 2 and hypot.op.name == "hypot2" and "hypot2" in hypot.__doc__


def test_a_three_operand_user_op_keeps_its_operands_in_order():
    fma = define_op("fma3", lambda a, b, c: a * b + c, lambda a, b, c, out: (b, a, 1.0))
    a, b, c = Value(2.0), Value(3.0), Value(4.0)
    out = fma(a, b, c)
    assert (out.data, out.parents, out.local_grads) == (10.0, (a, b, c), (3.0, 2.0, 1.0))
    out.backward()
    assert (a.grad, b.grad, c.grad) == (3.0, 2.0, 1.0)
    assert fma.op.arity == 3
    with_default = define_op("plus_k", lambda x, k=1.0: x + k, lambda x, out: (1.0,))
    assert with_default.op.arity == 1  # a defaulted parameter is no operand


def test_a_user_op_refuses_a_bad_operand_and_a_bad_derivative_naming_itself():
    square = define_op("sq", lambda x: x * x, lambda x, out: (2 * x,))
    with pytest.raises(TypeError, match=r"^sq: expected an int or a float, got 'a' \(str\)$"):
        square("a")
    odd = define_op("odd", lambda x: x, lambda x, out: ("1",))
    with pytest.raises(TypeError, match=r"^odd \(derivatives\): expected an int or a float"):
        odd(Value(1.0))
    keys = define_op("keys", lambda x: x, lambda x, out: {"d": 1.0})
    message = r"^keys: derivatives must return .* got \{'d': 1.0\} \(dict\)$"
    with pytest.raises(TypeError, match=message):
        keys(Value(1.0))
    with pytest.raises(TypeError, match=r"^define_op: differentiable must be callable, got 3$"):
        define_op("d", lambda x: x, lambda x, out: (1.0,), 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^define_op: derivatives must be callable, got 3$"):
        define_op("d", lambda x: x, 3)  # type: ignore[arg-type]


# --- weighted sums, the number checks ---------------------------------------------------------


def test_weighted_sum_messages_for_mixed_and_bad_inputs():
    ws, b = [Value(1.0), Value(2.0)], Value(0.5)
    with pytest.raises(TypeError, match=r"^w·x\+b: inputs must be all Values or all numbers"):
        weighted_sum(ws, [1.0, Value(2.0)], b)
    with pytest.raises(TypeError, match=r"^'w·x\+b': cannot combine a Value with 'a'"):
        weighted_sum(ws, [1.0, "a"], b)
    z = weighted_sum(ws, [3.0, 4.0], b)
    assert (z.data, z.local_grads) == (11.5, (3.0, 4.0, 1.0))


def test_the_table_weighted_sum_rule():
    assert ops.WEIGHTED_SUM.numeric(1.0, 2.0, 3.0, 4.0, 0.5) == (11.5, 3.0, 4.0, 1.0, 2.0, 1.0)


def test_an_int_subclass_is_an_int_and_a_value_subclass_compares():
    class Count(int):
        pass

    assert is_int(Count(3)) and to_int(Count(3), "n") == 3 and not is_int(True)

    class Named(Value):
        __slots__ = ()

    assert Value(1.0) < Named(2.0) and not Value(1.0) > Named(2.0)


# --- the table's rules at their edges --------------------------------------------------------


def test_relu_and_sign_rules_of_the_table():
    assert ops.RELU.numeric(0.0) == (0.0, 0.0) and ops.RELU.numeric(0.5) == (0.5, 1.0)
    assert ops.RELU.numeric(-0.5) == (0.0, 0.0)
    value, d = ops.SIGN.numeric(NAN)
    assert math.isnan(value) and d == 0.0


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_and_minimum_with_one_nan_and_at_a_tie(op):
    x, y = Value(NAN), Value(1.0)
    out = getattr(x, op)(y)
    assert math.isnan(out.data) and out.local_grads == (1.0, 1.0)
    out = getattr(y, op)(x)
    assert math.isnan(out.data) and out.local_grads == (1.0, 1.0)
    a, b = Value(2.0), Value(2.0)
    assert getattr(a, op)(b).local_grads == (0.5, 0.5)
    assert getattr(Value(1.0), op)(Value(3.0)).local_grads == (
        (0.0, 1.0) if op == "maximum" else (1.0, 0.0)
    )


def test_round_with_one_decimal_and_atanh_at_minus_one():
    assert Value(2.345).round(1).data == 2.3 and Value(2.5).round(0).data == 2.0
    with pytest.raises(ValueError, match=r"^atanh: atanh\(-1.0\) is undefined"):
        Value(-1.0).atanh()


def test_elu_at_zero_takes_the_negative_side_in_both_forms():
    x = Value(0.0)
    out = x.elu(0.5)
    (d,) = grad(out, [x], create_graph=True)
    assert out.local_grads == (0.5,) and d.data == 0.5
    assert grad(d, [x])[0].data == 0.5  # alpha * exp(x), not the constant 1


# --- the chain rule's slow path, and bool() while traced --------------------------------------


def test_an_infinite_gradient_adds_to_a_leaf_grad_instead_of_replacing_it():
    x, y = Value(3.0), Value(0.0)
    x.grad = 1.5  # from an earlier backward()
    ((x**y) - 1).sqrt().backward()  # inf from sqrt'(0), 0 through x**0
    assert x.grad == 1.5
    z = Value(4.0)
    z.grad = 1.0
    (z - 4.0).sqrt().backward()  # inf: 1.0 + inf
    assert z.grad == INF


def test_bool_of_a_traced_value_is_refused_naming_it():
    def f(x):
        return x * 2 if x else x

    with pytest.raises(Exception, match=r"^bool\(\) of the Value 'x' \(leaf, 1.0 at trace time\)"):
        trace(f, 1.0)


def test_rmod_and_clamp_name_their_op_for_a_bad_number():
    with pytest.raises(TypeError, match=r"^'%': cannot combine a Value with \[1\]"):
        [1] % Value(2.0)  # type: ignore[operator]
    with pytest.raises(TypeError, match=r"^'clamp': cannot combine a Value with '1'"):
        Value(1.0).clamp(0, "1")  # type: ignore[arg-type]
