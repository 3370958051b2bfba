"""Every op of the table: its numeric rule is what the engine records, so that the rules a
reader sees (and the tracer calls) are the numbers `backward()` multiplies, including the
ops that `Value` builds inline for speed (`+`, `*`, `-`, neg, relu, `w·x+b`)."""

from __future__ import annotations

import math

import pytest

from autograd import Value, ops
from autograd.engine import op_of, weighted_sum

# An expression per op, with one or two Value operands (and a constant, where it takes one).
BUILT = {
    "+": [lambda a, b: a + b, lambda a, b: a + 2.5],
    "-": [lambda a, b: a - b, lambda a, b: a - 2.5, lambda a, b: 2.5 - a],
    "*": [lambda a, b: a * b, lambda a, b: a * 2.5],
    "/": [lambda a, b: a / b, lambda a, b: a / 2.5, lambda a, b: 2.5 / a],
    "**": [lambda a, b: a**b, lambda a, b: a**2.5, lambda a, b: 2.5**a],
    "%": [lambda a, b: a % b, lambda a, b: a % 0.3, lambda a, b: 2.5 % a],
    "//": [lambda a, b: a // b, lambda a, b: a // 0.3, lambda a, b: 2.5 // a],
    "maximum": [lambda a, b: a.maximum(b), lambda a, b: a.maximum(1.0)],
    "minimum": [lambda a, b: a.minimum(b), lambda a, b: a.minimum(1.0)],
    "neg": [lambda a, b: -a],
    "relu": [lambda a, b: a.relu(), lambda a, b: (-a).relu()],
    "leaky_relu": [lambda a, b: a.leaky_relu(0.2), lambda a, b: (-a).leaky_relu(0.2)],
    "elu": [lambda a, b: a.elu(0.7), lambda a, b: (-a).elu(0.7)],
    "clamp": [lambda a, b: a.clamp(0.0, 1.0), lambda a, b: a.clamp(min=2.0)],
    "round": [lambda a, b: a.round(), lambda a, b: a.round(1)],
    "acosh": [lambda a, b: (a + 1.0).acosh()],
    "w·x+b": [lambda a, b: weighted_sum([a, b], [b, a], a)],
}


def examples():
    for name, op in sorted(ops.REGISTRY.items()):
        for build in BUILT.get(name, [lambda a, b, name=name: getattr(b, name)()]):
            yield name, op, build


def test_every_entry_of_the_table_reflected_ones_too_has_an_example_here():
    a, b = Value(1.3), Value(0.4)
    reached = {op_of(build(a, b)) for _, _, build in examples()}
    missing = [op.name for op in ops.entries() if op not in reached]
    assert not missing, f"no example of {missing} in BUILT"


def test_every_entry_has_the_method_that_applies_it():
    # Value's methods are written out, one per entry (w·x+b is built by weighted_sums).
    missing = [
        f"Value.{op.method} ({op.name})"
        for op in ops.entries()
        if op is not ops.WEIGHTED_SUM and not callable(getattr(Value, op.method or "-", None))
    ]
    assert not missing, f"the table lists ops that Value cannot apply: {missing}"


@pytest.mark.parametrize("name, op, build", list(examples()))
def test_the_numeric_rule_is_what_the_engine_records(name, op, build):
    a, b = Value(1.3), Value(0.4)
    node = build(a, b)
    if node.op == "w·x+b" and name != "w·x+b":
        pytest.skip("not this op")
    entry = op_of(node)  # the op's entry, or its reflected one for `2.5 - a`
    assert node.op == name and entry in (op, op.reflected)
    operands = [p.data for p in node.parents]
    if name != "w·x+b" and (entry.has_constant or len(operands) < entry.arity):
        operands.append(node.constant)  # (w·x+b keeps its weight count there, not an operand)
    result = entry.numeric(*operands)
    assert result[0] == node.data or (math.isnan(result[0]) and math.isnan(node.data))
    assert tuple(result[1 : 1 + len(node.parents)]) == node.local_grads
