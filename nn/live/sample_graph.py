"""One training sample's loss graph for the live page: drawn once, its numbers per step.

The moons network's sample graph has 407 nodes: drawn whole, or with every neuron folded
into a box (33 boxes in two columns of 16), it does not read in a panel. So the page shows
the path a teacher follows back from the loss: the loss's own ops, the output layer's
neurons node by node (their weights, the folded constants such as `1 - x` or `x * (-1)` on
the ops), and each earlier layer folded into one box, which a click unfolds into its
neurons, and a neuron's box, clicked, into its nodes. What is unfolded is `unfolded`, a
set of group paths (`("L1",)` a layer, `("L1", "L1.N3")` a neuron); the graph is laid
out again only when that set or the sample changes, never by a step.

The SVG is `autograd.viz.draw`'s, with its own ids: `node-<k>`, `node-<k>-data`,
`node-<k>-grad` on a node drawn as itself, `fold-<k>` and `fold-<k>-out` on a folded box
(k: the index in `topological_order(loss)` of its last node, whose numbers it shows).
`nodes` lists those k; each frame carries their data and grad in that order, and
`autograd/static/graph_view.js` writes them into the picture in place.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from autograd import Value, topological_order
from autograd.explain import chain_rule
from autograd.formatting import node_name, one_line
from autograd.replay import BackwardReplay
from autograd.viz import draw, inline_svg
from nn.labels import Placement
from nn.live.frames import num
from nn.live.session import Session

GroupPath = tuple  # ("L1",) or ("L1", "L1.N3")


def default_unfolded(session: Session) -> frozenset:
    """The output layer and its neurons: the path from the loss to the last hidden layer."""
    last = len(session.model.layers) - 1
    layer = f"L{last}"
    neurons = [(layer, f"{layer}.N{j}") for j in range(len(session.model.layers[last].neurons))]
    return frozenset([(layer,), *neurons])


class SampleGraph:
    """Training sample `sample`'s loss graph, folded but for the `unfolded` groups."""

    def __init__(self, session: Session, sample: int, unfolded: frozenset | None = None) -> None:
        self.sample = sample
        self.unfolded = default_unfolded(session) if unfolded is None else frozenset(unfolded)
        loss, _, _layers = session.sample_loss(sample)
        order = topological_order(loss)
        self.signature = [node.op for node in order]
        self.count = len(order)
        self.placement = self._placement(session, order)
        # The group each folded box stands for, by its box's k (its last node).
        last: dict[GroupPath, int] = {}
        for k, node in enumerate(order):
            path = self.placement.get(node)
            if path is not None:
                last[path] = k
        self.folds = {k: path for path, k in last.items()}
        # max_nodes=1: fold every group the placement leaves (the open ones have none).
        # Drawn with this sample's parameter gradients (the folded boxes' max |grad|).
        with _sample_grads(session):
            graph = draw(loss, groups=self.placement, max_nodes=1)
        self.svg = _without_caption(inline_svg(graph.pipe(format="svg").decode("utf-8")))
        ids = re.findall(r'id="(node|fold)-(\d+)"', self.svg)
        self.nodes = sorted({int(k) for _, k in ids})
        self.folded = sorted({int(k) for kind, k in ids if kind == "fold"})
        self.names = [one_line(node_name(node)) for node in order]

    def _placement(self, session: Session, order: list[Value]) -> Placement:
        """The model's grouping cut to what is unfolded: a closed layer is one group, an
        open layer's closed neurons one each, an open neuron's nodes none (drawn as
        themselves)."""
        full = session.model.grouping()(order)
        placed: dict[Value, GroupPath] = {}
        for node, path in full.items():
            path = tuple(path)
            if path[:1] not in self.unfolded:
                placed[node] = path[:1]
            elif path not in self.unfolded:
                placed[node] = path
        return Placement(placed, getattr(full, "names", {}))

    def toggled(self, session: Session, k: int | None) -> SampleGraph:
        """The graph with folded box k unfolded (None: back to the default folding)."""
        if k is None:
            return SampleGraph(session, self.sample)
        path = self.folds.get(k)
        if path is None or k not in self.folded:
            raise ValueError(f"node {k} is not a folded box of this graph")
        return SampleGraph(session, self.sample, self.unfolded | {path})

    def values(self, session: Session) -> tuple[dict[str, Any], Value, list, list[list[Value]]]:
        """The shown nodes' data and grad at the current parameters, in `nodes` order."""
        loss, _, layers = session.sample_loss(self.sample)
        order = topological_order(loss)
        if [node.op for node in order] != self.signature:
            raise Relayout
        # A parameter's grad here is this sample's ∂L/∂w (sample_loss kept the optimizer's
        # own in .grad): the graph is this sample's loss.
        own = {id(p): g for p, g in zip(session.params, session.sample_param_grads)}
        part = {
            "sample": self.sample,
            "data": [num(order[k].data) for k in self.nodes],
            "grad": [num(own.get(id(order[k]), order[k].grad)) for k in self.nodes],
        }
        return part, loss, order, layers

    def explained(self, session: Session, key: tuple[str, Any]) -> dict[str, Any]:
        """The "explain" message of a node (`("node", k)`) or a neuron (`("neuron",
        (layer, j))`) of this graph: its chain rule with today's numbers."""
        _, loss, order, layers = self.values(session)
        if key[0] == "node":
            k = key[1]
            if not 0 <= k < len(order):
                raise IndexError(f"the graph has nodes 0 to {len(order) - 1}, not {k}")
        else:
            layer, neuron = key[1]
            if not (0 <= layer < len(layers) and 0 <= neuron < len(layers[layer])):
                raise IndexError(f"there is no neuron {neuron} in layer {layer}")
            target = layers[layer][neuron]
            k = next(i for i, node in enumerate(order) if node is target)
        return explain(loss, order, k)

    def message(self) -> dict[str, Any]:
        """The "graph" message: the drawing and what the page needs to update it."""
        return {
            "type": "graph",
            "sample": self.sample,
            "svg": self.svg,
            "count": self.count,
            "nodes": self.nodes,
            "folded": self.folded,
            "names": self.names,
        }


