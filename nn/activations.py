"""The activations a neuron can apply, defined once: their names, and the engine op each records.

`Neuron(activation="relu")` applies `ACTIVATIONS["relu"].apply`; `nn.labels` reads the op
names to tell which node of a graph is a neuron's output. `"linear"` is the identity: no op.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from autograd import Value, ops


class Activation(NamedTuple):
    name: str
    op: str | None  # the op name its node records (`autograd.ops`); None: no node
    apply: Callable[[Value], Value] | None  # None: the identity


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("relu", ops.RELU.name, Value.relu),
        Activation("tanh", ops.TANH.name, Value.tanh),
        Activation("sigmoid", ops.SIGMOID.name, Value.sigmoid),
        Activation("linear", None, None),
    )
}

# The ops that end a neuron: what `nn.labels` looks for to put a neuron's output in its box.
ACTIVATION_OPS: frozenset[str] = frozenset(a.op for a in ACTIVATIONS.values() if a.op is not None)
