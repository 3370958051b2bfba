"""What the page draws, as JSON-ready dicts made from a `Session`: the frame producer.

Every number here is the engine's (the model run with `no_grad`, the sample's graph run
forward and backward); the page only draws them. The runner calls these in its training
thread, between two steps, so no frame ever mixes two steps. The message format is in
`nn.live.runner`'s docstring.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import tempfile
from typing import Any

from autograd import Value, topological_order
from autograd.explain import chain_rule
from autograd.formatting import format_number, node_name, one_line
from autograd.replay import BackwardReplay
from autograd.viz import draw, inline_svg
from nn.live.session import MAX_LAYERS, MAX_NEURONS, MAX_POINTS, Session, optimizer_state
from nn.serialize import save

GRID = 20  # the boundary's cells per side (the page smooths it)
NEURON_GRID = 10  # each neuron's small map: every other boundary cell
MAX_GRAPH_NODES = 150  # a bigger sample graph folds each neuron into one box


def num(x: float) -> float | None:
    """A float for JSON, to 5 significant digits (what any view shows); nan/inf -> None."""
    if not math.isfinite(x):
        return None
    return float(f"{x:.5g}")


def exact(x: float | None) -> float | None:
    """A float for JSON with every digit (the step's loss); nan/inf -> None."""
    return x if x is not None and math.isfinite(x) else None


def _bytes(values: list[int]) -> str:
    return base64.b64encode(bytes(values)).decode("ascii")


# --- the parts that change only when the set-up does --------------------------------------


def setup(session: Session) -> dict[str, Any]:
    """The static part: config, points, the network's shape, the parameters' labels."""
    model = session.model
    return {
        "type": "setup",
        "config": session.config,
        "classes": session.classes,
        "sizes": [2, *[len(layer.neurons) for layer in model.layers]],
        "activation": session.config["activation"],
        "labels": [p.label for p in session.params],
        "train": [[num(x), num(y), k] for (x, y), k in zip(session.train_xs, session.train_ys)],
        "test": [[num(x), num(y), k] for (x, y), k in zip(session.test_xs, session.test_ys)],
        "bounds": [num(b) for b in session.bounds()],
        "grid": GRID,
        "neuron_grid": NEURON_GRID,
        "step_mode": session.step_mode,
        "trace_note": session.trace_note,
        "model_text": repr(model),
        "limits": {"layers": MAX_LAYERS, "neurons": MAX_NEURONS, "points": MAX_POINTS},
    }


# --- light parts: every frame -----------------------------------------------------------


def light(session: Session) -> dict[str, Any]:
    """Step, loss and every parameter's value and gradient (the network's edges)."""
    return {
        "step": session.steps,
        "loss": exact(session.last_loss if session.steps else session.initial_loss()),
        "step_mode": session.step_mode,
        "values": [num(p.data) for p in session.params],
        "grads": [num(p.grad) for p in session.params],
    }


# --- heavy parts: a few times a second --------------------------------------------------


def heavy(session: Session) -> dict[str, Any]:
    """Test and train metrics, the boundary, each neuron's map, the parameter table."""
    train_loss, train_acc = session.evaluate(session.train_xs, session.train_ys)
    test_loss, test_acc = session.evaluate(session.test_xs, session.test_ys)
    part = {
        "metrics": [num(train_loss), num(test_loss), num(train_acc), num(test_acc)],
        "table": {
            "update": [num(u) for u in session.last_update],
            **{k: [num(v) for v in vs] for k, vs in optimizer_state(session).items()},
        },
    }
    part.update(maps(session))
    return part


def maps(session: Session) -> dict[str, Any]:
    """The boundary over a GRID x GRID plane, and each neuron's output over every other
    cell, as bytes (base64): the boundary as 0..255 for [-1, 1] (two classes) or the class
    and its softmax probability (three), each neuron's map scaled by its largest |output|.
    """
    lo0, hi0, lo1, hi1 = session.bounds()
    neurons: list[list[list[float]]] = [
        [[] for _ in layer.neurons] for layer in session.model.layers
    ]
    inputs: list[list[float]] = [[], []]
    boundary: list[int] = []
    winner: list[int] = []
    bce = session.config["loss"] == "bce"
    for row in range(GRID):  # row 0 at the top: the largest x2
        b = hi1 - (hi1 - lo1) * (row + 0.5) / GRID
        for col in range(GRID):
            a = lo0 + (hi0 - lo0) * (col + 0.5) / GRID
            layers = session.activations([a, b])
            out = layers[-1]
            if len(out) == 1:
                v = 2.0 * out[0] - 1.0 if bce else math.tanh(out[0])
                boundary.append(_byte(v))
            else:
                top = max(out)
                exps = [math.exp(z - top) for z in out]
                k = max(range(len(out)), key=lambda j: (out[j], -j))
                winner.append(k)
                boundary.append(_byte(2.0 * exps[k] / sum(exps) - 1.0))
            if row % 2 == 0 and col % 2 == 0:
                inputs[0].append(a)
                inputs[1].append(b)
                for i, layer in enumerate(layers):
                    for j, v in enumerate(layer):
                        neurons[i][j].append(v)
    part: dict[str, Any] = {"boundary": _bytes(boundary)}
    if winner:
        part["winner"] = _bytes(winner)
    part["neurons"] = [[_scaled(vs) for vs in [*inputs]]] + [
        [_scaled(vs) for vs in layer] for layer in neurons
    ]
    return part


def _byte(v: float) -> int:
    if not math.isfinite(v):
        return 128
    return max(0, min(255, round((v + 1.0) * 127.5)))


def _scaled(values: list[float]) -> list[Any]:
    scale = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if scale == 0.0:
        return [0.0, _bytes([128] * len(values))]
    return [num(scale), _bytes([_byte(v / scale) for v in values])]


# --- the sample's graph -----------------------------------------------------------------


class SampleGraph:
    """One training sample's loss graph: laid out once (`svg`), its numbers per step.

    The SVG is `autograd.viz.draw`'s, with each value node's element id `node-<k>` (k its
    index in `topological_order(loss)`) and `node-<k>-data`, `node-<k>-grad` on its two
    cells, the ids `graph_view.js`'s `updateGraph` looks up.
    """

    def __init__(self, session: Session, sample: int) -> None:
        self.sample = sample
        loss, _, _layers = session.sample_loss(sample)
        order = topological_order(loss)
        self.signature = [node.op for node in order]
        big = len(order) > MAX_GRAPH_NODES
        grouping = session.model.grouping()
        graph = draw(
            loss,
            groups=grouping,
            max_nodes=MAX_GRAPH_NODES if big else None,
            title=f"sample {sample}: its loss at step {session.steps}",
        )
        svg = graph.pipe(format="svg").decode("utf-8")
        boxes = _folded_boxes(order, grouping) if big else {}
        self.count = len(order)
        self.svg = with_node_ids(inline_svg(svg), boxes, self.count)
        # The nodes the picture shows (a folded box shows its last node): only their
        # numbers travel with each frame; the others are null.
        self.shown = sorted({int(k) for k in re.findall(r'id="node-(\d+)-data"', self.svg)})
        self.names = [one_line(node_name(node)) for node in order]

    def values(self, session: Session) -> tuple[dict[str, Any], Value, list, list[list[Value]]]:
        """The sample's graph at the current parameters: data and grad by node index."""
        loss, _, layers = session.sample_loss(self.sample)
        order = topological_order(loss)
        if [node.op for node in order] != self.signature:
            raise _Relayout
        data: list[float | None] = [None] * len(order)
        grad: list[float | None] = [None] * len(order)
        for k in self.shown:
            data[k] = num(order[k].data)
            grad[k] = num(order[k].grad)
        part = {"sample": self.sample, "data": data, "grad": grad}
        return part, loss, order, layers


class _Relayout(Exception):
    """The sample's graph changed shape (a clamped log became a constant): draw it again."""


def _folded_boxes(order: list[Value], grouping: Any) -> dict[str, int]:
    """draw()'s name of each folded group's box (n0, n1, ... in order of first
    appearance) -> the topological index of the group's last node, whose numbers it shows."""
    placement = grouping(order)
    first: dict[tuple, int] = {}
    last: dict[tuple, int] = {}
    for k, node in enumerate(order):
        path = placement.get(node)
        if path is None:
            continue
        path = tuple(path)
        first.setdefault(path, len(first))
        last[path] = k
    return {f"n{first[path]}": k for path, k in last.items()}


# A node's group as Graphviz writes it: no group inside (a cell without an id has none).
_NODE = re.compile(
    r'<g id="(node\d+)" class="node">\s*<title>([^<]*)</title>((?:(?!<g[ >]).)*?)</g>\n', re.S
)


def with_node_ids(svg: str, boxes: dict[str, int], count: int) -> str:
    """Graphviz's SVG with the ids `graph_view.js`'s `updateGraph` reads: `node-<k>` on
    value node v<k> (or on a folded box, for its last node), and groups `node-<k>-data`,
    `node-<k>-grad` around the text of its data and grad cells. A draw() that writes
    these ids itself is left as it is. Then an empty `node-<k>` for every k the picture
    does not show (folded into a box): `updateGraph` counts the nodes up to the first
    missing id."""
    if 'id="node-' not in svg:
        svg = _NODE.sub(lambda match: _renamed(match, boxes), svg)
    missing = [k for k in range(count) if f'id="node-{k}"' not in svg]
    hidden = "".join(f'<g id="node-{k}" class="folded"></g>' for k in missing)
    return svg.replace("</svg>", hidden + "</svg>", 1) if hidden else svg


def _renamed(match: re.Match, boxes: dict[str, int]) -> str:
    title, body = match.group(2), match.group(3)
    if title.startswith("v") and title[1:].isdigit():
        k = int(title[1:])
    elif title in boxes:
        k = boxes[title]
    else:
        return match.group(0)
    body = re.sub(
        r"(<text[^>]*>(?:data |out )[^<]*</text>)", rf'<g id="node-{k}-data">\1</g>', body, count=1
    )
    body = re.sub(r"(<text[^>]*>grad[^<]*</text>)", rf'<g id="node-{k}-grad">\1</g>', body, count=1)
    return f'<g id="node-{k}" class="node">\n<title>{title}</title>{body}</g>\n'


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


def replay(root: Value, order: list[Value]) -> dict[str, Any]:
    """The backward pass of the sample's loss, step by step: at each step the node whose
    gradient is final and the gradients that changed (`partial` when still incomplete)."""
    index = {id(node): i for i, node in enumerate(order)}
    walk = BackwardReplay(root)
    steps = []
    previous: dict[Value, float] = {}
    for state in walk.states():
        changed = [
            [index[id(node)], num(g), node in state.partial]
            for node, g in state.grads.items()
            if previous.get(node) != g or node in state.partial
        ]
        previous = dict(state.grads)
        steps.append(
            {
                "current": None if state.current is None else index[id(state.current)],
                "caption": walk.caption(state.step),
                "changed": changed,
            }
        )
    return {"type": "replay", "steps": steps, "count": len(order)}


def model_json(session: Session) -> str:
    """The model as the JSON file `nn.save` writes (written by it, and read back)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.json")
        save(session.model, path)
        with open(path, encoding="utf-8") as f:
            return f.read()


def neuron_name(layer: int, neuron: int) -> str:
    return f"L{layer}.N{neuron}"


def dumps(message: dict[str, Any]) -> str:
    """A message as JSON text (never NaN: `num` made those null)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def format_loss(x: float | None) -> str:
    return "nan" if x is None else format_number(x)
