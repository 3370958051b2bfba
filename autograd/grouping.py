"""Which nodes of a graph belong to which neuron, read off the nn package's parameter labels.

`nn` labels its parameters `L{i}.N{j}.w{k}` and `L{i}.N{j}.b`: the neuron is the part before
the last dot (`L0.N3`) and the layer the first part (`L0`). A drawing uses this to put each
neuron in a box inside its layer's box, or to fold a neuron into one summary node.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from autograd.engine import Value

PARAMETER_LABEL = re.compile(r"(L\d+)\.(N\d+)\.[^.]+")
ACTIVATIONS = {"relu", "tanh", "sigmoid"}


def neuron_of_parameter(node: Value) -> str | None:
    """`"L0.N3"` for a leaf labelled `"L0.N3.w1"`, else None."""
    if node.parents:
        return None
    match = PARAMETER_LABEL.fullmatch(node.label)
    return f"{match[1]}.{match[2]}" if match else None


def layer_of(neuron: str) -> str:
    """`"L0"` for the neuron `"L0.N3"`."""
    return neuron.split(".", 1)[0]


def assign_neurons(order: Sequence[Value]) -> dict[int, str]:
    """Map `id(node)` to its neuron's name, for every node that belongs to a neuron.

    `order` is a topological order (parents first), so one pass sees every parent's
    neuron before its consumers:
    - a parameter belongs to the neuron its label names;
    - an op belongs to neuron N when all of its parameter operands belong to N: the fused
      `w·x+b` node, or in an expanded neuron each `w*x`;
    - an op without parameter operands belongs to N when it is an activation of a single
      operand in N, or a `+` whose operands are all in N (the sum of an expanded neuron).
    Everything else (inputs, the loss) belongs to no neuron.
    """
    neuron: dict[int, str] = {}
    for node in order:
        parents = node.parents
        if not parents:
            name = neuron_of_parameter(node)
        else:
            name = _neuron_of_op(node, parents, neuron)
        if name is not None:
            neuron[id(node)] = name
    return neuron


def _neuron_of_op(node: Value, parents: tuple[Value, ...], neuron: dict[int, str]) -> str | None:
    from_parameters = {neuron[id(p)] for p in parents if not p.parents and id(p) in neuron}
    if from_parameters:
        return from_parameters.pop() if len(from_parameters) == 1 else None
    from_operands = {neuron.get(id(p)) for p in parents}
    if len(from_operands) != 1:
        return None
    (name,) = from_operands
    if node.op in ACTIVATIONS and len(parents) == 1:
        return name
    if node.op == "+":
        return name
    return None