@contextlib.contextmanager
def _sample_grads(session: Session) -> Iterator[None]:
    """The parameters' .grad set to the last sample_loss's own for a while (a drawing
    reads .grad), then the optimizer's back."""
    saved = [p.grad for p in session.params]
    for p, g in zip(session.params, session.sample_param_grads):
        p.grad = g
    try:
        yield
    finally:
        for p, g in zip(session.params, saved):
            p.grad = g


def _without_caption(svg: str) -> str:
    """The drawing without draw()'s caption (what max_nodes folded, said for a static
    picture): the page says what is folded and how to unfold it, and a caption naming
    the step would go stale as the numbers move."""
    start = svg.find('<g id="graph0"')
    end = svg.find('<g id="', start + 1)
    if start < 0 or end < 0:
        return svg
    head = re.sub(r"<text\b[^>]*>.*?</text>\s*", "", svg[start:end], flags=re.S)
    return svg[:start] + head + svg[end:]


class Relayout(Exception):
    """The sample's graph changed shape (a clamped log became a constant): draw it again."""


def explain(root: Value, order: list[Value], k: int) -> dict[str, Any]:
    """Node k's chain rule, as `autograd.explain.chain_rule` states it, with its terms."""
    rule = chain_rule(root, order[k])
    index = {id(node): i for i, node in enumerate(order)}
    return {
        "type": "explain",
        "node": k,
        "name": one_line(node_name(order[k])),
        "lines": rule.lines(),
        "terms": [
            {
                "consumer": index[id(t.consumer)],
                "consumer_name": one_line(node_name(t.consumer)),
                "upstream": num(t.upstream),
                "local": num(t.local),
                "contribution": num(t.contribution),
            }
            for t in rule.terms
        ],
        "total": num(rule.total),
    }


def replay(root: Value, order: list[Value], shown: list[int] | None = None) -> dict[str, Any]:
    """The backward pass of the sample's loss, step by step: at each step the node whose
    gradient is final and the gradients that changed (`partial` when still incomplete).
    With `shown` (the nodes the picture shows), a step at a hidden node is merged into
    the next shown one: the walk goes node by node through what the page draws."""
    index = {id(node): i for i, node in enumerate(order)}
    visible = None if shown is None else set(shown)
    walk = BackwardReplay(root)
    steps: list[dict[str, Any]] = []
    previous: dict[Value, float] = {}
    waiting: dict[int, list] = {}  # changes of hidden steps, for the next shown step
    for state in walk.states():
        for node, g in state.grads.items():
            if previous.get(node) != g or node in state.partial:
                waiting[index[id(node)]] = [index[id(node)], num(g), node in state.partial]
        previous = dict(state.grads)
        current = None if state.current is None else index[id(state.current)]
        if visible is not None and current is not None and current not in visible:
            continue
        changed = list(waiting.values())
        waiting = {}
        steps.append({"current": current, "caption": walk.caption(state.step), "changed": changed})
    if waiting and steps:
        steps[-1]["changed"].extend(waiting.values())
    return {"type": "replay", "steps": steps, "count": len(order), "nodes": shown}
