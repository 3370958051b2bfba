"""nn's parameter labels, written and read here only, and the grouping they give a drawing.

The labels name where a parameter sits. An `MLP` labels them `L{i}.N{j}.w{k}` and
`L{i}.N{j}.b` (0-based layer i, neuron j, weight k); a standalone `Layer` uses the layer
name `L` (`L.N0.w0`), a standalone `Neuron` the name `N` (`N.w0`, `N.b`). A neuron's name
is its layer's name, a dot and `N{j}`; a parameter's label is its neuron's name, a dot and
`w{k}` or `b`.

The engine knows nothing of this. A drawing boxes nodes only by the grouping it is given,
a mapping (or a function of the graph's nodes that returns one) from a node to its group
path, outermost first: `("L0", "L0.N3")`. nn gives it in two ways:

    draw(loss, groups=model.grouping())   # the model's own parameters, whatever their labels
    draw(loss, groups=neuron_groups)      # any parameter labelled as above, in any graph
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Callable

from autograd import Value, ops
from nn.activations import ACTIVATION_OPS

GroupPath = tuple[str, ...]  # outermost first: ("L0", "L0.N3"), or ("N",) for a lone neuron
Grouping = Callable[[Sequence[Value]], dict[Value, GroupPath]]

LAYER = "L"  # a standalone layer's name, and the prefix of an MLP's layer names
NEURON = "N"  # a standalone neuron's name, and the prefix of a layer's neuron names

# Reading a label back: an optional layer (`L`, `L0`), a neuron (`N`, `N3`), a parameter.
_PARAMETER_LABEL = re.compile(r"(?:(L\d*)\.)?(N\d*)\.(?:w\d+|b)")


# --- writing -------------------------------------------------------------------------------


def layer_name(index: int | None = None) -> str:
    """`L0` for the first layer of an MLP; `L` for a standalone layer."""
    return LAYER if index is None else f"{LAYER}{index}"


def neuron_name(layer: str | None = None, index: int | None = None) -> str:
    """`L0.N3` for neuron 3 of layer `L0`; `N` for a standalone neuron."""
    name = NEURON if index is None else f"{NEURON}{index}"
    return name if layer is None else f"{layer}.{name}"


def weight_label(neuron: str, k: int) -> str:
    """`L0.N3.w1`: weight k of the neuron named `neuron`."""
    return f"{neuron}.w{k}"


def bias_label(neuron: str) -> str:
    """`L0.N3.b`: the bias of the neuron named `neuron`."""
    return f"{neuron}.b"


# --- reading -------------------------------------------------------------------------------


def parameter_group(label: str) -> GroupPath | None:
    """The group path of a parameter label: `("L0", "L0.N3")` for `"L0.N3.w1"`, `("L", "L.N0")`
    for `"L.N0.b"`, `("N",)` for `"N.w0"`; None for any other text.

    >>> parameter_group("L0.N3.w1"), parameter_group("N.b"), parameter_group("x1")
    (('L0', 'L0.N3'), ('N',), None)
    """
    match = _PARAMETER_LABEL.fullmatch(label)
    if match is None:
        return None
    layer, neuron = match[1], match[2]
    return (neuron,) if layer is None else (layer, f"{layer}.{neuron}")


def neuron_groups(order: Sequence[Value]) -> dict[Value, GroupPath]:
    """The grouping of any graph whose parameters carry nn's labels: pass it to `draw` as
    `groups=neuron_groups`. `order` is the graph's nodes, parents first."""
    parameters = {}
    for node in order:
        if not node.parents:
            path = parameter_group(node.label)
            if path is not None:
                parameters[node] = path
    return place_in_neurons(order, parameters)


def grouping_of(parameters: Mapping[Value, GroupPath]) -> Grouping:
    """A grouping that starts from these parameters' group paths (a module's own)."""

    def groups(order: Sequence[Value]) -> dict[Value, GroupPath]:
        return place_in_neurons(order, parameters)

    return groups


# --- the grouping rule ---------------------------------------------------------------------


class Placement(dict):
    """A grouping's answer: node -> group path, and in `names` the names of a neuron's
    intermediate nodes, which a drawing shows where a node has no label of its own: `z`
    (the weighted sum w·x+b) and `a` (its activation), per neuron."""

    def __init__(self, placed: Mapping[Value, GroupPath], names: Mapping[Value, str]) -> None:
        super().__init__(placed)
        self.names = dict(names)


PRE_ACTIVATION = "z"
ACTIVATION = "a"


def place_in_neurons(
    order: Sequence[Value], parameters: Mapping[Value, GroupPath]
) -> dict[Value, GroupPath]:
    """Each node's neuron, from the neurons of the parameters, in one pass over `order`
    (a topological order, so that every parent is placed before its consumers):

    - a parameter is in the neuron `parameters` gives it;
    - an op with parameter operands is in their neuron when they all share one: the fused
      `w·x+b` node, or in an expanded neuron each `w*x` and the first `+`;
    - an op without parameter operands is in the neuron of its one operand when it is an
      activation (`nn.activations`), or of all its operands when it is a `+` (the running
      sum of an expanded neuron).

    Everything else (the inputs, the loss) is in no neuron.
    """
    placed: dict[Value, GroupPath] = {}
    for node in order:
        operands = node.parents
        if not operands:
            path = parameters.get(node)
        else:
            path = _neuron_of_op(node, operands, parameters, placed)
        if path is not None:
            placed[node] = path
    return Placement(placed, _neuron_names(order, placed))


def _neuron_names(order: Sequence[Value], placed: Mapping[Value, GroupPath]) -> dict[Value, str]:
    """Each activation in a neuron named `a` and its operand `z`; a neuron's fused `w·x+b`
    is `z` too, and so is the output of a neuron without activation (its last node). One
    neuron may compute several samples: each sample's z and a are named."""
    names: dict[Value, str] = {}
    last: dict[GroupPath, Value] = {}
    for node in order:
        path = placed.get(node)
        if path is None or not node.parents:
            continue
        last[path] = node
        operand = node.parents[0]
        if node.op in ACTIVATION_OPS and len(node.parents) == 1 and placed.get(operand) == path:
            names[node] = ACTIVATION
            names[operand] = PRE_ACTIVATION
        elif node.op == ops.WEIGHTED_SUM.name:
            names[node] = PRE_ACTIVATION
    for output in last.values():
        names.setdefault(output, PRE_ACTIVATION)
    return names


def _neuron_of_op(
    node: Value,
    operands: tuple[Value, ...],
    parameters: Mapping[Value, GroupPath],
    placed: Mapping[Value, GroupPath],
) -> GroupPath | None:
    from_parameters = {parameters[p] for p in operands if p in parameters}
    if from_parameters:
        return from_parameters.pop() if len(from_parameters) == 1 else None
    from_operands: list[GroupPath | None] = list({placed.get(p) for p in operands})
    if len(from_operands) != 1 or from_operands[0] is None:
        return None
    if node.op in ACTIVATION_OPS and len(operands) == 1:
        return from_operands[0]
    if node.op == ops.ADD.name:
        return from_operands[0]
    return None
