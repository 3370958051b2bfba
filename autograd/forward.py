"""Forward mode: the chain rule pushed from the inputs to the outputs.

Pick a direction in input space, the seed: a tangent for each input (1 for `b` and 0 for
everything else asks "how does each node move when `b` moves?"). Then, parents first,
every node's tangent is

    tangent(node) = Σ_i  local_grads[i] · tangent(parents[i])

the same local derivatives that `backward()` multiplies, read off the recorded nodes:
there is no second table of derivatives and no dual-number type. `f` runs once and is
recorded as usual; a tangent sweep is then one multiply-add per edge, like a backward
pass, but it gives ∂node/∂seed for *every* node and one seed, where a backward pass gives
∂root/∂node for one root and every node.

A node that depends on no seeded input has no tangent at all (not 0.0): it is skipped, as
JAX's symbolic zeros are, so a derivative of inf on a path that the seed never reaches
cannot turn into nan. A seed of 0.0 is a number like any other.

    >>> from autograd import Value
    >>> a, b = Value(2.0, "a"), Value(1.0, "b")
    >>> e = (a + b) * (b + 1)
    >>> tangents([e], {b: 1.0})[e]          # ∂e/∂b
    5.0

`push_tangents` is the reference loop; the transforms (`autograd.transforms`) and the
views (`autograd.forward_replay`, `autograd.paths`) all go through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from autograd.engine import Value, to_float, topological_order

__all__ = ["ForwardStep", "forward_steps", "graph_order", "push_tangents", "tangents"]


@dataclass(frozen=True)
class ForwardStep:
    """One node's turn in a forward (tangent) sweep: its tangent, and where it came from."""

    __slots__ = ("contributions", "node", "tangent")

    node: Value
    tangent: float  # ∂node/∂seed
    # (parent, local derivative ∂node/∂parent, the parent's tangent, their product), one per
    # operand occurrence whose parent depends on the seed
    contributions: tuple[tuple[Value, float, float, float], ...]


def graph_order(outputs: Iterable[Value]) -> list[Value]:
    """Every node that any of `outputs` depends on, once, each after all of its parents."""
    outputs = list(outputs)
    if len(outputs) == 1:
        return topological_order(outputs[0])
    order: list[Value] = []
    placed: set[Value] = set()
    for output in outputs:
        if output in placed:
            continue
        # A node already placed came with all of its own ancestors: the concatenation
        # keeps every node after its parents.
        for node in topological_order(output):
            if node not in placed:
                placed.add(node)
                order.append(node)
    return order


def push_tangents(
    order: list[Value],
    seeds: Mapping[Value, float],
    steps: list[ForwardStep] | None = None,
) -> dict[Value, float]:
    """The forward chain rule over `order` (parents first): the tangent of every node that
    depends on a seed, by node; a seeded node keeps its seed.

    The reference loop of forward mode. With `steps`, each node's `ForwardStep` is
    appended to it, in the order the sweep ran.
    """
    found: dict[Value, float] = dict(seeds)
    for node in order:
        if node in seeds:
            continue
        parents = node.parents
        if not parents:
            continue  # a leaf that was not seeded: no tangent
        total: float | None = None
        contributions = []
        for parent, local in zip(parents, node.local_grads):
            tangent = found.get(parent)
            if tangent is None:
                continue  # the parent depends on no seed: nothing flows on this edge
            product = local * tangent
            total = product if total is None else total + product
            if steps is not None:
                contributions.append((parent, local, tangent, product))
        if total is not None:
            found[node] = total
            if steps is not None:
                steps.append(ForwardStep(node, total, tuple(contributions)))
    return found


def tangents(outputs: Iterable[Value], seeds: Mapping[Value, float]) -> dict[Value, float]:
    """∂node/∂seed for every node of the graph of `outputs`: 0.0 where a node does not
    depend on the seeded nodes. `seeds` maps nodes (usually inputs) to their tangents."""
    seeds = checked_seeds(seeds, "tangents")
    order = graph_order(_checked_outputs(outputs, "tangents"))
    found = push_tangents(order, seeds)
    return {node: found.get(node, 0.0) for node in order}


def forward_steps(root: Value, seeds: Mapping[Value, float]) -> list[ForwardStep]:
    """The forward sweep of `root`'s graph from `seeds`, one `ForwardStep` per node that
    depends on a seed, parents first: the forward twin of `engine.backward_steps`."""
    seeds = checked_seeds(seeds, "forward_steps")
    steps: list[ForwardStep] = []
    push_tangents(graph_order(_checked_outputs([root], "forward_steps")), seeds, steps)
    return steps


def _checked_outputs(outputs: Iterable[Value], where: str) -> list[Value]:
    outputs = list(outputs)
    for output in outputs:
        if not isinstance(output, Value):
            raise TypeError(f"{where}: expected Values, got {output!r} ({type(output).__name__})")
    return outputs


def checked_seeds(seeds: Mapping[Value, float], where: str) -> dict[Value, float]:
    """`seeds` as a dict of Value -> float; a TypeError naming `where` otherwise."""
    if not isinstance(seeds, Mapping):
        raise TypeError(
            f"{where}: seeds must be a mapping {{node: tangent}}, got {seeds!r} "
            f"({type(seeds).__name__})"
        )
    checked = {}
    for node, tangent in seeds.items():
        if not isinstance(node, Value):
            raise TypeError(f"{where}: a seed's key must be a Value, got {node!r}")
        checked[node] = to_float(tangent, f"{where}: the tangent of {node!r}")
    return checked
